//! Diane is AMI's data officer in Kigali. Every quarter she produces the donors' figures on a
//! tablet of her own: how many sessions, how many people reached, by district, sex, age band
//! and target group, how scores changed. She must get exactly the supervisor's figures, and
//! never a name, a phone number, a village, an answer or a note: her tablet receives the team
//! key, never the case-work key (ADR 0011). Whoever holds everything her tablet holds, and a
//! full copy of the server, reads no more than she does.

use komora_core::{
    Error, HttpTransport, LocationInput, NewAssessment, NewClient, NewGroup, NewReferral,
    NewSession, RejectReason, ReportOptions, Role, Sex, Vault,
};
use komora_scenarios::server::{backends, Backend, TestServer};
use komora_scenarios::{
    bootstrap_admin, enrol, open_case_with_consent, sync, ManualClock, MORNING_MS,
};

/// Words that must never open on a data officer's tablet: each is in a name, a code, a phone
/// number, a cell (where someone lives, below the district the figures give), a note or a
/// group's name.
const SECRETS: &[&str] = &[
    "Zzname",
    "ZZCODE",
    "0788123",
    "Fugi",
    "Zzsession-note",
    "Zzsafety",
    "Zzreferral-reason",
    "Zzgroup-name",
    "Zzfacilitator",
    "Zzgroup-note",
];

/// Claudine's week: clients with everything a counsellor records, their cases, sessions with
/// notes, assessments, a referral, and a healing group's meeting.
fn a_week_of_case_work(v: &mut Vault, n: usize, tag: &str) {
    let mut clients = Vec::new();
    for i in 0..n {
        let id = v
            .add_client(&NewClient {
                name: format!("Zzname-{tag}-{i}"),
                code: Some(format!("ZZCODE-{tag}-{i}")),
                sex: Some(if i % 2 == 0 { Sex::Female } else { Sex::Male }),
                birth_year: Some(1960 + i as u16 * 7),
                phone: Some(format!("0788123{i:03}")),
                location: Some(LocationInput {
                    district: "Nyaruguru".into(),
                    sector: Some("Ngoma".into()),
                    cell: Some("Fugi".into()),
                    village: None,
                }),
                target_groups: vec!["genocide-survivor".into()],
            })
            .unwrap();
        let case = open_case_with_consent(v, id, "trauma");
        let mut s = NewSession::new(case, "home-visit");
        s.notes = Some(format!("Zzsession-note: {tag} {i} spoke of her brother"));
        s.safety_notes = Some("Zzsafety: lives near the man who testified".into());
        s.duration_min = Some(50);
        v.add_session(&s).unwrap();
        v.add_assessment(&NewAssessment::new(id, "phq-9", vec![2; 9]))
            .unwrap();
        let mut later = NewAssessment::new(id, "phq-9", vec![1; 9]);
        later.date = Some(v.today());
        v.add_assessment(&later).unwrap();
        let mut r = NewReferral::new(id, "health-centre");
        r.reason = Some("Zzreferral-reason: nightmares".into());
        v.add_referral(&r).unwrap();
        clients.push(id);
    }
    let group = v
        .add_group(&NewGroup {
            name: format!("Zzgroup-name {tag}"),
            kind: "healing-group".into(),
            facilitators: vec!["Zzfacilitator Claudine".into()],
            members: clients.clone(),
            ..Default::default()
        })
        .unwrap();
    let meeting = v
        .add_group_session(group, 1, None, None, Some("Zzgroup-note: first circle"))
        .unwrap();
    for c in &clients {
        v.mark_attendance(meeting, *c, true).unwrap();
    }
}

/// The secrets that open in `bytes`.
fn found(bytes: &[u8]) -> Vec<&'static str> {
    SECRETS
        .iter()
        .copied()
        .filter(|s| bytes.windows(s.len()).any(|w| w == s.as_bytes()))
        .collect()
}

/// What a thief holding every key of `tablet` reads of a full copy of the server.
fn thief_reads(tablet: &Vault, copy: &[komora_core::OpEnvelope]) -> Vec<&'static str> {
    let mut thief = Vault::ephemeral(&tablet.team_keys(), ManualClock::at(MORNING_MS)).unwrap();
    thief.apply_ops(copy).unwrap();
    found(&thief.everything_readable().unwrap())
}

fn report(v: &mut Vault) -> String {
    v.report_csv(&ReportOptions::default()).unwrap()
}

