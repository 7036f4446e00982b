//! Healing groups and dialogue spaces: a named group with (up to) two facilitators, its
//! members, and a cycle of sessions (15 by default), each tagged with its phase. Attendance is
//! an add-wins set, so two facilitators marking attendance offline both count.

use std::fmt;

use super::date::Date;
use super::lists::{check, lists};
use super::{clean_text, id_value, set_text, StateExt};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, RecordId};
use crate::kind::{KindSpec, Readers, Writers};
use crate::merge::RecordState;
use crate::store::Edit;
use crate::value::Value;
use crate::vault::Vault;

pub(crate) const KIND: &str = field::GROUP;
pub(crate) const SESSION_KIND: &str = "group_session";

/// The fields the kinds' rules name (`SPEC`, `SESSION_SPEC`), written once.
pub(crate) mod field {
    pub(crate) const KIND: &str = "kind";
    pub(crate) const GROUP: &str = "group";
    pub(crate) const DATE: &str = "date";
    pub(crate) const ATTENDANCE: &str = "attendance";
}

/// A healing group's rules, read by the store (`crate::kind`): the team's, not a client's.
pub(crate) const SPEC: KindSpec = KindSpec {
    readers: Readers::StatisticsOnly(&[field::KIND]),
    writers: Writers::CASEWORKERS,
    indexed: true,
    ..KindSpec::new(KIND)
};

/// A group meeting's rules: who attended counts in the figures.
pub(crate) const SESSION_SPEC: KindSpec = KindSpec {
    readers: Readers::StatisticsOnly(&[field::GROUP, field::DATE, field::ATTENDANCE]),
    writers: Writers::CASEWORKERS,
    indexed: true,
    ..KindSpec::new(SESSION_KIND)
};
pub const DEFAULT_CYCLE: u8 = 15;

#[derive(Clone, PartialEq, Eq)]
pub struct Group {
    pub id: RecordId,
    pub name: String,
    /// healing-group or dialogue-space.
    pub kind: String,
    pub facilitators: Vec<String>,
    pub members: Vec<RecordId>,
    pub cycle_length: u8,
    pub started: Date,
    pub author: DeviceId,
    pub conflicts: Vec<String>,
    pub created_ms: u64,
}

impl fmt::Debug for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Group {
    /// `with_text`: the name and the facilitators' names too; the in-memory index keeps none.
    pub(crate) fn from_state(id: RecordId, s: &RecordState, with_text: bool) -> Self {
        Group {
            id,
            name: if with_text {
                s.text("name").unwrap_or_default()
            } else {
                String::new()
            },
            kind: s.text(field::KIND).unwrap_or_default(),
            facilitators: if with_text {
                s.texts("facilitators")
            } else {
                Vec::new()
            },
            members: s.ids("members"),
            cycle_length: s
                .int("cycle_length")
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(DEFAULT_CYCLE),
            started: s
                .date("started")
                .unwrap_or_else(|| Date::from_unix_ms(s.created.wall_ms)),
            author: s.author(),
            conflicts: s.conflicts(),
            created_ms: s.created.wall_ms,
        }
    }

    /// The phase a session number falls in when the cycle's sessions are spread evenly over
    /// the six phases, in order (a default the facilitator can override).
    pub fn default_phase(&self, number: u8) -> &'static str {
        let phases = &lists().group_phases;
        let n = usize::from(number.clamp(1, self.cycle_length)) - 1;
        &phases[(n * phases.len() / usize::from(self.cycle_length)).min(phases.len() - 1)].id
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct GroupSession {
    pub id: RecordId,
    pub group: Option<RecordId>,
    pub number: u8,
    pub phase: String,
    pub date: Date,
    /// Free text; `None` in listings.
    pub notes: Option<String>,
    pub attendance: Vec<RecordId>,
    /// Participants the facilitators flagged for referral.
    pub flagged: Vec<RecordId>,
    pub author: DeviceId,
    pub created_ms: u64,
}

impl fmt::Debug for GroupSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupSession")
            .field("id", &self.id)
            .field("number", &self.number)
            .finish_non_exhaustive()
    }
}

impl GroupSession {
    pub(crate) fn from_state(id: RecordId, s: &RecordState, with_text: bool) -> Self {
        GroupSession {
            id,
            group: s.id(field::GROUP),
            number: s
                .int("number")
                .and_then(|n| u8::try_from(n).ok())
                .unwrap_or(0),
            phase: s.text("phase").unwrap_or_default(),
            date: s
                .date(field::DATE)
                .unwrap_or_else(|| Date::from_unix_ms(s.created.wall_ms)),
            notes: if with_text { s.text("notes") } else { None },
            attendance: s.ids(field::ATTENDANCE),
            flagged: s.ids("flagged"),
            author: s.author(),
            created_ms: s.created.wall_ms,
        }
    }
}

#[derive(Clone, Default)]
pub struct NewGroup {
    pub name: String,
    pub kind: String,
    pub facilitators: Vec<String>,
    pub members: Vec<RecordId>,
    /// Defaults to 15.
    pub cycle_length: Option<u8>,
    pub started: Option<Date>,
}

impl fmt::Debug for NewGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewGroup([redacted])")
    }
}

