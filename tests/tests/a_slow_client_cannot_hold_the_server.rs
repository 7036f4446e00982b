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
