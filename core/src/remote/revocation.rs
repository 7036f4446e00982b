//! Revocation as the tablet decides it (ADR 0013): the server's word that this device was
//! revoked erases nothing. A tablet erases itself only once the team's signed device list,
//! checked from its own root of trust, shows an administrator revoking *this* device; until
//! then a "revoked" answer stops the exchange and changes nothing, so a compromised, confused
//! or impersonated server cannot destroy a tablet's unsent work. The rule lives here once, for
//! every front end (the command line, the app).
//!
//! A tablet that is handed back (a counsellor leaving) first sends everything it holds, then
//! signs the number of its last operation (`Retire`), and records nothing more: nothing it
//! wrote is refused later. A lost tablet is revoked at once; the administrator's cutoff names
//! the last of its operations the team had received.

use komora_protocol::roster::{RosterResponse, Statement, MAX_ROSTER_PAGE, MAX_ROSTER_STATEMENTS};
use komora_protocol::{Bytes, ChallengeRequest, Id16, RetireRequest, RevocationProofRequest};

use super::{Session, Signer, SyncOptions, VaultCell};
use crate::error::{Error, Result};
use crate::roster::Roster;
use crate::vault::Vault;

/// What a revocation proof may hold at most, in bytes (the team's list, fetched without a
/// login: bounded like every answer from outside).
const MAX_PROOF_BYTES: usize = 64 * 1024 * 1024;

const HANDED_BACK_META: &str = "handed_back";

impl Session<'_> {
    /// The server answered "revoked": ask for the proof and check it. `Error::Revoked` when
    /// the team's signed list revokes this device (the caller then erases the vault), else
    /// `RevocationUnproven` (or the network's error: nothing decided, try again later).
    pub(crate) fn settle_revocation(&mut self, vault: &dyn Signer) -> Error {
        match self.revocation_proof(vault) {
            Ok(statements) => match vault.revocation_proven(statements) {
                Ok(true) => Error::Revoked,
                Ok(false) => Error::RevocationUnproven,
                Err(e) => e,
            },
            Err(Error::Network(reason)) => Error::Network(reason),
            Err(Error::RateLimited) => Error::RateLimited,
            Err(_) => Error::RevocationUnproven,
        }
    }

    /// The team's signed list as the server hands it to a revoked device, proven to be this
    /// device by its signature on a fresh challenge.
    fn revocation_proof(&mut self, vault: &dyn Signer) -> Result<Vec<Vec<u8>>> {
        let device = vault.login_device()?;
        let mut statements: Vec<Vec<u8>> = Vec::new();
        let mut bytes = 0usize;
        loop {
            let challenge =
                self.call_anonymous(|t| t.challenge(&ChallengeRequest { device_id: device }))?;
            let signature = vault.revocation_signature(&challenge.challenge.0)?;
            let req = RevocationProofRequest {
                device_id: device,
                challenge: challenge.challenge,
                signature: Bytes(signature),
                after: statements.len() as u32,
            };
            let page: RosterResponse = self.call_anonymous(|t| t.revocation_proof(&req))?;
            if page.total > MAX_ROSTER_STATEMENTS || page.statements.len() > MAX_ROSTER_PAGE {
                return Err(Error::Tampered {
                    what: "a device list longer than any team's",
                });
            }
            if page.statements.is_empty() {
                break;
            }
            for s in page.statements {
                bytes += s.0.len();
                statements.push(s.0);
            }
            if bytes > MAX_PROOF_BYTES {
                return Err(Error::Tampered {
                    what: "a device list larger than any team's",
                });
            }
            if statements.len() as u32 >= page.total {
                break;
            }
        }
        Ok(statements)
    }
}

impl Vault {
    /// Whether the team's list, made of the statements this device holds and `fetched`, and
    /// checked from this device's root of trust, revokes this device.
    pub(crate) fn revocation_proven(&self, fetched: Vec<Vec<u8>>) -> Result<bool> {
        if self.sync_settings().is_err() {
            return Ok(false);
        }
        let Some(roster) = self.roster_with_all(fetched)? else {
            return Ok(false);
        };
        let me = self.device_id();
        Ok(roster
            .devices()
            .iter()
            .any(|d| d.id == me && d.revoked_from.is_some()))
    }

    /// The signed list with `extra` statements added, rebuilt from this device's root (`None`
    /// for a vault outside any server team).
    fn roster_with_all(&self, extra: Vec<Vec<u8>>) -> Result<Option<Roster>> {
        match self.roster_with(extra)? {
            Some(r) => Ok(Some(r)),
            None => Ok(self.store.roster.clone()),
        }
    }

    /// What a remote call's answer means for this vault: a proven revocation erases it here
    /// and now (keys first), whichever call learnt it.
    pub(crate) fn end_if_revoked<T>(&mut self, answer: Result<T>) -> Result<T> {
        if let Err(Error::Revoked) = answer {
            self.erase_in_place()?;
        }
        answer
    }

    /// Whether this tablet was handed back (it records nothing new).
    pub fn handed_back(&self) -> Result<bool> {
        Ok(self.store.meta(HANDED_BACK_META)?.is_some())
    }

    /// Hand this tablet back (a counsellor leaving): send everything it holds, then sign the
    /// number of its last operation so that nothing it wrote is refused later, and record
    /// nothing more. An administrator then revokes it (`revoke_device`), which rotates the
    /// team key; at its next contact the tablet sees the signed revocation and erases itself.
    /// Refused while anything is still unsent (the sync failed part way: try again).
    pub fn retire(&mut self, transport: &mut dyn Transport) -> Result<u64> {
        let settings = self.sync_settings()?;
        let synced = self.sync(transport, &SyncOptions::default(), &mut |_| {});
        self.end_if_revoked(synced)?;
        if self.store.pending()? > 0 {
            return Err(Error::Network(
                "some records are still unsent: connect and try again".into(),
            ));
        }
        let last_seq = self.store.last_own_seq()?;
        let statement = crate::roster::sign(
            self.store.signer(),
            &Statement::Retire {
                team: settings.team_id,
                device: Id16(*self.device_id().as_bytes()),
                last_seq,
            },
        );
        // Said before it is sent: if the answer is lost on the way, the tablet still records
        // nothing after the number it signed.
        self.store
            .set_meta(HANDED_BACK_META, &last_seq.to_be_bytes())?;
        let req = RetireRequest { statement };
        let sent = Session::new(transport, SyncOptions::default())
            .call(&*self, |t, token| t.retire(token, &req));
        self.end_if_revoked(sent)?;
        Ok(last_seq)
    }
}

/// [`Vault::end_if_revoked`] for a vault behind a cell (a sync shared with the screens).
pub(crate) fn end_if_revoked_in<C: VaultCell, T>(cell: &C, answer: Result<T>) -> Result<T> {
    if let Err(Error::Revoked) = answer {
        cell.with(|v| v.erase_in_place())?;
    }
    answer
}

use super::transport::Transport;
