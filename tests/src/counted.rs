//! A transport that counts the requests a sync makes, by kind, for the benchmarks (one call of
//! the [`Transport`] is one HTTP request), and can cut the link at the next request of a kind.
//! With `trace`, each request is printed with its times.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use komora_core::{HttpTransport, Transport, TransportError};
use komora_protocol::*;

type Reply<T> = Result<T, TransportError>;

/// Requests made so far, by kind ("push", "pull", "reconcile", ...), and a request to cut.
#[derive(Debug, Default)]
pub struct RequestCounts(
    Mutex<BTreeMap<&'static str, u32>>,
    Mutex<Option<&'static str>>,
);

impl RequestCounts {
    /// The next request of `kind` fails as on a link cut before it reached the server (the
    /// tests of a sync cut at one precise step).
    pub fn cut_next(&self, kind: &'static str) {
        *self.1.lock().unwrap() = Some(kind);
    }

    fn take_cut(&self, kind: &str) -> bool {
        let mut cut = self.1.lock().unwrap();
        let hit = *cut == Some(kind);
        if hit {
            *cut = None;
        }
        hit
    }

    pub fn total(&self) -> u32 {
        self.0.lock().unwrap().values().sum()
    }

    pub fn of(&self, kind: &str) -> u32 {
        self.0.lock().unwrap().get(kind).copied().unwrap_or(0)
    }

    /// "pull 12, push 3, token 1, ...", most first.
    pub fn summary(&self) -> String {
        let mut kinds: Vec<(&str, u32)> = self
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|(k, n)| (*k, *n))
            .collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        kinds
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn add(&self, kind: &'static str) {
        *self.0.lock().unwrap().entry(kind).or_default() += 1;
    }
}

/// The HTTP transport, counting each call.
pub struct CountedTransport {
    inner: HttpTransport,
    counts: Arc<RequestCounts>,
    start: Instant,
    trace: bool,
    /// When the first pull of the long-text pass began (ADR 0025), from this transport's start.
    pub long_text_from: Option<std::time::Duration>,
}

impl CountedTransport {
    pub fn new(url: &str, trace: bool) -> (Self, Arc<RequestCounts>) {
        let counts = Arc::new(RequestCounts::default());
        (
            Self {
                inner: HttpTransport::new(url).unwrap(),
                counts: counts.clone(),
                start: Instant::now(),
                trace,
                long_text_from: None,
            },
            counts,
        )
    }

    fn timed<T>(
        &mut self,
        kind: &'static str,
        what: impl FnOnce() -> String,
        f: impl FnOnce(&mut HttpTransport) -> Reply<T>,
    ) -> Reply<T> {
        self.counts.add(kind);
        let begun = self.start.elapsed();
        let reply = if self.counts.take_cut(kind) {
            Err(TransportError::Network("the link was cut".into()))
        } else {
            f(&mut self.inner)
        };
        if self.trace {
            let outcome = match &reply {
                Ok(_) => "ok".to_owned(),
                Err(TransportError::Network(reason)) => format!("failed: {reason}"),
                Err(TransportError::Rejected { status, .. }) => format!("refused: {status}"),
                Err(other) => format!("refused: {other:?}"),
            };
            eprintln!(
                "    {}: {:.1} s -> {:.1} s, {outcome}",
                what(),
                begun.as_secs_f64(),
                self.start.elapsed().as_secs_f64()
            );
        }
        reply
    }
}

