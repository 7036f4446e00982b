//! The vault: one device's encrypted store and the key file that unlocks it.
//!
//! Layout of a vault directory:
//! - `vault.json`: format version, device id, the Argon2id cost and salt, and the device master
//!   key wrapped (AES-256-GCM) under the passphrase-derived key, itself optionally wrapped first
//!   by a platform key store (the Android Keystore). No secret in clear.
//! - `komora.db` (with `-wal`, `-shm`): the store (see `store/`), every value encrypted under
//!   team keys that are wrapped under the master key.
//!
//! Unlocking reads only `vault.json` until the passphrase is proven right, so a wrong
//! passphrase changes not one byte of the vault. The key file is replaced atomically.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::crypto::{aad, random_array, SecretKey};
use crate::error::{Error, Result};
use crate::hlc::{SystemClock, TimeSource};
use crate::ids::DeviceId;
use crate::kdf::KdfParams;
use crate::store::EpochKey;
use crate::store::Store;

const KEY_FILE: &str = "vault.json";
const DB_FILE: &str = "komora.db";
/// Key file formats: 1, the passphrase's Argon2id key opens the master key; 2, a step only
/// the device's hardware can take joins in (ADR 0015), so no guess of a PIN can be checked
/// off the device.
const FORMAT: u32 = 2;
const MASTER_AAD: &str = "komora/master-key/v1";
const PIN_STEP_LABEL: &[u8] = b"komora/pin-hardware-step/v1\0";
const KEK_V2_INFO: &[u8] = b"komora/kek/v2";
/// Shortest accepted passphrase or PIN.
pub const MIN_PASSPHRASE_CHARS: usize = 6;

/// A platform key store that wraps the master key a second time (the Android Keystore: a key
/// that never leaves the hardware). Both the passphrase and the platform are then needed.
pub trait PlatformKeyWrapper: Send + Sync {
    fn wrap(&self, plaintext: &[u8]) -> std::result::Result<Vec<u8>, String>;
    fn unwrap(&self, wrapped: &[u8]) -> std::result::Result<Vec<u8>, String>;
    /// HMAC-SHA256 of `input` under a key that never leaves the hardware (a Keystore HMAC key,
    /// usable only while the tablet's own screen lock is open). It takes part in deriving the
    /// key that opens the vault (ADR 0015): a copy of the vault's files cannot be searched for
    /// its PIN off the device, since every guess needs this step. `Err` when the platform
    /// cannot (an older app build): the vault keeps the format it has.
    fn pin_step(&self, input: &[u8]) -> std::result::Result<Vec<u8>, String> {
        let _ = input;
        Err("this platform key store has no hardware PIN step".into())
    }
}

/// How a vault is created or opened.
#[derive(Clone)]
pub struct VaultOptions {
    /// Cost of the passphrase key derivation for a new vault or a new passphrase.
    pub kdf: KdfParams,
    pub platform: Option<Arc<dyn PlatformKeyWrapper>>,
    pub time: Arc<dyn TimeSource>,
    /// The newest team format this app reads and writes (`crate::format`): always this
    /// build's, except in tests that play an app not yet updated (never above this build's).
    pub app_format: u32,
}

/// Options for a vault in the core's own tests: the cheap key derivation, the rest default.
#[cfg(test)]
pub(crate) fn test_options() -> VaultOptions {
    VaultOptions {
        kdf: crate::KdfParams::INSECURE_FOR_TESTS,
        ..Default::default()
    }
}

impl Default for VaultOptions {
    fn default() -> Self {
        Self {
            kdf: KdfParams::DEFAULT,
            platform: None,
            time: Arc::new(SystemClock),
            app_format: crate::format::APP_FORMAT,
        }
    }
}

impl fmt::Debug for VaultOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultOptions")
            .field("kdf", &self.kdf)
            .field("platform", &self.platform.is_some())
            .finish()
    }
}

/// The data keys of a team, by epoch. Secret: zeroised on drop, never printed. Handed to a new
/// device when it joins the team (the enrolment protocol wraps them for transport).
#[derive(Clone)]
pub struct TeamKeys {
    pub(crate) keys: Vec<(u32, EpochKey)>,
}

impl TeamKeys {
    /// Keys for a new team, starting at epoch 1.
    pub fn generate() -> Self {
        Self {
            keys: vec![(1, EpochKey::Casework(SecretKey::random()))],
        }
    }

    pub fn current_epoch(&self) -> u32 {
        self.keys.iter().map(|(e, _)| *e).max().unwrap_or(0)
    }

