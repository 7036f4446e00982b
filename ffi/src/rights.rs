//! A person's rights, instruments from their sources, and the figures people look at, for the
//! app (issue 22): a client's own file (reviewed passages, then the two documents in memory:
//! the app writes them only where the supervisor chooses), rectification requests and
//! objections, each measure's scores with the bands behind them for the client file's chart,
//! an instrument with the team's content packs and its draft texts, and importing a pack.

use komora_core as core;

use crate::error::{KomoraError, Result};
use crate::records::{self, Instrument};
use crate::KomoraVault;

/// One free text of a client's file, for the supervisor to decide on before it leaves.
#[derive(uniffi::Record)]
pub struct ExportPassage {
    /// What a decision names (record, field and the text it was read as).
    pub key: String,
    pub kind: String,
    pub field: String,
    pub date: String,
    /// notes, shared-record, third-party or safety.
    pub reason: String,
    pub text: String,
}

/// The supervisor's decision on one passage: release, withhold, or replace (with the shorter
/// text). A passage without one is withheld.
#[derive(uniffi::Record)]
pub struct PassageDecision {
    pub key: String,
    pub decision: String,
    #[uniffi(default = None)]
    pub replacement: Option<String>,
}

/// The client's file as a page and as JSON, in memory.
#[derive(uniffi::Record)]
pub struct ClientExportDocs {
    pub html: String,
    pub json: String,
    pub language: String,
    pub released: i32,
    pub shortened: i32,
    pub withheld: i32,
}

#[derive(uniffi::Record)]
pub struct RightsRequest {
    pub id: String,
    /// rectification or objection.
    pub right: String,
    /// The field (rectification) or the purpose (objection: statistics or sharing).
    pub subject: String,
    pub asked_by: String,
    pub request: Option<String>,
    pub date: String,
    /// pending, granted, refused or withdrawn.
    pub decision: String,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub decision_note: Option<String>,
    /// Whether it restricts processing now.
    pub stands: bool,
}

#[derive(uniffi::Record)]
pub struct NewRightsRequest {
    pub client_id: String,
    pub right: String,
    pub subject: String,
    #[uniffi(default = "self")]
    pub asked_by: String,
    #[uniffi(default = None)]
    pub request: Option<String>,
    #[uniffi(default = None)]
    pub date: Option<String>,
}

/// A band behind a chart: the score range and its label (a missing translation is null).
#[derive(uniffi::Record)]
pub struct ChartBand {
    pub id: String,
    pub min: i32,
    pub max: i32,
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
}

#[derive(uniffi::Record)]
pub struct ChartPoint {
    pub date: String,
    pub score: i32,
    pub band: String,
}

/// One measure's scores over time for a client, with the bands that apply to them (the
/// team's cut-off set, for the client's sex).
#[derive(uniffi::Record)]
pub struct ScoreChart {
    pub instrument: String,
    pub cutoff_set: String,
    pub higher_is_better: bool,
    pub min: i32,
    pub max: i32,
    pub bands: Vec<ChartBand>,
    pub points: Vec<ChartPoint>,
}

/// An instrument with the team's translations; `drafts` lists the `path:lang` texts the app
/// marks as drafts (`items.3:rw`, `instructions:en`).
#[derive(uniffi::Record)]
pub struct LocalizedInstrument {
    pub instrument: Instrument,
    pub drafts: Vec<String>,
}

