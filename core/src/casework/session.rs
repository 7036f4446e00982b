//! Sessions: one meeting of a counsellor with the people of a case, in the office, at home,
//! by phone or in a group. A home visit also records who in the household was there and the
//! safety notes. No position is recorded unless the counsellor asks for it.

use std::fmt;

use super::case::CaseStatus;
use super::date::Date;
use super::lists::{check, lists};
use super::{clean_text, id_value, set_edits, set_text, StateExt};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, RecordId};
use crate::kind::{FileRole, KindSpec, Readers, Writers};
use crate::merge::RecordState;
use crate::store::Edit;
use crate::value::Value;
use crate::vault::Vault;

pub(crate) const KIND: &str = "session";

/// The fields the kind's rules name (`SPEC`), written once.
pub(crate) mod field {
    pub(crate) const DATE: &str = "date";
    pub(crate) const MODALITY: &str = "modality";
    pub(crate) const DURATION_MIN: &str = "duration_min";
    pub(crate) const PARTICIPANTS: &str = "participants";
    pub(crate) const CASE: &str = "case";
}

/// This kind's rules, read by the store (`crate::kind`).
pub(crate) const SPEC: KindSpec = KindSpec {
    file: FileRole::JoinsVia(field::CASE),
    readers: Readers::StatisticsOnly(&[
        field::DATE,
        field::MODALITY,
        field::DURATION_MIN,
        field::PARTICIPANTS,
    ]),
    writers: Writers::CASEWORKERS,
    indexed: true,
    long_text: true,
    ..KindSpec::new(KIND)
};
const NOTES_MAX: usize = 20_000;
const SHORT_MAX: usize = 2_000;

/// A session as shown. Free-text fields are `None` in listings (the in-memory index never
/// holds them); [`Vault::session`] returns them.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub id: RecordId,
    pub case: Option<RecordId>,
    pub date: Date,
    pub duration_min: Option<u16>,
    /// One of the shipped modalities: office, home-visit, phone, group.
    pub modality: String,
    /// Clients present.
    pub participants: Vec<RecordId>,
    pub interventions: Vec<String>,
    pub notes: Option<String>,
    pub follow_up_plan: Option<String>,
    pub next_appointment: Option<Date>,
    /// Home visits: who in the household was present (as the counsellor wrote them).
    pub household_present: Vec<String>,
    pub safety_notes: Option<String>,
    /// Only when the counsellor chose to record where the visit happened: "lat,lon".
    pub position: Option<String>,
    pub author: DeviceId,
    pub conflicts: Vec<String>,
    pub created_ms: u64,
    pub updated_ms: u64,
    /// When it was recorded, by the hybrid clock (orders records made in the same instant).
    pub recorded: crate::hlc::Hlc,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("date", &self.date)
            .finish_non_exhaustive()
    }
}

impl Session {
    pub(crate) fn from_state(id: RecordId, s: &RecordState, with_text: bool) -> Self {
        let text = |f: &str| if with_text { s.text(f) } else { None };
        Session {
            id,
            case: s.id(field::CASE),
            date: s
                .date(field::DATE)
                .unwrap_or_else(|| Date::from_unix_ms(s.created.wall_ms)),
            duration_min: s
                .int(field::DURATION_MIN)
                .and_then(|d| u16::try_from(d).ok()),
            modality: s.text(field::MODALITY).unwrap_or_default(),
            participants: s.ids(field::PARTICIPANTS),
            interventions: s.texts("interventions"),
            notes: text("notes"),
            follow_up_plan: text("follow_up_plan"),
            next_appointment: s.date("next_appointment"),
            household_present: if with_text {
                s.texts("household_present")
            } else {
                Vec::new()
            },
            safety_notes: text("safety_notes"),
            position: text("position"),
            author: s.author(),
            conflicts: s.conflicts(),
            created_ms: s.created.wall_ms,
            updated_ms: s.updated.wall_ms,
            recorded: s.created,
        }
    }
}

