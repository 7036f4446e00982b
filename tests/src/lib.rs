//! Helpers for the scenario tests: hand-set clocks, replica exchange, snapshots and a small
//! deterministic random source.

pub mod convergence;
pub mod counted;
pub mod kill_campaign;
pub mod proxy;
pub mod server;
pub mod text;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use komora_core::{ApplyReport, Client, KdfParams, TimeSource, Vault, VaultOptions};

/// Nov 29 2026, 08:00 UTC: a morning in the field.
pub const MORNING_MS: u64 = 1_795_939_200_000;

/// A clock the test moves by hand. Share one between replicas, or give each its own offset.
#[derive(Debug)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    pub fn at(ms: u64) -> Arc<Self> {
        Arc::new(Self(AtomicU64::new(ms)))
    }

    pub fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl TimeSource for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Options for a vault on disk that unlocks fast (tests only: the KDF cost is tiny).
pub fn fast_options() -> VaultOptions {
    VaultOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        ..VaultOptions::default()
    }
}

/// Send `to` everything `from` has that `to` lacks, the way sync or a file transfer would.
pub fn send(from: &Vault, to: &mut Vault) -> ApplyReport {
    let missing = from.ops_missing_from(&to.summary().unwrap()).unwrap();
    let report = to.apply_ops(&missing).unwrap();
    assert!(
        report.rejected.is_empty(),
        "ops refused: {:?}",
        report.rejected
    );
    report
}

/// Both ways.
pub fn exchange(a: &mut Vault, b: &mut Vault) {
    send(a, b);
    send(b, a);
}

/// Everything a user could see of a replica's clients, for comparing replicas.
pub fn snapshot(v: &Vault) -> Vec<Client> {
    let listing = v.clients().unwrap();
    assert!(listing.unreadable.is_empty());
    listing.items
}

/// Record a client known by her name only; her id.
pub fn record_client(v: &mut Vault, name: &str) -> komora_core::RecordId {
    v.add_client(&komora_core::NewClient {
        name: name.into(),
        ..Default::default()
    })
    .unwrap()
}

/// The names of a replica's clients, sorted: what a person would compare between tablets.
pub fn client_names(v: &Vault) -> Vec<String> {
    let mut n: Vec<String> = snapshot(v).into_iter().map(|c| c.name).collect();
    n.sort();
    n
}

/// xorshift64*: reproducible randomness without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i as u64 + 1) as usize);
        }
    }
}

/// Sync options for tests: quick retries.
pub fn quick_retries() -> komora_core::SyncOptions {
    komora_core::SyncOptions {
        max_attempts: 30,
        backoff: std::time::Duration::from_millis(5),
        ..Default::default()
    }
}

/// The organisation's first administrator, on `server`, with a fast-unlocking vault in `dir`.
pub fn bootstrap_admin(server: &server::TestServer, dir: &std::path::Path) -> Vault {
    bootstrap_admin_with(server, dir, fast_options())
}

/// The same, with the app's `options` (an app not yet updated: `app_format` below this
/// build's, which founds its team at that format).
pub fn bootstrap_admin_with(
    server: &server::TestServer,
    dir: &std::path::Path,
    options: komora_core::VaultOptions,
) -> Vault {
    let mut t = komora_core::HttpTransport::new(&server.url).unwrap();
    let code = server
        .bootstrap_code
        .as_deref()
        .expect("a fresh server has a bootstrap code");
    Vault::bootstrap(
        dir,
        "admin passphrase",
        &mut t,
        &server.url,
        code,
        "AMI",
        "Huye",
        options,
    )
    .unwrap()
}

/// A new device of `role`, invited by `inviter` and enrolled on `server`.
pub fn enrol(
    server: &server::TestServer,
    inviter: &mut Vault,
    role: komora_core::Role,
    dir: &std::path::Path,
) -> Vault {
    enrol_with(server, inviter, role, dir, fast_options())
}

/// The same, the new tablet opened with `options` (a clock the test moves, say).
pub fn enrol_with(
    server: &server::TestServer,
    inviter: &mut Vault,
    role: komora_core::Role,
    dir: &std::path::Path,
    options: komora_core::VaultOptions,
) -> Vault {
    let mut t = komora_core::HttpTransport::new(&server.url).unwrap();
    let invitation = inviter
        .invite(&mut t, role, std::time::Duration::from_secs(3600))
        .unwrap();
    Vault::enroll(
        dir,
        "tablet passphrase",
        &mut t,
        &server.url,
        &invitation.code,
        options,
    )
    .unwrap()
}

/// Sync a vault through `url` (a proxy, say) with `opts`.
pub fn sync_via(
    v: &mut Vault,
    url: &str,
    opts: &komora_core::SyncOptions,
) -> komora_core::Result<komora_core::SyncReport> {
    let mut t = komora_core::HttpTransport::new(url).unwrap();
    v.sync(&mut t, opts, &mut |_| {})
}

