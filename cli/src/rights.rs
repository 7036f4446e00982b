//! A person's rights from the command line: a client's own copy of their file (`komora client
//! export`), rectification requests and objections (`komora client request`, `decide`,
//! `requests`), and what a lost tablet held (`komora device exposure`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use komora_core::{
    ConsentGiver, DeviceId, Language, NewRightsRequest, Redaction, RequestDecision, Right,
    RightsRequest, Role, Vault,
};
use serde_json::{json, Value as Json};

use crate::output::Output;
use crate::{parse_id, read_file, write_new_file, Failure};

#[derive(Args)]
pub struct ExportArgs {
    pub id: String,
    /// A new directory to write `file.html` and `file.json` in.
    #[arg(long, value_name = "DIR", required_unless_present = "review")]
    pub out: Option<PathBuf>,
    /// Print every free text of the file (notes, safety notes, names of others) with its key,
    /// for the supervisor to decide on before anything leaves. Writes nothing.
    #[arg(long, conflicts_with = "out")]
    pub review: bool,
    /// The supervisor's decisions: JSON `{ "KEY": "release" | "withhold" | {"replace": "TEXT"} }`.
    /// A passage without a decision is withheld.
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,
    /// rw, fr or en (default: the language of the client's latest consent).
    #[arg(long)]
    pub lang: Option<String>,
}

#[derive(Args)]
pub struct RequestArgs {
    /// The client.
    pub id: String,
    /// rectification or objection.
    #[arg(long)]
    pub right: String,
    /// The field to correct (name, phone, district, ... or other), or the purpose objected to
    /// (statistics or sharing).
    #[arg(long)]
    pub subject: String,
    /// What the person says (required for a rectification).
    #[arg(long)]
    pub request: Option<String>,
    /// Who asked: self or guardian.
    #[arg(long, default_value = "self")]
    pub by: String,
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

/// `komora client export`.
pub fn export(v: &mut Vault, a: ExportArgs, out: &Output) -> Result<(), Failure> {
    let client = parse_id(&a.id)?;
    if a.review {
        let passages = v.client_export_review(client)?;
        out.list(
            passages
                .iter()
                .map(|p| {
                    json!({
                        "key": p.key,
                        "kind": p.kind,
                        "field": p.field,
                        "date": p.date.to_string(),
                        "reason": p.reason.code(),
                        "text": p.text,
                    })
                })
                .collect(),
        );
        return Ok(());
    }
    let dir = a.out.expect("clap requires --out without --review");
    let decisions = match &a.decisions {
        Some(path) => parse_decisions(&read_file(path, 1024 * 1024)?)?,
        None => BTreeMap::new(),
    };
    let lang = a.lang.as_deref().map(Language::parse).transpose()?;
    let export = v.export_client(client, &decisions, lang)?;
    create_private_dir(&dir)?;
    let html = dir.join("file.html");
    let json_path = dir.join("file.json");
    write_new_file(&html, export.html.as_bytes())?;
    write_new_file(&json_path, export.json.as_bytes())?;
    out.record(json!({
        "html": html,
        "json": json_path,
        "language": export.language.code(),
        "released": export.released,
        "shortened": export.shortened,
        "withheld": export.withheld,
    }));
    Ok(())
}

/// The directory for one export: new, readable by its owner only.
fn create_private_dir(dir: &Path) -> Result<(), Failure> {
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|e| {
        Failure(
            format!(
                "cannot create {}: {} (it must not exist yet)",
                dir.display(),
                e.kind()
            ),
            2,
        )
    })
}

fn parse_decisions(bytes: &[u8]) -> Result<BTreeMap<String, Redaction>, Failure> {
    let bad = |why: &str| Failure(format!("the decisions file {why}"), 2);
    let map: BTreeMap<String, Json> =
        serde_json::from_slice(bytes).map_err(|_| bad("is not a JSON object of keys"))?;
    map.into_iter()
        .map(|(k, v)| {
            let d = match &v {
                Json::String(s) if s == "release" => Redaction::Release,
                Json::String(s) if s == "withhold" => Redaction::Withhold,
                Json::Object(o) => match o.get("replace") {
                    Some(Json::String(t)) => Redaction::Replace(t.clone()),
                    _ => return Err(bad("has an object without \"replace\": TEXT")),
                },
                _ => {
                    return Err(bad(
                        "has a decision other than release, withhold or replace",
                    ))
                }
            };
            Ok((k, d))
        })
        .collect()
}

