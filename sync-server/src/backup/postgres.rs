//! Backing up and reading back a PostgreSQL store with PostgreSQL's own tools, the ones its
//! administrators know: `pg_dump -Fc` (custom format) and `pg_restore`.
//!
//! A transaction of ours exports its snapshot and counts the rows; `pg_dump --snapshot` dumps
//! that very snapshot, so the archive is checked against the instant it holds. The tools get
//! the connection settings through `PG*` environment variables: the password never appears on
//! a command line (where `ps` would show it).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::str::FromStr;

use postgres::{Config, IsolationLevel, NoTls};

use super::{BackupError, StoreCounts};

/// The tables every Komora store has (schema version 1 on).
const STORE_TABLES: &[&str] = &["server_meta", "teams", "devices", "ops"];

/// Connection settings for `url`, in `schema` when given (as `PostgresDb::open` takes it).
pub(crate) fn config(url: &str, schema: Option<&str>) -> Result<Config, BackupError> {
    let mut config = Config::from_str(url)
        .map_err(|_| BackupError::Store("the database URL is not valid".into()))?;
    if let Some(s) = schema {
        check_schema_name(s)?;
        config.options(&format!("-c search_path={s}"));
    }
    Ok(config)
}

/// Connect with `config`; a failure names the database, not a password.
pub(crate) fn connect(config: &Config) -> Result<postgres::Client, BackupError> {
    config
        .connect(NoTls)
        .map_err(|e| BackupError::Store(format!("cannot reach the database: {e}")))
}

/// Schema names we quote into SQL and pass to tools: letters, digits and `_`.
pub(crate) fn check_schema_name(s: &str) -> Result<(), BackupError> {
    if s.is_empty() || s.len() > 40 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(BackupError::Store(
            "a schema name is 1 to 40 letters, digits and _".into(),
        ));
    }
    Ok(())
}

/// A `pg_dump`/`pg_restore` command reaching the same database as `config`.
pub(crate) fn tool(name: &str, config: &Config) -> Command {
    let mut cmd = Command::new(name);
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    if !hosts.is_empty() {
        cmd.env("PGHOST", hosts.join(","));
    }
    let ports: Vec<String> = config.get_ports().iter().map(|p| p.to_string()).collect();
    if !ports.is_empty() {
        cmd.env("PGPORT", ports.join(","));
    }
    if let Some(user) = config.get_user() {
        cmd.env("PGUSER", user);
    }
    if let Some(password) = config.get_password() {
        cmd.env("PGPASSWORD", String::from_utf8_lossy(password).into_owned());
    }
    if let Some(db) = config.get_dbname() {
        cmd.env("PGDATABASE", db);
    }
    if let Some(options) = config.get_options() {
        cmd.env("PGOPTIONS", options);
    }
    if let Some(t) = config.get_connect_timeout() {
        cmd.env("PGCONNECT_TIMEOUT", t.as_secs().max(1).to_string());
    }
    cmd.env(
        "PGSSLMODE",
        match config.get_ssl_mode() {
            postgres::config::SslMode::Disable => "disable",
            postgres::config::SslMode::Require => "require",
            _ => "prefer",
        },
    );
    cmd.stdin(Stdio::null());
    cmd
}

/// Run a tool to its end; its error output becomes the message when it fails.
pub(crate) fn run(mut cmd: Command, name: &str) -> Result<Vec<u8>, BackupError> {
    let out = cmd.output().map_err(|e| tool_missing(name, e))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(BackupError::Tool(format!(
            "{name} failed: {}",
            stderr
                .trim()
                .lines()
                .take(5)
                .collect::<Vec<_>>()
                .join(" / ")
        )));
    }
    Ok(out.stdout)
}

fn tool_missing(name: &str, e: std::io::Error) -> BackupError {
    if e.kind() == std::io::ErrorKind::NotFound {
        BackupError::Tool(format!(
            "{name} is not installed on this machine (Debian and Ubuntu: apt install postgresql-client)"
        ))
    } else {
        BackupError::Tool(format!("cannot run {name}: {}", e.kind()))
    }
}

