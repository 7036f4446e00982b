//! One server per store, and no restore under a running server. The serving process holds a
//! lock for as long as it lives; `restore` takes the same lock exclusively and refuses when it
//! cannot, naming what holds it.
//!
//! - SQLite: an exclusive `flock` on `DATA/komora-sync.lock`. The kernel releases it when the
//!   process ends, however it ends: no stale lock after a crash or `kill -9` (a pid file would
//!   have one), and a second server started on the same folder is refused too.
//! - PostgreSQL: a session advisory lock on the store's schema, taken *shared* by each server
//!   process (several may serve one database) on a connection of its own, and *exclusively* by
//!   a restore. A restore also refuses while any server process is connected with its lock.

use std::path::{Path, PathBuf};

use crate::backup::postgres::{config, connect, current_schema};
use crate::backup::{BackupError, Source};

/// The lock file's name in the data folder.
pub const LOCK_FILE: &str = "komora-sync.lock";

/// Held while serving or restoring; released when dropped (or when the process ends).
pub enum StoreLock {
    File(std::fs::File),
    Postgres(Box<postgres::Client>),
}

/// What the lock is for: serving (shared on PostgreSQL) or restoring (exclusive).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Serve,
    Restore,
}

impl StoreLock {
    /// Taken by a server before it opens its store.
    pub fn for_serving(source: &Source) -> Result<Self, BackupError> {
        Self::take(source, Purpose::Serve)
    }

    /// Taken by `restore`: refused while a server runs on the store.
    pub fn for_restore(source: &Source) -> Result<Self, BackupError> {
        Self::take(source, Purpose::Restore)
    }

    fn take(source: &Source, purpose: Purpose) -> Result<Self, BackupError> {
        match source {
            Source::Sqlite { file } => {
                let dir = file.parent().unwrap_or(Path::new("."));
                lock_file(&dir.join(LOCK_FILE), purpose, dir).map(StoreLock::File)
            }
            Source::Postgres { url, schema } => {
                let mut client = connect(&config(url, schema.as_deref())?)?;
                let schema = match schema {
                    Some(s) => s.clone(),
                    None => current_schema(&mut client)?,
                };
                let (class, key) = pg_key(&schema);
                let sql = match purpose {
                    Purpose::Serve => "SELECT pg_try_advisory_lock_shared($1, $2)",
                    Purpose::Restore => "SELECT pg_try_advisory_lock($1, $2)",
                };
                let got: bool = client.query_one(sql, &[&class, &key])?.get(0);
                if !got {
                    return Err(BackupError::Store(match purpose {
                        Purpose::Serve => format!(
                            "a restore of schema {schema} is under way; start the server when it has finished"
                        ),
                        Purpose::Restore => format!(
                            "a komora-sync-server is serving schema {schema} of this database (it holds the \
                             PostgreSQL advisory lock ({class}, {key})); stop every server process first"
                        ),
                    }));
                }
                Ok(StoreLock::Postgres(Box::new(client)))
            }
        }
    }
}

/// The advisory lock of a store's schema: a constant class ("KOMO") and a hash of the name.
pub fn pg_key(schema: &str) -> (i32, i32) {
    // FNV-1a: stable across builds and platforms (the lock is shared between processes).
    let hash = schema.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    (0x4b4f_4d4f, hash as i32)
}

#[cfg(unix)]
fn lock_file(path: &Path, purpose: Purpose, dir: &Path) -> Result<std::fs::File, BackupError> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| BackupError::io("cannot open the lock file", path, e))?;
    // Made by root (`sudo komora-sync-server restore`), the file must still open for the
    // service's own user: it belongs to whoever owns the data folder.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata(dir) {
            let _ = std::os::unix::fs::chown(path, Some(meta.uid()), Some(meta.gid()));
        }
    }
    // SAFETY: flock on a descriptor this function owns; no memory is involved.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc != 0 {
        let err = std::io::Error::last_os_error();
        if err.kind() == std::io::ErrorKind::WouldBlock {
            return Err(BackupError::Store(held_message(dir, path, purpose)));
        }
        return Err(BackupError::io("cannot lock", path, err));
    }
    Ok(file)
}

#[cfg(not(unix))]
fn lock_file(path: &Path, _purpose: Purpose, _dir: &Path) -> Result<std::fs::File, BackupError> {
    // No advisory locks here: the file only marks the folder (stop the server before a restore).
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| BackupError::io("cannot open the lock file", path, e))
}

fn held_message(dir: &Path, lock: &Path, purpose: Purpose) -> String {
    let dir: PathBuf = dir.to_owned();
    match purpose {
        Purpose::Serve => format!(
            "another komora-sync-server is serving {} (it holds the lock on {}); one server per data folder",
            dir.display(),
            lock.display()
        ),
        Purpose::Restore => format!(
            "the server is running on {} (it holds the lock on {}): stop it first \
             (systemctl stop komora-sync-server), then restore",
            dir.display(),
            lock.display()
        ),
    }
}
