//! Consent: what a client agreed to (receiving services, recording data, sharing with a
//! referral partner), in which language it was explained, and who gave it (the client, or a
//! parent or guardian, which is required under 16). A withdrawal is a new record; from its
//! date on, nothing new is recorded under that scope.

use std::fmt;

use super::case::code_enum;
use super::date::Date;
use super::index::CaseIndex;
use super::lists::{check, lists};
use super::{clean_text, id_value, StateExt};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, RecordId};
use crate::kind::{FileRole, KindSpec, Readers, Writers};
use crate::merge::RecordState;
use crate::store::Edit;
use crate::vault::Vault;

pub(crate) const KIND: &str = "consent";

/// The fields the kind's rules name (`SPEC`), written once.
pub(crate) mod field {
    pub(crate) const CLIENT: &str = "client";
}

/// This kind's rules, read by the store (`crate::kind`).
pub(crate) const SPEC: KindSpec = KindSpec {
    file: FileRole::JoinsVia(field::CLIENT),
    readers: Readers::StatisticsOnly(&[]),
    writers: Writers::CASEWORKERS,
    indexed: true,
    ..KindSpec::new(KIND)
};
/// Below this age a parent or guardian gives consent.
pub const CONSENT_AGE: i32 = 16;

code_enum!(
    /// Given or withdrawn.
    ConsentDecision, "decision", {
        Given => "given",
        Withdrawn => "withdrawn",
    }
);

code_enum!(
    /// Who gave the consent.
    ConsentGiver, "given_by", {
        Client => "self",
        Guardian => "guardian",
    }
);

code_enum!(
    /// The language the consent was explained in.
    Language, "language", {
        Kinyarwanda => "rw",
        French => "fr",
        English => "en",
    }
);

#[derive(Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: RecordId,
    pub client: Option<RecordId>,
    /// services, data-recording or sharing.
    pub scope: String,
    pub decision: ConsentDecision,
    pub language: Language,
    pub given_by: ConsentGiver,
    /// The parent's or guardian's name (free text; `None` in listings).
    pub guardian_name: Option<String>,
    pub date: Date,
    pub author: DeviceId,
    pub created_ms: u64,
    /// When it was recorded, by the hybrid clock: orders two decisions of the same day.
    pub recorded: crate::hlc::Hlc,
}

impl fmt::Debug for Consent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consent")
            .field("id", &self.id)
            .field("scope", &self.scope)
            .field("decision", &self.decision)
            .finish_non_exhaustive()
    }
}

impl Consent {
    pub(crate) fn from_state(id: RecordId, s: &RecordState, with_text: bool) -> Self {
        Consent {
            id,
            client: s.id(field::CLIENT),
            scope: s.text("scope").unwrap_or_default(),
            decision: s
                .text("decision")
                .and_then(|t| ConsentDecision::parse(&t).ok())
                .unwrap_or(ConsentDecision::Given),
            language: s
                .text("language")
                .and_then(|t| Language::parse(&t).ok())
                .unwrap_or(Language::Kinyarwanda),
            given_by: s
                .text("given_by")
                .and_then(|t| ConsentGiver::parse(&t).ok())
                .unwrap_or(ConsentGiver::Client),
            guardian_name: if with_text {
                s.text("guardian_name")
            } else {
                None
            },
            date: s
                .date("date")
                .unwrap_or_else(|| Date::from_unix_ms(s.created.wall_ms)),
            author: s.author(),
            created_ms: s.created.wall_ms,
            recorded: s.created,
        }
    }
}

#[derive(Clone)]
pub struct NewConsent {
    pub client: RecordId,
    pub scope: String,
    pub decision: ConsentDecision,
    pub language: Language,
    pub given_by: ConsentGiver,
    pub guardian_name: Option<String>,
    pub date: Option<Date>,
}

impl fmt::Debug for NewConsent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewConsent([redacted])")
    }
}

impl Vault {
    /// Record consent given or withdrawn.
    pub fn add_consent(&mut self, c: &NewConsent) -> Result<RecordId> {
        let client = self
            .client(c.client)
            .map_err(|_| Error::validation(field::CLIENT, "record the client first"))?;
        let scope = check(&lists().consent_scopes, "scope", &c.scope)?;
        let date = self.past_date(c.date, "consent")?;
        let guardian = clean_text(
            "guardian_name",
            c.guardian_name.as_deref().unwrap_or(""),
            120,
        )?;
        match c.given_by {
            ConsentGiver::Client => {
                // Only a birth year is known: refuse when the client is certainly under 16.
                let under_age = client
                    .birth_year
                    .is_some_and(|y| date.year() - i32::from(y) < CONSENT_AGE);
                if under_age && c.decision == ConsentDecision::Given {
                    return Err(Error::validation(
                        "given_by",
                        "a client under 16 cannot consent alone: a parent or guardian gives consent",
                    ));
                }
                if guardian.is_some() {
                    return Err(Error::validation(
                        "guardian_name",
                        "a guardian's name goes with consent given by a guardian",
                    ));
                }
            }
            ConsentGiver::Guardian if guardian.is_none() => {
                return Err(Error::validation(
                    "guardian_name",
                    "name the parent or guardian who gave consent",
                ));
            }
            ConsentGiver::Guardian => {}
        }
        let mut out = vec![
            Edit::Set(field::CLIENT, id_value(c.client)),
            Edit::Set("scope", scope.into()),
            Edit::Set("decision", c.decision.code().into()),
            Edit::Set("language", c.language.code().into()),
            Edit::Set("given_by", c.given_by.code().into()),
            Edit::Set("date", date.to_string().into()),
        ];
        if let Some(g) = guardian {
            out.push(Edit::Set("guardian_name", g.into()));
        }
        let id = RecordId::for_kind(KIND);
        self.write_record(id, KIND, true, out)?;
        Ok(id)
    }

