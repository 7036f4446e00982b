//! `komora`: the command line over Komora's core. Administrators and test scripts rely on its
//! command names, flags and `--json` output; keep them stable.
//!
//! Exit codes: 0 success; 2 bad usage or invalid input; 3 wrong passphrase or locked; 4 unknown
//! id or missing vault; 5 corrupted or tampered data; 6 revoked; 7 network or server trouble;
//! 8 this app is too old for the server or the team (update it; nothing is lost); 1 anything
//! else. Errors are one line on stderr and never hold a record's content.

mod casework;
mod content;
mod output;
mod passphrase;
mod progress;
mod rights;
mod table;
mod teams;
mod xlsx;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use komora_core::{
    CertificatePin, ClientEdit, DeviceId, Error, HttpTransport, LocationInput, NewClient, RecordId,
    Role, Sex, Summary, SyncOptions, SyncSettings, Vault, VaultOptions, MAX_BATCH_BYTES,
};

#[derive(Parser)]
#[command(
    name = "komora",
    version,
    about = "Komora: encrypted, offline-first case work for AMI's counsellors"
)]
struct Cli {
    /// The vault directory.
    #[arg(long, global = true, env = "KOMORA_VAULT", value_name = "DIR")]
    vault: Option<PathBuf>,
    /// Machine-readable output.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new vault (this device's encrypted store) for a new team, without a server.
    Init,
    /// Record, find and change clients.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Set up the organisation on a new sync server.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Invite, list and revoke devices.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Several teams on this device: create one (administrators), list them.
    #[command(subcommand)]
    Team(teams::TeamCommand),
    /// Create this device's vault from an enrolment code.
    Enroll {
        #[arg(long, value_name = "URL")]
        server: String,
        #[arg(long)]
        code: String,
        /// The pin of the server's certificate (sha256/..., in the enrolment link): this
        /// device then trusts exactly that key for the server. Repeatable.
        #[arg(long = "pin", value_name = "PIN")]
        pins: Vec<String>,
        /// Join another team on a device that already has a vault: the new vault goes in
        /// `teams/NAME` beside the first one.
        #[arg(long, value_name = "NAME")]
        team: Option<String>,
    },
    /// Send what the server lacks and receive what this device lacks.
    Sync,
    /// Exchange operations with another tablet of the team by file (a USB stick, no network).
    #[command(subcommand)]
    Ops(OpsCommand),
    /// This device, its role, the last successful sync and the changes waiting.
    Status,
    /// The server's health as it says it: whether it runs and its backups' state (JSON).
    ServerHealth,
    /// Open, change and close cases; raise risk flags.
    #[command(subcommand)]
    Case(casework::CaseCommand),
    /// Record sessions and home visits.
    #[command(subcommand)]
    Session(casework::SessionCommand),
    /// Give instruments (PHQ-9, WHO-5, SRQ-20, PCL-5) and follow scores over time.
    #[command(subcommand)]
    Measure(casework::MeasureCommand),
    /// Refer clients to partners and follow the referrals up.
    #[command(subcommand)]
    Referral(casework::ReferralCommand),
    /// Record consent given or withdrawn.
    #[command(subcommand)]
    Consent(casework::ConsentCommand),
    /// Supervisor reviews, the review queue and the counsellor's answers.
    #[command(subcommand)]
    Review(casework::ReviewCommand),
    /// Healing groups and dialogue spaces: cycles, sessions, attendance.
    #[command(subcommand)]
    Group(casework::GroupCommand),
    /// This counsellor's cases, urgent first.
    Caseload(casework::CaseloadArgs),
    /// Everything that concerns a client, newest first.
    Timeline { client: String },
    /// Appointments and referral follow-ups due (and overdue).
    Followups {
        /// Look this many days ahead.
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// Every counsellor's, not only this device's.
        #[arg(long)]
        all: bool,
    },
    /// Write the anonymous aggregate report, small numbers shown as <5: CSV, or XLSX or a
    /// one-page HTML summary with charts when the file name ends in .xlsx or .html.
    Report(casework::ReportArgs),
    /// Device policies set by an administrator.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Client files past their retention period (data/retention.json), and erasing them.
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// The audit trail: who created, changed, viewed and exported which record, and when.
    #[command(subcommand)]
    Audit(casework::AuditCommand),
    /// Cut-off sets from their sources (one per instrument for the team) and content packs.
    #[command(subcommand)]
    Instruments(content::InstrumentsCommand),
    /// The translators' workflow: instrument texts as gettext PO, and back as a content pack.
    #[command(subcommand)]
    Translations(content::TranslationsCommand),
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// The rules in force and the client files now due for destruction.
    Due,
    /// Erase every file now due (supervisors and administrators; cannot be undone).
    Apply {
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Erase this vault after N wrong passphrases in a row (`off` to never erase).
    WipeAfter { failures: String },
    /// Set the team's policy (administrators): every tablet follows it after its next sync.
    Set {
        /// Lock a tablet after this many idle minutes at most (1-60, or `off`).
        #[arg(long)]
        auto_lock: Option<String>,
        /// Erase a tablet after this many wrong PINs in a row (or `off`).
        #[arg(long)]
        wipe_after: Option<String>,
    },
    /// The team's policy in force on this device.
    Show,
}

#[derive(Subcommand)]
enum OpsCommand {
    /// Write what this vault holds (no content: device ids and counters) for another tablet.
    Summary {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write the operations another tablet lacks (all of them without --for), sealed as stored.
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The other tablet's summary file.
        #[arg(long = "for", value_name = "SUMMARY")]
        for_summary: Option<PathBuf>,
    },
    /// Merge the operations of a file made by `komora ops export`.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create the first administrator's vault with the server's bootstrap code.
    Bootstrap {
        #[arg(long, value_name = "URL")]
        server: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        org: String,
        #[arg(long)]
        team: String,
        /// The pin the server printed (`certificate pin: sha256/...`); leave it out only for
        /// a certificate from a public authority. Repeatable.
        #[arg(long = "pin", value_name = "PIN")]
        pins: Vec<String>,
    },
    /// Give a rebuilt, empty server (lost with no backup) this team back: the team's signed
    /// list and, when it serves a new key, that key's pin signed for every tablet. Then this
    /// tablet syncs and fills it; every other tablet does the same at its next sync. The
    /// device's other teams it administers come back with it.
    Reattach {
        #[arg(long, value_name = "URL")]
        server: String,
        /// The code the new server printed at its first start.
        #[arg(long)]
        code: String,
        /// The new server's pin (`certificate pin: sha256/...`).
        #[arg(long, value_name = "PIN")]
        pin: Option<String>,
    },
    /// Sign the pins the team's tablets trust for the server from now on: the current key and
    /// the next, ahead of a certificate change. Repeatable.
    ServerPins {
        #[arg(long = "pin", value_name = "PIN", required = true)]
        pins: Vec<String>,
    },
    /// The team's record format: what it is, what this app writes, which tablets cannot read
    /// the next one yet; with --raise, raise it once every tablet reads it (new kinds of
    /// record and fields are written only then).
    Format {
        /// The format to raise the team to.
        #[arg(long, value_name = "N")]
        raise: Option<u32>,
        /// Raise it even though some tablets cannot read it yet: they send what they hold,
        /// then stop reading until their app is updated.
        #[arg(long, requires = "raise")]
        force: bool,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Make a one-time enrolment code for a new device.
    Invite {
        #[arg(long, value_parser = ["counsellor", "supervisor", "admin", "data_officer"])]
        role: String,
        /// The team (defaults to this device's team).
        #[arg(long)]
        team: Option<String>,
        /// How long the code stays valid.
        #[arg(long, default_value_t = 72)]
        valid_hours: u64,
    },
    /// The devices of this team.
    List,
    /// Revoke a device (lost, stolen, or handed back): the server refuses it from now on, the
    /// team moves to a new key it never receives, and operations it numbers after the last one
    /// the team received are refused everywhere.
    Revoke { id: String },
    /// Hand this tablet back (someone leaving): send everything it holds, sign its last
    /// operation, record nothing more. An administrator then revokes it.
    Retire {
        /// Confirm: this tablet will record nothing more.
        #[arg(long)]
        yes: bool,
    },
    /// Which client files a device held as of its last sync (a lost or stolen tablet, for
    /// the breach notification), from the audit and the server's word on its last sync.
    Exposure {
        id: String,
        /// The device's last sync (ms since 1970) when the server cannot be asked.
        #[arg(long, value_name = "MS")]
        as_of: Option<u64>,
    },
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Record a new client; prints its id.
    Add(ClientFields),
    /// List every client.
    List,
    /// Find clients by name or code (case and accents do not matter).
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Show one client.
    Show { id: String },
    /// Change a client's fields.
    Edit {
        id: String,
        #[command(flatten)]
        fields: EditFields,
    },
    /// Delete a client (its history stays in the log).
    Delete { id: String },
    /// Erase a client's whole file for good, on every tablet and the server (supervisors and
    /// administrators). Nobody can read it afterwards; the audit keeps that it happened.
    Erase {
        id: String,
        /// client-request, retention or recorded-by-mistake.
        #[arg(long)]
        reason: String,
        /// Confirm: erasing cannot be undone.
        #[arg(long)]
        yes: bool,
    },
    /// The client files erased so far: when, why and by which device.
    Erasures,
    /// Every value a field has had, with author device and time, concurrent values included.
    History { id: String, field: String },
    /// Record that another client is a relative or household member (`--relation parent`
    /// means OTHER is the parent of ID).
    Link {
        id: String,
        #[arg(long = "to", value_name = "OTHER")]
        other: String,
        /// spouse, parent, child, sibling, guardian, ward, relative or household-member.
        #[arg(long)]
        relation: String,
    },
    /// Remove the links between two clients.
    Unlink {
        id: String,
        #[arg(long = "from", value_name = "OTHER")]
        other: String,
    },
    /// A client's relatives and household members.
    Household { id: String },
    /// Everything that concerns a client, newest first (same as `komora timeline`).
    Timeline { id: String },
    /// Give a client their own file (rights of access and portability): `--review` prints the
    /// free texts to decide on; `--out DIR` writes file.html and file.json with the
    /// decisions applied (supervisors and administrators; audited).
    Export(rights::ExportArgs),
    /// Record a rectification request or an objection, as the person made it.
    Request(rights::RequestArgs),
    /// Decide a request: granted, refused (say why) or withdrawn (the client lifted it).
    Decide {
        request: String,
        #[arg(long)]
        decision: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// A client's rectification requests and objections.
    Requests { id: String },
}

#[derive(Args)]
struct ClientFields {
    #[arg(long)]
    name: String,
    /// Pseudonymous code used instead of the name on paper and in reports.
    #[arg(long)]
    code: Option<String>,
    /// F or M.
    #[arg(long)]
    sex: Option<String>,
    #[arg(long)]
    birth_year: Option<u16>,
    #[arg(long)]
    phone: Option<String>,
    #[command(flatten)]
    location: LocationArgs,
    /// A target group id (repeat for several); see the README for the list.
    #[arg(long = "group", value_name = "GROUP")]
    groups: Vec<String>,
}

#[derive(Args)]
struct LocationArgs {
    #[arg(long)]
    district: Option<String>,
    #[arg(long)]
    sector: Option<String>,
    #[arg(long)]
    cell: Option<String>,
    #[arg(long)]
    village: Option<String>,
}

#[derive(Args)]
struct EditFields {
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    code: Option<String>,
    #[arg(long)]
    sex: Option<String>,
    #[arg(long)]
    birth_year: Option<u16>,
    #[arg(long)]
    phone: Option<String>,
    #[command(flatten)]
    location: LocationArgs,
    #[arg(long = "add-group", value_name = "GROUP")]
    add_groups: Vec<String>,
    #[arg(long = "remove-group", value_name = "GROUP")]
    remove_groups: Vec<String>,
    /// Clear a field: code, sex, birth_year, phone or location (repeatable).
    #[arg(long = "clear", value_name = "FIELD")]
    clear: Vec<String>,
}

/// A failure to report: the message and the exit code.
pub(crate) struct Failure(pub(crate) String, pub(crate) u8);

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::Validation { .. }
            | Error::InvalidId { .. }
            | Error::UnknownField(_)
            | Error::InvalidCode
            | Error::PlainHttp
            | Error::ConsentWithdrawn { .. }
            | Error::Objected { .. } => 2,
            Error::WrongPassphrase
            | Error::LockedOut { .. }
            | Error::PlatformKeyUnavailable
            | Error::Unauthenticated
            | Error::Forbidden(_) => 3,
            Error::NotFound(_) | Error::VaultNotFound(_) | Error::NotEnrolled => 4,
            Error::Corrupted { .. }
            | Error::TooNew { .. }
            | Error::NotABatch
            | Error::UntrustedServer => 5,
            Error::HandedBack => 3,
            Error::InUse => 9,
            Error::Revoked | Error::ErasedAfterFailures => 6,
            Error::Network(_)
            | Error::RateLimited
            | Error::Server(_)
            | Error::RevocationUnproven => 7,
            Error::UpdateRequired => 8,
            _ => 1,
        };
        let hint = match &e {
            Error::VaultNotFound(_) => " (create one with `komora init`)",
            _ => "",
        };
        Failure(format!("{e}{hint}"), code)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg, code)) => {
            eprintln!("komora: {msg}");
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let dir = vault_dir(cli.vault)?;
    let out = output::Output { json: cli.json };
    match cli.command {
        Command::Init => {
            let pass = passphrase(true)?;
            let vault = Vault::create(&dir, &pass, VaultOptions::default())?;
            out.created_vault(&dir, vault.device_id());
        }
        Command::Client(cmd) => client_command(&mut unlock(&dir)?, cmd, &out)?,
        Command::Admin(AdminCommand::Bootstrap {
            server,
            code,
            org,
            team,
            pins,
        }) => {
            let pass = passphrase(true)?;
            let mut t = new_server(&server, &pins)?;
            let vault = Vault::bootstrap(
                &dir,
                &pass,
                &mut t,
                &server,
                &code,
                &org,
                &team,
                VaultOptions::default(),
            )?;
            out.enrolled(&dir, &vault)?;
        }
        Command::Admin(AdminCommand::Reattach { server, code, pin }) => {
            let pass = passphrase(false)?;
            let mut vault = Vault::open(&dir, &pass, VaultOptions::default())?;
            let pin = pin
                .map(|p| p.parse::<CertificatePin>())
                .transpose()
                .map_err(|e| Failure(format!("--pin: {e}"), 2))?;
            let mut t = new_server(
                &server,
                &pin.iter().map(ToString::to_string).collect::<Vec<_>>(),
            )?;
            vault.reattach(&mut t, &server, &code, pin)?;
            let mut t = transport(&vault.sync_settings()?)?;
            let mut bar = progress::ProgressLine::new(!out.json);
            let report = vault.sync(&mut t, &SyncOptions::default(), &mut |p| bar.show(p));
            bar.finish();
            out.synced(&revocation_checked(report, &dir)?, &vault.sync_status()?);
            // The device's other teams it administers come back with the first.
            teams::reattach_others(&mut vault, &dir, &pass, pin, &out)?;
        }
        Command::Admin(AdminCommand::ServerPins { pins }) => {
            let mut vault = unlock(&dir)?;
            let pins = pins
                .iter()
                .map(|p| p.parse::<CertificatePin>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Failure(format!("--pin: {e}"), 2))?;
            let mut t = transport(&vault.sync_settings()?)?;
            revocation_checked(vault.announce_server_pins(&mut t, &pins), &dir)?;
            out.record(serde_json::json!({
                "server_pins": pins.iter().map(ToString::to_string).collect::<Vec<_>>()
            }));
        }
        Command::Admin(AdminCommand::Format { raise, force }) => {
            let mut vault = unlock(&dir)?;
            let mut t = transport(&vault.sync_settings()?)?;
            match raise {
                None => {
                    let fleet = revocation_checked(vault.fleet(&mut t), &dir)?;
                    out.team_format(&vault, &fleet)?;
                }
                Some(version) => {
                    let raised =
                        revocation_checked(vault.raise_team_format(&mut t, version, force), &dir)?;
                    out.format_raised(&raised)?;
                }
            }
        }
        Command::Enroll {
            server,
            code,
            pins,
            team,
        } => {
            let dir = match team {
                Some(name) => teams::team_dir(&teams::home(&dir), &name)?,
                None => dir,
            };
            let pass = passphrase(true)?;
            let mut t = new_server(&server, &pins)?;
            let vault =
                Vault::enroll(&dir, &pass, &mut t, &server, &code, VaultOptions::default())?;
            out.enrolled(&dir, &vault)?;
        }
        Command::Team(cmd) => teams::team_command(&dir, cmd, &out)?,
        Command::Case(casework::CaseCommand::Transfer { case, team, yes }) => {
            teams::transfer(&dir, &case, &team, yes, &out)?
        }
        Command::Device(cmd) => {
            let mut vault = unlock(&dir)?;
            // `--team NAME` of another team of this device: that team's vault invites.
            if let DeviceCommand::Invite {
                team: Some(team), ..
            } = &cmd
            {
                let here = vault.sync_settings()?.team_name;
                if !team.trim().eq_ignore_ascii_case(here.trim()) {
                    if let Some(other) = teams::open_team(&dir, team, &passphrase(false)?)? {
                        vault = other;
                    }
                }
            }
            device_command(&mut vault, cmd, &out, &dir)?
        }
        Command::Sync => {
            let mut vault = unlock(&dir)?;
            let mut t = transport(&vault.sync_settings()?)?;
            let mut bar = progress::ProgressLine::new(!out.json);
            let mut report = vault.sync(&mut t, &SyncOptions::default(), &mut |p| bar.show(p));
            // A server on a key this tablet does not know: trust it only if an administrator
            // signed its pin (a rebuilt server), then sync again.
            if let Err(Error::UntrustedServer) = report {
                if vault.recover_server_pins().unwrap_or(false) {
                    let mut t = transport(&vault.sync_settings()?)?;
                    report = vault.sync(&mut t, &SyncOptions::default(), &mut |p| bar.show(p));
                }
            }
            bar.finish();
            out.synced(&revocation_checked(report, &dir)?, &vault.sync_status()?);
        }
        Command::Status => {
            let vault = unlock(&dir)?;
            out.status(&vault.sync_status()?, &vault.contested()?)
        }
        Command::ServerHealth => {
            let vault = unlock(&dir)?;
            let mut t = transport(&vault.sync_settings()?)?;
            let health = komora_core::Transport::health(&mut t).map_err(Error::from)?;
            out.print_json(health);
        }
        Command::Ops(cmd) => ops_command(&mut unlock(&dir)?, cmd, &out)?,
        Command::Case(cmd) => casework::case_command(&mut unlock(&dir)?, cmd, &out)?,
        Command::Session(cmd) => casework::session_command(&mut unlock(&dir)?, cmd, &out)?,
        Command::Measure(cmd) => casework::measure_command(&mut unlock(&dir)?, cmd, &out)?,
        Command::Referral(cmd) => casework::referral_command(&mut unlock(&dir)?, cmd, &out)?,
        Command::Consent(cmd) => casework::consent_command(&mut unlock(&dir)?, cmd, &out)?,
        Command::Review(cmd) => casework::review_command(&mut unlock(&dir)?, cmd, &out)?,
        Command::Group(cmd) => casework::group_command(&mut unlock(&dir)?, cmd, &out)?,
        Command::Caseload(args) => casework::caseload(&unlock(&dir)?, args, &out)?,
        Command::Timeline { client } => casework::timeline(&unlock(&dir)?, &client, &out)?,
        Command::Followups { days, all } => casework::follow_ups(&unlock(&dir)?, days, all, &out)?,
        Command::Report(args) => casework::report(&mut unlock(&dir)?, args, &out)?,
        Command::Policy(PolicyCommand::WipeAfter { failures }) => {
            let n = number_or_off(&failures, "give a number of attempts, or off")?;
            unlock(&dir)?.set_wipe_after_failures(n)?;
            out.record(serde_json::json!({ "wipe_after_failures": n }));
        }
        Command::Policy(PolicyCommand::Set {
            auto_lock,
            wipe_after,
        }) => {
            let mut vault = unlock(&dir)?;
            let mut policy = vault.team_policy()?;
            if let Some(m) = auto_lock {
                policy.auto_lock_minutes = number_or_off(&m, "give minutes, or off")?;
            }
            if let Some(n) = wipe_after {
                policy.wipe_after_failures =
                    number_or_off(&n, "give a number of attempts, or off")?;
            }
            vault.set_team_policy(&policy)?;
            out.record(policy_json(&policy));
        }
        Command::Retention(RetentionCommand::Due) => {
            let vault = unlock(&dir)?;
            let due: Vec<_> = vault
                .retention_due()?
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "client": d.client.to_string(),
                        "last_change": d.last_change.to_string(),
                        "due_since": d.due_since.to_string(),
                    })
                })
                .collect();
            let rules = komora_core::retention_rules();
            out.record(serde_json::json!({
                "rules": rules.rules.iter().map(|r| serde_json::json!({
                    "record": r.record, "keep_years": r.keep_years,
                    "counted_from": r.counted_from, "unless": r.unless, "then": r.then,
                })).collect::<Vec<_>>(),
                "due": due,
            }));
        }
        Command::Retention(RetentionCommand::Apply { yes }) => {
            if !yes {
                return Err(Failure(
                    "erasing files cannot be undone: add --yes to confirm".into(),
                    2,
                ));
            }
            let erased = unlock(&dir)?.apply_retention()?;
            out.erasures(&erased);
        }
        Command::Policy(PolicyCommand::Show) => {
            out.record(policy_json(&unlock(&dir)?.team_policy()?))
        }
        Command::Audit(cmd) => casework::audit_command(&mut unlock(&dir)?, cmd, &out)?,
        Command::Instruments(cmd) => content::instruments_command(&mut unlock(&dir)?, cmd, &out)?,
        Command::Translations(cmd) => content::translations_command(&mut unlock(&dir)?, cmd, &out)?,
    }
    Ok(())
}

