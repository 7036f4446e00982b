//! Scheduled backups while serving (`--backup-every 6h --backup-dir DIR --keep N`): each one a
//! checked copy named by its UTC time (`komora-sync-20261129T080000Z.db`, `.dump` for
//! PostgreSQL), the oldest beyond N deleted, the outcome recorded beside them (`status.rs`).
//!
//! The first backup after a start is due one interval after the newest one in the folder (at
//! once if there is none or it is older), so restarts neither skip nor pile up backups. A
//! failed attempt is tried again sooner (within 15 minutes) and shows on `/health` meanwhile.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::status::{self, StatusRecord};
use super::{utc, write_checked, BackupError, Source};
use crate::config::Settings;
use crate::AppState;

/// Every backup file this server writes starts with this; nothing else in the folder is ever
/// deleted.
pub const PREFIX: &str = "komora-sync-";
/// Backups kept when `--keep` is not given: two weeks of daily ones.
pub const DEFAULT_KEEP: usize = 14;
/// How soon a failed backup is tried again (or one interval, if that is shorter).
const RETRY_AFTER: Duration = Duration::from_secs(15 * 60);

/// A time between backups: a whole number and a unit, `90s`, `30m`, `6h`, `1d`, `1w`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval(pub Duration);

impl FromStr for Interval {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            || format!("`{s}` is not an interval: write a number and s, m, h, d or w (6h, 1d)");
        let s = s.trim();
        let unit = s.chars().last().ok_or_else(bad)?;
        let seconds: u64 = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = s[..s.len() - 1].parse().map_err(|_| bad())?;
        if n == 0 {
            return Err("the time between backups must be more than zero".into());
        }
        let total = n.checked_mul(seconds).filter(|t| *t <= 366 * 86_400);
        total
            .map(|t| Interval(Duration::from_secs(t)))
            .ok_or_else(|| "the time between backups is at most a year".into())
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.as_secs();
        for (unit, len) in [("w", 7 * 86_400), ("d", 86_400), ("h", 3_600), ("m", 60)] {
            if s.is_multiple_of(len) {
                return write!(f, "{}{unit}", s / len);
            }
        }
        write!(f, "{s}s")
    }
}

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Where and how often.
#[derive(Clone, Debug)]
pub struct Schedule {
    pub every: Interval,
    pub dir: PathBuf,
    pub keep: usize,
}

impl Schedule {
    /// The schedule the settings ask for, if any; a folder without an interval (or the
    /// reverse) is a mistake worth stopping for.
    pub fn from_settings(settings: &Settings) -> Result<Option<Self>, String> {
        let keep = settings.keep.unwrap_or(DEFAULT_KEEP);
        if keep == 0 {
            return Err("--keep must keep at least one backup".into());
        }
        match (settings.backup_every, &settings.backup_dir) {
            (None, None) => Ok(None),
            (Some(every), Some(dir)) => Ok(Some(Schedule {
                every,
                dir: dir.clone(),
                keep,
            })),
            (Some(_), None) => Err(
                "--backup-every needs --backup-dir: a folder for the backups, on another disk"
                    .into(),
            ),
            (None, Some(_)) => {
                Err("--backup-dir needs --backup-every: how often to back up (6h, 1d)".into())
            }
        }
    }

    /// Make the folder if needed and say what will happen, loudly when the backups would
    /// share the store's disk (a dead disk would take both). Returns whether they do (`None`
    /// when the store is not on this machine).
    pub fn prepare(&self, source: &Source) -> Result<Option<bool>, String> {
        create_private_dir(&self.dir).map_err(|e| {
            format!(
                "cannot create the backup folder {}: {}",
                self.dir.display(),
                e.kind()
            )
        })?;
        let same = source.data_dir().and_then(|d| same_disk(d, &self.dir));
        eprintln!(
            "komora-sync-server: backing up every {} into {}, keeping the newest {}",
            self.every,
            self.dir.display(),
            self.keep
        );
        if same == Some(true) {
            eprintln!("komora-sync-server: {}", same_disk_warning(&self.dir));
        }
        Ok(same)
    }
}

/// The warning for backups on the store's own disk.
pub fn same_disk_warning(dir: &Path) -> String {
    format!(
        "WARNING: the backup folder {} is on the same disk as the server's data: a dead disk \
         takes the store and every backup with it. Put the backups on another disk (a second \
         drive, a USB disk, a network share).",
        dir.display()
    )
}

