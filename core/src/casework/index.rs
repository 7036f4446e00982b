//! The in-memory index of case work that queries and reports read: every case, session,
//! assessment, referral, consent, review, group, group session and rights request of the vault, decoded once.
//!
//! It holds only structured fields: ids, dates, codes, statuses and scores. Free text (session
//! notes, comments, names of partners and guardians) stays sealed in the store and is read only
//! when one record is opened. The index lives in memory only, and catches up with the store
//! by reloading just the records changed since it was built (`Store::changed_since`).

use std::cell::Ref;
use std::collections::HashMap;

use super::case::{Case, KIND as CASE};
use super::consent::{Consent, KIND as CONSENT};
use super::group::{Group, GroupSession, KIND as GROUP, SESSION_KIND as GROUP_SESSION};
use super::measure::{Assessment, KIND as ASSESSMENT};
use super::referral::{Referral, KIND as REFERRAL};
use super::review::{Review, KIND as REVIEW};
use super::rights::{RightsRequest, KIND as RIGHTS};
use super::session::{Session, KIND as SESSION};
use crate::error::Result;
use crate::ids::RecordId;
use crate::merge::RecordState;
use crate::vault::Vault;

#[derive(Default)]
pub(crate) struct CaseIndex {
    generation: u64,
    cases: HashMap<RecordId, Case>,
    sessions: HashMap<RecordId, Session>,
    assessments: HashMap<RecordId, Assessment>,
    referrals: HashMap<RecordId, Referral>,
    consents: HashMap<RecordId, Consent>,
    reviews: HashMap<RecordId, Review>,
    groups: HashMap<RecordId, Group>,
    group_sessions: HashMap<RecordId, GroupSession>,
    rights: HashMap<RecordId, RightsRequest>,
}

impl CaseIndex {
    fn remove(&mut self, id: &RecordId) {
        self.cases.remove(id);
        self.sessions.remove(id);
        self.assessments.remove(id);
        self.referrals.remove(id);
        self.consents.remove(id);
        self.reviews.remove(id);
        self.groups.remove(id);
        self.group_sessions.remove(id);
        self.rights.remove(id);
    }

    fn put(&mut self, id: RecordId, s: &RecordState) {
        if s.deleted.is_some() {
            self.remove(&id);
            return;
        }
        match s.kind.as_str() {
            CASE => {
                self.cases.insert(id, Case::from_state(id, s, false));
            }
            SESSION => {
                self.sessions.insert(id, Session::from_state(id, s, false));
            }
            ASSESSMENT => {
                self.assessments.insert(id, Assessment::from_state(id, s));
            }
            REFERRAL => {
                self.referrals
                    .insert(id, Referral::from_state(id, s, false));
            }
            CONSENT => {
                self.consents.insert(id, Consent::from_state(id, s, false));
            }
            REVIEW => {
                self.reviews.insert(id, Review::from_state(id, s, false));
            }
            GROUP => {
                self.groups.insert(id, Group::from_state(id, s, false));
            }
            GROUP_SESSION => {
                self.group_sessions
                    .insert(id, GroupSession::from_state(id, s, false));
            }
            RIGHTS => {
                self.rights
                    .insert(id, RightsRequest::from_state(id, s, false));
            }
            _ => {}
        }
    }

    pub fn cases(&self) -> impl Iterator<Item = &Case> {
        self.cases.values()
    }

    pub fn case(&self, id: &RecordId) -> Option<&Case> {
        self.cases.get(id)
    }

    pub fn sessions(&self) -> impl Iterator<Item = &Session> {
        self.sessions.values()
    }

    pub fn session(&self, id: &RecordId) -> Option<&Session> {
        self.sessions.get(id)
    }

    pub fn assessments(&self) -> impl Iterator<Item = &Assessment> {
        self.assessments.values()
    }

    pub fn assessments_of(&self, client: RecordId) -> Vec<Assessment> {
        self.assessments
            .values()
            .filter(|a| a.client == Some(client))
            .cloned()
            .collect()
    }

