//! Random 128-bit identifiers. Ids are never derived from content, so an id tells nothing about
//! the person or the text behind it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::crypto::random_public;
use crate::error::Error;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub(crate) [u8; 16]);

        impl $name {
            /// A fresh random id.
            pub fn random() -> Self {
                Self(random_public())
            }

            pub const fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(bytes)
            }

            pub fn as_bytes(&self) -> &[u8; 16] {
                &self.0
            }

            #[allow(dead_code)]
            pub(crate) fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
                let arr: [u8; 16] = bytes
                    .try_into()
                    .map_err(|_| Error::Corrupted { what: concat!("stored ", $what) })?;
                Ok(Self(arr))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for b in self.0 {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self, Error> {
                parse_hex16(s).map(Self).ok_or(Error::InvalidId { what: $what })
            }
        }
    };
}

id_type!(
    /// Identifies one record (a client, later a case, a session...).
    RecordId,
    "record id"
);
id_type!(
    /// Identifies one operation in the log; the unit of idempotence.
    OpId,
    "operation id"
);
id_type!(
    /// Identifies one device (one vault). Breaks ties between equal clock readings.
    DeviceId,
    "device id"
);

/// Every kind of record this version writes. A record's kind is part of its identity (issue
/// 16, finding 9): a new record's id ends with a tag of its kind, and receivers refuse an
/// operation of another kind on an id tagged for a known one, so nobody can take an id
/// first as another kind and block or fork the record (the team's policy, whose id everyone
/// can compute, above all). Ids made before tags (random to the end) keep the old rule: the
/// first kind seen.
pub(crate) const KNOWN_KINDS: &[&str] = &[
    "client",
    "case",
    "session",
    "assessment",
    "referral",
    "consent",
    "review",
    "group",
    "group_session",
    "access",
    "policy",
    "erasure",
    "rights_request",
];

const KIND_TAG_LABEL: &[u8] = b"komora/kind-tag/v1\0";
const KIND_TAG_LEN: usize = 4;

fn kind_tag(kind: &str) -> [u8; KIND_TAG_LEN] {
    let mut input = KIND_TAG_LABEL.to_vec();
    input.extend_from_slice(kind.as_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA256, &input);
    digest.as_ref()[..KIND_TAG_LEN]
        .try_into()
        .expect("4 bytes of a digest")
}

impl RecordId {
    /// A fresh id for a new record of `kind`: 96 random bits, then the kind's tag.
    pub(crate) fn for_kind(kind: &str) -> Self {
        let mut id: [u8; 16] = random_public();
        id[16 - KIND_TAG_LEN..].copy_from_slice(&kind_tag(kind));
        Self(id)
    }

    /// An id every device of a team computes alike for its one record of `kind` (the team's
    /// policy): derived from `seed`, tagged with the kind.
    pub(crate) fn derived(kind: &str, seed: &[u8]) -> Self {
        let mut input = b"komora/derived-record/v1\0".to_vec();
        input.extend_from_slice(kind.as_bytes());
        input.push(0);
        input.extend_from_slice(seed);
        let digest = ring::digest::digest(&ring::digest::SHA256, &input);
        let mut id = [0u8; 16];
        id[..16 - KIND_TAG_LEN].copy_from_slice(&digest.as_ref()[..16 - KIND_TAG_LEN]);
        id[16 - KIND_TAG_LEN..].copy_from_slice(&kind_tag(kind));
        Self(id)
    }

    /// The known kind whose tag this id carries, if any (`None` for ids made before tags).
    pub(crate) fn tagged_kind(&self) -> Option<&'static str> {
        let tag = &self.0[16 - KIND_TAG_LEN..];
        KNOWN_KINDS.iter().copied().find(|k| kind_tag(k) == tag)
    }

    /// Whether a record of `kind` may have this id: not one tagged for another known kind.
    pub(crate) fn admits_kind(&self, kind: &str) -> bool {
        self.tagged_kind().is_none_or(|k| k == kind)
    }
}

fn parse_hex16(s: &str) -> Option<[u8; 16]> {
    let s = s.trim();
    if s.len() != 32 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_refuse_garbage() {
        let id = RecordId::random();
        assert_eq!(id.to_string().parse::<RecordId>().unwrap(), id);
        assert!("not-an-id".parse::<RecordId>().is_err());
        assert!("zz".repeat(16).parse::<RecordId>().is_err());
        assert_ne!(RecordId::random(), RecordId::random());
    }

    #[test]
    fn a_new_record_id_carries_its_kind_and_admits_no_other() {
        for kind in KNOWN_KINDS {
            let id = RecordId::for_kind(kind);
            assert_eq!(id.tagged_kind(), Some(*kind));
            assert!(id.admits_kind(kind));
            assert!(KNOWN_KINDS
                .iter()
                .filter(|k| *k != kind)
                .all(|k| !id.admits_kind(k)));
        }
        assert_ne!(RecordId::for_kind("client"), RecordId::for_kind("client"));
        let a = RecordId::derived("policy", b"team A");
        assert_eq!(a, RecordId::derived("policy", b"team A"));
        assert_ne!(a, RecordId::derived("policy", b"team B"));
        assert_eq!(a.tagged_kind(), Some("policy"));
        // Ids from before tags: any kind, as before (one in a few hundred million carries a
        // tag by chance; this one does not).
        let old = RecordId::from_bytes(*b"komora/policy/v1");
        assert!(old.tagged_kind().is_none() && old.admits_kind("group"));
    }
}
