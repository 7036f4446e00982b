//! The embedded SQLite store: one file under `--data`, WAL, one connection guarded by a mutex
//! (SQLite has one writer anyway). SQLite blocks (a commit waits for the disk, an erasure for
//! its checkpoint), so each call runs on one of tokio's blocking threads.

use std::path::Path;
use std::sync::Mutex;

use komora_protocol::{DeviceInfo, Id16, PullPage, Role};
use rusqlite::{params, Connection, OptionalExtension};

use super::{
    constant_time_eq, id, role, Db, DbError, DbResult, DeviceRow, IncomingOp, NewDevice, NewInvite,
    Readmitted,
};
use std::sync::Arc;

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_initial.sql"),
    include_str!("../../migrations/0002_expiry_indexes.sql"),
    include_str!("../../migrations/0003_key_rotation.sql"),
    include_str!("../../migrations/0004_signed_roster.sql"),
    include_str!("../../migrations/0005_invitation_keys.sql"),
    include_str!("../../migrations/0006_erased_ops.sql"),
    include_str!("../../migrations/0007_op_ids_per_team.sql"),
    include_str!("../../migrations/0008_stream_summary_and_fleet.sql"),
    include_str!("../../migrations/0009_priority_classes.sql"),
    include_str!("../../migrations/0010_grants_by_giver.sql"),
    include_str!("../../migrations/0011_bytes_pushed_per_device.sql"),
    include_str!("../../migrations/0012_one_copy_per_pushing_device.sql"),
];

/// The schema version this server writes (how many migrations it knows).
pub fn schema_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// The connection and what it owes, used from blocking threads.
struct Store {
    conn: Mutex<Connection>,
    /// An erasure's bytes may still sit in the write-ahead log: its checkpoint could not
    /// finish (a backup's read transaction held it). Tried again at the next write.
    purge_pending: std::sync::atomic::AtomicBool,
}

/// Copy the write-ahead log into the database and empty it, waiting a moment at most for
/// readers (a backup's transaction) rather than holding every request: whether it finished.
fn purge_wal(conn: &Connection) -> DbResult<bool> {
    conn.busy_timeout(std::time::Duration::from_millis(200))?;
    let busy: rusqlite::Result<i64> =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0));
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(busy? == 0)
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::Storage(e.to_string())
    }
}

impl From<rusqlite::types::FromSqlError> for DbError {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        DbError::Storage(e.to_string())
    }
}

