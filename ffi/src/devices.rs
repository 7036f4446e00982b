//! The team's devices as an administrator manages them: the list, revoking a lost tablet, and
//! handing this tablet back.

use std::sync::Arc;

use komora_core::{self as core, DeviceId};

use crate::convert::ms;
use crate::error::Result;
use crate::task::Background;
use crate::vault::KomoraVault;

#[derive(uniffi::Record)]
pub struct Device {
    pub id: DeviceId,
    /// counsellor, supervisor or admin.
    pub role: String,
    pub revoked: bool,
    pub enrolled_ms: i64,
    pub last_seen_ms: Option<i64>,
    /// Handed back (it signed its last operation): an administrator should revoke it.
    #[uniffi(default = false)]
    pub handed_back: bool,
}

impl From<core::DeviceInfo> for Device {
    fn from(d: core::DeviceInfo) -> Self {
        Device {
            id: DeviceId::from_bytes(d.id.0),
            role: d.role.as_str().into(),
            revoked: d.revoked,
            enrolled_ms: ms(d.enrolled_ms),
            last_seen_ms: d.last_seen_ms.map(ms),
            handed_back: false,
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    /// The team's devices (administrators and supervisors).
    pub async fn devices(self: Arc<Self>) -> Result<Vec<Device>> {
        Background::spawn(move || {
            let (devices, signed) = self.remote(|v, t| Ok((v.devices(t)?, v.team_devices())))?;
            Ok(devices
                .into_iter()
                .map(|d| {
                    let mut device = Device::from(d);
                    device.handed_back = signed.iter().any(|s| s.id == device.id && s.retired);
                    device
                })
                .collect())
        })
        .await
    }

    /// Hand this tablet back (someone leaving): send everything it holds, sign its last
    /// operation, and record nothing more; an administrator then revokes it, and it erases
    /// itself at its next contact. Returns the number of its last operation. Refused while
    /// anything is still unsent (`Network`: connect and try again).
    pub async fn hand_back(self: Arc<Self>) -> Result<i64> {
        Background::spawn(move || {
            let last = self.remote(|v, t| v.retire(t))?;
            Ok(ms(last))
        })
        .await
    }

    /// Revoke a lost or retired tablet (administrators): the server refuses it at once and the
    /// team moves to a new key it never receives.
    pub async fn revoke_device(self: Arc<Self>, device_id: DeviceId) -> Result<()> {
        Background::spawn(move || self.remote(|v, t| v.revoke_device(t, device_id))).await
    }
}
