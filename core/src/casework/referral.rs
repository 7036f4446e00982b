//! Referrals: a client sent to a health centre, a hospital, Isange One Stop Centre, the
//! police, legal aid, another NGO or a local authority, with a status and a follow-up date.
//! A referral shares information with a partner, so it needs the client's consent to sharing
//! not to have been withdrawn.

use std::fmt;

use super::case::code_enum;
use super::date::Date;
use super::lists::{check, lists};
use super::{id_value, set_text, StateExt};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, RecordId};
use crate::kind::{FileRole, KindSpec, Readers, Writers};
use crate::merge::RecordState;
use crate::store::Edit;
use crate::vault::Vault;

pub(crate) const KIND: &str = "referral";

/// The fields the kind's rules name (`SPEC`), written once.
pub(crate) mod field {
    pub(crate) const DATE: &str = "date";
    pub(crate) const DESTINATION: &str = "destination";
    pub(crate) const STATUS: &str = "status";
    pub(crate) const CLIENT: &str = "client";
}

/// This kind's rules, read by the store (`crate::kind`).
pub(crate) const SPEC: KindSpec = KindSpec {
    file: FileRole::JoinsVia(field::CLIENT),
    readers: Readers::StatisticsOnly(&[field::DATE, field::DESTINATION, field::STATUS]),
    writers: Writers::CASEWORKERS,
    indexed: true,
    ..KindSpec::new(KIND)
};

code_enum!(
    /// Where a referral stands. Pending and accepted ones are open.
    ReferralStatus, "status", {
        Pending => "pending",
        Accepted => "accepted",
        Completed => "completed",
        Declined => "declined",
        Cancelled => "cancelled",
    }
);

impl ReferralStatus {
    pub fn is_open(self) -> bool {
        matches!(self, ReferralStatus::Pending | ReferralStatus::Accepted)
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Referral {
    pub id: RecordId,
    pub client: Option<RecordId>,
    pub case: Option<RecordId>,
    /// One of the shipped destinations (health-centre, hospital, isange, ...).
    pub destination: String,
    /// The partner's name (free text; `None` in listings).
    pub organisation: Option<String>,
    pub reason: Option<String>,
    pub status: ReferralStatus,
    pub follow_up: Option<Date>,
    pub date: Date,
    pub author: DeviceId,
    pub conflicts: Vec<String>,
    pub created_ms: u64,
}

impl fmt::Debug for Referral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Referral")
            .field("id", &self.id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Referral {
    pub(crate) fn from_state(id: RecordId, s: &RecordState, with_text: bool) -> Self {
        Referral {
            id,
            client: s.id(field::CLIENT),
            case: s.id("case"),
            destination: s.text(field::DESTINATION).unwrap_or_default(),
            organisation: if with_text {
                s.text("organisation")
            } else {
                None
            },
            reason: if with_text { s.text("reason") } else { None },
            status: s
                .text(field::STATUS)
                .and_then(|t| ReferralStatus::parse(&t).ok())
                .unwrap_or(ReferralStatus::Pending),
            follow_up: s.date("follow_up"),
            date: s
                .date(field::DATE)
                .unwrap_or_else(|| Date::from_unix_ms(s.created.wall_ms)),
            author: s.author(),
            conflicts: s.conflicts(),
            created_ms: s.created.wall_ms,
        }
    }

    /// Open, with a follow-up date before `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status.is_open() && self.follow_up.is_some_and(|f| f < today)
    }
}

#[derive(Clone)]
pub struct NewReferral {
    pub client: RecordId,
    pub case: Option<RecordId>,
    pub destination: String,
    pub organisation: Option<String>,
    pub reason: Option<String>,
    pub follow_up: Option<Date>,
    pub date: Option<Date>,
}

impl NewReferral {
    pub fn new(client: RecordId, destination: &str) -> Self {
        NewReferral {
            client,
            case: None,
            destination: destination.to_owned(),
            organisation: None,
            reason: None,
            follow_up: None,
            date: None,
        }
    }
}

impl fmt::Debug for NewReferral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewReferral([redacted])")
    }
}

