//! The replica-exchange API that the sync engine and offline transfer by file build on:
//! say what you hold, take what another replica lacks, apply a batch.

use crate::error::Result;
use crate::op::OpEnvelope;
use crate::store::{ApplyReport, Summary};
use crate::vault::Vault;

impl Vault {
    /// What this replica holds, to send to another replica.
    pub fn summary(&self) -> Result<Summary> {
        self.store.summary()
    }

    /// The operations a replica holding `theirs` lacks.
    pub fn ops_missing_from(&self, theirs: &Summary) -> Result<Vec<OpEnvelope>> {
        self.store.missing_from(theirs)
    }

    /// Every operation in this replica's log.
    pub fn all_ops(&self) -> Result<Vec<OpEnvelope>> {
        self.store.missing_from(&Summary::default())
    }

    /// Merge operations from another replica: idempotent, in any order, all in one
    /// transaction. Refused operations are listed in the report and change nothing.
    ///
    /// In a vault of a server team, every operation must be signed by its author as the team's
    /// signed device list names it; refused ones are also written to the audit trail.
    pub fn apply_ops(&mut self, ops: &[OpEnvelope]) -> Result<ApplyReport> {
        let mut report = self.store.apply_remote(ops, None, false)?.report();
        if report.applied > 0 {
            // Operations kept waiting for their file's key may be mergeable now.
            let retried = self.store.retry_parked()?;
            report.applied += retried.applied;
            report.rejected.extend(retried.rejected);
            report.contested.extend(retried.contested);
            let now_merged: Vec<_> = report
                .waiting
                .iter()
                .copied()
                .filter(|id| !retried.waiting.contains(id))
                .collect();
            report.waiting.retain(|id| !now_merged.contains(id));
        }
        self.note_refused(&report.rejected)?;
        self.settle_erasures()?;
        Ok(report)
    }

    /// A batch file for a replica holding `theirs`: the operations it lacks, and this device's
    /// copy of the team's signed device list, so a tablet that has not synced since the
    /// authors enrolled can still check them.
    /// Returns the file's bytes and how many operations it holds.
    pub fn export_batch(&self, theirs: &Summary) -> Result<(Vec<u8>, usize)> {
        let ops = self.store.missing_from(theirs)?;
        let statements = self.roster_statements()?;
        Ok((crate::op::encode_batch_with(&ops, &statements), ops.len()))
    }

    /// Apply a batch file. The device-list statements it carries are checked like the
    /// server's, from this device's own root of trust, and used for this batch only (the
    /// next sync fetches them in the server's order).
    pub fn import_batch(&mut self, bytes: &[u8]) -> Result<ApplyReport> {
        let (ops, statements) = crate::op::decode_batch_with(bytes)?;
        let own = self.store.roster.clone();
        if let Some(wider) = self.roster_with(statements)? {
            self.store.roster = Some(wider);
        }
        let result = self.apply_ops(&ops);
        self.store.roster = own;
        result
    }
}
