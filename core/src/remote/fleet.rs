//! The administrator's fleet view (issue 17, item 5): every tablet of the team with its role,
//! its app's version, when it last synced, what waits on it to be sent and what it could not
//! read, and the server's last good backup, so a tablet silent for two weeks or a backup that
//! stopped is seen before it matters. Counts and times only: what each tablet tells the server
//! of itself at login (`DeviceReport`), and the server's `/health`.

use komora_protocol::{DeviceReport, Role};
use serde::Deserialize;

use super::transport::Transport;
use super::{Session, SyncOptions};
use crate::error::Result;
use crate::ids::DeviceId;
use crate::vault::Vault;

/// One tablet as the fleet view shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetDevice {
    pub id: DeviceId,
    pub role: Role,
    pub revoked: bool,
    /// Handed back (it signed its last change): revoke it.
    pub handed_back: bool,
    pub enrolled_ms: u64,
    /// Its last contact with the server (the server's clock).
    pub last_seen_ms: Option<u64>,
    /// What it said of itself at its last login (`None`: an app from before).
    pub report: Option<DeviceReport>,
}

/// The server's backups, as its `/health` says (`None`: a server that does not say).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct BackupState {
    #[serde(default)]
    pub scheduled: bool,
    pub last_good_ms: Option<u64>,
    #[serde(default)]
    pub last_attempt_failed: bool,
    #[serde(default)]
    pub stale: bool,
}

/// The team's tablets and the server's backups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fleet {
    pub devices: Vec<FleetDevice>,
    pub backup: Option<BackupState>,
}

#[derive(Deserialize)]
struct Health {
    backup: Option<BackupState>,
}

impl Vault {
    /// The fleet view (administrators and supervisors: the server lists devices to them only).
    pub fn fleet(&mut self, transport: &mut dyn Transport) -> Result<Fleet> {
        let listed = self.devices(transport)?;
        let signed = self.team_devices();
        let backup = Session::new(transport, SyncOptions::default())
            .call_anonymous(|t| t.health())
            .ok()
            .and_then(|v| serde_json::from_value::<Health>(v).ok())
            .and_then(|h| h.backup);
        let devices = listed
            .into_iter()
            .map(|d| {
                let handed_back = signed
                    .iter()
                    .any(|s| s.id.as_bytes() == &d.id.0 && s.retired);
                FleetDevice {
                    id: DeviceId::from_bytes(d.id.0),
                    role: d.role,
                    revoked: d.revoked,
                    handed_back,
                    enrolled_ms: d.enrolled_ms,
                    last_seen_ms: d.last_seen_ms,
                    report: d.report,
                }
            })
            .collect();
        Ok(Fleet { devices, backup })
    }
}
