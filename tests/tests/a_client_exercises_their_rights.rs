//! Mukamana comes to AMI's office and asks for everything AMI holds about her. She and her
//! husband Habimana were seen as a couple; he was also seen alone, and his answers raised a
//! flag on their shared case. Her supervisor reads every note before anything leaves, keeps
//! what is about him or about her safety, and hands her a page she can read and a file another
//! service can load: nothing of his is in either. She also asks for her year of birth to be
//! corrected and objects to being counted in the donors' figures; her neighbour objects to
//! his file being shared with partners. And when a counsellor's tablet is stolen, the
//! administrator lists, without the tablet, whose files it held at its last sync.

use std::collections::BTreeMap;
use std::sync::Arc;

use komora_core::{
    ConsentGiver, Error, Language, NewAssessment, NewCase, NewClient, NewReferral,
    NewRightsRequest, NewSession, RecordId, Redaction, ReportOptions, RequestDecision, Right, Sex,
    TeamKeys, TimeSource, Vault,
};
use komora_scenarios::{exchange, open_case_with_consent, ManualClock, MORNING_MS};

const HER_NAME: &str = "Mukamana Odette";
const HIS_NAME: &str = "Habimana Jean-Bosco";
const HIS_PHONE: &str = "+250788555123";
const HIS_CODE: &str = "HUY-0917";
/// Written in his own session: about him alone.
const HIS_NOTE: &str = "He admits drinking every market day and fears prison again.";
/// Written in their shared session: about both of them.
const SHARED_NOTE: &str = "She cried when he spoke of the debts; he raised his voice twice.";
const SHARED_SHORT: &str = "She cried during the session.";
const SAFETY_NOTE: &str = "Leave by the back path; her brother-in-law watches the house.";
const HER_NOTE: &str = "She sleeps better since the group started.";

struct Couple {
    her: RecordId,
    him: RecordId,
    shared_case: RecordId,
    shared_session: RecordId,
    her_session: RecordId,
    his_assessment: RecordId,
}

fn vault(clock: &Arc<ManualClock>) -> Vault {
    Vault::ephemeral(&TeamKeys::generate(), clock.clone()).unwrap()
}

fn record_couple(v: &mut Vault) -> Couple {
    let her = v
        .add_client(&NewClient {
            name: HER_NAME.into(),
            sex: Some(Sex::Female),
            birth_year: Some(1984),
            code: Some("HUY-0916".into()),
            ..Default::default()
        })
        .unwrap();
    let him = v
        .add_client(&NewClient {
            name: HIS_NAME.into(),
            sex: Some(Sex::Male),
            birth_year: Some(1979),
            code: Some(HIS_CODE.into()),
            phone: Some(HIS_PHONE.into()),
            ..Default::default()
        })
        .unwrap();
    let her_case = open_case_with_consent(v, her, "depression");
    let his_case = open_case_with_consent(v, him, "substance-use");
    let shared_case = v
        .add_case(&NewCase {
            clients: vec![her, him],
            problems: vec!["domestic-conflict".into()],
            ..Default::default()
        })
        .unwrap();
    let mut s = NewSession::new(shared_case, "home-visit");
    s.notes = Some(SHARED_NOTE.into());
    s.safety_notes = Some(SAFETY_NOTE.into());
    s.household_present = vec!["her mother-in-law".into()];
    let shared_session = v.add_session(&s).unwrap();
    let mut s = NewSession::new(his_case, "office");
    s.notes = Some(HIS_NOTE.into());
    v.add_session(&s).unwrap();
    let mut s = NewSession::new(her_case, "office");
    s.notes = Some(HER_NOTE.into());
    let her_session = v.add_session(&s).unwrap();
    // His SRQ-20 in the shared case: item 17 raises the suicide-risk flag on it.
    let mut answers = vec![0; 20];
    answers[16] = 1;
    let (his_assessment, _) = v
        .add_assessment(&NewAssessment {
            client: him,
            case: Some(shared_case),
            session: None,
            instrument: "srq-20".into(),
            version: None,
            date: None,
            answers,
        })
        .unwrap();
    v.add_assessment(&NewAssessment::new(her, "who-5", vec![3, 3, 2, 2, 3]))
        .unwrap();
    Couple {
        her,
        him,
        shared_case,
        shared_session,
        her_session,
        his_assessment,
    }
}

