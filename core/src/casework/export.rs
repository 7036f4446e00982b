//! A client's own copy of their file: the rights of access and portability (Law N° 058/2021).
//!
//! A supervisor (or an administrator) produces, for one client, everything Komora holds about
//! them: profile, consents and withdrawals, rectification requests and objections, cases,
//! sessions and their notes, group sessions attended, measures with answers and scores,
//! referrals, the reviews of those records, and the audit of who saw and changed them. It comes
//! as JSON (portability) and as one HTML page that prints well, in the client's language.
//!
//! **Nothing of another client.** Shared records are cut to what concerns this person:
//! - a couple's or family's case shows its problems and status, and how many other people
//!   share it, never who; its risk flags are left out (an alert raised by a partner's answers
//!   lands on the shared case and is the partner's health data);
//! - a shared session shows its date, type, duration and interventions and how many others
//!   were there; its notes are about everyone in the room, so they are passages to review;
//! - only this client's measures and referrals, only reviews of records in this export, only
//!   audit entries of those records; a group session shows the group's kind and that the
//!   client attended, never the group's name, notes or other members; household links (which
//!   name other clients' files) are left out.
//!
//! **Reviewed before it leaves.** Every free text (session notes and plans, safety notes, who
//! was present at a home visit, a recorded position, a guardian's name, reasons, comments) is
//! a [`Passage`]. The supervisor reads them ([`Vault::client_export_review`], audited as a
//! view) and decides each: release, withhold, or release a shortened text. A passage without a
//! decision is withheld. A decision names the passage by record, field and a digest of the text
//! it was taken on, so a note edited after the review is withheld again, never released unread.
//!
//! Producing the export is audited (`exported`, the client's id). The core returns the two
//! documents in memory; where they are written is the front end's business (the app writes
//! them only where the supervisor chooses, never in the tablet's shared storage).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fmt::Write as _;
use std::sync::OnceLock;

use komora_protocol::Role;
use serde::Deserialize;
use serde_json::{json, Value as Json};

use super::audit::AuditAction;
use super::consent::Language;
use super::date::Date;
use super::instrument::instrument;
use super::lists::{lists, Term};
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::vault::Vault;

/// Why a passage needs the supervisor's eye.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PassageReason {
    /// Written about this client alone; may still name other people.
    Notes,
    /// From a session, case or review shared with other clients.
    SharedRecord,
    /// Names or describes other people (household present, a guardian).
    ThirdParty,
    /// Safety notes and a recorded position: can endanger the client if read by the wrong person.
    Safety,
}

impl PassageReason {
    pub fn code(self) -> &'static str {
        match self {
            PassageReason::Notes => "notes",
            PassageReason::SharedRecord => "shared-record",
            PassageReason::ThirdParty => "third-party",
            PassageReason::Safety => "safety",
        }
    }
}

/// One free text of the file, for the supervisor to decide on.
#[derive(Clone, PartialEq, Eq)]
pub struct Passage {
    /// `record:field:digest`: what a decision names.
    pub key: String,
    pub record: RecordId,
    /// The record's kind and the field: "session", "notes".
    pub kind: String,
    pub field: String,
    pub date: Date,
    pub reason: PassageReason,
    pub text: String,
}

impl fmt::Debug for Passage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Passage")
            .field("key", &self.key)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

/// The supervisor's decision on one passage.
#[derive(Clone, PartialEq, Eq)]
pub enum Redaction {
    Release,
    Withhold,
    /// Release this shorter text instead (the third party's part taken out).
    Replace(String),
}

impl fmt::Debug for Redaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Redaction::Release => "Release",
            Redaction::Withhold => "Withhold",
            Redaction::Replace(_) => "Replace([redacted])",
        })
    }
}

/// The two documents of an export, and what the review did.
#[derive(Clone)]
pub struct ClientExport {
    pub json: String,
    pub html: String,
    pub language: Language,
    pub released: usize,
    pub shortened: usize,
    pub withheld: usize,
}

impl fmt::Debug for ClientExport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientExport")
            .field("released", &self.released)
            .field("shortened", &self.shortened)
            .field("withheld", &self.withheld)
            .finish_non_exhaustive()
    }
}

