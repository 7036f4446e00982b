//! Finding 12 of the security review (issue 16): devices accepted plain HTTP, and a server
//! without a domain name had no way to TLS. Here the real `komora-sync-server` binary serves
//! TLS on loopback with the certificate it made itself, and real vaults enrol and sync with the
//! pin it printed, as an NGO without a domain name would run it (ADR 0014).

mod server_process;

use std::path::{Path, PathBuf};
use std::time::Duration;

use komora_core::{
    parse_enrolment_link, CertificatePin, Error, HttpTransport, KdfParams, NewClient, Role,
    SyncOptions, Transport, TransportError, Vault, VaultOptions,
};
use server_process::{run, start, start_on, Running};

const PASS: &str = "field passphrase";

fn opts() -> VaultOptions {
    VaultOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        ..VaultOptions::default()
    }
}

fn pin_of(server: &Running) -> CertificatePin {
    server
        .pin
        .as_deref()
        .expect("a TLS server prints its pin")
        .parse()
        .unwrap()
}

fn add(v: &mut Vault, name: &str) {
    v.add_client(&NewClient {
        name: name.into(),
        ..Default::default()
    })
    .unwrap();
}

fn sync(v: &mut Vault) -> komora_core::Result<komora_core::SyncReport> {
    let mut t = v.sync_settings()?.transport()?;
    v.sync(&mut t, &SyncOptions::default(), &mut |_| {})
}

/// A certificate for `key`, valid from `from` to `until` (years), written as PEM to `path`.
fn certificate(key: &rcgen::KeyPair, from: i32, until: i32, path: &Path) -> PathBuf {
    let mut params = rcgen::CertificateParams::new(vec!["komora-sync-server".to_owned()]).unwrap();
    params.not_before = rcgen::date_time_ymd(from, 1, 1);
    params.not_after = rcgen::date_time_ymd(until, 1, 1);
    std::fs::write(path, params.self_signed(key).unwrap().pem()).unwrap();
    path.to_owned()
}

fn key_file(key: &rcgen::KeyPair, path: &Path) -> PathBuf {
    std::fs::write(path, key.serialize_pem()).unwrap();
    path.to_owned()
}

/// Counts the calls that reach the network, to show what was (not) tried.
struct Counting {
    inner: HttpTransport,
    calls: usize,
}

mod counting {
    use komora_core::{CertificatePin, Transport, TransportError};
    use komora_protocol::*;

    type Reply<T> = Result<T, TransportError>;

