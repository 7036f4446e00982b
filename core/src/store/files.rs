//! Client-file keys (ADR 0010). Every record about a client (the client, their cases and
//! sessions, consents, referrals, measures, reviews of those) is a record of the client's
//! *file*, and the changes of its operations are sealed under the file's own random key, inside
//! the team-key envelope. The file key travels to the team in the operation that records the
//! client. Erasing the client destroys that operation everywhere it can be reached: every
//! tablet deletes it (and the file's materialised records) when the erasure reaches it, and
//! the server deletes its envelope. Every other copy of the file's operations (logs, free
//! pages, server backups of the operations, batch files) is then ciphertext under a key that
//! no longer exists.
//!
//! Each file has two keys (ADR 0011): the file key `K_f`, which opens everything, and the
//! statistics key `S_f` derived from it, which opens only the fields the donors' report reads
//! (each kind's `readers`, `crate::kind`). The client's first operation carries `S_f` under the team key and `K_f`
//! sealed under the case-work key, so a data officer's tablet (team key only) learns `S_f`
//! and never `K_f`.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::crypto::{AeadKey, SecretKey};
use crate::error::Result;
use crate::ids::{DeviceId, RecordId};
use crate::kind::{KindSpec, Kinds};
use crate::op::Change;
use crate::value::Value;

/// Put an operation's changes in the order they are sealed in: the file's keys, then the
/// statistics, then the rest (a stable order, so the set-element tags every replica derives
/// from positions agree whatever part a tablet can open). Returns how many lead the rest
/// (keys and statistics), or `None` when the kind has nothing to keep from data officers.
pub(crate) fn arrange(kind: &KindSpec, changes: &mut [Change]) -> Option<usize> {
    let stats = kind.statistics()?;
    let rank = |c: &Change| match c {
        Change::Set { field, .. } if crate::op::is_key_field(field) => 0,
        Change::Delete => 1,
        Change::Set { field, .. } | Change::Add { field, .. } | Change::Remove { field, .. }
            if stats.contains(&field.as_str()) =>
        {
            1
        }
        _ => 2,
    };
    changes.sort_by_key(rank);
    Some(changes.iter().filter(|c| rank(c) < 2).count())
}

/// What this device holds of a client file's keys.
pub(crate) enum FileSecret {
    /// The file key: opens everything of the file.
    Content(SecretKey),
    /// The statistics key alone (a data officer's tablet).
    Stats(SecretKey),
}

const STATS_FROM_FILE: &[u8] = b"komora/file-stats-key/v1";
const TAG_STATS_ONLY: u8 = 2;

impl FileSecret {
    fn stats_key(&self, file: RecordId) -> SecretKey {
        match self {
            FileSecret::Content(k) => SecretKey::from_bytes(*crate::crypto::hkdf32(
                file.as_bytes(),
                k.expose(),
                STATS_FROM_FILE,
            )),
            FileSecret::Stats(s) => s.clone(),
        }
    }

    /// As kept on the client's row: the file key, or a tag and the statistics key.
    fn to_bytes(&self) -> zeroize::Zeroizing<Vec<u8>> {
        let mut out = zeroize::Zeroizing::new(Vec::with_capacity(33));
        match self {
            FileSecret::Content(k) => out.extend_from_slice(k.expose()),
            FileSecret::Stats(s) => {
                out.push(TAG_STATS_ONLY);
                out.extend_from_slice(s.expose());
            }
        }
        out
    }

    /// By length first: a file key is 32 bytes whatever its first byte is.
    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [TAG_STATS_ONLY, rest @ ..] if rest.len() == 32 => {
                SecretKey::from_slice(rest).map(FileSecret::Stats)
            }
            _ => SecretKey::from_slice(bytes).map(FileSecret::Content),
        }
    }
}

/// A client file's keys, expanded for use.
pub(crate) struct HeldFile {
    secret: FileSecret,
    stats: AeadKey,
    content: Option<AeadKey>,
}

