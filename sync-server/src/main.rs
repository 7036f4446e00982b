//! `komora-sync-server`: run the server (TLS unless told otherwise), back up its store, or
//! print its certificate's pin.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use komora_sync_server::config::{Cli, Command};
use komora_sync_server::db::sqlite::SqliteDb;
use komora_sync_server::db::Db;
use komora_sync_server::{tls, AppState, Limits};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KOMORA_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("komora-sync-server: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn open_db(settings: &komora_sync_server::config::Settings) -> Result<Arc<dyn Db>, String> {
    if let Some(url) = &settings.database {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let db = komora_sync_server::db::postgres::PostgresDb::open(url, None)
                .map_err(|e| e.to_string())?;
            return Ok(Arc::new(db));
        }
        return Err("--database takes a postgres:// URL".into());
    }
    let dir = settings.data_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("cannot create {}: {}", dir.display(), e.kind()))?;
    let db = SqliteDb::open(&dir.join("komora-sync.db")).map_err(|e| e.to_string())?;
    Ok(Arc::new(db))
}

fn run(cli: Cli) -> Result<(), String> {
    let settings = cli.settings.merge_file()?;
    let mode = tls::Mode::from_settings(&settings)?;
    if let Some(Command::Pin) = cli.command {
        let certificate = mode.certificate()?.ok_or(
            "this server serves plain HTTP (--plain-http): the certificate is its reverse proxy's",
        )?;
        println!("{}", certificate.pin);
        return Ok(());
    }
    let db = open_db(&settings)?;
    if let Some(Command::Backup { out }) = cli.command {
        if out.exists() {
            return Err(format!(
                "{} exists already; choose a new file",
                out.display()
            ));
        }
        db.backup(&out).map_err(|e| e.to_string())?;
        println!("backup written to {}", out.display());
        return Ok(());
    }

    if let Some(code) =
        komora_sync_server::prepare_bootstrap(db.as_ref()).map_err(|e| e.to_string())?
    {
        // The one secret this server ever prints, once, on a line of its own, on stdout only.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "bootstrap code: {code}");
        let _ = out.flush();
    }

    // TLS unless told otherwise: the server's own certificate, made at the first start.
    let certificate = mode.certificate()?;
    if let Some(c) = &certificate {
        // Not a secret: what the enrolment link carries so tablets trust this key only.
        println!("certificate pin: {}", c.pin);
    }
    let acceptor = certificate.as_ref().map(|c| c.acceptor()).transpose()?;

    let limits = Limits {
        codes_per_minute: settings
            .codes_per_minute
            .unwrap_or(Limits::default().codes_per_minute),
        logins_per_minute: settings
            .logins_per_minute
            .unwrap_or(Limits::default().logins_per_minute),
    };
    let state = AppState::new(db, limits);
    // The store is dropped last, outside the runtime: the PostgreSQL client runs a runtime of
    // its own, and dropping one inside another aborts the process (found by the soak run).
    let store_keeper = Arc::clone(&state);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(settings.listen_addr())
            .await
            .map_err(|e| format!("cannot listen on {}: {}", settings.listen_addr(), e.kind()))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        println!("listening on {scheme}://{addr}");
        let _ = std::io::stdout().flush();
        if acceptor.is_none() && !addr.ip().is_loopback() {
            eprintln!(
                "komora-sync-server: warning: plain HTTP on {addr}, which other machines reach; \
                 tablets refuse plain HTTP: put a reverse proxy that terminates TLS in front, \
                 and listen on 127.0.0.1"
            );
        }
        tracing::info!(%addr, scheme, "serving");
        match acceptor {
            Some(acceptor) => tls::serve(listener, acceptor, state).await,
            None => komora_sync_server::serve(listener, state).await,
        }
        .map_err(|e| e.to_string())
    });
    drop(runtime);
    drop(store_keeper);
    served
}
