//! Several teams on one device (ADR 0011): one vault per team, the first in the vault
//! directory, each other one in `teams/<name>/` beside it. One passphrase opens them all.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use komora_core::{Error, RecordId, SyncOptions, Vault, VaultOptions};
use serde_json::json;

use crate::{output, passphrase, progress, transport, Failure};

#[derive(Subcommand)]
pub enum TeamCommand {
    /// Create another team of the organisation (administrators). Its vault is made beside this
    /// one, under the same passphrase; give it to other commands with --vault.
    Create { name: String },
    /// The teams this device belongs to, each with its vault.
    List,
}

/// The device's home: the first team's vault directory, whichever team's vault `dir` is.
pub fn home(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(parent) if parent.file_name().is_some_and(|n| n == "teams") => parent
            .parent()
            .map_or_else(|| dir.to_owned(), Path::to_owned),
        _ => dir.to_owned(),
    }
}

/// Where the vault of team `name` goes on this device.
pub fn team_dir(home: &Path, name: &str) -> Result<PathBuf, Failure> {
    let slug: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        return Err(Failure(
            "give the team a name with letters or digits".into(),
            2,
        ));
    }
    Ok(home.join("teams").join(slug))
}

/// Every team vault of this device: the home one first, then `teams/*`.
fn vault_dirs(home: &Path) -> Vec<PathBuf> {
    let mut out = vec![home.to_owned()];
    if let Ok(entries) = std::fs::read_dir(home.join("teams")) {
        let mut more: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| Vault::exists(p))
            .collect();
        more.sort();
        out.extend(more);
    }
    out
}

pub fn team_command(dir: &Path, cmd: TeamCommand, out: &output::Output) -> Result<(), Failure> {
    let pass = passphrase(false)?;
    match cmd {
        TeamCommand::Create { name } => {
            let mut vault = Vault::open(dir, &pass, VaultOptions::default())?;
            let mut t = transport(&vault.sync_settings()?)?;
            let new_dir = team_dir(&home(dir), &name)?;
            let created =
                vault.create_team(&mut t, &new_dir, &pass, &name, VaultOptions::default())?;
            out.enrolled(&new_dir, &created)?;
        }
        TeamCommand::List => {
            let mut rows = Vec::new();
            for d in vault_dirs(&home(dir)) {
                let row = match Vault::open(&d, &pass, VaultOptions::default()) {
                    Ok(v) => match v.sync_settings() {
                        Ok(s) => json!({
                            "team": s.team_name, "role": s.role.as_str(),
                            "device_id": v.device_id().to_string(), "vault": d,
                        }),
                        Err(_) => json!({ "team": null, "vault": d, "note": "no server team" }),
                    },
                    Err(e) => json!({ "team": null, "vault": d, "note": e.to_string() }),
                };
                rows.push(row);
            }
            out.teams(&rows);
        }
    }
    Ok(())
}

/// This device's vault of team `name`, other than the one in `dir`, if it has one.
pub fn open_team(dir: &Path, name: &str, pass: &str) -> Result<Option<Vault>, Failure> {
    for d in vault_dirs(&home(dir)) {
        if d == dir {
            continue;
        }
        if let Ok(v) = Vault::open(&d, pass, VaultOptions::default()) {
            if v.sync_settings()
                .is_ok_and(|s| s.team_name.trim().eq_ignore_ascii_case(name.trim()))
            {
                return Ok(Some(v));
            }
        }
    }
    Ok(None)
}

/// After the first team of this device was re-attached to a rebuilt server (`komora admin
/// reattach`), give it this device's other teams it administers, each with the new key's pin
/// signed by its own administrator identity, and fill the server with each. Teams this device
/// does not administer are left to their administrators (said, not failed).
pub fn reattach_others(
    first: &mut Vault,
    dir: &Path,
    pass: &str,
    pin: Option<komora_core::CertificatePin>,
    out: &output::Output,
) -> Result<(), Failure> {
    for d in vault_dirs(&home(dir)) {
        if d == dir {
            continue;
        }
        let Ok(mut other) = Vault::open(&d, pass, VaultOptions::default()) else {
            continue;
        };
        let Ok(settings) = other.sync_settings() else {
            continue;
        };
        if settings.role != komora_core::Role::Admin {
            eprintln!(
                "team {}: this device is not its administrator; its administrator re-attaches it",
                settings.team_name
            );
            continue;
        }
        let mut t = transport(&first.sync_settings()?)?;
        first.reattach_team(&mut t, &mut other, pin)?;
        let mut t = transport(&other.sync_settings()?)?;
        let mut bar = progress::ProgressLine::new(!out.json);
        let report = other.sync(&mut t, &SyncOptions::default(), &mut |p| bar.show(p));
        bar.finish();
        out.synced(&report?, &other.sync_status()?);
    }
    Ok(())
}

/// `komora case transfer CASE --team NAME`: copy the case's files into this device's vault of
/// team NAME, send the copy, then erase the files here and send the erasure. Stops before
/// erasing anything if the copy could not be sent.
pub fn transfer(
    dir: &Path,
    case: &str,
    team: &str,
    yes: bool,
    out: &output::Output,
) -> Result<(), Failure> {
    let case: RecordId = case.parse()?;
    let pass = passphrase(false)?;
    let mut source = Vault::open(dir, &pass, VaultOptions::default())?;
    let here = source.sync_settings()?;
    let Some(mut target) = open_team(dir, team, &pass)? else {
        return Err(Failure(
            format!("this device has no vault of team '{team}' (see `komora team list`)"),
            2,
        ));
    };
    let clients = source.case(case)?.clients;
    if !yes {
        return Err(Failure(
            format!(
                "this moves the files of {} client(s) to team '{team}' and then ERASES them \
                 from team '{}' (every tablet of it, as it syncs); run again with --yes",
                clients.len(),
                here.team_name
            ),
            2,
        ));
    }
    let moved = source.copy_case_files(case, &mut target)?;
    let mut t = transport(&target.sync_settings()?)?;
    if let Err(e) = target.sync(&mut t, &SyncOptions::default(), &mut |_| {}) {
        return Err(Failure(
            format!(
                "the copy is saved in team '{team}' on this device but could not be sent ({e}); \
                 nothing was erased from team '{}': run the same command again when online",
                here.team_name
            ),
            7,
        ));
    }
    for c in &moved.clients {
        match source.erase_client(*c, "transferred") {
            Ok(_) | Err(Error::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut t = transport(&here)?;
    let sent = source
        .sync(&mut t, &SyncOptions::default(), &mut |_| {})
        .is_ok();
    out.transferred(&moved, team, &here.team_name, sent);
    Ok(())
}
