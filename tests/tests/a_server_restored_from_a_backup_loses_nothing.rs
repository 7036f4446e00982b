//! The most ordinary repair, as an NGO's administrator does it after a dead disk (issue 17):
//! the server was backed up, the team worked on, the server died, the backup was put back.
//! Before, the records pushed between the backup and the failure were gone for every tablet
//! enrolled later (their authors had marked them sent), and a tablet whose cursor was ahead of
//! the restored stream skipped what others wrote after the restore. Now every tablet notices
//! (a new store generation, or its cursor beyond the stream, or the stream no longer holding
//! what it read), tells the server what it holds, sends back what the server lost (its own
//! work and what it received from others, the team's signed list, key grants, erasures), and
//! pulls again from the right point. What happened after the backup holds after the restore:
//! the revoked device stays refused, the erased client stays unreadable, the key rotation
//! stands.

use komora_core::{Error, HttpTransport, Role, Vault};
use komora_scenarios::record_client as client;
use komora_scenarios::server::{backends, restore_backup, Backend, Repair, TestServer};
use komora_scenarios::{bootstrap_admin, client_names, enrol, sync};

fn restored_mid_way(backend: &Backend, repair: Repair) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let server = TestServer::start_on(backend, &data);
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut supervisor = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("s"));
    let mut alice = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("a"));
    let mut bosco = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("b"));
    let mut lost = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("l"));
    client(&mut alice, "Before the backup");
    let doomed = client(&mut alice, "Erased after the backup");
    for v in [
        &mut alice,
        &mut admin,
        &mut supervisor,
        &mut bosco,
        &mut lost,
    ] {
        sync(v).unwrap();
    }

    // The backup, as the schedule takes it while the server serves.
    let backup = dir.path().join("backup.db");
    komora_sync_server::backup::write_checked(&server.source(), &backup).unwrap();

    // The team works on.
    client(&mut alice, "After the backup, by Alice");
    sync(&mut alice).unwrap();
    supervisor.erase_client(doomed, "client-request").unwrap();
    sync(&mut supervisor).unwrap();
    admin
        .revoke_device(
            &mut HttpTransport::new(&server.url).unwrap(),
            lost.device_id(),
        )
        .unwrap();
    sync(&mut alice).unwrap();
    client(&mut alice, "After the rotation, by Alice");
    sync(&mut alice).unwrap();
    // Bosco reads all of it: his cursor is at the end of the stream.
    sync(&mut bosco).unwrap();
    assert_eq!(bosco.team_keys().current_epoch(), 2);

    // The disk dies; the backup is put back.
    let server = restore_backup(server, backend, repair, &backup);
    let team = admin.sync_settings().unwrap().team_id;
    assert!(
        server.team_copy(team).len() < 10,
        "the restored stream lacks what came after the backup"
    );

    // Alice writes before anyone else has synced; then Bosco, whose cursor is beyond the
    // restored stream, syncs: he must read what Alice wrote after the restore.
    client(&mut alice, "After the restore, by Alice");
    let report = sync(&mut alice).unwrap();
    assert!(
        report.reconciled,
        "{repair:?}: Alice noticed the rolled-back stream"
    );
    let report = sync(&mut bosco).unwrap();
    if let Repair::RestoreCommand = repair {
        // A new generation: every tablet notices. (Copied by hand, a tablet that lost
        // nothing and finds at its cursor the operation it read there has nothing to bring
        // back: it reads on.)
        assert!(report.reconciled, "Bosco noticed it too");
    }
    for v in [&mut supervisor, &mut admin, &mut alice, &mut bosco] {
        let report = sync(v).unwrap();
        assert!(
            report.rejected.is_empty(),
            "{repair:?}: {:?}",
            report.rejected
        );
    }
    // A tablet enrolled after the restore.
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let report = sync(&mut claudine).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let everything = [
        "After the backup, by Alice",
        "After the restore, by Alice",
        "After the rotation, by Alice",
        "Before the backup",
    ];
    for (who, v) in [
        ("the administrator", &admin),
        ("the supervisor", &supervisor),
        ("Alice", &alice),
        ("Bosco, whose cursor was ahead", &bosco),
        ("Claudine, enrolled after the restore", &claudine),
    ] {
        assert_eq!(client_names(v), everything, "{repair:?}: {who}");
    }
    // The rotation stands, and the tablet revoked after the backup is still refused (and,
    // the signed revocation proven, erases itself).
    assert_eq!(claudine.team_keys().current_epoch(), 2);
    assert!(matches!(sync(&mut lost), Err(Error::Revoked)));
    // The client erased after the backup stays unreadable: the operation that carried her
    // file's key is gone from the server again.
    let copy = server.team_copy(team);
    let mut thief = Vault::ephemeral(
        &admin.team_keys(),
        komora_scenarios::ManualClock::at(komora_scenarios::MORNING_MS),
    )
    .unwrap();
    for env in copy {
        let _ = thief.apply_ops(&[env]);
        assert!(
            thief.client(doomed).is_err(),
            "{repair:?}: the erased client can be read"
        );
    }
}

#[test]
fn after_a_restore_from_the_backup_every_tablet_ends_with_every_record() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        restored_mid_way(&backend, Repair::RestoreCommand);
    }
}

#[test]
fn a_backup_copied_back_by_hand_loses_nothing_either() {
    restored_mid_way(&Backend::Sqlite, Repair::CopiedByHand);
}