impl Store {
    fn open(path: &Path) -> DbResult<Self> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // An erased client file's key must not survive in free pages (ADR 0010).
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let version =
            conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize;
        if version > MIGRATIONS.len() {
            return Err(DbError::Storage(
                "the store was written by a newer server".into(),
            ));
        }
        let tx = conn.transaction()?;
        for sql in &MIGRATIONS[version..] {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
        // A store without a generation (new, or older than generations) gets its first one.
        tx.execute(
            "INSERT OR IGNORE INTO server_meta (key, value) VALUES ('generation', ?1)",
            [&super::random_generation()?[..]],
        )?;
        tx.commit()?;
        Ok(Self {
            conn: Mutex::new(conn),
            purge_pending: std::sync::atomic::AtomicBool::new(false),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half transaction (SQLite rolls back),
        // so a poisoned lock is safe to take over.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The store's generation (made at the first open).
fn generation_of(conn: &Connection) -> DbResult<[u8; 16]> {
    let stored: Vec<u8> = conn.query_row(
        "SELECT value FROM server_meta WHERE key = 'generation'",
        [],
        |r| r.get(0),
    )?;
    super::generation(stored)
}

/// The operation at `seq` of the team's stream, erased ones included (`None` at 0 or where
/// none stands).
fn op_at(conn: &Connection, team: Id16, seq: u64) -> DbResult<Option<[u8; 16]>> {
    if seq == 0 {
        return Ok(None);
    }
    let found: Option<Vec<u8>> = conn
        .prepare_cached(
            "SELECT op_id FROM ops WHERE team_id = ?1 AND seq = ?2
             UNION ALL SELECT op_id FROM erased_ops WHERE team_id = ?1 AND seq = ?2 LIMIT 1",
        )?
        .query_row(params![team.0, seq as i64], |r| r.get(0))
        .optional()?;
    found
        .map(|b| {
            b.try_into()
                .map_err(|_| DbError::Storage("malformed op id in the store".into()))
        })
        .transpose()
}

fn insert_device(
    tx: &rusqlite::Transaction<'_>,
    device: &NewDevice,
    team: Id16,
    role: Role,
    now: u64,
) -> DbResult<()> {
    let n = tx.execute(
        "INSERT INTO devices (id, team_id, role, sign_pk, kx_pk, enrolled_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO NOTHING",
        params![
            device.id.0,
            team.0,
            role.as_str(),
            device.sign_pk,
            device.kx_pk,
            now as i64
        ],
    )?;
    if n == 0 {
        return Err(DbError::Conflict);
    }
    append_statement(tx, team, &device.statement)
}

/// Append a signed statement to the team's device list.
fn append_statement(tx: &rusqlite::Transaction<'_>, team: Id16, statement: &[u8]) -> DbResult<()> {
    tx.execute(
        "INSERT INTO roster (team_id, seq, statement)
         VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM roster WHERE team_id = ?1), ?2)",
        params![team.0, statement],
    )?;
    Ok(())
}

/// The store's operations as blocking calls, one transaction each (`Db` documents them).
impl Store {
    fn needs_bootstrap(&self) -> DbResult<bool> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM teams", [], |r| r.get(0))?;
        Ok(n == 0)
    }

    fn set_bootstrap_hash(&self, hash: &[u8; 32]) -> DbResult<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO server_meta (key, value) VALUES ('bootstrap', ?1)",
            [&hash[..]],
        )?;
        Ok(())
    }

    fn bootstrap(
        &self,
        code_hash: &[u8; 32],
        team: Id16,
        device: &NewDevice,
        now: u64,
    ) -> DbResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let stored: Option<Vec<u8>> = tx
            .query_row(
                "SELECT value FROM server_meta WHERE key = 'bootstrap'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let matches = stored.is_some_and(|s| constant_time_eq(&s, code_hash));
        let teams: i64 = tx.query_row("SELECT count(*) FROM teams", [], |r| r.get(0))?;
        if !matches || teams > 0 {
            return Err(DbError::InvalidCode);
        }
        tx.execute(
            "INSERT INTO teams (id, created_ms) VALUES (?1, ?2)",
            params![team.0, now as i64],
        )?;
        insert_device(&tx, device, team, Role::Admin, now)?;
        tx.execute("DELETE FROM server_meta WHERE key = 'bootstrap'", [])?;
        tx.commit()?;
        Ok(())
    }

    fn create_team(&self, team: Id16, device: &NewDevice, now: u64) -> DbResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO teams (id, created_ms) VALUES (?1, ?2)",
            params![team.0, now as i64],
        )?;
        if inserted == 0 {
            return Err(DbError::Conflict);
        }
        insert_device(&tx, device, team, Role::Admin, now)?;
        tx.commit()?;
        Ok(())
    }

    fn device(&self, device: Id16) -> DbResult<Option<DeviceRow>> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT d.team_id, d.role, d.sign_pk, d.revoked_ms IS NOT NULL, t.epoch
                 FROM devices d JOIN teams t ON t.id = d.team_id WHERE d.id = ?1",
                [device.0],
                |r| {
                    Ok((
                        r.get::<_, Vec<u8>>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        r.get::<_, bool>(3)?,
                        r.get::<_, u32>(4)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(team, r, pk, revoked, team_epoch)| {
            Ok(DeviceRow {
                id: device,
                team_id: id(team)?,
                role: role(&r)?,
                sign_pk: pk,
                revoked,
                team_epoch,
            })
        })
        .transpose()
    }

    fn put_challenge(&self, challenge: &[u8], device: Id16, expires: u64) -> DbResult<()> {
        let conn = self.conn();
        conn.execute(
            "DELETE FROM challenges WHERE expires_ms < ?1",
            [expires as i64 - 10 * 60 * 1000],
        )?;
        conn.execute(
            "INSERT INTO challenges (challenge, device_id, expires_ms) VALUES (?1, ?2, ?3)",
            params![challenge, device.0, expires as i64],
        )?;
        Ok(())
    }

    fn take_challenge(&self, challenge: &[u8], device: Id16, now: u64) -> DbResult<bool> {
        let n = self.conn().execute(
            "DELETE FROM challenges WHERE challenge = ?1 AND device_id = ?2 AND expires_ms >= ?3",
            params![challenge, device.0, now as i64],
        )?;
        Ok(n == 1)
    }

    fn put_token(&self, hash: &[u8; 32], device: Id16, expires: u64) -> DbResult<()> {
        let conn = self.conn();
        conn.execute(
            "DELETE FROM tokens WHERE expires_ms < ?1",
            [expires as i64 - 24 * 3600 * 1000],
        )?;
        conn.execute(
            "INSERT INTO tokens (hash, device_id, expires_ms) VALUES (?1, ?2, ?3)",
            params![&hash[..], device.0, expires as i64],
        )?;
        Ok(())
    }

    fn token_device(&self, hash: &[u8; 32], now: u64) -> DbResult<Option<Id16>> {
        let found: Option<Vec<u8>> = self
            .conn()
            .query_row(
                "SELECT device_id FROM tokens WHERE hash = ?1 AND expires_ms >= ?2",
                params![&hash[..], now as i64],
                |r| r.get(0),
            )
            .optional()?;
        found.map(id).transpose()
    }

    fn create_invite(&self, i: &NewInvite, now: u64, cap: u64) -> DbResult<()> {
        let mut conn = self.conn();
        // Written from the start: no other writer between the count and the insert (in this
        // process the connection's lock already keeps them apart).
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if cap < u64::MAX {
            let waiting: i64 = tx.query_row(
                "SELECT count(*) FROM invites WHERE team_id = ?1 AND used_ms IS NULL AND expires_ms > ?2",
                params![i.team.0, now as i64],
                |r| r.get(0),
            )?;
            if waiting.max(0) as u64 >= cap {
                return Err(DbError::TooManyInvitesWaiting);
            }
        }
        let n = tx.execute(
            "INSERT INTO invites (lookup, team_id, role, created_by, expires_ms, bundle, invite_pk)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (lookup) DO NOTHING",
            params![
                i.lookup,
                i.team.0,
                i.role.as_str(),
                i.by.0,
                i.expires_ms as i64,
                i.bundle,
                i.invite_pk.map(|k| k.to_vec())
            ],
        )?;
        if n == 0 {
            return Err(DbError::Conflict);
        }
        append_statement(&tx, i.team, &i.statement)?;
        tx.commit()?;
        Ok(())
    }

    fn pending_invites(&self, team: Id16, now: u64) -> DbResult<u64> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM invites WHERE team_id = ?1 AND used_ms IS NULL AND expires_ms > ?2",
            params![team.0, now as i64],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    fn pushed_bytes(&self, device: Id16) -> DbResult<u64> {
        let n: Option<i64> = self
            .conn()
            .query_row(
                "SELECT pushed_bytes FROM devices WHERE id = ?1",
                [device.0],
                |r| r.get(0),
            )
            .optional()?;
        Ok(n.unwrap_or(0) as u64)
    }

    fn enroll(
        &self,
        lookup: &[u8],
        device: &NewDevice,
        now: u64,
    ) -> DbResult<(Id16, Role, Vec<u8>)> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let invite = tx
            .query_row(
                "SELECT team_id, role, bundle, invite_pk FROM invites WHERE lookup = ?1 AND used_ms IS NULL AND expires_ms >= ?2",
                params![lookup, now as i64],
                |r| {
                    Ok((
                        r.get::<_, Vec<u8>>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<Vec<u8>>>(2)?,
                        r.get::<_, Option<Vec<u8>>>(3)?,
                    ))
                },
            )
            .optional()?;
        let Some((team, r, Some(bundle), invite_pk)) = invite else {
            return Err(DbError::InvalidCode);
        };
        super::check_invitation_key(device, invite_pk)?;
        let (team, r) = (id(team)?, role(&r)?);
        insert_device(&tx, device, team, r, now)?;
        tx.execute(
            "UPDATE invites SET used_ms = ?2, used_by = ?3, bundle = NULL WHERE lookup = ?1",
            params![lookup, now as i64, device.id.0],
        )?;
        tx.commit()?;
        Ok((team, r, bundle))
    }

    fn push(
        &self,
        team: Id16,
        author: Id16,
        ops: &[IncomingOp],
        quota: super::PushQuota,
    ) -> DbResult<(u32, u32)> {
        let mut conn = self.conn();
        if self.purge_pending.load(std::sync::atomic::Ordering::SeqCst) && purge_wal(&conn)? {
            self.purge_pending
                .store(false, std::sync::atomic::Ordering::SeqCst);
        }
        let tx = conn.transaction()?;
        let (mut head, epoch): (i64, u32) = tx.query_row(
            "SELECT head, epoch FROM teams WHERE id = ?1",
            [team.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        super::check_batch(epoch.into(), ops)?;
        let (mut stored, mut dups) = (0u32, 0u32);
        let mut stored_bytes = 0i64;
        {
            // A new operation is stored in one statement, as is a copy beside another
            // device's (the pusher has none, and none is declared as the same author's); only
            // a duplicate (or an erased one) is looked at again, to decide what it changes
            // (`super::on_push`).
            let mut insert = tx.prepare_cached(
                "INSERT INTO ops (team_id, seq, op_id, epoch, author, envelope, author_id, author_seq,
                                  priority)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
                 WHERE NOT EXISTS (SELECT 1 FROM erased_ops WHERE team_id = ?1 AND op_id = ?3)
                 AND NOT EXISTS (SELECT 1 FROM ops WHERE team_id = ?1 AND op_id = ?3
                                 AND (author = ?5 OR author_id = ?7))
                 ON CONFLICT (team_id, op_id, author) DO NOTHING",
            )?;
            let mut held = tx.prepare_cached(
                "SELECT seq, author, author_id, author_seq IS NULL FROM ops
                 WHERE team_id = ?1 AND op_id = ?2 ORDER BY seq",
            )?;
            // A duplicate that came without a number (from protocol 1) gets it now, from the
            // device that pushed it only.
            let mut number = tx.prepare_cached(
                "UPDATE ops SET author_id = ?3, author_seq = ?4 WHERE team_id = ?1 AND seq = ?2",
            )?;
            // The author's own copy of an operation another device pushed first, declared as
            // hers.
            let mut take_over = tx.prepare_cached(
                "UPDATE ops SET seq = ?3, epoch = ?4, author = ?5, envelope = ?6, author_id = ?5,
                                author_seq = ?7, priority = ?8
                 WHERE team_id = ?1 AND seq = ?2",
            )?;
            // A number the pusher gave another operation it pushed itself (ADR 0032).
            let mut taken = tx.prepare_cached(
                "SELECT 1 FROM ops WHERE team_id = ?1 AND author_id = ?2 AND author_seq = ?3
                 AND author = ?2 AND op_id <> ?4",
            )?;
            for op in ops {
                let op_author = op.author.unwrap_or(author);
                if let (true, Some(n)) = (op_author == author, op.author_seq) {
                    if taken.exists(params![team.0, author.0, n as i64, &op.op_id[..]])? {
                        return Err(DbError::NumberTaken);
                    }
                }
                let inserted = insert.execute(params![
                    team.0,
                    head + 1,
                    &op.op_id[..],
                    op.epoch,
                    author.0,
                    op.bytes,
                    op_author.0,
                    op.author_seq.map(|s| s as i64),
                    op.priority
                ])?;
                if inserted == 1 {
                    head += 1;
                    stored += 1;
                    stored_bytes += op.bytes.len() as i64;
                    continue;
                }
                // No copy: erased, never stored again.
                let mut seqs = Vec::new();
                let mut copies = Vec::new();
                let mut rows = held.query(params![team.0, &op.op_id[..]])?;
                while let Some(r) = rows.next()? {
                    let by = r.get_ref(1)?.as_blob()?;
                    let of = r.get_ref(2)?.as_blob_or_null()?;
                    seqs.push(r.get::<_, i64>(0)?);
                    copies.push(super::Held {
                        pushed_by_pusher: by == author.0,
                        same_author: of == Some(&op_author.0[..]),
                        numbered: !r.get::<_, bool>(3)?,
                    });
                }
                drop(rows);
                match super::on_push(&copies, op_author == author, op.author_seq) {
                    super::Duplicate::TakeOver(i) => {
                        head += 1;
                        take_over.execute(params![
                            team.0,
                            seqs[i],
                            head,
                            op.epoch,
                            author.0,
                            op.bytes,
                            op.author_seq.map(|s| s as i64),
                            op.priority
                        ])?;
                        stored += 1;
                        stored_bytes += op.bytes.len() as i64;
                    }
                    super::Duplicate::Number(i, seq) => {
                        number.execute(params![team.0, seqs[i], op_author.0, seq as i64])?;
                        dups += 1;
                    }
                    super::Duplicate::Keep => dups += 1,
                }
            }
        }
        tx.execute(
            "UPDATE teams SET head = ?2 WHERE id = ?1",
            params![team.0, head],
        )?;
        // The quota is checked on the count this very transaction raised: a push of the same
        // device at the same moment sees it raised, or waits (ADR 0027). Over it, dropping the
        // transaction rolls the whole push back. A push that stored nothing (a retry of what
        // is held) costs nothing, and is never refused, whatever the count.
        if stored_bytes > 0 {
            let total: Option<i64> = tx
                .query_row(
                    "UPDATE devices SET pushed_bytes = pushed_bytes + ?2 WHERE id = ?1
                     RETURNING pushed_bytes",
                    params![author.0, stored_bytes],
                    |r| r.get(0),
                )
                .optional()?;
            if total.is_some_and(|t| t.max(0) as u64 > quota.device) {
                return Err(DbError::QuotaExceeded);
            }
            // The team's, summed over its devices in the same transaction: pushes of a team
            // are one after the other here (the write transaction).
            if quota.team < u64::MAX {
                let team_total: i64 = tx.query_row(
                    "SELECT coalesce(sum(pushed_bytes), 0) FROM devices WHERE team_id = ?1",
                    [team.0],
                    |r| r.get(0),
                )?;
                if team_total.max(0) as u64 > quota.team {
                    return Err(DbError::TeamQuotaExceeded);
                }
            }
        }
        tx.commit()?;
        Ok((stored, dups))
    }

    fn pull(
        &self,
        team: Id16,
        requester: Id16,
        after: u64,
        max_bytes: u32,
        at: Option<[u8; 16]>,
        pass: super::Pass,
    ) -> DbResult<PullPage> {
        let conn = self.conn();
        let head: i64 = conn.query_row("SELECT head FROM teams WHERE id = ?1", [team.0], |r| {
            r.get(0)
        })?;
        // A pass reads no further than its bound (never beyond the head).
        let bound = pass
            .upto
            .map_or(head, |u| (u.min(i64::MAX as u64) as i64).min(head));
        let generation = generation_of(&conn)?;
        let mut page = PullPage {
            envelopes: Vec::new(),
            next: bound.max(after as i64) as u64,
            more: false,
            generation,
            head: head as u64,
            next_op: None,
            rewound: false,
            ..PullPage::default()
        };
        if after > head as u64
            || at.is_some_and(|at| op_at(&conn, team, after).ok().flatten() != Some(at))
        {
            page.next = after;
            page.rewound = true;
            return Ok(page);
        }
        let mut stmt = conn.prepare_cached(
            "SELECT seq, author, envelope FROM ops WHERE team_id = ?1 AND seq > ?2 AND seq <= ?3
             AND (?4 IS NULL OR priority = ?4) ORDER BY seq",
        )?;
        let class = pass.class.map(i64::from);
        let mut rows = stmt.query(params![team.0, after as i64, bound, class])?;
        let mut bytes = 0usize;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            if row.get_ref(1)?.as_blob()? == requester.0 {
                continue;
            }
            let env = row.get_ref(2)?.as_blob()?;
            if !page.envelopes.is_empty() && bytes + env.len() > max_bytes as usize {
                page.next = (seq - 1) as u64;
                page.more = true;
                break;
            }
            bytes += env.len();
            page.envelopes.push(env.to_vec());
        }
        drop(rows);
        drop(stmt);
        if let Some(class) = pass.class {
            // What this pass stepped over, for a later pass: the screens show it as still
            // arriving.
            page.deferred = conn.query_row(
                "SELECT count(*) FROM ops WHERE team_id = ?1 AND seq > ?2 AND seq <= ?3
                 AND priority <> ?4 AND author <> ?5",
                params![
                    team.0,
                    after as i64,
                    page.next as i64,
                    i64::from(class),
                    requester.0
                ],
                |r| r.get::<_, i64>(0),
            )? as u64;
        }
        page.next_op = op_at(&conn, team, page.next)?.map(Id16);
        Ok(page)
    }

    fn pull_own(
        &self,
        team: Id16,
        requester: Id16,
        numbers: &[(u64, u64)],
        after: u64,
        max_bytes: u32,
    ) -> DbResult<PullPage> {
        let conn = self.conn();
        let (lo, hi) = super::span_of(numbers);
        let mut stmt = conn.prepare_cached(
            "SELECT seq, author_seq, envelope FROM ops WHERE team_id = ?1 AND author = ?2
             AND author_id = ?2 AND author_seq BETWEEN ?3 AND ?4 AND seq > ?5 ORDER BY seq",
        )?;
        let after = after.min(i64::MAX as u64) as i64;
        let mut rows = stmt.query(params![team.0, requester.0, lo, hi, after])?;
        let mut page = PullPage {
            next: after as u64,
            ..PullPage::default()
        };
        let mut bytes = 0usize;
        while let Some(row) = rows.next()? {
            let (seq, number): (i64, i64) = (row.get(0)?, row.get(1)?);
            if !super::in_ranges(numbers, number as u64) {
                continue;
            }
            let env = row.get_ref(2)?.as_blob()?;
            if !page.envelopes.is_empty() && bytes + env.len() > max_bytes as usize {
                page.more = true;
                break;
            }
            bytes += env.len();
            page.envelopes.push(env.to_vec());
            page.next = seq as u64;
        }
        Ok(page)
    }

    fn head(&self, team: Id16) -> DbResult<u64> {
        let head: i64 =
            self.conn()
                .query_row("SELECT head FROM teams WHERE id = ?1", [team.0], |r| {
                    r.get(0)
                })?;
        Ok(head as u64)
    }

    fn holds(&self, team: Id16, asker: Id16) -> DbResult<komora_protocol::AuthorRanges> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT author_id, author_seq FROM ops WHERE team_id = ?1 AND author_seq IS NOT NULL
             AND (author_id = author OR author = ?2) ORDER BY author_id, author_seq",
        )?;
        let rows = stmt.query_map(params![team.0, asker.0], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut numbers = Vec::new();
        for row in rows {
            let (a, seq) = row?;
            numbers.push((id(a)?, seq as u64));
        }
        Ok(super::ranges(numbers))
    }

    fn erased_for(&self, team: Id16, device: Id16) -> DbResult<u64> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM erased_ops WHERE team_id = ?1 AND by_device = ?2",
            params![team.0, device.0],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    fn holds_of(&self, team: Id16, author: Id16) -> DbResult<Vec<(u64, u64)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT author_seq FROM ops WHERE team_id = ?1 AND author_id = ?2 AND author = ?2
             AND author_seq IS NOT NULL ORDER BY author_seq",
        )?;
        let rows = stmt.query_map(params![team.0, author.0], |r| r.get::<_, i64>(0))?;
        let mut numbers = Vec::new();
        for row in rows {
            numbers.push((author, row? as u64));
        }
        Ok(super::ranges(numbers)
            .pop()
            .map(|(_, r)| r)
            .unwrap_or_default())
    }

    fn resume_after(
        &self,
        team: Id16,
        asker: Id16,
        theirs: &komora_protocol::AuthorRanges,
    ) -> DbResult<u64> {
        let conn = self.conn();
        let head: i64 = conn.query_row("SELECT head FROM teams WHERE id = ?1", [team.0], |r| {
            r.get(0)
        })?;
        let mut stmt = conn.prepare_cached(
            "SELECT seq, author_id,
                    CASE WHEN author_id = author OR author = ?2 THEN author_seq END
             FROM ops WHERE team_id = ?1 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![team.0, asker.0])?;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let author: Option<Vec<u8>> = row.get(1)?;
            // A number counts only as its author or the asker declared it: another device's
            // word would make the asker skip an operation it does not hold.
            let number: Option<i64> = row.get(2)?;
            let held = match (author, number) {
                (Some(a), Some(n)) => super::ranges_hold(theirs, &id(a)?, n as u64),
                _ => false,
            };
            if !held {
                return Ok((seq - 1).max(0) as u64);
            }
        }
        Ok(head as u64)
    }

    fn readmit(
        &self,
        team: Id16,
        devices: &[Readmitted],
        statements: &[Vec<u8>],
        now: u64,
    ) -> DbResult<u32> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut registered = 0;
        for r in devices {
            let d = &r.device;
            registered += tx.execute(
                "INSERT INTO devices (id, team_id, role, sign_pk, kx_pk, enrolled_ms, revoked_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
                params![
                    d.id.0,
                    team.0,
                    r.role.as_str(),
                    d.sign_pk,
                    d.kx_pk,
                    now as i64,
                    r.revoked.then_some(now as i64)
                ],
            )? as u32;
            if let Some(pk) = d.invite_pk {
                tx.execute(
                    "UPDATE invites SET used_ms = ?3, used_by = ?4, bundle = NULL
                     WHERE team_id = ?1 AND invite_pk = ?2 AND used_ms IS NULL",
                    params![team.0, &pk[..], now as i64, d.id.0],
                )?;
            }
        }
        for s in statements {
            let held = tx
                .prepare_cached("SELECT 1 FROM roster WHERE team_id = ?1 AND statement = ?2")?
                .exists(params![team.0, s])?;
            if !held {
                append_statement(&tx, team, s)?;
            }
        }
        tx.commit()?;
        Ok(registered)
    }

    fn revoke_to(&self, team: Id16, device: Id16, epoch: u32, now: u64) -> DbResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE devices SET revoked_ms = coalesce(revoked_ms, ?3) WHERE id = ?1 AND team_id = ?2",
            params![device.0, team.0, now as i64],
        )?;
        tx.execute(
            "UPDATE teams SET epoch = max(epoch, ?2) WHERE id = ?1",
            params![team.0, epoch],
        )?;
        tx.execute("DELETE FROM tokens WHERE device_id = ?1", [device.0])?;
        tx.commit()?;
        Ok(())
    }

    fn raise_epoch(&self, team: Id16, epoch: u32) -> DbResult<()> {
        self.conn().execute(
            "UPDATE teams SET epoch = max(epoch, ?2) WHERE id = ?1",
            params![team.0, epoch],
        )?;
        Ok(())
    }

    fn add_grants(
        &self,
        team: Id16,
        giver: Id16,
        grants: &[(u32, Id16, Vec<u8>)],
    ) -> DbResult<u32> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut added = 0;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO key_grants (team_id, epoch, device_id, given_by, wrapped)
                 SELECT ?1, ?2, ?3, ?5, ?4 WHERE EXISTS (SELECT 1 FROM devices WHERE id = ?3 AND team_id = ?1)
                 AND ?2 <= (SELECT epoch FROM teams WHERE id = ?1)
                 ON CONFLICT DO NOTHING",
            )?;
            for (epoch, device, wrapped) in grants {
                added += insert.execute(params![team.0, epoch, device.0, wrapped, giver.0])? as u32;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    fn missing_grants(&self, team: Id16, asker: Id16) -> DbResult<Vec<(u32, Id16, Vec<u8>)>> {
        let conn = self.conn();
        let epoch: u32 =
            conn.query_row("SELECT epoch FROM teams WHERE id = ?1", [team.0], |r| {
                r.get(0)
            })?;
        // Missing for the asker: no grant the rotation or an administrator gave, and none the
        // asker gave itself. Another device's grant is its word only (ADR 0027).
        let mut stmt = conn.prepare_cached(
            "SELECT d.id, d.kx_pk FROM devices d WHERE d.team_id = ?1 AND d.revoked_ms IS NULL
             AND NOT EXISTS (SELECT 1 FROM key_grants g LEFT JOIN devices giver
                                 ON giver.id = g.given_by AND giver.team_id = g.team_id
                             WHERE g.team_id = ?1 AND g.device_id = d.id AND g.epoch = ?2
                             AND (g.given_by IN (?3, ?4)
                                  OR (giver.role = ?5 AND giver.revoked_ms IS NULL)))
             ORDER BY d.id",
        )?;
        let mut out = Vec::new();
        for e in 2..=epoch {
            let rows = stmt.query_map(
                params![
                    team.0,
                    e,
                    &super::GIVEN_WITH_ROTATION[..],
                    asker.0,
                    Role::Admin.as_str()
                ],
                |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?)),
            )?;
            for row in rows {
                let (d, kx) = row?;
                out.push((e, id(d)?, kx));
            }
        }
        Ok(out)
    }

    fn report(&self, device: Id16, report: &komora_protocol::DeviceReport) -> DbResult<()> {
        let bytes = serde_json::to_vec(report).map_err(|e| DbError::Storage(e.to_string()))?;
        self.conn().execute(
            "UPDATE devices SET report = ?2 WHERE id = ?1",
            params![device.0, bytes],
        )?;
        Ok(())
    }

    fn devices(&self, team: Id16) -> DbResult<Vec<DeviceInfo>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, role, revoked_ms IS NOT NULL, enrolled_ms, last_seen_ms, kx_pk, report FROM devices WHERE team_id = ?1 ORDER BY enrolled_ms, id",
        )?;
        let rows = stmt.query_map([team.0], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Vec<u8>>(5)?,
                r.get::<_, Option<Vec<u8>>>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (d, r, revoked, enrolled, seen, kx, report) = row?;
            out.push(DeviceInfo {
                id: id(d)?,
                role: role(&r)?,
                revoked,
                enrolled_ms: enrolled as u64,
                last_seen_ms: seen.map(|s| s as u64),
                kx_pk: komora_protocol::Bytes(kx),
                report: report.and_then(|b| serde_json::from_slice(&b).ok()),
            });
        }
        Ok(out)
    }

    fn key_grants(&self, team: Id16, device: Id16, after: u32) -> DbResult<super::KeyGrants> {
        let conn = self.conn();
        let current: u32 =
            conn.query_row("SELECT epoch FROM teams WHERE id = ?1", [team.0], |r| {
                r.get(0)
            })?;
        // Never a key of an epoch the team has not reached: a store from before such keys
        // were refused may hold some a hostile device planted (the rotation replaces them).
        // Each epoch's grants in the order a tablet tries them (ADR 0027): the rotation's, then
        // an administrator's still in the team, then a giver the store no longer knows, then the rest.
        let mut stmt = conn.prepare_cached(
            "SELECT g.epoch, g.wrapped FROM key_grants g LEFT JOIN devices giver
                 ON giver.id = g.given_by AND giver.team_id = g.team_id
             WHERE g.team_id = ?1 AND g.device_id = ?2 AND g.epoch > ?3 AND g.epoch <= ?4
             ORDER BY g.epoch,
                 CASE WHEN g.given_by = ?5 THEN 0
                      WHEN giver.role = ?6 AND giver.revoked_ms IS NULL THEN 1
                      WHEN giver.id IS NULL THEN 2 ELSE 3 END,
                 g.given_by",
        )?;
        let grants = stmt
            .query_map(
                params![
                    team.0,
                    device.0,
                    after,
                    current,
                    &super::GIVEN_WITH_ROTATION[..],
                    Role::Admin.as_str()
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok((current, grants))
    }

    fn revoke(
        &self,
        team: Id16,
        device: Id16,
        now: u64,
        new_epoch: u32,
        grants: &[(Id16, Vec<u8>)],
        statements: &[Vec<u8>],
    ) -> DbResult<bool> {
        let mut conn = self.conn();
        // IMMEDIATE: the device list read below cannot change before the grants are stored.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let devices = {
            let mut stmt =
                tx.prepare("SELECT id, revoked_ms IS NOT NULL FROM devices WHERE team_id = ?1")?;
            let rows = stmt
                .query_map([team.0], |r| {
                    Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, bool>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(d, revoked)| Ok((id(d)?, revoked)))
                .collect::<DbResult<Vec<_>>>()?
        };
        if !devices.iter().any(|(d, _)| *d == device) {
            return Ok(false);
        }
        let current: u32 =
            tx.query_row("SELECT epoch FROM teams WHERE id = ?1", [team.0], |r| {
                r.get(0)
            })?;
        super::check_rotation(current, new_epoch, device, &devices, grants)?;
        let n = tx.execute(
            "UPDATE devices SET revoked_ms = coalesce(revoked_ms, ?3) WHERE id = ?1 AND team_id = ?2",
            params![device.0, team.0, now as i64],
        )?;
        // The administrator's signed rotation wins over anything kept for that epoch (a key
        // planted by a hostile device before such keys were refused).
        tx.execute(
            "DELETE FROM key_grants WHERE team_id = ?1 AND epoch = ?2",
            params![team.0, new_epoch],
        )?;
        for (d, wrapped) in grants {
            tx.execute(
                "INSERT INTO key_grants (team_id, epoch, device_id, given_by, wrapped)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    team.0,
                    new_epoch,
                    d.0,
                    &super::GIVEN_WITH_ROTATION[..],
                    wrapped
                ],
            )?;
        }
        tx.execute(
            "UPDATE teams SET epoch = ?2 WHERE id = ?1",
            params![team.0, new_epoch],
        )?;
        for statement in statements {
            append_statement(&tx, team, statement)?;
        }
        // Pending invitations carry the old keys only: cancel them (invite again).
        tx.execute(
            "DELETE FROM invites WHERE team_id = ?1 AND used_ms IS NULL",
            [team.0],
        )?;
        tx.execute("DELETE FROM tokens WHERE device_id = ?1", [device.0])?;
        tx.execute("DELETE FROM challenges WHERE device_id = ?1", [device.0])?;
        tx.commit()?;
        Ok(n == 1)
    }

    fn roster(&self, team: Id16, after: u32, limit: u32) -> DbResult<(Vec<Vec<u8>>, u32)> {
        let conn = self.conn();
        let total: u32 = conn.query_row(
            "SELECT count(*) FROM roster WHERE team_id = ?1",
            [team.0],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare_cached(
            "SELECT statement FROM roster WHERE team_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let statements = stmt
            .query_map(params![team.0, after, limit], |r| r.get(0))?
            .collect::<Result<Vec<Vec<u8>>, _>>()?;
        Ok((statements, total))
    }

    fn roster_len(&self, team: Id16) -> DbResult<u32> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM roster WHERE team_id = ?1",
            [team.0],
            |r| r.get(0),
        )?)
    }

    fn add_statement(&self, team: Id16, statement: &[u8]) -> DbResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        append_statement(&tx, team, statement)?;
        tx.commit()?;
        Ok(())
    }

    fn erase_ops(
        &self,
        team: Id16,
        by: Id16,
        erasure: [u8; 16],
        op_ids: &[[u8; 16]],
        now: u64,
    ) -> DbResult<u32> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let cited = tx
            .prepare_cached(
                "SELECT 1 FROM ops WHERE team_id = ?1 AND op_id = ?2 AND (author = ?3 OR author_id = ?3)",
            )?
            .exists(params![team.0, &erasure[..], by.0])?;
        if !cited {
            return Err(DbError::NotFound(super::UNKNOWN_ERASURE));
        }
        {
            // Every copy of the id, whoever pushed it (ADR 0027).
            let mut delete = tx.prepare_cached(
                "DELETE FROM ops WHERE team_id = ?1 AND op_id = ?2 RETURNING seq",
            )?;
            let mut remember = tx.prepare_cached(
                "INSERT OR IGNORE INTO erased_ops (op_id, team_id, erased_ms, by_device, erasure_op, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for id in op_ids {
                // Where the last copy stood is remembered (a cursor on another copy's place
                // finds the stream changed, and its tablet reconciles once).
                let seq: Option<i64> = delete
                    .query_map(params![team.0, &id[..]], |r| r.get::<_, i64>(0))?
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .max();
                remember.execute(params![
                    &id[..],
                    team.0,
                    now as i64,
                    by.0,
                    &erasure[..],
                    seq
                ])?;
            }
        }
        tx.commit()?;
        // `secure_delete` overwrote the rows in the database file; the write-ahead log still
        // holds the pages as they were until a checkpoint copies it back and empties it.
        let done = purge_wal(&conn)?;
        self.purge_pending
            .store(!done, std::sync::atomic::Ordering::SeqCst);
        if !done {
            tracing::warn!(
                "an erasure's old pages wait in the write-ahead log: purged at the next write"
            );
        }
        Ok(op_ids.len() as u32)
    }

    fn touch(&self, device: Id16, now: u64) -> DbResult<()> {
        // At most one write a minute per device: reads stay reads.
        self.conn().execute(
            "UPDATE devices SET last_seen_ms = ?2 WHERE id = ?1 AND (last_seen_ms IS NULL OR last_seen_ms < ?2 - 60000)",
            params![device.0, now as i64],
        )?;
        Ok(())
    }

    fn generation(&self) -> DbResult<[u8; 16]> {
        let stored: Vec<u8> = self.conn().query_row(
            "SELECT value FROM server_meta WHERE key = 'generation'",
            [],
            |r| r.get(0),
        )?;
        super::generation(stored)
    }

    fn new_generation(&self) -> DbResult<[u8; 16]> {
        let fresh = super::random_generation()?;
        self.conn().execute(
            "INSERT OR REPLACE INTO server_meta (key, value) VALUES ('generation', ?1)",
            [&fresh[..]],
        )?;
        Ok(fresh)
    }

    fn dump(&self) -> DbResult<Vec<u8>> {
        let conn = self.conn();
        let mut out = Vec::new();
        for table in super::TABLES {
            let mut stmt = conn.prepare(&format!("SELECT * FROM {table}"))?;
            let n = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                for i in 0..n {
                    match row.get_ref(i)? {
                        rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => {
                            out.extend_from_slice(b)
                        }
                        _ => {}
                    }
                    out.push(0);
                }
            }
        }
        Ok(out)
    }
}

