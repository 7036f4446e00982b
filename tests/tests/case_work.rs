//! The Huye team's ordinary days, on replicas that meet only now and then: a counsellor
//! (Claudine), a colleague (Jean) and their supervisor (Grace). Every scenario exchanges
//! operations between vaults exactly as sync does, and checks what each person would see.

use komora_core::{
    CaseEdit, CaseStatus, CaseloadFilter, ConsentDecision, ConsentGiver, Date, Error, Language,
    NewAssessment, NewCase, NewClient, NewConsent, NewGroup, NewReferral, NewSession, QueueReason,
    RecordId, ReferralStatus, ReportOptions, ReviewStanding, RiskLevel, Sex, TeamKeys,
    TimelineEvent, Vault, Verdict,
};
use komora_scenarios::{exchange, send, ManualClock, MORNING_MS};

const DAY_MS: u64 = 86_400_000;

struct Team {
    claudine: Vault,
    jean: Vault,
    grace: Vault,
    clock: std::sync::Arc<ManualClock>,
}

fn huye_team() -> Team {
    let clock = ManualClock::at(MORNING_MS);
    let keys = TeamKeys::generate();
    Team {
        claudine: Vault::ephemeral(&keys, clock.clone()).unwrap(),
        jean: Vault::ephemeral(&keys, clock.clone()).unwrap(),
        grace: Vault::ephemeral(&keys, clock.clone()).unwrap(),
        clock,
    }
}

fn client(v: &mut Vault, name: &str, sex: Sex, birth_year: u16) -> RecordId {
    v.add_client(&NewClient {
        name: name.into(),
        sex: Some(sex),
        birth_year: Some(birth_year),
        ..Default::default()
    })
    .unwrap()
}

fn open_case(v: &mut Vault, clients: &[RecordId]) -> RecordId {
    v.add_case(&NewCase {
        clients: clients.to_vec(),
        problems: vec!["trauma".into(), "grief".into()],
        opened: Some(v.today().add_days(-30)),
        ..Default::default()
    })
    .unwrap()
}

/// Everything a refusal must leave untouched: the operations held.
fn held(v: &Vault) -> komora_core::Summary {
    v.summary().unwrap()
}

const PHQ9_SCORE_14: [u8; 9] = [2, 2, 2, 2, 2, 2, 1, 1, 0];

