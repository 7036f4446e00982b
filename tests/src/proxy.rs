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
        Self { url: format!("http://{addr}"), stop, faults }
    }
}

impl Drop for FaultyProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Copy `from` to `to` until EOF or `limit` bytes; returns what was copied.
fn pump(mut from: TcpStream, mut to: TcpStream, limit: Option<usize>, record: Option<Arc<Mutex<Vec<u8>>>>) {
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
    let Ok(server) = TcpStream::connect(upstream) else { return };
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