    impl Transport for super::Counting {
        fn pins(&self) -> &[CertificatePin] {
            self.inner.pins()
        }
        fn bootstrap(&mut self, req: &BootstrapRequest) -> Reply<RegisteredResponse> {
            self.calls += 1;
            self.inner.bootstrap(req)
        }
        fn challenge(&mut self, req: &ChallengeRequest) -> Reply<ChallengeResponse> {
            self.calls += 1;
            self.inner.challenge(req)
        }
        fn token(&mut self, req: &TokenRequest) -> Reply<TokenResponse> {
            self.calls += 1;
            self.inner.token(req)
        }
        fn invite(&mut self, token: &str, req: &InviteRequest) -> Reply<InviteResponse> {
            self.calls += 1;
            self.inner.invite(token, req)
        }
        fn enroll(&mut self, req: &EnrollRequest) -> Reply<EnrollResponse> {
            self.calls += 1;
            self.inner.enroll(req)
        }
        fn push(
            &mut self,
            token: &str,
            batch: &komora_protocol::PushBatchV2,
        ) -> Reply<PushResponse> {
            self.calls += 1;
            self.inner.push(token, batch)
        }
        fn pull(
            &mut self,
            token: &str,
            after: u64,
            max_bytes: u32,
            at: Option<komora_protocol::Id16>,
        ) -> Reply<PullPage> {
            self.calls += 1;
            self.inner.pull(token, after, max_bytes, at)
        }
        fn rejoin(&mut self, req: &RejoinRequest) -> Reply<RejoinResponse> {
            self.calls += 1;
            self.inner.rejoin(req)
        }
        fn devices(&mut self, token: &str) -> Reply<Vec<DeviceInfo>> {
            self.calls += 1;
            self.inner.devices(token)
        }
        fn revoke(&mut self, token: &str, device: &Id16, req: &RevokeRequest) -> Reply<()> {
            self.calls += 1;
            self.inner.revoke(token, device, req)
        }
        fn keys(&mut self, token: &str, after_epoch: u32) -> Reply<KeyGrantsResponse> {
            self.calls += 1;
            self.inner.keys(token, after_epoch)
        }
        fn roster(&mut self, token: &str, after: u32) -> Reply<roster::RosterResponse> {
            self.calls += 1;
            self.inner.roster(token, after)
        }
        fn erase(&mut self, token: &str, req: &EraseRequest) -> Reply<EraseResponse> {
            self.calls += 1;
            self.inner.erase(token, req)
        }
        fn create_team(
            &mut self,
            token: &str,
            req: &CreateTeamRequest,
        ) -> Reply<RegisteredResponse> {
            self.calls += 1;
            self.inner.create_team(token, req)
        }
        fn revocation_proof(
            &mut self,
            req: &RevocationProofRequest,
        ) -> Reply<komora_protocol::roster::RosterResponse> {
            self.calls += 1;
            self.inner.revocation_proof(req)
        }
        fn retire(&mut self, token: &str, req: &RetireRequest) -> Reply<()> {
            self.calls += 1;
            self.inner.retire(token, req)
        }
        fn reconcile(
            &mut self,
            token: &str,
            req: &komora_protocol::ReconcileRequest,
        ) -> Result<komora_protocol::ReconcileResponse, komora_core::TransportError> {
            self.calls += 1;
            self.inner.reconcile(token, req)
        }
        fn roster_append(
            &mut self,
            token: &str,
            req: &komora_protocol::RosterAppend,
        ) -> Result<(), komora_core::TransportError> {
            self.calls += 1;
            self.inner.roster_append(token, req)
        }
        fn upload_grants(
            &mut self,
            token: &str,
            req: &komora_protocol::GrantsUpload,
        ) -> Result<(), komora_core::TransportError> {
            self.calls += 1;
            self.inner.upload_grants(token, req)
        }
    }
}

