//! Erasing a client's whole file for good, on every tablet as it syncs (ADR 0010), and the
//! erasures made so far.

use komora_core as core;

use crate::convert;
use crate::error::Result;
use crate::vault::KomoraVault;

/// That a client's file was erased: which (a random id), when, why, by which device.
#[derive(uniffi::Record, Debug)]
pub struct Erasure {
    pub id: String,
    pub client_id: String,
    /// YYYY-MM-DD.
    pub date: Option<String>,
    /// client-request, retention or recorded-by-mistake.
    pub reason: String,
    pub by_device: String,
}

impl From<core::Erasure> for Erasure {
    fn from(e: core::Erasure) -> Self {
        Erasure {
            id: e.id.to_string(),
            client_id: e.client.to_string(),
            date: e.date.map(|d| d.to_string()),
            reason: e.reason,
            by_device: e.by.to_string(),
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    /// Erase a client's whole file for good, here now and on every tablet as it syncs
    /// (supervisors and administrators; `reason`: client-request, retention or
    /// recorded-by-mistake). Cannot be undone.
    pub fn erase_client(&self, id: String, reason: String) -> Result<Erasure> {
        let id = convert::id(&id)?;
        self.with(|v| Ok(v.erase_client(id, &reason)?.into()))
    }

    /// The client files erased so far.
    pub fn erasures(&self) -> Result<Vec<Erasure>> {
        self.with(|v| Ok(v.erasures()?.into_iter().map(Erasure::from).collect()))
    }
}
