//! The team: its security policy (set by an administrator, followed by every tablet), and
//! another team of the organisation created on this tablet.

use std::path::PathBuf;
use std::sync::Arc;

use komora_core as core;

use crate::convert::{fit, fit_i32};
use crate::error::Result;
use crate::task::Background;
use crate::vault::{options, KdfStrength, KomoraVault, PlatformKey};

/// The team's security policy, set by an administrator.
#[derive(uniffi::Record)]
pub struct TeamPolicy {
    /// The longest a tablet may stay unlocked while idle (a counsellor may choose shorter).
    pub auto_lock_minutes: Option<i32>,
    /// Erase a tablet's vault after this many wrong PINs in a row.
    pub wipe_after_failures: Option<i32>,
}

impl From<core::TeamPolicy> for TeamPolicy {
    fn from(p: core::TeamPolicy) -> Self {
        TeamPolicy {
            auto_lock_minutes: p.auto_lock_minutes.map(fit_i32),
            wipe_after_failures: p.wipe_after_failures.map(fit_i32),
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    /// The team's policy in force on this tablet (null fields: no team rule).
    pub fn team_policy(&self) -> Result<TeamPolicy> {
        self.with(|v| Ok(v.team_policy()?.into()))
    }

    /// Set the team's policy (administrators): every tablet follows it after its next sync.
    pub fn set_team_policy(&self, policy: TeamPolicy) -> Result<()> {
        let p = core::TeamPolicy {
            auto_lock_minutes: policy
                .auto_lock_minutes
                .map(|m| fit("auto_lock_minutes", m, "use 1 to 60 minutes"))
                .transpose()?,
            wipe_after_failures: policy
                .wipe_after_failures
                .map(|n| fit("wipe_after_failures", n, "give a number of attempts"))
                .transpose()?,
        };
        self.with(|v| Ok(v.set_team_policy(&p)?))
    }

    /// Create another team of the organisation (administrators): its vault goes in `dir` on
    /// this tablet, opened by `pin` (the tablet's PIN: one PIN opens every team's vault).
    pub async fn create_team(
        self: Arc<Self>,
        dir: String,
        pin: String,
        team_name: String,
        strength: KdfStrength,
        platform_key: Option<Arc<dyn PlatformKey>>,
    ) -> Result<Arc<KomoraVault>> {
        Background::spawn(move || {
            let opts = options(strength, platform_key)?;
            let v =
                self.remote(|v, t| v.create_team(t, PathBuf::from(&dir), &pin, &team_name, opts))?;
            Ok(KomoraVault::new(v))
        })
        .await
    }
}
