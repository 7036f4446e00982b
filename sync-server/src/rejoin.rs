//! A tablet its server forgot, brought back by the signed statements that admit it (issue 17,
//! ADR 0016).
//!
//! A store restored from a backup taken before a tablet enrolled does not know that tablet. If
//! no other tablet had heard of the enrolment, only the tablet itself holds its member
//! statement, and the server refuses its login: it could neither send the statement back nor
//! the work it did since. So, without a login, it hands back the invitations and member
//! statements that admit it, oldest first (`POST /v1/rejoin`). The server checks all of them
//! against the team's list as it holds it, as it checks an enrolment, before it writes
//! anything:
//! - each invitation is of this team, signed by a device the server knows (or one the chain
//!   admitted before it) whose role may invite that role, and which was still a member in the
//!   key epoch the invitation names (no snapshot the server holds had left it out by then);
//! - each member statement is signed with its invitation's key, and no other device used that
//!   invitation;
//! - a device id the server knows keeps its keys: a chain naming it with other keys is refused;
//! - an invitation of a key epoch the server has not reached is refused: the server lacks a
//!   rotation, which the next tablet to reconcile brings back; the tablet tries again then.
//!
//! Then, in one transaction, the devices are registered with their invitations' roles (one
//! that a snapshot the server holds leaves out is registered revoked: its login is refused and
//! it may fetch the signed proof), the statements the list lacks are appended, and the
//! invitations are spent (a restored store could otherwise enrol a second tablet with a code
//! already used). Anything that does not check changes nothing.
//!
//! Why no login is needed: the statements prove themselves. Only a member's key signs an
//! invitation and only the invitation's key (derived from a code the server never sees) signs
//! a member statement, so a caller can replay genuine statements but never make new ones, and
//! replaying them tells the server only what the team signed. A device registered this way
//! gets nothing but the right to log in with its own key, which it alone holds; tablets check
//! every statement again from their own root of trust.

use std::collections::{BTreeMap, HashMap, HashSet};

use komora_protocol::roster::{
    SignedStatement, Statement, MAX_REJOIN_LINKS, MAX_ROSTER_STATEMENTS,
};
use komora_protocol::{Id16, Role};
use ring::signature::{UnparsedPublicKey, ED25519};

use crate::db::{Db, DbResult, NewDevice, Readmitted};