fn number_or_off(text: &str, what: &str) -> Result<Option<u32>, Failure> {
    match text {
        "off" => Ok(None),
        n => n
            .parse::<u32>()
            .map(Some)
            .map_err(|_| Failure(what.into(), 2)),
    }
}

fn policy_json(p: &komora_core::TeamPolicy) -> serde_json::Value {
    serde_json::json!({
        "auto_lock_minutes": p.auto_lock_minutes,
        "wipe_after_failures": p.wipe_after_failures,
    })
}

fn unlock(dir: &std::path::Path) -> Result<Vault, Failure> {
    let pass = passphrase(false)?;
    Ok(Vault::open(dir, &pass, VaultOptions::default())?)
}

/// A connection to a server this device is not enrolled with yet (enrolment, bootstrap),
/// trusting exactly `pins` (the public authorities when none is given). Plain `http://` to
/// another machine is refused here, before any connection.
fn new_server(server: &str, pins: &[String]) -> Result<HttpTransport, Failure> {
    let pins = pins
        .iter()
        .map(|p| p.parse::<CertificatePin>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure(format!("--pin: {e}"), 2))?;
    HttpTransport::pinned(server, &pins).map_err(|e| Error::from(e).into())
}

/// A connection to this vault's server, trusting what its enrolment pinned.
pub(crate) fn transport(settings: &SyncSettings) -> Result<HttpTransport, Failure> {
    Ok(settings.transport()?)
}

