//! What compression does to the sizes the server sees (issue 20): the units the dictionary is
//! trained on, and the sealed size of a made-up operation under each packing, for the
//! dictionary maker and the size bench (`tests/src/bin/zstd_dictionary.rs`,
//! `tests/src/bin/compression.rs`). Bodies are built the way the store builds them: the
//! kind's fields as changes, arranged into statistics and the rest, each part sealed under a
//! file key, then the whole signed, padded and sealed under a team key.

use crate::compress::{pack, Packing};
use crate::crypto::{AeadKey, SecretKey};
use crate::ids::{DeviceId, OpId, RecordId};
use crate::op::{Change, OpBody, OpEnvelope, PartKeys};
use crate::synthetic::Writer;
use crate::value::Value;
use komora_protocol::envelope;

/// One made-up record's fields as the forms write them.
type Fields = Vec<(&'static str, Value)>;

fn session(w: &mut Writer, note: &str) -> Fields {
    let mut f: Fields = vec![
        ("case", w.id_text().into()),
        ("date", w.date().into()),
        ("modality", w.code().into()),
        ("duration_min", Value::Int(30 + w.below(60) as i64)),
        ("participants", w.id_text().into()),
        ("interventions", w.code().into()),
        ("notes", note.to_owned().into()),
    ];
    if w.below(10) < 6 {
        f.push(("follow_up_plan", w.follow_up_plan().into()));
    }
    if w.below(10) < 7 {
        f.push(("next_appointment", w.date().into()));
    }
    if w.below(4) == 0 {
        f.push(("household_present", w.household_member().into()));
        if w.below(2) == 0 {
            f.push(("safety_notes", w.safety_note().into()));
        }
    }
    f
}

fn client(w: &mut Writer) -> Fields {
    vec![
        ("name", w.name().into()),
        ("code", format!("HUY-{:04}", w.below(10_000)).into()),
        ("sex", if w.below(2) == 0 { "f" } else { "m" }.into()),
        ("birth_year", Value::Int(1950 + w.below(60) as i64)),
        ("phone", w.phone().into()),
        ("sector", w.place().into()),
        ("cell", w.place().into()),
        ("target_groups", w.code().into()),
    ]
}

fn case(w: &mut Writer) -> Fields {
    vec![
        ("clients", w.id_text().into()),
        ("problems", w.code().into()),
        ("risk_level", "moderate".into()),
        ("counsellor", w.id_text().into()),
        ("supervisor", w.id_text().into()),
        ("opened", w.date().into()),
    ]
}

/// A new client's file keys as the store writes them (the statistics key in clear, the file
/// key and its epoch sealed under the case-work key; both as hex text, `store::files`).
fn client_keys(w: &mut Writer) -> Fields {
    let hex = |w: &mut Writer, bytes: usize| -> String {
        (0..bytes.div_ceil(16))
            .map(|_| w.id_text())
            .collect::<String>()
            .chars()
            .take(2 * bytes)
            .collect()
    };
    vec![
        (crate::op::STATS_KEY_FIELD, hex(w, 32).into()),
        (crate::op::FILE_KEY_FIELD, hex(w, 4 + 12 + 32 + 16).into()),
    ]
}

/// A new client as a team below format 5 writes it: the client's fields and, first, the
/// file's two keys it carries.
fn new_client(w: &mut Writer) -> Fields {
    let mut f = client_keys(w);
    f.extend(client(w));
    f
}

fn consent(w: &mut Writer) -> Fields {
    vec![
        ("client", w.id_text().into()),
        ("scope", w.code().into()),
        ("decision", "given".into()),
        ("language", "rw".into()),
        ("given_by", "client".into()),
        ("date", w.date().into()),
    ]
}

/// A one-field edit: a field set again over the value it replaces.
fn edit(w: &mut Writer) -> (Fields, usize) {
    let f: Fields = match w.below(4) {
        0 => vec![("phone", w.phone().into())],
        1 => vec![("next_appointment", w.date().into())],
        2 => vec![("follow_up_plan", w.follow_up_plan().into())],
        _ => vec![("risk_level", "low".into())],
    };
    (f, 1)
}

fn changes(w: &mut Writer, fields: &Fields, preds: usize) -> Vec<Change> {
    let mut seen = std::collections::BTreeSet::new();
    fields
        .iter()
        .map(|(field, value)| {
            if seen.insert(*field) {
                Change::Set {
                    field: (*field).into(),
                    value: value.clone(),
                    preds: (0..preds).map(|_| OpId::from_bytes(w.id_bytes())).collect(),
                }
            } else {
                Change::Add {
                    field: (*field).into(),
                    value: value.clone(),
                }
            }
        })
        .collect()
}

/// The part plaintexts (statistics, the rest) of a record of `kind` with these changes, as
/// the store arranges them.
fn parts(kind: &str, mut changes: Vec<Change>) -> Vec<Vec<u8>> {
    let readable =
        crate::store::files::arrange(crate::registry::KINDS.get(kind), &mut changes).unwrap_or(0);
    let rest = changes.split_off(readable);
    [changes, rest]
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| postcard::to_allocvec(&p).expect("changes serialise"))
        .collect()
}

