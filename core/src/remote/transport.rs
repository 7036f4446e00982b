//! The one boundary through which the core talks to a sync server. The engine is written
//! against this trait; `http.rs` implements it with reqwest, and tests can put a faulty
//! network between the two.

use komora_protocol::pin::CertificatePin;
use komora_protocol::roster::RosterResponse;
use komora_protocol::server_url::ServerUrlError;
use komora_protocol::{
    BootstrapRequest, ChallengeRequest, ChallengeResponse, DeviceInfo, EnrollRequest,
    EnrollResponse, ErrorCode, Id16, InviteRequest, InviteResponse, KeyGrantsResponse, PullPage,
    PushBatchV2, PushResponse, RegisteredResponse, RevokeRequest, TokenRequest, TokenResponse,
};
use komora_protocol::{GrantsUpload, ReconcileRequest, ReconcileResponse, RosterAppend};

/// Why a call did not get an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// No usable answer (no network, connection cut, timeout, garbled reply): worth retrying.
    Network(String),
    /// The server answered with a refusal.
    Rejected {
        status: u16,
        code: ErrorCode,
        message: String,
    },
    /// The address is refused before any connection (plain `http://` to another machine, or
    /// not a server's address at all).
    Address(ServerUrlError),
    /// The server's key is not one this device pinned: maybe an impostor. Never worth retrying.
    Untrusted,
}

pub type Reply<T> = Result<T, TransportError>;

