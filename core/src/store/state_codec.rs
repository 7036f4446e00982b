//! How a record's merged state is laid out before it is sealed: operation ids and device ids
//! are written once per record and referred to by index, since every field written by the same
//! operation shares them. This halves the stored size of a typical client (measured in
//! docs/PERFORMANCE.md), and the size is what an import pays for.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hlc::Hlc;
use crate::ids::{DeviceId, OpId};
use crate::merge::{Entry, FieldMap, OrSet, RecordState, Register};
use crate::op::Tag;
use crate::value::Value;

/// An HLC with its device as an index into `Packed::devices`.
#[derive(Serialize, Deserialize)]
struct PackedHlc(u64, u32, u32);

/// A register field: its frontier entries (op index, HLC, value) and dangling op ids.
type PackedRegister = (String, Vec<(u32, PackedHlc, Value)>, Vec<OpId>);
/// A set field: present elements (op index, change index, value) and early-removed tags.
type PackedSet = (String, Vec<(u32, u16, Value)>, Vec<Tag>);

#[derive(Serialize, Deserialize)]
struct Packed {
    kind: String,
    devices: Vec<DeviceId>,
    ops: Vec<OpId>,
    created: PackedHlc,
    updated: PackedHlc,
    deleted: Option<PackedHlc>,
    fields: Vec<PackedRegister>,
    sets: Vec<PackedSet>,
}

fn intern<T: PartialEq + Copy>(table: &mut Vec<T>, item: T) -> u32 {
    match table.iter().position(|x| *x == item) {
        Some(i) => i as u32,
        None => {
            table.push(item);
            (table.len() - 1) as u32
        }
    }
}

pub(crate) fn encode(s: &RecordState) -> Vec<u8> {
    let mut devices = Vec::new();
    let mut ops = Vec::new();
    let mut hlc = |h: &Hlc| PackedHlc(h.wall_ms, h.counter, intern(&mut devices, h.device));
    let created = hlc(&s.created);
    let updated = hlc(&s.updated);
    let deleted = s.deleted.as_ref().map(&mut hlc);
    let fields = s
        .fields
        .0
        .iter()
        .map(|(name, reg)| {
            let frontier = reg
                .frontier
                .iter()
                .map(|e| (intern(&mut ops, e.op), hlc(&e.hlc), e.value.clone()))
                .collect();
            (name.clone(), frontier, reg.dangling.clone())
        })
        .collect();
    let sets = s
        .sets
        .0
        .iter()
        .map(|(name, set)| {
            let adds = set
                .adds
                .iter()
                .map(|(t, v)| (intern(&mut ops, t.op), t.index, v.clone()))
                .collect();
            (name.clone(), adds, set.removed.clone())
        })
        .collect();
    let packed = Packed {
        kind: s.kind.clone(),
        devices,
        ops,
        created,
        updated,
        deleted,
        fields,
        sets,
    };
    postcard::to_allocvec(&packed).expect("record states always serialise")
}

pub(crate) fn decode(bytes: &[u8]) -> Result<RecordState> {
    let corrupted = || Error::Corrupted { what: "a record" };
    let p: Packed = postcard::from_bytes(bytes).map_err(|_| corrupted())?;
    let (devices, ops) = (&p.devices, &p.ops);
    let hlc = |h: &PackedHlc| -> Result<Hlc> {
        let device = *devices.get(h.2 as usize).ok_or_else(corrupted)?;
        Ok(Hlc {
            wall_ms: h.0,
            counter: h.1,
            device,
        })
    };
    let op = |i: u32| ops.get(i as usize).copied().ok_or_else(corrupted);
    let mut fields = Vec::with_capacity(p.fields.len());
    for (name, frontier, dangling) in p.fields {
        let frontier = frontier
            .into_iter()
            .map(|(o, h, value)| {
                Ok(Entry {
                    op: op(o)?,
                    hlc: hlc(&h)?,
                    value,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        fields.push((name, Register { frontier, dangling }));
    }
    let mut sets = Vec::with_capacity(p.sets.len());
    for (name, adds, removed) in p.sets {
        let adds = adds
            .into_iter()
            .map(|(o, index, value)| Ok((Tag { op: op(o)?, index }, value)))
            .collect::<Result<Vec<(Tag, Value)>>>()?;
        sets.push((name, OrSet { adds, removed }));
    }
    Ok(RecordState {
        kind: p.kind,
        created: hlc(&p.created)?,
        updated: hlc(&p.updated)?,
        deleted: p.deleted.as_ref().map(hlc).transpose()?,
        fields: FieldMap(fields),
        sets: FieldMap(sets),
    })
}
