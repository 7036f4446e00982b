//! What the convergence properties found, each as the field would meet it. A finding not fixed
//! yet fails and is ignored (`cargo test -- --ignored` runs them); the properties
//! (`replicas_always_converge.rs`, `replicas_converge_across_rotation_and_transfer.rs`) step
//! around it and say where. A fixed one loses its `#[ignore]` and its step-around, and stays
//! here as the test that would catch it again.

use komora_core::{
    HttpTransport, NewAssessment, NewClient, NewRightsRequest, RecordId, Right, Role, TeamKeys,
    Vault,
};
use komora_scenarios::server::TestServer;
use komora_scenarios::{
    bootstrap_admin, enrol, fast_options, open_case_with_consent, send, sync, ManualClock,
    MORNING_MS,
};

fn uwase(v: &mut Vault) -> RecordId {
    v.add_client(&NewClient {
        name: "Uwase Immaculée".into(),
        ..Default::default()
    })
    .unwrap()
}

/// The records an audit trail names (what it lists, not when).
fn audited(v: &Vault) -> Vec<(String, Option<RecordId>)> {
    let mut out: Vec<_> = v
        .audit_trail()
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.record))
        .collect();
    out.sort();
    out
}

/// A counsellor scores Uwase's PHQ-9; the supervisor receives it, then erases her file at her
/// request. The supervisor's tablet keeps the assessment's operation (ciphertext under a key
/// that is gone) and its audit trail lists "assessment created"; a tablet that received the
/// erasure first used to drop the operation and list nothing of it, so the trail of an erased
/// file depended on the order things arrived in, and every batch file from the supervisor
/// carried the operation again, to be dropped again. Fixed: every tablet keeps the operations
/// of an erased file's other records, unmerged (`store/sync.rs`); the client's own, which
/// carried the key, are kept by none (ADR 0010).
#[test]
fn every_tablet_keeps_the_same_trace_of_an_erased_file() {
    let team = TeamKeys::generate();
    let clock = ManualClock::at(MORNING_MS);
    let mut supervisor = Vault::ephemeral(&team, clock.clone()).unwrap();
    let mut counsellor = Vault::ephemeral(&team, clock.clone()).unwrap();
    let mut other = Vault::ephemeral(&team, clock.clone()).unwrap();
    let client = uwase(&mut supervisor);
    send(&supervisor, &mut counsellor);
    send(&supervisor, &mut other);
    counsellor
        .add_assessment(&NewAssessment::new(client, "phq-9", vec![1; 9]))
        .unwrap();
    send(&counsellor, &mut supervisor);
    let before = supervisor.summary().unwrap();
    supervisor.erase_client(client, "client-request").unwrap();
    // The other tablet receives the erasure alone (a page that held nothing else), then the
    // counsellor's batch file.
    let erasure = supervisor.ops_missing_from(&before).unwrap();
    other.apply_ops(&erasure).unwrap();
    send(&counsellor, &mut other);
    send(&supervisor, &mut other);
    assert_eq!(
        other
            .ops_missing_from(&supervisor.summary().unwrap())
            .unwrap()
            .len(),
        0,
        "the other tablet holds nothing the supervisor lacks"
    );
    assert_eq!(audited(&supervisor), audited(&other));
}

/// Two administrators, offline, choose the team's cut-off sets: one the Rwandan SRQ-20 set,
/// the other the PHQ-9 set validated in Rwanda. After they sync, only one choice stood on
/// every tablet (the choices were one JSON map in one register of the policy record). Fixed:
/// each instrument's choice is a field of its own (`casework/cutoffs.rs`), so both stand.
#[test]
fn two_administrators_choosing_cut_off_sets_for_different_instruments_keep_both() {
    let team = TeamKeys::generate();
    let clock = ManualClock::at(MORNING_MS);
    let mut first = Vault::ephemeral(&team, clock.clone()).unwrap();
    let mut second = Vault::ephemeral(&team, clock.clone()).unwrap();
    first
        .choose_cutoff_set("srq-20", "srq-20:scholte-2011-rwanda")
        .unwrap();
    second
        .choose_cutoff_set("phq-9", "phq-9:sebera-2020-epilepsy")
        .unwrap();
    send(&first, &mut second);
    send(&second, &mut first);
    for v in [&first, &second] {
        let choices = v.cutoff_choices().unwrap();
        assert_eq!(choices.len(), 2, "{choices:?}");
    }
}

