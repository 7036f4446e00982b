//! Plain records crossing to Kotlin, converted from and to the core's types. Ids travel as
//! their 32-character hex text; dates as `YYYY-MM-DD`.

use komora_core as core;

use crate::error::{KomoraError, Result};

/// Milliseconds as Kotlin's `Long`.
pub(crate) fn ms(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A small count (a score bound) as Kotlin's `Int`.
pub(crate) fn fit_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// A year as typed, checked before it reaches the core's own rules.
pub(crate) fn year(field: &'static str, y: Option<i32>) -> Result<Option<u16>> {
    y.map(|y| {
        u16::try_from(y).map_err(|_| KomoraError::Validation {
            field: field.into(),
            reason: "use a year between 1900 and this year".into(),
        })
    })
    .transpose()
}

pub(crate) fn minutes(d: Option<i32>) -> Result<Option<u16>> {
    d.map(|d| {
        u16::try_from(d).map_err(|_| KomoraError::Validation {
            field: "duration_min".into(),
            reason: "give the duration in minutes, from 1 to 600".into(),
        })
    })
    .transpose()
}

pub(crate) fn id(s: &str) -> Result<core::RecordId> {
    s.parse().map_err(KomoraError::from)
}

pub(crate) fn ids(v: &[String]) -> Result<Vec<core::RecordId>> {
    v.iter().map(|s| id(s)).collect()
}

pub(crate) fn date(field: &'static str, s: Option<&str>) -> Result<Option<core::Date>> {
    Ok(s.map(|s| core::Date::parse_field(field, s)).transpose()?)
}

/// A number from Kotlin (`Int`) that the core keeps in a smaller type: one that does not fit
/// is refused, never wrapped.
pub(crate) fn fit<T: TryFrom<i32>>(field: &'static str, n: i32, reason: &str) -> Result<T> {
    T::try_from(n).map_err(|_| KomoraError::Validation {
        field: field.into(),
        reason: reason.into(),
    })
}

fn texts(v: &[core::RecordId]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

/// Kotlin prints a data class with every field (in logs, crash reports, `"got $x"`): records
/// that hold a person's data or a secret print their type only, like the core's `Debug`.
macro_rules! redacted_debug {
    ($($t:ident),* $(,)?) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), "([redacted])"))
            }
        }
    )*};
}

redacted_debug!(
    Client,
    NewClient,
    ClientChanges,
    HistoryEntry,
    Case,
    Session,
    NewSession,
    NewAssessment,
    Review,
    Invitation,
    Consent,
    NewConsent,
    Referral,
    NewReferral,
    HouseholdLink,
    Group,
    NewGroup,
    GroupSession,
);

/// That a client's file was erased: which (a random id), when, why, by which device.
#[derive(uniffi::Record, Debug)]
pub struct Erasure {
    pub id: String,
    pub client_id: String,
    /// YYYY-MM-DD.
    pub date: Option<String>,
    /// client-request, retention or recorded-by-mistake.
    pub reason: String,
    pub by_device: String,
}

