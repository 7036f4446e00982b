//! Joining a team through the sync server.
//!
//! - **Bootstrap**: the first administrator's device uses the server's one-time code to create
//!   the first team; it generates the team keys.
//! - **Invite**: an administrator or supervisor makes a one-time code (20 characters, 100 bits).
//!   The server receives only `lookup = SHA-256(label || code)` and the team keys sealed under
//!   `HKDF-SHA256(code)`: it can neither read the keys nor learn the code, and the inviter need
//!   not be online when the tablet enrols.
//! - **Enrol**: the new tablet presents `lookup`, registers its identity, receives the sealed
//!   bundle and opens it with the code.
//!
//! The signed device list (ADR 0008) rides along: the code also yields an *invitation key*
//! (HKDF again); the inviter signs an `Invite` statement naming its public half, and the new
//! tablet signs its `Member` statement (its id and public keys) with it. The bundle tells the
//! tablet the team's root of trust, so it can check the list the server hands out.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use komora_protocol::pin::CertificatePin;
use komora_protocol::roster::Statement;
use komora_protocol::{
    code, BootstrapRequest, Bytes, DeviceInfo, DeviceRegistration, EnrollRequest, Id16,
    InviteRequest, Role,
};
use ring::digest::{digest, SHA256};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::transport::Transport;
use super::{Session, SyncOptions, SyncSettings};
use crate::crypto::{hkdf32, random_array, SecretKey};
use crate::error::{Error, Result};
use crate::roster;
use crate::store::EpochKey;
use crate::vault::{DeviceIdentity, TeamKeys, Vault, VaultOptions};

const LOOKUP_LABEL: &[u8] = b"komora/invite-lookup/v1\0";
const WRAP_SALT: &[u8] = b"komora/invite-wrap/v1";
const BUNDLE_AAD: &str = "komora/invite-bundle/v1";
const INVITE_SIGN_SALT: &[u8] = b"komora/invite-sign/v1";

/// A one-time enrolment code to hand to a new tablet (as text or QR).
#[derive(Clone)]
pub struct Invitation {
    pub code: String,
    pub role: Role,
    pub expires_at_ms: u64,
}

impl fmt::Debug for Invitation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Invitation([redacted], {:?}, expires {})",
            self.role, self.expires_at_ms
        )
    }
}

/// What a new device receives, sealed under the code.
#[derive(Serialize, Deserialize)]
struct Bundle {
    team_id: Id16,
    team_name: String,
    org_name: String,
    /// Each epoch's key, tagged (case-work, team only, legacy: `EpochKey::tagged`).
    keys: Vec<(u32, u8, [u8; 32])>,
    /// The team's root of trust: the founding administrator's device and signing key.
    root: (Id16, [u8; 32]),
}

impl Drop for Bundle {
    fn drop(&mut self) {
        for (_, _, k) in &mut self.keys {
            k.zeroize();
        }
    }
}

struct CodeKeys {
    lookup: [u8; 32],
    wrap: SecretKey,
    /// Signs the new device's member statement; its public half is in the inviter's statement.
    invite: ed25519_dalek::SigningKey,
}

fn code_keys(typed: &str) -> Result<CodeKeys> {
    let canonical = Zeroizing::new(code::normalise(typed).ok_or(Error::InvalidCode)?);
    let mut input = LOOKUP_LABEL.to_vec();
    input.extend_from_slice(canonical.as_bytes());
    let lookup: [u8; 32] = digest(&SHA256, &input)
        .as_ref()
        .try_into()
        .expect("32 bytes");
    let wrap = SecretKey::from_bytes(*hkdf32(WRAP_SALT, canonical.as_bytes(), b"wrap"));
    let seed = hkdf32(INVITE_SIGN_SALT, canonical.as_bytes(), b"sign");
    let invite = ed25519_dalek::SigningKey::from_bytes(&seed);
    Ok(CodeKeys {
        lookup,
        wrap,
        invite,
    })
}

fn pk32(bytes: &[u8]) -> Result<[u8; 32]> {
    bytes.try_into().map_err(|_| Error::Corrupted {
        what: "the device identity",
    })
}

