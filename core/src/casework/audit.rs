//! The audit trail: who created, changed, deleted and viewed which record, and when.
//!
//! Creations, changes and deletions need no extra writing: every operation in the log names
//! its author device, its time and the fields it touched, so the trail is read from the log
//! (and cannot disagree with it). Views are not operations, so opening a record on a screen
//! writes a small `access` record (which record, what was done), sealed and synced like any
//! other, so supervisors see it. Screens call [`Vault::record_access`] or the `view_*`
//! methods; the same record viewed again within ten minutes on one device is noted once.
//!
//! The trail holds ids, kinds, field names and times: never a value.

use std::fmt::Write as _;

use super::case::code_enum;
use super::spreadsheet::{Cell, Sheet};
use super::{id_value, StateExt};
use crate::error::Result;
use crate::hlc::Hlc;
use crate::ids::{DeviceId, RecordId};
use crate::kind::{KindSpec, Readers, Writers};
use crate::op::Change;
use crate::store::Edit;
use crate::vault::Vault;

pub(crate) const KIND: &str = "access";

/// The audit trail's rules: every member writes it (a data officer notes the report she
/// produced), and it holds nothing of a client a member may not read.
pub(crate) const SPEC: KindSpec = KindSpec {
    readers: Readers::EveryMember,
    writers: Writers::EVERY_MEMBER,
    ..KindSpec::new(KIND)
};
/// A record viewed again within this long on the same device is noted once.
const VIEW_COALESCE_MS: u64 = 10 * 60 * 1000;

code_enum!(
    /// What happened to a record.
    AuditAction, "action", {
        Created => "created",
        Changed => "changed",
        Deleted => "deleted",
        Viewed => "viewed",
        Exported => "exported",
        Refused => "refused",
    }
);

/// One line of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: Hlc,
    pub device: DeviceId,
    pub action: AuditAction,
    /// The record concerned (`None` for an export of many).
    pub record: Option<RecordId>,
    /// Its kind: client, case, session, ... (or what was exported).
    pub kind: String,
    /// The fields a change touched, by name.
    pub fields: Vec<String>,
    /// For refused operations: why, how many, and which device they claimed as author.
    pub detail: String,
}

impl Vault {
    /// Note that this device's user viewed or exported something. Writes one sealed `access`
    /// record, unless the same record was viewed here within the last ten minutes.
    pub fn record_access(
        &mut self,
        action: AuditAction,
        record: Option<RecordId>,
        kind: &str,
    ) -> Result<()> {
        let now = self.now_ms();
        if action == AuditAction::Viewed {
            if let Some(r) = record {
                let mut recent = self.recent_views.borrow_mut();
                recent.retain(|_, at| now.saturating_sub(*at) < VIEW_COALESCE_MS);
                if recent.contains_key(&r) {
                    return Ok(());
                }
                recent.insert(r, now);
            }
        }
        let mut out = vec![
            Edit::Set("action", action.code().into()),
            Edit::Set("kind", kind.to_owned().into()),
        ];
        if let Some(r) = record {
            out.push(Edit::Set("record", id_value(r)));
        }
        self.write_record(RecordId::for_kind(KIND), KIND, true, out)
    }