    /// What a data officer's tablet holds of these keys: the team keys alone, which open the
    /// figures of the donors' report and never a name or a note. Epochs made before data
    /// officers existed are left out (their one key opens everything).
    pub fn for_data_officer(&self) -> TeamKeys {
        TeamKeys {
            keys: self
                .keys
                .iter()
                .filter_map(|(e, k)| k.for_data_officer(*e).map(|k| (*e, k)))
                .collect(),
        }
    }

    /// Whether these keys open names and notes (not a data officer's).
    pub fn opens_case_work(&self) -> bool {
        self.keys
            .iter()
            .max_by_key(|(e, _)| *e)
            .is_some_and(|(_, k)| k.casework().is_some())
    }
}

impl fmt::Debug for TeamKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TeamKeys([redacted], epoch {})", self.current_epoch())
    }
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    format: u32,
    device_id: String,
    kdf: KdfRecord,
    platform_wrapped: bool,
    /// Whether the platform's hardware PIN step joins in the key-encryption key (format 2).
    #[serde(default)]
    hardware_step: bool,
    wrapped_master_key: String,
}

/// The key-encryption key: the passphrase's Argon2id key, and with the hardware step, that
/// key run through the device's hardware HMAC, both mixed by HKDF. Without the hardware, the
/// first alone is no use: its output is never checked against anything.
fn key_encryption_key(
    kdf: &KdfParams,
    passphrase: &str,
    salt: &[u8],
    hardware: Option<&Arc<dyn PlatformKeyWrapper>>,
) -> Result<SecretKey> {
    let argon = kdf.derive(passphrase, salt)?;
    let Some(platform) = hardware else {
        return Ok(argon);
    };
    let mut input = PIN_STEP_LABEL.to_vec();
    input.extend_from_slice(argon.expose());
    let step = Zeroizing::new(platform.pin_step(&input).map_err(Error::PlatformKey)?);
    zeroize::Zeroize::zeroize(&mut input);
    if step.len() < 32 {
        return Err(Error::PlatformKey(
            "the hardware PIN step returned too little".into(),
        ));
    }
    let mut ikm = Zeroizing::new(argon.expose().to_vec());
    ikm.extend_from_slice(&step);
    Ok(SecretKey::from_bytes(*crate::crypto::hkdf32(
        salt,
        &ikm,
        KEK_V2_INFO,
    )))
}

#[derive(Serialize, Deserialize)]
struct KdfRecord {
    algorithm: String,
    #[serde(flatten)]
    params: KdfParams,
    salt: String,
}

impl KeyFile {
    fn seal(
        device: DeviceId,
        master: &SecretKey,
        passphrase: &str,
        opts: &VaultOptions,
    ) -> Result<Self> {
        opts.kdf.check_usable()?;
        let salt: [u8; 16] = random_array();
        let inner = match &opts.platform {
            Some(p) => Zeroizing::new(p.wrap(master.expose()).map_err(Error::PlatformKey)?),
            None => Zeroizing::new(master.expose().to_vec()),
        };
        // The hardware step wherever the platform can take it.
        let hardware = opts
            .platform
            .as_ref()
            .filter(|p| p.pin_step(PIN_STEP_LABEL).is_ok());
        let kek = key_encryption_key(&opts.kdf, passphrase, &salt, hardware)?;
        let platform_wrapped = opts.platform.is_some();
        let hardware_step = hardware.is_some();
        let wrapped = kek.seal(
            &master_aad(device, &opts.kdf, &salt, platform_wrapped, hardware_step),
            &inner,
        );
        Ok(KeyFile {
            format: if hardware_step { FORMAT } else { 1 },
            hardware_step,
            device_id: device.to_string(),
            kdf: KdfRecord {
                algorithm: "argon2id".into(),
                params: opts.kdf,
                salt: B64.encode(salt),
            },
            platform_wrapped,
            wrapped_master_key: B64.encode(wrapped),
        })
    }

