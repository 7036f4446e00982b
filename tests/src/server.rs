//! A real sync server for tests: the production router on a real loopback listener, with its
//! embedded SQLite store in a folder the test owns. It can be stopped and started again on the
//! same port and data.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use komora_sync_server::db::postgres::PostgresDb;
use komora_sync_server::db::sqlite::SqliteDb;
use komora_sync_server::db::Db;
use komora_sync_server::{AppState, Limits};

/// Which store the server runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// A PostgreSQL URL; each test server gets a schema of its own.
    Postgres(String),
}

/// The stores to run the server scenarios on: SQLite always, PostgreSQL when
/// `KOMORA_TEST_POSTGRES` holds a URL (`.ci/run` starts one and sets it).
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    match std::env::var("KOMORA_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => out.push(Backend::Postgres(url)),
        _ => eprintln!("KOMORA_TEST_POSTGRES is not set: the server scenarios run on SQLite only"),
    }
    out
}

/// The store a test server on `backend` with `data` runs on.
pub fn store_source(backend: &Backend, data: &Path) -> komora_sync_server::backup::Source {
    match backend {
        Backend::Sqlite => komora_sync_server::backup::Source::Sqlite {
            file: data.join("komora-sync.db"),
        },
        Backend::Postgres(url) => komora_sync_server::backup::Source::Postgres {
            url: url.clone(),
            schema: Some(std::fs::read_to_string(data.join("pg-schema")).unwrap()),
        },
    }
}

pub struct TestServer {
    pub backend: Backend,
    pub url: String,
    pub addr: SocketAddr,
    pub data: PathBuf,
    /// Set when the store was empty at this start.
    pub bootstrap_code: Option<String>,
    pub state: Arc<AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// The metrics token of the test servers.
pub const TEST_METRICS_TOKEN: &str = "test metrics token";

/// Limits generous enough for scripted scenarios; the rate-limit test sets its own.
pub fn test_limits() -> Limits {
    Limits {
        codes_per_minute: 1_000,
        logins_per_minute: 100_000,
        device_logins_per_minute: 100_000,
        trusted_proxies: Vec::new(),
        metrics_token: Some(TEST_METRICS_TOKEN.into()),
        ..Limits::default()
    }
}

impl TestServer {
    /// Start on a free port with an SQLite store in `data`.
    pub fn start(data: &Path) -> Self {
        Self::start_on(&Backend::Sqlite, data)
    }

    /// Start on a free port on `backend` (its SQLite file, or its PostgreSQL schema's name, in
    /// `data`).
    pub fn start_on(backend: &Backend, data: &Path) -> Self {
        Self::start_at(backend, data, "127.0.0.1:0".parse().unwrap(), test_limits())
    }

    pub fn start_at(backend: &Backend, data: &Path, addr: SocketAddr, limits: Limits) -> Self {
        Self::start_serving(backend, data, addr, limits, false)
    }

    /// Start on `addr` serving TLS with the server's own certificate (made in `data`), as the
    /// production server does by default; `url` is `https://`.
    pub fn start_tls(backend: &Backend, data: &Path, addr: SocketAddr, limits: Limits) -> Self {
        Self::start_serving(backend, data, addr, limits, true)
    }