/// The embedded store as the routes use it.
pub struct SqliteDb {
    store: Arc<Store>,
}

impl SqliteDb {
    /// Open (creating and migrating as needed) the store in the file at `path`.
    pub fn open(path: &Path) -> DbResult<Self> {
        Ok(Self {
            store: Arc::new(Store::open(path)?),
        })
    }

    /// Run one call on a blocking thread. A panic there fails the call, never the server.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> DbResult<T> + Send + 'static,
    ) -> DbResult<T> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|_| DbError::Storage("a storage call panicked".into()))?
    }
}

#[async_trait::async_trait]
impl Db for SqliteDb {
    async fn needs_bootstrap(&self) -> DbResult<bool> {
        self.run(|s| s.needs_bootstrap()).await
    }

    async fn set_bootstrap_hash(&self, hash: [u8; 32]) -> DbResult<()> {
        self.run(move |s| s.set_bootstrap_hash(&hash)).await
    }

    async fn create_team(&self, team: Id16, device: NewDevice, now: u64) -> DbResult<()> {
        self.run(move |s| s.create_team(team, &device, now)).await
    }

    async fn bootstrap(
        &self,
        code_hash: [u8; 32],
        team: Id16,
        device: NewDevice,
        now_ms: u64,
    ) -> DbResult<()> {
        self.run(move |s| s.bootstrap(&code_hash, team, &device, now_ms))
            .await
    }

