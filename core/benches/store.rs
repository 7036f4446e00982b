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
        sex: Some(if i.is_multiple_of(2) {
            Sex::Female
        } else {
            Sex::Male
        }),
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

/// The plain table's key for client `i`.
fn plain_id(i: usize) -> [u8; 16] {
    std::array::from_fn(|k| (i.wrapping_mul(2654435761) >> (k % 8)) as u8 ^ k as u8)
}

fn plain_insert(conn: &Connection, i: usize) {
    let c = client(i);
    let id = plain_id(i);
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

#[path = "store/first_paint.rs"]
mod first_paint;

fn kdir_for_casework() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

mod casework {
    //! A team's case work: `clients` clients with a case each, `sessions` sessions (one
    //! client carries 200 sessions with a PHQ-9 each), written on an in-memory replica and
    //! imported into an on-disk vault in one transaction, as a sync would. The plain baseline
    //! holds the same rows in indexed plaintext tables.
    use std::path::PathBuf;

    use komora_core::{
        KdfParams, NewAssessment, NewCase, NewClient, NewSession, RecordId, Sex, TeamKeys, Vault,
        VaultOptions,
    };
    use rusqlite::{params, Connection};

    pub struct Fixture {
        _dir: tempfile::TempDir,
        path: PathBuf,
        plain: Connection,
        pub busy_client: RecordId,
        pub clients: usize,
        pub sessions: usize,
    }

    fn opts() -> VaultOptions {
        VaultOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
            ..Default::default()
        }
    }

    impl Fixture {
        pub fn build(dir: tempfile::TempDir) -> Self {
            let (clients, per_client) = (2_000usize, 25usize);
            let team = TeamKeys::generate();
            // Sessions are dated over the past months: start the clock two years back.
            let clock = std::sync::Arc::new(komora_core::SystemClock);
            let mut src = Vault::ephemeral(&team, clock).unwrap();
            let ids = src
                .add_clients(
                    &(0..clients)
                        .map(|i| NewClient {
                            name: format!("Client {i}"),
                            sex: Some(if i % 3 == 0 { Sex::Male } else { Sex::Female }),
                            birth_year: Some(1950 + (i % 60) as u16),
                            location: Some(komora_core::LocationInput {
                                district: ["Huye", "Nyanza", "Nyaruguru", "Gisagara"][i % 4].into(),
                                ..Default::default()
                            }),
                            ..Default::default()
                        })
                        .collect::<Vec<_>>(),
                )
                .unwrap();
            let today = src.today();
            let plain = Connection::open(dir.path().join("plain.db")).unwrap();
            plain
                .execute_batch(
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
                     CREATE TABLE clients (id BLOB PRIMARY KEY, sex TEXT, birth_year INT, district TEXT) WITHOUT ROWID;
                     CREATE TABLE sessions (id BLOB PRIMARY KEY, client BLOB, date TEXT, modality TEXT, notes TEXT) WITHOUT ROWID;
                     CREATE TABLE measures (id BLOB PRIMARY KEY, client BLOB, date TEXT, score INT) WITHOUT ROWID;
                     CREATE INDEX sessions_client ON sessions (client, date);
                     CREATE INDEX measures_client ON measures (client, date);",
                )
                .unwrap();
            let mut sessions = 0;
            let busy = ids[0];
            for (i, id) in ids.iter().enumerate() {
                let c = src.client(*id).unwrap();
                plain
                    .execute(
                        "INSERT INTO clients VALUES (?1, ?2, ?3, ?4)",
                        params![id.as_bytes(), c.sex.map(|s| s.code()), c.birth_year, "Huye"],
                    )
                    .unwrap();
                let case = src
                    .add_case(&NewCase {
                        clients: vec![*id],
                        problems: vec!["trauma".into()],
                        opened: Some(today.add_days(-700)),
                        ..Default::default()
                    })
                    .unwrap();
                let n = if i == 0 { 200 } else { per_client };
                for k in 0..n {
                    let mut s = NewSession::new(case, ["office", "home-visit", "phone"][k % 3]);
                    s.date = Some(today.add_days(-((k * 3) as i64)));
                    s.notes = Some(
                        "Notes of a session, about this long, as counsellors write them.".into(),
                    );
                    let sid = src.add_session(&s).unwrap();
                    let date = s.date.unwrap().to_string();
                    plain
                        .execute(
                            "INSERT INTO sessions VALUES (?1, ?2, ?3, ?4, ?5)",
                            params![sid.as_bytes(), id.as_bytes(), date, s.modality, s.notes],
                        )
                        .unwrap();
                    sessions += 1;
                    if i == 0 {
                        let mut a = NewAssessment::new(*id, "phq-9", vec![(k % 4) as u8; 9]);
                        a.date = s.date;
                        let (aid, score) = src.add_assessment(&a).unwrap();
                        plain
                            .execute(
                                "INSERT INTO measures VALUES (?1, ?2, ?3, ?4)",
                                params![aid.as_bytes(), id.as_bytes(), date, score.total],
                            )
                            .unwrap();
                    }
                }
            }
            let path = dir.path().join("vault");
            let mut v = Vault::create_joined(&path, super::PASS, &team, opts()).unwrap();
            v.apply_ops(&src.all_ops().unwrap()).unwrap();
            v.lock();
            Fixture {
                _dir: dir,
                path,
                plain,
                busy_client: busy,
                clients,
                sessions,
            }
        }

        pub fn unlock(&self) -> Vault {
            Vault::open(&self.path, super::PASS, opts()).unwrap()
        }

        /// The same timeline from plaintext: the client's sessions and measures by date, and
        /// the case row.
        pub fn plain_timeline(&self) -> usize {
            let mut stmt = self
                .plain
                .prepare_cached(
                    "SELECT id, date, modality FROM sessions WHERE client = ?1
                     UNION ALL SELECT id, date, score FROM measures WHERE client = ?1
                     ORDER BY 2 DESC",
                )
                .unwrap();
            let rows = stmt
                .query_map([self.busy_client.as_bytes()], |r| r.get::<_, String>(1))
                .unwrap()
                .count();
            rows + 1
        }

        /// The same figures from plaintext: sessions by month and modality, clients reached
        /// by month and district, sex and age band.
        pub fn plain_report(&self) -> usize {
            let mut n = 0;
            for sql in [
                "SELECT substr(date,1,7), modality, count(*) FROM sessions GROUP BY 1, 2",
                "SELECT substr(s.date,1,7), c.district, count(DISTINCT s.client) FROM sessions s JOIN clients c ON c.id = s.client GROUP BY 1, 2",
                "SELECT substr(s.date,1,7), c.sex, count(DISTINCT s.client) FROM sessions s JOIN clients c ON c.id = s.client GROUP BY 1, 2",
                "SELECT substr(s.date,1,7), (CAST(substr(s.date,1,4) AS INT) - c.birth_year) / 10, count(DISTINCT s.client) FROM sessions s JOIN clients c ON c.id = s.client GROUP BY 1, 2",
            ] {
                let mut stmt = self.plain.prepare_cached(sql).unwrap();
                n += stmt.query_map([], |r| r.get::<_, i64>(2)).unwrap().count();
            }
            n
        }
    }
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
    // `-- --only save|batch|apply|pages|list|unlock|first-paint` runs one workload (for
    // profiling).
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let runs_workload = |name: &str| only.as_deref().is_none_or(|o| o == name);
    // `-- --runs N` sets the number of runs (a shared machine needs more to read a ratio).
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(if quick { 3 } else { 7 });
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

    // 2b. Applying 100,000 remote operations (10,000 clients, then nine edits each), as a
    // first sync does: Komora opens, merges and persists them in one transaction; the floor
    // logs the same 100,000 changes in plaintext and keeps each client's row current, in one
    // transaction too.
    if runs_workload("apply") || runs_workload("pages") {
        let (records, edits) = (10_000usize, 9usize);
        let total = records * (1 + edits);
        let team = komora_core::TeamKeys::generate();
        let mut src =
            Vault::ephemeral(&team, std::sync::Arc::new(komora_core::SystemClock)).unwrap();
        let ids = src
            .add_clients(&(0..records).map(client).collect::<Vec<_>>())
            .unwrap();
        for round in 0..edits {
            for (i, id) in ids.iter().enumerate() {
                let edit = komora_core::ClientEdit {
                    phone: Some(Some(format!("07{round}{i:07}"))),
                    ..Default::default()
                };
                src.edit_client(*id, &edit).unwrap();
            }
        }
        let ops = src.all_ops().unwrap();
        assert_eq!(ops.len(), total);
        // Also timed: the same until the vault is closed, which waits for the write-ahead
        // log's copy into the database (off the apply since ADR 0026, not off the machine).
        let mut closed = Vec::new();
        let single_call = runs_workload("apply");
        let k = single_call.then(|| {
            measure(runs.min(3), || {
                let dir = tempfile::tempdir().unwrap();
                let fast = VaultOptions {
                    kdf: KdfParams::INSECURE_FOR_TESTS,
                    ..Default::default()
                };
                let mut v = Vault::create_joined(dir.path().join("v"), PASS, &team, fast).unwrap();
                let t = Instant::now();
                let r = v.apply_ops(&ops).unwrap();
                let e = t.elapsed();
                drop(v);
                closed.push(t.elapsed());
                assert_eq!(r.applied, total);
                e
            })
        });
        let closed = single_call.then(|| median_spread(closed));
        // The same in pages of at most 1 MiB, one transaction each: what the sync engine pulls
        // and applies in a first sync (a page's transaction never fills the page cache; the
        // log crosses the checkpoint's 1,000 pages every few pages).
        let mut pages: Vec<&[komora_core::OpEnvelope]> = Vec::new();
        let (mut start, mut bytes) = (0, 0);
        for (i, env) in ops.iter().enumerate() {
            if bytes + env.encoded_len() > 1024 * 1024 && i > start {
                pages.push(&ops[start..i]);
                (start, bytes) = (i, 0);
            }
            bytes += env.encoded_len();
        }
        pages.push(&ops[start..]);
        let paged = runs_workload("pages").then(|| {
            measure(runs.min(3), || {
                let dir = tempfile::tempdir().unwrap();
                let fast = VaultOptions {
                    kdf: KdfParams::INSECURE_FOR_TESTS,
                    ..Default::default()
                };
                let mut v = Vault::create_joined(dir.path().join("v"), PASS, &team, fast).unwrap();
                let t = Instant::now();
                let applied: usize = pages.iter().map(|p| v.apply_ops(p).unwrap().applied).sum();
                let e = t.elapsed();
                assert_eq!(applied, total);
                e
            })
        });
        let p = measure(runs.min(3), || {
            let dir = tempfile::tempdir().unwrap();
            let mut conn = plain_db(dir.path());
            conn.execute_batch(
                "CREATE TABLE log (id BLOB PRIMARY KEY, record BLOB NOT NULL, field TEXT, value TEXT) WITHOUT ROWID;
                 CREATE INDEX log_record ON log (record);",
            )
            .unwrap();
            let t = Instant::now();
            let tx = conn.transaction().unwrap();
            for round in 0..=edits {
                for i in 0..records {
                    let record = (i as u128).to_be_bytes();
                    let op = ((round * records + i) as u128 | 1 << 100).to_be_bytes();
                    let phone = format!("07{round}{i:07}");
                    tx.prepare_cached("INSERT INTO log VALUES (?1, ?2, 'phone', ?3)")
                        .unwrap()
                        .execute(params![&op[..], &record[..], phone])
                        .unwrap();
                    if round == 0 {
                        plain_insert(&tx, i);
                    } else {
                        tx.prepare_cached("UPDATE clients SET phone = ?2 WHERE id = ?1")
                            .unwrap()
                            .execute(params![&plain_id(i)[..], phone])
                            .unwrap();
                    }
                }
            }
            tx.commit().unwrap();
            t.elapsed()
        });
        if let (Some(k), Some(closed)) = (k, closed) {
            rows.push(Row {
                what: format!("apply {total} remote operations (open, merge, persist)"),
                komora: k,
                floor: p,
                throughput: true,
                target: "as fast as possible",
            });
            rows.push(Row {
                what: "the same, then closed (the log copied into the database)".into(),
                komora: closed,
                floor: p,
                throughput: true,
                target: "-",
            });
        }
        if let Some(paged) = paged {
            rows.push(Row {
                what: format!(
                    "the same in {} pages of at most 1 MiB, one transaction each",
                    pages.len()
                ),
                komora: paged,
                floor: p,
                throughput: true,
                target: "-",
            });
        }
    }

    // 3. Listing 5,000 clients after unlock.
    if runs_workload("list") {
        let kdir = tempfile::tempdir().unwrap();
        let v = unlocked_with_clients(kdir.path(), listed);
        assert_eq!(v.clients().unwrap().items.len(), listed);
        let pdir = tempfile::tempdir().unwrap();
        let conn = plain_with_clients(pdir.path(), listed);
        // Alternated, one listing of each in turn: on a shared machine both see the same
        // load, and the ratio stays readable.
        let (mut ks, mut ps) = (Vec::new(), Vec::new());
        for _ in 0..runs * 3 {
            let t = Instant::now();
            let n = v.clients().unwrap().items.len();
            ks.push(t.elapsed());
            assert_eq!(n, listed);
            let t = Instant::now();
            let n = plain_list(&conn).len();
            ps.push(t.elapsed());
            assert_eq!(n, listed);
        }
        let (k, p) = (median_spread(ks), median_spread(ps));
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

    // 5. Case work: a client's timeline with 200 sessions, and the donor report over 50,000
    // sessions, on an unlocked vault, against SQL on plaintext tables holding the same rows.
    if runs_workload("timeline") || runs_workload("report") {
        let cw = casework::Fixture::build(kdir_for_casework());
        if runs_workload("timeline") {
            let cold = {
                let v = cw.unlock();
                let t = Instant::now();
                assert_eq!(v.timeline(cw.busy_client).unwrap().len(), 1 + 2 * 200);
                t.elapsed()
            };
            let v = cw.unlock();
            v.timeline(cw.busy_client).unwrap();
            let k = measure(runs * 3, || {
                let t = Instant::now();
                let n = v.timeline(cw.busy_client).unwrap().len();
                let e = t.elapsed();
                assert_eq!(n, 1 + 2 * 200);
                e
            });
            let p = measure(runs * 3, || {
                let t = Instant::now();
                let n = cw.plain_timeline();
                let e = t.elapsed();
                assert_eq!(n, 1 + 2 * 200);
                e
            });
            rows.push(Row {
                what: format!(
                    "open a client's timeline, 200 sessions + 200 measures among {} sessions (first after unlock builds the index: {})",
                    cw.sessions,
                    ms(cold)
                ),
                komora: k,
                floor: p,
                throughput: false,
                target: "instant on screen",
            });
        }
        if runs_workload("report") {
            let k = measure(runs, || {
                let mut v = cw.unlock();
                let t = Instant::now();
                let csv = v
                    .report_csv(&komora_core::ReportOptions::default())
                    .unwrap();
                let e = t.elapsed();
                assert!(csv.lines().count() > 10);
                e
            });
            let p = measure(runs, || {
                let t = Instant::now();
                let n = cw.plain_report();
                let e = t.elapsed();
                assert!(n > 10);
                e
            });
            rows.push(Row {
                what: format!(
                    "donor report over {} sessions, {} clients, from a freshly unlocked vault",
                    cw.sessions, cw.clients
                ),
                komora: k,
                floor: p,
                throughput: false,
                target: "seconds, not minutes",
            });
        }
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

    // 6. The caseload's first paint after unlock: a counsellor's vault and a supervisor's,
    // one wait of each in turn. Its own table (no plaintext floor: what she waits for).
    if runs_workload("first-paint") {
        let counsellor = first_paint::Fixture::build(200, 10);
        let supervisor = first_paint::Fixture::build(2_000, 10);
        // Each wait of each vault in turn with its twin from before the index of records by
        // kind, which of the two first alternating from run to run.
        let (mut cw, mut sw, mut cb, mut sb) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for run in 0..runs {
            for before in [run % 2 == 0, run % 2 == 1] {
                let (c, s) = (
                    counsellor.wait(false, before),
                    supervisor.wait(true, before),
                );
                if before {
                    cb.push(c);
                    sb.push(s);
                } else {
                    cw.push(c);
                    sw.push(s);
                }
            }
        }
        let name = |f: &first_paint::Fixture, what: &str| {
            format!(
                "{}: {} clients, {} sessions, {what}",
                if f.clients > 200 {
                    "supervisor"
                } else {
                    "counsellor"
                },
                f.clients,
                f.sessions
            )
        };
        let (cn, sn) = (
            name(&counsellor, "her caseload"),
            name(&supervisor, "the review queue"),
        );
        println!("{}", first_paint::HEADER);
        println!("{}", first_paint::row(&cn, &cw));
        println!("{}", first_paint::row(&sn, &sw));
        println!(
            "{}",
            first_paint::row(&format!("{cn}, before the index by kind"), &cb)
        );
        println!(
            "{}",
            first_paint::row(&format!("{sn}, before the index by kind"), &sb)
        );
        println!();
        println!("{}", first_paint::RATIOS_HEADER);
        println!("{}", first_paint::ratios(&cn, &cw, &cb));
        println!("{}", first_paint::ratios(&sn, &sw, &sb));
        println!();
        let (mut wa, mut wb) = (Vec::new(), Vec::new());
        for run in 0..runs {
            for without in [run % 2 == 0, run % 2 == 1] {
                let w = first_paint::write_cost(without);
                if without {
                    wb.push(w);
                } else {
                    wa.push(w);
                }
            }
        }
        println!("{}", first_paint::WRITE_HEADER);
        println!("{}", first_paint::write_ratios(&wa, &wb));
        println!();
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
