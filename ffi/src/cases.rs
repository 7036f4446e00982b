//! Cases and the lists that show them: a case's status and risk, the caseload, the follow-ups
//! due, a client's cases and timeline.

use komora_core::{self as core, Date, DeviceId, RecordId};

use crate::convert::{self, date, ids};
use crate::error::Result;
use crate::vault::KomoraVault;

redacted_debug!(Case);

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Case {
    pub id: RecordId,
    pub clients: Vec<RecordId>,
    pub problems: Vec<String>,
    /// open, active, referred or closed.
    pub status: String,
    pub close_reason: Option<String>,
    /// low, medium or high.
    pub risk_level: String,
    pub risk_flags: Vec<String>,
    pub urgent: bool,
    pub counsellor: DeviceId,
    pub supervisor: Option<DeviceId>,
    pub opened: Date,
    pub conflicts: Vec<String>,
}

impl From<core::Case> for Case {
    fn from(c: core::Case) -> Self {
        Case {
            urgent: c.is_urgent(),
            id: c.id,
            clients: c.clients,
            problems: c.problems,
            status: c.status.code().into(),
            close_reason: c.close_reason,
            risk_level: c.risk_level.code().into(),
            risk_flags: c.risk_flags,
            counsellor: c.counsellor,
            supervisor: c.supervisor,
            opened: c.opened,
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
    pub last_session: Option<Date>,
    pub next_appointment: Option<Date>,
    pub open_referrals: i32,
    pub overdue_referrals: i32,
    pub follow_up_due: bool,
}

impl From<core::CaseloadEntry> for CaseloadEntry {
    fn from(e: core::CaseloadEntry) -> Self {
        CaseloadEntry {
            case_info: e.case.into(),
            last_session: e.last_session,
            next_appointment: e.next_appointment,
            open_referrals: e.open_referrals.min(i32::MAX as usize) as i32,
            overdue_referrals: e.overdue_referrals.min(i32::MAX as usize) as i32,
            follow_up_due: e.follow_up_due,
        }
    }
}

/// An appointment or a referral follow-up that is due.
#[derive(uniffi::Record)]
pub struct FollowUp {
    pub due: Date,
    pub overdue: bool,
    pub case_id: Option<RecordId>,
    pub client_id: Option<RecordId>,
    /// appointment (record: the session that set it) or referral (record: the referral).
    pub kind: String,
    pub record_id: RecordId,
}

impl From<core::FollowUp> for FollowUp {
    fn from(f: core::FollowUp) -> Self {
        let (kind, record) = match f.kind {
            core::FollowUpKind::Appointment { session } => ("appointment", session),
            core::FollowUpKind::Referral { referral } => ("referral", referral),
        };
        FollowUp {
            due: f.due,
            overdue: f.overdue,
            case_id: f.case,
            client_id: f.client,
            kind: kind.into(),
            record_id: record,
        }
    }
}

/// One line of a client's timeline (no free text: open the record for that).
#[derive(uniffi::Record)]
pub struct TimelineEntry {
    pub date: Date,
    /// case, session, assessment, referral, consent or group-session.
    pub kind: String,
    pub record_id: RecordId,
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
            date: e.date,
            kind: e.kind().into(),
            record_id: e.record,
            summary,
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    pub fn add_case(&self, case_info: NewCase) -> Result<RecordId> {
        let c = case_info.into_core()?;
        self.with(|v| Ok(v.add_case(&c)?))
    }

    pub fn get_case(&self, id: RecordId) -> Result<Case> {
        self.with(|v| Ok(v.case(id)?.into()))
    }

    /// Move a case to open, active, referred or closed (closing may need a reason).
    pub fn set_case_status(
        &self,
        id: RecordId,
        status: String,
        reason: Option<String>,
    ) -> Result<Case> {
        let status = core::CaseStatus::parse(&status)?;
        self.with(|v| {
            v.edit_case(
                id,
                &core::CaseEdit {
                    status: Some(status),
                    close_reason: reason,
                    ..Default::default()
                },
            )?;
            Ok(v.case(id)?.into())
        })
    }

    /// Raise a risk flag: suicide-risk, violence-at-home or child-protection.
    pub fn raise_risk(&self, case_id: RecordId, flag: String) -> Result<Case> {
        self.with(|v| {
            v.raise_risk(case_id, &flag)?;
            Ok(v.case(case_id)?.into())
        })
    }

    /// A caseload, urgent cases first, then by the nearest follow-up. `CaseloadFilter()` is
    /// this counsellor's open cases.
    pub fn caseload(&self, filter: CaseloadFilter) -> Result<Vec<CaseloadEntry>> {
        let filter = filter.into_core()?;
        self.with(|v| {
            Ok(v.caseload(&filter)?
                .into_iter()
                .map(CaseloadEntry::from)
                .collect())
        })
    }

    /// The cases of one client (open ones, or every one with `include_closed`), for her file.
    pub fn cases_of(&self, client_id: RecordId, include_closed: bool) -> Result<Vec<Case>> {
        self.with(|v| {
            let filter = core::CaseloadFilter {
                everyone: true,
                include_closed,
                ..Default::default()
            };
            Ok(v.caseload(&filter)?
                .into_iter()
                .filter(|e| e.case.clients.contains(&client_id))
                .map(|e| Case::from(e.case))
                .collect())
        })
    }

    /// Appointments and referral follow-ups due within `days` days (and every overdue one),
    /// soonest first, on this counsellor's cases (or everyone's).
    pub fn follow_ups(&self, days: i32, everyone: bool) -> Result<Vec<FollowUp>> {
        let days = convert::fit("days", days, "give 0 days or more")?;
        self.with(|v| {
            Ok(v.follow_ups(days, everyone)?
                .into_iter()
                .map(FollowUp::from)
                .collect())
        })
    }

    pub fn timeline(&self, client_id: RecordId) -> Result<Vec<TimelineEntry>> {
        self.with(|v| {
            Ok(v.timeline(client_id)?
                .into_iter()
                .map(TimelineEntry::from)
                .collect())
        })
    }
}