fn registration(identity: &DeviceIdentity) -> DeviceRegistration {
    DeviceRegistration {
        device_id: Id16(*identity.id.as_bytes()),
        sign_pk: Bytes(identity.public_key()),
        kx_pk: Bytes(super::keys::kx_public(&identity.pkcs8).to_vec()),
    }
}

/// The first device of a new team: its identity, the team's id and the genesis of the team's
/// device list, signed by that identity.
struct Founder {
    identity: DeviceIdentity,
    team_id: Id16,
    device: DeviceRegistration,
    sign_pk: [u8; 32],
    genesis: Bytes,
}

impl Founder {
    fn new() -> Result<Self> {
        let identity = DeviceIdentity::generate();
        let team_id = Id16(random_array());
        let device = registration(&identity);
        let sign_pk = pk32(&device.sign_pk.0)?;
        let genesis = roster::sign(
            &crate::roster::signer_from_pkcs8(&identity.pkcs8)?,
            &Statement::Genesis {
                team: team_id,
                device: device.device_id,
                sign_pk,
                kx_pk: pk32(&device.kx_pk.0)?,
            },
        );
        Ok(Self {
            identity,
            team_id,
            device,
            sign_pk,
            genesis,
        })
    }

    /// The founder's vault, once the server registered the team: new team keys, the list's
    /// genesis, the administrator's role.
    #[allow(clippy::too_many_arguments)]
    fn vault(
        self,
        dir: &Path,
        passphrase: &str,
        server_url: &str,
        server_pins: &[CertificatePin],
        org_name: &str,
        team_name: &str,
        opts: VaultOptions,
    ) -> Result<Vault> {
        let mut vault =
            Vault::create_with(dir, passphrase, &TeamKeys::generate(), &self.identity, opts)?;
        vault.keep_roster(
            self.team_id,
            (self.device.device_id, self.sign_pk),
            vec![self.genesis.0],
        )?;
        vault.save_sync_settings(&SyncSettings {
            server_url: server_url.to_owned(),
            team_id: self.team_id,
            team_name: team_name.trim().to_owned(),
            org_name: org_name.trim().to_owned(),
            role: Role::Admin,
            server_pins: server_pins.to_vec(),
        })?;
        Ok(vault)
    }
}

impl Vault {
    /// Create the vault of the organisation's first administrator device, using the code the
    /// server printed at its first start.
    #[allow(clippy::too_many_arguments)]
    pub fn bootstrap(
        dir: impl AsRef<Path>,
        passphrase: &str,
        transport: &mut dyn Transport,
        server_url: &str,
        code: &str,
        org_name: &str,
        team_name: &str,
        opts: VaultOptions,
    ) -> Result<Vault> {
        let dir = dir.as_ref();
        Vault::check_new(dir, passphrase, &opts)?;
        check_name("org", org_name)?;
        check_name("team", team_name)?;
        super::trust::check_server(server_url)?;
        let pins = transport.pins().to_vec();
        let founder = Founder::new()?;
        let req = BootstrapRequest {
            code: code.to_owned(),
            team_id: founder.team_id,
            device: founder.device.clone(),
            genesis: founder.genesis.clone(),
        };
        Session::new(transport, SyncOptions::default()).call_anonymous(|t| t.bootstrap(&req))?;
        let mut vault = founder.vault(
            dir, passphrase, server_url, &pins, org_name, team_name, opts,
        )?;
        vault.found_at_app_format(transport)?;
        Ok(vault)
    }

    /// Create another team of the organisation, from this administrator's tablet (ADR 0011):
    /// a new vault in `dir` (one per team on a tablet), with its own device identity, new team
    /// keys and a device list founded by that identity. The server learns the team's id,
    /// never its name. The new vault opens with `passphrase` (the tablet's PIN, normally).
    pub fn create_team(
        &mut self,
        transport: &mut dyn Transport,
        dir: impl AsRef<Path>,
        passphrase: &str,
        team_name: &str,
        opts: VaultOptions,
    ) -> Result<Vault> {
        let answer = self.create_team_steps(transport, dir.as_ref(), passphrase, team_name, opts);
        self.end_if_revoked(answer)
    }