    fn unseal(
        &self,
        passphrase: &str,
        platform: Option<&Arc<dyn PlatformKeyWrapper>>,
    ) -> Result<(DeviceId, SecretKey)> {
        let corrupted = || Error::Corrupted {
            what: "the vault key file",
        };
        if self.format > FORMAT {
            return Err(Error::TooNew { found: self.format });
        }
        if self.kdf.algorithm != "argon2id" {
            return Err(corrupted());
        }
        let device: DeviceId = self.device_id.parse().map_err(|_| corrupted())?;
        let salt = B64.decode(&self.kdf.salt).map_err(|_| corrupted())?;
        let wrapped = B64
            .decode(&self.wrapped_master_key)
            .map_err(|_| corrupted())?;
        let hardware = if self.hardware_step {
            Some(platform.ok_or(Error::PlatformKeyUnavailable)?)
        } else {
            None
        };
        let kek = key_encryption_key(&self.kdf.params, passphrase, &salt, hardware)?;
        let inner = kek
            .open(
                &master_aad(
                    device,
                    &self.kdf.params,
                    &salt,
                    self.platform_wrapped,
                    self.hardware_step,
                ),
                &wrapped,
            )
            .ok_or(Error::WrongPassphrase)?;
        let raw = if self.platform_wrapped {
            let platform = platform.ok_or(Error::PlatformKeyUnavailable)?;
            Zeroizing::new(platform.unwrap(&inner).map_err(Error::PlatformKey)?)
        } else {
            inner
        };
        let master = SecretKey::from_slice(&raw).ok_or_else(corrupted)?;
        Ok((device, master))
    }

    fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(KEY_FILE);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::VaultNotFound(dir.to_owned()))
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        serde_json::from_slice(&bytes).map_err(|_| Error::Corrupted {
            what: "the vault key file",
        })
    }

    /// Write atomically: a temporary file, flushed, then renamed over the old one.
    fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(KEY_FILE);
        let tmp = dir.join(format!("{KEY_FILE}.tmp"));
        let json = serde_json::to_vec_pretty(self).expect("key files always serialise");
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.sync_all()?;
            fs::rename(&tmp, &path)?;
            if let Ok(d) = fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            Error::io(&path, e)
        })
    }
}

/// Whether `guess` opens the key file in `dir` with no hardware at hand: the offline PIN
/// search of someone holding a copy of a tablet's files (the insider-attack tests). With the
/// hardware step (format 2) no guess does, the right one included.
#[cfg(feature = "insider-attacks")]
pub(crate) fn guess_opens_offline(dir: &Path, guess: &str) -> Result<bool> {
    let file = KeyFile::read(dir)?;
    let bad = || Error::Corrupted {
        what: "the vault key file",
    };
    let device: DeviceId = file.device_id.parse().map_err(|_| bad())?;
    let salt = B64.decode(&file.kdf.salt).map_err(|_| bad())?;
    let wrapped = B64.decode(&file.wrapped_master_key).map_err(|_| bad())?;
    let kek = file.kdf.params.derive(guess, &salt)?;
    let aad = master_aad(
        device,
        &file.kdf.params,
        &salt,
        file.platform_wrapped,
        file.hardware_step,
    );
    Ok(kek.open(&aad, &wrapped).is_some())
}

/// Whether the key file in `dir` takes the hardware PIN step.
#[cfg(feature = "insider-attacks")]
pub(crate) fn takes_hardware_step(dir: &Path) -> Result<bool> {
    Ok(KeyFile::read(dir)?.hardware_step)
}

/// A device's identity before its vault exists: its id and its Ed25519 signing key.
pub(crate) struct DeviceIdentity {
    pub id: DeviceId,
    pub pkcs8: Zeroizing<Vec<u8>>,
}

impl DeviceIdentity {
    pub(crate) fn generate() -> Self {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 =
            ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).expect("Ed25519 key generation");
        Self {
            id: DeviceId::random(),
            pkcs8: Zeroizing::new(pkcs8.as_ref().to_vec()),
        }
    }

    pub(crate) fn public_key(&self) -> Vec<u8> {
        use ring::signature::KeyPair;
        ring::signature::Ed25519KeyPair::from_pkcs8(&self.pkcs8)
            .expect("a generated key parses")
            .public_key()
            .as_ref()
            .to_vec()
    }
}