fn fit(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn request(r: core::RightsRequest) -> RightsRequest {
    RightsRequest {
        id: r.id.to_string(),
        right: r.right.code().into(),
        subject: r.subject.clone(),
        asked_by: r.asked_by.code().into(),
        stands: r.stands(),
        request: r.request,
        date: r.date.to_string(),
        decision: r.decision.code().into(),
        decided_by: r.decided_by.map(|d| d.to_string()),
        decided_on: r.decided_on.map(|d| d.to_string()),
        decision_note: r.decision_note,
    }
}

fn language(code: Option<String>) -> Result<Option<core::Language>> {
    Ok(code.as_deref().map(core::Language::parse).transpose()?)
}

#[uniffi::export]
impl KomoraVault {
    /// Every free text a client's file holds, for the supervisor to read (audited as a view).
    pub fn client_export_review(&self, client_id: String) -> Result<Vec<ExportPassage>> {
        let id = records::id(&client_id)?;
        self.with(|v| {
            Ok(v.client_export_review(id)?
                .into_iter()
                .map(|p| ExportPassage {
                    key: p.key,
                    kind: p.kind,
                    field: p.field,
                    date: p.date.to_string(),
                    reason: p.reason.code().into(),
                    text: p.text,
                })
                .collect())
        })
    }

    /// The client's file with the decisions applied (audited as an export). The documents are
    /// returned, not written: the app hands them to the place the supervisor picks.
    pub fn export_client(
        &self,
        client_id: String,
        decisions: Vec<PassageDecision>,
        language_code: Option<String>,
    ) -> Result<ClientExportDocs> {
        let id = records::id(&client_id)?;
        let lang = language(language_code)?;
        let mut map = std::collections::BTreeMap::new();
        for d in decisions {
            let r = match (d.decision.as_str(), d.replacement) {
                ("release", _) => core::Redaction::Release,
                ("withhold", _) => core::Redaction::Withhold,
                ("replace", Some(t)) => core::Redaction::Replace(t),
                _ => {
                    return Err(KomoraError::Validation {
                        field: "decision".into(),
                        reason: "use release, withhold, or replace with a text".into(),
                    })
                }
            };
            map.insert(d.key, r);
        }
        self.with(|v| {
            let e = v.export_client(id, &map, lang)?;
            Ok(ClientExportDocs {
                html: e.html,
                json: e.json,
                language: e.language.code().into(),
                released: e.released as i32,
                shortened: e.shortened as i32,
                withheld: e.withheld as i32,
            })
        })
    }

    /// Record a rectification request or an objection; returns its id.
    pub fn add_rights_request(&self, r: NewRightsRequest) -> Result<String> {
        let new = core::NewRightsRequest {
            client: records::id(&r.client_id)?,
            right: core::Right::parse(&r.right)?,
            subject: r.subject,
            asked_by: core::ConsentGiver::parse(&r.asked_by)?,
            request: r.request,
            date: r
                .date
                .map(|d| core::Date::parse_field("date", &d))
                .transpose()?,
        };
        self.with(|v| Ok(v.add_rights_request(&new)?.to_string()))
    }

    /// Decide a request: granted, refused (with the reason) or withdrawn.
    pub fn decide_rights_request(
        &self,
        id: String,
        decision: String,
        note: Option<String>,
    ) -> Result<()> {
        let id = records::id(&id)?;
        let d = core::RequestDecision::parse(&decision)?;
        self.with(|v| Ok(v.decide_rights_request(id, d, note.as_deref())?))
    }

    /// A client's requests, newest first.
    pub fn rights_requests(&self, client_id: String) -> Result<Vec<RightsRequest>> {
        let id = records::id(&client_id)?;
        self.with(|v| Ok(v.rights_requests(id)?.into_iter().map(request).collect()))
    }

    /// Each measure's scores over time with the bands behind them, for the client file.
    pub fn score_charts(&self, client_id: String) -> Result<Vec<ScoreChart>> {
        let id = records::id(&client_id)?;
        self.with(|v| {
            Ok(v.measure_trends(id)?
                .into_iter()
                .map(|t| {
                    let inst = core::latest_instrument(&t.instrument).ok();
                    let (min, max) = inst.map_or((0, 0), |i| i.range());
                    ScoreChart {
                        higher_is_better: inst.is_some_and(|i| i.higher_is_better),
                        min: fit(min),
                        max: fit(max),
                        cutoff_set: t.cutoff_set,
                        bands: t
                            .bands
                            .into_iter()
                            .map(|b| ChartBand {
                                id: b.id,
                                min: fit(b.min),
                                max: fit(b.max),
                                en: b.label.en,
                                fr: b.label.fr,
                                rw: b.label.rw,
                            })
                            .collect(),
                        points: t
                            .points
                            .into_iter()
                            .map(|(d, score, band)| ChartPoint {
                                date: d.to_string(),
                                score: fit(score),
                                band,
                            })
                            .collect(),
                        instrument: t.instrument,
                    }
                })
                .collect())
        })
    }

    /// An instrument with the team's content packs applied, and which texts are drafts.
    pub fn localized_instrument(&self, id: String) -> Result<LocalizedInstrument> {
        self.with(|v| {
            let (i, drafts) = v.localized_instrument(&id)?;
            Ok(LocalizedInstrument {
                instrument: Instrument::from(&i),
                drafts,
            })
        })
    }

    /// Import a content pack file's text (administrators); returns "id version".
    pub fn import_content_pack(&self, json: String) -> Result<String> {
        self.with(|v| {
            let p = v.import_content_pack(json.as_bytes())?;
            Ok(format!("{} {}", p.id, p.version))
        })
    }
}
