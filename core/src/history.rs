//! A field's history: every value it has had, who wrote it and when, and whether it is shown,
//! lost to a concurrent edit, or replaced. Read from the operation log itself.

use std::collections::BTreeMap;

use crate::client::{CLIENT_FIELDS, CLIENT_SET_FIELDS, KIND};
use crate::error::{Error, Result};
use crate::hlc::Hlc;
use crate::ids::{DeviceId, OpId, RecordId};
use crate::op::{Change, Tag};
use crate::value::Value;
use crate::vault::Vault;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryStatus {
    /// The value shown now (for a set: an element still present).
    Current,
    /// Written concurrently with the shown value and lost the tie; not replaced by anyone.
    Concurrent,
    /// Replaced by a later edit (for a set: an element removed).
    Replaced,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryChange {
    Set(Value),
    Added(Value),
    Removed(Value),
}

impl EntryStatus {
    /// Its name for screens and scripts: current, concurrent or replaced.
    pub fn code(self) -> &'static str {
        match self {
            EntryStatus::Current => "current",
            EntryStatus::Concurrent => "concurrent",
            EntryStatus::Replaced => "replaced",
        }
    }
}

impl HistoryChange {
    /// What happened (set, added or removed) and the value it concerns.
    pub fn parts(&self) -> (&'static str, &Value) {
        match self {
            HistoryChange::Set(v) => ("set", v),
            HistoryChange::Added(v) => ("added", v),
            HistoryChange::Removed(v) => ("removed", v),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub change: HistoryChange,
    pub at: Hlc,
    pub device: DeviceId,
    pub op_id: OpId,
    pub status: EntryStatus,
}

impl Vault {
    /// Every value a client's field has had, oldest first, concurrent losers included.
    pub fn client_history(&self, id: RecordId, field: &str) -> Result<Vec<HistoryEntry>> {
        let is_set = CLIENT_SET_FIELDS.contains(&field);
        if !is_set && !CLIENT_FIELDS.contains(&field) {
            return Err(Error::UnknownField(field.to_owned()));
        }
        let state = match self.store.state(id)? {
            Some(s) if s.kind == KIND => s,
            _ => return Err(Error::NotFound(id)),
        };
        let ops = self.store.record_ops(id)?;
        let mut out = Vec::new();
        if is_set {
            let present = state
                .sets
                .get(field)
                .map(|s| s.adds.iter().map(|(t, _)| *t).collect::<Vec<_>>())
                .unwrap_or_default();
            let mut added: BTreeMap<Tag, Value> = BTreeMap::new();
            for op in &ops {
                for (i, change) in op.body.changes.iter().enumerate() {
                    if let Change::Add { field: f, value } = change {
                        if f == field {
                            added.insert(
                                Tag {
                                    op: op.id,
                                    index: i as u16,
                                },
                                value.clone(),
                            );
                        }
                    }
                }
            }
            for op in &ops {
                let entry = |change, status| HistoryEntry {
                    change,
                    at: op.body.hlc(),
                    device: op.body.device,
                    op_id: op.id,
                    status,
                };
                for (i, change) in op.body.changes.iter().enumerate() {
                    match change {
                        Change::Add { field: f, value } if f == field => {
                            let tag = Tag {
                                op: op.id,
                                index: i as u16,
                            };
                            let status = if present.contains(&tag) {
                                EntryStatus::Current
                            } else {
                                EntryStatus::Replaced
                            };
                            out.push(entry(HistoryChange::Added(value.clone()), status));
                        }
                        Change::Remove { field: f, tags } if f == field => {
                            let mut values: Vec<&Value> =
                                tags.iter().filter_map(|t| added.get(t)).collect();
                            values.dedup();
                            for v in values {
                                out.push(entry(
                                    HistoryChange::Removed(v.clone()),
                                    EntryStatus::Current,
                                ));
                            }
                        }
                        _ => {}
                    }
                }
            }
        } else {
            let frontier = state
                .fields
                .get(field)
                .map(|r| r.frontier.iter().map(|e| e.op).collect::<Vec<_>>())
                .unwrap_or_default();
            for op in &ops {
                for change in &op.body.changes {
                    if let Change::Set {
                        field: f, value, ..
                    } = change
                    {
                        if f == field {
                            let status = match frontier.iter().position(|o| *o == op.id) {
                                Some(0) => EntryStatus::Current,
                                Some(_) => EntryStatus::Concurrent,
                                None => EntryStatus::Replaced,
                            };
                            out.push(HistoryEntry {
                                change: HistoryChange::Set(value.clone()),
                                at: op.body.hlc(),
                                device: op.body.device,
                                op_id: op.id,
                                status,
                            });
                        }
                    }
                }
            }
        }
        out.sort_by_key(|e| e.at);
        Ok(out)
    }
}
