//! A tablet's files copied off the device, by a thief or by a member of the team (issue 16,
//! findings 6 and 11): what the copy gives away, and what an edit of it can make the tablet do.

use komora_core::{Error, NewClient, Role, Vault};
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, enrol, fast_options, sync};

/// Finding 6: records' states were sealed under the team key, so a data officer (or any
/// member) holding a copy of another tablet's database read every state without that
/// tablet's PIN, and a copy taken before an erasure kept the erased file's states open to the
/// team key. States are sealed under a key of the device now: no team key opens them.
#[test]
fn a_data_officer_with_a_copy_of_a_counsellors_database_opens_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let here = dir.path().join("claudine");
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &here);
    let mut officer = enrol(
        &server,
        &mut admin,
        Role::DataOfficer,
        &dir.path().join("o"),
    );
    for name in ["Mukamana Odette", "Habimana Jean", "Uwase Immaculée"] {
        claudine
            .add_client(&NewClient {
                name: name.into(),
                ..Default::default()
            })
            .unwrap();
    }
    sync(&mut claudine).unwrap();
    sync(&mut officer).unwrap();
    // The copy: the database as it sits in the tablet's storage.
    let copy = dir.path().join("copy.db");
    std::fs::copy(here.join("komora.db"), &copy).unwrap();
    if here.join("komora.db-wal").exists() {
        std::fs::copy(here.join("komora.db-wal"), dir.path().join("copy.db-wal")).unwrap();
    }
    let records: i64 = rusqlite::Connection::open(&copy)
        .unwrap()
        .query_row("SELECT count(*) FROM records", [], |r| r.get(0))
        .unwrap();
    assert!(records >= 3, "the copy holds her records: {records}");
    for (who, keys) in [
        ("the data officer", officer.team_keys()),
        ("the administrator", admin.team_keys()),
    ] {
        assert_eq!(
            komora_core::attacks::states_readable_with(&copy, &keys).unwrap(),
            0,
            "{who}'s keys open states of Claudine's database"
        );
    }
    // Her own tablet reads them as before.
    assert_eq!(claudine.clients().unwrap().items.len(), 3);
}

/// Finding 11: the sync settings (server address, team, organisation, role) were in clear in
/// the database: an edited row could point a tablet at another server. They are sealed under
/// the device's master key now: an edited row is refused, the tablet talks to no one.
#[test]
fn an_edited_settings_row_cannot_point_a_tablet_at_another_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let here = dir.path().join("claudine");
    let claudine = enrol(&server, &mut admin, Role::Counsellor, &here);
    let team = claudine.sync_settings().unwrap().team_id;
    drop(claudine);
    let db = rusqlite::Connection::open(here.join("komora.db")).unwrap();
    let stored: Vec<u8> = db
        .query_row(
            "SELECT value FROM meta WHERE key = 'sync_settings'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let url = server.url.as_bytes();
    assert!(
        !stored.windows(url.len()).any(|w| w == url),
        "the server's address is not in clear"
    );
    let evil = format!(
        r#"{{"server_url":"https://evil.example","team_id":"{team}","team_name":"Huye","org_name":"AMI","role":"admin"}}"#
    );
    db.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'sync_settings'",
        [evil.as_bytes()],
    )
    .unwrap();
    drop(db);
    let mut claudine = Vault::open(&here, "tablet passphrase", fast_options()).unwrap();
    assert!(matches!(
        claudine.sync_settings(),
        Err(Error::Corrupted { .. })
    ));
    assert!(matches!(sync(&mut claudine), Err(Error::Corrupted { .. })));
}