/// Uwase objects to being counted in the donors' figures. Her family moves from Huye to
/// Nyanza: the move copied her file (client, consents, cases, sessions, scores, referrals,
/// reviews) but not her rights requests, so Nyanza counted her and could share her file with
/// partners, against her standing objection, and Huye's copy was erased. Fixed: her rights
/// requests move with her file (`casework/transfer.rs`, `ORDER`).
#[test]
fn a_case_moved_to_another_team_keeps_its_clients_objections() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut t = HttpTransport::new(&server.url).unwrap();
    let mut nyanza = admin
        .create_team(
            &mut t,
            dir.path().join("admin-nyanza"),
            "admin passphrase",
            "Nyanza",
            fast_options(),
        )
        .unwrap();
    let client = uwase(&mut admin);
    let case = open_case_with_consent(&mut admin, client, "trauma");
    admin
        .add_rights_request(&NewRightsRequest {
            client,
            right: Right::Objection,
            subject: "statistics".into(),
            asked_by: komora_core::ConsentGiver::Client,
            request: None,
            date: None,
        })
        .unwrap();
    admin.copy_case_files(case, &mut nyanza).unwrap();
    let moved = nyanza.rights_requests(client).unwrap();
    assert_eq!(moved.len(), 1, "her objection did not move with her file");
}

/// The Huye team of the lost-tablet findings: its server, its administrator, and three
/// counsellors (Claudine, whose tablet is lost, Jean and Marie), enrolled, not synced yet.
fn three_counsellors() -> (tempfile::TempDir, TestServer, Vault, [Vault; 3]) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let counsellors = ["c", "j", "m"].map(|name| {
        enrol(
            &server,
            &mut admin,
            Role::Counsellor,
            &dir.path().join(name),
        )
    });
    (dir, server, admin, counsellors)
}

/// The administrator revokes Claudine's lost tablet; Jean and Marie then sync twice each.
fn claudines_tablet_is_lost(
    server: &TestServer,
    admin: &mut Vault,
    claudine: &Vault,
    [jean, marie]: [&mut Vault; 2],
) {
    admin
        .revoke_device(
            &mut HttpTransport::new(&server.url).unwrap(),
            claudine.device_id(),
        )
        .unwrap();
    for _ in 0..2 {
        sync(jean).unwrap();
        sync(marie).unwrap();
    }
}

/// Every tablet syncs, then Claudine registers Mukamana and does not sync again (her tablet
/// is about to be lost).
fn mukamana_after_the_last_sync([claudine, jean, marie]: [&mut Vault; 3]) -> RecordId {
    for v in [&mut *claudine, jean, marie] {
        sync(v).unwrap();
    }
    claudine
        .add_client(&NewClient {
            name: "Mukamana Odette".into(),
            ..Default::default()
        })
        .unwrap()
}

/// Claudine's tablet is lost after she handed a colleague, Jean, a batch file of her day's
/// work that she had not synced. The administrator revokes her tablet: the cutoff covers what
/// the server had of hers. Jean's tablet had merged her last edit before it learned the
/// cutoff and kept showing it; every other tablet refused it. The two never agreed again.
/// Fixed: a tablet that learns a cutoff takes out of its log what it merged past it, rebuilds
/// the records from what remains, and notes the refusal in its audit trail as the others do
/// (`store/withdraw.rs`).
#[test]
fn a_lost_tablets_last_batch_file_counts_on_every_tablet_or_on_none() {
    let (_dir, server, mut admin, [mut claudine, mut jean, mut marie]) = three_counsellors();
    let client = uwase(&mut claudine);
    for v in [&mut claudine, &mut jean, &mut marie] {
        sync(v).unwrap();
    }
    claudine
        .edit_client(
            client,
            &komora_core::ClientEdit {
                phone: Some(Some("0788123456".into())),
                ..Default::default()
            },
        )
        .unwrap();
    let (batch, _) = claudine.export_batch(&jean.summary().unwrap()).unwrap();
    jean.import_batch(&batch).unwrap();
    admin
        .revoke_device(
            &mut HttpTransport::new(&server.url).unwrap(),
            claudine.device_id(),
        )
        .unwrap();
    let first = sync(&mut jean).unwrap();
    assert!(
        first.rejected.iter().any(|r| matches!(
            r.reason,
            komora_core::RejectReason::RevokedAuthor(d) if d == claudine.device_id()
        )),
        "Jean's sync does not report the edit it took back: {:?}",
        first.rejected
    );
    for _ in 0..2 {
        sync(&mut jean).unwrap();
        sync(&mut marie).unwrap();
    }
    assert_eq!(
        jean.client(client).unwrap().phone,
        marie.client(client).unwrap().phone
    );
    assert_eq!(jean.client(client).unwrap().phone, None);
    let refused = |v: &Vault| {
        v.audit_trail()
            .unwrap()
            .into_iter()
            .filter(|e| e.action == komora_core::AuditAction::Refused)
            .count()
    };
    assert!(
        refused(&jean) > 0,
        "Jean's audit trail does not say her edit was refused"
    );
    let (after, _) = jean.export_batch(&marie.summary().unwrap()).unwrap();
    assert!(
        marie.import_batch(&after).unwrap().rejected.is_empty(),
        "Jean's later batch files still carry the withdrawn edit"
    );
}

