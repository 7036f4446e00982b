//! The administrator's fleet view for Kotlin (issue 17): every tablet of the team with what
//! it said of itself at its last login, and the server's last good backup.

use std::sync::Arc;

use komora_core::{self as core, DeviceId};

use crate::convert::ms;
use crate::error::Result;
use crate::task::Background;
use crate::vault::KomoraVault;

/// One tablet as the administrator's device list shows it.
#[derive(Debug, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct FleetDevice {
    pub id: DeviceId,
    /// counsellor, supervisor, admin or data_officer.
    pub role: String,
    pub revoked: bool,
    /// Handed back (it signed its last change): revoke it.
    pub handed_back: bool,
    pub enrolled_ms: i64,
    pub last_seen_ms: Option<i64>,
    /// Its Komora version (`None`: an app from before it said).
    pub app_version: Option<String>,
    pub last_sync_ms: Option<i64>,
    /// Its changes waiting to be sent, as of its last login.
    pub waiting: Option<i64>,
    /// Changes it received and could not read (parked and set aside).
    pub not_read: Option<i64>,
    /// The newest team format its app reads (`None`: an app from before it said).
    pub format: Option<u32>,
}

/// The team's tablets and the server's backups.
#[derive(Debug, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Fleet {
    pub devices: Vec<FleetDevice>,
    /// Whether the server says anything of its backups.
    pub backup_known: bool,
    pub backup_scheduled: bool,
    pub last_good_backup_ms: Option<i64>,
    /// The last backup attempt failed.
    pub backup_failed: bool,
    /// The newest good backup is older than the server's schedule allows.
    pub backup_stale: bool,
    /// The team's record format, and the newest this app writes: when the app's is higher
    /// and every tablet reads it, an administrator can raise the team's.
    pub team_format: u32,
    pub app_format: u32,
}

impl Fleet {
    fn new(f: core::Fleet, team_format: u32, app_format: u32) -> Self {
        let backup_known = f.backup.is_some();
        let backup = f.backup.unwrap_or_default();
        Fleet {
            backup_known,
            team_format,
            app_format,
            backup_scheduled: backup.scheduled,
            last_good_backup_ms: backup.last_good_ms.map(ms),
            backup_failed: backup.last_attempt_failed,
            backup_stale: backup.stale,
            devices: f
                .devices
                .into_iter()
                .map(|d| FleetDevice {
                    id: d.id,
                    role: d.role.as_str().into(),
                    revoked: d.revoked,
                    handed_back: d.handed_back,
                    enrolled_ms: ms(d.enrolled_ms),
                    last_seen_ms: d.last_seen_ms.map(ms),
                    app_version: d.report.as_ref().map(|r| r.app_version.clone()),
                    last_sync_ms: d.report.as_ref().and_then(|r| r.last_sync_ms).map(ms),
                    waiting: d.report.as_ref().map(|r| ms(r.pending)),
                    not_read: d.report.as_ref().map(|r| ms(r.parked + r.set_aside)),
                    format: d.report.as_ref().map(|r| r.format),
                })
                .collect(),
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    /// The fleet view (administrators and supervisors).
    pub async fn fleet(self: Arc<Self>) -> Result<Fleet> {
        Background::spawn(move || {
            let fleet = self.remote(|v, t| {
                let fleet = v.fleet(t)?;
                Ok(Fleet::new(fleet, v.team_format()?, v.app_format()))
            })?;
            Ok(fleet)
        })
        .await
    }
}
