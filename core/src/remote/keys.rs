//! Team key rotation (ADR 0007). Each device has an X25519 key pair, derived from its Ed25519
//! identity seed (HKDF, domain-separated), so it is sealed and wiped with the vault like that
//! identity. Revoking a device makes a new team key for the next epoch and wraps it for every
//! device that stays: an ephemeral X25519 exchange with the device's public key, HKDF-SHA256,
//! AES-256-GCM bound to the device and the epoch. The server stores and hands out the wrapped
//! keys and can open none of them; the revoked device never receives one.

use komora_protocol::roster::Statement;
use komora_protocol::{Bytes, Id16, KeyGrant, RevokeRequest};
use x25519_dalek::{PublicKey, StaticSecret};

use super::members::refresh_roster;
use super::transport::Transport;
use super::{Held, Session, SyncOptions, VaultCell};
use crate::crypto::{aad, hkdf32, random_array, AeadKey, SecretKey};
use crate::error::{Error, Result};
use crate::ids::DeviceId;
use crate::store::EpochKey;
use crate::vault::Vault;

const GRANT_LABEL: &str = "komora/team-key-grant/v1";
const KX_LABEL: &[u8] = b"komora/device-kx/v1";

/// The device's X25519 secret, derived from its Ed25519 PKCS#8 document.
pub(crate) fn kx_secret(signing_pkcs8: &[u8]) -> StaticSecret {
    StaticSecret::from(*hkdf32(KX_LABEL, signing_pkcs8, KX_LABEL))
}

pub(crate) fn kx_public(signing_pkcs8: &[u8]) -> [u8; 32] {
    PublicKey::from(&kx_secret(signing_pkcs8)).to_bytes()
}

fn grant_key(shared: &[u8; 32], eph_pk: &[u8; 32], device_pk: &[u8; 32]) -> SecretKey {
    let mut salt = eph_pk.to_vec();
    salt.extend_from_slice(device_pk);
    SecretKey::from_bytes(*hkdf32(&salt, shared, GRANT_LABEL.as_bytes()))
}

fn grant_aad(device: &Id16, epoch: u32) -> Vec<u8> {
    aad(GRANT_LABEL, &[&device.0, &epoch.to_be_bytes()])
}

/// Wrap `key` (epoch `epoch`) for the device `device` whose X25519 public key is `device_pk`.
pub(crate) fn wrap_for(
    device: &Id16,
    device_pk: &[u8],
    epoch: u32,
    key: &SecretKey,
) -> Result<Vec<u8>> {
    let pk: [u8; 32] = device_pk.try_into().map_err(|_| Error::Corrupted {
        what: "a device's public key",
    })?;
    let eph = StaticSecret::from(random_array::<32>());
    let eph_pk = PublicKey::from(&eph).to_bytes();
    let shared = eph.diffie_hellman(&PublicKey::from(pk));
    if !shared.was_contributory() {
        return Err(Error::Corrupted {
            what: "a device's public key",
        });
    }
    let k = grant_key(shared.as_bytes(), &eph_pk, &pk);
    let mut out = eph_pk.to_vec();
    out.extend(AeadKey::new(&k).seal(&grant_aad(device, epoch), key.expose()));
    Ok(out)
}

/// Open a key wrapped for this device.
pub(crate) fn unwrap_grant(
    secret: &StaticSecret,
    me: &Id16,
    epoch: u32,
    wrapped: &[u8],
) -> Result<SecretKey> {
    let bad = || Error::Corrupted {
        what: "a team key sent by the server",
    };
    if wrapped.len() < 32 {
        return Err(bad());
    }
    let eph_pk: [u8; 32] = wrapped[..32].try_into().map_err(|_| bad())?;
    let my_pk = PublicKey::from(secret).to_bytes();
    let shared = secret.diffie_hellman(&PublicKey::from(eph_pk));
    if !shared.was_contributory() {
        return Err(bad());
    }
    let k = grant_key(shared.as_bytes(), &eph_pk, &my_pk);
    let plain = AeadKey::new(&k)
        .open(&grant_aad(me, epoch), &wrapped[32..])
        .ok_or_else(bad)?;
    SecretKey::from_slice(&plain).ok_or_else(bad)
}