pub fn request(v: &mut Vault, a: RequestArgs, out: &Output) -> Result<(), Failure> {
    let id = v.add_rights_request(&NewRightsRequest {
        client: parse_id(&a.id)?,
        right: Right::parse(&a.right)?,
        subject: a.subject,
        asked_by: ConsentGiver::parse(&a.by)?,
        request: a.request,
        date: a
            .date
            .map(|d| komora_core::Date::parse_field("date", &d))
            .transpose()?,
    })?;
    out.added(id);
    Ok(())
}

pub fn decide(
    v: &mut Vault,
    id: &str,
    decision: &str,
    note: Option<String>,
    out: &Output,
) -> Result<(), Failure> {
    let id = parse_id(id)?;
    v.decide_rights_request(id, RequestDecision::parse(decision)?, note.as_deref())?;
    out.record(request_view(&v.rights_request(id)?));
    Ok(())
}

pub fn requests(v: &Vault, client: &str, out: &Output) -> Result<(), Failure> {
    let list = v.rights_requests(parse_id(client)?)?;
    out.list(list.iter().map(request_view).collect());
    Ok(())
}

fn request_view(r: &RightsRequest) -> Json {
    json!({
        "id": r.id.to_string(),
        "right": r.right.code(),
        "subject": r.subject,
        "asked_by": r.asked_by.code(),
        "request": r.request,
        "date": r.date.to_string(),
        "decision": r.decision.code(),
        "decided_by": r.decided_by.map(|d| d.to_string()),
        "decided_on": r.decided_on.map(|d| d.to_string()),
        "decision_note": r.decision_note,
        "stands": r.stands(),
    })
}

/// `komora device exposure ID`: the server says when the device last synced and its role;
/// `--as-of` gives that time by hand (the server out of reach).
pub fn exposure(
    v: &mut Vault,
    device: &str,
    as_of_ms: Option<u64>,
    out: &Output,
) -> Result<(), Failure> {
    let device: DeviceId = device.parse()?;
    let (as_of, role, unsent) = match as_of_ms {
        Some(ms) => (ms, None, None),
        None => {
            let settings = v.sync_settings()?;
            let mut t = crate::transport(&settings)?;
            let info = v
                .devices(&mut t)?
                .into_iter()
                .find(|d| d.id.0 == *device.as_bytes())
                .ok_or_else(|| Failure("the server knows no such device in this team".into(), 4))?;
            let last = info
                .report
                .as_ref()
                .and_then(|r| r.last_sync_ms)
                .into_iter()
                .chain(info.last_seen_ms)
                .max()
                .unwrap_or(info.enrolled_ms);
            (last, Some(info.role), info.report.map(|r| r.pending))
        }
    };
    let e = v.device_exposure(device, as_of, role)?;
    let files: Vec<Json> = e
        .files
        .iter()
        .map(|f| {
            json!({
                "client": f.client.to_string(),
                "name": f.name,
                "code": f.code,
                "recorded": komora_core::Date::from_unix_ms(f.recorded_ms).to_string(),
                "erased_since": f.erased_since.map(|d| d.to_string()),
                "wrote": f.wrote,
                "viewed": f.viewed,
            })
        })
        .collect();
    out.record(json!({
        "device": device.to_string(),
        "role": role.map(role_code),
        "as_of_ms": as_of,
        "statistics_only": e.statistics_only,
        "unsent_changes_at_last_report": unsent,
        "count": files.len(),
        "files": files,
    }));
    Ok(())
}

fn role_code(r: Role) -> &'static str {
    match r {
        Role::Counsellor => "counsellor",
        Role::Supervisor => "supervisor",
        Role::Admin => "admin",
        Role::DataOfficer => "data_officer",
    }
}
