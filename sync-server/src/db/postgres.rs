//! The PostgreSQL store, for larger deployments: server processes keep no state of their own,
//! so several can run behind a load balancer on one database. Each method is one transaction;
//! a push locks its team's row, so sequence numbers are given out and committed in order.
//!
//! It runs on the server's runtime over an async connection pool (`tokio-postgres` with
//! `deadpool-postgres`): a request waiting on the database holds a connection, not a thread.

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use futures_util::TryStreamExt;
use komora_protocol::{DeviceInfo, Id16, PullPage, Role};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Transaction};

use super::{
    constant_time_eq, id, role, Db, DbError, DbResult, DeviceRow, IncomingOp, NewDevice, NewInvite,
    Readmitted,
};

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_initial.sql"),
    include_str!("../../migrations/postgres/0002_expiry_indexes.sql"),
    include_str!("../../migrations/postgres/0003_key_rotation.sql"),
    include_str!("../../migrations/postgres/0004_signed_roster.sql"),
    include_str!("../../migrations/postgres/0005_invitation_keys.sql"),
    include_str!("../../migrations/postgres/0006_erased_ops.sql"),
    include_str!("../../migrations/postgres/0007_op_ids_per_team.sql"),
    include_str!("../../migrations/postgres/0008_stream_summary_and_fleet.sql"),
    include_str!("../../migrations/postgres/0009_priority_classes.sql"),
    include_str!("../../migrations/postgres/0010_grants_by_giver.sql"),
    include_str!("../../migrations/postgres/0011_bytes_pushed_per_device.sql"),
    include_str!("../../migrations/postgres/0012_one_copy_per_pushing_device.sql"),
];

/// The schema version this server writes (how many migrations it knows).
pub fn schema_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// Connections a server process opens at most when none is configured (`database_pool_size`):
/// PostgreSQL's default allows 100, which leaves room for several processes and the tools.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// How long a request waits for a free connection, or for a new one to open, before it fails.
const POOL_WAIT: Duration = Duration::from_secs(10);

pub struct PostgresDb {
    pool: Pool,
}

impl From<tokio_postgres::Error> for DbError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The driver's messages name constraints and types, never bound values.
        DbError::Storage(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for DbError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            // The pool is full (every connection at work) for longer than it waits: the server
            // is busy, not broken. A connection that cannot be made or checked in time is a
            // database problem the operator must see: a failure.
            deadpool_postgres::PoolError::Timeout(deadpool_postgres::TimeoutType::Wait) => {
                DbError::Busy
            }
            other => DbError::Storage(format!("no database connection: {other}")),
        }
    }
}

/// The parameters of one statement.
type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

impl PostgresDb {
    /// Connect to `url` with at most `pool_size` connections; with `schema`, every table lives
    /// in that schema (created if needed), which lets one database hold separate stores
    /// (tests, staging). Runs the migrations the store lacks. Call it on the runtime that will
    /// use the store: the pool's connections are served by tasks of that runtime.
    pub async fn open(url: &str, schema: Option<&str>, pool_size: usize) -> DbResult<Self> {
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|_| DbError::Storage("the database URL is not valid".into()))?;
        if let Some(s) = schema {
            if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || s.is_empty() {
                return Err(DbError::Storage(
                    "a schema name is letters, digits and _".into(),
                ));
            }
            let (admin, connection) = config.connect(NoTls).await?;
            let served = tokio::spawn(connection);
            admin
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {s}"))
                .await?;
            drop(admin);
            let _ = served.await;
            config.options(format!("-c search_path={s}"));
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                // A connection is checked only for being open when handed out again: each
                // method is one transaction, so none is left half-way.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(POOL_WAIT))
            .build()
            .map_err(|e| DbError::Storage(format!("the connection pool: {e}")))?;
        let db = Self { pool };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> DbResult<()> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        // Several server processes may start at once: one migrates, the others wait.
        tx.execute("SELECT pg_advisory_xact_lock(7263514)", &[])
            .await?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            .await?;
        let version: i32 = tx
            .query_opt("SELECT version FROM schema_version", &[])
            .await?
            .map_or(0, |r| r.get(0));
        if version as usize > MIGRATIONS.len() {
            return Err(DbError::Storage(
                "the store was written by a newer server".into(),
            ));
        }
        for sql in &MIGRATIONS[version as usize..] {
            tx.batch_execute(sql).await?;
        }
        tx.execute("DELETE FROM schema_version", &[]).await?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&(MIGRATIONS.len() as i32)],
        )
        .await?;
        // A store without a generation (new, or older than generations) gets its first one.
        tx.execute(
            "INSERT INTO server_meta (key, value) VALUES ('generation', $1) ON CONFLICT (key) DO NOTHING",
            &[&&super::random_generation()?[..]],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One statement outside a transaction: its count of rows changed.
    async fn execute(&self, sql: &str, params: Params<'_>) -> DbResult<u64> {
        Ok(self.pool.get().await?.execute(sql, params).await?)
    }

    /// One row, outside a transaction.
    async fn query_one(&self, sql: &str, params: Params<'_>) -> DbResult<tokio_postgres::Row> {
        Ok(self.pool.get().await?.query_one(sql, params).await?)
    }

    /// Every row, outside a transaction.
    async fn query(&self, sql: &str, params: Params<'_>) -> DbResult<Vec<tokio_postgres::Row>> {
        Ok(self.pool.get().await?.query(sql, params).await?)
    }
}

async fn insert_device(
    tx: &Transaction<'_>,
    d: &NewDevice,
    team: Id16,
    r: Role,
    now: u64,
) -> DbResult<()> {
    let n = tx
        .execute(
            "INSERT INTO devices (id, team_id, role, sign_pk, kx_pk, enrolled_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
            &[&&d.id.0[..], &&team.0[..], &r.as_str(), &d.sign_pk, &d.kx_pk, &(now as i64)],
        )
        .await?;
    if n == 0 {
        return Err(DbError::Conflict);
    }
    append_statement(tx, team, &d.statement).await
}

