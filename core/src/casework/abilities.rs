//! What this tablet's person may do and see, decided here once from the role the tablet was
//! enrolled with, and a session's review standing: the answers the app's screens ask for
//! instead of comparing role names and re-deriving review rules in Kotlin (issue 19, item 6).
//! The core still refuses what a role may not do whatever a screen shows (`review.rs`,
//! `export.rs`, `erasure.rs`, the writers of each kind); these answers only keep the screens
//! from offering it.

use komora_protocol::Role;

use super::queries::standing_review;
use super::review::{Review, Verdict};
use crate::error::Result;
use crate::ids::RecordId;
use crate::vault::Vault;

/// The first screen after unlocking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Home {
    /// The caseload (counsellors, supervisors, administrators, a vault of one's own).
    Caseload,
    /// The donors' figures: a data officer's tablet opens no client.
    Figures,
}

/// What the screens offer to this tablet's person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Abilities {
    pub home: Home,
    /// The review queue: a team's supervisors and administrators.
    pub has_review_queue: bool,
    /// Review a session (approve, ask for changes): a team's supervisors and administrators,
    /// and the one person of a vault of their own.
    pub reviews_sessions: bool,
    /// See every counsellor's cases, not only one's own.
    pub sees_every_caseload: bool,
    /// Give a client their own file (access and portability).
    pub exports_client_files: bool,
    /// Erase a client's file.
    pub erases_client_files: bool,
    /// See the team's tablets (silent ones, backups, formats).
    pub sees_team_tablets: bool,
    /// Hand the tablet back (it belongs to a team).
    pub hands_back: bool,
}

impl Abilities {
    /// The abilities of a role; `None` is a vault that never joined a team (every action is
    /// its one person's to take, and there is no team to hand anything back to).
    pub fn of(role: Option<Role>) -> Self {
        let supervises = matches!(role, None | Some(Role::Supervisor | Role::Admin));
        Abilities {
            home: if role == Some(Role::DataOfficer) {
                Home::Figures
            } else {
                Home::Caseload
            },
            has_review_queue: matches!(role, Some(Role::Supervisor | Role::Admin)),
            reviews_sessions: supervises,
            sees_every_caseload: matches!(role, Some(Role::Supervisor | Role::Admin)),
            exports_client_files: supervises,
            erases_client_files: supervises,
            sees_team_tablets: matches!(role, Some(Role::Supervisor | Role::Admin)),
            hands_back: role.is_some(),
        }
    }
}

/// Where a session (or a case) stands with its reviews.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewStanding {
    /// No approval or request for changes yet (comments do not count).
    NotReviewed,
    Approved,
    /// Changes were asked for and the counsellor has not answered.
    WaitingForCounsellor,
    /// Changes were asked for and the counsellor answered: back with the supervisor.
    Answered,
}

impl ReviewStanding {
    /// The standing a list of reviews gives: the latest approval or request for changes, by
    /// the hybrid clock (not by the order a list arrives in), decides.
    pub(crate) fn of(reviews: &[&Review]) -> Self {
        match standing_review(reviews) {
            None => ReviewStanding::NotReviewed,
            Some(r) if r.verdict == Verdict::Approved => ReviewStanding::Approved,
            Some(r) if r.answered => ReviewStanding::Answered,
            Some(_) => ReviewStanding::WaitingForCounsellor,
        }
    }
}

impl Vault {
    /// What the screens offer to this tablet's person (see [`Abilities`]).
    pub fn abilities(&self) -> Result<Abilities> {
        Ok(Abilities::of(self.role()?))
    }

    /// Where a session or case stands with its reviews.
    pub fn review_standing(&self, target: RecordId) -> Result<ReviewStanding> {
        let index = self.index()?;
        let reviews: Vec<&Review> = index
            .reviews()
            .filter(|r| r.target == Some(target))
            .collect();
        Ok(ReviewStanding::of(&reviews))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_is_offered_what_the_core_allows_it() {
        let counsellor = Abilities::of(Some(Role::Counsellor));
        assert_eq!(counsellor.home, Home::Caseload);
        assert!(!counsellor.reviews_sessions && !counsellor.sees_every_caseload);
        assert!(!counsellor.has_review_queue);
        assert!(!counsellor.exports_client_files && !counsellor.erases_client_files);
        assert!(counsellor.hands_back && !counsellor.sees_team_tablets);
        let supervisor = Abilities::of(Some(Role::Supervisor));
        assert!(supervisor.reviews_sessions && supervisor.sees_every_caseload);
        assert!(supervisor.has_review_queue);
        assert!(supervisor.exports_client_files && supervisor.sees_team_tablets);
        let officer = Abilities::of(Some(Role::DataOfficer));
        assert_eq!(officer.home, Home::Figures);
        assert!(!officer.reviews_sessions && !officer.exports_client_files);
        let alone = Abilities::of(None);
        assert!(alone.reviews_sessions && alone.exports_client_files);
        assert!(!alone.hands_back && !alone.sees_every_caseload && !alone.has_review_queue);
    }
}
