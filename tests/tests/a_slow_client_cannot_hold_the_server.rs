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

/// The server on a dual-stack listener (`[::]`, which takes IPv4 too, as IPv4-mapped IPv6
/// addresses), each address capped at `per_address` connections; `None` where this machine
/// has no IPv6.
fn dual_stack_server(dir: &std::path::Path, per_address: usize) -> Option<TestServer> {
    let dual_stack = std::net::TcpListener::bind("[::]:0").is_ok_and(|l| {
        let port = l.local_addr().unwrap().port();
        TcpStream::connect(("::1", port)).is_ok() && TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    if !dual_stack {
        eprintln!("no dual-stack loopback here (IPv6, or IPv4 on [::]): the test is skipped");
        return None;
    }
    let limits = komora_sync_server::Limits {
        connections_per_address: per_address,
        ..komora_scenarios::server::test_limits()
    };
    Some(TestServer::start_at(
        &komora_scenarios::server::Backend::Sqlite,
        &dir.join("server"),
        "[::]:0".parse().unwrap(),
        limits,
    ))
}

/// Whether a new connection to `addr` is served (a health check answered) rather than closed.
fn served(addr: std::net::SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(5)) else {
        return false;
    };
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(b"GET /health HTTP/1.1\r\nHost: komora\r\nConnection: close\r\n\r\n");
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200")
}

/// An IPv6 address is capped like an IPv4 one (by its /64, what one household or one
/// attacker is given), and an IPv4 client reaching a dual-stack listener counts as its IPv4
/// address: not as one of an IPv6 /64 that every IPv4 client (and `::1`) would share.
#[test]
fn an_ipv6_address_is_capped_and_an_ipv4_client_of_a_dual_stack_server_counts_as_itself() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = dual_stack_server(dir.path(), 4) else {
        return;
    };
    let port = server.addr.port();
    let v6: std::net::SocketAddr = format!("[::1]:{port}").parse().unwrap();
    let v4: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let held: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(v6).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    assert!(!served(v6), "a fifth connection from ::1 is closed");
    assert!(served(v4), "an IPv4 client is not counted with ::1");
    let v4_held: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(v4).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    assert!(!served(v4), "and it has a cap of its own");
    drop(held);
    std::thread::sleep(Duration::from_millis(200));
    assert!(served(v6), "::1 is served again once its connections close");
    drop(v4_held);
}

/// The first bytes of a TLS ClientHello record announcing 512 bytes that never all come.
const HELLO_START: &[u8] = &[
    0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
];

/// Whether `s` is closed by the server before `deadline`: a read ends or fails.
fn closed_before(s: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 512];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => return true,
        }
    }
}

/// Someone on the internet opens connections to the server's TLS port and never finishes a
/// handshake: nothing after the first bytes of a ClientHello, or the hello a byte at a time.
/// Handshakes were not counted against an address's connections, and 256 at once stopped the
/// server accepting anyone (the rest waited in the kernel's queue until one gave up, 30 s
/// later): one machine could keep every tablet out. Now a handshake holds one of its
/// address's connections from the moment it is accepted, and is closed at its time limit
/// however its bytes come, while the server answers others.
#[test]
fn tls_handshakes_that_never_finish_are_capped_per_address_and_closed_in_time() {
    const LIMIT: Duration = Duration::from_secs(8);
    let dir = tempfile::tempdir().unwrap();
    let limits = komora_sync_server::Limits {
        connections_per_address: 8,
        tls_handshake: LIMIT,
        ..komora_scenarios::server::test_limits()
    };
    let server = TestServer::start_tls(
        &komora_scenarios::server::Backend::Sqlite,
        &dir.path().join("server"),
        "127.0.0.1:0".parse().unwrap(),
        limits,
    );
    let started = Instant::now();
    // One sends its hello a byte every 200 ms (a 512-byte record: over a minute and a half).
    let trickler = {
        let addr = server.addr;
        std::thread::spawn(move || {
            let mut s = TcpStream::connect(addr).unwrap();
            let mut hello = HELLO_START.to_vec();
            hello.resize(5 + 512, 0);
            for byte in hello {
                if s.write_all(&[byte]).is_err() {
                    return Some(started.elapsed());
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            None
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    // The others open 299 more, each stopping after the hello's first bytes.
    let mut stalled: Vec<TcpStream> = (0..299)
        .map(|_| {
            let mut s = TcpStream::connect(server.addr).unwrap();
            let _ = s.write_all(HELLO_START);
            s
        })
        .collect();
    // Another address (127.0.0.2, on the same loopback) is answered meanwhile, over TLS.
    let other = reqwest::blocking::Client::builder()
        .danger_accept_invalid_certs(true)
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let health = other
        .get(format!("{}/health", server.url))
        .send()
        .expect("the server answers another address while the handshakes hang");
    assert!(health.status().is_success());

    // Past its address's eight, each is closed at once, long before the handshake limit.
    let soon = Instant::now() + Duration::from_secs(3);
    let closed_at_once = stalled
        .iter_mut()
        .skip(7)
        .map(|s| closed_before(s, soon))
        .filter(|&closed| closed)
        .count();
    assert_eq!(
        closed_at_once, 292,
        "all but the address's eight closed at once"
    );

    // The eight are closed at the handshake limit (with a margin), the trickler too.
    let deadline = started + LIMIT + Duration::from_secs(5);
    for (i, s) in stalled.iter_mut().take(7).enumerate() {
        assert!(
            closed_before(s, deadline),
            "handshake {i} still open past the limit"
        );
    }
    let cut = trickler
        .join()
        .unwrap()
        .expect("the trickling hello was cut");
    assert!(cut < LIMIT + Duration::from_secs(5), "cut after {cut:?}");
    // Its address may connect again, and is served.
    let again = reqwest::blocking::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    assert!(again
        .get(format!("{}/health", server.url))
        .send()
        .unwrap()
        .status()
        .is_success());
}
