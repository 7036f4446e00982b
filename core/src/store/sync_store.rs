//! What the sync engine may ask of the store, and nothing more (issue 19, item 3): the
//! operations waiting to be pushed and their acknowledgement, the pull cursor and the
//! server's identity, applying a pulled page, the keys' epochs, the erasures to ask for, and
//! what a reconciliation needs after a server restore (ADR 0016). The engine
//! (`remote/engine.rs`) reaches the store only through this trait; `core/tests/layers.rs`
//! fails if it reaches past it. Every method is one of the store's own, whose comment says
//! what it guarantees (each write is one transaction).

use super::sync::Unsynced;
use super::{Applied, ApplyReport, PendingErasures, Store, Summary};
use crate::error::Result;
use crate::ids::OpId;
use crate::op::OpEnvelope;

/// Where the time of the last complete sync is kept (shown on the sync line).
const LAST_SYNC_KEY: &str = "last_sync_ms";

pub(crate) trait SyncStore {
    // What waits to be pushed, and its acknowledgement.
    /// Local operations not yet acknowledged by the server.
    fn pending(&self) -> Result<u64>;
    /// The next operations to push, oldest first, at most `max_ops` and about `max_bytes`.
    fn unsynced(&self, max_ops: usize, max_bytes: usize) -> Result<Vec<Unsynced>>;
    /// Re-seal waiting operations under the current key epoch (after a rotation).
    fn reseal_unsynced(&mut self) -> Result<usize>;
    /// The server acknowledged these (by local sequence).
    fn mark_synced(&mut self, seqs: &[i64]) -> Result<()>;

    // Pulling.
    /// Where the next pull starts, and the operation the stream held there.
    fn pull_cursor(&self) -> Result<u64>;
    fn pull_anchor(&self) -> Result<Option<OpId>>;
    /// Whether operations sealed under `epoch` can be opened here.
    fn holds_epoch(&self, epoch: u32) -> bool;
    /// Apply a pulled page and save its cursor, in one transaction.
    fn apply_page(
        &mut self,
        envelopes: &[OpEnvelope],
        cursor: Option<(u64, Option<OpId>)>,
        defer_unknown: bool,
    ) -> Result<Applied>;
    /// Try again the operations parked for a key or an author learnt since.
    fn retry_parked(&mut self) -> Result<ApplyReport>;
    /// Operations of a revoked tablet this device had merged, withdrawn since this was last
    /// asked because a cutoff learnt meanwhile refuses them (`store/withdraw.rs`).
    fn take_withdrawn(&mut self) -> Vec<super::Rejected>;
    /// Operations parked, and set aside for good.
    fn parked_counts(&self) -> Result<(u64, u64)>;
    /// Contested copies held aside now, per pair of tablets.
    fn contested_pairs(&self) -> Result<Vec<super::ContestedPair>>;

    // The server's identity (ADR 0016).
    fn server_generation(&self) -> Result<Vec<u8>>;
    fn set_server_generation(&mut self, generation: &[u8]) -> Result<()>;
    /// Whether the server lacks operations of this device it once acknowledged.
    fn acknowledged_but_missing(&self, own: &[(u64, u64)]) -> Result<bool>;
    /// The numbers of its own the server holds and the log lacks as sent, when the server
    /// holds one at or above this vault's next (put back from an old copy, ADR 0032).
    fn put_back(&self, own: &[(u64, u64)]) -> Result<Option<Vec<(u64, u64)>>>;
    /// Waiting operations whose number the server holds, numbered anew.
    fn renumber_taken(&mut self, own: &[(u64, u64)]) -> Result<usize>;
    /// What this device holds, per author (a reconciliation's question to the server).
    fn summary(&self) -> Result<Summary>;
    /// Mark as waiting again every operation the server says it lacks.
    fn unsend_what_the_server_lacks(
        &mut self,
        server: &komora_protocol::AuthorRanges,
    ) -> Result<usize>;
    fn reset_pull_cursor(&mut self, after: u64) -> Result<()>;

