//! Revoking a tablet, as the field lives it and as an attacker would try it (issue 16,
//! findings 1 and 7; ADR 0013).
//!
//! - A server that lies "revoked" (compromised, misconfigured, or anyone on the path) used to
//!   make a tablet erase its vault, unsent work included. Now a tablet erases itself only once
//!   the team's signed device list, checked from its own root of trust, shows an administrator
//!   revoking *this* tablet; anything less stops the sync and changes nothing.
//! - A revoked tablet still holds its old keys: it used to be able to keep writing operations
//!   dated to the old key epoch, accepted by every receiver. Now the administrator's signed
//!   cutoff names its last operation that counts, and anything it numbers later is refused,
//!   erasures included, whatever epoch it claims.
//! - A counsellor who leaves hands her tablet back: everything she wrote reaches the team, and
//!   nothing of it is refused after the revocation.

use komora_core::{Error, HttpTransport, NewClient, RejectReason, Role, Transport, Vault};
use komora_protocol::roster::RosterResponse;
use komora_protocol::*;
use komora_scenarios::record_client as client;
use komora_scenarios::server::{backends, Backend, TestServer};
use komora_scenarios::{bootstrap_admin, client_names, enrol, fast_options, quick_retries, sync};

type Reply<T> = Result<T, komora_core::TransportError>;

/// A server that answers every login "revoked" and, asked for the proof, hands over the list
/// it chooses (`proof`), or passes the question to the real server (`None`).
struct SaysRevoked {
    inner: HttpTransport,
    proof: Option<Vec<Vec<u8>>>,
    asked_for_proof: u32,
}

impl SaysRevoked {
    fn new(url: &str, proof: Option<Vec<Vec<u8>>>) -> Self {
        Self {
            inner: HttpTransport::new(url).unwrap(),
            proof,
            asked_for_proof: 0,
        }
    }
}

fn revoked<T>() -> Reply<T> {
    Err(komora_core::TransportError::Rejected {
        status: 403,
        code: ErrorCode::Revoked,
        message: "this device has been revoked by an administrator".into(),
    })
}

impl Transport for SaysRevoked {
    fn bootstrap(&mut self, req: &BootstrapRequest) -> Reply<RegisteredResponse> {
        self.inner.bootstrap(req)
    }
    fn challenge(&mut self, req: &ChallengeRequest) -> Reply<ChallengeResponse> {
        self.inner.challenge(req)
    }
    fn token(&mut self, _: &TokenRequest) -> Reply<TokenResponse> {
        revoked()
    }
    fn invite(&mut self, _: &str, _: &InviteRequest) -> Reply<InviteResponse> {
        revoked()
    }
    fn enroll(&mut self, req: &EnrollRequest) -> Reply<EnrollResponse> {
        self.inner.enroll(req)
    }
    fn push(&mut self, _: &str, _: &komora_protocol::PushBatchV2) -> Reply<PushResponse> {
        revoked()
    }
    fn pull(
        &mut self,
        _: &str,
        _: u64,
        _: u32,
        _: Option<komora_protocol::Id16>,
    ) -> Reply<PullPage> {
        revoked()
    }
    fn devices(&mut self, _: &str) -> Reply<Vec<DeviceInfo>> {
        revoked()
    }
    fn revoke(&mut self, _: &str, _: &Id16, _: &RevokeRequest) -> Reply<()> {
        revoked()
    }
    fn keys(&mut self, _: &str, _: u32) -> Reply<KeyGrantsResponse> {
        revoked()
    }
    fn roster(&mut self, _: &str, _: u32) -> Reply<RosterResponse> {
        revoked()
    }
    fn erase(&mut self, _: &str, _: &EraseRequest) -> Reply<EraseResponse> {
        revoked()
    }
    fn create_team(&mut self, _: &str, _: &CreateTeamRequest) -> Reply<RegisteredResponse> {
        revoked()
    }
    fn revocation_proof(&mut self, req: &RevocationProofRequest) -> Reply<RosterResponse> {
        self.asked_for_proof += 1;
        match &self.proof {
            Some(statements) => Ok(RosterResponse {
                statements: statements.iter().cloned().map(Bytes).collect(),
                total: statements.len() as u32,
            }),
            None => self.inner.revocation_proof(req),
        }
    }
    fn retire(&mut self, _: &str, _: &RetireRequest) -> Reply<()> {
        revoked()
    }
    fn reconcile(
        &mut self,
        token: &str,
        req: &komora_protocol::ReconcileRequest,
    ) -> Result<komora_protocol::ReconcileResponse, komora_core::TransportError> {
        let _ = (token, req);
        revoked()
    }
    fn roster_append(
        &mut self,
        token: &str,
        req: &komora_protocol::RosterAppend,
    ) -> Result<(), komora_core::TransportError> {
        let _ = (token, req);
        revoked()
    }
    fn upload_grants(
        &mut self,
        token: &str,
        req: &komora_protocol::GrantsUpload,
    ) -> Result<(), komora_core::TransportError> {
        let _ = (token, req);
        revoked()
    }
}

