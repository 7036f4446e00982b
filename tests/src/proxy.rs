//! Loopback proxies between devices and the sync server.
//!
//! [`FaultyProxy`]: each connection draws a fault: pass through, cut the request after some
//! bytes, cut the response after some bytes (the server may have acted on the request), delay,
//! or deliver the whole request a second time on a fresh connection. Deterministic for a seed.
//! [`CountingProxy`] counts bytes and cuts after a budget; [`RefusalCutter`] cuts one answer
//! of a given status halfway; [`ShapedProxy`] plays a slow mobile link (a rate per direction
//! and a round-trip time) for the low-bandwidth benchmark.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

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

/// A loopback proxy that passes everything through, except that it cuts, once, the first
/// answer with a given status halfway: the status line and headers arrive, the body does not
/// (what a weak signal does to a short answer). Deterministic, for one precise fault.
pub struct RefusalCutter {
    pub url: String,
    /// Answers cut so far (0 or 1).
    pub cuts: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl RefusalCutter {
    pub fn start(upstream: SocketAddr, status: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let cuts = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let status_line = format!("HTTP/1.1 {status} ").into_bytes();
        let (cut, st) = (cuts.clone(), stop.clone());
        thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        let (cut, status_line) = (cut.clone(), status_line.clone());
                        thread::spawn(move || {
                            let Ok(server) = TcpStream::connect(upstream) else {
                                return;
                            };
                            let (c2, s2) =
                                (client.try_clone().unwrap(), server.try_clone().unwrap());
                            let up = thread::spawn(move || pump(client, server, None, None));
                            cut_pump(s2, c2, &status_line, &cut);
                            let _ = up.join();
                        });
                    }
                    Err(_) => thread::sleep(Duration::from_millis(1)),
                }
            }
        });
        Self {
            url: format!("http://{addr}"),
            cuts,
            stop,
        }
    }
}

impl Drop for RefusalCutter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Server to client: pass everything, but if an answer begins with `status_line` and none has
/// been cut yet, pass its headers and a few bytes of its body, then cut the connection.
fn cut_pump(mut from: TcpStream, mut to: TcpStream, status_line: &[u8], cuts: &AtomicU64) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        let headers_end = chunk
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|i| i + 4);
        if let (true, Some(end)) = (chunk.starts_with(status_line), headers_end) {
            if cuts
                .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                let _ = to.write_all(&chunk[..(end + 3).min(n)]);
                let _ = to.shutdown(Shutdown::Both);
                let _ = from.shutdown(Shutdown::Both);
                return;
            }
        }
        if to.write_all(chunk).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// The shape of a slow link: a rate in each direction and a round-trip time.
#[derive(Clone, Copy, Debug)]
pub struct LinkShape {
    /// Bits per second, each direction on its own (full duplex). `None`: as fast as loopback.
    pub bits_per_second: Option<u64>,
    /// Added round-trip time: half on each crossing, and one whole RTT when a connection
    /// opens (the TCP handshake the client would wait for).
    pub rtt: Duration,
}

/// Bytes the shaper lets through at once: a segment of a slow link. The token bucket holds
/// no more than this, so an idle link earns no burst beyond one segment.
const SEGMENT: usize = 512;
/// Segments queued before the link per connection and direction (1 MiB): the deep buffer of
/// a mobile network. The proxy reads what a sender writes at once, up to this bound (then
/// TCP's flow control stops the sender), so a request is never held up by loopback TCP's
/// zero-window timers, only by the link.
const QUEUE_SEGMENTS: usize = 2048;
/// Segments on the delay line per connection and direction (sent, not yet arrived).
const LINE_SEGMENTS: usize = 256;

/// A token bucket: `rate` bytes per second, at most `burst` bytes saved up. Takers queue by
/// going into debt, so connections sharing a direction share its rate first come, first served.
struct TokenBucket {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    fn new(bits_per_second: u64) -> Self {
        let burst = SEGMENT as f64;
        Self {
            rate: bits_per_second as f64 / 8.0,
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Wait until `n` bytes may cross.
    fn take(&self, n: usize) {
        let wait = {
            let mut s = self.state.lock().unwrap();
            let now = Instant::now();
            let tokens = (s.0 + now.duration_since(s.1).as_secs_f64() * self.rate).min(self.burst)
                - n as f64;
            *s = (tokens, now);
            if tokens >= 0.0 {
                0.0
            } else {
                -tokens / self.rate
            }
        };
        if wait > 0.0 {
            thread::sleep(Duration::from_secs_f64(wait));
        }
    }
}

struct Shaper {
    shape: LinkShape,
    up: Option<TokenBucket>,
    down: Option<TokenBucket>,
    to_server: AtomicU64,
    to_client: AtomicU64,
    connections: AtomicU64,
    /// Server-to-client bytes after which every open connection is cut, once.
    cut_at: AtomicU64,
    cuts: AtomicU64,
    open: Mutex<Vec<(u64, TcpStream, TcpStream)>>,
}

impl Shaper {
    fn cut_all(&self) {
        self.cuts.fetch_add(1, Ordering::SeqCst);
        self.drop_all();
    }