    async fn device(&self, id: Id16) -> DbResult<Option<DeviceRow>> {
        self.run(move |s| s.device(id)).await
    }

    async fn put_challenge(
        &self,
        challenge: Vec<u8>,
        device: Id16,
        expires_ms: u64,
    ) -> DbResult<()> {
        self.run(move |s| s.put_challenge(&challenge, device, expires_ms))
            .await
    }

    async fn take_challenge(
        &self,
        challenge: Vec<u8>,
        device: Id16,
        now_ms: u64,
    ) -> DbResult<bool> {
        self.run(move |s| s.take_challenge(&challenge, device, now_ms))
            .await
    }

    async fn put_token(&self, hash: [u8; 32], device: Id16, expires_ms: u64) -> DbResult<()> {
        self.run(move |s| s.put_token(&hash, device, expires_ms))
            .await
    }

    async fn token_device(&self, hash: [u8; 32], now_ms: u64) -> DbResult<Option<Id16>> {
        self.run(move |s| s.token_device(&hash, now_ms)).await
    }

    async fn create_invite_within(&self, invite: NewInvite, now_ms: u64, cap: u64) -> DbResult<()> {
        self.run(move |s| s.create_invite(&invite, now_ms, cap))
            .await
    }

    async fn pending_invites(&self, team: Id16, now_ms: u64) -> DbResult<u64> {
        self.run(move |s| s.pending_invites(team, now_ms)).await
    }

