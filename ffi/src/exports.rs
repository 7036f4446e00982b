//! A client's own file (ADR 0018): every free text reviewed by the supervisor first, then the
//! two documents (a page and JSON) returned in memory: the app writes them only where the
//! supervisor chooses.

use komora_core::{self as core, Date, RecordId};

use crate::error::{KomoraError, Result};
use crate::vault::KomoraVault;

/// One free text of a client's file, for the supervisor to decide on before it leaves.
#[derive(uniffi::Record)]
pub struct ExportPassage {
    /// What a decision names (record, field and the text it was read as).
    pub key: String,
    pub kind: String,
    pub field: String,
    pub date: Date,
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

fn language(code: Option<String>) -> Result<Option<core::Language>> {
    Ok(code.as_deref().map(core::Language::parse).transpose()?)
}

#[uniffi::export]
impl KomoraVault {
    /// Every free text a client's file holds, for the supervisor to read (audited as a view).
    pub fn client_export_review(&self, client_id: RecordId) -> Result<Vec<ExportPassage>> {
        self.with(|v| {
            Ok(v.client_export_review(client_id)?
                .into_iter()
                .map(|p| ExportPassage {
                    key: p.key,
                    kind: p.kind,
                    field: p.field,
                    date: p.date,
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
        client_id: RecordId,
        decisions: Vec<PassageDecision>,
        language_code: Option<String>,
    ) -> Result<ClientExportDocs> {
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
            let e = v.export_client(client_id, &map, lang)?;
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
}
