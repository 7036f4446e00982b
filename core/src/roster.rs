//! The team's signed device list (ADR 0008), rebuilt on each device from the statements the
//! server stores, starting from the team's root of trust (the founding administrator's
//! device, learnt inside the sealed enrolment bundle). The server can withhold statements;
//! it cannot add a device, swap a device's keys, or bring a revoked device back.
//!
//! Rules, checked in order of key epochs:
//! - the genesis statement of the root, signed by itself, starts the list at epoch 1;
//! - a member is admitted when an invitation made in the current epoch, signed by a current
//!   member whose role may invite that role, names the invitation key that signed the
//!   member's statement, and no other device used that invitation;
//! - a snapshot signed by a current administrator for the next epoch lists who stays and
//!   commits to the new team key; every other member is revoked from that epoch on, and only
//!   the listed ones may admit others;
//! - a cutoff signed by the administrator who signed a snapshot names the last operation of a
//!   device that snapshot revoked: receivers refuse anything that device numbers later,
//!   whatever key epoch it claims (a revoked tablet still holds its old keys and could
//!   otherwise keep writing "in the past"); a tablet handed back states its own last
//!   operation the same way, under its own signature (ADR 0013).
//!
//! Statements that do not verify are ignored, and never hide one that does (a server can only
//! ever withhold); two different valid snapshots for one epoch mean the server shows different
//! lists to different devices, and the list is refused.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use komora_protocol::roster::{SignedStatement, Statement};
use komora_protocol::{Bytes, Id16, Role};

use crate::error::{Error, Result};
use crate::ids::DeviceId;

/// What the list says of one device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterDevice {
    pub id: DeviceId,
    pub role: Role,
    /// Its X25519 key: new team keys are wrapped for it.
    pub kx_pk: [u8; 32],
    /// The key epoch from which it is revoked (`None`: a member).
    pub revoked_from: Option<u32>,
    /// Its last operation that counts (its own numbering), when an administrator's cutoff or
    /// its own hand-back statement fixed one: later ones are refused.
    pub last_counted: Option<u64>,
    /// Whether it was handed back (it signed its own last operation).
    pub retired: bool,
}

#[derive(Clone)]
struct Entry {
    sign_pk: [u8; 32],
    verifying: VerifyingKey,
    kx_pk: [u8; 32],
    role: Role,
    revoked_from: Option<u32>,
    /// From an administrator's cutoff at its revocation.
    cutoff: Option<u64>,
    /// From its own hand-back statement.
    retired: Option<u64>,
}

impl Entry {
    fn new(sign_pk: [u8; 32], kx_pk: [u8; 32], role: Role) -> Option<Self> {
        Some(Entry {
            sign_pk,
            verifying: VerifyingKey::from_bytes(&sign_pk).ok()?,
            kx_pk,
            role,
            revoked_from: None,
            cutoff: None,
            retired: None,
        })
    }

    /// The last operation of this device that counts, if one was fixed: the lower of the
    /// administrator's cutoff and its own hand-back.
    fn last_counted(&self) -> Option<u64> {
        match (self.cutoff, self.retired) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Why an operation's author is not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthorProblem {
    /// Not in the team's signed device list (yet).
    Unknown,
    /// Revoked before the key epoch the operation was written in, or numbered after the last
    /// operation of the device that counts.
    Revoked,
}

/// The verified device list of one team.
#[derive(Clone)]
pub(crate) struct Roster {
    root: (Id16, [u8; 32]),
    devices: BTreeMap<DeviceId, Entry>,
    members: BTreeSet<DeviceId>,
    epoch: u32,
    /// Each rotated epoch's key commitment, from its snapshot.
    key_ids: BTreeMap<u32, [u8; 32]>,
    /// The server's key pins an administrator signed last (highest serial), ADR 0016.
    server_pins: Option<(u64, Vec<String>)>,
    /// The team's record format: the highest an administrator signed (ADR 0016).
    format: u32,
}

pub(crate) fn verify(pk: &[u8; 32], signed: &SignedStatement) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(pk) else {
        return false;
    };
    let Ok(sig) = <[u8; 64]>::try_from(&signed.signature[..]) else {
        return false;
    };
    key.verify_strict(
        &SignedStatement::message(&signed.statement),
        &Signature::from_bytes(&sig),
    )
    .is_ok()
}

/// Sign a statement with a device's (or an invitation's) key, ready for the server.
pub(crate) fn sign(key: &SigningKey, statement: &Statement) -> Bytes {
    let bytes = statement.encode();
    let signature = key
        .sign(&SignedStatement::message(&bytes))
        .to_bytes()
        .to_vec();
    Bytes(
        SignedStatement {
            statement: bytes,
            signature,
        }
        .to_bytes(),
    )
}

