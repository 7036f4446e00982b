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
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, enrol, open_case_with_consent, sync, Rng};

/// The vault as the app holds it: shared by the screens and the sync.
struct Shared(Mutex<Option<Vault>>);

impl VaultCell for Shared {
    fn with<R>(
        &self,
        f: impl FnOnce(&mut Vault) -> komora_core::Result<R>,
    ) -> komora_core::Result<R> {
        let mut g = self.0.lock().unwrap();
        f(g.as_mut().ok_or(Error::Locked)?)
    }
}

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

#[test]
fn a_new_supervisor_tablet_shows_the_caseload_while_the_notes_are_still_arriving() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let mut rng = Rng::new(20);
    for i in 0..CLIENTS {
        let client = claudine
            .add_client(&NewClient {
                name: format!("Client {i}"),
                ..Default::default()
            })
            .unwrap();
        let case = open_case_with_consent(&mut claudine, client, "grief");
        // A short session (what was done, the next appointment) and longer ones with notes.
        claudine
            .add_session(&NewSession::new(case, "office"))
            .unwrap();
        for _ in 0..NOTED_SESSIONS {
            let mut s = NewSession::new(case, "office");
            s.notes = Some(long_note(&mut rng));
            claudine.add_session(&s).unwrap();
        }
    }
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
    sync_shared(&tablet, &mut t, &opts, &mut |_| {
        // The screens read the vault between pages, as the app's do.
        seen.push(tablet.with(|v| Ok(screens(v))).unwrap());
    })
    .unwrap();

    // A moment came when everything the caseload needs was there, and notes were said to be
    // on their way: the sessions without notes were in the review queue, those with notes not.
    let usable = seen
        .iter()
        .find(|s| s.clients == CLIENTS && s.caseload == CLIENTS && s.arriving > 0)
        .copied()
        .unwrap_or_else(|| panic!("never usable before the notes: {seen:?}"));
    assert_eq!(usable.arriving, (CLIENTS * NOTED_SESSIONS) as u64, "{usable:?}");
    assert_eq!(usable.queue, CLIENTS, "the sessions without notes: {usable:?}");

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
}
