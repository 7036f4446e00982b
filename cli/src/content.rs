//! Instruments from their sources, per team: the cut-off sets and the one in use
//! (`komora instruments cutoffs`, `choose`), content packs (`komora instruments import`), and
//! the translators' workflow as gettext PO (`komora translations export`, `import`).

use std::path::PathBuf;

use clap::Subcommand;
use komora_core::{
    cutoff_sets, pack_from_po, Language, TextStatus, Vault, MAX_PACK_BYTES, MAX_PO_BYTES,
};
use serde_json::json;

use crate::output::Output;
use crate::{read_file, write_new_file, Failure};

#[derive(Subcommand)]
pub enum InstrumentsCommand {
    /// Every cut-off set with its source, population and review, and which one the team uses.
    Cutoffs,
    /// Choose the cut-off set the team uses for an instrument (administrators).
    Choose { instrument: String, set: String },
    /// Import a content pack file (administrators): checked, versioned, synced to every tablet.
    Import { file: PathBuf },
    /// The content packs in force.
    Packs,
}

#[derive(Subcommand)]
pub enum TranslationsCommand {
    /// Write every translatable text as a gettext PO catalogue for translators.
    Export {
        /// fr or rw.
        #[arg(long)]
        lang: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Read a translated catalogue back as a content pack and import it (administrators).
    Import {
        file: PathBuf,
        #[arg(long)]
        lang: String,
        /// The pack's id (a-z, 0-9, -), for example ami-rw.
        #[arg(long)]
        pack: String,
        /// Higher than the version in force; default: one more.
        #[arg(long)]
        version: Option<u32>,
        /// draft, reviewed-by-ami or published (fuzzy entries stay drafts).
        #[arg(long, default_value = "draft")]
        status: String,
        /// Who translated or where the text was published.
        #[arg(long)]
        source: String,
    },
}

fn status(s: &str) -> Result<TextStatus, Failure> {
    match s {
        "draft" => Ok(TextStatus::Draft),
        "reviewed-by-ami" => Ok(TextStatus::ReviewedByAmi),
        "published" => Ok(TextStatus::Published),
        _ => Err(Failure(
            "status: use draft, reviewed-by-ami or published".into(),
            2,
        )),
    }
}

pub fn instruments_command(
    v: &mut Vault,
    cmd: InstrumentsCommand,
    out: &Output,
) -> Result<(), Failure> {
    match cmd {
        InstrumentsCommand::Cutoffs => {
            let mut items = Vec::new();
            for s in cutoff_sets() {
                let in_use = v.cutoff_set_in_use(&s.instrument)?.id == s.id;
                items.push(json!({
                    "id": s.id,
                    "instrument": s.instrument,
                    "in_use": in_use,
                    "name": s.name,
                    "population": s.population,
                    "source": s.source,
                    "review": s.review.status,
                    "review_note": s.review.note,
                    "bands": s.bands.iter().map(|b| json!({
                        "id": b.id, "min": b.min, "max": b.max, "sex": b.sex,
                    })).collect::<Vec<_>>(),
                }));
            }
            out.list(items);
        }
        InstrumentsCommand::Choose { instrument, set } => {
            v.choose_cutoff_set(&instrument, &set)?;
            out.record(json!({ "instrument": instrument, "in_use": set }));
        }
        InstrumentsCommand::Import { file } => {
            let pack = v.import_content_pack(&read_file(&file, MAX_PACK_BYTES)?)?;
            out.record(json!({
                "pack": pack.id, "version": pack.version, "language": pack.language,
                "status": pack.status.code(), "texts": pack.texts.len(),
            }));
        }
        InstrumentsCommand::Packs => {
            let packs = v.content_packs()?;
            out.list(
                packs
                    .iter()
                    .map(|p| {
                        json!({
                            "pack": p.id, "version": p.version, "language": p.language,
                            "status": p.status.code(), "source": p.source, "texts": p.texts.len(),
                        })
                    })
                    .collect(),
            );
        }
    }
    Ok(())
}

pub fn translations_command(
    v: &mut Vault,
    cmd: TranslationsCommand,
    out: &Output,
) -> Result<(), Failure> {
    match cmd {
        TranslationsCommand::Export { lang, out: path } => {
            let po = v.export_po(Language::parse(&lang)?)?;
            write_new_file(&path, po.as_bytes())?;
            out.record(json!({ "file": path, "entries": po.matches("\nmsgctxt ").count() }));
        }
        TranslationsCommand::Import {
            file,
            lang,
            pack,
            version,
            status: s,
            source,
        } => {
            let bytes = read_file(&file, MAX_PO_BYTES)?;
            let po = String::from_utf8(bytes)
                .map_err(|_| Failure("the catalogue is not UTF-8 text".into(), 2))?;
            let version = match version {
                Some(n) => n,
                None => v
                    .content_packs()?
                    .iter()
                    .find(|p| p.id == pack)
                    .map_or(1, |p| p.version + 1),
            };
            let built = pack_from_po(
                &po,
                &pack,
                version,
                Language::parse(&lang)?,
                status(&s)?,
                &source,
            )?;
            let json = serde_json::to_vec(&built).expect("a pack serialises");
            let imported = v.import_content_pack(&json)?;
            out.record(json!({
                "pack": imported.id, "version": imported.version,
                "language": imported.language, "texts": imported.texts.len(),
            }));
        }
    }
    Ok(())
}
