//! The queries the screens need: a counsellor's caseload, a client's timeline, the
//! supervisor's review queue, the counsellor's queue of requests, and due or overdue
//! follow-ups. All read the in-memory index; none returns free text.

use std::collections::HashMap;

use super::case::{Case, CaseStatus, RiskLevel};
use super::consent::Consent;
use super::date::Date;
use super::group::GroupSession;
use super::index::CaseIndex;
use super::measure::Assessment;
use super::referral::Referral;
use super::review::{Review, Verdict};
use super::session::Session;
use crate::error::Result;
use crate::ids::{DeviceId, RecordId};
use crate::vault::Vault;

/// Which cases a caseload shows.
#[derive(Clone, Debug, Default)]
pub struct CaseloadFilter {
    /// Whose caseload: `None` is this device's counsellor; see `everyone`.
    pub counsellor: Option<DeviceId>,
    /// Every counsellor's cases (a supervisor's view).
    pub everyone: bool,
    pub status: Option<CaseStatus>,
    /// Only cases at this risk level or with a raised flag when `High`.
    pub risk: Option<RiskLevel>,
    /// Only cases with a follow-up due today or overdue.
    pub follow_up_due: bool,
    /// Closed cases are left out unless asked for (or `status` is `Closed`).
    pub include_closed: bool,
}

/// One line of a caseload.
#[derive(Clone, Debug)]
pub struct CaseloadEntry {
    pub case: Case,
    pub last_session: Option<Date>,
    /// The next appointment set at the latest session.
    pub next_appointment: Option<Date>,
    pub open_referrals: usize,
    pub overdue_referrals: usize,
    /// A next appointment today or earlier, or an overdue referral.
    pub follow_up_due: bool,
}

/// Something that happened to a client.
#[derive(Clone, Debug)]
pub enum TimelineEvent {
    CaseOpened(Case),
    Session(Session),
    Assessment(Assessment),
    Referral(Referral),
    Consent(Consent),
    GroupSession(GroupSession),
}

#[derive(Clone, Debug)]
pub struct TimelineEntry {
    pub date: Date,
    pub record: RecordId,
    pub event: TimelineEvent,
}

impl TimelineEntry {
    pub fn kind(&self) -> &'static str {
        match self.event {
            TimelineEvent::CaseOpened(_) => "case",
            TimelineEvent::Session(_) => "session",
            TimelineEvent::Assessment(_) => "assessment",
            TimelineEvent::Referral(_) => "referral",
            TimelineEvent::Consent(_) => "consent",
            TimelineEvent::GroupSession(_) => "group-session",
        }
    }
}

/// Why a session is in the supervisor's queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueueReason {
    /// Nobody has approved or questioned it yet.
    NotReviewed,
    /// Changes were asked for and the counsellor answered.
    Answered { review: RecordId },
}

#[derive(Clone, Debug)]
pub struct ReviewQueueItem {
    pub session: Session,
    pub case: Case,
    pub reason: QueueReason,
}

/// Something that is due: a next appointment or a referral's follow-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FollowUpKind {
    Appointment { session: RecordId },
    Referral { referral: RecordId },
}

#[derive(Clone, Debug)]
pub struct FollowUp {
    pub due: Date,
    pub overdue: bool,
    pub case: Option<RecordId>,
    pub client: Option<RecordId>,
    pub kind: FollowUpKind,
}

/// The latest session of each case.
fn latest_sessions(index: &CaseIndex) -> HashMap<RecordId, &Session> {
    let mut latest: HashMap<RecordId, &Session> = HashMap::new();
    for s in index.sessions() {
        let Some(case) = s.case else { continue };
        let e = latest.entry(case).or_insert(s);
        if (s.date, s.recorded) > (e.date, e.recorded) {
            *e = s;
        }
    }
    latest
}

/// The verdict that stands for a target: the latest approval or request for changes.
pub(super) fn standing_review<'a>(reviews: &[&'a Review]) -> Option<&'a Review> {
    reviews
        .iter()
        .filter(|r| r.verdict != Verdict::Comment)
        .max_by_key(|r| r.recorded)
        .copied()
}

