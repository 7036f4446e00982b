//! Operations: the unit of change, of storage in the log and of exchange between replicas.
//!
//! An operation changes one record. On the wire and in the log it is an [`OpEnvelope`]: the
//! operation id and key epoch in clear (all a relay needs for routing and idempotence), then the
//! operation body, padded to a 32-byte bucket and sealed with the team key of that epoch. The
//! associated data binds the ciphertext to its operation id and epoch, and the body names its
//! record and fields, so nothing can be moved between operations, records or epochs.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use komora_protocol::envelope;

use crate::crypto::{aad, AeadKey, SEAL_OVERHEAD};
use crate::error::{Error, Result};
use crate::hlc::Hlc;
use crate::ids::{DeviceId, OpId, RecordId};
use crate::value::Value;

/// Largest accepted envelope: far above any real operation, small enough to bound memory.
pub const MAX_ENVELOPE_BYTES: usize = envelope::MAX_LEN;
/// Plaintext bodies are padded to a multiple of this so sizes do not reveal content.
const PAD_BUCKET: usize = 32;
const HEADER_LEN: usize = envelope::HEADER_LEN;
const OP_AAD: &str = "komora/op/v1";

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
        }
    }
}

/// A decoded operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Op {
    pub id: OpId,
    pub epoch: u32,
    pub body: OpBody,
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
        Ok(())
    }
}

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

    pub(crate) fn seal(op_id: OpId, epoch: u32, body: &OpBody, key: &AeadKey) -> Self {
        let mut plain = postcard::to_allocvec(body).expect("operation bodies always serialise");
        let padded = plain.len().div_ceil(PAD_BUCKET).max(1) * PAD_BUCKET;
        plain.resize(padded, 0);
        let sealed = key.seal(&op_aad(op_id, epoch), &plain);
        zeroize::Zeroize::zeroize(&mut plain);
        Self {
            op_id,
            epoch,
            sealed,
        }
    }

    pub(crate) fn open(&self, key: &AeadKey) -> Result<Op> {
        let corrupted = || Error::Corrupted {
            what: "an operation",
        };
        let plain = key
            .open(&op_aad(self.op_id, self.epoch), &self.sealed)
            .ok_or_else(corrupted)?;
        let (body, padding): (OpBody, _) =
            postcard::take_from_bytes(&plain).map_err(|_| corrupted())?;
        if padding.iter().any(|&b| b != 0) {
            return Err(corrupted());
        }
        body.check()?;
        Ok(Op {
            id: self.op_id,
            epoch: self.epoch,
            body,
        })
    }
}

fn op_aad(op_id: OpId, epoch: u32) -> Vec<u8> {
    aad(OP_AAD, &[op_id.as_bytes(), &epoch.to_be_bytes()])
}

const BATCH_MAGIC: &[u8; 8] = b"KMRAOPS1";
/// Largest batch accepted from a file or a peer: 64 MiB.
pub const MAX_BATCH_BYTES: usize = 64 * 1024 * 1024;

/// Encode envelopes as one batch, for offline transfer by file.
pub fn encode_batch(envelopes: &[OpEnvelope]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(12 + envelopes.iter().map(|e| e.encoded_len() + 4).sum::<usize>());
    out.extend_from_slice(BATCH_MAGIC);
    out.extend_from_slice(&(envelopes.len() as u32).to_be_bytes());
    for env in envelopes {
        let bytes = env.to_bytes();
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(&bytes);
    }
    out
}

/// Decode a whole batch before any of it is used; any framing error refuses the batch.
pub fn decode_batch(bytes: &[u8]) -> Result<Vec<OpEnvelope>> {
    if bytes.len() > MAX_BATCH_BYTES || bytes.len() < 12 || &bytes[..8] != BATCH_MAGIC {
        return Err(Error::NotABatch);
    }
    let count = u32::from_be_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    let mut rest = &bytes[12..];
    // Each envelope takes at least its header, so the count is bounded by the length.
    if count > rest.len() / (4 + HEADER_LEN + SEAL_OVERHEAD) {
        return Err(Error::NotABatch);
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        if rest.len() < 4 {
            return Err(Error::NotABatch);
        }
        let len = u32::from_be_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
        rest = &rest[4..];
        if len > rest.len() {
            return Err(Error::NotABatch);
        }
        out.push(OpEnvelope::from_bytes(&rest[..len])?);
        rest = &rest[len..];
    }
    if !rest.is_empty() {
        return Err(Error::NotABatch);
    }
    Ok(out)
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
        }
    }

    #[test]
    fn an_envelope_round_trips_and_refuses_tampering_of_any_byte() {
        let key = AeadKey::new(&SecretKey::random());
        let env = OpEnvelope::seal(OpId::random(), 1, &body(), &key);
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
        let envs: Vec<_> = (0..3)
            .map(|_| OpEnvelope::seal(OpId::random(), 1, &body(), &key))
            .collect();
        let bytes = encode_batch(&envs);
        assert_eq!(decode_batch(&bytes).unwrap(), envs);
        assert!(decode_batch(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode_batch(b"hello world, not a batch").is_err());
        let mut huge_count = bytes.clone();
        huge_count[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(decode_batch(&huge_count).is_err());
    }

    #[test]
    fn debug_output_shows_no_content() {
        let b = body();
        let shown = format!("{b:?}");
        assert!(!shown.contains("Mukamana"), "{shown}");
    }
}