/// Every string that would tell a reader about him.
fn traces_of_him(c: &Couple) -> Vec<String> {
    vec![
        c.him.to_string(),
        c.his_assessment.to_string(),
        HIS_NAME.into(),
        "Habimana".into(),
        HIS_PHONE.into(),
        HIS_CODE.into(),
        HIS_NOTE.into(),
        "drinking".into(),
        SHARED_NOTE.into(),
        "raised his voice".into(),
        "srq-20".into(),
        "suicide-risk".into(),
        "substance-use".into(),
    ]
}

fn scan(what: &str, text: &str, forbidden: &[String]) {
    for f in forbidden {
        assert!(
            !text.contains(f.as_str()),
            "the {what} holds a trace of another client: {f:?}"
        );
    }
}

#[test]
fn a_wife_gets_her_file_with_nothing_of_her_husband_in_it() {
    let clock = ManualClock::at(MORNING_MS);
    let mut v = vault(&clock);
    let c = record_couple(&mut v);

    // Before the review: every note is withheld, and nothing of his is anywhere.
    let untouched = v.export_client(c.her, &BTreeMap::new(), None).unwrap();
    scan("JSON", &untouched.json, &traces_of_him(&c));
    scan("HTML", &untouched.html, &traces_of_him(&c));
    assert!(!untouched.json.contains(HER_NOTE) && !untouched.html.contains(SAFETY_NOTE));
    assert_eq!(untouched.released, 0);
    assert_eq!(
        untouched.withheld, 4,
        "her note, the shared note, safety, household"
    );
    // The page is in her language (Kinyarwanda, from her consent): the headings fall back to
    // English, and the page says so, until AMI's reviewers supply them.
    assert_eq!(untouched.language, Language::Kinyarwanda);
    assert!(untouched.html.contains("lang=\"rw\""));
    assert!(untouched.html.contains("not yet available in Kinyarwanda"));

    // The supervisor reads every passage, releases her own note, releases the shared note
    // shortened to what is about her, and keeps the safety note and who was present.
    let passages = v.client_export_review(c.her).unwrap();
    let key = |field: &str, record: RecordId| {
        passages
            .iter()
            .find(|p| p.record == record && p.field == field)
            .map(|p| p.key.clone())
            .unwrap()
    };
    let shared = passages
        .iter()
        .find(|p| p.record == c.shared_session && p.field == "notes")
        .unwrap();
    assert_eq!(shared.reason, komora_core::PassageReason::SharedRecord);
    let safety = passages.iter().find(|p| p.field == "safety_notes").unwrap();
    assert_eq!(safety.reason, komora_core::PassageReason::Safety);
    let decisions = BTreeMap::from([
        (key("notes", c.her_session), Redaction::Release),
        (
            key("notes", c.shared_session),
            Redaction::Replace(SHARED_SHORT.into()),
        ),
        (key("safety_notes", c.shared_session), Redaction::Withhold),
    ]);
    let export = v
        .export_client(c.her, &decisions, Some(Language::French))
        .unwrap();
    scan("JSON", &export.json, &traces_of_him(&c));
    scan("HTML", &export.html, &traces_of_him(&c));
    assert!(export.html.contains(HER_NOTE) && export.json.contains(HER_NOTE));
    assert!(export.html.contains(SHARED_SHORT));
    assert!(!export.html.contains(SAFETY_NOTE) && !export.json.contains(SAFETY_NOTE));
    assert!(
        !export.json.contains("mother-in-law"),
        "no decision: withheld"
    );
    assert_eq!(
        (export.released, export.shortened, export.withheld),
        (1, 1, 2)
    );
    assert!(export.html.contains("Votre dossier à AMI"));

    // Machine-readable: her profile, her consents, her scores, the shared case cut to her.
    let doc: serde_json::Value = serde_json::from_str(&export.json).unwrap();
    assert_eq!(doc["client"]["name"], HER_NAME);
    assert_eq!(doc["assessments"].as_array().unwrap().len(), 1);
    assert_eq!(doc["assessments"][0]["instrument"], "who-5");
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == c.shared_case.to_string())
        .unwrap();
    assert_eq!(case["other_people"], 1);
    assert!(
        case["risk_flags"].is_null(),
        "his alert is not hers to read"
    );
    let session = doc["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == c.shared_session.to_string())
        .unwrap();
    assert_eq!(session["other_people"], 1);
    assert!(doc["consents"].as_array().unwrap().len() >= 2);
    assert!(!doc["audit"].as_array().unwrap().is_empty());

    // Giving her the file is in the audit, on her record.
    let trail = v.audit_trail().unwrap();
    assert!(trail.iter().any(|e| e.record == Some(c.her)
        && e.action == komora_core::AuditAction::Exported
        && e.kind == "client-export"));
}

