//! Notes travel compressed once every tablet of the team can read them (issue 20, item 1;
//! ADR 0021): a team at the format of before keeps writing bodies the apps of before open;
//! after the administrator raises it, the same note costs fewer bytes on the link, a tablet
//! not yet updated sends its work and reads nothing it cannot open, and once updated it
//! reads everything.

use std::path::Path;
use std::time::Duration;

use komora_core::format::COMPRESSED_BODIES;
use komora_core::{
    Error, FormatRaise, HttpTransport, NewClient, NewSession, RecordId, Role, Vault, VaultOptions,
};
use komora_scenarios::server::TestServer;
use komora_scenarios::{
    bootstrap_admin, bootstrap_admin_with, enrol, fast_options, open_case_with_consent, sync,
};

/// A note as long as a counsellor's usual one, in Kinyarwanda and English (made up).
fn note(i: usize) -> String {
    format!(
        "Isomo rya {i}. Yaje ku gihe avuga ko icyumweru cyamugoye kuva imvura yatangira. \
         Avuga ko asinzira amasaha make kandi akarota nabi kenshi. Twasubiyemo imyitozo yo \
         guhumeka. She says the healing group has helped her feel less alone, and that her \
         husband still refuses to talk about what happened. We reviewed the safety plan and \
         the phone numbers she can call at night. Tuzongera guhura mu byumweru bibiri."
    )
}

fn app_of_format(format: u32) -> VaultOptions {
    VaultOptions {
        app_format: format,
        ..fast_options()
    }
}

/// Record a session carrying `note(i)` and sync: the bytes the push sent.
fn session_sent(v: &mut Vault, case: RecordId, i: usize) -> (RecordId, u64) {
    let mut s = NewSession::new(case, "office");
    s.notes = Some(note(i));
    let id = v.add_session(&s).unwrap();
    let report = sync(v).unwrap();
    assert_eq!(report.sent_ops, 1);
    (id, report.sent_bytes)
}

fn reopened(dir: &Path, passphrase: &str) -> Vault {
    Vault::open(dir, passphrase, fast_options()).unwrap()
}

#[test]
fn notes_travel_compressed_only_once_every_tablet_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let url = server.url.clone();
    let mut t = HttpTransport::new(&url).unwrap();
    // A team made by the app of before: its format is the one before compressed bodies.
    let before = COMPRESSED_BODIES - 1;
    let admin_dir = dir.path().join("admin");
    let mut admin = bootstrap_admin_with(&server, &admin_dir, app_of_format(before));
    assert_eq!(admin.team_format().unwrap(), before);
    let code = admin
        .invite(&mut t, Role::Supervisor, Duration::from_secs(3600))
        .unwrap()
        .code;
    let old_dir = dir.path().join("old");
    let mut old = Vault::enroll(
        &old_dir,
        "tablet passphrase",
        &mut t,
        &url,
        &code,
        app_of_format(before),
    )
    .unwrap();
    let mut new = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("new"),
    );
    for v in [&mut admin, &mut old, &mut new] {
        sync(v).unwrap();
    }

    // Before the raise the updated tablet writes what the old app opens.
    let client = new
        .add_client(&NewClient {
            name: "Mukamana Odette".into(),
            ..Default::default()
        })
        .unwrap();
    let case = open_case_with_consent(&mut new, client, "trauma");
    sync(&mut new).unwrap();
    let (first, plain_bytes) = session_sent(&mut new, case, 1);
    sync(&mut old).unwrap();
    assert_eq!(
        old.session(first).unwrap().notes.as_deref(),
        Some(note(1).as_str()),
        "the app of before reads the note"
    );

    // The administrator's app is updated and raises the format without waiting for the old
    // tablet (forced): from now on notes travel compressed.
    drop(admin);
    let mut admin = reopened(&admin_dir, "admin passphrase");
    sync(&mut admin).unwrap();
    assert_eq!(
        admin
            .raise_team_format(&mut t, COMPRESSED_BODIES, true)
            .unwrap(),
        FormatRaise::Raised {
            version: COMPRESSED_BODIES
        }
    );
    sync(&mut new).unwrap();
    let (second, packed_bytes) = session_sent(&mut new, case, 2);
    assert!(
        (packed_bytes as f64) < 0.8 * plain_bytes as f64,
        "the same note costs fewer bytes once compressed: {packed_bytes} against {plain_bytes}"
    );

    // The tablet still on the old app sends what it holds and reads nothing more: it is
    // told to update, in words.
    let refused = sync(&mut old).unwrap_err();
    assert!(matches!(refused, Error::UpdateRequired), "{refused:?}");
    assert!(
        old.session(second).is_err(),
        "nothing it cannot open reached it"
    );

    // Updated, it reads both the note from before and the compressed one.
    drop(old);
    let mut old = reopened(&old_dir, "tablet passphrase");
    sync(&mut old).unwrap();
    for (id, i) in [(first, 1), (second, 2)] {
        assert_eq!(old.session(id).unwrap().notes, Some(note(i)));
    }
}

#[test]
fn a_compressed_bomb_is_refused_by_name_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut tablet = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("t"));
    sync(&mut admin).unwrap();
    sync(&mut tablet).unwrap();
    let before = tablet.team_policy().unwrap();

    // A tampered app of the team writes a policy change whose body, a few hundred bytes
    // on the wire, would expand to 4 MiB.
    let bomb = admin.forge_bomb().unwrap();
    assert!(bomb.encoded_len() < 2048, "{} bytes", bomb.encoded_len());
    let report = tablet.apply_ops(std::slice::from_ref(&bomb)).unwrap();
    assert_eq!(
        report
            .rejected
            .iter()
            .map(|r| (r.op_id, r.reason.code()))
            .collect::<Vec<_>>(),
        [(bomb.op_id(), "too-large")]
    );
    assert!(tablet.team_policy().unwrap() == before, "nothing applied");
}

/// An operation written by an app newer than this tablet's (packed with a dictionary this app
/// does not hold) reaches it: it is not opened, and not thrown away either. It waits on the
/// tablet, sync after sync, for the updated app to open it (the format gate should keep such
/// an operation from reaching an old app at all; this is what happens if one does).
#[test]
fn an_operation_from_a_newer_app_waits_on_the_tablet_instead_of_being_lost() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut counsellor = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let newer = admin.smuggle_from_a_newer_app(200).unwrap();
    sync(&mut admin).unwrap();

    let report = sync(&mut counsellor).unwrap();
    assert!(
        report
            .rejected
            .iter()
            .any(|r| r.op_id == newer.op_id() && r.reason.code() == "unknown-dictionary"),
        "{:?}",
        report.rejected
    );
    assert_eq!(counsellor.sync_status().unwrap().parked, 1, "it waits");
    sync(&mut counsellor).unwrap();
    assert_eq!(
        counsellor.sync_status().unwrap().parked,
        1,
        "still waiting after another sync: never dropped"
    );
}
