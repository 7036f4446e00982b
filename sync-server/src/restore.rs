//! `komora-sync-server restore --from FILE`: what an administrator would otherwise do by hand
//! after a dead disk or a bad day, done so that nothing is lost and tablets can tell.
//!
//! Run with the server stopped (it refuses otherwise: `store_lock.rs`). It checks that the
//! file is a Komora store this server can run (it opens, passes SQLite's own check or reads
//! back with pg_restore, has the store's tables, is not from a newer server), keeps the
//! current store aside under a name with the time (renamed, never deleted), puts the backup in
//! place, brings its schema up to date and gives it a new store generation: the stream it
//! holds is not the one tablets last read, and the new generation is how they know.

use std::path::{Path, PathBuf};

use crate::backup::postgres::{self as pg, check_schema_name, current_schema};
use crate::backup::{self, sqlite, utc, BackupError, Source, StoreCounts};
use crate::db::Db;
use crate::store_lock::StoreLock;

/// What a restore did.
#[derive(Clone, Debug)]
pub struct Restored {
    /// What the restored store holds.
    pub counts: StoreCounts,
    /// The schema version the backup was written with (migrations ran forward from it).
    pub from_schema_version: Option<u32>,
    /// The restored store's new generation.
    pub generation: [u8; 16],
    /// Where the previous store was kept (a file or a PostgreSQL schema); `None` if there was
    /// none (a new machine).
    pub kept_aside: Option<String>,
}

/// Restore `from` into the store `source` names, at `now_ms` (names the aside copy).
pub fn restore(source: &Source, from: &Path, now_ms: u64) -> Result<Restored, BackupError> {
    match source {
        Source::Sqlite { file } => restore_sqlite(source, file, from, now_ms),
        Source::Postgres { url, schema } => restore_postgres(url, schema.as_deref(), from, now_ms),
    }
}

/// A file and its SQLite companions (a WAL holds committed writes until a checkpoint).
const COMPANIONS: [&str; 3] = ["", "-wal", "-shm"];

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn rename(from: &Path, to: &Path) -> Result<(), BackupError> {
    std::fs::rename(from, to).map_err(|e| BackupError::io("cannot rename", from, e))
}

fn restore_sqlite(
    source: &Source,
    store: &Path,
    from: &Path,
    now_ms: u64,
) -> Result<Restored, BackupError> {
    let dir = store.parent().unwrap_or(Path::new(".")).to_owned();
    backup::schedule::create_private_dir(&dir)
        .map_err(|e| BackupError::io("cannot create", &dir, e))?;
    let _lock = StoreLock::for_restore(source)?;
    if !from.is_file() {
        return Err(BackupError::NotAStore {
            path: from.to_owned(),
            reason: "there is no such file".into(),
        });
    }
    if from.canonicalize().ok() == store.canonicalize().ok() {
        return Err(BackupError::Store(
            "that file is the store itself: restore from a backup".into(),
        ));
    }

    // Work on a copy beside the store, so the backup itself is never changed and the final
    // step is a rename on one filesystem.
    let restoring = dir.join(format!("{}.restoring", backup::STORE_FILE));
    for suffix in COMPANIONS {
        let _ = std::fs::remove_file(with_suffix(&restoring, suffix));
    }
    let result = prepare_copy(from, &restoring);
    let (facts, generation) = match result {
        Ok(done) => done,
        Err(e) => {
            for suffix in COMPANIONS {
                let _ = std::fs::remove_file(with_suffix(&restoring, suffix));
            }
            return Err(e);
        }
    };
    give_to_owner_of(&dir, &restoring);

    // Keep the current store aside, with its WAL: after a crash the WAL holds writes the main
    // file lacks, and left behind it would be applied to the restored store.
    let aside = dir.join(format!(
        "{}.before-restore-{}",
        backup::STORE_FILE,
        utc::stamp(now_ms)
    ));
    let mut moved = Vec::new();
    for suffix in COMPANIONS {
        let current = with_suffix(store, suffix);
        if current.exists() {
            let target = with_suffix(&aside, suffix);
            if let Err(e) = rename(&current, &target) {
                put_back(&moved);
                return Err(e);
            }
            moved.push((target, current));
        }
    }
    if let Err(e) = rename(&restoring, store) {
        put_back(&moved);
        return Err(e);
    }
    backup::sync_dir(store);
    Ok(Restored {
        counts: facts.counts,
        from_schema_version: Some(facts.schema_version),
        generation,
        kept_aside: (!moved.is_empty()).then(|| aside.display().to_string()),
    })
}