    fn drop_all(&self) {
        for (_, c, s) in self.open.lock().unwrap().iter() {
            let _ = c.shutdown(Shutdown::Both);
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

/// A loopback proxy that plays a slow mobile link (2G, a weak 3G signal): every connection
/// shares one token bucket per direction and crosses a delay line of half the RTT each way.
/// It counts the bytes each way (HTTP headers and all; TCP/IP headers are not modelled) and
/// can cut every open connection once, after a number of bytes from the server.
pub struct ShapedProxy {
    pub url: String,
    shaper: Arc<Shaper>,
    stop: Arc<AtomicBool>,
}

impl ShapedProxy {
    pub fn start(upstream: SocketAddr, shape: LinkShape) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let shaper = Arc::new(Shaper {
            shape,
            up: shape.bits_per_second.map(TokenBucket::new),
            down: shape.bits_per_second.map(TokenBucket::new),
            to_server: AtomicU64::new(0),
            to_client: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            cut_at: AtomicU64::new(u64::MAX),
            cuts: AtomicU64::new(0),
            open: Mutex::new(Vec::new()),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (sh, st) = (shaper.clone(), stop.clone());
        thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        let sh = sh.clone();
                        thread::spawn(move || shaped_connection(sh, client, upstream));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(1)),
                }
            }
        });
        Self {
            url: format!("http://{addr}"),
            shaper,
            stop,
        }
    }

    /// Bytes from the client to the server so far.
    pub fn to_server(&self) -> u64 {
        self.shaper.to_server.load(Ordering::SeqCst)
    }

    /// Bytes from the server to the client so far.
    pub fn to_client(&self) -> u64 {
        self.shaper.to_client.load(Ordering::SeqCst)
    }

    /// Connections opened so far.
    pub fn connections(&self) -> u64 {
        self.shaper.connections.load(Ordering::SeqCst)
    }

    /// Times the link was cut so far.
    pub fn cuts(&self) -> u64 {
        self.shaper.cuts.load(Ordering::SeqCst)
    }

    /// Cut every open connection once, when the bytes from the server (counted since the
    /// last reset) pass `bytes`; the link then carries on as before.
    pub fn cut_once_after(&self, bytes: u64) {
        self.shaper.cut_at.store(bytes, Ordering::SeqCst);
    }

    /// Zero the counters.
    pub fn reset(&self) {
        self.shaper.to_server.store(0, Ordering::SeqCst);
        self.shaper.to_client.store(0, Ordering::SeqCst);
        self.shaper.connections.store(0, Ordering::SeqCst);
    }
}

impl Drop for ShapedProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.shaper.drop_all();
    }
}

fn shaped_connection(shaper: Arc<Shaper>, client: TcpStream, upstream: SocketAddr) {
    let id = shaper.connections.fetch_add(1, Ordering::SeqCst);
    // The client would wait one round trip for the handshake before its first byte leaves.
    thread::sleep(shaper.shape.rtt);
    let Ok(server) = TcpStream::connect(upstream) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let _ = server.set_nodelay(true);
    let _ = client.set_nodelay(true);
    shaper.open.lock().unwrap().push((
        id,
        client.try_clone().unwrap(),
        server.try_clone().unwrap(),
    ));
    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let sh = shaper.clone();
    let up = thread::spawn(move || shaped_pump(&sh, client, server, false));
    shaped_pump(&shaper, s2, c2, true);
    let _ = up.join();
    shaper.open.lock().unwrap().retain(|(i, _, _)| *i != id);
}

/// Carry `from` to `to` through the shaper: what `from` sends is queued (bounded), each
/// segment waits for its tokens (its time on the link), then for half the RTT on a bounded
/// delay line.
fn shaped_pump(shaper: &Shaper, mut from: TcpStream, mut to: TcpStream, to_client: bool) {
    let one_way = shaper.shape.rtt / 2;
    let from_ctl = from.try_clone().unwrap();
    let (line, arrivals) = std::sync::mpsc::sync_channel::<(Instant, Vec<u8>)>(LINE_SEGMENTS);
    let writer = thread::spawn(move || {
        for (at, segment) in arrivals {
            let now = Instant::now();
            if at > now {
                thread::sleep(at - now);
            }
            if to.write_all(&segment).is_err() {
                let _ = to.shutdown(Shutdown::Both);
                let _ = from_ctl.shutdown(Shutdown::Both);
                return;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
    let (queue, queued) = std::sync::mpsc::sync_channel::<Vec<u8>>(QUEUE_SEGMENTS);
    // Not joined: it ends when `from` closes or is shut down, or the queue is dropped.
    thread::spawn(move || {
        let mut buf = [0u8; SEGMENT];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if queue.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let (bucket, counter) = if to_client {
        (shaper.down.as_ref(), &shaper.to_client)
    } else {
        (shaper.up.as_ref(), &shaper.to_server)
    };
    for segment in queued.iter() {
        let n = segment.len();
        if let Some(b) = bucket {
            b.take(n);
        }
        let total = counter.fetch_add(n as u64, Ordering::SeqCst) + n as u64;
        if to_client {
            let limit = shaper.cut_at.load(Ordering::SeqCst);
            if total > limit
                && shaper
                    .cut_at
                    .compare_exchange(limit, u64::MAX, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
            {
                shaper.cut_all();
                break;
            }
        }
        if line.send((Instant::now() + one_way, segment)).is_err() {
            break;
        }
    }
    drop(queued);
    drop(line);
    let _ = writer.join();
}
