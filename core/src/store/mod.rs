//! The encrypted local store: one SQLite connection (the only writer), the operation log and the
//! materialised state of every record, all under the team keys.
//!
//! Writes happen in one transaction each: a batch of local edits or a batch of remote
//! operations is applied whole or not at all. Functions that write take the `Transaction`;
//! readers take the `Connection`.

mod checkpoint;
pub(crate) mod files;
mod keyring;
mod own_back;
mod pages;
mod shown;
#[cfg(feature = "insider-attacks")]
pub(crate) use pages::pages_open_with_team_keys;
pub(crate) use shown::{Shown, ShownValue};
pub(crate) mod schema;
mod state_codec;
mod states;
mod sync;
mod sync_store;
mod withdraw;
mod write;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use zeroize::Zeroizing;

use crate::crypto::{aad, AeadKey, SecretKey};
use crate::error::{Error, Result};
use crate::hlc::{Clock, TimeSource};
use crate::ids::{DeviceId, OpId, RecordId};
use crate::kind::{FileRole, Hook, Kinds};
use crate::merge::RecordState;
use crate::op::{Change, Op, OpBody, OpEnvelope, OpenKeys, PartKeys};
use crate::value::Value;

use keyring::team_key_aad;
pub(crate) use keyring::{EpochKey, Keyring};
pub(crate) use states::StateKey;
use states::{load_state, move_to_device_keys, save_state};
pub(crate) use sync::Applied;
pub use sync::{ApplyReport, Contested, ContestedPair, RejectReason, Rejected, Summary};
pub(crate) use sync_store::SyncStore;

/// Operations the server should delete: by each erasure this device wrote, its operations;
/// then the others' (their erasure's author asks for them).
pub(crate) type PendingErasures = (Vec<(OpId, Vec<OpId>)>, Vec<OpId>);
use write::{after_merge, KeyKeeper};
pub(crate) use write::{Edit, RecordEdit};

/// States sealed under a team key (vaults from before ADR 0014; moved at the first unlock).
const TEAM_STATE_AAD: &str = "komora/state/v1";
/// States sealed under this device's state key (ADR 0014).
const DEVICE_STATE_AAD: &str = "komora/device-state/v1";
/// The `epoch` column of a state sealed under the device's state key (team epochs start at 1).
const DEVICE_STATE_EPOCH: u32 = 0;
const STATE_KEY_INFO: &[u8] = b"komora/device-state-key/v1";
/// The sync settings, sealed under the master key (issue 16, finding 11).
pub(crate) const SETTINGS_META: &str = "sync_settings";
pub(crate) const SETTINGS_LABEL: &str = "komora/sync-settings/v1";
const TEAM_KEY_AAD: &str = "komora/team-key/v1";
const SIGNING_AAD: &str = "komora/signing-key/v1";
/// The signing key sealed under this label marks a vault whose states and settings are
/// sealed under its own keys (ADR 0014): after that, a state under a team key or settings in
/// clear are refused as tampering, whoever wrote them into the file.
const SIGNING_AAD_V2: &str = "komora/signing-key/v2";

pub(crate) struct Store {
    /// Copies the write-ahead log into the database off the commits (ADR 0026). First, so
    /// that it stops before the connection below closes.
    checkpointer: Option<checkpoint::Checkpointer>,
    conn: Connection,
    states: StateKey,
    device: DeviceId,
    clock: Clock,
    next_seq: u64,
    keys: Keyring,
    /// The device master key, held while unlocked to seal team keys received later.
    master: SecretKey,
    /// The device's Ed25519 identity (PKCS#8), for logging in to the sync server.
    signing: Zeroizing<Vec<u8>>,
    /// The same key, signing every operation this device writes (zeroised on drop).
    signer: ed25519_dalek::SigningKey,
    /// The team's verified device list, when the vault belongs to a server team: every
    /// received operation must be signed by its author as listed there.
    pub(crate) roster: Option<crate::roster::Roster>,
    /// Whether this vault belongs to a server team, so that authors must be checked: with no
    /// list fetched yet, every received operation waits (`UnknownAuthor`) rather than going
    /// unchecked.
    pub(crate) roster_required: bool,
    /// Records changed by committed writes, in order, so in-memory views can catch up
    /// incrementally. Holds ids only (random, nothing personal) and is trimmed when long.
    changes: ChangeLog,
    /// Client-file keys, and the files erased here.
    pub(crate) files: files::FileKeys,
    /// Every record kind's rules (`crate::kind`): the store imports no kind.
    kinds: &'static Kinds,
    /// Operations withdrawn since a sync last reported them (`withdraw.rs`).
    withdrawn: Vec<Rejected>,
}