    // Erasures to ask the server for.
    fn pending_erasures(&self) -> Result<PendingErasures>;
    fn clear_pending_erasures(&mut self, ids: &[OpId]) -> Result<()>;
    fn own_erasures_done(&self) -> Result<u64>;
    fn requeue_own_erasures(&mut self) -> Result<usize>;

    // The sync line.
    fn last_sync_ms(&self) -> Result<Option<u64>>;
    fn set_last_sync_ms(&mut self, now: u64) -> Result<()>;
}

impl SyncStore for Store {
    fn pending(&self) -> Result<u64> {
        Store::pending(self)
    }
    fn unsynced(&self, max_ops: usize, max_bytes: usize) -> Result<Vec<Unsynced>> {
        Store::unsynced(self, max_ops, max_bytes)
    }
    fn reseal_unsynced(&mut self) -> Result<usize> {
        Store::reseal_unsynced(self)
    }
    fn mark_synced(&mut self, seqs: &[i64]) -> Result<()> {
        Store::mark_synced(self, seqs)
    }
    fn pull_cursor(&self) -> Result<u64> {
        Store::pull_cursor(self)
    }
    fn take_withdrawn(&mut self) -> Vec<super::Rejected> {
        std::mem::take(&mut self.withdrawn)
    }
    fn pull_anchor(&self) -> Result<Option<OpId>> {
        Store::pull_anchor(self)
    }
    fn holds_epoch(&self, epoch: u32) -> bool {
        self.keyring().holds(epoch)
    }
    fn apply_page(
        &mut self,
        envelopes: &[OpEnvelope],
        cursor: Option<(u64, Option<OpId>)>,
        defer_unknown: bool,
    ) -> Result<Applied> {
        self.apply_pulled(envelopes, cursor, defer_unknown)
    }
    fn retry_parked(&mut self) -> Result<ApplyReport> {
        Store::retry_parked(self)
    }
    fn parked_counts(&self) -> Result<(u64, u64)> {
        Store::parked_counts(self)
    }
    fn contested_pairs(&self) -> Result<Vec<super::ContestedPair>> {
        Store::contested_pairs(self)
    }
    fn server_generation(&self) -> Result<Vec<u8>> {
        Store::server_generation(self)
    }
    fn set_server_generation(&mut self, generation: &[u8]) -> Result<()> {
        Store::set_server_generation(self, generation)
    }
    fn put_back(&self, own: &[(u64, u64)]) -> Result<Option<Vec<(u64, u64)>>> {
        Store::put_back(self, own)
    }
    fn renumber_taken(&mut self, own: &[(u64, u64)]) -> Result<usize> {
        Store::renumber_taken(self, own)
    }
    fn acknowledged_but_missing(&self, own: &[(u64, u64)]) -> Result<bool> {
        Store::acknowledged_but_missing(self, own)
    }
    fn summary(&self) -> Result<Summary> {
        Store::summary(self)
    }
    fn unsend_what_the_server_lacks(
        &mut self,
        server: &komora_protocol::AuthorRanges,
    ) -> Result<usize> {
        Store::unsend_what_the_server_lacks(self, server)
    }
    fn reset_pull_cursor(&mut self, after: u64) -> Result<()> {
        Store::reset_pull_cursor(self, after)
    }
    fn pending_erasures(&self) -> Result<PendingErasures> {
        Store::pending_erasures(self)
    }
    fn clear_pending_erasures(&mut self, ids: &[OpId]) -> Result<()> {
        Store::clear_pending_erasures(self, ids)
    }
    fn own_erasures_done(&self) -> Result<u64> {
        Store::own_erasures_done(self)
    }
    fn requeue_own_erasures(&mut self) -> Result<usize> {
        Store::requeue_own_erasures(self)
    }
    fn last_sync_ms(&self) -> Result<Option<u64>> {
        Ok(self
            .meta(LAST_SYNC_KEY)?
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes))
    }
    fn set_last_sync_ms(&mut self, now: u64) -> Result<()> {
        self.set_meta(LAST_SYNC_KEY, &now.to_be_bytes())
    }
}