/// The units a dictionary is trained on: the part plaintexts of `records` made-up records
/// (sessions, clients, cases, consents and one-field edits in a caseload's proportions),
/// from the generator alone.
pub fn training_samples(seed: u64, records: usize) -> Vec<Vec<u8>> {
    let mut w = Writer::new(seed);
    let mut out = Vec::new();
    for i in 0..records {
        let (kind, fields, preds) = match i % 20 {
            0..=11 => {
                let note = w.note();
                ("session", session(&mut w, &note), 0)
            }
            12 | 13 => ("client", client(&mut w), 0),
            14 => ("case", case(&mut w), 0),
            15 | 16 => ("consent", consent(&mut w), 0),
            _ => {
                let (f, p) = edit(&mut w);
                ("client", f, p)
            }
        };
        out.extend(parts(kind, changes(&mut w, &fields, preds)));
    }
    out
}

/// How a measured operation was sealed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sealing {
    /// The layout of before compression.
    Today,
    /// The packed layout with this packing.
    Packed(Packing),
}

/// Sealed sizes (as the server stores the envelope) of one operation, by sealing.
fn sealed_size(kind: &str, fields: &Fields, preds: usize, sealing: Sealing) -> usize {
    seal_made_up(kind, fields, preds, sealing).0.encoded_len()
}

/// One made-up operation of `kind`, sealed as the store seals it: the envelope, and the
/// plaintext it seals before padding (framed body and signature).
fn seal_made_up(
    kind: &str,
    fields: &Fields,
    preds: usize,
    sealing: Sealing,
) -> (OpEnvelope, usize) {
    let mut w = Writer::new(0);
    let file = RecordId::random();
    let (stats, content, team) = (
        AeadKey::new(&SecretKey::random()),
        AeadKey::new(&SecretKey::random()),
        AeadKey::new(&SecretKey::random()),
    );
    let mut changes = changes(&mut w, fields, preds);
    let readable =
        crate::store::files::arrange(crate::registry::KINDS.get(kind), &mut changes).unwrap_or(0);
    let mut body = OpBody {
        record: RecordId::random(),
        kind: kind.into(),
        device: DeviceId::random(),
        device_seq: 1 + w.below(5000),
        wall_ms: 1_780_000_000_000 + w.below(1 << 30),
        counter: 0,
        changes,
        written_epoch: 1,
        packing: match sealing {
            Sealing::Today => None,
            Sealing::Packed(p) => Some(p),
        },
    };
    body.seal_parts(
        readable,
        &PartKeys::File {
            file,
            stats: &stats,
            content: &content,
        },
    );
    let signer = ed25519_dalek::SigningKey::from_bytes(&crate::crypto::random_array());
    // The floor of the newest format for packed bodies; the first formats' for the others.
    let floor = match sealing {
        Sealing::Today => crate::op::PAD_MIN,
        Sealing::Packed(_) => crate::op::pad_floor(Some(crate::format::APP_FORMAT)),
    };
    let (envelope, op) = OpEnvelope::seal(OpId::random(), 1, body, &signer, &team, floor);
    (envelope, OpEnvelope::unpadded_len(&op))
}

