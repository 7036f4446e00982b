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
//! (`TransportError::Untrusted`, found in reqwest's error chain by `http.rs`) and is never
//! retried: trying again reaches the same impostor.

use std::sync::Arc;

use komora_protocol::pin::CertificatePin;
use ring::digest::{digest, SHA256};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};

use super::transport::TransportError;
use crate::error::{Error, Result};
use crate::vault::Vault;

/// The pin of a certificate's key, or `None` if it cannot be read as a certificate.
pub(crate) fn pin_of(cert: &CertificateDer<'_>) -> Option<CertificatePin> {
    let parsed = ParsedCertificate::try_from(cert).ok()?;
    let spki = parsed.subject_public_key_info();
    let hash: [u8; 32] = digest(&SHA256, spki.as_ref()).as_ref().try_into().ok()?;
    Some(CertificatePin::from_sha256(hash))
}

/// Trusts a server certificate if and only if its key has one of `pins` and the handshake is
/// signed by that key.
#[derive(Debug)]
pub(crate) struct PinnedKey {
    pins: Vec<CertificatePin>,
    provider: Arc<CryptoProvider>,
}

impl PinnedKey {
    fn holds(&self, cert: &CertificateDer<'_>) -> bool {
        pin_of(cert).is_some_and(|pin| self.pins.iter().any(|p| p.matches(&pin.0)))
    }
}

impl ServerCertVerifier for PinnedKey {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // Names and dates deliberately not checked: the pin is the identity (module doc).
        if self.holds(end_entity) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The TLS settings of a transport that trusts exactly `pins` (not empty).
pub(crate) fn pinned_config(pins: &[CertificatePin]) -> Result<ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = PinnedKey {
        pins: pins.to_vec(),
        provider: provider.clone(),
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(config)
}

/// Refuse, before any connection, an address a device never talks to (plain `http://` to
/// another machine).
pub(crate) fn check_server(url: &str) -> Result<()> {
    komora_protocol::server_url::check_server_url(url)
        .map_err(|problem| Error::from(TransportError::Address(problem)))
}

impl Vault {
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
