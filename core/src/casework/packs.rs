//! Content packs: instrument texts (and the headings of a client's export) in a language,
//! brought by a file an administrator imports, rather than by a new app. Komora ships only
//! text it can cite; AMI's translations, drafts and reviewed versions alike, come as packs.
//!
//! A pack names itself and its version, its language, its source and a review status
//! (published, reviewed by AMI, draft), which each text may lower to draft. Importing checks
//! every key against the texts Komora knows, every placeholder against the English, and that
//! the version is newer than the one in force. A pack is written as a record of the team's
//! policy kind, which every tablet accepts only from administrators (as the team's policy),
//! so a counsellor's tablet cannot slip its own wording into an instrument.

use std::collections::BTreeMap;

use komora_protocol::Role;
use serde::{Deserialize, Serialize};

use super::instrument::{instruments, latest_instrument, Instrument, Translated};
use super::policy::KIND as POLICY;
use super::StateExt;
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::store::Edit;
use crate::vault::Vault;

/// The largest pack file accepted (an operation carries it whole).
pub const MAX_PACK_BYTES: usize = 128 * 1024;
const FIELD: &str = "content_pack";

/// How far a text was reviewed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextStatus {
    /// Not reviewed: the app marks it.
    Draft,
    /// Reviewed by AMI's staff.
    ReviewedByAmi,
    /// Taken word for word from a published source.
    Published,
}

impl TextStatus {
    pub fn code(self) -> &'static str {
        match self {
            TextStatus::Draft => "draft",
            TextStatus::ReviewedByAmi => "reviewed-by-ami",
            TextStatus::Published => "published",
        }
    }
}

/// One text of a pack: the text, or the text and a status below the pack's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PackText {
    Plain(String),
    WithStatus { text: String, status: TextStatus },
}

impl PackText {
    pub fn text(&self) -> &str {
        match self {
            PackText::Plain(t) | PackText::WithStatus { text: t, .. } => t,
        }
    }
}

/// A content pack as imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentPack {
    pub id: String,
    pub version: u32,
    /// fr or rw.
    pub language: String,
    pub status: TextStatus,
    /// Where the texts come from: a citation, or "AMI translation team, 2026".
    pub source: String,
    /// `instrument:<id>:<path>` (name, instructions, items.<id>, options.<value>,
    /// bands.<id>) or `export:<heading>`.
    pub texts: BTreeMap<String, PackText>,
}

impl ContentPack {
    pub fn status_of(&self, key: &str) -> Option<TextStatus> {
        self.texts.get(key).map(|t| match t {
            PackText::Plain(_) => self.status,
            PackText::WithStatus { status, .. } => (*status).min(self.status),
        })
    }
}

fn bad(why: impl Into<String>) -> Error {
    Error::validation("pack", why)
}

/// The English of every text a pack may translate, by key.
pub fn translatable_texts() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut seen = Vec::new();
    for i in instruments() {
        if seen.contains(&i.id) {
            continue;
        }
        seen.push(i.id.clone());
        let i = latest_instrument(&i.id).expect("listed");
        for (path, t) in paths(i) {
            out.insert(format!("instrument:{}:{path}", i.id), t.en.clone());
        }
    }
    for t in super::export::export_texts() {
        out.insert(format!("export:{}", t.id), t.en.clone());
    }
    out
}

/// Every text of an instrument with its path.
pub(crate) fn paths(i: &Instrument) -> Vec<(String, &Translated)> {
    let mut out = vec![
        ("name".to_owned(), &i.name),
        ("instructions".to_owned(), &i.instructions),
    ];
    out.extend(
        i.items
            .iter()
            .map(|it| (format!("items.{}", it.id), &it.text)),
    );
    out.extend(
        i.options
            .iter()
            .map(|o| (format!("options.{}", o.value), &o.label)),
    );
    out.extend(
        i.bands
            .iter()
            .map(|b| (format!("bands.{}", b.id), &b.label)),
    );
    out
}

