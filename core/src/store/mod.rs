//! The encrypted local store: one SQLite connection (the only writer), the operation log and the
//! materialised state of every record, all under the team keys.
//!
//! Writes happen in one transaction each: a batch of local edits or a batch of remote
//! operations is applied whole or not at all. Functions that write take the `Transaction`;
//! readers take the `Connection`.

pub(crate) mod files;
pub(crate) mod schema;
mod state_codec;
mod sync;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use zeroize::Zeroizing;

use crate::crypto::{aad, AeadKey, SecretKey};
use crate::error::{Error, Result};
use crate::hlc::{Clock, TimeSource};
use crate::ids::{DeviceId, OpId, RecordId};
use crate::merge::RecordState;
use crate::op::{Change, Op, OpBody, OpEnvelope, OpenKeys, PartKeys};
use crate::value::Value;
use crate::vault::EpochKey;

pub use sync::{ApplyReport, RejectReason, Rejected, Summary};

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

/// One edit a caller asks for; the store turns it into a [`Change`] using the current state.
#[derive(Debug)]
pub(crate) enum Edit {
    Set(&'static str, Value),
    Add(&'static str, Value),
    Remove(&'static str, Value),
    Delete,
    /// Set a field named at run time (a record copied into another team).
    SetNamed(String, Value),
    /// Add to a set field named at run time (a record copied into another team).
    AddNamed(String, Value),
}

/// Edits to one record, made as one operation.
#[derive(Debug)]
pub(crate) struct RecordEdit {
    pub record: RecordId,
    pub kind: &'static str,
    /// `true` when the record is being created: it must not exist yet.
    pub create: bool,
    pub edits: Vec<Edit>,
}

/// The team data keys this device holds, by epoch: the team key of each (envelopes, states,
/// statistics) and, except on a data officer's tablet, its case-work key (ADR 0011).
pub(crate) struct Keyring {
    current: u32,
    keys: BTreeMap<u32, EpochKeys>,
}

struct EpochKeys {
    secret: EpochKey,
    team: AeadKey,
    casework: Option<AeadKey>,
}

impl Keyring {
    pub(crate) fn from_keys(keys: Vec<(u32, EpochKey)>) -> Result<Self> {
        let current = keys.iter().map(|(e, _)| *e).max().ok_or(Error::Corrupted {
            what: "the team keys",
        })?;
        let keys = keys
            .into_iter()
            .map(|(e, secret)| {
                let team = AeadKey::new(&secret.team(e));
                let casework = secret.casework().map(AeadKey::new);
                (
                    e,
                    EpochKeys {
                        secret,
                        team,
                        casework,
                    },
                )
            })
            .collect();
        Ok(Self { current, keys })
    }

    /// The team key of `epoch`.
    pub(crate) fn get(&self, epoch: u32) -> Result<&AeadKey> {
        self.keys
            .get(&epoch)
            .map(|k| &k.team)
            .ok_or(Error::UnknownKeyEpoch(epoch))
    }

    /// The case-work key of `epoch`, if this device holds it (not a data officer's).
    pub(crate) fn casework(&self, epoch: u32) -> Option<&AeadKey> {
        self.keys.get(&epoch).and_then(|k| k.casework.as_ref())
    }

    /// Open a team record's case-work part with the key of the epoch it was written in (on a
    /// data officer's tablet, which lacks it, the part is dropped). Nothing to do for an
    /// operation without sealed parts.
    pub(crate) fn open_team_parts(&self, body: &mut OpBody) -> Result<()> {
        if !body.has_sealed_parts() {
            return Ok(());
        }
        body.open_parts(&OpenKeys {
            casework: self.casework(body.written_epoch),
            ..OpenKeys::default()
        })
    }

    pub(crate) fn current(&self) -> (u32, &AeadKey) {
        (self.current, &self.keys[&self.current].team)
    }

    /// The newest epoch held: new operations and states are sealed under it.
    pub(crate) fn current_epoch(&self) -> u32 {
        self.current
    }

    pub(crate) fn holds(&self, epoch: u32) -> bool {
        self.keys.contains_key(&epoch)
    }

    /// Whether `epoch` is one from before data officers (its one key opens everything), as
    /// this device holds it.
    pub(crate) fn is_legacy(&self, epoch: u32) -> bool {
        self.keys
            .get(&epoch)
            .is_some_and(|k| matches!(k.secret, EpochKey::Legacy(_)))
    }

    pub(crate) fn export(&self) -> Vec<(u32, EpochKey)> {
        self.keys
            .iter()
            .map(|(e, k)| (*e, k.secret.clone()))
            .collect()
    }
}

/// How this device seals records' states (ADR 0014): under a key of its own, derived from its
/// master key, so a copy of its database opens with no team key (a data officer's, another
/// tablet's) and an erased file's states stay closed in a copy taken before the erasure.
pub(crate) struct StateKey {
    key: AeadKey,
    /// Whether states sealed under a team key may still be opened: only while a vault from
    /// before is moved over, at its first unlock.
    legacy: bool,
}

impl StateKey {
    fn new(master: &SecretKey, device: DeviceId, legacy: bool) -> Self {
        let derived = SecretKey::from_bytes(*crate::crypto::hkdf32(
            device.as_bytes(),
            master.expose(),
            STATE_KEY_INFO,
        ));
        Self {
            key: AeadKey::new(&derived),
            legacy,
        }
    }
}

pub(crate) struct Store {
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
        save_clock(&tx, (0, 0), 1)?;
        let sealed_signing = master.seal(&aad(SIGNING_AAD_V2, &[device.as_bytes()]), &signing);
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('signing_key', ?1)",
            [sealed_signing],
        )?;
        tx.commit()?;
        Ok(Self {
            conn,
            states: StateKey::new(master, device, false),
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
        })
    }

    /// Open an existing store with the device master key.
    pub(crate) fn open(
        mut conn: Connection,
        master: &SecretKey,
        time: Arc<dyn TimeSource>,
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
        let states = StateKey::new(master, device, false);
        let erased = files::FileKeys::load(&conn)?;
        Ok(Self {
            conn,
            states,
            device,
            clock: Clock::new(device, last, time),
            next_seq,
            keys,
            master: master.clone(),
            signer: crate::roster::signer_from_pkcs8(&signing)?,
            signing,
            roster: None,
            roster_required: false,
            changes: ChangeLog::default(),
            files: files::FileKeys::with_erased(erased),
        })
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

    pub(crate) fn keyring(&self) -> &Keyring {
        &self.keys
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

    /// Make each record edit one operation, append them to the log and merge them, in one
    /// transaction. Returns the new operations' ids, one per edit.
    pub(crate) fn write(&mut self, edits: Vec<RecordEdit>) -> Result<Vec<OpId>> {
        if self.meta("handed_back")?.is_some() {
            // Its last operation is signed: anything after it would be refused by the team.
            return Err(Error::HandedBack);
        }
        let first_seq = self.next_seq;
        let mut records: Vec<RecordId> = edits.iter().map(|e| e.record).collect();
        let result = self.write_in_tx(edits);
        match result {
            Ok((ids, also)) => {
                records.extend(also);
                self.changes.record(records);
                Ok(ids)
            }
            Err(e) => {
                self.next_seq = first_seq; // the transaction rolled back: reuse the numbers
                Err(e)
            }
        }
    }

    fn write_in_tx(&mut self, edits: Vec<RecordEdit>) -> Result<(Vec<OpId>, Vec<RecordId>)> {
        // A new client's file keys are made with it and travel in the operation that records
        // the client (ADR 0010, 0011), so every receiver holds them before the file's other
        // changes.
        let mut all = Vec::with_capacity(edits.len());
        let mut pending_files: HashMap<RecordId, Option<RecordId>> = HashMap::new();
        for mut edit in edits {
            let file = self.file_for(&edit, &pending_files)?;
            pending_files.insert(edit.record, file);
            if let Some(file) = file {
                if self.files.is_erased(file) {
                    return Err(Error::NotFound(edit.record));
                }
                let new_client = edit.create && edit.record == file;
                if !new_client {
                    files::load_key(&self.conn, &mut self.files, &self.master, self.device, file)?;
                }
                match self.files.get(file) {
                    Some(held) if held.content().is_some() => {}
                    Some(_) => return Err(no_case_work()),
                    None if !new_client => return Err(Error::validation(
                        "client",
                        "this client's file has not reached this tablet yet: sync, then try again",
                    )),
                    None => {
                        let epoch = self.keys.current_epoch();
                        let casework = self.keys.casework(epoch).ok_or_else(no_case_work)?;
                        let (secret, carry) = files::new_file(file, casework, epoch);
                        edit.edits.splice(0..0, carry);
                        // Known at once, to seal the client's own changes (if the write fails,
                        // the client does not exist and the key is never used).
                        self.files.insert(file, secret);
                    }
                }
            }
            all.push((edit, file));
        }
        let now = self.clock.now_ms();
        let Store {
            conn,
            device,
            clock,
            next_seq,
            keys,
            signer,
            files,
            master,
            states,
            ..
        } = self;
        let (epoch, key) = keys.current();
        let tx = conn.transaction()?;
        let mut ids = Vec::with_capacity(all.len());
        let mut also = Vec::new();
        for (edit, file) in all {
            // A new record has a fresh 128-bit random id: nothing to load.
            let existing = if edit.create {
                None
            } else {
                load_state(&tx, states, keys, edit.record)?
            };
            if edit.create && !edit.record.admits_kind(edit.kind) {
                return Err(Error::validation(
                    "record",
                    "this id belongs to a record of another kind",
                ));
            }
            match &existing {
                None if !edit.create => return Err(Error::NotFound(edit.record)),
                Some(s) if s.kind != edit.kind || s.deleted.is_some() => {
                    return Err(Error::NotFound(edit.record))
                }
                _ => {}
            }
            let hlc = clock.tick();
            let mut changes = to_changes(existing.as_ref(), edit.edits);
            let readable = files::arrange(edit.kind, &mut changes);
            let mut body = OpBody {
                record: edit.record,
                kind: edit.kind.to_owned(),
                device: *device,
                device_seq: *next_seq,
                wall_ms: hlc.wall_ms,
                counter: hlc.counter,
                changes: changes.clone(),
                written_epoch: epoch,
            };
            // Statistics and the rest sealed apart, under keys a data officer holds or not.
            if let Some(file) = file {
                let held = files.get(file).expect("made or held, checked above");
                let content = held.content().expect("checked above");
                let part_keys = PartKeys::File {
                    file,
                    stats: held.stats(),
                    content,
                };
                body.seal_parts(readable.unwrap_or(0), &part_keys);
            } else if let Some(readable) = readable.filter(|r| *r < changes.len()) {
                let casework = keys.casework(epoch).ok_or_else(no_case_work)?;
                body.seal_parts(readable, &PartKeys::Team { casework });
            }
            *next_seq += 1;
            let (envelope, mut op) = OpEnvelope::seal(OpId::random(), epoch, body, signer, key);
            insert_op(&tx, &op, &envelope, false)?;
            // Merged in clear: the state is sealed under the team key, like every state.
            op.body.changes = changes;
            let mut state = existing.unwrap_or_else(|| RecordState::new(edit.kind, hlc));
            merge_into(&tx, &mut state, &op)?;
            let keeper = KeyKeeper {
                master,
                device: *device,
            };
            let (gone, wrapped) =
                after_merge(&tx, files, &keeper, edit.record, &mut state, now, op.id)?;
            also.extend(gone);
            save_state(&tx, states, edit.record, &state, file, wrapped)?;
            ids.push(op.id);
        }
        save_clock(&tx, clock.last(), *next_seq)?;
        tx.commit()?;
        Ok((ids, also))
    }

    /// The client file a record written by `edit` belongs to (ADR 0010): a client is its own
    /// file; a record about a client joins the file of the record its owner field names
    /// (`files::OWNER`); an existing record stays in its file. `pending` are the edits of the
    /// same write before this one (a client and its consent made together).
    fn file_for(
        &self,
        edit: &RecordEdit,
        pending: &HashMap<RecordId, Option<RecordId>>,
    ) -> Result<Option<RecordId>> {
        if edit.kind == crate::client::KIND && edit.create {
            return Ok(Some(edit.record));
        }
        if !edit.create {
            return self.file_of(edit.record);
        }
        let Some(field) = files::owner_field(edit.kind) else {
            return Ok(None);
        };
        // The first owner named that is in a file (a case of several clients joins the file
        // of the first of them this tablet holds).
        let owners = edit.edits.iter().filter_map(|e| match e {
            Edit::Set(f, Value::Text(t)) | Edit::Add(f, Value::Text(t)) if *f == field => {
                t.parse::<RecordId>().ok()
            }
            Edit::SetNamed(f, Value::Text(t)) | Edit::AddNamed(f, Value::Text(t)) if f == field => {
                t.parse::<RecordId>().ok()
            }
            _ => None,
        });
        for owner in owners {
            let file = match pending.get(&owner) {
                Some(file) => *file,
                None => self.file_of(owner)?,
            };
            if file.is_some() {
                return Ok(file);
            }
        }
        Ok(None)
    }

    /// After a file was destroyed: copy the write-ahead log into the database and empty it, so
    /// the pages that held the file's key (overwritten in the database by `secure_delete`)
    /// do not linger in the log file.
    pub(crate) fn flush_erasures(&mut self) -> Result<()> {
        if self.files.shredded {
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            self.files.shredded = false;
        }
        Ok(())
    }

    /// Operations the server should delete (they carried an erased file's key): those of the
    /// erasures this device wrote, by erasure, which it asks the server to delete; and the
    /// others, which the erasure's author asks for.
    #[allow(clippy::type_complexity)]
    pub(crate) fn pending_erasures(&self) -> Result<(Vec<(OpId, Vec<OpId>)>, Vec<OpId>)> {
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

    /// The highest operation number held from `device` (0: none).
    pub(crate) fn last_seq_of(&self, device: DeviceId) -> Result<u64> {
        let n: Option<i64> = self
            .conn
            .prepare_cached("SELECT max(device_seq) FROM ops WHERE device_id = ?1")?
            .query_row([device.as_bytes()], |r| r.get(0))?;
        Ok(n.unwrap_or(0) as u64)
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

    /// The merged state of one record, `None` if this replica has never seen it.
    pub(crate) fn state(&self, record: RecordId) -> Result<Option<RecordState>> {
        load_state(&self.conn, &self.states, &self.keys, record)
    }

    /// Visit every record that belongs to a client file, with its file, streaming.
    pub(crate) fn for_each_file_record(
        &self,
        mut visit: impl FnMut(RecordId, RecordId, RecordState),
    ) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT record_id, epoch, state, file FROM records WHERE file IS NOT NULL",
        )?;
        let mut rows = stmt.query([])?;
        let mut scratch = zeroize::Zeroizing::new(Vec::with_capacity(1024));
        while let Some(row) = rows.next()? {
            let id = RecordId::from_slice(row.get_ref(0)?.as_blob()?)?;
            let file = RecordId::from_slice(row.get_ref(3)?.as_blob()?)?;
            if let Ok(state) = open_state_into(
                &self.states,
                &self.keys,
                id,
                row.get(1)?,
                row.get_ref(2)?.as_blob()?,
                &mut scratch,
            ) {
                visit(file, id, state);
            }
        }
        Ok(())
    }

    /// Visit every record of a kind, streaming (no list of states is built). Returns the ids
    /// of records that could not be read.
    pub(crate) fn for_each_state(
        &self,
        kind: &str,
        mut visit: impl FnMut(RecordId, RecordState),
    ) -> Result<Vec<RecordId>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT record_id, epoch, state FROM records WHERE kind = ?1")?;
        let mut rows = stmt.query([kind])?;
        let mut unreadable = Vec::new();
        let mut scratch = zeroize::Zeroizing::new(Vec::with_capacity(1024));
        while let Some(row) = rows.next()? {
            let id = RecordId::from_slice(row.get_ref(0)?.as_blob()?)?;
            match open_state_into(
                &self.states,
                &self.keys,
                id,
                row.get(1)?,
                row.get_ref(2)?.as_blob()?,
                &mut scratch,
            ) {
                Ok(state) => visit(id, state),
                Err(_) => unreadable.push(id),
            }
        }
        Ok(unreadable)
    }

    /// Every record's merged state, opened and encoded (the insider-attack tests search it).
    #[cfg(feature = "insider-attacks")]
    pub(crate) fn for_each_record(&self, mut visit: impl FnMut(Vec<u8>)) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT record_id, epoch, state FROM records")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id = RecordId::from_slice(row.get_ref(0)?.as_blob()?)?;
            let state = open_state(
                &self.states,
                &self.keys,
                id,
                row.get(1)?,
                row.get_ref(2)?.as_blob()?,
            )?;
            visit(state_codec::encode(&state));
        }
        Ok(())
    }

