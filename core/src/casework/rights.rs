//! A person's rights under Rwanda's data protection law (Law N° 058/2021) other than erasure
//! (`erasure.rs`) and access (`export.rs`): rectification and objection.
//!
//! - A **rectification request** is recorded against one field of the client's record (who
//!   asked, what they say is wrong, when); a supervisor decides it (granted or refused, by
//!   whom, when). While it is pending, the donors' report counts the client as `unknown` on
//!   that field, so a value the person disputes is not published.
//! - An **objection** is recorded against a processing purpose (`statistics`: the donors'
//!   figures; `sharing`: referrals to partners). It takes effect when recorded, like a consent
//!   withdrawal: the report leaves the client out, a referral is refused. A supervisor can
//!   refuse it (the law allows overriding grounds) and the client can lift it.
//!
//! Each request is its own record of the client's file (erased with it); the decision is
//! written in its own fields, so a counsellor's recording and a supervisor's decision never
//! overwrite each other.

use std::fmt;

use komora_protocol::Role;

use super::case::code_enum;
use super::consent::ConsentGiver;
use super::date::Date;
use super::index::CaseIndex;
use super::{clean_text, id_value, StateExt};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, RecordId};
use crate::kind::{FileRole, KindSpec, Readers, Writers};
use crate::merge::RecordState;
use crate::store::Edit;
use crate::vault::Vault;

pub(crate) const KIND: &str = "rights_request";

/// The fields the kind's rules name (`SPEC`), written once.
pub(crate) mod field {
    pub(crate) const CLIENT: &str = "client";
    pub(crate) const RIGHT: &str = "right";
    pub(crate) const SUBJECT: &str = "subject";
    pub(crate) const DATE: &str = "date";
    pub(crate) const DECISION: &str = "decision";
}

/// This kind's rules, read by the store (`crate::kind`).
pub(crate) const SPEC: KindSpec = KindSpec {
    file: FileRole::JoinsVia(field::CLIENT),
    readers: Readers::StatisticsOnly(&[
        field::CLIENT,
        field::RIGHT,
        field::SUBJECT,
        field::DATE,
        field::DECISION,
    ]),
    writers: Writers::CASEWORKERS,
    indexed: true,
    ..KindSpec::new(KIND)
};

/// The purposes a client can object to, and what honours each.
pub const OBJECTION_PURPOSES: &[&str] = &["statistics", "sharing"];

/// The fields of the client's record a rectification can name; `other` is described in the
/// request's text (a session's date, a referral's destination...).
pub const RECTIFIABLE_FIELDS: &[&str] = &[
    "name",
    "code",
    "sex",
    "birth_year",
    "phone",
    "district",
    "sector",
    "cell",
    "village",
    "target_groups",
    "other",
];

code_enum!(
    /// Which right a request exercises.
    Right, "right", {
        Rectification => "rectification",
        Objection => "objection",
    }
);

code_enum!(
    /// Where a request stands (`withdrawn`: the client lifted it).
    RequestDecision, "decision", {
        Pending => "pending",
        Granted => "granted",
        Refused => "refused",
        Withdrawn => "withdrawn",
    }
);

/// A rectification or objection as recorded and decided.
#[derive(Clone, PartialEq, Eq)]
pub struct RightsRequest {
    pub id: RecordId,
    pub client: Option<RecordId>,
    pub right: Right,
    /// The field (rectification) or purpose (objection) it is about.
    pub subject: String,
    pub asked_by: ConsentGiver,
    /// What the person says (free text; `None` in listings).
    pub request: Option<String>,
    pub date: Date,
    pub decision: RequestDecision,
    pub decided_by: Option<DeviceId>,
    pub decided_on: Option<Date>,
    /// Why it was decided so (free text; `None` in listings).
    pub decision_note: Option<String>,
    /// The device that recorded the request.
    pub author: DeviceId,
    pub recorded: crate::hlc::Hlc,
}

impl fmt::Debug for RightsRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RightsRequest")
            .field("id", &self.id)
            .field("right", &self.right)
            .field("subject", &self.subject)
            .field("decision", &self.decision)
            .finish_non_exhaustive()
    }
}

impl RightsRequest {
    pub(crate) fn from_state(id: RecordId, s: &RecordState, with_text: bool) -> Self {
        let text = |f: &str| if with_text { s.text(f) } else { None };
        RightsRequest {
            id,
            client: s.id(field::CLIENT),
            right: s
                .text(field::RIGHT)
                .and_then(|t| Right::parse(&t).ok())
                .unwrap_or(Right::Objection),
            subject: s.text(field::SUBJECT).unwrap_or_default(),
            asked_by: s
                .text("asked_by")
                .and_then(|t| ConsentGiver::parse(&t).ok())
                .unwrap_or(ConsentGiver::Client),
            request: text("request"),
            date: s
                .date(field::DATE)
                .unwrap_or_else(|| Date::from_unix_ms(s.created.wall_ms)),
            decision: s
                .text(field::DECISION)
                .and_then(|t| RequestDecision::parse(&t).ok())
                .unwrap_or(RequestDecision::Pending),
            decided_by: s.text("decided_by").and_then(|t| t.parse().ok()),
            decided_on: s.date("decided_on"),
            decision_note: text("decision_note"),
            author: s.author(),
            recorded: s.created,
        }
    }

    /// Whether it restricts processing now: a pending rectification, an objection not refused
    /// nor lifted.
    pub fn stands(&self) -> bool {
        match self.right {
            Right::Rectification => self.decision == RequestDecision::Pending,
            Right::Objection => matches!(
                self.decision,
                RequestDecision::Pending | RequestDecision::Granted
            ),
        }
    }
}