impl HeldFile {
    pub(crate) fn new(file: RecordId, secret: FileSecret) -> Self {
        let stats = AeadKey::new(&secret.stats_key(file));
        let content = match &secret {
            FileSecret::Content(k) => Some(AeadKey::new(k)),
            FileSecret::Stats(_) => None,
        };
        Self {
            secret,
            stats,
            content,
        }
    }

    /// The key of everything but the statistics, unless this is a data officer's tablet.
    pub(crate) fn content(&self) -> Option<&AeadKey> {
        self.content.as_ref()
    }

    pub(crate) fn stats(&self) -> &AeadKey {
        &self.stats
    }

    /// The keys that open this file's parts of an operation.
    pub(crate) fn open_keys(&self) -> crate::op::OpenKeys<'_> {
        crate::op::OpenKeys {
            stats: Some(&self.stats),
            content: self.content.as_ref(),
            casework: None,
        }
    }
}

/// The file keys this device holds, and the files it knows were erased.
#[derive(Default)]
pub(crate) struct FileKeys {
    keys: HashMap<RecordId, HeldFile>,
    erased: HashSet<RecordId>,
    /// A file was destroyed since the write-ahead log was last emptied: the old pages (the
    /// key among them) may still sit in it until it is (`Store::flush_erasures`).
    pub(crate) shredded: bool,
}

impl FileKeys {
    pub(crate) fn load(conn: &Connection) -> Result<HashSet<RecordId>> {
        let mut stmt = conn.prepare("SELECT file FROM erased_files")?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        let mut erased = HashSet::new();
        for row in rows {
            erased.insert(RecordId::from_slice(&row?)?);
        }
        Ok(erased)
    }

    pub(crate) fn with_erased(erased: HashSet<RecordId>) -> Self {
        Self {
            keys: HashMap::new(),
            erased,
            shredded: false,
        }
    }

    pub(crate) fn get(&self, file: RecordId) -> Option<&HeldFile> {
        self.keys.get(&file)
    }

    pub(crate) fn is_erased(&self, file: RecordId) -> bool {
        self.erased.contains(&file)
    }

    pub(crate) fn insert(&mut self, file: RecordId, secret: FileSecret) {
        if !self.erased.contains(&file) && !self.keys.contains_key(&file) {
            self.keys.insert(file, HeldFile::new(file, secret));
        }
    }

    pub(crate) fn forget(&mut self, file: RecordId) {
        self.keys.remove(&file);
        self.erased.insert(file);
        self.shredded = true;
    }
}

const FILE_KEY_AAD: &str = "komora/file-key/v1";
const FILE_KEY_GRANT_AAD: &str = "komora/file-key-grant/v1";

/// A file key sealed under the master key (bound to device and file), for the client's row.
pub(crate) fn wrap_key(
    master: &SecretKey,
    device: crate::ids::DeviceId,
    file: RecordId,
    held: &HeldFile,
) -> Vec<u8> {
    master.seal(
        &crate::crypto::aad(FILE_KEY_AAD, &[device.as_bytes(), file.as_bytes()]),
        &held.secret.to_bytes(),
    )
}

/// The key of `file` as kept on its client's row, if this device holds it.
pub(crate) fn kept_key(
    conn: &Connection,
    master: &SecretKey,
    device: crate::ids::DeviceId,
    file: RecordId,
) -> Result<Option<FileSecret>> {
    let wrapped: Option<Option<Vec<u8>>> = conn
        .prepare_cached("SELECT file_key FROM records WHERE record_id = ?1")?
        .query_row([file.as_bytes()], |r| r.get(0))
        .optional()?;
    let Some(wrapped) = wrapped.flatten() else {
        return Ok(None);
    };
    master
        .open(
            &crate::crypto::aad(FILE_KEY_AAD, &[device.as_bytes(), file.as_bytes()]),
            &wrapped,
        )
        .and_then(|raw| FileSecret::from_bytes(&raw))
        .map(Some)
        .ok_or(crate::error::Error::Corrupted {
            what: "a client file's key",
        })
}

