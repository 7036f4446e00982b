//! Settings from the command line, the environment (`KOMORA_SYNC_*`) and a TOML file, in that
//! order of precedence.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

#[derive(Parser, Debug)]
#[command(
    name = "komora-sync-server",
    version,
    about = "Komora's sync server: relays end-to-end encrypted operations"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write a consistent copy of the store to FILE, while the server keeps serving.
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// With the server stopped: put a backup in place of the store (the current one is kept
    /// aside, renamed) and give it a new store generation.
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// The state of the scheduled backups (exit status 1 when they need attention).
    BackupStatus {
        /// As JSON, the way /health shows it.
        #[arg(long)]
        json: bool,
    },
    /// Print the pin (sha256/...) of the certificate the server serves, for `komora admin
    /// bootstrap --pin`; makes the server's own certificate if it has none yet.
    Pin,
}

#[derive(Args, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// A TOML file with any of: data, listen, database, database_pool_size, codes_per_minute,
    /// logins_per_minute,
    /// device_logins_per_minute, trusted_proxies, metrics_token, backup_every, backup_dir, keep, tls_cert,
    /// tls_key, plain_http, connections_per_address, invites_per_minute,
    /// pending_invites_per_team, device_quota_mib, team_quota_mib.
    #[arg(long, global = true, env = "KOMORA_SYNC_CONFIG", value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Directory of the embedded SQLite store [default: ./komora-sync-data].
    #[arg(long, global = true, env = "KOMORA_SYNC_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8787]; port 0 picks a free port.
    #[arg(long, global = true, env = "KOMORA_SYNC_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// A PostgreSQL URL instead of the embedded store (postgres://...).
    #[arg(long, global = true, env = "KOMORA_SYNC_DATABASE", value_name = "URL")]
    pub database: Option<String>,
    /// With --database: how many connections this process opens to PostgreSQL at most
    /// [default: 16]. Several server processes on one database each open their own.
    #[arg(
        long,
        global = true,
        env = "KOMORA_SYNC_DATABASE_POOL_SIZE",
        value_name = "N"
    )]
    pub database_pool_size: Option<usize>,
    /// Bootstrap and enrolment attempts per minute per address [default: 10].
    #[arg(long, global = true, env = "KOMORA_SYNC_CODES_PER_MINUTE")]
    pub codes_per_minute: Option<u32>,
    /// Logins per minute per address [default: 120].
    #[arg(long, global = true, env = "KOMORA_SYNC_LOGINS_PER_MINUTE")]
    pub logins_per_minute: Option<u32>,
    /// Take a checked backup this often while serving (90s, 30m, 6h, 1d, 1w).
    #[arg(
        long,
        global = true,
        env = "KOMORA_SYNC_BACKUP_EVERY",
        value_name = "INTERVAL"
    )]
    pub backup_every: Option<crate::backup::schedule::Interval>,
    /// The folder for scheduled backups: on another disk than the data.
    #[arg(
        long,
        global = true,
        env = "KOMORA_SYNC_BACKUP_DIR",
        value_name = "DIR"
    )]
    pub backup_dir: Option<PathBuf>,
    /// How many scheduled backups to keep, the newest [default: 14].
    #[arg(long, global = true, env = "KOMORA_SYNC_KEEP", value_name = "N")]
    pub keep: Option<usize>,
    /// A reverse proxy in front of this server (an address or a range, e.g. 127.0.0.1 or
    /// 10.0.0.0/8), repeated or comma-separated: only its `X-Forwarded-For` / `Forwarded`
    /// header names the client whose rate limit applies. Without one, those headers are
    /// ignored.
    #[arg(
        long = "trusted-proxy",
        global = true,
        env = "KOMORA_SYNC_TRUSTED_PROXIES",
        value_name = "ADDR",
        value_delimiter = ','
    )]
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// The bearer token that `/metrics` asks for (Prometheus: `authorization: credentials`);
    /// without one, `/metrics` is off.
    #[arg(
        long,
        global = true,
        env = "KOMORA_SYNC_METRICS_TOKEN",
        value_name = "TOKEN"
    )]
    pub metrics_token: Option<String>,
    /// Logins per minute for one device, from any address [default: 30].
    #[arg(long, global = true, env = "KOMORA_SYNC_DEVICE_LOGINS_PER_MINUTE")]
    pub device_logins_per_minute: Option<u32>,
    /// Serve this certificate chain (PEM) instead of the server's own self-signed one.
    #[arg(long, global = true, env = "KOMORA_SYNC_TLS_CERT", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, global = true, env = "KOMORA_SYNC_TLS_KEY", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP, for a reverse proxy (nginx, Caddy) that terminates TLS in front.
    #[arg(long, global = true, env = "KOMORA_SYNC_PLAIN_HTTP")]
    #[serde(default)]
    pub plain_http: bool,
    /// Connections one address may hold open at once; trusted proxies are not capped
    /// [default: 256].
    #[arg(
        long,
        global = true,
        env = "KOMORA_SYNC_CONNECTIONS_PER_ADDRESS",
        value_name = "N"
    )]
    pub connections_per_address: Option<usize>,
    /// Invitations one device may post a minute, after a burst of 30 [default: 10].
    #[arg(
        long,
        global = true,
        env = "KOMORA_SYNC_INVITES_PER_MINUTE",
        value_name = "N"
    )]
    pub invites_per_minute: Option<u32>,
    /// Invitations one team may hold waiting (unused, not expired) [default: 200].
    #[arg(
        long,
        global = true,
        env = "KOMORA_SYNC_PENDING_INVITES_PER_TEAM",
        value_name = "N"
    )]
    pub pending_invites_per_team: Option<u64>,
    /// MiB of operations one device may have stored [default: 8192].
    #[arg(
        long,
        global = true,
        env = "KOMORA_SYNC_DEVICE_QUOTA_MIB",
        value_name = "MIB"
    )]
    pub device_quota_mib: Option<u64>,
    /// MiB of operations one team's devices may have stored together [default: 32768].
    #[arg(
        long,
        global = true,
        env = "KOMORA_SYNC_TEAM_QUOTA_MIB",
        value_name = "MIB"
    )]
    pub team_quota_mib: Option<u64>,
}

