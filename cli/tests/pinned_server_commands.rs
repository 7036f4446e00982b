//! The `komora` command against a server that serves TLS with its own certificate (ADR 0014,
//! finding 12 of issue 16): the administrator bootstraps with the pin the server printed, the
//! invitation's link carries it, a tablet enrols with it, and nothing else is trusted.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use komora_sync_server::db::sqlite::SqliteDb;
use komora_sync_server::{tls, AppState};
use serde_json::Value;

/// The production router serving TLS with its own certificate on a loopback port.
struct TlsServer {
    url: String,
    pin: String,
    bootstrap_code: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TlsServer {
    fn start(data: &Path) -> Self {
        std::fs::create_dir_all(data).unwrap();
        let db = Arc::new(SqliteDb::open(&data.join("komora-sync.db")).unwrap());
        let bootstrap_code =
            komora_sync_server::db::wait(komora_sync_server::prepare_bootstrap(db.as_ref()))
                .unwrap()
                .unwrap()
                .unwrap();
        let certificate = tls::own_certificate(data).unwrap();
        let acceptor = certificate.acceptor().unwrap();
        let state = AppState::new(db, komora_scenarios::server::test_limits());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                tls::serve_until(listener, acceptor, state, async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
            });
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
        });
        Self {
            url: format!("https://{addr}"),
            pin: certificate.pin.to_string(),
            bootstrap_code,
            stop: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn komora(vault: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_komora"))
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env("KOMORA_PASSPHRASE", "ikawa field notes 2026")
        .output()
        .unwrap()
}

fn json(vault: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = komora(vault, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn link_pins(invite: &Value) -> Vec<String> {
    komora_protocol::code::parse_enrolment_link(invite["link"].as_str().unwrap())
        .expect("the invitation's link parses")
        .pins
        .iter()
        .map(|p| p.to_string())
        .collect()
}

#[test]
fn bootstrap_with_the_printed_pin_invite_with_it_in_the_link_and_enrol_a_tablet_from_the_command_line(
) {
    let dir = tempfile::tempdir().unwrap();
    let server = TlsServer::start(&dir.path().join("server"));
    let (admin, tablet) = (dir.path().join("admin"), dir.path().join("tablet"));
    let bootstrap = |pin: &str| {
        komora(
            &admin,
            &[
                "--json",
                "admin",
                "bootstrap",
                "--server",
                &server.url,
                "--code",
                &server.bootstrap_code,
                "--org",
                "AMI",
                "--team",
                "Huye",
                "--pin",
                pin,
            ],
        )
    };

    // A pin that is not one, then the pin of another key: refused, nothing made, code unspent.
    let typo = bootstrap("sha256/not-a-pin");
    assert_eq!(typo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("--pin"));
    let other = komora_protocol::pin::CertificatePin::from_sha256([7; 32]).to_string();
    let impostor = bootstrap(&other);
    assert_eq!(impostor.status.code(), Some(5));
    assert!(
        String::from_utf8_lossy(&impostor.stderr).contains("it may be an impostor"),
        "{}",
        String::from_utf8_lossy(&impostor.stderr)
    );
    assert!(!admin.join("vault.json").exists(), "no vault made");

    let joined = bootstrap(&server.pin);
    assert!(
        joined.status.success(),
        "{}",
        String::from_utf8_lossy(&joined.stderr)
    );

    let invite = json(&admin, &["device", "invite", "--role", "counsellor"]);
    assert_eq!(
        link_pins(&invite),
        std::slice::from_ref(&server.pin),
        "the QR code carries the pin"
    );
    let shown = komora(&admin, &["device", "invite", "--role", "counsellor"]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("&pin=sha256%2F"));

    // Without the pin, the tablet trusts only the public authorities, which know nothing of
    // this server's own certificate: refused as untrusted (not a network blip to retry).
    let code = invite["code"].as_str().unwrap();
    let unpinned = komora(
        &tablet,
        &["enroll", "--server", &server.url, "--code", code],
    );
    assert_eq!(unpinned.status.code(), Some(5));
    let joined = json(
        &tablet,
        &[
            "enroll",
            "--server",
            &server.url,
            "--code",
            code,
            "--pin",
            &server.pin,
        ],
    );
    assert_eq!(joined["role"], "counsellor");
    json(
        &tablet,
        &[
            "client",
            "add",
            "--name",
            "Uwimana Grace",
            "--district",
            "Huye",
        ],
    );
    json(&tablet, &["sync"]);
    json(&admin, &["sync"]);
    assert_eq!(
        json(&admin, &["client", "list"]).as_array().unwrap().len(),
        1
    );

    // A team the administrator creates trusts the same key, and says so in its invitations.
    json(&admin, &["team", "create", "Nyanza"]);
    let invite = json(
        &admin,
        &[
            "device",
            "invite",
            "--role",
            "counsellor",
            "--team",
            "Nyanza",
        ],
    );
    assert_eq!(link_pins(&invite), std::slice::from_ref(&server.pin));
    json(&admin.join("teams").join("nyanza"), &["sync"]);
}

#[test]
fn the_command_line_refuses_plain_http_to_another_machine_before_any_connection() {
    let dir = tempfile::tempdir().unwrap();
    let tablet = dir.path().join("tablet");
    // A name under `.invalid` never resolves: a network error would mean something was tried.
    let out = komora(
        &tablet,
        &[
            "enroll",
            "--server",
            "http://komora-sync.invalid:8787",
            "--code",
            "7K3MQ-9XD2H-PAVW4-E8TRC",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "plain http:// is refused: records would cross the network readable; use https://"
        ),
        "{err}"
    );
    assert!(!tablet.join("vault.json").exists());
}
