//! Operations: the unit of change, of storage in the log and of exchange between replicas.
//!
//! An operation changes one record. On the wire and in the log it is an [`OpEnvelope`]: the
//! operation id and key epoch in clear (all a relay needs for routing and idempotence), then the
//! operation body, padded to a 32-byte bucket and sealed with the team key of that epoch. The
//! associated data binds the ciphertext to its operation id and epoch, and the body names its
//! record and fields, so nothing can be moved between operations, records or epochs.
//!
//! Inside the seal, the body is followed by its author device's Ed25519 signature over the
//! operation id and the body's exact bytes (ADR 0008): a holder of the team key can read and
//! seal operations, but cannot write one in another device's name or alter one unnoticed.
//! The signature does not cover the epoch, so re-sealing under a newer key keeps it.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use komora_protocol::envelope;

use crate::compress::{pack_with, unpack, Effort, Packing, DICTIONARY_VERSION};
use crate::crypto::{aad, AeadKey, SEAL_OVERHEAD};
use crate::error::{Error, Result};
use crate::hlc::Hlc;
use crate::ids::{DeviceId, OpId, RecordId};
use crate::value::Value;

/// Largest accepted envelope: far above any real operation, small enough to bound memory.
pub const MAX_ENVELOPE_BYTES: usize = envelope::MAX_LEN;
/// The smallest size an operation's sealed plaintext (body and signature) is padded to in a
/// team below [`crate::format::KEYS_APART`] (ADR 0015, 0022): the smallest multiple of 128
/// bytes that holds every everyday operation (a new client with its file's keys, a one-field
/// edit, a consent, a case, a session with a short note), so the server cannot tell them
/// apart by size; above it, Padmé. There a new client carries its file's keys beside its
/// fields and is the largest (about 490 bytes compressed: its two keys alone are about 100).
pub(crate) const PAD_MIN: usize = 512;

/// The floor once a new client's keys travel in an operation of their own (team format
/// [`crate::format::KEYS_APART`], ADR 0022): the client's fields and its keys each fit
/// under it, so every small operation costs 128 bytes less on the wire (`size_study`
/// checks the rule for both floors).
pub(crate) const PAD_MIN_KEYS_APART: usize = 384;

/// The padding floor operations are sealed with in a team at `format` (`None`: a vault with
/// no team). It follows the format because what the floor must hold does: a team writes a
/// new client as one operation below [`crate::format::KEYS_APART`], as two from it on.
pub(crate) fn pad_floor(format: Option<u32>) -> usize {
    match format {
        Some(f) if f >= crate::format::KEYS_APART => PAD_MIN_KEYS_APART,
        _ => PAD_MIN,
    }
}

/// Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication
/// with PURBs", PETS 2019): round `len` up so that only its top O(log log len) bits are kept,
/// at most 12% more; never below `floor` ([`pad_floor`]).
pub(crate) fn padded_len(len: usize, floor: usize) -> usize {
    padme(len).max(floor)
}

fn padme(len: usize) -> usize {
    if len < 2 {
        return len;
    }
    let e = usize::BITS - 1 - len.leading_zeros(); // floor(log2 len)
    let s = u32::BITS - e.leading_zeros(); // floor(log2 e) + 1
    let last_bits = e - s;
    let mask = (1usize << last_bits) - 1;
    (len + mask) & !mask
}
const HEADER_LEN: usize = envelope::HEADER_LEN;
const OP_AAD: &str = "komora/op/v1";
/// The packed layout (issue 20, ADR 0021): the body compressed (or stored) behind a byte that
/// names its packing, its length before it. A different label, so a body of one layout can
/// never be read as the other.
const OP_AAD_PACKED: &str = "komora/op/v2";
const OP_SIG_LABEL: &[u8] = b"komora/op-signature/v1\0";
/// Bytes of an Ed25519 signature.
pub(crate) const SIG_LEN: usize = 64;

/// An add-wins set element's identity: the operation that added it and the change's index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Tag {
    pub op: OpId,
    pub index: u16,
}

/// One change within an operation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Change {
    /// Set a register field. `preds` are the values the author saw in the field (and replaces).
    Set {
        field: String,
        value: Value,
        preds: Vec<OpId>,
    },
    /// Add an element to a set field.
    Add { field: String, value: Value },
    /// Remove the set elements the author saw, by tag (add-wins: concurrent adds survive).
    Remove { field: String, tags: Vec<Tag> },
    /// Delete the record (a tombstone; the log and history stay).
    Delete,
    /// The operation's changes to a record of a client's file, sealed under that file's key
    /// (ADR 0010): the only change of such an operation. Erasing the client destroys the key,
    /// and with it every copy of these bytes, wherever they are.
    Sealed { file: RecordId, sealed: Vec<u8> },
    /// The changes of a record of a client's file that the donors' figures read (ADR 0011),
    /// sealed under the file's statistics key: all a data officer's tablet can open of it.
    Stats { file: RecordId, sealed: Vec<u8> },
    /// The changes of a team record that are not statistics (a group's name, a group
    /// session's notes), sealed under the case-work key of the epoch it was written in,
    /// which data officers never receive.
    Casework { sealed: Vec<u8> },
}

impl fmt::Debug for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Set { field, preds, .. } => {
                write!(f, "Set({field}, [redacted], {} preds)", preds.len())
            }
            Change::Add { field, .. } => write!(f, "Add({field}, [redacted])"),
            Change::Remove { field, tags } => write!(f, "Remove({field}, {} tags)", tags.len()),
            Change::Delete => f.write_str("Delete"),
            Change::Sealed { file, sealed } => {
                write!(f, "Sealed(file {file}, {} bytes)", sealed.len())
            }
            Change::Stats { file, sealed } => {
                write!(f, "Stats(file {file}, {} bytes)", sealed.len())
            }
            Change::Casework { sealed } => write!(f, "Casework({} bytes)", sealed.len()),
        }
    }
}

