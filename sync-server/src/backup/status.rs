//! The state of the backups, where the administrator looks: `/health`, `komora-sync-server
//! backup-status`, and (through `Monitor`) anything else the server shows.
//!
//! The record of the last attempt lives beside the backups (`backup-status.json`), not in the
//! store: it describes the backups and must outlive the store they save. A restore puts an
//! older store in place, which would bring back an older record, claiming the backups of the
//! day it was taken; and `backup-status` reads it without opening the store, whichever
//! database the server uses and whether or not it is running. A folder that cannot be read is
//! itself the answer (the backup disk is gone). The running server also keeps the record in
//! memory, so `/health` shows a failure even when the folder cannot be written any more.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::schedule::{self, Schedule};
use super::{utc, StoreCounts};

/// The record's file name in the backup folder.
pub const STATUS_FILE: &str = "backup-status.json";

/// The outcome of the scheduled backups so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRecord {
    pub last_attempt_ms: Option<u64>,
    pub last_attempt_ok: bool,
    /// Why the last attempt failed (for the administrator; never shown on `/health`).
    pub last_error: Option<String>,
    pub last_good_ms: Option<u64>,
    pub last_good_file: Option<String>,
    pub last_good_counts: Option<StoreCounts>,
}

impl StatusRecord {
    fn last_attempt_failed(&self) -> bool {
        self.last_attempt_ms.is_some() && !self.last_attempt_ok
    }
}

/// The record in `dir`, if there is one.
pub fn read(dir: &Path) -> std::io::Result<Option<StatusRecord>> {
    match std::fs::read(dir.join(STATUS_FILE)) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Replace the record in `dir` (written aside, then renamed: never half a record).
pub fn write(dir: &Path, record: &StatusRecord) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{STATUS_FILE}.partial"));
    let bytes = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, dir.join(STATUS_FILE))
}

/// What `/health` says of the backups: times and flags only (no path, no error text).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupHealth {
    /// Whether this server takes backups on a schedule (`--backup-every`).
    pub scheduled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub every_s: Option<u64>,
    /// When the newest good backup was taken (ms since 1970, UTC) and how old it is.
    pub last_good_ms: Option<u64>,
    pub last_good_age_s: Option<u64>,
    /// The last attempt failed: the newest good backup is older than it should be.
    pub last_attempt_failed: bool,
    /// No good backup, or the newest is older than two intervals.
    pub stale: bool,
    /// The backups are on the same disk as the store (`None`: the store is not on this
    /// machine, as with PostgreSQL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_disk_as_data: Option<bool>,
}

/// The health of backups at `now_ms`, for a schedule of `every` (if any).
pub fn health(
    every: Option<Duration>,
    same_disk: Option<bool>,
    record: &StatusRecord,
    now_ms: u64,
) -> BackupHealth {
    let Some(every) = every else {
        return BackupHealth::default();
    };
    let age_ms = record.last_good_ms.map(|t| now_ms.saturating_sub(t));
    BackupHealth {
        scheduled: true,
        every_s: Some(every.as_secs()),
        last_good_ms: record.last_good_ms,
        last_good_age_s: age_ms.map(|a| a / 1000),
        last_attempt_failed: record.last_attempt_failed(),
        stale: age_ms.is_none_or(|a| a > 2 * every.as_millis() as u64),
        same_disk_as_data: same_disk,
    }
}

/// The running server's view of its backups (in `AppState`).
#[derive(Default)]
pub struct Monitor(Mutex<Option<Watched>>);

struct Watched {
    every: Duration,
    same_disk: Option<bool>,
    record: StatusRecord,
}

impl Monitor {
    /// Backups are scheduled every `every`; `record` is what the folder says so far.
    pub fn watch(&self, every: Duration, same_disk: Option<bool>, record: StatusRecord) {
        *self.lock() = Some(Watched {
            every,
            same_disk,
            record,
        });
    }

    /// The outcome of an attempt, and whether the folder is (still, or now) on the data's
    /// disk: a backup disk that came unmounted leaves its empty mount point on the system's.
    pub fn record(&self, record: StatusRecord, same_disk: Option<bool>) {
        if let Some(w) = self.lock().as_mut() {
            w.record = record;
            w.same_disk = same_disk;
        }
    }