pub(crate) fn read_file(path: &std::path::Path, max: usize) -> Result<Vec<u8>, Failure> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Failure(format!("cannot read {}: {}", path.display(), e.kind()), 2))?;
    if meta.len() > max as u64 {
        return Err(Failure(
            format!("{} is too large to be a Komora file", path.display()),
            2,
        ));
    }
    std::fs::read(path)
        .map_err(|e| Failure(format!("cannot read {}: {}", path.display(), e.kind()), 2))
}

/// Write a file the command makes (a report, the audit, a batch of operations, a summary):
/// new, and readable by this user only (0600 on Unix: a report and the audit are in clear, a
/// batch may still hold an erased file's key until deleted).
pub(crate) fn write_new_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).map_err(|e| {
        Failure(
            format!(
                "cannot create {}: {} (it must not exist yet)",
                path.display(),
                e.kind()
            ),
            2,
        )
    })?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Failure(format!("cannot write {}: {}", path.display(), e.kind()), 1))
}

fn ops_command(vault: &mut Vault, cmd: OpsCommand, out: &output::Output) -> Result<(), Failure> {
    match cmd {
        OpsCommand::Summary { out: path } => {
            write_new_file(&path, &vault.summary()?.to_bytes())?;
            out.wrote(&path, None);
        }
        OpsCommand::Export {
            out: path,
            for_summary,
        } => {
            let theirs = match for_summary {
                Some(p) => Summary::from_bytes(&read_file(&p, 16 * 1024 * 1024)?)?,
                None => Summary::default(),
            };
            let (file, ops) = vault.export_batch(&theirs)?;
            write_new_file(&path, &file)?;
            out.wrote(&path, Some(ops));
        }
        OpsCommand::Import { file } => {
            let bytes = read_file(&file, MAX_BATCH_BYTES)?;
            out.imported(&vault.import_batch(&bytes)?);
        }
    }
    Ok(())
}

