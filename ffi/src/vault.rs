//! The vault as Kotlin holds it: [`KomoraVault`] (the core's `Vault` behind a mutex), creating,
//! opening and erasing one, its PIN and lock-out policy, and the platform key (the Android
//! Keystore) that wraps its master key.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use komora_core::{self as core, Date, DeviceId};

use crate::error::{KomoraError, Result};
use crate::task::Background;

/// Wraps and unwraps the vault's master key with a key that never leaves the device's secure
/// hardware (the Android Keystore), and takes the hardware step of the PIN's key derivation.
/// Implemented in Kotlin.
#[uniffi::export(with_foreign)]
pub trait PlatformKey: Send + Sync {
    fn wrap(&self, plaintext: Vec<u8>) -> Result<Vec<u8>>;
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Vec<u8>>;
    /// HMAC-SHA256 of `input` under a Keystore HMAC key usable only while the tablet's screen
    /// lock is open: every PIN guess then needs this tablet, unlocked (ADR 0015).
    fn pin_step(&self, input: Vec<u8>) -> Result<Vec<u8>>;
}

struct PlatformAdapter(Arc<dyn PlatformKey>);

impl core::PlatformKeyWrapper for PlatformAdapter {
    fn wrap(&self, plaintext: &[u8]) -> std::result::Result<Vec<u8>, String> {
        self.0.wrap(plaintext.to_vec()).map_err(|e| e.to_string())
    }

    fn unwrap(&self, wrapped: &[u8]) -> std::result::Result<Vec<u8>, String> {
        self.0.unwrap(wrapped.to_vec()).map_err(|e| e.to_string())
    }

    fn pin_step(&self, input: &[u8]) -> std::result::Result<Vec<u8>, String> {
        self.0.pin_step(input.to_vec()).map_err(|e| e.to_string())
    }
}

/// How costly the PIN's key derivation is for a new vault.
#[derive(uniffi::Enum, Clone, Copy)]
pub enum KdfStrength {
    /// Argon2id 64 MiB, t=3: about half a second on a low-end tablet. Use this.
    Standard,
    /// Tests only: a vault whose PIN can be guessed quickly.
    InsecureForTests,
}

/// The core's options for a vault created or opened here: the PIN's key derivation cost and
/// the platform key.
pub(crate) fn options(
    strength: KdfStrength,
    platform: Option<Arc<dyn PlatformKey>>,
) -> Result<core::VaultOptions> {
    #[allow(unused_mut)]
    let mut opts = core::VaultOptions {
        kdf: match strength {
            KdfStrength::Standard => core::KdfParams::DEFAULT,
            // Only in the build the binding tests run (feature `test-hooks`): a device build
            // refuses it, so no tablet's PIN is ever derived at the tests' cost (issue 16).
            KdfStrength::InsecureForTests if cfg!(feature = "test-hooks") => {
                core::KdfParams::INSECURE_FOR_TESTS
            }
            KdfStrength::InsecureForTests => {
                return Err(KomoraError::Validation {
                    field: "strength".into(),
                    reason: "this build of the app derives PINs at the standard cost only".into(),
                })
            }
        },
        platform: platform
            .map(|p| Arc::new(PlatformAdapter(p)) as Arc<dyn core::PlatformKeyWrapper>),
        ..Default::default()
    };
    // The screen tests' fixed morning (feature `test-hooks` only, never on a device).
    #[cfg(feature = "test-hooks")]
    {
        opts.time = crate::test_hooks::time_source();
    }
    Ok(opts)
}

/// A connection to an enrolled vault's server, trusting what its enrolment pinned.
pub(crate) fn http(settings: &core::SyncSettings) -> Result<core::HttpTransport> {
    Ok(settings.transport()?)
}

/// An unlocked vault. Every method is safe to call from any thread or coroutine; calls are
/// served one at a time. `close()` (or `use {}`) locks it: keys are zeroised.
#[derive(uniffi::Object)]
pub struct KomoraVault {
    vault: Mutex<Option<core::Vault>>,
}

