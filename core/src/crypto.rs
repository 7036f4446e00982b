//! Symmetric cryptography: 256-bit keys and AES-256-GCM (ring) with random 96-bit nonces.
//!
//! Sealed form: `nonce (12) || ciphertext || tag (16)`. Every call names its associated data,
//! which binds the ciphertext to where it belongs (record, field, key epoch, operation) so a
//! ciphertext moved elsewhere fails to open.

use std::fmt;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

pub(crate) const TAG_LEN: usize = 16;
pub(crate) const SEAL_OVERHEAD: usize = NONCE_LEN + TAG_LEN;

/// Fill an array from the operating system's CSPRNG (one system call): for keys and salts.
pub(crate) fn random_array<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .expect("the OS random number generator failed");
    out
}

/// Random bytes for values that must be unpredictable and unique but are not secret (nonces,
/// ids), served from a per-thread buffer of OS randomness refilled 4 KiB at a time: an import
/// of 10,000 records would otherwise make 40,000 system calls. Bytes are handed out once.
pub(crate) fn random_public<const N: usize>() -> [u8; N] {
    use std::cell::RefCell;
    const POOL: usize = 4096;
    thread_local! {
        static BUF: RefCell<(Box<[u8; POOL]>, usize)> = RefCell::new((Box::new([0u8; POOL]), POOL));
    }
    BUF.with(|b| {
        let (buf, used) = &mut *b.borrow_mut();
        if *used + N > POOL {
            SystemRandom::new()
                .fill(&mut buf[..])
                .expect("the OS random number generator failed");
            *used = 0;
        }
        let mut out = [0u8; N];
        out.copy_from_slice(&buf[*used..*used + N]);
        buf[*used..*used + N].fill(0);
        *used += N;
        out
    })
}

/// A 256-bit secret key. Zeroised on drop; never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    pub(crate) fn random() -> Self {
        Self(random_array())
    }

    pub(crate) fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(Self(arr))
    }

    pub(crate) fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// Seal with a one-off expanded key (for rare uses such as wrapping other keys).
    pub(crate) fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        AeadKey::new(self).seal(aad, plaintext)
    }

    pub(crate) fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        AeadKey::new(self).open(aad, sealed)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

/// An expanded AES-256-GCM key for repeated use while the vault is unlocked.
///
/// ring keeps the expanded key schedule inside `LessSafeKey` and does not zeroise it on drop;
/// the raw key bytes we own are zeroised (see docs/adr/0002-keys-and-vault.md).
pub(crate) struct AeadKey(LessSafeKey);

impl AeadKey {
    pub(crate) fn new(key: &SecretKey) -> Self {
        let unbound = UnboundKey::new(&AES_256_GCM, key.expose()).expect("a 32-byte AES-256 key");
        Self(LessSafeKey::new(unbound))
    }

    pub(crate) fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let nonce_bytes: [u8; NONCE_LEN] = random_public();
        let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(plaintext);
        let tag = self
            .0
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(aad),
                &mut out[NONCE_LEN..],
            )
            .expect("AES-GCM seal of an in-memory buffer");
        out.extend_from_slice(tag.as_ref());
        out
    }

    /// Open a sealed value; `None` when the key, the associated data or any byte is wrong.
    pub(crate) fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let mut buf = Zeroizing::new(Vec::new());
        self.open_into(aad, sealed, &mut buf)?;
        Some(buf)
    }

    /// Open into a caller's scratch buffer (reused across a listing; the caller zeroises it).
    pub(crate) fn open_into(&self, aad: &[u8], sealed: &[u8], buf: &mut Vec<u8>) -> Option<()> {
        if sealed.len() < SEAL_OVERHEAD {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        buf.clear();
        buf.extend_from_slice(body);
        let opened = self.0.open_in_place(nonce, Aad::from(aad), buf);
        match opened {
            Ok(plain) => {
                let len = plain.len();
                buf.truncate(len);
                Some(())
            }
            Err(_) => {
                buf.zeroize();
                None
            }
        }
    }
}

/// The associated data for a sealed value: a domain label, then length-free fixed fields.
/// HKDF-SHA256 (extract with `salt`, expand with `info`) to 32 bytes, zeroised on drop.
pub(crate) fn hkdf32(salt: &[u8], ikm: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, salt).extract(ikm);
    let mut out = Zeroizing::new([0u8; 32]);
    prk.expand(&[info], ring::hkdf::HKDF_SHA256)
        .and_then(|okm| okm.fill(&mut out[..]))
        .expect("32 bytes is a valid HKDF length");
    out
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn aad(label: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(label.len() + 1 + parts.iter().map(|p| p.len() + 2).sum::<usize>());
    out.extend_from_slice(label.as_bytes());
    out.push(0);
    for part in parts {
        out.extend_from_slice(&(part.len() as u16).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_associated_data() {
        let key = SecretKey::random();
        let sealed = key.seal(b"record-1/name", b"Uwase");
        assert_eq!(&key.open(b"record-1/name", &sealed).unwrap()[..], b"Uwase");
        assert!(
            key.open(b"record-2/name", &sealed).is_none(),
            "moved to another record"
        );
        assert!(
            SecretKey::random()
                .open(b"record-1/name", &sealed)
                .is_none(),
            "other key"
        );
        let mut flipped = sealed.clone();
        flipped[14] ^= 1;
        assert!(
            key.open(b"record-1/name", &flipped).is_none(),
            "one flipped byte"
        );
        assert!(
            key.open(b"record-1/name", &sealed[..10]).is_none(),
            "truncated"
        );
        assert_eq!(format!("{key:?}"), "SecretKey([redacted])");
    }

    #[test]
    fn associated_data_parts_cannot_be_shifted_between_fields() {
        assert_ne!(aad("x", &[b"ab", b"c"]), aad("x", &[b"a", b"bc"]));
    }
}
