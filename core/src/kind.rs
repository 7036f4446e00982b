//! What a record kind is, said once, beside the kind's own code: which file its records join,
//! what of it a data officer may open, who may write it, whether the case-work index holds it,
//! and what the store does after merging one (ADR 0019).
//!
//! The store receives the registry of every kind (`crate::registry`) when it opens and reads
//! these rules from it; it never imports a kind. The defaults are the safe ones: a kind that
//! says nothing of its readers is sealed away from data officers entirely, and one that says
//! nothing of its writers is written by nobody (every operation of it received is refused), so
//! forgetting a rule cannot open a record to the wrong person.

use komora_protocol::Role;

/// The description of one record kind.
#[derive(Debug)]
pub(crate) struct KindSpec {
    /// The kind's name, as written in every operation and state.
    pub name: &'static str,
    /// Which client file a record of this kind belongs to (ADR 0010).
    pub file: FileRole,
    /// What of a record a data officer's tablet can open (ADR 0011).
    pub readers: Readers,
    /// Which roles may write records of this kind: an operation from any other is refused by
    /// every tablet that receives it.
    pub writers: Writers,
    /// Whether the case-work index (queries, reports) holds this kind's records.
    pub indexed: bool,
    /// What the store does after merging an operation of this kind.
    pub hook: Hook,
    /// Whether the store keeps a list of this kind's records in sealed list pages (what each
    /// shows: its fields' shown values), so that listing them opens pages, not states
    /// (ADR 0023).
    pub listed: bool,
    /// Whether records of this kind carry a counsellor's long text (a session's notes): a
    /// large operation of it travels in the second pass of a first sync (ADR 0025).
    pub long_text: bool,
}

/// Which client file a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileRole {
    /// None: it is the team's (groups, the audit, the policy, erasures).
    Team,
    /// Its own: the record is a client, the root of a file; an erasure can name it.
    Root,
    /// The file of the record this field names (a client, or a record already in a file).
    JoinsVia(&'static str),
}

/// What a data officer's tablet can open of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Readers {
    /// Everything: the kind holds nothing of a client (the audit, the policy, erasures).
    EveryMember,
    /// Only these fields, the ones the donors' report reads (ids, dates, codes, scores);
    /// the rest is sealed under keys a data officer never holds.
    StatisticsOnly(&'static [&'static str]),
}

/// The roles that may write a kind, as a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Writers(u8);

const ADMIN: u8 = 1;
const SUPERVISOR: u8 = 2;
const COUNSELLOR: u8 = 4;
const DATA_OFFICER: u8 = 8;

impl Writers {
    /// Nobody: the default, so a kind that forgets to say is refused everywhere.
    pub const NOBODY: Writers = Writers(0);
    /// The team's administrators.
    pub const ADMINS: Writers = Writers(ADMIN);
    /// Supervisors and administrators.
    pub const SUPERVISORS: Writers = Writers(ADMIN | SUPERVISOR);
    /// Whoever does case work: counsellors, supervisors, administrators (not data officers).
    pub const CASEWORKERS: Writers = Writers(ADMIN | SUPERVISOR | COUNSELLOR);
    /// Every member, data officers included (the audit trail: producing the report is noted).
    pub const EVERY_MEMBER: Writers = Writers(ADMIN | SUPERVISOR | COUNSELLOR | DATA_OFFICER);

    /// Whether an author of `role` may write. An author whose role the device list does not
    /// say (a founder from before roles) counts as a counsellor.
    pub fn allow(self, role: Option<Role>) -> bool {
        let bit = match role {
            Some(Role::Admin) => ADMIN,
            Some(Role::Supervisor) => SUPERVISOR,
            Some(Role::Counsellor) | None => COUNSELLOR,
            Some(Role::DataOfficer) => DATA_OFFICER,
        };
        self.0 & bit != 0
    }
}

/// What the store does after merging an operation of the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hook {
    Nothing,
    /// A client: the file's keys carried in its first operation leave the state for the
    /// client's row, sealed under the device's master key.
    KeepFileKeys,
    /// An erasure: destroy the client file its field names (crypto-shredding).
    EraseFile {
        field: &'static str,
    },
}

impl KindSpec {
    /// A kind with every rule at its safe default: in no file, sealed from data officers,
    /// written by nobody, not indexed, nothing after merging. Kinds start from this and say
    /// what they allow (`KindSpec { writers: .., ..KindSpec::new("x") }`).
    pub const fn new(name: &'static str) -> Self {
        KindSpec {
            name,
            file: FileRole::Team,
            readers: Readers::StatisticsOnly(&[]),
            writers: Writers::NOBODY,
            indexed: false,
            hook: Hook::Nothing,
            listed: false,
            long_text: false,
        }
    }

    /// The fields a data officer may open, or `None` when the whole record is open to every
    /// member.
    pub fn statistics(&self) -> Option<&'static [&'static str]> {
        match self.readers {
            Readers::EveryMember => None,
            Readers::StatisticsOnly(fields) => Some(fields),
        }
    }

    /// The field naming the record whose file this one joins.
    pub fn owner_field(&self) -> Option<&'static str> {
        match self.file {
            FileRole::JoinsVia(field) => Some(field),
            FileRole::Team | FileRole::Root => None,
        }
    }
}

/// A kind received that this app does not know: every rule at its default, so it is refused.
pub(crate) static UNKNOWN: KindSpec = KindSpec::new("");

/// Every kind this app knows, looked up by name.
pub(crate) struct Kinds(&'static [&'static KindSpec]);

impl Kinds {
    pub const fn new(kinds: &'static [&'static KindSpec]) -> Self {
        Kinds(kinds)
    }

    /// The kind named `name`; an unknown name gets the defaults (nobody writes it, nothing of
    /// it is open to data officers).
    pub fn get(&self, name: &str) -> &'static KindSpec {
        self.0
            .iter()
            .copied()
            .find(|k| k.name == name)
            .unwrap_or(&UNKNOWN)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static KindSpec> + '_ {
        self.0.iter().copied()
    }

    /// The kinds whose records are client files (what an erasure may name).
    pub fn is_file_root(&self, name: &str) -> bool {
        self.get(name).file == FileRole::Root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_that_says_nothing_is_written_by_nobody_and_sealed_from_data_officers() {
        let k = KindSpec::new("forgotten");
        for role in [
            None,
            Some(Role::Admin),
            Some(Role::Supervisor),
            Some(Role::Counsellor),
            Some(Role::DataOfficer),
        ] {
            assert!(!k.writers.allow(role));
        }
        assert_eq!(k.statistics(), Some(&[][..]));
        assert_eq!(k.owner_field(), None);
    }

    #[test]
    fn roles_are_sets() {
        assert!(Writers::CASEWORKERS.allow(Some(Role::Counsellor)));
        assert!(Writers::CASEWORKERS.allow(None));
        assert!(!Writers::CASEWORKERS.allow(Some(Role::DataOfficer)));
        assert!(Writers::SUPERVISORS.allow(Some(Role::Supervisor)));
        assert!(!Writers::SUPERVISORS.allow(Some(Role::Counsellor)));
        assert!(!Writers::SUPERVISORS.allow(None));
        assert!(Writers::ADMINS.allow(Some(Role::Admin)));
        assert!(!Writers::ADMINS.allow(Some(Role::Supervisor)));
        assert!(Writers::EVERY_MEMBER.allow(Some(Role::DataOfficer)));
    }
}