    /// How many records of a kind there are (deleted ones included).
    pub(crate) fn count(&self, kind: &str) -> Result<usize> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT count(*) FROM records WHERE kind = ?1")?;
        Ok(stmt.query_row([kind], |r| r.get::<_, i64>(0))? as usize)
    }

    /// Keep a team key of a new epoch (from a rotation), sealed under the master key; if it is
    /// the newest, everything written from now on is sealed under it. Then re-seal, under the
    /// newest epoch, the local operations the server has not received yet, so nothing written
    /// after a rotation leaves this device under an older key.
    pub(crate) fn add_team_keys(&mut self, keys: Vec<(u32, EpochKey)>) -> Result<usize> {
        let tx = self.conn.transaction()?;
        for (epoch, key) in &keys {
            let wrapped = self
                .master
                .seal(&team_key_aad(self.device, *epoch), &key.to_bytes());
            tx.execute(
                "INSERT OR IGNORE INTO team_keys (epoch, wrapped) VALUES (?1, ?2)",
                params![epoch, wrapped],
            )?;
        }
        let mut merged = self.keys.export();
        for (e, k) in keys {
            if !merged.iter().any(|(x, _)| *x == e) {
                merged.push((e, k));
            }
        }
        let keyring = Keyring::from_keys(merged)?;
        let (epoch, key) = keyring.current();
        let mut resealed = 0;
        {
            let mut stmt =
                tx.prepare("SELECT seq, envelope FROM ops WHERE synced = 0 ORDER BY seq")?;
            let rows: Vec<(i64, Vec<u8>)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<std::result::Result<_, _>>()?;
            let mut update = tx.prepare("UPDATE ops SET envelope = ?2 WHERE seq = ?1")?;
            for (seq, bytes) in rows {
                let env = OpEnvelope::from_bytes(&bytes)?;
                if env.epoch() >= epoch {
                    continue;
                }
                let op = env.open(keyring.get(env.epoch())?)?;
                let again = OpEnvelope::reseal(&op, epoch, key);
                update.execute(params![seq, again.to_bytes()])?;
                resealed += 1;
            }
        }
        tx.commit()?;
        self.keys = keyring;
        Ok(resealed)
    }

    /// Set the number of this device's next operation; returns the one it replaces (the
    /// insider-attack tests).
    #[cfg(feature = "insider-attacks")]
    pub(crate) fn set_next_seq(&mut self, next: u64) -> u64 {
        std::mem::replace(&mut self.next_seq, next)
    }

    /// How many records' states of the database at `conn` open under these team keys, the way
    /// every state was sealed before ADR 0014 (the insider-attack tests: a data officer, or any
    /// member, holding a copy of another tablet's database).
    #[cfg(feature = "insider-attacks")]
    pub(crate) fn states_open_with_team_keys(conn: &Connection, keys: &Keyring) -> Result<usize> {
        let mut stmt = conn.prepare("SELECT record_id, epoch, state FROM records")?;
        let mut rows = stmt.query([])?;
        let mut opened = 0;
        while let Some(row) = rows.next()? {
            let id = RecordId::from_slice(row.get_ref(0)?.as_blob()?)?;
            let sealed = row.get_ref(2)?.as_blob()?;
            // Under the epoch the row names, and under every epoch held (the row's number can
            // be edited in the copy).
            let epochs: Vec<u32> = std::iter::once(row.get::<_, u32>(1)?)
                .chain(keys.keys.keys().copied())
                .collect();
            if epochs.iter().any(|e| {
                keys.get(*e)
                    .ok()
                    .and_then(|k| k.open(&team_state_aad(id, *e), sealed))
                    .is_some()
            }) {
                opened += 1;
            }
        }
        Ok(opened)
    }

    /// Put an envelope in the outgoing queue without merging it (the insider-attack tests).
    #[cfg(feature = "insider-attacks")]
    pub(crate) fn insert_unsynced_raw(&mut self, env: &OpEnvelope) -> Result<()> {
        let op = env.open(self.keys.get(env.epoch())?)?;
        let tx = self.conn.transaction()?;
        insert_op(&tx, &op, env, false)?;
        tx.commit()?;
        Ok(())
    }

    /// Visit every operation of the log, decrypted, in arrival order. Returns how many could
    /// not be opened.
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

