//! Lock-out after wrong PINs: the first few mistakes cost nothing, then each further attempt
//! waits longer (30 s, doubling, at most an hour), and an administrator may ask for the vault
//! to be erased after a number of failures in a row.
//!
//! The count lives in `attempts.json` beside the key file, in clear (it must be read before the
//! PIN is known). Someone holding a copy of the files can reset it: this slows down guessing on
//! the tablet's own screen; the KDF (and, on Android, the hardware key) is what resists offline
//! guessing. A clock set back does not shorten a wait: a failure "in the future" counts from the
//! moment it is seen (`Attempts::seen_before`), and the wait runs from there.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const FILE: &str = "attempts.json";
/// Mistakes allowed before any wait.
pub const FREE_ATTEMPTS: u32 = 5;
const FIRST_WAIT_MS: u64 = 30_000;
const MAX_WAIT_MS: u64 = 3_600_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Attempts {
    /// Wrong PINs in a row since the last successful unlock.
    pub failures: u32,
    pub last_failure_ms: u64,
    /// Erase the vault after this many failures in a row (administrator policy).
    #[serde(default)]
    pub wipe_after: Option<u32>,
}

/// How long after the last failure the next attempt must wait, for `failures` in a row.
pub(crate) fn wait_ms(failures: u32) -> u64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(16);
    (FIRST_WAIT_MS << doublings).min(MAX_WAIT_MS)
}

impl Attempts {
    pub fn read(dir: &Path) -> Self {
        // A missing or unreadable file counts as no failures: the file is a brake, not a lock.
        fs::read(dir.join(FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(FILE);
        let tmp = dir.join("attempts.json.tmp");
        let bytes = serde_json::to_vec(self).expect("attempts serialise");
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &path)
        };
        write().map_err(|e| Error::io(&path, e))
    }

    /// A last failure dated after `now` (the clock was ahead then, or was set back since)
    /// counts from now: true when it was moved, to be kept. The wait then runs in full from
    /// this moment, once: setting a clock back never shortens it, and a clock that was years
    /// ahead does not shut the counsellor out for years.
    pub fn seen_before(&mut self, now_ms: u64) -> bool {
        if self.last_failure_ms > now_ms {
            self.last_failure_ms = now_ms;
            true
        } else {
            false
        }
    }

    /// `Err(LockedOut)` while the wait after the last failure runs.
    pub fn check(&self, now_ms: u64) -> Result<()> {
        let wait = wait_ms(self.failures);
        if wait == 0 {
            return Ok(());
        }
        let since = now_ms.saturating_sub(self.last_failure_ms);
        let remaining = if now_ms < self.last_failure_ms {
            wait
        } else {
            wait.saturating_sub(since)
        };
        if remaining > 0 {
            return Err(Error::LockedOut {
                retry_after_ms: remaining,
                failures: self.failures,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_attempts_and_stop_at_an_hour() {
        assert_eq!(wait_ms(4), 0);
        assert_eq!(wait_ms(5), 30_000);
        assert_eq!(wait_ms(6), 60_000);
        assert_eq!(wait_ms(12), 3_600_000);
        assert_eq!(wait_ms(u32::MAX), 3_600_000);
        let a = Attempts {
            failures: 6,
            last_failure_ms: 1_000_000,
            wipe_after: None,
        };
        assert!(a.check(1_000_000 + 59_000).is_err());
        assert!(a.check(1_000_000 + 60_000).is_ok());
        assert!(
            a.check(10).is_err(),
            "a clock set back does not shorten the wait"
        );
    }
}
