//! Raising the team's record format (issue 17, item 4; ADR 0016): an administrator signs it
//! once every device of the team reads it, so a new kind of record or a new field never
//! reaches a tablet whose app cannot open it. See `crate::format` for what each format brings.

use komora_protocol::roster::Statement;
use komora_protocol::{Bytes, Id16, Role};

use super::fleet::FleetDevice;
use super::transport::Transport;
use super::{Session, SyncOptions};
use crate::error::{Error, Result};
use crate::format::FIRST_FORMAT;
use crate::vault::Vault;

/// What raising the team's format did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatRaise {
    /// The team writes this format from now on.
    Raised { version: u32 },
    /// The team is at this format or above already: nothing signed.
    Already { version: u32 },
    /// Devices of the team (not revoked) whose app does not say it reads the format: update
    /// them first (or raise anyway, and they stop reading until updated). Nothing signed.
    NotReady { devices: Vec<FleetDevice> },
}

impl Vault {
    /// The team's record format: the highest an administrator signed that this vault has seen
    /// (a later list never lowers it here, even if the administrator who raised it is revoked
    /// since). A vault with no team is at the first format.
    pub fn team_format(&self) -> Result<u32> {
        Ok(self.store.team_format()?.unwrap_or(FIRST_FORMAT))
    }

    /// The newest team format this tablet's app reads (`VaultOptions::app_format`).
    pub fn app_format(&self) -> u32 {
        self.app_format
    }

    /// Raise the team's format to `version`, once every device of the team (not revoked)
    /// says its app reads it; with `force`, even if some do not (they send what they hold,
    /// then stop reading until updated). Administrators only; never above what this app
    /// reads, never lower than it is.
    pub fn raise_team_format(
        &mut self,
        transport: &mut dyn Transport,
        version: u32,
        force: bool,
    ) -> Result<FormatRaise> {
        if self.sync_settings()?.role != Role::Admin {
            return Err(Error::Forbidden(
                "only an administrator raises the team's format".into(),
            ));
        }
        if version > self.app_format || version < FIRST_FORMAT {
            return Err(Error::validation(
                "format",
                format!(
                    "this app writes formats {FIRST_FORMAT} to {}: update it first",
                    self.app_format
                ),
            ));
        }
        let current = self.team_format()?;
        if version <= current {
            return Ok(FormatRaise::Already { version: current });
        }
        let behind: Vec<FleetDevice> = self
            .fleet(transport)?
            .devices
            .into_iter()
            .filter(|d| !d.revoked && d.report.as_ref().is_none_or(|r| r.format < version))
            .collect();
        if !behind.is_empty() && !force {
            return Ok(FormatRaise::NotReady { devices: behind });
        }
        self.announce_format(transport, version)?;
        Ok(FormatRaise::Raised { version })
    }

    /// Sign the team's format and give it to the server with the team's list.
    pub(crate) fn announce_format(
        &mut self,
        transport: &mut dyn Transport,
        version: u32,
    ) -> Result<()> {
        let statement = crate::roster::sign(
            self.store.signer(),
            &Statement::Format {
                team: self.sync_settings()?.team_id,
                issuer: Id16(*self.device_id().as_bytes()),
                version,
            },
        )
        .0;
        let req = komora_protocol::RosterAppend {
            statements: vec![Bytes(statement.clone())],
        };
        let sent = Session::new(transport, SyncOptions::default())
            .call(&*self, |t, token| t.roster_append(token, &req));
        self.end_if_revoked(sent)?;
        let mut kept = self.roster_statements()?;
        kept.push(statement);
        self.keep_roster_statements(kept)
    }

    /// A new team starts at the newest format its founder's app writes (every device that
    /// joins it later runs an app at least as new, or is told to update). Best effort: a
    /// network failure leaves the team at the first format, to be raised by hand.
    pub(crate) fn found_at_app_format(&mut self, transport: &mut dyn Transport) -> Result<()> {
        if self.app_format <= FIRST_FORMAT {
            return Ok(());
        }
        match self.announce_format(transport, self.app_format) {
            Ok(()) | Err(Error::Network(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// After revoking an administrator, sign the team's format again: a format stands only
    /// while an administrator who signed it is a member (so a revoked tablet cannot raise
    /// it), and tablets enrolled later must still learn it.
    pub(crate) fn resign_format(&mut self, transport: &mut dyn Transport) -> Result<()> {
        let format = self.team_format()?;
        let listed = self
            .store
            .roster
            .as_ref()
            .map_or(FIRST_FORMAT, |r| r.format());
        if format > listed {
            match self.announce_format(transport, format) {
                Ok(()) | Err(Error::Network(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