/// What a data officer's tablet is told when asked to record case work: it holds the keys of
/// statistics only (ADR 0011).
fn no_case_work() -> Error {
    Error::Forbidden("a data officer's tablet records no case work (it opens figures only)".into())
}

fn team_key_aad(device: DeviceId, epoch: u32) -> Vec<u8> {
    aad(TEAM_KEY_AAD, &[device.as_bytes(), &epoch.to_be_bytes()])
}

fn team_state_aad(record: RecordId, epoch: u32) -> Vec<u8> {
    aad(TEAM_STATE_AAD, &[record.as_bytes(), &epoch.to_be_bytes()])
}

fn device_state_aad(record: RecordId) -> Vec<u8> {
    aad(DEVICE_STATE_AAD, &[record.as_bytes()])
}

/// Move a vault from before ADR 0014 over, in one transaction: every state re-sealed under
/// the device's state key, the sync settings sealed under the master key, and the signing key
/// sealed under the label that says it is done. A crash leaves all of it or none.
fn move_to_device_keys(
    conn: &mut Connection,
    master: &SecretKey,
    device: DeviceId,
    keys: &Keyring,
    states: &StateKey,
    signing: &[u8],
) -> Result<()> {
    let tx = conn.transaction()?;
    {
        let mut select =
            tx.prepare("SELECT record_id, epoch, state FROM records WHERE epoch != 0")?;
        let mut update =
            tx.prepare("UPDATE records SET epoch = 0, state = ?2 WHERE record_id = ?1")?;
        let mut rows = select.query([])?;
        let mut scratch = zeroize::Zeroizing::new(Vec::new());
        while let Some(row) = rows.next()? {
            let id = RecordId::from_slice(row.get_ref(0)?.as_blob()?)?;
            let state = open_state_into(
                states,
                keys,
                id,
                row.get(1)?,
                row.get_ref(2)?.as_blob()?,
                &mut scratch,
            )?;
            let plain = zeroize::Zeroizing::new(state_codec::encode(&state));
            update.execute(params![
                id.as_bytes(),
                states.key.seal(&device_state_aad(id), &plain)
            ])?;
        }
    }
    let settings: Option<Vec<u8>> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [SETTINGS_META],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(clear) = settings {
        // Written in clear before: sealed now, bound to this device.
        let sealed = master.seal(&aad(SETTINGS_LABEL, &[device.as_bytes()]), &clear);
        tx.execute(
            "UPDATE meta SET value = ?2 WHERE key = ?1",
            params![SETTINGS_META, sealed],
        )?;
    }
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'signing_key'",
        [master.seal(&aad(SIGNING_AAD_V2, &[device.as_bytes()]), signing)],
    )?;
    tx.commit()?;
    Ok(())
}