/// A session to record.
#[derive(Clone)]
pub struct NewSession {
    pub case: RecordId,
    /// Defaults to today; never in the future.
    pub date: Option<Date>,
    pub duration_min: Option<u16>,
    pub modality: String,
    /// Defaults to every client of the case.
    pub participants: Vec<RecordId>,
    pub interventions: Vec<String>,
    pub notes: Option<String>,
    pub follow_up_plan: Option<String>,
    pub next_appointment: Option<Date>,
    pub household_present: Vec<String>,
    pub safety_notes: Option<String>,
    /// Set only when the counsellor asks to record the position.
    pub position: Option<String>,
}

impl NewSession {
    /// A session of `case` with everything else left to defaults.
    pub fn new(case: RecordId, modality: &str) -> Self {
        NewSession {
            case,
            date: None,
            duration_min: None,
            modality: modality.to_owned(),
            participants: Vec::new(),
            interventions: Vec::new(),
            notes: None,
            follow_up_plan: None,
            next_appointment: None,
            household_present: Vec::new(),
            safety_notes: None,
            position: None,
        }
    }
}

impl fmt::Debug for NewSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewSession([redacted])")
    }
}

/// Changes to a session. `None` leaves a field alone; an empty text clears it.
#[derive(Clone, Default)]
pub struct SessionEdit {
    pub duration_min: Option<u16>,
    pub notes: Option<String>,
    pub follow_up_plan: Option<String>,
    pub next_appointment: Option<Option<Date>>,
    pub add_interventions: Vec<String>,
    pub remove_interventions: Vec<String>,
    pub safety_notes: Option<String>,
}

impl fmt::Debug for SessionEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionEdit([redacted])")
    }
}

/// The longest session, in minutes.
pub const SESSION_MINUTES_MAX: u16 = 600;

/// A session's duration as typed (any whole number), checked by the one rule every front end
/// asks (from 1 to 600 minutes): the app's form, the command line and the FFI call this
/// instead of writing the rule again.
pub fn session_minutes(minutes: i64) -> Result<u16> {
    u16::try_from(minutes)
        .ok()
        .filter(|d| (1..=SESSION_MINUTES_MAX).contains(d))
        .ok_or_else(|| {
            Error::validation(
                field::DURATION_MIN,
                format!("give the duration in minutes, from 1 to {SESSION_MINUTES_MAX}"),
            )
        })
}

fn check_duration(d: u16) -> Result<()> {
    session_minutes(d.into()).map(|_| ())
}

fn check_position(p: &str) -> Result<String> {
    let bad = || Error::validation("position", "use latitude,longitude in degrees");
    let (lat, lon) = p.trim().split_once(',').ok_or_else(bad)?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(bad());
    }
    Ok(format!("{lat:.5},{lon:.5}"))
}

