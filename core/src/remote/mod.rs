//! Talking to the sync server: enrolment, login, and the sync engine that pushes what the
//! server lacks and pulls what this device lacks, resumably.
//!
//! The core does no network I/O except through [`Transport`].

mod engine;
mod enrol;
mod fleet;
#[cfg(feature = "http")]
pub mod http;
mod kept_login;
pub(crate) mod keys;
mod members;
mod pace;
mod passes;
mod rebuild;
mod rejoin;
mod revocation;
mod team_format;
#[cfg(feature = "http")]
mod tls;
pub mod transport;
pub mod trust;

use std::time::Duration;

use komora_protocol::pin::CertificatePin;
use komora_protocol::server_url::ServerUrlError;
use komora_protocol::{ChallengeRequest, ErrorCode, Id16, Role, TokenRequest};
use ring::signature::Ed25519KeyPair;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use engine::{sync_shared, SyncPhase, SyncProgress, SyncReport, SyncStatus};
pub use enrol::Invitation;
pub use fleet::{BackupState, Fleet, FleetDevice};
pub use team_format::FormatRaise;
use transport::{Transport, TransportError};

use crate::error::{Error, Result};
use crate::vault::Vault;

/// How this vault reaches its team on a sync server. Stored in the vault (routing metadata only).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SyncSettings {
    pub server_url: String,
    pub team_id: Id16,
    pub team_name: String,
    pub org_name: String,
    pub role: Role,
    /// The server keys this vault trusts, from its enrolment link (ADR 0014); empty: the
    /// public certificate authorities. Vaults from before pins read as empty.
    #[serde(default)]
    pub server_pins: Vec<CertificatePin>,
}

impl SyncSettings {
    /// A transport to this vault's server trusting exactly its pins: the one place every
    /// front end (command line, app) gets a connection for an enrolled vault.
    #[cfg(feature = "http")]
    pub fn transport(&self) -> Result<http::HttpTransport> {
        Ok(http::HttpTransport::pinned(
            &self.server_url,
            &self.server_pins,
        )?)
    }

    /// The enrolment link (QR code) for `code`: this server, and the pins that let a new
    /// tablet trust it as this one does.
    pub fn enrolment_link(&self, code: &str) -> String {
        komora_protocol::code::enrolment_link(&self.server_url, code, &self.server_pins)
    }
}

/// Retry and batching for sync.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Attempts per call before giving up (network errors, rate limits, server errors).
    pub max_attempts: u32,
    /// First pause between attempts; doubled each time, capped at 30 s.
    pub backoff: Duration,
    pub push_batch_ops: usize,
    /// The largest push batch; each batch is sized to the link (see `pace.rs`).
    pub push_batch_bytes: usize,
    /// The largest pull page; each page is sized to the link too (`pace.rs`: it starts at 64
    /// KiB and doubles only while pages come back in under half the request target, so on
    /// 2G pages stay a few tens of kilobytes). The server's largest: on a fast link a first
    /// sync of 100,000 operations is then about 15 pages instead of 230, each applied in one
    /// transaction (docs/PERFORMANCE.md, "Pages of a first sync").
    pub pull_page_bytes: u32,
    /// About how long one push or pull request should take on the link measured so far:
    /// what a cut can lose, and far below the HTTP client's limit per request.
    pub request_target: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            backoff: Duration::from_millis(500),
            push_batch_ops: 1_000,
            push_batch_bytes: 512 * 1024,
            pull_page_bytes: komora_protocol::MAX_PULL_BYTES,
            request_target: Duration::from_secs(20),
        }
    }
}

const SETTINGS_KEY: &str = crate::store::SETTINGS_META;

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Network(reason) => Error::Network(reason),
            TransportError::Address(ServerUrlError::PlainHttp) => Error::PlainHttp,
            TransportError::Address(problem) => Error::validation("server", problem.to_string()),
            TransportError::Untrusted => Error::UntrustedServer,
            TransportError::Rejected { status, .. } if status >= 500 => {
                Error::Network(format!("the server answered {status}"))
            }
            TransportError::Rejected { code, message, .. } => match code {
                // The server's word alone: proven (or not) by `Session::settle_revocation`.
                ErrorCode::Revoked => Error::RevocationUnproven,
                ErrorCode::InvalidCode => Error::InvalidCode,
                ErrorCode::Unauthenticated => Error::Unauthenticated,
                ErrorCode::RateLimited => Error::RateLimited,
                ErrorCode::Forbidden => Error::Forbidden(message),
                // A push's is the engine's to handle (it re-seals); any other carries the
                // server's own words ("sync, then invite again").
                ErrorCode::StaleEpoch => Error::Server(message),
                ErrorCode::UpdateRequired => Error::UpdateRequired,
                // Any other (past a quota, ADR 0027, among them): the server's own sentence
                // says what to do; the work stays unsent on the tablet.
                _ => Error::Server(message),
            },
        }
    }
}