    /// What `/health` shows (`scheduled: false` when no schedule runs).
    pub fn health(&self, now_ms: u64) -> BackupHealth {
        match self.lock().as_ref() {
            Some(w) => health(Some(w.every), w.same_disk, &w.record, now_ms),
            None => BackupHealth::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Watched>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `backup-status`: the state of the backups in words, and whether all is well (a good backup
/// newer than two intervals, and the last attempt did not fail).
pub fn report(schedule: &Schedule, data_dir: Option<&Path>, now_ms: u64) -> (String, bool) {
    let dir = &schedule.dir;
    let mut out = format!(
        "backups: every {} into {}, keeping the newest {}\n",
        schedule.every,
        dir.display(),
        schedule.keep
    );
    let kept = match schedule::list(dir) {
        Ok(k) => k,
        Err(e) => {
            out.push_str(&format!(
                "PROBLEM: the backup folder cannot be read ({}): is its disk there?\n",
                e.kind()
            ));
            return (out, false);
        }
    };
    let record = match read(dir) {
        Ok(Some(r)) => r,
        Ok(None) => schedule::initial_record(dir),
        Err(e) => {
            out.push_str(&format!(
                "the status record cannot be read ({e}); from the files:\n"
            ));
            schedule::initial_record(dir)
        }
    };
    let h = health(Some(schedule.every.0), None, &record, now_ms);
    match (record.last_good_ms, &record.last_good_file) {
        (Some(t), file) => {
            out.push_str(&format!(
                "last good backup: {} ({} ago)",
                utc::human(t),
                utc::age(now_ms.saturating_sub(t))
            ));
            if let Some(f) = file {
                out.push_str(&format!(", {f}"));
            }
            if let Some(c) = record.last_good_counts {
                out.push_str(&format!(": {c}"));
            }
            out.push('\n');
        }
        (None, _) => out.push_str("last good backup: none yet\n"),
    }
    if let Some(t) = record.last_attempt_ms {
        if record.last_attempt_ok {
            out.push_str(&format!("last attempt: {}, succeeded\n", utc::human(t)));
        } else {
            out.push_str(&format!(
                "PROBLEM: the last attempt, {}, FAILED: {}\n",
                utc::human(t),
                record.last_error.as_deref().unwrap_or("no reason recorded")
            ));
        }
    }
    if h.stale {
        out.push_str(&format!(
            "PROBLEM: no good backup in the last {} (two intervals): is the server running, is the backup disk there?\n",
            super::schedule::Interval(schedule.every.0 * 2)
        ));
    }
    match (kept.first(), kept.last()) {
        (Some(old), Some(new)) => out.push_str(&format!(
            "{} backups in the folder, from {} to {}\n",
            kept.len(),
            utc::human(old.at_ms),
            utc::human(new.at_ms)
        )),
        _ => out.push_str("no backup files in the folder\n"),
    }
    if data_dir.and_then(|d| schedule::same_disk(d, dir)) == Some(true) {
        out.push_str(&schedule::same_disk_warning(dir));
        out.push('\n');
    }
    let ok = !h.stale && !h.last_attempt_failed;
    (out, ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3_600_000;

    #[test]
    fn a_backup_that_stopped_is_stale_and_a_failure_shows() {
        let every = Some(Duration::from_secs(6 * 3600));
        let good = StatusRecord {
            last_attempt_ms: Some(10 * HOUR),
            last_attempt_ok: true,
            last_good_ms: Some(10 * HOUR),
            ..StatusRecord::default()
        };
        let fresh = health(every, Some(false), &good, 11 * HOUR);
        assert_eq!(
            (
                fresh.stale,
                fresh.last_attempt_failed,
                fresh.last_good_age_s
            ),
            (false, false, Some(3600))
        );
        assert!(
            health(every, None, &good, 23 * HOUR).stale,
            "13 hours without a backup"
        );
        let failed = StatusRecord {
            last_attempt_ms: Some(16 * HOUR),
            last_attempt_ok: false,
            last_error: Some("disk full".into()),
            ..good.clone()
        };
        let h = health(every, None, &failed, 16 * HOUR);
        assert!(h.last_attempt_failed && !h.stale);
        let json = serde_json::to_string(&h).unwrap();
        assert!(
            !json.contains("disk full"),
            "no error text on /health: {json}"
        );
        assert!(
            health(every, None, &StatusRecord::default(), 1).stale,
            "never backed up"
        );
        assert!(!health(None, None, &good, 99 * HOUR).scheduled);
    }
}
