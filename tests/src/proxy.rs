//! A faulty loopback proxy between devices and the sync server. Each connection draws a fault:
//! pass through, cut the request after some bytes, cut the response after some bytes (the
//! server may have acted on the request), delay, or deliver the whole request a second time on a
//! fresh connection. Deterministic for a seed.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::Rng;

#[derive(Clone, Copy, Debug)]
enum Fault {
    None,
    CutRequest(usize),
    CutResponse(usize),
    Delay(u64),
    Duplicate,
}

pub struct FaultyProxy {
    pub url: String,
    stop: Arc<AtomicBool>,
    /// Faults injected so far, for the test's own sanity check.
    pub faults: Arc<AtomicU64>,
}

impl FaultyProxy {
    pub fn start(upstream: SocketAddr, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let faults = Arc::new(AtomicU64::new(0));
        let rng = Arc::new(Mutex::new(Rng::new(seed)));
        let (stop2, faults2) = (stop.clone(), faults.clone());
        thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let fault = {
                            let mut r = rng.lock().unwrap();
                            match r.below(10) {
                                0..=3 => Fault::None,
                                4 | 5 => Fault::CutRequest(r.below(400) as usize),
                                6 | 7 => Fault::CutResponse(r.below(600) as usize),
                                8 => Fault::Delay(r.below(40)),
                                _ => Fault::Duplicate,
                            }
                        };
                        if !matches!(fault, Fault::None | Fault::Delay(_)) {
                            faults2.fetch_add(1, Ordering::SeqCst);
                        }
                        thread::spawn(move || relay(client, upstream, fault));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Self {
            url: format!("http://{addr}"),
            stop,
            faults,
        }
    }
}

impl Drop for FaultyProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Copy `from` to `to` until EOF or `limit` bytes; returns what was copied.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    limit: Option<usize>,
    record: Option<Arc<Mutex<Vec<u8>>>>,
) {
    let mut buf = [0u8; 4096];
    let mut sent = 0usize;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let n = match limit {
            Some(l) if sent + n >= l => {
                let _ = to.write_all(&buf[..l - sent]);
                let _ = to.shutdown(Shutdown::Both);
                let _ = from.shutdown(Shutdown::Both);
                return;
            }
            _ => n,
        };
        if let Some(r) = &record {
            r.lock().unwrap().extend_from_slice(&buf[..n]);
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        sent += n;
    }
    let _ = to.shutdown(Shutdown::Write);
}

fn relay(client: TcpStream, upstream: SocketAddr, fault: Fault) {
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    if let Fault::Delay(ms) = fault {
        thread::sleep(Duration::from_millis(ms));
    }
    let record = matches!(fault, Fault::Duplicate).then(|| Arc::new(Mutex::new(Vec::new())));
    let (req_limit, resp_limit) = match fault {
        Fault::CutRequest(n) => (Some(n), None),
        Fault::CutResponse(n) => (None, Some(n)),
        _ => (None, None),
    };
    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let rec = record.clone();
    let up = thread::spawn(move || pump(client, server, req_limit, rec));
    pump(s2, c2, resp_limit, None);
    let _ = up.join();
    if let Some(r) = record {
        // Deliver every request of that connection once more, and ignore the answers.
        let bytes = r.lock().unwrap().clone();
        if let Ok(mut again) = TcpStream::connect(upstream) {
            let _ = again.write_all(&bytes);
            let _ = again.shutdown(Shutdown::Write);
            let _ = std::io::copy(&mut again, &mut std::io::sink());
        }
    }
}

/// A loopback proxy that counts the bytes crossing it (both directions, HTTP headers and all)
/// and can cut every connection once a byte budget from the server is spent.
pub struct CountingProxy {
    pub url: String,
    pub to_server: Arc<AtomicU64>,
    pub to_client: Arc<AtomicU64>,
    /// Server-to-client bytes after which connections are cut (u64::MAX: never).
    pub cut_after: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl CountingProxy {
    pub fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let to_server = Arc::new(AtomicU64::new(0));
        let to_client = Arc::new(AtomicU64::new(0));
        let cut_after = Arc::new(AtomicU64::new(u64::MAX));
        let stop = Arc::new(AtomicBool::new(false));
        let (ts, tc, cut, st) = (
            to_server.clone(),
            to_client.clone(),
            cut_after.clone(),
            stop.clone(),
        );
        thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let (ts, tc, cut) = (ts.clone(), tc.clone(), cut.clone());
                        thread::spawn(move || {
                            let Ok(server) = TcpStream::connect(upstream) else {
                                return;
                            };
                            let (c2, s2) =
                                (client.try_clone().unwrap(), server.try_clone().unwrap());
                            let up = thread::spawn(move || count_pump(client, server, ts, None));
                            count_pump(s2, c2, tc, Some(cut));
                            let _ = up.join();
                        });
                    }
                    Err(_) => thread::sleep(Duration::from_millis(1)),
                }
            }
        });
        Self {
            url: format!("http://{addr}"),
            to_server,
            to_client,
            cut_after,
            stop,
        }
    }

    pub fn reset(&self) {
        self.to_server.store(0, Ordering::SeqCst);
        self.to_client.store(0, Ordering::SeqCst);
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn count_pump(
    mut from: TcpStream,
    mut to: TcpStream,
    counter: Arc<AtomicU64>,
    cut: Option<Arc<AtomicU64>>,
) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let total = counter.fetch_add(n as u64, Ordering::SeqCst) + n as u64;
        if let Some(limit) = cut.as_ref().map(|c| c.load(Ordering::SeqCst)) {
            if total > limit {
                let _ = to.shutdown(Shutdown::Both);
                let _ = from.shutdown(Shutdown::Both);
                return;
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}
