//! Sessions and home visits: recording one, and reading it (audited when its notes are shown).

use komora_core as core;

use crate::convert::{self, date, id, ids, texts};
use crate::error::{KomoraError, Result};
use crate::vault::KomoraVault;

redacted_debug!(Session, NewSession);

fn minutes(d: Option<i32>) -> Result<Option<u16>> {
    d.map(|d| {
        u16::try_from(d).map_err(|_| KomoraError::Validation {
            field: "duration_min".into(),
            reason: "give the duration in minutes, from 1 to 600".into(),
        })
    })
    .transpose()
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Session {
    pub id: String,
    pub case_id: Option<String>,
    pub date: String,
    pub duration_min: Option<i32>,
    pub modality: String,
    pub participants: Vec<String>,
    pub interventions: Vec<String>,
    pub notes: Option<String>,
    pub follow_up_plan: Option<String>,
    pub next_appointment: Option<String>,
    pub household_present: Vec<String>,
    pub safety_notes: Option<String>,
    pub author: String,
    pub conflicts: Vec<String>,
}

impl From<core::Session> for Session {
    fn from(s: core::Session) -> Self {
        Session {
            id: s.id.to_string(),
            case_id: s.case.map(|c| c.to_string()),
            date: s.date.to_string(),
            duration_min: s.duration_min.map(i32::from),
            modality: s.modality,
            participants: texts(&s.participants),
            interventions: s.interventions,
            notes: s.notes,
            follow_up_plan: s.follow_up_plan,
            next_appointment: s.next_appointment.map(|d| d.to_string()),
            household_present: s.household_present,
            safety_notes: s.safety_notes,
            author: s.author.to_string(),
            conflicts: s.conflicts,
        }
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewSession {
    pub case_id: String,
    /// office, home-visit, phone or group.
    pub modality: String,
    #[uniffi(default = None)]
    pub date: Option<String>,
    #[uniffi(default = None)]
    pub duration_min: Option<i32>,
    #[uniffi(default = [])]
    pub participants: Vec<String>,
    #[uniffi(default = [])]
    pub interventions: Vec<String>,
    #[uniffi(default = None)]
    pub notes: Option<String>,
    #[uniffi(default = None)]
    pub follow_up_plan: Option<String>,
    #[uniffi(default = None)]
    pub next_appointment: Option<String>,
    #[uniffi(default = [])]
    pub household_present: Vec<String>,
    #[uniffi(default = None)]
    pub safety_notes: Option<String>,
}

impl NewSession {
    pub(crate) fn into_core(self) -> Result<core::NewSession> {
        let mut s = core::NewSession::new(id(&self.case_id)?, &self.modality);
        s.date = date("date", self.date.as_deref())?;
        s.duration_min = minutes(self.duration_min)?;
        s.participants = ids(&self.participants)?;
        s.interventions = self.interventions;
        s.notes = self.notes;
        s.follow_up_plan = self.follow_up_plan;
        s.next_appointment = date("next_appointment", self.next_appointment.as_deref())?;
        s.household_present = self.household_present;
        s.safety_notes = self.safety_notes;
        Ok(s)
    }
}

#[uniffi::export]
impl KomoraVault {
    pub fn add_session(&self, session: NewSession) -> Result<String> {
        let s = session.into_core()?;
        self.with(|v| Ok(v.add_session(&s)?.to_string()))
    }

    /// A session without recording a view (a title in a list); to read it, `view_session`.
    pub fn session(&self, id: String) -> Result<Session> {
        let id = convert::id(&id)?;
        self.with(|v| Ok(v.session(id)?.into()))
    }

    /// A session with its notes, for a screen: the view is audited.
    pub fn view_session(&self, id: String) -> Result<Session> {
        let id = convert::id(&id)?;
        self.with(|v| Ok(v.view_session(id)?.into()))
    }
}
