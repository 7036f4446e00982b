//! The device's copy of its team's signed device list (ADR 0008): kept sealed under the
//! device master key, caught up from the server when the login says it grew, and installed
//! in the store so that every received operation is checked against it.

use komora_protocol::Id16;
use serde::{Deserialize, Serialize};

use super::{Held, Session, VaultCell};
use crate::error::{Error, Result};
use crate::roster::{Roster, RosterDevice};
use crate::vault::Vault;

const ROSTER_META: &str = "roster";
const ROSTER_LABEL: &str = "komora/roster-copy/v1";

/// What the vault keeps: the root of trust it was given at enrolment and the statements.
#[derive(Serialize, Deserialize)]
struct Kept {
    team: Id16,
    root: (Id16, [u8; 32]),
    statements: Vec<Vec<u8>>,
}

impl Vault {
    /// Read the kept list at unlock (nothing for a vault outside any server team).
    pub(crate) fn load_roster(&mut self) -> Result<()> {
        let Some(kept) = self.kept_roster()? else {
            return Ok(());
        };
        self.store.roster_required = true;
        if !kept.statements.is_empty() {
            self.store.roster = Some(Roster::build(kept.team, kept.root, &kept.statements)?);
        }
        Ok(())
    }

    fn kept_roster(&self) -> Result<Option<Kept>> {
        let Some(sealed) = self.store.meta(ROSTER_META)? else {
            return Ok(None);
        };
        let corrupted = || Error::Corrupted {
            what: "the team's device list",
        };
        let plain = self
            .store
            .open_local(ROSTER_LABEL, &sealed)
            .ok_or_else(corrupted)?;
        postcard::from_bytes(&plain)
            .map(Some)
            .map_err(|_| corrupted())
    }

    /// Keep the root of trust and statements; install the list if it can be built.
    pub(crate) fn keep_roster(
        &mut self,
        team: Id16,
        root: (Id16, [u8; 32]),
        statements: Vec<Vec<u8>>,
    ) -> Result<()> {
        let roster = if statements.is_empty() {
            None
        } else {
            Some(Roster::build(team, root, &statements)?)
        };
        let kept = Kept {
            team,
            root,
            statements,
        };
        let plain = postcard::to_allocvec(&kept).expect("the device list always serialises");
        let sealed = self.store.seal_local(ROSTER_LABEL, &plain);
        self.store.set_meta(ROSTER_META, &sealed)?;
        self.store.roster = roster;
        self.store.roster_required = true;
        // A cutoff it brings may cover operations merged here before it was known (by batch
        // file from the lost tablet's owner): they go, as every other tablet refused them.
        let withdrawn = self.store.withdraw_past_cutoffs()?;
        self.note_refused(&withdrawn)?;
        self.store.keep_team_format()
    }

    /// Catch up with the statements the server added since the last time. Unless `force`d,
    /// asks only when the login said the list grew (no extra round trip on most syncs).
    pub(crate) fn refresh_roster(&mut self, session: &mut Session<'_>, force: bool) -> Result<()> {
        refresh_roster(&Held::new(self), session, force)
    }

    /// Keep `statements` as this vault's copy of the team's list (same team and root).
    pub(crate) fn keep_roster_statements(&mut self, statements: Vec<Vec<u8>>) -> Result<()> {
        let Some(kept) = self.kept_roster()? else {
            return Ok(());
        };
        self.keep_roster(kept.team, kept.root, statements)
    }

    /// The statements this device holds (to hand to another replica with a batch).
    pub(crate) fn roster_statements(&self) -> Result<Vec<Vec<u8>>> {
        Ok(self
            .kept_roster()?
            .map(|k| k.statements)
            .unwrap_or_default())
    }

    /// The list this device holds widened by `extra` statements (from a batch file), checked
    /// from this device's root of trust; `None` if it holds no list or `extra` adds nothing.
    pub(crate) fn roster_with(&self, extra: Vec<Vec<u8>>) -> Result<Option<Roster>> {
        let Some(mut kept) = self.kept_roster()? else {
            return Ok(None);
        };
        let before = kept.statements.len();
        for s in extra {
            if !kept.statements.contains(&s) {
                kept.statements.push(s);
            }
        }
        if kept.statements.len() == before {
            return Ok(None);
        }
        Roster::build(kept.team, kept.root, &kept.statements).map(Some)
    }

    /// The team's devices as its administrators signed them (members and revoked ones), as
    /// of the last sync. Empty for a vault outside any server team.
    pub fn team_devices(&self) -> Vec<RosterDevice> {
        self.store
            .roster
            .as_ref()
            .map(Roster::devices)
            .unwrap_or_default()
    }
}

/// [`Vault::refresh_roster`] over a shared vault: let go of during the network calls.
pub(crate) fn refresh_roster<C: VaultCell>(
    cell: &C,
    session: &mut Session<'_>,
    force: bool,
) -> Result<()> {
    let Some(kept) = cell.with(|v| v.kept_roster())? else {
        return Ok(()); // a vault from before signed lists, or outside any team
    };
    let held = kept.statements.len() as u32;
    if !force {
        session.login_if_needed(cell)?;
        // As many: nothing new. Fewer: the server lost statements (restored from a backup,
        // rebuilt); this device keeps its own and a reconciliation sends them back.
        if session.roster_len <= held {
            return Ok(());
        }
    }
    fetch_roster(cell, session, kept, false)
}

/// Fetch the team's whole signed list again, from its first statement, and keep it in place
/// of the one held. For when the held list fails to vouch for what the team plainly has (a
/// key, an author): a statement damaged on the way was kept as sent (see `fetch_roster`), so
/// its genuine twin would never be asked for again.
pub(crate) fn refetch_roster<C: VaultCell>(cell: &C, session: &mut Session<'_>) -> Result<()> {
    let Some(kept) = cell.with(|v| v.kept_roster())? else {
        return Ok(());
    };
    fetch_roster(cell, session, kept, true)
}

fn fetch_roster<C: VaultCell>(
    cell: &C,
    session: &mut Session<'_>,
    kept: Kept,
    from_scratch: bool,
) -> Result<()> {
    let held = kept.statements.len() as u32;
    let mut statements = if from_scratch {
        Vec::new()
    } else {
        kept.statements
    };
    loop {
        let after = statements.len() as u32;
        let page = session.call(cell, |t, token| t.roster(token, after))?;
        if page.total < after.max(held) {
            // A shorter list than this device holds: the server lost statements (a restore, a
            // rebuild) or withholds them. It cannot take any back from this device: keep the
            // list held (a reconciliation sends the server what it lacks, issue 17).
            return Ok(());
        }
        if page.total > komora_protocol::roster::MAX_ROSTER_STATEMENTS
            || page.statements.len() > komora_protocol::roster::MAX_ROSTER_PAGE
        {
            return Err(Error::Tampered {
                what: "a device list longer than any team's",
            });
        }
        if page.statements.is_empty() {
            break;
        }
        // Kept as sent, garbage too (the list ignores what does not verify), so the count
        // stays the server's.
        statements.extend(page.statements.into_iter().map(|s| s.0));
        if statements.len() as u32 >= page.total {
            break;
        }
    }
    cell.with(|v| v.keep_roster(kept.team, kept.root, statements))
}