impl Store {
    /// The rules of every record kind this store was opened with.
    pub(crate) fn kinds(&self) -> &'static Kinds {
        self.kinds
    }
}

/// Which records changed, in commit order. A position in it is a generation: views remember
/// the generation they were built at and reload only what changed since.
#[derive(Default)]
pub(crate) struct ChangeLog {
    /// Generation of `ids[0]`.
    base: u64,
    ids: Vec<RecordId>,
}

/// Beyond this many remembered changes the log forgets the oldest; a view older than that
/// rebuilds from scratch.
const CHANGE_LOG_MAX: usize = 100_000;

/// Where the store keeps the highest team format it has seen (ADR 0016).
const TEAM_FORMAT_KEY: &str = "team_format";

impl ChangeLog {
    fn generation(&self) -> u64 {
        self.base + self.ids.len() as u64
    }

    fn record(&mut self, ids: impl IntoIterator<Item = RecordId>) {
        self.ids.extend(ids);
        if self.ids.len() > CHANGE_LOG_MAX {
            let drop = self.ids.len() - CHANGE_LOG_MAX / 2;
            self.ids.drain(..drop);
            self.base += drop as u64;
        }
    }

    /// Records changed after `generation`, or `None` if that is too old to tell.
    fn since(&self, generation: u64) -> Option<&[RecordId]> {
        let start = generation.checked_sub(self.base)?;
        self.ids.get(start as usize..)
    }
}