    pub fn consent(&self, id: RecordId) -> Result<Consent> {
        Ok(Consent::from_state(id, &self.live_state(id, KIND)?, true))
    }

    /// The client's consent records, newest first.
    pub fn consents(&self, client: RecordId) -> Result<Vec<Consent>> {
        self.client(client)?;
        let mut all: Vec<Consent> = self
            .index()?
            .consents()
            .filter(|c| c.client == Some(client))
            .cloned()
            .collect();
        all.sort_by_key(|c| std::cmp::Reverse((c.date, c.recorded)));
        Ok(all)
    }

    /// Where the client stands on each shipped scope, in the list's order: the decision that
    /// stands (the one `check_consent` reads: latest by date, then by when it was recorded),
    /// or `None` when nothing was recorded under that scope. The decisions come from the
    /// index: `guardian_name` is `None` (open the record with `consent` for it).
    pub fn consent_status(&self, client: RecordId) -> Result<Vec<(String, Option<Consent>)>> {
        self.client(client)?;
        let index = self.index()?;
        Ok(lists()
            .consent_scopes
            .iter()
            .map(|s| (s.id.clone(), standing(&index, client, &s.id).cloned()))
            .collect())
    }

    /// Refuse to record anything new under `scope` if the client's latest decision on it is a
    /// withdrawal, whatever date the new record carries (a backdated note is still new data).
    pub(crate) fn check_consent(&self, client: RecordId, scope: &str) -> Result<()> {
        let index = self.index()?;
        let latest = standing(&index, client, scope);
        if latest.is_some_and(|c| c.decision == ConsentDecision::Withdrawn) {
            return Err(Error::ConsentWithdrawn {
                scope: scope.to_owned(),
            });
        }
        Ok(())
    }
}

/// The client's decision on `scope` that stands: the latest by date, then by when it was
/// recorded (a decision backdated before another one does not replace it).
fn standing<'a>(index: &'a CaseIndex, client: RecordId, scope: &str) -> Option<&'a Consent> {
    index
        .consents()
        .filter(|c| c.client == Some(client) && c.scope == scope)
        .max_by_key(|c| (c.date, c.recorded))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{NewClient, SystemClock, TeamKeys};

    #[test]
    fn the_standing_decision_per_scope_is_the_latest_and_unrecorded_scopes_say_so() {
        let mut v = Vault::ephemeral(&TeamKeys::generate(), Arc::new(SystemClock)).unwrap();
        let client = v
            .add_client(&NewClient {
                name: "Mukamana Odette".into(),
                birth_year: Some(1978),
                ..Default::default()
            })
            .unwrap();
        let today = v.today();
        let mut decide = |scope: &str, decision, days_ago: i64| {
            v.add_consent(&NewConsent {
                client,
                scope: scope.into(),
                decision,
                language: Language::Kinyarwanda,
                given_by: ConsentGiver::Client,
                guardian_name: None,
                date: Some(today.add_days(-days_ago)),
            })
            .unwrap()
        };
        decide("sharing", ConsentDecision::Given, 10);
        let withdrawal = decide("sharing", ConsentDecision::Withdrawn, 2);
        // Recorded afterwards but dated before the withdrawal: it does not replace it.
        decide("sharing", ConsentDecision::Given, 5);
        decide("services", ConsentDecision::Withdrawn, 0);
        // The same day, recorded later: it stands.
        let again = decide("services", ConsentDecision::Given, 0);

        let status = v.consent_status(client).unwrap();
        let scopes: Vec<&str> = status.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(scopes, ["services", "data-recording", "sharing"]);
        let standing = |scope: &str| {
            status
                .iter()
                .find(|(s, _)| s == scope)
                .and_then(|(_, c)| c.as_ref())
                .map(|c| (c.id, c.decision, c.date))
        };
        assert_eq!(
            standing("services"),
            Some((again, ConsentDecision::Given, today))
        );
        assert_eq!(standing("data-recording"), None);
        assert_eq!(
            standing("sharing"),
            Some((withdrawal, ConsentDecision::Withdrawn, today.add_days(-2)))
        );
        // The refusals read the same decision.
        assert!(matches!(
            v.check_consent(client, "sharing"),
            Err(Error::ConsentWithdrawn { .. })
        ));
        assert!(v.check_consent(client, "services").is_ok());
        assert!(matches!(
            v.consent_status(RecordId::random()),
            Err(Error::NotFound(_))
        ));
    }
}