/// Where a long exchange with the server (a sync) finds the vault. The exchange holds it only
/// between network calls, so the screens keep working while it waits on a slow network, and a
/// lock takes effect at its next step: `with` then answers `Error::Locked` and the exchange
/// stops, having lost nothing (every step is saved as it completes).
pub trait VaultCell {
    fn with<R>(&self, f: impl FnOnce(&mut Vault) -> Result<R>) -> Result<R>;
}

/// A vault borrowed for a whole exchange (the command line, short calls).
pub(crate) struct Held<'v>(std::cell::RefCell<&'v mut Vault>);

impl<'v> Held<'v> {
    pub(crate) fn new(vault: &'v mut Vault) -> Self {
        Held(std::cell::RefCell::new(vault))
    }
}

impl VaultCell for Held<'_> {
    fn with<R>(&self, f: impl FnOnce(&mut Vault) -> Result<R>) -> Result<R> {
        f(&mut self.0.borrow_mut())
    }
}

/// What a login needs from the vault: who this device is and its signature on the challenge;
/// and, when the server answers "revoked", the signature that asks for the proof and the check
/// of that proof (`revocation.rs`).
pub(crate) trait Signer {
    fn login_signature(&self, challenge: &[u8]) -> Result<(Id16, Vec<u8>)>;
    fn login_device(&self) -> Result<Id16>;
    fn revocation_signature(&self, challenge: &[u8]) -> Result<Vec<u8>>;
    fn revocation_proven(&self, statements: Vec<Vec<u8>>) -> Result<bool>;
    /// What the device tells the server of itself at login (the fleet view).
    fn report(&self) -> Option<komora_protocol::DeviceReport>;
    /// The signed statements that admit this device, for a server that forgot it
    /// (`rejoin.rs`).
    fn admission(&self) -> Result<Option<komora_protocol::RejoinRequest>>;
}

impl Vault {
    pub(crate) fn sign_with_identity(&self, message: &[u8]) -> Result<Vec<u8>> {
        let key = Ed25519KeyPair::from_pkcs8(self.store.signing_pkcs8()).map_err(|_| {
            Error::Corrupted {
                what: "the device identity",
            }
        })?;
        Ok(key.sign(message).as_ref().to_vec())
    }
}

impl Signer for Vault {
    fn login_device(&self) -> Result<Id16> {
        Ok(Id16(*self.device_id().as_bytes()))
    }

    fn login_signature(&self, challenge: &[u8]) -> Result<(Id16, Vec<u8>)> {
        let device = self.login_device()?;
        let signature =
            self.sign_with_identity(&komora_protocol::login_message(&device, challenge))?;
        Ok((device, signature))
    }

    fn revocation_signature(&self, challenge: &[u8]) -> Result<Vec<u8>> {
        let device = self.login_device()?;
        self.sign_with_identity(&komora_protocol::revocation_proof_message(
            &device, challenge,
        ))
    }

    fn revocation_proven(&self, statements: Vec<Vec<u8>>) -> Result<bool> {
        Vault::revocation_proven(self, statements)
    }

    fn report(&self) -> Option<komora_protocol::DeviceReport> {
        let status = self.sync_status().ok()?;
        Some(komora_protocol::DeviceReport {
            app_version: env!("CARGO_PKG_VERSION").into(),
            protocol: komora_protocol::PROTOCOL_VERSION,
            pending: status.pending,
            parked: status.parked,
            set_aside: status.set_aside,
            last_sync_ms: status.last_sync_ms,
            format: self.app_format(),
        })
    }

    fn admission(&self) -> Result<Option<komora_protocol::RejoinRequest>> {
        Vault::admission(self)
    }
}

impl<C: VaultCell> Signer for C {
    fn login_device(&self) -> Result<Id16> {
        self.with(|v| v.login_device())
    }

    fn login_signature(&self, challenge: &[u8]) -> Result<(Id16, Vec<u8>)> {
        self.with(|v| v.login_signature(challenge))
    }

    fn revocation_signature(&self, challenge: &[u8]) -> Result<Vec<u8>> {
        self.with(|v| Signer::revocation_signature(&*v, challenge))
    }

    fn revocation_proven(&self, statements: Vec<Vec<u8>>) -> Result<bool> {
        self.with(|v| Vault::revocation_proven(v, statements))
    }

    fn report(&self) -> Option<komora_protocol::DeviceReport> {
        self.with(|v| Ok(Signer::report(&*v))).ok().flatten()
    }

