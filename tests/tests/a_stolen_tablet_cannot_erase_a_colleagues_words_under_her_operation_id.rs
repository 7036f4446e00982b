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

use komora_core::{HttpTransport, OpId, Role, Transport, Vault};
use komora_protocol::{OpMeta, PushBatchV2};
use komora_scenarios::op_ids_read;
use komora_scenarios::record_client as client;
use komora_scenarios::server::{backends, restore_backup as restore, Backend, Repair, TestServer};
use komora_scenarios::token_of;
use komora_scenarios::{bootstrap_admin, client_names, enrol, sync};

const BEFORE: &str = "Before the backup";
const HERS: &str = "Claudine's client, after the backup";
const THIEFS: &str = "Written by the stolen tablet";

/// The team after the restore, the thief holding Claudine's lost operations' ids.
struct Restored {
    _dir: tempfile::TempDir,
    server: TestServer,
    admin: Vault,
    claudine: Vault,
    bosco: Vault,
    stolen: Vault,
    /// The ids of Claudine's operations the server lost, as the thief read them.
    learnt: Vec<OpId>,
    /// The thief's token on the restored server.
    token: String,
}

/// Claudine records a client after the backup; the thief and the administrator's tablet read
/// it, Bosco (in the field) does not; the server's disk dies and the backup is restored.
fn restored(backend: &Backend) -> Restored {
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

    client(&mut claudine, HERS);
    sync(&mut claudine).unwrap();
    let learnt = op_ids_read(&server.url, &old_token, read_up_to);
    assert!(!learnt.is_empty(), "the thief read Claudine's new work");
    sync(&mut admin).unwrap();
    assert_eq!(client_names(&admin), [BEFORE, HERS]);

    let server = restore(server, backend, Repair::RestoreCommand, &backup);
    let token = token_of(&mut stolen, &server.url);
    Restored {
        _dir: dir,
        server,
        admin,
        claudine,
        bosco,
        stolen,
        learnt,
        token,
    }
}

/// The thief writes a client of its own, never pushed as it is: each of its operations is
/// signed again under one of Claudine's ids, and pushed.
fn squat_with_its_own_work(w: &mut Restored) {
    let before = w.stolen.summary().unwrap();
    client(&mut w.stolen, THIEFS);
    let own = w.stolen.ops_missing_from(&before).unwrap();
    assert_eq!(
        own.len(),
        w.learnt.len(),
        "one of its operations per id it squats"
    );
    let (envelopes, meta): (Vec<_>, Vec<_>) = own
        .iter()
        .zip(&w.learnt)
        .map(|(op, id)| {
            let (env, seq) = w.stolen.reissue_under_id(op, *id).unwrap();
            (env.to_bytes(), OpMeta { author: None, seq })
        })
        .unzip();
    let mut raw = HttpTransport::new(&w.server.url).unwrap();
    raw.push(
        &w.token,
        &PushBatchV2 {
            meta,
            envelopes,
            then_pull: None,
            priority: Vec::new(),
        },
    )
    .expect("valid operations of the thief's own");
}

/// The thief squatted Claudine's ids with its own work, and Bosco received the thief's copies
/// first: genuine operations of a tablet of the team, applied.
fn bosco_took_the_thiefs_copies(backend: &Backend) -> Restored {
    let mut w = restored(backend);
    squat_with_its_own_work(&mut w);
    sync(&mut w.bosco).unwrap();
    assert_eq!(client_names(&w.bosco), [BEFORE, THIEFS]);
    w
}

fn thiefs_copy_first(backend: &Backend) {
    let Restored {
        _dir,
        server,
        mut admin,
        mut claudine,
        mut bosco,
        stolen,
        learnt,
        ..
    } = bosco_took_the_thiefs_copies(backend);

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
    // What his screen reads of the vault says it at any time: the thief's first, hers aside.
    assert_eq!(
        held_aside(&bosco),
        [(
            stolen.device_id(),
            claudine.device_id(),
            learnt.len() as u64
        )]
    );
    assert_eq!(
        held_aside(&admin),
        [(
            claudine.device_id(),
            stolen.device_id(),
            learnt.len() as u64
        )]
    );

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

    assert!(held_aside(&admin).is_empty(), "settled");

    // At Bosco's next sync the withdrawal takes the thief's copies out, and Claudine's words
    // are on his tablet.
    sync(&mut bosco).unwrap();
    assert_eq!(client_names(&bosco), [BEFORE, HERS]);
    assert_eq!(bosco.sync_status().unwrap().parked, 0);
    assert!(held_aside(&bosco).is_empty(), "settled");
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
        thiefs_copy_first(&backend);
    }
}

/// What a tablet holds aside as contested, read from its vault: per pair of tablets (the
/// logged copies' author, the kept-aside ones'), how many.
fn held_aside(v: &Vault) -> Vec<(komora_core::DeviceId, komora_core::DeviceId, u64)> {
    v.contested()
        .unwrap()
        .into_iter()
        .map(|c| (c.logged_author, c.kept_aside_author, c.changes))
        .collect()
}

