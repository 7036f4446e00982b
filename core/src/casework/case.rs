//! Cases: the work with one client, a couple or a family. A case names its clients, its
//! presenting problems (from the shipped list), its status, its risk and who carries it.

use std::fmt;

use super::date::Date;
use super::lists::{check, lists};
use super::{id_value, set_edits, set_text, StateExt};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, RecordId};
use crate::kind::{FileRole, KindSpec, Readers, Writers};
use crate::merge::RecordState;
use crate::store::Edit;
use crate::value::Value;
use crate::vault::Vault;

pub(crate) const KIND: &str = "case";

/// The fields the kind's rules name (`SPEC`), written once.
pub(crate) mod field {
    pub(crate) const CLIENTS: &str = "clients";
}

/// This kind's rules, read by the store (`crate::kind`).
pub(crate) const SPEC: KindSpec = KindSpec {
    file: FileRole::JoinsVia(field::CLIENTS),
    readers: Readers::StatisticsOnly(&[]),
    writers: Writers::CASEWORKERS,
    indexed: true,
    ..KindSpec::new(KIND)
};

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal, { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parse a code a person typed; the error lists the accepted codes.
            pub fn parse(s: &str) -> crate::error::Result<Self> {
                match s.trim() {
                    $($code => Ok($name::$variant),)+
                    _ => Err(crate::error::Error::validation(
                        $field,
                        concat!("use one of:" $(, " ", $code)+),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// Where a case stands.
    CaseStatus, "status", {
        Open => "open",
        Active => "active",
        Referred => "referred",
        Closed => "closed",
    }
);

code_enum!(
    /// The counsellor's judgement of the risk in a case.
    RiskLevel, "risk_level", {
        Low => "low",
        Medium => "medium",
        High => "high",
    }
);

/// A case as shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Case {
    pub id: RecordId,
    pub clients: Vec<RecordId>,
    pub problems: Vec<String>,
    pub status: CaseStatus,
    pub close_reason: Option<String>,
    pub risk_level: RiskLevel,
    /// Raised risk flags (suicide risk, violence at home, child protection).
    pub risk_flags: Vec<String>,
    /// The device of the counsellor who carries the case.
    pub counsellor: DeviceId,
    pub supervisor: Option<DeviceId>,
    pub opened: Date,
    pub conflicts: Vec<String>,
    pub created_ms: u64,
    pub updated_ms: u64,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("id", &self.id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Case {
    /// Whether the case needs a supervisor's attention first: a raised flag or high risk.
    pub fn is_urgent(&self) -> bool {
        !self.risk_flags.is_empty() || self.risk_level == RiskLevel::High
    }

    /// `with_text`: the close reason (free text) too; the in-memory index keeps none.
    pub(crate) fn from_state(id: RecordId, s: &RecordState, with_text: bool) -> Self {
        Case {
            id,
            clients: s.ids(field::CLIENTS),
            problems: s.texts("problems"),
            status: s
                .text("status")
                .and_then(|t| CaseStatus::parse(&t).ok())
                .unwrap_or(CaseStatus::Open),
            close_reason: if with_text {
                s.text("close_reason")
            } else {
                None
            },
            risk_level: s
                .text("risk_level")
                .and_then(|t| RiskLevel::parse(&t).ok())
                .unwrap_or(RiskLevel::Low),
            risk_flags: s.texts("risk_flags"),
            counsellor: s
                .text("counsellor")
                .and_then(|t| t.parse().ok())
                .unwrap_or_else(|| s.author()),
            supervisor: s.text("supervisor").and_then(|t| t.parse().ok()),
            opened: s
                .date("opened")
                .unwrap_or_else(|| Date::from_unix_ms(s.created.wall_ms)),
            conflicts: s.conflicts(),
            created_ms: s.created.wall_ms,
            updated_ms: s.updated.wall_ms,
        }
    }
}

/// A new case, as entered.
#[derive(Clone, Default)]
pub struct NewCase {
    pub clients: Vec<RecordId>,
    pub problems: Vec<String>,
    pub risk_level: Option<RiskLevel>,
    /// Defaults to today.
    pub opened: Option<Date>,
    /// Defaults to this device.
    pub counsellor: Option<DeviceId>,
    pub supervisor: Option<DeviceId>,
}

impl fmt::Debug for NewCase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewCase([redacted])")
    }
}

/// Changes to a case. `None` leaves a field alone.
#[derive(Clone, Default)]
pub struct CaseEdit {
    pub add_clients: Vec<RecordId>,
    pub remove_clients: Vec<RecordId>,
    pub add_problems: Vec<String>,
    pub remove_problems: Vec<String>,
    pub status: Option<CaseStatus>,
    /// Why the case closed; asked for when closing a case with open referrals or high risk.
    pub close_reason: Option<String>,
    pub risk_level: Option<RiskLevel>,
    pub counsellor: Option<DeviceId>,
    pub supervisor: Option<Option<DeviceId>>,
}

impl fmt::Debug for CaseEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CaseEdit([redacted])")
    }
}

fn check_problems(problems: &[String]) -> Result<Vec<String>> {
    problems
        .iter()
        .map(|p| check(&lists().problems, "problems", p))
        .collect()
}

impl Vault {
    fn check_clients_exist(&self, clients: &[RecordId]) -> Result<()> {
        for c in clients {
            self.client(*c).map_err(|_| {
                Error::validation(
                    field::CLIENTS,
                    "every client of a case must be recorded first",
                )
            })?;
        }
        Ok(())
    }

    /// Open a case for one or more clients.
    pub fn add_case(&mut self, case: &NewCase) -> Result<RecordId> {
        if case.clients.is_empty() {
            return Err(Error::validation(
                field::CLIENTS,
                "a case needs at least one client",
            ));
        }
        self.check_clients_exist(&case.clients)?;
        let mut out = Vec::new();
        let mut clients = case.clients.clone();
        clients.sort();
        clients.dedup();
        out.extend(
            clients
                .into_iter()
                .map(|c| Edit::Add(field::CLIENTS, id_value(c))),
        );
        let mut problems = check_problems(&case.problems)?;
        problems.sort();
        problems.dedup();
        out.extend(
            problems
                .into_iter()
                .map(|p| Edit::Add("problems", p.into())),
        );
        out.push(Edit::Set("status", CaseStatus::Open.code().into()));
        out.push(Edit::Set(
            "risk_level",
            case.risk_level.unwrap_or(RiskLevel::Low).code().into(),
        ));
        let opened = case.opened.unwrap_or_else(|| self.today());
        if opened > self.today() {
            return Err(Error::validation(
                "opened",
                "a case cannot open in the future",
            ));
        }
        out.push(Edit::Set("opened", opened.to_string().into()));
        out.push(Edit::Set(
            "counsellor",
            case.counsellor
                .unwrap_or(self.device_id())
                .to_string()
                .into(),
        ));
        if let Some(s) = case.supervisor {
            out.push(Edit::Set("supervisor", s.to_string().into()));
        }
        let id = RecordId::for_kind(KIND);
        self.write_record(id, KIND, true, out)?;
        Ok(id)
    }

    pub fn case(&self, id: RecordId) -> Result<Case> {
        Ok(Case::from_state(id, &self.live_state(id, KIND)?, true))
    }

    /// Change a case. Closing one that still has open referrals or a high risk asks for a
    /// reason (`close_reason`).
    pub fn edit_case(&mut self, id: RecordId, edit: &CaseEdit) -> Result<()> {
        let current = self.case(id)?;
        self.check_clients_exist(&edit.add_clients)?;
        let mut out = Vec::new();
        let ids = |v: &[RecordId]| v.iter().map(RecordId::to_string).collect::<Vec<_>>();
        let cur_clients = ids(&current.clients);
        set_edits(
            &mut out,
            field::CLIENTS,
            &cur_clients,
            &ids(&edit.add_clients),
            &ids(&edit.remove_clients),
        );
        let left = current
            .clients
            .iter()
            .chain(&edit.add_clients)
            .any(|c| !edit.remove_clients.contains(c));
        if !left {
            return Err(Error::validation(
                field::CLIENTS,
                "a case needs at least one client",
            ));
        }
        set_edits(
            &mut out,
            "problems",
            &current.problems,
            &check_problems(&edit.add_problems)?,
            &edit.remove_problems,
        );
        if let Some(level) = edit.risk_level {
            if level != current.risk_level {
                out.push(Edit::Set("risk_level", level.code().into()));
            }
        }
        if let Some(c) = edit.counsellor {
            out.push(Edit::Set("counsellor", c.to_string().into()));
        }
        if let Some(s) = edit.supervisor {
            out.push(Edit::Set("supervisor", s.map(|d| d.to_string()).into()));
        }
        if let Some(status) = edit.status {
            if status == CaseStatus::Closed && current.status != CaseStatus::Closed {
                let open_referrals = self.open_referrals_of_case(id)?;
                let risky = edit.risk_level.unwrap_or(current.risk_level) == RiskLevel::High
                    || !current.risk_flags.is_empty();
                let reason = edit.close_reason.as_deref().unwrap_or("").trim();
                if (open_referrals > 0 || risky) && reason.is_empty() {
                    return Err(Error::validation(
                        "close_reason",
                        "this case still has open referrals or a high risk: say why it is closed",
                    ));
                }
            }
            if status != current.status {
                out.push(Edit::Set("status", status.code().into()));
            }
        }
        // A reason belongs to a closed case: reopening clears it (one write to the field).
        if edit.status.unwrap_or(current.status) == CaseStatus::Closed {
            set_text(&mut out, "close_reason", edit.close_reason.as_deref(), 500)?;
        } else if edit.close_reason.is_some() {
            return Err(Error::validation(
                "close_reason",
                "a reason is given only when the case is closed",
            ));
        } else if current.close_reason.is_some() {
            out.push(Edit::Set("close_reason", Value::Null));
        }
        self.write_record(id, KIND, false, out)
    }

    /// Raise a risk flag on a case (suicide risk, violence at home, child protection): the
    /// case goes to the top of the supervisor's queue.
    pub fn raise_risk(&mut self, case: RecordId, flag: &str) -> Result<()> {
        let current = self.case(case)?;
        let flag = check(&lists().risk_flags, "risk_flag", flag)?;
        if current.risk_flags.contains(&flag) {
            return Ok(());
        }
        self.write_record(
            case,
            KIND,
            false,
            vec![Edit::Add("risk_flags", flag.into())],
        )
    }

    /// Clear a risk flag (every device's raising of it that this device has seen).
    pub fn clear_risk(&mut self, case: RecordId, flag: &str) -> Result<()> {
        let current = self.case(case)?;
        if !current.risk_flags.iter().any(|f| f == flag) {
            return Err(Error::validation(
                "risk_flag",
                "that flag is not raised on this case",
            ));
        }
        self.write_record(
            case,
            KIND,
            false,
            vec![Edit::Remove("risk_flags", flag.into())],
        )
    }
}
