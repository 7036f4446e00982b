//! Erasing a client: the right to be forgotten, and the end of a retention period (ADR 0010).
//!
//! A supervisor or an administrator erases a client's whole file: the client, their consents,
//! cases, sessions, measures, referrals and the reviews of those. What is written is an
//! `erasure` record (the team's, under the team key): which file, when, why and, by its
//! signature, who. Merging it, on this tablet now and on every other one when it arrives,
//! destroys the file's key and the file's materialised records; the server is asked to delete
//! the operations that carried the key. Every other copy of the file's operations is then
//! ciphertext under a key that no longer exists. The erasure record stays: the audit keeps
//! that it happened, not what the file held.

use std::fmt;

use komora_protocol::Role;

use super::{id_value, Date, StateExt};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, RecordId};
use crate::kind::{Hook, KindSpec, Readers, Writers};
use crate::store::{Edit, RecordEdit};
use crate::value::Value;
use crate::vault::Vault;

/// The kind that erases a client's file.
pub(crate) const ERASURE: &str = "erasure";
/// The field naming the file an erasure destroys.
const FILE: &str = "file";

/// An erasure's rules: supervisors and administrators erase; every member reads that a file
/// was erased (and which), nothing more; merging one destroys the file (`crate::kind::Hook`).
pub(crate) const SPEC: KindSpec = KindSpec {
    readers: Readers::EveryMember,
    writers: Writers::SUPERVISORS,
    hook: Hook::EraseFile { field: FILE },
    ..KindSpec::new(ERASURE)
};

/// Why a file may be erased.
pub const ERASURE_REASONS: &[&str] = &[
    "client-request",
    "retention",
    "recorded-by-mistake",
    "transferred",
];

/// That a client's file was erased: all the audit keeps.
#[derive(Clone, PartialEq, Eq)]
pub struct Erasure {
    pub id: RecordId,
    /// The erased client's id (random: it names no one once the file is gone).
    pub client: RecordId,
    pub date: Option<Date>,
    pub reason: String,
    /// The device that erased it.
    pub by: DeviceId,
}

impl fmt::Debug for Erasure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Erasure")
            .field("id", &self.id)
            .field("client", &self.client)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// Erase a client's whole file, on this tablet now and on every tablet of the team as it
    /// syncs (see the module's documentation). Supervisors and administrators only. It cannot
    /// be undone: nobody, Komora included, can read the file afterwards.
    pub fn erase_client(&mut self, client: RecordId, reason: &str) -> Result<Erasure> {
        match self.role()? {
            None | Some(Role::Supervisor | Role::Admin) => {}
            Some(_) => {
                return Err(Error::Forbidden(
                    "only a supervisor or an administrator erases a client's file".into(),
                ))
            }
        }
        if !ERASURE_REASONS.contains(&reason) {
            return Err(Error::validation(
                "reason",
                format!("must be one of: {}", ERASURE_REASONS.join(", ")),
            ));
        }
        let id = self.write_erasure(client, reason)?;
        self.settle_erasures()?;
        self.erasure(id)
    }

    /// The erasure written and merged (the file destroyed in the database), its old pages
    /// still in the write-ahead log until the flush.
    fn write_erasure(&mut self, client: RecordId, reason: &str) -> Result<RecordId> {
        self.client(client)?;
        let id = RecordId::for_kind(ERASURE);
        let today = self.today();
        self.store.write(vec![RecordEdit {
            record: id,
            kind: ERASURE,
            create: true,
            edits: vec![
                Edit::Set(FILE, id_value(client)),
                Edit::Set("date", Value::Text(today.to_string())),
                Edit::Set("reason", Value::Text(reason.to_owned())),
            ],
        }])?;
        Ok(id)
    }

    /// Every erasure this tablet knows of, oldest first.
    pub fn erasures(&self) -> Result<Vec<Erasure>> {
        let mut out = Vec::new();
        self.store.for_each_state(ERASURE, |id, s| {
            if let Some(e) = from_state(id, &s) {
                out.push(e);
            }
        })?;
        out.sort_by_key(|e| (e.date, e.id));
        Ok(out)
    }

    fn erasure(&self, id: RecordId) -> Result<Erasure> {
        self.store
            .state(id)?
            .and_then(|s| from_state(id, &s))
            .ok_or(Error::NotFound(id))
    }
}