fn digest(text: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    d.as_ref()[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// Collects passages while the document is built, and applies the decisions.
struct Review<'a> {
    decisions: Option<&'a BTreeMap<String, Redaction>>,
    passages: Vec<Passage>,
    released: usize,
    shortened: usize,
    withheld: usize,
}

impl Review<'_> {
    /// The JSON of one free text: `{"status": "released"|"shortened"|"withheld", "text"}`.
    fn text(
        &mut self,
        record: RecordId,
        kind: &str,
        field: &str,
        date: Date,
        reason: PassageReason,
        text: Option<String>,
    ) -> Json {
        let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
            return Json::Null;
        };
        let key = format!("{record}:{field}:{}", digest(&text));
        let decision = self.decisions.and_then(|d| d.get(&key)).cloned();
        self.passages.push(Passage {
            key,
            record,
            kind: kind.to_owned(),
            field: field.to_owned(),
            date,
            reason,
            text: text.clone(),
        });
        match decision {
            Some(Redaction::Release) => {
                self.released += 1;
                json!({ "status": "released", "text": text })
            }
            Some(Redaction::Replace(short)) => {
                self.shortened += 1;
                json!({ "status": "shortened", "text": short })
            }
            Some(Redaction::Withhold) | None => {
                self.withheld += 1;
                json!({ "status": "withheld" })
            }
        }
    }
}

impl Vault {
    /// Supervisors and administrators only (and a vault outside any team).
    fn require_reviewer(&self) -> Result<()> {
        match self.role()? {
            None | Some(Role::Supervisor | Role::Admin) => Ok(()),
            Some(_) => Err(Error::Forbidden(
                "only a supervisor or an administrator gives a client their file".into(),
            )),
        }
    }

    /// Every free text an export of `client` would hold, for the supervisor to read and
    /// decide on. Reading them is a view of the client's file, and audited as one.
    pub fn client_export_review(&mut self, client: RecordId) -> Result<Vec<Passage>> {
        self.require_reviewer()?;
        let mut review = Review {
            decisions: None,
            passages: Vec::new(),
            released: 0,
            shortened: 0,
            withheld: 0,
        };
        self.export_document(client, &mut review)?;
        self.record_access(AuditAction::Viewed, Some(client), "client-export-review")?;
        Ok(review.passages)
    }

    /// The client's file as JSON and HTML, with the supervisor's `decisions` applied (a
    /// passage without one is withheld). `language`: the document's language; by default the
    /// language of the client's latest consent. Audited as an export of the client's file.
    pub fn export_client(
        &mut self,
        client: RecordId,
        decisions: &BTreeMap<String, Redaction>,
        language: Option<Language>,
    ) -> Result<ClientExport> {
        self.require_reviewer()?;
        for (key, d) in decisions {
            if let Redaction::Replace(t) = d {
                super::clean_text("replacement", t, 20_000)?;
            }
            if key.len() > 120 {
                return Err(Error::validation("decisions", "a passage key is too long"));
            }
        }
        let language = match language {
            Some(l) => l,
            None => self
                .consents(client)?
                .first()
                .map_or(Language::Kinyarwanda, |c| c.language),
        };
        let mut review = Review {
            decisions: Some(decisions),
            passages: Vec::new(),
            released: 0,
            shortened: 0,
            withheld: 0,
        };
        let mut doc = self.export_document(client, &mut review)?;
        doc["language"] = json!(language.code());
        doc["withheld"] = json!(review.withheld);
        let packs = self.content_packs()?;
        let overrides = export_texts()
            .iter()
            .filter_map(|t| {
                let key = format!("export:{}", t.id);
                Self::pack_text(&packs, &key, language.code()).map(|(text, _)| (t.id.clone(), text))
            })
            .collect();
        let html = render_html(
            &doc,
            &Texts {
                lang: language,
                overrides,
            },
        );
        let json = serde_json::to_string_pretty(&doc)
            .map_err(|_| Error::Storage("the export could not be written as JSON".into()))?;
        self.record_access(AuditAction::Exported, Some(client), "client-export")?;
        Ok(ClientExport {
            json,
            html,
            language,
            released: review.released,
            shortened: review.shortened,
            withheld: review.withheld,
        })
    }

