//! The team's security policy, set by an administrator: the longest a tablet may stay unlocked
//! while idle, and after how many wrong PINs it erases itself. One record per team, synced like
//! any other; receivers apply only administrators' writes to it (`store/sync.rs`), so a
//! counsellor's tablet cannot loosen its own lock. Each tablet copies the wipe rule into its
//! local lock-out file (read before unlocking, when the record cannot be read) at every sync.

use std::fmt;

use super::StateExt;
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::kind::{KindSpec, Readers, Writers};
use crate::store::Edit;
use crate::value::Value;
use crate::vault::Vault;
use komora_protocol::Role;

pub(crate) const KIND: &str = "policy";

/// The team policy's rules: the administrators' alone, read by every member.
pub(crate) const SPEC: KindSpec = KindSpec {
    readers: Readers::EveryMember,
    writers: Writers::ADMINS,
    ..KindSpec::new(KIND)
};

/// The policy record of a vault outside any server team, and of teams from before policy ids
/// were per team (still read there when the team's own record does not exist yet).
pub(crate) const LEGACY_POLICY_RECORD: RecordId = RecordId::from_bytes(*b"komora/policy/v1");

/// Longest idle time an administrator may allow, in minutes.
pub const MAX_AUTO_LOCK_MINUTES: u32 = 60;

#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct TeamPolicy {
    /// Lock after this many idle minutes at most (a counsellor may choose shorter).
    pub auto_lock_minutes: Option<u32>,
    /// Erase the tablet's vault after this many wrong PINs in a row.
    pub wipe_after_failures: Option<u32>,
}

impl fmt::Debug for TeamPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TeamPolicy")
            .field("auto_lock_minutes", &self.auto_lock_minutes)
            .field("wipe_after_failures", &self.wipe_after_failures)
            .finish()
    }
}

impl Vault {
    /// The team's one policy record: an id every tablet of the team computes alike from the
    /// team's id, tagged with its kind (issue 16, finding 9), so two administrators' settings
    /// merge field by field and nobody can take the id first as another kind.
    pub(crate) fn policy_record(&self) -> RecordId {
        match self.sync_settings() {
            Ok(s) => RecordId::derived(KIND, &s.team_id.0),
            Err(_) => LEGACY_POLICY_RECORD,
        }
    }

    /// The policy in force for this tablet's team (unset fields: no team rule).
    pub fn team_policy(&self) -> Result<TeamPolicy> {
        let state = self
            .live_state(self.policy_record(), KIND)
            .or_else(|_| self.live_state(LEGACY_POLICY_RECORD, KIND));
        let Ok(s) = state else {
            return Ok(TeamPolicy::default());
        };
        let positive = |field| {
            s.int(field)
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0)
        };
        Ok(TeamPolicy {
            auto_lock_minutes: positive("auto_lock_minutes"),
            wipe_after_failures: positive("wipe_after_failures"),
        })
    }

    /// Set the team's policy (administrators; a vault outside any team sets its own). Applied
    /// on this tablet at once, on the others at their next sync.
    pub fn set_team_policy(&mut self, p: &TeamPolicy) -> Result<()> {
        if let Ok(settings) = self.sync_settings() {
            if settings.role != Role::Admin {
                return Err(Error::Forbidden(
                    "only an administrator sets the team's policy".into(),
                ));
            }
        }
        if let Some(m) = p.auto_lock_minutes {
            if !(1..=MAX_AUTO_LOCK_MINUTES).contains(&m) {
                return Err(Error::validation(
                    "auto_lock_minutes",
                    format!("use 1 to {MAX_AUTO_LOCK_MINUTES} minutes"),
                ));
            }
        }
        if let Some(n) = p.wipe_after_failures {
            if n < crate::lockout::FREE_ATTEMPTS {
                return Err(Error::validation(
                    "wipe_after_failures",
                    format!("allow at least {} attempts", crate::lockout::FREE_ATTEMPTS),
                ));
            }
        }
        let current = self.team_policy()?;
        let int = |v: Option<u32>| v.map_or(Value::Null, |n| Value::Int(i64::from(n)));
        let record = self.policy_record();
        // The team's own record is made whole the first time (a team from before per-team
        // policy ids carries its rule over from the old record).
        let create = self.live_state(record, KIND).is_err();
        let mut edits = Vec::new();
        if create || current.auto_lock_minutes != p.auto_lock_minutes {
            edits.push(Edit::Set("auto_lock_minutes", int(p.auto_lock_minutes)));
        }
        if create || current.wipe_after_failures != p.wipe_after_failures {
            edits.push(Edit::Set("wipe_after_failures", int(p.wipe_after_failures)));
        }
        self.write_record(record, KIND, create, edits)?;
        self.apply_team_policy()
    }

    /// Copy the team's wipe rule into this tablet's lock-out file, where it is enforced before
    /// unlocking. A team without the rule leaves the tablet's own setting alone.
    pub(crate) fn apply_team_policy(&self) -> Result<()> {
        let p = self.team_policy()?;
        if p.wipe_after_failures.is_some() && self.has_files() {
            self.set_wipe_after_failures(p.wipe_after_failures)?;
        }
        Ok(())
    }
}