#[test]
fn a_home_visit_with_a_phq9_goes_to_review_comes_back_for_changes_and_is_approved() {
    let mut t = huye_team();
    let odette = client(&mut t.claudine, "Mukamana Odette", Sex::Female, 1978);
    let case = open_case(&mut t.claudine, &[odette]);

    // Offline in Nyaruguru: a home visit with a PHQ-9.
    let mut visit = NewSession::new(case, "home-visit");
    visit.duration_min = Some(75);
    visit.notes = Some("Spoke about the anniversary; sleeping badly.".into());
    visit.household_present = vec!["her eldest son".into()];
    visit.safety_notes = Some("Neighbour drinks; meet outside next time.".into());
    visit.next_appointment = Some(t.claudine.today().add_days(7));
    visit.interventions = vec!["psychoeducation".into(), "relaxation".into()];
    let session = t.claudine.add_session(&visit).unwrap();
    let mut phq = NewAssessment::new(odette, "phq-9", PHQ9_SCORE_14.to_vec());
    phq.case = Some(case);
    phq.session = Some(session);
    let (_, score) = t.claudine.add_assessment(&phq).unwrap();
    assert_eq!((score.total, score.band.as_str()), (14, "moderate"));
    assert!(score.alerts.is_empty());

    // Back in the office, the tablets exchange operations with Grace's.
    exchange(&mut t.claudine, &mut t.grace);
    let queue = t.grace.review_queue().unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].session.id, session);
    assert_eq!(queue[0].reason, QueueReason::NotReviewed);
    assert_eq!(
        t.grace.review_standing(session).unwrap(),
        ReviewStanding::NotReviewed
    );
    assert_eq!(queue[0].session.notes, None, "the queue carries no notes");
    let seen = t.grace.session(session).unwrap();
    assert_eq!(
        seen.notes.as_deref(),
        Some("Spoke about the anniversary; sleeping badly.")
    );
    assert_eq!(seen.household_present, vec!["her eldest son".to_owned()]);

    // Grace asks for a safety plan; meanwhile Claudine, offline, adds to the notes.
    t.clock.advance(3_600_000);
    let review = t
        .grace
        .add_review(
            session,
            Verdict::NeedsChanges,
            Some("Add the safety plan you agreed."),
        )
        .unwrap();
    t.claudine
        .edit_session(
            session,
            &komora_core::SessionEdit {
                follow_up_plan: Some("Visit with the local leader next week.".into()),
                ..Default::default()
            },
        )
        .unwrap();
    exchange(&mut t.claudine, &mut t.grace);
    assert!(
        t.grace.review_queue().unwrap().is_empty(),
        "waiting for Claudine"
    );
    let requests = t.claudine.change_requests().unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].id, review);
    // Both tablets' screens say the same, from the core (issue 19, item 6): the app no
    // longer works it out itself.
    for v in [&t.claudine, &t.grace] {
        assert_eq!(
            v.review_standing(session).unwrap(),
            ReviewStanding::WaitingForCounsellor
        );
    }

    // Claudine answers; the session returns to Grace's queue; Grace approves.
    t.claudine
        .edit_session(
            session,
            &komora_core::SessionEdit {
                add_interventions: vec!["safety-planning".into()],
                ..Default::default()
            },
        )
        .unwrap();
    t.claudine
        .answer_review(
            review,
            "Safety plan added: she stays with her sister if he drinks.",
        )
        .unwrap();
    exchange(&mut t.claudine, &mut t.grace);
    assert!(t.claudine.change_requests().unwrap().is_empty());
    let queue = t.grace.review_queue().unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].reason, QueueReason::Answered { review });
    assert_eq!(
        t.grace.review_standing(session).unwrap(),
        ReviewStanding::Answered
    );
    t.grace
        .add_review(session, Verdict::Approved, None)
        .unwrap();
    // A comment after the approval changes nothing of where the session stands.
    t.clock.advance(60_000);
    t.grace
        .add_review(session, Verdict::Comment, Some("Good work."))
        .unwrap();
    exchange(&mut t.claudine, &mut t.grace);
    assert_eq!(
        t.claudine.review_standing(session).unwrap(),
        ReviewStanding::Approved
    );
    assert!(t.grace.review_queue().unwrap().is_empty());

    // Both see the same session, both reviews, every word.
    for v in [&t.claudine, &t.grace] {
        let s = v.session(session).unwrap();
        assert!(s.interventions.contains(&"safety-planning".to_owned()));
        assert_eq!(
            s.follow_up_plan.as_deref(),
            Some("Visit with the local leader next week.")
        );
        let reviews = v.reviews_of(session).unwrap();
        assert_eq!(reviews.len(), 3);
        assert_eq!(
            reviews[0].response.as_deref(),
            Some("Safety plan added: she stays with her sister if he drinks.")
        );
        assert_eq!(reviews[1].verdict, Verdict::Approved);
        assert_eq!(reviews[2].comment.as_deref(), Some("Good work."));
    }
    assert_eq!(
        t.claudine.session(session).unwrap(),
        t.grace.session(session).unwrap()
    );
}

