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
    /// Set a field over the values a form saw when it opened (`merge::Seen`), not over
    /// what it holds now: a value written meanwhile stays beside this one, a conflict.
    SetOver(&'static str, Value, Vec<OpId>),
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
            Edit::SetOver(field, value, preds) => Change::Set {
                field: field.to_owned(),
                value,
                preds,
            },
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

/// Most operations a write holds in memory before it signs, seals and logs them (a slice of
/// a long import; the transaction stays one).
const WRITE_OUT_EVERY: usize = 4096;

/// A record's state while a batch is written: merged in memory, saved once at the end.
pub(super) struct Held {
    pub state: RecordState,
    pub file: Option<RecordId>,
    /// The file key sealed for the client's row, when this batch made or brought it.
    pub wrapped: Option<Vec<u8>>,
}

/// How an operation's changes are sealed inside its envelope (`OpBody::seal_parts`).
enum PartSeal {
    /// Nothing apart: the whole body is sealed under the team key only.
    None,
    /// A client file's record: statistics and content under the file's keys, from this
    /// change on (the ones before are readable by every member).
    File(usize),
    /// A team record's case work under the case-work key, from this change on.
    Team(usize),
}

/// A batch of local edits on its way to the database (issue 21, ADR 0024): each operation
/// already merged into its record's state in memory; signed and sealed on every core, then
/// logged, and each record's state saved once, by `write_out`.
#[derive(Default)]
struct Batch {
    ops: Vec<(Op, Option<RecordId>, PartSeal)>,
    /// Operations of this write, logged or not yet: a later edit's predecessors among them
    /// count as received.
    written: std::collections::HashSet<OpId>,
    states: HashMap<RecordId, Held>,
    /// Records in the order first touched: states are saved in a stable order.
    order: Vec<RecordId>,
    /// The padding floor of the team's format (`op::pad_floor`).
    floor: usize,
}

impl Batch {
    /// Add a merged operation and its record's state (`first_touch`: the record was not in
    /// this batch yet).
    fn add(
        &mut self,
        op: Op,
        file: Option<RecordId>,
        seal: PartSeal,
        held: Held,
        first_touch: bool,
    ) {
        let record = op.body.record;
        self.written.insert(op.id);
        self.states.insert(record, held);
        if first_touch {
            self.order.push(record);
        }
        self.ops.push((op, file, seal));
    }

    /// Sign and seal the operations on every core, log them in their order, and save each
    /// record's state once; empties the batch (the operations stay counted as written).
    fn write_out(
        &mut self,
        tx: &Transaction<'_>,
        keys: &Keyring,
        signer: &ed25519_dalek::SigningKey,
        files: &files::FileKeys,
        states: &StateKey,
    ) -> Result<()> {
        let (epoch, key) = keys.current();
        let floor = self.floor;
        let ops = std::mem::take(&mut self.ops);
        let sealed = crate::parallel::map(ops, |(op, file, seal)| {
            let (readable, part_keys) =
                match (seal, file.and_then(|f| files.get(f).map(|held| (f, held)))) {
                    (PartSeal::File(readable), Some((file, held))) => {
                        let content = held.content().ok_or_else(no_case_work)?;
                        let keys = PartKeys::File {
                            file,
                            stats: held.stats(),
                            content,
                        };
                        (readable, Some(keys))
                    }
                    (PartSeal::File(_), None) => return Err(no_case_work()),
                    (PartSeal::Team(readable), _) => {
                        let casework = keys.casework(epoch).ok_or_else(no_case_work)?;
                        (readable, Some(PartKeys::Team { casework }))
                    }
                    (PartSeal::None, _) => (0, None),
                };
            let seal_parts = |body: &mut OpBody, effort| {
                if let Some(part_keys) = &part_keys {
                    body.seal_parts_with(readable, part_keys, effort);
                }
            };
            Ok(OpEnvelope::seal_new(
                op.id, epoch, op.body, seal_parts, signer, key, floor,
            ))
        });
        for result in sealed {
            let (envelope, op) = result.ok_or_else(|| {
                Error::Storage("sealing an operation failed: nothing was saved".into())
            })??;
            insert_op(tx, &op, &envelope, false)?;
        }
        let order = std::mem::take(&mut self.order);
        for record in order {
            if let Some(held) = self.states.remove(&record) {
                save_state(tx, states, record, &held.state, held.file, held.wrapped)?;
            }
        }
        Ok(())
    }
}

/// Merge an operation of a batch into its state: its predecessors are received when logged,
/// or when among `written`, the batch's own (logged or not yet). A failed lookup fails the
/// whole batch instead of being taken for "not received yet" (which would leave a value in
/// the frontier that another replica has replaced).
pub(super) fn merge_in_batch(
    tx: &Transaction<'_>,
    state: &mut RecordState,
    op: &Op,
    written: &std::collections::HashSet<OpId>,
) -> Result<()> {
    let mut failure = None;
    state.apply(op, &mut |id| {
        written.contains(id)
            || op_exists(tx, id).unwrap_or_else(|e| {
                failure.get_or_insert(e);
                false
            })
    });
    failure.map_or(Ok(()), Err)
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
                Edit::Set(f, _) | Edit::SetOver(f, _, _) | Edit::Add(f, _) | Edit::Remove(f, _) => {
                    Some(*f)
                }
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
        // changes; from team format 5 on, in an operation of their own just before it (ADR
        // 0022), so that both fit under the smaller padding floor.
        let format = self.team_format()?;
        let keys_apart = format.is_some_and(|f| f >= crate::format::KEYS_APART);
        let floor = crate::op::pad_floor(format);
        // Each edit, its file, and whether it is a new client's keys alone (an operation the
        // caller did not ask for: its id is not returned).
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
                        if keys_apart {
                            all.push((
                                RecordEdit {
                                    record: edit.record,
                                    kind: edit.kind,
                                    create: true,
                                    edits: carry.into(),
                                },
                                Some(file),
                                true,
                            ));
                            // The fields build on the record the keys made (in the batch:
                            // it is never written out between them).
                            edit.create = false;
                        } else {
                            edit.edits.splice(0..0, carry);
                        }
                        // Known at once, to seal the client's own changes (if the write fails,
                        // the client does not exist and the key is never used).
                        self.files.insert(file, secret);
                    }
                }
            }
            all.push((edit, file, false));
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
        let (epoch, _) = keys.current();
        let tx = conn.transaction()?;
        let mut ids = Vec::with_capacity(all.len());
        let mut also = Vec::new();
        let mut batch = Batch {
            floor,
            ..Batch::default()
        };
        for (edit, file, keys_only) in all {
            // An erasure destroys what its file holds in the database: what this write made
            // before it is written out first, so that it goes too, as when each edit was
            // written out in turn.
            let erases = matches!(kinds.get(edit.kind).hook, Hook::EraseFile { .. });
            if erases {
                batch.write_out(&tx, keys, signer, files, states)?;
            }
            // A new record has a fresh 128-bit random id: nothing to load (and one made
            // earlier in this write is in the batch).
            let in_batch = batch.states.remove(&edit.record);
            let first_touch = in_batch.is_none();
            let existing = match in_batch {
                Some(held) => Some(held),
                None if edit.create => None,
                None => load_state(&tx, states, keys, edit.record)?.map(|s| Held {
                    state: s,
                    file,
                    wrapped: None,
                }),
            };
            if edit.create && !edit.record.admits_kind(edit.kind) {
                return Err(Error::validation(
                    "record",
                    "this id belongs to a record of another kind",
                ));
            }
            match &existing {
                None if !edit.create => return Err(Error::NotFound(edit.record)),
                Some(h) if h.state.kind != edit.kind || h.state.deleted.is_some() => {
                    return Err(Error::NotFound(edit.record))
                }
                _ => {}
            }
            let hlc = clock.tick();
            let mut changes = to_changes(existing.as_ref().map(|h| &h.state), edit.edits);
            let readable = files::arrange(kinds.get(edit.kind), &mut changes);
            let body = OpBody {
                record: edit.record,
                kind: edit.kind.to_owned(),
                device: *device,
                device_seq: *next_seq,
                wall_ms: hlc.wall_ms,
                counter: hlc.counter,
                changes,
                written_epoch: epoch,
                packing,
            };
            // Statistics and the rest sealed apart, under keys a data officer holds or not
            // (sealed with the signature, on every core, when the batch is written out).
            let seal = match (file, readable) {
                (Some(_), readable) => PartSeal::File(readable.unwrap_or(0)),
                (None, Some(readable)) if readable < body.changes.len() => {
                    keys.casework(epoch).ok_or_else(no_case_work)?;
                    PartSeal::Team(readable)
                }
                (None, _) => PartSeal::None,
            };
            *next_seq += 1;
            let id = OpId::random();
            // Merged in clear at once, so that a later edit of the same record in this write
            // builds on it; the state is sealed under the device's state key when saved.
            let op = Op {
                id,
                epoch,
                body,
                body_bytes: zeroize::Zeroizing::new(Vec::new()),
                sig: [0; crate::op::SIG_LEN],
                sealed_len: 0,
            };
            let mut held = existing.unwrap_or_else(|| Held {
                state: RecordState::new(edit.kind, hlc),
                file,
                wrapped: None,
            });
            let written = &batch.written;
            merge_in_batch(&tx, &mut held.state, &op, written)?;
            if !erases {
                // Keeping a new client's file keys happens in memory (its wrapped key joins
                // the row when the state is saved).
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
                    &mut held.state,
                    now,
                    op.id,
                )?;
                also.extend(gone);
                if wrapped.is_some() {
                    held.wrapped = wrapped;
                }
            }
            batch.add(op, file, seal, held, first_touch);
            if !keys_only {
                ids.push(id);
            }
            if batch.ops.len() >= WRITE_OUT_EVERY && !keys_only {
                // A long import is written out in slices: its memory stays bounded, and a
                // slice is still long enough to keep every core busy. Never between a new
                // client's keys and her fields: they are written out together.
                batch.write_out(&tx, keys, signer, files, states)?;
            }
            if erases {
                let (record, op_id) = (edit.record, id);
                let mut held = batch.states.remove(&record).expect("added just above");
                batch.write_out(&tx, keys, signer, files, states)?;
                let keeper = KeyKeeper {
                    master,
                    device: *device,
                };
                let (gone, _) = after_merge(
                    &tx,
                    kinds,
                    files,
                    &keeper,
                    record,
                    &mut held.state,
                    now,
                    op_id,
                )?;
                save_state(&tx, states, record, &held.state, held.file, None)?;
                also.extend(gone);
            }
        }
        batch.write_out(&tx, keys, signer, files, states)?;
        // The listing pages of the records saved (their entries made as each state was
        // sealed) and of those an erasure destroyed: each page re-sealed once (ADR 0023).
        super::pages::records_changed(&tx, states, kinds, &also)?;
        save_clock(&tx, clock, *next_seq)?;
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
            // Made earlier in the same write (not in the database yet), or stored.
            if let Some(file) = pending.get(&edit.record) {
                return Ok(*file);
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::SystemClock;

    fn store(dir: &std::path::Path) -> Store {
        let identity = crate::vault::DeviceIdentity::generate();
        Store::create(
            Connection::open(dir.join("komora.db")).unwrap(),
            &SecretKey::random(),
            identity.id,
            vec![(1, EpochKey::Casework(SecretKey::random()))],
            identity.pkcs8.clone(),
            Arc::new(SystemClock),
            &crate::registry::KINDS,
        )
        .unwrap()
    }

    fn group(record: RecordId, create: bool, name: &str) -> RecordEdit {
        RecordEdit {
            record,
            kind: "group",
            create,
            edits: vec![Edit::Set("kind", Value::Text(name.into()))],
        }
    }

    /// A write that changes the same record twice (a form saved with a correction in one
    /// go) builds the second change on the first, as two saves would: one value, no conflict.
    #[test]
    fn a_record_changed_twice_in_one_write_keeps_the_second_value_without_a_conflict() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store(dir.path());
        let g = RecordId::for_kind("group");
        store
            .write(vec![group(g, true, "first"), group(g, false, "second")])
            .unwrap();
        let state = store.state(g).unwrap().unwrap();
        assert_eq!(state.value("kind"), Some(&Value::Text("second".into())));
        assert!(state.conflicts().is_empty());
        assert_eq!(store.record_ops(g).unwrap().len(), 2);
    }

    /// An import longer than the slices a write is signed and logged in is one transaction
    /// all the same: every record and operation is there, in order, and a record created
    /// in the first slice and changed in the last reads its last value.
    #[test]
    fn an_import_longer_than_a_slice_keeps_every_record_and_each_ones_last_value() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store(dir.path());
        let n = WRITE_OUT_EVERY + 40;
        let ids: Vec<RecordId> = (0..n).map(|_| RecordId::for_kind("group")).collect();
        let mut edits: Vec<RecordEdit> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| group(*id, true, &format!("group {i}")))
            .collect();
        edits.push(group(ids[0], false, "renamed"));
        let written = store.write(edits).unwrap();
        assert_eq!(written.len(), n + 1);
        assert_eq!(store.count("group").unwrap(), n);
        let first = store.state(ids[0]).unwrap().unwrap();
        assert_eq!(first.value("kind"), Some(&Value::Text("renamed".into())));
        assert!(first.conflicts().is_empty());
        let last = store.state(ids[n - 1]).unwrap().unwrap();
        assert_eq!(
            last.value("kind"),
            Some(&Value::Text(format!("group {}", n - 1)))
        );
        // Logged in the write's order, numbered without a gap.
        let mut seen = Vec::new();
        store
            .for_each_op(|op| seen.push((op.id, op.body.device_seq)))
            .unwrap();
        assert_eq!(seen.iter().map(|(id, _)| *id).collect::<Vec<_>>(), written);
        assert!(seen.iter().map(|(_, s)| *s).eq(1..=(n as u64 + 1)));
    }

    /// A write that fails half-way (a record that does not exist, after thousands of good
    /// edits and a written-out slice) leaves nothing: not a record, not an operation.
    #[test]
    fn a_long_write_that_fails_at_its_end_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store(dir.path());
        let mut edits: Vec<RecordEdit> = (0..WRITE_OUT_EVERY + 5)
            .map(|i| group(RecordId::for_kind("group"), true, &format!("group {i}")))
            .collect();
        edits.push(group(RecordId::for_kind("group"), false, "nobody"));
        assert!(matches!(store.write(edits), Err(Error::NotFound(_))));
        assert_eq!(store.count("group").unwrap(), 0);
        assert_eq!(store.for_each_op(|_| {}).unwrap(), 0);
        assert_eq!(store.last_own_seq().unwrap(), 0);
    }
}
