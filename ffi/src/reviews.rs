//! Supervision: a supervisor's reviews of sessions and cases, the counsellor's answers, and the
//! queues each of them works through.

use komora_core::{self as core, Date, DeviceId, RecordId};

use crate::error::Result;
use crate::vault::KomoraVault;

redacted_debug!(Review);

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Review {
    pub id: RecordId,
    pub target_id: Option<RecordId>,
    /// comment, approved or needs-changes.
    pub verdict: String,
    pub comment: Option<String>,
    pub response: Option<String>,
    pub answered: bool,
    pub supervisor: DeviceId,
}

impl From<core::Review> for Review {
    fn from(r: core::Review) -> Self {
        Review {
            id: r.id,
            target_id: r.target,
            verdict: r.verdict.code().into(),
            comment: r.comment,
            response: r.response,
            answered: r.answered,
            supervisor: r.supervisor,
        }
    }
}

#[derive(uniffi::Record)]
pub struct ReviewQueueItem {
    pub session_id: RecordId,
    pub case_id: RecordId,
    /// The case's clients (their names in one more call: `clients_by_id`).
    pub client_ids: Vec<RecordId>,
    pub date: Date,
    pub modality: String,
    pub urgent: bool,
    pub risk_flags: Vec<String>,
    /// The review the counsellor answered, when the session is back for a second look.
    pub answered_review: Option<RecordId>,
}

impl From<core::ReviewQueueItem> for ReviewQueueItem {
    fn from(i: core::ReviewQueueItem) -> Self {
        ReviewQueueItem {
            urgent: i.case.is_urgent(),
            session_id: i.session.id,
            case_id: i.case.id,
            client_ids: i.case.clients,
            date: i.session.date,
            modality: i.session.modality,
            risk_flags: i.case.risk_flags,
            answered_review: match i.reason {
                core::QueueReason::NotReviewed => None,
                core::QueueReason::Answered { review } => Some(review),
            },
        }
    }
}

/// Where a session or case stands with its reviews, as the core decides it (the latest
/// approval or request for changes by the hybrid clock; comments do not count).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStanding {
    NotReviewed,
    Approved,
    WaitingForCounsellor,
    Answered,
}

impl From<core::ReviewStanding> for ReviewStanding {
    fn from(s: core::ReviewStanding) -> Self {
        match s {
            core::ReviewStanding::NotReviewed => ReviewStanding::NotReviewed,
            core::ReviewStanding::Approved => ReviewStanding::Approved,
            core::ReviewStanding::WaitingForCounsellor => ReviewStanding::WaitingForCounsellor,
            core::ReviewStanding::Answered => ReviewStanding::Answered,
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    /// Where a session or case stands with its reviews.
    pub fn review_standing(&self, target_id: RecordId) -> Result<ReviewStanding> {
        self.with(|v| Ok(v.review_standing(target_id)?.into()))
    }

    /// A supervisor reviews a session or case: comment, approved or needs-changes.
    pub fn add_review(
        &self,
        target_id: RecordId,
        verdict: String,
        comment: Option<String>,
    ) -> Result<RecordId> {
        let verdict = core::Verdict::parse(&verdict)?;
        self.with(|v| Ok(v.add_review(target_id, verdict, comment.as_deref())?))
    }

    pub fn answer_review(&self, review_id: RecordId, response: String) -> Result<()> {
        self.with(|v| Ok(v.answer_review(review_id, &response)?))
    }

    pub fn review_queue(&self) -> Result<Vec<ReviewQueueItem>> {
        self.with(|v| {
            Ok(v.review_queue()?
                .into_iter()
                .map(ReviewQueueItem::from)
                .collect())
        })
    }

    pub fn change_requests(&self) -> Result<Vec<Review>> {
        self.with(|v| Ok(v.change_requests()?.into_iter().map(Review::from).collect()))
    }

    pub fn reviews_of(&self, target_id: RecordId) -> Result<Vec<Review>> {
        self.with(|v| {
            Ok(v.reviews_of(target_id)?
                .into_iter()
                .map(Review::from)
                .collect())
        })
    }
}