struct Member {
    invite_pk: [u8; 32],
    device: DeviceId,
    sign_pk: [u8; 32],
    kx_pk: [u8; 32],
}

/// An invitation as stated; believed only once its issuer's signature is checked.
struct Invite {
    issuer: DeviceId,
    role: Role,
    epoch: u32,
    signed: SignedStatement,
}

/// A snapshot as stated; believed only once its issuer's signature is checked.
struct Snapshot {
    issuer: DeviceId,
    members: Vec<(Id16, [u8; 32])>,
    key_id: [u8; 32],
    signed: SignedStatement,
}

/// The key commitment a snapshot carries for its epoch's team key.
pub(crate) fn key_id(key: &crate::crypto::SecretKey, epoch: u32) -> [u8; 32] {
    *crate::crypto::hkdf32(&epoch.to_be_bytes(), key.expose(), b"komora/team-key-id/v1")
}

impl Roster {
    /// Rebuild the list of `team` from its statements, trusting only `root`.
    pub(crate) fn build(
        team: Id16,
        root: (Id16, [u8; 32]),
        statements: &[Vec<u8>],
    ) -> Result<Self> {
        let tampered = |what| Error::Tampered { what };
        let mut genesis = None;
        // Every statement is kept as a candidate: one that does not verify must not hide a
        // genuine one (a server could put garbage first).
        let mut invites: HashMap<[u8; 32], Vec<Invite>> = HashMap::new();
        let mut invite_uses: HashMap<[u8; 32], usize> = HashMap::new();
        let mut pending: Vec<Member> = Vec::new();
        let mut snapshots: BTreeMap<u32, Vec<Snapshot>> = BTreeMap::new();
        // (epoch, issuer, device, last_seq, signed), checked once the snapshots are known.
        let mut cutoffs: Vec<(u32, DeviceId, DeviceId, u64, SignedStatement)> = Vec::new();
        let mut retires: Vec<(DeviceId, u64, SignedStatement)> = Vec::new();
        let mut pin_statements: Vec<(DeviceId, u64, Vec<String>, SignedStatement)> = Vec::new();
        let mut formats: Vec<(DeviceId, u32, SignedStatement)> = Vec::new();
        for raw in statements {
            let Some((signed, st)) = SignedStatement::from_bytes(raw) else {
                continue;
            };
            if st.team().is_some_and(|t| t != team) {
                continue;
            }
            match st {
                Statement::Genesis {
                    device,
                    sign_pk,
                    kx_pk,
                    ..
                } if genesis.is_none()
                    && device == root.0
                    && sign_pk == root.1
                    && verify(&sign_pk, &signed) =>
                {
                    genesis = Some(kx_pk);
                }
                Statement::Genesis { .. } => {}
                Statement::Invite {
                    issuer,
                    invite_pk,
                    role,
                    epoch,
                    ..
                } => invites.entry(invite_pk).or_default().push(Invite {
                    issuer: DeviceId::from_bytes(issuer.0),
                    role,
                    epoch,
                    signed,
                }),
                Statement::Member {
                    invite_pk,
                    device,
                    sign_pk,
                    kx_pk,
                } => {
                    if verify(&invite_pk, &signed) {
                        *invite_uses.entry(invite_pk).or_default() += 1;
                        pending.push(Member {
                            invite_pk,
                            device: DeviceId::from_bytes(device.0),
                            sign_pk,
                            kx_pk,
                        });
                    }
                }
                Statement::Snapshot {
                    epoch,
                    issuer,
                    members,
                    key_id,
                    ..
                } => snapshots.entry(epoch).or_default().push(Snapshot {
                    issuer: DeviceId::from_bytes(issuer.0),
                    members,
                    key_id,
                    signed,
                }),
                Statement::Cutoff {
                    epoch,
                    issuer,
                    device,
                    last_seq,
                    ..
                } => cutoffs.push((
                    epoch,
                    DeviceId::from_bytes(issuer.0),
                    DeviceId::from_bytes(device.0),
                    last_seq,
                    signed,
                )),
                Statement::Retire {
                    device, last_seq, ..
                } => retires.push((DeviceId::from_bytes(device.0), last_seq, signed)),
                Statement::ServerPins {
                    issuer,
                    serial,
                    pins,
                    ..
                } => pin_statements.push((DeviceId::from_bytes(issuer.0), serial, pins, signed)),
                Statement::Format {
                    issuer, version, ..
                } => formats.push((DeviceId::from_bytes(issuer.0), version, signed)),
            }
        }
        let kx_pk = genesis.ok_or(tampered(
            "a device list that does not start from the team's founder",
        ))?;
        let root_id = DeviceId::from_bytes(root.0 .0);
        let mut roster = Roster {
            root,
            devices: BTreeMap::from([(
                root_id,
                Entry::new(root.1, kx_pk, Role::Admin).ok_or(tampered("the founder's key"))?,
            )]),
            members: BTreeSet::from([root_id]),
            epoch: 1,
            key_ids: BTreeMap::new(),
            server_pins: None,
            format: crate::format::FIRST_FORMAT,
        };
        // Who signed the snapshot of each epoch (a cutoff must be signed by the same).
        let mut issuers: BTreeMap<u32, DeviceId> = BTreeMap::new();
        loop {
            roster.admit(&mut pending, &invites, &invite_uses);
            let next = roster.epoch + 1;
            let mut valid: Vec<&Snapshot> = snapshots
                .get(&next)
                .into_iter()
                .flatten()
                .filter(|c| {
                    roster.members.contains(&c.issuer)
                        && roster
                            .devices
                            .get(&c.issuer)
                            .is_some_and(|e| e.role == Role::Admin && verify(&e.sign_pk, &c.signed))
                })
                .collect();
            valid.dedup_by(|a, b| a.signed == b.signed);
            let snapshot = match valid.as_slice() {
                [] => break,
                [one] => *one,
                _ => {
                    return Err(tampered(
                        "two different device lists for the same key epoch",
                    ))
                }
            };
            let listed: BTreeSet<DeviceId> = snapshot
                .members
                .iter()
                .map(|(id, pk)| (DeviceId::from_bytes(id.0), pk))
                .filter(|(id, pk)| {
                    roster.members.contains(id) && roster.devices[id].sign_pk == **pk
                })
                .map(|(id, _)| id)
                .collect();
            for gone in roster.members.difference(&listed) {
                roster
                    .devices
                    .get_mut(gone)
                    .expect("members are devices")
                    .revoked_from = Some(next);
            }
            roster.members = listed;
            roster.epoch = next;
            roster.key_ids.insert(next, snapshot.key_id);
            issuers.insert(next, snapshot.issuer);
        }
        // A cutoff counts when the administrator who signed the snapshot revoking the device
        // signed it too; a hand-back when the device itself did. Several valid ones: the
        // lowest holds (the same answer on every device, whatever order they arrived in).
        for (epoch, issuer, device, last_seq, signed) in cutoffs {
            let Some(issuer_pk) = roster.devices.get(&issuer).map(|e| e.sign_pk) else {
                continue;
            };
            let Some(entry) = roster.devices.get_mut(&device) else {
                continue;
            };
            if issuers.get(&epoch) == Some(&issuer)
                && entry.revoked_from == Some(epoch)
                && verify(&issuer_pk, &signed)
            {
                entry.cutoff = Some(entry.cutoff.map_or(last_seq, |c| c.min(last_seq)));
            }
        }
        // The server's pins: from a current administrator, the highest serial.
        for (issuer, serial, pins, signed) in pin_statements {
            let Some(entry) = roster.devices.get(&issuer) else {
                continue;
            };
            let valid = roster.members.contains(&issuer)
                && entry.role == Role::Admin
                && !pins.is_empty()
                && verify(&entry.sign_pk, &signed);
            if valid && roster.server_pins.as_ref().is_none_or(|(s, _)| serial > *s) {
                roster.server_pins = Some((serial, pins));
            }
        }
        // The team's format: from an administrator of the list (a member then, or revoked
        // since: a raise stands), the highest; a format is never lowered.
        for (issuer, version, signed) in formats {
            if roster
                .devices
                .get(&issuer)
                .is_some_and(|e| e.role == Role::Admin && verify(&e.sign_pk, &signed))
            {
                roster.format = roster.format.max(version);
            }
        }
        for (device, last_seq, signed) in retires {
            if let Some(entry) = roster.devices.get_mut(&device) {
                if verify(&entry.sign_pk, &signed) {
                    entry.retired = Some(entry.retired.map_or(last_seq, |c| c.min(last_seq)));
                }
            }
        }
        Ok(roster)
    }

