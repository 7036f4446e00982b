//! What a list shows of one record (ADR 0023): each register field's shown value, the fields
//! holding concurrent values, each set's values, when it was made and last changed. Written
//! into a list page's entry when the record is saved, read back for every record a listing
//! shows.
//!
//! Read back borrowed and without allocating: a listing of 5,000 clients decodes 5,000
//! entries, and decoding each into owned values (one allocation per field, then copies the
//! list's lines did not keep) was a third of the listing (issue 21). One `Shown` is reused
//! from one entry to the next; only the text a list's line keeps is copied, by the kind.
//!
//! The bytes are postcard's encoding of `Written` (so pages written before this reader read
//! back unchanged); `Shown::read` is a reader of exactly that encoding, strict: anything
//! else (cut, trailing bytes, a text that is not UTF-8, an unknown value) is refused, and the
//! listing then opens the record's own state.

use serde::Serialize;

use crate::merge::RecordState;
use crate::value::Value;

/// A value as a list shows it, borrowed from the page it was read from (or the state it is
/// made from). Encoded as [`Value`] is (same variants, same order).
#[derive(Serialize, Clone, Copy, PartialEq, Debug)]
pub(crate) enum ShownValue<'a> {
    Null,
    Text(&'a str),
    Int(i64),
    Bool(bool),
}

impl<'a> ShownValue<'a> {
    fn of(v: &'a Value) -> Self {
        match v {
            Value::Null => ShownValue::Null,
            Value::Text(t) => ShownValue::Text(t),
            Value::Int(i) => ShownValue::Int(*i),
            Value::Bool(b) => ShownValue::Bool(*b),
        }
    }

    pub fn as_text(self) -> Option<&'a str> {
        match self {
            ShownValue::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn as_int(self) -> Option<i64> {
        match self {
            ShownValue::Int(i) => Some(i),
            _ => None,
        }
    }
}

/// The form an entry is written in (postcard): the fields in this order.
#[derive(Serialize)]
struct Written<'a> {
    created_ms: u64,
    updated_ms: u64,
    /// Register fields' shown values (empty ones left out).
    fields: Vec<(&'a str, ShownValue<'a>)>,
    /// Register fields holding concurrent values.
    conflicts: Vec<String>,
    sets: Vec<(&'a str, Vec<ShownValue<'a>>)>,
}

/// The bytes of a record's entry, from its merged state.
pub(super) fn encode(s: &RecordState) -> Vec<u8> {
    let written = Written {
        created_ms: s.created.wall_ms,
        updated_ms: s.updated.wall_ms,
        fields: s
            .fields
            .iter()
            .filter_map(|(name, _)| Some((name, ShownValue::of(s.value(name)?))))
            .collect(),
        conflicts: s.conflicts(),
        sets: s
            .sets
            .iter()
            .map(|(name, set)| (name, set.values().into_iter().map(ShownValue::of).collect()))
            .collect(),
    };
    postcard::to_allocvec(&written).expect("a view always serialises")
}

/// What a list shows of a record, borrowed from its entry's bytes. The kind's own code makes
/// its list's lines from it (`Client::from_shown`).
#[derive(Default)]
pub(crate) struct Shown<'a> {
    pub created_ms: u64,
    pub updated_ms: u64,
    fields: Vec<(&'a str, ShownValue<'a>)>,
    conflicts: Vec<&'a str>,
    /// Each set: its name and where its values are in `set_values`.
    sets: Vec<(&'a str, std::ops::Range<usize>)>,
    set_values: Vec<ShownValue<'a>>,
}

impl<'a> Shown<'a> {
    /// Read an entry's bytes into `self` (its vectors reused); `None` when they are not an
    /// entry (`self` is then left half-read: read another entry into it before use).
    pub(super) fn read(&mut self, bytes: &'a [u8]) -> Option<()> {
        let mut r = Reader(bytes);
        self.created_ms = r.varint()?;
        self.updated_ms = r.varint()?;
        self.fields.clear();
        for _ in 0..r.len()? {
            self.fields.push((r.text()?, r.value()?));
        }
        self.conflicts.clear();
        for _ in 0..r.len()? {
            self.conflicts.push(r.text()?);
        }
        self.sets.clear();
        self.set_values.clear();
        for _ in 0..r.len()? {
            let name = r.text()?;
            let start = self.set_values.len();
            for _ in 0..r.len()? {
                self.set_values.push(r.value()?);
            }
            self.sets.push((name, start..self.set_values.len()));
        }
        r.0.is_empty().then_some(())
    }

    /// A field's shown value.
    pub fn value(&self, field: &str) -> Option<ShownValue<'a>> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| *v)
    }

    /// A field's shown text.
    pub fn text(&self, field: &str) -> Option<&'a str> {
        self.value(field).and_then(ShownValue::as_text)
    }

    /// A set's values.
    pub fn set(&self, field: &str) -> &[ShownValue<'a>] {
        self.sets
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(&[], |(_, range)| &self.set_values[range.clone()])
    }

    /// The fields holding concurrent values.
    pub fn conflicts(&self) -> &[&'a str] {
        &self.conflicts
    }
}

