//! The oracle: what every replica must show once it holds every operation, derived from what
//! each write had seen, never from the merge code.
//!
//! Each write is carried by one operation; what it had *seen* is the set of operations merged
//! in its tablet's log when it was made (read from the log itself). From that alone:
//! - a register's write is replaced exactly when a later write to the same field saw it; the
//!   writes no one saw replaced are its *frontier*: one of them is shown (the only one, if
//!   there is one), and if there are several the field is in conflict and each stays;
//! - an element of an add-wins set is present exactly when one of its adds was seen by no
//!   removal of it;
//! - a record is gone only if its client was deleted (the client alone) or its client's file
//!   was erased (every record of the file).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use komora_core::{OpId, RecordId};

use super::kinds::Effect;

/// A record made by some tablet, and the client file it belongs to (`None`: the team's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Made {
    pub kind: &'static str,
    pub id: RecordId,
    pub file: Option<RecordId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Set(String),
    Add(String),
    Remove(String),
}

/// One field change, the operation that carries it and what its tablet had merged then.
#[derive(Clone, Debug)]
pub struct Write {
    pub op: OpId,
    pub replica: usize,
    pub record: RecordId,
    pub field: &'static str,
    pub change: Change,
    pub seen: Rc<HashSet<OpId>>,
}

#[derive(Default)]
pub struct Model {
    pub writes: Vec<Write>,
    /// Every record made, once each, in the order made.
    pub made: Vec<Made>,
    /// The operations that made each record, with their replicas.
    made_by: HashMap<RecordId, Vec<(OpId, usize)>>,
    /// Erased clients, with the operations that erased each and their replicas.
    pub erased: BTreeMap<RecordId, Vec<(OpId, usize)>>,
    /// Deleted clients, with the operations that deleted each and their replicas.
    pub deleted: BTreeMap<RecordId, Vec<(OpId, usize)>>,
    /// Operations that carry erasures.
    pub erasure_ops: HashSet<OpId>,
}

impl Model {
    /// Record the effects of one operation.
    pub fn wrote(
        &mut self,
        replica: usize,
        op: OpId,
        seen: Rc<HashSet<OpId>>,
        effects: Vec<Effect>,
    ) {
        for effect in effects {
            let (record, field, change) = match effect {
                Effect::Made(m) => {
                    self.made_by.entry(m.id).or_default().push((op, replica));
                    if !self.made.iter().any(|k| k.id == m.id) {
                        self.made.push(m);
                    }
                    continue;
                }
                Effect::Deleted(id) => {
                    self.deleted.entry(id).or_default().push((op, replica));
                    continue;
                }
                Effect::Erased(client) => {
                    self.erased.entry(client).or_default().push((op, replica));
                    self.erasure_ops.insert(op);
                    continue;
                }
                Effect::Set {
                    record,
                    field,
                    value,
                } => (record, field, Change::Set(value)),
                Effect::Add {
                    record,
                    field,
                    value,
                } => (record, field, Change::Add(value)),
                Effect::Remove {
                    record,
                    field,
                    value,
                } => (record, field, Change::Remove(value)),
            };
            self.writes.push(Write {
                op,
                replica,
                record,
                field,
                change,
                seen: seen.clone(),
            });
        }
    }

    /// Forget what `replica` wrote in operations other than `kept` (a tablet lost with what
    /// it had not synced).
    pub fn forget(&mut self, replica: usize, kept: &HashSet<OpId>) {
        let stays = |(op, r): &(OpId, usize)| *r != replica || kept.contains(op);
        self.writes.retain(|w| stays(&(w.op, w.replica)));
        for by in self
            .made_by
            .values_mut()
            .chain(self.erased.values_mut())
            .chain(self.deleted.values_mut())
        {
            by.retain(stays);
        }
        let made_by = &self.made_by;
        self.made
            .retain(|m| made_by.get(&m.id).is_some_and(|by| !by.is_empty()));
        // A record of a client file whose keys went with the lost tablet (it registered the
        // client and never synced): no tablet can open the file, so none shows the record,
        // whoever wrote it (ADR 0013).
        let files: HashSet<RecordId> = self.made.iter().map(|m| m.id).collect();
        self.made
            .retain(|m| m.file.is_none_or(|f| f == m.id || files.contains(&f)));
        self.erased.retain(|_, by| !by.is_empty());
        self.deleted.retain(|_, by| !by.is_empty());
    }

    /// The records written by the operations in `ops`.
    pub fn records_of(&self, ops: &HashSet<OpId>) -> HashSet<RecordId> {
        self.writes
            .iter()
            .filter(|w| ops.contains(&w.op))
            .map(|w| w.record)
            .collect()
    }

    /// Whether a record must still be shown once everything has arrived.
    pub fn alive(&self, m: &Made) -> bool {
        let file_erased = m.file.is_some_and(|f| self.erased.contains_key(&f));
        !file_erased && !self.deleted.contains_key(&m.id)
    }

    /// Whether a record was erased with its client's file.
    pub fn erased(&self, m: &Made) -> bool {
        m.file.is_some_and(|f| self.erased.contains_key(&f))
    }

    /// The register writes of `record.field` that no other write saw: what stays.
    pub fn frontier(&self, record: RecordId, field: &str) -> Vec<&Write> {
        let sets: Vec<&Write> = self
            .writes
            .iter()
            .filter(|w| w.record == record && w.field == field)
            .filter(|w| matches!(w.change, Change::Set(_)))
            .collect();
        sets.iter()
            .filter(|w| !sets.iter().any(|o| o.op != w.op && o.seen.contains(&w.op)))
            .copied()
            .collect()
    }

    /// Whether `record.field` was ever written as a register.
    pub fn registers(&self, record: RecordId, field: &str) -> bool {
        self.writes
            .iter()
            .any(|w| w.record == record && w.field == field && matches!(w.change, Change::Set(_)))
    }

    /// The elements of the add-wins set `record.field`: those with an add no removal saw.
    pub fn elements(&self, record: RecordId, field: &str) -> BTreeSet<String> {
        let mine: Vec<&Write> = self
            .writes
            .iter()
            .filter(|w| w.record == record && w.field == field)
            .collect();
        let mut out = BTreeSet::new();
        for add in &mine {
            let Change::Add(value) = &add.change else {
                continue;
            };
            let removed = mine.iter().any(|r| {
                matches!(&r.change, Change::Remove(v) if v == value) && r.seen.contains(&add.op)
            });
            if !removed {
                out.insert(value.clone());
            }
        }
        out
    }
}
