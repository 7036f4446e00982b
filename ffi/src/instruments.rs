//! Instruments (PHQ-9, WHO-5, SRQ-20, PCL-5) for giving them item by item, with the team's
//! content packs (translations) and which of their texts are drafts.

use komora_core as core;

use crate::convert::fit_i32;
use crate::error::Result;
use crate::vault::KomoraVault;

/// One instrument, for giving it item by item. Missing translations are `null`.
#[derive(uniffi::Record)]
pub struct InstrumentItem {
    pub id: String,
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
}

#[derive(uniffi::Record)]
pub struct InstrumentOption {
    pub value: i32,
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
}

#[derive(uniffi::Record)]
pub struct Instrument {
    pub id: String,
    pub version: i32,
    pub name: String,
    pub instructions: String,
    pub items: Vec<InstrumentItem>,
    pub options: Vec<InstrumentOption>,
    pub higher_is_better: bool,
    /// Severity bands with their labels, to show "Moderate" for the band `moderate`.
    pub bands: Vec<InstrumentBand>,
}

impl From<&core::Instrument> for Instrument {
    fn from(i: &core::Instrument) -> Self {
        Instrument {
            id: i.id.clone(),
            version: i.version as i32,
            name: i.name.en.clone(),
            instructions: i.instructions.en.clone(),
            items: i
                .items
                .iter()
                .map(|it| InstrumentItem {
                    id: it.id.clone(),
                    en: it.text.en.clone(),
                    fr: it.text.fr.clone(),
                    rw: it.text.rw.clone(),
                })
                .collect(),
            options: i
                .options
                .iter()
                .map(|o| InstrumentOption {
                    value: i32::from(o.value),
                    en: o.label.en.clone(),
                    fr: o.label.fr.clone(),
                    rw: o.label.rw.clone(),
                })
                .collect(),
            higher_is_better: i.higher_is_better,
            bands: i
                .bands
                .iter()
                .map(|b| InstrumentBand {
                    id: b.id.clone(),
                    min: fit_i32(b.min),
                    max: fit_i32(b.max),
                    en: b.label.en.clone(),
                    fr: b.label.fr.clone(),
                    rw: b.label.rw.clone(),
                })
                .collect(),
        }
    }
}

/// A score range and its label; a missing translation is null, never invented.
#[derive(uniffi::Record)]
pub struct InstrumentBand {
    pub id: String,
    pub min: i32,
    pub max: i32,
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
}

/// An instrument with the team's translations; `drafts` lists the `path:lang` texts the app
/// marks as drafts (`items.3:rw`, `instructions:en`).
#[derive(uniffi::Record)]
pub struct LocalizedInstrument {
    pub instrument: Instrument,
    pub drafts: Vec<String>,
}

/// The instruments this version knows (PHQ-9, WHO-5, SRQ-20, PCL-5), for giving them item by
/// item.
#[uniffi::export]
pub fn instruments() -> Vec<Instrument> {
    core::instruments().iter().map(Instrument::from).collect()
}

#[uniffi::export]
impl KomoraVault {
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