fn reviews_by_target(index: &CaseIndex) -> HashMap<RecordId, Vec<&Review>> {
    let mut by: HashMap<RecordId, Vec<&Review>> = HashMap::new();
    for r in index.reviews() {
        if let Some(t) = r.target {
            by.entry(t).or_default().push(r);
        }
    }
    by
}

impl Vault {
    /// A caseload: urgent cases first, then by the nearest follow-up, then oldest first.
    pub fn caseload(&self, filter: &CaseloadFilter) -> Result<Vec<CaseloadEntry>> {
        let today = self.today();
        let me = filter.counsellor.unwrap_or(self.device_id());
        let index = self.index()?;
        let latest = latest_sessions(&index);
        let mut referrals: HashMap<RecordId, (usize, usize)> = HashMap::new();
        for r in index.referrals().filter(|r| r.status.is_open()) {
            if let Some(c) = r.case {
                let e = referrals.entry(c).or_default();
                e.0 += 1;
                e.1 += usize::from(r.is_overdue(today));
            }
        }
        let mut out: Vec<CaseloadEntry> = index
            .cases()
            .filter(|c| filter.everyone || c.counsellor == me)
            .filter(|c| match filter.status {
                Some(s) => c.status == s,
                None => filter.include_closed || c.status != CaseStatus::Closed,
            })
            .filter(|c| match filter.risk {
                Some(RiskLevel::High) => c.is_urgent(),
                Some(level) => c.risk_level == level,
                None => true,
            })
            .map(|c| {
                let last = latest.get(&c.id);
                let (open, overdue) = referrals.get(&c.id).copied().unwrap_or_default();
                let next = last.and_then(|s| s.next_appointment);
                CaseloadEntry {
                    case: c.clone(),
                    last_session: last.map(|s| s.date),
                    next_appointment: next,
                    open_referrals: open,
                    overdue_referrals: overdue,
                    follow_up_due: overdue > 0
                        || (c.status != CaseStatus::Closed && next.is_some_and(|n| n <= today)),
                }
            })
            .filter(|e| !filter.follow_up_due || e.follow_up_due)
            .collect();
        out.sort_by(|a, b| {
            let key = |e: &CaseloadEntry| {
                (
                    !e.case.is_urgent(),
                    !e.follow_up_due,
                    e.next_appointment.is_none(), // cases without one come last
                    e.next_appointment,
                    e.case.opened,
                    e.case.id,
                )
            };
            key(a).cmp(&key(b))
        });
        Ok(out)
    }

    /// Everything that concerns a client, newest first.
    pub fn timeline(&self, client: RecordId) -> Result<Vec<TimelineEntry>> {
        self.client(client)?;
        let index = self.index()?;
        let mut out = Vec::new();
        let cases: Vec<&Case> = index
            .cases()
            .filter(|c| c.clients.contains(&client))
            .collect();
        for c in &cases {
            out.push(TimelineEntry {
                date: c.opened,
                record: c.id,
                event: TimelineEvent::CaseOpened((*c).clone()),
            });
        }
        for s in index.sessions() {
            if s.participants.contains(&client) {
                out.push(TimelineEntry {
                    date: s.date,
                    record: s.id,
                    event: TimelineEvent::Session(s.clone()),
                });
            }
        }
        for a in index.assessments().filter(|a| a.client == Some(client)) {
            out.push(TimelineEntry {
                date: a.date,
                record: a.id,
                event: TimelineEvent::Assessment(a.clone()),
            });
        }
        for r in index.referrals().filter(|r| r.client == Some(client)) {
            out.push(TimelineEntry {
                date: r.date,
                record: r.id,
                event: TimelineEvent::Referral(r.clone()),
            });
        }
        for c in index.consents().filter(|c| c.client == Some(client)) {
            out.push(TimelineEntry {
                date: c.date,
                record: c.id,
                event: TimelineEvent::Consent(c.clone()),
            });
        }
        for g in index
            .group_sessions()
            .filter(|g| g.attendance.contains(&client))
        {
            out.push(TimelineEntry {
                date: g.date,
                record: g.id,
                event: TimelineEvent::GroupSession(g.clone()),
            });
        }
        out.sort_by(|a, b| b.date.cmp(&a.date).then(b.record.cmp(&a.record)));
        Ok(out)
    }

