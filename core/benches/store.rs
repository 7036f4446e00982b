//! Local store benchmark: Komora's encrypted vault against plain rusqlite with the same
//! plaintext rows and the same durability settings (WAL, synchronous=FULL).
//!
//! Run: `cargo bench -p komora-core --bench store` (add `-- --quick` for a short run).
//! Prints one table: median of several runs, the spread (min..max), and the ratio to the floor.

use std::path::Path;
use std::time::{Duration, Instant};

use komora_core::{KdfParams, LocationInput, NewClient, Sex, Vault, VaultOptions};
use rusqlite::{params, Connection};

const PASS: &str = "benchmark passphrase";

fn client(i: usize) -> NewClient {
    NewClient {
        name: format!("Mukamana Odette {i}"),
        code: Some(format!("HUY-{i:05}")),
        sex: Some(if i % 2 == 0 { Sex::Female } else { Sex::Male }),
        birth_year: Some(1950 + (i % 60) as u16),
        phone: Some(format!("0788{:06}", i)),
        location: Some(LocationInput {
            district: "Huye".into(),
            ..Default::default()
        }),
        target_groups: vec!["genocide-survivor".into()],
    }
}

fn fast_vault(dir: &Path) -> Vault {
    // The KDF is measured on its own row; the store rows use a cheap one.
    Vault::create(
        dir,
        PASS,
        VaultOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
            ..Default::default()
        },
    )
    .unwrap()
}

fn plain_db(dir: &Path) -> Connection {
    let conn = Connection::open(dir.join("plain.db")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.pragma_update(None, "cache_size", -16_384).unwrap(); // the vault's setting
    conn.execute_batch(
        "CREATE TABLE clients (id BLOB PRIMARY KEY, name TEXT NOT NULL, code TEXT, sex TEXT, birth_year INTEGER,
                               phone TEXT, district TEXT, target_groups TEXT) WITHOUT ROWID;",
    )
    .unwrap();
    conn
}

fn plain_insert(conn: &Connection, i: usize) {
    let c = client(i);
    let id: [u8; 16] =
        std::array::from_fn(|k| (i.wrapping_mul(2654435761) >> (k % 8)) as u8 ^ k as u8);
    conn.prepare_cached("INSERT INTO clients VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        .unwrap()
        .execute(params![
            id,
            c.name,
            c.code,
            c.sex.map(|s| s.code()),
            c.birth_year,
            c.phone,
            "Huye",
            "genocide-survivor"
        ])
        .unwrap();
}

/// A vault holding `n` clients, closed and unlocked again (so nothing is cached).
fn unlocked_with_clients(dir: &Path, n: usize) -> Vault {
    fast_vault(dir)
        .add_clients(&(0..n).map(client).collect::<Vec<_>>())
        .unwrap();
    let fast = VaultOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        ..Default::default()
    };
    Vault::open(dir, PASS, fast).unwrap()
}

/// The plain table holding the same `n` clients.
fn plain_with_clients(dir: &Path, n: usize) -> Connection {
    let mut conn = plain_db(dir);
    let tx = conn.transaction().unwrap();
    for i in 0..n {
        plain_insert(&tx, i);
    }
    tx.commit().unwrap();
    conn
}

struct PlainClient {
    _id: Vec<u8>,
    name: String,
    _code: Option<String>,
    _sex: Option<String>,
    _birth_year: Option<i64>,
    _phone: Option<String>,
    _district: Option<String>,
    _groups: Option<String>,
}