fn device_command(
    vault: &mut Vault,
    cmd: DeviceCommand,
    out: &output::Output,
    dir: &Path,
) -> Result<(), Failure> {
    // Answered from the audit; the server is asked only when --as-of is not given.
    if let DeviceCommand::Exposure { id, as_of } = &cmd {
        return rights::exposure(vault, id, *as_of, out);
    }
    let settings = vault.sync_settings()?;
    let mut t = transport(&settings)?;
    match cmd {
        DeviceCommand::Invite {
            role,
            team,
            valid_hours,
        } => {
            if let Some(team) = team {
                if !team.trim().eq_ignore_ascii_case(&settings.team_name) {
                    return Err(Failure(
                        format!(
                            "this device has no vault of team '{team}' (it is in team '{}'; see `komora team list`)",
                            settings.team_name
                        ),
                        2,
                    ));
                }
            }
            let role = Role::parse(&role).expect("clap checked the role");
            let invitation = vault.invite(
                &mut t,
                role,
                std::time::Duration::from_secs(valid_hours.clamp(1, 168) * 3600),
            )?;
            out.invitation(&invitation, &settings.enrolment_link(&invitation.code));
        }
        DeviceCommand::List => {
            let fleet = revocation_checked(vault.fleet(&mut t), dir)?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64);
            out.devices(&fleet, vault.device_id(), now)
        }
        DeviceCommand::Revoke { id } => {
            let id: DeviceId = id.parse()?;
            revocation_checked(vault.revoke_device(&mut t, id), dir)?;
            let last = vault
                .team_devices()
                .into_iter()
                .find(|d| d.id == id)
                .and_then(|d| d.last_counted);
            out.revoked(id, last);
        }
        DeviceCommand::Exposure { .. } => unreachable!("answered above, without a transport"),
        DeviceCommand::Retire { yes } => {
            if !yes {
                return Err(Failure(
                    "handing back stops this tablet from recording anything: add --yes to confirm"
                        .into(),
                    2,
                ));
            }
            let last = revocation_checked(vault.retire(&mut t), dir)?;
            out.retired(last);
        }
    }
    Ok(())
}