fn to_changes(state: Option<&RecordState>, edits: Vec<Edit>) -> Vec<Change> {
    edits
        .into_iter()
        .map(|edit| match edit {
            Edit::Set(field, value) => {
                let preds = state.map(|s| s.preds(field)).unwrap_or_default();
                Change::Set {
                    field: field.to_owned(),
                    value,
                    preds,
                }
            }
            Edit::Add(field, value) => Change::Add {
                field: field.to_owned(),
                value,
            },
            Edit::Remove(field, value) => {
                let tags = state
                    .and_then(|s| s.sets.get(field))
                    .map(|set| set.tags_of(&value))
                    .unwrap_or_default();
                Change::Remove {
                    field: field.to_owned(),
                    tags,
                }
            }
            Edit::Delete => Change::Delete,
            Edit::SetNamed(field, value) => {
                let preds = state.map(|s| s.preds(&field)).unwrap_or_default();
                Change::Set {
                    field,
                    value,
                    preds,
                }
            }
            Edit::AddNamed(field, value) => Change::Add { field, value },
        })
        .collect()
}

fn op_exists(conn: &Connection, id: &OpId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM ops WHERE op_id = ?1")?
        .exists([id.as_bytes()])?)
}

/// Merge `op` into `state`, asking the log whether the operations it names were received. A
/// failed lookup fails the whole transaction instead of being taken for "not received yet"
/// (which would leave a value in the frontier that another replica has replaced).
fn merge_into(conn: &Connection, state: &mut RecordState, op: &Op) -> Result<()> {
    let mut failure = None;
    state.apply(op, &mut |id| {
        op_exists(conn, id).unwrap_or_else(|e| {
            failure.get_or_insert(e);
            false
        })
    });
    failure.map_or(Ok(()), Err)
}