    /// The document as JSON, before it is rendered; free texts go through `review`.
    fn export_document(&self, client: RecordId, review: &mut Review<'_>) -> Result<Json> {
        use PassageReason::*;
        let c = self.client(client)?;
        let created = Date::from_unix_ms(c.created_ms);
        let mut ids: BTreeSet<RecordId> = BTreeSet::from([client]);
        let mut out = json!({
            "format": "komora-client-export",
            "version": 1,
            "law": "Rwanda, Law N° 058/2021 of 13/10/2021 relating to the protection of personal data and privacy: rights of access and portability",
            "produced": self.today().to_string(),
            "produced_by_device": self.device_id().to_string(),
            "client": {
                "id": client.to_string(),
                "name": c.name,
                "code": c.code,
                "sex": c.sex.map(|s| s.code()),
                "birth_year": c.birth_year,
                "phone": c.phone,
                "location": c.location.as_ref().map(|l| json!({
                    "district": l.district, "sector": l.sector, "cell": l.cell, "village": l.village,
                })),
                "target_groups": c.target_groups,
                "recorded": created.to_string(),
            },
        });

        let consents: Vec<Json> = self
            .consents(client)?
            .into_iter()
            .map(|k| {
                let k = self.consent(k.id).unwrap_or(k);
                ids.insert(k.id);
                json!({
                    "id": k.id.to_string(),
                    "scope": k.scope,
                    "decision": k.decision.code(),
                    "language": k.language.code(),
                    "given_by": k.given_by.code(),
                    "guardian_name": review.text(k.id, "consent", "guardian_name", k.date, ThirdParty, k.guardian_name),
                    "date": k.date.to_string(),
                })
            })
            .collect();
        out["consents"] = Json::Array(consents);

        let requests: Vec<Json> = self
            .rights_requests(client)?
            .into_iter()
            .map(|r| {
                ids.insert(r.id);
                json!({
                    "id": r.id.to_string(),
                    "right": r.right.code(),
                    "subject": r.subject,
                    "asked_by": r.asked_by.code(),
                    "request": review.text(r.id, "rights_request", "request", r.date, Notes, r.request),
                    "date": r.date.to_string(),
                    "decision": r.decision.code(),
                    "decided_by_device": r.decided_by.map(|d| d.to_string()),
                    "decided_on": r.decided_on.map(|d| d.to_string()),
                    "decision_note": review.text(r.id, "rights_request", "decision_note", r.decided_on.unwrap_or(r.date), Notes, r.decision_note),
                })
            })
            .collect();
        out["rights_requests"] = Json::Array(requests);

        let index = self.index()?;
        let mut case_ids: Vec<RecordId> = index
            .cases()
            .filter(|k| k.clients.contains(&client))
            .map(|k| k.id)
            .collect();
        let mut session_ids: Vec<(Date, RecordId)> = index
            .sessions()
            .filter(|s| s.participants.contains(&client))
            .map(|s| (s.date, s.id))
            .collect();
        let mut group_sessions: Vec<(Date, String, u8, String)> = index
            .group_sessions()
            .filter(|g| g.attendance.contains(&client))
            .map(|g| {
                let kind = g
                    .group
                    .and_then(|id| index.groups().find(|x| x.id == id))
                    .map_or_else(String::new, |x| x.kind.clone());
                (g.date, kind, g.number, g.phase.clone())
            })
            .collect();
        let mut assessments: Vec<_> = index.assessments_of(client);
        let mut referral_ids: Vec<(Date, RecordId)> = index
            .referrals()
            .filter(|r| r.client == Some(client))
            .map(|r| (r.date, r.id))
            .collect();
        drop(index);
        case_ids.sort();
        session_ids.sort();
        group_sessions.sort();
        assessments.sort_by_key(|a| (a.date, a.recorded));
        referral_ids.sort();

        let mut shared: BTreeSet<RecordId> = BTreeSet::new();
        let mut cases = Vec::new();
        for id in case_ids {
            let k = self.case(id)?;
            ids.insert(id);
            let others = k.clients.iter().filter(|x| **x != client).count();
            if others > 0 {
                shared.insert(id);
            }
            let reason = if others > 0 { SharedRecord } else { Notes };
            cases.push(json!({
                "id": id.to_string(),
                "opened": k.opened.to_string(),
                "status": k.status.code(),
                "close_reason": review.text(id, "case", "close_reason", k.opened, reason, k.close_reason),
                "problems": k.problems,
                "risk_level": k.risk_level.code(),
                // A shared case's flags may come from another client's answers.
                "risk_flags": if others > 0 { Json::Null } else { json!(k.risk_flags) },
                "other_people": others,
                "counsellor_device": k.counsellor.to_string(),
                "supervisor_device": k.supervisor.map(|d| d.to_string()),
            }));
        }
        out["cases"] = Json::Array(cases);

        let mut sessions = Vec::new();
        for (_, id) in session_ids {
            let s = self.session(id)?;
            ids.insert(id);
            let others = s.participants.iter().filter(|x| **x != client).count();
            if others > 0 {
                shared.insert(id);
            }
            let reason = if others > 0 { SharedRecord } else { Notes };
            let household =
                (!s.household_present.is_empty()).then(|| s.household_present.join(", "));
            sessions.push(json!({
                "id": id.to_string(),
                "case": s.case.filter(|c| ids.contains(c)).map(|c| c.to_string()),
                "date": s.date.to_string(),
                "modality": s.modality,
                "duration_min": s.duration_min,
                "interventions": s.interventions,
                "other_people": others,
                "next_appointment": s.next_appointment.map(|d| d.to_string()),
                "notes": review.text(id, "session", "notes", s.date, reason, s.notes),
                "follow_up_plan": review.text(id, "session", "follow_up_plan", s.date, reason, s.follow_up_plan),
                "household_present": review.text(id, "session", "household_present", s.date, ThirdParty, household),
                "safety_notes": review.text(id, "session", "safety_notes", s.date, Safety, s.safety_notes),
                "position": review.text(id, "session", "position", s.date, Safety, s.position),
            }));
        }
        out["sessions"] = Json::Array(sessions);

        out["group_sessions"] = Json::Array(
            group_sessions
                .into_iter()
                .map(|(date, kind, number, phase)| {
                    json!({ "date": date.to_string(), "group_kind": kind, "number": number, "phase": phase })
                })
                .collect(),
        );

        out["assessments"] = Json::Array(
            assessments
                .iter()
                .map(|a| {
                    ids.insert(a.id);
                    let band_label = instrument(&a.instrument, a.version).ok().and_then(|i| {
                        i.bands
                            .iter()
                            .find(|b| Some(&b.id) == a.band.as_ref())
                            .map(|b| b.label.en.clone())
                    });
                    json!({
                        "id": a.id.to_string(),
                        "instrument": a.instrument,
                        "version": a.version,
                        "date": a.date.to_string(),
                        "answers": a.answers,
                        "score": a.score,
                        "band": a.band,
                        "band_label": band_label,
                    })
                })
                .collect(),
        );

        let mut referrals = Vec::new();
        for (_, id) in referral_ids {
            let r = self.referral(id)?;
            ids.insert(id);
            referrals.push(json!({
                "id": id.to_string(),
                "date": r.date.to_string(),
                "destination": r.destination,
                "organisation": review.text(id, "referral", "organisation", r.date, Notes, r.organisation),
                "reason": review.text(id, "referral", "reason", r.date, Notes, r.reason),
                "status": r.status.code(),
                "follow_up": r.follow_up.map(|d| d.to_string()),
            }));
        }
        out["referrals"] = Json::Array(referrals);

        let index = self.index()?;
        let mut review_ids: Vec<(u64, RecordId)> = index
            .reviews()
            .filter(|r| r.target.is_some_and(|t| ids.contains(&t)))
            .map(|r| (r.created_ms, r.id))
            .collect();
        drop(index);
        review_ids.sort();
        let mut reviews = Vec::new();
        for (_, id) in review_ids {
            let r = self.review(id)?;
            ids.insert(id);
            let date = Date::from_unix_ms(r.created_ms);
            let reason = if r.target.is_some_and(|t| shared.contains(&t)) {
                SharedRecord
            } else {
                Notes
            };
            reviews.push(json!({
                "id": id.to_string(),
                "of": r.target.map(|t| t.to_string()),
                "verdict": r.verdict.code(),
                "date": date.to_string(),
                "comment": review.text(id, "review", "comment", date, reason, r.comment),
                "response": review.text(id, "review", "response", date, reason, r.response),
                "supervisor_device": r.supervisor.to_string(),
            }));
        }
        out["reviews"] = Json::Array(reviews);

        let audit: Vec<Json> = self
            .audit_trail()?
            .into_iter()
            .filter(|e| e.record.is_some_and(|r| ids.contains(&r)))
            .map(|e| {
                json!({
                    "at": Date::from_unix_ms(e.at.wall_ms).to_string(),
                    "at_ms": e.at.wall_ms,
                    "device": e.device.to_string(),
                    "action": e.action.code(),
                    "kind": e.kind,
                    "record": e.record.map(|r| r.to_string()),
                    "fields": e.fields,
                })
            })
            .collect();
        out["audit"] = Json::Array(audit);
        Ok(out)
    }
}

