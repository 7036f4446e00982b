//! Drafts: what a counsellor has typed into a form and not saved yet (a session's notes, a new
//! client's details, a supervisor's comment), kept as she types so that a lock, an app killed
//! in the background on a 2 GB tablet or a flat battery loses nothing.
//!
//! A draft is this device's alone: it is never an operation, never in the log, never synced
//! and never seen by another tablet. Each one is a row of the `drafts` table (migration 0007)
//! sealed whole under the device master key (`Store::seal_local`): which form it belongs to,
//! its fields and when it was kept are all inside the ciphertext. Saving the form discards
//! the draft; erasing the vault erases it with everything else.
//!
//! A form names its draft with a *slot* of its own choosing ("session:<case id>"); the core
//! only keeps, finds and discards slots.

use std::collections::BTreeMap;
use std::fmt;

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::vault::Vault;

/// Associated data of a sealed draft: a draft opens only as a draft of this device.
const DRAFT_LABEL: &str = "komora/draft/v1";

/// At most this many drafts on a device: a form abandoned every day for months stays bounded.
pub const MAX_DRAFTS: usize = 64;
/// At most this many bytes in one draft (its fields' names and values): a long note fits many
/// times over; a runaway caller is refused rather than filling the tablet.
pub const MAX_DRAFT_BYTES: usize = 256 * 1024;
const MAX_SLOT_CHARS: usize = 200;

/// One kept draft. Its fields are what a person typed: `Debug` shows none of it, and they are
/// wiped from memory when the draft is dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The form's name for it ("session:<case id>").
    pub slot: String,
    /// Field name to the text typed.
    pub fields: BTreeMap<String, String>,
    /// When it was last kept, by this device's clock (ms since 1970).
    pub saved_ms: u64,
}

impl fmt::Debug for Draft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Draft([redacted])")
    }
}

impl Drop for Draft {
    fn drop(&mut self) {
        self.slot.zeroize();
        for v in self.fields.values_mut() {
            v.zeroize();
        }
    }
}

impl Vault {
    /// Keep what a form holds now under `slot`, replacing the slot's earlier draft. Fields all
    /// empty discard it instead (nothing typed is nothing to keep).
    pub fn keep_draft(&mut self, slot: &str, fields: &BTreeMap<String, String>) -> Result<()> {
        check_slot(slot)?;
        if fields.values().all(|v| v.trim().is_empty()) {
            self.discard_draft(slot)?;
            return Ok(());
        }
        let size: usize = slot.len() + fields.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
        if size > MAX_DRAFT_BYTES {
            return Err(Error::validation("draft", "too long to keep"));
        }
        let kept = self.kept_drafts()?;
        let existing = kept.iter().find(|(_, d)| d.slot == slot).map(|(id, _)| *id);
        if existing.is_none() && kept.len() >= MAX_DRAFTS {
            return Err(Error::validation(
                "draft",
                "too many unsaved forms on this tablet: save or discard some",
            ));
        }
        let draft = Draft {
            slot: slot.to_owned(),
            fields: fields.clone(),
            saved_ms: self.now_ms(),
        };
        let plain = Zeroizing::new(
            postcard::to_allocvec(&draft)
                .map_err(|_| Error::validation("draft", "cannot be kept"))?,
        );
        let sealed = self.store.seal_local(DRAFT_LABEL, &plain);
        let conn = self.store.drafts_table();
        match existing {
            Some(id) => conn.execute(
                "UPDATE drafts SET sealed = ?1 WHERE id = ?2",
                params![sealed, id],
            )?,
            None => conn.execute("INSERT INTO drafts (sealed) VALUES (?1)", params![sealed])?,
        };
        Ok(())
    }

    /// The draft kept under `slot`, if any.
    pub fn draft(&self, slot: &str) -> Result<Option<Draft>> {
        check_slot(slot)?;
        Ok(self
            .kept_drafts()?
            .into_iter()
            .map(|(_, d)| d)
            .find(|d| d.slot == slot))
    }