    async fn pushed_bytes(&self, device: Id16) -> DbResult<u64> {
        self.run(move |s| s.pushed_bytes(device)).await
    }

    async fn enroll(
        &self,
        lookup: Vec<u8>,
        device: NewDevice,
        now_ms: u64,
    ) -> DbResult<(Id16, Role, Vec<u8>)> {
        self.run(move |s| s.enroll(&lookup, &device, now_ms)).await
    }

    async fn push_within(
        &self,
        team: Id16,
        author: Id16,
        ops: Vec<IncomingOp>,
        quota: super::PushQuota,
    ) -> DbResult<(u32, u32)> {
        self.run(move |s| s.push(team, author, &ops, quota)).await
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
        self.run(move |s| s.pull(team, requester, after, max_bytes, at, pass))
            .await
    }

    async fn pull_own(
        &self,
        team: Id16,
        requester: Id16,
        numbers: Vec<(u64, u64)>,
        after: u64,
        max_bytes: u32,
    ) -> DbResult<PullPage> {
        self.run(move |s| s.pull_own(team, requester, &numbers, after, max_bytes))
            .await
    }

    async fn head(&self, team: Id16) -> DbResult<u64> {
        self.run(move |s| s.head(team)).await
    }

    async fn holds(&self, team: Id16, asker: Id16) -> DbResult<komora_protocol::AuthorRanges> {
        self.run(move |s| s.holds(team, asker)).await
    }