/// Vault files are for this user only (0700 folder) on Unix; elsewhere the platform's defaults.
fn restrict_permissions(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn master_aad(
    device: DeviceId,
    kdf: &KdfParams,
    salt: &[u8],
    platform: bool,
    hardware_step: bool,
) -> Vec<u8> {
    let cost = [
        kdf.memory_kib.to_be_bytes(),
        kdf.iterations.to_be_bytes(),
        kdf.parallelism.to_be_bytes(),
    ]
    .concat();
    // Format 1's associated data is kept as it was; the hardware step is bound in when used,
    // so it cannot be struck from the key file.
    let mut parts: Vec<&[u8]> = vec![device.as_bytes(), &cost, salt];
    let flags = [platform as u8, 1];
    parts.push(if hardware_step {
        &flags[..]
    } else {
        &flags[..1]
    });
    aad(MASTER_AAD, &parts)
}

fn check_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::validation(
            "passphrase",
            format!("use at least {MIN_PASSPHRASE_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Overwrite the key file with zeros, sync, delete: from that instant the database is
/// unreadable, even if deleting the rest is interrupted.
fn destroy_key_file(dir: &Path) -> Result<()> {
    let key_file = dir.join(KEY_FILE);
    if let Ok(meta) = fs::metadata(&key_file) {
        let zeros = vec![0u8; meta.len() as usize];
        let overwrite = || -> std::io::Result<()> {
            let mut f = fs::OpenOptions::new().write(true).open(&key_file)?;
            f.write_all(&zeros)?;
            f.sync_all()
        };
        overwrite().map_err(|e| Error::io(&key_file, e))?;
        fs::remove_file(&key_file).map_err(|e| Error::io(&key_file, e))?;
    }
    Ok(())
}

fn remove_data_files(dir: &Path) -> Result<()> {
    for name in [
        DB_FILE,
        "komora.db-wal",
        "komora.db-shm",
        "komora.db-journal",
        "vault.json.tmp",
        "attempts.json",
        LOCK_FILE,
    ] {
        match fs::remove_file(dir.join(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(dir.join(name), e)),
        }
    }
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Erase a vault that is not open: keys first, then the data.
fn erase_files(dir: &Path) -> Result<()> {
    destroy_key_file(dir)?;
    remove_data_files(dir)
}

/// The file a vault's opening holds locked (a POSIX record lock, exclusive) for as long as it is open.
const LOCK_FILE: &str = "komora.lock";

/// Hold `dir`'s vault for this process alone. The store keeps the next number of this
/// device's own changes in memory: two programs with the vault open at once (a `komora sync`
/// left running while a client is recorded at the terminal) numbered different changes the
/// same, and whatever compares numbers (an exchange by file, a server restored from a backup)
/// then skipped some without a word.
///
/// A POSIX record lock (`fcntl`): it belongs to the process, so the kernel lets it go when the
/// process ends however it ends, programs the process starts do not inherit it, and a second
/// opening in the same process (an app that re-opens before the old handle is collected) is
/// not refused. Another process's opening waits up to two seconds (a short command finishing)
/// and is then refused with [`Error::InUse`].
///
/// Closing *any* descriptor of the file lets such a lock go, so the process opens the file
/// once per vault and counts its holds ([`Hold`]): a second opening that closes does not let
/// the vault go while the first still writes.
fn hold(dir: &Path) -> Result<Hold> {
    const TRIES: u32 = 40;
    const PAUSE: std::time::Duration = std::time::Duration::from_millis(50);
    let path = dir.join(LOCK_FILE);
    let key = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    let mut file: Option<fs::File> = None;
    for attempt in 1..=TRIES {
        // The table of held vaults is locked only while it is looked at, never while this
        // opening waits for another program: other vaults open and close meanwhile.
        let mut held = held_here();
        if let Some((_, holds)) = held.get_mut(&key) {
            *holds += 1;
            // Another opening of this process took the vault while this one waited. Closing
            // this descriptor would let the process's lock go: it is left open (rare: two
            // openings of one vault at once while another program held it).
            if let Some(f) = file.take() {
                std::mem::forget(f);
            }
            return Ok(Hold(key));
        }
        let f = match &file {
            Some(f) => f,
            None => file.insert(
                fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&path)
                    .map_err(|e| Error::io(&path, e))?,
            ),
        };
        match lock_for_this_process(f) {
            Ok(true) => {
                let f = file.take().expect("opened above");
                held.insert(key.clone(), (f, 1));
                return Ok(Hold(key));
            }
            Ok(false) if attempt < TRIES => {
                drop(held);
                std::thread::sleep(PAUSE);
            }
            // Given up: this descriptor is closed while the table is still held, so no other
            // opening of this process can take the lock in between and lose it to this close.
            Ok(false) => {
                drop(file.take());
                return Err(Error::InUse);
            }
            Err(e) => {
                drop(file.take());
                return Err(Error::io(&path, e));
            }
        }
    }
    Err(Error::InUse)
}

/// The vaults this process holds: the one open lock file of each, and how many holds share it.
fn held_here(
) -> std::sync::MutexGuard<'static, std::collections::HashMap<PathBuf, (fs::File, usize)>> {
    static HELD: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<PathBuf, (fs::File, usize)>>,
    > = std::sync::OnceLock::new();
    HELD.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One opening's hold on a vault's folder; the last one dropped closes the lock file, which
/// lets the vault go.
struct Hold(PathBuf);

impl Drop for Hold {
    fn drop(&mut self) {
        let mut held = held_here();
        if let Some((_, holds)) = held.get_mut(&self.0) {
            *holds -= 1;
            if *holds == 0 {
                held.remove(&self.0);
            }
        }
    }
}

/// Take the whole file's write lock for this process; false when another process holds it.
#[cfg(unix)]
fn lock_for_this_process(file: &fs::File) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: `flock` is a plain C struct for which all-zero bytes are a valid value; the
    // fields that matter are set below.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_WRLCK as _;
    lock.l_whence = libc::SEEK_SET as _;
    // l_start 0, l_len 0: the whole file.
    // SAFETY: fcntl on a descriptor `file` keeps open for the call, with a struct it owns.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &lock) };
    if rc == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EACCES) | Some(libc::EAGAIN) => Ok(false),
        _ => Err(err),
    }
}

