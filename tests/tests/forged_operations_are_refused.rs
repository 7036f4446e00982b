//! Eric, a counsellor with a valid tablet (so he holds the team key), tries to put words in his
//! supervisor's mouth: he writes a record in Grace's name, alters one of her notes, and
//! replays one of her operations under a new id, then syncs. The server cannot tell (it opens
//! nothing). Every other tablet refuses all three, applies nothing of them, and its audit
//! trail says that forgeries claiming Grace's device were refused. A server that swaps a
//! tablet's public key in the device list is caught when the administrator next rotates the
//! team key, and nothing changes.

use komora_core::attacks::Forgery;
use komora_core::{AuditAction, Error, HttpTransport, NewClient, RejectReason, Role, Vault};
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, client_names, enrol, sync};

/// A server, its administrator's tablet and Grace's, a supervisor's.
struct Team {
    dir: tempfile::TempDir,
    server: TestServer,
    admin: Vault,
    grace: Vault,
}

impl Team {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start(&dir.path().join("server"));
        let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
        let grace = enrol(
            &server,
            &mut admin,
            Role::Supervisor,
            &dir.path().join("grace"),
        );
        Team {
            dir,
            server,
            admin,
            grace,
        }
    }
}

#[test]
fn forged_altered_and_replayed_operations_are_refused_and_audited() {
    let Team {
        dir,
        server,
        mut admin,
        mut grace,
    } = Team::new();
    let mut eric = enrol(
        &server,
        &mut grace,
        Role::Counsellor,
        &dir.path().join("eric"),
    );

    grace
        .add_client(&NewClient {
            name: "Uwase Diane".into(),
            ..Default::default()
        })
        .unwrap();
    sync(&mut grace).unwrap();
    sync(&mut eric).unwrap();
    assert_eq!(client_names(&eric), ["Uwase Diane"]);

    let genuine = grace.all_ops().unwrap();
    let theirs = genuine
        .iter()
        .find(|env| eric.forge(env, Forgery::AlterValue).is_ok())
        .unwrap()
        .clone();
    let forged = [
        eric.forge(&theirs, Forgery::ClaimAuthor(grace.device_id()))
            .unwrap(),
        eric.forge(&theirs, Forgery::AlterValue).unwrap(),
        eric.forge(&theirs, Forgery::ReplayUnderNewId).unwrap(),
    ];
    for f in &forged {
        eric.smuggle(f).unwrap();
    }
    // One honest record of his own, to show his real work still flows.
    eric.add_client(&NewClient {
        name: "Habimana Eric's client".into(),
        ..Default::default()
    })
    .unwrap();
    let pushed = sync(&mut eric).unwrap();
    assert!(pushed.sent_ops >= 4, "the server took them: it cannot tell");

    let report = sync(&mut admin).unwrap();
    let refused: Vec<_> = report.rejected.iter().map(|r| r.reason.clone()).collect();
    assert_eq!(
        refused,
        vec![RejectReason::ForgedSignature(grace.device_id()); 3],
        "all three refused as forgeries in Grace's name"
    );
    assert_eq!(
        client_names(&admin),
        ["Habimana Eric's client", "Uwase Diane"],
        "nothing of the forgeries applied; Eric's own work did"
    );
    let trail = admin.audit_trail().unwrap();
    let noted: Vec<_> = trail
        .iter()
        .filter(|e| e.action == AuditAction::Refused)
        .collect();
    assert_eq!(noted.len(), 1, "one entry for the three: {noted:?}");
    assert_eq!(
        noted[0].device,
        admin.device_id(),
        "noted by the admin's tablet"
    );
    assert!(
        noted[0].detail.starts_with("forged-signature x3")
            && noted[0].detail.contains(&grace.device_id().to_string()),
        "{}",
        noted[0].detail
    );
    assert!(!noted[0].detail.contains("Forged") && !noted[0].detail.contains("Uwase"));

    // Grace's own tablet refuses them too, and the genuine operation, replayed as it is,
    // is a duplicate that changes nothing.
    let report = sync(&mut grace).unwrap();
    assert_eq!(report.rejected.len(), 3);
    assert_eq!(grace.apply_ops(&[theirs]).unwrap().duplicates, 1);
    assert_eq!(client_names(&grace), client_names(&admin));
}

