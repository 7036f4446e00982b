//! A tablet put back from an old copy of itself (ADR 0032): an image restored after a crash,
//! a folder copied back by a repair shop. The server holds work of this device that the vault
//! no longer has, under numbers the vault would give again. At its next login the tablet
//! sees the server holding numbers of its own at or above its next one ([`Store::put_back`]),
//! asks for its own operations back (the engine, `GET /v1/pull/own`), applies them like a
//! colleague's, and gives each waiting operation whose number a returned one holds a number
//! of its own ([`Store::renumber_taken`]), before anything is pushed.

use std::collections::BTreeSet;

use rusqlite::params;

use crate::error::Result;
use crate::op::OpEnvelope;

use super::Store;

/// How far above its own next number a server's word alone may move it (a server that does
/// not serve a device its own operations back): a lying server cannot make it overflow.
const UNVERIFIED_RAISE: u64 = 1 << 20;

impl Store {
    /// When the server says it holds a number of this device at or above the next one this
    /// vault would give (it was put back from an older copy of itself): the numbers the
    /// server holds that the log does not hold as sent, as ranges. `None` otherwise.
    pub(crate) fn put_back(&self, own: &[(u64, u64)]) -> Result<Option<Vec<(u64, u64)>>> {
        let Some(server_max) = own.iter().map(|r| r.1).max() else {
            return Ok(None);
        };
        if server_max < self.next_seq {
            return Ok(None);
        }
        let sent: BTreeSet<u64> = self
            .conn
            .prepare_cached("SELECT device_seq FROM ops WHERE device_id = ?1 AND synced = 1")?
            .query_map([self.device.as_bytes()], |r| r.get::<_, i64>(0))?
            .map(|n| n.map(|n| n as u64))
            .collect::<std::result::Result<_, _>>()?;
        let mut missing = lacking(own, &sent);
        missing.sort_unstable();
        Ok(Some(missing))
    }

    /// After this device's own operations came back (or could not): every waiting operation
    /// whose number the server says it holds (`own`) signed again with a number of its own,
    /// and the next number raised above every number the log holds of this device and above
    /// the server's (within reason: a lying server cannot make it overflow). A waiting
    /// operation the server holds under its own id came back and is no longer waiting; one
    /// whose number came back under another id, or whose returned copy could not be logged
    /// (parked for a key, refused, damaged), or that could not be asked for, holds a number
    /// the server refuses to take again (ADR 0032). Returns how many were renumbered.
    pub(crate) fn renumber_taken(&mut self, own: &[(u64, u64)]) -> Result<usize> {
        let me = *self.device.as_bytes();
        let tx = self.conn.transaction()?;
        let logged_max: Option<i64> = tx
            .prepare_cached("SELECT max(device_seq) FROM ops WHERE device_id = ?1")?
            .query_row([&me[..]], |r| r.get(0))?;
        let mut next = self
            .next_seq
            .max(logged_max.map_or(0, |n| (n as u64).saturating_add(1)));
        if let Some(claimed) = own.iter().map(|r| r.1).max() {
            if claimed < self.next_seq.saturating_add(UNVERIFIED_RAISE) {
                next = next.max(claimed.saturating_add(1));
            }
        }
        let held = |n: u64| own.iter().any(|&(lo, hi)| lo <= n && n <= hi);
        let waiting: Vec<(i64, u64, Vec<u8>)> = tx
            .prepare(
                "SELECT o.seq, o.device_seq, o.envelope FROM ops o
                 WHERE o.device_id = ?1 AND o.synced = 0 ORDER BY o.seq",
            )?
            .query_map([&me[..]], |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?))
            })?
            .collect::<std::result::Result<_, _>>()?;
        let mut taken_by_another = tx.prepare_cached(
            "SELECT 1 FROM ops WHERE device_id = ?1 AND device_seq = ?2 AND synced = 1",
        )?;
        let mut update =
            tx.prepare("UPDATE ops SET device_seq = ?2, envelope = ?3 WHERE seq = ?1")?;
        let mut renumbered = 0;
        for (seq, number, bytes) in &waiting {
            if !held(*number) && !taken_by_another.exists(params![&me[..], *number as i64])? {
                continue;
            }
            let env = OpEnvelope::from_bytes(bytes)?;
            let key = self.keys.get(env.epoch())?;
            let op = env.open(key)?;
            let (again, _) = OpEnvelope::renumbered(&op, next, &self.signer, key);
            update.execute(params![seq, next as i64, again.to_bytes()])?;
            next += 1;
            renumbered += 1;
        }
        drop((taken_by_another, update));
        super::save_clock_at(&tx, self.clock.last(), next)?;
        tx.commit()?;
        self.next_seq = next;
        Ok(renumbered)
    }
}

/// `own` (ranges) less the numbers in `sent`, as ranges: as many as there are numbers sent and
/// ranges, whatever a server claims (a range of every number costs one range).
fn lacking(own: &[(u64, u64)], sent: &BTreeSet<u64>) -> Vec<(u64, u64)> {
    let mut missing = Vec::new();
    for &(lo, hi) in own.iter().filter(|(lo, hi)| lo <= hi) {
        let mut from = Some(lo);
        for &n in sent.range(lo..=hi) {
            if let Some(f) = from.filter(|&f| n > f) {
                missing.push((f, n - 1));
            }
            from = n.checked_add(1);
        }
        if let Some(f) = from.filter(|&f| f <= hi) {
            missing.push((f, hi));
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_server_holds_less_what_was_sent_in_ranges_whatever_it_claims() {
        let sent: BTreeSet<u64> = [1, 2, 3, 7, 9].into_iter().collect();
        assert_eq!(lacking(&[(1, 3)], &sent), []);
        assert_eq!(lacking(&[(1, 10)], &sent), [(4, 6), (8, 8), (10, 10)]);
        assert_eq!(lacking(&[(5, 6), (9, 9)], &sent), [(5, 6)]);
        assert_eq!(
            lacking(&[(9, 1)], &sent),
            [],
            "a range upside down is nothing"
        );
        // A lying server's range of every number: a handful of ranges, at once.
        let every = lacking(&[(0, u64::MAX)], &sent);
        assert_eq!(every, [(0, 0), (4, 6), (8, 8), (10, u64::MAX)]);
        let top: BTreeSet<u64> = [u64::MAX].into_iter().collect();
        assert_eq!(
            lacking(&[(u64::MAX - 1, u64::MAX)], &top),
            [(u64::MAX - 1, u64::MAX - 1)]
        );
    }
}
