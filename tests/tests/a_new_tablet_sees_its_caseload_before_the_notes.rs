//! A supervisor's new tablet, synced for the first time over a slow link: the caseload (every
//! client, case and consent) is on the screen while the long session notes are still on
//! their way, and the screens can say so (issue 20, item 3; ADR 0025). Then the notes arrive,
//! every one, and nothing is skipped.

use std::sync::Mutex;
use std::time::Duration;

use komora_core::{
    sync_shared, CaseloadFilter, Error, HttpTransport, NewClient, NewSession, Role, SyncOptions,
    Vault, VaultCell,
};
use komora_scenarios::proxy::{LinkShape, ShapedProxy};
use komora_scenarios::server::{test_limits, TestServer};
use komora_scenarios::{bootstrap_admin, enrol, open_case_with_consent, sync, Rng};

use komora_scenarios::SharedVault as Shared;

const CLIENTS: usize = 45;
const NOTED_SESSIONS: usize = 2;

/// A note as a counsellor writes a long one: made-up words, so it does not compress to
/// nothing.
fn long_note(rng: &mut Rng) -> String {
    let mut note = String::new();
    while note.len() < 2_400 {
        let len = 2 + rng.below(9) as usize;
        for _ in 0..len {
            note.push((b'a' + rng.below(26) as u8) as char);
        }
        note.push(if rng.below(12) == 0 { '.' } else { ' ' });
    }
    note
}

/// What the screens show: clients, cases in the caseload, sessions in the review queue, and
/// how many notes are said to be still arriving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Screens {
    clients: usize,
    caseload: usize,
    queue: usize,
    arriving: u64,
}

fn screens(v: &Vault) -> Screens {
    Screens {
        clients: v.clients().unwrap().items.len(),
        caseload: v
            .caseload(&CaseloadFilter {
                everyone: true,
                ..Default::default()
            })
            .unwrap()
            .len(),
        queue: v.review_queue().unwrap().len(),
        arriving: v.notes_still_arriving().unwrap(),
    }
}

/// Claudine's caseload: `clients` clients from `first` on, each with consents, a case, a
/// short session and sessions with long notes.
fn caseload(claudine: &mut Vault, rng: &mut Rng, first: usize, clients: usize) {
    for i in first..first + clients {
        let client = claudine
            .add_client(&NewClient {
                name: format!("Client {i}"),
                ..Default::default()
            })
            .unwrap();
        let case = open_case_with_consent(claudine, client, "grief");
        claudine
            .add_session(&NewSession::new(case, "office"))
            .unwrap();
        for _ in 0..NOTED_SESSIONS {
            let mut s = NewSession::new(case, "office");
            s.notes = Some(long_note(rng));
            claudine.add_session(&s).unwrap();
        }
    }
}

#[test]
fn a_new_supervisor_tablet_shows_the_caseload_while_the_notes_are_still_arriving() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let mut rng = Rng::new(20);
    caseload(&mut claudine, &mut rng, 0, CLIENTS);
    sync(&mut claudine).unwrap();
    let whole = screens(&claudine);
    assert_eq!(whole.clients, CLIENTS);
    let sessions = CLIENTS * (1 + NOTED_SESSIONS);

    // Grace's new tablet, over a slow link (a few pages).
    let grace = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("g"));
    let link = ShapedProxy::start(
        server.addr,
        LinkShape {
            bits_per_second: Some(4_000_000),
            rtt: Duration::from_millis(40),
        },
    );
    let tablet = Shared(Mutex::new(Some(grace)));
    let mut t = HttpTransport::new(&link.url).unwrap();
    let opts = SyncOptions {
        pull_page_bytes: 24 * 1024,
        backoff: Duration::from_millis(5),
        ..Default::default()
    };
    let mut seen: Vec<Screens> = Vec::new();
    let mut told: Vec<u64> = Vec::new();
    let report = sync_shared(&tablet, &mut t, &opts, &mut |p| {
        // The screens read the vault between pages, as the app's do.
        seen.push(tablet.with(|v| Ok(screens(v))).unwrap());
        if p.expected > 0 {
            told.push(p.expected);
        }
    })
    .unwrap();
    // The progress said from the first page how much the sync would bring in all (nothing was
    // erased, and a new tablet sends nothing into the stream: exactly).
    assert!(
        !told.is_empty(),
        "the progress never said how much was coming"
    );
    assert!(
        told.iter().all(|n| *n == report.received_ops),
        "said {told:?}, brought {}",
        report.received_ops
    );

    // A moment came when everything the caseload needs was there, and notes were said to be
    // on their way: the sessions without notes were in the review queue, those with notes not.
    let usable = seen
        .iter()
        .find(|s| s.clients == CLIENTS && s.caseload == CLIENTS && s.arriving > 0)
        .copied()
        .unwrap_or_else(|| panic!("never usable before the notes: {seen:?}"));
    assert_eq!(
        usable.arriving,
        (CLIENTS * NOTED_SESSIONS) as u64,
        "{usable:?}"
    );
    assert_eq!(
        usable.queue, CLIENTS,
        "the sessions without notes: {usable:?}"
    );

    // Then every note arrived, and the screens say none is coming.
    let done = tablet.with(|v| Ok(screens(v))).unwrap();
    assert_eq!(
        done,
        Screens {
            clients: CLIENTS,
            caseload: CLIENTS,
            queue: sessions,
            arriving: 0
        }
    );
    let mut grace = tablet.0.lock().unwrap().take().unwrap();
    let again = sync(&mut grace).unwrap();
    assert_eq!(again.received_ops, 0, "nothing was left behind for later");
    // What the notes' pass brought is the server's: her tablet does not send it back over
    // the 2G link at its next sync, nor counts it as hers to send.
    assert_eq!(again.sent_ops, 0, "the notes she received went back up");
    assert_eq!(grace.sync_status().unwrap().pending, 0);
}