/// Copy the backup to `restoring`, check it, migrate it and give it a new generation.
fn prepare_copy(from: &Path, restoring: &Path) -> Result<(sqlite::Facts, [u8; 16]), BackupError> {
    backup::create_private(restoring)?;
    std::fs::copy(from, restoring).map_err(|e| BackupError::io("cannot copy", from, e))?;
    // A store copied by hand from a stopped server may have its WAL beside it: take it along.
    let from_wal = with_suffix(from, "-wal");
    if from_wal.is_file() {
        std::fs::copy(&from_wal, with_suffix(restoring, "-wal"))
            .map_err(|e| BackupError::io("cannot copy", &from_wal, e))?;
    }
    let facts = sqlite::inspect(restoring).map_err(|e| match e {
        // Name the file the administrator gave, not our copy of it.
        BackupError::NotAStore { reason, .. } => BackupError::NotAStore {
            path: from.to_owned(),
            reason,
        },
        e => e,
    })?;
    let known = crate::db::sqlite::schema_version();
    if facts.schema_version > known {
        return Err(BackupError::Newer {
            path: from.to_owned(),
            found: facts.schema_version,
            known,
        });
    }
    let db = crate::db::sqlite::SqliteDb::open(restoring)?;
    let generation = crate::db::wait(db.new_generation())??;
    drop(db);
    std::fs::File::open(restoring)
        .and_then(|f| f.sync_all())
        .map_err(|e| BackupError::io("cannot flush", restoring, e))?;
    Ok((facts, generation))
}

fn put_back(moved: &[(PathBuf, PathBuf)]) {
    for (aside, original) in moved.iter().rev() {
        let _ = std::fs::rename(aside, original);
    }
}

/// Run as root (`sudo komora-sync-server restore ...`), the restored file would be root's and
/// the service's own user could not open it: give it to whoever owns the data folder.
fn give_to_owner_of(dir: &Path, file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return;
        }
        if let Ok(meta) = std::fs::metadata(dir) {
            let _ = std::os::unix::fs::chown(file, Some(meta.uid()), Some(meta.gid()));
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, file);
}