    /// The supervisor's review queue: sessions not yet reviewed and answered requests, cases
    /// with a raised risk flag or high risk first, then the oldest session first. Cases
    /// assigned to another supervisor are left out.
    pub fn review_queue(&self) -> Result<Vec<ReviewQueueItem>> {
        let me = self.device_id();
        let index = self.index()?;
        let by_target = reviews_by_target(&index);
        let mut out = Vec::new();
        for s in index.sessions() {
            let Some(case) = s.case.and_then(|c| index.case(&c)) else {
                continue;
            };
            if case.supervisor.is_some_and(|sup| sup != me) {
                continue;
            }
            let reviews = by_target.get(&s.id).map(Vec::as_slice).unwrap_or(&[]);
            let reason = match standing_review(reviews) {
                None => QueueReason::NotReviewed,
                Some(r) if r.verdict == Verdict::NeedsChanges && r.answered => {
                    QueueReason::Answered { review: r.id }
                }
                Some(_) => continue,
            };
            out.push(ReviewQueueItem {
                session: s.clone(),
                case: case.clone(),
                reason,
            });
        }
        out.sort_by(|a, b| {
            let key =
                |i: &ReviewQueueItem| (!i.case.is_urgent(), i.session.date, i.session.recorded);
            key(a).cmp(&key(b))
        });
        Ok(out)
    }

    /// The counsellor's queue: requests for changes on their sessions, not answered yet,
    /// oldest first.
    pub fn change_requests(&self) -> Result<Vec<Review>> {
        let me = self.device_id();
        let index = self.index()?;
        let by_target = reviews_by_target(&index);
        let mut out: Vec<Review> = Vec::new();
        for (target, reviews) in &by_target {
            let Some(r) = standing_review(reviews) else {
                continue;
            };
            if r.verdict != Verdict::NeedsChanges || r.answered {
                continue;
            }
            let counsellor = index
                .session(target)
                .and_then(|s| s.case)
                .or(Some(*target))
                .and_then(|c| index.case(&c))
                .map(|c| c.counsellor);
            if counsellor == Some(me) {
                out.push(r.clone());
            }
        }
        out.sort_by_key(|r| r.recorded);
        Ok(out)
    }

    /// Appointments and referral follow-ups due within `days` days from today (and every
    /// overdue one), on cases this device's counsellor carries (or all with `everyone`).
    pub fn follow_ups(&self, days: u32, everyone: bool) -> Result<Vec<FollowUp>> {
        let today = self.today();
        let horizon = today.add_days(i64::from(days));
        let me = self.device_id();
        let index = self.index()?;
        let mine = |case: Option<RecordId>| {
            everyone
                || case
                    .and_then(|c| index.case(&c))
                    .is_some_and(|c| c.counsellor == me)
        };
        let mut out = Vec::new();
        for (case, s) in latest_sessions(&index) {
            let Some(c) = index.case(&case) else { continue };
            if c.status == CaseStatus::Closed || !mine(Some(case)) {
                continue;
            }
            if let Some(due) = s.next_appointment.filter(|d| *d <= horizon) {
                out.push(FollowUp {
                    due,
                    overdue: due < today,
                    case: Some(case),
                    client: c.clients.first().copied(),
                    kind: FollowUpKind::Appointment { session: s.id },
                });
            }
        }
        for r in index.referrals().filter(|r| r.status.is_open()) {
            if !(mine(r.case) || r.author == me) {
                continue;
            }
            if let Some(due) = r.follow_up.filter(|d| *d <= horizon) {
                out.push(FollowUp {
                    due,
                    overdue: due < today,
                    case: r.case,
                    client: r.client,
                    kind: FollowUpKind::Referral { referral: r.id },
                });
            }
        }
        out.sort_by_key(|f| {
            let id = match f.kind {
                FollowUpKind::Appointment { session } => session,
                FollowUpKind::Referral { referral } => referral,
            };
            (f.due, id)
        });
        Ok(out)
    }
}
