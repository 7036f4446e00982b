//! What this tablet's person is offered, as the core decides it from the role the tablet was
//! enrolled with: the screens ask, never compare role names (issue 19, item 6).

use komora_core as core;

use crate::error::Result;
use crate::vault::KomoraVault;

/// The first screen after unlocking.
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    Caseload,
    /// A data officer's tablet opens no client: the donors' figures.
    Figures,
}

#[derive(uniffi::Record, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Abilities {
    pub home: Home,
    pub has_review_queue: bool,
    pub reviews_sessions: bool,
    pub sees_every_caseload: bool,
    pub exports_client_files: bool,
    pub erases_client_files: bool,
    pub sees_team_tablets: bool,
    pub hands_back: bool,
}

impl From<core::Abilities> for Abilities {
    fn from(a: core::Abilities) -> Self {
        Abilities {
            home: match a.home {
                core::Home::Caseload => Home::Caseload,
                core::Home::Figures => Home::Figures,
            },
            has_review_queue: a.has_review_queue,
            reviews_sessions: a.reviews_sessions,
            sees_every_caseload: a.sees_every_caseload,
            exports_client_files: a.exports_client_files,
            erases_client_files: a.erases_client_files,
            sees_team_tablets: a.sees_team_tablets,
            hands_back: a.hands_back,
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    /// What the screens offer to this tablet's person (the core refuses the rest anyway).
    pub fn abilities(&self) -> Result<Abilities> {
        self.with(|v| Ok(v.abilities()?.into()))
    }
}
