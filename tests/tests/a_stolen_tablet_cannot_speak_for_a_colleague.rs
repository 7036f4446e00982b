//! What one device of a team, still enrolled (a stolen tablet before the administrator revokes
//! it), could make the server say about its colleagues (ADR 0027). The server cannot open an
//! operation or a wrapped key, so it cannot check who wrote one: it must never let one
//! device's claim stand in for another device's word. Each runs on SQLite and, when
//! `KOMORA_TEST_POSTGRES` is set, on PostgreSQL.

use komora_core::{HttpTransport, Role, Transport};
use komora_protocol::{envelope, Id16, OpMeta, PushBatchV2};
use komora_scenarios::record_client as client;
use komora_scenarios::server::{backends, restore_backup as restore, Backend, Repair, TestServer};
use komora_scenarios::{
    bootstrap_admin, client_names, enrol, quick_retries, sync, token_of, TokenSpy,
};

/// Envelopes the server cannot tell from real ones (a valid clear header, garbage inside),
/// each declared as `victim`'s operation number 1, 2, … `count`.
fn claims_for(victim: Id16, epoch: u32, count: u64) -> PushBatchV2 {
    let envelopes: Vec<Vec<u8>> = (1..=count)
        .map(|n| {
            let mut e = vec![envelope::VERSION];
            e.extend_from_slice(&epoch.to_be_bytes());
            let mut op_id = [0xf0u8; 16];
            op_id[8..].copy_from_slice(&n.to_be_bytes());
            e.extend_from_slice(&op_id);
            e.extend_from_slice(&[0x5a; 96]);
            e
        })
        .collect();
    PushBatchV2 {
        meta: (1..=count)
            .map(|seq| OpMeta {
                author: Some(victim),
                seq,
            })
            .collect(),
        envelopes,
        then_pull: None,
        priority: Vec::new(),
    }
}

/// Alice's work pushed after the backup is lost by the restore; before she syncs again, the
/// thief pushes garbage claiming to be her operations 1 to 400. Before, the server then told
/// Alice it held all her numbers: she sent nothing back, and her work never reached the team.
/// With `relayed`, Claudine read Alice's work before the disk died and, syncing first after
/// the restore, gives it back; the copy Alice then sends is hers again and she settles.
fn forged_authorship(backend: &Backend, repair: Repair, relayed: bool) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut alice = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("a"));
    let mut bosco = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("b"));
    let mut stolen = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("s"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    client(&mut alice, "Before the backup");
    for v in [
        &mut alice,
        &mut admin,
        &mut bosco,
        &mut stolen,
        &mut claudine,
    ] {
        sync(v).unwrap();
    }
    let backup = dir.path().join("backup.db");
    komora_sync_server::backup::write_checked(&server.source(), &backup).unwrap();
    // Alice works on; only she (and, if relayed, Claudine) holds it when the disk dies.
    client(&mut alice, "After the backup, by Alice");
    sync(&mut alice).unwrap();
    if relayed {
        sync(&mut claudine).unwrap();
    }

    let server = restore(server, backend, repair, &backup);
    let token = token_of(&mut stolen, &server.url);
    let alice_id = Id16(*alice.device_id().as_bytes());
    let epoch = stolen.team_keys().current_epoch();
    let mut raw = HttpTransport::new(&server.url).unwrap();
    raw.push(&token, &claims_for(alice_id, epoch, 400))
        .expect("the server cannot tell the garbage from real operations");

    if relayed {
        let report = sync(&mut claudine).unwrap();
        assert!(
            report.sent_back > 0,
            "{repair:?}: Claudine gave Alice's work back"
        );
    }
    let report = sync(&mut alice).unwrap();
    assert!(
        report.reconciled,
        "{repair:?}: Alice noticed the server lost her work"
    );
    sync(&mut alice).unwrap();
    sync(&mut bosco).unwrap();
    assert_eq!(
        client_names(&bosco),
        ["After the backup, by Alice", "Before the backup"],
        "{repair:?}: Alice's work reached Bosco"
    );
    // And it stays settled: Alice's next sync finds nothing of hers missing.
    let report = sync(&mut alice).unwrap();
    assert!(!report.reconciled, "{repair:?}: {report:?}");
}

#[test]
fn a_stolen_tablet_cannot_claim_a_colleagues_lost_work_after_a_restore() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        forged_authorship(&backend, Repair::RestoreCommand, false);
    }
}

#[test]
fn a_colleague_gives_back_work_a_stolen_tablet_claimed_and_its_author_settles() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        forged_authorship(&backend, Repair::RestoreCommand, true);
    }
}

#[test]
fn a_stolen_tablet_cannot_claim_a_colleagues_work_in_a_store_copied_back_by_hand() {
    forged_authorship(&Backend::Sqlite, Repair::CopiedByHand, false);
}

/// The team key is rotated after the backup (a lost tablet revoked); Bosco has not synced
/// since. After the restore the stolen tablet reconciles first and, for every device the
/// restored store has no key for, stores garbage in its place. Before, the server then
/// counted those keys as given: the administrator's tablet gave back none, and Bosco was
/// handed only the garbage, his every sync failing on a key no administrator signed for.
fn squatted_keys(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut bosco = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("b"));
    let mut stolen = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("s"));
    let lost = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("l"));
    for v in [&mut admin, &mut bosco, &mut stolen] {
        sync(v).unwrap();
    }
    let backup = dir.path().join("backup.db");
    komora_sync_server::backup::write_checked(&server.source(), &backup).unwrap();
    admin
        .revoke_device(
            &mut HttpTransport::new(&server.url).unwrap(),
            lost.device_id(),
        )
        .unwrap();
    sync(&mut stolen).unwrap();
    assert_eq!(stolen.team_keys().current_epoch(), 2);

    let server = restore(server, backend, Repair::RestoreCommand, &backup);
    let mut thief = TokenSpy::new(&server.url);
    thief.garble_grants = true;
    let report = stolen
        .sync(&mut thief, &quick_retries(), &mut |_| {})
        .unwrap();
    assert!(report.reconciled, "the stolen tablet gave the list back");

    // The administrator's tablet reconciles and writes under the new key.
    sync(&mut admin).unwrap();
    client(&mut admin, "After the rotation, by the administrator");
    sync(&mut admin).unwrap();
    // Bosco receives the key and reads it.
    sync(&mut bosco).unwrap();
    assert_eq!(bosco.team_keys().current_epoch(), 2);
    assert_eq!(
        client_names(&bosco),
        ["After the rotation, by the administrator"]
    );

    // A tablet of the release before tries the keys it is handed one after the other and
    // gives up at the first that does not open: asked the old way, the server hands the best
    // one of each epoch only, which is not the garbage.
    let token = token_of(&mut bosco, &server.url);
    let keys = |query: &str| -> komora_protocol::KeyGrantsResponse {
        reqwest::blocking::Client::new()
            .get(format!("{}/v1/keys?after=1{query}", server.url))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let every = keys("&all=1");
    assert!(
        every.grants.len() >= 2,
        "the garbage is kept beside the key"
    );
    let best = keys("");
    assert_eq!(best.grants.len(), 1, "one per epoch");
    assert_eq!(best.grants[0].wrapped.0, every.grants[0].wrapped.0);
    assert!(
        best.grants[0].wrapped.0.iter().any(|b| *b != 0x5a),
        "not the garbage"
    );
}

#[test]
fn a_stolen_tablet_cannot_squat_the_key_a_colleague_is_owed() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        squatted_keys(&backend);
    }
}
