//! Consent given or withdrawn, scope by scope, and whether it stands.

use komora_core::{self as core, Date, RecordId};

use crate::convert::{date, id};
use crate::error::Result;
use crate::vault::KomoraVault;

redacted_debug!(Consent, NewConsent);

/// Consent given or withdrawn, as recorded on the form.
#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewConsent {
    pub client_id: String,
    /// services, data-recording or sharing.
    pub scope: String,
    /// `true` records a withdrawal: nothing new is recorded under the scope from then on.
    #[uniffi(default = false)]
    pub withdrawn: bool,
    /// rw, fr or en: the language it was explained in.
    pub language: String,
    /// The parent or guardian who gave it (required under 16); `null`: the client did.
    #[uniffi(default = None)]
    pub guardian_name: Option<String>,
    #[uniffi(default = None)]
    pub date: Option<String>,
}

impl NewConsent {
    pub(crate) fn into_core(self) -> Result<core::NewConsent> {
        Ok(core::NewConsent {
            client: id(&self.client_id)?,
            scope: self.scope,
            decision: if self.withdrawn {
                core::ConsentDecision::Withdrawn
            } else {
                core::ConsentDecision::Given
            },
            language: core::Language::parse(&self.language)?,
            given_by: if self.guardian_name.is_some() {
                core::ConsentGiver::Guardian
            } else {
                core::ConsentGiver::Client
            },
            guardian_name: self.guardian_name,
            date: date("date", self.date.as_deref())?,
        })
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Consent {
    pub id: RecordId,
    pub scope: String,
    pub withdrawn: bool,
    /// rw, fr or en.
    pub language: String,
    pub by_guardian: bool,
    pub guardian_name: Option<String>,
    pub date: Date,
}

impl From<core::Consent> for Consent {
    fn from(c: core::Consent) -> Self {
        Consent {
            id: c.id,
            scope: c.scope,
            withdrawn: c.decision == core::ConsentDecision::Withdrawn,
            language: c.language.code().into(),
            by_guardian: c.given_by == core::ConsentGiver::Guardian,
            guardian_name: c.guardian_name,
            date: c.date,
        }
    }
}

/// Whether consent to one scope stands: `given` is the latest decision (`date`), `false` when
/// it was withdrawn or never recorded (`date` is then `null`).
#[derive(uniffi::Record)]
pub struct ConsentScopeState {
    pub scope: String,
    pub given: bool,
    pub date: Option<Date>,
}

impl From<(String, Option<core::Consent>)> for ConsentScopeState {
    fn from((scope, latest): (String, Option<core::Consent>)) -> Self {
        ConsentScopeState {
            scope,
            given: latest
                .as_ref()
                .is_some_and(|c| c.decision == core::ConsentDecision::Given),
            date: latest.map(|c| c.date),
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    /// Record consent given or withdrawn (by the client, or by the guardian named).
    pub fn add_consent(&self, consent: NewConsent) -> Result<RecordId> {
        let c = consent.into_core()?;
        self.with(|v| Ok(v.add_consent(&c)?))
    }

    /// The client's consent records, newest first, with the guardians' names.
    pub fn consents(&self, client_id: RecordId) -> Result<Vec<Consent>> {
        self.with(|v| {
            let listed = v.consents(client_id)?;
            listed
                .into_iter()
                .map(|c| Ok(v.consent(c.id)?.into()))
                .collect()
        })
    }

    /// Whether consent to each scope stands, in the list's order.
    pub fn consent_standing(&self, client_id: RecordId) -> Result<Vec<ConsentScopeState>> {
        self.with(|v| {
            Ok(v.consent_status(client_id)?
                .into_iter()
                .map(ConsentScopeState::from)
                .collect())
        })
    }
}