impl KomoraVault {
    pub(crate) fn new(v: core::Vault) -> Arc<Self> {
        Arc::new(KomoraVault {
            vault: Mutex::new(Some(v)),
        })
    }

    pub(crate) fn guard(&self) -> MutexGuard<'_, Option<core::Vault>> {
        // A panic while a call held the lock rolled its transaction back: the vault is usable.
        self.vault.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every call on the vault: a panic inside the core becomes the typed `Internal` error
    /// (what async calls already get, `task.rs`), so the app's handling of `KomoraException`
    /// covers it; the transaction it was in rolled back.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut core::Vault) -> Result<T>) -> Result<T> {
        crate::task::quiet_panics();
        let mut g = self.guard();
        let v = g.as_mut().ok_or(KomoraError::Closed)?;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(v)))
            .unwrap_or_else(|_| Err(KomoraError::stopped()))
    }

    /// A call to this vault's sync server. The core erases a vault whose revocation the team's
    /// signed list proves (and only then); this drops it and says whether its files are gone.
    pub(crate) fn remote<T>(
        &self,
        f: impl FnOnce(&mut core::Vault, &mut core::HttpTransport) -> core::Result<T>,
    ) -> Result<T> {
        let mut g = self.guard();
        let v = g.as_mut().ok_or(KomoraError::Closed)?;
        let dir = v.dir().map(std::path::Path::to_owned);
        let mut t = http(&v.sync_settings()?)?;
        match f(v, &mut t) {
            Err(core::Error::Revoked) => Err(Self::revoked(g, dir)),
            other => Ok(other?),
        }
    }

    /// The tablet was revoked and the core erased its vault: drop what is left in memory and
    /// say whether the files are gone.
    pub(crate) fn revoked(
        mut g: MutexGuard<'_, Option<core::Vault>>,
        dir: Option<std::path::PathBuf>,
    ) -> KomoraError {
        drop(g.take());
        let erased = dir.is_none_or(|d| !core::Vault::exists(&d));
        KomoraError::Revoked { erased }
    }
}

/// Create a vault in `dir` protected by `pin` (and by the platform key, if given).
#[uniffi::export]
pub async fn create_vault(
    dir: String,
    pin: String,
    strength: KdfStrength,
    platform_key: Option<Arc<dyn PlatformKey>>,
) -> Result<Arc<KomoraVault>> {
    Background::spawn(move || {
        let v = core::Vault::create(PathBuf::from(dir), &pin, options(strength, platform_key)?)?;
        Ok(KomoraVault::new(v))
    })
    .await
}

/// Unlock the vault in `dir`. A wrong PIN is `KomoraException.WrongPin` and changes nothing.
#[uniffi::export]
pub async fn open_vault(
    dir: String,
    pin: String,
    platform_key: Option<Arc<dyn PlatformKey>>,
) -> Result<Arc<KomoraVault>> {
    Background::spawn(move || {
        let v = core::Vault::open(
            PathBuf::from(dir),
            &pin,
            options(KdfStrength::Standard, platform_key)?,
        )?;
        Ok(KomoraVault::new(v))
    })
    .await
}

/// Whether a vault exists in `dir` (to choose between the enrol and the unlock screens).
#[uniffi::export]
pub fn vault_exists(dir: String) -> bool {
    core::Vault::exists(dir)
}

/// Erase the locked vault in `dir`, its key file first (the tablet erases its other teams'
/// vaults when one was erased after too many wrong PINs).
#[uniffi::export]
pub fn erase_vault(dir: String) -> Result<()> {
    Ok(core::Vault::erase_locked(PathBuf::from(dir))?)
}

#[uniffi::export]
impl KomoraVault {
    /// Lock now: keys are zeroised; every later call fails with `Closed`.
    pub fn lock(&self) {
        if let Some(v) = self.guard().take() {
            v.lock();
        }
    }

