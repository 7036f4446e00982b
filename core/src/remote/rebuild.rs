//! A server lost with no backup at all, rebuilt by its tablets (issue 17, ADR 0016).
//!
//! The administrator starts an empty server (it prints a one-time code and, on its own new
//! key, a new certificate pin), then re-attaches the team from an administrator's tablet:
//! the tablet hands over the team's whole signed list, which the server checks from its
//! genesis on, and, signed by the administrator, the new server's key pin. Every tablet that
//! syncs then finds a new store generation and fills the server back with what it holds
//! (`engine.rs`, `reconcile`); a tablet that no longer recognises the server's key checks the
//! signed pin from its own root of trust and trusts the new key (`trust.rs`,
//! `recover_server_pins`). Nobody re-enrols.

use komora_protocol::pin::CertificatePin;
use komora_protocol::roster::Statement;
use komora_protocol::{Bytes, Id16, ReattachRequest, Role};

use super::transport::Transport;
use super::{Session, SyncOptions};
use crate::error::{Error, Result};
use crate::vault::Vault;

impl Vault {
    /// Give the empty server at `server_url` (with the one-time `code` it printed) this team
    /// back, and, when it serves a new key, sign `new_pin` for the team's tablets. Then sync
    /// this tablet: it fills the server with everything it holds. Administrators only.
    pub fn reattach(
        &mut self,
        transport: &mut dyn Transport,
        server_url: &str,
        code: &str,
        new_pin: Option<CertificatePin>,
    ) -> Result<()> {
        let mut settings = self.sync_settings()?;
        if settings.role != Role::Admin {
            return Err(Error::Forbidden(
                "only an administrator re-attaches a team to a rebuilt server".into(),
            ));
        }
        super::trust::check_server(server_url)?;
        let mut statements = self.roster_statements()?;
        if statements.is_empty() {
            return Err(Error::Tampered {
                what: "no device list for this team (it never synced)",
            });
        }
        if let Some(pin) = &new_pin {
            statements.push(self.sign_server_pins(std::slice::from_ref(pin))?);
        }
        let req = ReattachRequest {
            code: code.to_owned(),
            team_id: settings.team_id,
            statements: statements.iter().cloned().map(Bytes).collect(),
        };
        Session::new(transport, SyncOptions::default()).call_anonymous(|t| t.reattach(&req))?;
        self.keep_roster_statements(statements)?;
        settings.server_url = server_url.to_owned();
        if let Some(pin) = new_pin {
            settings.server_pins = vec![pin];
        }
        self.save_sync_settings(&settings)?;
        Ok(())
    }

    /// Give the rebuilt server at `server_url` another team of this tablet, whose vault is
    /// `other`, once this vault's own team is back on it (`reattach`): the other team's signed
    /// list, and the new key's pin signed by `other`'s administrator identity. Then `other`
    /// syncs and fills the server. Both vaults must be administrators of their teams.
    pub fn reattach_team(
        &mut self,
        transport: &mut dyn Transport,
        other: &mut Vault,
        new_pin: Option<CertificatePin>,
    ) -> Result<()> {
        if self.sync_settings()?.role != Role::Admin {
            return Err(Error::Forbidden(
                "only an administrator re-attaches a team to a rebuilt server".into(),
            ));
        }
        let mut theirs = other.sync_settings()?;
        if theirs.role != Role::Admin {
            return Err(Error::Forbidden(
                "this tablet is not an administrator of that team: its administrator re-attaches it"
                    .into(),
            ));
        }
        let mut statements = other.roster_statements()?;
        if statements.is_empty() {
            return Err(Error::Tampered {
                what: "no device list for that team (it never synced)",
            });
        }
        if let Some(pin) = &new_pin {
            statements.push(other.sign_server_pins(std::slice::from_ref(pin))?);
        }
        let req = ReattachRequest {
            code: String::new(),
            team_id: theirs.team_id,
            statements: statements.iter().cloned().map(Bytes).collect(),
        };
        let sent = Session::new(transport, SyncOptions::default())
            .call(&*self, |t, token| t.reattach_team(token, &req));
        self.end_if_revoked(sent)?;
        other.keep_roster_statements(statements)?;
        theirs.server_url = self.sync_settings()?.server_url;
        if let Some(pin) = new_pin {
            theirs.server_pins = vec![pin];
        }
        other.save_sync_settings(&theirs)?;
        Ok(())
    }

    /// Sign that the team's tablets trust `pins` for the server from now on (a key rollover
    /// announced ahead of time: the old key and the next), and give the statement to the
    /// server with the team's list. Administrators only.
    pub fn announce_server_pins(
        &mut self,
        transport: &mut dyn Transport,
        pins: &[CertificatePin],
    ) -> Result<()> {
        if self.sync_settings()?.role != Role::Admin {
            return Err(Error::Forbidden(
                "only an administrator signs the server's pins".into(),
            ));
        }
        if pins.is_empty() || pins.len() > komora_protocol::code::MAX_LINK_PINS {
            return Err(Error::validation("pins", "give 1 to 4 pins for the server"));
        }
        let statement = self.sign_server_pins(pins)?;
        let req = komora_protocol::RosterAppend {
            statements: vec![Bytes(statement.clone())],
        };
        let sent = Session::new(transport, SyncOptions::default())
            .call(&*self, |t, token| t.roster_append(token, &req));
        self.end_if_revoked(sent)?;
        let mut kept = self.roster_statements()?;
        kept.push(statement);
        self.keep_roster_statements(kept)?;
        self.adopt_signed_pins()?;
        Ok(())
    }

    /// A `ServerPins` statement for `pins`, signed by this administrator's device, its serial
    /// this device's clock (the highest serial holds; a later announcement replaces it).
    fn sign_server_pins(&self, pins: &[CertificatePin]) -> Result<Vec<u8>> {
        let team = self.sync_settings()?.team_id;
        Ok(crate::roster::sign(
            self.store.signer(),
            &Statement::ServerPins {
                team,
                issuer: Id16(*self.device_id().as_bytes()),
                serial: self.now_ms(),
                pins: pins.iter().map(ToString::to_string).collect(),
            },
        )
        .0)
    }
}
