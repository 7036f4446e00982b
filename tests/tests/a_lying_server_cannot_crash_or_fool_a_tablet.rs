//! A server taken over by an attacker answers a supervisor's tablet with lies: damaged device
//! lists, damaged or misnumbered team keys, wrong key epochs and list sizes at login, pages of
//! operations with bits flipped, doubled or shuffled. The tablet never crashes, never shows a
//! record nobody wrote or a record altered, and refuses with a typed error. When the lies are
//! about the device list, keys and login (nothing it could mistake for data), the next honest
//! sync brings it level with the team.
//!
//! This is the fuzzing of the answers a device decodes from outside (issue 8), over the real
//! server: each run lies at random; `KOMORA_LIAR_RUNS=N` for a long run (default 24).

use komora_core::{Error, HttpTransport, NewClient, Role, Transport, TransportError};
use komora_protocol::roster::RosterResponse;
use komora_protocol::*;
use komora_scenarios::server::{backends, TestServer};
use komora_scenarios::{bootstrap_admin, enrol, quick_retries, snapshot, sync, Rng};

type Reply<T> = Result<T, TransportError>;

/// Passes every call to the real server and tampers with the answers the tablet decodes.
struct LyingServer {
    inner: HttpTransport,
    rng: Rng,
    /// Also tamper with pages of operations (a withholding server: what it damages the tablet
    /// refuses and does not ask for again, so an honest sync cannot bring that back).
    lie_in_pages: bool,
    lies: u32,
    /// What was told, for the message of a failure.
    told: Vec<String>,
}

impl LyingServer {
    fn lie_now(&mut self) -> bool {
        let lie = self.rng.below(2) == 0;
        self.lies += u32::from(lie);
        lie
    }

    fn told(&mut self, what: String) {
        self.told.push(what);
    }

    fn flip(&mut self, bytes: &mut Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        match self.rng.below(3) {
            0 => {
                let i = self.rng.below(bytes.len() as u64) as usize;
                bytes[i] ^= 1 << self.rng.below(8);
            }
            1 => bytes.truncate(self.rng.below(bytes.len() as u64) as usize),
            _ => bytes.extend((0..1 + self.rng.below(40)).map(|_| self.rng.next_u64() as u8)),
        }
    }

    fn pick<T>(&mut self, items: &[T]) -> Option<usize> {
        (!items.is_empty()).then(|| self.rng.below(items.len() as u64) as usize)
    }
}

impl Transport for LyingServer {
    fn bootstrap(&mut self, req: &BootstrapRequest) -> Reply<RegisteredResponse> {
        self.inner.bootstrap(req)
    }
    fn challenge(&mut self, req: &ChallengeRequest) -> Reply<ChallengeResponse> {
        self.inner.challenge(req)
    }
    fn token(&mut self, req: &TokenRequest) -> Reply<TokenResponse> {
        let mut answer = self.inner.token(req)?;
        if self.lie_now() {
            match self.rng.below(2) {
                0 => answer.team_epoch = self.rng.below(6) as u32,
                _ => answer.roster_len = self.rng.below(12) as u32,
            }
            let said = format!(
                "login: epoch {} list {}",
                answer.team_epoch, answer.roster_len
            );
            self.told(said);
        }
        Ok(answer)
    }
    fn invite(&mut self, token: &str, req: &InviteRequest) -> Reply<InviteResponse> {
        self.inner.invite(token, req)
    }
    fn enroll(&mut self, req: &EnrollRequest) -> Reply<EnrollResponse> {
        self.inner.enroll(req)
    }
    fn push(&mut self, token: &str, batch: &komora_protocol::PushBatchV2) -> Reply<PushResponse> {
        self.inner.push(token, batch)
    }
    fn pull(
        &mut self,
        token: &str,
        after: u64,
        max_bytes: u32,
        at: Option<komora_protocol::Id16>,
    ) -> Reply<PullPage> {
        let mut page = self.inner.pull(token, after, max_bytes, at)?;
        if self.lie_in_pages && self.lie_now() {
            match self.rng.below(3) {
                0 => {
                    if let Some(i) = self.pick(&page.envelopes) {
                        let mut e = std::mem::take(&mut page.envelopes[i]);
                        self.flip(&mut e);
                        page.envelopes[i] = e;
                    }
                }
                1 => {
                    if let Some(i) = self.pick(&page.envelopes) {
                        let copy = page.envelopes[i].clone();
                        page.envelopes.push(copy);
                    }
                }
                _ => page.envelopes.reverse(),
            }
            self.told(format!("page after {after}"));
        }
        Ok(page)
    }
    fn devices(&mut self, token: &str) -> Reply<Vec<DeviceInfo>> {
        self.inner.devices(token)
    }
    fn revoke(&mut self, token: &str, device: &Id16, req: &RevokeRequest) -> Reply<()> {
        self.inner.revoke(token, device, req)
    }
    fn keys(&mut self, token: &str, after_epoch: u32) -> Reply<KeyGrantsResponse> {
        let mut answer = self.inner.keys(token, after_epoch)?;
        if self.lie_now() {
            match self.rng.below(4) {
                0 => {
                    if let Some(i) = self.pick(&answer.grants) {
                        let mut w = std::mem::take(&mut answer.grants[i].wrapped.0);
                        self.flip(&mut w);
                        answer.grants[i].wrapped.0 = w;
                    }
                }
                1 => {
                    if let Some(i) = self.pick(&answer.grants) {
                        answer.grants[i].epoch = self.rng.below(6) as u32;
                    }
                }
                2 => answer.grants.clear(),
                _ => answer.current_epoch = self.rng.below(6) as u32,
            }
            let said = format!(
                "keys: current {} grants {:?}",
                answer.current_epoch,
                answer.grants.iter().map(|g| g.epoch).collect::<Vec<_>>()
            );
            self.told(said);
        }
        Ok(answer)
    }
    fn create_team(
        &mut self,
        token: &str,
        req: &komora_protocol::CreateTeamRequest,
    ) -> Reply<komora_protocol::RegisteredResponse> {
        self.inner.create_team(token, req)
    }
    fn erase(&mut self, token: &str, req: &EraseRequest) -> Reply<EraseResponse> {
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
        self.inner.upload_grants(token, req)
    }
    fn roster(&mut self, token: &str, after: u32) -> Reply<RosterResponse> {
        let mut answer = self.inner.roster(token, after)?;
        if self.lie_now() {
            match self.rng.below(4) {
                0 => {
                    if let Some(i) = self.pick(&answer.statements) {
                        let mut s = std::mem::take(&mut answer.statements[i].0);
                        self.flip(&mut s);
                        answer.statements[i].0 = s;
                    }
                }
                1 => answer.statements.reverse(),
                2 => {
                    if let Some(i) = self.pick(&answer.statements) {
                        answer.statements.remove(i);
                    }
                }
                _ => answer.total = self.rng.below(20) as u32,
            }
            let said = format!(
                "list after {after}: {} statements of {}",
                answer.statements.len(),
                answer.total
            );
            self.told(said);
        }
        Ok(answer)
    }
}

