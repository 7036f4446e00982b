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
}
