//! Every record kind this app knows, in one list: the store is handed it when a vault opens
//! (`Store::open`), and reads each kind's rules from it (`crate::kind`). A new kind writes
//! its `SPEC` beside its code and is added here; nothing in the store changes.

use crate::casework::{audit, case, consent, erasure, group, measure, policy, referral, review};
use crate::casework::{rights, session};
use crate::kind::Kinds;

pub(crate) static KINDS: Kinds = Kinds::new(&[
    &crate::client::SPEC,
    &case::SPEC,
    &session::SPEC,
    &measure::SPEC,
    &referral::SPEC,
    &consent::SPEC,
    &review::SPEC,
    &rights::SPEC,
    &group::SPEC,
    &group::SESSION_SPEC,
    &audit::SPEC,
    &policy::SPEC,
    &erasure::SPEC,
]);

#[cfg(test)]
mod tests {
    use super::KINDS;
    use std::collections::HashSet;

    #[test]
    fn every_kind_is_listed_once() {
        let names: Vec<_> = KINDS.iter().map(|k| k.name).collect();
        let unique: HashSet<_> = names.iter().collect();
        assert_eq!(names.len(), unique.len(), "{names:?}");
        assert!(names.iter().all(|n| !n.is_empty()));
    }

    /// The rules that were five tables before ADR 0019, kept: a change here is a change of
    /// who reads and writes what, and must be one on purpose.
    #[test]
    fn the_rules_are_the_ones_the_security_model_says() {
        use crate::kind::Writers;
        use komora_protocol::Role;
        let may = |kind: &str, role| KINDS.get(kind).writers.allow(role);
        assert!(may("policy", Some(Role::Admin)));
        assert!(!may("policy", Some(Role::Supervisor)));
        assert!(may("erasure", Some(Role::Supervisor)));
        assert!(!may("erasure", Some(Role::Counsellor)));
        assert!(may("access", Some(Role::DataOfficer)));
        for k in KINDS.iter().filter(|k| k.name != "access") {
            assert!(!k.writers.allow(Some(Role::DataOfficer)), "{}", k.name);
        }
        assert_eq!(KINDS.get("some-kind-from-nowhere").writers, Writers::NOBODY);
        assert_eq!(
            KINDS.get("client").statistics(),
            Some(&["sex", "birth_year", "district", "target_groups"][..])
        );
        assert_eq!(KINDS.get("session").owner_field(), Some("case"));
        assert_eq!(KINDS.get("access").statistics(), None);
        assert!(KINDS.is_file_root("client"));
        assert!(!KINDS.is_file_root("session"));
    }
}