fn lying_sync(
    v: &mut Vault,
    liar: &mut SaysRevoked,
) -> komora_core::Result<komora_core::SyncReport> {
    v.sync(liar, &quick_retries(), &mut |_| {})
}

/// Everything a tablet's user would miss if it were erased: the vault on disk opens with her
/// PIN and still shows her records, and what she had not sent still waits.
fn assert_nothing_lost(dir: &std::path::Path, names: &[&str], unsent: u64) {
    assert!(Vault::exists(dir), "the key file is still there");
    let reopened = Vault::open(dir, "tablet passphrase", fast_options()).unwrap();
    assert_eq!(client_names(&reopened), names);
    assert_eq!(reopened.sync_status().unwrap().pending, unsent);
}

/// Finding 1: a server that lies "revoked" erases nothing. Whatever it says at login, and
/// whatever it hands over as proof (nothing, garbage, another tablet's revocation), the tablet
/// stops the sync with `RevocationUnproven` and keeps every record and every unsent change.
fn a_lie_erases_nothing(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let here = dir.path().join("claudine");
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &here);
    let mut lost = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("lost"),
    );
    client(&mut claudine, "Synced before");
    sync(&mut claudine).unwrap();
    sync(&mut lost).unwrap();
    // A real revocation of another tablet: its signed statements are what a liar can replay.
    admin
        .revoke_device(
            &mut HttpTransport::new(&server.url).unwrap(),
            lost.device_id(),
        )
        .unwrap();
    sync(&mut claudine).unwrap();
    client(&mut claudine, "Written offline, unsent");
    let team = claudine.sync_settings().unwrap().team_id;
    let (real_list, _) = server.wait(server.state.db.roster(team, 0, 5_000)).unwrap();

    let lies: Vec<(&str, Option<Vec<Vec<u8>>>)> = vec![
        ("the real server, asked for a proof it does not have", None),
        ("no statement at all", Some(Vec::new())),
        ("garbage", Some(vec![vec![7u8; 300], b"revoked".to_vec()])),
        ("another tablet's revocation, replayed", Some(real_list)),
    ];
    for (what, proof) in lies {
        let mut liar = SaysRevoked::new(&server.url, proof);
        let answer = lying_sync(&mut claudine, &mut liar);
        assert!(
            matches!(answer, Err(Error::RevocationUnproven)),
            "{what}: {answer:?}"
        );
        assert!(
            liar.asked_for_proof > 0,
            "{what}: the tablet asked for the proof"
        );
        // The unsent client: her keys' operation and her fields'.
        assert_nothing_lost(&here, &["Synced before", "Written offline, unsent"], 2);
    }
    // Every remote call of the core follows the same rule (the rule lives in the core once).
    let mut liar = SaysRevoked::new(&server.url, None);
    assert!(matches!(
        claudine.devices(&mut liar),
        Err(Error::RevocationUnproven)
    ));
    assert!(matches!(
        admin.invite(
            &mut liar,
            Role::Counsellor,
            std::time::Duration::from_secs(600)
        ),
        Err(Error::RevocationUnproven)
    ));
    assert!(Vault::exists(dir.path().join("admin")));
    assert_nothing_lost(&here, &["Synced before", "Written offline, unsent"], 2);

    // The honest server: the unsent client leaves (her keys, her fields), as if nothing had
    // happened.
    let report = sync(&mut claudine).unwrap();
    assert_eq!(report.sent_ops, 2);
    sync(&mut admin).unwrap();
    assert_eq!(
        client_names(&admin),
        ["Synced before", "Written offline, unsent"]
    );
}

#[test]
fn a_server_that_lies_revoked_erases_nothing() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        a_lie_erases_nothing(&backend);
    }
}

/// Finding 1, the honest case: once an administrator revoked the tablet, its next contact
/// shows it the signed revocation, and it erases its vault (keys first) by itself.
fn a_proven_revocation_erases(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let here = dir.path().join("lost");
    let mut lost = enrol(&server, &mut admin, Role::Counsellor, &here);
    client(&mut lost, "On the lost tablet");
    sync(&mut lost).unwrap();
    admin
        .revoke_device(
            &mut HttpTransport::new(&server.url).unwrap(),
            lost.device_id(),
        )
        .unwrap();
    assert!(matches!(sync(&mut lost), Err(Error::Revoked)));
    assert!(!Vault::exists(&here), "the key file is gone");
    for file in ["komora.db", "komora.db-wal", "komora.db-shm"] {
        assert!(!here.join(file).exists(), "{file} is gone");
    }
    assert!(
        lost.clients().unwrap().items.is_empty(),
        "what the screens still hold of the vault shows nothing"
    );
    assert!(matches!(lost.sync_settings(), Err(Error::NotEnrolled)));
    // Nothing of the team was lost: the administrator has what it sent.
    assert_eq!(client_names(&admin), ["On the lost tablet"]);
}

