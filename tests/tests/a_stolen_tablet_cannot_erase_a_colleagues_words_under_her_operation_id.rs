//! A stolen tablet (not yet revoked) holds the team key and its own signing key. It read
//! Claudine's new operations' ids before the server's disk died; after the restore it signs
//! operations of its own, genuinely, under those ids, and pushes them before she sends her
//! work back. The server keeps both copies of each id (one per pushing device, ADR 0027) and
//! serves both. A tablet that receives the thief's copy first logs it; before, it then took
//! Claudine's real operation for a duplicate and dropped it, silently, for good: revoking the
//! thief withdrew the thief's copy and left her words missing on that tablet.
//!
//! Now a copy whose id the log holds under another author or number is kept aside (parked)
//! and reported once; when the administrator revokes the stolen tablet, the withdrawal takes
//! the thief's copy out and hers applies at the next sync. Each runs on SQLite and, when
//! `KOMORA_TEST_POSTGRES` is set, on PostgreSQL.

use komora_core::{HttpTransport, NewClient, OpId, Role, Transport, Vault};
use komora_protocol::{envelope, OpMeta, PushBatchV2};
use komora_scenarios::server::{backends, restore_backup as restore, Backend, Repair, TestServer};
use komora_scenarios::{bootstrap_admin, client_names, enrol, quick_retries, sync, TokenSpy};

fn client(v: &mut Vault, name: &str) {
    v.add_client(&NewClient {
        name: name.into(),
        ..Default::default()
    })
    .unwrap();
}

/// The bearer token of a tablet, as its thief has it.
fn token_of(v: &mut Vault, url: &str) -> String {
    let mut spy = TokenSpy::new(url);
    v.sync(&mut spy, &quick_retries(), &mut |_| {}).unwrap();
    spy.token.expect("a sync logs in")
}

/// The ids of the operations the team's stream holds after `after`, as a thief reading it
/// with `token` learns them (from the envelopes' clear headers).
fn ids_read(server: &TestServer, token: &str, after: u64) -> Vec<OpId> {
    let mut raw = HttpTransport::new(&server.url).unwrap();
    let page = raw.pull(token, after, 1 << 20, None).unwrap();
    assert!(!page.more, "one page holds what the thief reads");
    page.envelopes
        .iter()
        .map(|e| OpId::from_bytes(envelope::header(e).expect("a whole envelope").op_id))
        .collect()
}

const BEFORE: &str = "Before the backup";
const HERS: &str = "Claudine's client, after the backup";
const THIEFS: &str = "Written by the stolen tablet";