/// The plaintext each everyday operation seals before padding, packed with the newest
/// dictionary: the largest of `samples` made-up ones of each, what the padding floor must
/// hold (ADR 0022). Names: a new client (with `keys_apart`, as a team from format 5 on
/// writes it: its keys, then its fields, two operations; else one), a one-field edit, a
/// consent, a case, a session with a short note (one sentence).
pub fn everyday_unpadded(samples: u64, keys_apart: bool) -> Vec<(&'static str, usize)> {
    let packing = Sealing::Packed(Packing::Dictionary(crate::compress::DICTIONARY_VERSION));
    let measure = |make: &dyn Fn(&mut Writer) -> (&'static str, Fields, usize)| {
        (0..samples)
            .map(|seed| {
                let (kind, fields, preds) = make(&mut Writer::new(seed));
                seal_made_up(kind, &fields, preds, packing).1
            })
            .max()
            .unwrap_or(0)
    };
    let new_client = if keys_apart {
        vec![
            (
                "a new client's keys",
                measure(&|w| ("client", client_keys(w), 0)),
            ),
            (
                "a new client's fields",
                measure(&|w| ("client", client(w), 0)),
            ),
        ]
    } else {
        vec![("a new client", measure(&|w| ("client", new_client(w), 0)))]
    };
    new_client
        .into_iter()
        .chain([
            (
                "a one-field edit",
                measure(&|w| {
                    let (f, p) = edit(w);
                    ("client", f, p)
                }),
            ),
            ("a consent", measure(&|w| ("consent", consent(w), 0))),
            ("a case", measure(&|w| ("case", case(w), 0))),
            (
                "a session with a short note",
                measure(&|w| {
                    let note = w.short_note();
                    ("session", session(w, &note), 0)
                }),
            ),
        ])
        .collect()
}

/// The sealed sizes of a session carrying `note` (its other fields made up from `seed`),
/// under each of `sealings`.
pub fn session_sizes(seed: u64, note: &str, sealings: &[Sealing]) -> Vec<usize> {
    let fields = session(&mut Writer::new(seed), note);
    sealings
        .iter()
        .map(|s| sealed_size("session", &fields, 0, *s))
        .collect()
}

/// The sealed sizes of a made-up one-field edit of a client, under each of `sealings`.
pub fn edit_sizes(seed: u64, sealings: &[Sealing]) -> Vec<usize> {
    let (fields, preds) = edit(&mut Writer::new(seed));
    sealings
        .iter()
        .map(|s| sealed_size("client", &fields, preds, *s))
        .collect()
}

/// The sealed sizes of a made-up new client, under each of `sealings`.
pub fn client_sizes(seed: u64, sealings: &[Sealing]) -> Vec<usize> {
    let fields = client(&mut Writer::new(seed));
    sealings
        .iter()
        .map(|s| sealed_size("client", &fields, 0, *s))
        .collect()
}

/// One made-up operation as it travels alone today (its envelope's bytes) and what it would
/// add inside a unit (ADR 0029, proposed, not built): its packed body exactly as the store
/// packs it today (the unpadded plaintext less its signature), less the author's device id
/// (16 random bytes every body carries, counted once per unit), plus its own operation id
/// and a two-byte length.
fn alone_and_inside(kind: &str, fields: &Fields, preds: usize) -> (usize, usize) {
    let packing = Sealing::Packed(Packing::Dictionary(crate::compress::DICTIONARY_VERSION));
    let (envelope, unpadded) = seal_made_up(kind, fields, preds, packing);
    (
        envelope.encoded_len(),
        unpadded - crate::op::SIG_LEN - 16 + 16 + 2,
    )
}

/// The wire bytes of one unit holding operations that add `inside` bytes together: one
/// envelope header, one team seal, the author's device id and one signature, padded by Padme
/// above the floor of the newest format.
fn unit_wire(inside: usize) -> usize {
    let floor = crate::op::pad_floor(Some(crate::format::APP_FORMAT));
    envelope::HEADER_LEN
        + crate::crypto::SEAL_OVERHEAD
        + crate::op::padded_len(inside + 16 + crate::op::SIG_LEN, floor)
}

