//! The case-work commands: cases, sessions, measures, referrals, consent, reviews, healing
//! groups, the queues, the timeline and the donor report. Each prints JSON with `--json` and
//! readable lines otherwise (the same fields, one per line).
//!
//! Notes can be typed on the command line for scripts, but they then sit in the shell's
//! history: people should use `--notes-file` (or `-` for standard input) instead.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use komora_core::{
    latest_instrument, CaseEdit, CaseStatus, CaseloadFilter, ConsentDecision, ConsentGiver, Date,
    DeviceId, Language, NewAssessment, NewCase, NewConsent, NewGroup, NewReferral, NewSession,
    RecordId, ReferralStatus, ReportOptions, RiskLevel, SessionEdit, Vault, Verdict,
};
use serde_json::{json, Value as Json};

use crate::output::Output;
use crate::{parse_id, write_new_file, Failure};

mod views;

#[derive(Subcommand)]
pub enum CaseCommand {
    /// Move a case to another team of this device: its clients' files are copied there, sent,
    /// then erased from this team (supervisors and administrators of both teams).
    Transfer {
        case: String,
        /// The team to move it to (this device must have a vault of it: `komora team list`).
        #[arg(long)]
        team: String,
        /// Confirm: the files are erased from this team once the copy is sent.
        #[arg(long)]
        yes: bool,
    },
    /// Open a case for one or more clients; prints its id.
    Add {
        #[arg(long = "client", value_name = "ID", required = true)]
        clients: Vec<String>,
        /// A presenting problem id (repeatable): trauma, grief, domestic-conflict, ...
        #[arg(long = "problem", value_name = "PROBLEM")]
        problems: Vec<String>,
        #[arg(long)]
        risk: Option<String>,
        #[arg(long, value_name = "DATE")]
        opened: Option<String>,
        /// The supervising device's id.
        #[arg(long, value_name = "DEVICE")]
        supervisor: Option<String>,
    },
    Show {
        id: String,
    },
    /// Change a case: clients, problems, status (closing may ask for --reason), risk.
    Edit {
        id: String,
        #[arg(long = "add-client", value_name = "ID")]
        add_clients: Vec<String>,
        #[arg(long = "remove-client", value_name = "ID")]
        remove_clients: Vec<String>,
        #[arg(long = "add-problem")]
        add_problems: Vec<String>,
        #[arg(long = "remove-problem")]
        remove_problems: Vec<String>,
        /// open, active, referred or closed.
        #[arg(long)]
        status: Option<String>,
        /// Why the case closed.
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        risk: Option<String>,
        #[arg(long, value_name = "DEVICE")]
        counsellor: Option<String>,
        #[arg(long, value_name = "DEVICE")]
        supervisor: Option<String>,
    },
    /// Raise or clear a risk flag: suicide-risk, violence-at-home, child-protection.
    Risk {
        id: String,
        #[arg(long, conflicts_with = "clear")]
        raise: Option<String>,
        #[arg(long)]
        clear: Option<String>,
    },
}

#[derive(Args)]
pub struct SessionText {
    /// Session notes (prefer --notes-file: the command line stays in shell history).
    #[arg(long)]
    notes: Option<String>,
    /// Read the notes from a file, or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    notes_file: Option<PathBuf>,
    #[arg(long = "follow-up")]
    follow_up: Option<String>,
    /// Home visits: safety notes.
    #[arg(long)]
    safety: Option<String>,
}