fn restore_postgres(
    url: &str,
    schema: Option<&str>,
    from: &Path,
    now_ms: u64,
) -> Result<Restored, BackupError> {
    let archive = pg::read_archive(from)?;
    let config = pg::config(url, schema)?;
    let mut client = pg::connect(&config)?;
    let target = match schema {
        Some(s) => s.to_owned(),
        // A schema renamed away by a failed restore, or never made: the archive's own.
        None => current_schema(&mut client).unwrap_or_else(|_| archive.schema.clone()),
    };
    check_schema_name(&target)?;
    if archive.schema != target {
        return Err(BackupError::Store(format!(
            "this backup holds schema {}, and the store is schema {target}: restore it into a \
             database (or search path) whose store schema is {}",
            archive.schema, archive.schema
        )));
    }
    let _lock = StoreLock::for_restore(&Source::Postgres {
        url: url.to_owned(),
        schema: Some(target.clone()),
    })?;
    let exists = client
        .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&target])?
        .is_some();
    let aside = format!(
        "{target}_before_restore_{}",
        utc::stamp(now_ms).to_lowercase()
    );
    {
        let mut tx = client.transaction()?;
        if exists {
            tx.batch_execute(&format!(r#"ALTER SCHEMA "{target}" RENAME TO "{aside}""#))?;
        }
        tx.batch_execute(&format!(r#"CREATE SCHEMA "{target}""#))?;
        tx.commit()?;
    }
    let restored = pg_restore_into(&config, from).and_then(|()| {
        // One connection is all a restore needs.
        let generation = crate::db::wait(async {
            let db = crate::db::postgres::PostgresDb::open(url, Some(&target), 1).await?;
            db.new_generation().await
        })??;
        Ok(generation)
    });
    let generation = match restored {
        Ok(g) => g,
        Err(e) => {
            // Put the previous store back as it was.
            let mut undo = format!(r#"DROP SCHEMA IF EXISTS "{target}" CASCADE;"#);
            if exists {
                undo.push_str(&format!(r#"ALTER SCHEMA "{aside}" RENAME TO "{target}";"#));
            }
            let _ = client.batch_execute(&format!("BEGIN; {undo} COMMIT;"));
            return Err(e);
        }
    };
    let search = pg::config(url, Some(&target))?;
    let mut check = pg::connect(&search)?;
    let row = check.query_one(
        "SELECT (SELECT count(*) FROM teams), (SELECT count(*) FROM devices), (SELECT count(*) FROM ops)",
        &[],
    )?;
    let counts = StoreCounts {
        teams: row.get::<_, i64>(0) as u64,
        devices: row.get::<_, i64>(1) as u64,
        ops: row.get::<_, i64>(2) as u64,
    };
    if counts != archive.counts {
        return Err(BackupError::Mismatch {
            live: archive.counts,
            copy: counts,
        });
    }
    Ok(Restored {
        counts,
        from_schema_version: None,
        generation,
        kept_aside: exists.then(|| format!("schema {aside}")),
    })
}

/// Load an archive's tables and data into the (new, empty) schema, in one transaction. The
/// archive's own CREATE SCHEMA is left out: the schema is made by the caller.
fn pg_restore_into(config: &postgres::Config, from: &Path) -> Result<(), BackupError> {
    let mut list = std::process::Command::new("pg_restore");
    list.arg("--list").arg(from);
    let listing = String::from_utf8_lossy(&pg::run(list, "pg_restore")?).into_owned();
    let kept: String = listing
        .lines()
        .filter(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            !matches!(w.get(3), Some(&"SCHEMA"))
                && !matches!((w.get(3), w.get(5)), (Some(&"COMMENT"), Some(&"SCHEMA")))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let list_file = write_list_file(&kept)?;
    let dbname = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres")
        .to_owned();
    let mut cmd = pg::tool("pg_restore", config);
    cmd.args([
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
    ])
    .arg(format!("--use-list={}", list_file.display()))
    .arg(format!("--dbname={dbname}"))
    .arg(from);
    let result = pg::run(cmd, "pg_restore").map(drop);
    let _ = std::fs::remove_file(&list_file);
    result
}

/// Write pg_restore's list of entries to a file of its own: a name no other restore (another
/// thread of this process, in the same millisecond, or another process) is using, made with
/// `create_new` so that it is never another's file overwritten. Two restores once shared a name
/// (process id and millisecond) and one loaded the other's list: "could not find entry for ID".
fn write_list_file(kept: &str) -> Result<PathBuf, BackupError> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    loop {
        let path = std::env::temp_dir().join(format!(
            "komora-restore-{}-{}-{}.list",
            std::process::id(),
            crate::now_ms(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                return f
                    .write_all(kept.as_bytes())
                    .and_then(|()| f.sync_all())
                    .map(|()| path.clone())
                    .map_err(|e| {
                        let _ = std::fs::remove_file(&path);
                        BackupError::io("cannot write", &path, e)
                    });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(BackupError::io("cannot write", &path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restores_running_at_once_each_keep_their_own_list_of_entries() {
        let lists: Vec<String> = (0..64).map(|i| format!("entry {i}\n")).collect();
        let written: Vec<PathBuf> = std::thread::scope(|s| {
            let handles: Vec<_> = lists
                .iter()
                .map(|l| s.spawn(move || write_list_file(l).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (list, path) in lists.iter().zip(&written) {
            assert_eq!(&std::fs::read_to_string(path).unwrap(), list);
        }
        for path in written {
            std::fs::remove_file(path).unwrap();
        }
    }
}