impl Store {
    /// Set up a new, empty store for `device` holding the given team keys.
    pub(crate) fn create(
        mut conn: Connection,
        master: &SecretKey,
        device: DeviceId,
        team_keys: Vec<(u32, EpochKey)>,
        signing: Zeroizing<Vec<u8>>,
        time: Arc<dyn TimeSource>,
        kinds: &'static Kinds,
    ) -> Result<Self> {
        schema::configure(&conn)?;
        schema::migrate(&mut conn)?;
        let keys = Keyring::from_keys(team_keys)?;
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('device_id', ?1)",
            [device.as_bytes()],
        )?;
        for (epoch, k) in &keys.keys {
            let wrapped = master.seal(&team_key_aad(device, *epoch), &k.secret.to_bytes());
            tx.execute(
                "INSERT INTO team_keys (epoch, wrapped) VALUES (?1, ?2)",
                params![epoch, wrapped],
            )?;
        }
        save_clock_at(&tx, (0, 0), 1)?;
        let sealed_signing = master.seal(&aad(SIGNING_AAD_V2, &[device.as_bytes()]), &signing);
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('signing_key', ?1)",
            [sealed_signing],
        )?;
        tx.commit()?;
        let checkpointer = checkpoint::Checkpointer::start(&mut conn);
        Ok(Self {
            checkpointer,
            conn,
            states: StateKey::new(master, device, false).listing(kinds),
            device,
            clock: Clock::new(device, (0, 0), time),
            next_seq: 1,
            keys,
            master: master.clone(),
            signer: crate::roster::signer_from_pkcs8(&signing)?,
            signing,
            roster: None,
            roster_required: false,
            changes: ChangeLog::default(),
            files: files::FileKeys::default(),
            kinds,
            withdrawn: Vec::new(),
        })
    }

    /// Open an existing store with the device master key.
    pub(crate) fn open(
        mut conn: Connection,
        master: &SecretKey,
        time: Arc<dyn TimeSource>,
        kinds: &'static Kinds,
    ) -> Result<Self> {
        schema::configure(&conn)?;
        schema::migrate(&mut conn)?;
        let device: Vec<u8> = conn
            .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(Error::Corrupted {
                what: "the vault database",
            })?;
        let device = DeviceId::from_slice(&device)?;
        let mut stmt = conn.prepare("SELECT epoch, wrapped FROM team_keys")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
        let mut team_keys = Vec::new();
        for row in rows {
            let (epoch, wrapped) = row?;
            let raw =
                master
                    .open(&team_key_aad(device, epoch), &wrapped)
                    .ok_or(Error::Corrupted {
                        what: "the team keys",
                    })?;
            team_keys.push((
                epoch,
                EpochKey::from_bytes(&raw).ok_or(Error::Corrupted {
                    what: "the team keys",
                })?,
            ));
        }
        drop(stmt);
        let keys = Keyring::from_keys(team_keys)?;
        let (last, next_seq) = load_clock(&conn)?;
        let time_seen = load_time_seen(&conn)?;
        let clock_ahead = load_clock_ahead(&conn)?;
        let clock_vouched = load_u64(&conn, "clock_vouched")?;
        let sealed_signing: Vec<u8> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'signing_key'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(Error::Corrupted {
                what: "the vault database",
            })?;
        // Sealed under the second label: a vault whose states and settings are its own.
        // Under the first: a vault from before, moved over now, in one transaction.
        let (signing, moved) =
            match master.open(&aad(SIGNING_AAD_V2, &[device.as_bytes()]), &sealed_signing) {
                Some(signing) => (signing, true),
                None => (
                    master
                        .open(&aad(SIGNING_AAD, &[device.as_bytes()]), &sealed_signing)
                        .ok_or(Error::Corrupted {
                            what: "the device identity",
                        })?,
                    false,
                ),
            };
        let states = StateKey::new(master, device, !moved);
        if !moved {
            move_to_device_keys(&mut conn, master, device, &keys, &states, &signing)?;
        }
        let states = StateKey::new(master, device, false).listing(kinds);
        let erased = files::FileKeys::load(&conn)?;
        let checkpointer = checkpoint::Checkpointer::start(&mut conn);
        let mut store = Self {
            checkpointer,
            conn,
            states,
            device,
            clock: Clock::remembering(device, last, time_seen, time)
                .known_ahead(clock_ahead)
                .known_vouched(clock_vouched),
            next_seq,
            keys,
            master: master.clone(),
            signer: crate::roster::signer_from_pkcs8(&signing)?,
            signing,
            roster: None,
            roster_required: false,
            changes: ChangeLog::default(),
            files: files::FileKeys::with_erased(erased),
            kinds,
            withdrawn: Vec::new(),
        };
        // Records were destroyed and the tablet stopped before the log was emptied of their
        // old pages: empty it now, before anything else is read or written. (The vault that
        // opens this store first drops the drafts of the records that went: `Vault::settle_erasures`.)
        store.files.shredded = store.meta(files::UNFLUSHED)?.is_some();
        Ok(store)
    }

    /// Grows with every committed change to a record; equal generations mean equal contents.
    pub(crate) fn generation(&self) -> u64 {
        self.changes.generation()
    }

    /// The records changed since `generation` (possibly with repeats), or `None` when the
    /// caller is too far behind and should reload everything.
    pub(crate) fn changed_since(&self, generation: u64) -> Option<&[RecordId]> {
        self.changes.since(generation)
    }

    pub(crate) fn device(&self) -> DeviceId {
        self.device
    }

    /// The device's signing key, for statements of the team's device list.
    pub(crate) fn signer(&self) -> &ed25519_dalek::SigningKey {
        &self.signer
    }

    /// Seal bytes under the device master key (for what the vault keeps about itself).
    pub(crate) fn seal_local(&self, label: &str, plain: &[u8]) -> Vec<u8> {
        self.master
            .seal(&aad(label, &[self.device.as_bytes()]), plain)
    }

    pub(crate) fn open_local(&self, label: &str, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        self.master
            .open(&aad(label, &[self.device.as_bytes()]), sealed)
    }

    /// The device's signing key (PKCS#8 Ed25519).
    pub(crate) fn signing_pkcs8(&self) -> &[u8] {
        &self.signing
    }

    pub(crate) fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?;
        Ok(stmt.query_row([key], |r| r.get(0)).optional()?)
    }

    pub(crate) fn set_meta(&mut self, key: &str, value: &[u8]) -> Result<()> {
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?
            .execute(params![key, value])?;
        Ok(())
    }

    /// When the tablet's clock reads more than a day earlier than the latest time it ever
    /// gave (`Clock::went_back`): that time.
    pub(crate) fn clock_went_back(&self) -> Option<u64> {
        self.clock.went_back()
    }

    /// A server's date, as the clock reads it (`Clock::note_server`): what it found is kept.
    pub(crate) fn note_server_time(&mut self, server_ms: u64) -> Result<()> {
        if self.clock.note_server(server_ms) {
            self.keep_clock_memory()?;
        }
        Ok(())
    }

    /// When a server's date said the clock runs ahead (and it was not set back since): that
    /// date.
    pub(crate) fn clock_went_ahead(&self) -> Option<u64> {
        self.clock.went_ahead()
    }

    /// Whether a server's date agreed with the clock at most `within` ago.
    pub(crate) fn clock_vouched_within(&self, within: u64) -> bool {
        self.clock.vouched_within(within)
    }

    /// She says the date the tablet shows is right: the latest time it gave is now.
    pub(crate) fn accept_clock(&mut self) -> Result<()> {
        self.clock.accept_now();
        self.keep_clock_memory()
    }

    /// The clock's memory (the latest time, a server's finding that it runs ahead, when a
    /// server's date last agreed with it) kept.
    /// In one transaction, so a kill between the two never keeps one without the other.
    fn keep_clock_memory(&mut self) -> Result<()> {
        let latest = self.clock.latest().to_be_bytes();
        let ahead = self.clock.ahead();
        let vouched = self.clock.vouched();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('time_seen', ?1)",
            [&latest[..]],
        )?;
        match vouched {
            Some(at) => tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('clock_vouched', ?1)",
                [&at.to_be_bytes()[..]],
            )?,
            None => tx.execute("DELETE FROM meta WHERE key = 'clock_vouched'", [])?,
        };
        match ahead {
            Some((mark, server)) => {
                let mut v = [0u8; 16];
                v[..8].copy_from_slice(&mark.to_be_bytes());
                v[8..].copy_from_slice(&server.to_be_bytes());
                tx.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('clock_ahead', ?1)",
                    [&v[..]],
                )?;
            }
            None => {
                tx.execute("DELETE FROM meta WHERE key = 'clock_ahead'", [])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The team's record format: the highest an administrator signed that this store has
    /// seen, kept so that a later list (its raiser revoked since) never lowers it here.
    /// `None` for a vault with no team (ADR 0016).
    pub(crate) fn team_format(&self) -> Result<Option<u32>> {
        let Some(roster) = &self.roster else {
            return Ok(None);
        };
        let seen = self
            .meta(TEAM_FORMAT_KEY)?
            .and_then(|b| <[u8; 4]>::try_from(b.as_slice()).ok())
            .map_or(crate::format::FIRST_FORMAT, u32::from_be_bytes);
        Ok(Some(roster.format().max(seen)))
    }

    /// Remember the team's format as the list says it now (after the list changed).
    pub(crate) fn keep_team_format(&mut self) -> Result<()> {
        if let Some(format) = self.team_format()? {
            if format > crate::format::FIRST_FORMAT {
                self.set_meta(TEAM_FORMAT_KEY, &format.to_be_bytes())?;
            }
        }
        Ok(())
    }

    /// Whether records were destroyed since the log was last emptied of them.
    pub(crate) fn erasures_unflushed(&self) -> bool {
        self.files.shredded
    }

    /// After a file was destroyed: copy the write-ahead log into the database and empty it, so
    /// the pages that held the file's key (overwritten in the database by `secure_delete`)
    /// do not linger in the log file.
    ///
    /// The destroying transaction left a mark (`files::UNFLUSHED`) removed only once the log
    /// was emptied: a tablet that died in between empties it when the vault next opens. When
    /// another connection keeps SQLite from emptying the log (a reader of an older snapshot),
    /// the mark stays and the next flush or opening tries again.
    pub(crate) fn flush_erasures(&mut self) -> Result<()> {
        if self.files.shredded {
            // SQLite's answer: whether it was kept from finishing (busy), then the log's pages
            // and those copied (both 0 once the log was emptied).
            let truncate = || {
                self.conn
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                        Ok(r.get::<_, i64>(0)? == 0)
                    })
            };
            // With no copy of the checkpoint thread under way: a second checkpoint running
            // at the same time would make this one give up, the log kept whole.
            let emptied = match &self.checkpointer {
                Some(copier) => copier.exclusive(truncate)?,
                None => truncate()?,
            };
            if !emptied {
                return Ok(());
            }
            self.files.shredded = false;
            self.conn
                .prepare_cached("DELETE FROM meta WHERE key = ?1")?
                .execute([files::UNFLUSHED])?;
        }
        Ok(())
    }

    /// Keep (or put back) the mark of an erasure not settled: what the next `settle_erasures`
    /// finishes.
    pub(crate) fn keep_erasures_unflushed(&mut self) -> Result<()> {
        self.set_meta(files::UNFLUSHED, &[1])?;
        self.files.shredded = true;
        Ok(())
    }

    /// Operations the server should delete (they carried an erased file's key): those of the
    /// erasures this device wrote, by erasure, which it asks the server to delete; and the
    /// others, which the erasure's author asks for.
    pub(crate) fn pending_erasures(&self) -> Result<PendingErasures> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.op_id, p.erasure, o.device_id = ?1 FROM pending_erasures p
             LEFT JOIN ops o ON o.op_id = p.erasure WHERE p.done = 0 LIMIT 10000",
        )?;
        let mut rows = stmt.query([self.device.as_bytes()])?;
        let mut mine: BTreeMap<OpId, Vec<OpId>> = BTreeMap::new();
        let mut others = Vec::new();
        while let Some(row) = rows.next()? {
            let id = OpId::from_slice(row.get_ref(0)?.as_blob()?)?;
            let erasure: Option<Vec<u8>> = row.get(1)?;
            let own: Option<bool> = row.get(2)?;
            match (erasure, own) {
                (Some(e), Some(true)) => mine.entry(OpId::from_slice(&e)?).or_default().push(id),
                _ => others.push(id),
            }
        }
        Ok((mine.into_iter().collect(), others))
    }

    /// How many deletions of this device's own erasures the server carried out.
    pub(crate) fn own_erasures_done(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM pending_erasures WHERE done = 1 AND erasure IN
             (SELECT op_id FROM ops WHERE device_id = ?1)",
            [self.device.as_bytes()],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Ask the server again for the deletions of this device's own erasures (it was restored
    /// from a backup taken before them).
    pub(crate) fn requeue_own_erasures(&mut self) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE pending_erasures SET done = 0 WHERE done = 1 AND erasure IN
             (SELECT op_id FROM ops WHERE device_id = ?1)",
            [self.device.as_bytes()],
        )?)
    }

    /// The highest operation number known from `device` (0: none): held, or dropped with an
    /// erased file (`files::note_dropped`).
    pub(crate) fn last_seq_of(&self, device: DeviceId) -> Result<u64> {
        let n: Option<i64> = self
            .conn
            .prepare_cached("SELECT max(device_seq) FROM ops WHERE device_id = ?1")?
            .query_row([device.as_bytes()], |r| r.get(0))?;
        let dropped = self
            .meta(&files::dropped_key(device))?
            .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
            .map_or(0, u64::from_be_bytes);
        Ok((n.unwrap_or(0) as u64).max(dropped))
    }

    /// The number of this device's latest operation (0 before its first).
    pub(crate) fn last_own_seq(&self) -> Result<u64> {
        Ok(self.next_seq.saturating_sub(1))
    }

    /// The server deleted these (or this device may not ask it to). They stay listed, done,
    /// so that a server restored from an older backup can be asked again.
    pub(crate) fn clear_pending_erasures(&mut self, ids: &[OpId]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt =
                tx.prepare_cached("UPDATE pending_erasures SET done = 1 WHERE op_id = ?1")?;
            for id in ids {
                stmt.execute([id.as_bytes()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The client file a stored record belongs to.
    pub(crate) fn file_of(&self, record: RecordId) -> Result<Option<RecordId>> {
        let file: Option<Option<Vec<u8>>> = self
            .conn
            .prepare_cached("SELECT file FROM records WHERE record_id = ?1")?
            .query_row([record.as_bytes()], |r| r.get(0))
            .optional()?;
        file.flatten().map(|f| RecordId::from_slice(&f)).transpose()
    }

    /// Set the number of this device's next operation; returns the one it replaces (the
    /// insider-attack tests).
    #[cfg(feature = "insider-attacks")]
    pub(crate) fn set_next_seq(&mut self, next: u64) -> u64 {
        std::mem::replace(&mut self.next_seq, next)
    }

    /// Put an envelope in the outgoing queue without merging it (the insider-attack tests).
    #[cfg(feature = "insider-attacks")]
    pub(crate) fn insert_unsynced_raw(&mut self, env: &OpEnvelope) -> Result<()> {
        let op = env.open(self.keys.get(env.epoch())?)?;
        self.insert_unsynced_op(&op, env)
    }

    /// Queue `env` for the next push, logged as `op` (which it need not open to: an envelope
    /// only a newer app reads).
    #[cfg(feature = "insider-attacks")]
    pub(crate) fn insert_unsynced_op(&mut self, op: &Op, env: &OpEnvelope) -> Result<()> {
        let tx = self.conn.transaction()?;
        insert_op(&tx, op, env, false)?;
        tx.commit()?;
        Ok(())
    }

    /// Visit every operation of the log, decrypted, in arrival order. Returns how many could
    /// not be opened.
    /// Whether the log holds operations of `record` and every one carries only a new
    /// client's file keys (team format 5, ADR 0022): her fields have not arrived, or were
    /// refused, so there is nothing of her to show yet. An operation that does not open here
    /// counts as more than keys (the record is then shown as it is).
    pub(crate) fn holds_only_keys(&self, record: RecordId) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT envelope FROM ops WHERE record_id = ?1")?;
        let rows = stmt.query_map([record.as_bytes()], |r| r.get::<_, Vec<u8>>(0))?;
        let mut any = false;
        for row in rows {
            let opened =
                OpEnvelope::from_bytes(&row?).and_then(|env| env.open(self.keys.get(env.epoch())?));
            match opened {
                Ok(op) if op.body.carries_keys_only() => any = true,
                _ => return Ok(false),
            }
        }
        Ok(any)
    }

    pub(crate) fn for_each_op(&self, mut visit: impl FnMut(&Op)) -> Result<usize> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT envelope FROM ops ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        let mut unreadable = 0;
        let mut cache = HashMap::new();
        while let Some(row) = rows.next()? {
            let opened = OpEnvelope::from_bytes(row.get_ref(0)?.as_blob()?)
                .and_then(|env| env.open(self.keys.get(env.epoch())?));
            match opened {
                Ok(mut op) => {
                    self.open_file_changes(&mut op, &mut cache);
                    visit(&op)
                }
                Err(_) => unreadable += 1,
            }
        }
        Ok(unreadable)
    }

    /// Every operation in the log about one record, decrypted, in arrival order.
    pub(crate) fn record_ops(&self, record: RecordId) -> Result<Vec<Op>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT envelope FROM ops WHERE record_id = ?1 ORDER BY seq")?;
        let mut rows = stmt.query([record.as_bytes()])?;
        let mut out = Vec::new();
        let mut cache = HashMap::new();
        while let Some(row) = rows.next()? {
            let env = OpEnvelope::from_bytes(row.get_ref(0)?.as_blob()?)?;
            let mut op = env.open(self.keys.get(env.epoch())?)?;
            self.open_file_changes(&mut op, &mut cache);
            out.push(op);
        }
        Ok(out)
    }

    /// Open an operation's sealed parts this device holds keys for (its file's, the
    /// case-work key of its epoch); the others stay sealed (an erased file) or are dropped (a
    /// data officer's tablet), and readers see no change. `cache` holds the keys read from
    /// their rows during one listing.
    fn open_file_changes(
        &self,
        op: &mut Op,
        cache: &mut HashMap<RecordId, Option<files::HeldFile>>,
    ) {
        let opened = match op.body.file() {
            Some(file) => {
                let held = match self.files.get(file) {
                    Some(k) => Some(k),
                    None => cache
                        .entry(file)
                        .or_insert_with(|| {
                            files::kept_key(&self.conn, &self.master, self.device, file)
                                .ok()
                                .flatten()
                                .map(|k| files::HeldFile::new(file, k))
                        })
                        .as_ref(),
                };
                match held {
                    Some(held) => op.body.open_parts(&held.open_keys()),
                    None => return,
                }
            }
            None => self.keys.open_team_parts(&mut op.body),
        };
        if opened.is_err() {
            op.body.changes.clear();
        }
    }
}

