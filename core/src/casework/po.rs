//! The translators' workflow: every text a content pack may carry, as a gettext PO catalogue
//! that translation tools (Poedit, Weblate, OmegaT...) read, and back.
//!
//! `export_po` writes one entry per text: the key as `msgctxt`, the English as `msgid`, the
//! translation in force as `msgstr` (`fuzzy` when it is a draft), the source as a comment.
//! `pack_from_po` reads a catalogue back into a content pack: an entry whose English changed
//! since the export is refused (the translation was made for other words), placeholders must
//! match the English, a `fuzzy` entry becomes a draft, an empty one is left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::consent::Language;
use super::packs::{placeholders, translatable_texts, ContentPack, PackText, TextStatus};
use crate::error::{Error, Result};
use crate::vault::Vault;

/// The largest catalogue read.
pub const MAX_PO_BYTES: usize = 1024 * 1024;

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn unquote(s: &str) -> Option<String> {
    let inner = s.trim().strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// One entry read from a catalogue.
#[derive(Default)]
struct Entry {
    context: Option<String>,
    id: String,
    text: String,
    fuzzy: bool,
}

fn parse(po: &str) -> Result<Vec<Entry>> {
    let bad = |line: usize| {
        Error::validation(
            "po",
            format!("line {line} is not gettext PO (msgctxt, msgid, msgstr and quoted lines)"),
        )
    };
    let mut out = Vec::new();
    let mut cur = Entry::default();
    let mut field: Option<u8> = None; // 0 ctxt, 1 id, 2 str
    let mut started = false;
    for (n, line) in po.lines().enumerate() {
        let line = line.trim();
        let (target, rest) = if let Some(r) = line.strip_prefix("msgctxt ") {
            if started && field == Some(2) {
                out.push(std::mem::take(&mut cur));
            }
            started = true;
            (Some(0), r)
        } else if let Some(r) = line.strip_prefix("msgid ") {
            if started && field == Some(2) {
                out.push(std::mem::take(&mut cur));
            }
            started = true;
            (Some(1), r)
        } else if let Some(r) = line.strip_prefix("msgstr ") {
            (Some(2), r)
        } else if line.starts_with("#,") {
            if field == Some(2) {
                out.push(std::mem::take(&mut cur));
                field = None;
                started = false;
            }
            cur.fuzzy |= line.contains("fuzzy");
            continue;
        } else if line.starts_with('#') || line.is_empty() {
            continue;
        } else if line.starts_with('"') {
            (None, line)
        } else {
            return Err(bad(n + 1));
        };
        if let Some(t) = target {
            field = Some(t);
        }
        let text = unquote(rest).ok_or_else(|| bad(n + 1))?;
        match field {
            Some(0) => cur.context.get_or_insert_with(String::new).push_str(&text),
            Some(1) => cur.id.push_str(&text),
            Some(2) => cur.text.push_str(&text),
            _ => return Err(bad(n + 1)),
        }
    }
    if started && field == Some(2) {
        out.push(cur);
    }
    Ok(out)
}

impl Vault {
    /// Every text a pack may carry, as a PO catalogue for `lang` (fr or rw), with the team's
    /// translations in force.
    pub fn export_po(&self, lang: Language) -> Result<String> {
        let code = lang.code();
        if lang == Language::English {
            return Err(Error::validation(
                "lang",
                "English is the source: export fr or rw",
            ));
        }
        let packs = self.content_packs()?;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Komora: instrument texts and client-export headings.\n# Translate msgstr; keep {{0}}-style placeholders; mark unsure entries fuzzy (they stay drafts).\nmsgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\"Language: {code}\\n\"\n"
        );
        for (key, en) in translatable_texts() {
            let current = Self::pack_text(&packs, &key, code);
            let _ = writeln!(out, "#. {}", source_of(&key));
            if current
                .as_ref()
                .is_some_and(|(_, s)| *s == TextStatus::Draft)
            {
                out.push_str("#, fuzzy\n");
            }
            let _ = writeln!(out, "msgctxt {}", quote(&key));
            let _ = writeln!(out, "msgid {}", quote(&en));
            let _ = writeln!(
                out,
                "msgstr {}\n",
                quote(current.as_ref().map_or("", |(t, _)| t))
            );
        }
        Ok(out)
    }
}

/// Where the English of a key comes from, for the translator.
fn source_of(key: &str) -> String {
    match key.split(':').nth(1) {
        Some(id) if key.starts_with("instrument:") => super::instrument::latest_instrument(id)
            .map(|i| format!("source: {}", i.source))
            .unwrap_or_default(),
        _ => "source: Komora (the client's copy of their file)".into(),
    }
}

/// A content pack from a translated catalogue: `status` for every entry but the fuzzy ones
/// (drafts). Refuses unknown keys, English that changed since the export, and placeholders
/// that differ.
pub fn pack_from_po(
    po: &str,
    id: &str,
    version: u32,
    lang: Language,
    status: TextStatus,
    source: &str,
) -> Result<ContentPack> {
    if po.len() > MAX_PO_BYTES {
        return Err(Error::validation("po", "the catalogue is over 1 MiB"));
    }
    let known = translatable_texts();
    let mut texts = BTreeMap::new();
    for e in parse(po)? {
        let Some(key) = e.context else {
            continue; // the header
        };
        let Some(en) = known.get(&key) else {
            return Err(Error::validation("po", format!("unknown entry '{key}'")));
        };
        if *en != e.id {
            return Err(Error::validation(
                "po",
                format!(
                    "the English of '{key}' changed since this catalogue was made: export again"
                ),
            ));
        }
        if e.text.trim().is_empty() {
            continue;
        }
        if placeholders(en) != placeholders(&e.text) {
            return Err(Error::validation(
                "po",
                format!("'{key}' must keep the placeholders of the English"),
            ));
        }
        let text = if e.fuzzy && status != TextStatus::Draft {
            PackText::WithStatus {
                text: e.text,
                status: TextStatus::Draft,
            }
        } else {
            PackText::Plain(e.text)
        };
        texts.insert(key, text);
    }
    let pack = ContentPack {
        id: id.to_owned(),
        version,
        language: lang.code().to_owned(),
        status,
        source: source.to_owned(),
        texts,
    };
    pack.check()?;
    Ok(pack)
}
