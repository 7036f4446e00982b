//! The login token kept between syncs (issue 20, item 4). A login costs two round trips
//! (challenge, then token), seconds on 2G, and three durable writes on the server; the token is
//! valid 15 minutes. So a sync keeps it in the vault, sealed under the device's master key as
//! the sync settings are (another label, so neither opens as the other), and the next sync
//! within its validity goes straight to work. The first pull page then says what the login
//! would have said (`PullPage::standing`): a rotation, a new device, a restored or rolled-back
//! stream are noticed as before.
//!
//! The token never appears in logs, errors or `Debug` output. It is worth little to a thief:
//! whoever can open the vault holds the device key that logs in anyway; a revocation deletes
//! the server's copy, and the tablet then logs in and is told.

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::error::Result;
use crate::vault::Vault;

const META: &str = "sync_login";
const LABEL: &str = "komora/sync-login/v1";
/// A token this close to its end is not used: it could expire in the middle of a slow request.
const MARGIN_MS: u64 = 60_000;

/// A token, its server, its end (this device's clock) and what the device last told the
/// server of itself (so an idle sync sends no report).
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct KeptLogin {
    pub(crate) server_url: String,
    pub(crate) token: String,
    pub(crate) expires_ms: u64,
    pub(crate) reported: Option<komora_protocol::DeviceReport>,
}

impl std::fmt::Debug for KeptLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeptLogin([redacted], until {})", self.expires_ms)
    }
}

impl Drop for KeptLogin {
    fn drop(&mut self) {
        self.token.zeroize();
    }
}

impl Vault {
    /// The token an earlier sync kept for this vault's server, if it is still valid for a
    /// while; none if there is none, it has expired, or it does not open (then the sync logs
    /// in, as it always could).
    pub(crate) fn kept_login(&self) -> Result<Option<KeptLogin>> {
        let Some(sealed) = self.store.meta(META)? else {
            return Ok(None);
        };
        let Some(plain) = self.store.open_local(LABEL, &sealed) else {
            return Ok(None);
        };
        let Ok(kept) = serde_json::from_slice::<KeptLogin>(&plain) else {
            return Ok(None);
        };
        let server = self.sync_settings()?.server_url;
        let valid = kept.server_url == server && self.now_ms() + MARGIN_MS < kept.expires_ms;
        Ok(valid.then_some(kept))
    }

    /// Keep `token`, valid until `expires_ms` (this device's clock), for the next syncs.
    pub(crate) fn keep_login(
        &mut self,
        token: &str,
        expires_ms: u64,
        reported: Option<komora_protocol::DeviceReport>,
    ) -> Result<()> {
        let kept = KeptLogin {
            server_url: self.sync_settings()?.server_url,
            token: token.to_owned(),
            expires_ms,
            reported,
        };
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(&kept).expect("always serialises"));
        let sealed = self.store.seal_local(LABEL, &plain);
        self.store.set_meta(META, &sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_token_never_shows_in_debug_output() {
        let kept = KeptLogin {
            server_url: "https://sync.example".into(),
            token: "s3cr3t-token-value".into(),
            expires_ms: 42,
            reported: None,
        };
        let shown = format!("{kept:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}