/// Create a folder only its owner may enter (if it is missing).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Whether two folders are on the same filesystem (same device id); `None` if unknown.
pub fn same_disk(a: &Path, b: &Path) -> Option<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (a, b) = (std::fs::metadata(a).ok()?, std::fs::metadata(b).ok()?);
        Some(a.dev() == b.dev())
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        None
    }
}

/// The name of a backup taken at `ms`.
pub fn file_name(ms: u64, extension: &str) -> String {
    format!("{PREFIX}{}.{extension}", utc::stamp(ms))
}

/// A backup in the folder: its name and the time it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    pub name: String,
    pub at_ms: u64,
}

/// The time a backup's file name names, if it is one of ours (final, not partial).
fn parse_name(name: &str) -> Option<u64> {
    let rest = name.strip_prefix(PREFIX)?;
    let (stamp, ext) = rest.split_once('.')?;
    matches!(ext, "db" | "dump").then_some(())?;
    utc::parse_stamp(stamp)
}

/// The backups in `dir`, oldest first.
pub fn list(dir: &Path) -> std::io::Result<Vec<Kept>> {
    let mut kept = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(at_ms) = parse_name(&name) {
            kept.push(Kept { name, at_ms });
        }
    }
    kept.sort_by(|a, b| (a.at_ms, &a.name).cmp(&(b.at_ms, &b.name)));
    Ok(kept)
}

/// Delete the oldest backups beyond `keep`, and partial files an interrupted attempt left;
/// returns the names deleted. Nothing that is not ours is touched.
pub fn prune(dir: &Path, keep: usize) -> Result<Vec<String>, BackupError> {
    let kept = list(dir).map_err(|e| BackupError::io("cannot read", dir, e))?;
    let mut deleted = Vec::new();
    for old in kept.iter().take(kept.len().saturating_sub(keep)) {
        let path = dir.join(&old.name);
        std::fs::remove_file(&path).map_err(|e| BackupError::io("cannot delete", &path, e))?;
        deleted.push(old.name.clone());
    }
    for entry in std::fs::read_dir(dir).map_err(|e| BackupError::io("cannot read", dir, e))? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&format!(".{PREFIX}")) && name.ends_with(".partial") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(deleted)
}

/// One scheduled backup at `now_ms`: write it checked, keep the newest `keep`, record the
/// outcome beside the backups. Returns the new record (also when the attempt failed).
pub fn take(
    source: &Source,
    schedule: &Schedule,
    previous: &StatusRecord,
    now_ms: u64,
) -> (StatusRecord, Result<String, BackupError>) {
    let name = file_name(now_ms, source.extension());
    let outcome = create_private_dir(&schedule.dir)
        .map_err(|e| BackupError::io("cannot create", &schedule.dir, e))
        .and_then(|()| write_checked(source, &schedule.dir.join(&name)));
    let mut record = previous.clone();
    record.last_attempt_ms = Some(now_ms);
    let result = match outcome {
        Ok(counts) => {
            record.last_attempt_ok = true;
            record.last_error = None;
            record.last_good_ms = Some(now_ms);
            record.last_good_file = Some(name.clone());
            record.last_good_counts = Some(counts);
            // A backup that cannot make room is still a good backup; say why the folder grows.
            match prune(&schedule.dir, schedule.keep) {
                Ok(_) => Ok(name),
                Err(e) => {
                    tracing::warn!(error = %e, "old backups could not be deleted");
                    Ok(name)
                }
            }
        }
        Err(e) => {
            record.last_attempt_ok = false;
            record.last_error = Some(e.to_string());
            Err(e)
        }
    };
    if let Err(e) = status::write(&schedule.dir, &record) {
        tracing::warn!(error = %e, "the backup status could not be written beside the backups");
    }
    (record, result)
}

/// What the folder says before the first attempt of this run: its status record, or (for a
/// folder without one) its newest backup.
pub fn initial_record(dir: &Path) -> StatusRecord {
    if let Ok(Some(record)) = status::read(dir) {
        return record;
    }
    let newest = list(dir).ok().and_then(|l| l.last().cloned());
    StatusRecord {
        last_good_ms: newest.as_ref().map(|k| k.at_ms),
        last_good_file: newest.map(|k| k.name),
        ..StatusRecord::default()
    }
}