/// Make sure `file`'s key is in `files` if this device keeps it: keys are read from their
/// client's row when the file is first used after unlock (not all at unlock).
pub(crate) fn load_key(
    conn: &Connection,
    files: &mut FileKeys,
    master: &SecretKey,
    device: crate::ids::DeviceId,
    file: RecordId,
) -> Result<()> {
    if files.get(file).is_none() && !files.is_erased(file) {
        if let Some(key) = kept_key(conn, master, device, file)? {
            files.insert(file, key);
        }
    }
    Ok(())
}

/// The keys of a new client's file, and the edits that carry them in the operation recording
/// the client: the statistics key in clear, the file key sealed under the case-work key of
/// `epoch` (inside the team envelope both).
pub(crate) fn new_file(
    file: RecordId,
    casework: &AeadKey,
    epoch: u32,
) -> (FileSecret, [crate::store::Edit; 2]) {
    use crate::store::Edit;
    let secret = FileSecret::Content(SecretKey::random());
    let FileSecret::Content(key) = &secret else {
        unreachable!("made as a file key above")
    };
    let mut sealed = epoch.to_be_bytes().to_vec();
    sealed.extend(casework.seal(&grant_aad(file, epoch), key.expose()));
    let edits = [
        Edit::Set(
            crate::op::STATS_KEY_FIELD,
            Value::Text(hex(secret.stats_key(file).expose())),
        ),
        Edit::Set(crate::op::FILE_KEY_FIELD, Value::Text(hex(&sealed))),
    ];
    (secret, edits)
}

fn grant_aad(file: RecordId, epoch: u32) -> Vec<u8> {
    crate::crypto::aad(FILE_KEY_GRANT_AAD, &[file.as_bytes(), &epoch.to_be_bytes()])
}

/// The file keys an operation recording a client carries, as far as this device may hold
/// them: the file key where it holds the case-work key it was sealed under (checked against
/// the statistics key beside it), else the statistics key alone. `Err` when they do not
/// agree (a tampered or broken operation).
pub(crate) fn carried(
    body: &crate::op::OpBody,
    keyring: &super::Keyring,
) -> std::result::Result<Option<FileSecret>, ()> {
    let Some((stats, file_key)) = body.carried_keys() else {
        return Ok(None);
    };
    let file = body.record;
    let bytes = unhex(file_key).ok_or(())?;
    let Some(stats) = stats else {
        // Written before data officers: the bare file key, under the team key. Only in an
        // epoch from before data officers (issue 16, finding 10): in any other, a bare key
        // would hand the whole file to whoever holds the team key, a data officer included.
        // A data officer holds no legacy epoch: such a file is not its to open.
        if !keyring.holds(body.written_epoch) {
            return Ok(None);
        }
        if !keyring.is_legacy(body.written_epoch) {
            return Err(());
        }
        return SecretKey::from_slice(&bytes)
            .map(|k| Some(FileSecret::Content(k)))
            .ok_or(());
    };
    let stats = SecretKey::from_slice(&unhex(stats).ok_or(())?).ok_or(())?;
    let epoch = u32::from_be_bytes(bytes.get(..4).ok_or(())?.try_into().map_err(|_| ())?);
    let Some(casework) = keyring.casework(epoch) else {
        return Ok(Some(FileSecret::Stats(stats)));
    };
    let raw = casework
        .open(&grant_aad(file, epoch), &bytes[4..])
        .ok_or(())?;
    let secret = FileSecret::Content(SecretKey::from_slice(&raw).ok_or(())?);
    if !crate::crypto::ct_eq(secret.stats_key(file).expose(), stats.expose()) {
        return Err(());
    }
    Ok(Some(secret))
}

fn hex(bytes: &[u8]) -> String {
    // One allocation: a `format!` per byte was a fifteenth of a 10,000-client import.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

fn unhex(text: &str) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    if !text.len().is_multiple_of(2) || text.len() > 256 {
        return None;
    }
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(text.len() / 2));
    for i in (0..text.len()).step_by(2) {
        out.push(u8::from_str_radix(text.get(i..i + 2)?, 16).ok()?);
    }
    Some(out)
}

