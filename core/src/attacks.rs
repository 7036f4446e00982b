//! What a malicious insider holding the team key could try, for the scenario tests that
//! prove receivers refuse it (feature `insider-attacks`, never in a release build).

use crate::error::Result;
use crate::ids::{DeviceId, OpId};
use crate::op::OpEnvelope;
use crate::value::Value;
use crate::vault::Vault;

/// How to forge an operation from a genuine one.
#[derive(Clone, Copy, Debug)]
pub enum Forgery {
    /// A new operation in another device's name, signed with the insider's own key.
    ClaimAuthor(DeviceId),
    /// The genuine operation with a changed value, its signature kept (under a fresh id, or
    /// receivers holding the original would just see a duplicate).
    AlterValue,
    /// The genuine operation, signature and all, under a new operation id.
    ReplayUnderNewId,
}

impl Vault {
    /// Forge an operation from `genuine` (which this vault can open with the team key).
    pub fn forge(&self, genuine: &OpEnvelope, how: Forgery) -> Result<OpEnvelope> {
        let (epoch, key) = self.store.keyring().current();
        let mut op = genuine.open(self.store.keyring().get(genuine.epoch())?)?;
        match how {
            Forgery::ClaimAuthor(victim) => {
                let mut body = op.body.clone();
                body.device = victim;
                body.device_seq += 1_000_000;
                body.record = crate::RecordId::random();
                return Ok(self.seal_signed(epoch, key, body).0);
            }
            Forgery::AlterValue => {
                for c in &mut op.body.changes {
                    if let crate::op::Change::Set { value, .. } = c {
                        *value = Value::from("Forged".to_owned());
                    }
                }
                op.body_bytes = zeroize::Zeroizing::new(
                    postcard::to_allocvec(&op.body).expect("bodies serialise"),
                );
                op.id = OpId::random();
            }
            Forgery::ReplayUnderNewId => op.id = OpId::random(),
        }
        Ok(OpEnvelope::reseal(&op, epoch, key))
    }

    /// This device's own operation `own` signed again, genuinely, under `id`: what a stolen
    /// tablet holding its own signing key does to squat a colleague's operation id with a
    /// valid operation of its own (ADR 0027). Returns the envelope and the operation's number,
    /// which a push declares as this device's own.
    pub fn reissue_under_id(&self, own: &OpEnvelope, id: OpId) -> Result<(OpEnvelope, u64)> {
        use ed25519_dalek::Signer;
        let key = self.store.keyring().get(own.epoch())?;
        let mut op = own.open(key)?;
        assert_eq!(op.body.device, self.device_id(), "only its own operations");
        op.id = id;
        op.sig = self.store.signer().sign(&op.signed_message()).to_bytes();
        Ok((
            OpEnvelope::reseal(&op, own.epoch(), key),
            op.body.device_seq,
        ))
    }

    /// A genuine-looking operation of this device (signed, sealed under the team's current
    /// key, in the compressed layout) whose body expands to far more than any operation may
    /// hold: a decompression bomb, as a tampered app would write one.
    pub fn forge_bomb(&self) -> Result<OpEnvelope> {
        let (epoch, key) = self.store.keyring().current();
        let body = crate::op::OpBody {
            record: crate::RecordId::for_kind(crate::casework::policy::KIND),
            kind: crate::casework::policy::KIND.into(),
            device: self.device_id(),
            device_seq: 1_000_000,
            wall_ms: self.now_ms(),
            counter: 0,
            changes: vec![crate::op::Change::Set {
                field: "motto".into(),
                value: Value::from("a".repeat(4 << 20)),
                preds: vec![],
            }],
            written_epoch: epoch,
            packing: Some(crate::compress::Packing::Zstd),
        };
        Ok(self.seal_signed(epoch, key, body).0)
    }

    /// A genuine operation of this device (a note on the team's policy, signed, sealed under
    /// the team's current key) packed with dictionary `version`, which this app does not hold:
    /// what an app newer than the reader writes. Queued for the next push from this tablet,
    /// as that newer app would.
    pub fn smuggle_from_a_newer_app(&mut self, version: u8) -> Result<OpEnvelope> {
        let (epoch, key) = self.store.keyring().current();
        let body = crate::op::OpBody {
            record: crate::RecordId::for_kind(crate::casework::policy::KIND),
            kind: crate::casework::policy::KIND.into(),
            device: self.device_id(),
            device_seq: 1_000_001,
            wall_ms: self.now_ms(),
            counter: 0,
            changes: vec![crate::op::Change::Set {
                field: "motto".into(),
                value: Value::from("written by a newer app"),
                preds: vec![],
            }],
            written_epoch: epoch,
            packing: None,
        };
        let (_, op) = self.seal_signed(epoch, key, body);
        let mut packed = vec![crate::compress::DICT_BASE + version];
        packed.extend_from_slice(&op.body_bytes);
        let env = OpEnvelope::seal_packed_as_is(&op, epoch, key, &packed);
        self.store.insert_unsynced_op(&op, &env)?;
        Ok(env)
    }

    /// Write the team's policy from this tablet whatever its role: what `set_team_policy`
    /// refuses to a counsellor, done by a tampered app. Signed genuinely by this device.
    pub fn write_policy_anyway(&mut self, auto_lock_minutes: u32) -> Result<()> {
        use crate::casework::policy::KIND;
        let record = self.policy_record();
        let create = self.live_state(record, KIND).is_err();
        self.write_record(
            record,
            KIND,
            create,
            vec![crate::store::Edit::Set(
                "auto_lock_minutes",
                Value::Int(i64::from(auto_lock_minutes)),
            )],
        )
    }

