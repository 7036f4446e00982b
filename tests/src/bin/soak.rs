//! Server soak (issue 8): many simulated devices against the real `komora-sync-server` binary,
//! started as a separate process so its memory can be read from `/proc/<pid>/status`.
//!
//! Build the server first (`cargo build --release -p komora-sync-server`), then
//!
//! ```text
//! cargo run --release -p komora-scenarios --bin soak -- [--backend sqlite|postgres] \
//!     [--database postgres://komora:komora@127.0.0.1:5432/komora_test] [--devices 1000] \
//!     [--minutes 10 | --seconds S] [--think 1-10] [--ops 1-3] [--edit-share 1.0] \
//!     [--canaries 3] [--json-out FILE] [--label TEXT] [--keep]
//! cargo run --release -p komora-scenarios --bin soak -- --summarise FILE
//! ```
//!
//! What runs (docs/perf/soak.md has the reasons and the figures):
//! - the server with its rate limits raised (`--codes-per-minute`, `--logins-per-minute`): every
//!   simulated device connects from 127.0.0.1, one address;
//! - an administrator's real vault bootstraps the team and invites every device (real core);
//! - `--devices` simulated devices enrol over HTTP (the enrolment derivation of the core's
//!   `remote/enrol.rs` redone here: lookup and invitation key from the code) and then loop, each
//!   on its own thread with its own `komora_core::HttpTransport` (its own connection): think,
//!   take 1-3 genuine sealed operations, sync the way the core's engine does (log in, push,
//!   pull pages until none is left). They hold no team key: they relay operations that
//!   `--authors` real vaults sealed and signed before the soak (so the server stores and serves
//!   real envelopes), and they do not open what they pull;
//! - `--canaries` real vaults (core `Vault::sync`) edit and sync in the same crowd and must end
//!   identical, holding every acknowledged operation, with nothing refused.

// The result record is one large `serde_json::json!`.
#![recursion_limit = "256"]

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use komora_core::{
    ClientEdit, HttpTransport, NewClient, RecordId, Role, Sex, SyncOptions, Transport,
    TransportError, Vault,
};
use komora_protocol::roster::{SignedStatement, Statement};
use komora_protocol::{
    Bytes, ChallengeRequest, DeviceRegistration, EnrollRequest, Id16, TokenRequest,
    DEFAULT_PULL_BYTES,
};
use komora_scenarios::{fast_options, Rng};
use ring::signature::{Ed25519KeyPair, KeyPair};

// ---------------------------------------------------------------------------------------------
// Settings

#[derive(Clone, Debug)]
enum Backend {
    Sqlite,
    Postgres(String),
}

#[derive(Clone, Debug)]
struct Config {
    backend: Backend,
    devices: usize,
    duration: Duration,
    think_ms: (u64, u64),
    ops: (u64, u64),
    edit_share: f64,
    canaries: usize,
    authors: usize,
    server_bin: PathBuf,
    work: PathBuf,
    scratch: PathBuf,
    keep: bool,
    seed: u64,
    json_out: Option<PathBuf>,
    label: String,
    sample_every: Duration,
    /// Keep a token for its 15 minutes instead of logging in at every sync as the core's
    /// engine does today (to measure what that would save).
    reuse_token: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: soak [--backend sqlite|postgres] [--database URL] [--devices N] [--minutes M | --seconds S]\n\
         \x20           [--think MIN-MAX (s)] [--ops MIN-MAX] [--edit-share P] [--canaries K] [--authors A]\n\
         \x20           [--server-bin PATH] [--work DIR] [--scratch DIR] [--seed N] [--json-out FILE]\n\
         \x20           [--label TEXT] [--sample-every S] [--reuse-token] [--keep]\n\
         \x20      soak --summarise FILE"
    );
    std::process::exit(2)
}

fn range(s: &str) -> (u64, u64) {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (u64, u64) = (
        a.parse().unwrap_or_else(|_| usage()),
        b.parse().unwrap_or_else(|_| usage()),
    );
    if a > b {
        usage()
    }
    (a, b)
}

fn parse_args() -> Result<Config, PathBuf> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut cfg = Config {
        backend: Backend::Sqlite,
        devices: 1_000,
        duration: Duration::from_secs(600),
        think_ms: (1_000, 10_000),
        ops: (1, 3),
        edit_share: 1.0,
        canaries: 3,
        authors: 4,
        server_bin: workspace.join("target/release/komora-sync-server"),
        work: std::env::temp_dir().join(format!("komora-soak-{stamp}")),
        scratch: Path::new("/dev/shm").join(format!("komora-soak-{stamp}")),
        keep: false,
        seed: stamp,
        json_out: None,
        label: String::new(),
        sample_every: Duration::from_secs(10),
        reuse_token: false,
    };
    let mut database = None;
    let mut backend = "sqlite".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--summarise" | "--summarize" => return Err(PathBuf::from(val())),
            "--backend" => backend = val(),
            "--database" => database = Some(val()),
            "--devices" => cfg.devices = val().parse().unwrap_or_else(|_| usage()),
            "--minutes" => {
                cfg.duration =
                    Duration::from_secs_f64(val().parse::<f64>().unwrap_or_else(|_| usage()) * 60.0)
            }
            "--seconds" => {
                cfg.duration = Duration::from_secs(val().parse().unwrap_or_else(|_| usage()))
            }
            "--think" => {
                let (a, b) = range(&val());
                cfg.think_ms = (a * 1000, b * 1000)
            }
            "--think-ms" => cfg.think_ms = range(&val()),
            "--ops" => cfg.ops = range(&val()),
            "--edit-share" => cfg.edit_share = val().parse().unwrap_or_else(|_| usage()),
            "--canaries" => cfg.canaries = val().parse().unwrap_or_else(|_| usage()),
            "--authors" => cfg.authors = val().parse().unwrap_or_else(|_| usage()),
            "--server-bin" => cfg.server_bin = PathBuf::from(val()),
            "--work" => cfg.work = PathBuf::from(val()),
            "--scratch" => cfg.scratch = PathBuf::from(val()),
            "--seed" => cfg.seed = val().parse().unwrap_or_else(|_| usage()),
            "--json-out" => cfg.json_out = Some(PathBuf::from(val())),
            "--label" => cfg.label = val(),
            "--sample-every" => {
                cfg.sample_every = Duration::from_secs(val().parse().unwrap_or_else(|_| usage()))
            }
            "--keep" => cfg.keep = true,
            "--reuse-token" => cfg.reuse_token = true,
            _ => usage(),
        }
    }
    cfg.backend = match backend.as_str() {
        "sqlite" => Backend::Sqlite,
        "postgres" | "postgresql" => Backend::Postgres(
            database
                .or_else(|| std::env::var("KOMORA_TEST_POSTGRES").ok())
                .unwrap_or_else(|| "postgres://komora:komora@127.0.0.1:5432/komora_test".into()),
        ),
        _ => usage(),
    };
    if cfg.authors == 0 {
        cfg.authors = 1;
    }
    Ok(cfg)
}

// ---------------------------------------------------------------------------------------------
// Measurements

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Challenge,
    Token,
    /// Challenge and token together: what a sync spends on logging in.
    Login,
    Push,
    /// One pull page.
    Pull,
    /// A simulated device's whole sync: login, push, every pull page.
    Sync,
    /// A real vault's `Vault::sync` (canary), retries included.
    CanarySync,
}

const KINDS: [Kind; 7] = [
    Kind::Challenge,
    Kind::Token,
    Kind::Login,
    Kind::Push,
    Kind::Pull,
    Kind::Sync,
    Kind::CanarySync,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Challenge => "challenge",
            Kind::Token => "token",
            Kind::Login => "login (challenge+token)",
            Kind::Push => "push",
            Kind::Pull => "pull page",
            Kind::Sync => "device sync (login+push+pull)",
            Kind::CanarySync => "canary Vault::sync",
        }
    }
    fn key(self) -> &'static str {
        match self {
            Kind::Challenge => "challenge",
            Kind::Token => "token",
            Kind::Login => "login",
            Kind::Push => "push",
            Kind::Pull => "pull",
            Kind::Sync => "sync",
            Kind::CanarySync => "canary_sync",
        }
    }
}