/// A decoded operation.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Op {
    pub id: OpId,
    pub epoch: u32,
    pub body: OpBody,
    /// The body's exact bytes, as signed (plaintext: zeroised on drop).
    pub body_bytes: zeroize::Zeroizing<Vec<u8>>,
    /// The author device's signature over [`Op::signed_message`].
    pub sig: [u8; SIG_LEN],
    /// How many bytes of plaintext its envelope seals, padding included (0 before it is
    /// sealed): a re-seal keeps it, so the server sees the same size under the new key.
    pub sealed_len: usize,
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body's bytes hold field values: never printed.
        f.debug_struct("Op")
            .field("id", &self.id)
            .field("epoch", &self.epoch)
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}

impl Op {
    /// What the author signs: a domain label, the operation id and the body's bytes.
    pub fn signed_message(&self) -> Vec<u8> {
        signed_message(self.id, &self.body_bytes)
    }
}

fn signed_message(id: OpId, body_bytes: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(OP_SIG_LABEL.len() + 16 + body_bytes.len());
    m.extend_from_slice(OP_SIG_LABEL);
    m.extend_from_slice(id.as_bytes());
    m.extend_from_slice(body_bytes);
    m
}

/// What is sealed inside the envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OpBody {
    pub record: RecordId,
    pub kind: String,
    pub device: DeviceId,
    pub device_seq: u64,
    pub wall_ms: u64,
    pub counter: u32,
    pub changes: Vec<Change>,
    /// The team key epoch it was written in (signed, unlike the envelope's, which a re-seal
    /// after a rotation raises): whether its author was still a member is judged by this.
    pub written_epoch: u32,
    /// How the body and its parts are packed before sealing: `None` for the layout of
    /// before compression (what a team below `format::COMPRESSED_BODIES` writes), `Some` for
    /// the packed layout. Not part of the signed bytes: it is the envelope's layout, learnt
    /// when it is opened.
    #[serde(skip)]
    pub packing: Option<Packing>,
}

impl OpBody {
    pub fn hlc(&self) -> Hlc {
        Hlc {
            wall_ms: self.wall_ms,
            counter: self.counter,
            device: self.device,
        }
    }

    /// Refuse bodies no honest replica writes, before anything is applied.
    fn check(&self) -> Result<()> {
        let bad = || Error::Corrupted {
            what: "an operation",
        };
        if self.kind.is_empty() || self.kind.len() > 32 || self.changes.is_empty() {
            return Err(bad());
        }
        let mut set_fields = BTreeSet::new();
        for change in &self.changes {
            match change {
                Change::Set { field, .. } if !set_fields.insert(field.as_str()) => {
                    return Err(bad())
                }
                Change::Set { field, .. }
                | Change::Add { field, .. }
                | Change::Remove { field, .. }
                    if field.is_empty() || field.len() > 64 =>
                {
                    return Err(bad())
                }
                _ => {}
            }
        }
        if self.changes.len() > u16::MAX as usize {
            return Err(bad());
        }
        let sealed_parts = |c: &&Change| {
            matches!(
                c,
                Change::Sealed { .. } | Change::Stats { .. } | Change::Casework { .. }
            )
        };
        if let Some(file) = self.file() {
            // The file's keys when the operation records the client, then its statistics,
            // then the rest, each sealed (ADR 0010, 0011).
            let keys = self
                .changes
                .iter()
                .take_while(|c| matches!(c, Change::Set { field, .. } if is_key_field(field)))
                .count();
            let key_fields: Vec<&str> = self.changes[..keys]
                .iter()
                .filter_map(|c| match c {
                    Change::Set { field, preds, .. } if preds.is_empty() => Some(field.as_str()),
                    _ => None,
                })
                .collect();
            let keys_ok = matches!(
                key_fields.as_slice(),
                [] | [FILE_KEY_FIELD] | [STATS_KEY_FIELD, FILE_KEY_FIELD]
            ) && key_fields.len() == keys;
            let parts_ok = match &self.changes[keys..] {
                // A new client's keys in an operation of their own (team format 5, ADR
                // 0022): both keys, nothing else.
                [] => key_fields == [STATS_KEY_FIELD, FILE_KEY_FIELD],
                [Change::Stats { file: a, .. }] | [Change::Sealed { file: a, .. }] => *a == file,
                [Change::Stats { file: a, .. }, Change::Sealed { file: b, .. }] => {
                    *a == file && *b == file
                }
                _ => false,
            };
            if !keys_ok || !parts_ok {
                return Err(bad());
            }
        } else {
            let sealed: Vec<_> = self.changes.iter().filter(sealed_parts).collect();
            let last_is_casework = matches!(self.changes.last(), Some(Change::Casework { .. }));
            if !(sealed.is_empty() || (sealed.len() == 1 && last_is_casework)) {
                return Err(bad());
            }
            if self
                .changes
                .iter()
                .any(|c| matches!(c, Change::Set { field, .. } if is_key_field(field)))
            {
                return Err(bad());
            }
        }
        Ok(())
    }

    /// The client file whose keys seal this operation's changes, if any; for an operation
    /// carrying only a new client's keys (ADR 0022), the client's own file, whose keys it
    /// brings (and which an erasure deletes with it).
    pub fn file(&self) -> Option<RecordId> {
        self.changes
            .iter()
            .find_map(|c| match c {
                Change::Sealed { file, .. } | Change::Stats { file, .. } => Some(*file),
                _ => None,
            })
            .or_else(|| self.carries_keys_only().then_some(self.record))
    }

    /// Whether this operation carries a new client's file keys and nothing else: how a team
    /// from format [`crate::format::KEYS_APART`] on records them, apart from the client's
    /// fields, so that neither operation outgrows the smaller padding floor.
    pub(crate) fn carries_keys_only(&self) -> bool {
        !self.changes.is_empty()
            && self
                .changes
                .iter()
                .all(|c| matches!(c, Change::Set { field, .. } if is_key_field(field)))
    }