    async fn erased_for(&self, team: Id16, device: Id16) -> DbResult<u64> {
        self.run(move |s| s.erased_for(team, device)).await
    }

    async fn holds_of(&self, team: Id16, author: Id16) -> DbResult<Vec<(u64, u64)>> {
        self.run(move |s| s.holds_of(team, author)).await
    }

    async fn resume_after(
        &self,
        team: Id16,
        asker: Id16,
        theirs: komora_protocol::AuthorRanges,
    ) -> DbResult<u64> {
        self.run(move |s| s.resume_after(team, asker, &theirs))
            .await
    }

    async fn readmit(
        &self,
        team: Id16,
        devices: Vec<Readmitted>,
        statements: Vec<Vec<u8>>,
        now: u64,
    ) -> DbResult<u32> {
        self.run(move |s| s.readmit(team, &devices, &statements, now))
            .await
    }

    async fn revoke_to(&self, team: Id16, device: Id16, epoch: u32, now: u64) -> DbResult<()> {
        self.run(move |s| s.revoke_to(team, device, epoch, now))
            .await
    }

    async fn raise_epoch(&self, team: Id16, epoch: u32) -> DbResult<()> {
        self.run(move |s| s.raise_epoch(team, epoch)).await
    }

    async fn add_grants(
        &self,
        team: Id16,
        giver: Id16,
        grants: Vec<(u32, Id16, Vec<u8>)>,
    ) -> DbResult<u32> {
        self.run(move |s| s.add_grants(team, giver, &grants)).await
    }