#[derive(Subcommand)]
pub enum SessionCommand {
    /// Record a session or a home visit; prints its id.
    Add {
        #[arg(long)]
        case: String,
        /// office, home-visit, phone or group.
        #[arg(long)]
        modality: String,
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        #[arg(long, value_name = "MINUTES")]
        duration: Option<u16>,
        /// A client present (repeatable; defaults to every client of the case).
        #[arg(long = "participant", value_name = "ID")]
        participants: Vec<String>,
        #[arg(long = "intervention")]
        interventions: Vec<String>,
        #[command(flatten)]
        text: SessionText,
        /// Next appointment.
        #[arg(long, value_name = "DATE")]
        next: Option<String>,
        /// Home visits: someone of the household who was present (repeatable).
        #[arg(long = "present", value_name = "WHO")]
        present: Vec<String>,
        /// Record where the visit took place, as LAT,LON (only if you choose to).
        #[arg(long, value_name = "LAT,LON")]
        position: Option<String>,
    },
    Show {
        id: String,
    },
    Edit {
        id: String,
        #[arg(long, value_name = "MINUTES")]
        duration: Option<u16>,
        #[command(flatten)]
        text: SessionText,
        #[arg(long, value_name = "DATE")]
        next: Option<String>,
        #[arg(long = "add-intervention")]
        add_interventions: Vec<String>,
        #[arg(long = "remove-intervention")]
        remove_interventions: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum MeasureCommand {
    /// Record an assessment: the answers in item order, comma separated. Prints the score.
    Add {
        #[arg(long)]
        client: String,
        /// phq-9, who-5, srq-20 or pcl-5.
        #[arg(long)]
        instrument: String,
        #[arg(long)]
        answers: String,
        #[arg(long)]
        version: Option<u32>,
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        session: Option<String>,
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
    /// The instruments this device knows, or one instrument's items and options.
    Instruments { id: Option<String> },
    /// A client's scores over time.
    Trend { client: String },
}

#[derive(Subcommand)]
pub enum ReferralCommand {
    /// Refer a client; prints the referral's id.
    Add {
        #[arg(long)]
        client: String,
        /// health-centre, hospital, isange, police, legal-aid, ngo or local-authority.
        #[arg(long)]
        to: String,
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        organisation: Option<String>,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long = "follow-up", value_name = "DATE")]
        follow_up: Option<String>,
    },
    Show {
        id: String,
    },
    /// Record what became of it: pending, accepted, completed, declined, cancelled.
    Update {
        id: String,
        #[arg(long)]
        status: Option<String>,
        #[arg(long = "follow-up", value_name = "DATE")]
        follow_up: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ConsentCommand {
    /// Record consent given (or, with --withdraw, withdrawn).
    Add {
        #[arg(long)]
        client: String,
        /// services, data-recording or sharing.
        #[arg(long)]
        scope: String,
        /// rw, fr or en: the language it was explained in.
        #[arg(long)]
        language: String,
        /// The parent or guardian who consented (required under 16).
        #[arg(long)]
        guardian: Option<String>,
        #[arg(long)]
        withdraw: bool,
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
    /// A client's consent records, newest first.
    List { client: String },
}

#[derive(Subcommand)]
pub enum ReviewCommand {
    /// Review a session or a case: approved, needs-changes or comment.
    Add {
        target: String,
        #[arg(long)]
        verdict: String,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Answer a review (the counsellor).
    Answer {
        id: String,
        #[arg(long)]
        response: String,
    },
    /// The supervisor's queue, urgent cases first.
    Queue,
    /// Requests for changes waiting for this counsellor.
    Requests,
    /// Every review of a session or case.
    List { target: String },
}

#[derive(Subcommand)]
pub enum GroupCommand {
    /// Start a healing group or dialogue space; prints its id.
    Add {
        #[arg(long)]
        name: String,
        /// healing-group or dialogue-space.
        #[arg(long)]
        kind: String,
        #[arg(long = "facilitator", required = true)]
        facilitators: Vec<String>,
        #[arg(long = "member", value_name = "ID")]
        members: Vec<String>,
        #[arg(long)]
        cycle: Option<u8>,
        #[arg(long, value_name = "DATE")]
        started: Option<String>,
    },
    List,
    /// A group with its sessions.
    Show {
        id: String,
    },
    /// Add a member.
    Join {
        group: String,
        #[arg(long)]
        client: String,
    },
    /// Record a session of the cycle; the phase defaults to its place in the cycle.
    Session {
        group: String,
        #[arg(long)]
        number: u8,
        #[arg(long)]
        phase: Option<String>,
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// Mark a member present (or --absent) at a group session.
    Attend {
        session: String,
        #[arg(long)]
        client: String,
        #[arg(long)]
        absent: bool,
    },
    /// Flag a participant of a group session for referral.
    Flag {
        session: String,
        #[arg(long)]
        client: String,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Write the audit trail as CSV (ids, times, actions and field names; never a value).
    Export { file: PathBuf },
}

#[derive(Args)]
pub struct CaseloadArgs {
    /// Every counsellor's cases.
    #[arg(long)]
    all: bool,
    #[arg(long)]
    status: Option<String>,
    /// low, medium or high (high includes every raised flag).
    #[arg(long)]
    risk: Option<String>,
    /// Only cases with a follow-up due or overdue.
    #[arg(long)]
    due: bool,
    #[arg(long)]
    include_closed: bool,
}

#[derive(Args)]
pub struct ReportArgs {
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
}

fn date(field: &'static str, s: Option<String>) -> Result<Option<Date>, Failure> {
    Ok(s.map(|s| Date::parse_field(field, &s)).transpose()?)
}

fn ids(v: &[String]) -> Result<Vec<RecordId>, Failure> {
    v.iter().map(|s| parse_id(s)).collect()
}

fn opt_id(s: Option<String>) -> Result<Option<RecordId>, Failure> {
    s.as_deref().map(parse_id).transpose()
}

fn device(s: Option<String>) -> Result<Option<DeviceId>, Failure> {
    Ok(s.map(|s| s.parse::<DeviceId>()).transpose()?)
}

fn notes(text: &SessionText) -> Result<Option<String>, Failure> {
    match (&text.notes, &text.notes_file) {
        (Some(_), Some(_)) => Err(Failure("give --notes or --notes-file, not both".into(), 2)),
        (Some(n), None) => Ok(Some(n.clone())),
        (None, Some(path)) => {
            let mut s = String::new();
            let read = if path.as_os_str() == "-" {
                std::io::stdin().read_to_string(&mut s)
            } else {
                std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_string(&mut s))
            };
            read.map_err(|e| Failure(format!("cannot read the notes: {}", e.kind()), 2))?;
            Ok(Some(s))
        }
        (None, None) => Ok(None),
    }
}

pub fn case_command(v: &mut Vault, cmd: CaseCommand, out: &Output) -> Result<(), Failure> {
    match cmd {
        // Opens two vaults: `teams::transfer`, called from `run`.
        CaseCommand::Transfer { .. } => {
            return Err(Failure(
                "a transfer needs both teams' vaults; run `komora case transfer`".into(),
                2,
            ))
        }
        CaseCommand::Add {
            clients,
            problems,
            risk,
            opened,
            supervisor,
        } => {
            let id = v.add_case(&NewCase {
                clients: ids(&clients)?,
                problems,
                risk_level: risk.as_deref().map(RiskLevel::parse).transpose()?,
                opened: date("opened", opened)?,
                counsellor: None,
                supervisor: device(supervisor)?,
            })?;
            out.added(id);
        }
        CaseCommand::Show { id } => out.record(views::case(&v.case(parse_id(&id)?)?)),
        CaseCommand::Edit {
            id,
            add_clients,
            remove_clients,
            add_problems,
            remove_problems,
            status,
            reason,
            risk,
            counsellor,
            supervisor,
        } => {
            let id = parse_id(&id)?;
            v.edit_case(
                id,
                &CaseEdit {
                    add_clients: ids(&add_clients)?,
                    remove_clients: ids(&remove_clients)?,
                    add_problems,
                    remove_problems,
                    status: status.as_deref().map(CaseStatus::parse).transpose()?,
                    close_reason: reason,
                    risk_level: risk.as_deref().map(RiskLevel::parse).transpose()?,
                    counsellor: device(counsellor)?,
                    supervisor: device(supervisor)?.map(Some),
                },
            )?;
            out.record(views::case(&v.case(id)?));
        }
        CaseCommand::Risk { id, raise, clear } => {
            let id = parse_id(&id)?;
            match (raise, clear) {
                (Some(f), None) => v.raise_risk(id, &f)?,
                (None, Some(f)) => v.clear_risk(id, &f)?,
                _ => return Err(Failure("give --raise FLAG or --clear FLAG".into(), 2)),
            }
            out.record(views::case(&v.case(id)?));
        }
    }
    Ok(())
}

pub fn session_command(v: &mut Vault, cmd: SessionCommand, out: &Output) -> Result<(), Failure> {
    match cmd {
        SessionCommand::Add {
            case,
            modality,
            date: day,
            duration,
            participants,
            interventions,
            text,
            next,
            present,
            position,
        } => {
            let mut s = NewSession::new(parse_id(&case)?, &modality);
            s.date = date("date", day)?;
            s.duration_min = duration;
            s.participants = ids(&participants)?;
            s.interventions = interventions;
            s.notes = notes(&text)?;
            s.follow_up_plan = text.follow_up;
            s.safety_notes = text.safety;
            s.next_appointment = date("next_appointment", next)?;
            s.household_present = present;
            s.position = position;
            out.added(v.add_session(&s)?);
        }
        SessionCommand::Show { id } => out.record(views::session(&v.view_session(parse_id(&id)?)?)),
        SessionCommand::Edit {
            id,
            duration,
            text,
            next,
            add_interventions,
            remove_interventions,
        } => {
            let id = parse_id(&id)?;
            v.edit_session(
                id,
                &SessionEdit {
                    duration_min: duration,
                    notes: notes(&text)?,
                    follow_up_plan: text.follow_up,
                    next_appointment: date("next_appointment", next)?.map(Some),
                    add_interventions,
                    remove_interventions,
                    safety_notes: text.safety,
                },
            )?;
            out.record(views::session(&v.session(id)?));
        }
    }
    Ok(())
}

pub fn measure_command(v: &mut Vault, cmd: MeasureCommand, out: &Output) -> Result<(), Failure> {
    match cmd {
        MeasureCommand::Add {
            client,
            instrument,
            answers,
            version,
            case,
            session,
            date: day,
        } => {
            let answers = answers
                .split(',')
                .map(|a| a.trim().parse::<u8>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| Failure("answers: give numbers separated by commas".into(), 2))?;
            let mut a = NewAssessment::new(parse_id(&client)?, &instrument, answers);
            a.version = version;
            a.case = opt_id(case)?;
            a.session = opt_id(session)?;
            a.date = date("date", day)?;
            let (id, score) = v.add_assessment(&a)?;
            out.record(json!({
                "id": id.to_string(),
                "score": score.total,
                "band": score.band,
                "raised_flags": score.alerts,
            }));
        }
        MeasureCommand::Instruments { id: None } => out.list(
            komora_core::instruments()
                .iter()
                .map(|i| {
                    json!({
                        "id": i.id, "version": i.version, "name": i.name.en,
                        "items": i.items.len(), "range": [i.range().0, i.range().1],
                    })
                })
                .collect(),
        ),
        MeasureCommand::Instruments { id: Some(id) } => {
            let i = latest_instrument(&id)?;
            out.record(serde_json::to_value(i).expect("instruments serialise"));
        }
        MeasureCommand::Trend { client } => out.list(
            v.measure_trends(parse_id(&client)?)?
                .iter()
                .map(views::trend)
                .collect(),
        ),
    }
    Ok(())
}

pub fn referral_command(v: &mut Vault, cmd: ReferralCommand, out: &Output) -> Result<(), Failure> {
    match cmd {
        ReferralCommand::Add {
            client,
            to,
            case,
            organisation,
            reason,
            follow_up,
        } => {
            let mut r = NewReferral::new(parse_id(&client)?, &to);
            r.case = opt_id(case)?;
            r.organisation = organisation;
            r.reason = reason;
            r.follow_up = date("follow_up", follow_up)?;
            out.added(v.add_referral(&r)?);
        }
        ReferralCommand::Show { id } => {
            out.record(views::referral(&v.referral(parse_id(&id)?)?, v.today()))
        }
        ReferralCommand::Update {
            id,
            status,
            follow_up,
        } => {
            let id = parse_id(&id)?;
            v.update_referral(
                id,
                status.as_deref().map(ReferralStatus::parse).transpose()?,
                date("follow_up", follow_up)?.map(Some),
            )?;
            out.record(views::referral(&v.referral(id)?, v.today()));
        }
    }
    Ok(())
}

pub fn consent_command(v: &mut Vault, cmd: ConsentCommand, out: &Output) -> Result<(), Failure> {
    match cmd {
        ConsentCommand::Add {
            client,
            scope,
            language,
            guardian,
            withdraw,
            date: day,
        } => {
            let id = v.add_consent(&NewConsent {
                client: parse_id(&client)?,
                scope,
                decision: if withdraw {
                    ConsentDecision::Withdrawn
                } else {
                    ConsentDecision::Given
                },
                language: Language::parse(&language)?,
                given_by: if guardian.is_some() {
                    ConsentGiver::Guardian
                } else {
                    ConsentGiver::Client
                },
                guardian_name: guardian,
                date: date("date", day)?,
            })?;
            out.added(id);
        }
        ConsentCommand::List { client } => out.list(
            v.consents(parse_id(&client)?)?
                .iter()
                .map(views::consent)
                .collect(),
        ),
    }
    Ok(())
}

pub fn review_command(v: &mut Vault, cmd: ReviewCommand, out: &Output) -> Result<(), Failure> {
    match cmd {
        ReviewCommand::Add {
            target,
            verdict,
            comment,
        } => {
            let id = v.add_review(
                parse_id(&target)?,
                Verdict::parse(&verdict)?,
                comment.as_deref(),
            )?;
            out.added(id);
        }
        ReviewCommand::Answer { id, response } => {
            let id = parse_id(&id)?;
            v.answer_review(id, &response)?;
            out.record(views::review(&v.review(id)?));
        }
        ReviewCommand::Queue => out.list(v.review_queue()?.iter().map(views::queue_item).collect()),
        ReviewCommand::Requests => {
            out.list(v.change_requests()?.iter().map(views::review).collect())
        }
        ReviewCommand::List { target } => out.list(
            v.reviews_of(parse_id(&target)?)?
                .iter()
                .map(views::review)
                .collect(),
        ),
    }
    Ok(())
}

pub fn group_command(v: &mut Vault, cmd: GroupCommand, out: &Output) -> Result<(), Failure> {
    match cmd {
        GroupCommand::Add {
            name,
            kind,
            facilitators,
            members,
            cycle,
            started,
        } => {
            let id = v.add_group(&NewGroup {
                name,
                kind,
                facilitators,
                members: ids(&members)?,
                cycle_length: cycle,
                started: date("started", started)?,
            })?;
            out.added(id);
        }
        GroupCommand::List => out.list(v.groups()?.iter().map(views::group).collect()),
        GroupCommand::Show { id } => {
            let id = parse_id(&id)?;
            let mut g = views::group(&v.group(id)?);
            g["sessions"] = v
                .group_sessions(id)?
                .iter()
                .map(views::group_session)
                .collect();
            out.record(g);
        }
        GroupCommand::Join { group, client } => {
            let id = parse_id(&group)?;
            v.add_group_member(id, parse_id(&client)?)?;
            out.record(views::group(&v.group(id)?));
        }
        GroupCommand::Session {
            group,
            number,
            phase,
            date: day,
            notes,
        } => {
            let id = v.add_group_session(
                parse_id(&group)?,
                number,
                phase.as_deref(),
                date("date", day)?,
                notes.as_deref(),
            )?;
            out.added(id);
        }
        GroupCommand::Attend {
            session,
            client,
            absent,
        } => {
            let id = parse_id(&session)?;
            v.mark_attendance(id, parse_id(&client)?, !absent)?;
            out.record(views::group_session(&v.group_session(id)?));
        }
        GroupCommand::Flag { session, client } => {
            let id = parse_id(&session)?;
            v.flag_for_referral(id, parse_id(&client)?)?;
            out.record(views::group_session(&v.group_session(id)?));
        }
    }
    Ok(())
}

pub fn caseload(v: &Vault, a: CaseloadArgs, out: &Output) -> Result<(), Failure> {
    let filter = CaseloadFilter {
        counsellor: None,
        everyone: a.all,
        status: a.status.as_deref().map(CaseStatus::parse).transpose()?,
        risk: a.risk.as_deref().map(RiskLevel::parse).transpose()?,
        follow_up_due: a.due,
        include_closed: a.include_closed,
    };
    out.list(
        v.caseload(&filter)?
            .iter()
            .map(views::caseload_entry)
            .collect(),
    );
    Ok(())
}

pub fn timeline(v: &Vault, client: &str, out: &Output) -> Result<(), Failure> {
    let today = v.today();
    out.list(
        v.timeline(parse_id(client)?)?
            .iter()
            .map(|e| views::timeline_entry(e, today))
            .collect(),
    );
    Ok(())
}

pub fn household(v: &Vault, id: RecordId, out: &Output) -> Result<(), Failure> {
    out.list(
        v.household(id)?
            .iter()
            .map(|l| json!({ "client": l.client.to_string(), "relation": l.relation }))
            .collect(),
    );
    Ok(())
}

pub fn follow_ups(v: &Vault, days: u32, all: bool, out: &Output) -> Result<(), Failure> {
    out.list(
        v.follow_ups(days, all)?
            .iter()
            .map(views::follow_up)
            .collect(),
    );
    Ok(())
}

/// The report in the format its file name asks for: `.xlsx` a workbook (one sheet per
/// breakdown), `.html` one page with charts, anything else CSV.
pub fn report(v: &mut Vault, a: ReportArgs, out: &Output) -> Result<(), Failure> {
    let opts = ReportOptions {
        from: date("from", a.from)?,
        to: date("to", a.to)?,
    };
    let ext = a
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let rows = v.report_table(&opts)?;
    let (bytes, format) = match ext.as_deref() {
        Some("xlsx") => (crate::xlsx::workbook(&rows, &opts)?, "xlsx"),
        Some("html" | "htm") => (komora_core::report_page(&rows, &opts).into_bytes(), "html"),
        _ => (komora_core::to_csv(&rows).into_bytes(), "csv"),
    };
    write_new_file(&a.out, &bytes)?;
    out.record(json!({ "file": a.out, "rows": rows.len(), "format": format }));
    Ok(())
}

pub fn audit_command(v: &mut Vault, cmd: AuditCommand, out: &Output) -> Result<(), Failure> {
    match cmd {
        AuditCommand::Export { file } => {
            let csv = v.audit_csv()?;
            write_new_file(&file, csv.as_bytes())?;
            // Rows as a CSV reader counts them: a quoted cell may hold a line break.
            let rows = csv::Reader::from_reader(csv.as_bytes()).records().count();
            out.record(json!({ "file": file, "rows": rows }));
        }
    }
    Ok(())
}

/// A JSON value a script or a person reads: used by `views`.
pub(crate) fn opt_date(d: Option<Date>) -> Json {
    d.map_or(Json::Null, |d| Json::String(d.to_string()))
}