    /// The file keys this operation carries (it records a client, its own file): the
    /// statistics key in clear (inside the team envelope) and the file key sealed under the
    /// case-work key, as text (`files::carried` reads them).
    pub(crate) fn carried_keys(&self) -> Option<(Option<&str>, &str)> {
        if self.file() != Some(self.record) {
            return None;
        }
        let text = |name: &str| {
            self.changes.iter().find_map(|c| match c {
                Change::Set { field, value, .. } if field == name => value.as_text(),
                _ => None,
            })
        };
        Some((text(STATS_KEY_FIELD), text(FILE_KEY_FIELD)?))
    }

    /// Whether any part of this operation is still sealed (it was not, or could not be,
    /// opened).
    pub(crate) fn has_sealed_parts(&self) -> bool {
        self.changes.iter().any(|c| {
            matches!(
                c,
                Change::Sealed { .. } | Change::Stats { .. } | Change::Casework { .. }
            )
        })
    }

    /// Seal this body's changes, already arranged by `files::arrange` as keys, statistics,
    /// the rest (`readable` of them statistics or keys): for a record of a client's file, the
    /// statistics under `stats` and the rest under `content`; for a team record, the rest
    /// under `casework` (the case-work key of `written_epoch`). The keys stay in clear
    /// inside the team envelope: it is how the team receives them, and what an erasure
    /// deletes.
    pub(crate) fn seal_parts(&mut self, readable: usize, keys: &PartKeys<'_>) {
        self.seal_parts_with(readable, keys, Effort::Best);
    }

    /// [`Self::seal_parts`], each part compressed as hard as `effort` says.
    pub(crate) fn seal_parts_with(&mut self, readable: usize, keys: &PartKeys<'_>, effort: Effort) {
        let changes = std::mem::take(&mut self.changes);
        let key_count = changes
            .iter()
            .take_while(|c| matches!(c, Change::Set { field, .. } if is_key_field(field)))
            .count();
        let mut rest = changes;
        let private = rest.split_off(readable.max(key_count));
        let stats = rest.split_off(key_count);
        let mut out = rest;
        let packing = self.packing;
        let seal = |key: &AeadKey, aad: &[u8], part: &[Change]| {
            let plain =
                zeroize::Zeroizing::new(postcard::to_allocvec(part).expect("changes serialise"));
            match packing {
                Some(p) => key.seal(aad, &pack_with(&plain, p, effort)),
                None => key.seal(aad, &plain),
            }
        };
        let packed = packing.is_some();
        match keys {
            PartKeys::File {
                file,
                stats: sk,
                content,
            } => {
                if !stats.is_empty() {
                    out.push(Change::Stats {
                        file: *file,
                        sealed: seal(sk, &part_aad(STATS_AAD, packed, *file, self.record), &stats),
                    });
                }
                if !private.is_empty() {
                    out.push(Change::Sealed {
                        file: *file,
                        sealed: seal(
                            content,
                            &part_aad(FILE_AAD, packed, *file, self.record),
                            &private,
                        ),
                    });
                }
            }
            PartKeys::Team { casework } => {
                out.extend(stats);
                if !private.is_empty() {
                    let aad = casework_aad(packed, self.record, self.written_epoch);
                    out.push(Change::Casework {
                        sealed: seal(casework, &aad, &private),
                    });
                }
            }
        }
        self.changes = out;
    }

    /// Open the sealed parts this device holds the keys for, in place; a part it holds no key
    /// for (a data officer's tablet, without the case-work and file keys) is dropped, so
    /// only what it may read is merged. Refuses parts that do not open or do not form a
    /// valid body.
    pub(crate) fn open_parts(&mut self, keys: &OpenKeys<'_>) -> Result<()> {
        let bad = || Error::Corrupted {
            what: "an operation",
        };
        let mut out = Vec::with_capacity(self.changes.len());
        let packed = self.packing.is_some();
        for change in std::mem::take(&mut self.changes) {
            let (key, aad, sealed) = match change {
                Change::Stats { file, sealed } => (
                    keys.stats,
                    part_aad(STATS_AAD, packed, file, self.record),
                    sealed,
                ),
                Change::Sealed { file, sealed } => (
                    keys.content,
                    part_aad(FILE_AAD, packed, file, self.record),
                    sealed,
                ),
                Change::Casework { sealed } => (
                    keys.casework,
                    casework_aad(packed, self.record, self.written_epoch),
                    sealed,
                ),
                other => {
                    out.push(other);
                    continue;
                }
            };
            let Some(key) = key else { continue };
            let mut plain = key.open(&aad, &sealed).ok_or_else(bad)?;
            if packed {
                plain = unpack(&plain, MAX_ENVELOPE_BYTES, "an operation")?;
            }
            let inner: Vec<Change> = postcard::from_bytes(&plain).map_err(|_| bad())?;
            if inner.iter().any(|c| {
                matches!(
                    c,
                    Change::Sealed { .. } | Change::Stats { .. } | Change::Casework { .. }
                ) || matches!(c, Change::Set { field, .. } if is_key_field(field))
            }) {
                return Err(bad());
            }
            out.extend(inner);
        }
        let opened = OpBody {
            changes: out,
            ..self.clone()
        };
        opened.check_opened()?;
        self.changes = opened.changes;
        Ok(())
    }

    /// The checks of [`OpBody::check`] that still apply once parts are opened (some may have
    /// been dropped: the body may then be empty).
    fn check_opened(&self) -> Result<()> {
        if self.changes.is_empty() {
            return Ok(());
        }
        let probe = OpBody {
            changes: self
                .changes
                .iter()
                .filter(|c| !matches!(c, Change::Set { field, .. } if is_key_field(field)))
                .cloned()
                .collect(),
            ..self.clone()
        };
        if probe.changes.is_empty() {
            return Ok(());
        }
        probe.check()
    }
}

