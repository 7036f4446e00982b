//! A client's rights (ADR 0018): rectification requests and objections, and the decisions on
//! them.

use komora_core::{self as core, Date, DeviceId, RecordId};

use crate::convert::{date, id};
use crate::error::Result;
use crate::vault::KomoraVault;

#[derive(uniffi::Record)]
pub struct RightsRequest {
    pub id: RecordId,
    /// rectification or objection.
    pub right: String,
    /// The field (rectification) or the purpose (objection: statistics or sharing).
    pub subject: String,
    pub asked_by: String,
    pub request: Option<String>,
    pub date: Date,
    /// pending, granted, refused or withdrawn.
    pub decision: String,
    pub decided_by: Option<DeviceId>,
    pub decided_on: Option<Date>,
    pub decision_note: Option<String>,
    /// Whether it restricts processing now.
    pub stands: bool,
}

#[derive(uniffi::Record)]
pub struct NewRightsRequest {
    pub client_id: String,
    pub right: String,
    pub subject: String,
    #[uniffi(default = "self")]
    pub asked_by: String,
    #[uniffi(default = None)]
    pub request: Option<String>,
    #[uniffi(default = None)]
    pub date: Option<String>,
}

impl From<core::RightsRequest> for RightsRequest {
    fn from(r: core::RightsRequest) -> Self {
        RightsRequest {
            id: r.id,
            right: r.right.code().into(),
            subject: r.subject.clone(),
            asked_by: r.asked_by.code().into(),
            stands: r.stands(),
            request: r.request,
            date: r.date,
            decision: r.decision.code().into(),
            decided_by: r.decided_by,
            decided_on: r.decided_on,
            decision_note: r.decision_note,
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    /// Record a rectification request or an objection; returns its id.
    pub fn add_rights_request(&self, r: NewRightsRequest) -> Result<RecordId> {
        let new = core::NewRightsRequest {
            client: id(&r.client_id)?,
            right: core::Right::parse(&r.right)?,
            subject: r.subject,
            asked_by: core::ConsentGiver::parse(&r.asked_by)?,
            request: r.request,
            date: date("date", r.date.as_deref())?,
        };
        self.with(|v| Ok(v.add_rights_request(&new)?))
    }

    /// Decide a request: granted, refused (with the reason) or withdrawn.
    pub fn decide_rights_request(
        &self,
        id: RecordId,
        decision: String,
        note: Option<String>,
    ) -> Result<()> {
        let d = core::RequestDecision::parse(&decision)?;
        self.with(|v| Ok(v.decide_rights_request(id, d, note.as_deref())?))
    }

    /// A client's requests, newest first.
    pub fn rights_requests(&self, client_id: RecordId) -> Result<Vec<RightsRequest>> {
        self.with(|v| {
            Ok(v.rights_requests(client_id)?
                .into_iter()
                .map(RightsRequest::from)
                .collect())
        })
    }
}
