//! `restore --from FILE` as an administrator runs it after a dead disk or a bad day: refused
//! while the server runs, refused for a file that is not a store, and otherwise the backup in
//! place with a new store generation and the replaced store kept aside, never deleted.
//! On SQLite always, on PostgreSQL (pg_dump/pg_restore) when KOMORA_TEST_POSTGRES is set.

mod support;

use std::path::Path;

use komora_sync_server::backup::sqlite;
use rusqlite::Connection;
use support::{command, sealed, text, Device, Server};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn generation_of(file: &Path) -> Vec<u8> {
    Connection::open(file)
        .unwrap()
        .query_row(
            "SELECT value FROM server_meta WHERE key = 'generation'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_restore_puts_the_backup_in_place_with_a_new_generation_and_keeps_the_replaced_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = data.join("komora-sync.db");
    let server = Server::start(&["--data", s(&data)], &dir.path().join("stderr"));
    let admin = Device::bootstrap(&server.url, &server.bootstrap_code().unwrap());
    let counsellor = admin.enrol_counsellor(&server.url);
    let before_backup = vec![sealed(1), sealed(1), sealed(1)];
    counsellor.push(&server.url, &before_backup);

    let backup = dir.path().join("monday.db");
    let out = command(&["--data", s(&data), "backup", "--out", s(&backup)]);
    assert!(out.status.success(), "{}", text(&out));
    counsellor.push(&server.url, &[sealed(1), sealed(1)]);

    // While it serves: refused, and nothing changed.
    let out = command(&["--data", s(&data), "restore", "--from", s(&backup)]);
    assert!(!out.status.success());
    assert!(text(&out).contains("stop it first"), "{}", text(&out));
    assert!(text(&out).contains("komora-sync.lock"), "{}", text(&out));
    assert_eq!(admin.pull_all(&server.url).len(), 5);

    // The disk dies mid-work: whatever the WAL holds stays with the replaced store.
    let generation_before = generation_of(&store);
    server.kill();
    let out = command(&["--data", s(&data), "restore", "--from", s(&backup)]);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("1 team, 2 devices, 3 operations"), "{said}");
    let aside = said
        .lines()
        .find_map(|l| l.strip_prefix("the previous store is kept as "))
        .and_then(|l| l.split(':').next())
        .unwrap_or_else(|| panic!("{said}"))
        .to_owned();
    let kept = Connection::open(&aside).unwrap();
    let ops: i64 = kept
        .query_row("SELECT count(*) FROM ops", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ops, 5, "the replaced store is whole, its WAL with it");
    drop(kept);

    let restored = generation_of(&store);
    assert_eq!(restored.len(), 16);
    assert_ne!(
        restored,
        generation_of(&backup),
        "a restore is a new generation"
    );
    assert_ne!(restored, generation_before);
    assert_eq!(
        sqlite::inspect(&backup).unwrap().counts.ops,
        3,
        "the backup is untouched"
    );

    // It serves what the backup held; tablets log in as before.
    let server = Server::start(&["--data", s(&data)], &dir.path().join("stderr2"));
    assert_eq!(server.bootstrap_code(), None, "the organisation is there");
    let mut pulled = admin.pull_all(&server.url);
    let mut expected = before_backup.clone();
    pulled.sort();
    expected.sort();
    assert_eq!(pulled, expected);
    assert!(counsellor.try_login(&server.url).is_ok());
    // A second server on the same folder is refused: one server per store.
    let out = command(&["--data", s(&data), "--listen", "127.0.0.1:0"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("another komora-sync-server"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_file_that_is_not_a_store_of_this_server_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = data.join("komora-sync.db");
    drop(Server::start(
        &["--data", s(&data)],
        &dir.path().join("stderr"),
    ));
    let generation = generation_of(&store);

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "the minutes of Tuesday's meeting, not a database").unwrap();
    let recipes = dir.path().join("recipes.db");
    Connection::open(&recipes)
        .unwrap()
        .execute_batch("CREATE TABLE recipes (name TEXT); PRAGMA user_version = 2;")
        .unwrap();
    // A store from a newer server: this one would not know its schema.
    let newer = dir.path().join("newer.db");
    let out = command(&["--data", s(&data), "backup", "--out", s(&newer)]);
    assert!(out.status.success(), "{}", text(&out));
    Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 999;")
        .unwrap();
    for (file, says) in [
        (notes, "is not a Komora server store"),
        (recipes, "no `server_meta` table"),
        (dir.path().join("missing.db"), "no such file"),
        (newer, "newer komora-sync-server"),
        (store.clone(), "the store itself"),
    ] {
        let out = command(&["--data", s(&data), "restore", "--from", s(&file)]);
        assert!(!out.status.success(), "{}", file.display());
        assert!(
            text(&out).contains(says),
            "{}: {}",
            file.display(),
            text(&out)
        );
        assert!(text(&out).contains("nothing was changed"), "{}", text(&out));
    }
    assert_eq!(generation_of(&store), generation);
    let left: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("before-restore") || n.contains("restoring"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_new_machine_is_restored_from_the_backup_alone() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old-machine");
    let server = Server::start(&["--data", s(&old)], &dir.path().join("stderr"));
    let admin = Device::bootstrap(&server.url, &server.bootstrap_code().unwrap());
    let counsellor = admin.enrol_counsellor(&server.url);
    counsellor.push(&server.url, &[sealed(1)]);
    let backup = dir.path().join("usb").join("latest.db");
    std::fs::create_dir_all(backup.parent().unwrap()).unwrap();
    assert!(command(&["--data", s(&old), "backup", "--out", s(&backup)])
        .status
        .success());
    drop(server);

    let fresh = dir.path().join("new-machine");
    let out = command(&["--data", s(&fresh), "restore", "--from", s(&backup)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("there was no store before"),
        "{}",
        text(&out)
    );
    let server = Server::start(&["--data", s(&fresh)], &dir.path().join("stderr2"));
    assert_eq!(admin.pull_all(&server.url).len(), 1);
}

/// PostgreSQL: the same drill with pg_dump and pg_restore, through the binary.
#[test]
fn a_postgres_store_is_backed_up_with_pg_dump_and_restored_with_pg_restore() {
    let Ok(base) = std::env::var("KOMORA_TEST_POSTGRES") else {
        eprintln!("KOMORA_TEST_POSTGRES is not set: the PostgreSQL restore drill is skipped");
        return;
    };
    let schema = format!("t_{}", hex(&support::random::<8>()));
    let mut admin_db = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    admin_db
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}");

    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&["--database", &url], &dir.path().join("stderr"));
    let admin = Device::bootstrap(&server.url, &server.bootstrap_code().unwrap());
    let counsellor = admin.enrol_counsellor(&server.url);
    let before_backup = vec![sealed(1), sealed(1), sealed(1)];
    counsellor.push(&server.url, &before_backup);
    let generation_before = pg_generation(&mut admin_db, &schema);

    let backup = dir.path().join("monday.dump");
    let out = command(&["--database", &url, "backup", "--out", s(&backup)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("checked: 1 team, 2 devices, 3 operations"),
        "{}",
        text(&out)
    );
    counsellor.push(&server.url, &[sealed(1), sealed(1)]);

    let out = command(&["--database", &url, "restore", "--from", s(&backup)]);
    assert!(!out.status.success(), "refused while serving");
    assert!(
        text(&out).contains("stop every server process"),
        "{}",
        text(&out)
    );

    server.kill();
    let out = command(&["--database", &url, "restore", "--from", s(&backup)]);
    assert!(out.status.success(), "{}", text(&out));
    let aside = format!("{schema}_before_restore_");
    assert!(text(&out).contains(&aside), "{}", text(&out));
    let aside: String = admin_db
        .query_one(
            "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE $1",
            &[&format!("{aside}%")],
        )
        .unwrap()
        .get(0);
    let kept_ops: i64 = admin_db
        .query_one(&format!("SELECT count(*) FROM {aside}.ops"), &[])
        .unwrap()
        .get(0);
    assert_eq!(kept_ops, 5, "the replaced store is kept whole");
    let restored = pg_generation(&mut admin_db, &schema);
    assert_ne!(restored, generation_before, "a restore is a new generation");

    let server = Server::start(&["--database", &url], &dir.path().join("stderr2"));
    let mut pulled = admin.pull_all(&server.url);
    let mut expected = before_backup;
    pulled.sort();
    expected.sort();
    assert_eq!(pulled, expected);
    drop(server);
    admin_db
        .batch_execute(&format!(
            "DROP SCHEMA {schema} CASCADE; DROP SCHEMA {aside} CASCADE"
        ))
        .unwrap();
}

fn pg_generation(db: &mut postgres::Client, schema: &str) -> Vec<u8> {
    db.query_one(
        &format!("SELECT value FROM {schema}.server_meta WHERE key = 'generation'"),
        &[],
    )
    .unwrap()
    .get(0)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