/// Bosco logged the thief's copies; the sync that brings Claudine's real ones is cut after
/// the page that kept them aside committed (a lost connection on the next page). The sync
/// fails, its report (the only place that said it) with it, and the next sync does not say
/// it again: before, nothing on Bosco's tablet told anyone her words waited aside. The vault
/// says it, at every asking, until the revocation settles it.
fn cut_after_the_page(backend: &Backend) {
    let Restored {
        _dir,
        server,
        mut admin,
        mut claudine,
        mut bosco,
        stolen,
        learnt,
        ..
    } = bosco_took_the_thiefs_copies(backend);
    assert!(sync(&mut claudine).unwrap().reconciled);
    // More of her work after it: the stream holds more than the page Bosco is given.
    for i in 0..6 {
        client(&mut claudine, &format!("Another client of Claudine's, {i}"));
    }
    sync(&mut claudine).unwrap();

    // The spy passes no standing on: the engine logs in after the first page and asks for it
    // again. The second page is applied and committed; the pull after it is cut.
    let mut cut = komora_scenarios::TokenSpy::new(&server.url);
    cut.pulls_before_cut = Some(2);
    let small_pages = komora_core::SyncOptions {
        max_attempts: 1,
        pull_page_bytes: 1024,
        ..komora_scenarios::quick_retries()
    };
    let failed = bosco.sync(&mut cut, &small_pages, &mut |_| {});
    assert!(
        matches!(failed, Err(komora_core::Error::Network(_))),
        "{failed:?}"
    );
    let aside = held_aside(&bosco);
    assert_eq!(aside.len(), 1, "said by the vault after the failed sync");
    assert_eq!(
        (aside[0].0, aside[0].1),
        (stolen.device_id(), claudine.device_id())
    );
    assert!(aside[0].2 >= 1);

    // The next sync brings the rest; what it reports is only what the failed one did not keep.
    let report = sync(&mut bosco).unwrap();
    assert!(report.contested.len() < learnt.len(), "{report:?}");
    assert_eq!(
        held_aside(&bosco),
        [(
            stolen.device_id(),
            claudine.device_id(),
            learnt.len() as u64
        )]
    );
    let names = client_names(&bosco);
    assert!(names.iter().any(|n| n == THIEFS) && !names.iter().any(|n| n == HERS));

    let mut t = HttpTransport::new(&server.url).unwrap();
    admin.revoke_device(&mut t, stolen.device_id()).unwrap();
    sync(&mut bosco).unwrap();
    assert!(held_aside(&bosco).is_empty());
    assert!(client_names(&bosco).iter().any(|n| n == HERS));
    assert!(!client_names(&bosco).iter().any(|n| n == THIEFS));
}

#[test]
fn the_sync_that_kept_claudines_words_aside_is_cut_and_boscos_tablet_still_says_they_wait() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        cut_after_the_page(&backend);
    }
}

/// Claudine sends her work back before the thief squats it: Bosco holds her words, the
/// thief's copies under her ids are kept aside and said, and never applied, at any sync,
/// before or after the revocation.
fn hers_first(backend: &Backend) {
    let mut w = restored(backend);
    assert!(sync(&mut w.claudine).unwrap().reconciled);
    sync(&mut w.bosco).unwrap();
    assert_eq!(client_names(&w.bosco), [BEFORE, HERS]);
    squat_with_its_own_work(&mut w);
    let Restored {
        _dir,
        server,
        mut admin,
        mut bosco,
        stolen,
        claudine,
        learnt,
        ..
    } = w;

    let report = sync(&mut bosco).unwrap();
    assert_eq!(report.contested.len(), learnt.len(), "{report:?}");
    for c in &report.contested {
        assert!(learnt.contains(&c.op_id));
        assert_eq!(c.logged_author, claudine.device_id());
        assert_eq!(c.kept_aside_author, stolen.device_id());
    }
    assert_eq!(
        held_aside(&bosco),
        [(
            claudine.device_id(),
            stolen.device_id(),
            learnt.len() as u64
        )]
    );
    for _ in 0..2 {
        let report = sync(&mut bosco).unwrap();
        assert!(report.contested.is_empty(), "said once: {report:?}");
        assert_eq!(client_names(&bosco), [BEFORE, HERS], "never applied");
        assert_eq!(bosco.sync_status().unwrap().parked, learnt.len() as u64);
    }

    let mut t = HttpTransport::new(&server.url).unwrap();
    admin.revoke_device(&mut t, stolen.device_id()).unwrap();
    sync(&mut bosco).unwrap();
    assert_eq!(client_names(&bosco), [BEFORE, HERS]);
    assert_eq!(bosco.sync_status().unwrap().parked, 0, "refused for good");
    assert!(held_aside(&bosco).is_empty());
}

#[test]
fn claudine_sends_her_work_back_before_the_stolen_tablet_squats_it_and_the_thiefs_copies_wait_aside_never_applied(
) {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        hers_first(&backend);
    }
}
