//! Sessions and home visits: recording one, and reading it (audited when its notes are shown).

use komora_core::{self as core, Date, DeviceId, RecordId};

use crate::convert::{date, id, ids};
use crate::error::Result;
use crate::vault::KomoraVault;

redacted_debug!(Session, NewSession);

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Session {
    pub id: RecordId,
    pub case_id: Option<RecordId>,
    pub date: Date,
    pub duration_min: Option<i32>,
    pub modality: String,
    pub participants: Vec<RecordId>,
    pub interventions: Vec<String>,
    pub notes: Option<String>,
    pub follow_up_plan: Option<String>,
    pub next_appointment: Option<Date>,
    pub household_present: Vec<String>,
    pub safety_notes: Option<String>,
    pub author: DeviceId,
    pub conflicts: Vec<String>,
}

impl From<core::Session> for Session {
    fn from(s: core::Session) -> Self {
        Session {
            id: s.id,
            case_id: s.case,
            date: s.date,
            duration_min: s.duration_min.map(i32::from),
            modality: s.modality,
            participants: s.participants,
            interventions: s.interventions,
            notes: s.notes,
            follow_up_plan: s.follow_up_plan,
            next_appointment: s.next_appointment,
            household_present: s.household_present,
            safety_notes: s.safety_notes,
            author: s.author,
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
        s.duration_min = self
            .duration_min
            .map(|d| core::session_minutes(d.into()))
            .transpose()?;
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

/// A session's duration as typed in the form, checked by the core's one rule (from 1 to
/// `session_minutes_max()` minutes): the form says what is wrong as the counsellor types.
#[uniffi::export]
pub fn check_session_minutes(minutes: i64) -> Result<u16> {
    Ok(core::session_minutes(minutes)?)
}

/// The longest session, in minutes (the form's input is sized by it).
#[uniffi::export]
pub fn session_minutes_max() -> u16 {
    core::SESSION_MINUTES_MAX
}

#[uniffi::export]
impl KomoraVault {
    pub fn add_session(&self, session: NewSession) -> Result<RecordId> {
        let s = session.into_core()?;
        self.with(|v| Ok(v.add_session(&s)?))
    }

    /// A session without recording a view (a title in a list); to read it, `view_session`.
    pub fn session(&self, id: RecordId) -> Result<Session> {
        self.with(|v| Ok(v.session(id)?.into()))
    }

    /// A session with its notes, for a screen: the view is audited.
    pub fn view_session(&self, id: RecordId) -> Result<Session> {
        self.with(|v| Ok(v.view_session(id)?.into()))
    }
}
