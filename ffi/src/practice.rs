//! The practice team for training (core `practice.rs`): a vault of made-up clients beside the
//! tablet's real teams, opened by the same PIN, never synced.

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::Result;
use crate::task::Background;
use crate::vault::{options, KdfStrength, KomoraVault, PlatformKey};

/// Create a practice team's vault in `dir` with the tablet's PIN, filled with made-up clients
/// from `seed` (the same seed, the same people).
#[uniffi::export]
pub async fn create_practice_vault(
    dir: String,
    pin: String,
    strength: KdfStrength,
    platform_key: Option<Arc<dyn PlatformKey>>,
    seed: u64,
) -> Result<Arc<KomoraVault>> {
    Background::spawn(move || {
        let v = komora_core::Vault::create_practice(
            PathBuf::from(dir),
            &pin,
            options(strength, platform_key)?,
            seed,
        )?;
        Ok(KomoraVault::new(v))
    })
    .await
}

#[uniffi::export]
impl KomoraVault {
    /// Whether this is a practice team's vault (every screen says so; it never syncs).
    pub fn is_practice(&self) -> Result<bool> {
        self.with(|v| Ok(v.is_practice()?))
    }
}