fn insert_op(tx: &Transaction<'_>, op: &Op, envelope: &OpEnvelope, synced: bool) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO ops (op_id, record_id, device_id, device_seq, envelope, synced) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    stmt.execute(params![
        op.id.as_bytes(),
        op.body.record.as_bytes(),
        op.body.device.as_bytes(),
        op.body.device_seq as i64,
        envelope.to_bytes(),
        synced
    ])?;
    Ok(())
}

fn load_state(
    conn: &Connection,
    sk: &StateKey,
    keys: &Keyring,
    record: RecordId,
) -> Result<Option<RecordState>> {
    let mut stmt = conn.prepare_cached("SELECT epoch, state FROM records WHERE record_id = ?1")?;
    let row = stmt
        .query_row([record.as_bytes()], |r| {
            Ok((r.get::<_, u32>(0)?, r.get::<_, Vec<u8>>(1)?))
        })
        .optional()?;
    row.map(|(epoch, sealed)| open_state(sk, keys, record, epoch, &sealed))
        .transpose()
}

fn open_state(
    sk: &StateKey,
    keys: &Keyring,
    record: RecordId,
    epoch: u32,
    sealed: &[u8],
) -> Result<RecordState> {
    open_state_into(
        sk,
        keys,
        record,
        epoch,
        sealed,
        &mut zeroize::Zeroizing::new(Vec::new()),
    )
}

