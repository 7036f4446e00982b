//! Peak resident memory of the core on a 2 GB tablet's heaviest work (issue 21, item 4):
//! a first sync of 100,000 operations, listing 5,000 clients, the donor report over 50,000
//! sessions, and an unlock at the shipped Argon2 cost. Each workload runs in a process of its
//! own (this binary started again), so each peak (`VmHWM` of `/proc/self/status`) is that
//! workload's alone; the fixtures are made beforehand, by other processes.
//!
//! Run: `cargo run --release -p komora-scenarios --bin memory` (add `-- --quick` for a
//! quarter-size sync). Prints a Markdown table for docs/PERFORMANCE.md. Linux only.
//!
//! The first sync applies the operations in pages of the largest size the sync engine asks for
//! (`SyncOptions::default`; `KOMORA_MEMORY_PAGE_KIB` to try another), read from files one at a time, as the engine does with the pages
//! it pulls; the network and the server are left out (they are not the tablet's core).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use komora_core::{
    ClientEdit, KdfParams, NewCase, NewClient, NewSession, ReportOptions, Sex, TeamKeys, Vault,
    VaultOptions,
};

const PASS: &str = "memory benchmark passphrase";

fn opts() -> VaultOptions {
    VaultOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        ..Default::default()
    }
}

/// The process's peak and current resident memory, in KiB.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn client(i: usize) -> NewClient {
    NewClient {
        name: format!("Mukamana Odette {i}"),
        code: Some(format!("HUY-{i:05}")),
        sex: Some(if i.is_multiple_of(2) {
            Sex::Female
        } else {
            Sex::Male
        }),
        birth_year: Some(1950 + (i % 60) as u16),
        phone: Some(format!("0788{i:06}")),
        location: Some(komora_core::LocationInput {
            district: "Huye".into(),
            ..Default::default()
        }),
        target_groups: vec!["genocide-survivor".into()],
    }
}

/// A first sync's operations: `records` clients and nine edits of each, written on another
/// replica, cut into pull pages on disk; and the empty vault of the tablet that joins.
fn prepare_sync(dir: &Path, records: usize) {
    let team = TeamKeys::generate();
    let mut src = Vault::ephemeral(&team, std::sync::Arc::new(komora_core::SystemClock)).unwrap();
    let ids = src
        .add_clients(&(0..records).map(client).collect::<Vec<_>>())
        .unwrap();
    for round in 0..9 {
        for (i, id) in ids.iter().enumerate() {
            let edit = ClientEdit {
                phone: Some(Some(format!("07{round}{i:07}"))),
                ..Default::default()
            };
            src.edit_client(*id, &edit).unwrap();
        }
    }
    let ops = src.all_ops().unwrap();
    let pages = dir.join("pages");
    std::fs::create_dir_all(&pages).unwrap();
    let (mut page, mut bytes, mut n) = (Vec::new(), 0usize, 0usize);
    for env in ops {
        bytes += env.to_bytes().len();
        page.push(env);
        if bytes >= page_bytes() {
            std::fs::write(
                pages.join(format!("{n:05}")),
                komora_core::encode_batch(&page),
            )
            .unwrap();
            (page, bytes, n) = (Vec::new(), 0, n + 1);
        }
    }
    if !page.is_empty() {
        std::fs::write(
            pages.join(format!("{n:05}")),
            komora_core::encode_batch(&page),
        )
        .unwrap();
    }
    Vault::create_joined(dir.join("vault"), PASS, &team, opts())
        .unwrap()
        .lock();
}

/// The largest page the sync engine asks for (`SyncOptions::default`), or
/// `KOMORA_MEMORY_PAGE_KIB` to compare page sizes.
fn page_bytes() -> usize {
    std::env::var("KOMORA_MEMORY_PAGE_KIB")
        .ok()
        .and_then(|k| k.parse::<usize>().ok())
        .map_or(
            komora_core::SyncOptions::default().pull_page_bytes as usize,
            |k| k * 1024,
        )
}