/// A remote call's answer, with a proven revocation told as what it did: the core erased the
/// vault (keys first) once the team's signed list proved it; say whether its files are gone.
fn revocation_checked<T>(answer: komora_core::Result<T>, dir: &Path) -> Result<T, Failure> {
    match answer {
        Err(Error::Revoked) => {
            let what = if Vault::exists(dir) {
                "erasing its vault FAILED: delete the folder by hand"
            } else {
                "its vault has been erased from this machine"
            };
            Err(Failure(
                format!("this device has been revoked by an administrator (the team's signed device list says so); {what}"),
                6,
            ))
        }
        other => Ok(other?),
    }
}

fn client_command(
    vault: &mut Vault,
    cmd: ClientCommand,
    out: &output::Output,
) -> Result<(), Failure> {
    match cmd {
        ClientCommand::Add(f) => {
            let new = NewClient {
                name: f.name,
                code: f.code,
                sex: f.sex.as_deref().map(Sex::parse).transpose()?,
                birth_year: f.birth_year,
                phone: f.phone,
                location: location_input(f.location)?,
                target_groups: f.groups,
            };
            let id = vault.add_client(&new)?;
            out.added(id);
        }
        ClientCommand::List => out.clients(&vault.clients()?),
        ClientCommand::Search { query, limit } => {
            let items = vault.search_clients(&query, limit)?;
            out.clients(&komora_core::Listing {
                items,
                unreadable: Vec::new(),
            });
        }
        ClientCommand::Show { id } => out.client(&vault.view_client(parse_id(&id)?)?),
        ClientCommand::Edit { id, fields } => {
            let id = parse_id(&id)?;
            let edit = client_edit(fields)?;
            if edit.is_empty() {
                return Err(Failure(
                    "nothing to change: give at least one field".into(),
                    2,
                ));
            }
            vault.edit_client(id, &edit)?;
            out.client(&vault.client(id)?);
        }
        ClientCommand::Delete { id } => {
            let id = parse_id(&id)?;
            vault.delete_client(id)?;
            out.deleted(id);
        }
        ClientCommand::Erase { id, reason, yes } => {
            let id = parse_id(&id)?;
            if !yes {
                return Err(Failure(
                    "erasing a client's file cannot be undone: add --yes to confirm".into(),
                    2,
                ));
            }
            let erasure = vault.erase_client(id, &reason)?;
            out.erasures(std::slice::from_ref(&erasure));
        }
        ClientCommand::Erasures => out.erasures(&vault.erasures()?),
        ClientCommand::History { id, field } => {
            out.history(&vault.client_history(parse_id(&id)?, &field)?)
        }
        ClientCommand::Link {
            id,
            other,
            relation,
        } => {
            let id = parse_id(&id)?;
            vault.link_clients(id, parse_id(&other)?, &relation)?;
            casework::household(vault, id, out)?;
        }
        ClientCommand::Unlink { id, other } => {
            let id = parse_id(&id)?;
            vault.unlink_clients(id, parse_id(&other)?)?;
            casework::household(vault, id, out)?;
        }
        ClientCommand::Household { id } => casework::household(vault, parse_id(&id)?, out)?,
        ClientCommand::Timeline { id } => casework::timeline(vault, &id, out)?,
        ClientCommand::Export(a) => rights::export(vault, a, out)?,
        ClientCommand::Request(a) => rights::request(vault, a, out)?,
        ClientCommand::Decide {
            request,
            decision,
            note,
        } => rights::decide(vault, &request, &decision, note, out)?,
        ClientCommand::Requests { id } => rights::requests(vault, &id, out)?,
    }
    Ok(())
}