    fn admission(&self) -> Result<Option<komora_protocol::RejoinRequest>> {
        self.with(|v| Vault::admission(v))
    }
}

/// A logged-in conversation with the server: the token is kept for the session only.
pub(crate) struct Session<'t> {
    transport: &'t mut dyn Transport,
    token: Option<Zeroizing<String>>,
    opts: SyncOptions,
    /// The team's key epoch as the server said at login (0: not said).
    pub(crate) team_epoch: u32,
    /// How many statements the team's signed device list holds, as said at login.
    pub(crate) roster_len: u32,
    /// The server stream's generation as said at login (empty: a server from before).
    pub(crate) generation: Vec<u8>,
    /// The server stream's head as said at login.
    pub(crate) head: u64,
    /// The numbers of this device's operations the server holds, as said at login.
    pub(crate) own: Vec<(u64, u64)>,
    /// How many operations the server deleted at this device's erasure requests.
    pub(crate) erased_for_me: u64,
    /// The server serves this device its own operations by number, as said at login (ADR
    /// 0032).
    pub(crate) serves_own: bool,
    /// This session logged in (what a login says is known, `serves_own` among it).
    logged_in: bool,
    /// What this device said of itself at login (the fleet view).
    pub(crate) reported: Option<komora_protocol::DeviceReport>,
    /// This session handed the statements that admit this device to a server that did not
    /// know it, and got an answer (`rejoin.rs`): not again.
    rejoined: bool,
    /// The token came from an earlier sync (`kept_login.rs`): nothing above was said at a
    /// login; the first pull page says it (`PullPage::standing`).
    resumed: bool,
    /// A login in this session gave a token not yet kept in the vault, valid this long.
    new_login: Option<u64>,
}

impl<'t> Session<'t> {
    pub(crate) fn new(transport: &'t mut dyn Transport, opts: SyncOptions) -> Self {
        Self {
            transport,
            token: None,
            opts,
            team_epoch: 0,
            roster_len: 0,
            generation: Vec::new(),
            head: 0,
            own: Vec::new(),
            erased_for_me: 0,
            serves_own: false,
            logged_in: false,
            reported: None,
            rejoined: false,
            resumed: false,
            new_login: None,
        }
    }

    /// Carry on with a token an earlier sync got (`kept_login.rs`): no login, unless the
    /// server refuses it. What a login says is then learnt from the first pull page.
    pub(crate) fn resume(&mut self, token: &str, reported: Option<komora_protocol::DeviceReport>) {
        self.token = Some(Zeroizing::new(token.to_owned()));
        self.reported = reported;
        self.resumed = true;
    }

    /// The largest pull page this session's options ask for.
    pub(crate) fn page_bytes(&self) -> u32 {
        self.opts.pull_page_bytes
    }

    /// Whether this session logged in (rather than only carrying on with a kept token).
    pub(crate) fn logged_in(&self) -> bool {
        self.logged_in
    }

    /// Whether this session carries on with a kept token (see [`Session::resume`]).
    pub(crate) fn resumed(&self) -> bool {
        self.resumed
    }

    /// Drop the token, so the next call logs in (and says what a login says).
    pub(crate) fn forget_token(&mut self) {
        self.token = None;
    }

    /// A token this session logged in for and not yet handed out to be kept, with how long
    /// the server said it is valid.
    pub(crate) fn take_new_login(&mut self) -> Option<(Zeroizing<String>, u64)> {
        let valid_s = self.new_login.take()?;
        Some((self.token.clone()?, valid_s))
    }

    /// The token in use, to be kept again with what the sync last reported.
    pub(crate) fn token(&self) -> Option<&str> {
        self.token.as_deref().map(String::as_str)
    }

    /// What a login says, as a pull page of protocol 3 says it to a session that kept its
    /// token: the team's epoch and list length, the stream's identity and head, and what the
    /// server holds of this device.
    pub(crate) fn adopt_standing(
        &mut self,
        page: &komora_protocol::PullPage,
        standing: komora_protocol::Standing,
    ) {
        self.team_epoch = page.team_epoch;
        self.roster_len = page.roster_len;
        self.generation = page.generation.to_vec();
        self.head = page.head;
        self.own = standing.own;
        self.erased_for_me = standing.erased_for_me;
    }

    /// Wait before attempt `attempt + 1`: the backoff, doubled each time, capped at 30 s.
    fn pause(&self, attempt: u32) {
        let pause = self.opts.backoff.saturating_mul(1 << (attempt - 1).min(6));
        std::thread::sleep(pause.min(Duration::from_secs(30)));
    }

