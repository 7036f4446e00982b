//! The merge rules: how one record's visible state follows from the operations applied to it.
//!
//! The state is a pure function of the *set* of operations applied, so replicas that saw the
//! same operations agree whatever the order and however many duplicates they saw:
//! - **Register fields** are multi-value registers resolved last-writer-wins. Each write names
//!   the values it replaced (`preds`). A value stays in the field's *frontier* until a write
//!   that names it arrives; the frontier's value with the greatest HLC is shown, and any others
//!   are concurrent losers: kept, flagged as a conflict, and listed in the history. A write that
//!   names a value not yet received is remembered (`dangling`) so that value, when it arrives
//!   late, goes straight to history.
//! - **Set fields** are add-wins sets: a remove names the tags it saw, so an add made
//!   concurrently elsewhere survives.
//! - **Delete** leaves a tombstone; the record disappears from listings, its log stays.
//!
//! `is_applied(op)` tells whether an operation is already in this replica's log; it lets the
//! rules tell "replaced earlier" from "not received yet" without keeping every id forever.

use crate::hlc::Hlc;
use crate::ids::OpId;
use crate::op::{Change, Op, Tag};
use crate::value::Value;

/// One value in a register's frontier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub op: OpId,
    pub hlc: Hlc,
    pub value: Value,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Register {
    /// Values not replaced by any write received, greatest HLC first.
    pub frontier: Vec<Entry>,
    /// Values named as replaced that have not been received yet (sorted).
    pub dangling: Vec<OpId>,
}

impl Register {
    pub fn winner(&self) -> Option<&Entry> {
        self.frontier.first()
    }

    pub fn in_conflict(&self) -> bool {
        self.frontier.len() > 1
    }

    fn apply(
        &mut self,
        op: OpId,
        hlc: Hlc,
        value: &Value,
        preds: &[OpId],
        is_applied: &mut dyn FnMut(&OpId) -> bool,
    ) {
        if let Ok(i) = self.dangling.binary_search(&op) {
            self.dangling.remove(i);
        } else {
            self.frontier.push(Entry {
                op,
                hlc,
                value: value.clone(),
            });
        }
        for pred in preds {
            if let Some(i) = self.frontier.iter().position(|e| e.op == *pred) {
                self.frontier.remove(i);
            } else if !is_applied(pred) {
                if let Err(i) = self.dangling.binary_search(pred) {
                    self.dangling.insert(i, *pred);
                }
            }
        }
        self.frontier
            .sort_by(|a, b| b.hlc.cmp(&a.hlc).then(b.op.cmp(&a.op)));
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct OrSet {
    /// Present elements by tag (sorted by tag).
    pub adds: Vec<(Tag, Value)>,
    /// Tags removed before their add was received (sorted).
    pub removed: Vec<Tag>,
}

impl OrSet {
    /// Distinct present values, sorted.
    pub fn values(&self) -> Vec<&Value> {
        let mut v: Vec<&Value> = self.adds.iter().map(|(_, v)| v).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Tags under which `value` is present (what a remove must name).
    pub fn tags_of(&self, value: &Value) -> Vec<Tag> {
        self.adds
            .iter()
            .filter(|(_, v)| v == value)
            .map(|(t, _)| *t)
            .collect()
    }

    fn add(&mut self, tag: Tag, value: &Value) {
        if let Ok(i) = self.removed.binary_search(&tag) {
            self.removed.remove(i);
            return;
        }
        if let Err(i) = self.adds.binary_search_by(|(t, _)| t.cmp(&tag)) {
            self.adds.insert(i, (tag, value.clone()));
        }
    }

    fn remove(&mut self, tags: &[Tag], is_applied: &mut dyn FnMut(&OpId) -> bool) {
        for tag in tags {
            if let Ok(i) = self.adds.binary_search_by(|(t, _)| t.cmp(tag)) {
                self.adds.remove(i);
            } else if !is_applied(&tag.op) {
                if let Err(i) = self.removed.binary_search(tag) {
                    self.removed.insert(i, *tag);
                }
            }
        }
    }
}

/// Fields by name, as a sorted vector: a record has a handful of fields, and decoding a vector
/// costs one allocation where a `BTreeMap` costs one per node (listing decodes thousands).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldMap<V>(pub(crate) Vec<(String, V)>);

impl<V> Default for FieldMap<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<V: Default> FieldMap<V> {
    pub fn get(&self, field: &str) -> Option<&V> {
        self.0
            .binary_search_by(|(f, _)| f.as_str().cmp(field))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn get_mut(&mut self, field: &str) -> Option<&mut V> {
        self.0
            .binary_search_by(|(f, _)| f.as_str().cmp(field))
            .ok()
            .map(|i| &mut self.0[i].1)
    }

    pub fn entry(&mut self, field: &str) -> &mut V {
        let i = match self.0.binary_search_by(|(f, _)| f.as_str().cmp(field)) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (field.to_owned(), V::default()));
                i
            }
        };
        &mut self.0[i].1
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(f, v)| (f.as_str(), v))
    }

