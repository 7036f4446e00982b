//! A server updated in the field opens the store an older release wrote, and everything still
//! serves. For every older schema version (SQLite's `user_version`, PostgreSQL's
//! `schema_version`), a store is built by applying only the first N migration files, filled
//! with rows the way that version wrote them (teams, devices, a revoked one, operations, a
//! live login, the signed device list and erased operations once they existed), then opened by
//! today's binary: tablets log in, pull what was pushed, push more, and what was refused stays
//! refused. The migration files are read from the folder, so a new one is picked up (and its
//! predecessor tested as the previous release) without touching this file.

mod support;

use std::path::{Path, PathBuf};

use komora_protocol::roster::{SignedStatement, Statement};
use komora_protocol::{Id16, PullPage};
use ring::digest::{digest, SHA256};
use support::{random, sealed, Device, Server};

/// The migration files of a dialect, in order.
fn migrations(sub: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_migration_file_is_one_the_server_runs_in_both_dialects() {
    let sqlite = migrations("");
    let postgres = migrations("postgres");
    assert_eq!(
        sqlite.len() as u32,
        komora_sync_server::db::sqlite::schema_version(),
        "a migration file the SQLite store does not run (or the reverse)"
    );
    assert_eq!(
        postgres.len() as u32,
        komora_sync_server::db::postgres::schema_version()
    );
    let names = |m: &[(String, String)]| m.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&sqlite),
        names(&postgres),
        "the dialects move together"
    );
}

