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
    pub fn apply_ops(&mut self, ops: &[OpEnvelope]) -> Result<ApplyReport> {
        self.store.apply_remote(ops, None)
    }
}