#[test]
fn a_note_changed_after_the_review_is_withheld_not_released_unread() {
    let clock = ManualClock::at(MORNING_MS);
    let mut v = vault(&clock);
    let c = record_couple(&mut v);
    let passages = v.client_export_review(c.her).unwrap();
    let decisions: BTreeMap<String, Redaction> = passages
        .iter()
        .map(|p| (p.key.clone(), Redaction::Release))
        .collect();
    // A counsellor adds a line about the husband to her note after the supervisor read it.
    v.edit_session(
        c.her_session,
        &komora_core::SessionEdit {
            notes: Some(format!("{HER_NOTE} {HIS_NOTE}")),
            ..Default::default()
        },
    )
    .unwrap();
    let export = v.export_client(c.her, &decisions, None).unwrap();
    assert!(!export.json.contains(HIS_NOTE) && !export.html.contains(HIS_NOTE));
    assert!(
        export.json.contains(SHARED_NOTE),
        "what was read stays released"
    );
}

#[test]
fn a_decisions_file_naming_unknown_passages_releases_nothing_and_a_bad_one_is_refused() {
    let clock = ManualClock::at(MORNING_MS);
    let mut v = vault(&clock);
    let c = record_couple(&mut v);
    // Decisions naming passages that do not exist release nothing.
    let nonsense = BTreeMap::from([("not-a-passage".to_owned(), Redaction::Release)]);
    let export = v.export_client(c.her, &nonsense, None).unwrap();
    assert_eq!(export.released, 0);
    let bad = BTreeMap::from([("x".to_owned(), Redaction::Replace("line\u{0}break".into()))]);
    assert!(matches!(
        v.export_client(c.her, &bad, None),
        Err(Error::Validation { .. })
    ));
    assert!(matches!(
        v.export_client(RecordId::random(), &BTreeMap::new(), None),
        Err(Error::NotFound(_))
    ));
}

/// Six people seen in one month, so the figures are not suppressed.
fn six_clients(v: &mut Vault) -> Vec<RecordId> {
    (0..6)
        .map(|i| {
            let id = v
                .add_client(&NewClient {
                    name: format!("Client {i}"),
                    sex: Some(if i % 2 == 0 { Sex::Female } else { Sex::Male }),
                    birth_year: Some(1980),
                    ..Default::default()
                })
                .unwrap();
            let case = open_case_with_consent(v, id, "trauma");
            v.add_session(&NewSession::new(case, "office")).unwrap();
            id
        })
        .collect()
}

fn figure(csv: &str, prefix: &str) -> Option<String> {
    csv.lines()
        .find(|l| l.starts_with(prefix))
        .map(|l| l.split(',').nth(4).unwrap().to_owned())
}

#[test]
fn an_objection_to_the_figures_takes_her_out_of_them_until_she_lifts_it() {
    let clock = ManualClock::at(MORNING_MS);
    let mut v = vault(&clock);
    let people = six_clients(&mut v);
    let month = {
        let d = v.today();
        format!("{:04}-{:02}", d.year(), d.month())
    };
    let reached = format!("clients_reached,{month},all,all,");
    let csv = v.report_csv(&ReportOptions::default()).unwrap();
    assert_eq!(figure(&csv, &reached).as_deref(), Some("6"));

    let objection = v
        .add_rights_request(&NewRightsRequest {
            client: people[0],
            right: Right::Objection,
            subject: "statistics".into(),
            asked_by: ConsentGiver::Client,
            request: None,
            date: None,
        })
        .unwrap();
    let csv = v.report_csv(&ReportOptions::default()).unwrap();
    assert_eq!(figure(&csv, &reached).as_deref(), Some("5"));
    assert_eq!(
        figure(&csv, &format!("sessions,{month},all,all,")).as_deref(),
        Some("5"),
        "her sessions (she was alone in them) are not counted either"
    );

    v.decide_rights_request(objection, RequestDecision::Withdrawn, None)
        .unwrap();
    let csv = v.report_csv(&ReportOptions::default()).unwrap();
    assert_eq!(figure(&csv, &reached).as_deref(), Some("6"));
}

