//! The TLS side of whom a device trusts (ADR 0014), built only with the core's `http`
//! feature: the certificate verifiers that hold a connection to the vault's pins, or to the
//! public roots. What is trusted, and why, is in `trust.rs`.

use std::sync::Arc;

use komora_protocol::pin::CertificatePin;
use ring::digest::{digest, SHA256};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};

/// The pin of a certificate's key, or `None` if it cannot be read as a certificate.
pub(crate) fn pin_of(cert: &CertificateDer<'_>) -> Option<CertificatePin> {
    let parsed = ParsedCertificate::try_from(cert).ok()?;
    let spki = parsed.subject_public_key_info();
    let hash: [u8; 32] = digest(&SHA256, spki.as_ref()).as_ref().try_into().ok()?;
    Some(CertificatePin::from_sha256(hash))
}

/// How a verifier judges the key a server shows.
#[derive(Debug)]
enum KeyCheck {
    /// Trusted if and only if the key has one of these pins.
    Pinned(Vec<CertificatePin>),
    /// Any key, its pin recorded: for a tablet that no longer recognises its server, to fetch
    /// the signed pins it then checks.
    Capture(SeenPin),
}

/// A server certificate verifier that judges only the key (`KeyCheck`) and checks that the
/// handshake is signed by it. Names and dates deliberately not checked: the pin is the
/// identity (module doc).
#[derive(Debug)]
struct KeyVerifier {
    check: KeyCheck,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for KeyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let pin = pin_of(end_entity);
        match &self.check {
            KeyCheck::Pinned(pins) => {
                if pin.is_some_and(|pin| pins.iter().any(|p| p.matches(&pin.0))) {
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(rustls::Error::InvalidCertificate(
                        CertificateError::ApplicationVerificationFailure,
                    ))
                }
            }
            KeyCheck::Capture(seen) => {
                let pin = pin.ok_or(rustls::Error::InvalidCertificate(
                    CertificateError::BadEncoding,
                ))?;
                *seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(pin);
                Ok(ServerCertVerified::assertion())
            }
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

/// TLS settings whose only judge of the server is `check`.
fn config_checking(check: KeyCheck) -> Result<ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = KeyVerifier {
        check,
        provider: provider.clone(),
    };
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// The TLS settings of a transport that trusts exactly `pins` (not empty).
pub(crate) fn pinned_config(pins: &[CertificatePin]) -> Result<ClientConfig, rustls::Error> {
    config_checking(KeyCheck::Pinned(pins.to_vec()))
}

/// The pin a capturing handshake saw (none until a handshake got that far).
pub(crate) type SeenPin = Arc<std::sync::Mutex<Option<CertificatePin>>>;

/// The TLS settings of a capturing transport, and where the shown key's pin lands.
pub(crate) fn capturing_config() -> Result<(ClientConfig, SeenPin), rustls::Error> {
    let seen: SeenPin = Arc::new(std::sync::Mutex::new(None));
    Ok((config_checking(KeyCheck::Capture(seen.clone()))?, seen))
}
