//! Drafts for Kotlin: what a form holds before it is saved, kept sealed in the vault as the
//! counsellor types (core `drafts.rs`). Never synced.

use std::collections::HashMap;

use crate::convert::ms;
use crate::error::Result;
use crate::vault::KomoraVault;

/// A kept draft: the form's slot, its fields as typed, when it was kept.
#[derive(uniffi::Record)]
pub struct Draft {
    pub slot: String,
    pub fields: HashMap<String, String>,
    pub saved_ms: i64,
}

impl From<komora_core::Draft> for Draft {
    fn from(d: komora_core::Draft) -> Self {
        Draft {
            slot: d.slot.clone(),
            fields: d
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            saved_ms: ms(d.saved_ms),
        }
    }
}

#[uniffi::export]
impl KomoraVault {
    /// Keep what a form holds under `slot` (replacing its earlier draft); all fields empty
    /// discards it.
    pub fn keep_draft(&self, slot: String, fields: HashMap<String, String>) -> Result<()> {
        let fields = fields.into_iter().collect();
        self.with(|v| Ok(v.keep_draft(&slot, &fields)?))
    }

    /// The draft kept under `slot`, if any.
    pub fn draft(&self, slot: String) -> Result<Option<Draft>> {
        self.with(|v| Ok(v.draft(&slot)?.map(Draft::from)))
    }

    /// Every draft on this tablet, the most recent first.
    pub fn drafts(&self) -> Result<Vec<Draft>> {
        self.with(|v| Ok(v.drafts()?.into_iter().map(Draft::from).collect()))
    }

    /// Throw the draft of `slot` away (its form was saved, or she chose to).
    pub fn discard_draft(&self, slot: String) -> Result<bool> {
        self.with(|v| Ok(v.discard_draft(&slot)?))
    }
}