    /// Every draft on this device, the most recently kept first (offered back after unlock).
    pub fn drafts(&self) -> Result<Vec<Draft>> {
        let mut all: Vec<Draft> = self.kept_drafts()?.into_iter().map(|(_, d)| d).collect();
        all.sort_by(|a, b| {
            b.saved_ms
                .cmp(&a.saved_ms)
                .then_with(|| a.slot.cmp(&b.slot))
        });
        Ok(all)
    }

    /// Discard the draft of `slot` (the form was saved, or she chose to throw it away). The
    /// row is overwritten on disk (`secure_delete`). Returns whether there was one.
    pub fn discard_draft(&mut self, slot: &str) -> Result<bool> {
        check_slot(slot)?;
        let Some(id) = self
            .kept_drafts()?
            .into_iter()
            .find(|(_, d)| d.slot == slot)
            .map(|(id, _)| id)
        else {
            return Ok(false);
        };
        self.store
            .drafts_table()
            .execute("DELETE FROM drafts WHERE id = ?1", [id])?;
        Ok(true)
    }

    /// Every row, opened. A device has a handful of drafts: opening them all is cheaper than
    /// an index that would have to be keyed to hide which form each row belongs to.
    fn kept_drafts(&self) -> Result<Vec<(i64, Draft)>> {
        let conn = self.store.drafts_table();
        let mut stmt = conn.prepare_cached("SELECT id, sealed FROM drafts ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, sealed)| {
                let draft = self
                    .open_draft(&sealed)
                    .ok_or(Error::Corrupted { what: "a draft" })?;
                Ok((id, draft))
            })
            .collect()
    }

    /// A draft row opened under this device's key; `None` if it does not open or decode.
    fn open_draft(&self, sealed: &[u8]) -> Option<Draft> {
        let plain = self.store.open_local(DRAFT_LABEL, sealed)?;
        postcard::from_bytes(&plain).ok()
    }

    /// Whether any draft is kept (a cheap look for the screens, which open none).
    pub fn has_drafts(&self) -> Result<bool> {
        let conn = self.store.drafts_table();
        Ok(conn
            .query_row("SELECT 1 FROM drafts LIMIT 1", [], |_| Ok(()))
            .optional()?
            .is_some())
    }
}

impl Vault {
    /// After records were destroyed (an erasure, a file withdrawn with a lost tablet's work),
    /// before the write-ahead log is emptied of them: drop every draft kept for a record that
    /// went, so that the log's flush takes those too. A draft is sealed under this device's
    /// key, not the file's: crypto-shredding the file does not reach it, and a half-typed
    /// note about an erased client must not outlive her file (ADR 0010).
    ///
    /// The flush runs whatever the sweep meets: a draft that does not open is left (reported
    /// where drafts are listed), and a sweep that fails still lets the log be emptied, so that
    /// neither an erasure nor the opening of the vault after a crash is stopped by a draft. A
    /// failed sweep keeps the erasure's mark, so the next erasure, sync or opening sweeps
    /// again (before, the flush took the mark and her drafts were never looked at again).
    pub(crate) fn settle_erasures(&mut self) -> Result<()> {
        let pending = self.store.erasures_unflushed();
        let swept = if pending {
            self.drop_drafts_of_records_gone()
        } else {
            Ok(())
        };
        self.store.flush_erasures()?;
        if pending && swept.is_err() {
            self.store.keep_erasures_unflushed()?;
        }
        Ok(())
    }

    fn drop_drafts_of_records_gone(&mut self) -> Result<()> {
        let rows = {
            let mut stmt = self
                .store
                .drafts_table()
                .prepare_cached("SELECT id, sealed FROM drafts")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows
        };
        for (id, sealed) in rows {
            let Some(draft) = self.open_draft(&sealed) else {
                continue;
            };
            if self.names_a_record_gone(&draft.slot)? {
                self.store
                    .drafts_table()
                    .execute("DELETE FROM drafts WHERE id = ?1", [id])?;
            }
        }
        Ok(())
    }

