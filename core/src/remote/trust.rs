//! Whom a device trusts to be its sync server (ADR 0014).
//!
//! - **Pinned**: the enrolment link carried the pin of the server's key (`sha256/...`, the
//!   SHA-256 of its SubjectPublicKeyInfo). The device then trusts exactly a certificate whose
//!   key has one of the vault's pins, and nothing else: no certificate authority takes part, so
//!   an NGO's server needs no domain name and no public certificate. The certificate's names
//!   and dates are not looked at (a cheap tablet's clock is often years off; a key that
//!   matches the pin is the server, whatever its certificate says), but the handshake's
//!   signature is checked as always, so only the holder of the pinned key gets through.
//! - **Public roots**: no pin (a server with a certificate from a public authority). The
//!   certificate is checked as browsers do, against the Mozilla root list compiled into the
//!   app (`webpki-roots`, what reqwest's `rustls-tls` uses): the same on every Android version
//!   and on the command line, and testable here. `rustls-platform-verifier` was not taken: on
//!   Android it needs JNI set-up from the app's Kotlin and an extra Android library, none of
//!   which can be built or tested on this project's machines (ADR 0014).
//!
//! A refused certificate (pinned or not) is told apart from a network failure
//! (`TransportError::Untrusted`, found in reqwest's error chain by `http.rs`; the verifiers
//! are in `tls.rs`) and is never
//! retried: trying again reaches the same impostor.

use komora_protocol::pin::CertificatePin;

use super::transport::TransportError;
use crate::error::{Error, Result};
use crate::vault::Vault;

/// Refuse, before any connection, an address a device never talks to (plain `http://` to
/// another machine).
pub(crate) fn check_server(url: &str) -> Result<()> {
    komora_protocol::server_url::check_server_url(url)
        .map_err(|problem| Error::from(TransportError::Address(problem)))
}

impl Vault {
    /// Trust the server keys an administrator signed last in the team's list, if they differ
    /// from the vault's (a rollover announced ahead of time, a rebuilt server). Returns whether
    /// the pins changed. A vault enrolled without pins (a server with a public certificate)
    /// takes them too: an administrator chose them.
    pub(crate) fn adopt_signed_pins(&mut self) -> Result<bool> {
        let Some((_, pins)) = self
            .store
            .roster
            .as_ref()
            .and_then(|r| r.server_pins())
            .cloned()
        else {
            return Ok(false);
        };
        let pins: Vec<CertificatePin> = pins.iter().filter_map(|p| p.parse().ok()).collect();
        if pins.is_empty() || self.sync_settings()?.server_pins == pins {
            return Ok(false);
        }
        self.replace_server_pins(pins)?;
        Ok(true)
    }

    /// The server shows a key this vault does not trust. Ask it (accepting its key for this
    /// one question, no login, nothing sent) for the administrator-signed statements of its
    /// pins; trust the new key only if a statement checked from this vault's own root of trust
    /// names it, and is newer than any this vault holds. Returns whether the vault now trusts
    /// the server (then sync again). An impostor gets nothing: it cannot sign for a key.
    #[cfg(feature = "http")]
    pub fn recover_server_pins(&mut self) -> Result<bool> {
        let settings = self.sync_settings()?;
        let (mut t, seen) = super::http::HttpTransport::capturing(&settings.server_url)?;
        let answer = super::transport::Transport::server_pins(&mut t, &settings.team_id)?;
        let shown = *seen.lock().unwrap_or_else(|p| p.into_inner());
        let Some(shown) = shown else {
            return Ok(false);
        };
        let held_serial = self
            .store
            .roster
            .as_ref()
            .and_then(|r| r.server_pins())
            .map(|(s, _)| *s);
        let statements: Vec<Vec<u8>> = answer.statements.into_iter().map(|b| b.0).collect();
        let Some(wider) = self.roster_with(statements.clone())? else {
            return Ok(false);
        };
        let Some((serial, pins)) = wider.server_pins().cloned() else {
            return Ok(false);
        };
        if held_serial.is_some_and(|h| serial < h) || !pins.iter().any(|p| p == &shown.to_string())
        {
            return Ok(false);
        }
        // Keep the statement with the list, then trust what it names.
        let mut kept = self.roster_statements()?;
        for s in statements {
            if !kept.contains(&s) {
                kept.push(s);
            }
        }
        self.keep_roster_statements(kept)?;
        self.adopt_signed_pins()
    }

    /// Replace the pins this vault trusts for its server (all of them at once). The one place
    /// the pin list changes after enrolment: a signed announcement of the server's next key,
    /// or of a rebuilt server's new one, is checked elsewhere and then lands here.
    pub fn replace_server_pins(&mut self, pins: Vec<CertificatePin>) -> Result<()> {
        let mut settings = self.sync_settings()?;
        // No pin would quietly hand the decision to the public authorities; more than a link
        // carries is not a server's key and its successor.
        if pins.is_empty() || pins.len() > komora_protocol::code::MAX_LINK_PINS {
            return Err(Error::validation("pins", "give 1 to 4 pins for the server"));
        }
        settings.server_pins = pins;
        self.save_sync_settings(&settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::transport::Transport;
    use crate::remote::SyncSettings;
    use crate::{KdfParams, VaultOptions};
    use komora_protocol::{Id16, Role};

    fn settings(pins: Vec<CertificatePin>) -> SyncSettings {
        SyncSettings {
            server_url: "https://10.0.0.5:8787".into(),
            team_id: Id16([3; 16]),
            team_name: "Huye".into(),
            org_name: "AMI".into(),
            role: Role::Counsellor,
            server_pins: pins,
        }
    }

    #[test]
    fn a_vault_enrolled_before_pins_reads_its_settings_as_trusting_the_public_authorities() {
        let mut old = serde_json::to_value(settings(Vec::new())).unwrap();
        old.as_object_mut().unwrap().remove("server_pins");
        let read: SyncSettings = serde_json::from_value(old).unwrap();
        assert_eq!(read, settings(Vec::new()));
    }

    #[test]
    fn a_vaults_pins_are_replaced_whole_by_one_call_never_emptied_and_kept_across_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let opts = || VaultOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
            ..VaultOptions::default()
        };
        let (a, b) = (
            CertificatePin::from_sha256([0xA; 32]),
            CertificatePin::from_sha256([0xB; 32]),
        );
        let mut vault = Vault::create(dir.path(), "field passphrase", opts()).unwrap();
        assert!(matches!(
            vault.replace_server_pins(vec![a]),
            Err(Error::NotEnrolled)
        ));
        vault.save_sync_settings(&settings(vec![a])).unwrap();
        vault.replace_server_pins(vec![b]).unwrap();
        assert!(matches!(
            vault.replace_server_pins(Vec::new()),
            Err(Error::Validation { .. })
        ));
        drop(vault);
        let vault = Vault::open(dir.path(), "field passphrase", opts()).unwrap();
        let kept = vault.sync_settings().unwrap();
        assert_eq!(kept.server_pins, [b]);
        assert_eq!(
            kept.transport().unwrap().pins(),
            [b],
            "and its connections trust it"
        );
    }
}