fn op_exists(conn: &Connection, id: &OpId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM ops WHERE op_id = ?1")?
        .exists([id.as_bytes()])?)
}

/// Log an operation that cannot be logged already (a new one of this device, or one checked
/// just before): an id already there is a storage error, and the write fails whole.
fn insert_op(tx: &Transaction<'_>, op: &Op, envelope: &OpEnvelope, synced: bool) -> Result<()> {
    if log_received(tx, op, envelope, synced)? {
        Ok(())
    } else {
        Err(Error::Storage(
            "an operation id is logged already: nothing was saved".into(),
        ))
    }
}

/// Log a received operation unless one with its id is already logged; whether it was logged.
/// The unique index on `op_id` decides, so an operation whose id is held under another author
/// or number (a copy re-signed by an insider) is a duplicate here, never an error that would
/// stop the sync.
fn log_received(
    tx: &Transaction<'_>,
    op: &Op,
    envelope: &OpEnvelope,
    synced: bool,
) -> Result<bool> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO ops (op_id, record_id, device_id, device_seq, envelope, synced)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (op_id) DO NOTHING",
    )?;
    let inserted = stmt.execute(params![
        op.id.as_bytes(),
        op.body.record.as_bytes(),
        op.body.device.as_bytes(),
        op.body.device_seq as i64,
        envelope.to_bytes(),
        synced
    ])?;
    Ok(inserted == 1)
}

