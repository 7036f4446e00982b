//! A tampered app on a team member's tablet, signing genuinely as that tablet, against the
//! records everyone else relies on (issue 16, findings 8 and 9).

use komora_core::{NewClient, NewSession, Role, TeamPolicy};
use komora_scenarios::server::{backends, Backend, TestServer};
use komora_scenarios::{bootstrap_admin, enrol, open_case_with_consent, sync};

/// Finding 8: receivers shredded whatever id an erasure named, so a modified supervisor app
/// could delete single sessions, cases or the team's policy on every tablet. Only a client's
/// file can be erased now; an erasure naming anything else destroys nothing, anywhere.
fn erasing_what_is_not_a_file(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut tampered = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("s"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let odette = claudine
        .add_client(&NewClient {
            name: "Mukamana Odette".into(),
            ..Default::default()
        })
        .unwrap();
    let case = open_case_with_consent(&mut claudine, odette, "trauma");
    let mut visit = NewSession::new(case, "home-visit");
    visit.notes = Some("Her son came home.".into());
    let session = claudine.add_session(&visit).unwrap();
    admin
        .set_team_policy(&TeamPolicy {
            auto_lock_minutes: Some(5),
            wipe_after_failures: None,
        })
        .unwrap();
    sync(&mut claudine).unwrap();
    sync(&mut admin).unwrap();
    sync(&mut tampered).unwrap();
    let policy = tampered.team_policy_record();
    for target in [session, case, policy] {
        tampered.erase_anything(target).unwrap();
    }
    // Not even on the tampered tablet itself.
    assert!(tampered.session(session).is_ok());
    sync(&mut tampered).unwrap();
    for v in [&mut claudine, &mut admin] {
        let report = sync(v).unwrap();
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        assert!(v.session(session).is_ok(), "the session is still there");
        assert!(v.case(case).is_ok(), "the case is still there");
        assert_eq!(v.team_policy().unwrap().auto_lock_minutes, Some(5));
        assert!(v.client(odette).is_ok());
    }
    assert_eq!(
        claudine.session(session).unwrap().notes.as_deref(),
        Some("Her son came home.")
    );
}

#[test]
fn a_tampered_supervisor_app_cannot_erase_a_session_a_case_or_the_policy() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        erasing_what_is_not_a_file(&backend);
    }
}

/// Finding 9: the policy record had one fixed id and "the first kind seen wins", so an insider
/// could create that id first as another kind: administrators' policy writes were refused and
/// tablets diverged by arrival order. A record's kind is now part of its id, and the policy's
/// id is per team: the squatter's record is refused everywhere, the policy is set as usual.
fn squatting_the_policy(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut squatter = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("x"));
    let mut bosco = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("b"));
    sync(&mut squatter).unwrap();
    let policy = squatter.team_policy_record();
    let fake = squatter
        .forge_record_at(policy, "group", "kind", "healing-group")
        .unwrap();
    squatter.smuggle(&fake).unwrap();
    sync(&mut squatter).unwrap();
    // Bosco receives the squatter's record before any policy exists.
    let report = sync(&mut bosco).unwrap();
    assert_eq!(report.rejected.len(), 1, "{:?}", report.rejected);
    assert_eq!(
        report.rejected[0].reason,
        komora_core::RejectReason::KindMismatch
    );
    // Refused, and not logged either: Bosco never hands it on, and it is refused again, not
    // counted as a duplicate, if it comes back.
    assert!(bosco
        .all_ops()
        .unwrap()
        .iter()
        .all(|e| e.op_id() != fake.op_id()));
    let again = bosco.apply_ops(std::slice::from_ref(&fake)).unwrap();
    assert_eq!((again.duplicates, again.rejected.len()), (0, 1));
    assert!(bosco
        .all_ops()
        .unwrap()
        .iter()
        .all(|e| e.op_id() != fake.op_id()));
    sync(&mut admin).unwrap();
    admin
        .set_team_policy(&TeamPolicy {
            auto_lock_minutes: Some(7),
            wipe_after_failures: Some(10),
        })
        .unwrap();
    sync(&mut admin).unwrap();
    for v in [&mut bosco, &mut squatter] {
        sync(v).unwrap();
        let p = v.team_policy().unwrap();
        assert_eq!(
            (p.auto_lock_minutes, p.wipe_after_failures),
            (Some(7), Some(10))
        );
    }
}

#[test]
fn an_insider_who_takes_the_policy_id_first_blocks_nothing() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        squatting_the_policy(&backend);
    }
}
