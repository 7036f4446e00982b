//! # komora-ffi
//!
//! Every uniffi export of Komora, and nothing else: the core stays free of uniffi. Kotlin sees
//! [`KomoraVault`] (an `AutoCloseable` object: close it, or use `use {}`), plain records, a
//! sealed `KomoraException` hierarchy, and two callback interfaces it implements:
//! [`PlatformKey`] (the Android Keystore wraps the vault key) and [`SyncListener`] (progress,
//! turned into a `Flow` by the hand-written Kotlin layer).
//!
//! Slow work (the KDF when creating or opening a vault, sync, reports) is `suspend` in Kotlin
//! and runs on a worker thread (`task.rs`). Quick reads and saves are plain calls: a save is
//! one SQLite transaction, well under a frame. A panic inside Rust reaches Kotlin as an
//! exception and the JVM carries on.

mod drafts;
mod error;
mod fleet;
mod places;
mod practice;
mod records;
mod rights;
mod task;
#[cfg(feature = "test-hooks")]
mod test_clock;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use komora_core as core;

pub use error::{KomoraError, Result};
pub use records::*;
use task::Background;

uniffi::setup_scaffolding!();

impl From<uniffi::UnexpectedUniFFICallbackError> for KomoraError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        KomoraError::Internal { reason: e.reason }
    }
}

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

/// Receives sync progress. Implemented in Kotlin (see `Komora.kt`, which makes it a `Flow`).
/// Called from the sync's worker thread with the vault let go of: hand the progress on (as
/// `syncFlow` does with `trySend`) and return quickly; the sync waits for it.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    fn on_progress(&self, progress: SyncProgress);
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

fn options(
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
        opts.time = test_clock::time_source();
    }
    Ok(opts)
}

/// A connection to an enrolled vault's server, trusting what its enrolment pinned.
fn http(settings: &core::SyncSettings) -> Result<core::HttpTransport> {
    Ok(settings.transport()?)
}

/// A connection to a server this tablet is joining, trusting exactly `pins` (the public
/// authorities when empty); plain `http://` to another machine is refused here.
fn joining(server_url: &str, pins: &[String]) -> Result<core::HttpTransport> {
    let pins = parse_pins(pins)?;
    core::HttpTransport::pinned(server_url, &pins).map_err(|e| core::Error::from(e).into())
}

fn parse_pins(pins: &[String]) -> Result<Vec<core::CertificatePin>> {
    pins.iter()
        .map(|p| {
            p.parse::<core::CertificatePin>()
                .map_err(|e| KomoraError::Validation {
                    field: "pin".into(),
                    reason: e.to_string(),
                })
        })
        .collect()
}

/// An unlocked vault. Every method is safe to call from any thread or coroutine; calls are
/// served one at a time. `close()` (or `use {}`) locks it: keys are zeroised.
#[derive(uniffi::Object)]
pub struct KomoraVault {
    vault: Mutex<Option<core::Vault>>,
}

impl KomoraVault {
    fn new(v: core::Vault) -> Arc<Self> {
        Arc::new(KomoraVault {
            vault: Mutex::new(Some(v)),
        })
    }

    fn guard(&self) -> MutexGuard<'_, Option<core::Vault>> {
        // A panic while a call held the lock rolled its transaction back: the vault is usable.
        self.vault.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn with<T>(&self, f: impl FnOnce(&mut core::Vault) -> Result<T>) -> Result<T> {
        let mut g = self.guard();
        let v = g.as_mut().ok_or(KomoraError::Closed)?;
        f(v)
    }