fn save_clock(tx: &Transaction<'_>, clock: &Clock, next_seq: u64) -> Result<()> {
    save_clock_at(tx, clock.last(), next_seq)?;
    // The latest time the tablet's clock ever gave (`Clock::went_back`), never lowered here.
    tx.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES ('time_seen', ?1)")?
        .execute([&clock.latest().to_be_bytes()[..]])?;
    Ok(())
}

fn save_clock_at(tx: &Transaction<'_>, last: (u64, u32), next_seq: u64) -> Result<()> {
    let mut bytes = [0u8; 20];
    bytes[..8].copy_from_slice(&last.0.to_be_bytes());
    bytes[8..12].copy_from_slice(&last.1.to_be_bytes());
    bytes[12..].copy_from_slice(&next_seq.to_be_bytes());
    tx.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES ('clock', ?1)")?
        .execute([&bytes[..]])?;
    Ok(())
}

fn load_clock(conn: &Connection) -> Result<((u64, u32), u64)> {
    let bytes: Vec<u8> = conn
        .query_row("SELECT value FROM meta WHERE key = 'clock'", [], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or(Error::Corrupted {
            what: "the vault database",
        })?;
    if bytes.len() != 20 {
        return Err(Error::Corrupted {
            what: "the vault database",
        });
    }
    let wall = u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes"));
    let counter = u32::from_be_bytes(bytes[8..12].try_into().expect("4 bytes"));
    let next_seq = u64::from_be_bytes(bytes[12..].try_into().expect("8 bytes"));
    Ok(((wall, counter), next_seq))
}

/// A server's finding that the clock runs ahead, as the vault kept it: the clock's reading
/// then, and the server's date.
fn load_clock_ahead(conn: &Connection) -> Result<Option<(u64, u64)>> {
    let bytes: Option<Vec<u8>> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'clock_ahead'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(bytes
        .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
        .map(|b| {
            let (mark, server) = b.split_at(8);
            (
                u64::from_be_bytes(mark.try_into().expect("8 bytes")),
                u64::from_be_bytes(server.try_into().expect("8 bytes")),
            )
        }))
}

/// The latest time the tablet's clock ever gave, as the vault kept it (0 in a vault from
/// before it was kept: the clock's last reading stands in).
fn load_time_seen(conn: &Connection) -> Result<u64> {
    Ok(load_u64(conn, "time_seen")?.unwrap_or(0))
}

/// A time the vault keeps in its meta table under `key` (`None`: not kept, or not 8 bytes).
fn load_u64(conn: &Connection, key: &str) -> Result<Option<u64>> {
    let bytes: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?;
    Ok(bytes
        .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
        .map(u64::from_be_bytes))
}

#[cfg(test)]
mod tests {
    use super::states::{open_state, team_state_aad};
    use super::*;
    use crate::hlc::SystemClock;

    /// A vault written before ADR 0014 (states under the team key, settings in clear) is moved
    /// to its own keys at its first unlock, in one transaction; afterwards a state under a team
    /// key, or settings in clear, written into the file by someone else, are refused.
    #[test]
    fn a_vault_from_before_moves_to_its_own_keys_at_unlock_and_refuses_the_old_forms_after() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("komora.db");
        let master = SecretKey::random();
        let identity = crate::vault::DeviceIdentity::generate();
        let device = identity.id;
        let team = vec![(1, EpochKey::Casework(SecretKey::random()))];
        let time: Arc<dyn TimeSource> = Arc::new(SystemClock);
        let mut store = Store::create(
            Connection::open(&path).unwrap(),
            &master,
            device,
            team.clone(),
            identity.pkcs8.clone(),
            time.clone(),
            &crate::registry::KINDS,
        )
        .unwrap();
        let group = RecordId::for_kind("group");
        store
            .write(vec![RecordEdit {
                record: group,
                kind: "group",
                create: true,
                edits: vec![Edit::Set("kind", Value::Text("healing-group".into()))],
            }])
            .unwrap();
        drop(store);
        // Back to how it was written before: the state under the team key of epoch 1, the
        // settings in clear, the signing key under the first label.
        let keys = Keyring::from_keys(team.clone()).unwrap();
        let before = |conn: &Connection| {
            let (epoch, sealed): (u32, Vec<u8>) = conn
                .query_row("SELECT epoch, state FROM records", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .unwrap();
            assert_eq!(epoch, DEVICE_STATE_EPOCH);
            let sk = StateKey::new(&master, device, false);
            let state = open_state(&sk, &keys, group, epoch, &sealed).unwrap();
            let plain = state_codec::encode(&state);
            let old = keys.get(1).unwrap().seal(&team_state_aad(group, 1), &plain);
            conn.execute("UPDATE records SET epoch = 1, state = ?1", [old])
                .unwrap();
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('sync_settings', ?1)",
                [br#"{"server_url":"https://sync.ami.rw"}"#.to_vec()],
            )
            .unwrap();
            conn.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'signing_key'",
                [master.seal(&aad(SIGNING_AAD, &[device.as_bytes()]), &identity.pkcs8)],
            )
            .unwrap();
        };
        before(&Connection::open(&path).unwrap());
        let store = Store::open(
            Connection::open(&path).unwrap(),
            &master,
            time.clone(),
            &crate::registry::KINDS,
        )
        .unwrap();
        assert!(store.state(group).unwrap().is_some(), "the state opens");
        let settings = store.meta(SETTINGS_META).unwrap().unwrap();
        assert!(
            !settings.windows(9).any(|w| w == b"sync.ami."),
            "no longer in clear"
        );
        assert_eq!(
            &store.open_local(SETTINGS_LABEL, &settings).unwrap()[..],
            br#"{"server_url":"https://sync.ami.rw"}"#
        );
        let (epoch,): (u32,) = store
            .conn
            .query_row("SELECT epoch FROM records", [], |r| Ok((r.get(0)?,)))
            .unwrap();
        assert_eq!(epoch, DEVICE_STATE_EPOCH);
        drop(store);
        // Someone writes the old forms into the moved vault's file: refused.
        let conn = Connection::open(&path).unwrap();
        let plain = {
            let sk = StateKey::new(&master, device, false);
            let (e, sealed): (u32, Vec<u8>) = conn
                .query_row("SELECT epoch, state FROM records", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .unwrap();
            state_codec::encode(&open_state(&sk, &keys, group, e, &sealed).unwrap())
        };
        let forged = keys.get(1).unwrap().seal(&team_state_aad(group, 1), &plain);
        conn.execute("UPDATE records SET epoch = 1, state = ?1", [forged])
            .unwrap();
        drop(conn);
        let store = Store::open(
            Connection::open(&path).unwrap(),
            &master,
            time,
            &crate::registry::KINDS,
        )
        .unwrap();
        assert!(matches!(store.state(group), Err(Error::Corrupted { .. })));
    }
}
