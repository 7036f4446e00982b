//! A family moves from Huye to Nyanza. AMI's administrator has made a second team for Nyanza
//! (`komora team create`), and her tablet holds a vault in each. She moves the family's case:
//! the Nyanza counsellor then reads everything about them, the Huye tablets stop holding it,
//! and nobody in Huye reads a byte of what Nyanza writes (ADR 0011).

use komora_core::{
    Error, HttpTransport, NewAssessment, NewClient, NewReferral, NewSession, Role, Transport, Vault,
};
use komora_protocol::Id16;
use komora_scenarios::server::{backends, Backend, TestServer};
use komora_scenarios::{
    bootstrap_admin, client_names, enrol, fast_options, open_case_with_consent, sync, ManualClock,
    TokenSpy, MORNING_MS,
};

fn client(v: &mut Vault, name: &str) -> komora_core::RecordId {
    v.add_client(&NewClient {
        name: name.into(),
        phone: Some("0788000111".into()),
        ..Default::default()
    })
    .unwrap()
}

/// AMI's administrator, with a vault in Huye (the first team) and one in Nyanza, which she
/// makes (`komora team create`).
fn administrator_of_both(server: &TestServer, dir: &std::path::Path) -> (Vault, Vault) {
    let mut admin = bootstrap_admin(server, &dir.join("admin"));
    let mut t = HttpTransport::new(&server.url).unwrap();
    let nyanza = admin
        .create_team(
            &mut t,
            dir.join("admin-nyanza"),
            "admin passphrase",
            "Nyanza",
            fast_options(),
        )
        .unwrap();
    (admin, nyanza)
}

fn a_family_moves_from_huye_to_nyanza(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let (mut admin, mut admin_nyanza) = administrator_of_both(&server, dir.path());
    let nyanza = admin_nyanza.sync_settings().unwrap();
    let huye = admin.sync_settings().unwrap();
    assert_eq!(
        (nyanza.team_name.as_str(), nyanza.role),
        ("Nyanza", Role::Admin)
    );
    assert_eq!(nyanza.org_name, huye.org_name);
    assert_ne!(nyanza.team_id, huye.team_id);
    assert_ne!(
        admin_nyanza.device_id(),
        admin.device_id(),
        "one identity per team"
    );

    let mut claudine = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("claudine"),
    );
    let mut jean = enrol(
        &server,
        &mut admin_nyanza,
        Role::Counsellor,
        &dir.path().join("jean"),
    );

    // Claudine's family in Huye: a mother and her son, one case, a home visit, a score, a
    // referral. Another client of hers stays in Huye.
    let mother = client(&mut claudine, "Mukandori Immaculée");
    let son = client(&mut claudine, "Habimana Eric");
    let stays = client(&mut claudine, "Uwase Stays-in-Huye");
    let case = open_case_with_consent(&mut claudine, mother, "trauma");
    claudine
        .edit_case(
            case,
            &komora_core::CaseEdit {
                add_clients: vec![son],
                ..Default::default()
            },
        )
        .unwrap();
    for (who, scope) in [(son, "services"), (son, "data-recording")] {
        claudine
            .add_consent(&komora_core::NewConsent {
                client: who,
                scope: scope.into(),
                decision: komora_core::ConsentDecision::Given,
                language: komora_core::Language::Kinyarwanda,
                given_by: komora_core::ConsentGiver::Client,
                guardian_name: None,
                date: None,
            })
            .unwrap();
    }
    let mut visit = NewSession::new(case, "home-visit");
    visit.notes = Some("They are moving to Nyanza to live with her sister.".into());
    let visit = claudine.add_session(&visit).unwrap();
    let (score, _) = claudine
        .add_assessment(&NewAssessment::new(mother, "phq-9", vec![2; 9]))
        .unwrap();
    claudine
        .add_referral(&NewReferral::new(mother, "health-centre"))
        .unwrap();
    sync(&mut claudine).unwrap();
    sync(&mut admin).unwrap();

    // The administrator moves the case: the copy first, sent to Nyanza.
    let moved = admin.copy_case_files(case, &mut admin_nyanza).unwrap();
    assert_eq!(moved.clients.len(), 2);
    assert!(moved.records >= 9, "{moved:?}");
    let again = admin.copy_case_files(case, &mut admin_nyanza).unwrap();
    assert_eq!(
        again.records, 0,
        "an interrupted transfer run again copies nothing twice"
    );
    sync(&mut admin_nyanza).unwrap();

    // Jean, in Nyanza, reads the family's file as Claudine left it.
    sync(&mut jean).unwrap();
    assert_eq!(
        client_names(&jean),
        ["Habimana Eric", "Mukandori Immaculée"]
    );
    let moved_case = jean.case(case).unwrap();
    assert_eq!(moved_case.clients.len(), 2);
    assert_eq!(
        jean.session(visit).unwrap().notes.as_deref(),
        Some("They are moving to Nyanza to live with her sister.")
    );
    assert_eq!(jean.assessment(score).unwrap().score, Some(18));
    // And works on it: his own session of the moved case.
    jean.add_session(&NewSession::new(case, "office")).unwrap();
    sync(&mut jean).unwrap();

    // Then Huye lets go of it: erased there, on every tablet as it syncs.
    for c in &moved.clients {
        admin.erase_client(*c, "transferred").unwrap();
    }
    sync(&mut admin).unwrap();
    sync(&mut claudine).unwrap();
    assert_eq!(client_names(&claudine), ["Uwase Stays-in-Huye"]);
    assert!(matches!(claudine.case(case), Err(Error::NotFound(_))));
    assert_eq!(claudine.client(stays).unwrap().name, "Uwase Stays-in-Huye");

    // Nobody in Huye reads a byte of Nyanza: Claudine's keys open nothing of its stream.
    let nyanza_copy = server.team_copy(nyanza.team_id);
    assert!(nyanza_copy.len() > 10);
    let mut thief = Vault::ephemeral(&claudine.team_keys(), ManualClock::at(MORNING_MS)).unwrap();
    let report = thief.apply_ops(&nyanza_copy).unwrap();
    assert_eq!(report.applied, 0);
    assert!(client_names(&thief).is_empty());
    let readable = thief.everything_readable().unwrap();
    assert!(!readable.windows(9).any(|w| w == b"Mukandori"));
    // ...while the Nyanza keys open it (the check can fail).
    let mut insider = Vault::ephemeral(&jean.team_keys(), ManualClock::at(MORNING_MS)).unwrap();
    insider.apply_ops(&nyanza_copy).unwrap();
    assert!(insider
        .everything_readable()
        .unwrap()
        .windows(9)
        .any(|w| w == b"Mukandori"));
}