/// The sync server's routes, one method each. `token` is a bearer token from [`Transport::token`].
pub trait Transport: Send {
    /// The server keys this transport trusts (empty: the public authorities). A vault made
    /// through it (enrolment, bootstrap) keeps exactly these, so it trusts later what was
    /// checked at enrolment. A transport that wraps another must hand on the inner one's.
    fn pins(&self) -> &[CertificatePin] {
        &[]
    }
    /// The date the server gave with its latest answer (ms since 1970), if it gave one: the
    /// only clock a tablet can check its own against (`Vault::note_server_time`). A transport
    /// that wraps another hands on the inner one's.
    fn server_time_ms(&self) -> Option<u64> {
        None
    }
    fn bootstrap(&mut self, req: &BootstrapRequest) -> Reply<RegisteredResponse>;
    fn challenge(&mut self, req: &ChallengeRequest) -> Reply<ChallengeResponse>;
    fn token(&mut self, req: &TokenRequest) -> Reply<TokenResponse>;
    fn invite(&mut self, token: &str, req: &InviteRequest) -> Reply<InviteResponse>;
    fn enroll(&mut self, req: &EnrollRequest) -> Reply<EnrollResponse>;
    /// Store envelopes, each with its author (`None`: this device) and number (protocol 2).
    fn push(&mut self, token: &str, batch: &PushBatchV2) -> Reply<PushResponse>;
    /// The team's envelopes after `after`; `at` is the op this device read there, which the
    /// stream must still hold (else the page says `rewound`).
    fn pull(
        &mut self,
        token: &str,
        after: u64,
        max_bytes: u32,
        at: Option<Id16>,
    ) -> Reply<PullPage>;
    /// A pull as `ask` says, with what the server holds of this device if it asks
    /// (`standing`, protocol 3). A transport that cannot ask for it pulls without: the page
    /// then says no standing, and the engine logs in to learn it.
    fn pull_asking(&mut self, token: &str, ask: &komora_protocol::PullAsk) -> Reply<PullPage> {
        self.pull(token, ask.after, ask.max_bytes, ask.at)
    }
    /// This device's own operations with numbers in `numbers` (at most
    /// [`komora_protocol::MAX_OWN_RANGES`] ranges), after `after`: what a tablet put back from
    /// an old copy of itself lost (ADR 0032). Asked only of a server whose login said it
    /// serves them; a transport that wraps another must pass it on.
    fn pull_own(
        &mut self,
        token: &str,
        numbers: &[(u64, u64)],
        after: u64,
        max_bytes: u32,
    ) -> Reply<PullPage> {
        let _ = (token, numbers, after, max_bytes);
        Err(TransportError::Rejected {
            status: 404,
            code: ErrorCode::NotFound,
            message: "this transport cannot ask for a device's own operations".into(),
        })
    }
    /// After a rolled-back stream: what the server holds and where to pull from (issue 17).
    fn reconcile(&mut self, token: &str, req: &ReconcileRequest) -> Reply<ReconcileResponse>;
    /// Statements of the team's signed list the server lacks.
    fn roster_append(&mut self, token: &str, req: &RosterAppend) -> Reply<()>;
    /// Team keys wrapped for members the server has no grant for.
    fn upload_grants(&mut self, token: &str, req: &GrantsUpload) -> Reply<()>;
    /// How this device stands at the end of a sync, for the fleet view (best effort: a
    /// transport that cannot say it loses nothing).
    fn report(&mut self, token: &str, report: &komora_protocol::DeviceReport) -> Reply<()> {
        let _ = (token, report);
        Err(TransportError::Rejected {
            status: 404,
            code: komora_protocol::ErrorCode::NotFound,
            message: "this transport does not carry reports".into(),
        })
    }
    /// Give a rebuilt, empty server its team back (ADR 0016).
    fn reattach(&mut self, req: &komora_protocol::ReattachRequest) -> Reply<RegisteredResponse> {
        let _ = req;
        Err(TransportError::Network(
            "this transport cannot re-attach a team".into(),
        ))
    }
    /// Give a rebuilt server another team of the organisation, as an administrator whose own
    /// team is back (ADR 0016).
    fn reattach_team(
        &mut self,
        token: &str,
        req: &komora_protocol::ReattachRequest,
    ) -> Reply<RegisteredResponse> {
        let _ = (token, req);
        Err(TransportError::Network(
            "this transport cannot re-attach a team".into(),
        ))
    }
    /// The server's health (no login): whether it runs, and its backups' state.
    fn health(&mut self) -> Reply<serde_json::Value> {
        Err(TransportError::Network(
            "this transport cannot ask for health".into(),
        ))
    }
    /// The administrator-signed statements of the server's key pins (no login).
    fn server_pins(&mut self, team: &Id16) -> Reply<RosterResponse> {
        let _ = team;
        Err(TransportError::Network(
            "this transport cannot ask for pins".into(),
        ))
    }
    /// A device the server does not know hands back the signed statements that admit it
    /// (no login; ADR 0016). A transport that wraps another must pass it on.
    fn rejoin(
        &mut self,
        req: &komora_protocol::RejoinRequest,
    ) -> Reply<komora_protocol::RejoinResponse> {
        let _ = req;
        Err(TransportError::Rejected {
            status: 404,
            code: ErrorCode::NotFound,
            message: "this transport cannot hand back a device's statements".into(),
        })
    }
    fn devices(&mut self, token: &str) -> Reply<Vec<DeviceInfo>>;
    fn revoke(&mut self, token: &str, device: &Id16, req: &RevokeRequest) -> Reply<()>;
    fn keys(&mut self, token: &str, after_epoch: u32) -> Reply<KeyGrantsResponse>;
    /// The team's signed device list from position `after` (ADR 0008).
    fn roster(&mut self, token: &str, after: u32) -> Reply<RosterResponse>;
    /// Delete the operations that carried an erased client file's key (ADR 0010).
    fn erase(
        &mut self,
        token: &str,
        req: &komora_protocol::EraseRequest,
    ) -> Reply<komora_protocol::EraseResponse>;
    /// Create another team of the organisation (an administrator; ADR 0011).
    fn create_team(
        &mut self,
        token: &str,
        req: &komora_protocol::CreateTeamRequest,
    ) -> Reply<RegisteredResponse>;
    /// The proof a revoked device asks for: its team's signed device list, without a login
    /// (ADR 0013).
    fn revocation_proof(
        &mut self,
        req: &komora_protocol::RevocationProofRequest,
    ) -> Reply<RosterResponse>;
    /// This tablet is handed back: its signed last operation (ADR 0013).
    fn retire(&mut self, token: &str, req: &komora_protocol::RetireRequest) -> Reply<()>;
}
