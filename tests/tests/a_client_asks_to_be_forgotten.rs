//! Uwase asks AMI to forget her. Her supervisor erases her file; every tablet of the team
//! destroys it as it syncs, one that was offline too; the server deletes what carried the
//! file's key, so even a thief holding every team key and a copy of the server taken
//! afterwards reads nothing of her. The audit keeps that it happened, when, why and by whom,
//! and not one word of what her file held (ADR 0010).

use komora_core::{
    ClientEdit, Error, NewAssessment, NewCase, NewClient, NewSession, RecordId, Role, Vault,
};
use komora_scenarios::server::{backends, TestServer};
use komora_scenarios::{bootstrap_admin, enrol, sync, ManualClock, MORNING_MS};

const NAME: &str = "Uwase Immaculée";
const NOTE: &str = "She spoke for the first time about the night her brother was taken.";

/// Uwase's file: her record, consents, a case, a home visit with a note, and a PHQ-9.
fn record_uwase(v: &mut Vault) -> (RecordId, RecordId) {
    let client = v
        .add_client(&NewClient {
            name: NAME.into(),
            phone: Some("+250788123456".into()),
            code: Some("HUY-0042".into()),
            ..Default::default()
        })
        .unwrap();
    let case = komora_scenarios::open_case_with_consent(v, client, "trauma");
    let mut visit = NewSession::new(case, "home-visit");
    visit.notes = Some(NOTE.into());
    let session = v.add_session(&visit).unwrap();
    v.add_assessment(&NewAssessment {
        client,
        case: Some(case),
        session: Some(session),
        instrument: "phq-9".into(),
        version: None,
        date: None,
        answers: vec![2, 2, 1, 1, 2, 1, 1, 1, 0],
    })
    .unwrap();
    (client, case)
}

fn sees_her(v: &Vault, client: RecordId) -> bool {
    v.client(client).is_ok()
        || !v.search_clients("uwase", 10).unwrap().is_empty()
        || v.timeline(client).map(|t| !t.is_empty()).unwrap_or(false)
        || v.review_queue()
            .unwrap()
            .iter()
            .any(|q| q.case.clients.contains(&client))
}

/// Every envelope the server holds for the team, opened one by one, in the server's order,
/// with every team key there is: what a thief with a copy of the server and a tablet's keys
/// would read. Returns the thief's vault, and whether `watched` could be read at any point
/// (a thief would not honour an erasure record, so the check is made before it arrives).
fn thief_reads(server: &TestServer, keys_from: &Vault, watched: RecordId) -> (Vault, bool) {
    let copy = server.team_copy(keys_from.sync_settings().unwrap().team_id);
    let mut thief = Vault::ephemeral(&keys_from.team_keys(), ManualClock::at(MORNING_MS)).unwrap();
    let mut read = false;
    for env in copy {
        thief.apply_ops(&[env]).unwrap();
        read |= thief.client(watched).is_ok();
    }
    (thief, read)
}

#[test]
fn a_client_who_asks_to_be_forgotten_is_erased_from_every_tablet_and_the_server() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        erased_everywhere(&backend);
    }
}

