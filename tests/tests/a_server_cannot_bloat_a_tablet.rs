//! A server that wants to fill a cheap tablet's memory or storage (issue 16, findings 4 and
//! 5): answers without end, and a flood of operations nobody can open. A tablet reads every
//! answer against a cap, and keeps only so many operations waiting, for only so long, and
//! says so in its status line.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use komora_core::{HttpTransport, Role, Transport, TransportError, VaultOptions};
use komora_protocol::roster::RosterResponse;
use komora_protocol::*;
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, quick_retries, ManualClock, MORNING_MS};

/// A server on a real socket that answers every request with a body that never ends (or
/// that announces `announced` bytes), and counts what it managed to send.
fn endless_server(announced: Option<u64>) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let counter = counter.clone();
            std::thread::spawn(move || {
                // The request: its headers, then its body (a POST's JSON).
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0u8; length];
                let _ = reader.read_exact(&mut body);
                let head = match announced {
                    Some(n) => format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {n}\r\n\r\n"),
                    None => "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_owned(),
                };
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                // At most 256 MiB: enough to tell a capped reader from one that reads it all.
                for _ in 0..4096 {
                    let wrote = match announced {
                        Some(_) => stream.write_all(&chunk),
                        None => stream
                            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                            .and_then(|_| stream.write_all(&chunk))
                            .and_then(|_| stream.write_all(b"\r\n")),
                    };
                    if wrote.is_err() {
                        return;
                    }
                    counter.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                }
            });
        }
    });
    (url, sent)
}

fn refused_as_too_large<T: std::fmt::Debug>(answer: Result<T, TransportError>) {
    assert!(
        matches!(
            answer,
            Err(TransportError::Rejected {
                code: ErrorCode::TooLarge,
                ..
            })
        ),
        "{answer:?}"
    );
}

/// Finding 5: the transport read answers whole, whatever their size.
#[test]
fn an_answer_without_end_is_cut_off_at_its_cap() {
    for announced in [None, Some(10_000_000_000)] {
        let (url, sent) = endless_server(announced);
        let mut t = HttpTransport::new(&url).unwrap();
        let before = sent.load(Ordering::SeqCst);
        refused_as_too_large(t.challenge(&ChallengeRequest {
            device_id: Id16([1; 16]),
        }));
        refused_as_too_large(t.roster("token", 0));
        refused_as_too_large(t.pull("token", 0, 1024 * 1024, None));
        refused_as_too_large(t.keys("token", 0));
        std::thread::sleep(std::time::Duration::from_millis(200));
        let total = sent.load(Ordering::SeqCst) - before;
        assert!(
            total < 4 * 32 * 1024 * 1024,
            "four calls made the server send {total} bytes: the tablet read on past its caps"
        );
    }
}

/// Passes every call to the real server and adds, to each page of operations it hands out,
/// `flood` envelopes under a key epoch nobody has.
struct Flooding {
    inner: HttpTransport,
    flood: usize,
    next: u32,
}