/// Anyone who knows a tablet's public key can wrap a key for it, the server too. A server that
/// announces a new epoch and hands Grace a key of its own choosing, hoping she seals her next
/// notes under it, is refused: no administrator's snapshot commits to that key.
#[test]
fn a_team_key_the_server_made_up_is_refused() {
    let Team {
        dir,
        server: _serving,
        admin: _admin,
        mut grace,
    } = Team::new();
    sync(&mut grace).unwrap();
    let kx = grace
        .team_devices()
        .into_iter()
        .find(|d| d.id == grace.device_id())
        .unwrap()
        .kx_pk;
    let wrapped = komora_core::attacks::wrap_team_key_for(grace.device_id(), &kx, 2, [7; 32]);
    let team = grace.sync_settings().unwrap().team_id;
    let db = rusqlite::Connection::open(dir.path().join("server/komora-sync.db")).unwrap();
    db.execute(
        "INSERT INTO key_grants (team_id, epoch, device_id, wrapped) VALUES (?1, 2, ?2, ?3)",
        rusqlite::params![&team.0[..], &grace.device_id().as_bytes()[..], wrapped],
    )
    .unwrap();
    db.execute("UPDATE teams SET epoch = 2", []).unwrap();

    grace
        .add_client(&NewClient {
            name: "Written after the fake rotation".into(),
            ..Default::default()
        })
        .unwrap();
    let err = sync(&mut grace).unwrap_err();
    assert!(matches!(err, Error::Tampered { .. }), "{err:?}");
    assert_eq!(
        grace.team_keys().current_epoch(),
        1,
        "the key was not taken"
    );
    assert_eq!(
        grace.sync_status().unwrap().pending,
        2,
        "her new client (its keys, then its fields) waits, sealed under the team's real key"
    );
}

#[test]
fn a_server_that_swaps_a_tablets_key_gets_caught_at_the_next_rotation() {
    let Team {
        dir,
        server,
        mut admin,
        mut grace,
    } = Team::new();
    let lost = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("lost"),
    );
    sync(&mut admin).unwrap();
    sync(&mut grace).unwrap();

    // The operator slips in a key of its own for Grace's tablet, hoping the next team key is
    // wrapped for it.
    let db = rusqlite::Connection::open(dir.path().join("server/komora-sync.db")).unwrap();
    let mut attacker = [0u8; 32];
    attacker[0] = 9;
    db.execute(
        "UPDATE devices SET kx_pk = ?1 WHERE id = ?2",
        rusqlite::params![&attacker[..], &grace.device_id().as_bytes()[..]],
    )
    .unwrap();

    let mut t = HttpTransport::new(&server.url).unwrap();
    let err = admin.revoke_device(&mut t, lost.device_id()).unwrap_err();
    assert!(matches!(err, Error::Tampered { .. }), "{err:?}");
    assert_eq!(admin.team_keys().current_epoch(), 1, "no new key was made");
    let devices = admin.devices(&mut t).unwrap();
    assert!(
        devices.iter().all(|d| !d.revoked),
        "nothing changed on the server either"
    );

    // Put right, the revocation goes through and reaches Grace under her real key.
    let real = grace
        .team_devices()
        .into_iter()
        .find(|d| d.id == grace.device_id())
        .unwrap()
        .kx_pk;
    db.execute(
        "UPDATE devices SET kx_pk = ?1 WHERE id = ?2",
        rusqlite::params![&real[..], &grace.device_id().as_bytes()[..]],
    )
    .unwrap();
    admin.revoke_device(&mut t, lost.device_id()).unwrap();
    sync(&mut grace).unwrap();
    assert_eq!(grace.team_keys().current_epoch(), 2);
    assert!(grace
        .team_devices()
        .iter()
        .any(|d| d.id == lost.device_id() && d.revoked_from == Some(2)));
}