    fn create_team_steps(
        &mut self,
        transport: &mut dyn Transport,
        dir: &Path,
        passphrase: &str,
        team_name: &str,
        opts: VaultOptions,
    ) -> Result<Vault> {
        let settings = self.sync_settings()?;
        if settings.role != Role::Admin {
            return Err(Error::Forbidden("only administrators create teams".into()));
        }
        Vault::check_new(dir, passphrase, &opts)?;
        check_name("team", team_name)?;
        if team_name
            .trim()
            .eq_ignore_ascii_case(settings.team_name.trim())
        {
            return Err(Error::validation(
                "team",
                "this is the name of this tablet's team already",
            ));
        }
        let founder = Founder::new()?;
        let req = komora_protocol::CreateTeamRequest {
            team_id: founder.team_id,
            device: founder.device.clone(),
            genesis: founder.genesis.clone(),
        };
        Session::new(transport, SyncOptions::default())
            .call(self, |t, token| t.create_team(token, &req))?;
        let mut vault = founder.vault(
            dir,
            passphrase,
            &settings.server_url,
            &settings.server_pins,
            &settings.org_name,
            team_name,
            opts,
        )?;
        vault.found_at_app_format(transport)?;
        Ok(vault)
    }

    /// Create the vault of a new device from an enrolment code.
    pub fn enroll(
        dir: impl AsRef<Path>,
        passphrase: &str,
        transport: &mut dyn Transport,
        server_url: &str,
        code: &str,
        opts: VaultOptions,
    ) -> Result<Vault> {
        let dir = dir.as_ref();
        Vault::check_new(dir, passphrase, &opts)?;
        super::trust::check_server(server_url)?;
        let keys = code_keys(code)?;
        let identity = DeviceIdentity::generate();
        let device = registration(&identity);
        // Team and role are the invitation's, which the invitation key binds.
        let member = roster::sign(
            &keys.invite,
            &Statement::Member {
                invite_pk: keys.invite.verifying_key().to_bytes(),
                device: device.device_id,
                sign_pk: pk32(&device.sign_pk.0)?,
                kx_pk: pk32(&device.kx_pk.0)?,
            },
        );
        let req = EnrollRequest {
            lookup: Bytes(keys.lookup.to_vec()),
            device,
            member,
        };
        let resp =
            Session::new(transport, SyncOptions::default()).call_anonymous(|t| t.enroll(&req))?;
        let plain = keys
            .wrap
            .open(
                &crate::crypto::aad(BUNDLE_AAD, &[&keys.lookup]),
                &resp.sealed_bundle.0,
            )
            .ok_or(Error::InvalidCode)?;
        let bundle: Bundle = postcard::from_bytes(&plain).map_err(|_| Error::Corrupted {
            what: "the enrolment bundle",
        })?;
        if bundle.team_id != resp.team_id || bundle.keys.is_empty() {
            return Err(Error::Corrupted {
                what: "the enrolment bundle",
            });
        }
        let team = TeamKeys {
            keys: bundle
                .keys
                .iter()
                .map(|(e, tag, k)| EpochKey::from_tagged(*tag, *k).map(|k| (*e, k)))
                .collect::<Option<_>>()
                .ok_or(Error::Corrupted {
                    what: "the enrolment bundle",
                })?,
        };
        let mut vault = Vault::create_with(dir, passphrase, &team, &identity, opts)?;
        vault.save_sync_settings(&SyncSettings {
            server_url: server_url.to_owned(),
            team_id: bundle.team_id,
            team_name: bundle.team_name.clone(),
            org_name: bundle.org_name.clone(),
            role: resp.role,
            // The keys this enrolment was checked against, and no others.
            server_pins: transport.pins().to_vec(),
        })?;
        vault.keep_roster(bundle.team_id, bundle.root, Vec::new())?;
        // A new tablet has no memory of the date yet: the server's tells a clock that fell back.
        // Advisory: a refusal to keep it (a full disk) does not stop the enrolment.
        if let Some(ms) = transport.server_time_ms() {
            let _ = vault.note_server_time(ms);
        }
        // Fetch the device list now, so operations can be checked from the first one on; if
        // the network drops here, the first sync does it.
        let mut session = Session::new(transport, SyncOptions::default());
        match vault.refresh_roster(&mut session, true) {
            Ok(()) | Err(Error::Network(_)) => Ok(vault),
            Err(e) => Err(e),
        }
    }