/// Whether an erasure naming `record` may destroy it: a client held here, or a record this
/// device has not received yet (then only its file is marked erased, which touches no
/// record of any other kind: their operations belong to no file of that id). A record of
/// any other kind held here is never erased by an erasure, whoever signed it.
pub(crate) fn names_a_client_file(
    tx: &Transaction<'_>,
    kinds: &Kinds,
    record: RecordId,
) -> Result<bool> {
    let kind: Option<String> = tx
        .prepare_cached("SELECT kind FROM records WHERE record_id = ?1")?
        .query_row([record.as_bytes()], |r| r.get(0))
        .optional()?;
    Ok(match kind {
        Some(kind) => kinds.is_file_root(&kind),
        None => kinds
            .iter()
            .any(|k| k.file == crate::kind::FileRole::Root && record.admits_kind(k.name)),
    })
}

/// Destroy `file` on this device, in the caller's transaction: its key (record and
/// operations: the only place it was kept), the materialised state of every record of the
/// file, and remember it was erased so its operations arriving later are never merged.
/// Returns the records that went (for in-memory views). `secure_delete` is on, so the
/// deleted rows are overwritten, not left in free pages.
pub(crate) fn shred(
    tx: &Transaction<'_>,
    file: RecordId,
    now_ms: u64,
    erasure: crate::ids::OpId,
) -> Result<Vec<RecordId>> {
    let mut gone = Vec::new();
    {
        let mut stmt = tx.prepare_cached("SELECT record_id FROM records WHERE file = ?1")?;
        let rows = stmt.query_map([file.as_bytes()], |r| r.get::<_, Vec<u8>>(0))?;
        for row in rows {
            gone.push(RecordId::from_slice(&row?)?);
        }
    }
    // The client's own operations: the first carried the file's key. The server is asked to
    // delete them (at the next sync of a supervisor's or an administrator's tablet). Their
    // authors' numbers are remembered, so a cutoff this tablet signs still covers them.
    let authors: Vec<(Vec<u8>, i64)> = tx
        .prepare_cached(
            "SELECT device_id, max(device_seq) FROM ops WHERE record_id = ?1 GROUP BY device_id",
        )?
        .query_map([file.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (device, seq) in authors {
        note_dropped(tx, DeviceId::from_slice(&device)?, seq as u64)?;
    }
    tx.prepare_cached(
        "INSERT OR IGNORE INTO pending_erasures (op_id, erasure)
         SELECT op_id, ?2 FROM ops WHERE record_id = ?1",
    )?
    .execute(params![file.as_bytes(), erasure.as_bytes()])?;
    tx.prepare_cached("DELETE FROM ops WHERE record_id = ?1")?
        .execute([file.as_bytes()])?;
    tx.prepare_cached("DELETE FROM records WHERE file = ?1 OR record_id = ?1")?
        .execute([file.as_bytes()])?;
    tx.prepare_cached("INSERT OR IGNORE INTO erased_files (file, erased_at_ms) VALUES (?1, ?2)")?
        .execute(params![file.as_bytes(), now_ms as i64])?;
    mark_unflushed(tx)?;
    if !gone.contains(&file) {
        gone.push(file);
    }
    Ok(gone)
}

/// The mark, in the vault's settings, of records destroyed whose old pages may still sit in
/// the write-ahead log (and, until the log is copied, in the database file).
pub(crate) const UNFLUSHED: &str = "erasure_unflushed";

/// Written in the transaction that destroys records, removed once the log is emptied after it
/// (`Store::flush_erasures`): a tablet that dies between the two (a battery, a kill) empties
/// the log when it next opens the vault, instead of keeping the erased pages until it next
/// closes cleanly.
pub(crate) fn mark_unflushed(tx: &Transaction<'_>) -> Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, x'01')")?
        .execute([UNFLUSHED])?;
    Ok(())
}

/// Remember that an operation numbered `seq` of `device` existed though this tablet holds it
/// no more (an erased client's own operation, which carried her file's key): the highest such
/// number per author, so a revocation this tablet signs puts the author's cutoff above every
/// operation it knew of, and an honest edit made before the revocation is never taken for a
/// revoked tablet's forgery (`Store::last_seq_of`).
pub(crate) fn note_dropped(conn: &Connection, device: DeviceId, seq: u64) -> Result<()> {
    let key = dropped_key(device);
    let held: Option<Vec<u8>> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([&key], |r| r.get(0))
        .optional()?;
    let before = held
        .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
        .map_or(0, u64::from_be_bytes);
    if seq > before {
        conn.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?
            .execute(params![key, &seq.to_be_bytes()[..]])?;
    }
    Ok(())
}

/// The meta key of an author's highest dropped operation number.
pub(crate) fn dropped_key(device: DeviceId) -> String {
    format!("dropped_seq/{device}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_file_key_reads_back_whatever_its_first_byte() {
        // A file key starting with the statistics tag's byte was once read as a broken
        // statistics key (found by the kill campaign: one client in 256 unreadable).
        for first in [0u8, TAG_STATS_ONLY, 255] {
            let mut raw = crate::crypto::random_array::<32>();
            raw[0] = first;
            let kept = FileSecret::Content(SecretKey::from_bytes(raw)).to_bytes();
            assert!(
                matches!(FileSecret::from_bytes(&kept), Some(FileSecret::Content(k)) if k.expose() == &raw)
            );
            let stats = FileSecret::Stats(SecretKey::from_bytes(raw)).to_bytes();
            assert!(
                matches!(FileSecret::from_bytes(&stats), Some(FileSecret::Stats(k)) if k.expose() == &raw)
            );
        }
        assert!(FileSecret::from_bytes(&[TAG_STATS_ONLY; 20]).is_none());
    }

    /// Issue 16, finding 10: a bare file key (as written before data officers existed) was
    /// accepted in any epoch, so a legacy operation re-sealed into a new epoch, or one an
    /// insider writes that way, handed the whole file to whoever held the team key: a data
    /// officer's tablet included.
    #[test]
    fn a_re_sealed_legacy_operation_cannot_hand_a_file_key_to_a_data_officer() {
        use crate::op::{Change, OpBody, FILE_KEY_FIELD};
        use crate::store::EpochKey;
        let file = RecordId::for_kind("client");
        let key = SecretKey::random();
        let body = |written_epoch| OpBody {
            record: file,
            kind: "client".into(),
            device: crate::ids::DeviceId::random(),
            device_seq: 1,
            wall_ms: 0,
            counter: 0,
            changes: vec![
                Change::Set {
                    field: FILE_KEY_FIELD.into(),
                    value: Value::Text(hex(key.expose())),
                    preds: vec![],
                },
                Change::Sealed {
                    file,
                    sealed: vec![0; 40],
                },
            ],
            written_epoch,
            packing: None,
        };
        let ring = |keys| super::super::Keyring::from_keys(keys).unwrap();
        // Written in a legacy epoch, on a tablet holding it: the file key, as before.
        let legacy = ring(vec![(1, EpochKey::Legacy(SecretKey::random()))]);
        assert!(matches!(carried(&body(1), &legacy), Ok(Some(FileSecret::Content(k))) if k == key));
        // The same operation re-sealed into epoch 2, on a data officer's tablet (which holds
        // epoch 2's team key only): no key for it.
        let officer = ring(vec![(2, EpochKey::Team(SecretKey::random()))]);
        assert!(matches!(carried(&body(1), &officer), Ok(None)));
        // A bare key claimed in an epoch from after data officers: refused as forged.
        let current = ring(vec![(2, EpochKey::Casework(SecretKey::random()))]);
        assert!(carried(&body(2), &current).is_err());
        assert!(carried(&body(2), &officer).is_err());
    }
}