/// The placeholders `{0}`, `{1}` ... of a text, sorted.
pub(crate) fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if end > 0 && after[..end].bytes().all(|b| b.is_ascii_digit()) => {
                out.push(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out.sort();
    out
}

impl ContentPack {
    /// Parse and check a pack file.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > MAX_PACK_BYTES {
            return Err(bad(format!(
                "a pack is at most {} KiB",
                MAX_PACK_BYTES / 1024
            )));
        }
        let p: ContentPack = serde_json::from_slice(bytes)
            .map_err(|_| bad("the file is not a Komora content pack"))?;
        p.check()?;
        Ok(p)
    }

    pub(crate) fn check(&self) -> Result<()> {
        let id_ok = (1..=40).contains(&self.id.len())
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok || self.version == 0 {
            return Err(bad("a pack needs an id (a-z, 0-9, -) and a version from 1"));
        }
        if !["fr", "rw"].contains(&self.language.as_str()) {
            return Err(bad("a pack's language is fr or rw (English is the source)"));
        }
        super::clean_text("source", &self.source, 500)?
            .ok_or_else(|| bad("name the pack's source"))?;
        if self.texts.is_empty() {
            return Err(bad("the pack holds no text"));
        }
        let known = translatable_texts();
        for (key, t) in &self.texts {
            let Some(en) = known.get(key) else {
                return Err(bad(format!("unknown text '{key}'")));
            };
            if super::clean_text("text", t.text(), 2_000)?.is_none() {
                return Err(bad(format!("'{key}' is empty")));
            }
            if placeholders(en) != placeholders(t.text()) {
                return Err(bad(format!(
                    "'{key}' must keep the placeholders of the English ({})",
                    placeholders(en)
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )));
            }
        }
        Ok(())
    }
}

impl Vault {
    /// Import a pack (administrators): every tablet of the team uses it after its next sync.
    /// A version not newer than the one in force is refused; the same file again changes
    /// nothing.
    pub fn import_content_pack(&mut self, bytes: &[u8]) -> Result<ContentPack> {
        if let Some(role) = self.role()? {
            if role != Role::Admin {
                return Err(Error::Forbidden(
                    "only an administrator imports a content pack".into(),
                ));
            }
        }
        let pack = ContentPack::from_json(bytes)?;
        if let Some(current) = self.content_packs()?.into_iter().find(|p| p.id == pack.id) {
            if current == pack {
                return Ok(pack);
            }
            if current.version >= pack.version {
                return Err(bad(format!(
                    "version {} of '{}' is in force: give the new file a higher version",
                    current.version, pack.id
                )));
            }
        }
        let json = serde_json::to_string(&pack).expect("a checked pack serialises");
        self.write_record(
            RecordId::for_kind(POLICY),
            POLICY,
            true,
            vec![Edit::Set(FIELD, json.into())],
        )?;
        Ok(pack)
    }

    /// The packs in force: the newest valid version of each, by id.
    pub fn content_packs(&self) -> Result<Vec<ContentPack>> {
        let mut newest: BTreeMap<String, ContentPack> = BTreeMap::new();
        self.store.for_each_state(POLICY, |_, s| {
            let Some(p) = s
                .text(FIELD)
                .and_then(|t| serde_json::from_str::<ContentPack>(&t).ok())
                .filter(|p| p.check().is_ok())
            else {
                return;
            };
            if newest.get(&p.id).is_none_or(|c| c.version < p.version) {
                newest.insert(p.id.clone(), p);
            }
        })?;
        Ok(newest.into_values().collect())
    }

    /// A text of a pack for `key` in `lang`, and its status: the pack with the best status
    /// wins, then the newest id (alphabetically last) for a stable choice.
    pub(crate) fn pack_text(
        packs: &[ContentPack],
        key: &str,
        lang: &str,
    ) -> Option<(String, TextStatus)> {
        packs
            .iter()
            .filter(|p| p.language == lang)
            .filter_map(|p| Some((p.texts.get(key)?.text().to_owned(), p.status_of(key)?)))
            .max_by_key(|(_, s)| *s)
    }

    /// An instrument with the team's packs applied: every text in three languages where
    /// known, and the status of each (`drafts` lists the `path:lang` texts to mark).
    pub fn localized_instrument(&self, id: &str) -> Result<(Instrument, Vec<String>)> {
        let mut i = latest_instrument(id)?.clone();
        let packs = self.content_packs()?;
        let mut drafts = Vec::new();
        let mut fill = |path: &str, t: &mut Translated| {
            for lang in ["fr", "rw"] {
                let key = format!("instrument:{id}:{path}");
                if let Some((text, status)) = Self::pack_text(&packs, &key, lang) {
                    if status == TextStatus::Draft {
                        drafts.push(format!("{path}:{lang}"));
                    }
                    match lang {
                        "fr" => t.fr = Some(text),
                        _ => t.rw = Some(text),
                    }
                }
            }
        };
        fill("name", &mut i.name);
        fill("instructions", &mut i.instructions);
        for it in &mut i.items {
            fill(&format!("items.{}", it.id), &mut it.text);
        }
        for o in &mut i.options {
            fill(&format!("options.{}", o.value), &mut o.label);
        }
        for b in &mut i.bands {
            fill(&format!("bands.{}", b.id), &mut b.label);
        }
        drafts.extend(i.english_drafts.iter().map(|p| format!("{p}:en")));
        Ok((i, drafts))
    }
}