impl Transport for CountedTransport {
    fn bootstrap(&mut self, req: &BootstrapRequest) -> Reply<RegisteredResponse> {
        self.timed("bootstrap", || "bootstrap".into(), |t| t.bootstrap(req))
    }
    fn challenge(&mut self, req: &ChallengeRequest) -> Reply<ChallengeResponse> {
        self.timed("challenge", || "challenge".into(), |t| t.challenge(req))
    }
    fn token(&mut self, req: &TokenRequest) -> Reply<TokenResponse> {
        self.timed("token", || "token".into(), |t| t.token(req))
    }
    fn report(&mut self, token: &str, report: &komora_protocol::DeviceReport) -> Reply<()> {
        self.timed("report", || "report".into(), |t| t.report(token, report))
    }
    fn invite(&mut self, token: &str, req: &InviteRequest) -> Reply<InviteResponse> {
        self.timed("invite", || "invite".into(), |t| t.invite(token, req))
    }
    fn enroll(&mut self, req: &EnrollRequest) -> Reply<EnrollResponse> {
        self.timed("enroll", || "enroll".into(), |t| t.enroll(req))
    }
    fn push(&mut self, token: &str, batch: &PushBatchV2) -> Reply<PushResponse> {
        let what = || {
            format!(
                "push of {} operations, {} bytes",
                batch.envelopes.len(),
                batch.envelopes.iter().map(|e| e.len()).sum::<usize>()
            )
        };
        self.timed("push", what, |t| t.push(token, batch))
    }
    fn pull(
        &mut self,
        token: &str,
        after: u64,
        max_bytes: u32,
        at: Option<Id16>,
    ) -> Reply<PullPage> {
        self.timed(
            "pull",
            || format!("pull after {after}"),
            |t| t.pull(token, after, max_bytes, at),
        )
    }
    fn pull_asking(&mut self, token: &str, ask: &PullAsk) -> Reply<PullPage> {
        // The first time a pull asks for the long text: the screens' pass is done.
        if ask.class == Some(Priority::LongText as u8) && self.long_text_from.is_none() {
            self.long_text_from = Some(self.start.elapsed());
        }
        self.timed(
            "pull",
            || format!("pull after {} (class {:?})", ask.after, ask.class),
            |t| t.pull_asking(token, ask),
        )
    }
    fn pull_own(
        &mut self,
        token: &str,
        numbers: &[(u64, u64)],
        after: u64,
        max_bytes: u32,
    ) -> Reply<PullPage> {
        self.timed(
            "pull own",
            || format!("pull own after {after}"),
            |t| t.pull_own(token, numbers, after, max_bytes),
        )
    }
    fn devices(&mut self, token: &str) -> Reply<Vec<DeviceInfo>> {
        self.timed("devices", || "devices".into(), |t| t.devices(token))
    }
    fn revoke(&mut self, token: &str, device: &Id16, req: &RevokeRequest) -> Reply<()> {
        self.timed(
            "revoke",
            || "revoke".into(),
            |t| t.revoke(token, device, req),
        )
    }
    fn keys(&mut self, token: &str, after_epoch: u32) -> Reply<KeyGrantsResponse> {
        self.timed("keys", || "keys".into(), |t| t.keys(token, after_epoch))
    }
    fn roster(&mut self, token: &str, after: u32) -> Reply<roster::RosterResponse> {
        self.timed("roster", || "roster".into(), |t| t.roster(token, after))
    }
    fn create_team(&mut self, token: &str, req: &CreateTeamRequest) -> Reply<RegisteredResponse> {
        self.timed(
            "create_team",
            || "create_team".into(),
            |t| t.create_team(token, req),
        )
    }
    fn erase(&mut self, token: &str, req: &EraseRequest) -> Reply<EraseResponse> {
        self.timed("erase", || "erase".into(), |t| t.erase(token, req))
    }
    fn revocation_proof(&mut self, req: &RevocationProofRequest) -> Reply<roster::RosterResponse> {
        self.timed(
            "revocation",
            || "revocation".into(),
            |t| t.revocation_proof(req),
        )
    }
    fn retire(&mut self, token: &str, req: &RetireRequest) -> Reply<()> {
        self.timed("retire", || "retire".into(), |t| t.retire(token, req))
    }
    fn rejoin(&mut self, req: &RejoinRequest) -> Reply<RejoinResponse> {
        self.timed("rejoin", || "rejoin".into(), |t| t.rejoin(req))
    }
    fn reconcile(&mut self, token: &str, req: &ReconcileRequest) -> Reply<ReconcileResponse> {
        self.timed(
            "reconcile",
            || "reconcile".into(),
            |t| t.reconcile(token, req),
        )
    }
    fn roster_append(&mut self, token: &str, req: &RosterAppend) -> Reply<()> {
        self.timed(
            "roster_append",
            || "roster".into(),
            |t| t.roster_append(token, req),
        )
    }
    fn upload_grants(&mut self, token: &str, req: &GrantsUpload) -> Reply<()> {
        self.timed(
            "grants",
            || "grants".into(),
            |t| t.upload_grants(token, req),
        )
    }
}