    /// Whether a slot ("session:<case id>", "review:<session id>", ...) names a record this
    /// tablet does not hold. A record that cannot be read now is kept (in doubt, nothing typed
    /// is thrown away).
    fn names_a_record_gone(&self, slot: &str) -> Result<bool> {
        for part in slot.split(':') {
            if let Ok(id) = part.parse::<crate::ids::RecordId>() {
                if matches!(self.store.state(id), Ok(None)) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

fn check_slot(slot: &str) -> Result<()> {
    if slot.is_empty() || slot.chars().count() > MAX_SLOT_CHARS {
        return Err(Error::validation("slot", "a draft needs a short name"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kdf::KdfParams;
    use crate::vault::VaultOptions;

    const NOTE: &str = "She spoke about the anniversary; her son listened at the door";

    fn vault(dir: &std::path::Path) -> Vault {
        let opts = VaultOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
            ..Default::default()
        };
        Vault::create(dir.join("v"), "correct horse battery", opts).unwrap()
    }

    fn fields(note: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("notes".to_owned(), note.to_owned()),
            ("duration".to_owned(), "45".to_owned()),
        ])
    }

    #[test]
    fn a_draft_is_kept_replaced_found_after_unlock_and_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        v.keep_draft("session:a", &fields("She spoke")).unwrap();
        v.keep_draft("session:a", &fields(NOTE)).unwrap();
        v.keep_draft(
            "client:new",
            &BTreeMap::from([("name".into(), "Uwase".into())]),
        )
        .unwrap();
        assert_eq!(v.drafts().unwrap().len(), 2, "one draft per slot");
        v.lock();

        let opts = VaultOptions::default();
        let mut v = Vault::open(dir.path().join("v"), "correct horse battery", opts).unwrap();
        let d = v.draft("session:a").unwrap().expect("kept across a lock");
        assert_eq!(d.fields["notes"], NOTE);
        assert!(v.has_drafts().unwrap());
        assert!(v.discard_draft("session:a").unwrap());
        assert!(v.draft("session:a").unwrap().is_none());
        assert!(!v.discard_draft("session:a").unwrap());
        // Emptying every field is discarding.
        v.keep_draft("client:new", &BTreeMap::from([("name".into(), " ".into())]))
            .unwrap();
        assert!(!v.has_drafts().unwrap());
    }

    #[test]
    fn a_draft_is_never_an_operation_and_never_in_clear_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        // Another replica of the team: what this tablet would send it, before and after.
        let other =
            Vault::ephemeral(&v.team_keys(), std::sync::Arc::new(crate::hlc::SystemClock)).unwrap();
        let theirs = other.summary().unwrap();
        let ops_before = v.store.for_each_op(|_| ()).unwrap();
        let sent_before = v.ops_missing_from(&theirs).unwrap().len();
        v.keep_draft("session:a", &fields(NOTE)).unwrap();
        assert_eq!(
            v.store.for_each_op(|_| ()).unwrap(),
            ops_before,
            "nothing enters the log"
        );
        assert_eq!(
            v.ops_missing_from(&theirs).unwrap().len(),
            sent_before,
            "nothing to send anyone"
        );
        v.lock();
        for entry in std::fs::read_dir(dir.path().join("v")).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(
                !bytes.windows(NOTE.len()).any(|w| w == NOTE.as_bytes()),
                "the note in clear on disk"
            );
        }
    }

    #[test]
    fn drafts_are_bounded_and_print_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        for i in 0..MAX_DRAFTS {
            v.keep_draft(&format!("s{i}"), &fields("x")).unwrap();
        }
        let err = v.keep_draft("one-more", &fields("x")).unwrap_err();
        assert!(matches!(err, Error::Validation { field: "draft", .. }));
        v.keep_draft("s0", &fields("replacing is fine")).unwrap();
        let huge = "x".repeat(MAX_DRAFT_BYTES + 1);
        assert!(v.keep_draft("s1", &fields(&huge)).is_err());
        assert!(v.keep_draft("", &fields("x")).is_err());
        let d = v.draft("s0").unwrap().unwrap();
        assert_eq!(format!("{d:?}"), "Draft([redacted])");
    }

    #[test]
    fn a_tampered_draft_is_reported_not_shown() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        v.keep_draft("session:a", &fields(NOTE)).unwrap();
        v.store
            .drafts_table()
            .execute("UPDATE drafts SET sealed = zeroblob(length(sealed))", [])
            .unwrap();
        assert!(matches!(
            v.drafts(),
            Err(Error::Corrupted { what: "a draft" })
        ));
    }
}