    /// Admit, until nothing changes, the members whose invitation was made in the current
    /// epoch by a current member whose role may invite that role, and is used by no other.
    fn admit(
        &mut self,
        pending: &mut Vec<Member>,
        invites: &HashMap<[u8; 32], Vec<Invite>>,
        uses: &HashMap<[u8; 32], usize>,
    ) {
        loop {
            let mut admitted = false;
            pending.retain(|m| {
                if uses.get(&m.invite_pk) != Some(&1) || self.devices.contains_key(&m.device) {
                    return false; // never admissible
                }
                let role = invites
                    .get(&m.invite_pk)
                    .into_iter()
                    .flatten()
                    .find_map(|c| {
                        let by = self.devices.get(&c.issuer)?;
                        let ok = c.epoch == self.epoch
                            && self.members.contains(&c.issuer)
                            && by.role.may_invite(c.role)
                            && verify(&by.sign_pk, &c.signed);
                        ok.then_some(c.role)
                    });
                let Some(role) = role else {
                    return true; // perhaps once its inviter is admitted
                };
                let Some(e) = Entry::new(m.sign_pk, m.kx_pk, role) else {
                    return false;
                };
                self.devices.insert(m.device, e);
                self.members.insert(m.device);
                admitted = true;
                false
            });
            if !admitted {
                break;
            }
        }
    }