#[derive(Default)]
struct Stats {
    /// Per kind: (milliseconds since the soak began, latency in microseconds).
    lat: BTreeMap<Kind, Vec<(u32, u32)>>,
    errors: BTreeMap<String, u64>,
    error_times: Vec<u32>,
}

/// Everything the device threads share.
struct Shared {
    url: String,
    start: Instant,
    end: Instant,
    cfg: Config,
    stats: Mutex<Stats>,
    /// Genuine sealed operations waiting to be "written" by a device: (envelope, is a create).
    pool: Mutex<VecDeque<(Vec<u8>, bool)>>,
    pool_empty: AtomicU64,
    recording: AtomicBool,
    syncs: AtomicU64,
    pushed_ops: AtomicU64,
    pushed_creates: AtomicU64,
    pushed_bytes: AtomicU64,
    pulled_envs: AtomicU64,
    pulled_bytes: AtomicU64,
    requests: AtomicU64,
    canary_sent: AtomicU64,
    canary_applied: AtomicU64,
    canary_rejected: AtomicU64,
}

impl Shared {
    fn ms(&self) -> u32 {
        self.start.elapsed().as_millis() as u32
    }

    fn record(&self, kind: Kind, took: Duration) {
        if !self.recording.load(Ordering::Relaxed) {
            return;
        }
        let at = self.ms();
        let us = took.as_micros().min(u32::MAX as u128) as u32;
        self.stats
            .lock()
            .unwrap()
            .lat
            .entry(kind)
            .or_default()
            .push((at, us));
    }

    fn error(&self, what: String) {
        if !self.recording.load(Ordering::Relaxed) {
            return;
        }
        let at = self.ms();
        let mut s = self.stats.lock().unwrap();
        *s.errors.entry(what).or_default() += 1;
        s.error_times.push(at);
    }

    /// One request, timed; a failure is counted by route and kind.
    fn call<T>(&self, kind: Kind, f: impl FnOnce() -> Result<T, TransportError>) -> Result<T, ()> {
        let t = Instant::now();
        let r = f();
        self.requests.fetch_add(1, Ordering::Relaxed);
        match r {
            Ok(v) => {
                self.record(kind, t.elapsed());
                Ok(v)
            }
            Err(e) => {
                self.error(format!("{}: {}", kind.key(), describe(&e)));
                Err(())
            }
        }
    }
}

fn describe(e: &TransportError) -> String {
    match e {
        TransportError::Network(reason) => format!("network ({reason})"),
        TransportError::Rejected { status, code, .. } => format!("{status} {code:?}"),
        other => format!("{other:?}"),
    }
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

// ---------------------------------------------------------------------------------------------
// The server process

struct Server {
    child: Child,
    pid: u32,
    url: String,
    bootstrap: String,
    data: Option<PathBuf>,
    /// PostgreSQL: the connection URL (with the schema) and the schema.
    pg: Option<(String, String)>,
}

fn psql(url: &str, sql: &str) -> Result<String, String> {
    let out = Command::new("psql")
        .arg(url)
        .args(["-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn start_server(cfg: &Config) -> Server {
    if !cfg.server_bin.exists() {
        eprintln!(
            "{} is missing: run `cargo build --release -p komora-sync-server` first (or pass --server-bin)",
            cfg.server_bin.display()
        );
        std::process::exit(1);
    }
    std::fs::create_dir_all(&cfg.work).unwrap();
    let mut cmd = Command::new(&cfg.server_bin);
    for (k, _) in std::env::vars() {
        if k.starts_with("KOMORA_SYNC_") {
            cmd.env_remove(k);
        }
    }
    // Every simulated device connects from 127.0.0.1: the per-address limits (10 enrolments
    // and 120 logins a minute by default) would refuse nearly all of them.
    // Plain HTTP on loopback: the soak measures the server's work, comparable with the runs
    // before it served TLS itself (a TLS soak would add the handshakes).
    cmd.args(["--listen", "127.0.0.1:0", "--plain-http"])
        .args(["--codes-per-minute", "1000000"])
        .args(["--logins-per-minute", "100000000"])
        // The administrator's vault logs in once per invitation (1,000 of them), and the
        // per-device limit on logins, added after this soak was written, held it for about an
        // hour and a half before the load began.
        .args(["--device-logins-per-minute", "100000000"])
        .env("KOMORA_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(cfg.work.join("server.log")).unwrap());
    let mut data = None;
    let mut pg = None;
    match &cfg.backend {
        Backend::Sqlite => {
            let d = cfg.work.join("server-data");
            cmd.arg("--data").arg(&d);
            data = Some(d);
        }
        Backend::Postgres(base) => {
            // A fresh schema for this run: created and migrated by the server's own store code,
            // then the binary is pointed at it through the URL's `options`.
            let schema = format!("soak_{}_{}", cfg.seed, std::process::id());
            komora_sync_server::db::wait(komora_sync_server::db::postgres::PostgresDb::open(
                base,
                Some(&schema),
                1,
            ))
            .and_then(|opened| opened)
            .unwrap_or_else(|e| {
                eprintln!("cannot prepare PostgreSQL schema {schema} at {base}: {e}");
                std::process::exit(1)
            });
            let sep = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
            cmd.arg("--database").arg(&url);
            pg = Some((url, schema));
        }
    }
    let mut child = cmd.spawn().expect("start the server");
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut bootstrap = None;
    let url = loop {
        let Some(Ok(line)) = lines.next() else {
            let _ = child.kill();
            panic!(
                "the server stopped before listening; see {}",
                cfg.work.join("server.log").display()
            );
        };
        if let Some(code) = line.strip_prefix("bootstrap code: ") {
            bootstrap = Some(code.trim().to_owned());
        } else if let Some(url) = line.strip_prefix("listening on ") {
            break url.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        pid,
        url,
        bootstrap: bootstrap.expect("a fresh store prints a bootstrap code"),
        data,
        pg,
    }
}

impl Server {
    fn proc_status(&self, field: &str) -> u64 {
        proc_status(&format!("/proc/{}/status", self.pid), field)
    }

    /// Bytes the store takes on disk (SQLite: database, WAL and shared memory; PostgreSQL: the
    /// schema's tables with their indexes and TOAST).
    fn db_bytes(&self) -> u64 {
        if let Some(d) = &self.data {
            return ["komora-sync.db", "komora-sync.db-wal", "komora-sync.db-shm"]
                .iter()
                .filter_map(|f| std::fs::metadata(d.join(f)).ok())
                .map(|m| m.len())
                .sum();
        }
        let (url, schema) = self.pg.as_ref().unwrap();
        psql(
            url,
            &format!(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = '{schema}' AND c.relkind = 'r'"
            ),
        )
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
    }

    /// Rows per table of the store.
    fn row_counts(&self) -> BTreeMap<String, i64> {
        let tables = [
            "ops",
            "tokens",
            "challenges",
            "devices",
            "invites",
            "roster",
        ];
        let mut out = BTreeMap::new();
        if let Some(d) = &self.data {
            let conn = rusqlite::Connection::open_with_flags(
                d.join("komora-sync.db"),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            );
            if let Ok(conn) = conn {
                for t in tables {
                    if let Ok(n) =
                        conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                    {
                        out.insert(t.to_owned(), n);
                    }
                }
            }
        } else {
            let (url, _) = self.pg.as_ref().unwrap();
            for t in tables {
                if let Ok(n) = psql(url, &format!("SELECT count(*) FROM {t}")) {
                    if let Ok(n) = n.parse() {
                        out.insert(t.to_owned(), n);
                    }
                }
            }
        }
        out
    }

    /// SIGTERM (graceful), then SIGKILL if it has not stopped in 10 s. Says how it ended.
    fn stop(&mut self) -> String {
        use std::os::unix::process::ExitStatusExt;
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        let t = Instant::now();
        let describe = |s: std::process::ExitStatus| match (s.code(), s.signal()) {
            (Some(c), _) => format!("exit code {c}"),
            (None, Some(sig)) => format!("killed by signal {sig}"),
            _ => "unknown".into(),
        };
        while t.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(s)) = self.child.try_wait() {
                return describe(s);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let s = self.child.wait();
        format!(
            "did not stop within 10 s of SIGTERM; SIGKILL: {}",
            s.map(describe).unwrap_or_default()
        )
    }
}

/// What the server's own log says of each request between two offsets of the log: per route,
/// the handler's time in milliseconds (its `observe` layer: waits for the blocking pool and the
/// store included, the socket and the client not) and the statuses.
#[derive(Default)]
struct RouteLog {
    ms: Vec<u32>,
    statuses: BTreeMap<u16, u64>,
}

fn server_log(path: &Path, from: u64, to: u64) -> BTreeMap<String, RouteLog> {
    use std::io::{Read, Seek, SeekFrom};
    let mut out: BTreeMap<String, RouteLog> = BTreeMap::new();
    let Ok(mut f) = std::fs::File::open(path) else {
        return out;
    };
    if f.seek(SeekFrom::Start(from)).is_err() {
        return out;
    }
    let mut text = String::new();
    let _ = f.take(to.saturating_sub(from)).read_to_string(&mut text);
    for line in text.lines() {
        let (mut route, mut status, mut ms) = (None, None, None);
        for word in line.split_whitespace() {
            if let Some(v) = word.strip_prefix("route=") {
                route = Some(v.trim_matches('"').to_owned());
            } else if let Some(v) = word.strip_prefix("status=") {
                status = v.parse::<u16>().ok();
            } else if let Some(v) = word.strip_prefix("ms=") {
                ms = v.parse::<u32>().ok();
            }
        }
        if let (Some(r), Some(st), Some(ms)) = (route, status, ms) {
            let e = out.entry(r).or_default();
            e.ms.push(ms);
            *e.statuses.entry(st).or_default() += 1;
        }
    }
    out
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn proc_status(path: &str, field: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU seconds (user + system) a process has used.
fn cpu_seconds(pid: &str, ticks: f64) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            // After the command: state is field 3, utime 14 and stime 15 (1-based).
            let u: f64 = f.get(11)?.parse().ok()?;
            let st: f64 = f.get(12)?.parse().ok()?;
            Some((u + st) / ticks)
        })
        .unwrap_or(0.0)
}

/// CPU seconds used by every live `postgres` process (the database's share of the machine
/// during a PostgreSQL soak; other users of the same cluster count too).
fn postgres_cpu_seconds(ticks: f64) -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|p| p.chars().all(|c| c.is_ascii_digit()))
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm"))
                .map(|c| c.trim() == "postgres")
                .unwrap_or(false)
        })
        .map(|p| cpu_seconds(&p, ticks))
        .sum()
}