#[test]
fn a_tablet_enrols_from_the_qr_code_with_the_servers_pin_syncs_over_tls_and_an_impostor_on_the_same_address_gets_nothing(
) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let data_arg = data.to_str().unwrap();

    // One command on an empty folder: TLS with a certificate of its own, its pin on a line.
    let server = start(&["--data", data_arg]);
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    for prefix in ["bootstrap code: ", "certificate pin: ", "listening on "] {
        assert_eq!(
            server
                .lines
                .iter()
                .filter(|l| l.starts_with(prefix))
                .count(),
            1,
            "{:?}",
            server.lines
        );
    }
    let pin = pin_of(&server);
    let printed = run(&["--data", data_arg, "pin"]);
    assert_eq!(
        String::from_utf8_lossy(&printed.stdout).trim(),
        pin.to_string(),
        "`pin` prints the pin of the certificate being served"
    );

    // The administrator bootstraps with the pin the server printed.
    let mut admin = Vault::bootstrap(
        dir.path().join("admin"),
        PASS,
        &mut HttpTransport::pinned(&server.url, &[pin]).unwrap(),
        &server.url,
        server.bootstrap_code.as_deref().unwrap(),
        "AMI",
        "Huye",
        opts(),
    )
    .unwrap();
    assert_eq!(admin.sync_settings().unwrap().server_pins, [pin]);

    // The invitation's QR code carries the pin; the tablet reads everything from one scan.
    let invitation = admin
        .invite(
            &mut admin.sync_settings().unwrap().transport().unwrap(),
            Role::Counsellor,
            Duration::from_secs(3600),
        )
        .unwrap();
    let qr = admin
        .sync_settings()
        .unwrap()
        .enrolment_link(&invitation.code);
    let link = parse_enrolment_link(&qr).unwrap();
    assert_eq!(
        (link.server.as_str(), link.pins.as_slice()),
        (server.url.as_str(), &[pin][..])
    );
    let tablet_dir = dir.path().join("tablet");
    let mut tablet = Vault::enroll(
        &tablet_dir,
        PASS,
        &mut HttpTransport::pinned(&link.server, &link.pins).unwrap(),
        &link.server,
        &link.code,
        opts(),
    )
    .unwrap();
    assert_eq!(tablet.sync_settings().unwrap().server_pins, [pin]);

    add(&mut tablet, "Mukamana Odette");
    sync(&mut tablet).unwrap();
    sync(&mut admin).unwrap();
    assert_eq!(
        admin.clients().unwrap().items.len(),
        1,
        "it crossed over TLS"
    );

    // Written offline, waiting to be sent.
    add(&mut tablet, "Uwase Aline");
    let before = tablet.sync_status().unwrap();
    // A new client: her file's keys and her fields, two operations (team format 5).
    assert_eq!(before.pending, 2);

    // Someone takes the server's address with another key (a stolen IP, a rebuilt machine, a
    // man in the middle): same folder, same port, another certificate.
    let port = server.port();
    server.stop();
    let other = rcgen::KeyPair::generate().unwrap();
    let cert = certificate(&other, 2025, 2035, &dir.path().join("impostor.pem"));
    let key = key_file(&other, &dir.path().join("impostor-key.pem"));
    let impostor = start_on(
        &format!("127.0.0.1:{port}"),
        &[
            "--data",
            data_arg,
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert_ne!(pin_of(&impostor), pin, "another key, another pin");

    let mut counted = Counting {
        inner: tablet.sync_settings().unwrap().transport().unwrap(),
        calls: 0,
    };
    let refused = tablet
        .sync(&mut counted, &SyncOptions::default(), &mut |_| {})
        .unwrap_err();
    assert!(matches!(refused, Error::UntrustedServer), "{refused:?}");
    assert!(
        refused
            .to_string()
            .contains("it may be an impostor; ask your administrator"),
        "{refused}"
    );
    assert_eq!(
        counted.calls, 1,
        "refused at the first call and never retried"
    );
    assert_eq!(
        tablet.sync_status().unwrap(),
        before,
        "nothing changed on the tablet"
    );
    assert_eq!(tablet.clients().unwrap().items.len(), 2);
    assert_eq!(tablet.sync_settings().unwrap().server_pins, [pin]);

    // A tablet scanning the same QR code now gets no vault, and the code is not spent.
    let refused = Vault::enroll(
        dir.path().join("second"),
        PASS,
        &mut HttpTransport::pinned(&link.server, &link.pins).unwrap(),
        &link.server,
        &link.code,
        opts(),
    )
    .unwrap_err();
    assert!(matches!(refused, Error::UntrustedServer), "{refused:?}");
    assert!(!Vault::exists(dir.path().join("second")));

    // The real server back on its own key: the waiting work goes through, nothing lost.
    impostor.stop();
    let server = start_on(&format!("127.0.0.1:{port}"), &["--data", data_arg]);
    assert_eq!(pin_of(&server), pin, "its own key, kept in the data folder");
    sync(&mut tablet).unwrap();
    assert_eq!(tablet.sync_status().unwrap().pending, 0);
    sync(&mut admin).unwrap();
    assert_eq!(admin.clients().unwrap().items.len(), 2);
}

#[test]
fn a_pinned_tablet_ignores_its_servers_certificate_dates_and_a_certificate_renewed_on_the_same_key()
{
    // Cheap tablets' clocks are often years off, and an NGO's certificate may lapse: with a
    // pin, the key decides, not the dates.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let key = rcgen::KeyPair::generate().unwrap();
    let key_path = key_file(&key, &dir.path().join("key.pem"));
    let expired = certificate(&key, 2001, 2002, &dir.path().join("expired.pem"));
    let not_yet = certificate(&key, 2090, 2099, &dir.path().join("not-yet.pem"));
    let serve = |cert: &Path, listen: &str| {
        start_on(
            listen,
            &[
                "--data",
                data.to_str().unwrap(),
                "--tls-cert",
                cert.to_str().unwrap(),
                "--tls-key",
                key_path.to_str().unwrap(),
            ],
        )
    };

    let server = serve(&expired, "127.0.0.1:0");
    let pin = pin_of(&server);
    let mut admin = Vault::bootstrap(
        dir.path().join("admin"),
        PASS,
        &mut HttpTransport::pinned(&server.url, &[pin]).unwrap(),
        &server.url,
        server.bootstrap_code.as_deref().unwrap(),
        "AMI",
        "Huye",
        opts(),
    )
    .unwrap();
    add(&mut admin, "Mukamana Odette");
    sync(&mut admin).unwrap();

    // Without a pin the tablet falls back to the public authorities, which know nothing of
    // this certificate: refused as untrusted, not taken for a network blip.
    let mut public = HttpTransport::new(&server.url).unwrap();
    let refused = public.challenge(&komora_protocol::ChallengeRequest {
        device_id: komora_protocol::Id16([1; 16]),
    });
    assert!(
        matches!(refused, Err(TransportError::Untrusted)),
        "{refused:?}"
    );

    // Renewed with the same key, dated in the future this time: same pin, nobody re-enrols.
    let port = server.port();
    server.stop();
    let server = serve(&not_yet, &format!("127.0.0.1:{port}"));
    assert_eq!(pin_of(&server), pin);
    add(&mut admin, "Uwase Aline");
    sync(&mut admin).unwrap();
    assert_eq!(admin.sync_status().unwrap().pending, 0);
}

#[test]
fn plain_http_to_another_machine_is_refused_before_any_connection() {
    // Finding 12: the core, the enrolment link and the app took `http://` to anywhere. Names
    // under `.invalid` never resolve: were anything tried, the error would be a network one.
    let far = "http://komora-sync.invalid:8787";
    assert!(matches!(
        HttpTransport::new(far),
        Err(TransportError::Address(
            komora_protocol::server_url::ServerUrlError::PlainHttp
        ))
    ));

    let dir = tempfile::tempdir().unwrap();
    let server = start(&["--data", dir.path().join("server").to_str().unwrap()]);
    let pin = pin_of(&server);
    let code = server.bootstrap_code.clone().unwrap();
    // A transport to the real server, handed an address on the network in plain HTTP: the vault
    // refuses before a single call reaches the transport.
    let mut counted = Counting {
        inner: HttpTransport::pinned(&server.url, &[pin]).unwrap(),
        calls: 0,
    };
    let refused = Vault::bootstrap(
        dir.path().join("admin"),
        PASS,
        &mut counted,
        far,
        &code,
        "AMI",
        "Huye",
        opts(),
    )
    .unwrap_err();
    assert!(matches!(refused, Error::PlainHttp), "{refused:?}");
    assert!(
        refused
            .to_string()
            .contains("records would cross the network readable; use https://"),
        "{refused}"
    );
    let refused = Vault::enroll(
        dir.path().join("tablet"),
        PASS,
        &mut counted,
        far,
        "7K3MQ-9XD2H-PAVW4-E8TRC",
        opts(),
    )
    .unwrap_err();
    assert!(matches!(refused, Error::PlainHttp), "{refused:?}");
    assert_eq!(counted.calls, 0, "nothing was sent");
    assert!(!Vault::exists(dir.path().join("admin")) && !Vault::exists(dir.path().join("tablet")));

    // A QR code pointing at it is no enrolment link.
    let qr = komora_core::enrolment_link(far, "7K3MQ-9XD2H-PAVW4-E8TRC", &[pin]);
    assert!(parse_enrolment_link(&qr).is_none());

    // The bootstrap code was never spent: the same code works over TLS.
    Vault::bootstrap(
        dir.path().join("admin"),
        PASS,
        &mut counted,
        &server.url,
        &code,
        "AMI",
        "Huye",
        opts(),
    )
    .unwrap();
}

#[test]
fn plain_http_is_for_a_reverse_proxy_and_the_server_warns_when_other_machines_reach_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let data_arg = data.to_str().unwrap();
    let plain = start(&["--data", data_arg, "--plain-http"]);
    assert!(plain.url.starts_with("http://127.0.0.1:"), "{}", plain.url);
    assert!(
        plain.pin.is_none(),
        "no certificate, no pin: the proxy holds it"
    );
    assert!(
        !data.join("tls-key.pem").exists(),
        "no key made for nothing"
    );
    let out = run(&["--data", data_arg, "--plain-http", "pin"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("reverse proxy"));
    plain.stop();

    // Contradictory or half settings are refused with what to give.
    for args in [
        vec!["--plain-http", "--tls-cert", "c.pem", "--tls-key", "k.pem"],
        vec!["--tls-cert", "c.pem"],
    ] {
        let mut all = vec!["--data", data_arg];
        all.extend(args);
        let out = run(&all);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-"));
    }

    // Listening where other machines reach it in plain HTTP: said on stderr at the start.
    // (Nothing connects to it; it is stopped at once.)
    let mut child = std::process::Command::new(server_process::BIN)
        .args(["--data", data_arg, "--plain-http", "--listen", "0.0.0.0:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut warning = String::new();
    loop {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() == 0 {
            break;
        }
        if line.contains("warning") {
            warning = line;
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(warning.contains("reverse proxy"), "{warning}");
}

/// Issue 17, item 2: the server is lost with no backup at all. The administrator starts an
/// empty one (on a new machine: a new key, a new pin, a new code) at the same address and
/// re-attaches the team from her tablet: the team's signed list, and the new key's pin signed
/// by her. Every tablet then fills it back: on its next sync it sees a key it does not know,
/// checks the signed pin from its own root of trust, trusts the new key, finds a new store
/// generation and sends back what the server lacks. Nobody re-enrols, nothing is lost, and an
/// impostor on the address afterwards still gets nothing (it cannot sign a pin).
#[test]
fn a_server_lost_with_no_backup_is_rebuilt_by_its_tablets_and_nobody_re_enrols() {
    let dir = tempfile::tempdir().unwrap();
    let first_data = dir.path().join("first");
    let first = start(&["--data", first_data.to_str().unwrap()]);
    let first_pin = pin_of(&first);
    let mut admin = Vault::bootstrap(
        dir.path().join("admin"),
        PASS,
        &mut HttpTransport::pinned(&first.url, &[first_pin]).unwrap(),
        &first.url,
        first.bootstrap_code.as_deref().unwrap(),
        "AMI",
        "Huye",
        opts(),
    )
    .unwrap();
    let enrol = |admin: &mut Vault, name: &str| {
        let invitation = admin
            .invite(
                &mut admin.sync_settings().unwrap().transport().unwrap(),
                Role::Counsellor,
                Duration::from_secs(3600),
            )
            .unwrap();
        let link = parse_enrolment_link(
            &admin
                .sync_settings()
                .unwrap()
                .enrolment_link(&invitation.code),
        )
        .unwrap();
        Vault::enroll(
            dir.path().join(name),
            PASS,
            &mut HttpTransport::pinned(&link.server, &link.pins).unwrap(),
            &link.server,
            &link.code,
            opts(),
        )
        .unwrap()
    };
    let mut alice = enrol(&mut admin, "alice");
    let mut bosco = enrol(&mut admin, "bosco");
    add(&mut alice, "Synced by Alice");
    sync(&mut alice).unwrap();
    sync(&mut bosco).unwrap();
    sync(&mut admin).unwrap();
    // Another team of the organisation on the same server, with its own counsellor.
    let mut shyogwe = admin
        .create_team(
            &mut admin.sync_settings().unwrap().transport().unwrap(),
            dir.path().join("admin-shyogwe"),
            PASS,
            "Shyogwe",
            opts(),
        )
        .unwrap();
    let mut denise = enrol(&mut shyogwe, "denise");
    add(&mut shyogwe, "Shyogwe's first client");
    sync(&mut shyogwe).unwrap();
    add(&mut denise, "Written by Denise, not yet sent");
    // Bosco writes in the field; the server dies before he syncs again, taking its disk.
    add(&mut bosco, "Written by Bosco, not yet sent");
    let port = first.port();
    first.stop();
    std::fs::remove_dir_all(&first_data).unwrap();

    // A new machine at the same address: an empty store, its own key.
    let second_data = dir.path().join("second");
    let second = start_on(
        &format!("127.0.0.1:{port}"),
        &["--data", second_data.to_str().unwrap()],
    );
    let second_pin = pin_of(&second);
    assert_ne!(second_pin, first_pin);
    // Until re-attached, the tablets trust nothing there.
    assert!(matches!(sync(&mut alice), Err(Error::UntrustedServer)));
    assert!(!alice.recover_server_pins().unwrap(), "no signed pin yet");

    admin
        .reattach(
            &mut HttpTransport::pinned(&second.url, &[second_pin]).unwrap(),
            &second.url,
            second.bootstrap_code.as_deref().unwrap(),
            Some(second_pin),
        )
        .unwrap();
    let report = sync(&mut admin).unwrap();
    assert!(report.reconciled && report.sent_ops > 0, "{report:?}");
    // The same administrator's other team comes back on the strength of the first (no code).
    admin
        .reattach_team(
            &mut admin.sync_settings().unwrap().transport().unwrap(),
            &mut shyogwe,
            Some(second_pin),
        )
        .unwrap();
    assert!(sync(&mut shyogwe).unwrap().reconciled);
    assert!(matches!(sync(&mut denise), Err(Error::UntrustedServer)));
    assert!(denise.recover_server_pins().unwrap());
    sync(&mut denise).unwrap();
    sync(&mut shyogwe).unwrap();
    for v in [&shyogwe, &denise] {
        let mut names: Vec<String> = v
            .clients()
            .unwrap()
            .items
            .into_iter()
            .map(|c| c.name)
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["Shyogwe's first client", "Written by Denise, not yet sent"]
        );
    }

    for v in [&mut alice, &mut bosco] {
        assert!(matches!(sync(v), Err(Error::UntrustedServer)));
        assert!(
            v.recover_server_pins().unwrap(),
            "the signed pin is trusted"
        );
        assert_eq!(v.sync_settings().unwrap().server_pins, [second_pin]);
        let report = sync(v).unwrap();
        assert!(report.reconciled, "{report:?}");
    }
    for v in [&mut admin, &mut alice] {
        sync(v).unwrap();
    }
    let mut claudine = enrol(&mut admin, "claudine");
    sync(&mut claudine).unwrap();
    for v in [&admin, &alice, &bosco, &claudine] {
        let mut names: Vec<String> = v
            .clients()
            .unwrap()
            .items
            .into_iter()
            .map(|c| c.name)
            .collect();
        names.sort();
        assert_eq!(names, ["Synced by Alice", "Written by Bosco, not yet sent"]);
    }

    // An impostor takes the address afterwards: no signature for its key, nothing changes.
    second.stop();
    let other = rcgen::KeyPair::generate().unwrap();
    let cert = certificate(&other, 2025, 2035, &dir.path().join("impostor.pem"));
    let key = key_file(&other, &dir.path().join("impostor-key.pem"));
    let _impostor = start_on(
        &format!("127.0.0.1:{port}"),
        &[
            "--data",
            second_data.to_str().unwrap(),
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(matches!(sync(&mut alice), Err(Error::UntrustedServer)));
    assert!(!alice.recover_server_pins().unwrap());
    assert_eq!(alice.sync_settings().unwrap().server_pins, [second_pin]);
}