    /// The commitment the signed list holds for the team key of `epoch` (none for epoch 1,
    /// whose key comes sealed in the enrolment bundle).
    pub(crate) fn key_id(&self, epoch: u32) -> Option<&[u8; 32]> {
        self.key_ids.get(&epoch)
    }

    pub(crate) fn root(&self) -> (Id16, [u8; 32]) {
        self.root
    }

    /// The newest key epoch the list has a snapshot for.
    pub(crate) fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The key that must have signed an operation by `device`, written in key epoch `epoch`
    /// as its operation number `seq`. With a cutoff (or a hand-back) for the device, its
    /// numbering decides: the device signs it, and cannot go back on it the way it can claim
    /// an old epoch with the old keys it still holds (issue 16, finding 7). Without one, the
    /// epoch it claims.
    pub(crate) fn author_key(
        &self,
        device: DeviceId,
        epoch: u32,
        seq: u64,
    ) -> std::result::Result<&VerifyingKey, AuthorProblem> {
        let e = self.devices.get(&device).ok_or(AuthorProblem::Unknown)?;
        if let Some(last) = e.last_counted() {
            return if seq > last {
                Err(AuthorProblem::Revoked)
            } else {
                Ok(&e.verifying)
            };
        }
        match e.revoked_from {
            Some(from) if epoch >= from => Err(AuthorProblem::Revoked),
            _ => Ok(&e.verifying),
        }
    }

    /// Whether a cutoff or a hand-back fixed the last operation of `device`: its numbers are
    /// then checked against reuse (see `Store::apply_remote`).
    pub(crate) fn has_cutoff(&self, device: DeviceId) -> bool {
        self.devices
            .get(&device)
            .is_some_and(|e| e.last_counted().is_some())
    }

    /// The server's key pins an administrator signed last, with its serial.
    pub(crate) fn server_pins(&self) -> Option<&(u64, Vec<String>)> {
        self.server_pins.as_ref()
    }

    /// The team's record format (ADR 0016).
    pub(crate) fn format(&self) -> u32 {
        self.format
    }

    /// The last operation of `device` its own hand-back statement names, if any.
    pub(crate) fn retired_at(&self, device: DeviceId) -> Option<u64> {
        self.devices.get(&device).and_then(|e| e.retired)
    }

    /// The role the list gives `device` (members and revoked devices alike).
    pub(crate) fn role_of(&self, device: DeviceId) -> Option<Role> {
        self.devices.get(&device).map(|e| e.role)
    }

    /// Every device the list knows, members and revoked.
    pub(crate) fn devices(&self) -> Vec<RosterDevice> {
        self.devices
            .iter()
            .map(|(id, e)| RosterDevice {
                id: *id,
                role: e.role,
                kx_pk: e.kx_pk,
                revoked_from: e.revoked_from,
                last_counted: e.last_counted(),
                retired: e.retired.is_some(),
            })
            .collect()
    }

    /// The current members with their signing keys, for a snapshot.
    pub(crate) fn members(&self) -> Vec<(DeviceId, [u8; 32])> {
        self.members
            .iter()
            .map(|id| (*id, self.devices[id].sign_pk))
            .collect()
    }

    pub(crate) fn is_member(&self, id: DeviceId) -> bool {
        self.members.contains(&id)
    }
}

