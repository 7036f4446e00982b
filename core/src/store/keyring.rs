//! The team's data keys this device holds, by epoch (ADR 0011): each epoch's case-work key
//! and the team key derived from it (a data officer's tablet holds the team key alone), kept
//! sealed under the device's master key in `team_keys`.

use super::*;

/// What a device holds of one team key epoch (ADR 0011). Every epoch has two keys: the
/// *case-work* key `C_e`, held by counsellors, supervisors and administrators, which opens
/// names, notes and every client file's key; and the *team* key `T_e`, derived from it, which
/// seals the envelopes and opens only what the donors' figures need. A data officer's tablet
/// receives `T_e` alone.
#[derive(Clone)]
pub(crate) enum EpochKey {
    /// The case-work key (the team key derives from it).
    Casework(SecretKey),
    /// The team key alone: a data officer's.
    Team(SecretKey),
    /// An epoch made before data officers existed: one key serves as both.
    Legacy(SecretKey),
}

const TEAM_FROM_CASEWORK: &[u8] = b"komora/team-key-from-casework/v1";
const TAG_LEGACY: u8 = 0;
const TAG_CASEWORK: u8 = 1;
const TAG_TEAM: u8 = 2;

impl EpochKey {
    /// The team key of `epoch`: seals envelopes and states, and what data officers may read.
    pub(crate) fn team(&self, epoch: u32) -> SecretKey {
        match self {
            EpochKey::Casework(c) => SecretKey::from_bytes(*crate::crypto::hkdf32(
                &epoch.to_be_bytes(),
                c.expose(),
                TEAM_FROM_CASEWORK,
            )),
            EpochKey::Team(t) | EpochKey::Legacy(t) => t.clone(),
        }
    }

    /// The case-work key, when this device holds it.
    pub(crate) fn casework(&self) -> Option<&SecretKey> {
        match self {
            EpochKey::Casework(k) | EpochKey::Legacy(k) => Some(k),
            EpochKey::Team(_) => None,
        }
    }

    /// What a data officer receives of this epoch (`None` for a legacy epoch, whose one key
    /// would open everything).
    pub(crate) fn for_data_officer(&self, epoch: u32) -> Option<EpochKey> {
        match self {
            EpochKey::Legacy(_) => None,
            other => Some(EpochKey::Team(other.team(epoch))),
        }
    }

    /// The key with a tag saying which it is (for the enrolment bundle).
    pub(crate) fn tagged(&self) -> (u8, [u8; 32]) {
        match self {
            EpochKey::Casework(k) => (TAG_CASEWORK, *k.expose()),
            EpochKey::Team(k) => (TAG_TEAM, *k.expose()),
            EpochKey::Legacy(k) => (TAG_LEGACY, *k.expose()),
        }
    }

    pub(crate) fn from_tagged(tag: u8, key: [u8; 32]) -> Option<Self> {
        let key = SecretKey::from_bytes(key);
        match tag {
            TAG_CASEWORK => Some(EpochKey::Casework(key)),
            TAG_TEAM => Some(EpochKey::Team(key)),
            TAG_LEGACY => Some(EpochKey::Legacy(key)),
            _ => None,
        }
    }

    /// Bytes to keep (sealed by the caller): the key after its tag; a bare key is a legacy
    /// epoch, as kept before data officers existed.
    pub(crate) fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let (tag, mut key) = self.tagged();
        let mut out = Zeroizing::new(Vec::with_capacity(33));
        if tag != TAG_LEGACY {
            out.push(tag);
        }
        out.extend_from_slice(&key);
        zeroize::Zeroize::zeroize(&mut key);
        out
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        match bytes.len() {
            32 => SecretKey::from_slice(bytes).map(EpochKey::Legacy),
            33 if bytes[0] != TAG_LEGACY => {
                Self::from_tagged(bytes[0], bytes[1..].try_into().ok()?)
            }
            _ => None,
        }
    }
}

/// The team data keys this device holds, by epoch: the team key of each (envelopes, states,
/// statistics) and, except on a data officer's tablet, its case-work key (ADR 0011).
pub(crate) struct Keyring {
    current: u32,
    pub(super) keys: BTreeMap<u32, EpochKeys>,
}

pub(super) struct EpochKeys {
    pub(super) secret: EpochKey,
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

pub(super) fn team_key_aad(device: DeviceId, epoch: u32) -> Vec<u8> {
    aad(TEAM_KEY_AAD, &[device.as_bytes(), &epoch.to_be_bytes()])
}

impl Store {
    pub(crate) fn keyring(&self) -> &Keyring {
        &self.keys
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
}