/// The keys to seal an operation's parts with.
pub(crate) enum PartKeys<'a> {
    File {
        file: RecordId,
        stats: &'a AeadKey,
        content: &'a AeadKey,
    },
    Team {
        casework: &'a AeadKey,
    },
}

/// The keys a device holds to open an operation's parts (`None`: the part is dropped).
#[derive(Default)]
pub(crate) struct OpenKeys<'a> {
    pub stats: Option<&'a AeadKey>,
    pub content: Option<&'a AeadKey>,
    pub casework: Option<&'a AeadKey>,
}

const STATS_AAD: &str = "komora/file-stats/v1";
const CASEWORK_AAD: &str = "komora/casework-changes/v1";
/// The field of a client's first operation that carries its file's statistics key (ADR 0011).
pub(crate) const STATS_KEY_FIELD: &str = "_stats_key";

pub(crate) fn is_key_field(field: &str) -> bool {
    field == FILE_KEY_FIELD || field == STATS_KEY_FIELD
}

/// A part's associated data: its label, and for the packed layout a mark, so a part of one
/// layout never opens as the other.
fn part_aad(label: &str, packed: bool, file: RecordId, record: RecordId) -> Vec<u8> {
    let mark: &[u8] = if packed { PACKED_PART } else { &[] };
    aad(label, &[file.as_bytes(), record.as_bytes(), mark])
}

fn casework_aad(packed: bool, record: RecordId, epoch: u32) -> Vec<u8> {
    let mark: &[u8] = if packed { PACKED_PART } else { &[] };
    aad(
        CASEWORK_AAD,
        &[record.as_bytes(), &epoch.to_be_bytes(), mark],
    )
}

const PACKED_PART: &[u8] = b"packed";

const FILE_AAD: &str = "komora/file-changes/v1";
/// The field of a client's first operation that carries its file's key, sealed under the
/// case-work key (ADR 0010, 0011; a bare key in operations written before data officers).
pub(crate) const FILE_KEY_FIELD: &str = "_file_key";

/// An encrypted operation as it is stored in the log and exchanged.
#[derive(Clone, PartialEq, Eq)]
pub struct OpEnvelope {
    op_id: OpId,
    epoch: u32,
    sealed: Vec<u8>,
}

impl fmt::Debug for OpEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OpEnvelope({}, epoch {}, {} bytes)",
            self.op_id,
            self.epoch,
            self.sealed.len()
        )
    }
}