impl Transport for Flooding {
    fn bootstrap(&mut self, r: &BootstrapRequest) -> Result<RegisteredResponse, TransportError> {
        self.inner.bootstrap(r)
    }
    fn challenge(&mut self, r: &ChallengeRequest) -> Result<ChallengeResponse, TransportError> {
        self.inner.challenge(r)
    }
    fn token(&mut self, r: &TokenRequest) -> Result<TokenResponse, TransportError> {
        self.inner.token(r)
    }
    fn invite(&mut self, t: &str, r: &InviteRequest) -> Result<InviteResponse, TransportError> {
        self.inner.invite(t, r)
    }
    fn enroll(&mut self, r: &EnrollRequest) -> Result<EnrollResponse, TransportError> {
        self.inner.enroll(r)
    }
    fn push(
        &mut self,
        t: &str,
        b: &komora_protocol::PushBatchV2,
    ) -> Result<PushResponse, TransportError> {
        self.inner.push(t, b)
    }
    fn pull(
        &mut self,
        t: &str,
        after: u64,
        max: u32,
        at: Option<komora_protocol::Id16>,
    ) -> Result<PullPage, TransportError> {
        let mut page = self.inner.pull(t, after, max, at)?;
        for _ in 0..std::mem::take(&mut self.flood) {
            self.next += 1;
            let mut e = vec![envelope::VERSION];
            e.extend_from_slice(&999u32.to_be_bytes());
            let mut id = [0u8; 16];
            id[..4].copy_from_slice(&self.next.to_be_bytes());
            e.extend_from_slice(&id);
            e.extend_from_slice(&[0x5a; 60]);
            page.envelopes.push(e);
        }
        Ok(page)
    }
    fn devices(&mut self, t: &str) -> Result<Vec<DeviceInfo>, TransportError> {
        self.inner.devices(t)
    }
    fn revoke(&mut self, t: &str, d: &Id16, r: &RevokeRequest) -> Result<(), TransportError> {
        self.inner.revoke(t, d, r)
    }
    fn keys(&mut self, t: &str, after: u32) -> Result<KeyGrantsResponse, TransportError> {
        self.inner.keys(t, after)
    }
    fn roster(&mut self, t: &str, after: u32) -> Result<RosterResponse, TransportError> {
        self.inner.roster(t, after)
    }
    fn erase(&mut self, t: &str, r: &EraseRequest) -> Result<EraseResponse, TransportError> {
        self.inner.erase(t, r)
    }
    fn create_team(
        &mut self,
        t: &str,
        r: &CreateTeamRequest,
    ) -> Result<RegisteredResponse, TransportError> {
        self.inner.create_team(t, r)
    }
    fn revocation_proof(
        &mut self,
        r: &RevocationProofRequest,
    ) -> Result<RosterResponse, TransportError> {
        self.inner.revocation_proof(r)
    }
    fn retire(&mut self, t: &str, r: &RetireRequest) -> Result<(), TransportError> {
        self.inner.retire(t, r)
    }
    fn reconcile(
        &mut self,
        token: &str,
        req: &komora_protocol::ReconcileRequest,
    ) -> Result<komora_protocol::ReconcileResponse, komora_core::TransportError> {
        self.inner.reconcile(token, req)
    }
    fn roster_append(
        &mut self,
        token: &str,
        req: &komora_protocol::RosterAppend,
    ) -> Result<(), komora_core::TransportError> {
        self.inner.roster_append(token, req)
    }
    fn upload_grants(
        &mut self,
        token: &str,
        req: &komora_protocol::GrantsUpload,
    ) -> Result<(), komora_core::TransportError> {
        self.inner.upload_grants(token, req)
    }
}

/// Finding 4: a tablet parked what it could not open without a bound, for ever.
#[test]
fn a_flood_of_operations_nobody_can_open_is_capped_aged_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let clock = ManualClock::at(MORNING_MS);
    let mut tablet = komora_scenarios::enrol_with(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("tablet"),
        VaultOptions {
            time: clock.clone(),
            ..komora_scenarios::fast_options()
        },
    );
    let cap = 10_000;
    let mut flooding = Flooding {
        inner: HttpTransport::new(&server.url).unwrap(),
        flood: cap + 500,
        next: 0,
    };
    tablet
        .sync(&mut flooding, &quick_retries(), &mut |_| {})
        .unwrap();
    let status = tablet.sync_status().unwrap();
    assert_eq!((status.parked, status.set_aside), (cap as u64, 500));
    // A month later, nothing has come for them: the rest goes too, and the status says so.
    clock.advance(31 * 24 * 3600 * 1000);
    komora_scenarios::sync(&mut tablet).unwrap();
    let status = tablet.sync_status().unwrap();
    assert_eq!((status.parked, status.set_aside), (0, cap as u64 + 500));
}