/// Take backups on the schedule until the runtime stops, keeping `state.backups` (what
/// `/health` shows) current. `same_disk` is what `Schedule::prepare` found.
pub async fn run(
    state: Arc<AppState>,
    source: Source,
    schedule: Schedule,
    mut same_disk: Option<bool>,
) {
    let every = schedule.every.0;
    let mut record = initial_record(&schedule.dir);
    state.backups.watch(every, same_disk, record.clone());
    let mut next_ms = record
        .last_good_ms
        .map_or(0, |t| t.saturating_add(every.as_millis() as u64));
    let (source, schedule) = (Arc::new(source), Arc::new(schedule));
    let every_ms = every.as_millis() as u64;
    loop {
        let now = crate::now_ms();
        // Never more than one interval away, whatever the clock did.
        next_ms = next_ms.min(now.saturating_add(every_ms));
        if next_ms > now {
            tokio::time::sleep(Duration::from_millis(next_ms - now)).await;
            continue;
        }
        let (src, sch, prev) = (source.clone(), schedule.clone(), record.clone());
        let attempt = tokio::task::spawn_blocking(move || {
            let at = crate::now_ms();
            let (record, result) = take(&src, &sch, &prev, at);
            (at, record, result.map_err(|e| e.to_string()))
        })
        .await;
        let Ok((at, new_record, result)) = attempt else {
            tracing::error!("a scheduled backup panicked");
            next_ms = crate::now_ms() + RETRY_AFTER.min(every).as_millis() as u64;
            continue;
        };
        record = new_record;
        let same_now = source
            .data_dir()
            .and_then(|d| self::same_disk(d, &schedule.dir));
        if same_now == Some(true) && same_disk != Some(true) {
            eprintln!("komora-sync-server: {}", same_disk_warning(&schedule.dir));
        }
        same_disk = same_now;
        state.backups.record(record.clone(), same_disk);
        match result {
            Ok(name) => {
                tracing::info!(file = %name, "backup written and checked");
                next_ms = at + every_ms;
            }
            Err(e) => {
                tracing::error!(error = %e, "scheduled backup FAILED");
                eprintln!("komora-sync-server: WARNING: the scheduled backup failed: {e}");
                next_ms = at + RETRY_AFTER.min(every).as_millis() as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_as_administrators_write_them() {
        for (text, secs) in [
            ("90s", 90),
            ("30m", 1800),
            ("6h", 21_600),
            ("1d", 86_400),
            ("2w", 1_209_600),
        ] {
            let i: Interval = text.parse().unwrap();
            assert_eq!(i.0.as_secs(), secs, "{text}");
            assert_eq!(i.to_string(), text);
        }
        for bad in [
            "",
            "6",
            "h",
            "6x",
            "-1h",
            "0h",
            "1.5h",
            "400d",
            "99999999999999999w",
        ] {
            assert!(bad.parse::<Interval>().is_err(), "{bad}");
        }
    }

    #[test]
    fn only_our_backups_are_pruned_and_the_newest_stay() {
        let dir = tempfile::tempdir().unwrap();
        let day = 86_400_000u64;
        for i in 0..5 {
            std::fs::write(
                dir.path()
                    .join(file_name(1_795_939_200_000 + i * day, "db")),
                b"x",
            )
            .unwrap();
        }
        for other in [
            "notes.txt",
            "komora-sync-latest.db",
            "komora-sync-20261129T080000Z.db.bak",
        ] {
            std::fs::write(dir.path().join(other), b"mine").unwrap();
        }
        std::fs::write(
            dir.path().join(".komora-sync-20261201T080000Z.db.partial"),
            b"",
        )
        .unwrap();
        let deleted = prune(dir.path(), 2).unwrap();
        assert_eq!(
            deleted,
            vec![
                "komora-sync-20261129T080000Z.db",
                "komora-sync-20261130T080000Z.db",
                "komora-sync-20261201T080000Z.db"
            ]
        );
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec![
                "komora-sync-20261129T080000Z.db.bak",
                "komora-sync-20261202T080000Z.db",
                "komora-sync-20261203T080000Z.db",
                "komora-sync-latest.db",
                "notes.txt"
            ]
        );
    }
}