impl Vault {
    pub fn add_referral(&mut self, r: &NewReferral) -> Result<RecordId> {
        self.require_client(r.client)?;
        let date = self.past_date(r.date, "a referral")?;
        self.check_consent(r.client, "sharing")?;
        self.check_objection(r.client, "sharing")?;
        if let Some(c) = r.case {
            if !self.case(c)?.clients.contains(&r.client) {
                return Err(Error::validation(
                    "case",
                    "the client is not part of this case",
                ));
            }
        }
        let destination = check(
            &lists().referral_destinations,
            field::DESTINATION,
            &r.destination,
        )?;
        let mut out = vec![
            Edit::Set(field::CLIENT, id_value(r.client)),
            Edit::Set(field::DESTINATION, destination.into()),
            Edit::Set(field::STATUS, ReferralStatus::Pending.code().into()),
            Edit::Set(field::DATE, date.to_string().into()),
        ];
        if let Some(c) = r.case {
            out.push(Edit::Set("case", id_value(c)));
        }
        set_text(&mut out, "organisation", r.organisation.as_deref(), 200)?;
        set_text(&mut out, "reason", r.reason.as_deref(), 2_000)?;
        if let Some(f) = r.follow_up {
            if f < date {
                return Err(Error::validation(
                    "follow_up",
                    "the follow-up cannot be before the referral",
                ));
            }
            out.push(Edit::Set("follow_up", f.to_string().into()));
        }
        let id = RecordId::for_kind(KIND);
        self.write_record(id, KIND, true, out)?;
        Ok(id)
    }

    pub fn referral(&self, id: RecordId) -> Result<Referral> {
        Ok(Referral::from_state(id, &self.live_state(id, KIND)?, true))
    }

    /// A client's referrals, newest first, with their texts (organisation and reason).
    pub fn referrals_of(&self, client: RecordId) -> Result<Vec<Referral>> {
        self.client(client)?;
        let ids: Vec<RecordId> = {
            let index = self.index()?;
            let mut r: Vec<&Referral> = index
                .referrals()
                .filter(|r| r.client == Some(client))
                .collect();
            r.sort_by_key(|r| std::cmp::Reverse((r.date, r.created_ms, r.id)));
            r.iter().map(|r| r.id).collect()
        };
        ids.into_iter().map(|id| self.referral(id)).collect()
    }

    /// Record what became of a referral, and optionally the next follow-up date.
    pub fn update_referral(
        &mut self,
        id: RecordId,
        status: Option<ReferralStatus>,
        follow_up: Option<Option<Date>>,
    ) -> Result<()> {
        let current = self.referral(id)?;
        let mut out = Vec::new();
        if let Some(s) = status.filter(|s| *s != current.status) {
            out.push(Edit::Set(field::STATUS, s.code().into()));
        }
        if let Some(f) = follow_up {
            if f.is_some_and(|f| f < current.date) {
                return Err(Error::validation(
                    "follow_up",
                    "the follow-up cannot be before the referral",
                ));
            }
            out.push(Edit::Set("follow_up", f.map(|d| d.to_string()).into()));
        }
        self.write_record(id, KIND, false, out)
    }

    /// How many referrals of a case are still open.
    pub(crate) fn open_referrals_of_case(&self, case: RecordId) -> Result<usize> {
        Ok(self
            .index()?
            .referrals()
            .filter(|r| r.case == Some(case) && r.status.is_open())
            .count())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{NewClient, SystemClock, TeamKeys};

    #[test]
    fn a_clients_referrals_come_newest_first_with_their_texts_and_no_one_elses() {
        let mut v = Vault::ephemeral(&TeamKeys::generate(), Arc::new(SystemClock)).unwrap();
        let mut client = |name: &str| {
            v.add_client(&NewClient {
                name: name.into(),
                ..Default::default()
            })
            .unwrap()
        };
        let (odette, jean) = (client("Mukamana Odette"), client("Habimana Jean"));
        let today = v.today();
        let mut older = NewReferral::new(odette, "health-centre");
        older.date = Some(today.add_days(-20));
        let older = v.add_referral(&older).unwrap();
        let mut isange = NewReferral::new(odette, "isange");
        isange.organisation = Some("Isange One Stop Centre, Kigali".into());
        isange.reason = Some("Violence at home".into());
        isange.follow_up = Some(today.add_days(7));
        let isange = v.add_referral(&isange).unwrap();
        v.add_referral(&NewReferral::new(jean, "legal-aid"))
            .unwrap();

        let mine = v.referrals_of(odette).unwrap();
        assert_eq!(
            mine.iter().map(|r| r.id).collect::<Vec<_>>(),
            [isange, older]
        );
        assert_eq!(
            mine[0].organisation.as_deref(),
            Some("Isange One Stop Centre, Kigali")
        );
        assert_eq!(mine[0].reason.as_deref(), Some("Violence at home"));
        assert_eq!(mine[0].follow_up, Some(today.add_days(7)));
        assert_eq!(v.referrals_of(jean).unwrap().len(), 1);
        assert!(matches!(
            v.referrals_of(RecordId::random()),
            Err(Error::NotFound(_))
        ));
    }
}
