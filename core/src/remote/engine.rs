//! The sync engine. Push what the server lacks (operations not yet acknowledged), then pull
//! what this device lacks (pages after the saved cursor). Every step is saved as it completes:
//! a connection cut at any point loses nothing and the next sync carries on from there.

use komora_protocol::{PushBatch, Role};

use super::transport::Transport;
use super::{Session, SyncOptions};
use crate::error::{Error, Result};
use crate::ids::DeviceId;
use crate::op::OpEnvelope;
use crate::store::Rejected;
use crate::vault::Vault;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncPhase {
    Pushing,
    Pulling,
    Done,
}

/// Progress for a screen: counts and bytes so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub sent_ops: u64,
    pub sent_bytes: u64,
    pub received_ops: u64,
    pub received_bytes: u64,
    /// Local operations still waiting to be pushed.
    pub waiting: u64,
}

/// What one sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub sent_ops: u64,
    pub sent_bytes: u64,
    pub received_ops: u64,
    pub received_bytes: u64,
    /// Received operations that were new here and are now merged.
    pub applied: u64,
    /// Received operations refused (tampered, unknown key epoch): nothing of them applied.
    pub rejected: Vec<Rejected>,
    /// Devices whose clocks run ahead (see `hlc.rs`).
    pub clock_ahead: Vec<DeviceId>,
}

/// The line a screen shows: last successful sync and what waits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncStatus {
    pub device_id: DeviceId,
    pub role: Option<Role>,
    pub team_name: Option<String>,
    pub server_url: Option<String>,
    pub last_sync_ms: Option<u64>,
    pub pending: u64,
}

const LAST_SYNC_KEY: &str = "last_sync_ms";

impl Vault {
    /// Push, then pull, until both sides hold the same operations.
    pub fn sync(
        &mut self,
        transport: &mut dyn Transport,
        opts: &SyncOptions,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> Result<SyncReport> {
        self.sync_settings()?;
        let mut session = Session::new(transport, opts.clone());
        let mut report = SyncReport::default();
        let mut tell = |vault: &Vault, phase, r: &SyncReport| -> Result<()> {
            progress(&SyncProgress {
                phase,
                sent_ops: r.sent_ops,
                sent_bytes: r.sent_bytes,
                received_ops: r.received_ops,
                received_bytes: r.received_bytes,
                waiting: vault.store.pending()?,
            });
            Ok(())
        };
        tell(self, SyncPhase::Pushing, &report)?;
        // A rotated team key first: what waits to be pushed is re-sealed under it. Then the
        // device list, if it grew, so new devices' operations can be checked.
        self.refresh_team_keys(&mut session, false)?;
        self.refresh_roster(&mut session, false)?;

        let mut stale_retries = 0;
        loop {
            let batch = self
                .store
                .unsynced(opts.push_batch_ops, opts.push_batch_bytes)?;
            if batch.is_empty() {
                break;
            }
            let (seqs, envelopes): (Vec<i64>, Vec<Vec<u8>>) = batch.into_iter().unzip();
            let bytes: u64 = envelopes.iter().map(|e| e.len() as u64).sum();
            let body = PushBatch { envelopes };
            match session.call(self, |t, token| t.push(token, &body)) {
                Ok(_) => {}
                // The key rotated during this sync: fetch it, re-seal, push again.
                Err(Error::StaleKeyEpoch) if stale_retries < 3 => {
                    stale_retries += 1;
                    self.refresh_team_keys(&mut session, true)?;
                    continue;
                }
                Err(e) => return Err(e),
            }
            // The server holds them now (a retried push is deduplicated by op id).
            self.store.mark_synced(&seqs)?;
            report.sent_ops += seqs.len() as u64;
            report.sent_bytes += bytes;
            tell(self, SyncPhase::Pushing, &report)?;
        }

        tell(self, SyncPhase::Pulling, &report)?;
        loop {
            let cursor = self.store.pull_cursor()?;
            let page =
                session.call(self, |t, token| t.pull(token, cursor, opts.pull_page_bytes))?;
            let mut envelopes = Vec::with_capacity(page.envelopes.len());
            let mut refused = Vec::new();
            for raw in &page.envelopes {
                report.received_bytes += raw.len() as u64;
                match OpEnvelope::from_bytes(raw) {
                    Ok(env) => envelopes.push(env),
                    Err(_) => refused.push(Rejected {
                        op_id: crate::ids::OpId::from_bytes(
                            raw.get(5..21)
                                .and_then(|s| s.try_into().ok())
                                .unwrap_or([0; 16]),
                        ),
                        reason: crate::store::RejectReason::Corrupted,
                    }),
                }
            }
            // Sealed under a key this device does not hold yet: a rotation it has not
            // heard of. Fetch the key before applying, so nothing is skipped.
            if envelopes
                .iter()
                .any(|env| !self.store.keyring().holds(env.epoch()))
            {
                self.refresh_team_keys(&mut session, true)?;
            }
            // An author this device does not know: a tablet enrolled since the list was
            // fetched. Fetch it and apply again; only then is an unknown author refused.
            let applied = match self.store.apply_remote(&envelopes, Some(page.next), true) {
                Err(Error::UnknownAuthor) => {
                    self.refresh_roster(&mut session, true)?;
                    self.store
                        .apply_remote(&envelopes, Some(page.next), false)?
                }
                other => other?,
            };
            refused.extend(applied.rejected);
            self.note_refused(&refused)?;
            report.received_ops += page.envelopes.len() as u64;
            report.applied += applied.applied as u64;
            report.rejected.extend(refused);
            for d in applied.clock_ahead {
                if !report.clock_ahead.contains(&d) {
                    report.clock_ahead.push(d);
                }
            }
            tell(self, SyncPhase::Pulling, &report)?;
            if !page.more {
                break;
            }
        }

        let now = self.now_ms();
        self.store.set_meta(LAST_SYNC_KEY, &now.to_be_bytes())?;
        tell(self, SyncPhase::Done, &report)?;
        Ok(report)
    }

    /// Last successful sync and operations waiting; works offline.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let settings = self.sync_settings().ok();
        let last = self
            .store
            .meta(LAST_SYNC_KEY)?
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes);
        Ok(SyncStatus {
            device_id: self.device_id(),
            role: settings.as_ref().map(|s| s.role),
            team_name: settings.as_ref().map(|s| s.team_name.clone()),
            server_url: settings.map(|s| s.server_url),
            last_sync_ms: last,
            pending: self.store.pending()?,
        })
    }
}
