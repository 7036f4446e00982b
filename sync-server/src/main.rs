//! `komora-sync-server`: run the server (TLS unless told otherwise, with scheduled backups),
//! back up its store, restore a backup, say how the backups are, or print its certificate's
//! pin.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use komora_sync_server::backup::schedule::Schedule;
use komora_sync_server::backup::Source;
use komora_sync_server::config::{Cli, Command, Settings};
use komora_sync_server::db::sqlite::SqliteDb;
use komora_sync_server::db::Db;
use komora_sync_server::store_lock::StoreLock;
use komora_sync_server::{tls, AppState, Limits};

fn main() -> ExitCode {
    // Everything it writes (store, WAL, backups, status) is the server user's alone, however
    // it was started (the packaged unit sets the same umask).
    // SAFETY: umask only changes this process's file-creation mask.
    #[cfg(unix)]
    unsafe {
        libc::umask(0o077);
    }
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

/// Open the store the settings name: PostgreSQL (on the calling runtime: its pool's
/// connections are served there) or the embedded SQLite file.
async fn open_db(settings: &komora_sync_server::config::Settings) -> Result<Arc<dyn Db>, String> {
    if let Some(url) = &settings.database {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool_size = settings
                .database_pool_size
                .unwrap_or(komora_sync_server::db::postgres::DEFAULT_POOL_SIZE);
            if pool_size == 0 {
                return Err("--database-pool-size must be at least 1".into());
            }
            let db = komora_sync_server::db::postgres::PostgresDb::open(url, None, pool_size)
                .await
                .map_err(|e| e.to_string())?;
            return Ok(Arc::new(db));
        }
        return Err("--database takes a postgres:// URL".into());
    }
    let dir = settings.data_dir();
    // Only the server's user enters the data folder.
    komora_sync_server::backup::schedule::create_private_dir(&dir)
        .map_err(|e| format!("cannot create {}: {}", dir.display(), e.kind()))?;
    let db = SqliteDb::open(&dir.join("komora-sync.db")).map_err(|e| e.to_string())?;
    Ok(Arc::new(db))
}

fn run(cli: Cli) -> Result<(), String> {
    let settings = cli.settings.merge_file()?;
    let mode = tls::Mode::from_settings(&settings)?;
    match cli.command {
        Some(Command::Backup { out }) => return backup_once(&settings, &out),
        Some(Command::Restore { from }) => return restore(&settings, &from),
        Some(Command::BackupStatus { json }) => return backup_status(&settings, json),
        Some(Command::Pin) => {
            let certificate = mode.certificate()?.ok_or(
                "this server serves plain HTTP (--plain-http): the certificate is its reverse proxy's",
            )?;
            println!("{}", certificate.pin);
            return Ok(());
        }
        None => {}
    }
    let source = Source::from_settings(&settings)?;
    let schedule = Schedule::from_settings(&settings)?;
    if let Some(dir) = source.data_dir() {
        komora_sync_server::backup::schedule::create_private_dir(dir)
            .map_err(|e| format!("cannot create {}: {}", dir.display(), e.kind()))?;
    }
    // Held until the process ends: no second server and no restore on this store meanwhile.
    let store_lock = StoreLock::for_serving(&source).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let db = runtime.block_on(open_db(&settings))?;
    let same_disk = match &schedule {
        Some(s) => s.prepare(&source)?,
        None => None,
    };

    if let Some(code) = runtime
        .block_on(komora_sync_server::prepare_bootstrap(db.as_ref()))
        .map_err(|e| e.to_string())?
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
        device_logins_per_minute: settings
            .device_logins_per_minute
            .unwrap_or(Limits::default().device_logins_per_minute),
        trusted_proxies: komora_sync_server::config::parse_proxies(&settings.trusted_proxies)?,
        metrics_token: settings.metrics_token.clone(),
        ..Limits::default()
    };
    let limits = Limits {
        connections_per_address: settings
            .connections_per_address
            .unwrap_or(limits.connections_per_address),
        invites_per_minute: settings
            .invites_per_minute
            .unwrap_or(limits.invites_per_minute),
        quotas: komora_sync_server::Quotas {
            device_bytes: settings
                .device_quota_mib
                .map_or(limits.quotas.device_bytes, |m| {
                    m.saturating_mul(1024 * 1024)
                }),
            team_bytes: settings
                .team_quota_mib
                .map_or(limits.quotas.team_bytes, |m| m.saturating_mul(1024 * 1024)),
            pending_invites_per_team: settings
                .pending_invites_per_team
                .unwrap_or(limits.quotas.pending_invites_per_team),
        },
        ..limits
    };
    let state = AppState::new(db, limits);
    let served = runtime.block_on(async move {
        if let Some(schedule) = schedule {
            tokio::spawn(komora_sync_server::backup::schedule::run(
                state.clone(),
                source,
                schedule,
                same_disk,
            ));
        }
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
    // The lock is let go last, outside the runtime: on PostgreSQL it is a connection of the
    // blocking client, which runs a runtime of its own, and dropping one inside another aborts
    // the process (found by the soak run).
    drop(store_lock);
    served
}

/// `backup --out FILE`: one checked backup, now.
fn backup_once(settings: &Settings, out: &std::path::Path) -> Result<(), String> {
    let source = Source::from_settings(settings)?;
    let counts =
        komora_sync_server::backup::write_checked(&source, out).map_err(|e| e.to_string())?;
    println!("backup written to {} and checked: {counts}", out.display());
    Ok(())
}

/// `restore --from FILE`, with the server stopped.
fn restore(settings: &Settings, from: &std::path::Path) -> Result<(), String> {
    let source = Source::from_settings(settings)?;
    let done = komora_sync_server::restore::restore(&source, from, komora_sync_server::now_ms())
        .map_err(|e| format!("nothing was changed: {e}"))?;
    println!("restored from {}: {}", from.display(), done.counts);
    match &done.kept_aside {
        Some(aside) => {
            println!("the previous store is kept as {aside}: delete it once the server runs well")
        }
        None => println!("there was no store before"),
    }
    println!(
        "new store generation {}: tablets can tell that this store was restored",
        done.generation
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    Ok(())
}

/// `backup-status`: the scheduled backups in words (or JSON); exit status 1 when they need
/// attention (none recent, or the last attempt failed), for monitoring.
fn backup_status(settings: &Settings, json: bool) -> Result<(), String> {
    use komora_sync_server::backup::status;
    let source = Source::from_settings(settings)?;
    let Some(schedule) = Schedule::from_settings(settings)? else {
        return Err(
            "no scheduled backups are set (backup_every and backup_dir in the config, \
                    or --backup-every and --backup-dir)"
                .into(),
        );
    };
    let now = komora_sync_server::now_ms();
    let (text, ok) = status::report(&schedule, source.data_dir(), now);
    if json {
        let record = komora_sync_server::backup::schedule::initial_record(&schedule.dir);
        let same = source
            .data_dir()
            .and_then(|d| komora_sync_server::backup::schedule::same_disk(d, &schedule.dir));
        let health = status::health(Some(schedule.every.0), same, &record, now);
        println!(
            "{}",
            serde_json::to_string_pretty(&health).map_err(|e| e.to_string())?
        );
    } else {
        print!("{text}");
    }
    if ok {
        Ok(())
    } else {
        Err("the backups need attention".into())
    }
}