    pub fn referrals(&self) -> impl Iterator<Item = &Referral> {
        self.referrals.values()
    }

    pub fn consents(&self) -> impl Iterator<Item = &Consent> {
        self.consents.values()
    }

    pub fn reviews(&self) -> impl Iterator<Item = &Review> {
        self.reviews.values()
    }

    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    pub fn group_sessions(&self) -> impl Iterator<Item = &GroupSession> {
        self.group_sessions.values()
    }

    pub fn rights_requests(&self) -> impl Iterator<Item = &RightsRequest> {
        self.rights.values()
    }
}

impl Vault {
    /// The case-work index, brought up to date with the store.
    pub(crate) fn index(&self) -> Result<Ref<'_, CaseIndex>> {
        let generation = self.store.generation();
        let fresh = self
            .casework
            .borrow()
            .as_ref()
            .is_some_and(|i| i.generation == generation);
        if !fresh {
            let mut slot = self.casework.borrow_mut();
            let changed = slot
                .as_ref()
                .and_then(|i| self.store.changed_since(i.generation));
            match (slot.as_mut(), changed) {
                (Some(index), Some(changed)) => {
                    let mut ids = changed.to_vec();
                    ids.sort();
                    ids.dedup();
                    for id in ids {
                        match self.store.state(id) {
                            Ok(Some(s)) => index.put(id, &s),
                            // Unreadable or unknown: not shown (listings report unreadable ones).
                            _ => index.remove(&id),
                        }
                    }
                    index.generation = generation;
                }
                _ => {
                    let mut index = CaseIndex {
                        generation,
                        ..CaseIndex::default()
                    };
                    for kind in crate::registry::KINDS.iter().filter(|k| k.indexed) {
                        self.store
                            .for_each_state(kind.name, |id, s| index.put(id, &s))?;
                    }
                    *slot = Some(index);
                }
            }
        }
        Ok(Ref::map(self.casework.borrow(), |i| {
            i.as_ref().expect("built above")
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use crate::{NewCase, NewClient, NewSession, Vault};

    /// The first build after unlock holds exactly what opening the states one by one holds:
    /// a state altered in the file stays out of it (reported by the record's own opening),
    /// and takes none of the others with it.
    #[test]
    fn a_first_build_after_unlock_holds_every_session_but_the_altered_one() {
        let dir = tempfile::tempdir().unwrap();
        let opts = crate::vault::test_options;
        let mut v = Vault::create(dir.path(), "a long passphrase", opts()).unwrap();
        let client = v
            .add_client(&NewClient {
                name: "Mukamana Odette".into(),
                ..Default::default()
            })
            .unwrap();
        let case = v
            .add_case(&NewCase {
                clients: vec![client],
                problems: vec!["trauma".into()],
                ..Default::default()
            })
            .unwrap();
        let sessions: Vec<_> = (0..300)
            .map(|i| {
                let mut s = NewSession::new(case, "office");
                s.notes = Some(format!("Notes of session {i}."));
                v.add_session(&s).unwrap()
            })
            .collect();
        let altered = sessions[157];
        v.store.flip_state_byte(altered, 40).unwrap();
        // Unlocked again: the index is built afresh, from the states as stored now.
        v.lock();
        let v = Vault::open(dir.path(), "a long passphrase", opts()).unwrap();
        let others: HashSet<_> = sessions.iter().copied().filter(|s| *s != altered).collect();
        // Opening it reports it, as every reader does.
        assert!(v.session(altered).is_err());
        let queued: HashSet<_> = v
            .review_queue()
            .unwrap()
            .into_iter()
            .map(|item| item.session.id)
            .collect();
        assert_eq!(queued, others);
        assert_eq!(queued.len(), 299);
        assert!(!queued.contains(&altered));
        let index = v.index().unwrap();
        let held: HashSet<_> = index.sessions().map(|s| s.id).collect();
        assert_eq!(held, others);
        assert!(index.sessions().all(|s| s.notes.is_none()), "no free text");
    }
}