    async fn missing_grants(&self, team: Id16, asker: Id16) -> DbResult<Vec<(u32, Id16, Vec<u8>)>> {
        self.run(move |s| s.missing_grants(team, asker)).await
    }

    async fn report(&self, device: Id16, report: komora_protocol::DeviceReport) -> DbResult<()> {
        self.run(move |s| s.report(device, &report)).await
    }

    async fn devices(&self, team: Id16) -> DbResult<Vec<DeviceInfo>> {
        self.run(move |s| s.devices(team)).await
    }

    async fn revoke(
        &self,
        team: Id16,
        device: Id16,
        now_ms: u64,
        new_epoch: u32,
        grants: Vec<(Id16, Vec<u8>)>,
        statements: Vec<Vec<u8>>,
    ) -> DbResult<bool> {
        self.run(move |s| s.revoke(team, device, now_ms, new_epoch, &grants, &statements))
            .await
    }

    async fn add_statement(&self, team: Id16, statement: Vec<u8>) -> DbResult<()> {
        self.run(move |s| s.add_statement(team, &statement)).await
    }

    async fn roster(&self, team: Id16, after: u32, limit: u32) -> DbResult<(Vec<Vec<u8>>, u32)> {
        self.run(move |s| s.roster(team, after, limit)).await
    }

    async fn roster_len(&self, team: Id16) -> DbResult<u32> {
        self.run(move |s| s.roster_len(team)).await
    }

    async fn key_grants(&self, team: Id16, device: Id16, after: u32) -> DbResult<super::KeyGrants> {
        self.run(move |s| s.key_grants(team, device, after)).await
    }

    async fn touch(&self, device: Id16, now_ms: u64) -> DbResult<()> {
        self.run(move |s| s.touch(device, now_ms)).await
    }

    async fn erase_ops(
        &self,
        team: Id16,
        by: Id16,
        erasure: [u8; 16],
        op_ids: Vec<[u8; 16]>,
        now_ms: u64,
    ) -> DbResult<u32> {
        self.run(move |s| s.erase_ops(team, by, erasure, &op_ids, now_ms))
            .await
    }

    async fn generation(&self) -> DbResult<[u8; 16]> {
        self.run(|s| s.generation()).await
    }

    async fn new_generation(&self) -> DbResult<[u8; 16]> {
        self.run(|s| s.new_generation()).await
    }

    async fn dump(&self) -> DbResult<Vec<u8>> {
        self.run(|s| s.dump()).await
    }
}
