//! One suite, every store: each operation of the server's storage boundary (`db::Db`) called
//! directly, not through HTTP (`calls.rs` runs each to its end), with the same assertions on the embedded SQLite store and, when
//! `KOMORA_TEST_POSTGRES` holds a URL, on PostgreSQL (a schema of its own per test, dropped
//! after it).
//!
//! Each scenario also writes down every answer the store gives (`Transcript`), and the
//! PostgreSQL transcript must equal the SQLite one word for word: a deployment that moves from
//! one store to the other must see the same pages, the same order, the same refusals. Only
//! what is random by design (the store generation) and the text of storage failures (the
//! drivers' own words) are left out of the comparison.
//!
//! Rate limits are not here: they are kept in each server process's memory, never in a store.
//!
//! The files by concern: `stream.rs` pushes, pulls, pages, duplicates, epochs, bounds and
//! concurrent pushes; `erasure.rs` erased client files; `devices.rs` founding, invitations,
//! the device list, logins, revocation and the signed list; `reconcile.rs` what a restored or
//! rebuilt store answers a tablet (summaries, catching up, generations, rewound cursors).

mod calls;
mod devices;
mod erasure;
mod fixtures;
mod reconcile;
mod stream;

use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use komora_sync_server::db::postgres::PostgresDb;
use komora_sync_server::db::sqlite::SqliteDb;
use komora_sync_server::db::{Db, DbError, DbResult};

/// Every answer a store gave in one scenario, in order, as text.
#[derive(Default)]
pub struct Transcript(Vec<String>);

impl Transcript {
    /// Write down an answer under a label and hand it back.
    pub fn note<T: Debug>(&mut self, label: &str, value: T) -> T {
        self.0.push(format!("{label}: {value:?}"));
        value
    }

    /// Write down a result: a storage failure only as such (its text is the driver's own).
    pub fn result<T: Debug>(&mut self, label: &str, value: DbResult<T>) -> DbResult<T> {
        let shown = match &value {
            Err(DbError::Storage(_)) => "Err(Storage)".to_owned(),
            other => format!("{other:?}"),
        };
        self.0.push(format!("{label}: {shown}"));
        value
    }
}

/// A store under test, the runtime it runs on, and what to clean up after it.
pub struct Store {
    pub dialect: &'static str,
    rt: Option<tokio::runtime::Runtime>,
    db: Option<Box<dyn Db>>,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl Store {
    fn db(&self) -> &dyn Db {
        self.db.as_deref().expect("the store is open until dropped")
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.rt
            .as_ref()
            .expect("the runtime runs until the store is dropped")
    }

    /// Run one store call to its end, or fail the test if it does not answer within a minute
    /// (a connection left waiting on itself, found by `a_page_cut_short_...`).
    pub fn run<T>(&self, call: impl std::future::Future<Output = T>) -> T {
        self.runtime()
            .block_on(async { tokio::time::timeout(Duration::from_secs(60), call).await })
            .unwrap_or_else(|_| panic!("{}: the store gave no answer in a minute", self.dialect))
    }

    /// Close the store and open it again, as a restarted server does.
    pub fn reopen(&mut self) {
        drop(self.db.take());
        let db: Box<dyn Db> = match (&self._dir, &self.pg_schema) {
            (Some(dir), _) => Box::new(SqliteDb::open(&dir.path().join("komora-sync.db")).unwrap()),
            (None, Some((url, schema))) => Box::new(
                self.runtime()
                    .block_on(PostgresDb::open(url, Some(schema), POOL))
                    .unwrap(),
            ),
            (None, None) => unreachable!("a store is a file or a schema"),
        };
        self.db = Some(db);
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Close the pool and stop its connections' tasks first: their sessions sit in the
        // schema being dropped (and one a failed test left waiting holds its locks).
        drop(self.db.take());
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
        if let Some((url, schema)) = self.pg_schema.take() {
            if let Ok(mut c) = postgres::Client::connect(&url, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// Connections of a PostgreSQL store under test: enough for the scenarios that push from
/// several threads at once.
const POOL: usize = 8;

/// The runtime a store under test runs on (the SQLite store's blocking threads, the
/// PostgreSQL pool's connections).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A fresh SQLite store in a folder of its own.
pub fn sqlite() -> Store {
    let dir = tempfile::tempdir().unwrap();
    let db = SqliteDb::open(&dir.path().join("komora-sync.db")).unwrap();
    Store {
        dialect: "SQLite",
        rt: Some(runtime()),
        db: Some(Box::new(db)),
        _dir: Some(dir),
        pg_schema: None,
    }
}

/// A fresh PostgreSQL store (a new schema) when `KOMORA_TEST_POSTGRES` is set.
pub fn postgres() -> Option<Store> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let url = std::env::var("KOMORA_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())?;
    let schema = format!(
        "conformance_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let rt = runtime();
    let db = rt
        .block_on(PostgresDb::open(&url, Some(&schema), POOL))
        .unwrap();
    Some(Store {
        dialect: "PostgreSQL",
        rt: Some(rt),
        db: Some(Box::new(db)),
        _dir: None,
        pg_schema: Some((url, schema)),
    })
}

/// The stores to run on: SQLite always, PostgreSQL when configured.
pub fn stores() -> Vec<Store> {
    let mut out = vec![sqlite()];
    match postgres() {
        Some(pg) => out.push(pg),
        None => eprintln!("KOMORA_TEST_POSTGRES is not set: the store suite runs on SQLite only"),
    }
    out
}

/// Run `scenario` on every store; its assertions must hold on each, and every store's
/// transcript must be SQLite's.
pub fn on_every_store(scenario: impl Fn(&Store, &mut Transcript)) {
    let mut transcripts: Vec<(&'static str, Transcript)> = Vec::new();
    for store in stores() {
        eprintln!("on {}", store.dialect);
        let mut t = Transcript::default();
        scenario(&store, &mut t);
        transcripts.push((store.dialect, t));
    }
    let (first, reference) = &transcripts[0];
    for (dialect, t) in &transcripts[1..] {
        for (i, (a, b)) in reference.0.iter().zip(&t.0).enumerate() {
            assert_eq!(
                a, b,
                "{dialect} answered differently from {first} (answer {i})"
            );
        }
        assert_eq!(
            reference.0.len(),
            t.0.len(),
            "{dialect} gave another number of answers than {first}"
        );
    }
}
