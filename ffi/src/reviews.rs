//! Supervision: a supervisor's reviews of sessions and cases, the counsellor's answers, and the
//! queues each of them works through.

use komora_core as core;

use crate::convert;
use crate::error::Result;
use crate::vault::KomoraVault;

redacted_debug!(Review);

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

#[uniffi::export]
impl KomoraVault {
    /// A supervisor reviews a session or case: comment, approved or needs-changes.
    pub fn add_review(
        &self,
        target_id: String,
        verdict: String,
        comment: Option<String>,
    ) -> Result<String> {
        let target = convert::id(&target_id)?;
        let verdict = core::Verdict::parse(&verdict)?;
        self.with(|v| {
            Ok(v.add_review(target, verdict, comment.as_deref())?
                .to_string())
        })
    }

    pub fn answer_review(&self, review_id: String, response: String) -> Result<()> {
        let id = convert::id(&review_id)?;
        self.with(|v| Ok(v.answer_review(id, &response)?))
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

    pub fn reviews_of(&self, target_id: String) -> Result<Vec<Review>> {
        let id = convert::id(&target_id)?;
        self.with(|v| Ok(v.reviews_of(id)?.into_iter().map(Review::from).collect()))
    }
}
