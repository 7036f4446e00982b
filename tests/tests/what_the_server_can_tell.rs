//! What the server, or anyone who copies its store, can tell from the sizes of what a tablet
//! sends (issue 16, finding 15; ADR 0015).

use komora_core::{ClientEdit, NewClient, NewSession, Role, Sex};
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, enrol, open_case_with_consent, sync};

/// Bodies were padded to 32-byte steps, so the server could tell a new client (which carries
/// its file's keys) from an edit, and see a note's length to within 32 bytes. With Padmé and
/// a 512-byte floor, a new client, a one-field edit and a session with a short note weigh the
/// same.
#[test]
fn the_server_cannot_tell_a_new_client_an_edit_and_a_short_note_apart_by_size() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let team = claudine.sync_settings().unwrap().team_id;
    let mut sizes = Vec::new();
    let mut sent = |v: &mut komora_core::Vault, what: &str| {
        let before = server.team_copy(team).len();
        sync(v).unwrap();
        let copy = server.team_copy(team);
        let new: Vec<usize> = copy[before..].iter().map(|e| e.encoded_len()).collect();
        sizes.push((what.to_owned(), new));
    };
    let odette = claudine
        .add_client(&NewClient {
            name: "Mukamana Odette".into(),
            sex: Some(Sex::Female),
            birth_year: Some(1978),
            ..Default::default()
        })
        .unwrap();
    sent(&mut claudine, "a new client");
    claudine
        .edit_client(
            odette,
            &ClientEdit {
                phone: Some(Some("0788123456".into())),
                ..Default::default()
            },
        )
        .unwrap();
    sent(&mut claudine, "a one-field edit");
    let case = open_case_with_consent(&mut claudine, odette, "trauma");
    sent(&mut claudine, "two consents and a case");
    let mut visit = NewSession::new(case, "home-visit");
    visit.notes = Some("She slept better this week; her son visited twice.".into());
    claudine.add_session(&visit).unwrap();
    sent(&mut claudine, "a session with a short note");
    let all: Vec<usize> = sizes.iter().flat_map(|(_, s)| s.clone()).collect();
    assert!(
        all.iter().all(|s| *s == all[0]),
        "the server tells them apart: {sizes:?}"
    );
    // A long note of ordinary prose is a bigger operation: its size (compressed, then padded)
    // is known to within Padmé's steps only.
    let sent_one = |v: &mut komora_core::Vault, notes: String| {
        let mut s = NewSession::new(case, "office");
        s.notes = Some(notes);
        v.add_session(&s).unwrap();
        let before = server.team_copy(team).len();
        sync(v).unwrap();
        server.team_copy(team)[before..][0].encoded_len()
    };
    let prose: String = include_str!("../../core/data/heldout/fr.txt")
        .chars()
        .take(1_700)
        .collect();
    let size = sent_one(&mut claudine, prose);
    assert!(size > all[0], "{size}");
    // What compression lets it tell (ADR 0021): how compressible a note is. The same length
    // of one sentence said over and over weighs what a short note weighs.
    let repeated = "Habimana spoke about the years in prison. ".repeat(40);
    assert_eq!(sent_one(&mut claudine, repeated), all[0]);
}