fn plain_list(conn: &Connection) -> Vec<PlainClient> {
    let mut stmt = conn.prepare_cached("SELECT * FROM clients").unwrap();
    let mut out: Vec<PlainClient> = stmt
        .query_map([], |r| {
            Ok(PlainClient {
                _id: r.get(0)?,
                name: r.get(1)?,
                _code: r.get(2)?,
                _sex: r.get(3)?,
                _birth_year: r.get(4)?,
                _phone: r.get(5)?,
                _district: r.get(6)?,
                _groups: r.get(7)?,
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    out.sort_by_cached_key(|c| c.name.to_lowercase());
    out
}

fn median_spread(mut xs: Vec<Duration>) -> (Duration, Duration, Duration) {
    xs.sort();
    (xs[xs.len() / 2], xs[0], xs[xs.len() - 1])
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

struct Row {
    what: String,
    komora: (Duration, Duration, Duration),
    floor: (Duration, Duration, Duration),
    /// true: the ratio is floor/komora (throughput, higher is better); false: komora/floor.
    throughput: bool,
    target: &'static str,
}

fn measure(runs: usize, mut f: impl FnMut() -> Duration) -> (Duration, Duration, Duration) {
    median_spread((0..runs).map(|_| f()).collect())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    // `-- --only save|batch|list|unlock` runs one workload (for profiling).
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let runs_workload = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let runs = if quick { 3 } else { 7 };
    let single = if quick { 100 } else { 300 };
    let batch = 10_000;
    let listed = 5_000;
    let mut rows = Vec::new();

    // 1. One save per transaction.
    if runs_workload("save") {
        let k = measure(runs, || {
            let dir = tempfile::tempdir().unwrap();
            let mut v = fast_vault(dir.path());
            let t = Instant::now();
            for i in 0..single {
                v.add_client(&client(i)).unwrap();
            }
            t.elapsed()
        });
        let p = measure(runs, || {
            let dir = tempfile::tempdir().unwrap();
            let conn = plain_db(dir.path());
            let t = Instant::now();
            for i in 0..single {
                plain_insert(&conn, i);
            }
            t.elapsed()
        });
        rows.push(Row {
            what: format!("{single} client saves, one transaction each"),
            komora: k,
            floor: p,
            throughput: true,
            target: ">= 0.5x",
        });
    }

    // 2. 10,000 saves in one transaction (an import).
    if runs_workload("batch") {
        let k = measure(runs, || {
            let dir = tempfile::tempdir().unwrap();
            let mut v = fast_vault(dir.path());
            let clients: Vec<NewClient> = (0..batch).map(client).collect();
            let t = Instant::now();
            v.add_clients(&clients).unwrap();
            t.elapsed()
        });
        let p = measure(runs, || {
            let dir = tempfile::tempdir().unwrap();
            let mut conn = plain_db(dir.path());
            let t = Instant::now();
            let tx = conn.transaction().unwrap();
            for i in 0..batch {
                plain_insert(&tx, i);
            }
            tx.commit().unwrap();
            t.elapsed()
        });
        rows.push(Row {
            what: format!("{batch} client saves in one transaction"),
            komora: k,
            floor: p,
            throughput: true,
            target: ">= 0.5x",
        });
    }

    // 3. Listing 5,000 clients after unlock.
    if runs_workload("list") {
        let kdir = tempfile::tempdir().unwrap();
        let v = unlocked_with_clients(kdir.path(), listed);
        assert_eq!(v.clients().unwrap().items.len(), listed);
        let k = measure(runs * 3, || {
            let t = Instant::now();
            let n = v.clients().unwrap().items.len();
            let e = t.elapsed();
            assert_eq!(n, listed);
            e
        });
        let pdir = tempfile::tempdir().unwrap();
        let conn = plain_with_clients(pdir.path(), listed);
        let p = measure(runs * 3, || {
            let t = Instant::now();
            let n = plain_list(&conn).len();
            let e = t.elapsed();
            assert_eq!(n, listed);
            e
        });
        rows.push(Row {
            what: format!("list {listed} clients (decrypt, merge view, sort by name)"),
            komora: k,
            floor: p,
            throughput: false,
            target: "<= 3x",
        });
    }

    // 3b. Search per keystroke on the same 5,000 clients, against SQL LIKE on plaintext.
    if runs_workload("search") {
        let kdir = tempfile::tempdir().unwrap();
        let v = unlocked_with_clients(kdir.path(), listed);
        let t = Instant::now();
        v.search_clients("odette 12", 20).unwrap();
        let first = t.elapsed();
        let k = measure(runs * 10, || {
            let t = Instant::now();
            let n = v.search_clients("odette 12", 20).unwrap().len();
            let e = t.elapsed();
            assert_eq!(n, 20);
            e
        });
        let pdir = tempfile::tempdir().unwrap();
        let conn = plain_with_clients(pdir.path(), listed);
        let p = measure(runs * 10, || {
            let t = Instant::now();
            let mut stmt = conn
                .prepare_cached("SELECT * FROM clients WHERE name LIKE '%odette%' AND name LIKE '%12%' ORDER BY name LIMIT 20")
                .unwrap();
            let n = stmt
                .query_map([], |r| r.get::<_, String>(1))
                .unwrap()
                .count();
            let e = t.elapsed();
            assert_eq!(n, 20);
            e
        });
        rows.push(Row {
            what: format!(
                "search {listed} clients per keystroke (first search builds the index: {})",
                ms(first)
            ),
            komora: k,
            floor: p,
            throughput: false,
            target: "fast enough per keystroke",
        });
    }

    // 4. Unlock at the shipped KDF cost, against OWASP's minimum.
    if runs_workload("unlock") {
        let udir = tempfile::tempdir().unwrap();
        Vault::create(udir.path(), PASS, VaultOptions::default())
            .unwrap()
            .lock();
        let k = measure(runs, || {
            let t = Instant::now();
            let v = Vault::open(udir.path(), PASS, VaultOptions::default()).unwrap();
            let e = t.elapsed();
            v.lock();
            e
        });
        let mdir = tempfile::tempdir().unwrap();
        let minimum = VaultOptions {
            kdf: KdfParams::MINIMUM,
            ..Default::default()
        };
        Vault::create(mdir.path(), PASS, minimum.clone())
            .unwrap()
            .lock();
        let p = measure(runs, || {
            let t = Instant::now();
            let v = Vault::open(mdir.path(), PASS, minimum.clone()).unwrap();
            let e = t.elapsed();
            v.lock();
            e
        });
        let d = KdfParams::DEFAULT;
        rows.push(Row {
            what: format!(
                "unlock, Argon2id {} MiB t={} (vs OWASP minimum 19 MiB t=2)",
                d.memory_kib / 1024,
                d.iterations
            ),
            komora: k,
            floor: p,
            throughput: false,
            target: "~0.5 s on a tablet",
        });
    }

    println!(
        "| workload | Komora median (min..max) | baseline median (min..max) | ratio | target |"
    );
    println!("|---|---|---|---|---|");
    for r in rows {
        let ratio = if r.throughput {
            r.floor.0.as_secs_f64() / r.komora.0.as_secs_f64()
        } else {
            r.komora.0.as_secs_f64() / r.floor.0.as_secs_f64()
        };
        println!(
            "| {} | {} ({}..{}) | {} ({}..{}) | {:.2}x | {} |",
            r.what,
            ms(r.komora.0),
            ms(r.komora.1),
            ms(r.komora.2),
            ms(r.floor.0),
            ms(r.floor.1),
            ms(r.floor.2),
            ratio,
            r.target
        );
    }
}
