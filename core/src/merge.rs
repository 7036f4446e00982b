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

use std::collections::BTreeMap;
use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;

use crate::error::{Error, Result};
use crate::hlc::Hlc;
use crate::ids::{OpId, RecordId};
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

/// What a form saw of a record when it opened: the operations behind each value it showed.
/// An edit saved with it replaces only those values: a value written meanwhile (a
/// colleague's correction synced while the form was open) is kept beside hers, a conflict
/// every tablet shows with both in the field's history, instead of being replaced unseen.
/// Travels as text (a form keeps it in its draft); holds operation ids, never a value.
#[derive(Clone, PartialEq, Eq)]
pub struct Seen {
    record: RecordId,
    fields: BTreeMap<String, Vec<OpId>>,
}

/// Bounds of a [`Seen`] read back from text: a record has a few dozen fields, each a value or
/// a handful in conflict.
const SEEN_MAX_TEXT: usize = 8 * 1024;
const SEEN_MAX_FIELDS: usize = 64;
const SEEN_MAX_VALUES: usize = 16;

/// How a [`Seen`] is written: the record's id, then each field with its values' operations.
type SeenBytes = ([u8; 16], Vec<(String, Vec<[u8; 16]>)>);

impl fmt::Debug for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Seen({} fields)", self.fields.len())
    }
}

impl Seen {
    /// What a form opening `state` sees, within the bounds [`Self::parse`] reads back: a field
    /// beyond them, or a value beyond a field's first ones, is simply not named, so a save
    /// leaves it beside hers as a conflict rather than replacing it.
    pub(crate) fn of(record: RecordId, state: &RecordState) -> Self {
        Seen {
            record,
            fields: state
                .fields
                .0
                .iter()
                .take(SEEN_MAX_FIELDS)
                .map(|(field, _)| {
                    let mut ops = state.preds(field);
                    ops.truncate(SEEN_MAX_VALUES);
                    (field.clone(), ops)
                })
                .collect(),
        }
    }

    /// The record it was seen of.
    pub(crate) fn record(&self) -> RecordId {
        self.record
    }

    /// The values of `field` the form saw (none when it was empty then).
    pub(crate) fn preds(&self, field: &str) -> Vec<OpId> {
        self.fields.get(field).cloned().unwrap_or_default()
    }

    /// As text, for a form to keep (base64url).
    pub fn to_text(&self) -> String {
        let fields: Vec<(&str, Vec<[u8; 16]>)> = self
            .fields
            .iter()
            .map(|(f, ops)| (f.as_str(), ops.iter().map(|o| *o.as_bytes()).collect()))
            .collect();
        let raw = (*self.record.as_bytes(), fields);
        B64.encode(postcard::to_allocvec(&raw).expect("ids serialise"))
    }

    /// Read back what [`Self::to_text`] wrote; anything else is refused.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::validation("seen", "not what a form of this app keeps");
        if text.len() > SEEN_MAX_TEXT {
            return Err(bad());
        }
        let bytes = B64.decode(text.as_bytes()).map_err(|_| bad())?;
        let (record, raw): SeenBytes = postcard::from_bytes(&bytes).map_err(|_| bad())?;
        if raw.len() > SEEN_MAX_FIELDS
            || raw
                .iter()
                .any(|(f, ops)| f.is_empty() || f.len() > 64 || ops.len() > SEEN_MAX_VALUES)
        {
            return Err(bad());
        }
        Ok(Seen {
            record: RecordId::from_bytes(record),
            fields: raw
                .into_iter()
                .map(|(f, ops)| (f, ops.into_iter().map(OpId::from_bytes).collect()))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::DeviceId;

    /// A phone number edited on twenty tablets at once: what her form saw still reads back,
    /// so she can save it (the values beyond the bound stay beside hers as a conflict).
    #[test]
    fn what_a_form_saw_of_a_field_in_wide_conflict_reads_back() {
        let hlc = Hlc {
            wall_ms: 1,
            counter: 0,
            device: DeviceId::random(),
        };
        let mut state = RecordState::new("client", hlc);
        let phone = state.fields.entry("phone");
        for _ in 0..20 {
            phone.frontier.push(Entry {
                op: OpId::random(),
                hlc,
                value: Value::Text("0788".into()),
            });
        }
        let record = RecordId::random();
        let seen = Seen::of(record, &state);
        let back = Seen::parse(&seen.to_text()).expect("a form's own memory reads back");
        assert_eq!(back, seen);
        assert_eq!(back.preds("phone").len(), SEEN_MAX_VALUES);
    }
}