#[test]
fn a_suicide_risk_answer_puts_the_case_at_the_top_of_the_supervisors_queue() {
    let mut t = huye_team();
    let a = client(&mut t.claudine, "Habimana Eric", Sex::Male, 1990);
    let b = client(&mut t.claudine, "Uwase Diane", Sex::Female, 1995);
    let older = open_case(&mut t.claudine, &[a]);
    let newer = open_case(&mut t.claudine, &[b]);
    // Today's session is recorded first, the older one (three days ago) afterwards: the queue
    // goes by the session's date, not by when it was typed in.
    let s2 = t
        .claudine
        .add_session(&NewSession::new(newer, "phone"))
        .unwrap();
    let mut s1 = NewSession::new(older, "office");
    s1.date = Some(t.claudine.today().add_days(-3));
    let s1 = t.claudine.add_session(&s1).unwrap();
    exchange(&mut t.claudine, &mut t.grace);
    assert_ne!(
        t.grace.review_queue().unwrap()[0].session.id,
        s2,
        "oldest first"
    );
    let order: Vec<_> = t
        .grace
        .review_queue()
        .unwrap()
        .iter()
        .map(|i| i.session.id)
        .collect();
    assert_eq!(order, [s1, s2], "oldest first");

    // Item 9 answered "several days": the suicide-risk flag rises with the assessment.
    let mut phq = NewAssessment::new(b, "phq-9", vec![1, 1, 1, 1, 0, 0, 0, 0, 1]);
    phq.case = Some(newer);
    let (_, score) = t.claudine.add_assessment(&phq).unwrap();
    assert_eq!(score.alerts, vec!["suicide-risk".to_owned()]);
    assert!(
        !format!("{score:?}").contains("suicide"),
        "a score prints nothing of the person"
    );
    assert_eq!(
        t.claudine.case(newer).unwrap().risk_flags,
        vec!["suicide-risk".to_owned()]
    );
    exchange(&mut t.claudine, &mut t.grace);
    let queue = t.grace.review_queue().unwrap();
    assert_eq!(queue[0].session.id, s2, "the flagged case comes first");
    assert!(queue[0].case.is_urgent());
    let load = t
        .claudine
        .caseload(&CaseloadFilter {
            risk: Some(RiskLevel::High),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(load.len(), 1);
    assert_eq!(load[0].case.id, newer);

    // Given during a session, without naming the case: the flag reaches the session's case.
    let mut in_session = NewAssessment::new(a, "phq-9", vec![0, 0, 0, 0, 0, 0, 0, 0, 2]);
    in_session.session = Some(s1);
    t.claudine.add_assessment(&in_session).unwrap();
    assert_eq!(
        t.claudine.case(older).unwrap().risk_flags,
        vec!["suicide-risk".to_owned()]
    );
    let mut mismatched = in_session.clone();
    mismatched.case = Some(newer);
    assert!(matches!(
        t.claudine.add_assessment(&mismatched),
        Err(Error::Validation {
            field: "session",
            ..
        })
    ));
}

#[test]
fn two_facilitators_mark_attendance_offline_and_both_marks_count() {
    let mut t = huye_team();
    let members: Vec<RecordId> = (0..6)
        .map(|i| {
            client(
                &mut t.claudine,
                &format!("Member {i}"),
                Sex::Female,
                1960 + i,
            )
        })
        .collect();
    let group = t
        .claudine
        .add_group(&NewGroup {
            name: "Ruheru healing group".into(),
            kind: "healing-group".into(),
            facilitators: vec!["Claudine".into(), "Jean".into()],
            members: members.clone(),
            ..Default::default()
        })
        .unwrap();
    let g = t.claudine.group(group).unwrap();
    assert_eq!(g.cycle_length, 15);
    assert_eq!(g.default_phase(1), "safety");
    assert_eq!(g.default_phase(15), "memories");
    let first = t
        .claudine
        .add_group_session(group, 1, None, None, Some("Opening circle."))
        .unwrap();
    exchange(&mut t.claudine, &mut t.jean);

    // Each marks the members near them, offline; two mark the same person; Jean also
    // unmarks someone only Claudine had marked — he had not seen her mark.
    for m in &members[..3] {
        t.claudine.mark_attendance(first, *m, true).unwrap();
    }
    for m in &members[2..5] {
        t.jean.mark_attendance(first, *m, true).unwrap();
    }
    t.jean.mark_attendance(first, members[0], false).unwrap(); // not marked on his tablet: no-op
    exchange(&mut t.claudine, &mut t.jean);
    for v in [&t.claudine, &t.jean] {
        let s = v.group_session(first).unwrap();
        let mut want = members[..5].to_vec();
        want.sort();
        let mut got = s.attendance.clone();
        got.sort();
        assert_eq!(got, want, "five attended, every mark counted once");
        assert_eq!(s.phase, "safety");
    }
    // Someone outside the group cannot be marked.
    let outsider = client(&mut t.jean, "Not A Member", Sex::Male, 1970);
    let before = held(&t.jean);
    assert!(matches!(
        t.jean.mark_attendance(first, outsider, true),
        Err(Error::Validation {
            field: "attendance",
            ..
        })
    ));
    assert_eq!(held(&t.jean), before);
    // The member appears in the timeline through the group session.
    let timeline = t.jean.timeline(members[4]).unwrap();
    assert!(timeline
        .iter()
        .any(|e| matches!(e.event, TimelineEvent::GroupSession(_))));
}

#[test]
fn consent_under_16_needs_a_guardian_and_a_withdrawal_stops_new_records() {
    let mut t = huye_team();
    let child = client(&mut t.claudine, "Ishimwe Kevin", Sex::Male, 2014);
    let mut by_self = NewConsent {
        client: child,
        scope: "services".into(),
        decision: ConsentDecision::Given,
        language: Language::Kinyarwanda,
        given_by: ConsentGiver::Client,
        guardian_name: None,
        date: None,
    };
    let before = held(&t.claudine);
    let err = t.claudine.add_consent(&by_self).unwrap_err();
    assert!(matches!(
        err,
        Error::Validation {
            field: "given_by",
            ..
        }
    ));
    assert!(err.to_string().contains("under 16"), "{err}");
    assert_eq!(held(&t.claudine), before, "a refusal writes nothing");
    by_self.given_by = ConsentGiver::Guardian;
    by_self.guardian_name = Some("Mukeshimana Alice".into());
    t.claudine.add_consent(&by_self).unwrap();
    let adult = client(&mut t.claudine, "Niyonsaba Claire", Sex::Female, 1985);
    let case = open_case(&mut t.claudine, &[adult]);
    t.claudine
        .add_session(&NewSession::new(case, "office"))
        .unwrap();

    // She withdraws consent to data recording; Jean learns of it by sync.
    t.clock.advance(DAY_MS);
    t.claudine
        .add_consent(&NewConsent {
            client: adult,
            scope: "data-recording".into(),
            decision: ConsentDecision::Withdrawn,
            language: Language::French,
            given_by: ConsentGiver::Client,
            guardian_name: None,
            date: None,
        })
        .unwrap();
    exchange(&mut t.claudine, &mut t.jean);
    for v in [&mut t.claudine, &mut t.jean] {
        let before = held(v);
        let err = v.add_session(&NewSession::new(case, "office")).unwrap_err();
        assert!(
            matches!(&err, Error::ConsentWithdrawn { scope } if scope == "data-recording"),
            "{err}"
        );
        let mut backdated = NewAssessment::new(adult, "who-5", vec![3; 5]);
        backdated.date = Some(v.today().add_days(-10));
        assert!(matches!(
            v.add_assessment(&backdated),
            Err(Error::ConsentWithdrawn { .. })
        ));
        assert_eq!(held(v), before);
    }
    // Sharing was not withdrawn: a referral is still possible.
    t.jean
        .add_referral(&NewReferral::new(adult, "health-centre"))
        .unwrap();
    let consents = t.jean.consents(adult).unwrap();
    assert_eq!(consents[0].decision, ConsentDecision::Withdrawn);
}

fn consent(v: &mut Vault, client: RecordId, scope: &str, decision: ConsentDecision) {
    v.add_consent(&NewConsent {
        client,
        scope: scope.into(),
        decision,
        language: Language::Kinyarwanda,
        given_by: ConsentGiver::Client,
        guardian_name: None,
        date: None,
    })
    .unwrap();
}

#[test]
fn each_consent_scope_is_honoured_on_its_own_and_consent_given_again_counts() {
    let mut t = huye_team();
    let paul = client(&mut t.claudine, "Bizimana Paul", Sex::Male, 1985);
    let case = open_case(&mut t.claudine, &[paul]);
    let v = &mut t.claudine;

    // He no longer wants his file shared with partners: no referral, sessions go on.
    t.clock.advance(DAY_MS);
    consent(v, paul, "sharing", ConsentDecision::Withdrawn);
    let err = v
        .add_referral(&NewReferral::new(paul, "health-centre"))
        .unwrap_err();
    assert!(
        matches!(&err, Error::ConsentWithdrawn { scope } if scope == "sharing"),
        "{err}"
    );
    v.add_session(&NewSession::new(case, "office")).unwrap();

    // He stops the counselling itself: no new session.
    t.clock.advance(DAY_MS);
    consent(v, paul, "services", ConsentDecision::Withdrawn);
    let err = v.add_session(&NewSession::new(case, "office")).unwrap_err();
    assert!(
        matches!(&err, Error::ConsentWithdrawn { scope } if scope == "services"),
        "{err}"
    );

    // A month later he comes back and agrees again: the latest decision counts.
    t.clock.advance(30 * DAY_MS);
    consent(v, paul, "services", ConsentDecision::Given);
    v.add_session(&NewSession::new(case, "home-visit")).unwrap();
    let consents = v.consents(paul).unwrap();
    assert_eq!(consents[0].decision, ConsentDecision::Given, "newest first");
    assert_eq!(consents.len(), 3);
}

#[test]
fn bad_input_is_refused_with_a_reason_and_changes_nothing() {
    let mut t = huye_team();
    let odette = client(&mut t.claudine, "Mukamana Odette", Sex::Female, 1978);
    let case = open_case(&mut t.claudine, &[odette]);
    let v = &mut t.claudine;
    let before = held(v);

    let out_of_range = NewAssessment::new(odette, "phq-9", vec![0, 1, 2, 3, 4, 0, 0, 0, 0]);
    let err = v.add_assessment(&out_of_range).unwrap_err();
    assert!(err.to_string().contains("question 5"), "{err}");
    let short = NewAssessment::new(odette, "phq-9", vec![0; 8]);
    assert!(v
        .add_assessment(&short)
        .unwrap_err()
        .to_string()
        .contains("9 questions"));
    let mut unknown_version = NewAssessment::new(odette, "phq-9", vec![0; 9]);
    unknown_version.version = Some(7);
    let err = v.add_assessment(&unknown_version).unwrap_err();
    assert!(err.to_string().contains("version"), "{err}");
    assert!(v
        .add_assessment(&NewAssessment::new(odette, "beck-ii", vec![0; 21]))
        .is_err());
    let mut future = NewSession::new(case, "office");
    future.date = Some(v.today().add_days(2));
    assert!(matches!(
        v.add_session(&future),
        Err(Error::Validation { field: "date", .. })
    ));
    assert!(matches!(
        v.add_session(&NewSession::new(case, "by-pigeon")),
        Err(Error::Validation {
            field: "modality",
            ..
        })
    ));
    let mut office_with_household = NewSession::new(case, "office");
    office_with_household.household_present = vec!["husband".into()];
    assert!(v.add_session(&office_with_household).is_err());
    assert!(
        v.add_review(case, Verdict::NeedsChanges, None).is_err(),
        "a request for changes says which"
    );
    assert!(matches!(
        v.add_review(case, Verdict::NeedsChanges, None),
        Err(Error::Validation {
            field: "comment",
            ..
        })
    ));
    assert_eq!(held(v), before, "nothing was written");

    // A closed case takes no new session.
    v.edit_case(
        case,
        &CaseEdit {
            status: Some(CaseStatus::Closed),
            ..Default::default()
        },
    )
    .unwrap();
    let before = held(v);
    let err = v.add_session(&NewSession::new(case, "office")).unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    assert_eq!(held(v), before);
    // No error message carries what was typed.
    let mut noisy = NewSession::new(case, "Zzsecret-modality");
    noisy.notes = Some("Zzsecret".into());
    let msg = v.add_session(&noisy).unwrap_err().to_string();
    assert!(!msg.contains("Zzsecret"), "{msg}");
}

#[test]
fn an_overdue_referral_surfaces_and_closing_its_case_asks_for_a_reason() {
    let mut t = huye_team();
    let eric = client(&mut t.claudine, "Habimana Eric", Sex::Male, 1990);
    let case = open_case(&mut t.claudine, &[eric]);
    let mut r = NewReferral::new(eric, "isange");
    r.case = Some(case);
    r.organisation = Some("Isange, Kigali".into());
    r.follow_up = Some(t.claudine.today().add_days(5));
    let referral = t.claudine.add_referral(&r).unwrap();
    assert!(t.claudine.follow_ups(0, false).unwrap().is_empty());
    assert_eq!(t.claudine.follow_ups(7, false).unwrap().len(), 1);

    t.clock.advance(8 * DAY_MS);
    let due = t.claudine.follow_ups(0, false).unwrap();
    assert_eq!(due.len(), 1);
    assert!(due[0].overdue);
    let load = t
        .claudine
        .caseload(&CaseloadFilter {
            follow_up_due: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!((load.len(), load[0].overdue_referrals), (1, 1));

    let close = CaseEdit {
        status: Some(CaseStatus::Closed),
        ..Default::default()
    };
    let before = held(&t.claudine);
    let err = t.claudine.edit_case(case, &close).unwrap_err();
    assert!(matches!(
        err,
        Error::Validation {
            field: "close_reason",
            ..
        }
    ));
    assert_eq!(held(&t.claudine), before);
    t.claudine
        .edit_case(
            case,
            &CaseEdit {
                close_reason: Some("Moved to Kigali; Isange follows him.".into()),
                ..close.clone()
            },
        )
        .unwrap();
    assert!(t
        .claudine
        .caseload(&CaseloadFilter::default())
        .unwrap()
        .is_empty());
    t.claudine
        .update_referral(referral, Some(ReferralStatus::Completed), None)
        .unwrap();
    assert!(t.claudine.follow_ups(30, false).unwrap().is_empty());
    send(&t.claudine, &mut t.grace);
    assert_eq!(
        t.grace.case(case).unwrap().close_reason.as_deref(),
        Some("Moved to Kigali; Isange follows him.")
    );

    // He comes back: the case reopens, its reason goes, and no conflict is left behind.
    t.claudine
        .edit_case(
            case,
            &CaseEdit {
                status: Some(CaseStatus::Active),
                ..Default::default()
            },
        )
        .unwrap();
    let reopened = t.claudine.case(case).unwrap();
    assert_eq!(reopened.close_reason, None);
    assert!(reopened.conflicts.is_empty(), "{:?}", reopened.conflicts);
    let err = t
        .claudine
        .edit_case(
            case,
            &CaseEdit {
                close_reason: Some("a reason for an open case".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Validation {
            field: "close_reason",
            ..
        }
    ));
}

#[test]
fn a_clients_timeline_and_scores_over_time_read_the_same_on_every_tablet() {
    let mut t = huye_team();
    let odette = client(&mut t.claudine, "Mukamana Odette", Sex::Female, 1978);
    let case = open_case(&mut t.claudine, &[odette]);
    let answers: [[u8; 9]; 3] = [
        [3, 3, 2, 2, 2, 2, 2, 2, 0],
        PHQ9_SCORE_14,
        [1, 1, 1, 0, 0, 1, 0, 0, 0],
    ];
    for (i, a) in answers.iter().enumerate() {
        t.clock.advance(7 * DAY_MS);
        let mut s = NewSession::new(case, if i == 1 { "home-visit" } else { "office" });
        s.next_appointment = Some(t.claudine.today().add_days(7));
        let session = t.claudine.add_session(&s).unwrap();
        let mut phq = NewAssessment::new(odette, "phq-9", a.to_vec());
        phq.case = Some(case);
        phq.session = Some(session);
        t.claudine.add_assessment(&phq).unwrap();
    }
    exchange(&mut t.claudine, &mut t.jean);
    for v in [&t.claudine, &t.jean] {
        let trends = v.measure_trends(odette).unwrap();
        assert_eq!(trends.len(), 1);
        let scores: Vec<u32> = trends[0].points.iter().map(|p| p.1).collect();
        assert_eq!(scores, vec![18, 14, 4]);
        assert_eq!(trends[0].points[2].2, "minimal");
        assert!(trends[0].improved);
        let timeline = v.timeline(odette).unwrap();
        assert_eq!(timeline.len(), 1 + 3 + 3, "case, sessions, assessments");
        assert!(
            timeline.windows(2).all(|w| w[0].date >= w[1].date),
            "newest first"
        );
        assert!(matches!(
            timeline.last().unwrap().event,
            TimelineEvent::CaseOpened(_)
        ));
    }
}

#[test]
fn the_donor_report_counts_without_naming_anyone_and_hides_small_numbers() {
    let mut t = huye_team();
    let v = &mut t.claudine;
    let mut ids = Vec::new();
    for i in 0..7u16 {
        ids.push(
            v.add_client(&NewClient {
                name: format!("Zzname{i} Uwimana"),
                code: Some(format!("ZZCODE-{i}")),
                phone: Some(format!("+25078800{i:04}")),
                sex: Some(if i < 6 { Sex::Female } else { Sex::Male }),
                birth_year: Some(1980 + i),
                location: Some(komora_core::LocationInput {
                    district: "Huye".into(),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .unwrap(),
        );
    }
    for id in &ids {
        let case = open_case(v, &[*id]);
        let mut s = NewSession::new(case, "office");
        s.notes = Some("Zznote private words".into());
        v.add_session(&s).unwrap();
        for answers in [[2u8; 9], [1u8; 9]] {
            let mut a = NewAssessment::new(*id, "phq-9", answers.to_vec());
            a.case = Some(case);
            v.add_assessment(&a).unwrap();
        }
    }
    let csv = v.report_csv(&ReportOptions::default()).unwrap();
    for secret in ["Zzname", "Uwimana", "ZZCODE", "2507880", "Zznote"] {
        assert!(!csv.contains(secret), "{secret} leaked into the report");
    }
    let month = {
        let d: Date = v.today();
        format!("{:04}-{:02}", d.year(), d.month())
    };
    let row = |dim: &str, value: &str| {
        csv.lines()
            .find(|l| l.starts_with(&format!("clients_reached,{month},{dim},{value},")))
            .unwrap_or_else(|| panic!("no row for {dim}={value} in\n{csv}"))
            .to_owned()
    };
    assert!(row("all", "all").ends_with(",7,"));
    assert!(row("district", "Huye").ends_with(",7,"));
    assert!(row("sex", "F").ends_with(",6,"));
    assert!(
        row("sex", "M").ends_with(",<5,"),
        "one man cannot be singled out"
    );
    let change = csv
        .lines()
        .find(|l| l.starts_with("measure_change,"))
        .unwrap();
    assert_eq!(change, "measure_change,period,instrument,phq-9,7,-9.0");
}

#[test]
fn a_family_is_linked_once_and_each_member_sees_the_others_from_their_side() {
    let mut t = huye_team();
    let mother = client(&mut t.claudine, "Mukamana Odette", Sex::Female, 1978);
    let son = client(&mut t.claudine, "Ishimwe Kevin", Sex::Male, 2012);
    let father = client(&mut t.claudine, "Habimana Eric", Sex::Male, 1975);
    t.claudine.link_clients(son, mother, "parent").unwrap();
    exchange(&mut t.claudine, &mut t.jean);
    // Offline, Jean links the father while Claudine records the couple.
    t.jean.link_clients(son, father, "parent").unwrap();
    t.claudine.link_clients(mother, father, "spouse").unwrap();
    exchange(&mut t.claudine, &mut t.jean);
    for v in [&t.claudine, &t.jean] {
        let of_son: Vec<(RecordId, String)> = v
            .household(son)
            .unwrap()
            .into_iter()
            .map(|l| (l.client, l.relation))
            .collect();
        assert_eq!(of_son.len(), 2);
        assert!(of_son.contains(&(mother, "parent".into())));
        assert!(of_son.contains(&(father, "parent".into())));
        let of_mother = v.household(mother).unwrap();
        assert!(of_mother
            .iter()
            .any(|l| l.client == son && l.relation == "child"));
        assert!(of_mother
            .iter()
            .any(|l| l.client == father && l.relation == "spouse"));
    }
    let before = held(&t.jean);
    assert!(t.jean.link_clients(son, son, "sibling").is_err());
    assert!(t.jean.link_clients(son, mother, "cousin-in-law").is_err());
    assert_eq!(held(&t.jean), before);
    t.jean.unlink_clients(mother, son).unwrap();
    assert!(t
        .jean
        .household(son)
        .unwrap()
        .iter()
        .all(|l| l.client != mother));

    // The father is recorded again, from the other side and as a guardian: the son's old
    // link goes and the father's new one comes (one operation each, in one transaction).
    let before = t.jean.summary().unwrap().len();
    t.jean.link_clients(father, son, "guardian").unwrap();
    assert_eq!(t.jean.summary().unwrap().len(), before + 2);
    let of_son = t.jean.household(son).unwrap();
    let to_father: Vec<_> = of_son.iter().filter(|l| l.client == father).collect();
    assert_eq!(to_father.len(), 1, "{of_son:?}");
}

#[test]
fn the_audit_trail_says_who_created_changed_and_viewed_what_without_a_word_of_content() {
    use komora_core::AuditAction;
    let mut t = huye_team();
    let odette = client(&mut t.claudine, "Zzname Mukamana", Sex::Female, 1978);
    let case = open_case(&mut t.claudine, &[odette]);
    let mut s = NewSession::new(case, "office");
    s.notes = Some("Zznotes she trusted us with".into());
    let session = t.claudine.add_session(&s).unwrap();
    exchange(&mut t.claudine, &mut t.grace);

    // Grace opens the session three times in a few minutes, then edits nothing.
    for _ in 0..3 {
        assert!(t.grace.view_session(session).unwrap().notes.is_some());
        t.clock.advance(60_000);
    }
    t.claudine
        .edit_session(
            session,
            &komora_core::SessionEdit {
                duration_min: Some(45),
                ..Default::default()
            },
        )
        .unwrap();
    exchange(&mut t.claudine, &mut t.grace);

    let trail = t.claudine.audit_trail().unwrap();
    let about: Vec<_> = trail.iter().filter(|e| e.record == Some(session)).collect();
    let actions: Vec<(AuditAction, komora_core::DeviceId)> =
        about.iter().map(|e| (e.action, e.device)).collect();
    assert_eq!(
        actions,
        vec![
            (AuditAction::Created, t.claudine.device_id()),
            (AuditAction::Viewed, t.grace.device_id()),
            (AuditAction::Changed, t.claudine.device_id()),
        ],
        "three views within minutes are noted once"
    );
    assert_eq!(about[2].fields, vec!["duration_min".to_owned()]);
    assert_eq!(
        trail,
        t.grace.audit_trail().unwrap(),
        "every tablet tells the same story"
    );
    let csv = t.grace.audit_csv().unwrap();
    assert!(csv.contains(",viewed,session,"));
    assert!(!csv.contains("Zz"), "no names or notes in the audit: {csv}");
    // Exporting the trail, or the donor report, is itself in the trail.
    t.grace.report_csv(&ReportOptions::default()).unwrap();
    let exported: Vec<String> = t
        .grace
        .audit_trail()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::Exported && e.device == t.grace.device_id())
        .map(|e| e.kind)
        .collect();
    assert_eq!(exported, ["audit", "report"]);
}
