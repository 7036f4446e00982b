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
    /// Print the pin (sha256/...) of the certificate the server serves, for `komora admin
    /// bootstrap --pin`; makes the server's own certificate if it has none yet.
    Pin,
}

#[derive(Args, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// A TOML file with any of: data, listen, database, codes_per_minute, logins_per_minute,
    /// tls_cert, tls_key, plain_http.
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
    /// Bootstrap and enrolment attempts per minute per address [default: 10].
    #[arg(long, global = true, env = "KOMORA_SYNC_CODES_PER_MINUTE")]
    pub codes_per_minute: Option<u32>,
    /// Logins per minute per address [default: 120].
    #[arg(long, global = true, env = "KOMORA_SYNC_LOGINS_PER_MINUTE")]
    pub logins_per_minute: Option<u32>,
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
        self.codes_per_minute = self.codes_per_minute.or(file.codes_per_minute);
        self.logins_per_minute = self.logins_per_minute.or(file.logins_per_minute);
        self.tls_cert = self.tls_cert.or(file.tls_cert);
        self.tls_key = self.tls_key.or(file.tls_key);
        self.plain_http |= file.plain_http;
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