/// Append a signed statement to the team's device list. The caller holds the team's row lock
/// (`lock_team`), so two appends cannot take the same position.
async fn append_statement(tx: &Transaction<'_>, team: Id16, statement: &[u8]) -> DbResult<()> {
    tx.execute(
        "INSERT INTO roster (team_id, seq, statement)
         VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM roster WHERE team_id = $1), $2)",
        &[&&team.0[..], &statement],
    )
    .await?;
    Ok(())
}

/// The store's generation (made at the first open).
async fn generation_in(tx: &Transaction<'_>) -> DbResult<[u8; 16]> {
    let stored: Vec<u8> = tx
        .query_one(
            "SELECT value FROM server_meta WHERE key = 'generation'",
            &[],
        )
        .await?
        .get(0);
    super::generation(stored)
}

/// The operation at `seq` of the team's stream, erased ones included.
async fn op_at(tx: &Transaction<'_>, team: Id16, seq: u64) -> DbResult<Option<[u8; 16]>> {
    if seq == 0 {
        return Ok(None);
    }
    let found = tx
        .query_opt(
            "SELECT op_id FROM ops WHERE team_id = $1 AND seq = $2
             UNION ALL SELECT op_id FROM erased_ops WHERE team_id = $1 AND seq = $2 LIMIT 1",
            &[&&team.0[..], &(seq as i64)],
        )
        .await?;
    found
        .map(|r| {
            r.get::<_, Vec<u8>>(0)
                .try_into()
                .map_err(|_| DbError::Storage("malformed op id in the store".into()))
        })
        .transpose()
}