    /// Make a one-time enrolment code for a new device of `role`, valid for `valid_for`.
    pub fn invite(
        &mut self,
        transport: &mut dyn Transport,
        role: Role,
        valid_for: Duration,
    ) -> Result<Invitation> {
        let answer = self.invite_steps(transport, role, valid_for);
        self.end_if_revoked(answer)
    }

    fn invite_steps(
        &mut self,
        transport: &mut dyn Transport,
        role: Role,
        valid_for: Duration,
    ) -> Result<Invitation> {
        let settings = self.sync_settings()?;
        if !settings.role.may_invite(role) {
            return Err(Error::Forbidden(format!(
                "a {} cannot invite a {}",
                settings.role.as_str(),
                role.as_str()
            )));
        }
        // An invitation admits a device in the team's current key epoch: be on it first.
        let mut session = Session::new(transport, SyncOptions::default());
        self.refresh_team_keys(&mut session, false)?;
        let code = code::format(random_array());
        let keys = code_keys(&code)?;
        let root = self
            .store
            .roster
            .as_ref()
            .map(|r| r.root())
            .ok_or(Error::Tampered {
                what: "no device list for this team (sync once, then invite)",
            })?;
        let invite = roster::sign(
            self.store.signer(),
            &Statement::Invite {
                team: settings.team_id,
                issuer: Id16(*self.device_id().as_bytes()),
                invite_pk: keys.invite.verifying_key().to_bytes(),
                role,
                epoch: self.store.keyring().current_epoch(),
            },
        );
        let mut given = self.team_keys();
        if role == Role::DataOfficer {
            // The team keys alone: a data officer's tablet never opens a name or a note.
            given = given.for_data_officer();
            if given.current_epoch() != self.store.keyring().current_epoch() {
                return Err(Error::Forbidden(
                    "this team's keys were made before data officers existed: revoke a device \
                     (which makes new keys), then invite the data officer"
                        .into(),
                ));
            }
        }
        let bundle = Bundle {
            root,
            team_id: settings.team_id,
            team_name: settings.team_name,
            org_name: settings.org_name,
            keys: given
                .keys
                .iter()
                .map(|(e, k)| {
                    let (tag, key) = k.tagged();
                    (*e, tag, key)
                })
                .collect(),
        };
        let plain =
            Zeroizing::new(postcard::to_allocvec(&bundle).expect("bundles always serialise"));
        let sealed = keys
            .wrap
            .seal(&crate::crypto::aad(BUNDLE_AAD, &[&keys.lookup]), &plain);
        let req = InviteRequest {
            role,
            lookup: Bytes(keys.lookup.to_vec()),
            expires_in_s: valid_for.as_secs(),
            sealed_bundle: Bytes(sealed),
            invite,
        };
        let resp = session.call(self, |t, token| t.invite(token, &req))?;
        Ok(Invitation {
            code,
            role,
            expires_at_ms: resp.expires_at_ms,
        })
    }

    /// The devices of this device's team (administrators and supervisors).
    pub fn devices(&mut self, transport: &mut dyn Transport) -> Result<Vec<DeviceInfo>> {
        self.sync_settings()?;
        let answer = Session::new(transport, SyncOptions::default())
            .call(&*self, |t, token| t.devices(token));
        self.end_if_revoked(answer)
    }
}

fn check_name(field: &'static str, name: &str) -> Result<()> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 80 || n.chars().any(char::is_control) {
        return Err(Error::validation(
            field,
            "give a name of 1 to 80 characters",
        ));
    }
    Ok(())
}