/// The vault as the app holds it: shared by the screens and the sync, `None` once locked
/// (the tests of work done while a sync runs).
pub struct SharedVault(pub std::sync::Mutex<Option<Vault>>);

impl komora_core::VaultCell for SharedVault {
    fn with<R>(
        &self,
        f: impl FnOnce(&mut Vault) -> komora_core::Result<R>,
    ) -> komora_core::Result<R> {
        let mut g = self.0.lock().unwrap();
        f(g.as_mut().ok_or(komora_core::Error::Locked)?)
    }
}

/// Sync a vault with the server it is enrolled on.
pub fn sync(v: &mut Vault) -> komora_core::Result<komora_core::SyncReport> {
    let url = v.sync_settings()?.server_url;
    let mut t = komora_core::HttpTransport::new(&url).unwrap();
    v.sync(&mut t, &quick_retries(), &mut |_| {})
}

/// A transport that passes calls to the real server and keeps the bearer token it saw: lets a
/// test act as an attacker holding an unlocked tablet (for example to send garbage).
pub struct TokenSpy {
    inner: komora_core::HttpTransport,
    pub token: Option<String>,
    /// Replace the keys this tablet wraps for others with garbage of the same size (a stolen
    /// tablet squatting its colleagues' keys after a restore).
    pub garble_grants: bool,
    /// Keep the invitations this tablet posts instead of sending them (answered as stored), so
    /// a test can post them all at once.
    pub hold_invites: bool,
    /// The invitations held back.
    pub held_invites: Vec<komora_protocol::InviteRequest>,
    /// Pages of changes answered before the link is cut for good (`None`: never cut): every
    /// later pull fails as a lost connection, so a sync fails after the pages it applied.
    pub pulls_before_cut: Option<u32>,
}

impl TokenSpy {
    pub fn new(url: &str) -> Self {
        Self {
            inner: komora_core::HttpTransport::new(url).unwrap(),
            token: None,
            garble_grants: false,
            hold_invites: false,
            held_invites: Vec::new(),
            pulls_before_cut: None,
        }
    }
}

/// The ids of the operations a team's stream holds after `after`, as a thief holding a
/// device's `token` learns them from the envelopes' clear headers (one page of the server at
/// `url`).
pub fn op_ids_read(url: &str, token: &str, after: u64) -> Vec<komora_core::OpId> {
    use komora_core::Transport;
    let mut raw = komora_core::HttpTransport::new(url).unwrap();
    let page = raw.pull(token, after, 1 << 20, None).unwrap();
    assert!(!page.more, "one page holds what the thief reads");
    page.envelopes
        .iter()
        .map(|e| {
            komora_core::OpId::from_bytes(
                komora_protocol::envelope::header(e)
                    .expect("a whole envelope")
                    .op_id,
            )
        })
        .collect()
}

/// The bearer token `v` logs in with at the server at `url`, as a thief holding the unlocked
/// tablet would take it (a sync through a [`TokenSpy`]).
pub fn token_of(v: &mut Vault, url: &str) -> String {
    let mut spy = TokenSpy::new(url);
    v.sync(&mut spy, &quick_retries(), &mut |_| {}).unwrap();
    spy.token.expect("a sync logs in")
}

mod spy {
    use komora_core::{Transport, TransportError};
    use komora_protocol::*;

    type Reply<T> = Result<T, TransportError>;

