//! A tablet is lost on a bus in Nyaruguru. The administrator revokes it: the team moves to a
//! new key that the lost tablet never receives. Whoever holds the tablet's keys, even with a
//! full copy of the server's database taken afterwards, reads nothing written after that.

use komora_core::{Error, HttpTransport, RejectReason, Role, Vault};
use komora_protocol::Id16;
use komora_scenarios::record_client as client;
use komora_scenarios::server::{backends, Backend, TestServer};
use komora_scenarios::{bootstrap_admin, client_names, enrol, sync, ManualClock, MORNING_MS};

fn revocation_rotates_the_key(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("claudine"),
    );
    let mut lost = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("lost"),
    );
    client(&mut claudine, "Before the loss");
    sync(&mut claudine).unwrap();
    sync(&mut lost).unwrap();
    assert_eq!(client_names(&lost), ["Before the loss"]);
    // The thief's copy of everything the tablet held.
    let stolen = lost.team_keys();
    assert_eq!(stolen.current_epoch(), 1);
    let pending = admin
        .invite(
            &mut HttpTransport::new(&server.url).unwrap(),
            Role::Counsellor,
            std::time::Duration::from_secs(3600),
        )
        .unwrap();

    // Claudine works offline in the field while the administrator revokes the tablet.
    client(&mut claudine, "Written offline after the loss");
    let mut t = HttpTransport::new(&server.url).unwrap();
    admin.revoke_device(&mut t, lost.device_id()).unwrap();
    assert_eq!(admin.team_keys().current_epoch(), 2);
    client(&mut admin, "Written by the administrator after the loss");
    sync(&mut admin).unwrap();

    // Claudine syncs: she receives the new key and what she wrote offline leaves re-sealed.
    let report = sync(&mut claudine).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(claudine.team_keys().current_epoch(), 2);
    client(&mut claudine, "Written after syncing");
    sync(&mut claudine).unwrap();
    sync(&mut admin).unwrap();
    let everyone = [
        "Before the loss",
        "Written after syncing",
        "Written by the administrator after the loss",
        "Written offline after the loss",
    ];
    assert_eq!(client_names(&admin), everyone);
    assert_eq!(client_names(&claudine), everyone);

    // The thief takes a full copy of the server's store: every envelope of the team.
    let team = admin.sync_settings().unwrap().team_id;
    let envelopes = server.team_copy(team);
    let mut thief = Vault::ephemeral(&stolen, ManualClock::at(MORNING_MS)).unwrap();
    let report = thief.apply_ops(&envelopes).unwrap();
    assert_eq!(
        client_names(&thief),
        ["Before the loss"],
        "nothing written after the loss opens"
    );
    // Three clients, two operations each (her keys, then her fields: team format 5).
    assert_eq!(report.rejected.len(), 6);
    assert!(report
        .rejected
        .iter()
        .all(|r| r.reason == RejectReason::UnknownKeyEpoch(2)));

    // The tablet itself is refused, and learns no key.
    assert!(matches!(sync(&mut lost), Err(Error::Revoked)));
    assert_eq!(lost.team_keys().current_epoch(), 1);

    // An invitation made before the rotation carried the old key only: it was cancelled. A new
    // one brings the new key.
    let refused = Vault::enroll(
        dir.path().join("late"),
        "a long passphrase",
        &mut HttpTransport::new(&server.url).unwrap(),
        &server.url,
        &pending.code,
        komora_scenarios::fast_options(),
    );
    assert!(matches!(refused, Err(Error::InvalidCode)), "{refused:?}");
    let mut newcomer = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("new"),
    );
    sync(&mut newcomer).unwrap();
    assert_eq!(client_names(&newcomer), everyone);

    // A device that has not heard of the rotation cannot push under the old key: the server
    // refuses it and its engine fetches the key, re-seals and pushes again (shown above by
    // Claudine). A stale push straight to the store is refused outright.
    let stale = komora_sync_server::db::IncomingOp {
        op_id: [7; 16],
        epoch: 1,
        bytes: vec![1; 64],
        author: None,
        author_seq: None,
        priority: 0,
    };
    let author = Id16(*claudine.device_id().as_bytes());
    assert!(matches!(
        komora_sync_server::db::wait(server.state.db.push(team, author, vec![stale])).unwrap(),
        Err(komora_sync_server::db::DbError::StaleEpoch)
    ));

    // The team carries on: the newcomer's work reaches everyone, checked and accepted, and
    // the administrator can revoke again (the newcomer's tablet this time).
    client(&mut newcomer, "Written by the newcomer");
    sync(&mut newcomer).unwrap();
    let report = sync(&mut admin).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(client_names(&admin).contains(&"Written by the newcomer".to_owned()));
    let mut t = HttpTransport::new(&server.url).unwrap();
    admin.revoke_device(&mut t, newcomer.device_id()).unwrap();
    let report = sync(&mut claudine).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(claudine.team_keys().current_epoch(), 3);
}

#[test]
fn a_revoked_tablet_with_a_copy_of_the_server_reads_nothing_written_after_its_revocation() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        revocation_rotates_the_key(&backend);
    }
}