/// A request to record.
#[derive(Clone)]
pub struct NewRightsRequest {
    pub client: RecordId,
    pub right: Right,
    pub subject: String,
    pub asked_by: ConsentGiver,
    pub request: Option<String>,
    pub date: Option<Date>,
}

impl fmt::Debug for NewRightsRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewRightsRequest([redacted])")
    }
}

impl Vault {
    /// Record a rectification request or an objection, as the person made it.
    pub fn add_rights_request(&mut self, r: &NewRightsRequest) -> Result<RecordId> {
        self.require_client(r.client)?;
        let allowed = match r.right {
            Right::Rectification => RECTIFIABLE_FIELDS,
            Right::Objection => OBJECTION_PURPOSES,
        };
        let subject = r.subject.trim();
        if !allowed.contains(&subject) {
            let what = match r.right {
                Right::Rectification => "field",
                Right::Objection => "purpose",
            };
            return Err(Error::validation(
                field::SUBJECT,
                format!("name the {what}: one of {}", allowed.join(", ")),
            ));
        }
        let request = clean_text("request", r.request.as_deref().unwrap_or(""), 2_000)?;
        if r.right == Right::Rectification && request.is_none() {
            return Err(Error::validation(
                "request",
                "write what the person says is wrong and what it should be",
            ));
        }
        let date = self.past_date(r.date, "a request")?;
        let mut out = vec![
            Edit::Set(field::CLIENT, id_value(r.client)),
            Edit::Set(field::RIGHT, r.right.code().into()),
            Edit::Set(field::SUBJECT, subject.to_owned().into()),
            Edit::Set("asked_by", r.asked_by.code().into()),
            Edit::Set(field::DATE, date.to_string().into()),
            Edit::Set(field::DECISION, RequestDecision::Pending.code().into()),
        ];
        if let Some(t) = request {
            out.push(Edit::Set("request", t.into()));
        }
        let id = RecordId::for_kind(KIND);
        self.write_record(id, KIND, true, out)?;
        Ok(id)
    }

    /// Decide a request: a supervisor or an administrator grants or refuses it; the client's
    /// lifting of an objection is recorded by whoever hears it (`Withdrawn`). Granting a
    /// rectification does not change the field: the supervisor corrects it (`edit_client`)
    /// and the history keeps both values.
    pub fn decide_rights_request(
        &mut self,
        id: RecordId,
        decision: RequestDecision,
        note: Option<&str>,
    ) -> Result<()> {
        let current = self.rights_request(id)?;
        if decision == RequestDecision::Pending {
            return Err(Error::validation(
                field::DECISION,
                "use granted, refused or withdrawn",
            ));
        }
        if decision != RequestDecision::Withdrawn {
            match self.role()? {
                None | Some(Role::Supervisor | Role::Admin) => {}
                Some(_) => {
                    return Err(Error::Forbidden(
                        "only a supervisor or an administrator decides a request".into(),
                    ))
                }
            }
        }
        let note = clean_text("note", note.unwrap_or(""), 2_000)?;
        if decision == RequestDecision::Refused && note.is_none() {
            return Err(Error::validation(
                "note",
                "say why the request is refused: the person has a right to know",
            ));
        }
        let today = self.today();
        let mut out = vec![
            Edit::Set(field::DECISION, decision.code().into()),
            Edit::Set("decided_by", self.device_id().to_string().into()),
            Edit::Set("decided_on", today.max(current.date).to_string().into()),
        ];
        if let Some(n) = note {
            out.push(Edit::Set("decision_note", n.into()));
        }
        self.write_record(id, KIND, false, out)
    }

    /// One request, with its texts.
    pub fn rights_request(&self, id: RecordId) -> Result<RightsRequest> {
        Ok(RightsRequest::from_state(
            id,
            &self.live_state(id, KIND)?,
            true,
        ))
    }

    /// The client's requests, newest first, with their texts.
    pub fn rights_requests(&self, client: RecordId) -> Result<Vec<RightsRequest>> {
        self.client(client)?;
        let ids: Vec<RecordId> = self
            .index()?
            .rights_requests()
            .filter(|r| r.client == Some(client))
            .map(|r| r.id)
            .collect();
        let mut out = ids
            .into_iter()
            .map(|id| self.rights_request(id))
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|r| std::cmp::Reverse((r.date, r.recorded)));
        Ok(out)
    }

    /// Refuse processing for `purpose` if the client's objection to it stands.
    pub(crate) fn check_objection(&self, client: RecordId, purpose: &str) -> Result<()> {
        if objects(&*self.index()?, client, purpose) {
            return Err(Error::Objected {
                purpose: purpose.to_owned(),
            });
        }
        Ok(())
    }
}

/// Whether the client's objection to `purpose` stands: the latest one (by date, then by when
/// it was recorded) decides, as for consent.
pub(crate) fn objects(index: &CaseIndex, client: RecordId, purpose: &str) -> bool {
    index
        .rights_requests()
        .filter(|r| r.client == Some(client) && r.right == Right::Objection && r.subject == purpose)
        .max_by_key(|r| (r.date, r.recorded))
        .is_some_and(RightsRequest::stands)
}

/// Whether a rectification of `field` is pending for the client.
pub(crate) fn disputed(index: &CaseIndex, client: RecordId, field: &str) -> bool {
    index.rights_requests().any(|r| {
        r.client == Some(client)
            && r.right == Right::Rectification
            && r.subject == field
            && r.stands()
    })
}
