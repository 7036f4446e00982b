//! Backups an NGO will actually have: a copy of the store that is known good before it counts.
//!
//! Every backup, taken by hand (`backup --out FILE`) or on the schedule (`--backup-every`), is
//! written under a temporary name beside its final one, then checked: it opens as a store and
//! holds as many teams, devices and operations as the live store held at the instant of the
//! copy. Only then is it renamed into place, so a file with a backup's name is a good backup
//! (a full disk or a crash mid-copy leaves a `.partial` file, never a broken backup).
//!
//! - `sqlite.rs`: the embedded store, copied inside one read transaction while serving.
//! - `postgres.rs`: `pg_dump -Fc` from a snapshot that the counting transaction exports.
//! - `schedule.rs`: the schedule, the names by UTC time, keeping the newest N.
//! - `status.rs`: the record of the last attempt beside the backups, `/health`,
//!   `backup-status`.
//! - `utc.rs`: UTC times for names and messages.

pub mod postgres;
pub mod schedule;
pub mod sqlite;
pub mod status;
pub mod utc;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Settings;

/// The file name of the embedded store inside the data folder.
pub const STORE_FILE: &str = "komora-sync.db";

/// What a backup is checked by: the rows that matter to devices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreCounts {
    pub teams: u64,
    pub devices: u64,
    pub ops: u64,
}

impl fmt::Display for StoreCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = |count: u64, one: &str, many: &str| {
            format!("{count} {}", if count == 1 { one } else { many })
        };
        write!(
            f,
            "{}, {}, {}",
            n(self.teams, "team", "teams"),
            n(self.devices, "device", "devices"),
            n(self.ops, "operation", "operations")
        )
    }
}

/// Why a backup or a restore did not happen. Messages name the server's own files and tools,
/// never a secret (a database password stays out of them and out of the tools' command lines).
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{what} {}: {kind}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        kind: std::io::ErrorKind,
    },
    #[error("{} exists already; choose a new file", .0.display())]
    Exists(PathBuf),
    #[error("{} is not a Komora server store: {reason}", path.display())]
    NotAStore { path: PathBuf, reason: String },
    #[error("{} was written by a newer komora-sync-server (schema {found}, this one knows {known}): update this server first", path.display())]
    Newer {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("the copy does not hold what the store held at that instant (store: {live}; copy: {copy}); it was not kept")]
    Mismatch {
        live: StoreCounts,
        copy: StoreCounts,
    },
    #[error("{0}")]
    Tool(String),
    #[error("the store: {0}")]
    Store(String),
}

impl BackupError {
    pub(crate) fn io(what: &'static str, path: &Path, e: std::io::Error) -> Self {
        BackupError::Io {
            what,
            path: path.to_owned(),
            kind: e.kind(),
        }
    }
}

impl From<rusqlite::Error> for BackupError {
    fn from(e: rusqlite::Error) -> Self {
        BackupError::Store(e.to_string())
    }
}

impl From<::postgres::Error> for BackupError {
    fn from(e: ::postgres::Error) -> Self {
        // The driver's messages name the server and the failure, never the password.
        BackupError::Store(e.to_string())
    }
}

impl From<crate::db::DbError> for BackupError {
    fn from(e: crate::db::DbError) -> Self {
        BackupError::Store(e.to_string())
    }
}

/// The store a server runs on, as backups and restores see it.
#[derive(Clone, Debug)]
pub enum Source {
    /// The embedded store's file (`DATA/komora-sync.db`).
    Sqlite { file: PathBuf },
    /// A PostgreSQL database; `schema` as `PostgresDb::open` takes it (`None`: the URL's
    /// search path, normally `public`).
    Postgres { url: String, schema: Option<String> },
}

impl Source {
    /// The store the settings name, as the server opens it.
    pub fn from_settings(settings: &Settings) -> Result<Self, String> {
        match &settings.database {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Source::Postgres {
                    url: url.clone(),
                    schema: None,
                })
            }
            Some(_) => Err("--database takes a postgres:// URL".into()),
            None => Ok(Source::Sqlite {
                file: settings.data_dir().join(STORE_FILE),
            }),
        }
    }

    /// How its backups end: an SQLite file, or a pg_dump custom-format archive.
    pub fn extension(&self) -> &'static str {
        match self {
            Source::Sqlite { .. } => "db",
            Source::Postgres { .. } => "dump",
        }
    }

    /// The folder the store lives in, when it lives in one on this machine.
    pub fn data_dir(&self) -> Option<&Path> {
        match self {
            Source::Sqlite { file } => file.parent(),
            Source::Postgres { .. } => None,
        }
    }

    /// Write a raw copy to `out`, returning what the store held at the instant of the copy.
    fn copy_to(&self, out: &Path) -> Result<StoreCounts, BackupError> {
        match self {
            Source::Sqlite { file } => sqlite::copy(file, out),
            Source::Postgres { url, schema } => postgres::dump(url, schema.as_deref(), out),
        }
    }

    /// Open a copy as a store and count what it holds.
    fn count_copy(&self, copy: &Path) -> Result<StoreCounts, BackupError> {
        match self {
            Source::Sqlite { .. } => Ok(sqlite::inspect(copy)?.counts),
            Source::Postgres { .. } => Ok(postgres::read_archive(copy)?.counts),
        }
    }
}

/// The temporary name a backup is written under, beside its final one (same folder, so the
/// rename into place is atomic).
pub fn partial_name(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    out.with_file_name(format!(".{name}.partial"))
}

/// Write a checked backup of `source` to `out` (which must not exist), returning what it
/// holds. Nothing is left at `out` unless the check passed.
pub fn write_checked(source: &Source, out: &Path) -> Result<StoreCounts, BackupError> {
    if out.exists() {
        return Err(BackupError::Exists(out.to_owned()));
    }
    let partial = partial_name(out);
    let result = write_partial_then_rename(source, &partial, out);
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

fn write_partial_then_rename(
    source: &Source,
    partial: &Path,
    out: &Path,
) -> Result<StoreCounts, BackupError> {
    // Readable by the server's user only, whatever the umask: backups hold what the store does.
    create_private(partial)?;
    let live = source.copy_to(partial)?;
    let copy = source.count_copy(partial)?;
    if copy != live {
        return Err(BackupError::Mismatch { live, copy });
    }
    std::fs::File::open(partial)
        .and_then(|f| f.sync_all())
        .map_err(|e| BackupError::io("cannot flush", partial, e))?;
    if out.exists() {
        return Err(BackupError::Exists(out.to_owned()));
    }
    std::fs::rename(partial, out).map_err(|e| BackupError::io("cannot rename into", out, e))?;
    sync_dir(out);
    Ok(live)
}

/// Create (or empty) `path` as a file only its owner reads.
pub(crate) fn create_private(path: &Path) -> Result<(), BackupError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map(drop)
        .map_err(|e| BackupError::io("cannot write", path, e))
}

/// Make a rename in `path`'s folder durable (best effort: not every filesystem allows it).
pub(crate) fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}