/// Open a record's state: under this device's state key; under a team key only while a vault
/// from before is being moved over (afterwards such a state was written by someone else into
/// the file, and is refused).
fn open_state_into(
    sk: &StateKey,
    keys: &Keyring,
    record: RecordId,
    epoch: u32,
    sealed: &[u8],
    scratch: &mut Vec<u8>,
) -> Result<RecordState> {
    let corrupted = || Error::Corrupted { what: "a record" };
    if epoch == DEVICE_STATE_EPOCH {
        sk.key
            .open_into(&device_state_aad(record), sealed, scratch)
            .ok_or_else(corrupted)?;
    } else if sk.legacy {
        keys.get(epoch)?
            .open_into(&team_state_aad(record, epoch), sealed, scratch)
            .ok_or_else(corrupted)?;
    } else {
        return Err(corrupted());
    }
    state_codec::decode(scratch)
}

fn save_state(
    tx: &Transaction<'_>,
    sk: &StateKey,
    record: RecordId,
    state: &RecordState,
    file: Option<RecordId>,
    file_key: Option<Vec<u8>>,
) -> Result<()> {
    let epoch = DEVICE_STATE_EPOCH;
    let mut plain = zeroize::Zeroizing::new(state_codec::encode(state));
    let sealed = sk.key.seal(&device_state_aad(record), &plain);
    zeroize::Zeroize::zeroize(&mut *plain);
    let mut stmt = tx.prepare_cached(
        "INSERT INTO records (record_id, kind, epoch, state, file, file_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (record_id) DO UPDATE SET epoch = excluded.epoch, state = excluded.state,
             file = coalesce(records.file, excluded.file),
             file_key = coalesce(records.file_key, excluded.file_key)",
    )?;
    stmt.execute(params![
        record.as_bytes(),
        state.kind,
        epoch,
        sealed,
        file.map(|f| f.as_bytes().to_vec()),
        file_key
    ])?;
    Ok(())
}

