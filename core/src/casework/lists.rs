//! The closed lists case work draws from (`data/casework-lists.json`): presenting problems,
//! session modalities, interventions, referral destinations, risk flags, consent scopes,
//! group kinds and the phases of a healing group's cycle.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::{Error, Result};

/// One entry of a list with its labels; a missing translation is `None`, never invented.
#[derive(Clone, Debug, Deserialize)]
pub struct Term {
    pub id: String,
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
    /// Relations only: the relation seen from the other person (parent <-> child).
    #[serde(default)]
    pub inverse: Option<String>,
}

/// Every list, as shipped.
#[derive(Debug, Deserialize)]
pub struct Lists {
    pub problems: Vec<Term>,
    pub modalities: Vec<Term>,
    pub interventions: Vec<Term>,
    pub referral_destinations: Vec<Term>,
    pub risk_flags: Vec<Term>,
    pub consent_scopes: Vec<Term>,
    pub relations: Vec<Term>,
    pub group_kinds: Vec<Term>,
    pub group_phases: Vec<Term>,
}

/// The lists shipped with this version of Komora.
pub fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| {
        serde_json::from_str(include_str!("../../data/casework-lists.json"))
            .expect("the shipped case-work lists parse")
    })
}

/// `id` trimmed if it is in `list`, else a validation error for `field`.
pub(crate) fn check(list: &[Term], field: &'static str, id: &str) -> Result<String> {
    let id = id.trim();
    if list.iter().any(|t| t.id == id) {
        Ok(id.to_owned())
    } else {
        let known: Vec<&str> = list.iter().map(|t| t.id.as_str()).collect();
        Err(Error::validation(
            field,
            format!("not a known value; use one of: {}", known.join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lists_have_unique_ids_and_english_labels() {
        let l = lists();
        for list in [
            &l.problems,
            &l.modalities,
            &l.interventions,
            &l.referral_destinations,
            &l.risk_flags,
            &l.consent_scopes,
            &l.relations,
            &l.group_kinds,
            &l.group_phases,
        ] {
            assert!(!list.is_empty());
            let mut ids: Vec<&str> = list.iter().map(|t| t.id.as_str()).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), list.len());
            assert!(list.iter().all(|t| !t.en.is_empty()));
        }
        assert_eq!(l.group_phases.len(), 6);
        for r in &l.relations {
            let inverse = r.inverse.as_deref().expect("every relation has an inverse");
            let back = l
                .relations
                .iter()
                .find(|x| x.id == inverse)
                .expect("known inverse");
            assert_eq!(back.inverse.as_deref(), Some(r.id.as_str()));
        }
    }
}