#[derive(Deserialize)]
struct ExportTexts {
    texts: Vec<Term>,
}

/// The headings of the document (`data/export-text.json`).
pub fn export_texts() -> &'static [Term] {
    static TEXTS: OnceLock<ExportTexts> = OnceLock::new();
    &TEXTS
        .get_or_init(|| {
            serde_json::from_str(include_str!("../../data/export-text.json"))
                .expect("the shipped export texts parse")
        })
        .texts
}

/// A term in `lang`, English where the translation is missing (and whether it was).
fn pick(t: &Term, lang: Language) -> (&str, bool) {
    let found = match lang {
        Language::English => Some(t.en.as_str()),
        Language::French => t.fr.as_deref(),
        Language::Kinyarwanda => t.rw.as_deref(),
    };
    match found {
        Some(s) => (s, false),
        None => (t.en.as_str(), true),
    }
}

/// The document's headings in its language: the team's content packs first, then the
/// shipped texts, then English.
struct Texts {
    lang: Language,
    overrides: BTreeMap<String, String>,
}

impl Texts {
    /// The label of a code (`sex.F`, `status.open`...), or the code itself.
    fn code(&self, prefix: &str, code: &str) -> String {
        let id = format!("{prefix}.{code}");
        if self.overrides.contains_key(&id) || export_texts().iter().any(|t| t.id == id) {
            self.get(&id)
        } else {
            code.to_owned()
        }
    }