fn liars_runs() -> u64 {
    std::env::var("KOMORA_LIAR_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24)
}

#[test]
fn a_lying_server_cannot_crash_a_supervisors_tablet_or_show_her_a_record_nobody_wrote() {
    let backend = backends().into_iter().next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(&backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut counsellor = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let seed0 = komora_scenarios::seed_from_env("KOMORA_LIAR_SEED");
    let (mut refusals, mut lies, mut converged) = (0u32, 0u32, 0u32);
    for run in 0..liars_runs() {
        let seed = seed0.wrapping_mul(7).wrapping_add(run);
        // A supervisor joins; a spare tablet joins and is revoked, so the team key rotates
        // and her tablet has keys and a longer device list to fetch: more answers to lie in.
        let mut supervisor = enrol(
            &server,
            &mut admin,
            Role::Supervisor,
            &dir.path().join(format!("s{run}")),
        );
        let spare = enrol(
            &server,
            &mut admin,
            Role::Counsellor,
            &dir.path().join(format!("x{run}")),
        );
        counsellor
            .add_client(&NewClient {
                name: format!("Before rotation {run}"),
                ..Default::default()
            })
            .unwrap();
        sync(&mut counsellor).unwrap();
        let mut t = HttpTransport::new(&server.url).unwrap();
        admin.revoke_device(&mut t, spare.device_id()).unwrap();
        counsellor
            .add_client(&NewClient {
                name: format!("After rotation {run}"),
                ..Default::default()
            })
            .unwrap();
        sync(&mut counsellor).unwrap();
        let genuine = snapshot(&counsellor);

        let mut liar = LyingServer {
            inner: HttpTransport::new(&server.url).unwrap(),
            rng: Rng::new(seed),
            lie_in_pages: run % 3 == 0,
            lies: 0,
            told: Vec::new(),
        };
        let answer = supervisor.sync(&mut liar, &quick_retries(), &mut |_| {});
        lies += liar.lies;
        match &answer {
            Ok(report) => refusals += report.rejected.len() as u32,
            Err(e) => {
                refusals += 1;
                assert!(
                    matches!(
                        e,
                        Error::Tampered { .. }
                            | Error::Corrupted { .. }
                            | Error::UnknownKeyEpoch(_)
                            | Error::Server(_)
                            | Error::NotFound(_)
                            | Error::Network(_)
                    ),
                    "seed {seed}: a typed refusal, got {e:?}"
                );
            }
        }
        // Whatever she sees was written, word for word, by her counsellor.
        for c in snapshot(&supervisor) {
            assert!(
                genuine.contains(&c),
                "seed {seed}: a record nobody wrote or altered: {:?}",
                c.id
            );
        }
        if !liar.lie_in_pages {
            sync(&mut supervisor).unwrap_or_else(|e| {
                panic!(
                    "seed {seed}: the honest sync after {:?}, {answer:?}: {e}",
                    liar.told
                )
            });
            assert_eq!(
                snapshot(&supervisor),
                snapshot(&counsellor),
                "seed {seed}: level with the team after an honest sync; the lies: {:?}, {answer:?}",
                liar.told
            );
            converged += 1;
        }
    }
    eprintln!("{lies} lies told; {refusals} refusals; {converged} tablets level afterwards");
    assert!(lies > 0 && refusals > 0, "the runs did lie and were caught");
}
