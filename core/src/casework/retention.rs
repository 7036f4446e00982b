//! Retention: how long a client's file is kept, as data (`data/retention.json`), and which
//! files are due for destruction. Law N° 058/2021 asks that personal data be kept no longer
//! than its purpose needs and then destroyed so that it cannot be reconstructed: a due file is
//! erased like any other (crypto-shredding, ADR 0010), with the reason `retention`.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

use super::{Date, StateExt};
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::vault::Vault;

/// The retention rules this build ships.
#[derive(Clone, Debug, Deserialize)]
pub struct RetentionRules {
    pub version: u32,
    /// What the rules mean and who must confirm them.
    pub note: String,
    pub rules: Vec<RetentionRule>,
}

/// How long one type of record is kept.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct RetentionRule {
    /// The record type: `client-file` (a client and every record about them).
    pub record: String,
    pub keep_years: u32,
    /// `last-change`: counted from the newest change to any record of the file.
    pub counted_from: String,
    /// `open-case`: never while one of the file's cases is open, active or referred.
    pub unless: Option<String>,
    /// `erase`.
    pub then: String,
}

/// The shipped rules, checked when first read (a test reads them).
pub fn retention_rules() -> &'static RetentionRules {
    static RULES: OnceLock<RetentionRules> = OnceLock::new();
    RULES.get_or_init(|| {
        let rules: RetentionRules = serde_json::from_str(include_str!("../../data/retention.json"))
            .expect("data/retention.json is valid (tested)");
        for r in &rules.rules {
            assert!(
                r.record == "client-file"
                    && r.counted_from == "last-change"
                    && r.then == "erase"
                    && r.unless.as_deref().is_none_or(|u| u == "open-case")
                    && r.keep_years > 0,
                "data/retention.json: a rule this build cannot apply"
            );
        }
        rules
    })
}

/// A client file whose retention period is over.
/// How recently a server's date must have agreed with the tablet's for files whose time is
/// over to be erased ([`Vault::apply_retention`]): a week, so a supervisor who synced this
/// week erases without a further step, and a date typed wrong since is never trusted.
pub const RETENTION_VOUCHED_MS: u64 = 7 * 24 * 60 * 60 * 1000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionDue {
    pub client: RecordId,
    /// The newest change to any record of the file.
    pub last_change: Date,
    /// The day the period ended.
    pub due_since: Date,
}

impl Vault {
    /// The client files the retention rules say must now be destroyed, oldest first.
    pub fn retention_due(&self) -> Result<Vec<RetentionDue>> {
        if self.role()? == Some(komora_protocol::Role::DataOfficer) {
            // Whether a case is closed is not among the statistics its tablet can open.
            return Err(crate::error::Error::Forbidden(
                "a data officer's tablet cannot tell which files are due".into(),
            ));
        }
        let Some(rule) = retention_rules()
            .rules
            .iter()
            .find(|r| r.record == "client-file")
        else {
            return Ok(Vec::new());
        };
        let mut last: HashMap<RecordId, u64> = HashMap::new();
        let mut open: HashSet<RecordId> = HashSet::new();
        self.store.for_each_file_record(|file, _, state| {
            let newest = last.entry(file).or_insert(0);
            *newest = (*newest).max(state.updated.wall_ms);
            if state.kind == super::case::KIND
                && state.deleted.is_none()
                && state.text("status").as_deref() != Some("closed")
            {
                open.insert(file);
            }
        })?;
        let today = self.today();
        let mut due: Vec<RetentionDue> = last
            .into_iter()
            .filter(|(file, _)| rule.unless.is_none() || !open.contains(file))
            .filter_map(|(file, ms)| {
                let last_change = Date::from_unix_ms(ms);
                let due_since = last_change.add_years(rule.keep_years);
                (due_since <= today).then_some(RetentionDue {
                    client: file,
                    last_change,
                    due_since,
                })
            })
            .filter(|d| self.client(d.client).is_ok())
            .collect();
        due.sort_by_key(|d| (d.due_since, d.client));
        Ok(due)
    }

    /// Erase every client file whose retention period is over (supervisors and
    /// administrators), with the reason `retention`.
    /// When any file is due, refused while the tablet's date is known to be wrong
    /// (`clock_went_ahead`, `clock_went_back`), and unless a server's date agreed with it in
    /// the last [`RETENTION_VOUCHED_MS`]: a year typed wrong by hand makes files due years
    /// early, a tablet cannot tell that before a server tells it, and an erasure cannot be
    /// undone.
    pub fn apply_retention(&mut self) -> Result<Vec<super::erasure::Erasure>> {
        if self.clock_went_ahead().is_some() || self.clock_went_back().is_some() {
            return Err(Error::Forbidden(
                "this tablet's date is wrong (see its home screen): set it right before \
                 erasing files whose time is over"
                    .into(),
            ));
        }
        let due = self.retention_due()?;
        if !due.is_empty() && !self.store.clock_vouched_within(RETENTION_VOUCHED_MS) {
            return Err(Error::Forbidden(
                "this tablet's date has not been checked against the server's in the last \
                 week: sync, then erase the files whose time is over"
                    .into(),
            ));
        }
        let mut done = Vec::with_capacity(due.len());
        for d in due {
            done.push(self.erase_client(d.client, "retention")?);
        }
        Ok(done)
    }
}