impl Vault {
    /// Fetch the team keys wrapped for this device that it does not hold yet, keep them, and
    /// re-seal under the newest epoch what has not been pushed. Returns the epochs received.
    /// Unless `force`d (the server just refused a stale epoch), asks only when the epoch the
    /// server gave at login is newer than the one held: no extra round trip on most syncs.
    pub(crate) fn refresh_team_keys(
        &mut self,
        session: &mut Session<'_>,
        force: bool,
    ) -> Result<Vec<u32>> {
        refresh_team_keys(&Held::new(self), session, force)
    }

    /// Revoke a device: the server refuses it from now on, and the team moves to a new key
    /// epoch that the revoked device never receives. Everything written after this, by any
    /// device that has synced since, is sealed under the new key.
    ///
    /// The new key is wrapped for the members of the team's *signed* device list, with the
    /// keys they signed, never for what the server lists: a server that adds a device or
    /// swaps a key is refused (`Tampered`) and nothing changes. The administrator signs the
    /// list of devices that stay, which every device checks.
    ///
    /// The revocation also fixes the revoked device's last operation that counts (a signed
    /// cutoff, ADR 0013): this device syncs first, so the cutoff covers everything the server
    /// had received from it, and for a tablet handed back everything it sent. Anything it
    /// numbers later is refused by every receiver, whatever key epoch it claims.
    pub fn revoke_device(&mut self, transport: &mut dyn Transport, device: DeviceId) -> Result<()> {
        let answer = self
            .revoke_steps(transport, device)
            .and_then(|()| self.resign_format(transport));
        self.end_if_revoked(answer)
    }

