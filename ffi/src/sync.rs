//! Sync: pushing and pulling with progress for Kotlin's `Flow` (the vault let go of during
//! network calls), and the status line.

use std::sync::Arc;

use komora_core::{self as core, DeviceId};

use crate::convert::ms;
use crate::error::Result;
use crate::task::Background;
use crate::vault::{http, KomoraVault};

/// Receives sync progress. Implemented in Kotlin (see `Komora.kt`, which makes it a `Flow`).
/// Called from the sync's worker thread with the vault let go of: hand the progress on (as
/// `syncFlow` does with `trySend`) and return quickly; the sync waits for it.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    fn on_progress(&self, progress: SyncProgress);
}

/// The vault as a long sync sees it: taken for each step, let go of during network calls, so
/// the screens' calls are served meanwhile and `lock()` stops the sync at its next step.
struct Shared<'a>(&'a KomoraVault);

impl core::VaultCell for Shared<'_> {
    fn with<R>(&self, f: impl FnOnce(&mut core::Vault) -> core::Result<R>) -> core::Result<R> {
        let mut g = self.0.guard();
        f(g.as_mut().ok_or(core::Error::Locked)?)
    }
}

#[derive(uniffi::Record)]
pub struct SyncProgress {
    /// pushing, pulling or done.
    pub phase: String,
    pub sent_ops: i64,
    pub received_ops: i64,
    pub sent_bytes: i64,
    pub received_bytes: i64,
    pub waiting: i64,
    /// About how many changes this sync receives in all, when it is a long one (a first sync,
    /// or back after long away); 0 when not known.
    #[uniffi(default = 0)]
    pub expected: i64,
}

impl From<&core::SyncProgress> for SyncProgress {
    fn from(p: &core::SyncProgress) -> Self {
        SyncProgress {
            phase: match p.phase {
                core::SyncPhase::Pushing => "pushing",
                core::SyncPhase::Pulling => "pulling",
                core::SyncPhase::Done => "done",
            }
            .into(),
            sent_ops: ms(p.sent_ops),
            received_ops: ms(p.received_ops),
            sent_bytes: ms(p.sent_bytes),
            received_bytes: ms(p.received_bytes),
            waiting: ms(p.waiting),
            expected: ms(p.expected),
        }
    }
}

#[derive(uniffi::Record)]
pub struct SyncReport {
    pub sent_ops: i64,
    pub received_ops: i64,
    pub applied: i64,
    pub rejected: i64,
}

#[derive(uniffi::Record)]
pub struct SyncStatus {
    pub device_id: DeviceId,
    pub role: Option<String>,
    pub team_name: Option<String>,
    pub last_sync_ms: Option<i64>,
    pub pending: i64,
    /// Received changes waiting for a key or a device this tablet does not know yet, and
    /// changes held aside because two tablets claim them (`contested_changes` names those).
    #[uniffi(default = 0)]
    pub parked: i64,
    /// Received changes set aside unread (waited over a month, or a flood): tell the
    /// administrator when not zero.
    #[uniffi(default = 0)]
    pub set_aside: i64,
    /// This tablet was handed back: it records nothing new.
    #[uniffi(default = false)]
    pub handed_back: bool,
    /// Session notes still on their way to this tablet (its first sync brings the caseload
    /// first, the notes after): the screens say so until it is zero.
    #[uniffi(default = 0)]
    pub notes_arriving: i64,
}

impl From<core::SyncStatus> for SyncStatus {
    fn from(s: core::SyncStatus) -> Self {
        SyncStatus {
            device_id: s.device_id,
            role: s.role.map(|r| r.as_str().to_owned()),
            team_name: s.team_name,
            last_sync_ms: s.last_sync_ms.map(ms),
            pending: ms(s.pending),
            parked: ms(s.parked),
            set_aside: ms(s.set_aside),
            handed_back: s.handed_back,
            notes_arriving: ms(s.notes_arriving),
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    /// Push what the server lacks and pull what this tablet lacks, reporting progress. A
    /// revoked tablet erases its vault (keys first) and gets `Revoked`.
    pub async fn sync(
        self: Arc<Self>,
        listener: Option<Arc<dyn SyncListener>>,
    ) -> Result<SyncReport> {
        Background::spawn(move || {
            let (settings, dir) =
                self.with(|v| Ok((v.sync_settings()?, v.dir().map(std::path::Path::to_owned))))?;
            let mut t = http(&settings)?;
            let mut progress = |p: &core::SyncProgress| {
                if let Some(l) = &listener {
                    l.on_progress(SyncProgress::from(p));
                }
            };
            let mut r = core::sync_shared(
                &Shared(&self),
                &mut t,
                &core::SyncOptions::default(),
                &mut progress,
            );
            // A server on a key this tablet does not know: trusted only if an administrator
            // signed its pin (a server rebuilt after it was lost), then synced again.
            if let Err(core::Error::UntrustedServer) = r {
                if self.with(|v| Ok(v.recover_server_pins()?)).unwrap_or(false) {
                    let mut t = http(&self.with(|v| Ok(v.sync_settings()?))?)?;
                    r = core::sync_shared(
                        &Shared(&self),
                        &mut t,
                        &core::SyncOptions::default(),
                        &mut progress,
                    );
                }
            }
            let r = match r {
                Err(core::Error::Revoked) => return Err(Self::revoked(self.guard(), dir)),
                other => other?,
            };
            Ok(SyncReport {
                sent_ops: ms(r.sent_ops),
                received_ops: ms(r.received_ops),
                applied: ms(r.applied),
                rejected: r.rejected.len() as i64,
            })
        })
        .await
    }

    /// The sync status line: last successful sync and the changes waiting.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.with(|v| Ok(v.sync_status()?.into()))
    }
}