fn counts(tx: &mut postgres::Transaction<'_>) -> Result<StoreCounts, BackupError> {
    let row = tx.query_one(
        "SELECT (SELECT count(*) FROM teams), (SELECT count(*) FROM devices), (SELECT count(*) FROM ops)",
        &[],
    )?;
    Ok(StoreCounts {
        teams: row.get::<_, i64>(0) as u64,
        devices: row.get::<_, i64>(1) as u64,
        ops: row.get::<_, i64>(2) as u64,
    })
}

/// The schema the store's tables live in for this connection.
pub(crate) fn current_schema(client: &mut postgres::Client) -> Result<String, BackupError> {
    let schema: Option<String> = client.query_one("SELECT current_schema()", &[])?.get(0);
    let schema = schema.ok_or_else(|| {
        BackupError::Store("the database has no schema on its search path".into())
    })?;
    check_schema_name(&schema)?;
    Ok(schema)
}

/// Dump the store's schema to `out` (custom format); returns what it held at that instant.
pub fn dump(url: &str, schema: Option<&str>, out: &Path) -> Result<StoreCounts, BackupError> {
    let config = config(url, schema)?;
    let mut client = connect(&config)?;
    let schema = current_schema(&mut client)?;
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    // The first statement fixes the transaction's snapshot: the one exported and counted.
    let snapshot: String = tx.query_one("SELECT pg_export_snapshot()", &[])?.get(0);
    let counts = counts(&mut tx)?;
    let mut cmd = tool("pg_dump", &config);
    cmd.arg("--format=custom")
        .arg(format!("--snapshot={snapshot}"))
        .arg(format!("--schema={schema}"))
        .arg("--file")
        .arg(out);
    // The snapshot lives as long as the transaction: it ends after pg_dump does.
    run(cmd, "pg_dump")?;
    tx.commit()?;
    Ok(counts)
}

/// What a pg_dump archive holds, as far as backups and restores care.
#[derive(Clone, Debug)]
pub struct Archive {
    /// The schema its store tables are in.
    pub schema: String,
    pub counts: StoreCounts,
}

/// Read an archive back with pg_restore: it must list the store's tables (all in one schema),
/// and its data must be readable to the last row of the counted tables.
pub fn read_archive(file: &Path) -> Result<Archive, BackupError> {
    let not_a_store = |reason: String| BackupError::NotAStore {
        path: file.to_owned(),
        reason,
    };
    if !file.is_file() {
        return Err(not_a_store("there is no such file".into()));
    }
    let mut list = Command::new("pg_restore");
    list.arg("--list")
        .arg("--file=-")
        .arg(file)
        .stdin(Stdio::null());
    let listing = match run(list, "pg_restore") {
        Ok(out) => String::from_utf8_lossy(&out).into_owned(),
        Err(BackupError::Tool(msg)) if msg.starts_with("pg_restore failed") => {
            return Err(not_a_store(format!(
                "pg_restore cannot read it as an archive ({msg})"
            )))
        }
        Err(e) => return Err(e),
    };
    let tables = archive_tables(&listing);
    let schema = tables
        .iter()
        .find(|(_, name)| name == "ops")
        .map(|(schema, _)| schema.clone())
        .ok_or_else(|| not_a_store("it holds no `ops` table".into()))?;
    if let Some(missing) = STORE_TABLES
        .iter()
        .find(|t| !tables.iter().any(|(s, n)| *s == schema && n == *t))
    {
        return Err(not_a_store(format!(
            "it has no `{missing}` table in schema {schema}"
        )));
    }
    let counts = count_archive_rows(file, &schema)?;
    Ok(Archive { schema, counts })
}