#[cfg(not(unix))]
fn lock_for_this_process(_file: &fs::File) -> std::io::Result<bool> {
    Ok(true)
}

/// An unlocked vault. Dropping it (or [`Vault::lock`]) zeroises its keys and closes the store.
pub struct Vault {
    dir: Option<PathBuf>,
    /// This opening's hold on the vault's folder against other processes (`None` in memory or
    /// once erased).
    held: Option<Hold>,
    pub(crate) store: Store,
    pub(crate) time: Arc<dyn TimeSource>,
    /// Folded names and codes for search, in memory only, rebuilt when the store changed.
    pub(crate) search: std::cell::RefCell<Option<crate::search::SearchIndex>>,
    /// Structured fields of the case-work records, in memory only, caught up incrementally.
    pub(crate) casework: std::cell::RefCell<Option<crate::casework::index::CaseIndex>>,
    /// Records viewed recently on this device (ids and times only), so a screen refreshed
    /// often writes one audit entry, not hundreds.
    pub(crate) recent_views: std::cell::RefCell<std::collections::HashMap<crate::RecordId, u64>>,
    /// The platform key store that wraps this vault's master key, if any (a PIN change keeps
    /// using it).
    platform: Option<Arc<dyn PlatformKeyWrapper>>,
    /// The newest team format this app reads (`crate::format`; lower only in tests).
    pub(crate) app_format: u32,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.dir)
            .field("device", &self.store.device())
            .finish()
    }
}

/// An app format a vault may play: from the first to this build's.
fn playable(format: u32) -> u32 {
    format.clamp(crate::format::FIRST_FORMAT, crate::format::APP_FORMAT)
}

impl Vault {
    /// An unlocked vault around its store; the in-memory views start empty.
    fn around(store: Store, dir: Option<PathBuf>, time: Arc<dyn TimeSource>) -> Self {
        Self {
            dir,
            held: None,
            store,
            time,
            search: Default::default(),
            casework: Default::default(),
            recent_views: Default::default(),
            app_format: crate::format::APP_FORMAT,
            platform: None,
        }
    }

    /// Create a vault for the first device of a new team.
    pub fn create(dir: impl AsRef<Path>, passphrase: &str, opts: VaultOptions) -> Result<Self> {
        Self::create_joined(dir, passphrase, &TeamKeys::generate(), opts)
    }

    /// Create a vault for a device joining a team whose keys it was given.
    pub fn create_joined(
        dir: impl AsRef<Path>,
        passphrase: &str,
        team: &TeamKeys,
        opts: VaultOptions,
    ) -> Result<Self> {
        Self::check_new(dir.as_ref(), passphrase, &opts)?;
        Self::create_with(
            dir.as_ref(),
            passphrase,
            team,
            &DeviceIdentity::generate(),
            opts,
        )
    }

    /// Refuse early (before any server is contacted) what `create_with` would refuse.
    pub(crate) fn check_new(dir: &Path, passphrase: &str, opts: &VaultOptions) -> Result<()> {
        check_passphrase(passphrase)?;
        opts.kdf.check_usable()?;
        if dir.join(KEY_FILE).exists() {
            return Err(Error::VaultExists(dir.to_owned()));
        }
        // Data files without a key file: a creation killed before its key file was written,
        // or an erasure killed after it destroyed the key file. Nothing in them can ever be
        // read again (the key file held the only wrapped master key), so finish the job
        // rather than leave a folder that neither opens nor can be created again.
        if dir.join(DB_FILE).exists() || dir.join(format!("{KEY_FILE}.tmp")).exists() {
            remove_data_files(dir)?;
        }
        Ok(())
    }