    fn get(&self, id: &str) -> String {
        if let Some(t) = self.overrides.get(id) {
            return t.clone();
        }
        export_texts()
            .iter()
            .find(|t| t.id == id)
            .map_or_else(|| id.to_owned(), |t| pick(t, self.lang).0.to_owned())
    }
}

/// A list label (problem, modality, scope...) in `lang`, or the code itself.
fn label(list: &[Term], code: &str, lang: Language) -> String {
    list.iter()
        .find(|t| t.id == code)
        .map_or_else(|| code.to_owned(), |t| pick(t, lang).0.to_owned())
}

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn s(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(t) => t.clone(),
        other => other.to_string(),
    }
}

/// One reviewed free text as HTML: the text, a mark that it was shortened, or withheld.
fn passage(v: &Json, tx: &Texts) -> String {
    match v["status"].as_str() {
        Some("released") => format!("<p class=\"text\">{}</p>", escape(&s(&v["text"]))),
        Some("shortened") => format!(
            "<p class=\"text\">{} <em>{}</em></p>",
            escape(&s(&v["text"])),
            escape(&tx.get("redacted"))
        ),
        Some(_) => format!("<p class=\"withheld\">{}</p>", escape(&tx.get("withheld"))),
        None => String::new(),
    }
}

const PRINT_CSS: &str = "body{font-family:'Noto Sans',Arial,sans-serif;max-width:46em;margin:2em auto;color:#111;line-height:1.45}\
h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #999;margin-top:1.6em}\
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #bbb;padding:.25em .4em;text-align:left;vertical-align:top}\
.text{white-space:pre-wrap;margin:.3em 0}.withheld{color:#555;font-style:italic}.note{background:#f3f3f3;padding:.5em}\
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}tr{page-break-inside:avoid}}";

