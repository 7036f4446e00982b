//! Case work: what counsellors and supervisors do all day. Every record here is an ordinary
//! record of the store (sealed, logged, merged by `merge.rs`), so each merges like a client:
//! registers for single values, add-wins sets for lists (attendance, participants, flags).
//!
//! - `case.rs`: cases (clients, problems, status, risk) and risk flags.
//! - `session.rs`: sessions and home visits.
//! - `measure.rs` + `instrument.rs`: instruments as data, administered assessments, scores;
//!   `cutoffs.rs`: cut-off sets from their sources, one chosen per team; `packs.rs`: content
//!   packs (translations an administrator imports); `po.rs`: them as gettext PO for translators.
//! - `referral.rs`, `consent.rs`, `review.rs`, `group.rs`: the other record types.
//! - `rights.rs`: rectification requests and objections; `export.rs`: a client's own copy of
//!   their file (access and portability); `exposure.rs`: what a lost tablet held.
//! - `index.rs`: an in-memory index of the records' structured fields (never their free text)
//!   that the queries (`queries.rs`) and reports (`report.rs`) read; it catches up with the
//!   store incrementally.
//!
//! Records point at each other by record id; a pointer to a record this replica has not
//! received yet is kept (it will arrive) and shown as such.

pub(crate) mod abilities;
pub(crate) mod audit;
pub(crate) mod case;
pub(crate) mod consent;
pub(crate) mod cutoffs;
pub(crate) mod date;
pub(crate) mod erasure;
pub(crate) mod export;
pub(crate) mod exposure;
pub(crate) mod group;
pub(crate) mod household;
pub(crate) mod index;
pub(crate) mod instrument;
pub(crate) mod lists;
pub(crate) mod measure;
pub(crate) mod packs;
pub(crate) mod po;
pub(crate) mod policy;
pub(crate) mod queries;
pub(crate) mod referral;
pub(crate) mod report;
pub(crate) mod report_page;
pub(crate) mod retention;
pub(crate) mod review;
pub(crate) mod rights;
pub(crate) mod session;
pub(crate) mod spreadsheet;
pub(crate) mod transfer;

use crate::error::{Error, Result};
use crate::ids::{DeviceId, RecordId};
use crate::merge::RecordState;
use crate::store::{Edit, RecordEdit};
use crate::value::Value;
use crate::vault::Vault;
use date::Date;

/// Reading typed fields out of a merged state.
pub(crate) trait StateExt {
    fn text(&self, field: &str) -> Option<String>;
    fn int(&self, field: &str) -> Option<i64>;
    fn date(&self, field: &str) -> Option<Date>;
    fn id(&self, field: &str) -> Option<RecordId>;
    fn texts(&self, field: &str) -> Vec<String>;
    fn ids(&self, field: &str) -> Vec<RecordId>;
    fn author(&self) -> DeviceId;
}

impl StateExt for RecordState {
    fn text(&self, field: &str) -> Option<String> {
        self.value(field)
            .and_then(Value::as_text)
            .map(str::to_owned)
    }

    fn int(&self, field: &str) -> Option<i64> {
        self.value(field).and_then(Value::as_int)
    }

    fn date(&self, field: &str) -> Option<Date> {
        self.value(field)
            .and_then(Value::as_text)
            .and_then(|t| t.parse().ok())
    }

    fn id(&self, field: &str) -> Option<RecordId> {
        self.value(field)
            .and_then(Value::as_text)
            .and_then(|t| t.parse().ok())
    }

    fn texts(&self, field: &str) -> Vec<String> {
        self.sets
            .get(field)
            .map(|set| {
                set.values()
                    .into_iter()
                    .filter_map(|v| v.as_text().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn ids(&self, field: &str) -> Vec<RecordId> {
        self.texts(field)
            .iter()
            .filter_map(|t| t.parse().ok())
            .collect()
    }

    fn author(&self) -> DeviceId {
        self.created.device
    }
}

/// Free text a person typed into `field`: trimmed, at most `max` characters, no control
/// characters other than line breaks and tabs. Empty means "nothing".
pub(crate) fn clean_text(field: &'static str, text: &str, max: usize) -> Result<Option<String>> {
    let text = text.trim();
    if text.chars().count() > max {
        return Err(Error::validation(
            field,
            format!("keep it under {max} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Error::validation(
            field,
            "cannot contain control characters",
        ));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// Set `field` to `text` (cleaned) if given.
pub(crate) fn set_text(
    out: &mut Vec<Edit>,
    field: &'static str,
    text: Option<&str>,
    max: usize,
) -> Result<()> {
    if let Some(t) = text {
        out.push(Edit::Set(field, clean_text(field, t, max)?.into()));
    }
    Ok(())
}

pub(crate) fn id_value(id: RecordId) -> Value {
    Value::Text(id.to_string())
}

/// Add-wins set edits that bring the set `field` from `current` to contain `add` and not
/// `remove`; adding what is there or removing what is not writes nothing.
pub(crate) fn set_edits(
    out: &mut Vec<Edit>,
    field: &'static str,
    current: &[String],
    add: &[String],
    remove: &[String],
) {
    for a in add {
        if !current.contains(a) && !remove.contains(a) {
            out.push(Edit::Add(field, a.as_str().into()));
        }
    }
    for r in remove {
        if current.contains(r) {
            out.push(Edit::Remove(field, r.as_str().into()));
        }
    }
}

impl Vault {
    /// The merged state of a live record of `kind`, or `NotFound`.
    pub(crate) fn live_state(&self, id: RecordId, kind: &str) -> Result<RecordState> {
        match self.store.state(id)? {
            Some(s) if s.kind == kind && s.deleted.is_none() => Ok(s),
            _ => Err(Error::NotFound(id)),
        }
    }

    /// Write edits to one record as one operation (nothing if there are none).
    pub(crate) fn write_record(
        &mut self,
        record: RecordId,
        kind: &'static str,
        create: bool,
        edits: Vec<Edit>,
    ) -> Result<()> {
        if edits.is_empty() {
            return Ok(());
        }
        self.store.write(vec![RecordEdit {
            record,
            kind,
            create,
            edits,
        }])?;
        Ok(())
    }

    /// Today in Rwanda, by this device's clock.
    pub fn today(&self) -> Date {
        Date::from_unix_ms(self.now_ms())
    }

    /// A record's date: the one given, else today; never in the future (`what` says which
    /// record, in the refusal: "a referral cannot be dated in the future").
    pub(crate) fn past_date(&self, given: Option<Date>, what: &str) -> Result<Date> {
        let today = self.today();
        let date = given.unwrap_or(today);
        if date > today {
            return Err(Error::validation(
                "date",
                format!("{what} cannot be dated in the future"),
            ));
        }
        Ok(date)
    }

    /// Refuse a record about a client this tablet does not hold.
    pub(crate) fn require_client(&self, id: RecordId) -> Result<()> {
        self.client(id)
            .map(|_| ())
            .map_err(|_| Error::validation("client", "record the client first"))
    }

    /// The role this device was enrolled with; `None` for a vault that never joined a server
    /// (a single person's vault: every action is theirs to take).
    pub(crate) fn role(&self) -> Result<Option<crate::Role>> {
        match self.sync_settings() {
            Ok(s) => Ok(Some(s.role)),
            Err(Error::NotEnrolled) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