impl From<core::Erasure> for Erasure {
    fn from(e: core::Erasure) -> Self {
        Erasure {
            id: e.id.to_string(),
            client_id: e.client.to_string(),
            date: e.date.map(|d| d.to_string()),
            reason: e.reason,
            by_device: e.by.to_string(),
        }
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub code: Option<String>,
    /// "F" or "M".
    pub sex: Option<String>,
    pub birth_year: Option<i32>,
    pub phone: Option<String>,
    pub district: Option<String>,
    pub sector: Option<String>,
    pub cell: Option<String>,
    pub village: Option<String>,
    pub target_groups: Vec<String>,
    /// Fields where concurrent edits disagree (the others are in the history).
    pub conflicts: Vec<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

impl From<core::Client> for Client {
    fn from(c: core::Client) -> Self {
        let loc = c.location;
        Client {
            id: c.id.to_string(),
            name: c.name,
            code: c.code,
            sex: c.sex.map(|s| s.code().to_owned()),
            birth_year: c.birth_year.map(i32::from),
            phone: c.phone,
            district: loc.as_ref().map(|l| l.district.clone()),
            sector: loc.as_ref().and_then(|l| l.sector.clone()),
            cell: loc.as_ref().and_then(|l| l.cell.clone()),
            village: loc.as_ref().and_then(|l| l.village.clone()),
            target_groups: c.target_groups,
            conflicts: c.conflicts,
            created_ms: ms(c.created_ms),
            updated_ms: ms(c.updated_ms),
        }
    }
}

/// A client as typed on the form. Unset fields are `null`.
#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewClient {
    pub name: String,
    #[uniffi(default = None)]
    pub code: Option<String>,
    #[uniffi(default = None)]
    pub sex: Option<String>,
    #[uniffi(default = None)]
    pub birth_year: Option<i32>,
    #[uniffi(default = None)]
    pub phone: Option<String>,
    #[uniffi(default = None)]
    pub district: Option<String>,
    #[uniffi(default = None)]
    pub sector: Option<String>,
    #[uniffi(default = None)]
    pub cell: Option<String>,
    #[uniffi(default = None)]
    pub village: Option<String>,
    #[uniffi(default = [])]
    pub target_groups: Vec<String>,
}

impl NewClient {
    pub(crate) fn into_core(self) -> Result<core::NewClient> {
        Ok(core::NewClient {
            name: self.name,
            code: self.code,
            sex: self.sex.as_deref().map(core::Sex::parse).transpose()?,
            birth_year: year("birth_year", self.birth_year)?,
            phone: self.phone,
            location: core::LocationInput::from_parts(
                self.district,
                self.sector,
                self.cell,
                self.village,
            )?,
            target_groups: self.target_groups,
        })
    }
}

/// Changes to a client: `null` leaves a field alone; names in `clear` empty a field.
#[derive(uniffi::Record, Default)]
#[uniffi::export(Debug)]
pub struct ClientChanges {
    #[uniffi(default = None)]
    pub name: Option<String>,
    #[uniffi(default = None)]
    pub code: Option<String>,
    #[uniffi(default = None)]
    pub sex: Option<String>,
    #[uniffi(default = None)]
    pub birth_year: Option<i32>,
    #[uniffi(default = None)]
    pub phone: Option<String>,
    #[uniffi(default = None)]
    pub district: Option<String>,
    #[uniffi(default = None)]
    pub sector: Option<String>,
    #[uniffi(default = None)]
    pub cell: Option<String>,
    #[uniffi(default = None)]
    pub village: Option<String>,
    #[uniffi(default = [])]
    pub add_groups: Vec<String>,
    #[uniffi(default = [])]
    pub remove_groups: Vec<String>,
    /// code, sex, birth_year, phone or location.
    #[uniffi(default = [])]
    pub clear: Vec<String>,
}

impl ClientChanges {
    pub(crate) fn into_core(self) -> Result<core::ClientEdit> {
        let mut e = core::ClientEdit {
            name: self.name,
            code: self.code.map(Some),
            sex: self
                .sex
                .as_deref()
                .map(core::Sex::parse)
                .transpose()?
                .map(Some),
            birth_year: year("birth_year", self.birth_year)?.map(Some),
            phone: self.phone.map(Some),
            location: core::LocationInput::from_parts(
                self.district,
                self.sector,
                self.cell,
                self.village,
            )?
            .map(Some),
            add_groups: self.add_groups,
            remove_groups: self.remove_groups,
        };
        for f in &self.clear {
            e.clear(f)?;
        }
        Ok(e)
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct HistoryEntry {
    /// "set", "added" or "removed".
    pub change: String,
    /// The value as text (`null` when cleared).
    pub value: Option<String>,
    /// "current", "concurrent" or "replaced".
    pub status: String,
    pub at_ms: i64,
    pub device: String,
}

impl From<core::HistoryEntry> for HistoryEntry {
    fn from(e: core::HistoryEntry) -> Self {
        let text = |v: &core::Value| match v {
            core::Value::Null => None,
            core::Value::Text(t) => Some(t.clone()),
            core::Value::Int(i) => Some(i.to_string()),
            core::Value::Bool(b) => Some(b.to_string()),
        };
        let (change, value) = e.change.parts();
        HistoryEntry {
            change: change.into(),
            value: text(value),
            status: e.status.code().into(),
            at_ms: ms(e.at.wall_ms),
            device: e.device.to_string(),
        }
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Case {
    pub id: String,
    pub clients: Vec<String>,
    pub problems: Vec<String>,
    /// open, active, referred or closed.
    pub status: String,
    pub close_reason: Option<String>,
    /// low, medium or high.
    pub risk_level: String,
    pub risk_flags: Vec<String>,
    pub urgent: bool,
    pub counsellor: String,
    pub supervisor: Option<String>,
    pub opened: String,
    pub conflicts: Vec<String>,
}

impl From<core::Case> for Case {
    fn from(c: core::Case) -> Self {
        Case {
            urgent: c.is_urgent(),
            id: c.id.to_string(),
            clients: texts(&c.clients),
            problems: c.problems,
            status: c.status.code().into(),
            close_reason: c.close_reason,
            risk_level: c.risk_level.code().into(),
            risk_flags: c.risk_flags,
            counsellor: c.counsellor.to_string(),
            supervisor: c.supervisor.map(|s| s.to_string()),
            opened: c.opened.to_string(),
            conflicts: c.conflicts,
        }
    }
}

#[derive(uniffi::Record)]
pub struct NewCase {
    pub clients: Vec<String>,
    #[uniffi(default = [])]
    pub problems: Vec<String>,
    #[uniffi(default = None)]
    pub risk_level: Option<String>,
    #[uniffi(default = None)]
    pub opened: Option<String>,
}

impl NewCase {
    pub(crate) fn into_core(self) -> Result<core::NewCase> {
        Ok(core::NewCase {
            clients: ids(&self.clients)?,
            problems: self.problems,
            risk_level: self
                .risk_level
                .as_deref()
                .map(core::RiskLevel::parse)
                .transpose()?,
            opened: date("opened", self.opened.as_deref())?,
            counsellor: None,
            supervisor: None,
        })
    }
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

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewAssessment {
    pub client_id: String,
    /// phq-9, who-5, srq-20 or pcl-5.
    pub instrument: String,
    /// One answer per item, in the instrument's order.
    pub answers: Vec<i32>,
    #[uniffi(default = None)]
    pub case_id: Option<String>,
    #[uniffi(default = None)]
    pub session_id: Option<String>,
    #[uniffi(default = None)]
    pub date: Option<String>,
}

#[derive(uniffi::Record)]
pub struct Score {
    pub assessment_id: String,
    pub total: i32,
    pub band: String,
    /// Risk flags the answers raised on the case.
    pub raised_flags: Vec<String>,
}

#[derive(uniffi::Record)]
pub struct TrendPoint {
    pub date: String,
    pub score: i32,
    pub band: String,
}

#[derive(uniffi::Record)]
pub struct Trend {
    pub instrument: String,
    pub points: Vec<TrendPoint>,
    pub change: i64,
    pub improved: bool,
}

impl From<core::Trend> for Trend {
    fn from(t: core::Trend) -> Self {
        Trend {
            instrument: t.instrument,
            points: t
                .points
                .into_iter()
                .map(|(d, score, band)| TrendPoint {
                    date: d.to_string(),
                    score: score as i32,
                    band,
                })
                .collect(),
            change: t.change,
            improved: t.improved,
        }
    }
}

/// One instrument, for giving it item by item. Missing translations are `null`.
#[derive(uniffi::Record)]
pub struct InstrumentItem {
    pub id: String,
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
}

#[derive(uniffi::Record)]
pub struct InstrumentOption {
    pub value: i32,
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
}

#[derive(uniffi::Record)]
pub struct Instrument {
    pub id: String,
    pub version: i32,
    pub name: String,
    pub instructions: String,
    pub items: Vec<InstrumentItem>,
    pub options: Vec<InstrumentOption>,
    pub higher_is_better: bool,
    /// Severity bands with their labels, to show "Moderate" for the band `moderate`.
    pub bands: Vec<InstrumentBand>,
}

/// A score range and its label; a missing translation is null, never invented.
#[derive(uniffi::Record)]
pub struct InstrumentBand {
    pub id: String,
    pub min: i32,
    pub max: i32,
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
}

impl From<&core::Instrument> for Instrument {
    fn from(i: &core::Instrument) -> Self {
        Instrument {
            id: i.id.clone(),
            version: i.version as i32,
            name: i.name.en.clone(),
            instructions: i.instructions.en.clone(),
            items: i
                .items
                .iter()
                .map(|it| InstrumentItem {
                    id: it.id.clone(),
                    en: it.text.en.clone(),
                    fr: it.text.fr.clone(),
                    rw: it.text.rw.clone(),
                })
                .collect(),
            options: i
                .options
                .iter()
                .map(|o| InstrumentOption {
                    value: i32::from(o.value),
                    en: o.label.en.clone(),
                    fr: o.label.fr.clone(),
                    rw: o.label.rw.clone(),
                })
                .collect(),
            higher_is_better: i.higher_is_better,
            bands: i
                .bands
                .iter()
                .map(|b| InstrumentBand {
                    id: b.id.clone(),
                    min: fit_i32(b.min),
                    max: fit_i32(b.max),
                    en: b.label.en.clone(),
                    fr: b.label.fr.clone(),
                    rw: b.label.rw.clone(),
                })
                .collect(),
        }
    }
}

/// Which cases a caseload shows. `CaseloadFilter()` is this counsellor's open cases.
#[derive(uniffi::Record, Default)]
pub struct CaseloadFilter {
    /// Every counsellor's cases (a supervisor's view).
    #[uniffi(default = false)]
    pub everyone: bool,
    /// open, active, referred or closed.
    #[uniffi(default = None)]
    pub status: Option<String>,
    /// low, medium or high (high: also every case with a raised risk flag).
    #[uniffi(default = None)]
    pub risk: Option<String>,
    /// Only cases with a follow-up due today or overdue.
    #[uniffi(default = false)]
    pub follow_up_due_only: bool,
    /// Closed cases are left out unless asked for (or `status` is closed).
    #[uniffi(default = false)]
    pub include_closed: bool,
}

impl CaseloadFilter {
    pub(crate) fn into_core(self) -> Result<core::CaseloadFilter> {
        Ok(core::CaseloadFilter {
            counsellor: None,
            everyone: self.everyone,
            status: self
                .status
                .as_deref()
                .map(core::CaseStatus::parse)
                .transpose()?,
            risk: self
                .risk
                .as_deref()
                .map(core::RiskLevel::parse)
                .transpose()?,
            follow_up_due: self.follow_up_due_only,
            include_closed: self.include_closed,
        })
    }
}

#[derive(uniffi::Record)]
pub struct CaseloadEntry {
    pub case_info: Case,
    pub last_session: Option<String>,
    pub next_appointment: Option<String>,
    pub open_referrals: i32,
    pub overdue_referrals: i32,
    pub follow_up_due: bool,
}

impl From<core::CaseloadEntry> for CaseloadEntry {
    fn from(e: core::CaseloadEntry) -> Self {
        CaseloadEntry {
            case_info: e.case.into(),
            last_session: e.last_session.map(|d| d.to_string()),
            next_appointment: e.next_appointment.map(|d| d.to_string()),
            open_referrals: e.open_referrals.min(i32::MAX as usize) as i32,
            overdue_referrals: e.overdue_referrals.min(i32::MAX as usize) as i32,
            follow_up_due: e.follow_up_due,
        }
    }
}

/// One line of a client's timeline (no free text: open the record for that).
#[derive(uniffi::Record)]
pub struct TimelineEntry {
    pub date: String,
    /// case, session, assessment, referral, consent or group-session.
    pub kind: String,
    pub record_id: String,
    /// A short label built from codes: the modality, "phq-9 14 moderate", the destination...
    pub summary: String,
}

impl From<core::TimelineEntry> for TimelineEntry {
    fn from(e: core::TimelineEntry) -> Self {
        let summary = match &e.event {
            core::TimelineEvent::CaseOpened(c) => c.problems.join(", "),
            core::TimelineEvent::Session(s) => s.modality.clone(),
            core::TimelineEvent::Assessment(a) => match (a.score, &a.band) {
                (Some(s), Some(b)) => format!("{} {s} {b}", a.instrument),
                _ => a.instrument.clone(),
            },
            core::TimelineEvent::Referral(r) => format!("{} {}", r.destination, r.status.code()),
            core::TimelineEvent::Consent(c) => format!("{} {}", c.scope, c.decision.code()),
            core::TimelineEvent::GroupSession(g) => format!("{} {}", g.number, g.phase),
        };
        TimelineEntry {
            date: e.date.to_string(),
            kind: e.kind().into(),
            record_id: e.record.to_string(),
            summary,
        }
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Review {
    pub id: String,
    pub target_id: Option<String>,
    /// comment, approved or needs-changes.
    pub verdict: String,
    pub comment: Option<String>,
    pub response: Option<String>,
    pub answered: bool,
    pub supervisor: String,
}

impl From<core::Review> for Review {
    fn from(r: core::Review) -> Self {
        Review {
            id: r.id.to_string(),
            target_id: r.target.map(|t| t.to_string()),
            verdict: r.verdict.code().into(),
            comment: r.comment,
            response: r.response,
            answered: r.answered,
            supervisor: r.supervisor.to_string(),
        }
    }
}

#[derive(uniffi::Record)]
pub struct ReviewQueueItem {
    pub session_id: String,
    pub case_id: String,
    /// The case's clients (their names in one more call: `clients_by_id`).
    pub client_ids: Vec<String>,
    pub date: String,
    pub modality: String,
    pub urgent: bool,
    pub risk_flags: Vec<String>,
    /// The review the counsellor answered, when the session is back for a second look.
    pub answered_review: Option<String>,
}

impl From<core::ReviewQueueItem> for ReviewQueueItem {
    fn from(i: core::ReviewQueueItem) -> Self {
        ReviewQueueItem {
            session_id: i.session.id.to_string(),
            case_id: i.case.id.to_string(),
            client_ids: i.case.clients.iter().map(|c| c.to_string()).collect(),
            date: i.session.date.to_string(),
            modality: i.session.modality,
            urgent: i.case.is_urgent(),
            risk_flags: i.case.risk_flags,
            answered_review: match i.reason {
                core::QueueReason::NotReviewed => None,
                core::QueueReason::Answered { review } => Some(review.to_string()),
            },
        }
    }
}

#[derive(uniffi::Record)]
pub struct SyncProgress {
    /// pushing, pulling or done.
    pub phase: String,
    pub sent_ops: i64,
    pub received_ops: i64,
    pub sent_bytes: i64,
    pub received_bytes: i64,
    pub waiting: i64,
}

impl From<&core::SyncProgress> for SyncProgress {
    fn from(p: &core::SyncProgress) -> Self {
        SyncProgress {
            phase: match p.phase {
                core::SyncPhase::Pushing => "pushing",
                core::SyncPhase::Pulling => "pulling",
                core::SyncPhase::Done => "done",
            }
            .into(),
            sent_ops: ms(p.sent_ops),
            received_ops: ms(p.received_ops),
            sent_bytes: ms(p.sent_bytes),
            received_bytes: ms(p.received_bytes),
            waiting: ms(p.waiting),
        }
    }
}

/// The team's security policy, set by an administrator.
#[derive(uniffi::Record)]
pub struct TeamPolicy {
    /// The longest a tablet may stay unlocked while idle (a counsellor may choose shorter).
    pub auto_lock_minutes: Option<i32>,
    /// Erase a tablet's vault after this many wrong PINs in a row.
    pub wipe_after_failures: Option<i32>,
}

impl From<core::TeamPolicy> for TeamPolicy {
    fn from(p: core::TeamPolicy) -> Self {
        TeamPolicy {
            auto_lock_minutes: p.auto_lock_minutes.map(fit_i32),
            wipe_after_failures: p.wipe_after_failures.map(fit_i32),
        }
    }
}

#[derive(uniffi::Record)]
pub struct SyncReport {
    pub sent_ops: i64,
    pub received_ops: i64,
    pub applied: i64,
    pub rejected: i64,
}

#[derive(uniffi::Record)]
pub struct SyncStatus {
    pub device_id: String,
    pub role: Option<String>,
    pub team_name: Option<String>,
    pub last_sync_ms: Option<i64>,
    pub pending: i64,
    /// Received changes waiting for a key or a device this tablet does not know yet.
    #[uniffi(default = 0)]
    pub parked: i64,
    /// Received changes set aside unread (waited over a month, or a flood): tell the
    /// administrator when not zero.
    #[uniffi(default = 0)]
    pub set_aside: i64,
    /// This tablet was handed back: it records nothing new.
    #[uniffi(default = false)]
    pub handed_back: bool,
}

impl From<core::SyncStatus> for SyncStatus {
    fn from(s: core::SyncStatus) -> Self {
        SyncStatus {
            device_id: s.device_id.to_string(),
            role: s.role.map(|r| r.as_str().to_owned()),
            team_name: s.team_name,
            last_sync_ms: s.last_sync_ms.map(ms),
            pending: ms(s.pending),
            parked: ms(s.parked),
            set_aside: ms(s.set_aside),
            handed_back: s.handed_back,
        }
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Invitation {
    /// The one-time code to give the new device (20 characters).
    pub code: String,
    /// The enrolment QR code's text: this server, the code and the pin of the server's key.
    pub link: String,
    pub role: String,
    pub expires_at_ms: i64,
}

#[derive(uniffi::Record)]
pub struct Device {
    pub id: String,
    /// counsellor, supervisor or admin.
    pub role: String,
    pub revoked: bool,
    pub enrolled_ms: i64,
    pub last_seen_ms: Option<i64>,
    /// Handed back (it signed its last operation): an administrator should revoke it.
    #[uniffi(default = false)]
    pub handed_back: bool,
}

impl From<core::DeviceInfo> for Device {
    fn from(d: core::DeviceInfo) -> Self {
        Device {
            id: d.id.to_string(),
            role: d.role.as_str().into(),
            revoked: d.revoked,
            enrolled_ms: ms(d.enrolled_ms),
            last_seen_ms: d.last_seen_ms.map(ms),
            handed_back: false,
        }
    }
}

/// One entry of a shipped list: the id is stored in records, the labels are for screens. A
/// missing translation is `null`, never invented.
#[derive(uniffi::Record)]
pub struct Term {
    pub id: String,
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
}

impl From<&core::Term> for Term {
    fn from(t: &core::Term) -> Self {
        Term {
            id: t.id.clone(),
            en: t.en.clone(),
            fr: t.fr.clone(),
            rw: t.rw.clone(),
        }
    }
}

/// The closed lists case work draws from, for pickers.
#[derive(uniffi::Record)]
pub struct CaseworkLists {
    pub problems: Vec<Term>,
    pub modalities: Vec<Term>,
    pub interventions: Vec<Term>,
    pub referral_destinations: Vec<Term>,
    pub risk_flags: Vec<Term>,
    pub consent_scopes: Vec<Term>,
    /// What the other person is to the client: spouse, parent, child, ...
    pub relations: Vec<Term>,
    pub group_kinds: Vec<Term>,
    /// A healing group's cycle, in order.
    pub group_phases: Vec<Term>,
}

impl From<&core::Lists> for CaseworkLists {
    fn from(l: &core::Lists) -> Self {
        let terms = |v: &[core::Term]| v.iter().map(Term::from).collect();
        CaseworkLists {
            problems: terms(&l.problems),
            modalities: terms(&l.modalities),
            interventions: terms(&l.interventions),
            referral_destinations: terms(&l.referral_destinations),
            risk_flags: terms(&l.risk_flags),
            consent_scopes: terms(&l.consent_scopes),
            relations: terms(&l.relations),
            group_kinds: terms(&l.group_kinds),
            group_phases: terms(&l.group_phases),
        }
    }
}

/// Consent given or withdrawn, as recorded on the form.
#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewConsent {
    pub client_id: String,
    /// services, data-recording or sharing.
    pub scope: String,
    /// `true` records a withdrawal: nothing new is recorded under the scope from then on.
    #[uniffi(default = false)]
    pub withdrawn: bool,
    /// rw, fr or en: the language it was explained in.
    pub language: String,
    /// The parent or guardian who gave it (required under 16); `null`: the client did.
    #[uniffi(default = None)]
    pub guardian_name: Option<String>,
    #[uniffi(default = None)]
    pub date: Option<String>,
}

impl NewConsent {
    pub(crate) fn into_core(self) -> Result<core::NewConsent> {
        Ok(core::NewConsent {
            client: id(&self.client_id)?,
            scope: self.scope,
            decision: if self.withdrawn {
                core::ConsentDecision::Withdrawn
            } else {
                core::ConsentDecision::Given
            },
            language: core::Language::parse(&self.language)?,
            given_by: if self.guardian_name.is_some() {
                core::ConsentGiver::Guardian
            } else {
                core::ConsentGiver::Client
            },
            guardian_name: self.guardian_name,
            date: date("date", self.date.as_deref())?,
        })
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Consent {
    pub id: String,
    pub scope: String,
    pub withdrawn: bool,
    /// rw, fr or en.
    pub language: String,
    pub by_guardian: bool,
    pub guardian_name: Option<String>,
    pub date: String,
}

impl From<core::Consent> for Consent {
    fn from(c: core::Consent) -> Self {
        Consent {
            id: c.id.to_string(),
            scope: c.scope,
            withdrawn: c.decision == core::ConsentDecision::Withdrawn,
            language: c.language.code().into(),
            by_guardian: c.given_by == core::ConsentGiver::Guardian,
            guardian_name: c.guardian_name,
            date: c.date.to_string(),
        }
    }
}

/// Whether consent to one scope stands: `given` is the latest decision (`date`), `false` when
/// it was withdrawn or never recorded (`date` is then `null`).
#[derive(uniffi::Record)]
pub struct ConsentScopeState {
    pub scope: String,
    pub given: bool,
    pub date: Option<String>,
}

impl From<(String, Option<core::Consent>)> for ConsentScopeState {
    fn from((scope, latest): (String, Option<core::Consent>)) -> Self {
        ConsentScopeState {
            scope,
            given: latest
                .as_ref()
                .is_some_and(|c| c.decision == core::ConsentDecision::Given),
            date: latest.map(|c| c.date.to_string()),
        }
    }
}

/// A referral as made: it starts pending.
#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewReferral {
    pub client_id: String,
    #[uniffi(default = None)]
    pub case_id: Option<String>,
    /// health-centre, hospital, isange, police, legal-aid, ngo or local-authority.
    pub destination: String,
    #[uniffi(default = None)]
    pub organisation: Option<String>,
    #[uniffi(default = None)]
    pub reason: Option<String>,
    #[uniffi(default = None)]
    pub follow_up: Option<String>,
    #[uniffi(default = None)]
    pub date: Option<String>,
}

impl NewReferral {
    pub(crate) fn into_core(self) -> Result<core::NewReferral> {
        let mut r = core::NewReferral::new(id(&self.client_id)?, &self.destination);
        r.case = self.case_id.as_deref().map(id).transpose()?;
        r.organisation = self.organisation;
        r.reason = self.reason;
        r.follow_up = date("follow_up", self.follow_up.as_deref())?;
        r.date = date("date", self.date.as_deref())?;
        Ok(r)
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Referral {
    pub id: String,
    pub client_id: Option<String>,
    pub case_id: Option<String>,
    pub destination: String,
    pub organisation: Option<String>,
    pub reason: Option<String>,
    /// pending, accepted, completed, declined or cancelled.
    pub status: String,
    pub follow_up: Option<String>,
    pub date: String,
    /// Open with a follow-up date before today.
    pub overdue: bool,
    pub conflicts: Vec<String>,
}

impl Referral {
    pub(crate) fn new(r: core::Referral, today: core::Date) -> Self {
        Referral {
            overdue: r.is_overdue(today),
            id: r.id.to_string(),
            client_id: r.client.map(|c| c.to_string()),
            case_id: r.case.map(|c| c.to_string()),
            destination: r.destination,
            organisation: r.organisation,
            reason: r.reason,
            status: r.status.code().into(),
            follow_up: r.follow_up.map(|d| d.to_string()),
            date: r.date.to_string(),
            conflicts: r.conflicts,
        }
    }
}

/// A relative or household member of a client.
#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct HouseholdLink {
    pub client_id: String,
    /// The linked client's name.
    pub name: String,
    /// What the linked client is to the client asked about: spouse, parent, child, ...
    pub relation: String,
}

/// An appointment or a referral follow-up that is due.
#[derive(uniffi::Record)]
pub struct FollowUp {
    pub due: String,
    pub overdue: bool,
    pub case_id: Option<String>,
    pub client_id: Option<String>,
    /// appointment (record: the session that set it) or referral (record: the referral).
    pub kind: String,
    pub record_id: String,
}

impl From<core::FollowUp> for FollowUp {
    fn from(f: core::FollowUp) -> Self {
        let (kind, record) = match f.kind {
            core::FollowUpKind::Appointment { session } => ("appointment", session),
            core::FollowUpKind::Referral { referral } => ("referral", referral),
        };
        FollowUp {
            due: f.due.to_string(),
            overdue: f.overdue,
            case_id: f.case.map(|c| c.to_string()),
            client_id: f.client.map(|c| c.to_string()),
            kind: kind.into(),
            record_id: record.to_string(),
        }
    }
}

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
    pub id: String,
    pub name: String,
    pub kind: String,
    pub facilitators: Vec<String>,
    /// Client ids.
    pub members: Vec<String>,
    pub cycle_length: i32,
    pub started: String,
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
            id: g.id.to_string(),
            name: g.name,
            kind: g.kind,
            facilitators: g.facilitators,
            members: texts(&g.members),
            cycle_length: i32::from(g.cycle_length),
            started: g.started.to_string(),
            conflicts: g.conflicts,
        }
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct GroupSession {
    pub id: String,
    pub group_id: Option<String>,
    /// The session's place in the cycle, from 1.
    pub number: i32,
    pub phase: String,
    pub date: String,
    pub notes: Option<String>,
    /// Client ids of those present.
    pub attendance: Vec<String>,
    /// Client ids flagged for referral.
    pub flagged: Vec<String>,
}

impl From<core::GroupSession> for GroupSession {
    fn from(s: core::GroupSession) -> Self {
        GroupSession {
            id: s.id.to_string(),
            group_id: s.group.map(|g| g.to_string()),
            number: i32::from(s.number),
            phase: s.phase,
            date: s.date.to_string(),
            notes: s.notes,
            attendance: texts(&s.attendance),
            flagged: texts(&s.flagged),
        }
    }
}
