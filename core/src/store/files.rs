//! Client-file keys (ADR 0010). Every record about a client (the client, their cases and
//! sessions, consents, referrals, measures, reviews of those) is a record of the client's
//! *file*, and the changes of its operations are sealed under the file's own random key, inside
//! the team-key envelope. The file key travels to the team as a record of its own (kind
//! `filekey`, sealed under the team key). Erasing the client destroys that record everywhere
//! it can be reached: every tablet deletes it (and the file's materialised records) when the
//! erasure reaches it, and the server deletes its envelopes. Every other copy of the file's
//! operations (logs, free pages, server backups of the operations, batch files) is then
//! ciphertext under a key that no longer exists.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::casework::StateExt;
use crate::crypto::{AeadKey, SecretKey};
use crate::error::Result;
use crate::ids::RecordId;
use crate::merge::RecordState;

/// The record kind that erases a file.
pub(crate) const ERASURE: &str = "erasure";

/// For each kind of record about a client, the field naming the record whose file it joins
/// (a client, or a record already in a file). Records of other kinds (groups, the audit,
/// the team's policy, erasures) belong to no file: they are the team's.
const OWNER: &[(&str, &str)] = &[
    ("consent", "client"),
    ("referral", "client"),
    ("assessment", "client"),
    ("case", "clients"),
    ("session", "case"),
    ("review", "target"),
];

pub(crate) fn owner_field(kind: &str) -> Option<&'static str> {
    OWNER.iter().find(|(k, _)| *k == kind).map(|(_, f)| *f)
}

/// The file keys this device holds, and the files it knows were erased.
#[derive(Default)]
pub(crate) struct FileKeys {
    keys: HashMap<RecordId, (SecretKey, AeadKey)>,
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

    pub(crate) fn get(&self, file: RecordId) -> Option<&AeadKey> {
        self.keys.get(&file).map(|(_, k)| k)
    }

    pub(crate) fn is_erased(&self, file: RecordId) -> bool {
        self.erased.contains(&file)
    }

    pub(crate) fn insert(&mut self, file: RecordId, key: SecretKey) {
        if !self.erased.contains(&file) && !self.keys.contains_key(&file) {
            let aead = AeadKey::new(&key);
            self.keys.insert(file, (key, aead));
        }
    }

    pub(crate) fn forget(&mut self, file: RecordId) {
        self.keys.remove(&file);
        self.erased.insert(file);
        self.shredded = true;
    }
}

const FILE_KEY_AAD: &str = "komora/file-key/v1";

/// A file key sealed under the master key (bound to device and file), for the client's row.
pub(crate) fn wrap_key(
    master: &SecretKey,
    device: crate::ids::DeviceId,
    file: RecordId,
    key: &SecretKey,
) -> Vec<u8> {
    master.seal(
        &crate::crypto::aad(FILE_KEY_AAD, &[device.as_bytes(), file.as_bytes()]),
        key.expose(),
    )
}

/// The key of `file` as kept on its client's row, if this device holds it.
pub(crate) fn kept_key(
    conn: &Connection,
    master: &SecretKey,
    device: crate::ids::DeviceId,
    file: RecordId,
) -> Result<Option<SecretKey>> {
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
        .and_then(|raw| SecretKey::from_slice(&raw))
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

/// The file key a client's merged state carries (set when the client was recorded).
pub(crate) fn key_in(state: &RecordState) -> Option<SecretKey> {
    parse_key(&state.text(crate::op::FILE_KEY_FIELD)?)
}

pub(crate) fn key_text(key: &SecretKey) -> String {
    key.expose().iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn parse_key(text: &str) -> Option<SecretKey> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(SecretKey::from_bytes(out))
}

/// Destroy `file` on this device, in the caller's transaction: its key (record and
/// operations: the only place it was kept), the materialised state of every record of the
/// file, and remember it was erased so its operations arriving later are never merged.
/// Returns the records that went (for in-memory views). `secure_delete` is on, so the
/// deleted rows are overwritten, not left in free pages.
pub(crate) fn shred(tx: &Transaction<'_>, file: RecordId, now_ms: u64) -> Result<Vec<RecordId>> {
    let mut gone = Vec::new();
    {
        let mut stmt = tx.prepare_cached("SELECT record_id FROM records WHERE file = ?1")?;
        let rows = stmt.query_map([file.as_bytes()], |r| r.get::<_, Vec<u8>>(0))?;
        for row in rows {
            gone.push(RecordId::from_slice(&row?)?);
        }
    }
    // The client's own operations: the first carried the file's key. The server is asked to
    // delete them (at the next sync of a supervisor's or an administrator's tablet).
    tx.prepare_cached(
        "INSERT OR IGNORE INTO pending_erasures (op_id) SELECT op_id FROM ops WHERE record_id = ?1",
    )?
    .execute([file.as_bytes()])?;
    tx.prepare_cached("DELETE FROM ops WHERE record_id = ?1")?
        .execute([file.as_bytes()])?;
    tx.prepare_cached("DELETE FROM records WHERE file = ?1 OR record_id = ?1")?
        .execute([file.as_bytes()])?;
    tx.prepare_cached("INSERT OR IGNORE INTO erased_files (file, erased_at_ms) VALUES (?1, ?2)")?
        .execute(params![file.as_bytes(), now_ms as i64])?;
    if !gone.contains(&file) {
        gone.push(file);
    }
    Ok(gone)
}
