//! The materialised state of every record: sealed under this device's own state key (ADR
//! 0014) and bound to its record by the associated data, loaded, saved and listed here. Vaults
//! from before ADR 0014 held states under a team key; they move to the device's key at the
//! first unlock (`move_to_device_keys`).

use super::*;

/// How this device seals records' states (ADR 0014): under a key of its own, derived from its
/// master key, so a copy of its database opens with no team key (a data officer's, another
/// tablet's) and an erased file's states stay closed in a copy taken before the erasure.
pub(crate) struct StateKey {
    pub(super) key: AeadKey,
    /// Whether states sealed under a team key may still be opened: only while a vault from
    /// before is moved over, at its first unlock.
    legacy: bool,
    /// The key of the fingerprints that tie a list page's entry to the sealed state it was
    /// made from (ADR 0023): secret, so nobody without the device's keys can make another
    /// state that passes for the one an entry was made from.
    fingerprint: (u64, u64),
    /// The kinds kept in list pages (ADR 0023).
    listed: Vec<&'static str>,
    /// The list entries of the records of those kinds saved since the pages were last
    /// brought up to date (`pages::records_changed` takes them before the transaction
    /// commits). Made here, from the state and its ciphertext in hand, so the pages cost no
    /// second opening of each state.
    saved: std::cell::RefCell<Vec<(RecordId, &'static str, super::pages::Entry)>>,
}

impl StateKey {
    pub(super) fn new(master: &SecretKey, device: DeviceId, legacy: bool) -> Self {
        let derived = SecretKey::from_bytes(*crate::crypto::hkdf32(
            device.as_bytes(),
            master.expose(),
            STATE_KEY_INFO,
        ));
        let fp = crate::crypto::hkdf32(device.as_bytes(), master.expose(), FINGERPRINT_INFO);
        let half = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
        Self {
            key: AeadKey::new(&derived),
            legacy,
            fingerprint: (half(&fp[..8]), half(&fp[8..16])),
            listed: Vec::new(),
            saved: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// Keep list pages for the kinds that ask for them.
    pub(super) fn listing(mut self, kinds: &'static crate::kind::Kinds) -> Self {
        self.listed = kinds.iter().filter(|k| k.listed).map(|k| k.name).collect();
        self
    }

    /// A keyed fingerprint (SipHash-1-3 under a key of this device) of a record's sealed state
    /// as stored: a list page's entry is used only while its record's state is still this one.
    pub(super) fn fingerprint(&self, record: RecordId, sealed: &[u8]) -> u64 {
        use std::hash::Hasher;
        let mut h =
            siphasher::sip::SipHasher13::new_with_keys(self.fingerprint.0, self.fingerprint.1);
        h.write(record.as_bytes());
        h.write(sealed);
        h.finish()
    }

    /// The list entries made since the last call (for the list pages).
    pub(super) fn take_saved(&self) -> Vec<(RecordId, &'static str, super::pages::Entry)> {
        std::mem::take(&mut *self.saved.borrow_mut())
    }
}

/// Where the fingerprints' key comes from (ADR 0023).
const FINGERPRINT_INFO: &[u8] = b"komora/list-fingerprint/v1";

/// Open a state sealed under this device's state key (the only form a vault moved to its own
/// keys holds); anything else is refused as tampering.
pub(super) fn open_device_state(
    sk: &StateKey,
    record: RecordId,
    epoch: u32,
    sealed: &[u8],
    scratch: &mut Vec<u8>,
) -> Result<RecordState> {
    let corrupted = || Error::Corrupted { what: "a record" };
    if epoch != DEVICE_STATE_EPOCH {
        return Err(corrupted());
    }
    sk.key
        .open_into(&device_state_aad(record), sealed, scratch)
        .ok_or_else(corrupted)?;
    state_codec::decode(scratch)
}

/// A record's stored state, sealed as it is and opened under this device's state key
/// (`None`: no such record; `Err` inside: it does not open).
pub(super) fn load_device_state(
    conn: &Connection,
    sk: &StateKey,
    record: RecordId,
) -> Result<Option<(Vec<u8>, Result<RecordState>)>> {
    let row: Option<(u32, Vec<u8>)> = conn
        .prepare_cached("SELECT epoch, state FROM records WHERE record_id = ?1")?
        .query_row([record.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map(|(epoch, sealed)| {
        let mut scratch = zeroize::Zeroizing::new(Vec::new());
        let state = open_device_state(sk, record, epoch, &sealed, &mut scratch);
        (sealed, state)
    }))
}

pub(super) fn team_state_aad(record: RecordId, epoch: u32) -> Vec<u8> {
    aad(TEAM_STATE_AAD, &[record.as_bytes(), &epoch.to_be_bytes()])
}

pub(super) fn device_state_aad(record: RecordId) -> Vec<u8> {
    aad(DEVICE_STATE_AAD, &[record.as_bytes()])
}

/// Move a vault from before ADR 0014 over, in one transaction: every state re-sealed under
/// the device's state key, the sync settings sealed under the master key, and the signing key
/// sealed under the label that says it is done. A crash leaves all of it or none.
pub(super) fn move_to_device_keys(
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

pub(super) fn load_state(
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

pub(super) fn open_state(
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
pub(super) fn open_state_into(
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

pub(super) fn save_state(
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
    // Its list page is brought up to date before the transaction commits (ADR 0023).
    if let Some(list) = sk.listed.iter().find(|k| **k == state.kind) {
        let entry = super::pages::entry(sk, record, &sealed, state);
        sk.saved.borrow_mut().push((record, list, entry));
    }
    Ok(())
}

impl Store {
    /// The merged state of one record, `None` if this replica has never seen it.
    pub(crate) fn state(&self, record: RecordId) -> Result<Option<RecordState>> {
        load_state(&self.conn, &self.states, &self.keys, record)
    }

    /// Flip one byte of a record's stored state, as someone writing the file would (tests of
    /// what a reader does with a state that no longer opens).
    #[cfg(test)]
    pub(crate) fn flip_state_byte(&self, record: RecordId, at: usize) -> Result<()> {
        let mut sealed: Vec<u8> = self.conn.query_row(
            "SELECT state FROM records WHERE record_id = ?1",
            [record.as_bytes()],
            |r| r.get(0),
        )?;
        sealed[at] ^= 0x01;
        self.conn.execute(
            "UPDATE records SET state = ?2 WHERE record_id = ?1",
            params![record.as_bytes(), sealed],
        )?;
        Ok(())
    }

    /// How many records of `kind` this replica holds (the write path's tests).
    #[cfg(test)]
    pub(crate) fn count(&self, kind: &str) -> Result<usize> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT count(*) FROM records WHERE kind = ?1")?;
        Ok(stmt.query_row([kind], |r| r.get::<_, i64>(0))? as usize)
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
}