fn run_sync(dir: &Path) -> String {
    let mut v = Vault::open(dir.join("vault"), PASS, opts()).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("pages"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut applied = 0;
    for f in &files {
        let page = komora_core::decode_batch(&std::fs::read(f).unwrap()).unwrap();
        applied += v.apply_ops(&page).unwrap().applied;
    }
    format!("{applied} operations in {} pages", files.len())
}

fn prepare_list(dir: &Path, clients: usize) {
    let mut v = Vault::create(dir.join("vault"), PASS, opts()).unwrap();
    v.add_clients(&(0..clients).map(client).collect::<Vec<_>>())
        .unwrap();
    v.lock();
}

fn run_list(dir: &Path) -> String {
    let v = Vault::open(dir.join("vault"), PASS, opts()).unwrap();
    let n = v.clients().unwrap().items.len();
    format!("{n} clients listed")
}

/// The core bench's case work: 2,000 clients with a case each and 25 sessions each (one
/// with 200), imported into an on-disk vault as a sync would.
fn prepare_report(dir: &Path) {
    let team = TeamKeys::generate();
    let mut src = Vault::ephemeral(&team, std::sync::Arc::new(komora_core::SystemClock)).unwrap();
    let ids = src
        .add_clients(&(0..2_000).map(client).collect::<Vec<_>>())
        .unwrap();
    let today = src.today();
    for (i, id) in ids.iter().enumerate() {
        let case = src
            .add_case(&NewCase {
                clients: vec![*id],
                problems: vec!["trauma".into()],
                opened: Some(today.add_days(-700)),
                ..Default::default()
            })
            .unwrap();
        for k in 0..if i == 0 { 200 } else { 25 } {
            let mut s = NewSession::new(case, ["office", "home-visit", "phone"][k % 3]);
            s.date = Some(today.add_days(-((k * 3) as i64)));
            s.notes =
                Some("Notes of a session, about this long, as counsellors write them.".into());
            src.add_session(&s).unwrap();
        }
    }
    let mut v = Vault::create_joined(dir.join("vault"), PASS, &team, opts()).unwrap();
    v.apply_ops(&src.all_ops().unwrap()).unwrap();
    v.lock();
}

fn run_report(dir: &Path) -> String {
    let mut v = Vault::open(dir.join("vault"), PASS, opts()).unwrap();
    let csv = v.report_csv(&ReportOptions::default()).unwrap();
    format!("{} report lines", csv.lines().count())
}

fn prepare_unlock(dir: &Path) {
    Vault::create(dir.join("vault"), PASS, VaultOptions::default())
        .unwrap()
        .lock();
}

fn run_unlock(dir: &Path) -> String {
    Vault::open(dir.join("vault"), PASS, VaultOptions::default())
        .unwrap()
        .lock();
    let d = KdfParams::DEFAULT;
    format!("Argon2id {} MiB, t={}", d.memory_kib / 1024, d.iterations)
}

/// Start this binary again for one step; returns what it printed.
fn child(step: &str, workload: &str, dir: &Path, quick: bool) -> String {
    let me = std::env::current_exe().unwrap();
    let mut cmd = Command::new(me);
    cmd.args([step, workload, dir.to_str().unwrap()]);
    if quick {
        cmd.arg("--quick");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{step} {workload} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const WORKLOADS: [(&str, &str); 4] = [
    ("sync", "first sync"),
    ("list", "list 5,000 clients after unlock"),
    ("report", "donor report over 50,000 sessions after unlock"),
    ("unlock", "unlock at the shipped KDF cost"),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let sync_records = if quick { 2_500 } else { 10_000 };
    match args.first().map(String::as_str) {
        Some("prepare") => {
            let dir = Path::new(&args[2]);
            match args[1].as_str() {
                "sync" => prepare_sync(dir, sync_records),
                "list" => prepare_list(dir, 5_000),
                "report" => prepare_report(dir),
                _ => prepare_unlock(dir),
            }
        }
        Some("run") => {
            let dir = Path::new(&args[2]);
            let before = memory();
            let t = Instant::now();
            let what = match args[1].as_str() {
                "sync" => run_sync(dir),
                "list" => run_list(dir),
                "report" => run_report(dir),
                _ => run_unlock(dir),
            };
            let took = t.elapsed();
            let after = memory();
            println!(
                "{what}\t{}\t{}\t{}\t{:.0}",
                before.1,
                after.0,
                after.1,
                took.as_secs_f64() * 1e3
            );
        }
        _ => {
            println!("| workload | what it did | resident at start | peak resident | resident at the end | time |");
            println!("|---|---|---|---|---|---|");
            // `--only sync|list|report|unlock`: one workload.
            let only = args
                .iter()
                .position(|a| a == "--only")
                .and_then(|i| args.get(i + 1));
            for (name, title) in WORKLOADS {
                if only.is_some_and(|o| o != name) {
                    continue;
                }
                let dir = std::env::temp_dir()
                    .join(format!("komora-memory-{}-{name}", std::process::id()));
                std::fs::create_dir_all(&dir).unwrap();
                child("prepare", name, &dir, quick);
                let out = child("run", name, &dir, quick);
                std::fs::remove_dir_all(&dir).unwrap();
                let f: Vec<&str> = out.trim().split('\t').collect();
                let mib = |k: &str| format!("{:.1} MiB", k.parse::<f64>().unwrap() / 1024.0);
                println!(
                    "| {title} | {} | {} | **{}** | {} | {} ms |",
                    f[0],
                    mib(f[1]),
                    mib(f[2]),
                    mib(f[3]),
                    f[4]
                );
            }
        }
    }
}