/// The device's Ed25519 signing key from its PKCS#8 document (ring's v2 layout: the 32-byte
/// seed follows a 16-byte prefix), checked against the public key ring derives.
pub(crate) fn signer_from_pkcs8(pkcs8: &[u8]) -> Result<SigningKey> {
    use ring::signature::{Ed25519KeyPair, KeyPair};
    let bad = || Error::Corrupted {
        what: "the device identity",
    };
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| bad())?;
    let seed: [u8; 32] = pkcs8
        .get(16..48)
        .ok_or_else(bad)?
        .try_into()
        .map_err(|_| bad())?;
    let key = SigningKey::from_bytes(&seed);
    if key.verifying_key().as_bytes()[..] != pair.public_key().as_ref()[..] {
        return Err(bad());
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dev {
        id: Id16,
        key: SigningKey,
    }

    fn dev(n: u8) -> Dev {
        Dev {
            id: Id16([n; 16]),
            key: SigningKey::from_bytes(&crate::crypto::random_array()),
        }
    }

    const TEAM: Id16 = Id16([7; 16]);

    fn pk(d: &Dev) -> [u8; 32] {
        d.key.verifying_key().to_bytes()
    }

    fn genesis(root: &Dev) -> Vec<u8> {
        sign(
            &root.key,
            &Statement::Genesis {
                team: TEAM,
                device: root.id,
                sign_pk: pk(root),
                kx_pk: [1; 32],
            },
        )
        .0
    }

    /// `by` invites `new` as `role` in epoch 1: the invitation and the member statement.
    fn admit(by: &Dev, new: &Dev, role: Role) -> Vec<Vec<u8>> {
        admit_in(1, by, new, role)
    }

    /// The same, with an invitation made in key epoch `epoch`.
    fn admit_in(epoch: u32, by: &Dev, new: &Dev, role: Role) -> Vec<Vec<u8>> {
        let invite = SigningKey::from_bytes(&crate::crypto::random_array());
        let ipk = invite.verifying_key().to_bytes();
        vec![
            sign(
                &by.key,
                &Statement::Invite {
                    team: TEAM,
                    issuer: by.id,
                    invite_pk: ipk,
                    role,
                    epoch,
                },
            )
            .0,
            sign(
                &invite,
                &Statement::Member {
                    invite_pk: ipk,
                    device: new.id,
                    sign_pk: pk(new),
                    kx_pk: [2; 32],
                },
            )
            .0,
        ]
    }

    fn snapshot(by: &Dev, epoch: u32, stay: &[&Dev]) -> Vec<u8> {
        sign(
            &by.key,
            &Statement::Snapshot {
                team: TEAM,
                epoch,
                issuer: by.id,
                members: stay.iter().map(|d| (d.id, pk(d))).collect(),
                key_id: [epoch as u8; 32],
            },
        )
        .0
    }

    fn did(d: &Dev) -> DeviceId {
        DeviceId::from_bytes(d.id.0)
    }

    #[test]
    fn members_admitted_by_invitation_and_revoked_by_snapshot() {
        let (admin, sup, coun, lost) = (dev(1), dev(2), dev(3), dev(4));
        let mut st = vec![genesis(&admin)];
        st.extend(admit(&admin, &sup, Role::Supervisor));
        st.extend(admit(&sup, &coun, Role::Counsellor));
        st.extend(admit(&sup, &lost, Role::Counsellor));
        st.push(snapshot(&admin, 2, &[&admin, &sup, &coun]));
        let r = Roster::build(TEAM, (admin.id, pk(&admin)), &st).unwrap();
        assert_eq!(r.epoch(), 2);
        assert_eq!(
            r.author_key(did(&coun), 2, 1).unwrap().to_bytes(),
            pk(&coun),
            "the key the member signed"
        );
        assert!(
            r.author_key(did(&lost), 1, 1).is_ok(),
            "its past stays its own"
        );
        assert_eq!(
            r.author_key(did(&lost), 2, 1).err(),
            Some(AuthorProblem::Revoked)
        );
        assert!(!r.is_member(did(&lost)));
    }

    #[test]
    fn the_server_cannot_add_a_device_or_bring_one_back() {
        let (admin, sup, lost, intruder) = (dev(1), dev(2), dev(4), dev(9));
        let mut st = vec![genesis(&admin)];
        st.extend(admit(&admin, &sup, Role::Supervisor));
        st.extend(admit(&admin, &lost, Role::Counsellor));
        st.push(snapshot(&admin, 2, &[&admin, &sup]));
        // A device of the server's own, introduced by an invitation nobody signed.
        st.extend(admit(&intruder, &intruder, Role::Admin));
        // The revoked tablet inviting after its revocation.
        st.extend(admit_in(2, &lost, &dev(5), Role::Counsellor));
        // A supervisor trying to make an administrator.
        st.extend(admit_in(2, &sup, &dev(6), Role::Admin));
        // A forged snapshot (signed by a supervisor) bringing the lost tablet back.
        st.push(snapshot(&sup, 3, &[&admin, &sup, &lost]));
        let r = Roster::build(TEAM, (admin.id, pk(&admin)), &st).unwrap();
        for d in [&intruder, &dev(5), &dev(6)] {
            assert_eq!(
                r.author_key(did(d), 2, 1).err(),
                Some(AuthorProblem::Unknown)
            );
        }
        assert_eq!(r.epoch(), 2, "the forged snapshot is ignored");
        assert!(!r.is_member(did(&lost)));
    }

    #[test]
    fn one_device_per_invitation_and_one_list_per_epoch() {
        let (admin, a, b) = (dev(1), dev(2), dev(3));
        let invite = SigningKey::from_bytes(&crate::crypto::random_array());
        let ipk = invite.verifying_key().to_bytes();
        let member = |d: &Dev| {
            sign(
                &invite,
                &Statement::Member {
                    invite_pk: ipk,
                    device: d.id,
                    sign_pk: pk(d),
                    kx_pk: [2; 32],
                },
            )
            .0
        };
        let st = vec![
            genesis(&admin),
            sign(
                &admin.key,
                &Statement::Invite {
                    team: TEAM,
                    issuer: admin.id,
                    invite_pk: ipk,
                    role: Role::Counsellor,
                    epoch: 1,
                },
            )
            .0,
            member(&a),
            member(&b),
        ];
        let r = Roster::build(TEAM, (admin.id, pk(&admin)), &st).unwrap();
        assert!(r.author_key(did(&a), 1, 1).is_err() && r.author_key(did(&b), 1, 1).is_err());

        let mut forked = vec![genesis(&admin)];
        forked.push(snapshot(&admin, 2, &[&admin]));
        forked.push(snapshot(&admin, 2, &[&admin, &a]));
        assert!(matches!(
            Roster::build(TEAM, (admin.id, pk(&admin)), &forked),
            Err(Error::Tampered { .. })
        ));
        assert!(
            Roster::build(TEAM, (a.id, pk(&a)), &[genesis(&admin)]).is_err(),
            "another root"
        );
    }

    /// Statements of the right shape whose signatures are not the ones they claim.
    #[test]
    fn statements_with_the_wrong_signature_change_nothing() {
        let (admin, sup, intruder) = (dev(1), dev(2), dev(9));
        let mut st = vec![genesis(&admin)];
        st.extend(admit(&admin, &sup, Role::Supervisor));
        // An invitation "by the admin", signed by the intruder.
        let invite = SigningKey::from_bytes(&crate::crypto::random_array());
        let ipk = invite.verifying_key().to_bytes();
        st.push(
            sign(
                &intruder.key,
                &Statement::Invite {
                    team: TEAM,
                    issuer: admin.id,
                    invite_pk: ipk,
                    role: Role::Admin,
                    epoch: 1,
                },
            )
            .0,
        );
        st.push(
            sign(
                &invite,
                &Statement::Member {
                    invite_pk: ipk,
                    device: intruder.id,
                    sign_pk: pk(&intruder),
                    kx_pk: [9; 32],
                },
            )
            .0,
        );
        // A snapshot "by the admin" dropping the supervisor, signed by the supervisor.
        st.push(
            sign(
                &sup.key,
                &Statement::Snapshot {
                    team: TEAM,
                    epoch: 2,
                    issuer: admin.id,
                    members: vec![(admin.id, pk(&admin))],
                    key_id: [2; 32],
                },
            )
            .0,
        );
        // A genesis for the founder with another key-agreement key, signed by nobody, put
        // before the real one.
        st.insert(
            0,
            SignedStatement {
                statement: Statement::Genesis {
                    team: TEAM,
                    device: admin.id,
                    sign_pk: pk(&admin),
                    kx_pk: [9; 32],
                }
                .encode(),
                signature: vec![0; 64],
            }
            .to_bytes(),
        );
        // A genuine invitation used to re-register the supervisor's id with another key.
        st.extend(admit(
            &admin,
            &Dev {
                id: sup.id,
                key: intruder.key.clone(),
            },
            Role::Admin,
        ));

        let r = Roster::build(TEAM, (admin.id, pk(&admin)), &st).unwrap();
        assert_eq!(
            r.author_key(did(&intruder), 1, 1).err(),
            Some(AuthorProblem::Unknown)
        );
        assert_eq!(r.epoch(), 1, "the forged snapshot is ignored");
        assert!(r.is_member(did(&sup)));
        assert_eq!(r.author_key(did(&sup), 1, 1).unwrap().to_bytes(), pk(&sup));
        let founder = r
            .devices()
            .into_iter()
            .find(|d| d.id == did(&admin))
            .unwrap();
        assert_eq!(founder.kx_pk, [1; 32], "the founder's signed key stays");
    }

    /// A supervisor revoked at epoch 2 had invited a tablet: whatever that tablet is (enrolled
    /// before, or admitted later with the server's help), it is not in the administrator's
    /// snapshot, so it is revoked from epoch 2 and never trusted with anything newer.
    #[test]
    fn a_tablet_invited_by_a_revoked_supervisor_is_revoked_with_it() {
        let (admin, sup, late) = (dev(1), dev(2), dev(3));
        let mut st = vec![genesis(&admin)];
        st.extend(admit(&admin, &sup, Role::Supervisor));
        st.push(snapshot(&admin, 2, &[&admin]));
        st.extend(admit(&sup, &late, Role::Counsellor));
        st.extend(admit_in(2, &sup, &dev(4), Role::Counsellor));
        let r = Roster::build(TEAM, (admin.id, pk(&admin)), &st).unwrap();
        assert_eq!(
            r.author_key(did(&late), 2, 1).err(),
            Some(AuthorProblem::Revoked)
        );
        assert!(!r.is_member(did(&late)));
        assert_eq!(
            r.author_key(did(&dev(4)), 2, 1).err(),
            Some(AuthorProblem::Unknown),
            "after its revocation it admits no one"
        );
    }

    /// The team goes on after a revocation: a tablet invited in the new epoch is a member,
    /// and that epoch's key commitment is the snapshot's.
    #[test]
    fn a_tablet_enrolled_after_a_revocation_is_a_member() {
        let (admin, lost, late, later) = (dev(1), dev(2), dev(3), dev(4));
        let mut st = vec![genesis(&admin)];
        st.extend(admit(&admin, &lost, Role::Supervisor));
        st.push(snapshot(&admin, 2, &[&admin]));
        st.extend(admit_in(2, &admin, &late, Role::Supervisor));
        st.extend(admit_in(2, &late, &later, Role::Counsellor));
        st.push(snapshot(&admin, 3, &[&admin, &late, &later]));
        let r = Roster::build(TEAM, (admin.id, pk(&admin)), &st).unwrap();
        assert_eq!(r.epoch(), 3);
        for d in [&late, &later] {
            assert!(r.is_member(did(d)));
            assert_eq!(r.author_key(did(d), 3, 1).unwrap().to_bytes(), pk(d));
        }
        assert_eq!(r.key_id(2), Some(&[2; 32]));
        assert_eq!(r.key_id(3), Some(&[3; 32]));
        assert_eq!(r.key_id(4), None);
    }

    /// Garbage or a forged snapshot placed before the genuine one does not hide it.
    #[test]
    fn an_unverified_statement_does_not_shadow_a_genuine_one() {
        let (admin, sup, coun) = (dev(1), dev(2), dev(3));
        let mut st = vec![genesis(&admin)];
        st.extend(admit(&admin, &sup, Role::Supervisor));
        let invite = SigningKey::from_bytes(&crate::crypto::random_array());
        let ipk = invite.verifying_key().to_bytes();
        let invite_by = |signer: &Dev| {
            sign(
                &signer.key,
                &Statement::Invite {
                    team: TEAM,
                    issuer: admin.id,
                    invite_pk: ipk,
                    role: Role::Counsellor,
                    epoch: 1,
                },
            )
            .0
        };
        st.push(invite_by(&sup)); // claims the admin, signed by the supervisor
        st.push(invite_by(&admin));
        st.push(
            sign(
                &invite,
                &Statement::Member {
                    invite_pk: ipk,
                    device: coun.id,
                    sign_pk: pk(&coun),
                    kx_pk: [2; 32],
                },
            )
            .0,
        );
        let mut forged = snapshot(&sup, 2, &[&admin]);
        let (mut signed, _) = SignedStatement::from_bytes(&forged).unwrap();
        signed.statement = Statement::Snapshot {
            team: TEAM,
            epoch: 2,
            issuer: admin.id,
            members: vec![(admin.id, pk(&admin))],
            key_id: [9; 32],
        }
        .encode();
        forged = signed.to_bytes();
        st.push(forged);
        st.push(snapshot(&admin, 2, &[&admin, &sup, &coun]));
        let r = Roster::build(TEAM, (admin.id, pk(&admin)), &st).unwrap();
        assert!(r.is_member(did(&coun)));
        assert_eq!((r.epoch(), r.key_id(2)), (2, Some(&[2; 32])));
    }

    fn cutoff(by: &Dev, epoch: u32, device: &Dev, last_seq: u64) -> Vec<u8> {
        sign(
            &by.key,
            &Statement::Cutoff {
                team: TEAM,
                epoch,
                issuer: by.id,
                device: device.id,
                last_seq,
            },
        )
        .0
    }

    /// Finding 7 of issue 16: a revoked tablet keeps its old keys and could keep writing
    /// operations "in the past" (an old written epoch). With the administrator's cutoff its
    /// own numbering decides, whatever epoch it claims.
    #[test]
    fn a_cutoff_refuses_what_a_revoked_tablet_numbers_later_whatever_epoch_it_claims() {
        let (admin, sup, lost, other_admin) = (dev(1), dev(2), dev(4), dev(5));
        let mut st = vec![genesis(&admin)];
        st.extend(admit(&admin, &sup, Role::Supervisor));
        st.extend(admit(&admin, &lost, Role::Counsellor));
        st.extend(admit(&admin, &other_admin, Role::Admin));
        st.push(snapshot(&admin, 2, &[&admin, &sup, &other_admin]));
        let before = Roster::build(TEAM, (admin.id, pk(&admin)), &st).unwrap();
        assert!(
            before.author_key(did(&lost), 1, 900).is_ok(),
            "without a cutoff, an old epoch passes whatever the number"
        );
        // A cutoff signed by someone other than the snapshot's issuer, or by the lost tablet
        // itself for a snapshot that did not revoke it, counts for nothing.
        let mut forged = st.clone();
        forged.push(cutoff(&other_admin, 2, &lost, 1_000_000));
        forged.push(cutoff(&sup, 2, &lost, 1_000_000));
        forged.push(cutoff(&admin, 3, &lost, 1_000_000));
        let r = Roster::build(TEAM, (admin.id, pk(&admin)), &forged).unwrap();
        assert!(!r.has_cutoff(did(&lost)));
        st.push(cutoff(&admin, 2, &lost, 41));
        let r = Roster::build(TEAM, (admin.id, pk(&admin)), &st).unwrap();
        assert!(
            r.author_key(did(&lost), 1, 41).is_ok(),
            "written before: counts"
        );
        assert_eq!(
            r.author_key(did(&lost), 1, 42).err(),
            Some(AuthorProblem::Revoked),
            "numbered after the cutoff: refused though it claims epoch 1"
        );
        assert_eq!(
            r.devices()
                .iter()
                .find(|d| d.id == did(&lost))
                .unwrap()
                .last_counted,
            Some(41)
        );
        // Two valid cutoffs: the lower holds, in whatever order they came.
        let mut twice = st.clone();
        twice.insert(2, cutoff(&admin, 2, &lost, 30));
        let r = Roster::build(TEAM, (admin.id, pk(&admin)), &twice).unwrap();
        assert!(r.author_key(did(&lost), 1, 31).is_err());
    }

    #[test]
    fn a_tablet_handed_back_counts_up_to_its_own_last_operation() {
        let (admin, coun) = (dev(1), dev(3));
        let mut st = vec![genesis(&admin)];
        st.extend(admit(&admin, &coun, Role::Counsellor));
        let retire = |by: &Dev, last_seq| {
            sign(
                &by.key,
                &Statement::Retire {
                    team: TEAM,
                    device: coun.id,
                    last_seq,
                },
            )
            .0
        };
        st.push(retire(&admin, 3)); // not the tablet's own signature: ignored
        let r = Roster::build(TEAM, (admin.id, pk(&admin)), &st).unwrap();
        assert!(r.retired_at(did(&coun)).is_none());
        st.push(retire(&coun, 7));
        let r = Roster::build(TEAM, (admin.id, pk(&admin)), &st).unwrap();
        assert!(r.retired_at(did(&coun)) == Some(7) && r.is_member(did(&coun)));
        assert!(r.author_key(did(&coun), 1, 7).is_ok());
        assert!(r.author_key(did(&coun), 1, 8).is_err());
    }

    #[test]
    fn the_signing_key_matches_the_login_key() {
        let doc = ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
            .unwrap();
        let key = signer_from_pkcs8(doc.as_ref()).unwrap();
        let ring_pair = ring::signature::Ed25519KeyPair::from_pkcs8(doc.as_ref()).unwrap();
        let msg = b"same key";
        let sig = ring_pair.sign(msg);
        key.verifying_key()
            .verify_strict(
                msg,
                &Signature::from_bytes(sig.as_ref().try_into().unwrap()),
            )
            .unwrap();
    }
}
