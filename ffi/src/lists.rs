//! The closed lists case work draws from (problems, modalities, destinations, scopes,
//! relations, group kinds and phases), with their labels, for the pickers.

use komora_core as core;

/// One entry of a shipped list: the id is stored in records, the labels are for screens. A
/// missing translation is `null`, never invented.
#[derive(uniffi::Record)]
pub struct Term {
    pub id: String,
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
}

impl From<&core::Term> for Term {
    fn from(t: &core::Term) -> Self {
        Term {
            id: t.id.clone(),
            en: t.en.clone(),
            fr: t.fr.clone(),
            rw: t.rw.clone(),
        }
    }
}

/// The closed lists case work draws from, for pickers.
#[derive(uniffi::Record)]
pub struct CaseworkLists {
    pub problems: Vec<Term>,
    pub modalities: Vec<Term>,
    pub interventions: Vec<Term>,
    pub referral_destinations: Vec<Term>,
    pub risk_flags: Vec<Term>,
    pub consent_scopes: Vec<Term>,
    /// What the other person is to the client: spouse, parent, child, ...
    pub relations: Vec<Term>,
    pub group_kinds: Vec<Term>,
    /// A healing group's cycle, in order.
    pub group_phases: Vec<Term>,
}

impl From<&core::Lists> for CaseworkLists {
    fn from(l: &core::Lists) -> Self {
        let terms = |v: &[core::Term]| v.iter().map(Term::from).collect();
        CaseworkLists {
            problems: terms(&l.problems),
            modalities: terms(&l.modalities),
            interventions: terms(&l.interventions),
            referral_destinations: terms(&l.referral_destinations),
            risk_flags: terms(&l.risk_flags),
            consent_scopes: terms(&l.consent_scopes),
            relations: terms(&l.relations),
            group_kinds: terms(&l.group_kinds),
            group_phases: terms(&l.group_phases),
        }
    }
}

/// The closed lists case work draws from (problems, modalities, destinations, scopes,
/// relations, group kinds and phases), with their labels.
#[uniffi::export]
pub fn casework_lists() -> CaseworkLists {
    core::lists().into()
}
