//! What a restore costs (issue 17): a team of 20 tablets and 100,000 operations against the
//! real server (its production router and SQLite store on a loopback socket), a backup taken
//! mid-way, the backup put back with `restore`, and the first sync of each tablet after it,
//! against a plain first sync of a new tablet pulling the same 100,000 operations. Results:
//! docs/RELIABILITY.md, "What a restore costs".
//!
//! Run: `cargo run --release -p komora-scenarios --bin restore_cost`
//! Options: `--tablets 20 --ops 100000 --dir DIR` (where the vaults and the server's store
//! live, about 3 GB at the full size; default: the system's temporary folder) and `--keep`
//! (leave them there); `--quick` is 5 tablets and 5,000 operations (a check that it works,
//! not a figure).
//!
//! Steps (every sync with the app's default options, one at a time, each through a loopback
//! proxy that counts the bytes both ways, HTTP included, and a transport that counts requests):
//! 1. the server, an administrator and `--tablets` counsellors' tablets;
//! 2. each tablet records half its share of the operations (one new client each, the fields a
//!    counsellor fills in), then every tablet syncs, twice round, so every tablet and the
//!    server hold the first half;
//! 3. the backup, as the schedule takes it (`backup::write_checked`): **the backup is taken
//!    mid-way, after 50% of the operations**;
//! 4. the second half, recorded and synced the same way: every tablet holds every operation;
//! 5. a routine sync of one tablet with nothing new (the cost of an ordinary day's check);
//! 6. the server is stopped, the backup restored (`restore::restore`, what
//!    `komora-sync-server restore --from FILE` runs) and the server started again on its
//!    address: it has lost the second half;
//! 7. the first tablet syncs: it reconciles and sends back everything the server lost;
//! 8. every other tablet syncs in turn (each reconciles; the server lacks nothing by then);
//! 9. a new tablet is enrolled and pulls everything in its first sync: the baseline;
//! 10. checks: every tablet and the new one hold every operation, and the same clients.
//!
//! Not part of `cargo test`: the full size takes tens of minutes.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use komora_core::{LocationInput, NewClient, Role, Sex, SyncOptions, SyncReport, Vault};
use komora_scenarios::counted::{CountedTransport, RequestCounts};
use komora_scenarios::proxy::CountingProxy;
use komora_scenarios::server::{test_limits, Backend, TestServer};
use komora_scenarios::{bootstrap_admin, enrol, Rng};

struct Args {
    tablets: usize,
    ops: usize,
    dir: Option<PathBuf>,
    keep: bool,
}

