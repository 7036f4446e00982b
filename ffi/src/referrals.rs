//! Referrals to other services and what became of them.

use komora_core::{self as core, Date, RecordId};

use crate::convert::{date, id};
use crate::error::{KomoraError, Result};
use crate::vault::KomoraVault;

redacted_debug!(Referral, NewReferral);

/// A referral as made: it starts pending.
#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewReferral {
    pub client_id: String,
    #[uniffi(default = None)]
    pub case_id: Option<String>,
    /// health-centre, hospital, isange, police, legal-aid, ngo or local-authority.
    pub destination: String,
    #[uniffi(default = None)]
    pub organisation: Option<String>,
    #[uniffi(default = None)]
    pub reason: Option<String>,
    #[uniffi(default = None)]
    pub follow_up: Option<String>,
    #[uniffi(default = None)]
    pub date: Option<String>,
}

impl NewReferral {
    pub(crate) fn into_core(self) -> Result<core::NewReferral> {
        let mut r = core::NewReferral::new(id(&self.client_id)?, &self.destination);
        r.case = self.case_id.as_deref().map(id).transpose()?;
        r.organisation = self.organisation;
        r.reason = self.reason;
        r.follow_up = date("follow_up", self.follow_up.as_deref())?;
        r.date = date("date", self.date.as_deref())?;
        Ok(r)
    }
}

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Referral {
    pub id: RecordId,
    pub client_id: Option<RecordId>,
    pub case_id: Option<RecordId>,
    pub destination: String,
    pub organisation: Option<String>,
    pub reason: Option<String>,
    /// pending, accepted, completed, declined or cancelled.
    pub status: String,
    pub follow_up: Option<Date>,
    pub date: Date,
    /// Open with a follow-up date before today.
    pub overdue: bool,
    pub conflicts: Vec<String>,
}

impl Referral {
    pub(crate) fn new(r: core::Referral, today: Date) -> Self {
        Referral {
            overdue: r.is_overdue(today),
            id: r.id,
            client_id: r.client,
            case_id: r.case,
            destination: r.destination,
            organisation: r.organisation,
            reason: r.reason,
            status: r.status.code().into(),
            follow_up: r.follow_up,
            date: r.date,
            conflicts: r.conflicts,
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    /// Refer a client (needs consent to sharing not to have been withdrawn).
    pub fn add_referral(&self, referral: NewReferral) -> Result<RecordId> {
        let r = referral.into_core()?;
        self.with(|v| Ok(v.add_referral(&r)?))
    }

    /// The client's referrals, newest first, with their texts.
    pub fn referrals_of(&self, client_id: RecordId) -> Result<Vec<Referral>> {
        self.with(|v| {
            let today = v.today();
            Ok(v.referrals_of(client_id)?
                .into_iter()
                .map(|r| Referral::new(r, today))
                .collect())
        })
    }

    /// Record what became of a referral (`status`: pending, accepted, completed, declined or
    /// cancelled) and/or set the next follow-up date, or clear it with `clear_follow_up`.
    pub fn update_referral(
        &self,
        id: RecordId,
        status: Option<String>,
        follow_up: Option<String>,
        clear_follow_up: bool,
    ) -> Result<()> {
        let status = status
            .as_deref()
            .map(core::ReferralStatus::parse)
            .transpose()?;
        let follow_up = match (date("follow_up", follow_up.as_deref())?, clear_follow_up) {
            (Some(_), true) => {
                return Err(KomoraError::Validation {
                    field: "follow_up".into(),
                    reason: "give a follow-up date or clear it, not both".into(),
                })
            }
            (Some(d), false) => Some(Some(d)),
            (None, true) => Some(None),
            (None, false) => None,
        };
        self.with(|v| Ok(v.update_referral(id, status, follow_up)?))
    }
}