/// The readable document: one self-contained HTML page (no script, no outside resource).
fn render_html(doc: &Json, tx: &Texts) -> String {
    let lang = tx.lang;
    let h = |id: &str| escape(&tx.get(id));
    let l = lists();
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{PRINT_CSS}</style></head><body>\n",
        lang.code(),
        h("title")
    );
    let _ = writeln!(o, "<h1>{}</h1>", h("title"));
    let intro = tx.get("intro").replace("{0}", &s(&doc["produced"]));
    let _ = writeln!(o, "<p>{}</p>", escape(&intro));
    if lang == Language::Kinyarwanda && export_texts().iter().any(|t| t.rw.is_none()) {
        let _ = writeln!(
            o,
            "<p class=\"note\">{}</p>",
            escape(
                &export_texts()
                    .iter()
                    .find(|t| t.id == "language_missing")
                    .map_or_else(String::new, |t| t.en.clone())
            )
        );
    }
    let withheld = doc["withheld"].as_u64().unwrap_or(0);
    if withheld > 0 {
        let t = tx
            .get("withheld_intro")
            .replace("{0}", &withheld.to_string());
        let _ = writeln!(o, "<p class=\"note\">{}</p>", escape(&t));
    }

    let c = &doc["client"];
    let _ = writeln!(o, "<h2>{}</h2><table>", h("profile"));
    let place = c["location"]
        .as_object()
        .map(|m| {
            ["village", "cell", "sector", "district"]
                .iter()
                .filter_map(|k| m.get(*k).and_then(Json::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let groups: Vec<String> = c["target_groups"]
        .as_array()
        .map(|a| a.iter().map(s).collect())
        .unwrap_or_default();
    for (id, value) in [
        ("name", s(&c["name"])),
        ("code", s(&c["code"])),
        ("sex", tx.code("sex", &s(&c["sex"]))),
        ("birth_year", s(&c["birth_year"])),
        ("phone", s(&c["phone"])),
        ("place", place),
        ("target_groups", groups.join(", ")),
    ] {
        let _ = writeln!(o, "<tr><th>{}</th><td>{}</td></tr>", h(id), escape(&value));
    }
    o.push_str("</table>\n");

    let empty = |o: &mut String, a: &Json| {
        if a.as_array().is_none_or(Vec::is_empty) {
            let _ = writeln!(o, "<p>{}</p>", h("none"));
            true
        } else {
            false
        }
    };

    let _ = writeln!(o, "<h2>{}</h2>", h("consents"));
    if !empty(&mut o, &doc["consents"]) {
        let _ = writeln!(
            o,
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            h("date"),
            h("what"),
            h("decision")
        );
        for k in doc["consents"].as_array().into_iter().flatten() {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}{}</td></tr>",
                escape(&s(&k["date"])),
                escape(&label(&l.consent_scopes, &s(&k["scope"]), lang)),
                escape(&tx.code("decision", &s(&k["decision"]))),
                passage(&k["guardian_name"], tx)
            );
        }
        o.push_str("</table>\n");
    }

    let _ = writeln!(o, "<h2>{}</h2>", h("rights"));
    if !empty(&mut o, &doc["rights_requests"]) {
        for r in doc["rights_requests"].as_array().into_iter().flatten() {
            let _ = writeln!(
                o,
                "<p>{} — {} ({}): {}</p>{}{}",
                escape(&s(&r["date"])),
                escape(&tx.code("right", &s(&r["right"]))),
                escape(&s(&r["subject"])),
                escape(&tx.code("request", &s(&r["decision"]))),
                passage(&r["request"], tx),
                passage(&r["decision_note"], tx)
            );
        }
    }

    let _ = writeln!(o, "<h2>{}</h2>", h("cases"));
    if !empty(&mut o, &doc["cases"]) {
        for k in doc["cases"].as_array().into_iter().flatten() {
            let problems: Vec<String> = k["problems"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| label(&l.problems, &s(p), lang))
                .collect();
            let _ = writeln!(
                o,
                "<p><strong>{}</strong> — {} — {}</p>",
                escape(&s(&k["opened"])),
                escape(&problems.join(", ")),
                escape(&tx.code("status", &s(&k["status"])))
            );
            let others = k["other_people"].as_u64().unwrap_or(0);
            if others > 0 {
                let t = tx.get("shared_case").replace("{0}", &others.to_string());
                let _ = writeln!(o, "<p class=\"note\">{}</p>", escape(&t));
            }
            o.push_str(&passage(&k["close_reason"], tx));
        }
    }

    let _ = writeln!(o, "<h2>{}</h2>", h("sessions"));
    if !empty(&mut o, &doc["sessions"]) {
        for x in doc["sessions"].as_array().into_iter().flatten() {
            let interventions: Vec<String> = x["interventions"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| label(&l.interventions, &s(p), lang))
                .collect();
            let _ = writeln!(
                o,
                "<h3>{} — {}</h3><p>{}</p>",
                escape(&s(&x["date"])),
                escape(&label(&l.modalities, &s(&x["modality"]), lang)),
                escape(&interventions.join(", "))
            );
            let others = x["other_people"].as_u64().unwrap_or(0);
            if others > 0 {
                let t = tx.get("shared_session").replace("{0}", &others.to_string());
                let _ = writeln!(o, "<p class=\"note\">{}</p>", escape(&t));
            }
            for f in [
                "notes",
                "follow_up_plan",
                "household_present",
                "safety_notes",
                "position",
            ] {
                o.push_str(&passage(&x[f], tx));
            }
        }
    }

    let _ = writeln!(o, "<h2>{}</h2>", h("group_sessions"));
    if !empty(&mut o, &doc["group_sessions"]) {
        o.push_str("<table>");
        for g in doc["group_sessions"].as_array().into_iter().flatten() {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&s(&g["date"])),
                escape(&label(&l.group_kinds, &s(&g["group_kind"]), lang)),
                escape(&label(&l.group_phases, &s(&g["phase"]), lang))
            );
        }
        o.push_str("</table>\n");
    }

    let _ = writeln!(o, "<h2>{}</h2>", h("assessments"));
    if !empty(&mut o, &doc["assessments"]) {
        let _ = writeln!(
            o,
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            h("date"),
            h("what"),
            h("score")
        );
        for a in doc["assessments"].as_array().into_iter().flatten() {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{} {}</td></tr>",
                escape(&s(&a["date"])),
                escape(&s(&a["instrument"]).to_uppercase()),
                escape(&s(&a["score"])),
                escape(&s(&a["band_label"]))
            );
        }
        o.push_str("</table>\n");
    }

    let _ = writeln!(o, "<h2>{}</h2>", h("referrals"));
    if !empty(&mut o, &doc["referrals"]) {
        for r in doc["referrals"].as_array().into_iter().flatten() {
            let _ = writeln!(
                o,
                "<p>{} — {} — {}</p>{}{}",
                escape(&s(&r["date"])),
                escape(&label(
                    &l.referral_destinations,
                    &s(&r["destination"]),
                    lang
                )),
                escape(&s(&r["status"])),
                passage(&r["organisation"], tx),
                passage(&r["reason"], tx)
            );
        }
    }

    let _ = writeln!(o, "<h2>{}</h2>", h("reviews"));
    if !empty(&mut o, &doc["reviews"]) {
        for r in doc["reviews"].as_array().into_iter().flatten() {
            let _ = writeln!(
                o,
                "<p>{} — {}</p>{}{}",
                escape(&s(&r["date"])),
                escape(&s(&r["verdict"])),
                passage(&r["comment"], tx),
                passage(&r["response"], tx)
            );
        }
    }

    let _ = writeln!(o, "<h2>{}</h2>", h("audit"));
    if !empty(&mut o, &doc["audit"]) {
        let _ = writeln!(
            o,
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            h("date"),
            h("device"),
            h("what")
        );
        for e in doc["audit"].as_array().into_iter().flatten() {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{} {}</td></tr>",
                escape(&s(&e["at"])),
                escape(&s(&e["device"])[..8.min(s(&e["device"]).len())]),
                escape(&s(&e["action"])),
                escape(&s(&e["kind"]))
            );
        }
        o.push_str("</table>\n");
    }
    o.push_str("</body></html>\n");
    o
}