fn erased_everywhere(backend: &komora_scenarios::server::Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut supervisor = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("s"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let mut jean = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("j"));

    let (uwase, her_case) = record_uwase(&mut claudine);
    let other = claudine
        .add_client(&NewClient {
            name: "Mukamana Ange".into(),
            ..Default::default()
        })
        .unwrap();
    sync(&mut claudine).unwrap();
    for v in [&mut supervisor, &mut jean, &mut admin] {
        sync(v).unwrap();
        assert!(sees_her(v, uwase), "her file reached every tablet");
    }
    // Before: a thief with the team's keys and a copy of the server reads her file. (Why
    // server backups must expire: SECURITY.md.)
    let (before, read) = thief_reads(&server, &admin, uwase);
    assert!(read);
    assert_eq!(before.client(uwase).unwrap().name, NAME);

    // Jean, offline in the hills, corrects her phone number before the erasure reaches him.
    jean.edit_client(
        uwase,
        &ClientEdit {
            phone: Some(Some("+250788000111".into())),
            ..Default::default()
        },
    )
    .unwrap();

    // Claudine has half typed a session note about her, and one about another client.
    let draft = |t: &str| std::collections::BTreeMap::from([("notes".to_owned(), t.to_owned())]);
    claudine
        .keep_draft(
            &format!("session:{her_case}"),
            &draft("her brother came back"),
        )
        .unwrap();
    claudine
        .keep_draft(&format!("client:{other}"), &draft("a new phone"))
        .unwrap();

    // A counsellor cannot erase a file; nothing changes.
    let refused = claudine.erase_client(uwase, "client-request").unwrap_err();
    assert!(matches!(refused, Error::Forbidden(_)), "{refused:?}");
    assert!(sees_her(&claudine, uwase));

    // Her supervisor erases it, with the reason. On her tablet it is gone at once.
    let bad_reason = supervisor.erase_client(uwase, "because").unwrap_err();
    assert!(matches!(bad_reason, Error::Validation { .. }));
    let erasure = supervisor.erase_client(uwase, "client-request").unwrap();
    assert!(!sees_her(&supervisor, uwase));
    assert!(matches!(supervisor.client(uwase), Err(Error::NotFound(_))));
    assert!(supervisor.client(other).is_ok(), "other clients stay");
    let again = supervisor
        .erase_client(uwase, "client-request")
        .unwrap_err();
    assert!(
        matches!(again, Error::NotFound(_)),
        "cannot be erased twice"
    );
    sync(&mut supervisor).unwrap();

    // Every tablet destroys it as it syncs; Jean's offline edit goes to the server as
    // ciphertext nobody can open, and nowhere brings her back.
    sync(&mut claudine).unwrap();
    sync(&mut jean).unwrap();
    sync(&mut admin).unwrap();
    sync(&mut claudine).unwrap();
    for v in [&claudine, &jean, &admin, &supervisor] {
        assert!(!sees_her(v, uwase), "erased everywhere");
        assert!(v.client(other).is_ok());
        // Her timeline is gone.
        assert!(v.timeline(uwase).is_err() || v.timeline(uwase).unwrap().is_empty());
        // The audit keeps that it happened, when, why and by whom: not who she was.
        let erasures = v.erasures().unwrap();
        assert_eq!(erasures.len(), 1);
        assert_eq!(erasures[0].client, uwase);
        assert_eq!(erasures[0].reason, "client-request");
        assert_eq!(erasures[0].by, supervisor.device_id());
        assert_eq!(erasures[0].id, erasure.id);
        let trail = format!("{:?}", v.audit_trail().unwrap());
        assert!(!trail.contains("Uwase") && !trail.contains("brother"));
    }
    // Claudine's half-typed note about her went with the file when the erasure arrived; the
    // one about another client is still there to finish.
    let drafts: Vec<String> = claudine
        .drafts()
        .unwrap()
        .iter()
        .map(|d| d.slot.clone())
        .collect();
    assert_eq!(drafts, vec![format!("client:{other}")]);
    // Recording anything more in her file is refused: her case is gone with it.
    assert!(claudine.case(her_case).is_err());
    let mut session = NewSession::new(her_case, "office");
    session.notes = Some("after".into());
    assert!(claudine.add_session(&session).is_err());

    // A thief with every team key and a copy of the server taken now reads nothing of her:
    // the operation that carried her file's key is gone from the server, and the rest of her
    // file is sealed under a key that no longer exists anywhere.
    let (after, read) = thief_reads(&server, &admin, uwase);
    assert!(!read, "at no point does her file open");
    assert!(after.search_clients("uwase", 10).unwrap().is_empty());
    assert!(
        after.client(other).is_ok(),
        "the thief does read the team's other records"
    );
    for (what, bytes) in server.stored_bytes() {
        assert!(
            !contains(&bytes, NAME.as_bytes()) && !contains(&bytes, NOTE.as_bytes()),
            "{what} holds plaintext"
        );
    }

    // A tablet enrolled afterwards receives her file's remains and reads none of it.
    let mut newcomer = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("n"));
    let report = sync(&mut newcomer).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(!sees_her(&newcomer, uwase));
    assert!(newcomer.client(other).is_ok());
    assert_eq!(newcomer.erasures().unwrap().len(), 1);
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Seven years after her last session and with her case closed, Jeanne's file is due for
/// destruction under the retention rules (data/retention.json); Marie's case is still open and
/// Paul was seen three years ago: their files stay. The supervisor's retention run erases
/// Jeanne's file on her tablet and, by the erasure record, on the counsellor's.
#[test]
fn files_past_their_retention_period_are_listed_and_erased_and_the_others_stay() {
    use komora_core::{retention_rules, CaseEdit, CaseStatus, TeamKeys};
    use komora_scenarios::send;

    let rule = &retention_rules().rules[0];
    assert_eq!((rule.record.as_str(), rule.keep_years), ("client-file", 7));

    const DAY: u64 = 86_400_000;
    let eight_years_ago = MORNING_MS - 8 * 366 * DAY;
    let clock = ManualClock::at(eight_years_ago);
    let team = TeamKeys::generate();
    let mut counsellor = Vault::ephemeral(&team, clock.clone()).unwrap();
    let mut supervisor = Vault::ephemeral(&team, clock.clone()).unwrap();

    let file = |v: &mut Vault, name: &str, close: bool| {
        let client = v
            .add_client(&NewClient {
                name: name.into(),
                ..Default::default()
            })
            .unwrap();
        let case = v
            .add_case(&NewCase {
                clients: vec![client],
                problems: vec!["grief".into()],
                ..Default::default()
            })
            .unwrap();
        if close {
            v.edit_case(
                case,
                &CaseEdit {
                    status: Some(CaseStatus::Closed),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        client
    };
    let jeanne = file(&mut counsellor, "Jeanne", true);
    let marie = file(&mut counsellor, "Marie", false);
    clock.set(MORNING_MS - 3 * 366 * DAY);
    let paul = file(&mut counsellor, "Paul", true);
    clock.set(MORNING_MS);
    send(&counsellor, &mut supervisor);

    let due = supervisor.retention_due().unwrap();
    assert_eq!(due.iter().map(|d| d.client).collect::<Vec<_>>(), [jeanne]);
    assert!(due[0].due_since <= supervisor.today());

    assert!(
        supervisor.apply_retention().is_err(),
        "no server's date has agreed with the tablet's yet"
    );
    assert!(supervisor.client(jeanne).is_ok());
    // The date a server gave with its answer at a sync, agreeing with the tablet's.
    supervisor.note_server_time(MORNING_MS).unwrap();
    let erased = supervisor.apply_retention().unwrap();
    assert_eq!(erased.len(), 1);
    assert_eq!(
        (erased[0].client, erased[0].reason.as_str()),
        (jeanne, "retention")
    );
    assert!(supervisor.client(jeanne).is_err());
    assert!(supervisor.client(marie).is_ok() && supervisor.client(paul).is_ok());
    assert!(
        supervisor.retention_due().unwrap().is_empty(),
        "nothing left due"
    );

    send(&supervisor, &mut counsellor);
    assert!(
        counsellor.client(jeanne).is_err(),
        "erased on the counsellor's tablet too"
    );
    assert!(counsellor.client(marie).is_ok() && counsellor.client(paul).is_ok());
}

/// A counsellor, offline, writes one more home visit in Uwase's file while the supervisor
/// erases it. A third tablet then receives both in one page (or one batch file), the visit
/// first: nothing of her may stay on it. (Found by the convergence property: a record made
/// by an operation in the same page as the erasure of its file was saved after the erasure
/// had destroyed the file, and its note stayed readable.)
#[test]
fn a_late_note_and_the_erasure_in_one_page_leave_nothing_of_her() {
    use komora_core::TeamKeys;
    use komora_scenarios::send;

    let team = TeamKeys::generate();
    let clock = ManualClock::at(MORNING_MS);
    let mut supervisor = Vault::ephemeral(&team, clock.clone()).unwrap();
    let mut counsellor = Vault::ephemeral(&team, clock.clone()).unwrap();
    let mut other = Vault::ephemeral(&team, clock.clone()).unwrap();
    let (client, case) = record_uwase(&mut supervisor);
    send(&supervisor, &mut counsellor);
    send(&supervisor, &mut other);

    let before_visit = counsellor.summary().unwrap();
    let mut visit = NewSession::new(case, "home-visit");
    visit.notes = Some(NOTE.into());
    let late = counsellor.add_session(&visit).unwrap();
    let late_visit = counsellor.ops_missing_from(&before_visit).unwrap();
    let before_erasure = supervisor.summary().unwrap();
    supervisor.erase_client(client, "client-request").unwrap();
    let erasure = supervisor.ops_missing_from(&before_erasure).unwrap();

    let page: Vec<_> = late_visit.into_iter().chain(erasure).collect();
    let report = other.apply_ops(&page).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(!sees_her(&other, client));
    assert!(
        matches!(other.session(late), Err(Error::NotFound(_))),
        "the late visit of an erased file is still shown"
    );
    assert!(matches!(other.case(case), Err(Error::NotFound(_))));
    assert_eq!(other.erasures().unwrap().len(), 1);
}
