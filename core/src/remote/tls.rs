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

/// Accepts any certificate whose handshake its key signs, and records that key's pin: for a
/// tablet that no longer recognises its server, to fetch the signed pins it then checks.
#[derive(Debug)]
struct CapturingKey {
    seen: Arc<std::sync::Mutex<Option<CertificatePin>>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for CapturingKey {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let pin = pin_of(end_entity).ok_or(rustls::Error::InvalidCertificate(
            CertificateError::BadEncoding,
        ))?;
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(pin);
        Ok(ServerCertVerified::assertion())
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

/// The TLS settings of a capturing transport, and where the shown key's pin lands.
#[allow(clippy::type_complexity)]
/// The pin a capturing handshake saw (none until a handshake got that far).
pub(crate) type SeenPin = Arc<std::sync::Mutex<Option<CertificatePin>>>;

pub(crate) fn capturing_config() -> Result<(ClientConfig, SeenPin), rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let seen = Arc::new(std::sync::Mutex::new(None));
    let verifier = CapturingKey {
        seen: seen.clone(),
        provider: provider.clone(),
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok((config, seen))
}
