//! The write path: a batch of local edits becomes signed, sealed operations, merged into the
//! records' states and logged for sync, in one transaction. A record joins its client's file
//! as its kind says (`crate::kind::FileRole`), its changes are arranged for data officers as
//! its kind says (`Readers`), and the kind's hook runs after each merge (`Hook`).

use super::*;
use crate::compress::{Packing, DICTIONARY_VERSION};

/// One edit a caller asks for; the store turns it into a [`Change`] using the current state.
#[derive(Debug)]
pub(crate) enum Edit {
    Set(&'static str, Value),
    Add(&'static str, Value),
    Remove(&'static str, Value),
    Delete,
    /// Set a field named at run time (a record copied into another team).
    SetNamed(String, Value),
    /// Add to a set field named at run time (a record copied into another team).
    AddNamed(String, Value),
}

/// Edits to one record, made as one operation.
#[derive(Debug)]
pub(crate) struct RecordEdit {
    pub record: RecordId,
    pub kind: &'static str,
    /// `true` when the record is being created: it must not exist yet.
    pub create: bool,
    pub edits: Vec<Edit>,
}

pub(super) fn to_changes(state: Option<&RecordState>, edits: Vec<Edit>) -> Vec<Change> {
    edits
        .into_iter()
        .map(|edit| match edit {
            Edit::Set(field, value) => {
                let preds = state.map(|s| s.preds(field)).unwrap_or_default();
                Change::Set {
                    field: field.to_owned(),
                    value,
                    preds,
                }
            }
            Edit::Add(field, value) => Change::Add {
                field: field.to_owned(),
                value,
            },
            Edit::Remove(field, value) => {
                let tags = state
                    .and_then(|s| s.sets.get(field))
                    .map(|set| set.tags_of(&value))
                    .unwrap_or_default();
                Change::Remove {
                    field: field.to_owned(),
                    tags,
                }
            }
            Edit::Delete => Change::Delete,
            Edit::SetNamed(field, value) => {
                let preds = state.map(|s| s.preds(&field)).unwrap_or_default();
                Change::Set {
                    field,
                    value,
                    preds,
                }
            }
            Edit::AddNamed(field, value) => Change::Add { field, value },
        })
        .collect()
}

/// What a merged record does beyond itself: a file key is learnt at once (the file's own
/// operations may follow in the same page), an erasure destroys its file here. Returns the
/// records that went.
/// What keeps file keys on this device: sealed under the device master key.
pub(crate) struct KeyKeeper<'a> {
    pub master: &'a SecretKey,
    pub device: DeviceId,
}

/// What the store does after merging an operation, as the record's kind says (`Hook`).
#[allow(clippy::too_many_arguments)]
pub(super) fn after_merge(
    tx: &Transaction<'_>,
    kinds: &Kinds,
    files: &mut files::FileKeys,
    keeper: &KeyKeeper<'_>,
    record: RecordId,
    state: &mut RecordState,
    now_ms: u64,
    op: OpId,
) -> Result<(Vec<RecordId>, Option<Vec<u8>>)> {
    match kinds.get(&state.kind).hook {
        Hook::KeepFileKeys => {
            // The file's keys leave the record's state for a column of the client's row,
            // sealed under the master key: listing clients never decrypts them, and they are
            // deleted (overwritten) with the row.
            let carried = state.fields.remove(crate::op::FILE_KEY_FIELD);
            state.fields.remove(crate::op::STATS_KEY_FIELD);
            let wrapped = carried
                .then(|| files.get(record))
                .flatten()
                .map(|held| files::wrap_key(keeper.master, keeper.device, record, held));
            Ok((Vec::new(), wrapped))
        }
        Hook::EraseFile { field } => {
            let Some(file) = state
                .value(field)
                .and_then(Value::as_text)
                .and_then(|t| t.parse::<RecordId>().ok())
            else {
                return Ok((Vec::new(), None));
            };
            if files.is_erased(file) || !files::names_a_client_file(tx, kinds, file)? {
                // Only a client's file can be erased (issue 16, finding 8): an erasure naming
                // a session, an audit entry or the team's policy destroys nothing.
                return Ok((Vec::new(), None));
            }
            let gone = files::shred(tx, file, now_ms, op)?;
            files.forget(file);
            Ok((gone, None))
        }
        Hook::Nothing => Ok((Vec::new(), None)),
    }
}

/// What a data officer's tablet is told when asked to record case work: it holds the keys of
/// statistics only (ADR 0011).
pub(super) fn no_case_work() -> Error {
    Error::Forbidden("a data officer's tablet records no case work (it opens figures only)".into())
}

impl Store {
    /// Refuse an edit the team's format does not include yet: another tablet of the team may
    /// run an app that cannot read it.
    pub(super) fn check_format(&self, edits: &[RecordEdit]) -> Result<()> {
        let Some(team) = self.team_format()? else {
            return Ok(());
        };
        for edit in edits {
            let fields = edit.edits.iter().filter_map(|e| match e {
                Edit::Set(f, _) | Edit::Add(f, _) | Edit::Remove(f, _) => Some(*f),
                Edit::SetNamed(f, _) | Edit::AddNamed(f, _) => Some(f.as_str()),
                Edit::Delete => None,
            });
            let needed = fields
                .map(|f| crate::format::needed(edit.kind, Some(f)))
                .chain([crate::format::needed(edit.kind, None)])
                .max()
                .unwrap_or(crate::format::FIRST_FORMAT);
            if needed > team {
                return Err(Error::Forbidden(format!(
                    "not every tablet of the team can read this yet (it needs the team's \
                     format {needed}, the team is at {team}): the administrator raises the \
                     format once every tablet is updated"
                )));
            }
        }
        Ok(())
    }

    /// Make each record edit one operation, append them to the log and merge them, in one
    /// transaction. Returns the new operations' ids, one per edit.
    pub(crate) fn write(&mut self, edits: Vec<RecordEdit>) -> Result<Vec<OpId>> {
        if self.meta("handed_back")?.is_some() {
            // Its last operation is signed: anything after it would be refused by the team.
            return Err(Error::HandedBack);
        }
        self.check_format(&edits)?;
        let first_seq = self.next_seq;
        let mut records: Vec<RecordId> = edits.iter().map(|e| e.record).collect();
        let result = self.write_in_tx(edits);
        match result {
            Ok((ids, also)) => {
                records.extend(also);
                self.changes.record(records);
                Ok(ids)
            }
            Err(e) => {
                self.next_seq = first_seq; // the transaction rolled back: reuse the numbers
                Err(e)
            }
        }
    }

    pub(super) fn write_in_tx(
        &mut self,
        edits: Vec<RecordEdit>,
    ) -> Result<(Vec<OpId>, Vec<RecordId>)> {
        // A new client's file keys are made with it and travel in the operation that records
        // the client (ADR 0010, 0011), so every receiver holds them before the file's other
        // changes.
        let mut all = Vec::with_capacity(edits.len());
        let mut pending_files: HashMap<RecordId, Option<RecordId>> = HashMap::new();
        for mut edit in edits {
            let file = self.file_for(&edit, &pending_files)?;
            pending_files.insert(edit.record, file);
            if let Some(file) = file {
                if self.files.is_erased(file) {
                    return Err(Error::NotFound(edit.record));
                }
                let new_client = edit.create && edit.record == file;
                if !new_client {
                    files::load_key(&self.conn, &mut self.files, &self.master, self.device, file)?;
                }
                match self.files.get(file) {
                    Some(held) if held.content().is_some() => {}
                    Some(_) => return Err(no_case_work()),
                    None if !new_client => return Err(Error::validation(
                        "client",
                        "this client's file has not reached this tablet yet: sync, then try again",
                    )),
                    None => {
                        let epoch = self.keys.current_epoch();
                        let casework = self.keys.casework(epoch).ok_or_else(no_case_work)?;
                        let (secret, carry) = files::new_file(file, casework, epoch);
                        edit.edits.splice(0..0, carry);
                        // Known at once, to seal the client's own changes (if the write fails,
                        // the client does not exist and the key is never used).
                        self.files.insert(file, secret);
                    }
                }
            }
            all.push((edit, file));
        }
        let now = self.clock.now_ms();
        // Compressed only once every tablet of the team reads it (ADR 0016, 0021).
        let packing = self
            .team_format()?
            .filter(|f| *f >= crate::format::COMPRESSED_BODIES)
            .map(|_| Packing::Dictionary(DICTIONARY_VERSION));
        let Store {
            conn,
            device,
            clock,
            next_seq,
            keys,
            signer,
            files,
            master,
            states,
            kinds,
            ..
        } = self;
        let (epoch, key) = keys.current();
        let tx = conn.transaction()?;
        let mut ids = Vec::with_capacity(all.len());
        let mut also = Vec::new();
        for (edit, file) in all {
            // A new record has a fresh 128-bit random id: nothing to load.
            let existing = if edit.create {
                None
            } else {
                load_state(&tx, states, keys, edit.record)?
            };
            if edit.create && !edit.record.admits_kind(edit.kind) {
                return Err(Error::validation(
                    "record",
                    "this id belongs to a record of another kind",
                ));
            }
            match &existing {
                None if !edit.create => return Err(Error::NotFound(edit.record)),
                Some(s) if s.kind != edit.kind || s.deleted.is_some() => {
                    return Err(Error::NotFound(edit.record))
                }
                _ => {}
            }
            let hlc = clock.tick();
            let mut changes = to_changes(existing.as_ref(), edit.edits);
            let readable = files::arrange(kinds.get(edit.kind), &mut changes);
            let mut body = OpBody {
                record: edit.record,
                kind: edit.kind.to_owned(),
                device: *device,
                device_seq: *next_seq,
                wall_ms: hlc.wall_ms,
                counter: hlc.counter,
                changes: changes.clone(),
                written_epoch: epoch,
                packing,
            };
            // Statistics and the rest sealed apart, under keys a data officer holds or not.
            if let Some(file) = file {
                let held = files.get(file).expect("made or held, checked above");
                let content = held.content().expect("checked above");
                let part_keys = PartKeys::File {
                    file,
                    stats: held.stats(),
                    content,
                };
                body.seal_parts(readable.unwrap_or(0), &part_keys);
            } else if let Some(readable) = readable.filter(|r| *r < changes.len()) {
                let casework = keys.casework(epoch).ok_or_else(no_case_work)?;
                body.seal_parts(readable, &PartKeys::Team { casework });
            }
            *next_seq += 1;
            let (envelope, mut op) = OpEnvelope::seal(OpId::random(), epoch, body, signer, key);
            insert_op(&tx, &op, &envelope, false)?;
            // Merged in clear: the state is sealed under the team key, like every state.
            op.body.changes = changes;
            let mut state = existing.unwrap_or_else(|| RecordState::new(edit.kind, hlc));
            merge_into(&tx, &mut state, &op)?;
            let keeper = KeyKeeper {
                master,
                device: *device,
            };
            let (gone, wrapped) = after_merge(
                &tx,
                kinds,
                files,
                &keeper,
                edit.record,
                &mut state,
                now,
                op.id,
            )?;
            also.extend(gone);
            save_state(&tx, states, edit.record, &state, file, wrapped)?;
            ids.push(op.id);
        }
        super::pages::records_changed(&tx, states, kinds, &also)?;
        save_clock(&tx, clock.last(), *next_seq)?;
        tx.commit()?;
        Ok((ids, also))
    }

    /// The client file a record written by `edit` belongs to (ADR 0010): a client is its own
    /// file; a record about a client joins the file of the record its owner field names
    /// (`files::OWNER`); an existing record stays in its file. `pending` are the edits of the
    /// same write before this one (a client and its consent made together).
    pub(super) fn file_for(
        &self,
        edit: &RecordEdit,
        pending: &HashMap<RecordId, Option<RecordId>>,
    ) -> Result<Option<RecordId>> {
        let kind = self.kinds.get(edit.kind);
        if kind.file == FileRole::Root && edit.create {
            return Ok(Some(edit.record));
        }
        if !edit.create {
            return self.file_of(edit.record);
        }
        let Some(field) = kind.owner_field() else {
            return Ok(None);
        };
        // The first owner named that is in a file (a case of several clients joins the file
        // of the first of them this tablet holds).
        let owners = edit.edits.iter().filter_map(|e| match e {
            Edit::Set(f, Value::Text(t)) | Edit::Add(f, Value::Text(t)) if *f == field => {
                t.parse::<RecordId>().ok()
            }
            Edit::SetNamed(f, Value::Text(t)) | Edit::AddNamed(f, Value::Text(t)) if f == field => {
                t.parse::<RecordId>().ok()
            }
            _ => None,
        });
        for owner in owners {
            let file = match pending.get(&owner) {
                Some(file) => *file,
                None => self.file_of(owner)?,
            };
            if file.is_some() {
                return Ok(file);
            }
        }
        Ok(None)
    }
}