/// Why a rejoin is refused. Nothing was changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not invitations and member statements in pairs ending with the asking device's own.
    Malformed(&'static str),
    /// The pairs do not chain onto the team's list as the server holds it.
    NotAdmitted(&'static str),
    /// An invitation of a key epoch this store has not reached (it lacks a rotation).
    EpochAhead,
}

fn signed_by(signed: &SignedStatement, pk: &[u8]) -> bool {
    UnparsedPublicKey::new(&ED25519, pk)
        .verify(
            &SignedStatement::message(&signed.statement),
            &signed.signature,
        )
        .is_ok()
}

/// One invitation and the member statement its key signed.
struct Link {
    invite: Vec<u8>,
    signed_invite: SignedStatement,
    issuer: Id16,
    role: Role,
    epoch: u32,
    invite_pk: [u8; 32],
    member: Vec<u8>,
    device: Id16,
    sign_pk: [u8; 32],
    kx_pk: [u8; 32],
}

/// Decode the chain and check what needs no store: the pairs, the team, each member statement's
/// signature by its invitation's key, each device and invitation once, the asking device last.
fn links(team: Id16, device: Id16, chain: &[Vec<u8>]) -> Result<Vec<Link>, Refusal> {
    if chain.is_empty() || !chain.len().is_multiple_of(2) || chain.len() > 2 * MAX_REJOIN_LINKS {
        return Err(Refusal::Malformed(
            "a tablet hands back invitations and member statements in pairs, no more than a \
             team's chain of invitations",
        ));
    }
    let mut links = Vec::with_capacity(chain.len() / 2);
    for pair in chain.chunks(2) {
        let invite = SignedStatement::from_bytes(&pair[0]);
        let member = SignedStatement::from_bytes(&pair[1]);
        let (
            Some((
                signed_invite,
                Statement::Invite {
                    team: invited_to,
                    issuer,
                    invite_pk,
                    role,
                    epoch,
                },
            )),
            Some((
                signed_member,
                Statement::Member {
                    invite_pk: used,
                    device,
                    sign_pk,
                    kx_pk,
                },
            )),
        ) = (invite, member)
        else {
            return Err(Refusal::Malformed(
                "each invitation must be followed by the member statement its key signed",
            ));
        };
        if invited_to != team {
            return Err(Refusal::NotAdmitted("an invitation of another team"));
        }
        if used != invite_pk || !signed_by(&signed_member, &invite_pk) {
            return Err(Refusal::NotAdmitted(
                "a member statement not signed with its invitation's key",
            ));
        }
        links.push(Link {
            invite: pair[0].clone(),
            signed_invite,
            issuer,
            role,
            epoch,
            invite_pk,
            member: pair[1].clone(),
            device,
            sign_pk,
            kx_pk,
        });
    }
    let devices: HashSet<Id16> = links.iter().map(|l| l.device).collect();
    let invites: HashSet<[u8; 32]> = links.iter().map(|l| l.invite_pk).collect();
    if devices.len() != links.len() || invites.len() != links.len() {
        return Err(Refusal::Malformed(
            "each device and each invitation appears once in a chain",
        ));
    }
    if links.last().map(|l| l.device) != Some(device) {
        return Err(Refusal::Malformed(
            "the chain ends with the asking device's own member statement",
        ));
    }
    Ok(links)
}

/// The devices a snapshot keeps for its epoch, with their signing keys.
type Kept = Vec<(Id16, [u8; 32])>;

/// What the team's list, as this store holds it, says of epochs and invitations. Its
/// statements were checked when they arrived.
struct Held {
    statements: HashSet<Vec<u8>>,
    /// Each rotated epoch's snapshots: the devices that stay, with their signing keys.
    snapshots: BTreeMap<u32, Vec<Kept>>,
    /// The device that used each invitation.
    used: HashMap<[u8; 32], Id16>,
    /// The key epoch each device was admitted in (its invitation's; the founder's is 1).
    admitted: HashMap<Id16, u32>,
}

impl Held {
    fn new(list: Vec<Vec<u8>>) -> Self {
        let mut held = Held {
            statements: HashSet::new(),
            snapshots: BTreeMap::new(),
            used: HashMap::new(),
            admitted: HashMap::new(),
        };
        let mut invite_epochs: HashMap<[u8; 32], u32> = HashMap::new();
        let mut members: Vec<([u8; 32], Id16)> = Vec::new();
        for bytes in &list {
            match SignedStatement::from_bytes(bytes).map(|(_, st)| st) {
                Some(Statement::Genesis { device, .. }) => {
                    held.admitted.insert(device, 1);
                }
                Some(Statement::Invite {
                    invite_pk, epoch, ..
                }) => {
                    invite_epochs.entry(invite_pk).or_insert(epoch);
                }
                Some(Statement::Member {
                    invite_pk, device, ..
                }) => members.push((invite_pk, device)),
                Some(Statement::Snapshot { epoch, members, .. }) => {
                    held.snapshots.entry(epoch).or_default().push(members);
                }
                _ => {}
            }
        }
        for (invite_pk, device) in members {
            held.used.entry(invite_pk).or_insert(device);
            if let Some(epoch) = invite_epochs.get(&invite_pk) {
                held.admitted.entry(device).or_insert(*epoch);
            }
        }
        held.statements = list.into_iter().collect();
        held
    }

    /// The first epoch after `from` whose snapshot leaves `device` (with `sign_pk`) out: it is
    /// revoked from then on.
    fn revoked_from(&self, device: Id16, sign_pk: &[u8], from: u32) -> Option<u32> {
        self.snapshots
            .range(from.saturating_add(1)..)
            .find(|(_, lists)| {
                !lists
                    .iter()
                    .all(|l| l.iter().any(|(d, pk)| *d == device && pk[..] == *sign_pk))
            })
            .map(|(epoch, _)| *epoch)
    }
}

/// A device that may sign an invitation: its key, role, and the epochs it was a member in.
#[derive(Clone)]
struct Inviter {
    sign_pk: Vec<u8>,
    role: Role,
    admitted: u32,
    revoked_from: Option<u32>,
}

impl Inviter {
    fn member_in(&self, epoch: u32) -> bool {
        self.admitted <= epoch && self.revoked_from.is_none_or(|r| epoch < r)
    }
}

/// A device the store knows, as an inviter; `None` if it is not of `team`, or is revoked
/// while the list the store holds does not say from when.
async fn known(db: &dyn Db, held: &Held, team: Id16, id: Id16) -> DbResult<Option<Inviter>> {
    let Some(d) = db.device(id).await?.filter(|d| d.team_id == team) else {
        return Ok(None);
    };
    let admitted = held.admitted.get(&id).copied().unwrap_or(1);
    let revoked_from = held.revoked_from(id, &d.sign_pk, admitted);
    if d.revoked && revoked_from.is_none() {
        return Ok(None);
    }
    Ok(Some(Inviter {
        sign_pk: d.sign_pk,
        role: d.role,
        admitted,
        revoked_from,
    }))
}

/// Register `device` of `team` and the devices its `chain` admits before it, if the chain
/// checks (see the module's comment); returns how many devices were registered (0: the
/// store knew them all), or why nothing was.
pub async fn rejoin(
    db: &dyn Db,
    team: Id16,
    device: Id16,
    chain: &[Vec<u8>],
    now: u64,
) -> DbResult<Result<u32, Refusal>> {
    let links = match links(team, device, chain) {
        Ok(links) => links,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let last = links.last().expect("a chain holds a pair at least");
    // Known already (another tablet brought its statement back, or this is a retry).
    if let Some(d) = db.device(device).await? {
        return Ok(if d.team_id == team && d.sign_pk[..] == last.sign_pk {
            Ok(0)
        } else {
            Err(Refusal::NotAdmitted(
                "this device id belongs to another device",
            ))
        });
    }
    // The first invitation must come from a device the store knows: checked before the team's
    // whole list is read, so made-up statements cost the server one lookup.
    let first = &links[0];
    let Some(issuer) = db.device(first.issuer).await?.filter(|d| d.team_id == team) else {
        return Ok(Err(Refusal::NotAdmitted(
            "the first invitation is not signed by a device of this team the server knows",
        )));
    };
    if !signed_by(&first.signed_invite, &issuer.sign_pk) {
        return Ok(Err(Refusal::NotAdmitted(
            "an invitation not signed by the device it names",
        )));
    }
    let team_epoch = issuer.team_epoch;
    let (list, _) = db.roster(team, 0, MAX_ROSTER_STATEMENTS).await?;
    let held = Held::new(list);

    let mut chained: HashMap<Id16, Inviter> = HashMap::new();
    let mut devices = Vec::new();
    let mut statements = Vec::new();
    for link in &links {
        let inviter = match chained.get(&link.issuer) {
            Some(i) => Some(i.clone()),
            None => known(db, &held, team, link.issuer).await?,
        };
        let Some(inviter) = inviter else {
            return Ok(Err(Refusal::NotAdmitted(
                "an invitation by a device this server does not know as a member",
            )));
        };
        if !inviter.role.may_invite(link.role) {
            return Ok(Err(Refusal::NotAdmitted(
                "an invitation by a role that may not invite that role",
            )));
        }
        if !signed_by(&link.signed_invite, &inviter.sign_pk) {
            return Ok(Err(Refusal::NotAdmitted(
                "an invitation not signed by the device it names",
            )));
        }
        if link.epoch > team_epoch {
            return Ok(Err(Refusal::EpochAhead));
        }
        if !inviter.member_in(link.epoch) {
            return Ok(Err(Refusal::NotAdmitted(
                "an invitation by a device that was not a member when it was made",
            )));
        }
        if held
            .used
            .get(&link.invite_pk)
            .is_some_and(|d| *d != link.device)
        {
            return Ok(Err(Refusal::NotAdmitted(
                "an invitation another device used",
            )));
        }
        let revoked_from = held.revoked_from(link.device, &link.sign_pk, link.epoch);
        match db.device(link.device).await? {
            // Known (an inviter further up that another tablet brought back): it stays as the
            // store has it, and invites further down as the store knows it.
            Some(d) if d.team_id == team && d.sign_pk[..] == link.sign_pk => continue,
            Some(_) => {
                return Ok(Err(Refusal::NotAdmitted(
                    "this device id belongs to another device",
                )))
            }
            None => {
                devices.push(Readmitted {
                    device: NewDevice {
                        id: link.device,
                        sign_pk: link.sign_pk.to_vec(),
                        kx_pk: link.kx_pk.to_vec(),
                        statement: link.member.clone(),
                        invite_pk: Some(link.invite_pk),
                    },
                    role: link.role,
                    revoked: revoked_from.is_some(),
                });
                for s in [&link.invite, &link.member] {
                    if !held.statements.contains(s) {
                        statements.push(s.clone());
                    }
                }
            }
        }
        chained.insert(
            link.device,
            Inviter {
                sign_pk: link.sign_pk.to_vec(),
                role: link.role,
                admitted: link.epoch,
                revoked_from,
            },
        );
    }
    let registered = db.readmit(team, devices.clone(), statements, now).await?;
    // A snapshot another tablet brought back while this was checked: it was kept before it
    // revoked the devices it leaves out, so it is in the list now if it missed those
    // registered here (`roster_replay.rs`). Apply it to them.
    let active: Vec<&Readmitted> = devices.iter().filter(|d| !d.revoked).collect();
    if registered > 0 && !active.is_empty() {
        let (list, _) = db.roster(team, 0, MAX_ROSTER_STATEMENTS).await?;
        let now_held = Held::new(list);
        for d in active {
            let from = now_held.admitted.get(&d.device.id).copied().unwrap_or(1);
            if let Some(epoch) = now_held.revoked_from(d.device.id, &d.device.sign_pk, from) {
                db.revoke_to(team, d.device.id, epoch, now).await?;
            }
        }
    }
    Ok(Ok(registered))
}