#[test]
fn an_objection_to_sharing_refuses_a_referral_like_a_withdrawn_consent() {
    let clock = ManualClock::at(MORNING_MS);
    let mut v = vault(&clock);
    let people = six_clients(&mut v);
    let objection = v
        .add_rights_request(&NewRightsRequest {
            client: people[1],
            right: Right::Objection,
            subject: "sharing".into(),
            asked_by: ConsentGiver::Client,
            request: Some("He does not want the health centre to know.".into()),
            date: None,
        })
        .unwrap();
    let refused = v.add_referral(&NewReferral::new(people[1], "health-centre"));
    assert!(matches!(refused, Err(Error::Objected { ref purpose }) if purpose == "sharing"));
    // Others are referred as before.
    v.add_referral(&NewReferral::new(people[2], "health-centre"))
        .unwrap();
    // Refusing an objection needs a reason the person can be told.
    assert!(matches!(
        v.decide_rights_request(objection, RequestDecision::Refused, None),
        Err(Error::Validation { field: "note", .. })
    ));
    v.decide_rights_request(
        objection,
        RequestDecision::Refused,
        Some("A child protection concern must be referred."),
    )
    .unwrap();
    v.add_referral(&NewReferral::new(people[1], "health-centre"))
        .unwrap();
    let r = v.rights_request(objection).unwrap();
    assert_eq!(r.decision, RequestDecision::Refused);
    assert_eq!(r.decided_by, Some(v.device_id()));
}

#[test]
fn a_disputed_year_of_birth_is_not_published_until_the_correction_is_decided() {
    let clock = ManualClock::at(MORNING_MS);
    let mut v = vault(&clock);
    let people = six_clients(&mut v);
    let month = {
        let d = v.today();
        format!("{:04}-{:02}", d.year(), d.month())
    };
    let band = format!("clients_reached,{month},age_band,35-49,");
    let unknown = format!("clients_reached,{month},age_band,unknown,");
    assert_eq!(
        figure(&v.report_csv(&Default::default()).unwrap(), &band).as_deref(),
        Some("6")
    );

    // A rectification names the field and says what is wrong; without that it is refused.
    let vague = NewRightsRequest {
        client: people[0],
        right: Right::Rectification,
        subject: "birth_year".into(),
        asked_by: ConsentGiver::Client,
        request: None,
        date: None,
    };
    assert!(matches!(
        v.add_rights_request(&vague),
        Err(Error::Validation {
            field: "request",
            ..
        })
    ));
    assert!(matches!(
        v.add_rights_request(&NewRightsRequest {
            subject: "notes".into(),
            ..vague.clone()
        }),
        Err(Error::Validation {
            field: "subject",
            ..
        })
    ));
    let request = v
        .add_rights_request(&NewRightsRequest {
            request: Some("Born in 2000, not 1980.".into()),
            ..vague
        })
        .unwrap();
    let csv = v.report_csv(&Default::default()).unwrap();
    assert_eq!(figure(&csv, &band).as_deref(), Some("5"));
    assert_eq!(figure(&csv, &unknown).as_deref(), Some("<5"));

    // The supervisor corrects the field and grants the request: the history keeps both years.
    v.edit_client(
        people[0],
        &komora_core::ClientEdit {
            birth_year: Some(Some(2000)),
            ..Default::default()
        },
    )
    .unwrap();
    v.decide_rights_request(request, RequestDecision::Granted, None)
        .unwrap();
    let csv = v.report_csv(&Default::default()).unwrap();
    assert_eq!(figure(&csv, &band).as_deref(), Some("5"));
    assert_eq!(figure(&csv, &unknown), None);
    assert_eq!(v.client_history(people[0], "birth_year").unwrap().len(), 2);
}

