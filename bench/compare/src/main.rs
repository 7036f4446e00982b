//! Komora against SQLCipher (the encrypted SQLite most apps would use) and against Automerge
//! (the best-known CRDT library). Prints one table of medians with their spread and ratios.
//!
//! Note: linking SQLCipher replaces SQLite for this whole program, Komora's vault included; an
//! unkeyed SQLCipher database behaves and performs as plain SQLite, so Komora's figures here
//! match the main benchmark's (`cargo bench -p komora-core --bench store`).

use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ReadDoc, ROOT};
use komora_core::{ClientEdit, KdfParams, NewClient, Sex, TeamKeys, Vault, VaultOptions};
use rusqlite::{params, Connection};

const PASS: &str = "benchmark passphrase";

fn opts() -> VaultOptions {
    VaultOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        ..Default::default()
    }
}

fn client(i: usize) -> NewClient {
    NewClient {
        name: format!("Mukamana Odette {i}"),
        code: Some(format!("HUY-{i:05}")),
        sex: Some(if i % 2 == 0 { Sex::Female } else { Sex::Male }),
        birth_year: Some(1950 + (i % 60) as u16),
        phone: Some(format!("0788{i:06}")),
        location: None,
        target_groups: vec!["genocide-survivor".into()],
    }
}

/// SQLCipher with a raw 256-bit key (no KDF per open), WAL and synchronous=FULL like the vault.
fn sqlcipher(dir: &std::path::Path) -> Connection {
    let conn = Connection::open(dir.join("cipher.db")).unwrap();
    conn.execute_batch(
        "PRAGMA key = \"x'2DD29CA851E7B56E4697B0E1F08507293D761A05CE4D1B628663F411A8086D99'\";
         PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -16384;
         CREATE TABLE IF NOT EXISTS clients (id BLOB PRIMARY KEY, name TEXT NOT NULL, code TEXT, sex TEXT,
             birth_year INTEGER, phone TEXT, target_groups TEXT) WITHOUT ROWID;",
    )
    .unwrap();
    conn
}