impl OpEnvelope {
    pub fn op_id(&self) -> OpId {
        self.op_id
    }

    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Size on the wire.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.sealed.len()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.push(envelope::VERSION);
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(self.op_id.as_bytes());
        out.extend_from_slice(&self.sealed);
        out
    }

    /// Parse an envelope from bytes that came from outside. Checks framing only; the content is
    /// checked when it is opened.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let header = envelope::header(bytes).ok_or(Error::Corrupted {
            what: "an operation",
        })?;
        Ok(Self {
            op_id: OpId(header.op_id),
            epoch: header.epoch,
            sealed: bytes[HEADER_LEN..].to_vec(),
        })
    }

    /// Sign `body` as `signer` and seal it, padded to at least `floor` ([`pad_floor`]): a new
    /// operation of this device. Its body is compressed at the best level (see
    /// [`Self::seal_new`] for the quick way).
    pub(crate) fn seal(
        op_id: OpId,
        epoch: u32,
        body: OpBody,
        signer: &ed25519_dalek::SigningKey,
        key: &AeadKey,
        floor: usize,
    ) -> (Self, Op) {
        let body_bytes = postcard::to_allocvec(&body).expect("operation bodies always serialise");
        let framed = framed_bytes(&body_bytes, body.packing, Effort::Best);
        Self::sign_and_seal(op_id, epoch, body, body_bytes, framed, signer, key, floor)
    }

    /// A new operation of this device, as [`Self::seal`] makes it, its sealed parts made by
    /// `seal_parts` (`OpBody::seal_parts_with`). Compressed quickly first (parts and body):
    /// when that fits under the floor, the padding makes it the floor's size whatever the
    /// level, and the best level would buy no byte on the link; otherwise the parts and the
    /// body are made again at the best level. Signed once, when the bytes are settled.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn seal_new(
        op_id: OpId,
        epoch: u32,
        body: OpBody,
        seal_parts: impl Fn(&mut OpBody, Effort),
        signer: &ed25519_dalek::SigningKey,
        key: &AeadKey,
        floor: usize,
    ) -> (Self, Op) {
        if body.packing.is_some() {
            let mut quick = body.clone();
            seal_parts(&mut quick, Effort::Quick);
            let body_bytes =
                postcard::to_allocvec(&quick).expect("operation bodies always serialise");
            let framed = framed_bytes(&body_bytes, quick.packing, Effort::Quick);
            if framed.0.len() + SIG_LEN <= floor {
                return Self::sign_and_seal(
                    op_id, epoch, quick, body_bytes, framed, signer, key, floor,
                );
            }
        }
        let mut body = body;
        seal_parts(&mut body, Effort::Best);
        Self::seal(op_id, epoch, body, signer, key, floor)
    }

    #[allow(clippy::too_many_arguments)]
    fn sign_and_seal(
        op_id: OpId,
        epoch: u32,
        body: OpBody,
        body_bytes: Vec<u8>,
        (framed, label): (zeroize::Zeroizing<Vec<u8>>, &'static str),
        signer: &ed25519_dalek::SigningKey,
        key: &AeadKey,
        floor: usize,
    ) -> (Self, Op) {
        use ed25519_dalek::Signer;
        let sig = signer.sign(&signed_message(op_id, &body_bytes)).to_bytes();
        let mut op = Op {
            id: op_id,
            epoch,
            body,
            body_bytes: zeroize::Zeroizing::new(body_bytes),
            sig,
            sealed_len: 0,
        };
        op.sealed_len = padded_len(framed.len() + SIG_LEN, floor);
        let envelope = Self::seal_framed(&op, epoch, key, &framed, label);
        (envelope, op)
    }

    /// The same operation (its id, epoch and change) under another number of its author,
    /// signed again and sealed to the size it had: for a waiting operation of a tablet put back
    /// from an old copy of itself, whose number the server already holds under another
    /// operation (ADR 0032).
    pub(crate) fn renumbered(
        op: &Op,
        device_seq: u64,
        signer: &ed25519_dalek::SigningKey,
        key: &AeadKey,
    ) -> (Self, Op) {
        let mut body = op.body.clone();
        body.device_seq = device_seq;
        let body_bytes = postcard::to_allocvec(&body).expect("operation bodies always serialise");
        let framed = framed_bytes(&body_bytes, body.packing, Effort::Best);
        Self::sign_and_seal(
            op.id,
            op.epoch,
            body,
            body_bytes,
            framed,
            signer,
            key,
            op.sealed_len,
        )
    }

    /// Seal an already signed operation under the key of `epoch` (a rotation re-seals what
    /// was not pushed yet; the signature stays valid), padded to the size it had: the floor
    /// it was written with, whatever the team's format is now. Its body is compressed
    /// quickly when that fits in that size, as `seal_new` did.
    pub(crate) fn reseal(op: &Op, epoch: u32, key: &AeadKey) -> Self {
        let quick = framed_bytes(&op.body_bytes, op.body.packing, Effort::Quick);
        let (body, label) = if quick.0.len() + SIG_LEN <= op.sealed_len {
            quick
        } else {
            framed_body(op)
        };
        Self::seal_framed(op, epoch, key, &body, label)
    }

    /// How many bytes of plaintext `op` seals before padding (its framed body and its
    /// signature), compressed at the best level: what the padding floor is measured against
    /// (ADR 0022).
    pub(crate) fn unpadded_len(op: &Op) -> usize {
        framed_body(op).0.len() + SIG_LEN
    }

    /// An operation whose packed body is exactly `packed` (its first byte naming the
    /// packing), as an app with other dictionaries would write it: for the tests that show
    /// such an operation waits rather than being lost.
    #[cfg(feature = "insider-attacks")]
    pub(crate) fn seal_packed_as_is(op: &Op, epoch: u32, key: &AeadKey, packed: &[u8]) -> Self {
        let mut framed = zeroize::Zeroizing::new(
            postcard::to_allocvec(&(packed.len() as u32)).expect("a length serialises"),
        );
        framed.extend_from_slice(packed);
        Self::seal_framed(op, epoch, key, &framed, OP_AAD_PACKED)
    }

    /// Seal `body` (framed) and the signature, padded to the operation's sealed size, or to
    /// the smallest floor when it has none or has outgrown it (an altered body in the
    /// insider tests).
    fn seal_framed(op: &Op, epoch: u32, key: &AeadKey, body: &[u8], label: &str) -> Self {
        let padded = padded_len(body.len() + SIG_LEN, PAD_MIN_KEYS_APART).max(op.sealed_len);
        let mut plain = Vec::with_capacity(padded);
        plain.extend_from_slice(body);
        plain.extend_from_slice(&op.sig);
        plain.resize(padded, 0);
        let sealed = key.seal(
            &aad(label, &[op.id.as_bytes(), &epoch.to_be_bytes()]),
            &plain,
        );
        zeroize::Zeroize::zeroize(&mut plain);
        Self {
            op_id: op.id,
            epoch,
            sealed,
        }
    }

    /// Open and decode. Checks the seal and the body's form; the signature is checked by the
    /// receiver against the team's device list (`Store::apply_remote`).
    pub(crate) fn open(&self, key: &AeadKey) -> Result<Op> {
        let corrupted = || Error::Corrupted {
            what: "an operation",
        };
        // The packed layout first (what teams write once their format allows it), then the
        // layout of before: each under its own label, so only one can open.
        let at = [self.op_id.as_bytes().as_slice(), &self.epoch.to_be_bytes()];
        if let Some(plain) = key.open(&aad(OP_AAD_PACKED, &at), &self.sealed) {
            let (len, rest): (u32, _) =
                postcard::take_from_bytes(&plain).map_err(|_| corrupted())?;
            let len = len as usize;
            if rest.len() < len + SIG_LEN {
                return Err(corrupted());
            }
            let (packed, rest) = rest.split_at(len);
            let body_bytes = unpack(packed, MAX_ENVELOPE_BYTES, "an operation")?;
            let (mut body, left): (OpBody, _) =
                postcard::take_from_bytes(&body_bytes).map_err(|_| corrupted())?;
            if !left.is_empty() {
                return Err(corrupted());
            }
            body.packing = Some(Packing::Dictionary(DICTIONARY_VERSION));
            return self.opened(body, body_bytes, rest);
        }
        let plain = zeroize::Zeroizing::new(
            key.open(&op_aad(self.op_id, self.epoch), &self.sealed)
                .ok_or_else(corrupted)?,
        );
        let (body, rest): (OpBody, _) =
            postcard::take_from_bytes(&plain).map_err(|_| corrupted())?;
        let body_len = plain.len() - rest.len();
        let body_bytes = zeroize::Zeroizing::new(plain[..body_len].to_vec());
        self.opened(body, body_bytes, rest)
    }

    /// The checks both layouts share: the signature, then only zeros (the padding).
    fn opened(
        &self,
        body: OpBody,
        body_bytes: zeroize::Zeroizing<Vec<u8>>,
        rest: &[u8],
    ) -> Result<Op> {
        let corrupted = || Error::Corrupted {
            what: "an operation",
        };
        if rest.len() < SIG_LEN || rest[SIG_LEN..].iter().any(|&b| b != 0) {
            return Err(corrupted());
        }
        let sig: [u8; SIG_LEN] = rest[..SIG_LEN].try_into().expect("64 bytes");
        body.check()?;
        Ok(Op {
            id: self.op_id,
            epoch: self.epoch,
            body,
            body_bytes,
            sig,
            sealed_len: self.sealed.len().saturating_sub(SEAL_OVERHEAD),
        })
    }
}