    fn revoke_steps(&mut self, transport: &mut dyn Transport, device: DeviceId) -> Result<()> {
        let settings = self.sync_settings()?;
        if device == self.device_id() {
            return Err(Error::validation("device", "a device cannot revoke itself"));
        }
        // Hold everything the server holds of that device before fixing its cutoff.
        self.sync(transport, &SyncOptions::default(), &mut |_| {})?;
        let mut session = Session::new(transport, SyncOptions::default());
        // Be on the team's current epoch and list first (another administrator may have
        // rotated, a tablet may have enrolled).
        self.refresh_team_keys(&mut session, true)?;
        self.refresh_roster(&mut session, true)?;
        let roster = self.store.roster.clone().ok_or(Error::Tampered {
            what: "no signed device list for this team",
        })?;
        if roster.epoch() < self.store.keyring().current_epoch() {
            return Err(Error::Tampered {
                what: "a device list without the team's latest revocation",
            });
        }
        if !roster.is_member(device) {
            return Err(Error::NotFound(crate::RecordId::from_bytes(
                *device.as_bytes(),
            )));
        }
        let listed = session.call(self, |t, token| t.devices(token))?;
        // The signed members and their X25519 keys: the only devices a new key is wrapped for.
        let members: std::collections::BTreeMap<DeviceId, [u8; 32]> = roster
            .devices()
            .into_iter()
            .filter(|d| roster.is_member(d.id))
            .map(|d| (d.id, d.kx_pk))
            .collect();
        let active: Vec<_> = listed.iter().filter(|d| !d.revoked).collect();
        let agrees = active.len() == members.len()
            && active.iter().all(|d| {
                members
                    .get(&DeviceId::from_bytes(d.id.0))
                    .is_some_and(|kx| kx[..] == d.kx_pk.0[..])
            });
        if !agrees {
            return Err(Error::Tampered {
                what: "a device list that differs from the one the team signed",
            });
        }
        let epoch = self
            .store
            .keyring()
            .current_epoch()
            .checked_add(1)
            .ok_or(Error::Tampered {
                what: "a team key epoch at its limit",
            })?;
        // A new case-work key; the team key derives from it. Data officers receive the team
        // key alone, everyone else the case-work key (ADR 0011).
        let new = EpochKey::Casework(SecretKey::random());
        let team_key = new.team(epoch);
        let casework = new.casework().expect("a case-work key").clone();
        let data_officers: std::collections::BTreeSet<DeviceId> = roster
            .devices()
            .into_iter()
            .filter(|d| d.role == komora_protocol::Role::DataOfficer)
            .map(|d| d.id)
            .collect();
        let mut grants = Vec::new();
        let mut staying = Vec::new();
        for (id, sign_pk) in roster.members().into_iter().filter(|(id, _)| *id != device) {
            let id16 = Id16(*id.as_bytes());
            let granted = if data_officers.contains(&id) {
                &team_key
            } else {
                &casework
            };
            grants.push(KeyGrant {
                device_id: id16,
                wrapped: Bytes(wrap_for(&id16, &members[&id], epoch, granted)?),
            });
            staying.push((id16, sign_pk));
        }
        let snapshot = crate::roster::sign(
            self.store.signer(),
            &Statement::Snapshot {
                team: settings.team_id,
                epoch,
                issuer: Id16(*self.device_id().as_bytes()),
                members: staying,
                key_id: crate::roster::key_id(&team_key, epoch),
            },
        );
        let held = self.store.last_seq_of(device)?;
        let last_seq = held.max(roster.retired_at(device).unwrap_or(0));
        let cutoff = crate::roster::sign(
            self.store.signer(),
            &Statement::Cutoff {
                team: settings.team_id,
                epoch,
                issuer: Id16(*self.device_id().as_bytes()),
                device: Id16(*device.as_bytes()),
                last_seq,
            },
        );
        let req = RevokeRequest {
            new_epoch: epoch,
            grants,
            snapshot,
            cutoff: Some(cutoff),
        };
        let target = Id16(*device.as_bytes());
        session.call(self, |t, token| t.revoke(token, &target, &req))?;
        self.store.add_team_keys(vec![(epoch, new)])?;
        // The list as the server now holds it, in its order (the snapshot included); if the
        // network drops here, the next sync fetches it.
        match self.refresh_roster(&mut session, true) {
            Ok(()) | Err(Error::Network(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

impl Vault {
    /// The team keys this device holds, wrapped for members a restored or rebuilt server has
    /// no grant for (issue 17): each epoch's case-work key, or its team key alone for a data
    /// officer, never for a device the signed list revoked before that epoch. Anyone holding
    /// the key may wrap it: a device takes a key only if the administrator's signed snapshot
    /// commits to it, so this gives no one a key they should not have.
    pub(crate) fn regrant(
        &self,
        missing: &[(u32, Id16, Bytes)],
    ) -> Result<Vec<(u32, Id16, Bytes)>> {
        let Some(roster) = self.store.roster.as_ref() else {
            return Ok(Vec::new());
        };
        let held: std::collections::BTreeMap<u32, EpochKey> =
            self.store.keyring().export().into_iter().collect();
        let devices = roster.devices();
        let mut out = Vec::new();
        for (epoch, device, kx_pk) in missing {
            let Some(key) = held.get(epoch) else { continue };
            let Some(d) = devices.iter().find(|d| d.id.as_bytes() == &device.0) else {
                continue;
            };
            if d.revoked_from.is_some_and(|from| from <= *epoch) || kx_pk.0 != d.kx_pk {
                continue;
            }
            let given = if d.role == komora_protocol::Role::DataOfficer {
                match key {
                    EpochKey::Legacy(_) => continue,
                    other => other.team(*epoch),
                }
            } else {
                match key.casework() {
                    Some(c) => c.clone(),
                    None => continue,
                }
            };
            out.push((
                *epoch,
                *device,
                Bytes(wrap_for(device, &d.kx_pk, *epoch, &given)?),
            ));
        }
        Ok(out)
    }
}

/// [`Vault::refresh_team_keys`] over a shared vault: let go of during the network calls.
pub(crate) fn refresh_team_keys<C: VaultCell>(
    cell: &C,
    session: &mut Session<'_>,
    force: bool,
) -> Result<Vec<u32>> {
    let held = cell.with(|v| Ok(v.store.keyring().current_epoch()))?;
    if !force {
        session.login_if_needed(cell)?;
        if session.team_epoch != 0 && session.team_epoch <= held {
            return Ok(Vec::new());
        }
    }
    let resp = session.call(cell, |t, token| t.keys(token, held))?;
    if resp.grants.is_empty() {
        return Ok(Vec::new());
    }
    // Anyone who knows this device's public key can wrap a key for it, the server too: a key
    // counts only if an administrator's signed snapshot commits to it.
    refresh_roster(cell, session, true)?;
    let accept = |v: &mut crate::vault::Vault| -> Result<Vec<u32>> {
        let roster = v.store.roster.as_ref().ok_or(Error::Tampered {
            what: "a team key, but no signed device list to check it against",
        })?;
        let me = Id16(*v.device_id().as_bytes());
        let secret = kx_secret(v.store.signing_pkcs8());
        // Each epoch may come with several grants, one per device that gave it (any device
        // of the team may give back a key a restore lost, a stolen one garbage): the first
        // that opens and that the signed snapshot commits to is the key. An epoch none of
        // whose grants is good fails as one bad grant did.
        let mut keys: Vec<(u32, EpochKey)> = Vec::new();
        let mut refused: Vec<(u32, Error)> = Vec::new();
        for g in &resp.grants {
            if v.store.keyring().holds(g.epoch) || keys.iter().any(|(e, _)| *e == g.epoch) {
                continue;
            }
            let opened = unwrap_grant(&secret, &me, g.epoch, &g.wrapped.0).and_then(|raw| {
                // The snapshot commits to the team key: a data officer receives it, everyone
                // else the case-work key it derives from.
                let signed = roster.key_id(g.epoch);
                [EpochKey::Team(raw.clone()), EpochKey::Casework(raw)]
                    .into_iter()
                    .find(|k| signed == Some(&crate::roster::key_id(&k.team(g.epoch), g.epoch)))
                    .ok_or(Error::Tampered {
                        what: NOT_SIGNED_FOR,
                    })
            });
            match opened {
                Ok(key) => keys.push((g.epoch, key)),
                Err(e) => refused.push((g.epoch, e)),
            }
        }
        refused.retain(|(epoch, _)| !keys.iter().any(|(k, _)| k == epoch));
        // An unsigned key first: it makes the caller fetch the whole signed list once and
        // try again.
        let unsigned = |e: &Error| matches!(e, Error::Tampered { what } if *what == NOT_SIGNED_FOR);
        if let Some(i) = refused.iter().position(|(_, e)| unsigned(e)) {
            return Err(refused.swap_remove(i).1);
        }
        if let Some((_, e)) = refused.into_iter().next() {
            return Err(e);
        }
        let epochs = keys.iter().map(|(e, _)| *e).collect();
        v.store.add_team_keys(keys)?;
        Ok(epochs)
    };
    match cell.with(accept) {
        // The held list may hold a damaged copy of the snapshot that signs for this key:
        // fetch the whole list once and check again.
        Err(Error::Tampered { what }) if what == NOT_SIGNED_FOR => {
            super::members::refetch_roster(cell, session)?;
            cell.with(accept)
        }
        other => other,
    }
}

const NOT_SIGNED_FOR: &str = "a team key no administrator signed for";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_opens_only_for_its_device_and_epoch() {
        let alice =
            ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
                .unwrap();
        let bob = ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
            .unwrap();
        let (a_id, b_id) = (Id16([1; 16]), Id16([2; 16]));
        let key = SecretKey::random();
        let wrapped = wrap_for(&a_id, &kx_public(alice.as_ref()), 2, &key).unwrap();
        let opened = unwrap_grant(&kx_secret(alice.as_ref()), &a_id, 2, &wrapped).unwrap();
        assert_eq!(opened.expose(), key.expose());
        assert!(
            unwrap_grant(&kx_secret(bob.as_ref()), &b_id, 2, &wrapped).is_err(),
            "another device"
        );
        assert!(
            unwrap_grant(&kx_secret(alice.as_ref()), &a_id, 3, &wrapped).is_err(),
            "another epoch"
        );
        assert!(
            unwrap_grant(&kx_secret(alice.as_ref()), &b_id, 2, &wrapped).is_err(),
            "another id"
        );
        let mut tampered = wrapped.clone();
        tampered[40] ^= 1;
        assert!(unwrap_grant(&kx_secret(alice.as_ref()), &a_id, 2, &tampered).is_err());
        assert!(
            wrap_for(&a_id, &[0u8; 32], 2, &key).is_err(),
            "a low-order public key is refused"
        );
    }
}
