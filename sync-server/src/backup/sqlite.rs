//! Backing up the embedded store while it serves. A connection of its own opens one read
//! transaction, counts the teams, devices and operations, and copies every page with SQLite's
//! online backup inside that same transaction: the copy is the instant the counts describe,
//! and in WAL mode the server keeps writing meanwhile (a reader never blocks the writer, and
//! the server's own connection is not held, unlike a `VACUUM INTO` through it).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{BackupError, StoreCounts};

/// The tables a Komora server store has always had (schema version 1 on).
const STORE_TABLES: &[&str] = &["server_meta", "teams", "devices", "ops"];

/// Copy the store at `store` to `out` (a file the caller created, empty); returns what the
/// store held at the instant of the copy.
pub fn copy(store: &Path, out: &Path) -> Result<StoreCounts, BackupError> {
    copy_with(store, out, || {})
}

/// `copy`, calling `between` after the counts and before the pages are read (tests write to
/// the store there, to show that the copy is of the counted instant).
fn copy_with(store: &Path, out: &Path, between: impl FnOnce()) -> Result<StoreCounts, BackupError> {
    if !store.exists() {
        return Err(BackupError::NotAStore {
            path: store.to_owned(),
            reason: "there is no store there".into(),
        });
    }
    let src = Connection::open_with_flags(
        store,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    src.busy_timeout(Duration::from_secs(30))?;
    src.execute_batch("BEGIN")?;
    // The first read starts the transaction's snapshot: the copy below reads the same one
    // (the backup runs in the source connection's open read transaction).
    let counts = counts(&src)?;
    between();
    let mut dst = Connection::open(out)?;
    {
        let backup = rusqlite::backup::Backup::new(&src, &mut dst)?;
        // Every page in one step: all of it read in the open transaction.
        backup.run_to_completion(i32::MAX, Duration::from_millis(50), None)?;
    }
    // One self-contained file: no WAL beside it.
    dst.pragma_update(None, "journal_mode", "DELETE")?;
    drop(dst);
    src.execute_batch("COMMIT")?;
    Ok(counts)
}

fn counts(conn: &Connection) -> rusqlite::Result<StoreCounts> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM teams), (SELECT count(*) FROM devices), (SELECT count(*) FROM ops)",
        [],
        |r| {
            Ok(StoreCounts {
                teams: r.get::<_, i64>(0)? as u64,
                devices: r.get::<_, i64>(1)? as u64,
                ops: r.get::<_, i64>(2)? as u64,
            })
        },
    )
}

/// What a store file holds, as far as backups and restores care.
#[derive(Clone, Debug)]
pub struct Facts {
    /// Its schema version (`PRAGMA user_version`): how many migrations it has had.
    pub schema_version: u32,
    pub counts: StoreCounts,
    /// Its store generation, if it has one yet (stores from before generations have none).
    pub generation: Option<[u8; 16]>,
}

/// Open `path` as a Komora store and say what it holds: it must be an SQLite database that
/// passes SQLite's own check and has the store's tables. Only for copies the caller owns: a
/// file in WAL mode is checkpointed when its connection closes.
pub fn inspect(path: &Path) -> Result<Facts, BackupError> {
    let not_a_store = |reason: String| BackupError::NotAStore {
        path: path.to_owned(),
        reason,
    };
    if !path.is_file() {
        return Err(not_a_store("there is no such file".into()));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| not_a_store(e.to_string()))?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| not_a_store(e.to_string()))?;
    if check != "ok" {
        return Err(not_a_store(format!("SQLite finds it damaged ({check})")));
    }
    let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
    let tables = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    drop(stmt);
    if let Some(missing) = STORE_TABLES
        .iter()
        .find(|t| !tables.iter().any(|n| n == *t))
    {
        return Err(not_a_store(format!("it has no `{missing}` table")));
    }
    let schema_version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if schema_version == 0 {
        return Err(not_a_store("it has no schema version".into()));
    }
    let generation = conn
        .query_row(
            "SELECT value FROM server_meta WHERE key = 'generation'",
            [],
            |r| r.get::<_, Vec<u8>>(0),
        )
        .optional()?
        .and_then(|g| g.try_into().ok());
    Ok(Facts {
        schema_version,
        counts: counts(&conn)?,
        generation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::sqlite::SqliteDb;
    use crate::db::Db;

    fn store(dir: &Path) -> std::path::PathBuf {
        let path = dir.join(super::super::STORE_FILE);
        drop(SqliteDb::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute("INSERT INTO teams (id, created_ms) VALUES (x'01', 1)", [])
            .unwrap();
        conn.execute(
            "INSERT INTO ops (team_id, seq, op_id, epoch, author, envelope) VALUES (x'01', 1, x'aa', 1, x'02', x'00')",
            [],
        )
        .unwrap();
        path
    }

    #[test]
    fn a_copy_is_of_the_instant_it_counted_even_while_the_server_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = store(dir.path());
        let out = dir.path().join("copy.db");
        // The server's own connection, writing while the copy is under way.
        let server = SqliteDb::open(&path).unwrap();
        let counts = copy_with(&path, &out, || {
            let conn = Connection::open(&path).unwrap();
            conn.execute(
                "INSERT INTO ops (team_id, seq, op_id, epoch, author, envelope) VALUES (x'01', 2, x'bb', 1, x'02', x'00')",
                [],
            )
            .unwrap();
        })
        .unwrap();
        assert_eq!(
            counts,
            StoreCounts {
                teams: 1,
                devices: 0,
                ops: 1
            }
        );
        let facts = inspect(&out).unwrap();
        assert_eq!(facts.counts, counts, "the copy holds what was counted");
        let generation = crate::db::wait(server.generation()).unwrap().unwrap();
        assert_eq!(facts.generation, Some(generation));
        // The write went to the store, after the copy's instant.
        assert_eq!(inspect(&path).unwrap().counts.ops, 2);
    }

    #[test]
    fn files_that_are_not_stores_are_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a database at all, just some words").unwrap();
        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE recipes (name TEXT); PRAGMA user_version = 3;")
            .unwrap();
        for (path, says) in [
            (text, "not a database"),
            (other, "no `server_meta` table"),
            (dir.path().join("missing.db"), "no such file"),
        ] {
            let err = inspect(&path).unwrap_err().to_string();
            assert!(err.contains("is not a Komora server store"), "{err}");
            assert!(err.contains(says), "{err}");
        }
    }
}