/// The tablet is locked in the middle of the notes' pass, and the server is restored from a
/// backup before it syncs again: the stretch is read again whole after the reconciliation,
/// and every client and note arrives, once (issue 17 and issue 20 together).
#[test]
fn a_first_sync_cut_during_the_notes_then_a_restored_server_loses_no_note() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let server = TestServer::start(&data);
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let grace = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("g"));
    let mut rng = Rng::new(17);
    caseload(&mut claudine, &mut rng, 0, CLIENTS);
    sync(&mut claudine).unwrap();
    let backup = dir.path().join("backup.db");
    komora_sync_server::backup::write_checked(&server.source(), &backup).unwrap();
    caseload(&mut claudine, &mut rng, CLIENTS, 5);
    sync(&mut claudine).unwrap();

    // Grace's first sync: locked once some notes have come in the second pass.
    let tablet = Shared(Mutex::new(Some(grace)));
    let mut t = HttpTransport::new(&server.url).unwrap();
    let opts = SyncOptions {
        pull_page_bytes: 24 * 1024,
        backoff: Duration::from_millis(5),
        ..Default::default()
    };
    let mut locked = None;
    let mut most = 0;
    let ended = sync_shared(&tablet, &mut t, &opts, &mut |_| {
        let now = tablet.with(|v| Ok(screens(v))).unwrap();
        most = most.max(now.arriving);
        // Fewer notes waiting than at most: the second pass has brought some.
        if now.arriving > 0 && now.arriving < most {
            locked = tablet.0.lock().unwrap().take();
        }
    });
    assert!(matches!(ended, Err(Error::Locked)), "{ended:?}");
    let mut grace = locked.expect("locked during the notes' pass");
    assert!(grace.notes_still_arriving().unwrap() > 0);

    // The server is restored from the backup taken before Claudine's last five clients.
    let addr = server.addr;
    let source = server.source();
    server.stop();
    komora_sync_server::restore::restore(&source, &backup, komora_sync_server::now_ms()).unwrap();
    let server = TestServer::start_at(
        &komora_scenarios::server::Backend::Sqlite,
        &data,
        addr,
        test_limits(),
    );

    sync(&mut grace).unwrap();
    sync(&mut claudine).unwrap();
    let report = sync(&mut grace).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let all = CLIENTS + 5;
    assert_eq!(
        screens(&grace),
        Screens {
            clients: all,
            caseload: all,
            queue: all * (1 + NOTED_SESSIONS),
            arriving: 0
        }
    );
    drop(server);
}

/// Grace's first sync is under way over 2G when Bosco, a counsellor enrolled a minute ago,
/// sends his first sessions: the page that brings them names an author her tablet does not
/// know yet, and the link drops just as it asks the team's list. She syncs again: the screen
/// says how many notes are still coming, counting that page once, never twice.
#[test]
fn a_first_sync_cut_while_it_fetches_a_new_colleague_counts_the_notes_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let grace = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("g"));
    let mut rng = Rng::new(5);
    caseload(&mut claudine, &mut rng, 0, CLIENTS);
    sync(&mut claudine).unwrap();
    const BOSCO_CLIENTS: usize = 3;
    let noted = ((CLIENTS + BOSCO_CLIENTS) * NOTED_SESSIONS) as u64;

    let tablet = Shared(Mutex::new(Some(grace)));
    let (mut t, requests) = komora_scenarios::counted::CountedTransport::new(&server.url, false);
    let opts = SyncOptions {
        pull_page_bytes: 24 * 1024,
        backoff: Duration::from_millis(5),
        max_attempts: 1,
        ..Default::default()
    };
    let mut bosco_sent = false;
    let mut most = 0;
    let first = sync_shared(&tablet, &mut t, &opts, &mut |_| {
        let now = tablet.with(|v| Ok(screens(v))).unwrap();
        most = most.max(now.arriving);
        if now.arriving > 0 && !bosco_sent {
            bosco_sent = true;
            let mut bosco = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("b"));
            caseload(&mut bosco, &mut rng, 1_000, BOSCO_CLIENTS);
            sync(&mut bosco).unwrap();
            requests.cut_next("roster");
        }
    });
    assert!(first.is_err(), "the cut ended the first sync: {first:?}");
    assert!(bosco_sent);
    let cut_at = tablet.with(|v| Ok(screens(v))).unwrap();
    assert!(cut_at.arriving <= noted, "{cut_at:?}, {noted} notes in all");

    let second = sync_shared(&tablet, &mut t, &opts, &mut |_| {
        let now = tablet.with(|v| Ok(screens(v))).unwrap();
        most = most.max(now.arriving);
    });
    second.unwrap();
    assert_eq!(
        most, noted,
        "the screens said more notes were coming than there are"
    );
    let done = tablet.with(|v| Ok(screens(v))).unwrap();
    assert_eq!(done.arriving, 0);
    assert_eq!(done.clients, CLIENTS + BOSCO_CLIENTS);
}
