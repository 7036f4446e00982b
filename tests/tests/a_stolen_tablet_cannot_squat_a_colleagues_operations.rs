//! A stolen tablet (not yet revoked) that read a colleague's operations before the server's
//! disk died knows their ids. After the restore it pushes garbage under those ids, declared as
//! its own operations. Before, the server then held the op id as the thief's: when the real
//! author sent her lost work back, it answered "duplicate" and stored nothing, and her work
//! never reached the team (ADR 0027). Now the server keeps one copy of an op id per pushing
//! device and serves them all; tablets keep the copy that verifies. Each runs on SQLite and,
//! when `KOMORA_TEST_POSTGRES` is set, on PostgreSQL.

use komora_core::{HttpTransport, Role, Transport};
use komora_protocol::{envelope, Id16, OpMeta, PushBatchV2};
use komora_scenarios::op_ids_read;
use komora_scenarios::record_client as client;
use komora_scenarios::server::{backends, restore_backup as restore, Backend, Repair, TestServer};
use komora_scenarios::token_of;
use komora_scenarios::{bootstrap_admin, client_names, enrol, sync};

/// Garbage the server cannot tell from real operations (a valid clear header, nothing that
/// opens inside), one under each of `ids`, declared as the pushing device's own operations.
fn squat(ids: &[komora_core::OpId], epoch: u32) -> PushBatchV2 {
    let envelopes: Vec<Vec<u8>> = ids
        .iter()
        .map(|id| {
            let mut e = vec![envelope::VERSION];
            e.extend_from_slice(&epoch.to_be_bytes());
            e.extend_from_slice(id.as_bytes());
            e.extend_from_slice(&[0x5a; 160]);
            e
        })
        .collect();
    PushBatchV2 {
        meta: (1..=ids.len() as u64)
            .map(|n| OpMeta {
                author: None,
                seq: 1000 + n,
            })
            .collect(),
        envelopes,
        then_pull: None,
        priority: Vec::new(),
    }
}

/// Whose copy reaches the restored server first.
#[derive(Clone, Copy, Debug)]
enum First {
    /// The thief pushes its garbage before Alice sends her lost work back.
    Squatter,
    /// Alice sends her work back first; the thief's garbage comes after, and tablets that
    /// already hold her work receive it.
    Author,
}

fn squatted(backend: &Backend, first: First) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut alice = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("a"));
    let mut bosco = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("b"));
    let mut stolen = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("s"));
    client(&mut alice, "Before the backup");
    for v in [&mut alice, &mut admin, &mut bosco, &mut stolen] {
        sync(v).unwrap();
    }
    // The thief's tablet is unlocked; what it reads from now on, it reads by hand.
    let old_token = token_of(&mut stolen, &server.url);
    let mut raw = HttpTransport::new(&server.url).unwrap();
    let read_up_to = raw.pull(&old_token, 0, 1 << 20, None).unwrap().head;
    let backup = dir.path().join("backup.db");
    komora_sync_server::backup::write_checked(&server.source(), &backup).unwrap();

    // Alice works on; the thief reads her new operations' ids before the disk dies.
    client(&mut alice, "After the backup, by Alice");
    sync(&mut alice).unwrap();
    let learnt = op_ids_read(&server.url, &old_token, read_up_to);
    assert!(!learnt.is_empty(), "the thief read Alice's new work");

    let server = restore(server, backend, Repair::RestoreCommand, &backup);
    let token = token_of(&mut stolen, &server.url);
    let epoch = stolen.team_keys().current_epoch();
    let mut raw = HttpTransport::new(&server.url).unwrap();
    if let First::Author = first {
        let report = sync(&mut alice).unwrap();
        assert!(report.reconciled, "Alice noticed the server lost her work");
        sync(&mut bosco).unwrap();
        assert_eq!(
            client_names(&bosco),
            ["After the backup, by Alice", "Before the backup"],
            "Bosco holds her work before the garbage comes"
        );
    }
    raw.push(&token, &squat(&learnt, epoch))
        .expect("the server cannot tell the garbage from real operations");

    if let First::Squatter = first {
        // Bosco receives the garbage alone: refused, as any operation that does not open,
        // and nothing of it marks her operations as held.
        let report = sync(&mut bosco).unwrap();
        assert_eq!(report.rejected.len(), learnt.len(), "{report:?}");
        assert_eq!(client_names(&bosco), ["Before the backup"]);
        let report = sync(&mut alice).unwrap();
        assert!(report.reconciled, "Alice noticed the server lost her work");
    } else {
        // Bosco already holds her work: the garbage under its ids is a duplicate to him,
        // nothing refused, nothing changed.
        let report = sync(&mut bosco).unwrap();
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        assert_eq!(
            client_names(&bosco),
            ["After the backup, by Alice", "Before the backup"]
        );
    }
    sync(&mut alice).unwrap();
    for (who, v) in [("Bosco", &mut bosco), ("the administrator", &mut admin)] {
        sync(v).unwrap();
        assert_eq!(
            client_names(v),
            ["After the backup, by Alice", "Before the backup"],
            "{first:?}: Alice's work reached {who}"
        );
    }
    // And it stays settled: the server holds her copies as hers.
    let report = sync(&mut alice).unwrap();
    assert!(!report.reconciled, "{first:?}: {report:?}");
    assert_eq!(
        client_names(&alice),
        ["After the backup, by Alice", "Before the backup"]
    );
}

#[test]
fn a_stolen_tablet_squats_a_counsellors_operations_after_a_restore_she_pushes_them_again_and_every_colleague_receives_her_words(
) {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        squatted(&backend, First::Squatter);
    }
}

#[test]
fn a_stolen_tablet_squats_a_counsellors_operations_after_she_sent_them_back_and_colleagues_keep_her_words(
) {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        squatted(&backend, First::Author);
    }
}

/// The thief's copies cost the team no more than one row per op id: pushed again, they store
/// nothing, and the server never says it holds them of Alice.
#[test]
fn a_squatters_copies_are_stored_once_and_never_counted_as_the_authors() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start_on(&backend, &dir.path().join("server"));
        let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
        let mut alice = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("a"));
        let mut stolen = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("s"));
        sync(&mut stolen).unwrap();
        let token = token_of(&mut stolen, &server.url);
        let mut raw = HttpTransport::new(&server.url).unwrap();
        let before = raw.pull(&token, 0, 1 << 20, None).unwrap().head;
        client(&mut alice, "Alice's client");
        sync(&mut alice).unwrap();
        let learnt = op_ids_read(&server.url, &token, before);
        let alice_id = Id16(*alice.device_id().as_bytes());
        let team = server
            .wait(server.state.db.device(alice_id))
            .unwrap()
            .expect("Alice is enrolled")
            .team_id;
        let held_of_alice = || {
            server
                .wait(server.state.db.holds_of(team, alice_id))
                .unwrap()
        };
        let held = held_of_alice();
        let epoch = stolen.team_keys().current_epoch();
        let once = raw.push(&token, &squat(&learnt, epoch)).unwrap();
        assert_eq!(
            once.stored as usize,
            learnt.len(),
            "one copy each, beside hers"
        );
        let again = raw.push(&token, &squat(&learnt, epoch)).unwrap();
        assert_eq!((again.stored, again.duplicates as usize), (0, learnt.len()));
        assert_eq!(held_of_alice(), held, "what the server holds of Alice");
        let report = sync(&mut alice).unwrap();
        assert!(!report.reconciled, "Alice has nothing to send back");
    }
}
