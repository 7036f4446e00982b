//! A client's rights (ADR 0018): rectification requests and objections, and the decisions on
//! them.

use komora_core as core;

use crate::convert;
use crate::error::Result;
use crate::vault::KomoraVault;

#[derive(uniffi::Record)]
pub struct RightsRequest {
    pub id: String,
    /// rectification or objection.
    pub right: String,
    /// The field (rectification) or the purpose (objection: statistics or sharing).
    pub subject: String,
    pub asked_by: String,
    pub request: Option<String>,
    pub date: String,
    /// pending, granted, refused or withdrawn.
    pub decision: String,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
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

fn request(r: core::RightsRequest) -> RightsRequest {
    RightsRequest {
        id: r.id.to_string(),
        right: r.right.code().into(),
        subject: r.subject.clone(),
        asked_by: r.asked_by.code().into(),
        stands: r.stands(),
        request: r.request,
        date: r.date.to_string(),
        decision: r.decision.code().into(),
        decided_by: r.decided_by.map(|d| d.to_string()),
        decided_on: r.decided_on.map(|d| d.to_string()),
        decision_note: r.decision_note,
    }
}

#[uniffi::export]
impl KomoraVault {
    /// Record a rectification request or an objection; returns its id.
    pub fn add_rights_request(&self, r: NewRightsRequest) -> Result<String> {
        let new = core::NewRightsRequest {
            client: convert::id(&r.client_id)?,
            right: core::Right::parse(&r.right)?,
            subject: r.subject,
            asked_by: core::ConsentGiver::parse(&r.asked_by)?,
            request: r.request,
            date: r
                .date
                .map(|d| core::Date::parse_field("date", &d))
                .transpose()?,
        };
        self.with(|v| Ok(v.add_rights_request(&new)?.to_string()))
    }

    /// Decide a request: granted, refused (with the reason) or withdrawn.
    pub fn decide_rights_request(
        &self,
        id: String,
        decision: String,
        note: Option<String>,
    ) -> Result<()> {
        let id = convert::id(&id)?;
        let d = core::RequestDecision::parse(&decision)?;
        self.with(|v| Ok(v.decide_rights_request(id, d, note.as_deref())?))
    }

    /// A client's requests, newest first.
    pub fn rights_requests(&self, client_id: String) -> Result<Vec<RightsRequest>> {
        let id = convert::id(&client_id)?;
        self.with(|v| Ok(v.rights_requests(id)?.into_iter().map(request).collect()))
    }
}