/// (busy, total) jiffies of the whole machine.
fn machine_jiffies() -> (u64, u64) {
    let s = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let v: Vec<u64> = s
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: u64 = v.iter().sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    (total - idle, total)
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

// ---------------------------------------------------------------------------------------------
// Enrolment without a vault: what the core's `remote/enrol.rs` derives from a code.

fn hkdf32(salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, salt).extract(ikm);
    let mut out = [0u8; 32];
    prk.expand(&[info], ring::hkdf::HKDF_SHA256)
        .and_then(|okm| okm.fill(&mut out))
        .unwrap();
    out
}

struct SimDevice {
    id: Id16,
    key: Ed25519KeyPair,
    cursor: u64,
    unsent: Vec<(Vec<u8>, bool)>,
    /// With `--reuse-token`: the token and when it was issued.
    token: Option<(String, Instant)>,
}

fn random16() -> [u8; 16] {
    *komora_core::DeviceId::random().as_bytes()
}

/// Enrol one simulated device with an invitation code, over `t`.
fn enrol_simulated(t: &mut HttpTransport, code: &str) -> Result<SimDevice, TransportError> {
    let canonical = komora_protocol::code::normalise(code).expect("a valid code");
    let mut input = b"komora/invite-lookup/v1\0".to_vec();
    input.extend_from_slice(canonical.as_bytes());
    let lookup = ring::digest::digest(&ring::digest::SHA256, &input);
    let seed = hkdf32(b"komora/invite-sign/v1", canonical.as_bytes(), b"sign");
    let invite = Ed25519KeyPair::from_seed_unchecked(&seed).unwrap();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let id = Id16(random16());
    let sign_pk: [u8; 32] = key.public_key().as_ref().try_into().unwrap();
    // Any 32 bytes are an X25519 public key; nobody wraps a key for these devices (no
    // revocation happens during the soak).
    let mut kx_pk = [0u8; 32];
    kx_pk[..16].copy_from_slice(&random16());
    kx_pk[16..].copy_from_slice(&random16());
    let statement = Statement::Member {
        invite_pk: invite.public_key().as_ref().try_into().unwrap(),
        device: id,
        sign_pk,
        kx_pk,
    }
    .encode();
    let signature = invite
        .sign(&SignedStatement::message(&statement))
        .as_ref()
        .to_vec();
    let member = SignedStatement {
        statement,
        signature,
    }
    .to_bytes();
    t.enroll(&EnrollRequest {
        lookup: Bytes(lookup.as_ref().to_vec()),
        device: DeviceRegistration {
            device_id: id,
            sign_pk: Bytes(sign_pk.to_vec()),
            kx_pk: Bytes(kx_pk.to_vec()),
        },
        member: Bytes(member),
    })?;
    Ok(SimDevice {
        id,
        key,
        cursor: 0,
        unsent: Vec::new(),
        token: None,
    })
}

// ---------------------------------------------------------------------------------------------
// The devices

fn think(rng: &mut Rng, cfg: &Config) -> Duration {
    let (a, b) = cfg.think_ms;
    Duration::from_millis(a + rng.below(b - a + 1))
}

/// Sleep `d`, or until the end of the soak; false when the soak is over.
fn sleep_until_end(sh: &Shared, d: Duration) -> bool {
    let now = Instant::now();
    if now + d >= sh.end {
        std::thread::sleep(sh.end.saturating_duration_since(now));
        return false;
    }
    std::thread::sleep(d);
    true
}

/// One sync as the core's engine does it: a new login, push what waits, pull every page.
fn sync_once(dev: &mut SimDevice, t: &mut HttpTransport, sh: &Shared) -> Result<(), ()> {
    let began = Instant::now();
    let fresh = dev
        .token
        .as_ref()
        .filter(|(_, at)| sh.cfg.reuse_token && at.elapsed() < Duration::from_secs(14 * 60))
        .map(|(tok, _)| tok.clone());
    let token = match fresh {
        Some(token) => token,
        None => {
            let challenge = sh.call(Kind::Challenge, || {
                t.challenge(&ChallengeRequest { device_id: dev.id })
            })?;
            let signature = dev.key.sign(&komora_protocol::login_message(
                &dev.id,
                &challenge.challenge.0,
            ));
            let token = sh.call(Kind::Token, || {
                t.token(&TokenRequest {
                    device_id: dev.id,
                    challenge: challenge.challenge,
                    signature: Bytes(signature.as_ref().to_vec()),
                    report: None,
                })
            })?;
            sh.record(Kind::Login, began.elapsed());
            dev.token = Some((token.token.clone(), Instant::now()));
            token.token
        }
    };
    let result = sync_logged_in(dev, t, sh, &token, began);
    if result.is_err() {
        dev.token = None; // log in again next time
    }
    result
}

