//! A server certificate's pin: the SHA-256 of its public key (the DER SubjectPublicKeyInfo),
//! written `sha256/<base64>` as HTTP public-key pinning and OkHttp write it (ADR 0014).
//!
//! The sync server prints its pin; the enrolment link carries it; a tablet enrolled with it
//! trusts exactly that key for that server, whatever the certificate's names and dates say.
//! Pinning the key rather than the certificate lets a server renew its certificate (same key)
//! without re-enrolling anyone.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

const PREFIX: &str = "sha256/";

/// The SHA-256 of a server's SubjectPublicKeyInfo. Not a secret: it is printed and shared.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CertificatePin(pub [u8; 32]);

impl CertificatePin {
    /// The pin of a key whose SubjectPublicKeyInfo hashes to `sha256` (the caller hashes: this
    /// crate has no cryptography).
    pub fn from_sha256(sha256: [u8; 32]) -> Self {
        CertificatePin(sha256)
    }

    /// Whether `sha256` is this pin's hash, in time that does not depend on where they differ.
    pub fn matches(&self, sha256: &[u8; 32]) -> bool {
        self.0
            .iter()
            .zip(sha256)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl fmt::Display for CertificatePin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}", STANDARD.encode(self.0))
    }
}

impl fmt::Debug for CertificatePin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertificatePin({self})")
    }
}

/// Why a text is not a pin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotAPin;

impl fmt::Display for NotAPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a certificate pin is written sha256/ followed by 44 characters, as the server prints it",
        )
    }
}

impl std::error::Error for NotAPin {}

impl FromStr for CertificatePin {
    type Err = NotAPin;

    fn from_str(s: &str) -> Result<Self, NotAPin> {
        let b64 = s.trim().strip_prefix(PREFIX).ok_or(NotAPin)?;
        if b64.len() != 44 {
            return Err(NotAPin);
        }
        let bytes = STANDARD.decode(b64).map_err(|_| NotAPin)?;
        Ok(CertificatePin(bytes.try_into().map_err(|_| NotAPin)?))
    }
}

/// As its text (`sha256/...`), so a stored or sent pin reads as printed.
impl serde::Serialize for CertificatePin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for CertificatePin {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_reads_back_as_printed_and_nothing_else_is_taken_for_one() {
        let pin = CertificatePin::from_sha256([0xFB; 32]);
        let text = pin.to_string();
        assert!(text.starts_with("sha256/") && text.len() == 51, "{text}");
        assert_eq!(format!(" {text}\n").parse::<CertificatePin>(), Ok(pin));
        assert!(pin.matches(&[0xFB; 32]));
        assert!(!pin.matches(&[0xFA; 32]));
        for bad in [
            "",
            "sha256/",
            "sha1/+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/s=",
            &text[..50],
            &format!("{text}AAAA"),
            "sha256/!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!=",
            // Valid base64 of 33 bytes is not a SHA-256.
            "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert_eq!(bad.parse::<CertificatePin>(), Err(NotAPin), "{bad}");
        }
    }
}