    /// A call to this vault's sync server. The core erases a vault whose revocation the team's
    /// signed list proves (and only then); this drops it and says whether its files are gone.
    fn remote<T>(
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
    fn revoked(
        mut g: MutexGuard<'_, Option<core::Vault>>,
        dir: Option<std::path::PathBuf>,
    ) -> KomoraError {
        drop(g.take());
        let erased = dir.is_none_or(|d| !core::Vault::exists(&d));
        KomoraError::Revoked { erased }
    }
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

/// Create this tablet's vault from an enrolment code given by a supervisor or administrator.
/// `certificate_pins` are the enrolment link's (`sha256/...`): the tablet then trusts exactly
/// those keys for the server; none, a certificate from a public authority.
#[uniffi::export(default(certificate_pins = []))]
pub async fn enroll(
    dir: String,
    pin: String,
    server_url: String,
    code: String,
    strength: KdfStrength,
    platform_key: Option<Arc<dyn PlatformKey>>,
    certificate_pins: Vec<String>,
) -> Result<Arc<KomoraVault>> {
    Background::spawn(move || {
        let mut t = joining(&server_url, &certificate_pins)?;
        let v = core::Vault::enroll(
            PathBuf::from(dir),
            &pin,
            &mut t,
            &server_url,
            &code,
            options(strength, platform_key)?,
        )?;
        Ok(KomoraVault::new(v))
    })
    .await
}

/// Set up the organisation on a new server with the code it printed at its first start: this
/// tablet becomes the first administrator's. `certificate_pins`: the pin the server printed.
#[allow(clippy::too_many_arguments)]
#[uniffi::export(default(certificate_pins = []))]
pub async fn bootstrap(
    dir: String,
    pin: String,
    server_url: String,
    code: String,
    org_name: String,
    team_name: String,
    strength: KdfStrength,
    platform_key: Option<Arc<dyn PlatformKey>>,
    certificate_pins: Vec<String>,
) -> Result<Arc<KomoraVault>> {
    Background::spawn(move || {
        let mut t = joining(&server_url, &certificate_pins)?;
        let v = core::Vault::bootstrap(
            PathBuf::from(dir),
            &pin,
            &mut t,
            &server_url,
            &code,
            &org_name,
            &team_name,
            options(strength, platform_key)?,
        )?;
        Ok(KomoraVault::new(v))
    })
    .await
}

/// The instruments this version knows (PHQ-9, WHO-5, SRQ-20, PCL-5), for giving them item by
/// item.
#[uniffi::export]
pub fn instruments() -> Vec<Instrument> {
    core::instruments().iter().map(Instrument::from).collect()
}

/// The closed lists case work draws from (problems, modalities, destinations, scopes,
/// relations, group kinds and phases), with their labels.
#[uniffi::export]
pub fn casework_lists() -> CaseworkLists {
    core::lists().into()
}

/// What an enrolment QR code holds (`komora:enrol?server=...&code=...&pin=...`).
#[uniffi::export(default(certificate_pins = []))]
pub fn enrolment_link(
    server_url: String,
    code: String,
    certificate_pins: Vec<String>,
) -> Result<String> {
    Ok(core::enrolment_link(
        &server_url,
        &code,
        &parse_pins(&certificate_pins)?,
    ))
}

/// The server, the code and the server's pins in a scanned enrolment QR code, or null if it is
/// not one (plain `http://` to another machine is not one).
#[uniffi::export]
pub fn parse_enrolment_link(text: String) -> Option<EnrolmentLinkParts> {
    core::parse_enrolment_link(&text).map(|link| EnrolmentLinkParts {
        server_url: link.server,
        code: link.code,
        certificate_pins: link.pins.iter().map(|p| p.to_string()).collect(),
    })
}

/// A scanned enrolment QR code: the code is a secret until used, so it is never printed.
#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct EnrolmentLinkParts {
    pub server_url: String,
    pub code: String,
    /// Give them to `enroll`: the tablet then trusts exactly these keys for the server.
    pub certificate_pins: Vec<String>,
}

impl std::fmt::Debug for EnrolmentLinkParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnrolmentLinkParts([redacted])")
    }
}

/// Lower case without accents, as search compares names ("Hélène" -> "helene").
#[uniffi::export]
pub fn fold_for_search(text: String) -> String {
    core::fold(&text)
}