    pub fn is_locked(&self) -> bool {
        self.guard().is_none()
    }

    pub fn device_id(&self) -> Result<DeviceId> {
        self.with(|v| Ok(v.device_id()))
    }

    /// Today in Rwanda by this device's clock, `YYYY-MM-DD`.
    pub fn today(&self) -> Result<Date> {
        self.with(|v| Ok(v.today()))
    }

    /// When this tablet's date is wrong (it reads more than a day earlier than work it
    /// already saved: a flat battery sets many tablets back to 2010): the date of that work,
    /// for the home screen to say so before she records anything dated wrong. `null` while the
    /// date looks right.
    pub fn clock_went_back(&self) -> Result<Option<Date>> {
        self.with(|v| Ok(v.clock_went_back().map(core::Date::from_unix_ms)))
    }

    /// When the server's date, at the last sync, was more than a day earlier than this
    /// tablet's (a year typed wrong by hand) and the date has not been set back since: the
    /// server's date, for the home screen to say so. `null` while the date looks right.
    pub fn clock_went_ahead(&self) -> Result<Option<Date>> {
        self.with(|v| Ok(v.clock_went_ahead().map(core::Date::from_unix_ms)))
    }

    /// She says the date the tablet shows is right after all (a clock that had been set ahead
    /// and was corrected): the warning stops.
    pub fn date_is_right(&self) -> Result<()> {
        self.with(|v| Ok(v.date_is_right()?))
    }

    /// Change the PIN (the new one is checked like a new vault's).
    pub async fn change_pin(self: Arc<Self>, current: String, new_pin: String) -> Result<()> {
        Background::spawn(move || {
            self.with(|v| {
                Ok(v.change_passphrase(&current, &new_pin, &core::VaultOptions::default())?)
            })
        })
        .await
    }

    /// Check the tablet's PIN (before joining another team with it). A wrong one counts
    /// toward the lock-out like one typed to unlock.
    pub async fn check_pin(self: Arc<Self>, pin: String) -> Result<()> {
        Background::spawn(move || self.with(|v| Ok(v.check_passphrase(&pin)?))).await
    }

    /// Administrator policy: erase this vault after `failures` wrong PINs in a row (`null`:
    /// never). At least the free attempts must be allowed.
    pub fn set_wipe_after_failures(&self, failures: Option<i32>) -> Result<()> {
        let n = failures.map(|n| u32::try_from(n).unwrap_or(0));
        self.with(|v| Ok(v.set_wipe_after_failures(n)?))
    }
}

// Only a device build (one without the `test-hooks` feature) has something to show here.
#[cfg(all(test, not(feature = "test-hooks")))]
mod tests {
    use super::*;

    /// A fault inside the core during a call on the vault is a typed error the app already
    /// handles, and the vault carries on.
    #[test]
    fn a_panic_inside_a_call_on_the_vault_is_a_typed_error_and_the_vault_carries_on() {
        let team = core::TeamKeys::generate();
        let v =
            KomoraVault::new(core::Vault::ephemeral(&team, Arc::new(core::SystemClock)).unwrap());
        let r: Result<()> = v.with(|_| panic!("a deliberate fault"));
        assert!(
            matches!(r, Err(KomoraError::Internal { ref reason }) if !reason.contains("deliberate"))
        );
        assert!(v.with(|v| Ok(v.device_id())).is_ok());
    }

    /// Issue 16, finding 16: the tests' cheap key derivation is not reachable from a device
    /// build: a tablet's PIN always costs Argon2id at the standard cost.
    #[test]
    fn a_device_build_refuses_the_tests_key_derivation() {
        assert!(matches!(
            options(KdfStrength::InsecureForTests, None),
            Err(KomoraError::Validation { .. })
        ));
        assert_eq!(
            options(KdfStrength::Standard, None).unwrap().kdf,
            core::KdfParams::DEFAULT
        );
    }
}