#[test]
fn the_administrator_lists_the_files_a_stolen_tablet_held_at_its_last_sync() {
    let clock = ManualClock::at(MORNING_MS);
    let keys = TeamKeys::generate();
    let mut admin = Vault::ephemeral(&keys, clock.clone()).unwrap();
    let mut stolen = Vault::ephemeral(&keys, clock.clone()).unwrap();
    let stolen_id = stolen.device_id();
    let old = admin
        .add_client(&NewClient {
            name: "Uwera Claudine".into(),
            ..Default::default()
        })
        .unwrap();
    let erased_long_ago = admin
        .add_client(&NewClient {
            name: "Nshimiyimana Eric".into(),
            ..Default::default()
        })
        .unwrap();
    admin
        .erase_client(erased_long_ago, "client-request")
        .unwrap();
    clock.advance(3_600_000);
    let written_there = stolen
        .add_client(&NewClient {
            name: "Ingabire Alice".into(),
            code: Some("HUY-0300".into()),
            ..Default::default()
        })
        .unwrap();
    exchange(&mut admin, &mut stolen);
    stolen.view_client(old).unwrap();
    exchange(&mut admin, &mut stolen);
    let last_sync = clock.now_ms();

    // After the tablet's last sync: a new file, and an erasure the tablet never received.
    clock.advance(3 * 3_600_000);
    let after = admin
        .add_client(&NewClient {
            name: "Mutoni Grace".into(),
            ..Default::default()
        })
        .unwrap();
    admin.erase_client(old, "client-request").unwrap();
    drop(stolen);

    let exposure = admin.device_exposure(stolen_id, last_sync, None).unwrap();
    let held: Vec<RecordId> = exposure.files.iter().map(|f| f.client).collect();
    assert!(held.contains(&old), "erased since: the tablet still has it");
    assert!(held.contains(&written_there));
    assert!(!held.contains(&after), "recorded after its last sync");
    assert!(
        !held.contains(&erased_long_ago),
        "erased before: it shredded it"
    );
    let file = |id| exposure.files.iter().find(|f| f.client == id).unwrap();
    // Views are the team's audit records: they outlive the file they name.
    assert!(file(old).viewed && !file(old).wrote);
    assert!(file(old).erased_since.is_some());
    assert_eq!(file(old).name, None, "erased here: only its id is left");
    assert!(file(written_there).wrote && file(written_there).erased_since.is_none());
    assert_eq!(file(written_there).code.as_deref(), Some("HUY-0300"));
    assert!(!exposure.statistics_only);
    // Listing it is itself in the audit.
    assert!(admin
        .audit_trail()
        .unwrap()
        .iter()
        .any(|e| e.kind == "device-exposure"));
}

/// On a real team: only a supervisor gives a client her file; the data officer's figures, made
/// on her own tablet, leave out a client who objected; and the administrator lists, from the
/// server's word on the counsellor's last sync, the files her stolen tablet held.
#[test]
fn on_a_team_the_roles_hold_and_the_server_dates_a_stolen_tablets_last_sync() {
    use komora_core::Role;
    use komora_scenarios::server::TestServer;
    use komora_scenarios::{bootstrap_admin, enrol, sync};

    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut counsellor = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let mut supervisor = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("s"));
    let mut officer = enrol(
        &server,
        &mut admin,
        Role::DataOfficer,
        &dir.path().join("d"),
    );
    sync(&mut admin).unwrap();
    for v in [&mut counsellor, &mut supervisor, &mut officer] {
        sync(v).unwrap();
    }
    let people = six_clients(&mut counsellor);
    counsellor
        .add_rights_request(&NewRightsRequest {
            client: people[0],
            right: Right::Objection,
            subject: "statistics".into(),
            asked_by: ConsentGiver::Client,
            request: None,
            date: None,
        })
        .unwrap();
    assert!(matches!(
        counsellor.export_client(people[0], &BTreeMap::new(), None),
        Err(Error::Forbidden(_))
    ));
    assert!(matches!(
        counsellor.client_export_review(people[0]),
        Err(Error::Forbidden(_))
    ));
    sync(&mut counsellor).unwrap();
    let stolen = counsellor.device_id();

    sync(&mut supervisor).unwrap();
    let export = supervisor
        .export_client(people[1], &BTreeMap::new(), None)
        .unwrap();
    assert!(export.json.contains("Client 1"));
    assert!(!export.json.contains("Client 0") && !export.json.contains("Client 2"));

    sync(&mut officer).unwrap();
    let month = {
        let d = officer.today();
        format!("{:04}-{:02}", d.year(), d.month())
    };
    let csv = officer.report_csv(&ReportOptions::default()).unwrap();
    assert_eq!(
        figure(&csv, &format!("clients_reached,{month},all,all,")).as_deref(),
        Some("5"),
        "the objection reached the data officer's tablet and is honoured there"
    );

    // The tablet is stolen. The administrator has its last sync from the server.
    sync(&mut admin).unwrap();
    let mut t = komora_core::HttpTransport::new(&server.url).unwrap();
    let info = admin
        .devices(&mut t)
        .unwrap()
        .into_iter()
        .find(|d| d.id.0 == *stolen.as_bytes())
        .unwrap();
    let last = info.last_seen_ms.expect("it synced");
    assert!(matches!(
        supervisor.device_exposure(stolen, last, Some(Role::Counsellor)),
        Err(Error::Forbidden(_))
    ));
    let exposure = admin
        .device_exposure(stolen, last, Some(info.role))
        .unwrap();
    let held: Vec<RecordId> = exposure.files.iter().map(|f| f.client).collect();
    for p in &people {
        assert!(held.contains(p));
    }
    assert!(
        exposure.files.iter().all(|f| f.wrote),
        "she recorded every one of them"
    );
}