    /// Write refused operations to the audit trail: one entry per reason and claimed author
    /// (with a count), so a flood of forgeries writes a few entries, not thousands. Holds the
    /// reason, the count and the claimed device id: nothing of the operations' content.
    pub(crate) fn note_refused(&mut self, rejected: &[crate::store::Rejected]) -> Result<()> {
        if rejected.is_empty() {
            return Ok(());
        }
        let mut groups: std::collections::BTreeMap<(&'static str, Option<DeviceId>), i64> =
            Default::default();
        for r in rejected {
            *groups
                .entry((r.reason.code(), r.reason.claimed_author()))
                .or_default() += 1;
        }
        let edits = groups
            .into_iter()
            .map(|((reason, author), count)| {
                let mut edits = vec![
                    Edit::Set("action", AuditAction::Refused.code().into()),
                    Edit::Set("kind", "operation".to_owned().into()),
                    Edit::Set("reason", reason.to_owned().into()),
                    Edit::Set("count", count.into()),
                ];
                if let Some(a) = author {
                    edits.push(Edit::Set("claimed_author", a.to_string().into()));
                }
                crate::store::RecordEdit {
                    record: RecordId::for_kind(KIND),
                    kind: KIND,
                    create: true,
                    edits,
                }
            })
            .collect();
        self.store.write(edits)?;
        Ok(())
    }

    /// Open a client for a screen: the view is audited.
    pub fn view_client(&mut self, id: RecordId) -> Result<crate::Client> {
        let c = self.client(id)?;
        self.record_access(AuditAction::Viewed, Some(id), crate::client::KIND)?;
        Ok(c)
    }

    /// Open a session (with its notes) for a screen: the view is audited.
    pub fn view_session(&mut self, id: RecordId) -> Result<super::session::Session> {
        let s = self.session(id)?;
        self.record_access(AuditAction::Viewed, Some(id), super::session::KIND)?;
        Ok(s)
    }

    /// The whole audit trail, oldest first.
    pub fn audit_trail(&self) -> Result<Vec<AuditEntry>> {
        let mut first_seen: std::collections::HashMap<RecordId, Hlc> = Default::default();
        let mut ops = Vec::new();
        // A file whose keys a revoked tablet's withdrawn operation carried: no other tablet
        // holds its operations in its log (they wait for the key), so neither does the trail.
        let withdrawn = self.store.withdrawn_files()?;
        self.store.for_each_op(|op| {
            if op.body.file().is_some_and(|f| withdrawn.contains(&f)) {
                return;
            }
            if op.body.carries_keys_only() {
                // A new client's file keys in an operation of their own (ADR 0022): the
                // client is created by the operation of its fields, which follows.
                return;
            }
            let hlc = op.body.hlc();
            let e = first_seen.entry(op.body.record).or_insert(hlc);
            *e = (*e).min(hlc);
            ops.push((
                op.body.record,
                op.body.kind.clone(),
                hlc,
                summarise(&op.body.changes),
            ));
        })?;
        let mut out = Vec::with_capacity(ops.len());
        for (record, kind, at, (fields, deleted)) in ops {
            if kind == KIND {
                continue; // read below, from the merged access records
            }
            let action = if deleted {
                AuditAction::Deleted
            } else if first_seen.get(&record) == Some(&at) {
                AuditAction::Created
            } else {
                AuditAction::Changed
            };
            out.push(AuditEntry {
                at,
                device: at.device,
                action,
                record: Some(record),
                kind,
                fields,
                detail: String::new(),
            });
        }
        self.store.for_each_state(KIND, |_, s| {
            let action = s
                .text("action")
                .and_then(|a| AuditAction::parse(&a).ok())
                .unwrap_or(AuditAction::Viewed);
            out.push(AuditEntry {
                at: s.created,
                device: s.author(),
                action,
                record: s.id("record"),
                kind: s.text("kind").unwrap_or_default(),
                fields: Vec::new(),
                detail: refusal_detail(&s),
            });
        })?;
        out.sort_by_key(|e| e.at);
        Ok(out)
    }

    /// The audit trail as CSV: `at,device,action,kind,record,fields,detail`. Producing it is
    /// an export: noted in the trail itself (after the rows it returns).
    pub fn audit_csv(&mut self) -> Result<String> {
        let csv = self.audit_rows()?;
        self.record_access(AuditAction::Exported, None, "audit")?;
        Ok(csv)
    }

    fn audit_rows(&self) -> Result<String> {
        let mut sheet = Sheet::new([
            "at_ms", "device", "action", "kind", "record", "fields", "detail",
        ]);
        for e in self.audit_trail()? {
            let record = e.record.map(|r| r.to_string()).unwrap_or_default();
            sheet.row([
                Cell::Plain(&e.at.wall_ms.to_string()),
                Cell::Plain(&e.device.to_string()),
                Cell::Plain(e.action.code()),
                Cell::Text(&e.kind),
                Cell::Plain(&record),
                Cell::Text(&e.fields.join(" ")),
                Cell::Text(&e.detail),
            ]);
        }
        Ok(sheet.finish())
    }
}

/// "forged-signature x3, claiming device 0a1b..." for a refusal; empty for other entries.
fn refusal_detail(s: &crate::merge::RecordState) -> String {
    let Some(reason) = s.text("reason") else {
        return String::new();
    };
    let mut out = format!("{reason} x{}", s.int("count").unwrap_or(1));
    if let Some(a) = s.text("claimed_author") {
        let _ = write!(out, ", claiming device {a}");
    }
    out
}

/// The field names an operation touched, and whether it deleted the record.
fn summarise(changes: &[Change]) -> (Vec<String>, bool) {
    let mut fields = Vec::new();
    let mut deleted = false;
    for c in changes {
        match c {
            Change::Set { field, .. } if crate::op::is_key_field(field) => {}
            Change::Set { field, .. }
            | Change::Add { field, .. }
            | Change::Remove { field, .. } => {
                if !fields.contains(field) {
                    fields.push(field.clone());
                }
            }
            Change::Delete => deleted = true,
            // A change of an erased client's file, or one this tablet may not read.
            Change::Sealed { .. } | Change::Stats { .. } | Change::Casework { .. } => {}
        }
    }
    fields.sort();
    (fields, deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OpId;
    use crate::kdf::KdfParams;
    use crate::store::{RejectReason, Rejected};
    use crate::vault::VaultOptions;

    /// The refusal rows of the audit export, byte for byte as before the CSV writing moved to
    /// the `csv` crate: the detail holds a comma, so it is quoted, and the row keeps its seven
    /// cells (the rest of the export: `core/tests/csv_golden.rs`).
    #[test]
    fn a_refusal_row_of_the_audit_csv_is_what_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let opts = VaultOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
            ..Default::default()
        };
        let mut v = Vault::create(dir.path().join("v"), "correct horse battery", opts).unwrap();
        let claimed = DeviceId::random();
        let forged = |_| Rejected {
            op_id: OpId::random(),
            reason: RejectReason::ForgedSignature(claimed),
        };
        let mut refused: Vec<Rejected> = (0..3).map(forged).collect();
        refused.push(Rejected {
            op_id: OpId::random(),
            reason: RejectReason::Corrupted,
        });
        v.note_refused(&refused).unwrap();
        let trail = v.audit_trail().unwrap();
        assert_eq!(trail.len(), 2);
        let mut rows: Vec<String> = trail
            .iter()
            .map(|e| match e.detail.as_str() {
                "corrupted x1" => format!(
                    "{},{},refused,operation,,,corrupted x1",
                    e.at.wall_ms, e.device
                ),
                _ => format!(
                    "{},{},refused,operation,,,\"forged-signature x3, claiming device {claimed}\"",
                    e.at.wall_ms, e.device
                ),
            })
            .collect();
        rows.insert(
            0,
            "at_ms,device,action,kind,record,fields,detail".to_owned(),
        );
        let expected = rows.join("\n") + "\n";
        assert_eq!(v.audit_csv().unwrap(), expected);
    }
}