/// Per one-field edit, the bytes on the wire of `n` edits of `n` different clients (the edits
/// `edit_sizes` makes from seeds `seed..seed + n`) sealed, signed and padded once together as
/// one unit, and sent alone today: (in the unit, alone).
pub fn unit_edit_bytes(seed: u64, n: usize) -> (usize, usize) {
    let (alone, inside) = (seed..seed + n as u64)
        .map(|s| {
            let (fields, preds) = edit(&mut Writer::new(s));
            alone_and_inside("client", &fields, preds)
        })
        .fold((0, 0), |(a, i), (a2, i2)| (a + a2, i + i2));
    (unit_wire(inside).div_ceil(n), alone.div_ceil(n))
}

/// The first pass of a first sync (ADR 0025) for `clients` new clients, each with her keys,
/// her fields, two consents and a case (a caseload's small operations), in bytes on the
/// wire: as each travels alone today, and with each client's operations in one unit of her
/// own (ADR 0029: an erasure deletes the whole unit, as it deletes her keys today).
pub fn unit_first_pass(seed: u64, clients: usize) -> (usize, usize) {
    let mut w = Writer::new(seed);
    let (mut today, mut units) = (0, 0);
    for _ in 0..clients {
        let ops = [
            ("client", client_keys(&mut w)),
            ("client", client(&mut w)),
            ("consent", consent(&mut w)),
            ("consent", consent(&mut w)),
            ("case", case(&mut w)),
        ];
        let mut inside = 0;
        for (kind, fields) in &ops {
            let (a, i) = alone_and_inside(kind, fields, 0);
            today += a;
            inside += i;
        }
        units += unit_wire(inside);
    }
    (today, units)
}

/// The packed size of `text` alone (no body, no seal), by packing.
pub fn packed_len(text: &[u8], packing: Packing) -> usize {
    pack(text, packing).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bodies the server receives are smaller compressed, on the generator's notes and on
    /// prose the dictionary never saw, in each language.
    #[test]
    fn a_session_seals_smaller_compressed_on_made_up_and_held_out_text() {
        let held_out = [
            include_str!("../data/heldout/en.txt"),
            include_str!("../data/heldout/fr.txt"),
            include_str!("../data/heldout/rw.txt"),
        ];
        let mut notes: Vec<String> = held_out
            .iter()
            .map(|t| t.chars().take(600).collect())
            .collect();
        notes.push(Writer::new(1).note());
        for (i, note) in notes.iter().enumerate() {
            let sizes = session_sizes(
                i as u64,
                note,
                &[Sealing::Today, Sealing::Packed(Packing::Dictionary(1))],
            );
            assert!(
                (sizes[1] as f64) < 0.8 * sizes[0] as f64,
                "note {i}: {sizes:?}"
            );
        }
    }

    /// ADR 0022's rule for the padding floor of packed bodies: the smallest multiple of 128
    /// bytes that holds the largest of 101 made-up new clients, one-field edits, consents,
    /// cases and sessions with a short note, so the server cannot tell them apart by size.
    /// Fails when the bodies grow past the floor (it must be raised) or shrink by a step (it
    /// may be lowered). Checked for each floor in use: a team below format 5 writes a new
    /// client as one operation (floor 512), a team from format 5 on as two (floor 384).
    #[test]
    fn the_padding_floor_is_the_smallest_step_that_holds_every_everyday_operation() {
        use crate::format::{COMPRESSED_BODIES, KEYS_APART};
        for (format, keys_apart) in [(COMPRESSED_BODIES, false), (KEYS_APART, true)] {
            let sizes = everyday_unpadded(101, keys_apart);
            let largest = sizes.iter().map(|(_, s)| *s).max().unwrap();
            eprintln!("format {format}, the largest plaintext of each: {sizes:?}");
            assert_eq!(
                crate::op::pad_floor(Some(format)),
                largest.div_ceil(128) * 128,
                "format {format}, plaintext before padding, the largest of each: {sizes:?}"
            );
        }
    }
}
