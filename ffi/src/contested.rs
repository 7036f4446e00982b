//! Changes two tablets of the team claim (ADR 0027): what this tablet holds aside because
//! another tablet's change holds the same id here, per pair of tablets, read from the vault
//! (so a sync that failed after keeping them aside hides nothing). The home screen of those who
//! can act on it (administrators, supervisors) says it, naming both tablets.

use komora_core::{self as core, DeviceId};

use crate::convert::ms;
use crate::error::Result;
use crate::vault::KomoraVault;

/// Changes of one tablet held aside behind another tablet's changes under the same ids: one
/// of the two signed its own changes under the other's ids (a stolen tablet squatting a
/// colleague's work, or her real work arriving after the squat). If one of them is lost or
/// stolen, revoking it settles it: its changes leave, the other's apply.
#[derive(Debug, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct ContestedChanges {
    /// The tablet whose changes this tablet holds under the ids.
    pub kept_device: DeviceId,
    /// Its role (counsellor, supervisor, admin or data_officer) in the team's signed list;
    /// `None` when the list does not name it.
    pub kept_role: Option<String>,
    /// The tablet whose changes wait aside.
    pub aside_device: DeviceId,
    pub aside_role: Option<String>,
    /// How many of its changes wait aside.
    pub changes: i64,
    /// When the first of them was set aside (this tablet's clock, ms since 1970).
    pub since_ms: i64,
}

#[uniffi::export]
impl KomoraVault {
    /// The changes two tablets claim that this tablet holds aside now, one entry per pair of
    /// tablets, oldest first; empty when there are none (the usual case).
    pub fn contested_changes(&self) -> Result<Vec<ContestedChanges>> {
        self.with(|v| {
            let devices = v.team_devices();
            let role = |id: DeviceId| {
                devices
                    .iter()
                    .find(|d| d.id == id)
                    .map(|d| d.role.as_str().to_owned())
            };
            Ok(v.contested()?
                .into_iter()
                .map(|c: core::ContestedPair| ContestedChanges {
                    kept_device: c.logged_author,
                    kept_role: role(c.logged_author),
                    aside_device: c.kept_aside_author,
                    aside_role: role(c.kept_aside_author),
                    changes: ms(c.changes),
                    since_ms: ms(c.since_ms),
                })
                .collect())
        })
    }
}
