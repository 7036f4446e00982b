//! TLS served by the server itself (ADR 0014), so an NGO needs neither a domain name nor a
//! certificate authority to keep records off the network in the clear.
//!
//! - By default the server makes its own self-signed certificate and key on its first start
//!   (`tls-cert.pem`, `tls-key.pem` in the data folder; the key readable by its owner only) and
//!   uses them at every later start. Its *pin* (`sha256/...`, the SHA-256 of the certificate's
//!   SubjectPublicKeyInfo) is printed on every start; the enrolment link carries it to each
//!   tablet, which then trusts exactly that key for this server. Keep the key file: a server
//!   on a new key is refused by every tablet enrolled with the old one.
//! - `--tls-cert FILE --tls-key FILE` (PEM) serve the operator's own certificate; its pin is
//!   printed too (a certificate from a public authority also works without a pin).
//! - `--plain-http` serves plain HTTP for a reverse proxy (nginx, Caddy) that terminates TLS in
//!   front of it; tablets refuse plain HTTP to anything but their own machine.
//!
//! Handshakes run beside the accept loop, each bounded in time and counted against its
//! address's connections from the moment it is accepted (`connections.rs`, ADR 0027), so a
//! slow 2G handshake, or a stranger that never finishes one, holds up no one else.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::serve::ListenerExt;
use komora_protocol::pin::CertificatePin;
use ring::digest::{digest, SHA256};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::ParsedCertificate;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::config::Settings;
use crate::AppState;

/// The self-signed certificate and its key, in the data folder.
pub const OWN_CERT_FILE: &str = "tls-cert.pem";
pub const OWN_KEY_FILE: &str = "tls-key.pem";

/// How the server speaks to devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// TLS with the server's own self-signed certificate, kept in this folder.
    Own(PathBuf),
    /// TLS with the operator's certificate chain and key (PEM files).
    Operator { cert: PathBuf, key: PathBuf },
    /// Plain HTTP, behind a reverse proxy that terminates TLS.
    Plain,
}

impl Mode {
    /// The mode the settings ask for, or why they contradict each other.
    pub fn from_settings(settings: &Settings) -> Result<Self, String> {
        match (&settings.tls_cert, &settings.tls_key, settings.plain_http) {
            (Some(_), _, true) | (_, Some(_), true) => Err(
                "--plain-http serves no certificate: give either it or --tls-cert/--tls-key".into(),
            ),
            (Some(cert), Some(key), false) => Ok(Mode::Operator {
                cert: cert.clone(),
                key: key.clone(),
            }),
            (Some(_), None, _) | (None, Some(_), _) => {
                Err("give both --tls-cert and --tls-key (PEM files)".into())
            }
            (None, None, true) => Ok(Mode::Plain),
            (None, None, false) => Ok(Mode::Own(settings.data_dir())),
        }
    }

    /// The certificate to serve (made now if this server has none of its own yet), or `None`
    /// for plain HTTP.
    pub fn certificate(&self) -> Result<Option<ServerCertificate>, String> {
        match self {
            Mode::Own(dir) => own_certificate(dir).map(Some),
            Mode::Operator { cert, key } => ServerCertificate::load(cert, key).map(Some),
            Mode::Plain => Ok(None),
        }
    }
}

/// A certificate chain, its private key and the pin of its key.
pub struct ServerCertificate {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    pub pin: CertificatePin,
}

impl std::fmt::Debug for ServerCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServerCertificate({}, key [redacted])", self.pin)
    }
}

impl ServerCertificate {
    /// Read a PEM certificate chain (the server's first) and its PEM private key.
    pub fn load(cert: &Path, key: &Path) -> Result<Self, String> {
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("cannot read the certificate {}: {e}", cert.display()))?;
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| format!("cannot read the private key {}: {e}", key.display()))?;
        Self::new(chain, key).map_err(|e| format!("{}: {e}", cert.display()))
    }

    fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Self, String> {
        let first = chain.first().ok_or("no certificate in the file")?;
        let pin = pin_of(first)?;
        let made = Self { chain, key, pin };
        // Refuse now, with the file named, a key that does not belong to the certificate.
        made.acceptor()?;
        Ok(made)
    }

    /// What accepts TLS connections with this certificate (TLS 1.2 and 1.3, ring).
    pub fn acceptor(&self) -> Result<TlsAcceptor, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| format!("the key does not fit the certificate ({e})"))?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