/// For the binding tests only: panics inside Rust, to prove a panic reaches Kotlin as an
/// exception and the JVM survives. Not in device builds (feature `test-hooks`).
#[cfg(feature = "test-hooks")]
#[uniffi::export]
pub fn panic_for_tests() {
    panic!("a deliberate panic for the binding tests");
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

    pub fn device_id(&self) -> Result<String> {
        self.with(|v| Ok(v.device_id().to_string()))
    }

    /// Today in Rwanda by this device's clock, `YYYY-MM-DD`.
    pub fn today(&self) -> Result<String> {
        self.with(|v| Ok(v.today().to_string()))
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

    /// Administrator policy: erase this vault after `failures` wrong PINs in a row (`null`:
    /// never). At least the free attempts must be allowed.
    pub fn set_wipe_after_failures(&self, failures: Option<i32>) -> Result<()> {
        let n = failures.map(|n| u32::try_from(n).unwrap_or(0));
        self.with(|v| Ok(v.set_wipe_after_failures(n)?))
    }

    // ---- clients ----

    pub fn add_client(&self, client: NewClient) -> Result<String> {
        let c = client.into_core()?;
        self.with(|v| Ok(v.add_client(&c)?.to_string()))
    }

    /// Many clients in one transaction: all or none.
    pub async fn import_clients(self: Arc<Self>, clients: Vec<NewClient>) -> Result<Vec<String>> {
        Background::spawn(move || {
            let all = clients
                .into_iter()
                .map(NewClient::into_core)
                .collect::<Result<Vec<_>>>()?;
            self.with(|v| {
                Ok(v.add_clients(&all)?
                    .iter()
                    .map(ToString::to_string)
                    .collect())
            })
        })
        .await
    }

    pub fn client(&self, id: String) -> Result<Client> {
        let id = records::id(&id)?;
        self.with(|v| Ok(v.client(id)?.into()))
    }

    /// The client for a screen: the view is written to the audit trail.
    pub fn view_client(&self, id: String) -> Result<Client> {
        let id = records::id(&id)?;
        self.with(|v| Ok(v.view_client(id)?.into()))
    }

    pub fn clients(&self) -> Result<Vec<Client>> {
        self.with(|v| Ok(v.clients()?.items.into_iter().map(Client::from).collect()))
    }

    /// The team's policy in force on this tablet (null fields: no team rule).
    pub fn team_policy(&self) -> Result<TeamPolicy> {
        self.with(|v| Ok(v.team_policy()?.into()))
    }

    /// Set the team's policy (administrators): every tablet follows it after its next sync.
    pub fn set_team_policy(&self, policy: TeamPolicy) -> Result<()> {
        let p = core::TeamPolicy {
            auto_lock_minutes: policy
                .auto_lock_minutes
                .map(|m| records::fit("auto_lock_minutes", m, "use 1 to 60 minutes"))
                .transpose()?,
            wipe_after_failures: policy
                .wipe_after_failures
                .map(|n| records::fit("wipe_after_failures", n, "give a number of attempts"))
                .transpose()?,
        };
        self.with(|v| Ok(v.set_team_policy(&p)?))
    }

    /// The cases of one client (open ones, or every one with `include_closed`), for her file.
    pub fn cases_of(&self, client_id: String, include_closed: bool) -> Result<Vec<Case>> {
        let id = records::id(&client_id)?;
        self.with(|v| {
            let filter = core::CaseloadFilter {
                everyone: true,
                include_closed,
                ..Default::default()
            };
            Ok(v.caseload(&filter)?
                .into_iter()
                .filter(|e| e.case.clients.contains(&id))
                .map(|e| Case::from(e.case))
                .collect())
        })
    }

    /// The clients with these ids, in that order, in one call (a list's names without one
    /// crossing per row); ids not on this tablet (erased, not yet synced) are left out.
    pub fn clients_by_id(&self, ids: Vec<String>) -> Result<Vec<Client>> {
        let ids = ids
            .iter()
            .map(|i| records::id(i))
            .collect::<Result<Vec<_>>>()?;
        self.with(|v| {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                match v.client(id) {
                    Ok(c) => out.push(Client::from(c)),
                    Err(core::Error::NotFound(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(out)
        })
    }

    /// As the counsellor types: by name or code, case and accents ignored.
    pub fn search_clients(&self, query: String, limit: i32) -> Result<Vec<Client>> {
        self.with(|v| {
            Ok(v.search_clients(&query, limit.clamp(0, 1_000) as usize)?
                .into_iter()
                .map(Client::from)
                .collect())
        })
    }

    pub fn edit_client(&self, id: String, changes: ClientChanges) -> Result<Client> {
        let id = records::id(&id)?;
        let edit = changes.into_core()?;
        self.with(|v| {
            v.edit_client(id, &edit)?;
            Ok(v.client(id)?.into())
        })
    }

    pub fn delete_client(&self, id: String) -> Result<()> {
        let id = records::id(&id)?;
        self.with(|v| Ok(v.delete_client(id)?))
    }

    /// Erase a client's whole file for good, here now and on every tablet as it syncs
    /// (supervisors and administrators; `reason`: client-request, retention or
    /// recorded-by-mistake). Cannot be undone.
    pub fn erase_client(&self, id: String, reason: String) -> Result<Erasure> {
        let id = records::id(&id)?;
        self.with(|v| Ok(v.erase_client(id, &reason)?.into()))
    }

    /// The client files erased so far.
    pub fn erasures(&self) -> Result<Vec<Erasure>> {
        self.with(|v| Ok(v.erasures()?.into_iter().map(Erasure::from).collect()))
    }

    /// Every value a field has had, concurrent ones included.
    pub fn client_history(&self, id: String, field: String) -> Result<Vec<HistoryEntry>> {
        let id = records::id(&id)?;
        self.with(|v| {
            Ok(v.client_history(id, &field)?
                .into_iter()
                .map(HistoryEntry::from)
                .collect())
        })
    }

    pub fn timeline(&self, client_id: String) -> Result<Vec<TimelineEntry>> {
        let id = records::id(&client_id)?;
        self.with(|v| {
            Ok(v.timeline(id)?
                .into_iter()
                .map(TimelineEntry::from)
                .collect())
        })
    }

    // ---- cases, sessions, measures ----

    pub fn add_case(&self, case_info: NewCase) -> Result<String> {
        let c = case_info.into_core()?;
        self.with(|v| Ok(v.add_case(&c)?.to_string()))
    }

    pub fn get_case(&self, id: String) -> Result<Case> {
        let id = records::id(&id)?;
        self.with(|v| Ok(v.case(id)?.into()))
    }

    /// Move a case to open, active, referred or closed (closing may need a reason).
    pub fn set_case_status(
        &self,
        id: String,
        status: String,
        reason: Option<String>,
    ) -> Result<Case> {
        let id = records::id(&id)?;
        let status = core::CaseStatus::parse(&status)?;
        self.with(|v| {
            v.edit_case(
                id,
                &core::CaseEdit {
                    status: Some(status),
                    close_reason: reason,
                    ..Default::default()
                },
            )?;
            Ok(v.case(id)?.into())
        })
    }

    /// Raise a risk flag: suicide-risk, violence-at-home or child-protection.
    pub fn raise_risk(&self, case_id: String, flag: String) -> Result<Case> {
        let id = records::id(&case_id)?;
        self.with(|v| {
            v.raise_risk(id, &flag)?;
            Ok(v.case(id)?.into())
        })
    }

    /// A caseload, urgent cases first, then by the nearest follow-up. `CaseloadFilter()` is
    /// this counsellor's open cases.
    pub fn caseload(&self, filter: CaseloadFilter) -> Result<Vec<CaseloadEntry>> {
        let filter = filter.into_core()?;
        self.with(|v| {
            Ok(v.caseload(&filter)?
                .into_iter()
                .map(CaseloadEntry::from)
                .collect())
        })
    }

    /// Appointments and referral follow-ups due within `days` days (and every overdue one),
    /// soonest first, on this counsellor's cases (or everyone's).
    pub fn follow_ups(&self, days: i32, everyone: bool) -> Result<Vec<FollowUp>> {
        let days = records::fit("days", days, "give 0 days or more")?;
        self.with(|v| {
            Ok(v.follow_ups(days, everyone)?
                .into_iter()
                .map(FollowUp::from)
                .collect())
        })
    }

    pub fn add_session(&self, session: NewSession) -> Result<String> {
        let s = session.into_core()?;
        self.with(|v| Ok(v.add_session(&s)?.to_string()))
    }

    /// A session without recording a view (a title in a list); to read it, `view_session`.
    pub fn session(&self, id: String) -> Result<Session> {
        let id = records::id(&id)?;
        self.with(|v| Ok(v.session(id)?.into()))
    }

    /// A session with its notes, for a screen: the view is audited.
    pub fn view_session(&self, id: String) -> Result<Session> {
        let id = records::id(&id)?;
        self.with(|v| Ok(v.view_session(id)?.into()))
    }

    pub fn add_assessment(&self, a: NewAssessment) -> Result<Score> {
        // An answer that does not fit a byte cannot be an option: the core names the question.
        let answers = a
            .answers
            .iter()
            .map(|&x| u8::try_from(x).unwrap_or(u8::MAX))
            .collect();
        let mut n = core::NewAssessment::new(records::id(&a.client_id)?, &a.instrument, answers);
        n.case = a.case_id.as_deref().map(records::id).transpose()?;
        n.session = a.session_id.as_deref().map(records::id).transpose()?;
        n.date = records::date("date", a.date.as_deref())?;
        self.with(|v| {
            let (id, score) = v.add_assessment(&n)?;
            Ok(Score {
                assessment_id: id.to_string(),
                total: score.total as i32,
                band: score.band,
                raised_flags: score.alerts,
            })
        })
    }

    pub fn measure_trends(&self, client_id: String) -> Result<Vec<Trend>> {
        let id = records::id(&client_id)?;
        self.with(|v| Ok(v.measure_trends(id)?.into_iter().map(Trend::from).collect()))
    }

    // ---- consent, referrals, household ----

    /// Record consent given or withdrawn (by the client, or by the guardian named).
    pub fn add_consent(&self, consent: NewConsent) -> Result<String> {
        let c = consent.into_core()?;
        self.with(|v| Ok(v.add_consent(&c)?.to_string()))
    }

    /// The client's consent records, newest first, with the guardians' names.
    pub fn consents(&self, client_id: String) -> Result<Vec<Consent>> {
        let id = records::id(&client_id)?;
        self.with(|v| {
            let listed = v.consents(id)?;
            listed
                .into_iter()
                .map(|c| Ok(v.consent(c.id)?.into()))
                .collect()
        })
    }

    /// Whether consent to each scope stands, in the list's order.
    pub fn consent_standing(&self, client_id: String) -> Result<Vec<ConsentScopeState>> {
        let id = records::id(&client_id)?;
        self.with(|v| {
            Ok(v.consent_status(id)?
                .into_iter()
                .map(ConsentScopeState::from)
                .collect())
        })
    }

    /// Refer a client (needs consent to sharing not to have been withdrawn).
    pub fn add_referral(&self, referral: NewReferral) -> Result<String> {
        let r = referral.into_core()?;
        self.with(|v| Ok(v.add_referral(&r)?.to_string()))
    }

    /// The client's referrals, newest first, with their texts.
    pub fn referrals_of(&self, client_id: String) -> Result<Vec<Referral>> {
        let id = records::id(&client_id)?;
        self.with(|v| {
            let today = v.today();
            Ok(v.referrals_of(id)?
                .into_iter()
                .map(|r| Referral::new(r, today))
                .collect())
        })
    }

    /// Record what became of a referral (`status`: pending, accepted, completed, declined or
    /// cancelled) and/or set the next follow-up date, or clear it with `clear_follow_up`.
    pub fn update_referral(
        &self,
        id: String,
        status: Option<String>,
        follow_up: Option<String>,
        clear_follow_up: bool,
    ) -> Result<()> {
        let id = records::id(&id)?;
        let status = status
            .as_deref()
            .map(core::ReferralStatus::parse)
            .transpose()?;
        let follow_up = match (
            records::date("follow_up", follow_up.as_deref())?,
            clear_follow_up,
        ) {
            (Some(_), true) => {
                return Err(KomoraError::Validation {
                    field: "follow_up".into(),
                    reason: "give a follow-up date or clear it, not both".into(),
                })
            }
            (Some(d), false) => Some(Some(d)),
            (None, true) => Some(None),
            (None, false) => None,
        };
        self.with(|v| Ok(v.update_referral(id, status, follow_up)?))
    }

    /// Record that `other_id` is `relation` of `client_id` (spouse, parent, child, ...); the
    /// other client sees the inverse. Replaces any earlier link between the two.
    pub fn link_clients(
        &self,
        client_id: String,
        other_id: String,
        relation: String,
    ) -> Result<()> {
        let client = records::id(&client_id)?;
        let other = records::id(&other_id)?;
        self.with(|v| Ok(v.link_clients(client, other, &relation)?))
    }

    /// Remove every link between two clients, from both sides.
    pub fn unlink_clients(&self, client_id: String, other_id: String) -> Result<()> {
        let client = records::id(&client_id)?;
        let other = records::id(&other_id)?;
        self.with(|v| Ok(v.unlink_clients(client, other)?))
    }

    /// The client's relatives and household members, with their names.
    pub fn household(&self, client_id: String) -> Result<Vec<HouseholdLink>> {
        let id = records::id(&client_id)?;
        self.with(|v| {
            let links = v.household(id)?;
            links
                .into_iter()
                .map(|l| {
                    Ok(HouseholdLink {
                        name: v.client(l.client)?.name,
                        client_id: l.client.to_string(),
                        relation: l.relation,
                    })
                })
                .collect()
        })
    }

    // ---- healing groups ----

    pub fn add_group(&self, group: NewGroup) -> Result<String> {
        let g = group.into_core()?;
        self.with(|v| Ok(v.add_group(&g)?.to_string()))
    }

    /// Every group, by name.
    pub fn groups(&self) -> Result<Vec<Group>> {
        self.with(|v| Ok(v.groups()?.into_iter().map(Group::from).collect()))
    }

    pub fn group(&self, id: String) -> Result<Group> {
        let id = records::id(&id)?;
        self.with(|v| Ok(v.group(id)?.into()))
    }

    pub fn add_group_member(&self, group_id: String, client_id: String) -> Result<()> {
        let group = records::id(&group_id)?;
        let client = records::id(&client_id)?;
        self.with(|v| Ok(v.add_group_member(group, client)?))
    }

    /// The phase a session number falls in by default (the facilitator may choose another).
    pub fn default_phase(&self, group_id: String, number: i32) -> Result<String> {
        let id = records::id(&group_id)?;
        let number = records::fit("number", number, "not a session of the cycle")?;
        self.with(|v| Ok(v.group(id)?.default_phase(number).to_owned()))
    }

    /// Record a session of the group's cycle; `phase` `null` takes the default phase.
    pub fn add_group_session(
        &self,
        group_id: String,
        number: i32,
        phase: Option<String>,
        date: Option<String>,
        notes: Option<String>,
    ) -> Result<String> {
        let group = records::id(&group_id)?;
        let number = records::fit("number", number, "not a session of the cycle")?;
        let date = records::date("date", date.as_deref())?;
        self.with(|v| {
            Ok(
                v.add_group_session(group, number, phase.as_deref(), date, notes.as_deref())?
                    .to_string(),
            )
        })
    }

    /// The group's sessions in cycle order, with their notes.
    pub fn group_sessions(&self, group_id: String) -> Result<Vec<GroupSession>> {
        let id = records::id(&group_id)?;
        self.with(|v| {
            let listed = v.group_sessions(id)?;
            listed
                .into_iter()
                .map(|s| Ok(v.group_session(s.id)?.into()))
                .collect()
        })
    }

    /// Mark a member present or absent (two facilitators marking offline both count).
    pub fn mark_attendance(
        &self,
        session_id: String,
        client_id: String,
        present: bool,
    ) -> Result<()> {
        let session = records::id(&session_id)?;
        let client = records::id(&client_id)?;
        self.with(|v| Ok(v.mark_attendance(session, client, present)?))
    }

    /// Flag someone who attended a group session for referral.
    pub fn flag_for_referral(&self, session_id: String, client_id: String) -> Result<()> {
        let session = records::id(&session_id)?;
        let client = records::id(&client_id)?;
        self.with(|v| Ok(v.flag_for_referral(session, client)?))
    }

    // ---- reviews ----

    /// A supervisor reviews a session or case: comment, approved or needs-changes.
    pub fn add_review(
        &self,
        target_id: String,
        verdict: String,
        comment: Option<String>,
    ) -> Result<String> {
        let target = records::id(&target_id)?;
        let verdict = core::Verdict::parse(&verdict)?;
        self.with(|v| {
            Ok(v.add_review(target, verdict, comment.as_deref())?
                .to_string())
        })
    }

    pub fn answer_review(&self, review_id: String, response: String) -> Result<()> {
        let id = records::id(&review_id)?;
        self.with(|v| Ok(v.answer_review(id, &response)?))
    }

    pub fn review_queue(&self) -> Result<Vec<ReviewQueueItem>> {
        self.with(|v| {
            Ok(v.review_queue()?
                .into_iter()
                .map(ReviewQueueItem::from)
                .collect())
        })
    }

    pub fn change_requests(&self) -> Result<Vec<Review>> {
        self.with(|v| Ok(v.change_requests()?.into_iter().map(Review::from).collect()))
    }

    pub fn reviews_of(&self, target_id: String) -> Result<Vec<Review>> {
        let id = records::id(&target_id)?;
        self.with(|v| Ok(v.reviews_of(id)?.into_iter().map(Review::from).collect()))
    }

    // ---- sync and devices ----

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
                sent_ops: records::ms(r.sent_ops),
                received_ops: records::ms(r.received_ops),
                applied: records::ms(r.applied),
                rejected: r.rejected.len() as i64,
            })
        })
        .await
    }

    /// The sync status line: last successful sync and the changes waiting.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.with(|v| Ok(v.sync_status()?.into()))
    }

    /// A one-time enrolment code for a new tablet (counsellor, supervisor or admin).
    pub async fn invite(self: Arc<Self>, role: String, valid_hours: i32) -> Result<Invitation> {
        Background::spawn(move || {
            let role = core::Role::parse(&role).ok_or_else(|| KomoraError::Validation {
                field: "role".into(),
                reason: "use counsellor, supervisor or admin".into(),
            })?;
            let (i, link) = self.remote(|v, t| {
                let i = v.invite(
                    t,
                    role,
                    std::time::Duration::from_secs(valid_hours.clamp(1, 168) as u64 * 3600),
                )?;
                let link = v.sync_settings()?.enrolment_link(&i.code);
                Ok((i, link))
            })?;
            Ok(Invitation {
                link,
                code: i.code.clone(),
                role: i.role.as_str().into(),
                expires_at_ms: records::ms(i.expires_at_ms),
            })
        })
        .await
    }

    /// The team's devices (administrators and supervisors).
    pub async fn devices(self: Arc<Self>) -> Result<Vec<Device>> {
        Background::spawn(move || {
            let (devices, signed) = self.remote(|v, t| Ok((v.devices(t)?, v.team_devices())))?;
            Ok(devices
                .into_iter()
                .map(|d| {
                    let handed_back = signed
                        .iter()
                        .any(|s| s.id.as_bytes() == &d.id.0 && s.retired);
                    Device {
                        handed_back,
                        ..Device::from(d)
                    }
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
            Ok(records::ms(last))
        })
        .await
    }

    /// Revoke a lost or retired tablet (administrators): the server refuses it at once and the
    /// team moves to a new key it never receives.
    pub async fn revoke_device(self: Arc<Self>, device_id: String) -> Result<()> {
        Background::spawn(move || {
            let id: core::DeviceId = device_id.parse()?;
            self.remote(|v, t| v.revoke_device(t, id))
        })
        .await
    }

    /// Check the tablet's PIN (before joining another team with it). A wrong one counts
    /// toward the lock-out like one typed to unlock.
    pub async fn check_pin(self: Arc<Self>, pin: String) -> Result<()> {
        Background::spawn(move || self.with(|v| Ok(v.check_passphrase(&pin)?))).await
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

    /// The anonymous donor report as CSV (small numbers shown as `<5`).
    pub async fn report_csv(
        self: Arc<Self>,
        from: Option<String>,
        to: Option<String>,
    ) -> Result<String> {
        Background::spawn(move || {
            let opts = core::ReportOptions {
                from: records::date("from", from.as_deref())?,
                to: records::date("to", to.as_deref())?,
            };
            self.with(|v| Ok(v.report_csv(&opts)?))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 16, finding 16: the tests' cheap key derivation is not reachable from a device
    /// build (one without the `test-hooks` feature): a tablet's PIN always costs Argon2id at the
    /// standard cost.
    #[cfg(not(feature = "test-hooks"))]
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