fn squat_signed_by_the_thief(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let mut bosco = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("b"));
    let mut stolen = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("s"));
    client(&mut claudine, BEFORE);
    for v in [&mut claudine, &mut admin, &mut bosco, &mut stolen] {
        sync(v).unwrap();
    }
    // The thief's tablet is unlocked; what it reads from now on, it reads by hand.
    let old_token = token_of(&mut stolen, &server.url);
    let mut raw = HttpTransport::new(&server.url).unwrap();
    let read_up_to = raw.pull(&old_token, 0, 1 << 20, None).unwrap().head;
    let backup = dir.path().join("backup.db");
    komora_sync_server::backup::write_checked(&server.source(), &backup).unwrap();

    // Claudine works on; the thief reads her new operations' ids, and the administrator's
    // tablet receives them, before the disk dies. Bosco is in the field.
    client(&mut claudine, HERS);
    sync(&mut claudine).unwrap();
    let learnt = ids_read(&server, &old_token, read_up_to);
    assert!(!learnt.is_empty(), "the thief read Claudine's new work");
    sync(&mut admin).unwrap();
    assert_eq!(client_names(&admin), [BEFORE, HERS]);

    // After the restore the thief writes a client of its own, never pushed as it is: each of
    // its operations is signed again under one of Claudine's ids, and pushed first.
    let server = restore(server, backend, Repair::RestoreCommand, &backup);
    let token = token_of(&mut stolen, &server.url);
    let before = stolen.summary().unwrap();
    client(&mut stolen, THIEFS);
    let own = stolen.ops_missing_from(&before).unwrap();
    assert_eq!(
        own.len(),
        learnt.len(),
        "one of its operations per id it squats"
    );
    let (envelopes, meta): (Vec<_>, Vec<_>) = own
        .iter()
        .zip(&learnt)
        .map(|(op, id)| {
            let (env, seq) = stolen.reissue_under_id(op, *id).unwrap();
            (env.to_bytes(), OpMeta { author: None, seq })
        })
        .unzip();
    let mut raw = HttpTransport::new(&server.url).unwrap();
    raw.push(
        &token,
        &PushBatchV2 {
            meta,
            envelopes,
            then_pull: None,
            priority: Vec::new(),
        },
    )
    .expect("valid operations of the thief's own");

    // Bosco receives the thief's copies first: genuine operations of a tablet of the team,
    // applied.
    sync(&mut bosco).unwrap();
    assert_eq!(client_names(&bosco), [BEFORE, THIEFS]);

    // Claudine sends her work back; the administrator's tablet, which held it already,
    // receives the thief's copies under her ids: kept aside, never applied, and said once.
    assert!(sync(&mut claudine).unwrap().reconciled);
    let report = sync(&mut admin).unwrap();
    let mut told: Vec<OpId> = report.contested.iter().map(|c| c.op_id).collect();
    told.sort();
    let mut expected = learnt.clone();
    expected.sort();
    assert_eq!(told, expected, "{report:?}");
    assert!(report.contested.iter().all(|c| {
        c.logged_author == claudine.device_id() && c.kept_aside_author == stolen.device_id()
    }));
    assert_eq!(client_names(&admin), [BEFORE, HERS]);
    assert_eq!(
        admin.sync_status().unwrap().parked,
        learnt.len() as u64,
        "the thief's copies wait aside"
    );

    // Bosco receives Claudine's real operations under ids his log holds as the thief's: kept
    // aside and said, not dropped as duplicates.
    let report = sync(&mut bosco).unwrap();
    assert_eq!(report.contested.len(), learnt.len(), "{report:?}");
    for c in &report.contested {
        assert!(learnt.contains(&c.op_id));
        assert_eq!(c.logged_author, stolen.device_id());
        assert_eq!(c.kept_aside_author, claudine.device_id());
    }
    assert_eq!(client_names(&bosco), [BEFORE, THIEFS]);
    // Said once: the next sync tries them again, quietly.
    let report = sync(&mut bosco).unwrap();
    assert!(report.contested.is_empty(), "{report:?}");
    assert_eq!(bosco.sync_status().unwrap().parked, learnt.len() as u64);

    // The administrator revokes the stolen tablet. Its tablet never logged the squat, so
    // the cutoff is below it.
    let mut t = HttpTransport::new(&server.url).unwrap();
    admin.revoke_device(&mut t, stolen.device_id()).unwrap();
    sync(&mut admin).unwrap();
    assert_eq!(
        client_names(&admin),
        [BEFORE, HERS],
        "the squat never applied"
    );
    assert_eq!(admin.sync_status().unwrap().parked, 0, "refused for good");

    // At Bosco's next sync the withdrawal takes the thief's copies out, and Claudine's words
    // are on his tablet.
    sync(&mut bosco).unwrap();
    assert_eq!(client_names(&bosco), [BEFORE, HERS]);
    assert_eq!(bosco.sync_status().unwrap().parked, 0);
    // And they stay: every tablet agrees.
    sync(&mut claudine).unwrap();
    sync(&mut bosco).unwrap();
    for v in [&claudine, &bosco, &admin] {
        assert_eq!(client_names(v), [BEFORE, HERS]);
    }
}

#[test]
fn a_stolen_tablet_re_signs_its_own_work_under_claudines_ids_bosco_keeps_hers_aside_and_has_her_words_once_the_thief_is_revoked(
) {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        squat_signed_by_the_thief(&backend);
    }
}