/// The pin of a certificate's key: SHA-256 of its DER SubjectPublicKeyInfo.
pub fn pin_of(cert: &CertificateDer<'_>) -> Result<CertificatePin, String> {
    let parsed = ParsedCertificate::try_from(cert)
        .map_err(|e| format!("not a certificate a device can read ({e})"))?;
    let spki = parsed.subject_public_key_info();
    let hash = digest(&SHA256, spki.as_ref());
    Ok(CertificatePin::from_sha256(
        hash.as_ref().try_into().expect("SHA-256 is 32 bytes"),
    ))
}

/// This server's own certificate in `dir`: the one made at its first start, or a new one if
/// there is none yet. A certificate whose key is missing is an error, never silently replaced:
/// a new key locks out every tablet enrolled with the old pin.
pub fn own_certificate(dir: &Path) -> Result<ServerCertificate, String> {
    let (cert, key) = (dir.join(OWN_CERT_FILE), dir.join(OWN_KEY_FILE));
    if cert.exists() {
        if !key.exists() {
            return Err(format!(
                "{} is missing beside {}: restore it from a backup (a new key would lock out \
                 every enrolled tablet), or delete the certificate to make a new pair and \
                 re-enrol the tablets",
                key.display(),
                cert.display()
            ));
        }
        return ServerCertificate::load(&cert, &key);
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create {}: {}", dir.display(), e.kind()))?;
    let key_pair = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    let mut params = rcgen::CertificateParams::new(vec!["komora-sync-server".to_owned()])
        .map_err(|e| e.to_string())?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Komora sync server");
    // rcgen's default validity (1975 to 4096): tablets that pin the key ignore dates anyway,
    // and nothing here should expire under an NGO that cannot renew it.
    let made = params.self_signed(&key_pair).map_err(|e| e.to_string())?;
    let key_pem = zeroize::Zeroizing::new(key_pair.serialize_pem());
    // The key first: a certificate on disk always has its key beside it.
    write_file(&key, key_pem.as_bytes(), 0o600)?;
    write_file(&cert, made.pem().as_bytes(), 0o644)?;
    ServerCertificate::load(&cert, &key)
}

/// Write `bytes` to a new file at `path` through a temporary file and a rename, so a crash
/// leaves the old state or the whole file; with `mode` from the moment it exists.
fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), String> {
    use std::io::Write;
    let tmp = path.with_extension("pem.tmp");
    // A file left by a crash goes first: `mode` applies only to a file this call creates.
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let written = options.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    written
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("cannot write {}: {}", path.display(), e.kind()))
}

/// Serve TLS on `listener` until `stop` completes.
pub async fn serve_until(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    state: Arc<AppState>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    // Each handshake runs beside the accept loop, counted against its address's connections
    // and bounded in time (`connections.rs`).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let limits = state.connections.clone();
    crate::connections::serve(listener, crate::app(state), limits, Some(acceptor), stop).await
}

/// Serve TLS until the process is stopped (Ctrl-C or SIGTERM).
pub async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    state: Arc<AppState>,
) -> io::Result<()> {
    serve_until(listener, acceptor, state, crate::shutdown_signal()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_own_certificate_is_made_once_its_key_kept_private_and_a_lost_key_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let first = own_certificate(dir.path()).unwrap();
        let again = own_certificate(dir.path()).unwrap();
        assert_eq!(first.pin, again.pin, "the same key at every start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(OWN_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "the key is its owner's alone");
        }
        assert!(!format!("{first:?}").contains("PRIVATE"));

        std::fs::remove_file(dir.path().join(OWN_KEY_FILE)).unwrap();
        let err = own_certificate(dir.path()).unwrap_err();
        assert!(err.contains("restore it from a backup"), "{err}");
        assert!(!dir.path().join(OWN_KEY_FILE).exists(), "no new key made");
    }

    #[test]
    fn an_operator_key_that_does_not_fit_the_certificate_is_refused_with_the_file_named() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        own_certificate(&a).unwrap();
        own_certificate(&b).unwrap();
        let err =
            ServerCertificate::load(&a.join(OWN_CERT_FILE), &b.join(OWN_KEY_FILE)).unwrap_err();
        assert!(
            err.contains("does not fit") && err.contains(OWN_CERT_FILE),
            "{err}"
        );
        let err =
            ServerCertificate::load(&a.join(OWN_KEY_FILE), &a.join(OWN_KEY_FILE)).unwrap_err();
        assert!(err.contains("certificate"), "{err}");
    }
}
