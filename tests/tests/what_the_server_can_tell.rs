//! What the server, or anyone who copies its store, can tell from the sizes of what a tablet
//! sends (issue 16, finding 15; ADR 0015).

use komora_core::{ClientEdit, NewClient, NewSession, RecordId, Role, Sex, Vault, VaultOptions};
use komora_protocol::Id16;
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin_with, enrol, fast_options, open_case_with_consent, sync};

/// An app founding its team at `format`.
fn app_of_format(format: u32) -> VaultOptions {
    VaultOptions {
        app_format: format,
        ..fast_options()
    }
}

/// What a counsellor of a team at `format` sends for a new client, a one-field edit, two
/// consents and a case, and a session with a short note: the envelopes the server stores
/// for each, by size. Also returns the counsellor, her case and the server, for more.
#[allow(clippy::type_complexity)]
fn everyday_sizes(
    dir: &std::path::Path,
    format: u32,
) -> (Vec<(String, Vec<usize>)>, Vault, RecordId, TestServer, Id16) {
    let server = TestServer::start(&dir.join("server"));
    let mut admin = bootstrap_admin_with(&server, &dir.join("admin"), app_of_format(format));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.join("c"));
    assert_eq!(claudine.team_format().unwrap(), format);
    let team = claudine.sync_settings().unwrap().team_id;
    let mut sizes = Vec::new();
    let mut sent = |v: &mut Vault, what: &str| {
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
            phone: Some("0788123456".into()),
            ..Default::default()
        })
        .unwrap();
    sent(&mut claudine, "a new client");
    claudine
        .edit_client(
            odette,
            &ClientEdit {
                phone: Some(Some("0788654321".into())),
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
    (sizes, claudine, case, server, team)
}

/// Bodies were padded to 32-byte steps, so the server could tell a new client (which carries
/// its file's keys) from an edit, and see a note's length to within 32 bytes. With Padmé and
/// a 384-byte floor (team format 5, ADR 0022), a new client's two operations (its keys, then
/// its fields), a one-field edit, a consent, a case and a session with a short note weigh the
/// same: 433 bytes each, where they weighed 561.
#[test]
fn the_server_cannot_tell_a_new_client_an_edit_and_a_short_note_apart_by_size() {
    let dir = tempfile::tempdir().unwrap();
    let (sizes, mut claudine, case, server, team) =
        everyday_sizes(dir.path(), komora_core::format::APP_FORMAT);
    assert_eq!(
        sizes[0].1.len(),
        2,
        "a new client is two operations: {sizes:?}"
    );
    let all: Vec<usize> = sizes.iter().flat_map(|(_, s)| s.clone()).collect();
    assert!(
        all.iter().all(|s| *s == all[0]),
        "the server tells them apart: {sizes:?}"
    );
    assert_eq!(all[0], 433, "{sizes:?}");
    // A long note of ordinary prose is a bigger operation: its size (compressed, then padded)
    // is known to within Padmé's steps only.
    let sent_one = |v: &mut Vault, notes: String| {
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

/// A team still at format 4 (an app not updated yet among its tablets) writes a new client as
/// one operation, which carries its keys and is larger: its floor stays 512, and there too a
/// new client, an edit, a consent, a case and a short note weigh the same (561 bytes).
#[test]
fn a_team_at_format_four_keeps_one_operation_per_new_client_and_the_larger_floor() {
    let dir = tempfile::tempdir().unwrap();
    let (sizes, ..) = everyday_sizes(dir.path(), komora_core::format::CUTOFF_FIELDS);
    assert_eq!(
        sizes[0].1.len(),
        1,
        "a new client is one operation: {sizes:?}"
    );
    let all: Vec<usize> = sizes.iter().flat_map(|(_, s)| s.clone()).collect();
    assert!(
        all.iter().all(|s| *s == 561),
        "the server tells them apart: {sizes:?}"
    );
}