    /// Every byte this vault's keys open: each operation of its log (opened with the team key,
    /// and each sealed part it holds a key for) and each record's merged state. What a thief
    /// holding this tablet's keys reads of what it holds; the tests search it for names and
    /// notes.
    pub fn everything_readable(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.store.for_each_op(|op| {
            out.extend_from_slice(&op.body_bytes);
            out.extend(postcard::to_allocvec(&op.body.changes).expect("changes serialise"));
        })?;
        self.store.for_each_record(|state| out.extend(state))?;
        Ok(out)
    }

    /// Record a new client with this device's operation numbering set back to `seq`: what a
    /// tampered app on a revoked tablet would do to slip new work under its cutoff (the
    /// numbering goes on from where it was afterwards).
    pub fn add_client_numbered(
        &mut self,
        seq: u64,
        client: &crate::NewClient,
    ) -> Result<crate::RecordId> {
        let kept = self.store.set_next_seq(seq);
        let added = self.add_client(client);
        self.store.set_next_seq(kept.max(seq + 1));
        added
    }

    /// A genuine operation of this device (signed, sealed under the team's current key) that
    /// creates a record of `kind` at `record` with one field, whatever id and kind it takes:
    /// what a tampered app writes to take an id first as another kind. Queue it with
    /// [`Vault::smuggle`].
    pub fn forge_record_at(
        &mut self,
        record: crate::RecordId,
        kind: &str,
        field: &str,
        value: &str,
    ) -> Result<OpEnvelope> {
        let seq = self.store.set_next_seq(0);
        self.store.set_next_seq(seq + 1);
        let (epoch, key) = self.store.keyring().current();
        let now = self.now_ms();
        let body = crate::op::OpBody {
            record,
            kind: kind.to_owned(),
            device: self.device_id(),
            device_seq: seq,
            wall_ms: now,
            counter: 0,
            changes: vec![crate::op::Change::Set {
                field: field.to_owned(),
                value: Value::from(value.to_owned()),
                preds: Vec::new(),
            }],
            written_epoch: epoch,
            packing: None,
        };
        Ok(self.seal_signed(epoch, key, body).0)
    }

    /// `body` signed by this device and sealed under `key` of `epoch`, at the first floor
    /// (the attacks need a genuine signature, not a size that blends in).
    fn seal_signed(
        &self,
        epoch: u32,
        key: &crate::crypto::AeadKey,
        body: crate::op::OpBody,
    ) -> (OpEnvelope, crate::op::Op) {
        OpEnvelope::seal(
            OpId::random(),
            epoch,
            body,
            self.store.signer(),
            key,
            crate::op::PAD_MIN,
        )
    }

    /// The id of the team's policy record (every tablet of the team computes it alike).
    pub fn team_policy_record(&self) -> crate::RecordId {
        self.policy_record()
    }

    /// Write an erasure naming any record (what `erase_client` refuses unless it is a
    /// client), as a tampered supervisor's app would.
    pub fn erase_anything(&mut self, record: crate::RecordId) -> Result<()> {
        self.write_record(
            crate::RecordId::for_kind(crate::casework::erasure::ERASURE),
            crate::casework::erasure::ERASURE,
            true,
            vec![
                crate::store::Edit::Set("file", Value::Text(record.to_string())),
                crate::store::Edit::Set("reason", Value::Text("client-request".into())),
            ],
        )
    }

    /// Sign any message with this device's identity key: what an insider holding an unlocked
    /// tablet (or its stolen keys) can put its name to.
    pub fn sign_as_this_device(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.sign_with_identity(message)
    }

    /// Queue an envelope for the next push as if written here (the server cannot tell).
    pub fn smuggle(&mut self, env: &OpEnvelope) -> Result<()> {
        self.store.insert_unsynced_raw(env)
    }
}

/// Whether `guess` opens a copy of a vault's key file off the tablet (Argon2id alone: the
/// hardware is not at hand): the offline PIN search of someone who copied its files.
pub fn pin_guess_opens_copy(dir: &std::path::Path, guess: &str) -> Result<bool> {
    crate::vault::guess_opens_offline(dir, guess)
}

/// Whether the vault's key file in `dir` takes the hardware PIN step (format 2).
pub fn takes_hardware_pin_step(dir: &std::path::Path) -> Result<bool> {
    crate::vault::takes_hardware_step(dir)
}

/// How many records' states of the vault database at `db` (a copy taken off another tablet)
/// open with `keys` (a data officer's, or any member's): none since states are sealed under
/// each device's own key (ADR 0014).
pub fn states_readable_with(db: &std::path::Path, keys: &crate::TeamKeys) -> Result<usize> {
    let conn = rusqlite::Connection::open_with_flags(
        db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let ring = crate::store::Keyring::from_keys(keys.keys.clone())?;
    crate::store::Store::states_open_with_team_keys(&conn, &ring)
}

/// How many list pages (ADR 0023) of the vault database at `db` (a copy taken off another
/// tablet) open with `keys`: none, since pages are sealed under each device's own state key.
pub fn list_pages_readable_with(db: &std::path::Path, keys: &crate::TeamKeys) -> Result<usize> {
    let conn = rusqlite::Connection::open_with_flags(
        db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let ring = crate::store::Keyring::from_keys(keys.keys.clone())?;
    crate::store::pages_open_with_team_keys(&conn, &ring)
}

/// A team key for `epoch` wrapped for a device, as anyone who knows the device's public
/// key (the server among them) could make one.
pub fn wrap_team_key_for(device: DeviceId, kx_pk: &[u8; 32], epoch: u32, key: [u8; 32]) -> Vec<u8> {
    let id = komora_protocol::Id16(*device.as_bytes());
    crate::remote::keys::wrap_for(
        &id,
        kx_pk,
        epoch,
        &crate::crypto::SecretKey::from_bytes(key),
    )
    .expect("a valid public key")
}