    fn login(&mut self, signer: &dyn Signer) -> Result<()> {
        let device = signer.login_device()?;
        let ask = ChallengeRequest { device_id: device };
        let challenge = match self.transport.challenge(&ask) {
            // The server does not know this device: a store restored from a backup taken
            // before it enrolled. Hand back the statements that admit it, then ask again.
            Err(TransportError::Rejected {
                code: ErrorCode::Unauthenticated,
                ..
            }) if !self.rejoined => {
                self.rejoin(signer)?;
                self.transport.challenge(&ask)?
            }
            other => other?,
        };
        let (device, signature) = signer.login_signature(&challenge.challenge.0)?;
        let report = signer.report();
        let token = self.transport.token(&TokenRequest {
            device_id: device,
            challenge: challenge.challenge,
            signature: komora_protocol::Bytes(signature),
            report: report.clone(),
        })?;
        self.reported = report;
        self.token = Some(Zeroizing::new(token.token));
        self.team_epoch = token.team_epoch;
        self.roster_len = token.roster_len;
        self.generation = token.generation.0;
        self.head = token.head;
        self.own = token.own;
        self.erased_for_me = token.erased_for_me;
        self.serves_own = token.serves_own;
        self.logged_in = true;
        self.new_login = Some(token.expires_in_s);
        Ok(())
    }

    /// Make an authenticated call: logs in when needed (again once if the token expired),
    /// and retries with exponential backoff what is worth retrying.
    pub(crate) fn call<T>(
        &mut self,
        vault: &dyn Signer,
        mut f: impl FnMut(&mut dyn Transport, &str) -> Result<T, TransportError>,
    ) -> Result<T> {
        let mut attempt = 0;
        let mut relogged = false;
        loop {
            attempt += 1;
            match self.try_once(vault, &mut f) {
                Ok(v) => return Ok(v),
                Err(Error::Unauthenticated) if !relogged && self.token.is_some() => {
                    relogged = true;
                    self.token = None;
                }
                Err(Error::Network(_) | Error::RateLimited) if attempt < self.opts.max_attempts => {
                    self.pause(attempt);
                }
                // "Revoked", in the server's words: proven from the signed list, or nothing.
                Err(Error::RevocationUnproven) => return Err(self.settle_revocation(vault)),
                Err(e) => return Err(e),
            }
        }
    }

    fn try_once<T>(
        &mut self,
        vault: &dyn Signer,
        f: &mut impl FnMut(&mut dyn Transport, &str) -> Result<T, TransportError>,
    ) -> Result<T> {
        if self.token.is_none() {
            self.login(vault)?;
        }
        let token = self.token.clone().expect("logged in above");
        f(&mut *self.transport, &token).map_err(Error::from)
    }

    /// Log in unless already logged in (the login says the team's key epoch and list size).
    pub(crate) fn login_if_needed(&mut self, vault: &dyn Signer) -> Result<()> {
        self.call(vault, |_, _| Ok(()))
    }

    /// A call that needs no login, retried like the others.
    pub(crate) fn call_anonymous<T>(
        &mut self,
        mut f: impl FnMut(&mut dyn Transport) -> Result<T, TransportError>,
    ) -> Result<T> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match f(&mut *self.transport).map_err(Error::from) {
                Err(Error::Network(_) | Error::RateLimited) if attempt < self.opts.max_attempts => {
                    self.pause(attempt);
                }
                other => return other,
            }
        }
    }
}

impl Vault {
    /// The store as the sync engine sees it (`store::SyncStore`): the engine reaches it
    /// through nothing else.
    pub(crate) fn sync_store(&self) -> &dyn crate::store::SyncStore {
        &self.store
    }

    pub(crate) fn sync_store_mut(&mut self) -> &mut dyn crate::store::SyncStore {
        &mut self.store
    }

    /// The sync settings, or `NotEnrolled` for a vault that has never joined a server.
    ///
    /// They are sealed under this device's master key (issue 16, finding 11): a row edited in
    /// the file (to point the tablet at another server, say) does not open, and is refused.
    pub fn sync_settings(&self) -> Result<SyncSettings> {
        let sealed = self.store.meta(SETTINGS_KEY)?.ok_or(Error::NotEnrolled)?;
        let corrupted = || Error::Corrupted {
            what: "the sync settings",
        };
        let plain = self
            .store
            .open_local(crate::store::SETTINGS_LABEL, &sealed)
            .ok_or_else(corrupted)?;
        serde_json::from_slice(&plain).map_err(|_| corrupted())
    }

    pub(crate) fn save_sync_settings(&mut self, s: &SyncSettings) -> Result<()> {
        let plain =
            zeroize::Zeroizing::new(serde_json::to_vec(s).expect("settings always serialise"));
        let sealed = self.store.seal_local(crate::store::SETTINGS_LABEL, &plain);
        self.store.set_meta(SETTINGS_KEY, &sealed)
    }
}