/// The body as it is sealed, and the label of its layout. The packed layout: the body packed
/// (compressed when it pays), its length before it; padded after compression, so the padding
/// hides what compression made of it.
fn framed_body(op: &Op) -> (zeroize::Zeroizing<Vec<u8>>, &'static str) {
    framed_bytes(&op.body_bytes, op.body.packing, Effort::Best)
}

/// [`framed_body`] of a body's bytes, compressed as hard as `effort` says.
fn framed_bytes(
    body_bytes: &[u8],
    packing: Option<Packing>,
    effort: Effort,
) -> (zeroize::Zeroizing<Vec<u8>>, &'static str) {
    match packing {
        Some(p) => {
            let packed = pack_with(body_bytes, p, effort);
            let mut framed = zeroize::Zeroizing::new(
                postcard::to_allocvec(&(packed.len() as u32)).expect("a length serialises"),
            );
            framed.extend_from_slice(&packed);
            (framed, OP_AAD_PACKED)
        }
        None => (zeroize::Zeroizing::new(body_bytes.to_vec()), OP_AAD),
    }
}

fn op_aad(op_id: OpId, epoch: u32) -> Vec<u8> {
    aad(OP_AAD, &[op_id.as_bytes(), &epoch.to_be_bytes()])
}

const BATCH_MAGIC: &[u8; 8] = b"KMRAOPS1";
/// A batch that also carries the team's signed device list, so a tablet that has not met the
/// author's device yet can still check who wrote what (ADR 0008).
const BATCH_MAGIC_V2: &[u8; 8] = b"KMRAOPS2";
/// Largest batch accepted from a file or a peer: 64 MiB.
pub const MAX_BATCH_BYTES: usize = 64 * 1024 * 1024;

/// Encode envelopes as one batch, for offline transfer by file.
pub fn encode_batch(envelopes: &[OpEnvelope]) -> Vec<u8> {
    let mut out = BATCH_MAGIC.to_vec();
    put_items(&mut out, envelopes.iter().map(OpEnvelope::to_bytes));
    out
}

/// A batch with the device-list statements that prove its authors.
pub(crate) fn encode_batch_with(envelopes: &[OpEnvelope], statements: &[Vec<u8>]) -> Vec<u8> {
    let mut out = BATCH_MAGIC_V2.to_vec();
    put_items(&mut out, envelopes.iter().map(OpEnvelope::to_bytes));
    put_items(&mut out, statements.iter().cloned());
    out
}

fn put_items(out: &mut Vec<u8>, items: impl ExactSizeIterator<Item = Vec<u8>>) {
    out.extend_from_slice(&(items.len() as u32).to_be_bytes());
    for bytes in items {
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(&bytes);
    }
}

/// Length-prefixed items, each at least `min_len` bytes (which bounds the count by the length).
fn take_items<'a>(rest: &mut &'a [u8], min_len: usize) -> Result<Vec<&'a [u8]>> {
    if rest.len() < 4 {
        return Err(Error::NotABatch);
    }
    let count = u32::from_be_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
    *rest = &rest[4..];
    if count > rest.len() / (4 + min_len) {
        return Err(Error::NotABatch);
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        if rest.len() < 4 {
            return Err(Error::NotABatch);
        }
        let len = u32::from_be_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
        *rest = &rest[4..];
        if len > rest.len() {
            return Err(Error::NotABatch);
        }
        out.push(&rest[..len]);
        *rest = &rest[len..];
    }
    Ok(out)
}

/// Decode a whole batch before any of it is used; any framing error refuses the batch.
pub fn decode_batch(bytes: &[u8]) -> Result<Vec<OpEnvelope>> {
    decode_batch_with(bytes).map(|(ops, _)| ops)
}