    /// Drop a field (one the store keeps elsewhere: a client file's key). Says whether it
    /// was there.
    pub fn remove(&mut self, field: &str) -> bool {
        match self.0.binary_search_by(|(f, _)| f.as_str().cmp(field)) {
            Ok(i) => {
                self.0.remove(i);
                true
            }
            Err(_) => false,
        }
    }
}

/// The merged state of one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RecordState {
    pub kind: String,
    pub created: Hlc,
    pub updated: Hlc,
    pub deleted: Option<Hlc>,
    pub fields: FieldMap<Register>,
    pub sets: FieldMap<OrSet>,
}

impl RecordState {
    pub fn new(kind: &str, hlc: Hlc) -> Self {
        Self {
            kind: kind.to_owned(),
            created: hlc,
            updated: hlc,
            deleted: None,
            fields: FieldMap::default(),
            sets: FieldMap::default(),
        }
    }

    /// Apply one operation that has not been applied to this replica before.
    pub fn apply(&mut self, op: &Op, is_applied: &mut dyn FnMut(&OpId) -> bool) {
        let hlc = op.body.hlc();
        self.created = self.created.min(hlc);
        self.updated = self.updated.max(hlc);
        for (index, change) in op.body.changes.iter().enumerate() {
            match change {
                Change::Set {
                    field,
                    value,
                    preds,
                } => self
                    .fields
                    .entry(field)
                    .apply(op.id, hlc, value, preds, is_applied),
                Change::Add { field, value } => {
                    let tag = Tag {
                        op: op.id,
                        index: index as u16,
                    };
                    self.sets.entry(field).add(tag, value)
                }
                Change::Remove { field, tags } => self.sets.entry(field).remove(tags, is_applied),
                Change::Delete => self.deleted = Some(self.deleted.map_or(hlc, |d| d.max(hlc))),
                // Opened before merging; parts this device holds no key for (an erased file, a
                // data officer's tablet) are never merged.
                Change::Sealed { .. } | Change::Stats { .. } | Change::Casework { .. } => {}
            }
        }
    }

    /// The shown value of a register field.
    pub fn value(&self, field: &str) -> Option<&Value> {
        self.fields
            .get(field)
            .and_then(Register::winner)
            .map(|e| &e.value)
            .filter(|v| !v.is_null())
    }

    /// Move the shown text of a register field out of the state (for building a view).
    pub fn take_text(&mut self, field: &str) -> Option<String> {
        match self
            .fields
            .get_mut(field)?
            .frontier
            .first_mut()
            .map(|e| std::mem::replace(&mut e.value, Value::Null))
        {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// Register fields that hold concurrent values.
    pub fn conflicts(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(_, r)| r.in_conflict())
            .map(|(f, _)| f.to_owned())
            .collect()
    }

    /// The operation ids a new write to `field` replaces.
    pub fn preds(&self, field: &str) -> Vec<OpId> {
        self.fields
            .get(field)
            .map(|r| r.frontier.iter().map(|e| e.op).collect())
            .unwrap_or_default()
    }
}