    /// Create a vault for a known device identity (one registered with a sync server).
    pub(crate) fn create_with(
        dir: &Path,
        passphrase: &str,
        team: &TeamKeys,
        identity: &DeviceIdentity,
        opts: VaultOptions,
    ) -> Result<Self> {
        Self::check_new(dir, passphrase, &opts)?;
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        restrict_permissions(dir);
        let held = hold(dir)?;
        let device = identity.id;
        let master = SecretKey::random();
        let key_file = KeyFile::seal(device, &master, passphrase, &opts)?;
        let created = (|| {
            let conn = rusqlite::Connection::open(dir.join(DB_FILE))?;
            let store = Store::create(
                conn,
                &master,
                device,
                team.keys.clone(),
                identity.pkcs8.clone(),
                opts.time.clone(),
                &crate::registry::KINDS,
            )?;
            key_file.write(dir)?;
            Ok(store)
        })();
        match created {
            Ok(store) => {
                let mut vault = Self::around(store, Some(dir.to_owned()), opts.time);
                vault.held = Some(held);
                vault.platform = opts.platform;
                vault.app_format = playable(opts.app_format);
                Ok(vault)
            }
            Err(e) => {
                // Leave no half-made vault behind.
                for name in [DB_FILE, "komora.db-wal", "komora.db-shm", KEY_FILE] {
                    let _ = fs::remove_file(dir.join(name));
                }
                Err(e)
            }
        }
    }

    /// Unlock an existing vault.
    ///
    /// After [`crate::FREE_ATTEMPTS`] wrong passphrases in a row each attempt waits longer
    /// (`Error::LockedOut` says how long, without trying the passphrase); with a wipe policy
    /// set ([`Vault::set_wipe_after_failures`]) the vault is erased at that many failures.
    pub fn open(dir: impl AsRef<Path>, passphrase: &str, opts: VaultOptions) -> Result<Self> {
        let dir = dir.as_ref();
        let key_file = KeyFile::read(dir)?;
        // Before the passphrase is tried: the count of wrong attempts is this opening's too.
        let held = hold(dir)?;
        let (device, master) = unseal_counted(
            dir,
            &key_file,
            passphrase,
            opts.platform.as_ref(),
            opts.time.now_ms(),
        )?;
        let db = dir.join(DB_FILE);
        if !db.exists() {
            return Err(Error::Corrupted {
                what: "the vault (its database is missing)",
            });
        }
        // A vault from before the hardware PIN step takes it now, if the platform can (the
        // same master key, re-sealed: nothing else changes).
        if !key_file.hardware_step {
            if let Some(p) = opts.platform.as_ref() {
                if p.pin_step(PIN_STEP_LABEL).is_ok() {
                    let moved = VaultOptions {
                        kdf: key_file.kdf.params,
                        platform: Some(p.clone()),
                        time: opts.time.clone(),
                        app_format: opts.app_format,
                    };
                    KeyFile::seal(device, &master, passphrase, &moved)?.write(dir)?;
                }
            }
        }
        let conn = rusqlite::Connection::open(&db)?;
        let store = Store::open(conn, &master, opts.time.clone(), &crate::registry::KINDS)?;
        if store.device() != device {
            return Err(Error::Corrupted {
                what: "the vault (key file and database do not match)",
            });
        }
        let mut vault = Self::around(store, Some(dir.to_owned()), opts.time);
        vault.held = Some(held);
        vault.platform = opts.platform;
        vault.app_format = playable(opts.app_format);
        vault.load_roster()?;
        // The tablet stopped between an erasure and its flush: finish it before anything else.
        vault.settle_erasures()?;
        Ok(vault)
    }

    /// A vault held in memory only, with no passphrase: for simulations and tests of merge.
    pub fn ephemeral(team: &TeamKeys, time: Arc<dyn TimeSource>) -> Result<Self> {
        let conn = rusqlite::Connection::open_in_memory()?;
        let identity = DeviceIdentity::generate();
        let store = Store::create(
            conn,
            &SecretKey::random(),
            identity.id,
            team.keys.clone(),
            identity.pkcs8,
            time.clone(),
            &crate::registry::KINDS,
        )?;
        Ok(Self::around(store, None, time))
    }

    /// Whether a directory holds a vault.
    pub fn exists(dir: impl AsRef<Path>) -> bool {
        dir.as_ref().join(KEY_FILE).exists()
    }

    /// Lock: zeroise the keys and close the store.
    pub fn lock(self) {
        drop(self);
    }

    /// Erase this vault for good (a revoked or retired tablet): the key file first, overwritten
    /// and synced before it is deleted, so the database is unreadable from that instant even if
    /// deleting the rest is interrupted; then the database and its WAL.
    /// Erase a locked vault in `dir` (the key file first: nothing in the rest can be read
    /// without it). For a tablet erasing every team's vault after too many wrong PINs in one.
    pub fn erase_locked(dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        // Not under an opening of another program: it would go on writing to deleted files.
        let _held = if dir.join(KEY_FILE).exists() {
            Some(hold(dir)?)
        } else {
            None
        };
        erase_files(dir)
    }