/// A batch's envelopes and the device-list statements it carries (none in the first format).
pub(crate) fn decode_batch_with(bytes: &[u8]) -> Result<(Vec<OpEnvelope>, Vec<Vec<u8>>)> {
    if bytes.len() > MAX_BATCH_BYTES || bytes.len() < 12 {
        return Err(Error::NotABatch);
    }
    let with_statements = match &bytes[..8] {
        m if m == BATCH_MAGIC => false,
        m if m == BATCH_MAGIC_V2 => true,
        _ => return Err(Error::NotABatch),
    };
    let mut rest = &bytes[8..];
    let ops = take_items(&mut rest, HEADER_LEN + SEAL_OVERHEAD)?
        .into_iter()
        .map(OpEnvelope::from_bytes)
        .collect::<Result<Vec<_>>>()?;
    let statements = if with_statements {
        take_items(&mut rest, 1)?
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect()
    } else {
        Vec::new()
    };
    if !rest.is_empty() {
        return Err(Error::NotABatch);
    }
    Ok((ops, statements))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::SecretKey;

    fn body() -> OpBody {
        OpBody {
            record: RecordId::random(),
            kind: "client".into(),
            device: DeviceId::random(),
            device_seq: 1,
            wall_ms: 1_700_000_000_000,
            counter: 0,
            changes: vec![Change::Set {
                field: "name".into(),
                value: "Mukamana".into(),
                preds: vec![],
            }],
            written_epoch: 1,
            packing: None,
        }
    }

    fn signer() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&crate::crypto::random_array())
    }

    fn sealed(key: &AeadKey) -> OpEnvelope {
        OpEnvelope::seal(OpId::random(), 1, body(), &signer(), key, PAD_MIN).0
    }

    #[test]
    fn an_envelope_round_trips_and_refuses_tampering_of_any_byte() {
        let key = AeadKey::new(&SecretKey::random());
        let env = sealed(&key);
        let bytes = env.to_bytes();
        assert_eq!(
            bytes.len() % 16,
            (HEADER_LEN + SEAL_OVERHEAD) % 16,
            "padded to the bucket"
        );
        let back = OpEnvelope::from_bytes(&bytes).unwrap();
        assert_eq!(back.open(&key).unwrap().body, env.open(&key).unwrap().body);
        for i in 0..bytes.len() {
            let mut t = bytes.clone();
            t[i] ^= 0x20;
            let opened = OpEnvelope::from_bytes(&t).and_then(|e| e.open(&key));
            assert!(opened.is_err(), "byte {i} flipped yet accepted");
        }
    }

    #[test]
    fn batches_round_trip_and_garbage_is_refused() {
        let key = AeadKey::new(&SecretKey::random());
        let envs: Vec<_> = (0..3).map(|_| sealed(&key)).collect();
        let bytes = encode_batch(&envs);
        assert_eq!(decode_batch(&bytes).unwrap(), envs);
        assert!(decode_batch(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode_batch(b"hello world, not a batch").is_err());
        let mut huge_count = bytes.clone();
        huge_count[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(decode_batch(&huge_count).is_err());

        let statements = vec![b"signed statement".to_vec()];
        let with = encode_batch_with(&envs, &statements);
        assert_eq!(
            decode_batch_with(&with).unwrap(),
            (envs.clone(), statements)
        );
        assert_eq!(decode_batch(&with).unwrap(), envs);
        assert!(decode_batch(&with[..with.len() - 1]).is_err());
    }

    #[test]
    fn the_signature_covers_the_id_and_body_and_survives_a_reseal() {
        use ed25519_dalek::Verifier;
        let (k1, k2) = (
            AeadKey::new(&SecretKey::random()),
            AeadKey::new(&SecretKey::random()),
        );
        let author = signer();
        let (env, op) = OpEnvelope::seal(OpId::random(), 1, body(), &author, &k1, PAD_MIN);
        let opened = env.open(&k1).unwrap();
        assert_eq!(opened, op);
        let sig = ed25519_dalek::Signature::from_bytes(&opened.sig);
        author
            .verifying_key()
            .verify(&opened.signed_message(), &sig)
            .unwrap();
        let moved = OpEnvelope::reseal(&opened, 2, &k2).open(&k2).unwrap();
        assert_eq!((moved.epoch, &moved.sig), (2, &opened.sig));
        let elsewhere = Op {
            id: OpId::random(),
            ..opened
        };
        assert!(
            author
                .verifying_key()
                .verify(&elsewhere.signed_message(), &sig)
                .is_err(),
            "the signature binds the operation id"
        );
    }

    /// A new operation that fits under the floor is compressed quickly (padded to the floor
    /// its size is the floor's whatever the level); one above it is compressed at the best
    /// level, exactly as `seal` makes it: the quick way never costs a byte on the link, and
    /// what it seals opens, checks and re-seals as any operation.
    #[test]
    fn compressing_quickly_never_costs_a_byte_on_the_link() {
        use ed25519_dalek::Verifier;
        let file = RecordId::random();
        let (stats, content, team, next) = (
            AeadKey::new(&SecretKey::random()),
            AeadKey::new(&SecretKey::random()),
            AeadKey::new(&SecretKey::random()),
            AeadKey::new(&SecretKey::random()),
        );
        let keys = PartKeys::File {
            file,
            stats: &stats,
            content: &content,
        };
        let set = |field: &str, value: &str| Change::Set {
            field: field.into(),
            value: value.into(),
            preds: vec![],
        };
        let session = |note: &str| {
            let mut b = body();
            b.kind = "session".into();
            b.packing = Some(Packing::Dictionary(DICTIONARY_VERSION));
            b.changes = vec![set("date", "2026-12-01"), set("notes", note)];
            b
        };
        // A long note of syllables no dictionary knows well: far above the floor.
        let syllables = [
            "ba", "ku", "mu", "ra", "ye", "ndi", "nga", "twa", "bwo", "zi", "he",
        ];
        let mut x = 7u64;
        let long: String = (0..700)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let s = syllables[(x >> 33) as usize % syllables.len()];
                if (x >> 20).is_multiple_of(5) {
                    format!("{s} ")
                } else {
                    s.to_owned()
                }
            })
            .collect();
        let author = signer();
        for (note, above_floor) in [
            ("She wept, then spoke of her son.", false),
            (&long[..], true),
        ] {
            let (quick, quick_op) = OpEnvelope::seal_new(
                OpId::random(),
                1,
                session(note),
                |b, effort| b.seal_parts_with(1, &keys, effort),
                &author,
                &team,
                PAD_MIN_KEYS_APART,
            );
            let mut best_body = session(note);
            best_body.seal_parts(1, &keys);
            let (best, best_op) = OpEnvelope::seal(
                OpId::random(),
                1,
                best_body,
                &author,
                &team,
                PAD_MIN_KEYS_APART,
            );
            assert_eq!(quick.sealed.len(), best.sealed.len(), "{above_floor}");
            assert_eq!(
                quick.sealed.len() > PAD_MIN_KEYS_APART + SEAL_OVERHEAD,
                above_floor
            );
            if above_floor {
                assert_eq!(
                    quick_op.body_bytes.len(),
                    best_op.body_bytes.len(),
                    "above the floor, the parts are compressed at the best level too"
                );
            }
            let mut opened = quick.open(&team).unwrap();
            author
                .verifying_key()
                .verify(
                    &opened.signed_message(),
                    &ed25519_dalek::Signature::from_bytes(&opened.sig),
                )
                .unwrap();
            let moved = OpEnvelope::reseal(&opened, 2, &next);
            assert_eq!(
                moved.sealed.len(),
                quick.sealed.len(),
                "a rotation keeps its size"
            );
            opened
                .body
                .open_parts(&OpenKeys {
                    stats: Some(&stats),
                    content: Some(&content),
                    casework: None,
                })
                .unwrap();
            assert_eq!(opened.body.changes, session(note).changes);
        }
    }

    #[test]
    fn a_part_opens_only_with_its_key_and_a_tablet_without_it_keeps_the_rest() {
        let file = RecordId::random();
        let (stats, content) = (
            AeadKey::new(&SecretKey::random()),
            AeadKey::new(&SecretKey::random()),
        );
        let set = |field: &str, value: &str| Change::Set {
            field: field.into(),
            value: value.into(),
            preds: vec![],
        };
        let mut b = body();
        b.kind = "session".into();
        b.changes = vec![set("date", "2026-12-01"), set("notes", "She wept")];
        let plain = b.changes.clone();
        b.seal_parts(
            1,
            &PartKeys::File {
                file,
                stats: &stats,
                content: &content,
            },
        );
        b.check().unwrap();
        assert!(!format!("{:?}", b.changes).contains("wept"));
        let mut full = b.clone();
        full.open_parts(&OpenKeys {
            stats: Some(&stats),
            content: Some(&content),
            casework: None,
        })
        .unwrap();
        assert_eq!(full.changes, plain, "every tablet sees the author's order");
        let mut officer = b.clone();
        officer
            .open_parts(&OpenKeys {
                stats: Some(&stats),
                ..OpenKeys::default()
            })
            .unwrap();
        assert_eq!(officer.changes, plain[..1], "the statistics alone");
        let mut wrong = b.clone();
        assert!(wrong
            .open_parts(&OpenKeys {
                stats: Some(&content),
                content: Some(&stats),
                casework: None,
            })
            .is_err());
        // Parts of another file, or out of order, are refused before anything opens.
        let mut moved = b.clone();
        if let Some(Change::Sealed { file: f, .. }) = moved.changes.last_mut() {
            *f = RecordId::random();
        }
        assert!(moved.check().is_err());
        let mut swapped = b.clone();
        swapped.changes.reverse();
        assert!(swapped.check().is_err());
        let mut team = body();
        team.kind = "group".into();
        team.changes = vec![set("kind", "healing-group"), set("name", "Ruheru")];
        let casework = AeadKey::new(&SecretKey::random());
        team.seal_parts(
            1,
            &PartKeys::Team {
                casework: &casework,
            },
        );
        team.check().unwrap();
        let mut seen = team.clone();
        seen.open_parts(&OpenKeys::default()).unwrap();
        assert_eq!(
            seen.changes.len(),
            1,
            "a data officer sees the group's kind only"
        );
        team.changes.insert(
            0,
            Change::Casework {
                sealed: vec![0; 40],
            },
        );
        assert!(team.check().is_err(), "a case-work part comes last, once");
    }

    #[test]
    fn padme_keeps_sizes_coarse_and_costs_at_most_twelve_percent_above_the_minimum() {
        for floor in [PAD_MIN, PAD_MIN_KEYS_APART] {
            assert_eq!(padded_len(1, floor), floor);
            assert_eq!(padded_len(floor, floor), floor);
        }
        assert_eq!(pad_floor(None), PAD_MIN);
        assert_eq!(pad_floor(Some(crate::format::CUTOFF_FIELDS)), PAD_MIN);
        assert_eq!(
            pad_floor(Some(crate::format::KEYS_APART)),
            PAD_MIN_KEYS_APART
        );
        assert_eq!(padme(1000), 1024);
        assert_eq!(padme(1500), 1536);
        assert_eq!(padme(9000), 9216);
        let mut buckets = std::collections::BTreeSet::new();
        for len in PAD_MIN..=64 * 1024 {
            let p = padded_len(len, PAD_MIN);
            assert!(
                p >= len && (p - len) as f64 <= 0.12 * len as f64,
                "{len} -> {p}"
            );
            buckets.insert(p);
        }
        // From 512 bytes to 64 KiB, 65,025 sizes fall into few buckets: what the server can
        // tell apart.
        assert!(buckets.len() < 150, "{} buckets", buckets.len());
    }

    #[test]
    fn every_kind_round_trips_compressed_and_as_before() {
        let team = AeadKey::new(&SecretKey::random());
        let (stats, content, casework) = (
            AeadKey::new(&SecretKey::random()),
            AeadKey::new(&SecretKey::random()),
            AeadKey::new(&SecretKey::random()),
        );
        let note = crate::synthetic::Writer::new(5).note();
        for kind in crate::registry::KINDS.iter() {
            for packing in [None, Some(Packing::Dictionary(DICTIONARY_VERSION))] {
                let mut b = body();
                b.kind = kind.name.into();
                b.packing = packing;
                b.changes = vec![
                    Change::Set {
                        field: "date".into(),
                        value: "2026-12-01".into(),
                        preds: vec![],
                    },
                    Change::Set {
                        field: "notes".into(),
                        value: note.clone().into(),
                        preds: vec![OpId::random()],
                    },
                ];
                let plain = b.changes.clone();
                let file = RecordId::random();
                if kind.owner_field().is_some() {
                    b.seal_parts(
                        1,
                        &PartKeys::File {
                            file,
                            stats: &stats,
                            content: &content,
                        },
                    );
                } else {
                    b.seal_parts(
                        1,
                        &PartKeys::Team {
                            casework: &casework,
                        },
                    );
                }
                let (env, _) = OpEnvelope::seal(OpId::random(), 1, b, &signer(), &team, PAD_MIN);
                let mut opened = env.open(&team).unwrap();
                assert_eq!(opened.body.packing.is_some(), packing.is_some());
                opened
                    .body
                    .open_parts(&OpenKeys {
                        stats: Some(&stats),
                        content: Some(&content),
                        casework: Some(&casework),
                    })
                    .unwrap();
                assert_eq!(opened.body.changes, plain, "{}", kind.name);
            }
        }
    }

    #[test]
    fn debug_output_shows_no_content() {
        let b = body();
        let shown = format!("{b:?}");
        assert!(!shown.contains("Mukamana"), "{shown}");
    }
}
