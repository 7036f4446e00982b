//! Erasing a client's whole file for good, on every tablet as it syncs (ADR 0010), and the
//! erasures made so far.

use komora_core::{self as core, Date, DeviceId, RecordId};

use crate::error::Result;
use crate::vault::KomoraVault;

/// That a client's file was erased: which (a random id), when, why, by which device.
#[derive(uniffi::Record, Debug)]
pub struct Erasure {
    pub id: RecordId,
    pub client_id: RecordId,
    /// YYYY-MM-DD.
    pub date: Option<Date>,
    /// client-request, retention or recorded-by-mistake.
    pub reason: String,
    pub by_device: DeviceId,
}

impl From<core::Erasure> for Erasure {
    fn from(e: core::Erasure) -> Self {
        Erasure {
            id: e.id,
            client_id: e.client,
            date: e.date,
            reason: e.reason,
            by_device: e.by,
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    /// Erase a client's whole file for good, here now and on every tablet as it syncs
    /// (supervisors and administrators; `reason`: client-request, retention or
    /// recorded-by-mistake). Cannot be undone.
    pub fn erase_client(&self, id: RecordId, reason: String) -> Result<Erasure> {
        self.with(|v| Ok(v.erase_client(id, &reason)?.into()))
    }

    /// The client files erased so far.
    pub fn erasures(&self) -> Result<Vec<Erasure>> {
        self.with(|v| Ok(v.erasures()?.into_iter().map(Erasure::from).collect()))
    }
}