    pub fn wipe(mut self) -> Result<()> {
        self.erase_in_place()
    }

    /// Erase this vault's files (the key file first, overwritten and synced: from that instant
    /// the database is unreadable, even if deleting the rest is interrupted), and leave this
    /// value an empty vault in memory that belongs to no team: every screen still holding it
    /// shows nothing, and nothing it does reaches the disk.
    pub(crate) fn erase_in_place(&mut self) -> Result<()> {
        let dir = self.dir.take();
        if let Some(dir) = &dir {
            destroy_key_file(dir)?;
        }
        let identity = DeviceIdentity::generate();
        let empty = Store::create(
            rusqlite::Connection::open_in_memory()?,
            &SecretKey::random(),
            identity.id,
            TeamKeys::generate().keys,
            identity.pkcs8,
            self.time.clone(),
            &crate::registry::KINDS,
        )?;
        // The old store closes here: its database is closed before it is deleted.
        drop(std::mem::replace(&mut self.store, empty));
        *self.search.borrow_mut() = None;
        *self.casework.borrow_mut() = None;
        self.recent_views.borrow_mut().clear();
        let removed = match dir {
            Some(dir) => remove_data_files(&dir),
            None => Ok(()),
        };
        self.held = None;
        removed
    }

    /// Erase the vault after this many wrong passphrases in a row (`None`: never). An
    /// administrator's policy for tablets that travel; kept beside the key file.
    pub fn set_wipe_after_failures(&self, failures: Option<u32>) -> Result<()> {
        let dir = self
            .dir
            .as_deref()
            .ok_or_else(|| Error::validation("wipe_after", "an in-memory vault has no files"))?;
        if failures.is_some_and(|n| n < crate::lockout::FREE_ATTEMPTS) {
            return Err(Error::validation(
                "wipe_after",
                format!("allow at least {} attempts", crate::lockout::FREE_ATTEMPTS),
            ));
        }
        let mut a = crate::lockout::Attempts::read(dir);
        a.wipe_after = failures;
        a.write(dir)
    }

    /// Replace the passphrase (and optionally raise the key-derivation cost). The current
    /// passphrase is asked again, so an unlocked tablet left on a table cannot be re-keyed.
    pub fn change_passphrase(&self, current: &str, new: &str, opts: &VaultOptions) -> Result<()> {
        let dir = self
            .dir
            .as_deref()
            .ok_or_else(|| Error::validation("vault", "an in-memory vault has no passphrase"))?;
        check_passphrase(new)?;
        // The vault's own platform key when the caller gives none: a vault the Keystore
        // protects stays protected by it.
        let platform = opts.platform.as_ref().or(self.platform.as_ref());
        let old = KeyFile::read(dir)?;
        // A wrong current PIN counts like one typed to unlock: an unlocked tablet left on a
        // table is no way to guess the PIN without the waits (or the wipe).
        let (device, master) = unseal_counted(dir, &old, current, platform, self.now_ms())?;
        let opts = VaultOptions {
            platform: platform.cloned(),
            kdf: opts.kdf,
            time: opts.time.clone(),
            app_format: self.app_format,
        };
        KeyFile::seal(device, &master, new, &opts)?.write(dir)
    }

    /// Check the passphrase of this unlocked vault (before it is used for another team's vault
    /// on the same tablet). A wrong one counts like one typed to unlock.
    pub fn check_passphrase(&self, passphrase: &str) -> Result<()> {
        let dir = self
            .dir
            .as_deref()
            .ok_or_else(|| Error::validation("vault", "an in-memory vault has no passphrase"))?;
        let key_file = KeyFile::read(dir)?;
        unseal_counted(
            dir,
            &key_file,
            passphrase,
            self.platform.as_ref(),
            self.now_ms(),
        )
        .map(drop)
    }

    /// Whether this vault lives in files (not an in-memory vault of the tests).
    pub(crate) fn has_files(&self) -> bool {
        self.dir.is_some()
    }

    pub fn device_id(&self) -> DeviceId {
        self.store.device()
    }

    /// The directory of this vault (`None` for an in-memory one).
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The team keys this device holds, to hand to a device joining the team.
    pub fn team_keys(&self) -> TeamKeys {
        TeamKeys {
            keys: self.store.keyring().export(),
        }
    }

    pub(crate) fn now_ms(&self) -> u64 {
        self.time.now_ms()
    }