fn client_edit(f: EditFields) -> Result<ClientEdit, Failure> {
    let mut edit = ClientEdit {
        name: f.name,
        code: f.code.map(Some),
        sex: f.sex.as_deref().map(Sex::parse).transpose()?.map(Some),
        birth_year: f.birth_year.map(Some),
        phone: f.phone.map(Some),
        location: location_input(f.location)?.map(Some),
        add_groups: f.add_groups,
        remove_groups: f.remove_groups,
        // The command edits what the client holds now: no form stood open in between.
        seen: None,
    };
    for field in &f.clear {
        edit.clear(field)?;
    }
    Ok(edit)
}

fn location_input(l: LocationArgs) -> Result<Option<LocationInput>, Failure> {
    Ok(LocationInput::from_parts(
        l.district, l.sector, l.cell, l.village,
    )?)
}

pub(crate) fn parse_id(s: &str) -> Result<RecordId, Failure> {
    Ok(s.parse::<RecordId>()?)
}

fn vault_dir(arg: Option<PathBuf>) -> Result<PathBuf, Failure> {
    if let Some(dir) = arg {
        return Ok(dir);
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| {
            Failure(
                "give the vault directory with --vault DIR or KOMORA_VAULT".into(),
                2,
            )
        })?;
    Ok(base.join("komora"))
}

/// The passphrase of an existing vault (`confirm: false`) or of a new one (`true`: asked
/// twice, and refused unless strong: see `passphrase.rs`).
fn passphrase(confirm: bool) -> Result<String, Failure> {
    if confirm {
        passphrase::new()
    } else {
        passphrase::existing()
    }
}