fn args() -> Args {
    let mut a = Args {
        tablets: 20,
        ops: 100_000,
        dir: None,
        keep: false,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = || {
            argv.get(i + 1)
                .unwrap_or_else(|| panic!("{} needs a value", argv[i]))
                .clone()
        };
        match argv[i].as_str() {
            "--quick" => {
                a.tablets = 5;
                a.ops = 5_000;
                i += 1;
                continue;
            }
            "--keep" => {
                a.keep = true;
                i += 1;
                continue;
            }
            "--tablets" => a.tablets = value().parse().expect("--tablets N"),
            "--ops" => a.ops = value().parse().expect("--ops N"),
            "--dir" => a.dir = Some(PathBuf::from(value())),
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    assert!(a.tablets >= 2, "a team of at least two tablets");
    assert!(
        a.ops >= 2 * a.tablets,
        "at least one operation per tablet and half"
    );
    a
}

/// One measured sync.
struct Measured {
    what: String,
    time: Duration,
    up: u64,
    down: u64,
    requests: u32,
    kinds: String,
    report: SyncReport,
}

/// Sync `v` through `proxy` (counters zeroed first) and measure it.
fn measured(what: impl Into<String>, v: &mut Vault, proxy: &CountingProxy) -> Measured {
    use std::sync::atomic::Ordering;
    proxy.reset();
    let (mut t, counts): (CountedTransport, std::sync::Arc<RequestCounts>) =
        CountedTransport::new(&proxy.url, false);
    let start = Instant::now();
    let report = v
        .sync(&mut t, &SyncOptions::default(), &mut |_| {})
        .expect("the sync succeeds");
    let time = start.elapsed();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    Measured {
        what: what.into(),
        time,
        up: proxy.to_server.load(Ordering::SeqCst),
        down: proxy.to_client.load(Ordering::SeqCst),
        requests: counts.total(),
        kinds: counts.summary(),
        report,
    }
}

/// Real units from core/data/rwanda-admin-units.json (district, sector, cell, village).
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Huye", "Gishamvu", "Nyakibanda", "Byimana"),
    ("Huye", "Karama", "Buhoro", "Kibingo"),
    ("Nyaruguru", "Kibeho", "Gakoma", "Nyagishayo"),
    ("Gisagara", "Gikonko", "Cyiri", "Curusi"),
];
const GIVEN: &[&str] = &[
    "Odette", "Jeanne", "Vestine", "Aline", "Jean", "Eric", "Pascal",
];
const FAMILY: &[&str] = &[
    "Mukamana", "Uwimana", "Uwase", "Ingabire", "Habimana", "Bizimana",
];
const GROUPS: &[&str] = &[
    "genocide-survivor",
    "ex-prisoner",
    "single-mother",
    "wounded-heart",
];

/// `n` new clients of tablet `t`, as a counsellor fills them in; recorded in one transaction
/// per 500 (an import's size: the recording is not what is measured).
fn record(v: &mut Vault, t: usize, first: usize, n: usize, rng: &mut Rng) {
    let pick =
        |rng: &mut Rng, items: &[&'static str]| items[rng.below(items.len() as u64) as usize];
    let all: Vec<NewClient> = (first..first + n)
        .map(|i| {
            let (district, sector, cell, village) = PLACES[rng.below(PLACES.len() as u64) as usize];
            NewClient {
                name: format!("{} {}", pick(rng, FAMILY), pick(rng, GIVEN)),
                code: Some(format!("T{t:02}-{i:06}")),
                sex: Some(if rng.below(2) == 0 {
                    Sex::Female
                } else {
                    Sex::Male
                }),
                birth_year: Some(1950 + rng.below(52) as u16),
                phone: (rng.below(4) > 0).then(|| format!("078{:07}", rng.below(10_000_000))),
                location: Some(LocationInput {
                    district: district.into(),
                    sector: Some(sector.into()),
                    cell: Some(cell.into()),
                    village: (rng.below(2) == 0).then(|| village.into()),
                }),
                target_groups: vec![pick(rng, GROUPS).to_owned()],
            }
        })
        .collect();
    for chunk in all.chunks(500) {
        v.add_clients(chunk).unwrap();
    }
}

/// Every tablet syncs, twice round: each pushes its own, then each pulls everyone's.
fn everyone_syncs(tablets: &mut [Vault], url: &str) {
    for _ in 0..2 {
        for v in tablets.iter_mut() {
            let mut t = komora_core::HttpTransport::new(url).unwrap();
            let r = v
                .sync(&mut t, &SyncOptions::default(), &mut |_| {})
                .unwrap();
            assert!(r.rejected.is_empty(), "{:?}", r.rejected);
        }
    }
}

fn thousands(n: f64) -> String {
    let s = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// `x` as a ratio of `of`, with two significant digits however small.
fn ratio(x: f64, of: f64) -> String {
    let r = x / of;
    if of == 0.0 || r == 0.0 {
        "-".into()
    } else if r >= 0.01 {
        format!("{r:.2}x")
    } else {
        let decimals = (-r.log10().floor()) as usize + 1;
        format!("{r:.decimals$}x")
    }
}

fn row(m: &Measured, base: &Measured) {
    println!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        m.what,
        secs(m.time),
        thousands(m.up as f64),
        thousands(m.down as f64),
        m.requests,
        thousands(m.report.sent_ops as f64),
        thousands(m.report.received_ops as f64),
        ratio(m.time.as_secs_f64(), base.time.as_secs_f64()),
        ratio((m.up + m.down) as f64, (base.up + base.down) as f64),
    );
}

struct Scratch {
    path: PathBuf,
    keep: bool,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn main() {
    let a = args();
    let root = a
        .dir
        .clone()
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("komora-restore-cost-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let scratch = Scratch {
        path: root.clone(),
        keep: a.keep,
    };
    let per_tablet = a.ops / a.tablets;
    let total = per_tablet * a.tablets;
    let half = per_tablet / 2;
    eprintln!(
        "restore_cost: {} tablets, {} operations ({} each), in {}",
        a.tablets,
        total,
        per_tablet,
        root.display()
    );
    let started = Instant::now();
    let step = |what: &str| eprintln!("[{:>7.1} s] {what}", started.elapsed().as_secs_f64());

    // 1. The team.
    let data = root.join("server");
    let server = TestServer::start(&data);
    let proxy = CountingProxy::start(server.addr);
    let mut admin = bootstrap_admin(&server, &root.join("admin"));
    let mut tablets: Vec<Vault> = (0..a.tablets)
        .map(|i| {
            enrol(
                &server,
                &mut admin,
                Role::Counsellor,
                &root.join(format!("tablet-{i:02}")),
            )
        })
        .collect();
    let mut rng = Rng::new(20261206);

    // 2. The first half, everywhere.
    step("recording the first half");
    for (i, v) in tablets.iter_mut().enumerate() {
        record(v, i, 0, half, &mut rng);
    }
    step("syncing the first half");
    everyone_syncs(&mut tablets, &server.url);

    // 3. The backup.
    step("backup");
    let backup = root.join("backup.db");
    let backup_start = Instant::now();
    komora_sync_server::backup::write_checked(&server.source(), &backup).unwrap();
    let backup_time = backup_start.elapsed();
    let team = admin.sync_settings().unwrap().team_id;
    let in_backup = server.team_copy(team).len();

    // 4. The second half, everywhere.
    step("recording the second half");
    for (i, v) in tablets.iter_mut().enumerate() {
        record(v, i, half, per_tablet - half, &mut rng);
    }
    step("syncing the second half");
    everyone_syncs(&mut tablets, &server.url);
    let before_failure = server.team_copy(team).len();
    assert_eq!(before_failure, total, "the server holds every operation");

    // 5. An ordinary day's sync with nothing new.
    step("a routine sync");
    let routine = measured(
        "a routine sync, nothing new (before the failure)",
        &mut tablets[1],
        &proxy,
    );

    // 6. The failure and the restore.
    step("restore");
    let addr = server.addr;
    let source = server.source();
    server.stop();
    let restore_start = Instant::now();
    komora_sync_server::restore::restore(&source, &backup, komora_sync_server::now_ms()).unwrap();
    let restore_time = restore_start.elapsed();
    let server = TestServer::start_at(&Backend::Sqlite, &data, addr, test_limits());
    assert_eq!(server.team_copy(team).len(), in_backup);

    // 7. and 8. Each tablet's first sync after the restore.
    step("the first tablet reconciles");
    let first = measured(
        "the first tablet after the restore (reconciles, sends back what was lost)",
        &mut tablets[0],
        &proxy,
    );
    assert!(first.report.reconciled);
    step("the others reconcile");
    let others: Vec<Measured> = tablets[1..]
        .iter_mut()
        .enumerate()
        .map(|(i, v)| {
            let m = measured(format!("tablet {} after the restore", i + 2), v, &proxy);
            assert!(m.report.reconciled);
            m
        })
        .collect();

    // 9. The baseline: a new tablet's first sync.
    step("a new tablet's first sync");
    let mut new = enrol(&server, &mut admin, Role::Counsellor, &root.join("new"));
    let baseline = measured(
        format!(
            "a new tablet's first sync: pulls all {} operations",
            thousands(total as f64)
        ),
        &mut new,
        &proxy,
    );

    // 10. Checks.
    step("checks");
    for (i, v) in tablets.iter().chain(std::iter::once(&new)).enumerate() {
        assert_eq!(
            v.summary().unwrap().len(),
            total as u64,
            "tablet {} holds every operation",
            i + 1
        );
    }
    assert_eq!(
        server.team_copy(team).len(),
        total,
        "the server too, once each"
    );
    let names = |v: &Vault| {
        let mut c: Vec<String> = v
            .clients()
            .unwrap()
            .items
            .into_iter()
            .map(|c| c.code.unwrap_or_default())
            .collect();
        c.sort();
        c
    };
    assert_eq!(names(&tablets[a.tablets - 1]), names(&new));
    step("done");

    // The table.
    println!();
    println!(
        "Team: {} tablets, {} operations (one new client each, {} per tablet); backup after {} \
         operations ({}% of them); the restored server lost {}.",
        a.tablets,
        thousands(total as f64),
        thousands(per_tablet as f64),
        thousands(in_backup as f64),
        in_backup * 100 / total,
        thousands((total - in_backup) as f64)
    );
    println!(
        "Backup {} ({} bytes), restore {}.",
        secs(backup_time),
        thousands(std::fs::metadata(&backup).map(|m| m.len()).unwrap_or(0) as f64),
        secs(restore_time),
    );
    println!();
    println!(
        "| sync | wall time | bytes up | bytes down | requests | ops sent | ops received | \
         time vs first sync | bytes vs first sync |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    row(&baseline, &baseline);
    row(&routine, &baseline);
    row(&first, &baseline);
    // The others: median, fastest and slowest, and all together.
    let mut by_time: Vec<&Measured> = others.iter().collect();
    by_time.sort_by_key(|m| m.time);
    let median = by_time[by_time.len() / 2];
    let label = |m: &Measured, what: String| Measured {
        what,
        time: m.time,
        up: m.up,
        down: m.down,
        requests: m.requests,
        kinds: m.kinds.clone(),
        report: m.report.clone(),
    };
    row(
        &label(
            median,
            format!(
                "each other tablet after the restore: median ({})",
                median.what
            ),
        ),
        &baseline,
    );
    row(
        &label(
            by_time[by_time.len() - 1],
            "each other tablet: the slowest".into(),
        ),
        &baseline,
    );
    let sum = Measured {
        what: format!("the {} others together", others.len()),
        time: others.iter().map(|m| m.time).sum(),
        up: others.iter().map(|m| m.up).sum(),
        down: others.iter().map(|m| m.down).sum(),
        requests: others.iter().map(|m| m.requests).sum(),
        kinds: String::new(),
        report: SyncReport {
            sent_ops: others.iter().map(|m| m.report.sent_ops).sum(),
            received_ops: others.iter().map(|m| m.report.received_ops).sum(),
            ..Default::default()
        },
    };
    row(&sum, &baseline);
    let team_total = Measured {
        what: format!("the whole team after the restore ({} tablets)", a.tablets),
        time: first.time + sum.time,
        up: first.up + sum.up,
        down: first.down + sum.down,
        requests: first.requests + sum.requests,
        kinds: String::new(),
        report: SyncReport {
            sent_ops: first.report.sent_ops + sum.report.sent_ops,
            received_ops: first.report.received_ops + sum.report.received_ops,
            ..Default::default()
        },
    };
    row(&team_total, &baseline);
    println!();
    println!("Requests by kind:");
    println!();
    for m in [&baseline, &routine, &first, median] {
        println!("- {}: {}", m.what, m.kinds);
    }
    drop(scratch);
}