    impl Transport for super::TokenSpy {
        fn bootstrap(&mut self, req: &BootstrapRequest) -> Reply<RegisteredResponse> {
            self.inner.bootstrap(req)
        }
        fn challenge(&mut self, req: &ChallengeRequest) -> Reply<ChallengeResponse> {
            self.inner.challenge(req)
        }
        fn token(&mut self, req: &TokenRequest) -> Reply<TokenResponse> {
            self.inner.token(req)
        }
        fn invite(&mut self, token: &str, req: &InviteRequest) -> Reply<InviteResponse> {
            self.token = Some(token.into());
            if self.hold_invites {
                self.held_invites.push(req.clone());
                return Ok(InviteResponse { expires_at_ms: 0 });
            }
            self.inner.invite(token, req)
        }
        fn enroll(&mut self, req: &EnrollRequest) -> Reply<EnrollResponse> {
            self.inner.enroll(req)
        }
        fn push(
            &mut self,
            token: &str,
            batch: &komora_protocol::PushBatchV2,
        ) -> Reply<PushResponse> {
            self.token = Some(token.into());
            self.inner.push(token, batch)
        }
        fn pull(
            &mut self,
            token: &str,
            after: u64,
            max_bytes: u32,
            at: Option<komora_protocol::Id16>,
        ) -> Reply<PullPage> {
            self.token = Some(token.into());
            if self.pulls_before_cut == Some(0) {
                return Err(TransportError::Network("the link is cut".into()));
            }
            let page = self.inner.pull(token, after, max_bytes, at)?;
            if let Some(n) = &mut self.pulls_before_cut {
                if !page.envelopes.is_empty() {
                    *n -= 1;
                }
            }
            Ok(page)
        }
        fn pull_own(
            &mut self,
            token: &str,
            numbers: &[(u64, u64)],
            after: u64,
            max_bytes: u32,
        ) -> Reply<PullPage> {
            self.token = Some(token.into());
            self.inner.pull_own(token, numbers, after, max_bytes)
        }
        fn rejoin(&mut self, req: &RejoinRequest) -> Reply<RejoinResponse> {
            self.inner.rejoin(req)
        }
        fn devices(&mut self, token: &str) -> Reply<Vec<DeviceInfo>> {
            self.token = Some(token.into());
            self.inner.devices(token)
        }
        fn revoke(&mut self, token: &str, device: &Id16, req: &RevokeRequest) -> Reply<()> {
            self.token = Some(token.into());
            self.inner.revoke(token, device, req)
        }
        fn keys(&mut self, token: &str, after_epoch: u32) -> Reply<KeyGrantsResponse> {
            self.token = Some(token.into());
            self.inner.keys(token, after_epoch)
        }
        fn roster(&mut self, token: &str, after: u32) -> Reply<roster::RosterResponse> {
            self.token = Some(token.into());
            self.inner.roster(token, after)
        }
        fn create_team(
            &mut self,
            token: &str,
            req: &komora_protocol::CreateTeamRequest,
        ) -> Reply<komora_protocol::RegisteredResponse> {
            self.token = Some(token.into());
            self.inner.create_team(token, req)
        }
        fn erase(&mut self, token: &str, req: &EraseRequest) -> Reply<EraseResponse> {
            self.token = Some(token.into());
            self.inner.erase(token, req)
        }
        fn revocation_proof(
            &mut self,
            req: &komora_protocol::RevocationProofRequest,
        ) -> Result<komora_protocol::roster::RosterResponse, komora_core::TransportError> {
            self.inner.revocation_proof(req)
        }
        fn retire(
            &mut self,
            token: &str,
            req: &komora_protocol::RetireRequest,
        ) -> Result<(), komora_core::TransportError> {
            self.inner.retire(token, req)
        }
        fn reconcile(
            &mut self,
            token: &str,
            req: &komora_protocol::ReconcileRequest,
        ) -> Result<komora_protocol::ReconcileResponse, komora_core::TransportError> {
            self.inner.reconcile(token, req)
        }
        fn roster_append(
            &mut self,
            token: &str,
            req: &komora_protocol::RosterAppend,
        ) -> Result<(), komora_core::TransportError> {
            self.inner.roster_append(token, req)
        }
        fn upload_grants(
            &mut self,
            token: &str,
            req: &komora_protocol::GrantsUpload,
        ) -> Result<(), komora_core::TransportError> {
            self.token = Some(token.into());
            if !self.garble_grants {
                return self.inner.upload_grants(token, req);
            }
            let garbled = komora_protocol::GrantsUpload {
                grants: req
                    .grants
                    .iter()
                    .map(|(e, d, w)| (*e, *d, Bytes(vec![0x5a; w.0.len()])))
                    .collect(),
            };
            self.inner.upload_grants(token, &garbled)
        }
    }
}

/// What every session needs first: the client's own consent to services and to data
/// recording (in Kinyarwanda, today), and a case opened for `problem`. Returns the case.
pub fn open_case_with_consent(
    v: &mut Vault,
    client: komora_core::RecordId,
    problem: &str,
) -> komora_core::RecordId {
    use komora_core::{ConsentDecision, ConsentGiver, Language, NewCase, NewConsent};
    for scope in ["services", "data-recording"] {
        v.add_consent(&NewConsent {
            client,
            scope: scope.into(),
            decision: ConsentDecision::Given,
            language: Language::Kinyarwanda,
            given_by: ConsentGiver::Client,
            guardian_name: None,
            date: None,
        })
        .unwrap();
    }
    v.add_case(&NewCase {
        clients: vec![client],
        problems: vec![problem.into()],
        ..Default::default()
    })
    .unwrap()
}

/// A seed for a randomised test: the number in `var` when it is set (to repeat a run that
/// failed), else one from the clock. Printed, so a failing run says how to repeat it.
pub fn seed_from_env(var: &str) -> u64 {
    let seed = std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("the clock is after 1970")
                .as_nanos() as u64
        });
    eprintln!("{var}={seed}");
    seed
}