fn sync_logged_in(
    dev: &mut SimDevice,
    t: &mut HttpTransport,
    sh: &Shared,
    token: &str,
    began: Instant,
) -> Result<(), ()> {
    if !dev.unsent.is_empty() {
        let batch = komora_protocol::PushBatchV2 {
            envelopes: dev.unsent.iter().map(|(e, _)| e.clone()).collect(),
            meta: vec![komora_protocol::OpMeta::default(); dev.unsent.len()],
            then_pull: None,
            priority: Vec::new(),
        };
        let bytes: u64 = batch.envelopes.iter().map(|e| e.len() as u64).sum();
        let r = sh.call(Kind::Push, || t.push(token, &batch))?;
        let n = dev.unsent.len() as u64;
        if u64::from(r.stored) + u64::from(r.duplicates) != n {
            sh.error(format!(
                "push: answer counts {} of {n} operations",
                r.stored + r.duplicates
            ));
        }
        let creates = dev.unsent.iter().filter(|(_, c)| *c).count() as u64;
        sh.pushed_ops.fetch_add(n, Ordering::Relaxed);
        sh.pushed_creates.fetch_add(creates, Ordering::Relaxed);
        sh.pushed_bytes.fetch_add(bytes, Ordering::Relaxed);
        dev.unsent.clear();
    }
    loop {
        let page = sh.call(Kind::Pull, || {
            t.pull(token, dev.cursor, DEFAULT_PULL_BYTES, None)
        })?;
        sh.pulled_envs
            .fetch_add(page.envelopes.len() as u64, Ordering::Relaxed);
        sh.pulled_bytes.fetch_add(
            page.envelopes.iter().map(|e| e.len() as u64).sum(),
            Ordering::Relaxed,
        );
        dev.cursor = page.next;
        if !page.more {
            break;
        }
    }
    sh.record(Kind::Sync, began.elapsed());
    sh.syncs.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

fn device_loop(mut dev: SimDevice, sh: Arc<Shared>, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut t = HttpTransport::new(&sh.url).unwrap();
    // Devices start spread over one think time.
    if !sleep_until_end(&sh, Duration::from_millis(rng.below(sh.cfg.think_ms.1 + 1))) {
        return;
    }
    loop {
        if (rng.below(1_000_000) as f64) < sh.cfg.edit_share * 1_000_000.0 {
            let (a, b) = sh.cfg.ops;
            let k = a + rng.below(b - a + 1);
            let mut pool = sh.pool.lock().unwrap();
            for _ in 0..k {
                match pool.pop_front() {
                    Some(op) => dev.unsent.push(op),
                    None => {
                        sh.pool_empty.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
            }
        }
        let _ = sync_once(&mut dev, &mut t, &sh);
        if !sleep_until_end(&sh, think(&mut rng, &sh.cfg)) {
            break;
        }
    }
    // After the soak (not measured): push what a failed sync left, so the canaries can check
    // that every acknowledged operation reached them.
    for _ in 0..10 {
        if dev.unsent.is_empty() {
            break;
        }
        let _ = sync_once(&mut dev, &mut t, &sh);
        if !dev.unsent.is_empty() {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
    if !dev.unsent.is_empty() {
        eprintln!(
            "a device could not push {} operations after the soak",
            dev.unsent.len()
        );
    }
}

struct CanaryResult {
    vault: Vault,
    created: u64,
    /// Local changes made (one operation each).
    changes: u64,
}

fn canary_loop(mut vault: Vault, sh: Arc<Shared>, seed: u64, n: usize) -> CanaryResult {
    let mut rng = Rng::new(seed);
    let mut t = HttpTransport::new(&sh.url).unwrap();
    let mut mine: Vec<RecordId> = Vec::new();
    let mut created = 0u64;
    let mut i = 0u64;
    let mut changes = 0u64;
    if sleep_until_end(&sh, Duration::from_millis(rng.below(sh.cfg.think_ms.1 + 1))) {
        loop {
            let (a, b) = sh.cfg.ops;
            for _ in 0..(a + rng.below(b - a + 1)) {
                i += 1;
                changes += 1;
                if mine.is_empty() || rng.below(3) == 0 {
                    let id = vault
                        .add_client(&NewClient {
                            name: format!("Canary {n} client {i}"),
                            phone: Some(format!("0789{:06}", i % 1_000_000)),
                            sex: Some(if i.is_multiple_of(2) {
                                Sex::Female
                            } else {
                                Sex::Male
                            }),
                            birth_year: Some(1950 + (i % 60) as u16),
                            ..Default::default()
                        })
                        .expect("a canary saves");
                    mine.push(id);
                    created += 1;
                    if KEYS_APART {
                        changes += 1; // her file's keys, an operation of their own
                    }
                } else {
                    let id = mine[rng.below(mine.len() as u64) as usize];
                    vault
                        .edit_client(
                            id,
                            &ClientEdit {
                                name: Some(format!("Canary {n} client edited {i}")),
                                ..Default::default()
                            },
                        )
                        .expect("a canary edits");
                }
            }
            let began = Instant::now();
            match vault.sync(&mut t, &SyncOptions::default(), &mut |_| {}) {
                Ok(r) => {
                    sh.record(Kind::CanarySync, began.elapsed());
                    sh.canary_sent.fetch_add(r.sent_ops, Ordering::Relaxed);
                    sh.canary_applied.fetch_add(r.applied, Ordering::Relaxed);
                    sh.canary_rejected
                        .fetch_add(r.rejected.len() as u64, Ordering::Relaxed);
                }
                Err(e) => sh.error(format!("canary sync: {e}")),
            }
            if !sleep_until_end(&sh, think(&mut rng, &sh.cfg)) {
                break;
            }
        }
    }
    CanaryResult {
        vault,
        created,
        changes,
    }
}

// ---------------------------------------------------------------------------------------------
// Setup: the team, the genuine operations, the devices

fn enrol_vault(
    admin: &mut Vault,
    t: &mut HttpTransport,
    url: &str,
    dir: &Path,
) -> Result<Vault, String> {
    let inv = admin
        .invite(t, Role::Counsellor, Duration::from_secs(3600))
        .map_err(|e| format!("invite: {e}"))?;
    Vault::enroll(dir, "soak passphrase", t, url, &inv.code, fast_options())
        .map_err(|e| format!("enrol: {e}"))
}

/// A new client is two operations in the teams this soak founds (format 5 on: ADR 0022).
const KEYS_APART: bool = komora_core::format::APP_FORMAT >= komora_core::format::KEYS_APART;

/// Genuine operations sealed and signed by `authors` (enrolled vaults that never sync): a third
/// create a client, the rest edit one. Interleaved across authors.
fn make_pool(authors: Vec<Vault>, total: usize, seed: u64) -> VecDeque<(Vec<u8>, bool)> {
    let per = total.div_ceil(authors.len());
    let streams: Vec<Vec<(Vec<u8>, bool)>> = std::thread::scope(|s| {
        let handles: Vec<_> = authors
            .into_iter()
            .enumerate()
            .map(|(a, mut v)| {
                s.spawn(move || {
                    let mut rng = Rng::new(seed ^ (0xA0 + a as u64));
                    let mut ids = Vec::new();
                    let mut flags = Vec::with_capacity(per);
                    for i in 0..per {
                        if ids.is_empty() || rng.below(3) == 0 {
                            ids.push(
                                v.add_client(&NewClient {
                                    name: format!("Soak client {a}-{i}"),
                                    phone: Some(format!("0788{:06}", i % 1_000_000)),
                                    sex: Some(if i % 2 == 0 { Sex::Female } else { Sex::Male }),
                                    birth_year: Some(1950 + (i % 60) as u16),
                                    ..Default::default()
                                })
                                .unwrap(),
                            );
                            // From team format 5 a new client is two operations: her
                            // file's keys, then her fields (ADR 0022); the fields' one counts
                            // as the client's creation.
                            if KEYS_APART {
                                flags.push(false);
                            }
                            flags.push(true);
                        } else {
                            let id = ids[rng.below(ids.len() as u64) as usize];
                            v.edit_client(
                                id,
                                &ClientEdit {
                                    name: Some(format!("Soak client {a}-{i} edited")),
                                    ..Default::default()
                                },
                            )
                            .unwrap();
                            flags.push(false);
                        }
                    }
                    let ops = v.all_ops().unwrap();
                    assert_eq!(ops.len(), flags.len(), "the operations of each change");
                    ops.into_iter()
                        .map(|o| o.to_bytes())
                        .zip(flags)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut out = VecDeque::with_capacity(per * streams.len());
    let mut iters: Vec<_> = streams.into_iter().map(|s| s.into_iter()).collect();
    loop {
        let mut any = false;
        for it in iters.iter_mut() {
            if let Some(x) = it.next() {
                out.push_back(x);
                any = true;
            }
        }
        if !any {
            break;
        }
    }
    out
}

#[derive(Clone, Debug, Default)]
struct Sample {
    t_s: f64,
    rss_kib: u64,
    hwm_kib: u64,
    threads: u64,
    server_cpu_pct: f64,
    soak_cpu_pct: f64,
    postgres_cpu_pct: f64,
    /// Of both cores, in % of one core: 200 is the whole machine.
    machine_busy_pct: f64,
    db_bytes: u64,
    syncs: u64,
    requests: u64,
    errors: u64,
    sync_p50_ms: f64,
    sync_p99_ms: f64,
}

fn main() {
    let cfg = match parse_args() {
        Ok(c) => c,
        Err(file) => {
            summarise(&file);
            return;
        }
    };
    let backend_name = match &cfg.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    println!(
        "soak: {} devices, {} s, backend {backend_name}, think {}-{} ms, {}-{} ops per edit (share {}), {} canaries",
        cfg.devices,
        cfg.duration.as_secs(),
        cfg.think_ms.0,
        cfg.think_ms.1,
        cfg.ops.0,
        cfg.ops.1,
        cfg.edit_share,
        cfg.canaries
    );
    std::fs::create_dir_all(&cfg.scratch).unwrap();
    let mut server = start_server(&cfg);
    println!("server pid {} at {}", server.pid, server.url);
    let ticks = clock_ticks();
    let rss_at_start = server.proc_status("VmRSS:");

    // The team: a real administrator's vault, canaries and authors enrolled by the real core.
    let setup = Instant::now();
    let mut t = HttpTransport::new(&server.url).unwrap();
    let mut admin = Vault::bootstrap(
        cfg.scratch.join("admin"),
        "soak passphrase",
        &mut t,
        &server.url,
        &server.bootstrap,
        "AMI",
        "Soak",
        fast_options(),
    )
    .expect("bootstrap");
    let mut canaries = Vec::new();
    for i in 0..cfg.canaries {
        canaries.push(
            enrol_vault(
                &mut admin,
                &mut t,
                &server.url,
                &cfg.scratch.join(format!("canary-{i}")),
            )
            .unwrap(),
        );
    }
    let mut authors = Vec::new();
    for i in 0..cfg.authors {
        authors.push(
            enrol_vault(
                &mut admin,
                &mut t,
                &server.url,
                &cfg.scratch.join(format!("author-{i}")),
            )
            .unwrap(),
        );
    }

    // The simulated devices: invited one by one by the administrator, enrolled over HTTP.
    let enrol_start = Instant::now();
    let mut invite_lat = Vec::with_capacity(cfg.devices);
    let mut enrol_lat = Vec::with_capacity(cfg.devices);
    let mut devices = Vec::with_capacity(cfg.devices);
    for i in 0..cfg.devices {
        let t0 = Instant::now();
        let inv = admin
            .invite(&mut t, Role::Counsellor, Duration::from_secs(3600))
            .unwrap_or_else(|e| panic!("invite {i}: {e}"));
        invite_lat.push(t0.elapsed().as_micros() as u32);
        let t1 = Instant::now();
        devices.push(enrol_simulated(&mut t, &inv.code).unwrap_or_else(|e| {
            panic!("enrol {i}: {}", describe(&e));
        }));
        enrol_lat.push(t1.elapsed().as_micros() as u32);
        if (i + 1) % 250 == 0 {
            println!("  enrolled {} devices", i + 1);
        }
    }
    let enrol_time = enrol_start.elapsed();
    invite_lat.sort_unstable();
    enrol_lat.sort_unstable();
    println!(
        "enrolled {} devices in {:.1} s (invite p50 {:.1} ms, enrol p50 {:.1} ms)",
        cfg.devices,
        enrol_time.as_secs_f64(),
        percentile(&invite_lat, 50.0) as f64 / 1e3,
        percentile(&enrol_lat, 50.0) as f64 / 1e3
    );

    // Genuine operations for the devices to write: as many as the workload should need, and a
    // quarter more.
    let mean_cycle_s = (cfg.think_ms.0 + cfg.think_ms.1) as f64 / 2000.0 + 0.05;
    let expected = cfg.devices as f64 * cfg.duration.as_secs_f64() / mean_cycle_s
        * cfg.edit_share
        * (cfg.ops.0 + cfg.ops.1) as f64
        / 2.0;
    let pool_size = (expected * 1.25) as usize + 1_000;
    let t0 = Instant::now();
    let pool = make_pool(authors, pool_size, cfg.seed);
    let pool_bytes: usize = pool.iter().map(|(e, _)| e.len()).sum();
    println!(
        "sealed {} genuine operations ({:.0} bytes each on average) in {:.1} s",
        pool.len(),
        pool_bytes as f64 / pool.len().max(1) as f64,
        t0.elapsed().as_secs_f64()
    );
    // Canaries fetch the device list once before the clock starts, as tablets already in use.
    for c in canaries.iter_mut() {
        c.sync(&mut t, &SyncOptions::default(), &mut |_| {})
            .expect("a canary's first sync");
    }
    let setup_time = setup.elapsed();
    let rss_before = server.proc_status("VmRSS:");
    let db_before = server.db_bytes();

    // The soak.
    let log_path = cfg.work.join("server.log");
    let log_start = file_len(&log_path);
    let start = Instant::now();
    let sh = Arc::new(Shared {
        url: server.url.clone(),
        start,
        end: start + cfg.duration,
        cfg: cfg.clone(),
        stats: Mutex::new(Stats::default()),
        pool: Mutex::new(pool),
        pool_empty: AtomicU64::new(0),
        recording: AtomicBool::new(true),
        syncs: AtomicU64::new(0),
        pushed_ops: AtomicU64::new(0),
        pushed_creates: AtomicU64::new(0),
        pushed_bytes: AtomicU64::new(0),
        pulled_envs: AtomicU64::new(0),
        pulled_bytes: AtomicU64::new(0),
        requests: AtomicU64::new(0),
        canary_sent: AtomicU64::new(0),
        canary_applied: AtomicU64::new(0),
        canary_rejected: AtomicU64::new(0),
    });
    let device_threads: Vec<_> = devices
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let sh = sh.clone();
            let seed = cfg.seed.wrapping_mul(31).wrapping_add(i as u64 + 1);
            std::thread::Builder::new()
                .name(format!("device-{i}"))
                .stack_size(256 * 1024)
                .spawn(move || device_loop(d, sh, seed))
                .expect("spawn a device thread")
        })
        .collect();
    let canary_threads: Vec<_> = canaries
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let sh = sh.clone();
            let seed = cfg.seed ^ (0xC0 + i as u64);
            std::thread::spawn(move || canary_loop(v, sh, seed, i))
        })
        .collect();

    // Sample the server every `sample_every` until the end.
    let mut samples: Vec<Sample> = Vec::new();
    let pid = server.pid.to_string();
    let pg_backend = matches!(cfg.backend, Backend::Postgres(_));
    let pg_cpu = || {
        if pg_backend {
            postgres_cpu_seconds(ticks)
        } else {
            0.0
        }
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let mut last_cpu = (
        cpu_seconds(&pid, ticks),
        cpu_seconds("self", ticks),
        machine_jiffies(),
        Instant::now(),
        pg_cpu(),
    );
    let mut seen_sync = 0usize;
    let mut next = start + cfg.sample_every;
    println!(
        "{:>6} {:>9} {:>9} {:>7} {:>7} {:>6} {:>8} {:>9} {:>8} {:>6} {:>9} {:>9}",
        "t (s)",
        "RSS MiB",
        "HWM MiB",
        "srv %",
        "soak %",
        "pg %",
        "machine",
        "DB MiB",
        "syncs",
        "errors",
        "sync p50",
        "sync p99"
    );
    while Instant::now() < sh.end + Duration::from_millis(500) {
        let now = Instant::now();
        if now < next {
            std::thread::sleep((next - now).min(Duration::from_millis(500)));
            continue;
        }
        next += cfg.sample_every;
        let cpu = (
            cpu_seconds(&pid, ticks),
            cpu_seconds("self", ticks),
            machine_jiffies(),
            Instant::now(),
            pg_cpu(),
        );
        let wall = (cpu.3 - last_cpu.3).as_secs_f64();
        let (busy, total) = (cpu.2 .0 - last_cpu.2 .0, cpu.2 .1 - last_cpu.2 .1);
        let (mut window, errors) = {
            let s = sh.stats.lock().unwrap();
            let all = s.lat.get(&Kind::Sync).map(|v| &v[..]).unwrap_or(&[]);
            let w: Vec<u32> = all[seen_sync.min(all.len())..]
                .iter()
                .map(|x| x.1)
                .collect();
            seen_sync = all.len();
            (w, s.error_times.len() as u64)
        };
        window.sort_unstable();
        let s = Sample {
            t_s: start.elapsed().as_secs_f64(),
            rss_kib: server.proc_status("VmRSS:"),
            hwm_kib: server.proc_status("VmHWM:"),
            threads: server.proc_status("Threads:"),
            server_cpu_pct: (cpu.0 - last_cpu.0) / wall * 100.0,
            soak_cpu_pct: (cpu.1 - last_cpu.1) / wall * 100.0,
            postgres_cpu_pct: ((cpu.4 - last_cpu.4) / wall * 100.0).max(0.0),
            machine_busy_pct: busy as f64 / total.max(1) as f64 * 100.0 * cores,
            db_bytes: server.db_bytes(),
            syncs: sh.syncs.load(Ordering::Relaxed),
            requests: sh.requests.load(Ordering::Relaxed),
            errors,
            sync_p50_ms: percentile(&window, 50.0) as f64 / 1e3,
            sync_p99_ms: percentile(&window, 99.0) as f64 / 1e3,
        };
        last_cpu = cpu;
        println!(
            "{:>6.0} {:>9.1} {:>9.1} {:>7.0} {:>7.0} {:>6.0} {:>8.0} {:>9.1} {:>8} {:>6} {:>9.1} {:>9.1}",
            s.t_s,
            s.rss_kib as f64 / 1024.0,
            s.hwm_kib as f64 / 1024.0,
            s.server_cpu_pct,
            s.soak_cpu_pct,
            s.postgres_cpu_pct,
            s.machine_busy_pct,
            s.db_bytes as f64 / 1048576.0,
            s.syncs,
            s.errors,
            s.sync_p50_ms,
            s.sync_p99_ms
        );
        samples.push(s);
    }
    // Syncs in flight at the deadline still count; then the drain is not measured.
    let joined_at = Instant::now();
    let wait_for_devices = std::thread::spawn(move || {
        for th in device_threads {
            th.join().unwrap();
        }
    });
    let canary_results: Vec<CanaryResult> = canary_threads
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    // Stop recording once every device and canary has finished its last measured sync: the
    // devices' drain pushes are not part of the figures.
    sh.recording.store(false, Ordering::Relaxed);
    let log_end = file_len(&log_path);
    wait_for_devices.join().unwrap();
    let elapsed = sh.end.duration_since(start).as_secs_f64();
    let rss_end = server.proc_status("VmRSS:");
    let hwm_end = server.proc_status("VmHWM:");
    let db_end = server.db_bytes();
    println!(
        "devices stopped {:.1} s after the deadline",
        joined_at.elapsed().as_secs_f64()
    );

    // The canaries must end identical, with every acknowledged operation, nothing refused.
    let mut canary_vaults: Vec<Vault> = Vec::new();
    let mut canary_created = 0;
    let mut canary_changes = 0;
    for r in canary_results {
        canary_created += r.created;
        canary_changes += r.changes;
        canary_vaults.push(r.vault);
    }
    let mut final_errors = Vec::new();
    for _round in 0..2 {
        for (i, v) in canary_vaults.iter_mut().enumerate() {
            match v.sync(&mut t, &SyncOptions::default(), &mut |_| {}) {
                Ok(r) => {
                    sh.canary_rejected
                        .fetch_add(r.rejected.len() as u64, Ordering::Relaxed);
                    sh.canary_sent.fetch_add(r.sent_ops, Ordering::Relaxed);
                }
                Err(e) => final_errors.push(format!("canary {i} final sync: {e}")),
            }
        }
    }
    let expected_clients = sh.pushed_creates.load(Ordering::Relaxed) + canary_created;
    let mut checks: Vec<(String, bool)> = Vec::new();
    let listings: Vec<Vec<komora_core::Client>> = canary_vaults
        .iter()
        .map(|v| {
            let l = v.clients().unwrap();
            let mut items = l.items;
            items.sort_by_key(|c| *c.id.as_bytes());
            if !l.unreadable.is_empty() {
                final_errors.push(format!("{} unreadable records", l.unreadable.len()));
            }
            items
        })
        .collect();
    if let Some(first) = listings.first() {
        checks.push((
            format!(
                "every canary lists {expected_clients} clients (created by acknowledged pushes and by the canaries)"
            ),
            listings
                .iter()
                .all(|l| l.len() as u64 == expected_clients),
        ));
        checks.push((
            "the canaries are identical".into(),
            listings.iter().all(|l| l == first),
        ));
    }
    checks.push((
        "no operation refused by a canary".into(),
        sh.canary_rejected.load(Ordering::Relaxed) == 0,
    ));
    checks.push((
        "canary final syncs succeeded".into(),
        final_errors.is_empty(),
    ));
    let rows = server.row_counts();
    let expected_ops = sh.pushed_ops.load(Ordering::Relaxed) + canary_changes;
    if let Some(&n) = rows.get("ops") {
        checks.push((
            format!("the server stores {expected_ops} operations (acknowledged pushes)"),
            n as u64 == expected_ops,
        ));
    }
    for e in &final_errors {
        eprintln!("{e}");
    }

    let server_exit = server.stop();
    let db_after_stop = server.db_bytes();

    // ----- Report
    let stats = sh.stats.lock().unwrap();
    let mut json_lat = serde_json::Map::new();
    println!();
    println!(
        "## {} devices, {:.0} s, {backend_name}{}",
        cfg.devices,
        elapsed,
        if cfg.label.is_empty() {
            String::new()
        } else {
            format!(" ({})", cfg.label)
        }
    );
    println!();
    println!("| request | count | per s | p50 ms | p90 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|");
    for kind in KINDS {
        let Some(v) = stats.lat.get(&kind) else {
            continue;
        };
        let mut l: Vec<u32> = v.iter().map(|x| x.1).collect();
        l.sort_unstable();
        let f = |p: f64| percentile(&l, p) as f64 / 1e3;
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            kind.name(),
            l.len(),
            l.len() as f64 / elapsed,
            f(50.0),
            f(90.0),
            f(99.0),
            l.last().copied().unwrap_or(0) as f64 / 1e3
        );
        json_lat.insert(
            kind.key().into(),
            serde_json::json!({
                "count": l.len(), "p50_ms": f(50.0), "p90_ms": f(90.0), "p99_ms": f(99.0),
                "max_ms": l.last().copied().unwrap_or(0) as f64 / 1e3,
            }),
        );
    }
    let routes = server_log(&log_path, log_start, log_end);
    let mut json_routes = serde_json::Map::new();
    if !routes.is_empty() {
        println!();
        println!("Server side (its log: handler time in whole ms, during the soak):");
        println!();
        println!("| route | count | p50 ms | p99 ms | max ms | statuses |");
        println!("|---|---|---|---|---|---|");
        for (route, r) in &routes {
            let mut l = r.ms.clone();
            l.sort_unstable();
            let statuses = r
                .statuses
                .iter()
                .map(|(s, n)| format!("{s}: {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            println!(
                "| {route} | {} | {} | {} | {} | {statuses} |",
                l.len(),
                percentile(&l, 50.0),
                percentile(&l, 99.0),
                l.last().copied().unwrap_or(0)
            );
            json_routes.insert(
                route.clone(),
                serde_json::json!({
                    "count": l.len(), "p50_ms": percentile(&l, 50.0), "p99_ms": percentile(&l, 99.0),
                    "max_ms": l.last().copied().unwrap_or(0),
                    "statuses": r.statuses.iter().map(|(s, n)| (s.to_string(), serde_json::json!(n))).collect::<serde_json::Map<_, _>>(),
                }),
            );
        }
    }
    let total_errors: u64 = stats.errors.values().sum();
    let requests = sh.requests.load(Ordering::Relaxed);
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| setup (team, {} canaries, {} authors, enrolment, operations) | {:.1} s |",
        cfg.canaries,
        cfg.authors,
        setup_time.as_secs_f64()
    );
    println!(
        "| enrolment of {} devices (invite + enrol, one after another) | {:.1} s; invite p50 {:.1} ms / p99 {:.1} ms; enrol p50 {:.1} ms / p99 {:.1} ms |",
        cfg.devices,
        enrol_time.as_secs_f64(),
        percentile(&invite_lat, 50.0) as f64 / 1e3,
        percentile(&invite_lat, 99.0) as f64 / 1e3,
        percentile(&enrol_lat, 50.0) as f64 / 1e3,
        percentile(&enrol_lat, 99.0) as f64 / 1e3
    );
    println!(
        "| requests (devices) | {requests} ({:.1}/s) |",
        requests as f64 / elapsed
    );
    println!(
        "| errors | {total_errors} ({:.3}% of requests) |",
        total_errors as f64 * 100.0 / requests.max(1) as f64
    );
    for (k, n) in stats.errors.iter() {
        println!("| error: {k} | {n} |");
    }
    let syncs = sh.syncs.load(Ordering::Relaxed);
    println!(
        "| device syncs completed | {syncs} ({:.1}/s) |",
        syncs as f64 / elapsed
    );
    println!(
        "| operations pushed by devices | {} ({:.1}/s, {:.1} MiB) |",
        sh.pushed_ops.load(Ordering::Relaxed),
        sh.pushed_ops.load(Ordering::Relaxed) as f64 / elapsed,
        sh.pushed_bytes.load(Ordering::Relaxed) as f64 / 1048576.0
    );
    println!(
        "| envelopes served to devices | {} ({:.0}/s, {:.1} MiB/s) |",
        sh.pulled_envs.load(Ordering::Relaxed),
        sh.pulled_envs.load(Ordering::Relaxed) as f64 / elapsed,
        sh.pulled_bytes.load(Ordering::Relaxed) as f64 / 1048576.0 / elapsed
    );
    println!(
        "| canary operations applied / refused | {} / {} |",
        sh.canary_applied.load(Ordering::Relaxed),
        sh.canary_rejected.load(Ordering::Relaxed)
    );
    println!(
        "| edits skipped (no sealed operation left) | {} |",
        sh.pool_empty.load(Ordering::Relaxed)
    );
    let peak_rss = samples.iter().map(|s| s.rss_kib).max().unwrap_or(0);
    println!(
        "| server RSS: start / before soak / peak sampled / end / VmHWM | {:.1} / {:.1} / {:.1} / {:.1} / {:.1} MiB |",
        rss_at_start as f64 / 1024.0,
        rss_before as f64 / 1024.0,
        peak_rss as f64 / 1024.0,
        rss_end as f64 / 1024.0,
        hwm_end as f64 / 1024.0
    );
    // Growth after the first two minutes, by least squares: a leak shows as a steady slope.
    let tail: Vec<&Sample> = samples.iter().filter(|s| s.t_s >= 120.0).collect();
    let slope = if tail.len() >= 3 {
        let n = tail.len() as f64;
        let mx = tail.iter().map(|s| s.t_s).sum::<f64>() / n;
        let my = tail.iter().map(|s| s.rss_kib as f64).sum::<f64>() / n;
        let num: f64 = tail
            .iter()
            .map(|s| (s.t_s - mx) * (s.rss_kib as f64 - my))
            .sum();
        let den: f64 = tail.iter().map(|s| (s.t_s - mx).powi(2)).sum();
        Some(num / den * 60.0 / 1024.0)
    } else {
        None
    };
    if let Some(s) = slope {
        println!("| server RSS trend after 2 min | {s:+.2} MiB/min |");
    }
    let mean =
        |f: fn(&Sample) -> f64| samples.iter().map(f).sum::<f64>() / samples.len().max(1) as f64;
    let others = mean(|s| {
        (s.machine_busy_pct - s.server_cpu_pct - s.soak_cpu_pct - s.postgres_cpu_pct).max(0.0)
    });
    println!(
        "| CPU, % of one core (mean of samples; the machine has {cores}): server / soak clients / postgres / machine busy / everything else | {:.0} / {:.0} / {:.0} / {:.0} / {others:.0} |",
        mean(|s| s.server_cpu_pct),
        mean(|s| s.soak_cpu_pct),
        mean(|s| s.postgres_cpu_pct),
        mean(|s| s.machine_busy_pct),
    );
    println!(
        "| store size before soak / at end / after stop | {:.1} / {:.1} / {:.1} MiB |",
        db_before as f64 / 1048576.0,
        db_end as f64 / 1048576.0,
        db_after_stop as f64 / 1048576.0
    );
    println!("| server stop (SIGTERM) | {server_exit} |");
    println!(
        "| server log written during the soak | {:.1} MiB |",
        log_end.saturating_sub(log_start) as f64 / 1048576.0
    );
    println!(
        "| rows at end | {} |",
        rows.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!();
    let mut all_ok = true;
    for (what, ok) in &checks {
        println!("{} {what}", if *ok { "PASS" } else { "FAIL" });
        all_ok &= ok;
    }

    if let Some(path) = &cfg.json_out {
        let errors: serde_json::Map<String, serde_json::Value> = stats
            .errors
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::json!(v)))
            .collect();
        let record = serde_json::json!({
            "label": cfg.label,
            "backend": backend_name,
            "devices": cfg.devices,
            "seconds": elapsed,
            "think_ms": [cfg.think_ms.0, cfg.think_ms.1],
            "ops": [cfg.ops.0, cfg.ops.1],
            "edit_share": cfg.edit_share,
            "canaries": cfg.canaries,
            "seed": cfg.seed,
            "latency": json_lat,
            "server_routes": json_routes,
            "reuse_token": cfg.reuse_token,
            "requests": requests,
            "errors_total": total_errors,
            "errors": errors,
            "syncs": syncs,
            "syncs_per_s": syncs as f64 / elapsed,
            "pushed_ops": sh.pushed_ops.load(Ordering::Relaxed),
            "pushed_ops_per_s": sh.pushed_ops.load(Ordering::Relaxed) as f64 / elapsed,
            "served_envelopes_per_s": sh.pulled_envs.load(Ordering::Relaxed) as f64 / elapsed,
            "served_mib_per_s": sh.pulled_bytes.load(Ordering::Relaxed) as f64 / 1048576.0 / elapsed,
            "enrol_s": enrol_time.as_secs_f64(),
            "rss_start_mib": rss_at_start as f64 / 1024.0,
            "rss_before_mib": rss_before as f64 / 1024.0,
            "rss_peak_mib": peak_rss as f64 / 1024.0,
            "rss_end_mib": rss_end as f64 / 1024.0,
            "hwm_mib": hwm_end as f64 / 1024.0,
            "rss_slope_mib_per_min": slope,
            "server_cpu_pct": mean(|s| s.server_cpu_pct),
            "soak_cpu_pct": mean(|s| s.soak_cpu_pct),
            "postgres_cpu_pct": mean(|s| s.postgres_cpu_pct),
            "machine_busy_pct": mean(|s| s.machine_busy_pct),
            "other_cpu_pct": others,
            "db_before_mib": db_before as f64 / 1048576.0,
            "db_end_mib": db_end as f64 / 1048576.0,
            "db_after_stop_mib": db_after_stop as f64 / 1048576.0,
            "rows": rows,
            "checks_passed": all_ok,
            "server_exit": server_exit,
            "server_log_mib": log_end.saturating_sub(log_start) as f64 / 1048576.0,
            "samples": samples.iter().map(|s| serde_json::json!({
                "t": s.t_s, "rss_mib": s.rss_kib as f64 / 1024.0, "hwm_mib": s.hwm_kib as f64 / 1024.0,
                "threads": s.threads, "server_cpu": s.server_cpu_pct, "soak_cpu": s.soak_cpu_pct,
                "postgres_cpu": s.postgres_cpu_pct,
                "machine": s.machine_busy_pct, "db_mib": s.db_bytes as f64 / 1048576.0,
                "syncs": s.syncs, "requests": s.requests, "errors": s.errors,
                "sync_p50_ms": s.sync_p50_ms, "sync_p99_ms": s.sync_p99_ms,
            })).collect::<Vec<_>>(),
        });
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        writeln!(f, "{record}").unwrap();
    }

    // Clean up what this run made, unless asked to keep it.
    drop(canary_vaults);
    drop(admin);
    if !cfg.keep {
        let _ = std::fs::remove_dir_all(&cfg.scratch);
        if let Some(d) = &server.data {
            let _ = std::fs::remove_dir_all(d);
        }
        if let Some((url, schema)) = &server.pg {
            if let Err(e) = psql(url, &format!("DROP SCHEMA {schema} CASCADE")) {
                eprintln!("could not drop schema {schema}: {e}");
            }
        }
    } else {
        println!(
            "kept: {} and {}{}",
            cfg.work.display(),
            cfg.scratch.display(),
            server
                .pg
                .as_ref()
                .map(|(_, s)| format!(", schema {s}"))
                .unwrap_or_default()
        );
    }
    if !all_ok {
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------------------------
// Several runs: median and spread

fn summarise(file: &Path) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", file.display());
        std::process::exit(1)
    });
    let runs: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("one JSON record a line"))
        .collect();
    let mut groups: BTreeMap<(String, String), Vec<&serde_json::Value>> = BTreeMap::new();
    for r in &runs {
        let key = (
            r["backend"].as_str().unwrap_or("?").to_owned(),
            r["label"].as_str().unwrap_or("").to_owned(),
        );
        groups.entry(key).or_default().push(r);
    }
    type Metric = fn(&serde_json::Value) -> Option<f64>;
    let metrics: Vec<(&str, Metric)> = vec![
        ("seconds", |r: &serde_json::Value| r["seconds"].as_f64()),
        ("device sync p50 ms", |r: &serde_json::Value| {
            r["latency"]["sync"]["p50_ms"].as_f64()
        }),
        ("device sync p99 ms", |r: &serde_json::Value| {
            r["latency"]["sync"]["p99_ms"].as_f64()
        }),
        ("device sync max ms", |r: &serde_json::Value| {
            r["latency"]["sync"]["max_ms"].as_f64()
        }),
        ("login p50 ms", |r: &serde_json::Value| {
            r["latency"]["login"]["p50_ms"].as_f64()
        }),
        ("login p99 ms", |r: &serde_json::Value| {
            r["latency"]["login"]["p99_ms"].as_f64()
        }),
        ("push p50 ms", |r: &serde_json::Value| {
            r["latency"]["push"]["p50_ms"].as_f64()
        }),
        ("push p99 ms", |r: &serde_json::Value| {
            r["latency"]["push"]["p99_ms"].as_f64()
        }),
        ("pull page p50 ms", |r: &serde_json::Value| {
            r["latency"]["pull"]["p50_ms"].as_f64()
        }),
        ("pull page p99 ms", |r: &serde_json::Value| {
            r["latency"]["pull"]["p99_ms"].as_f64()
        }),
        ("canary sync p50 ms", |r: &serde_json::Value| {
            r["latency"]["canary_sync"]["p50_ms"].as_f64()
        }),
        ("canary sync p99 ms", |r: &serde_json::Value| {
            r["latency"]["canary_sync"]["p99_ms"].as_f64()
        }),
        ("errors", |r: &serde_json::Value| r["errors_total"].as_f64()),
        ("requests per s", |r: &serde_json::Value| {
            Some(r["requests"].as_f64()? / r["seconds"].as_f64()?)
        }),
        ("syncs per s", |r: &serde_json::Value| {
            r["syncs_per_s"].as_f64()
        }),
        ("operations pushed per s", |r: &serde_json::Value| {
            r["pushed_ops_per_s"].as_f64()
        }),
        ("envelopes served per s", |r: &serde_json::Value| {
            r["served_envelopes_per_s"].as_f64()
        }),
        ("server RSS peak MiB", |r: &serde_json::Value| {
            r["rss_peak_mib"].as_f64()
        }),
        ("server RSS end MiB", |r: &serde_json::Value| {
            r["rss_end_mib"].as_f64()
        }),
        ("server RSS trend MiB/min", |r: &serde_json::Value| {
            r["rss_slope_mib_per_min"].as_f64()
        }),
        ("server CPU, % of a core", |r: &serde_json::Value| {
            r["server_cpu_pct"].as_f64()
        }),
        ("soak clients CPU, % of a core", |r: &serde_json::Value| {
            r["soak_cpu_pct"].as_f64()
        }),
        ("postgres CPU, % of a core", |r: &serde_json::Value| {
            r["postgres_cpu_pct"].as_f64()
        }),
        (
            "other work on the machine, % of a core",
            |r: &serde_json::Value| r["other_cpu_pct"].as_f64(),
        ),
        ("store at end MiB", |r: &serde_json::Value| {
            r["db_end_mib"].as_f64()
        }),
        ("enrolment of all devices s", |r: &serde_json::Value| {
            r["enrol_s"].as_f64()
        }),
    ];
    for ((backend, label), rs) in &groups {
        println!();
        println!(
            "## {backend}{} : {} runs",
            if label.is_empty() {
                String::new()
            } else {
                format!(" ({label})")
            },
            rs.len()
        );
        println!();
        println!("| measure | median | min | max | runs |");
        println!("|---|---|---|---|---|");
        for (name, f) in &metrics {
            let mut v: Vec<f64> = rs.iter().filter_map(|r| f(r)).collect();
            if v.is_empty() {
                continue;
            }
            v.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let median = if v.len() % 2 == 1 {
                v[v.len() / 2]
            } else {
                (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
            };
            println!(
                "| {name} | {median:.1} | {:.1} | {:.1} | {} |",
                v[0],
                v[v.len() - 1],
                v.len()
            );
        }
        let passed = rs
            .iter()
            .filter(|r| r["checks_passed"].as_bool() == Some(true))
            .count();
        println!("| canary checks passed | {passed} of {} | | | |", rs.len());
    }
}