/// A reader of postcard's encoding, for the few forms an entry uses.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*b)
    }

    /// An unsigned LEB128 number of at most 64 bits (postcard's varint).
    fn varint(&mut self) -> Option<u64> {
        let mut out = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            if i == 9 && bits > 1 {
                return None;
            }
            out |= bits << (7 * i);
            if b & 0x80 == 0 {
                return Some(out);
            }
        }
        None
    }

    /// A length: never more than the bytes left (every element takes at least one).
    fn len(&mut self) -> Option<usize> {
        usize::try_from(self.varint()?)
            .ok()
            .filter(|n| *n <= self.0.len())
    }

    fn text(&mut self) -> Option<&'a str> {
        let n = self.len()?;
        let (bytes, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        std::str::from_utf8(bytes).ok()
    }

    fn value(&mut self) -> Option<ShownValue<'a>> {
        Some(match self.varint()? {
            0 => ShownValue::Null,
            1 => ShownValue::Text(self.text()?),
            2 => {
                // Zigzag, as postcard writes a signed number.
                let z = self.varint()?;
                ShownValue::Int((z >> 1) as i64 ^ -((z & 1) as i64))
            }
            3 => match self.byte()? {
                0 => ShownValue::Bool(false),
                1 => ShownValue::Bool(true),
                _ => return None,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entry as the pages of the first version wrote it: owned values, serde's own form.
    #[derive(Serialize)]
    struct Before {
        created_ms: u64,
        updated_ms: u64,
        fields: Vec<(String, Value)>,
        conflicts: Vec<String>,
        sets: Vec<(String, Vec<Value>)>,
    }

    fn sample() -> Before {
        Before {
            created_ms: 1_764_000_000_123,
            updated_ms: u64::MAX,
            fields: vec![
                ("birth_year".into(), Value::Int(1968)),
                ("debt".into(), Value::Int(-70_000_000_000)),
                ("name".into(), Value::Text("Mukamana Odette ü".into())),
                ("null".into(), Value::Null),
                ("ok".into(), Value::Bool(true)),
                ("no".into(), Value::Bool(false)),
            ],
            conflicts: vec!["name".into()],
            sets: vec![
                ("empty".into(), vec![]),
                (
                    "target_groups".into(),
                    vec![
                        Value::Text("genocide-survivor".into()),
                        Value::Int(i64::MIN),
                    ],
                ),
            ],
        }
    }

    #[test]
    fn an_entry_written_by_the_first_pages_reads_back_whole() {
        let before = sample();
        let bytes = postcard::to_allocvec(&before).unwrap();
        let mut shown = Shown::default();
        shown.read(&bytes).unwrap();
        assert_eq!(shown.created_ms, before.created_ms);
        assert_eq!(shown.updated_ms, before.updated_ms);
        assert_eq!(shown.value("birth_year"), Some(ShownValue::Int(1968)));
        assert_eq!(shown.value("debt"), Some(ShownValue::Int(-70_000_000_000)));
        assert_eq!(shown.text("name"), Some("Mukamana Odette ü"));
        assert_eq!(shown.value("null"), Some(ShownValue::Null));
        assert_eq!(shown.value("ok"), Some(ShownValue::Bool(true)));
        assert_eq!(shown.value("no"), Some(ShownValue::Bool(false)));
        assert_eq!(shown.value("phone"), None);
        assert_eq!(shown.conflicts(), &["name"]);
        assert!(shown.set("empty").is_empty());
        assert_eq!(
            shown.set("target_groups"),
            &[
                ShownValue::Text("genocide-survivor"),
                ShownValue::Int(i64::MIN)
            ]
        );
        assert!(shown.set("absent").is_empty());
    }

    #[test]
    fn what_is_written_now_is_the_first_pages_form() {
        let before = sample();
        let now = Written {
            created_ms: before.created_ms,
            updated_ms: before.updated_ms,
            fields: before
                .fields
                .iter()
                .map(|(f, v)| (f.as_str(), ShownValue::of(v)))
                .collect(),
            conflicts: before.conflicts.clone(),
            sets: before
                .sets
                .iter()
                .map(|(f, vs)| (f.as_str(), vs.iter().map(ShownValue::of).collect()))
                .collect(),
        };
        assert_eq!(
            postcard::to_allocvec(&now).unwrap(),
            postcard::to_allocvec(&before).unwrap()
        );
    }

    #[test]
    fn a_cut_padded_or_altered_entry_is_refused_not_misread() {
        let bytes = postcard::to_allocvec(&sample()).unwrap();
        let mut shown = Shown::default();
        for cut in 0..bytes.len() {
            assert!(shown.read(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(shown.read(&padded).is_none());
        // Every single byte changed: refused, or read as some entry; never a panic.
        for i in 0..bytes.len() {
            for x in [0x01u8, 0x80, 0xff] {
                let mut altered = bytes.clone();
                altered[i] ^= x;
                let _ = Shown::default().read(&altered);
            }
        }
        // Reused after a refusal, it reads the next entry whole.
        assert!(shown.read(&padded).is_none());
        shown.read(&bytes).unwrap();
        assert_eq!(shown.text("name"), Some("Mukamana Odette ü"));
    }
}
