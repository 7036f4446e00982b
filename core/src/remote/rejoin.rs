//! A tablet its server forgot (issue 17, ADR 0016). A store restored from a backup taken
//! before this tablet enrolled does not know it; if no other tablet had heard of its
//! enrolment, only this tablet holds the member statement that admits it, and the server
//! refuses its login. So when the server answers a login "unknown device", the tablet hands
//! back, without a login, the invitations and member statements that admit it, taken from its
//! copy of the team's signed list (`POST /v1/rejoin`). The server registers it only if they
//! chain onto the list it holds, and the tablet logs in again: it finds another store
//! generation and reconciles as any tablet does after a restore, sending back its work.
//!
//! Once per session: a refusal stands for that exchange (the login fails as before,
//! "unauthenticated"); a network failure is retried with the call.

use std::collections::HashMap;

use komora_protocol::roster::{SignedStatement, Statement, MAX_REJOIN_LINKS};
use komora_protocol::{Bytes, Id16, RejoinRequest};

use super::{Session, Signer};
use crate::error::{Error, Result};
use crate::roster::verify;
use crate::vault::Vault;

impl Session<'_> {
    /// The server does not know this device: hand back the statements that admit it. `Ok`
    /// when the server took them (log in again), `Unauthenticated` when there is nothing to
    /// hand back or the server refused them, the network's error when nothing was decided.
    pub(crate) fn rejoin(&mut self, signer: &dyn Signer) -> Result<()> {
        let Some(req) = signer.admission()? else {
            self.rejoined = true;
            return Err(Error::Unauthenticated);
        };
        match self.call_anonymous(|t| t.rejoin(&req)) {
            Ok(_) => {
                self.rejoined = true;
                Ok(())
            }
            Err(e @ (Error::Network(_) | Error::RateLimited)) => Err(e),
            Err(_) => {
                self.rejoined = true;
                Err(Error::Unauthenticated)
            }
        }
    }
}

impl Vault {
    /// What this tablet hands back to a server that forgot it: the statements of its copy of
    /// the team's list that admit it, oldest first; `None` when that list does not admit it as
    /// a member (a vault outside any server team, or revoked).
    pub(crate) fn admission(&self) -> Result<Option<RejoinRequest>> {
        let Some(roster) = self.store.roster.as_ref() else {
            return Ok(None);
        };
        let me = self.device_id();
        let member = roster
            .devices()
            .iter()
            .any(|d| d.id == me && d.revoked_from.is_none());
        if !member {
            return Ok(None);
        }
        let team = self.sync_settings()?.team_id;
        let device = Id16(*me.as_bytes());
        let statements = self.roster_statements()?;
        Ok(
            admission_chain(team, roster.root(), &statements, device).map(|chain| RejoinRequest {
                team_id: team,
                device_id: device,
                chain: chain.into_iter().map(Bytes).collect(),
            }),
        )
    }
}

/// A device's member statement in the list: the invitation key that signed it, its own
/// signing key, its bytes.
struct Entry<'a> {
    invite_pk: [u8; 32],
    sign_pk: [u8; 32],
    raw: &'a Vec<u8>,
}

/// An invitation in the list, and who it says issued it (believed once their key verifies it).
struct Invitation<'a> {
    issuer: Id16,
    signed: SignedStatement,
    raw: &'a Vec<u8>,
}

/// The invitations and member statements that admit `device` to `team`, oldest first, in
/// pairs: the member statement of `device` and the invitation whose key signed it, then the
/// same for the device that signed that invitation, and so on up to the founder (`root`), at
/// most [`MAX_REJOIN_LINKS`] pairs (the nearest: the server may know a device in between).
/// Each invitation is one its issuer's key, as the list states it, verifies.
fn admission_chain(
    team: Id16,
    root: (Id16, [u8; 32]),
    statements: &[Vec<u8>],
    device: Id16,
) -> Option<Vec<Vec<u8>>> {
    // Each device's member statement (signed with its invitation's key), and the invitations
    // by key.
    let mut members: HashMap<Id16, Entry<'_>> = HashMap::new();
    let mut invites: HashMap<[u8; 32], Vec<Invitation<'_>>> = HashMap::new();
    for raw in statements {
        let Some((signed, st)) = SignedStatement::from_bytes(raw) else {
            continue;
        };
        match st {
            Statement::Member {
                invite_pk,
                device,
                sign_pk,
                ..
            } if verify(&invite_pk, &signed) => {
                members.entry(device).or_insert(Entry {
                    invite_pk,
                    sign_pk,
                    raw,
                });
            }
            Statement::Invite {
                team: t,
                issuer,
                invite_pk,
                ..
            } if t == team => invites.entry(invite_pk).or_default().push(Invitation {
                issuer,
                signed,
                raw,
            }),
            _ => {}
        }
    }
    let key_of = |d: Id16| {
        if d == root.0 {
            Some(root.1)
        } else {
            members.get(&d).map(|m| m.sign_pk)
        }
    };
    let mut chain = Vec::new();
    let mut next = device;
    for _ in 0..MAX_REJOIN_LINKS {
        if next == root.0 {
            break;
        }
        let member = members.get(&next)?;
        let invite = invites
            .get(&member.invite_pk)?
            .iter()
            .find(|i| key_of(i.issuer).is_some_and(|pk| verify(&pk, &i.signed)))?;
        chain.push(member.raw.clone());
        chain.push(invite.raw.clone());
        next = invite.issuer;
    }
    if chain.is_empty() {
        return None;
    }
    chain.reverse();
    Some(chain)
}