    /// When this tablet's date reads more than a day earlier than the latest time its clock
    /// ever gave (a flat battery sets many tablets back to 2010 or their firmware's date, and
    /// only a network sets them right): that time, so the screens can say the date is wrong
    /// before she records work dated wrong. `None` while the date looks right.
    pub fn clock_went_back(&self) -> Option<u64> {
        self.store.clock_went_back()
    }

    /// When a server's date, at the last sync, was more than a day earlier than this tablet's
    /// clock, and the clock has not been set back since: that date (the tablet's date is
    /// wrong, most likely set by hand with a wrong year: what she records would be dated in
    /// the future). `None` while the date looks right.
    pub fn clock_went_ahead(&self) -> Option<u64> {
        self.store.clock_went_ahead()
    }

    /// The date a server gave with its answer (HTTP `Date`): later than anything this
    /// tablet's clock ever read, it becomes what [`Self::clock_went_back`] compares with, so a
    /// new tablet whose clock fell back learns it at its first sync; more than a day earlier
    /// than the tablet's clock, the clock runs ahead ([`Self::clock_went_ahead`]).
    pub fn note_server_time(&mut self, server_ms: u64) -> Result<()> {
        let on_this_clock = self.time.reading_of(server_ms);
        self.store.note_server_time(on_this_clock)
    }

    /// She says the date the tablet shows is right after all (a clock that had been set ahead
    /// and was corrected): the warning stops, and the clock is remembered from now.
    pub fn date_is_right(&mut self) -> Result<()> {
        self.store.accept_clock()
    }
}

/// Try a passphrase against the key file, under the lock-out: the attempt is counted before
/// it is tried (one that cannot be counted, on storage full or read-only, is not tried, so
/// such storage is no way around the lock-out, and a tablet switched off in the middle of the
/// check has spent it), the count clears on success, and the administrator's wipe rule erases
/// the vault at that many failures.
fn unseal_counted(
    dir: &Path,
    key_file: &KeyFile,
    passphrase: &str,
    platform: Option<&Arc<dyn PlatformKeyWrapper>>,
    now: u64,
) -> Result<(DeviceId, SecretKey)> {
    let mut attempts = crate::lockout::Attempts::read(dir);
    if attempts.seen_before(now) {
        // Kept before the check: else the wait would start afresh at every attempt until
        // the clock reached the date a wrong clock gave the failure (years, perhaps).
        attempts.write(dir)?;
    }
    attempts.check(now)?;
    let mut counted = attempts.clone();
    counted.failures = attempts.failures.saturating_add(1);
    counted.last_failure_ms = now.max(attempts.last_failure_ms);
    counted.write(dir)?;
    let unsealed = match key_file.unseal(passphrase, platform) {
        Ok(unsealed) => unsealed,
        Err(Error::WrongPassphrase) => {
            if counted.wipe_after.is_some_and(|n| counted.failures >= n) {
                erase_files(dir)?;
                let _ = fs::remove_file(dir.join("attempts.json"));
                return Err(Error::ErasedAfterFailures);
            }
            return Err(Error::WrongPassphrase);
        }
        Err(e) => {
            // Not a wrong passphrase (no platform key, a damaged key file): not counted.
            attempts.write(dir)?;
            return Err(e);
        }
    };
    attempts.failures = 0;
    attempts.write(dir)?;
    Ok(unsealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_keys_keep_their_kind_and_a_data_officer_gets_the_team_key_alone() {
        let keys = TeamKeys {
            keys: vec![
                (1, EpochKey::Legacy(SecretKey::random())),
                (2, EpochKey::Casework(SecretKey::random())),
            ],
        };
        for (epoch, k) in &keys.keys {
            let back = EpochKey::from_bytes(&k.to_bytes()).unwrap();
            assert_eq!(back.tagged(), k.tagged());
            assert_eq!(back.team(*epoch), k.team(*epoch));
        }
        let officer = keys.for_data_officer();
        assert_eq!(
            officer.keys.len(),
            1,
            "a legacy epoch's one key would open everything"
        );
        let (epoch, key) = &officer.keys[0];
        assert_eq!(key.team(*epoch), keys.keys[1].1.team(2));
        assert!(key.casework().is_none() && !officer.opens_case_work());
        assert!(keys.opens_case_work());
        let casework = keys.keys[1].1.casework().unwrap();
        assert_ne!(
            casework,
            &key.team(2),
            "the team key is not the case-work key"
        );
        assert_ne!(
            keys.keys[1].1.team(2),
            keys.keys[1].1.team(3),
            "bound to its epoch"
        );
        assert!(EpochKey::from_bytes(&[0u8; 31]).is_none());
        assert!(EpochKey::from_bytes(&[9u8; 33]).is_none());
    }
}
