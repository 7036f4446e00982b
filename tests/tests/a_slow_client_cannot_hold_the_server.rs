//! Someone on the internet opens connections to the server and never finishes a request: a
//! few bytes of headers, then silence (or a phone that lost coverage mid-request). The server
//! kept every such connection open for ever, each holding a file descriptor and memory: enough
//! of them and no tablet of the organisation could connect. A request's headers now have a
//! time limit (30 s), after which the connection is closed, and the server answers meanwhile.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use komora_scenarios::server::TestServer;

#[test]
fn connections_that_never_finish_their_request_are_closed_and_the_server_answers_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut held: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut s = TcpStream::connect(server.addr).unwrap();
            s.write_all(b"GET /health HTTP/1.1\r\nHost: komora\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();
    // The server answers others while they hang.
    let health = reqwest::blocking::get(format!("{}/health", server.url)).unwrap();
    assert!(health.status().is_success());

    // Within the limit and a margin, each has been closed by the server: a read ends (after
    // whatever it says first, a 408) or fails; it does not wait on.
    let deadline = Instant::now() + Duration::from_secs(45);
    for (i, s) in held.iter_mut().enumerate() {
        let mut buf = [0u8; 512];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            s.set_read_timeout(Some(left.max(Duration::from_millis(10))))
                .unwrap();
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    panic!("connection {i} is still held open after 45 s")
                }
                Err(_) => break,
            }
        }
    }
}

/// A server whose bodies must bring at least 1 KiB a second, and whose addresses may hold
/// `per_address` connections: the defaults' shape (16 KiB a minute, 256) on a test's clock.
fn bounded_server(dir: &std::path::Path, per_address: usize) -> TestServer {
    let limits = komora_sync_server::Limits {
        connections_per_address: per_address,
        body_pace: komora_sync_server::body_pace::Pace {
            min_bytes: 1024,
            window: Duration::from_secs(1),
        },
        ..komora_scenarios::server::test_limits()
    };
    TestServer::start_at(
        &komora_scenarios::server::Backend::Sqlite,
        &dir.join("server"),
        "127.0.0.1:0".parse().unwrap(),
        limits,
    )
}

/// Send a login challenge request of `len` bytes (valid JSON padded with spaces) in chunks of
/// `chunk` bytes every `every`, then read the answer's status line; stops sending if the
/// server answers or closes first. Returns the status line and whether the whole body went.
fn trickle(server: &TestServer, len: usize, chunk: usize, every: Duration) -> (String, bool) {
    let json = format!(r#"{{"device_id":"{}"}}"#, "ab".repeat(16));
    let mut body = json.into_bytes();
    body.resize(len, b' ');
    let mut s = TcpStream::connect(server.addr).unwrap();
    write!(
        s,
        "POST /v1/auth/challenge HTTP/1.1\r\nHost: komora\r\nContent-Type: application/json\r\n\
         Content-Length: {len}\r\n\r\n"
    )
    .unwrap();
    let mut sent_all = true;
    for part in body.chunks(chunk) {
        if s.write_all(part).is_err() {
            sent_all = false;
            break;
        }
        // The server may have answered already: look without waiting.
        s.set_nonblocking(true).unwrap();
        let mut peek = [0u8; 1];
        let answered = s.peek(&mut peek).is_ok();
        s.set_nonblocking(false).unwrap();
        if answered {
            sent_all = false;
            break;
        }
        std::thread::sleep(every);
    }
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    (text.lines().next().unwrap_or("").to_owned(), sent_all)
}

#[test]
fn a_body_trickling_in_is_cut_and_a_slow_2g_body_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let server = bounded_server(dir.path(), 256);
    // A 2G tablet, four times the minimum pace, for five seconds: the route reads all of it
    // and answers (an unknown device: 401).
    let (status, sent_all) = trickle(&server, 20 * 1024, 512, Duration::from_millis(125));
    assert!(sent_all, "the slow body was sent whole");
    assert!(status.contains(" 401 "), "{status}");
    // Ten bytes a tenth of a second: cut at the end of its first window, long before its
    // 20 KiB are in.
    let started = Instant::now();
    let (status, sent_all) = trickle(&server, 20 * 1024, 10, Duration::from_millis(100));
    assert!(!sent_all, "the trickling body was cut: {status}");
    assert!(!status.contains(" 401 "), "{status}");
    assert!(started.elapsed() < Duration::from_secs(20));
    let health = reqwest::blocking::get(format!("{}/health", server.url)).unwrap();
    assert!(health.status().is_success());
}

#[test]
fn one_address_cannot_hold_every_connection() {
    let dir = tempfile::tempdir().unwrap();
    let server = bounded_server(dir.path(), 8);
    let mut held: Vec<TcpStream> = (0..8)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    // The ninth is closed at once: a read ends instead of waiting for the header limit.
    let mut ninth = TcpStream::connect(server.addr).unwrap();
    ninth
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = ninth.write_all(b"GET /health HTTP/1.1\r\nHost: komora\r\n\r\n");
    let mut buf = [0u8; 64];
    match ninth.read(&mut buf) {
        Ok(0) | Err(_) => {}
        Ok(n) => panic!(
            "the ninth connection was served: {}",
            String::from_utf8_lossy(&buf[..n])
        ),
    }
    // One of the eight goes: a new connection is served.
    drop(held.pop());
    std::thread::sleep(Duration::from_millis(200));
    let health = reqwest::blocking::get(format!("{}/health", server.url)).unwrap();
    assert!(health.status().is_success());
}
