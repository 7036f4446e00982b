//! Moving a case to another team (ADR 0011, §3): the Huye team hands a family over to Nyanza.
//!
//! Each team's operations are signed by its own devices and checked against its own device
//! list, so team B cannot take team A's operations as they are. A supervisor or an
//! administrator whose tablet holds a vault in both teams **re-records** the files of the
//! case's clients in team B: one operation per record, holding its current values, under the
//! same record ids (links between the records hold), sealed under new file keys of team B and
//! signed by the transferring device. The client's record says which team it came from. Team A
//! then erases the files (reason `transferred`, ADR 0010), so its tablets stop holding them.
//!
//! What does not move, by design: the history of each field (team B sees the file as it was
//! on the day of the transfer, each field's shown value; concurrent values are resolved to the
//! one shown), who wrote what in team A (team B cannot check team A's signatures; it trusts
//! the transferring supervisor, whose signature the copy carries), and team A's records that
//! are not the file's (group attendance, the audit).

use std::collections::HashSet;

use komora_protocol::Role;

use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::merge::RecordState;
use crate::store::{Edit, RecordEdit};
use crate::value::Value;
use crate::vault::Vault;

/// The kinds of a client file's records, in the order they are re-recorded: each after the
/// records its owner field names (`store::files::OWNER`).
const ORDER: &[&str] = &[
    "client",
    "consent",
    "case",
    "session",
    "assessment",
    "referral",
    "review",
    // A client's rights requests move with her: an objection to being counted, or to her
    // file being shared, must bind the team that holds her file now (Law 058/2021), and the
    // old team erases its copy after the move.
    "rights_request",
];

/// What a transfer copied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// The clients whose files moved.
    pub clients: Vec<RecordId>,
    /// Records written in the other team (0 when an earlier run had copied them already).
    pub records: usize,
}

impl Vault {
    /// Re-record, in `to` (this tablet's vault of another team), the files of every client of
    /// `case`: the clients, their consents, cases, sessions, assessments, referrals, reviews
    /// and rights requests (objections, rectifications), as they stand. Supervisors and
    /// administrators of both teams only. Run again after an interruption, it copies nothing
    /// twice. This team keeps the files until they are erased
    /// here (`erase_client` with the reason `transferred`), which the caller does once `to` has
    /// sent the copy to the server.
    pub fn copy_case_files(&self, case: RecordId, to: &mut Vault) -> Result<Transfer> {
        for v in [self, &*to] {
            v.refuse_practice("moving a case")?;
            if !matches!(v.role()?, Some(Role::Supervisor | Role::Admin)) {
                return Err(Error::Forbidden(
                    "only a supervisor or an administrator of both teams moves a case".into(),
                ));
            }
        }
        let (from, into) = (self.sync_settings()?, to.sync_settings()?);
        if from.team_id == into.team_id {
            return Err(Error::validation(
                "team",
                "the case is in this team already",
            ));
        }
        let clients = self.case(case)?.clients;
        // A client whose file's keys have come and her details not yet (two operations from
        // team format 5, ADR 0022) is not shown here: copied now, she would reach the other
        // team as a client with no name, and never be copied again.
        for c in &clients {
            let arrived_in_part = self
                .store
                .state(*c)?
                .is_some_and(|s| s.kind == crate::client::KIND && s.deleted.is_none());
            if arrived_in_part && self.client(*c).is_err() {
                return Err(Error::validation(
                    "case",
                    "a client of this case has not fully reached this tablet yet: sync, then \
                     move the case",
                ));
            }
        }
        let mut copied = true;
        for c in &clients {
            copied &= to.store.state(*c)?.is_some();
        }
        if copied {
            return Ok(Transfer {
                clients,
                records: 0,
            });
        }
        let files: HashSet<RecordId> = clients.iter().copied().collect();
        let mut records: Vec<(usize, RecordId, RecordState)> = Vec::new();
        self.store.for_each_file_record(|file, id, state| {
            let rank = ORDER.iter().position(|k| *k == state.kind);
            if let (true, None, Some(rank)) = (files.contains(&file), state.deleted, rank) {
                records.push((rank, id, state));
            }
        })?;
        records.sort_by_key(|r| (r.0, r.2.created));
        let edits: Vec<RecordEdit> = records
            .iter()
            .map(|(rank, id, state)| {
                let mut edits = current_values(state);
                if ORDER[*rank] == crate::client::KIND {
                    edits.push(Edit::SetNamed(
                        "transferred_from".into(),
                        Value::Text(from.team_name.clone()),
                    ));
                }
                RecordEdit {
                    record: *id,
                    kind: ORDER[*rank],
                    create: true,
                    edits,
                }
            })
            .collect();
        let count = edits.len();
        to.store.write(edits)?;
        Ok(Transfer {
            clients,
            records: count,
        })
    }
}

/// A record's shown values as edits that make it anew.
fn current_values(state: &RecordState) -> Vec<Edit> {
    let mut out = Vec::new();
    for (field, register) in state.fields.iter() {
        if crate::op::is_key_field(field) {
            continue;
        }
        if let Some(entry) = register.winner() {
            out.push(Edit::SetNamed(field.to_owned(), entry.value.clone()));
        }
    }
    for (field, set) in state.sets.iter() {
        for value in set.values() {
            out.push(Edit::AddNamed(field.to_owned(), value.clone()));
        }
    }
    out
}
