//! Supervisor reviews. A review is its own record pointing at a session or a case, so a
//! supervisor's comment never conflicts with the counsellor's edits of the session. The
//! supervisor writes the verdict and comment; the counsellor answers in the same record's
//! `response` field, which the supervisor never writes: the two never contend.

use std::fmt;

use super::case::code_enum;
use super::{clean_text, id_value, StateExt};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, RecordId};
use crate::kind::{FileRole, KindSpec, Readers, Writers};
use crate::merge::RecordState;
use crate::store::Edit;
use crate::vault::Vault;
use crate::Role;

pub(crate) const KIND: &str = "review";

/// The fields the kind's rules name (`SPEC`), written once.
pub(crate) mod field {
    pub(crate) const TARGET: &str = "target";
}

/// This kind's rules, read by the store (`crate::kind`).
pub(crate) const SPEC: KindSpec = KindSpec {
    file: FileRole::JoinsVia(field::TARGET),
    readers: Readers::StatisticsOnly(&[]),
    writers: Writers::CASEWORKERS,
    indexed: true,
    ..KindSpec::new(KIND)
};

code_enum!(
    /// What the supervisor decided.
    Verdict, "verdict", {
        Comment => "comment",
        Approved => "approved",
        NeedsChanges => "needs-changes",
    }
);

#[derive(Clone, PartialEq, Eq)]
pub struct Review {
    pub id: RecordId,
    /// The session or case reviewed.
    pub target: Option<RecordId>,
    pub verdict: Verdict,
    /// Free text; `None` in listings.
    pub comment: Option<String>,
    pub response: Option<String>,
    /// Whether the counsellor has answered (known in listings too).
    pub answered: bool,
    pub supervisor: DeviceId,
    pub created_ms: u64,
    pub updated_ms: u64,
    /// When it was recorded, by the hybrid clock (orders records made in the same instant).
    pub recorded: crate::hlc::Hlc,
}

impl fmt::Debug for Review {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Review")
            .field("id", &self.id)
            .field("verdict", &self.verdict)
            .field("answered", &self.answered)
            .finish_non_exhaustive()
    }
}

impl Review {
    pub(crate) fn from_state(id: RecordId, s: &RecordState, with_text: bool) -> Self {
        let response = s.text("response");
        Review {
            id,
            target: s.id(field::TARGET),
            verdict: s
                .text("verdict")
                .and_then(|t| Verdict::parse(&t).ok())
                .unwrap_or(Verdict::Comment),
            comment: if with_text { s.text("comment") } else { None },
            answered: response.is_some(),
            response: if with_text { response } else { None },
            supervisor: s.author(),
            created_ms: s.created.wall_ms,
            updated_ms: s.updated.wall_ms,
            recorded: s.created,
        }
    }
}

impl Vault {
    /// A supervisor reviews a session or a case: a comment, an approval or a request for
    /// changes, which goes to the counsellor's queue.
    pub fn add_review(
        &mut self,
        target: RecordId,
        verdict: Verdict,
        comment: Option<&str>,
    ) -> Result<RecordId> {
        if self.role()? == Some(Role::Counsellor) {
            return Err(Error::Forbidden(
                "only a supervisor or an administrator reviews".into(),
            ));
        }
        if self.session(target).is_err() && self.case(target).is_err() {
            return Err(Error::NotFound(target));
        }
        let comment = clean_text("comment", comment.unwrap_or(""), 5_000)?;
        if verdict != Verdict::Approved && comment.is_none() {
            return Err(Error::validation(
                "comment",
                "write the comment or the changes asked for",
            ));
        }
        let mut out = vec![
            Edit::Set(field::TARGET, id_value(target)),
            Edit::Set("verdict", verdict.code().into()),
        ];
        if let Some(c) = comment {
            out.push(Edit::Set("comment", c.into()));
        }
        let id = RecordId::for_kind(KIND);
        self.write_record(id, KIND, true, out)?;
        Ok(id)
    }

    pub fn review(&self, id: RecordId) -> Result<Review> {
        Ok(Review::from_state(id, &self.live_state(id, KIND)?, true))
    }

    /// The counsellor answers a review; for a request for changes this sends the session back
    /// to the supervisor's queue.
    pub fn answer_review(&mut self, id: RecordId, response: &str) -> Result<()> {
        self.review(id)?;
        let response = clean_text("response", response, 5_000)?
            .ok_or_else(|| Error::validation("response", "write an answer"))?;
        self.write_record(
            id,
            KIND,
            false,
            vec![Edit::Set("response", response.into())],
        )
    }

    /// Every review of a session or case, oldest first, with their texts.
    pub fn reviews_of(&self, target: RecordId) -> Result<Vec<Review>> {
        let ids: Vec<RecordId> = {
            let index = self.index()?;
            let mut r: Vec<&Review> = index
                .reviews()
                .filter(|r| r.target == Some(target))
                .collect();
            r.sort_by_key(|r| r.recorded);
            r.iter().map(|r| r.id).collect()
        };
        ids.into_iter().map(|id| self.review(id)).collect()
    }
}
