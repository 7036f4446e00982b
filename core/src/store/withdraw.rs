//! Withdrawing what a revoked tablet numbered past its cutoff, when it was merged here before
//! the cutoff was known (ADR 0013, issue 16's convergence finding).
//!
//! A tablet that is lost is revoked with a cutoff: its operations up to that number count,
//! later ones are refused by every tablet that knows the cutoff. A colleague may have merged
//! one of those later operations *before* learning the cutoff (she had it by batch file from
//! the lost tablet's owner, who had not synced). Every other tablet refuses it; if the
//! colleague's tablet kept showing it, the team would never agree again. So when a tablet
//! learns a cutoff, it takes such operations out of its log and rebuilds each record they
//! touched from the operations that remain (a record's state is a function of the set of
//! its operations, `crate::merge`): the same state a tablet that refused them from the start
//! holds. The withdrawn operations are reported as refused, so its audit trail says what every
//! other tablet's says.
//!
//! A withdrawn operation that carried a client file's keys leaves the file without them for
//! the rest of the team: the tablet then drops the file's records from its screens, as a
//! tablet that never had the keys shows nothing of them. Its own operations about the file
//! stay in its log and the file's key is kept aside under its master key: its counsellor's
//! words are not destroyed, only no longer shown (no recovery screen is built yet). What a
//! withdrawn operation did beyond its record's state (an erasure destroys a key) cannot be
//! undone: see ADR 0013.

use std::collections::{BTreeSet, HashSet};

use crate::error::Result;
use crate::ids::{DeviceId, OpId, RecordId};
use crate::merge::RecordState;
use crate::op::OpEnvelope;

use super::sync::{RejectReason, Rejected};
use super::Store;

/// The meta key prefix under which a withdrawn file's key is kept aside (its id in hex
/// follows).
const WITHDRAWN_FILE_KEY: &str = "withdrawn_file_key/";

/// What becomes of one record when the operations are withdrawn.
enum Rebuilt {
    /// Its state from the operations that remain.
    State(RecordState),
    /// No operation of it remains: it is gone from this tablet.
    Gone,
    /// Its file's keys were in a withdrawn operation: the file's records leave the screens.
    FileLost,
}