/// What a merged record does beyond itself: a file key is learnt at once (the file's own
/// operations may follow in the same page), an erasure destroys its file here. Returns the
/// records that went.
/// What keeps file keys on this device: sealed under the device master key.
pub(crate) struct KeyKeeper<'a> {
    pub master: &'a SecretKey,
    pub device: DeviceId,
}

#[allow(clippy::too_many_arguments)]
fn after_merge(
    tx: &Transaction<'_>,
    files: &mut files::FileKeys,
    keeper: &KeyKeeper<'_>,
    record: RecordId,
    state: &mut RecordState,
    now_ms: u64,
    op: OpId,
) -> Result<(Vec<RecordId>, Option<Vec<u8>>)> {
    match state.kind.as_str() {
        crate::client::KIND => {
            // The file's keys leave the record's state for a column of the client's row,
            // sealed under the master key: listing clients never decrypts them, and they are
            // deleted (overwritten) with the row.
            let carried = state.fields.remove(crate::op::FILE_KEY_FIELD);
            state.fields.remove(crate::op::STATS_KEY_FIELD);
            let wrapped = carried
                .then(|| files.get(record))
                .flatten()
                .map(|held| files::wrap_key(keeper.master, keeper.device, record, held));
            Ok((Vec::new(), wrapped))
        }
        files::ERASURE => {
            let Some(file) = crate::casework::StateExt::id(state, "file") else {
                return Ok((Vec::new(), None));
            };
            if files.is_erased(file) || !files::names_a_client_file(tx, file)? {
                // Only a client's file can be erased (issue 16, finding 8): an erasure naming
                // a session, an audit entry or the team's policy destroys nothing.
                return Ok((Vec::new(), None));
            }
            let gone = files::shred(tx, file, now_ms, op)?;
            files.forget(file);
            Ok((gone, None))
        }
        _ => Ok((Vec::new(), None)),
    }
}

fn save_clock(tx: &Transaction<'_>, last: (u64, u32), next_seq: u64) -> Result<()> {
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

#[cfg(test)]
mod tests {
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
        let store = Store::open(Connection::open(&path).unwrap(), &master, time.clone()).unwrap();
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
        let store = Store::open(Connection::open(&path).unwrap(), &master, time).unwrap();
        assert!(matches!(store.state(group), Err(Error::Corrupted { .. })));
    }
}
