//! Passphrase key derivation: Argon2id with its cost recorded beside the vault, so the cost can be
//! raised later without locking anybody out (see docs/adr/0002-keys-and-vault.md).

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};

use crate::crypto::SecretKey;
use crate::error::{Error, Result};

/// Argon2id cost parameters, stored in the vault's key file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// The default: 64 MiB, 3 passes, 1 lane. Measured in docs/PERFORMANCE.md; well above OWASP's
    /// floor (19 MiB, t=2, p=1) and about half a second on a low-end ARM tablet.
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };

    /// OWASP's minimum for Argon2id; nothing weaker is accepted for a vault on disk.
    pub const MINIMUM: KdfParams = KdfParams {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// A deliberately weak cost for tests and throw-away vaults only.
    pub const INSECURE_FOR_TESTS: KdfParams = KdfParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    pub(crate) fn check_usable(&self) -> Result<()> {
        self.argon2().map(|_| ())
    }

    fn argon2(&self) -> Result<Argon2<'static>> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|_| {
                Error::validation("kdf", "the key-derivation cost parameters are out of range")
            })?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Derive the key-encryption key from a passphrase and the vault's salt.
    pub(crate) fn derive(&self, passphrase: &str, salt: &[u8]) -> Result<SecretKey> {
        let mut out = [0u8; 32];
        self.argon2()?
            .hash_password_into(passphrase.as_bytes(), salt, &mut out)
            .map_err(|_| Error::validation("kdf", "the key derivation failed"))?;
        let key = SecretKey::from_bytes(out);
        zeroize::Zeroize::zeroize(&mut out);
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_passphrase_and_salt_give_the_same_key_and_others_do_not() {
        let p = KdfParams::INSECURE_FOR_TESTS;
        let salt = [7u8; 16];
        let a = p.derive("correct horse", &salt).unwrap();
        assert_eq!(a, p.derive("correct horse", &salt).unwrap());
        assert_ne!(a, p.derive("correct horsf", &salt).unwrap());
        assert_ne!(a, p.derive("correct horse", &[8u8; 16]).unwrap());
    }
}
