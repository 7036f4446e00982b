//! Joining a team: a tablet enrolled with a code (or setting up the organisation on a new
//! server), the enrolment QR code's link, and the invitation that gives a new tablet its code.

use std::path::PathBuf;
use std::sync::Arc;

use komora_core as core;

use crate::convert::ms;
use crate::error::{KomoraError, Result};
use crate::task::Background;
use crate::vault::{options, KdfStrength, KomoraVault, PlatformKey};

redacted_debug!(Invitation);

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

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Invitation {
    /// The one-time code to give the new device (20 characters).
    pub code: String,
    /// The enrolment QR code's text: this server, the code and the pin of the server's key.
    pub link: String,
    pub role: String,
    pub expires_at_ms: i64,
}

#[uniffi::export]
impl KomoraVault {
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
                expires_at_ms: ms(i.expires_at_ms),
            })
        })
        .await
    }
}