/// A value as an older server stored it, written as a literal of either dialect.
enum Val {
    Blob(Vec<u8>),
    Int(i64),
    Text(&'static str),
    Null,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An older store being filled: it says which columns a table has at its version, and runs
/// statements.
trait OldStore {
    fn columns(&mut self, table: &str) -> Vec<String>;
    fn run(&mut self, sql: &str);
    fn blob(&self, bytes: &[u8]) -> String;

    /// Insert a row with the columns this version has (others are left out).
    fn insert(&mut self, table: &str, row: &[(&str, Val)]) {
        let have = self.columns(table);
        if have.is_empty() {
            return; // not yet a table at this version
        }
        let (mut cols, mut vals) = (Vec::new(), Vec::new());
        for (col, val) in row {
            if have.iter().any(|c| c == col) {
                cols.push(col.to_string());
                vals.push(match val {
                    Val::Blob(b) => self.blob(b),
                    Val::Int(i) => i.to_string(),
                    Val::Text(t) => format!("'{t}'"),
                    Val::Null => "NULL".into(),
                });
            }
        }
        self.run(&format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            cols.join(", "),
            vals.join(", ")
        ));
    }
}

struct OldSqlite(rusqlite::Connection);

impl OldStore for OldSqlite {
    fn columns(&mut self, table: &str) -> Vec<String> {
        let mut stmt = self
            .0
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
    fn run(&mut self, sql: &str) {
        self.0.execute_batch(sql).unwrap();
    }
    fn blob(&self, bytes: &[u8]) -> String {
        format!("x'{}'", hex(bytes))
    }
}

struct OldPostgres(postgres::Client, String);

impl OldStore for OldPostgres {
    fn columns(&mut self, table: &str) -> Vec<String> {
        self.0
            .query(
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
                &[&self.1, &table],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    }
    fn run(&mut self, sql: &str) {
        self.0.batch_execute(sql).unwrap();
    }
    fn blob(&self, bytes: &[u8]) -> String {
        format!("'\\x{}'::bytea", hex(bytes))
    }
}

/// What the older server held, for checking after the upgrade.
struct World {
    admin: Device,
    counsellor: Device,
    revoked: Device,
    /// The counsellor's pushed operations.
    ops: Vec<Vec<u8>>,
    /// A token the counsellor got from the older server, still valid.
    token: String,
    /// An operation erased before the upgrade (once erasure existed).
    erased: Option<Vec<u8>>,
}

const NOW: i64 = 1_795_939_200_000;

/// Fill a store as the server of its version wrote it: a team with an administrator, a
/// counsellor and a revoked device, three operations, a login, the signed list, an erasure.
fn fill(store: &mut impl OldStore) -> World {
    let team = Id16(random());
    let admin = Device::new(team);
    let counsellor = Device::new(team);
    let revoked = Device::new(team);
    let ops: Vec<Vec<u8>> = (0..3).map(|_| sealed(1)).collect();
    store.insert(
        "teams",
        &[
            ("id", Val::Blob(team.0.to_vec())),
            ("head", Val::Int(ops.len() as i64)),
            ("created_ms", Val::Int(NOW)),
            ("epoch", Val::Int(1)),
        ],
    );
    for (device, role, revoked_ms) in [
        (&admin, "admin", Val::Null),
        (&counsellor, "counsellor", Val::Null),
        (&revoked, "counsellor", Val::Int(NOW + 1)),
    ] {
        store.insert(
            "devices",
            &[
                ("id", Val::Blob(device.id.0.to_vec())),
                ("team_id", Val::Blob(team.0.to_vec())),
                ("role", Val::Text(role)),
                ("sign_pk", Val::Blob(device.sign_pk().to_vec())),
                ("kx_pk", Val::Blob(device.kx_pk.to_vec())),
                ("enrolled_ms", Val::Int(NOW)),
                ("revoked_ms", revoked_ms),
                ("last_seen_ms", Val::Int(NOW)),
            ],
        );
    }
    for (i, env) in ops.iter().enumerate() {
        store.insert(
            "ops",
            &[
                ("team_id", Val::Blob(team.0.to_vec())),
                ("seq", Val::Int(i as i64 + 1)),
                ("op_id", Val::Blob(env[5..21].to_vec())),
                ("epoch", Val::Int(1)),
                ("author", Val::Blob(counsellor.id.0.to_vec())),
                ("envelope", Val::Blob(env.clone())),
            ],
        );
    }
    let token = hex(&random::<32>());
    store.insert(
        "tokens",
        &[
            (
                "hash",
                Val::Blob(digest(&SHA256, token.as_bytes()).as_ref().to_vec()),
            ),
            ("device_id", Val::Blob(counsellor.id.0.to_vec())),
            // Valid for years: the test does not race the clock.
            ("expires_ms", Val::Int(4_102_444_800_000)),
        ],
    );
    let genesis = Statement::Genesis {
        team,
        device: admin.id,
        sign_pk: admin.sign_pk(),
        kx_pk: admin.kx_pk,
    }
    .encode();
    let signed = SignedStatement {
        signature: admin
            .key
            .sign(&SignedStatement::message(&genesis))
            .as_ref()
            .to_vec(),
        statement: genesis,
    };
    store.insert(
        "roster",
        &[
            ("team_id", Val::Blob(team.0.to_vec())),
            ("seq", Val::Int(1)),
            ("statement", Val::Blob(signed.to_bytes())),
        ],
    );
    let erased = (!store.columns("erased_ops").is_empty()).then(|| {
        let env = sealed(1);
        store.insert(
            "erased_ops",
            &[
                ("op_id", Val::Blob(env[5..21].to_vec())),
                ("team_id", Val::Blob(team.0.to_vec())),
                ("erased_ms", Val::Int(NOW)),
            ],
        );
        env
    });
    World {
        admin,
        counsellor,
        revoked,
        ops,
        token,
        erased,
    }
}

/// Today's server on the upgraded store: everything the older one held still serves.
fn check_serves(server: &Server, world: &World, version: usize, roster_existed: bool) {
    let url = &server.url;
    let sorted = |mut v: Vec<Vec<u8>>| {
        v.sort();
        v
    };
    assert_eq!(
        sorted(world.admin.pull_all(url)),
        sorted(world.ops.clone()),
        "schema {version}: the administrator pulls what the counsellor pushed"
    );
    // A session opened with the older server goes on.
    let resp = reqwest::blocking::Client::new()
        .get(format!("{url}/v1/pull?after=0"))
        .bearer_auth(&world.token)
        .send()
        .unwrap();
    assert!(
        resp.status().is_success(),
        "schema {version}: {}",
        resp.status()
    );
    let page: PullPage = postcard::from_bytes(&resp.bytes().unwrap()).unwrap();
    assert!(
        page.envelopes.is_empty(),
        "the counsellor's own operations are not sent back"
    );
    assert_eq!(page.next, world.ops.len() as u64);

    // New work goes on from where the stream was; a retried old push stores nothing.
    let new = sealed(1);
    let pushed = world
        .counsellor
        .push(url, &[new.clone(), world.ops[0].clone()]);
    assert_eq!(
        (pushed.stored, pushed.duplicates),
        (1, 1),
        "schema {version}"
    );
    let mut expected = world.ops.clone();
    expected.push(new);
    assert_eq!(sorted(world.admin.pull_all(url)), sorted(expected));
    if let Some(erased) = &world.erased {
        let again = world.counsellor.push(url, std::slice::from_ref(erased));
        assert_eq!(
            again.stored, 0,
            "schema {version}: an erased operation stays out"
        );
    }
    assert!(
        world.revoked.try_login(url).is_err(),
        "schema {version}: a device revoked before the upgrade stays refused"
    );

    let token = world.admin.login(url);
    let roster: komora_protocol::roster::RosterResponse = reqwest::blocking::Client::new()
        .get(format!("{url}/v1/roster"))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(roster.total, u32::from(roster_existed), "schema {version}");
    assert_eq!(
        server.bootstrap_code(),
        None,
        "schema {version}: no new bootstrap"
    );
}

#[test]
fn a_store_written_by_each_older_sqlite_schema_still_serves_after_the_upgrade() {
    let files = migrations("");
    let today = files.len();
    assert!(today >= 2, "there is an older schema to upgrade from");
    for version in 1..today {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let conn = rusqlite::Connection::open(data.join("komora-sync.db")).unwrap();
        for (_, sql) in &files[..version] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", version as i64)
            .unwrap();
        let mut old = OldSqlite(conn);
        let roster_existed = !old.columns("roster").is_empty();
        let world = fill(&mut old);
        drop(old);

        let server = Server::start(
            &["--data", data.to_str().unwrap()],
            &dir.path().join("stderr"),
        );
        check_serves(&server, &world, version, roster_existed);
        drop(server);
        let conn = rusqlite::Connection::open(data.join("komora-sync.db")).unwrap();
        let now: usize = conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .unwrap() as usize;
        assert_eq!(now, today, "schema {version} was brought up to today's");
        let generation: Vec<u8> = conn
            .query_row(
                "SELECT value FROM server_meta WHERE key = 'generation'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            generation.len(),
            16,
            "an upgraded store gets its generation"
        );
    }
}

#[test]
fn a_store_written_by_each_older_postgres_schema_still_serves_after_the_upgrade() {
    let Ok(base) = std::env::var("KOMORA_TEST_POSTGRES") else {
        eprintln!("KOMORA_TEST_POSTGRES is not set: the PostgreSQL upgrade test is skipped");
        return;
    };
    let files = migrations("postgres");
    let today = files.len();
    for version in 1..today {
        let schema = format!("t_{}", hex(&random::<8>()));
        let mut client = postgres::Client::connect(&base, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!(
                "CREATE SCHEMA {schema}; SET search_path = {schema}"
            ))
            .unwrap();
        // As an older server migrated: its files, then its version.
        client
            .batch_execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            .unwrap();
        for (_, sql) in &files[..version] {
            client.batch_execute(sql).unwrap();
        }
        client
            .execute(
                "INSERT INTO schema_version (version) VALUES ($1)",
                &[&(version as i32)],
            )
            .unwrap();
        let mut old = OldPostgres(client, schema.clone());
        let roster_existed = !old.columns("roster").is_empty();
        let world = fill(&mut old);
        let OldPostgres(mut client, _) = old;

        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
        let dir = tempfile::tempdir().unwrap();
        let server = Server::start(&["--database", &url], &dir.path().join("stderr"));
        check_serves(&server, &world, version, roster_existed);
        drop(server);
        let now: i32 = client
            .query_one("SELECT version FROM schema_version", &[])
            .unwrap()
            .get(0);
        assert_eq!(
            now as usize, today,
            "schema {version} was brought up to today's"
        );
        client
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .unwrap();
    }
}
