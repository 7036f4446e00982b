//! The team's signed device list (ADR 0008): statements that devices sign and the server only
//! stores and hands out, append-only, in the order it received them. A device rebuilds the
//! list from them and trusts nothing the server says about membership that they do not prove.
//!
//! - `Genesis`: the founding administrator's device introduces itself (the team's root of
//!   trust, which every device learns inside its sealed enrolment bundle).
//! - `Invite`: a member authorises a one-time invitation key (derived from the enrolment code,
//!   which the server never sees) to admit one device with a role, during one key epoch.
//! - `Member`: the new device's identity, signed with that invitation key.
//! - `Snapshot`: at a revocation, an administrator lists the devices that stay for the new
//!   key epoch, and commits to that epoch's key; everyone not listed is revoked from that
//!   epoch on, and a key that does not match the commitment is refused.
//! - `Cutoff`: with a snapshot, the same administrator names the last operation of the
//!   revoked device that counts (its own numbering): receivers refuse anything later from it,
//!   whatever epoch it claims (ADR 0013).
//! - `Retire`: a tablet handed back names, under its own signature, the last of its
//!   operations; it sent them all first, so nothing it wrote is refused later.
//!
//! New kinds of statement are appended at the end: a device that does not know one skips it
//! (its bytes do not decode) and reads the rest as before.

use serde::{Deserialize, Serialize};

use crate::{Bytes, Id16, Role};

/// Longest statement accepted (a snapshot of a few thousand devices fits).
pub const MAX_STATEMENT_BYTES: usize = 256 * 1024;
/// Most statements a team's list may hold: a device refuses a longer one (a server must not
/// make it fetch and verify without end).
pub const MAX_ROSTER_STATEMENTS: u32 = 100_000;
/// Most statements in one roster response.
pub const MAX_ROSTER_PAGE: usize = 5_000;

/// Most invitation-and-member pairs a tablet hands back to a server that forgot it (`POST
/// /v1/rejoin`): a chain of invitations deeper than any team's (an administrator invited by
/// an administrator invited by ...), short enough that checking one costs the server little.
pub const MAX_REJOIN_LINKS: usize = 32;

const SIGN_LABEL: &[u8] = b"komora/roster/v1\0";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Statement {
    Genesis {
        team: Id16,
        device: Id16,
        sign_pk: [u8; 32],
        kx_pk: [u8; 32],
    },
    Invite {
        team: Id16,
        issuer: Id16,
        invite_pk: [u8; 32],
        role: Role,
        /// The team key epoch it was made in: it admits a device in that epoch only (a
        /// revocation cancels pending invitations).
        epoch: u32,
    },
    /// Its team and role are those of the invitation whose key signed it.
    Member {
        invite_pk: [u8; 32],
        device: Id16,
        sign_pk: [u8; 32],
        kx_pk: [u8; 32],
    },
    Snapshot {
        team: Id16,
        epoch: u32,
        issuer: Id16,
        /// The devices that stay, with their signing keys (pinning them).
        members: Vec<(Id16, [u8; 32])>,
        /// A commitment to the new epoch's team key (see the core's `key_id`): a device
        /// accepts that epoch's key only if it matches, so no one but an administrator
        /// chooses it.
        key_id: [u8; 32],
    },
    /// Signed by the administrator who signed the snapshot of `epoch` that revoked `device`:
    /// operations of `device` numbered after `last_seq` are refused by every receiver,
    /// erasures and policy changes included.
    Cutoff {
        team: Id16,
        epoch: u32,
        issuer: Id16,
        device: Id16,
        last_seq: u64,
    },
    /// Signed by `device` itself when it is handed back: it sent every operation up to
    /// `last_seq` (its own numbering) and writes nothing after.
    Retire {
        team: Id16,
        device: Id16,
        last_seq: u64,
    },
    /// Signed by an administrator: the server's TLS key pins (`sha256/...`) tablets trust from
    /// now on, the highest `serial` holding. Announces a new key ahead of a rollover, or names
    /// the key of a server rebuilt after it was lost, so nobody re-enrols (ADR 0016).
    ServerPins {
        team: Id16,
        issuer: Id16,
        serial: u64,
        pins: Vec<String>,
    },
    /// Signed by an administrator: the team's tablets write records of format `version`
    /// (new record kinds and fields) from now on. Raised once every device of the team reads
    /// it; never lowered: the highest holds (ADR 0016).
    Format {
        team: Id16,
        issuer: Id16,
        version: u32,
    },
}

impl Statement {
    /// Its bytes, as signed.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("statements always serialise")
    }

    /// The team it names (a member's is its invitation's).
    pub fn team(&self) -> Option<Id16> {
        match self {
            Statement::Genesis { team, .. }
            | Statement::Invite { team, .. }
            | Statement::Snapshot { team, .. }
            | Statement::Cutoff { team, .. }
            | Statement::Retire { team, .. }
            | Statement::ServerPins { team, .. }
            | Statement::Format { team, .. } => Some(*team),
            Statement::Member { .. } => None,
        }
    }
}

/// A statement and the Ed25519 signature over [`SignedStatement::message`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedStatement {
    /// The postcard encoding of a [`Statement`]: signed as these exact bytes.
    pub statement: Vec<u8>,
    pub signature: Vec<u8>,
}

impl SignedStatement {
    /// What the signer signs: a domain label and the statement's bytes.
    pub fn message(statement: &[u8]) -> Vec<u8> {
        let mut m = SIGN_LABEL.to_vec();
        m.extend_from_slice(statement);
        m
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("statements always serialise")
    }

    /// Decode bytes from outside: bounded, whole, the statement itself decodable.
    pub fn from_bytes(bytes: &[u8]) -> Option<(Self, Statement)> {
        if bytes.len() > MAX_STATEMENT_BYTES {
            return None;
        }
        let signed: SignedStatement = postcard::from_bytes(bytes).ok()?;
        if signed.signature.len() != 64 {
            return None;
        }
        let statement: Statement = postcard::from_bytes(&signed.statement).ok()?;
        Some((signed, statement))
    }
}

/// `GET /v1/roster?after=N`: the team's statements from position `after` on.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RosterResponse {
    pub statements: Vec<Bytes>,
    /// How many statements the team has in all.
    pub total: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_round_trips_and_garbage_is_refused() {
        let st = Statement::Invite {
            team: Id16([1; 16]),
            issuer: Id16([2; 16]),
            invite_pk: [3; 32],
            role: Role::Counsellor,
            epoch: 1,
        };
        let signed = SignedStatement {
            statement: postcard::to_allocvec(&st).unwrap(),
            signature: vec![9; 64],
        };
        let (back, decoded) = SignedStatement::from_bytes(&signed.to_bytes()).unwrap();
        assert_eq!(back, signed);
        assert_eq!(decoded, st);
        assert!(SignedStatement::from_bytes(b"not a statement").is_none());
        let short = SignedStatement {
            signature: vec![9; 63],
            ..signed
        };
        assert!(SignedStatement::from_bytes(&short.to_bytes()).is_none());
    }
}