/// Parse the trusted proxies: single addresses or ranges.
pub fn parse_proxies(list: &[String]) -> Result<Vec<ipnet::IpNet>, String> {
    list.iter()
        .map(|p| {
            let p = p.trim();
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    format!("--trusted-proxy {p}: give an address or a range (10.0.0.0/8)")
                })
        })
        .collect()
}

impl Settings {
    /// Fill what the command line and environment left unset from the config file.
    pub fn merge_file(mut self) -> Result<Self, String> {
        let Some(path) = self.config.clone() else {
            return Ok(self);
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {}", path.display(), e.kind()))?;
        let file: Settings =
            toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
        self.data = self.data.or(file.data);
        self.listen = self.listen.or(file.listen);
        self.database = self.database.or(file.database);
        self.database_pool_size = self.database_pool_size.or(file.database_pool_size);
        self.codes_per_minute = self.codes_per_minute.or(file.codes_per_minute);
        self.logins_per_minute = self.logins_per_minute.or(file.logins_per_minute);
        self.backup_every = self.backup_every.or(file.backup_every);
        self.backup_dir = self.backup_dir.or(file.backup_dir);
        self.keep = self.keep.or(file.keep);
        if self.trusted_proxies.is_empty() {
            self.trusted_proxies = file.trusted_proxies;
        }
        self.device_logins_per_minute = self
            .device_logins_per_minute
            .or(file.device_logins_per_minute);
        self.metrics_token = self.metrics_token.or(file.metrics_token);
        self.tls_cert = self.tls_cert.or(file.tls_cert);
        self.tls_key = self.tls_key.or(file.tls_key);
        self.plain_http |= file.plain_http;
        self.connections_per_address = self
            .connections_per_address
            .or(file.connections_per_address);
        self.invites_per_minute = self.invites_per_minute.or(file.invites_per_minute);
        self.pending_invites_per_team = self
            .pending_invites_per_team
            .or(file.pending_invites_per_team);
        self.device_quota_mib = self.device_quota_mib.or(file.device_quota_mib);
        self.team_quota_mib = self.team_quota_mib.or(file.team_quota_mib);
        Ok(self)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data
            .clone()
            .unwrap_or_else(|| PathBuf::from("komora-sync-data"))
    }

    pub fn listen_addr(&self) -> SocketAddr {
        self.listen
            .unwrap_or_else(|| "127.0.0.1:8787".parse().expect("a valid default address"))
    }
}