async fn lock_team(tx: &Transaction<'_>, team: Id16) -> DbResult<()> {
    tx.execute(
        "SELECT 1 FROM teams WHERE id = $1 FOR UPDATE",
        &[&&team.0[..]],
    )
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl Db for PostgresDb {
    async fn needs_bootstrap(&self) -> DbResult<bool> {
        let n: i64 = self
            .query_one("SELECT count(*) FROM teams", &[])
            .await?
            .get(0);
        Ok(n == 0)
    }

    async fn set_bootstrap_hash(&self, hash: [u8; 32]) -> DbResult<()> {
        self.execute(
            "INSERT INTO server_meta (key, value) VALUES ('bootstrap', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&&hash[..]],
        )
        .await?;
        Ok(())
    }

    async fn bootstrap(
        &self,
        code_hash: [u8; 32],
        team: Id16,
        device: NewDevice,
        now: u64,
    ) -> DbResult<()> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock(7263515)", &[])
            .await?;
        let stored: Option<Vec<u8>> = tx
            .query_opt("SELECT value FROM server_meta WHERE key = 'bootstrap'", &[])
            .await?
            .map(|r| r.get(0));
        let teams: i64 = tx
            .query_one("SELECT count(*) FROM teams", &[])
            .await?
            .get(0);
        if !stored.is_some_and(|s| constant_time_eq(&s, &code_hash)) || teams > 0 {
            return Err(DbError::InvalidCode);
        }
        tx.execute(
            "INSERT INTO teams (id, created_ms) VALUES ($1, $2)",
            &[&&team.0[..], &(now as i64)],
        )
        .await?;
        insert_device(&tx, &device, team, Role::Admin, now).await?;
        tx.execute("DELETE FROM server_meta WHERE key = 'bootstrap'", &[])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_team(&self, team: Id16, device: NewDevice, now: u64) -> DbResult<()> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let inserted = tx
            .execute(
                "INSERT INTO teams (id, created_ms) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&&team.0[..], &(now as i64)],
            )
            .await?;
        if inserted == 0 {
            return Err(DbError::Conflict);
        }
        insert_device(&tx, &device, team, Role::Admin, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn device(&self, device: Id16) -> DbResult<Option<DeviceRow>> {
        let row = self
            .pool
            .get()
            .await?
            .query_opt(
                "SELECT d.team_id, d.role, d.sign_pk, d.revoked_ms IS NOT NULL, t.epoch
                 FROM devices d JOIN teams t ON t.id = d.team_id WHERE d.id = $1",
                &[&&device.0[..]],
            )
            .await?;
        row.map(|r| {
            Ok(DeviceRow {
                id: device,
                team_id: id(r.get(0))?,
                role: role(r.get(1))?,
                sign_pk: r.get(2),
                revoked: r.get(3),
                team_epoch: r.get::<_, i64>(4) as u32,
            })
        })
        .transpose()
    }

    async fn put_challenge(&self, challenge: Vec<u8>, device: Id16, expires: u64) -> DbResult<()> {
        let conn = self.pool.get().await?;
        conn.execute(
            "DELETE FROM challenges WHERE expires_ms < $1",
            &[&(expires as i64 - 10 * 60 * 1000)],
        )
        .await?;
        conn.execute(
            "INSERT INTO challenges (challenge, device_id, expires_ms) VALUES ($1, $2, $3)",
            &[&challenge, &&device.0[..], &(expires as i64)],
        )
        .await?;
        Ok(())
    }

    async fn take_challenge(&self, challenge: Vec<u8>, device: Id16, now: u64) -> DbResult<bool> {
        let n = self
            .execute(
                "DELETE FROM challenges WHERE challenge = $1 AND device_id = $2 AND expires_ms >= $3",
                &[&challenge, &&device.0[..], &(now as i64)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn put_token(&self, hash: [u8; 32], device: Id16, expires: u64) -> DbResult<()> {
        let conn = self.pool.get().await?;
        conn.execute(
            "DELETE FROM tokens WHERE expires_ms < $1",
            &[&(expires as i64 - 24 * 3600 * 1000)],
        )
        .await?;
        conn.execute(
            "INSERT INTO tokens (hash, device_id, expires_ms) VALUES ($1, $2, $3)",
            &[&&hash[..], &&device.0[..], &(expires as i64)],
        )
        .await?;
        Ok(())
    }

    async fn token_device(&self, hash: [u8; 32], now: u64) -> DbResult<Option<Id16>> {
        let row = self
            .pool
            .get()
            .await?
            .query_opt(
                "SELECT device_id FROM tokens WHERE hash = $1 AND expires_ms >= $2",
                &[&&hash[..], &(now as i64)],
            )
            .await?;
        row.map(|r| id(r.get(0))).transpose()
    }

    async fn create_invite_within(&self, i: NewInvite, now: u64, cap: u64) -> DbResult<()> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        // The team's row held to the commit: an invitation posted at the same moment waits
        // here, then counts this one (each statement reads what was committed before it).
        lock_team(&tx, i.team).await?;
        if cap < u64::MAX {
            let waiting: i64 = tx
                .query_one(
                    "SELECT count(*) FROM invites WHERE team_id = $1 AND used_ms IS NULL AND expires_ms > $2",
                    &[&&i.team.0[..], &(now as i64)],
                )
                .await?
                .get(0);
            if waiting.max(0) as u64 >= cap {
                return Err(DbError::TooManyInvitesWaiting);
            }
        }
        let invite_pk = i.invite_pk.map(|k| k.to_vec());
        let n = tx
            .execute(
                "INSERT INTO invites (lookup, team_id, role, created_by, expires_ms, bundle, invite_pk)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (lookup) DO NOTHING",
                &[
                    &i.lookup,
                    &&i.team.0[..],
                    &i.role.as_str(),
                    &&i.by.0[..],
                    &(i.expires_ms as i64),
                    &i.bundle,
                    &invite_pk,
                ],
            )
            .await?;
        if n == 0 {
            return Err(DbError::Conflict);
        }
        append_statement(&tx, i.team, &i.statement).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pending_invites(&self, team: Id16, now: u64) -> DbResult<u64> {
        let n: i64 = self
            .query_one(
                "SELECT count(*) FROM invites WHERE team_id = $1 AND used_ms IS NULL AND expires_ms > $2",
                &[&&team.0[..], &(now as i64)],
            )
            .await?
            .get(0);
        Ok(n as u64)
    }

    async fn pushed_bytes(&self, device: Id16) -> DbResult<u64> {
        let rows = self
            .query(
                "SELECT pushed_bytes FROM devices WHERE id = $1",
                &[&&device.0[..]],
            )
            .await?;
        Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0)) as u64)
    }

    async fn enroll(
        &self,
        lookup: Vec<u8>,
        device: NewDevice,
        now: u64,
    ) -> DbResult<(Id16, Role, Vec<u8>)> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let row = tx
            .query_opt(
                "SELECT team_id, role, bundle, invite_pk FROM invites WHERE lookup = $1 AND used_ms IS NULL AND expires_ms >= $2 FOR UPDATE",
                &[&lookup, &(now as i64)],
            )
            .await?;
        let Some(row) = row else {
            return Err(DbError::InvalidCode);
        };
        let Some(bundle): Option<Vec<u8>> = row.get(2) else {
            return Err(DbError::InvalidCode);
        };
        super::check_invitation_key(&device, row.get(3))?;
        let (team, r) = (id(row.get(0))?, role(row.get(1))?);
        lock_team(&tx, team).await?;
        insert_device(&tx, &device, team, r, now).await?;
        tx.execute(
            "UPDATE invites SET used_ms = $2, used_by = $3, bundle = NULL WHERE lookup = $1",
            &[&lookup, &(now as i64), &&device.id.0[..]],
        )
        .await?;
        tx.commit().await?;
        Ok((team, r, bundle))
    }

    async fn push_within(
        &self,
        team: Id16,
        author: Id16,
        ops: Vec<IncomingOp>,
        quota: super::PushQuota,
    ) -> DbResult<(u32, u32)> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        // The team's row lock orders concurrent pushes: sequence order is commit order.
        let row = tx
            .query_one(
                "SELECT head, epoch FROM teams WHERE id = $1 FOR UPDATE",
                &[&&team.0[..]],
            )
            .await?;
        let mut head: i64 = row.get(0);
        let epoch: i64 = row.get(1);
        super::check_batch(epoch as u64, &ops)?;
        // A new operation is stored in one round trip, as is a copy beside another device's
        // (the pusher has none, and none is declared as the same author's); only a duplicate
        // (or an erased one) is looked at again, to decide what it changes
        // (`super::on_push`).
        let insert = tx
            .prepare_cached(
                "INSERT INTO ops (team_id, seq, op_id, epoch, author, envelope, author_id, author_seq,
                                  priority)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
                 WHERE NOT EXISTS (SELECT 1 FROM erased_ops WHERE team_id = $1 AND op_id = $3)
                 AND NOT EXISTS (SELECT 1 FROM ops WHERE team_id = $1 AND op_id = $3
                                 AND (author = $5 OR author_id = $7))
                 ON CONFLICT (team_id, op_id, author) DO NOTHING",
            )
            .await?;
        let held = tx
            .prepare_cached(
                "SELECT seq, author, author_id, author_seq IS NULL FROM ops
                 WHERE team_id = $1 AND op_id = $2 ORDER BY seq",
            )
            .await?;
        // A duplicate that came without a number (from protocol 1) gets it now, from the
        // device that pushed it only.
        let number = tx
            .prepare_cached(
                "UPDATE ops SET author_id = $3, author_seq = $4 WHERE team_id = $1 AND seq = $2",
            )
            .await?;
        // The author's own copy of an operation another device pushed first, declared as hers.
        let take_over = tx
            .prepare_cached(
                "UPDATE ops SET seq = $3, epoch = $4, author = $5, envelope = $6, author_id = $5,
                                author_seq = $7, priority = $8
                 WHERE team_id = $1 AND seq = $2",
            )
            .await?;
        // A number the pusher gave another operation it pushed itself (ADR 0032).
        let taken = tx
            .prepare_cached(
                "SELECT 1 FROM ops WHERE team_id = $1 AND author_id = $2 AND author_seq = $3
                 AND author = $2 AND op_id <> $4",
            )
            .await?;
        let (mut stored, mut dups) = (0u32, 0u32);
        let mut stored_bytes = 0i64;
        for op in &ops {
            let op_author = op.author.unwrap_or(author);
            let seq = op.author_seq.map(|s| s as i64);
            if let (true, Some(n)) = (op_author == author, seq) {
                let key: [&(dyn ToSql + Sync); 4] =
                    [&&team.0[..], &&author.0[..], &n, &&op.op_id[..]];
                if tx.query_opt(&taken, &key).await?.is_some() {
                    return Err(DbError::NumberTaken);
                }
            }
            let inserted = tx
                .execute(
                    &insert,
                    &[
                        &&team.0[..],
                        &(head + 1),
                        &&op.op_id[..],
                        &(op.epoch as i64),
                        &&author.0[..],
                        &op.bytes,
                        &&op_author.0[..],
                        &seq,
                        &i16::from(op.priority),
                    ],
                )
                .await?;
            if inserted == 1 {
                head += 1;
                stored += 1;
                stored_bytes += op.bytes.len() as i64;
                continue;
            }
            // No copy: erased, never stored again.
            let key: [&(dyn ToSql + Sync); 2] = [&&team.0[..], &&op.op_id[..]];
            let rows = tx.query(&held, &key).await?;
            let seqs: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
            let copies: Vec<super::Held> = rows
                .iter()
                .map(|r| {
                    let (by, of): (&[u8], Option<&[u8]>) = (r.get(1), r.get(2));
                    super::Held {
                        pushed_by_pusher: by == author.0,
                        same_author: of == Some(&op_author.0[..]),
                        numbered: !r.get::<_, bool>(3),
                    }
                })
                .collect();
            match super::on_push(&copies, op_author == author, op.author_seq) {
                super::Duplicate::TakeOver(i) => {
                    head += 1;
                    tx.execute(
                        &take_over,
                        &[
                            &&team.0[..],
                            &seqs[i],
                            &head,
                            &(op.epoch as i64),
                            &&author.0[..],
                            &op.bytes,
                            &seq,
                            &i16::from(op.priority),
                        ],
                    )
                    .await?;
                    stored += 1;
                    stored_bytes += op.bytes.len() as i64;
                }
                super::Duplicate::Number(i, n) => {
                    tx.execute(
                        &number,
                        &[&&team.0[..], &seqs[i], &&op_author.0[..], &(n as i64)],
                    )
                    .await?;
                    dups += 1;
                }
                super::Duplicate::Keep => dups += 1,
            }
        }
        tx.execute(
            "UPDATE teams SET head = $2 WHERE id = $1",
            &[&&team.0[..], &head],
        )
        .await?;
        // The quota is checked on the count this very transaction raised: a push of the same
        // device at the same moment waits for this row's lock and sees it raised (ADR 0027).
        // Over it, dropping the transaction rolls the whole push back. A push that stored
        // nothing (a retry of what is held) costs nothing, and is never refused.
        if stored_bytes > 0 {
            let total: Option<i64> = tx
                .query_opt(
                    "UPDATE devices SET pushed_bytes = pushed_bytes + $2 WHERE id = $1
                     RETURNING pushed_bytes",
                    &[&&author.0[..], &stored_bytes],
                )
                .await?
                .map(|r| r.get(0));
            if total.is_some_and(|t| t.max(0) as u64 > quota.device) {
                return Err(DbError::QuotaExceeded);
            }
            // The team's, summed over its devices in the same transaction: the team's row is
            // held (`FOR UPDATE` above), so pushes of one team count one after the other.
            if quota.team < u64::MAX {
                let team_total: i64 = tx
                    .query_one(
                        "SELECT coalesce(sum(pushed_bytes), 0)::BIGINT FROM devices WHERE team_id = $1",
                        &[&&team.0[..]],
                    )
                    .await?
                    .get(0);
                if team_total.max(0) as u64 > quota.team {
                    return Err(DbError::TeamQuotaExceeded);
                }
            }
        }
        tx.commit().await?;
        Ok((stored, dups))
    }

    async fn pull_pass(
        &self,
        team: Id16,
        requester: Id16,
        after: u64,
        max_bytes: u32,
        at: Option<[u8; 16]>,
        pass: super::Pass,
    ) -> DbResult<PullPage> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let head: i64 = tx
            .query_one("SELECT head FROM teams WHERE id = $1", &[&&team.0[..]])
            .await?
            .get(0);
        let generation = generation_in(&tx).await?;
        let rewound = after > head as u64
            || match at {
                Some(at) => op_at(&tx, team, after).await.ok().flatten() != Some(at),
                None => false,
            };
        if rewound {
            return Ok(PullPage {
                envelopes: Vec::new(),
                next: after,
                more: false,
                generation,
                head: head as u64,
                next_op: None,
                rewound: true,
                ..PullPage::default()
            });
        }
        let after = after as i64;
        // PostgreSQL sends every row a query selects, however early the reader stops: bound
        // the rows by what the page can hold (no envelope is shorter than the protocol's
        // smallest), or a new tablet's first pull of a large team would have the whole stream
        // read and sent again for every page. The reader's own operations are left out by the
        // query itself, so they never use up the bound: the page is the one SQLite sends
        // (the store suite compares them).
        let smallest = (komora_protocol::envelope::HEADER_LEN
            + komora_protocol::envelope::SEAL_OVERHEAD) as u32;
        let limit = i64::from(max_bytes / smallest) + 2;
        // A pass reads no further than its bound (never beyond the head), one class only.
        let bound = pass
            .upto
            .map_or(head, |u| (u.min(i64::MAX as u64) as i64).min(head));
        let class = pass.class.map(i16::from);
        let params: [&(dyn ToSql + Sync); 6] = [
            &&team.0[..],
            &after,
            &bound,
            &limit,
            &&requester.0[..],
            &class,
        ];
        let rows = tx
            .query_raw(
                "SELECT seq, envelope FROM ops WHERE team_id = $1 AND seq > $2 AND seq <= $3
                 AND author <> $5 AND ($6::SMALLINT IS NULL OR priority = $6)
                 ORDER BY seq LIMIT $4",
                params,
            )
            .await?;
        // Boxed, so that `drop(rows)` below ends the query: a stream left alive with rows
        // still coming holds up the connection, and the next statement on it waits forever.
        let mut rows = Box::pin(rows);
        let mut page = PullPage {
            envelopes: Vec::new(),
            next: bound.max(after) as u64,
            more: false,
            generation,
            head: head as u64,
            next_op: None,
            rewound: false,
            ..PullPage::default()
        };
        let mut bytes = 0usize;
        let mut seen = 0i64;
        while let Some(row) = rows.try_next().await? {
            let seq: i64 = row.get(0);
            seen += 1;
            if seen == limit && seq < bound {
                // The rows ran out before the bytes did: only envelopes shorter than the
                // protocol allows could do that. Read on after this one.
                page.next = seq as u64;
                page.more = true;
            }
            let env: &[u8] = row.get(1);
            if !page.envelopes.is_empty() && bytes + env.len() > max_bytes as usize {
                page.next = (seq - 1) as u64;
                page.more = true;
                break;
            }
            bytes += env.len();
            page.envelopes.push(env.to_vec());
        }
        drop(rows);
        if let Some(class) = class {
            // What this pass stepped over, for a later pass: the screens show it as still
            // arriving.
            let deferred: i64 = tx
                .query_one(
                    "SELECT count(*) FROM ops WHERE team_id = $1 AND seq > $2 AND seq <= $3
                     AND priority <> $4 AND author <> $5",
                    &[
                        &&team.0[..],
                        &after,
                        &(page.next as i64),
                        &class,
                        &&requester.0[..],
                    ],
                )
                .await?
                .get(0);
            page.deferred = deferred as u64;
        }
        page.next_op = op_at(&tx, team, page.next).await?.map(Id16);
        tx.commit().await?;
        Ok(page)
    }

    async fn pull_own(
        &self,
        team: Id16,
        requester: Id16,
        numbers: Vec<(u64, u64)>,
        after: u64,
        max_bytes: u32,
    ) -> DbResult<PullPage> {
        let (lo, hi) = super::span_of(&numbers);
        let after = after.min(i64::MAX as u64) as i64;
        // Bounded as a pull is (PostgreSQL sends every row a query selects): rows outside the
        // ranges are read and skipped, so a page may stop early and say there is more.
        let smallest = (komora_protocol::envelope::HEADER_LEN
            + komora_protocol::envelope::SEAL_OVERHEAD) as u32;
        let limit = i64::from(max_bytes / smallest) + 2;
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let params: [&(dyn ToSql + Sync); 6] =
            [&&team.0[..], &&requester.0[..], &lo, &hi, &after, &limit];
        let rows = tx
            .query_raw(
                "SELECT seq, author_seq, envelope FROM ops WHERE team_id = $1 AND author = $2
                 AND author_id = $2 AND author_seq BETWEEN $3 AND $4 AND seq > $5
                 ORDER BY seq LIMIT $6",
                params,
            )
            .await?;
        let mut rows = Box::pin(rows);
        let mut page = PullPage {
            next: after as u64,
            ..PullPage::default()
        };
        let (mut bytes, mut seen) = (0usize, 0i64);
        while let Some(row) = rows.try_next().await? {
            let (seq, number): (i64, i64) = (row.get(0), row.get(1));
            seen += 1;
            if super::in_ranges(&numbers, number as u64) {
                let env: &[u8] = row.get(2);
                if !page.envelopes.is_empty() && bytes + env.len() > max_bytes as usize {
                    page.more = true;
                    break;
                }
                bytes += env.len();
                page.envelopes.push(env.to_vec());
            }
            page.next = seq as u64;
            if seen == limit {
                page.more = true;
            }
        }
        drop(rows);
        tx.commit().await?;
        Ok(page)
    }

    async fn head(&self, team: Id16) -> DbResult<u64> {
        let head: i64 = self
            .query_one("SELECT head FROM teams WHERE id = $1", &[&&team.0[..]])
            .await?
            .get(0);
        Ok(head as u64)
    }

    async fn holds(&self, team: Id16, asker: Id16) -> DbResult<komora_protocol::AuthorRanges> {
        let rows = self
            .query(
                "SELECT author_id, author_seq FROM ops WHERE team_id = $1 AND author_seq IS NOT NULL
                 AND (author_id = author OR author = $2) ORDER BY author_id, author_seq",
                &[&&team.0[..], &&asker.0[..]],
            )
            .await?;
        let mut numbers = Vec::with_capacity(rows.len());
        for r in rows {
            numbers.push((id(r.get(0))?, r.get::<_, i64>(1) as u64));
        }
        Ok(super::ranges(numbers))
    }

    async fn erased_for(&self, team: Id16, device: Id16) -> DbResult<u64> {
        let n: i64 = self
            .query_one(
                "SELECT count(*) FROM erased_ops WHERE team_id = $1 AND by_device = $2",
                &[&&team.0[..], &&device.0[..]],
            )
            .await?
            .get(0);
        Ok(n as u64)
    }

    async fn holds_of(&self, team: Id16, author: Id16) -> DbResult<Vec<(u64, u64)>> {
        let rows = self
            .query(
                "SELECT author_seq FROM ops WHERE team_id = $1 AND author_id = $2 AND author = $2
                 AND author_seq IS NOT NULL ORDER BY author_seq",
                &[&&team.0[..], &&author.0[..]],
            )
            .await?;
        let numbers = rows
            .into_iter()
            .map(|r| (author, r.get::<_, i64>(0) as u64));
        Ok(super::ranges(numbers)
            .pop()
            .map(|(_, r)| r)
            .unwrap_or_default())
    }

    async fn resume_after(
        &self,
        team: Id16,
        asker: Id16,
        theirs: komora_protocol::AuthorRanges,
    ) -> DbResult<u64> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let head: i64 = tx
            .query_one("SELECT head FROM teams WHERE id = $1", &[&&team.0[..]])
            .await?
            .get(0);
        let params: [&(dyn ToSql + Sync); 2] = [&&team.0[..], &&asker.0[..]];
        // A number counts only as its author or the asker declared it: another device's word
        // would make the asker skip an operation it does not hold.
        let rows = tx
            .query_raw(
                "SELECT seq, author_id,
                        CASE WHEN author_id = author OR author = $2 THEN author_seq END
                 FROM ops WHERE team_id = $1 ORDER BY seq",
                params,
            )
            .await?;
        // Boxed, so that `drop(rows)` below ends the query before the commit (see `pull`).
        let mut rows = Box::pin(rows);
        let mut resume = head as u64;
        while let Some(row) = rows.try_next().await? {
            let seq: i64 = row.get(0);
            let author: Option<Vec<u8>> = row.get(1);
            let number: Option<i64> = row.get(2);
            let held = match (author, number) {
                (Some(a), Some(n)) => super::ranges_hold(&theirs, &id(a)?, n as u64),
                _ => false,
            };
            if !held {
                resume = (seq - 1).max(0) as u64;
                break;
            }
        }
        drop(rows);
        tx.commit().await?;
        Ok(resume)
    }

    async fn readmit(
        &self,
        team: Id16,
        devices: Vec<Readmitted>,
        statements: Vec<Vec<u8>>,
        now: u64,
    ) -> DbResult<u32> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        lock_team(&tx, team).await?;
        let mut registered = 0;
        for r in &devices {
            let d = &r.device;
            registered += tx
                .execute(
                    "INSERT INTO devices (id, team_id, role, sign_pk, kx_pk, enrolled_ms, revoked_ms)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
                    &[
                        &&d.id.0[..],
                        &&team.0[..],
                        &r.role.as_str(),
                        &d.sign_pk,
                        &d.kx_pk,
                        &(now as i64),
                        &r.revoked.then_some(now as i64),
                    ],
                )
                .await? as u32;
            if let Some(pk) = d.invite_pk {
                tx.execute(
                    "UPDATE invites SET used_ms = $3, used_by = $4, bundle = NULL
                     WHERE team_id = $1 AND invite_pk = $2 AND used_ms IS NULL",
                    &[&&team.0[..], &&pk[..], &(now as i64), &&d.id.0[..]],
                )
                .await?;
            }
        }
        for s in &statements {
            let held = tx
                .query_opt(
                    "SELECT 1 FROM roster WHERE team_id = $1 AND statement = $2",
                    &[&&team.0[..], s],
                )
                .await?
                .is_some();
            if !held {
                append_statement(&tx, team, s).await?;
            }
        }
        tx.commit().await?;
        Ok(registered)
    }

    async fn revoke_to(&self, team: Id16, device: Id16, epoch: u32, now: u64) -> DbResult<()> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        lock_team(&tx, team).await?;
        tx.execute(
            "UPDATE devices SET revoked_ms = coalesce(revoked_ms, $3) WHERE id = $1 AND team_id = $2",
            &[&&device.0[..], &&team.0[..], &(now as i64)],
        )
        .await?;
        tx.execute(
            "UPDATE teams SET epoch = greatest(epoch, $2) WHERE id = $1",
            &[&&team.0[..], &i64::from(epoch)],
        )
        .await?;
        tx.execute("DELETE FROM tokens WHERE device_id = $1", &[&&device.0[..]])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn raise_epoch(&self, team: Id16, epoch: u32) -> DbResult<()> {
        self.execute(
            "UPDATE teams SET epoch = greatest(epoch, $2) WHERE id = $1",
            &[&&team.0[..], &i64::from(epoch)],
        )
        .await?;
        Ok(())
    }

    async fn add_grants(
        &self,
        team: Id16,
        giver: Id16,
        grants: Vec<(u32, Id16, Vec<u8>)>,
    ) -> DbResult<u32> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let insert = tx
            .prepare_cached(
                "INSERT INTO key_grants (team_id, epoch, device_id, given_by, wrapped)
                 SELECT $1, $2, $3, $5, $4 WHERE EXISTS (SELECT 1 FROM devices WHERE id = $3 AND team_id = $1)
                 AND $2 <= (SELECT epoch FROM teams WHERE id = $1)
                 ON CONFLICT DO NOTHING",
            )
            .await?;
        let mut added = 0;
        for (epoch, device, wrapped) in &grants {
            added += tx
                .execute(
                    &insert,
                    &[
                        &&team.0[..],
                        &i64::from(*epoch),
                        &&device.0[..],
                        wrapped,
                        &&giver.0[..],
                    ],
                )
                .await? as u32;
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn missing_grants(&self, team: Id16, asker: Id16) -> DbResult<Vec<(u32, Id16, Vec<u8>)>> {
        let conn = self.pool.get().await?;
        let epoch: i64 = conn
            .query_one("SELECT epoch FROM teams WHERE id = $1", &[&&team.0[..]])
            .await?
            .get(0);
        // Missing for the asker: no grant the rotation or an administrator gave, and none the
        // asker gave itself (see the SQLite store).
        let rows = conn
            .query(
                "SELECT e.epoch, d.id, d.kx_pk FROM devices d CROSS JOIN generate_series(2, $2::BIGINT) AS e(epoch)
                 WHERE d.team_id = $1 AND d.revoked_ms IS NULL
                 AND NOT EXISTS (SELECT 1 FROM key_grants g LEFT JOIN devices giver
                                     ON giver.id = g.given_by AND giver.team_id = g.team_id
                                 WHERE g.team_id = $1 AND g.device_id = d.id AND g.epoch = e.epoch
                                 AND (g.given_by IN ($3, $4)
                                      OR (giver.role = $5 AND giver.revoked_ms IS NULL)))
                 ORDER BY e.epoch, d.id",
                &[
                    &&team.0[..],
                    &epoch,
                    &&super::GIVEN_WITH_ROTATION[..],
                    &&asker.0[..],
                    &Role::Admin.as_str(),
                ],
            )
            .await?;
        rows.into_iter()
            .map(|r| Ok((r.get::<_, i64>(0) as u32, id(r.get(1))?, r.get(2))))
            .collect()
    }

    async fn report(&self, device: Id16, report: komora_protocol::DeviceReport) -> DbResult<()> {
        let bytes = serde_json::to_vec(&report).map_err(|e| DbError::Storage(e.to_string()))?;
        self.execute(
            "UPDATE devices SET report = $2 WHERE id = $1",
            &[&&device.0[..], &bytes],
        )
        .await?;
        Ok(())
    }

    async fn devices(&self, team: Id16) -> DbResult<Vec<DeviceInfo>> {
        let rows = self
            .query(
                "SELECT id, role, revoked_ms IS NOT NULL, enrolled_ms, last_seen_ms, kx_pk, report FROM devices WHERE team_id = $1 ORDER BY enrolled_ms, id",
                &[&&team.0[..]],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(DeviceInfo {
                    id: id(r.get(0))?,
                    role: role(r.get(1))?,
                    revoked: r.get(2),
                    enrolled_ms: r.get::<_, i64>(3) as u64,
                    last_seen_ms: r.get::<_, Option<i64>>(4).map(|s| s as u64),
                    kx_pk: komora_protocol::Bytes(r.get(5)),
                    report: r
                        .get::<_, Option<Vec<u8>>>(6)
                        .and_then(|b| serde_json::from_slice(&b).ok()),
                })
            })
            .collect()
    }

    async fn key_grants(&self, team: Id16, device: Id16, after: u32) -> DbResult<super::KeyGrants> {
        let conn = self.pool.get().await?;
        let current: i64 = conn
            .query_one("SELECT epoch FROM teams WHERE id = $1", &[&&team.0[..]])
            .await?
            .get(0);
        let rows = conn
            .query(
                // Never a key of an epoch the team has not reached; each epoch's grants in the
                // order a tablet tries them (see the SQLite store).
                "SELECT g.epoch, g.wrapped FROM key_grants g LEFT JOIN devices giver
                     ON giver.id = g.given_by AND giver.team_id = g.team_id
                 WHERE g.team_id = $1 AND g.device_id = $2 AND g.epoch > $3 AND g.epoch <= $4
                 ORDER BY g.epoch,
                     CASE WHEN g.given_by = $5 THEN 0
                          WHEN giver.role = $6 AND giver.revoked_ms IS NULL THEN 1
                          WHEN giver.id IS NULL THEN 2 ELSE 3 END,
                     g.given_by",
                &[
                    &&team.0[..],
                    &&device.0[..],
                    &i64::from(after),
                    &current,
                    &&super::GIVEN_WITH_ROTATION[..],
                    &Role::Admin.as_str(),
                ],
            )
            .await?;
        let grants = rows
            .into_iter()
            .map(|r| (r.get::<_, i64>(0) as u32, r.get::<_, Vec<u8>>(1)))
            .collect();
        Ok((current as u32, grants))
    }

    async fn revoke(
        &self,
        team: Id16,
        device: Id16,
        now: u64,
        new_epoch: u32,
        grants: Vec<(Id16, Vec<u8>)>,
        statements: Vec<Vec<u8>>,
    ) -> DbResult<bool> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        // The team's row lock orders a rotation against pushes and other rotations.
        let current: i64 = tx
            .query_one(
                "SELECT epoch FROM teams WHERE id = $1 FOR UPDATE",
                &[&&team.0[..]],
            )
            .await?
            .get(0);
        let rows = tx
            .query(
                "SELECT id, revoked_ms IS NOT NULL FROM devices WHERE team_id = $1",
                &[&&team.0[..]],
            )
            .await?;
        let mut devices = Vec::with_capacity(rows.len());
        for r in rows {
            devices.push((id(r.get(0))?, r.get::<_, bool>(1)));
        }
        if !devices.iter().any(|(d, _)| *d == device) {
            return Ok(false);
        }
        super::check_rotation(current as u32, new_epoch, device, &devices, &grants)?;
        let n = tx
            .execute(
                "UPDATE devices SET revoked_ms = coalesce(revoked_ms, $3) WHERE id = $1 AND team_id = $2",
                &[&&device.0[..], &&team.0[..], &(now as i64)],
            )
            .await?;
        // The administrator's signed rotation wins (see the SQLite store).
        tx.execute(
            "DELETE FROM key_grants WHERE team_id = $1 AND epoch = $2",
            &[&&team.0[..], &i64::from(new_epoch)],
        )
        .await?;
        for (d, wrapped) in &grants {
            tx.execute(
                "INSERT INTO key_grants (team_id, epoch, device_id, given_by, wrapped)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &&team.0[..],
                    &i64::from(new_epoch),
                    &&d.0[..],
                    &&super::GIVEN_WITH_ROTATION[..],
                    wrapped,
                ],
            )
            .await?;
        }
        tx.execute(
            "UPDATE teams SET epoch = $2 WHERE id = $1",
            &[&&team.0[..], &i64::from(new_epoch)],
        )
        .await?;
        for statement in &statements {
            append_statement(&tx, team, statement).await?;
        }
        tx.execute(
            "DELETE FROM invites WHERE team_id = $1 AND used_ms IS NULL",
            &[&&team.0[..]],
        )
        .await?;
        tx.execute("DELETE FROM tokens WHERE device_id = $1", &[&&device.0[..]])
            .await?;
        tx.execute(
            "DELETE FROM challenges WHERE device_id = $1",
            &[&&device.0[..]],
        )
        .await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn roster(&self, team: Id16, after: u32, limit: u32) -> DbResult<(Vec<Vec<u8>>, u32)> {
        let conn = self.pool.get().await?;
        let total: i64 = conn
            .query_one(
                "SELECT count(*) FROM roster WHERE team_id = $1",
                &[&&team.0[..]],
            )
            .await?
            .get(0);
        let rows = conn
            .query(
                "SELECT statement FROM roster WHERE team_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                &[&&team.0[..], &i64::from(after), &i64::from(limit)],
            )
            .await?;
        Ok((rows.into_iter().map(|r| r.get(0)).collect(), total as u32))
    }

    async fn roster_len(&self, team: Id16) -> DbResult<u32> {
        let n: i64 = self
            .query_one(
                "SELECT count(*) FROM roster WHERE team_id = $1",
                &[&&team.0[..]],
            )
            .await?
            .get(0);
        Ok(n as u32)
    }

    async fn add_statement(&self, team: Id16, statement: Vec<u8>) -> DbResult<()> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        lock_team(&tx, team).await?;
        append_statement(&tx, team, &statement).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn erase_ops(
        &self,
        team: Id16,
        by: Id16,
        erasure: [u8; 16],
        op_ids: Vec<[u8; 16]>,
        now: u64,
    ) -> DbResult<u32> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let cited = tx
            .query_opt(
                "SELECT 1 FROM ops WHERE team_id = $1 AND op_id = $2 AND (author = $3 OR author_id = $3)",
                &[&&team.0[..], &&erasure[..], &&by.0[..]],
            )
            .await?
            .is_some();
        if !cited {
            return Err(DbError::NotFound(super::UNKNOWN_ERASURE));
        }
        for id in &op_ids {
            // Every copy of the id, whoever pushed it (ADR 0027); where the last stood is
            // remembered (a cursor on another copy's place finds the stream changed, and its
            // tablet reconciles once).
            let seq: Option<i64> = tx
                .query(
                    "DELETE FROM ops WHERE team_id = $1 AND op_id = $2 RETURNING seq",
                    &[&&team.0[..], &&id[..]],
                )
                .await?
                .iter()
                .map(|r| r.get::<_, i64>(0))
                .max();
            tx.execute(
                "INSERT INTO erased_ops (op_id, team_id, erased_ms, by_device, erasure_op, seq)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (team_id, op_id) DO NOTHING",
                &[
                    &&id[..],
                    &&team.0[..],
                    &(now as i64),
                    &&by.0[..],
                    &&erasure[..],
                    &seq,
                ],
            )
            .await?;
        }
        tx.commit().await?;
        // The deleted rows stay in the table's pages as dead tuples until a vacuum reclaims
        // them: do it now for the one table that held them (outside a transaction, as
        // PostgreSQL requires). Its write-ahead log and archives are the operator's to bound
        // (docs/adr/0010: backups and WAL archives for a bounded time). On a task of its own,
        // so that it runs to its end even if the request is dropped now (the tablet gone).
        let vacuum = tokio::spawn(async move { conn.batch_execute("VACUUM ops").await });
        vacuum
            .await
            .map_err(|_| DbError::Storage("the vacuum after an erasure stopped".into()))??;
        Ok(op_ids.len() as u32)
    }

    async fn touch(&self, device: Id16, now: u64) -> DbResult<()> {
        // At most one write a minute per device: reads stay reads.
        self.execute(
            "UPDATE devices SET last_seen_ms = $2::BIGINT WHERE id = $1 AND (last_seen_ms IS NULL OR last_seen_ms < $2::BIGINT - 60000)",
            &[&&device.0[..], &(now as i64)],
        )
        .await?;
        Ok(())
    }

    async fn generation(&self) -> DbResult<[u8; 16]> {
        let stored: Vec<u8> = self
            .query_one(
                "SELECT value FROM server_meta WHERE key = 'generation'",
                &[],
            )
            .await?
            .get(0);
        super::generation(stored)
    }

    async fn new_generation(&self) -> DbResult<[u8; 16]> {
        let fresh = super::random_generation()?;
        self.execute(
            "INSERT INTO server_meta (key, value) VALUES ('generation', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&&fresh[..]],
        )
        .await?;
        Ok(fresh)
    }

    async fn dump(&self) -> DbResult<Vec<u8>> {
        let conn = self.pool.get().await?;
        let mut out = Vec::new();
        for table in super::TABLES {
            // Every column as raw bytes (text columns as their UTF-8).
            let rows = conn.query(&format!("SELECT * FROM {table}"), &[]).await?;
            for row in rows {
                for (i, col) in row.columns().iter().enumerate() {
                    match *col.type_() {
                        tokio_postgres::types::Type::BYTEA => {
                            out.extend(row.get::<_, Option<Vec<u8>>>(i).unwrap_or_default())
                        }
                        tokio_postgres::types::Type::TEXT => out.extend(
                            row.get::<_, Option<String>>(i)
                                .unwrap_or_default()
                                .into_bytes(),
                        ),
                        _ => {}
                    }
                    out.push(0);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pool that stays full is a busy server (503, retried), not a broken one (500); a
    /// database that cannot be reached is a failure the operator must see.
    #[test]
    fn a_pool_that_stays_full_is_busy_and_an_unreachable_database_is_a_failure() {
        assert!(matches!(
            DbError::from(deadpool_postgres::PoolError::Timeout(
                deadpool_postgres::TimeoutType::Wait
            )),
            DbError::Busy
        ));
        for failed in [
            deadpool_postgres::PoolError::Timeout(deadpool_postgres::TimeoutType::Create),
            deadpool_postgres::PoolError::Closed,
        ] {
            assert!(matches!(DbError::from(failed), DbError::Storage(_)));
        }
    }
}