fn the_data_officer_gets_the_figures_and_no_names(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("claudine"),
    );
    let mut lost = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("lost"),
    );
    let mut diane = enrol(
        &server,
        &mut admin,
        Role::DataOfficer,
        &dir.path().join("diane"),
    );
    assert_eq!(diane.sync_settings().unwrap().role, Role::DataOfficer);

    a_week_of_case_work(&mut claudine, 6, "before");
    sync(&mut claudine).unwrap();
    sync(&mut admin).unwrap();
    let report_diane_sync = sync(&mut diane).unwrap();
    assert!(
        report_diane_sync.rejected.is_empty(),
        "{:?}",
        report_diane_sync.rejected
    );

    // The same figures on both tablets, and real ones.
    let figures = report(&mut admin);
    assert!(figures.contains("sessions,"), "{figures}");
    assert!(figures.contains("district,Nyaruguru"), "{figures}");
    assert!(
        figures.contains("measure_change,period,instrument,phq-9,6,-9.0"),
        "{figures}"
    );
    assert!(figures.contains("group_attendance,"), "{figures}");
    assert_eq!(report(&mut diane), figures);

    // Diane's screens show no name, and her tablet opens none, nor any note.
    let listed = diane.clients().unwrap().items;
    assert_eq!(listed.len(), 6);
    assert!(listed
        .iter()
        .all(|c| c.name.is_empty() && c.phone.is_none()));
    assert_eq!(
        found(&diane.everything_readable().unwrap()),
        Vec::<&str>::new()
    );
    // The check can fail: the administrator's tablet opens every one of them.
    assert_eq!(found(&admin.everything_readable().unwrap()), SECRETS);

    // A thief with everything Diane's tablet holds and a copy of the server reads no more.
    let copy = server.team_copy(admin.sync_settings().unwrap().team_id);
    assert_eq!(thief_reads(&diane, &copy), Vec::<&str>::new());
    assert_eq!(thief_reads(&admin, &copy), SECRETS);

    // Her tablet records no case work.
    let refused = diane.add_client(&NewClient {
        name: "Someone".into(),
        ..Default::default()
    });
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    // Nor can it tell which files are past their retention (case statuses are not figures).
    assert!(matches!(diane.retention_due(), Err(Error::Forbidden(_))));

    // A tablet is lost: the team moves to new keys. Diane receives the new team key and,
    // again, not the case-work key.
    let mut t = HttpTransport::new(&server.url).unwrap();
    admin.revoke_device(&mut t, lost.device_id()).unwrap();
    sync(&mut claudine).unwrap();
    a_week_of_case_work(&mut claudine, 5, "after");
    sync(&mut claudine).unwrap();
    sync(&mut admin).unwrap();
    let again = sync(&mut diane).unwrap();
    assert!(again.rejected.is_empty(), "{:?}", again.rejected);
    assert_eq!(diane.team_keys().current_epoch(), 2);
    assert!(!diane.team_keys().opens_case_work());
    assert!(claudine.team_keys().opens_case_work());
    assert_eq!(diane.clients().unwrap().items.len(), 11);
    let figures = report(&mut admin);
    assert_eq!(report(&mut diane), figures);
    let copy = server.team_copy(admin.sync_settings().unwrap().team_id);
    assert_eq!(thief_reads(&diane, &copy), Vec::<&str>::new());
    assert_eq!(thief_reads(&claudine, &copy), SECRETS);
    assert!(matches!(sync(&mut lost), Err(Error::Revoked)));
}

#[test]
fn a_data_officer_produces_the_donors_figures_but_never_opens_a_name_or_a_note() {
    for backend in backends() {
        the_data_officer_gets_the_figures_and_no_names(&backend);
    }
}

/// A tampered app on Diane's tablet writes what a data officer may not (the team's policy):
/// every receiver refuses it, says who tried, and applies nothing.
#[test]
fn what_a_data_officer_may_not_write_is_refused_by_every_receiver() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut diane = enrol(
        &server,
        &mut admin,
        Role::DataOfficer,
        &dir.path().join("diane"),
    );
    // Diane's own audit entries (producing the report is one) are hers to write.
    report(&mut diane);
    diane.write_policy_anyway(1).unwrap();
    sync(&mut diane).unwrap();
    let seen = sync(&mut admin).unwrap();
    assert_eq!(
        seen.rejected.iter().map(|r| &r.reason).collect::<Vec<_>>(),
        [&RejectReason::NotAllowed(diane.device_id())],
        "only the policy is refused"
    );
    assert_eq!(admin.team_policy().unwrap().auto_lock_minutes, None);
}

/// Only an administrator admits a data officer: a supervisor may invite counsellors only.
#[test]
fn only_an_administrator_invites_a_data_officer() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut grace = enrol(
        &server,
        &mut admin,
        Role::Supervisor,
        &dir.path().join("grace"),
    );
    let mut t = HttpTransport::new(&server.url).unwrap();
    let refused = grace.invite(
        &mut t,
        Role::DataOfficer,
        std::time::Duration::from_secs(60),
    );
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
}