fn cipher_insert(conn: &Connection, i: usize) {
    let c = client(i);
    let id: [u8; 16] = std::array::from_fn(|k| (i.wrapping_mul(2654435761) >> (k % 8)) as u8 ^ k as u8);
    conn.prepare_cached("INSERT INTO clients VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .unwrap()
        .execute(params![id, c.name, c.code, c.sex.map(|s| s.code()), c.birth_year, c.phone, "genocide-survivor"])
        .unwrap();
}

fn median(mut xs: Vec<Duration>) -> (Duration, Duration, Duration) {
    xs.sort();
    (xs[xs.len() / 2], xs[0], xs[xs.len() - 1])
}

fn measure(runs: usize, mut f: impl FnMut() -> Duration) -> (Duration, Duration, Duration) {
    median((0..runs).map(|_| f()).collect())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

struct Row {
    what: String,
    komora: (Duration, Duration, Duration),
    other: (Duration, Duration, Duration),
    target: &'static str,
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 3 } else { 7 };
    let single = if quick { 100 } else { 300 };
    let mut rows = Vec::new();

    // 1. One save per transaction, encrypted both ways.
    let k = measure(runs, || {
        let dir = tempfile::tempdir().unwrap();
        let mut v = Vault::create(dir.path().join("v"), PASS, opts()).unwrap();
        let t = Instant::now();
        for i in 0..single {
            v.add_client(&client(i)).unwrap();
        }
        t.elapsed()
    });
    let s = measure(runs, || {
        let dir = tempfile::tempdir().unwrap();
        let conn = sqlcipher(dir.path());
        let t = Instant::now();
        for i in 0..single {
            cipher_insert(&conn, i);
        }
        t.elapsed()
    });
    rows.push(Row { what: format!("{single} client saves, one transaction each"), komora: k, other: s, target: "faster than SQLCipher" });

    // 2. 10,000 saves in one transaction (an import).
    let batch = 10_000;
    let k = measure(runs, || {
        let dir = tempfile::tempdir().unwrap();
        let mut v = Vault::create(dir.path().join("v"), PASS, opts()).unwrap();
        let all: Vec<NewClient> = (0..batch).map(client).collect();
        let t = Instant::now();
        v.add_clients(&all).unwrap();
        t.elapsed()
    });
    let s = measure(runs, || {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = sqlcipher(dir.path());
        let t = Instant::now();
        let tx = conn.transaction().unwrap();
        for i in 0..batch {
            cipher_insert(&tx, i);
        }
        tx.commit().unwrap();
        t.elapsed()
    });
    rows.push(Row { what: format!("{batch} client saves in one transaction"), komora: k, other: s, target: "faster than SQLCipher" });

    // 3. Listing 5,000 clients from a freshly opened store.
    let listed = 5_000;
    let kdir = tempfile::tempdir().unwrap();
    Vault::create(kdir.path().join("v"), PASS, opts())
        .unwrap()
        .add_clients(&(0..listed).map(client).collect::<Vec<_>>())
        .unwrap();
    let k = measure(runs * 3, || {
        let v = Vault::open(kdir.path().join("v"), PASS, opts()).unwrap();
        let t = Instant::now();
        assert_eq!(v.clients().unwrap().items.len(), listed);
        t.elapsed()
    });
    let sdir = tempfile::tempdir().unwrap();
    {
        let mut conn = sqlcipher(sdir.path());
        let tx = conn.transaction().unwrap();
        for i in 0..listed {
            cipher_insert(&tx, i);
        }
        tx.commit().unwrap();
    }
    let s = measure(runs * 3, || {
        let conn = sqlcipher(sdir.path());
        let t = Instant::now();
        let mut stmt = conn.prepare("SELECT id, name, code, sex, birth_year, phone, target_groups FROM clients").unwrap();
        let mut names: Vec<String> = stmt.query_map([], |r| r.get::<_, String>(1)).unwrap().map(Result::unwrap).collect();
        names.sort_by_cached_key(|n| n.to_lowercase());
        assert_eq!(names.len(), listed);
        t.elapsed()
    });
    rows.push(Row { what: format!("list {listed} clients after opening"), komora: k, other: s, target: "faster than SQLCipher" });

    // 4. Merging 100,000 remote operations: Komora decrypts, merges and persists them in one
    // transaction on disk; Automerge applies the equivalent changes in memory.
    let (records, edits) = if quick { (2_000, 9) } else { (10_000, 9) };
    let total = records * (1 + edits);
    let team = TeamKeys::generate();
    let mut src = Vault::ephemeral(&team, std::sync::Arc::new(komora_core::SystemClock)).unwrap();
    let ids = src.add_clients(&(0..records).map(client).collect::<Vec<_>>()).unwrap();
    for round in 0..edits {
        for (i, id) in ids.iter().enumerate() {
            src.edit_client(*id, &ClientEdit { phone: Some(Some(format!("07{round}{i:07}"))), ..Default::default() }).unwrap();
        }
    }
    let ops = src.all_ops().unwrap();
    assert_eq!(ops.len(), total);
    let k = measure(runs.min(3), || {
        let dir = tempfile::tempdir().unwrap();
        let mut v = Vault::create_joined(dir.path().join("v"), PASS, &team, opts()).unwrap();
        let t = Instant::now();
        let r = v.apply_ops(&ops).unwrap();
        let e = t.elapsed();
        assert_eq!(r.applied, total);
        e
    });
    let mut doc = AutoCommit::new();
    let mut objs = Vec::with_capacity(records);
    for i in 0..records {
        let obj = doc.put_object(ROOT, format!("c{i}"), automerge::ObjType::Map).unwrap();
        doc.put(&obj, "name", format!("Mukamana Odette {i}")).unwrap();
        doc.commit();
        objs.push(obj);
    }
    for round in 0..edits {
        for (i, obj) in objs.iter().enumerate() {
            doc.put(obj, "phone", format!("07{round}{i:07}")).unwrap();
            doc.commit();
        }
    }
    let changes: Vec<automerge::Change> = doc.get_changes(&[]);
    assert_eq!(changes.len(), total);
    let a = measure(runs.min(3), || {
        let mut other = AutoCommit::new();
        let t = Instant::now();
        other.apply_changes(changes.iter().cloned()).unwrap();
        let e = t.elapsed();
        assert_eq!(other.length(ROOT), records);
        e
    });
    rows.push(Row { what: format!("apply {total} remote operations (Komora: decrypt, merge, persist on disk; Automerge: in memory)"), komora: k, other: a, target: ">= 1x Automerge" });

    println!("| workload | Komora median (min..max) | other median (min..max) | Komora speed vs other | target |");
    println!("|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} ({}..{}) | {} ({}..{}) | {:.2}x | {} |",
            r.what, ms(r.komora.0), ms(r.komora.1), ms(r.komora.2), ms(r.other.0), ms(r.other.1), ms(r.other.2),
            r.other.0.as_secs_f64() / r.komora.0.as_secs_f64(), r.target
        );
    }
}