#[test]
fn a_revoked_tablet_erases_itself_once_the_signed_list_proves_it() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        a_proven_revocation_erases(&backend);
    }
}

/// Finding 7: a revoked tablet keeps the old key epoch's keys. Kept offline, it writes a new
/// client and an erasure "in the past" and hands them to a colleague on a USB stick; it also
/// tries to slip a new operation under an old number. Every receiver refuses all of it: the
/// administrator's cutoff names the last of its operations that counts.
#[test]
fn a_revoked_tablet_cannot_slip_new_work_under_its_old_key() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let mut lost = enrol(
        &server,
        &mut admin,
        Role::Supervisor,
        &dir.path().join("lost"),
    );
    let odette = client(&mut claudine, "Odette");
    sync(&mut claudine).unwrap();
    client(&mut lost, "Written before the loss");
    sync(&mut lost).unwrap();
    sync(&mut claudine).unwrap();
    admin
        .revoke_device(
            &mut HttpTransport::new(&server.url).unwrap(),
            lost.device_id(),
        )
        .unwrap();
    let cutoff = admin
        .team_devices()
        .into_iter()
        .find(|d| d.id == lost.device_id())
        .and_then(|d| d.last_counted);
    assert_eq!(
        cutoff,
        Some(2),
        "its two operations the team received (a new client's keys, then her fields)"
    );
    sync(&mut claudine).unwrap();

    // The thief keeps the tablet offline and writes with the keys it holds.
    client(&mut lost, "Written after the revocation");
    lost.erase_client(odette, "client-request").unwrap();
    lost.add_client_numbered(
        1,
        &NewClient {
            name: "Slipped under an old number".into(),
            ..Default::default()
        },
    )
    .unwrap();
    // Everything the tablet holds, on the stick (a tampered app would not ask what Claudine
    // lacks: the operation under an old number would look held).
    let (batch, _) = lost.export_batch(&komora_core::Summary::default()).unwrap();
    let report = claudine.import_batch(&batch).unwrap();
    assert_eq!(report.applied, 0, "{report:?}");
    let refused: Vec<_> = report
        .rejected
        .iter()
        .filter(|r| r.reason == RejectReason::RevokedAuthor(lost.device_id()))
        .collect();
    assert!(refused.len() >= 3, "{report:?}");
    assert_eq!(refused.len(), report.rejected.len(), "{report:?}");
    assert_eq!(
        client_names(&claudine),
        ["Odette", "Written before the loss"],
        "the erasure and the new clients were refused"
    );
}

/// Finding 1, "retiring is not losing": Claudine leaves AMI and hands her tablet back with
/// work she wrote offline. It sends everything, signs its last operation and records nothing
/// more; the administrator revokes it; the team keeps every record she wrote, and the tablet
/// erases itself at its next contact.
fn handing_back(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let here = dir.path().join("claudine");
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &here);
    let mut bosco = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("b"));
    client(&mut claudine, "Synced last week");
    sync(&mut claudine).unwrap();
    for name in ["Offline Monday", "Offline Tuesday", "Offline Wednesday"] {
        client(&mut claudine, name);
    }
    let last = claudine
        .retire(&mut HttpTransport::new(&server.url).unwrap())
        .unwrap();
    assert!(last >= 4, "her four clients at least: {last}");
    assert_eq!(
        claudine.sync_status().unwrap().pending,
        0,
        "everything was sent"
    );
    assert!(claudine.handed_back().unwrap());
    assert!(matches!(
        claudine.add_client(&NewClient {
            name: "After handing back".into(),
            ..Default::default()
        }),
        Err(Error::HandedBack)
    ));
    sync(&mut admin).unwrap();
    let listed = admin
        .team_devices()
        .into_iter()
        .find(|d| d.id == claudine.device_id())
        .unwrap();
    assert!(
        listed.retired,
        "the administrator sees the tablet was handed back"
    );
    admin
        .revoke_device(
            &mut HttpTransport::new(&server.url).unwrap(),
            claudine.device_id(),
        )
        .unwrap();
    // Bosco was offline the whole time: he receives all of it after the revocation, and
    // refuses nothing.
    let report = sync(&mut bosco).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let everything = [
        "Offline Monday",
        "Offline Tuesday",
        "Offline Wednesday",
        "Synced last week",
    ];
    assert_eq!(client_names(&bosco), everything);
    assert_eq!(client_names(&admin), everything);
    assert!(matches!(sync(&mut claudine), Err(Error::Revoked)));
    assert!(!Vault::exists(&here));
}

#[test]
fn a_counsellor_who_hands_her_tablet_back_loses_nothing() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        handing_back(&backend);
    }
}