#[test]
fn a_case_moved_to_another_team_is_read_there_and_let_go_of_here() {
    for backend in backends() {
        a_family_moves_from_huye_to_nyanza(&backend);
    }
}

/// Only administrators create teams: the tablet says so, and the server refuses a
/// counsellor's login that tries anyway.
#[test]
fn a_counsellor_cannot_create_a_team() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("claudine"),
    );
    let mut t = HttpTransport::new(&server.url).unwrap();
    let refused = claudine.create_team(
        &mut t,
        dir.path().join("mine"),
        "tablet passphrase",
        "Claudine's own",
        fast_options(),
    );
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    assert!(!Vault::exists(dir.path().join("mine")));

    // A tampered app skips the tablet's check: the server refuses the request itself.
    let mut spy = TokenSpy::new(&server.url);
    let _ = claudine.devices(&mut spy);
    let token = spy.token.expect("the call logged in");
    let outsider = Vault::create(
        dir.path().join("outsider"),
        "a long passphrase",
        fast_options(),
    )
    .unwrap();
    let req = komora_protocol::CreateTeamRequest {
        team_id: Id16([7; 16]),
        device: komora_protocol::DeviceRegistration {
            device_id: Id16(*outsider.device_id().as_bytes()),
            sign_pk: komora_protocol::Bytes(vec![1; 32]),
            kx_pk: komora_protocol::Bytes(vec![2; 32]),
        },
        genesis: komora_protocol::Bytes(vec![0; 100]),
    };
    let answer = HttpTransport::new(&server.url)
        .unwrap()
        .create_team(&token, &req);
    assert!(
        matches!(
            &answer,
            Err(komora_core::TransportError::Rejected {
                code: komora_protocol::ErrorCode::Forbidden,
                ..
            })
        ),
        "{answer:?}"
    );
}

/// The administrator's tablet holds a client's file keys and not yet her details (a new
/// client is two operations from team format 5, ADR 0022, and a batch file brought only the
/// first): moved then, she would reach Nyanza as a client with no name, and a later move would
/// find her there and copy nothing again. The move is refused with a sentence that says to
/// sync, Nyanza receives nothing, and once her details have come she moves whole.
#[test]
fn a_case_whose_client_has_not_fully_reached_the_tablet_is_not_moved_until_she_has() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let (mut admin, mut admin_nyanza) = administrator_of_both(&server, dir.path());
    let mut claudine = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("claudine"),
    );
    sync(&mut admin).unwrap(); // the team's list, with Claudine's tablet
    let before = claudine.summary().unwrap();
    let grace = client(&mut claudine, "Uwimana Grace");
    let made = claudine.ops_missing_from(&before).unwrap();
    let (keys, fields) = (made[0].clone(), made[1].clone());
    let case = open_case_with_consent(&mut claudine, grace, "grief");
    let all = claudine
        .ops_missing_from(&admin.summary().unwrap())
        .unwrap();
    let without_fields: Vec<_> = all
        .into_iter()
        .filter(|e| e.op_id() != fields.op_id())
        .collect();
    assert!(without_fields.iter().any(|e| e.op_id() == keys.op_id()));
    admin.apply_ops(&without_fields).unwrap();
    assert!(admin.case(case).is_ok(), "her case has come");
    assert!(
        admin.client(grace).is_err(),
        "she is not shown without her details"
    );

    let refused = admin.copy_case_files(case, &mut admin_nyanza);
    match refused {
        Err(Error::Validation {
            field: "case",
            reason,
        }) => {
            assert!(reason.contains("sync"), "{reason}")
        }
        other => panic!("the move went on: {other:?}"),
    }
    assert!(
        admin_nyanza.client(grace).is_err() && admin_nyanza.case(case).is_err(),
        "Nyanza received nothing"
    );

    admin.apply_ops(&[fields]).unwrap();
    admin.copy_case_files(case, &mut admin_nyanza).unwrap();
    assert_eq!(admin_nyanza.client(grace).unwrap().name, "Uwimana Grace");
    assert!(admin_nyanza.case(case).is_ok());
}