    fn start_serving(
        backend: &Backend,
        data: &Path,
        addr: SocketAddr,
        limits: Limits,
        tls: bool,
    ) -> Self {
        std::fs::create_dir_all(data).unwrap();
        let acceptor = tls.then(|| {
            komora_sync_server::tls::own_certificate(data)
                .unwrap()
                .acceptor()
                .unwrap()
        });
        // The store opens on the server's runtime: a PostgreSQL pool's connections are served
        // by tasks of the runtime that opened them.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let db: Arc<dyn Db> = match backend {
            Backend::Sqlite => Arc::new(SqliteDb::open(&data.join("komora-sync.db")).unwrap()),
            Backend::Postgres(url) => {
                let marker = data.join("pg-schema");
                let schema = std::fs::read_to_string(&marker).unwrap_or_else(|_| {
                    let name = format!("t_{}", komora_core::RecordId::random());
                    std::fs::write(&marker, &name).unwrap();
                    name
                });
                Arc::new(
                    runtime
                        .block_on(PostgresDb::open(
                            url,
                            Some(&schema),
                            komora_sync_server::db::postgres::DEFAULT_POOL_SIZE,
                        ))
                        .unwrap(),
                )
            }
        };
        let bootstrap_code = runtime
            .block_on(komora_sync_server::prepare_bootstrap(db.as_ref()))
            .unwrap();
        let state = AppState::new(db, limits);
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(addr))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serving = state.clone();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let stop = async {
                    let _ = rx.await;
                };
                match acceptor {
                    Some(acceptor) => {
                        komora_sync_server::tls::serve_until(listener, acceptor, serving, stop)
                            .await
                    }
                    None => komora_sync_server::serve_until(listener, serving, stop).await,
                }
                .unwrap();
            });
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
        });
        Self {
            backend: backend.clone(),
            url: format!("{}://{addr}", if tls { "https" } else { "http" }),
            addr,
            data: data.to_owned(),
            bootstrap_code,
            state,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    /// Stop serving (open connections are dropped) and wait until the port is free.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Run a call of the server's store from the test's thread, to its end (on a runtime of
    /// the call's own: the server's may be stopped already).
    pub fn wait<T>(&self, call: impl std::future::Future<Output = T>) -> T {
        komora_sync_server::db::wait(call).unwrap()
    }

    /// The store this server runs on, as `backup` and `restore` name it.
    pub fn source(&self) -> komora_sync_server::backup::Source {
        store_source(&self.backend, &self.data)
    }

    /// Every envelope the server holds for `team`, in its order: the copy a thief of the
    /// server takes.
    pub fn team_copy(&self, team: komora_protocol::Id16) -> Vec<komora_core::OpEnvelope> {
        let page = self
            .wait(
                self.state
                    .db
                    .pull(team, komora_protocol::Id16([0; 16]), 0, u32::MAX, None),
            )
            .unwrap();
        page.envelopes
            .iter()
            .map(|e| komora_core::OpEnvelope::from_bytes(e).unwrap())
            .collect()
    }

    /// Everything the server's store holds, for scanning: each file of its folder (SQLite
    /// database, WAL, shared memory) and every stored value as the database returns it.
    pub fn stored_bytes(&self) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&self.data)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p: PathBuf| (p.display().to_string(), std::fs::read(&p).unwrap()))
            .collect();
        out.push((
            "database contents".into(),
            self.wait(self.state.db.dump()).unwrap(),
        ));
        out
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// How a server's backup is put back in place (issue 17's two ways).
#[derive(Clone, Copy, Debug)]
pub enum Repair {
    /// `komora-sync-server restore --from FILE`: a new store generation, every tablet
    /// reconciles and learns what the server holds of each author.
    RestoreCommand,
    /// The administrator copies the backup over the store by hand: same generation, the
    /// stream rolled back under the tablets' feet; a tablet notices only by what the server
    /// says it holds of her own work.
    CopiedByHand,
}

/// Stop `server`, put `backup` back the [`Repair`] way, start it again on the same address
/// with the test limits.
pub fn restore_backup(
    server: TestServer,
    backend: &Backend,
    repair: Repair,
    backup: &Path,
) -> TestServer {
    let (addr, data, source) = (server.addr, server.data.clone(), server.source());
    server.stop();
    match repair {
        Repair::RestoreCommand => {
            komora_sync_server::restore::restore(&source, backup, komora_sync_server::now_ms())
                .unwrap();
        }
        Repair::CopiedByHand => {
            let store = data.join("komora-sync.db");
            for companion in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{companion}", store.display()));
            }
            std::fs::copy(backup, &store).unwrap();
        }
    }
    TestServer::start_at(backend, &data, addr, test_limits())
}