/// (schema, table) of every table an archive's listing names.
fn archive_tables(listing: &str) -> Vec<(String, String)> {
    listing
        .lines()
        .filter(|l| !l.starts_with(';'))
        .filter_map(|l| {
            // `215; 1259 16390 TABLE public ops komora` (data entries say `TABLE DATA`).
            let words: Vec<&str> = l.split_whitespace().collect();
            match words.as_slice() {
                [_, _, _, "TABLE", schema, name, ..] if *schema != "DATA" => {
                    Some((schema.to_string(), name.to_string()))
                }
                _ => None,
            }
        })
        .collect()
}

/// Count the rows of teams, devices and ops in an archive by reading their data back as
/// pg_restore writes it (one line per row in COPY text format), streamed, not held.
fn count_archive_rows(file: &Path, schema: &str) -> Result<StoreCounts, BackupError> {
    let mut child = Command::new("pg_restore")
        .arg("--data-only")
        .arg(format!("--schema={schema}"))
        .args([
            "--table=teams",
            "--table=devices",
            "--table=ops",
            "--file=-",
        ])
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| tool_missing("pg_restore", e))?;
    let stdout = child.stdout.take().expect("piped");
    let mut counts = StoreCounts::default();
    let mut current: Option<String> = None;
    let mut read_error = None;
    for line in BufReader::new(stdout).split(b'\n') {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                read_error = Some(e);
                break;
            }
        };
        match &current {
            None => {
                if let Some(rest) = line.strip_prefix(b"COPY ") {
                    let target = rest.split(|b| *b == b' ').next().unwrap_or_default();
                    let table = target.rsplit(|b| *b == b'.').next().unwrap_or_default();
                    current = Some(String::from_utf8_lossy(table).into_owned());
                }
            }
            Some(table) => {
                if line == b"\\." {
                    current = None;
                } else {
                    match table.as_str() {
                        "teams" => counts.teams += 1,
                        "devices" => counts.devices += 1,
                        "ops" => counts.ops += 1,
                        _ => {}
                    }
                }
            }
        }
    }
    let out = child
        .wait_with_output()
        .map_err(|e| BackupError::Tool(format!("pg_restore: {}", e.kind())))?;
    if !out.status.success() || read_error.is_some() || current.is_some() {
        return Err(BackupError::NotAStore {
            path: file.to_owned(),
            reason: format!(
                "its data cannot be read back to the end ({})",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        });
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_archive_listing_names_its_tables_and_skips_their_data_entries() {
        let listing = ";\n; Archive created at 2026-11-29 08:00:00 UTC\n;\n\
            215; 1259 16390 TABLE t_abc ops komora\n\
            216; 1259 16391 TABLE t_abc teams komora\n\
            3370; 0 16390 TABLE DATA t_abc ops komora\n\
            5; 2615 2200 SCHEMA - t_abc komora\n";
        assert_eq!(
            archive_tables(listing),
            vec![
                ("t_abc".to_string(), "ops".to_string()),
                ("t_abc".to_string(), "teams".to_string())
            ]
        );
    }

    #[test]
    fn the_password_reaches_the_tools_by_environment_never_by_argument() {
        let config = config(
            "postgres://komora:s3cret-pw@db.example:5433/komora_prod?connect_timeout=4",
            Some("komora"),
        )
        .unwrap();
        let cmd = tool("pg_dump", &config);
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert!(args.iter().all(|a| !a.contains("s3cret")), "{args:?}");
        let env: std::collections::HashMap<String, String> = cmd
            .get_envs()
            .filter_map(|(k, v)| {
                Some((
                    k.to_string_lossy().into_owned(),
                    v?.to_string_lossy().into_owned(),
                ))
            })
            .collect();
        assert_eq!(env["PGPASSWORD"], "s3cret-pw");
        assert_eq!(env["PGHOST"], "db.example");
        assert_eq!(env["PGPORT"], "5433");
        assert_eq!(env["PGDATABASE"], "komora_prod");
        assert_eq!(env["PGOPTIONS"], "-c search_path=komora");
    }
}