fn from_state(id: RecordId, s: &crate::merge::RecordState) -> Option<Erasure> {
    Some(Erasure {
        id,
        client: s.id(FILE)?,
        date: s.date("date"),
        reason: s.text("reason").unwrap_or_default(),
        by: s.author(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holds(path: &std::path::Path, needle: &[u8]) -> bool {
        std::fs::read(path)
            .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
            .unwrap_or(false)
    }

    /// A supervisor erases a client and the tablet's battery dies a moment later, before the
    /// write-ahead log was emptied of her old pages. The files as the dying tablet left them
    /// are copied (what it finds when it starts again); once the vault opens, nothing of her
    /// is in either file, before anyone reads or writes anything.
    #[test]
    fn a_tablet_that_dies_right_after_an_erasure_keeps_nothing_of_her_once_it_starts_again() {
        const PASS: &str = "a long passphrase";
        let opts = crate::vault::test_options;
        let dir = tempfile::tempdir().unwrap();
        let mut v = Vault::create(dir.path(), PASS, opts()).unwrap();
        let others: Vec<crate::NewClient> = (0..40)
            .map(|i| crate::NewClient {
                name: format!("Client {i}"),
                ..Default::default()
            })
            .collect();
        v.add_clients(&others).unwrap();
        let her = v
            .add_client(&crate::NewClient {
                name: "Nyiraneza Solange".into(),
                phone: Some("0788123456".into()),
                ..Default::default()
            })
            .unwrap();
        let state: Vec<u8> = rusqlite::Connection::open(dir.path().join("komora.db"))
            .unwrap()
            .query_row(
                "SELECT state FROM records WHERE record_id = ?1",
                [her.as_bytes()],
                |r| r.get(0),
            )
            .unwrap();
        let middle = state[state.len() / 2 - 24..state.len() / 2 + 24].to_vec();

        // A note half-typed about her, kept as a draft.
        let note = "She named the man who came at night";
        v.keep_draft(
            &format!("client:{her}"),
            &std::collections::BTreeMap::from([("notes".to_owned(), note.to_owned())]),
        )
        .unwrap();
        let draft: Vec<u8> = rusqlite::Connection::open(dir.path().join("komora.db"))
            .unwrap()
            .query_row("SELECT sealed FROM drafts", [], |r| r.get(0))
            .unwrap();
        let draft_middle = draft[draft.len() / 2 - 24..draft.len() / 2 + 24].to_vec();

        v.write_erasure(her, ERASURE_REASONS[0]).unwrap();
        let after = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), after.path().join(entry.file_name())).unwrap();
        }
        drop(v);
        let files = ["komora.db", "komora.db-wal"].map(|f| after.path().join(f));
        assert!(
            files.iter().any(|f| holds(f, &middle)),
            "the dying tablet's files still hold her state (the situation under test)"
        );

        let v = Vault::open(after.path(), PASS, opts()).unwrap();
        for f in &files {
            assert!(
                !holds(f, &middle),
                "{} still holds her state after the vault opened again",
                f.display()
            );
            assert!(
                !holds(f, &draft_middle),
                "{} still holds the draft about her after the vault opened again",
                f.display()
            );
        }
        assert!(v.drafts().unwrap().is_empty());
        assert!(matches!(v.client(her), Err(Error::NotFound(_))));
        assert_eq!(v.clients().unwrap().items.len(), 40);
    }

    /// A counsellor half-typed a session note about a client, an edit of her file and a note
    /// about another client; the supervisor erases the first. Her half-typed words about the
    /// erased client go with the file (they were sealed under the tablet's key, which the
    /// erasure does not destroy); the other client's draft and a new client's stay.
    #[test]
    fn an_erased_clients_half_typed_notes_go_with_her_file_and_no_one_elses_do() {
        use std::collections::BTreeMap;
        let opts = crate::vault::test_options();
        let dir = tempfile::tempdir().unwrap();
        let mut v = Vault::create(dir.path(), "a long passphrase", opts).unwrap();
        let person = |name: &str| crate::NewClient {
            name: name.into(),
            ..Default::default()
        };
        let her = v.add_client(&person("Mukamana Odette")).unwrap();
        let other = v.add_client(&person("Uwase Diane")).unwrap();
        let case = |v: &mut Vault, c| {
            v.add_case(&crate::NewCase {
                clients: vec![c],
                ..Default::default()
            })
            .unwrap()
        };
        let (her_case, other_case) = (case(&mut v, her), case(&mut v, other));
        let note = |t: &str| BTreeMap::from([("notes".to_owned(), t.to_owned())]);
        v.keep_draft(&format!("session:{her_case}"), &note("about her husband"))
            .unwrap();
        v.keep_draft(&format!("client:{her}"), &note("a new phone"))
            .unwrap();
        v.keep_draft(&format!("session:{other_case}"), &note("about the market"))
            .unwrap();
        v.keep_draft("client:new", &note("Ishimwe, met at the group"))
            .unwrap();

        v.erase_client(her, ERASURE_REASONS[0]).unwrap();

        let mut left: Vec<String> = v.drafts().unwrap().iter().map(|d| d.slot.clone()).collect();
        left.sort();
        let mut expected = vec![format!("session:{other_case}"), "client:new".to_owned()];
        expected.sort();
        assert_eq!(left, expected);
    }

    /// A draft damaged on disk (a flipped byte) does not stop an erasure from emptying the
    /// log, nor the vault from opening after a crash between the two.
    #[test]
    fn a_damaged_draft_stops_neither_an_erasure_nor_the_next_opening() {
        use std::collections::BTreeMap;
        const PASS: &str = "a long passphrase";
        let opts = crate::vault::test_options;
        let dir = tempfile::tempdir().unwrap();
        let mut v = Vault::create(dir.path(), PASS, opts()).unwrap();
        let her = v
            .add_client(&crate::NewClient {
                name: "Mukamana Odette".into(),
                ..Default::default()
            })
            .unwrap();
        let note = BTreeMap::from([("notes".to_owned(), "about the market".to_owned())]);
        v.keep_draft("client:new", &note).unwrap();
        rusqlite::Connection::open(dir.path().join("komora.db"))
            .unwrap()
            .execute("UPDATE drafts SET sealed = x'00112233'", [])
            .unwrap();
        v.write_erasure(her, ERASURE_REASONS[0]).unwrap();
        let after = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), after.path().join(entry.file_name())).unwrap();
        }
        v.settle_erasures().unwrap();
        drop(v);
        let reopened = Vault::open(after.path(), PASS, opts()).unwrap();
        assert!(matches!(reopened.client(her), Err(Error::NotFound(_))));
    }
}