impl Store {
    /// Take out of the log every operation of another tablet numbered past the cutoff the
    /// team's list now gives it, and rebuild the records they touched. Returns them as
    /// refused (nothing when the list has no cutoff, or nothing was merged past one). A record
    /// that cannot be rebuilt (an operation of it does not open any more) keeps its
    /// operations and its state: it is left as it was rather than half withdrawn.
    pub(crate) fn withdraw_past_cutoffs(&mut self) -> Result<Vec<Rejected>> {
        let Some(roster) = &self.roster else {
            return Ok(Vec::new());
        };
        // This tablet's own work is never withdrawn here: a list that cut this tablet off
        // comes with its revocation, and what it wrote stays its counsellor's.
        let cut: Vec<(DeviceId, u64)> = roster
            .devices()
            .into_iter()
            .filter(|d| d.id != self.device)
            .filter_map(|d| d.last_counted.map(|last| (d.id, last)))
            .collect();
        let mut past: Vec<(OpId, RecordId, DeviceId)> = Vec::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT op_id, record_id FROM ops WHERE device_id = ?1 AND device_seq > ?2",
            )?;
            for (device, last) in &cut {
                let rows = stmt
                    .query_map(rusqlite::params![device.as_bytes(), *last as i64], |r| {
                        Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
                    })?;
                for row in rows {
                    let (op, record) = row?;
                    past.push((
                        OpId::from_slice(&op)?,
                        RecordId::from_slice(&record)?,
                        *device,
                    ));
                }
            }
        }
        if past.is_empty() {
            return Ok(Vec::new());
        }
        let out: HashSet<OpId> = past.iter().map(|(op, _, _)| *op).collect();
        let records: BTreeSet<RecordId> = past.iter().map(|(_, record, _)| *record).collect();
        let mut rebuilt = Vec::new();
        for record in records {
            match self.rebuild_without(record, &out) {
                Ok(Some(r)) => rebuilt.push((record, r)),
                // Not merged here (an erased file's operation kept as it came): only its
                // log line goes.
                Ok(None) => rebuilt.push((record, Rebuilt::Gone)),
                Err(_) => {}
            }
        }
        let rebuilt_ids: HashSet<RecordId> = rebuilt.iter().map(|(record, _)| *record).collect();
        let withdrawn: Vec<&(OpId, RecordId, DeviceId)> = past
            .iter()
            .filter(|(_, record, _)| rebuilt_ids.contains(record))
            .collect();
        let tx = self.conn.transaction()?;
        {
            let mut delete = tx.prepare_cached("DELETE FROM ops WHERE op_id = ?1")?;
            for (op, _, _) in &withdrawn {
                delete.execute([op.as_bytes()])?;
            }
        }
        let mut gone = Vec::new();
        let mut lost_files = Vec::new();
        // A lost file's records go last: a record of that file rebuilt from what remains of
        // it (an edit of a session whose creation was withdrawn with the client's keys) would
        // otherwise be saved again after its file was dropped, with no file, and counted in
        // the figures by this tablet alone.
        rebuilt.sort_by_key(|(_, r)| matches!(r, Rebuilt::FileLost));
        for (record, r) in &rebuilt {
            match r {
                Rebuilt::State(state) => {
                    // The row keeps its file and its wrapped file key (`save_state` leaves
                    // them as they are).
                    super::states::save_state(&tx, &self.states, *record, state, None, None)?;
                }
                Rebuilt::Gone => {
                    tx.prepare_cached("DELETE FROM records WHERE record_id = ?1")?
                        .execute([record.as_bytes()])?;
                    gone.push(*record);
                }
                Rebuilt::FileLost => {
                    // The file's key (wrapped under this device's master key) is kept aside:
                    // this tablet's own operations about the file stay readable to a
                    // recovery, never shown (ADR 0013).
                    tx.prepare_cached(
                        "INSERT OR IGNORE INTO meta (key, value)
                         SELECT ?2 || hex(record_id), file_key FROM records
                         WHERE record_id = ?1 AND file_key IS NOT NULL",
                    )?
                    .execute(rusqlite::params![record.as_bytes(), WITHDRAWN_FILE_KEY])?;
                    let mut stmt = tx.prepare_cached(
                        "SELECT record_id FROM records WHERE file = ?1 OR record_id = ?1",
                    )?;
                    let rows = stmt.query_map([record.as_bytes()], |r| r.get::<_, Vec<u8>>(0))?;
                    for row in rows {
                        gone.push(RecordId::from_slice(&row?)?);
                    }
                    tx.prepare_cached("DELETE FROM records WHERE file = ?1 OR record_id = ?1")?
                        .execute([record.as_bytes()])?;
                    lost_files.push(*record);
                }
            }
        }
        super::pages::records_changed(&tx, &self.states, self.kinds, &gone)?;
        if !lost_files.is_empty() {
            super::files::mark_unflushed(&tx)?;
        }
        tx.commit()?;
        for file in lost_files {
            self.files.forget(file);
        }
        self.changes
            .record(rebuilt_ids.into_iter().chain(gone.iter().copied()));
        let refused: Vec<Rejected> = withdrawn
            .into_iter()
            .map(|(op, _, device)| Rejected {
                op_id: *op,
                reason: RejectReason::RevokedAuthor(*device),
            })
            .collect();
        // The sync under way reports them with what it refused itself.
        self.withdrawn.extend(refused.iter().cloned());
        Ok(refused)
    }

    /// The client files whose keys came in a withdrawn operation: this tablet holds their
    /// key aside, no other tablet holds it at all. Their operations still in this tablet's
    /// log (its own) wait, as on every other tablet, for a key that never comes: nothing of
    /// them is shown, the audit trail included.
    pub(crate) fn withdrawn_files(&self) -> Result<HashSet<RecordId>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key FROM meta WHERE key LIKE 'withdrawn_file_key/%'")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = HashSet::new();
        for row in rows {
            let key = row?;
            let hex = key.trim_start_matches(WITHDRAWN_FILE_KEY);
            if let Ok(file) = hex.to_ascii_lowercase().parse::<RecordId>() {
                out.insert(file);
            }
        }
        Ok(out)
    }

    /// `record` as it would be had the operations `out` never arrived: `None` when this
    /// tablet holds no state for it.
    fn rebuild_without(&self, record: RecordId, out: &HashSet<OpId>) -> Result<Option<Rebuilt>> {
        let Some(held) = self.state(record)? else {
            return Ok(None);
        };
        let mut carried_keys = false;
        let mut lost_keys = false;
        let mut state: Option<RecordState> = None;
        // Folded in arrival order, "received" meaning folded before: the rules then meet the
        // operations as they met them the first time, without the withdrawn ones.
        let mut folded: HashSet<OpId> = HashSet::new();
        let envelopes: Vec<Vec<u8>> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT envelope FROM ops WHERE record_id = ?1 ORDER BY seq")?;
            let rows = stmt.query_map([record.as_bytes()], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut cache = std::collections::HashMap::new();
        for bytes in envelopes {
            let env = OpEnvelope::from_bytes(&bytes)?;
            let mut op = env.open(self.keys.get(env.epoch())?)?;
            // Whether it carries its file's keys is read before its sealed parts are opened
            // (opening them takes the keys out of its changes).
            let keys = op.body.carried_keys().is_some();
            self.open_file_changes(&mut op, &mut cache);
            if out.contains(&op.id) {
                lost_keys |= keys;
                continue;
            }
            carried_keys |= keys;
            state
                .get_or_insert_with(|| RecordState::new(&held.kind, op.body.hlc()))
                .apply(&op, &mut |id| folded.contains(id));
            folded.insert(op.id);
        }
        if lost_keys && !carried_keys {
            return Ok(Some(Rebuilt::FileLost));
        }
        Ok(Some(state.map_or(Rebuilt::Gone, Rebuilt::State)))
    }
}
