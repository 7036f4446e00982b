//! Healing groups and dialogue spaces: members, the sessions of a cycle with their phases,
//! attendance (two facilitators marking offline both count) and flags for referral.

use komora_core::{self as core, Date, RecordId};

use crate::convert::{date, fit, ids};
use crate::error::Result;
use crate::vault::KomoraVault;

redacted_debug!(Group, NewGroup, GroupSession);

/// A healing group or dialogue space as set up.
#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewGroup {
    pub name: String,
    /// healing-group or dialogue-space.
    pub kind: String,
    /// One or two facilitators' names.
    pub facilitators: Vec<String>,
    /// Client ids.
    #[uniffi(default = [])]
    pub members: Vec<String>,
    /// Sessions in the cycle (15 when `null`).
    #[uniffi(default = None)]
    pub cycle_length: Option<i32>,
    #[uniffi(default = None)]
    pub started: Option<String>,
}

impl NewGroup {
    pub(crate) fn into_core(self) -> Result<core::NewGroup> {
        Ok(core::NewGroup {
            name: self.name,
            kind: self.kind,
            facilitators: self.facilitators,
            members: ids(&self.members)?,
            cycle_length: self
                .cycle_length
                .map(|n| fit("cycle_length", n, "not a possible number of sessions"))
                .transpose()?,
            started: date("started", self.started.as_deref())?,
        })
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Group {
    pub id: RecordId,
    pub name: String,
    pub kind: String,
    pub facilitators: Vec<String>,
    /// Client ids.
    pub members: Vec<RecordId>,
    pub cycle_length: i32,
    pub started: Date,
    pub conflicts: Vec<String>,
    /// The phase each session of the cycle falls in by default (session 1 first).
    pub phases: Vec<String>,
}

impl From<core::Group> for Group {
    fn from(g: core::Group) -> Self {
        Group {
            phases: (1..=g.cycle_length)
                .map(|n| g.default_phase(n).to_owned())
                .collect(),
            id: g.id,
            name: g.name,
            kind: g.kind,
            facilitators: g.facilitators,
            members: g.members,
            cycle_length: i32::from(g.cycle_length),
            started: g.started,
            conflicts: g.conflicts,
        }
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct GroupSession {
    pub id: RecordId,
    pub group_id: Option<RecordId>,
    /// The session's place in the cycle, from 1.
    pub number: i32,
    pub phase: String,
    pub date: Date,
    pub notes: Option<String>,
    /// Client ids of those present.
    pub attendance: Vec<RecordId>,
    /// Client ids flagged for referral.
    pub flagged: Vec<RecordId>,
}

impl From<core::GroupSession> for GroupSession {
    fn from(s: core::GroupSession) -> Self {
        GroupSession {
            id: s.id,
            group_id: s.group,
            number: i32::from(s.number),
            phase: s.phase,
            date: s.date,
            notes: s.notes,
            attendance: s.attendance,
            flagged: s.flagged,
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    pub fn add_group(&self, group: NewGroup) -> Result<RecordId> {
        let g = group.into_core()?;
        self.with(|v| Ok(v.add_group(&g)?))
    }

    /// Every group, by name.
    pub fn groups(&self) -> Result<Vec<Group>> {
        self.with(|v| Ok(v.groups()?.into_iter().map(Group::from).collect()))
    }

    pub fn group(&self, id: RecordId) -> Result<Group> {
        self.with(|v| Ok(v.group(id)?.into()))
    }

    pub fn add_group_member(&self, group_id: RecordId, client_id: RecordId) -> Result<()> {
        self.with(|v| Ok(v.add_group_member(group_id, client_id)?))
    }

    /// The phase a session number falls in by default (the facilitator may choose another).
    pub fn default_phase(&self, group_id: RecordId, number: i32) -> Result<String> {
        let number = fit("number", number, "not a session of the cycle")?;
        self.with(|v| Ok(v.group(group_id)?.default_phase(number).to_owned()))
    }

    /// Record a session of the group's cycle; `phase` `null` takes the default phase.
    pub fn add_group_session(
        &self,
        group_id: RecordId,
        number: i32,
        phase: Option<String>,
        date: Option<String>,
        notes: Option<String>,
    ) -> Result<RecordId> {
        let number = fit("number", number, "not a session of the cycle")?;
        let date = crate::convert::date("date", date.as_deref())?;
        self.with(|v| {
            Ok(v.add_group_session(group_id, number, phase.as_deref(), date, notes.as_deref())?)
        })
    }

    /// The group's sessions in cycle order, with their notes.
    pub fn group_sessions(&self, group_id: RecordId) -> Result<Vec<GroupSession>> {
        self.with(|v| {
            let listed = v.group_sessions(group_id)?;
            listed
                .into_iter()
                .map(|s| Ok(v.group_session(s.id)?.into()))
                .collect()
        })
    }

    /// Mark a member present or absent (two facilitators marking offline both count).
    pub fn mark_attendance(
        &self,
        session_id: RecordId,
        client_id: RecordId,
        present: bool,
    ) -> Result<()> {
        self.with(|v| Ok(v.mark_attendance(session_id, client_id, present)?))
    }

    /// Flag someone who attended a group session for referral.
    pub fn flag_for_referral(&self, session_id: RecordId, client_id: RecordId) -> Result<()> {
        self.with(|v| Ok(v.flag_for_referral(session_id, client_id)?))
    }
}