impl Vault {
    /// Record a session (or a home visit, modality `home-visit`) for a case that is not closed.
    pub fn add_session(&mut self, s: &NewSession) -> Result<RecordId> {
        let case = self.case(s.case)?;
        if case.status == CaseStatus::Closed {
            return Err(Error::validation(
                field::CASE,
                "this case is closed; reopen it to record a session",
            ));
        }
        let date = self.past_date(s.date, "a session")?;
        if date < case.opened {
            return Err(Error::validation(
                field::DATE,
                "a session cannot be before its case opened",
            ));
        }
        let modality = check(&lists().modalities, field::MODALITY, &s.modality)?;
        let participants = if s.participants.is_empty() {
            case.clients.clone()
        } else {
            s.participants.clone()
        };
        for p in &participants {
            if !case.clients.contains(p) {
                return Err(Error::validation(
                    field::PARTICIPANTS,
                    "every participant must be a client of the case",
                ));
            }
            self.check_consent(*p, "data-recording")?;
            self.check_consent(*p, "services")?;
        }
        let mut out = vec![
            Edit::Set(field::CASE, id_value(s.case)),
            Edit::Set(field::DATE, date.to_string().into()),
            Edit::Set(field::MODALITY, modality.clone().into()),
        ];
        if let Some(d) = s.duration_min {
            check_duration(d)?;
            out.push(Edit::Set(field::DURATION_MIN, Value::Int(d.into())));
        }
        let mut participants = participants;
        participants.sort();
        participants.dedup();
        out.extend(
            participants
                .into_iter()
                .map(|p| Edit::Add(field::PARTICIPANTS, id_value(p))),
        );
        let mut interventions = s
            .interventions
            .iter()
            .map(|i| check(&lists().interventions, "interventions", i))
            .collect::<Result<Vec<_>>>()?;
        interventions.sort();
        interventions.dedup();
        out.extend(
            interventions
                .into_iter()
                .map(|i| Edit::Add("interventions", i.into())),
        );
        set_text(&mut out, "notes", s.notes.as_deref(), NOTES_MAX)?;
        set_text(
            &mut out,
            "follow_up_plan",
            s.follow_up_plan.as_deref(),
            SHORT_MAX,
        )?;
        if let Some(next) = s.next_appointment {
            if next < date {
                return Err(Error::validation(
                    "next_appointment",
                    "the next appointment cannot be before the session",
                ));
            }
            out.push(Edit::Set("next_appointment", next.to_string().into()));
        }
        let home = modality == "home-visit";
        if !home && (!s.household_present.is_empty() || s.safety_notes.is_some()) {
            return Err(Error::validation(
                "household_present",
                "household and safety notes belong to home visits",
            ));
        }
        for person in &s.household_present {
            if let Some(p) = clean_text("household_present", person, 120)? {
                out.push(Edit::Add("household_present", p.into()));
            }
        }
        set_text(
            &mut out,
            "safety_notes",
            s.safety_notes.as_deref(),
            SHORT_MAX,
        )?;
        if let Some(p) = &s.position {
            out.push(Edit::Set("position", check_position(p)?.into()));
        }
        let id = RecordId::for_kind(KIND);
        self.write_record(id, KIND, true, out)?;
        Ok(id)
    }

    /// A session with its notes.
    pub fn session(&self, id: RecordId) -> Result<Session> {
        Ok(Session::from_state(id, &self.live_state(id, KIND)?, true))
    }

    pub fn edit_session(&mut self, id: RecordId, edit: &SessionEdit) -> Result<()> {
        let current = self.session(id)?;
        let mut out = Vec::new();
        if let Some(d) = edit.duration_min {
            check_duration(d)?;
            out.push(Edit::Set(field::DURATION_MIN, Value::Int(d.into())));
        }
        set_text(&mut out, "notes", edit.notes.as_deref(), NOTES_MAX)?;
        set_text(
            &mut out,
            "follow_up_plan",
            edit.follow_up_plan.as_deref(),
            SHORT_MAX,
        )?;
        if edit.safety_notes.is_some() && current.modality != "home-visit" {
            return Err(Error::validation(
                "safety_notes",
                "safety notes belong to home visits",
            ));
        }
        set_text(
            &mut out,
            "safety_notes",
            edit.safety_notes.as_deref(),
            SHORT_MAX,
        )?;
        if let Some(next) = edit.next_appointment {
            if next.is_some_and(|n| n < current.date) {
                return Err(Error::validation(
                    "next_appointment",
                    "the next appointment cannot be before the session",
                ));
            }
            out.push(Edit::Set(
                "next_appointment",
                next.map(|n| n.to_string()).into(),
            ));
        }
        let add = edit
            .add_interventions
            .iter()
            .map(|i| check(&lists().interventions, "interventions", i))
            .collect::<Result<Vec<_>>>()?;
        set_edits(
            &mut out,
            "interventions",
            &current.interventions,
            &add,
            &edit.remove_interventions,
        );
        self.write_record(id, KIND, false, out)
    }
}