impl Vault {
    pub fn add_group(&mut self, g: &NewGroup) -> Result<RecordId> {
        let name = clean_text("name", &g.name, 120)?
            .ok_or_else(|| Error::validation("name", "a group needs a name"))?;
        let kind = check(&lists().group_kinds, field::KIND, &g.kind)?;
        let mut facilitators = Vec::new();
        for f in &g.facilitators {
            if let Some(f) = clean_text("facilitators", f, 120)? {
                if !facilitators.contains(&f) {
                    facilitators.push(f);
                }
            }
        }
        if facilitators.is_empty() || facilitators.len() > 2 {
            return Err(Error::validation(
                "facilitators",
                "a group has one or two facilitators",
            ));
        }
        let cycle = g.cycle_length.unwrap_or(DEFAULT_CYCLE);
        if !(1..=52).contains(&cycle) {
            return Err(Error::validation(
                "cycle_length",
                "a cycle has 1 to 52 sessions",
            ));
        }
        for m in &g.members {
            self.client(*m).map_err(|_| {
                Error::validation("members", "record each member as a client first")
            })?;
        }
        let mut out = vec![
            Edit::Set("name", name.into()),
            Edit::Set(field::KIND, kind.into()),
            Edit::Set("cycle_length", Value::Int(cycle.into())),
            Edit::Set(
                "started",
                g.started.unwrap_or_else(|| self.today()).to_string().into(),
            ),
        ];
        out.extend(
            facilitators
                .into_iter()
                .map(|f| Edit::Add("facilitators", f.into())),
        );
        let mut members = g.members.clone();
        members.sort();
        members.dedup();
        out.extend(
            members
                .into_iter()
                .map(|m| Edit::Add("members", id_value(m))),
        );
        let id = RecordId::for_kind(KIND);
        self.write_record(id, KIND, true, out)?;
        Ok(id)
    }

    pub fn group(&self, id: RecordId) -> Result<Group> {
        Ok(Group::from_state(id, &self.live_state(id, KIND)?, true))
    }

    /// Every group, by name.
    pub fn groups(&self) -> Result<Vec<Group>> {
        // The index holds no names: open each group (there are few).
        let ids: Vec<RecordId> = self.index()?.groups().map(|g| g.id).collect();
        let mut all = ids
            .into_iter()
            .map(|id| self.group(id))
            .collect::<Result<Vec<_>>>()?;
        all.sort_by_key(|g| (g.name.to_lowercase(), g.id));
        Ok(all)
    }

    pub fn add_group_member(&mut self, group: RecordId, client: RecordId) -> Result<()> {
        let g = self.group(group)?;
        self.client(client)?;
        if g.members.contains(&client) {
            return Ok(());
        }
        self.write_record(
            group,
            KIND,
            false,
            vec![Edit::Add("members", id_value(client))],
        )
    }

    /// Record a session of a group's cycle. The phase defaults to the number's place in the
    /// cycle.
    pub fn add_group_session(
        &mut self,
        group: RecordId,
        number: u8,
        phase: Option<&str>,
        date: Option<Date>,
        notes: Option<&str>,
    ) -> Result<RecordId> {
        let g = self.group(group)?;
        if !(1..=g.cycle_length).contains(&number) {
            return Err(Error::validation(
                "number",
                format!("this group's cycle has sessions 1 to {}", g.cycle_length),
            ));
        }
        let phase = match phase {
            Some(p) => check(&lists().group_phases, "phase", p)?,
            None => g.default_phase(number).to_owned(),
        };
        let date = self.past_date(date, "a session")?;
        let mut out = vec![
            Edit::Set(field::GROUP, id_value(group)),
            Edit::Set("number", Value::Int(number.into())),
            Edit::Set("phase", phase.into()),
            Edit::Set(field::DATE, date.to_string().into()),
        ];
        set_text(&mut out, "notes", notes, 20_000)?;
        let id = RecordId::for_kind(SESSION_KIND);
        self.write_record(id, SESSION_KIND, true, out)?;
        Ok(id)
    }

    pub fn group_session(&self, id: RecordId) -> Result<GroupSession> {
        Ok(GroupSession::from_state(
            id,
            &self.live_state(id, SESSION_KIND)?,
            true,
        ))
    }

    /// Mark a member present or absent at a group session. Concurrent marks by two
    /// facilitators both count (add-wins).
    pub fn mark_attendance(
        &mut self,
        session: RecordId,
        client: RecordId,
        present: bool,
    ) -> Result<()> {
        let s = self.group_session(session)?;
        let g = self.group(s.group.ok_or(Error::NotFound(session))?)?;
        if !g.members.contains(&client) {
            return Err(Error::validation(
                field::ATTENDANCE,
                "only members of the group attend",
            ));
        }
        if present {
            self.check_consent(client, "data-recording")?;
        }
        let edit = match (present, s.attendance.contains(&client)) {
            (true, false) => Edit::Add(field::ATTENDANCE, id_value(client)),
            (false, true) => Edit::Remove(field::ATTENDANCE, id_value(client)),
            _ => return Ok(()),
        };
        self.write_record(session, SESSION_KIND, false, vec![edit])
    }

    /// Flag a participant of a group session for referral (shows in the follow-up list).
    pub fn flag_for_referral(&mut self, session: RecordId, client: RecordId) -> Result<()> {
        let s = self.group_session(session)?;
        if !s.attendance.contains(&client) {
            return Err(Error::validation(
                "flagged",
                "flag only someone who attended",
            ));
        }
        if s.flagged.contains(&client) {
            return Ok(());
        }
        self.write_record(
            session,
            SESSION_KIND,
            false,
            vec![Edit::Add("flagged", id_value(client))],
        )
    }

    /// A group's sessions in cycle order.
    pub fn group_sessions(&self, group: RecordId) -> Result<Vec<GroupSession>> {
        self.group(group)?;
        let mut all: Vec<GroupSession> = self
            .index()?
            .group_sessions()
            .filter(|s| s.group == Some(group))
            .cloned()
            .collect();
        all.sort_by_key(|s| (s.number, s.date, s.id));
        Ok(all)
    }
}