/// The same lost tablet had registered a new client, Mukamana, and handed her to Jean by
/// batch file; Jean recorded a session with her. Her file's keys were in the operation the
/// cutoff refuses: no other tablet can ever open her file. Jean's tablet stops showing her,
/// as every other tablet does; his session stays in his log, sealed, not lost.
#[test]
fn a_client_registered_on_a_lost_tablet_after_its_cutoff_is_shown_by_no_tablet() {
    let (_dir, server, mut admin, [mut claudine, mut jean, mut marie]) = three_counsellors();
    let client = mukamana_after_the_last_sync([&mut claudine, &mut jean, &mut marie]);
    let (batch, _) = claudine.export_batch(&jean.summary().unwrap()).unwrap();
    jean.import_batch(&batch).unwrap();
    let case = open_case_with_consent(&mut jean, client, "grief");
    assert_eq!(jean.clients().unwrap().items.len(), 1);
    claudines_tablet_is_lost(&server, &mut admin, &claudine, [&mut jean, &mut marie]);
    assert_eq!(marie.clients().unwrap().items.len(), 0);
    assert_eq!(
        jean.clients().unwrap().items.len(),
        0,
        "Jean still shows a client no other tablet can open"
    );
    assert!(jean.client(client).is_err());
    assert!(
        jean.case(case).is_err(),
        "Jean still shows the case he opened for her"
    );
    assert!(marie.case(case).is_err());
    assert_eq!(
        audited(&jean),
        audited(&marie),
        "Jean's audit trail lists what no other tablet holds"
    );
}

/// Claudine renames Uwase and syncs; the supervisor, who had erased Uwase's file, has not
/// received the rename and drops it when it comes (an erased client's own operations are not
/// kept). Claudine's tablet is then lost: the cutoff the administrator signed was the last
/// operation of hers *the administrator's tablet held*, below the rename. Jean's tablet had
/// merged the rename; when it passed it on by batch file, every receiver refused it as a
/// revoked tablet's forgery and wrote that into the audit trail: a false alarm about an honest
/// edit made before the revocation. Fixed: a tablet remembers the numbers of the operations it
/// dropped with an erased file, and its cutoffs cover them (`store::files::note_dropped`).
#[test]
fn an_honest_edit_made_before_a_revocation_is_never_reported_as_a_forgery() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let mut jean = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("j"));
    let client = uwase(&mut claudine);
    for v in [&mut claudine, &mut admin, &mut jean] {
        sync(v).unwrap();
    }
    admin.erase_client(client, "client-request").unwrap();
    claudine
        .edit_client(
            client,
            &komora_core::ClientEdit {
                name: Some("Uwase Immaculée M.".into()),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&mut claudine).unwrap();
    sync(&mut jean).unwrap();
    admin
        .revoke_device(
            &mut HttpTransport::new(&server.url).unwrap(),
            claudine.device_id(),
        )
        .unwrap();
    let (batch, _) = jean.export_batch(&admin.summary().unwrap()).unwrap();
    let report = admin.import_batch(&batch).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
}

/// The lost tablet had also recorded home visits with Mukamana, and Jean added to their
/// notes. When the cutoff takes her client and sessions back, what remains of each session on
/// Jean's tablet (his edit) belongs to a file no tablet can open: the donors' figures count
/// none of it, on his tablet as on every other. (Rebuilt after her file was dropped, such a
/// session came back with no file, and only Jean's tablet counted it.)
#[test]
fn a_lost_tablets_sessions_edited_by_a_colleague_are_counted_by_no_tablet() {
    let (_dir, server, mut admin, [mut claudine, mut jean, mut marie]) = three_counsellors();
    let client = mukamana_after_the_last_sync([&mut claudine, &mut jean, &mut marie]);
    let case = open_case_with_consent(&mut claudine, client, "grief");
    // Several sessions: whether one is rebuilt before or after her file is dropped depends on
    // their random ids.
    let sessions: Vec<RecordId> = (0..6)
        .map(|_| {
            claudine
                .add_session(&komora_core::NewSession::new(case, "home-visit"))
                .unwrap()
        })
        .collect();
    let (batch, _) = claudine.export_batch(&jean.summary().unwrap()).unwrap();
    jean.import_batch(&batch).unwrap();
    for s in &sessions {
        jean.edit_session(
            *s,
            &komora_core::SessionEdit {
                notes: Some("She spoke of her son.".into()),
                ..Default::default()
            },
        )
        .unwrap();
    }
    claudines_tablet_is_lost(&server, &mut admin, &claudine, [&mut jean, &mut marie]);
    let figures = |v: &mut Vault| {
        format!(
            "{:?}",
            v.report_table(&komora_core::ReportOptions::default())
                .unwrap()
        )
    };
    assert_eq!(figures(&mut jean), figures(&mut marie));
}
