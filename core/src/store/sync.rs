//! Exchange between replicas: what this replica holds ([`Summary`]), the operations another
//! replica lacks, and applying a batch of operations received from elsewhere.

use std::collections::{BTreeMap, HashMap};

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use super::write::merge_in_batch;
use super::{
    after_merge, files, insert_op, load_state, log_received, op_exists, save_clock, save_state,
    Store,
};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, OpId, RecordId};
use crate::kind::{Hook, Kinds};
use crate::merge::RecordState;
use crate::op::{Op, OpEnvelope};

/// Which operations a replica holds: for each authoring device, the ranges of its operation
/// numbers. Small (a few bytes per device) and free of content.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    held: BTreeMap<DeviceId, Vec<(u64, u64)>>,
}

impl Summary {
    fn holds(&self, device: &DeviceId, seq: u64) -> bool {
        self.held.get(device).is_some_and(|ranges| {
            let i = ranges.partition_point(|(_, hi)| *hi < seq);
            ranges.get(i).is_some_and(|(lo, _)| *lo <= seq)
        })
    }

    /// Number of operations covered.
    pub fn len(&self) -> u64 {
        self.held
            .values()
            .flatten()
            .map(|(lo, hi)| hi - lo + 1)
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// As the wire carries it: per author id, the ranges of its numbers.
    pub(crate) fn to_author_ranges(&self) -> komora_protocol::AuthorRanges {
        self.held
            .iter()
            .map(|(d, r)| (komora_protocol::Id16(*d.as_bytes()), r.clone()))
            .collect()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("summaries always serialise")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let s: Summary = postcard::from_bytes(bytes).map_err(|_| Error::Corrupted {
            what: "a replica summary",
        })?;
        let sorted = s
            .held
            .values()
            .all(|r| r.iter().all(|(lo, hi)| lo <= hi) && r.windows(2).all(|w| w[0].1 < w[1].0));
        if !sorted {
            return Err(Error::Corrupted {
                what: "a replica summary",
            });
        }
        Ok(s)
    }
}

/// Why an incoming operation was refused. Nothing of a refused operation is applied or stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RejectReason {
    /// Encrypted under a key epoch this device does not hold.
    UnknownKeyEpoch(u32),
    /// Failed authentication or decoding: altered, truncated or forged.
    Corrupted,
    /// Claims a different record type than the record it changes.
    KindMismatch,
    /// Its signature is not its claimed author's: forged, altered, or replayed under another
    /// operation id by someone holding the team key.
    ForgedSignature(DeviceId),
    /// Its author is not in the team's signed device list.
    UnknownAuthor(DeviceId),
    /// Written in a key epoch from after its author's revocation.
    RevokedAuthor(DeviceId),
    /// Its author's role may not change this record (a counsellor's tablet writing the team's
    /// policy, which only administrators set).
    NotAllowed(DeviceId),
    /// Compressed to expand past the operation size limit (a decompression bomb): refused
    /// before it was expanded.
    TooLarge,
    /// Compressed with a dictionary this app does not hold: only a newer app writes it.
    UnknownDictionary(u8),
}

impl RejectReason {
    /// Why an operation that did not open is refused.
    fn from_open(e: &Error) -> Self {
        match e {
            Error::TooLarge { .. } => RejectReason::TooLarge,
            Error::UnknownDictionary(v) => RejectReason::UnknownDictionary(*v),
            _ => RejectReason::Corrupted,
        }
    }
}

impl RejectReason {
    /// A short code for logs, the audit trail and screens.
    pub fn code(&self) -> &'static str {
        match self {
            RejectReason::UnknownKeyEpoch(_) => "unknown-key-epoch",
            RejectReason::Corrupted => "corrupted",
            RejectReason::KindMismatch => "kind-mismatch",
            RejectReason::ForgedSignature(_) => "forged-signature",
            RejectReason::UnknownAuthor(_) => "unknown-author",
            RejectReason::RevokedAuthor(_) => "revoked-author",
            RejectReason::NotAllowed(_) => "not-allowed",
            RejectReason::TooLarge => "too-large",
            RejectReason::UnknownDictionary(_) => "unknown-dictionary",
        }
    }

    /// The device the operation claims as its author, when it could be read.
    pub fn claimed_author(&self) -> Option<DeviceId> {
        match self {
            RejectReason::ForgedSignature(d)
            | RejectReason::UnknownAuthor(d)
            | RejectReason::RevokedAuthor(d)
            | RejectReason::NotAllowed(d) => Some(*d),
            _ => None,
        }
    }
}

/// What applying operations came to: done (with what was refused), or nothing done because an
/// author is not in the team's list and the caller asked to hear that first (it fetches the
/// list, then applies again). The engine's decision, never an error a person reads (issue 19,
/// item 4).
pub(crate) enum Applied {
    Done(ApplyReport),
    AuthorsUnknown,
}

impl Applied {
    /// The report of an application that could not defer (`defer_unknown` false): an unknown
    /// author is then refused and parked, so there is always one.
    pub(crate) fn report(self) -> ApplyReport {
        match self {
            Applied::Done(report) => report,
            Applied::AuthorsUnknown => ApplyReport::default(),
        }
    }
}

/// Check every operation's signature against its author in the team's device list; the
/// refused ones are reported and dropped. With `defer_unknown`, an author missing from the
/// list stops the whole call (`None`) so the caller can fetch the list and retry.
fn check_authors<'a>(
    roster: &crate::roster::Roster,
    kinds: &Kinds,
    ops: Vec<(&'a OpEnvelope, Op)>,
    defer_unknown: bool,
    report: &mut ApplyReport,
    park: &mut Vec<&'a OpEnvelope>,
) -> Option<Vec<(&'a OpEnvelope, Op)>> {
    use crate::roster::AuthorProblem;
    let mut keyed = Vec::with_capacity(ops.len());
    for (env, op) in ops {
        let author = op.body.device;
        if op.epoch < op.body.written_epoch {
            // Sealed under a key older than the one it says it was written with.
            report.rejected.push(Rejected {
                op_id: op.id,
                reason: RejectReason::Corrupted,
            });
            continue;
        }
        match roster.author_key(author, op.body.written_epoch, op.body.device_seq) {
            Ok(_)
                if !kinds
                    .get(&op.body.kind)
                    .writers
                    .allow(roster.role_of(author)) =>
            {
                report.rejected.push(Rejected {
                    op_id: op.id,
                    reason: RejectReason::NotAllowed(author),
                });
            }
            Ok(key) => keyed.push((env, op, *key)),
            Err(AuthorProblem::Unknown) if defer_unknown => return None,
            Err(problem) => {
                if problem == AuthorProblem::Unknown {
                    park.push(env);
                }
                report.rejected.push(Rejected {
                    op_id: op.id,
                    reason: match problem {
                        AuthorProblem::Unknown => RejectReason::UnknownAuthor(author),
                        AuthorProblem::Revoked => RejectReason::RevokedAuthor(author),
                    },
                })
            }
        }
    }
    let valid = verify_all(&keyed);
    let mut out = Vec::with_capacity(keyed.len());
    for ((env, op, _), ok) in keyed.into_iter().zip(valid) {
        if ok {
            out.push((env, op));
        } else {
            report.rejected.push(Rejected {
                op_id: op.id,
                reason: RejectReason::ForgedSignature(op.body.device),
            });
        }
    }
    Some(out)
}

/// Strict Ed25519 verification of each operation (no batch shortcut, whose answer on crafted
/// signatures could differ between replicas), spread over the cores for a large page.
fn verify_all(ops: &[(&OpEnvelope, Op, ed25519_dalek::VerifyingKey)]) -> Vec<bool> {
    let one = |(_, op, key): &(&OpEnvelope, Op, ed25519_dalek::VerifyingKey)| {
        key.verify_strict(
            &op.signed_message(),
            &ed25519_dalek::Signature::from_bytes(&op.sig),
        )
        .is_ok()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || ops.len() < 64 {
        return ops.iter().map(one).collect();
    }
    let chunk = ops.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = ops
            .chunks(chunk)
            .map(|part| {
                (
                    part.len(),
                    s.spawn(move || part.iter().map(one).collect::<Vec<_>>()),
                )
            })
            .collect();
        handles
            .into_iter()
            // A verifier that died accepts nothing.
            .flat_map(|(n, h)| h.join().unwrap_or_else(|_| vec![false; n]))
            .collect()
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub op_id: OpId,
    pub reason: RejectReason,
}

/// An operation that arrived under an id this log holds as another author's (or another
/// number's) operation: not a duplicate. Only the author signs her operations, so one of the
/// two is a tablet of the team that signed its own operation under a colleague's id (a stolen
/// tablet squatting her work, ADR 0027); which one, this tablet cannot tell. The one that
/// arrived second is kept aside (parked) and tried again at every sync: it applies once the
/// other leaves the log (withdrawn when its author is revoked with a cutoff below it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contested {
    pub op_id: OpId,
    /// The author of the operation this log holds under the id.
    pub logged_author: DeviceId,
    /// The author of the operation kept aside.
    pub kept_aside_author: DeviceId,
}

/// Contested copies held aside now for one pair of tablets ([`Store::contested_pairs`]): the
/// durable form of [`Contested`], which a sync reports once. One of the two tablets signed its
/// own operations under the other's ids: if one of them is lost or stolen, revoking it
/// settles it (its copies leave the log, or the parking, and the other's apply).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestedPair {
    /// The author of the operations this log holds under the ids.
    pub logged_author: DeviceId,
    /// The author of the copies kept aside.
    pub kept_aside_author: DeviceId,
    /// How many of its operations are held aside.
    pub changes: u64,
    /// When the first of them was kept aside (this tablet's clock, ms since 1970).
    pub since_ms: u64,
}

/// What applying a batch did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Operations new to this replica, now merged.
    pub applied: usize,
    /// Operations this replica already had (ignored: applying is idempotent).
    pub duplicates: usize,
    pub rejected: Vec<Rejected>,
    /// Devices whose operations were stamped more than `MAX_DRIFT_MS` ahead of this device's
    /// clock: their clock is probably wrong. The operations were applied.
    pub clock_ahead: Vec<DeviceId>,
    /// Operations of an erased client's file: never merged, never kept.
    pub erased: usize,
    /// Operations of a client's file that came before the operation carrying the file's key:
    /// kept aside and merged as soon as the key arrives (by a later page or file).
    pub waiting: Vec<OpId>,
    /// Operations kept aside because their id is logged as another author's operation: said
    /// once, when first kept aside (not again at each retry).
    pub contested: Vec<Contested>,
    /// Every contested operation this application kept (or found) aside, reported or not:
    /// what the retry of parked operations leaves parked.
    pub(crate) kept_aside: Vec<OpId>,
}

/// How an operation's sealed parts are opened, decided in the page's order before they are
/// opened on every core.
enum Parts {
    /// Under its client file's keys, held.
    File(RecordId),
    /// A team record: its case-work part under the case-work key.
    Team,
    /// Its file's keys have not arrived yet: it waits.
    Waiting,
    /// It carries keys that do not agree: refused.
    Broken,
    /// Its file was erased: not opened.
    Skip,
}

/// A record merged in this apply: its state, its client file, and its file key sealed for
/// its row (when this apply brought the key).
type Touched = (RecordState, Option<RecordId>, Option<Vec<u8>>);

/// Most operations a tablet keeps parked (waiting for a key, an author or a file key). Honest
/// syncs park a few, for the length of a sync; beyond this a server (or a batch file) is
/// flooding the tablet, and the oldest are set aside (issue 16, finding 4).
pub(crate) const MAX_PARKED: usize = 10_000;
/// How long a parked operation waits before it is set aside: a key or an author that has not
/// come in a month is not coming.
pub(crate) const PARKED_MAX_AGE_MS: u64 = 30 * 24 * 3600 * 1000;
const SET_ASIDE_META: &str = "parked_set_aside";

/// One operation waiting to be sent: its place in this log, its envelope, its author and
/// number, and its record (whose id says its kind: what its priority class is read from).
pub(crate) struct Unsynced {
    pub seq: i64,
    pub envelope: Vec<u8>,
    pub author: DeviceId,
    pub number: u64,
    pub record: RecordId,
}

/// Whether `ranges` holds `number` of `author`.
fn holds(
    ranges: &komora_protocol::AuthorRanges,
    author: &komora_protocol::Id16,
    number: u64,
) -> bool {
    ranges.iter().any(|(a, r)| {
        a == author && {
            let i = r.partition_point(|(_, hi)| *hi < number);
            r.get(i).is_some_and(|(lo, _)| *lo <= number)
        }
    })
}

/// The author and number of the operation logged under `id`, if one is: whether an operation
/// arriving under that id is a duplicate (the same author and number) or a contested copy.
/// One lookup, as cheap as asking whether the id is there.
fn logged_as(conn: &rusqlite::Connection, id: &OpId) -> Result<Option<(DeviceId, u64)>> {
    let row: Option<(Vec<u8>, i64)> = conn
        .prepare_cached("SELECT device_id, device_seq FROM ops WHERE op_id = ?1")?
        .query_row([id.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(device, seq)| Ok((DeviceId::from_slice(&device)?, seq as u64)))
        .transpose()
}

/// Whether another operation of the same author already holds this operation's number.
fn number_reused(conn: &rusqlite::Connection, op: &Op) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM ops WHERE device_id = ?1 AND device_seq = ?2 AND op_id != ?3",
        )?
        .exists(rusqlite::params![
            op.body.device.as_bytes(),
            op.body.device_seq as i64,
            op.id.as_bytes()
        ])?)
}

/// The highest number of `author` in the log (0: none).
fn highest_held(tx: &rusqlite::Transaction<'_>, author: DeviceId) -> Result<u64> {
    let n: Option<i64> = tx
        .prepare_cached("SELECT max(device_seq) FROM ops WHERE device_id = ?1")?
        .query_row([author.as_bytes()], |r| r.get(0))?;
    Ok(n.map_or(0, |n| n.max(0) as u64))
}

/// An operation this replica already logged: counted, and marked as held by the server when
/// it came in a pulled page.
fn count_duplicate(
    tx: &rusqlite::Transaction<'_>,
    report: &mut ApplyReport,
    op: &Op,
    held_by_server: bool,
) -> Result<()> {
    report.duplicates += 1;
    if held_by_server {
        tx.prepare_cached("UPDATE ops SET synced = 1 WHERE op_id = ?1")?
            .execute([op.id.as_bytes()])?;
    }
    Ok(())
}

/// Set aside parked operations older than a month, then the oldest beyond the cap; the count
/// set aside so far is kept for the status line.
///
/// A contested copy is never set aside for its age: it may be a colleague's real work (the
/// copy logged under its id a stolen tablet's), and what settles it is a revocation, not time.
/// The tablet's clock is no judge either: one running a month ahead would trim her work at its
/// first sync. Over the cap, the others go first (a flood of unreadable envelopes must not push
/// out her words; contested copies are bounded anyway, one per op id the log holds).
fn trim_parked(tx: &rusqlite::Transaction<'_>, now_ms: u64) -> Result<usize> {
    let cutoff = now_ms.saturating_sub(PARKED_MAX_AGE_MS) as i64;
    let mut gone = tx
        .prepare_cached("DELETE FROM parked WHERE parked_at_ms < ?1 AND kept_aside_author IS NULL")?
        .execute([cutoff])?;
    let count: i64 = tx.query_row("SELECT count(*) FROM parked", [], |r| r.get(0))?;
    let over = (count as usize).saturating_sub(MAX_PARKED);
    if over > 0 {
        gone += tx
            .prepare_cached(
                "DELETE FROM parked WHERE op_id IN
                 (SELECT op_id FROM parked
                  ORDER BY kept_aside_author IS NOT NULL, parked_at_ms, op_id LIMIT ?1)",
            )?
            .execute([over as i64])?;
    }
    if gone > 0 {
        let before: u64 = tx
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [SET_ASIDE_META],
                |r| r.get::<_, Vec<u8>>(0),
            )
            .optional()?
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0);
        tx.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?
            .execute(rusqlite::params![
                SET_ASIDE_META,
                &(before + gone as u64).to_be_bytes()[..]
            ])?;
    }
    Ok(gone)
}

impl Store {
    /// The contested copies held aside now, per pair of tablets (the author of the logged
    /// copy, the author of the one kept aside): how many, and since when (the earliest kept
    /// aside, by this tablet's clock then). Read from the parking, so it says what is there
    /// whatever became of the sync that put it there; empty once every copy applied (the
    /// logged one withdrawn) or was refused for good (its author revoked). Oldest pair first.
    pub(crate) fn contested_pairs(&self) -> Result<Vec<ContestedPair>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT logged_author, kept_aside_author, count(*), min(parked_at_ms) FROM parked
             WHERE kept_aside_author IS NOT NULL AND logged_author IS NOT NULL
             GROUP BY logged_author, kept_aside_author
             ORDER BY min(parked_at_ms), logged_author, kept_aside_author",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        let mut pairs = Vec::new();
        for row in rows {
            let (logged, kept, count, since) = row?;
            pairs.push(ContestedPair {
                logged_author: DeviceId::from_slice(&logged)?,
                kept_aside_author: DeviceId::from_slice(&kept)?,
                changes: count.max(0) as u64,
                since_ms: since.max(0) as u64,
            });
        }
        Ok(pairs)
    }

    /// Operations parked now, and how many were ever set aside (too old, or over the cap).
    pub(crate) fn parked_counts(&self) -> Result<(u64, u64)> {
        let parked: i64 = self
            .conn
            .query_row("SELECT count(*) FROM parked", [], |r| r.get(0))?;
        let set_aside = self
            .meta(SET_ASIDE_META)?
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0);
        Ok((parked as u64, set_aside))
    }

    /// What this replica holds.
    pub(crate) fn summary(&self) -> Result<Summary> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT device_id, device_seq FROM ops ORDER BY device_id, device_seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut held: BTreeMap<DeviceId, Vec<(u64, u64)>> = BTreeMap::new();
        while let Some(row) = rows.next()? {
            let device = DeviceId::from_slice(row.get_ref(0)?.as_blob()?)?;
            let seq = row.get::<_, i64>(1)? as u64;
            let ranges = held.entry(device).or_default();
            match ranges.last_mut() {
                Some((_, hi)) if *hi + 1 == seq => *hi = seq,
                Some((_, hi)) if *hi == seq => {}
                _ => ranges.push((seq, seq)),
            }
        }
        Ok(Summary { held })
    }

    /// The operations a replica with `theirs` lacks, in this replica's arrival order.
    pub(crate) fn missing_from(&self, theirs: &Summary) -> Result<Vec<OpEnvelope>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT device_id, device_seq, envelope FROM ops ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let device = DeviceId::from_slice(row.get_ref(0)?.as_blob()?)?;
            if !theirs.holds(&device, row.get::<_, i64>(1)? as u64) {
                out.push(OpEnvelope::from_bytes(row.get_ref(2)?.as_blob()?)?);
            }
        }
        Ok(out)
    }

    /// Apply operations received from another replica, in one transaction. Every envelope is
    /// opened and checked before anything is written; refused ones are reported, not applied.
    /// `server_cursor` is set for a page pulled from the sync server: its operations are then
    /// marked as held by the server and the cursor is saved in the same transaction, so a crash
    /// at any point resumes from the right place.
    /// In a vault of a server team every operation must carry a valid signature of its author
    /// in the team's signed device list (see `check_authors` for `defer_unknown`).
    pub(crate) fn apply_remote(
        &mut self,
        envelopes: &[OpEnvelope],
        server_cursor: Option<(u64, Option<OpId>)>,
        defer_unknown: bool,
    ) -> Result<Applied> {
        self.apply_checked(
            envelopes,
            server_cursor,
            server_cursor.is_some(),
            defer_unknown,
        )
    }

    /// A page pulled from the server: held by it whether or not the cursor moves with it (the
    /// notes' pass of a first sync reads behind the cursor, ADR 0025), so never sent back.
    pub(crate) fn apply_pulled(
        &mut self,
        envelopes: &[OpEnvelope],
        server_cursor: Option<(u64, Option<OpId>)>,
        defer_unknown: bool,
    ) -> Result<Applied> {
        self.apply_checked(envelopes, server_cursor, true, defer_unknown)
    }

    /// [`Store::apply_remote`], saying separately whether the server holds these operations
    /// (pulled pages and parked operations) and which cursor to save (pulled pages only).
    /// Operations that cannot be checked yet (a key epoch or an author this device does not
    /// know) are refused and parked, to be tried again by [`Store::retry_parked`].
    fn apply_checked(
        &mut self,
        envelopes: &[OpEnvelope],
        server_cursor: Option<(u64, Option<OpId>)>,
        held_by_server: bool,
        defer_unknown: bool,
    ) -> Result<Applied> {
        let mut report = ApplyReport::default();
        let mut park: Vec<&OpEnvelope> = Vec::new();
        let mut ops: Vec<(&OpEnvelope, Op)> = Vec::with_capacity(envelopes.len());
        // Opened on every core (decryption, decompression, decoding); judged below in the
        // page's order, as before.
        let keys = &self.keys;
        let opened = crate::parallel::map(envelopes.iter().collect(), |env: &OpEnvelope| {
            keys.get(env.epoch()).ok().map(|key| env.open(key))
        });
        for (env, opened) in envelopes.iter().zip(opened) {
            let Some(opened) = opened else {
                // Opening it failed where it never should (a bug, not the bytes): refused
                // like an envelope that does not open.
                report.rejected.push(Rejected {
                    op_id: env.op_id(),
                    reason: RejectReason::Corrupted,
                });
                continue;
            };
            let Some(opened) = opened else {
                park.push(env);
                report.rejected.push(Rejected {
                    op_id: env.op_id(),
                    reason: RejectReason::UnknownKeyEpoch(env.epoch()),
                });
                continue;
            };
            match opened {
                Ok(op) => ops.push((env, op)),
                Err(e) => {
                    // Packed with a dictionary only a newer app holds: kept, like a key epoch
                    // not known yet, so the app opens it once updated (never skipped for good).
                    if matches!(e, Error::UnknownDictionary(_)) {
                        park.push(env);
                    }
                    report.rejected.push(Rejected {
                        op_id: env.op_id(),
                        reason: RejectReason::from_open(&e),
                    })
                }
            }
        }
        if let Some(roster) = &self.roster {
            match check_authors(
                roster,
                self.kinds,
                ops,
                defer_unknown,
                &mut report,
                &mut park,
            ) {
                Some(checked) => ops = checked,
                None => return Ok(Applied::AuthorsUnknown),
            }
        } else if self.roster_required && !ops.is_empty() {
            // A team vault without its list yet: no author can be checked.
            if defer_unknown {
                return Ok(Applied::AuthorsUnknown);
            }
            for (env, op) in ops.drain(..) {
                park.push(env);
                report.rejected.push(Rejected {
                    op_id: op.id,
                    reason: RejectReason::UnknownAuthor(op.body.device),
                });
            }
        }
        let parked_at = self.clock.now_ms();
        let Store {
            conn,
            clock,
            next_seq,
            keys,
            files,
            master,
            device,
            roster,
            states,
            kinds,
            ..
        } = self;
        let tx = conn.transaction()?;
        // Unknown key epochs and authors wait only for what the server holds (a batch file's
        // would wait for a key it may never bring); file changes waiting for their key wait
        // whatever brought them.
        if !held_by_server {
            park.clear();
        }
        let mut touched: HashMap<RecordId, Touched> = HashMap::new();
        let mut gone: Vec<RecordId> = Vec::new();
        let mut logged: std::collections::HashSet<OpId> = std::collections::HashSet::new();
        // Operations whose id the log holds as another author's or number's, with that author.
        let mut contested: Vec<(&OpEnvelope, DeviceId, DeviceId)> = Vec::new();
        // The highest number of each author the log held before this page.
        let mut highest: HashMap<DeviceId, u64> = HashMap::new();
        let now = clock.now_ms();
        // Which key opens each operation's sealed parts, decided in the page's order (the
        // operation recording a client carries its file's keys for the operations after it);
        // the parts are then opened on every core, and judged below in the page's order.
        let mut prepared = Vec::with_capacity(ops.len());
        for (env, op) in ops {
            let file = op.body.file();
            let parts = match file {
                Some(f) if files.is_erased(f) => Parts::Skip,
                Some(f) => {
                    files::load_key(&tx, files, master, *device, f)?;
                    let mut broken = false;
                    if files.get(f).is_none() {
                        // The operation that records the client carries its file's keys (the
                        // file key only where this device holds the case-work key).
                        match files::carried(&op.body, keys) {
                            Ok(Some(secret)) => files.insert(f, secret),
                            Ok(None) => {}
                            Err(()) => broken = true,
                        }
                    }
                    match files.get(f) {
                        _ if broken => Parts::Broken,
                        Some(_) => Parts::File(f),
                        None => Parts::Waiting,
                    }
                }
                None => Parts::Team,
            };
            prepared.push((env, op, file, parts));
        }
        let ids: Vec<OpId> = prepared.iter().map(|(_, op, _, _)| op.id).collect();
        let held_files: &files::FileKeys = files;
        let opened = crate::parallel::map(prepared, |(env, mut op, file, parts)| {
            let outcome = match parts {
                Parts::File(f) => match held_files.get(f) {
                    Some(held) => op
                        .body
                        .open_parts(&held.open_keys())
                        .map_err(|e| Some(RejectReason::from_open(&e))),
                    None => Err(None),
                },
                Parts::Team => keys
                    .open_team_parts(&mut op.body)
                    .map_err(|_| Some(RejectReason::Corrupted)),
                Parts::Waiting => Err(None),
                Parts::Broken => Err(Some(RejectReason::Corrupted)),
                Parts::Skip => Ok(()),
            };
            (env, op, file, outcome)
        });
        for (id, opened) in ids.into_iter().zip(opened) {
            let Some((env, op, file, outcome)) = opened else {
                // Opening its parts failed where it never should (a bug, not the bytes).
                report.rejected.push(Rejected {
                    op_id: id,
                    reason: RejectReason::Corrupted,
                });
                continue;
            };
            if let Some(f) = file.filter(|f| files.is_erased(*f)) {
                // Its file was erased (before this page, or by an erasure earlier in it):
                // never merged. The client's own operations (the first carried the file's
                // key) are never kept either. Those of the file's other records are kept as
                // they came, unmerged, their changes sealed under a key that is gone: the
                // team keeps that such a record existed, its kind, author and time (ADR
                // 0010), as a tablet that held them before the erasure does, whatever order
                // they arrived in.
                if op.body.record != f {
                    if op.body.record.admits_kind(&op.body.kind) && !op_exists(&tx, &op.id)? {
                        insert_op(&tx, &op, env, held_by_server)?;
                        logged.insert(op.id);
                    }
                } else {
                    files::note_dropped(&tx, op.body.device, op.body.device_seq)?;
                }
                report.erased += 1;
                continue;
            }
            match outcome {
                Ok(()) => {}
                Err(Some(reason)) => {
                    // Its keys do not agree, or a sealed part does not open: altered or forged.
                    report.rejected.push(Rejected {
                        op_id: op.id,
                        reason,
                    });
                    continue;
                }
                Err(None) => {
                    // Its client's operation (which carries the key) has not arrived yet: it
                    // waits, whatever brought it (a page, a batch file).
                    park.push(env);
                    report.waiting.push(op.id);
                    continue;
                }
            }
            // Already logged? Not asked of the database when the operation's number is above
            // every number of its author the log held before this page (a first sync, a
            // page of news): it cannot be logged then, unless under its id with another
            // author or number, which the unique index catches when it is logged below.
            // Logged under the same author and number: a duplicate. Under another: a
            // contested id, kept aside (never dropped: it may be the real one).
            let above = match highest.entry(op.body.device) {
                std::collections::hash_map::Entry::Occupied(e) => *e.get(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    *e.insert(highest_held(&tx, op.body.device)?)
                }
            };
            let surely_new = op.body.device_seq > above && !logged.contains(&op.id);
            if !surely_new {
                if let Some(held) = logged_as(&tx, &op.id)? {
                    if held == (op.body.device, op.body.device_seq) {
                        count_duplicate(&tx, &mut report, &op, held_by_server)?;
                    } else {
                        contested.push((env, held.0, op.body.device));
                    }
                    continue;
                }
            }
            // A revoked tablet's numbers up to its cutoff count: one it reuses for a new
            // operation (to slip it under the cutoff) is refused wherever the first is held.
            if roster
                .as_ref()
                .is_some_and(|r| r.has_cutoff(op.body.device))
                && number_reused(&tx, &op)?
            {
                report.rejected.push(Rejected {
                    op_id: op.id,
                    reason: RejectReason::RevokedAuthor(op.body.device),
                });
                continue;
            }
            let record = op.body.record;
            // A record's kind is part of its identity: an id tagged for another kind is
            // refused whatever arrived first (issue 16, finding 9), before any state is made
            // for it.
            if !record.admits_kind(&op.body.kind) {
                report.rejected.push(Rejected {
                    op_id: op.id,
                    reason: RejectReason::KindMismatch,
                });
                continue;
            }
            let fresh = !touched.contains_key(&record);
            let (state, _, wrapped_key) = match touched.entry(record) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let loaded = load_state(&tx, states, keys, record)?;
                    e.insert((
                        loaded.unwrap_or_else(|| RecordState::new(&op.body.kind, op.body.hlc())),
                        file,
                        None,
                    ))
                }
            };
            if state.kind != op.body.kind {
                report.rejected.push(Rejected {
                    op_id: op.id,
                    reason: RejectReason::KindMismatch,
                });
                continue;
            }
            if !log_received(&tx, &op, env, held_by_server)? {
                // Its id was logged before (the fast path above did not ask): with another
                // author or number, contested and kept aside; else a duplicate after all. A
                // record made for it above is no record.
                if fresh {
                    touched.remove(&record);
                }
                match logged_as(&tx, &op.id)? {
                    Some(held) if held != (op.body.device, op.body.device_seq) => {
                        contested.push((env, held.0, op.body.device));
                    }
                    _ => count_duplicate(&tx, &mut report, &op, held_by_server)?,
                }
                continue;
            }
            logged.insert(op.id);
            if clock.observe(&op.body.hlc()) && !report.clock_ahead.contains(&op.body.device) {
                report.clock_ahead.push(op.body.device);
            }
            // Predecessors logged by this page are known without asking the database.
            merge_in_batch(&tx, state, &op, &logged)?;
            report.applied += 1;
            if kinds.get(&state.kind).hook != Hook::Nothing {
                let keeper = super::KeyKeeper {
                    master,
                    device: *device,
                };
                let (went, wrapped) =
                    after_merge(&tx, kinds, files, &keeper, record, state, now, op.id)?;
                gone.extend(went);
                if wrapped.is_some() {
                    *wrapped_key = wrapped;
                }
            }
        }
        // A copy that did not check out, under the id of an operation this log holds (the
        // real one arrived earlier, or earlier in this page): the server keeps one copy of an
        // id per pushing device (ADR 0027), so a stolen tablet's garbage under a colleague's
        // id reaches tablets that hold her operation. It can change nothing here: a duplicate,
        // not a refusal to report, not parked, and not a sign that the server holds the real
        // one. A copy refused before the real one arrives marks nothing, so the real one is
        // applied when it comes.
        if !report.rejected.is_empty() {
            let mut refused = Vec::with_capacity(report.rejected.len());
            for r in std::mem::take(&mut report.rejected) {
                if op_exists(&tx, &r.op_id)? {
                    report.duplicates += 1;
                    park.retain(|env| env.op_id() != r.op_id);
                } else {
                    refused.push(r);
                }
            }
            report.rejected = refused;
        }
        if !park.is_empty() {
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR IGNORE INTO parked (op_id, envelope, parked_at_ms, held) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for env in &park {
                    stmt.execute(rusqlite::params![
                        env.op_id().as_bytes(),
                        env.to_bytes(),
                        parked_at as i64,
                        held_by_server
                    ])?;
                }
            }
            trim_parked(&tx, parked_at)?;
        }
        if !contested.is_empty() {
            // Kept aside whatever brought them (a page, a batch file): the only copy of a
            // colleague's words may be this one. Said once: the same copy, already parked, is
            // tried again, not reported again. It takes the place of another envelope parked
            // under its id (garbage parked for a key epoch this tablet lacks, before the id
            // was logged, would otherwise keep it out; the parking holds one per id).
            {
                // The two tablets are kept with it (what `contested_pairs` reads). A copy
                // parked before for another reason (an author not yet known) and found
                // contested at a retry is news too: its tablets are written, and it is said.
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO parked
                       (op_id, envelope, parked_at_ms, held, logged_author, kept_aside_author)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (op_id) DO UPDATE SET envelope = excluded.envelope,
                       parked_at_ms = excluded.parked_at_ms, held = excluded.held,
                       logged_author = excluded.logged_author,
                       kept_aside_author = excluded.kept_aside_author
                     WHERE parked.envelope != excluded.envelope
                       OR parked.logged_author IS NOT excluded.logged_author
                       OR parked.kept_aside_author IS NOT excluded.kept_aside_author",
                )?;
                for (env, logged_author, kept_aside_author) in contested {
                    let op_id = env.op_id();
                    let new = stmt.execute(rusqlite::params![
                        op_id.as_bytes(),
                        env.to_bytes(),
                        parked_at as i64,
                        held_by_server,
                        logged_author.as_bytes(),
                        kept_aside_author.as_bytes(),
                    ])? == 1;
                    report.kept_aside.push(op_id);
                    if new {
                        report.contested.push(Contested {
                            op_id,
                            logged_author,
                            kept_aside_author,
                        });
                    }
                }
            }
            trim_parked(&tx, parked_at)?;
        }
        for (record, (state, file, wrapped)) in touched.iter_mut() {
            // Erased in this very page: the records the erasure destroyed, and those of its
            // file merged earlier in the page, which were not saved yet for it to find.
            if gone.contains(record) || file.is_some_and(|f| files.is_erased(f)) {
                continue;
            }
            save_state(&tx, states, *record, state, *file, wrapped.take())?;
        }
        super::pages::records_changed(&tx, states, kinds, &gone)?;
        save_clock(&tx, clock, *next_seq)?;
        if let Some((cursor, anchor)) = server_cursor {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('pull_cursor', ?1)",
            )?
            .execute([&cursor.to_be_bytes()[..]])?;
            // The operation the stream holds at the cursor: a later pull checks it is still
            // there (a store rolled back would not have it, issue 17).
            match anchor {
                Some(op) => tx
                    .prepare_cached(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES ('pull_cursor_op', ?1)",
                    )?
                    .execute([op.as_bytes()])?,
                None => tx
                    .prepare_cached("DELETE FROM meta WHERE key = 'pull_cursor_op'")?
                    .execute([])?,
            };
        }
        tx.commit()?;
        if report.applied > 0 || !gone.is_empty() {
            self.changes
                .record(touched.keys().copied().chain(gone.iter().copied()));
        }
        Ok(Applied::Done(report))
    }

    /// Try again the operations parked because their key epoch or author was unknown (after a
    /// sync fetched keys and the team's list). Those that now apply or are refused for good
    /// (forged, altered) leave the parking; those still unknown stay.
    pub(crate) fn retry_parked(&mut self) -> Result<ApplyReport> {
        {
            let now = self.clock.now_ms();
            let tx = self.conn.transaction()?;
            trim_parked(&tx, now)?;
            tx.commit()?;
        }
        let parked: Vec<(Vec<u8>, Vec<u8>, bool)> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT op_id, envelope, held FROM parked ORDER BY parked_at_ms LIMIT 10000",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut total = ApplyReport::default();
        if parked.is_empty() {
            return Ok(total);
        }
        let mut unreadable = Vec::new();
        let mut done = Vec::new();
        for held in [true, false] {
            let mut envelopes = Vec::new();
            for (id, bytes, h) in &parked {
                if *h != held {
                    continue;
                }
                match OpEnvelope::from_bytes(bytes) {
                    Ok(env) => envelopes.push(env),
                    Err(_) => unreadable.push(id.clone()),
                }
            }
            if envelopes.is_empty() {
                continue;
            }
            let report = self.apply_checked(&envelopes, None, held, false)?.report();
            let still: std::collections::HashSet<[u8; 16]> = report
                .rejected
                .iter()
                .filter(|r| {
                    matches!(
                        r.reason,
                        RejectReason::UnknownKeyEpoch(_)
                            | RejectReason::UnknownAuthor(_)
                            | RejectReason::UnknownDictionary(_)
                    )
                })
                .map(|r| *r.op_id.as_bytes())
                .chain(report.waiting.iter().map(|id| *id.as_bytes()))
                // Still contested: the operation logged under its id is still there.
                .chain(report.kept_aside.iter().map(|id| *id.as_bytes()))
                .collect();
            done.extend(
                envelopes
                    .iter()
                    .map(|e| e.op_id())
                    .filter(|id| !still.contains(id.as_bytes())),
            );
            total.applied += report.applied;
            total.duplicates += report.duplicates;
            total.erased += report.erased;
            total.rejected.extend(
                report
                    .rejected
                    .into_iter()
                    .filter(|r| !still.contains(r.op_id.as_bytes())),
            );
            total.waiting.extend(report.waiting);
            total.contested.extend(report.contested);
        }
        let tx = self.conn.transaction()?;
        {
            let mut del = tx.prepare_cached("DELETE FROM parked WHERE op_id = ?1")?;
            for id in &done {
                del.execute([id.as_bytes()])?;
            }
            for id in &unreadable {
                del.execute([id])?;
            }
        }
        tx.commit()?;
        if total.applied > 0 && !total.waiting.is_empty() {
            // A file's operation tried before the one carrying the file's keys, parked beside
            // it (a new client's fields and her keys, two operations from team format 5 on,
            // ADR 0022, both waiting for a key epoch): the keys are in now, so once more.
            // Each round takes at least one operation out of the parking: it ends.
            let again = self.retry_parked()?;
            total.applied += again.applied;
            total.duplicates += again.duplicates;
            total.erased += again.erased;
            total.rejected.extend(again.rejected);
            total.contested.extend(again.contested);
            total.waiting = again.waiting;
        }
        Ok(total)
    }

    /// The next operations the server does not hold yet, oldest first, up to `max_ops` and
    /// about `max_bytes`, with each one's author and number.
    pub(crate) fn unsynced(&self, max_ops: usize, max_bytes: usize) -> Result<Vec<Unsynced>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, envelope, device_id, device_seq, record_id FROM ops WHERE synced = 0 ORDER BY seq LIMIT ?1",
        )?;
        let mut rows = stmt.query([max_ops as i64])?;
        let (mut out, mut bytes) = (Vec::new(), 0usize);
        while let Some(row) = rows.next()? {
            let envelope: Vec<u8> = row.get(1)?;
            if !out.is_empty() && bytes + envelope.len() > max_bytes {
                break;
            }
            bytes += envelope.len();
            out.push(Unsynced {
                seq: row.get(0)?,
                envelope,
                author: DeviceId::from_slice(row.get_ref(2)?.as_blob()?)?,
                number: row.get::<_, i64>(3)? as u64,
                record: RecordId::from_slice(row.get_ref(4)?.as_blob()?)?,
            });
        }
        Ok(out)
    }

    /// The server holds only `server` (it was restored or rebuilt): every operation of this
    /// log it lacks, this device's own and those received from others, waits to be sent
    /// again. Returns how many.
    pub(crate) fn unsend_what_the_server_lacks(
        &mut self,
        server: &komora_protocol::AuthorRanges,
    ) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut lacking = Vec::new();
        {
            let mut stmt =
                tx.prepare("SELECT seq, device_id, device_seq FROM ops WHERE synced = 1")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let author =
                    komora_protocol::Id16(row.get_ref(1)?.as_blob()?.try_into().map_err(|_| {
                        Error::Corrupted {
                            what: "the vault database",
                        }
                    })?);
                let number = row.get::<_, i64>(2)? as u64;
                if !holds(server, &author, number) {
                    lacking.push(row.get::<_, i64>(0)?);
                }
            }
        }
        {
            let mut stmt = tx.prepare_cached("UPDATE ops SET synced = 0 WHERE seq = ?1")?;
            for seq in &lacking {
                stmt.execute([seq])?;
            }
        }
        tx.commit()?;
        Ok(lacking.len())
    }

    /// Re-seal, under the newest key epoch, every operation waiting to be sent that is sealed
    /// under an older one (the server takes only the team's current epoch). Signatures stay
    /// valid: they cover the body, not the epoch.
    pub(crate) fn reseal_unsynced(&mut self) -> Result<usize> {
        let (epoch, key) = self.keys.current();
        let tx = self.conn.transaction()?;
        let mut resealed = 0;
        {
            let mut stmt =
                tx.prepare("SELECT seq, envelope FROM ops WHERE synced = 0 ORDER BY seq")?;
            let rows: Vec<(i64, Vec<u8>)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<std::result::Result<_, _>>()?;
            let mut update = tx.prepare("UPDATE ops SET envelope = ?2 WHERE seq = ?1")?;
            for (seq, bytes) in rows {
                let env = OpEnvelope::from_bytes(&bytes)?;
                if env.epoch() >= epoch {
                    continue;
                }
                let op = env.open(self.keys.get(env.epoch())?)?;
                let again = OpEnvelope::reseal(&op, epoch, key);
                update.execute(rusqlite::params![seq, again.to_bytes()])?;
                resealed += 1;
            }
        }
        tx.commit()?;
        Ok(resealed)
    }

    /// Whether the server, which says it holds `own` of this device's numbers, lacks one this
    /// device was told it stored. Only numbers from the first the server lists on are judged
    /// (those before were stored by a server that did not keep numbers).
    pub(crate) fn acknowledged_but_missing(&self, own: &[(u64, u64)]) -> Result<bool> {
        let Some(first) = own.first().map(|(lo, _)| *lo) else {
            return Ok(false);
        };
        let me = komora_protocol::Id16(*self.device.as_bytes());
        let ranges = vec![(me, own.to_vec())];
        let mut stmt = self.conn.prepare_cached(
            "SELECT device_seq FROM ops WHERE device_id = ?1 AND synced = 1 AND device_seq >= ?2",
        )?;
        let mut rows = stmt.query(rusqlite::params![self.device.as_bytes(), first as i64])?;
        while let Some(row) = rows.next()? {
            if !holds(&ranges, &me, row.get::<_, i64>(0)? as u64) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Start pulling again after `after` (a reconciliation's resume point), with no anchor.
    pub(crate) fn reset_pull_cursor(&mut self, after: u64) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('pull_cursor', ?1)",
            [&after.to_be_bytes()[..]],
        )?;
        tx.execute("DELETE FROM meta WHERE key = 'pull_cursor_op'", [])?;
        tx.commit()?;
        Ok(())
    }

    /// The operation this device read at its pull cursor (the stream must still hold it).
    pub(crate) fn pull_anchor(&self) -> Result<Option<OpId>> {
        self.meta("pull_cursor_op")?
            .map(|b| OpId::from_slice(&b))
            .transpose()
    }

    /// The generation of the server stream this device last synced with (empty: none yet).
    pub(crate) fn server_generation(&self) -> Result<Vec<u8>> {
        Ok(self.meta("server_generation")?.unwrap_or_default())
    }

    pub(crate) fn set_server_generation(&mut self, generation: &[u8]) -> Result<()> {
        self.set_meta("server_generation", generation)
    }

    /// Record that the server acknowledged these operations.
    pub(crate) fn mark_synced(&mut self, seqs: &[i64]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached("UPDATE ops SET synced = 1 WHERE seq = ?1")?;
            for seq in seqs {
                stmt.execute([seq])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Operations waiting to be pushed.
    pub(crate) fn pending(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM ops WHERE synced = 0", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    pub(crate) fn pull_cursor(&self) -> Result<u64> {
        Ok(self
            .meta("pull_cursor")?
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::crypto::SecretKey;
    use crate::hlc::SystemClock;
    use crate::store::{Edit, EpochKey, RecordEdit};
    use crate::value::Value;

    fn store(dir: &std::path::Path, team: &[(u32, EpochKey)]) -> Store {
        let identity = crate::vault::DeviceIdentity::generate();
        Store::create(
            rusqlite::Connection::open(dir.join("komora.db")).unwrap(),
            &SecretKey::random(),
            identity.id,
            team.to_vec(),
            identity.pkcs8.clone(),
            Arc::new(SystemClock),
            &crate::registry::KINDS,
        )
        .unwrap()
    }

    /// `genuine` again under its own id, with a new number and perhaps another record, sealed
    /// as an insider holding the author's key and the team key could write it.
    fn copy_under_the_same_id(
        author: &Store,
        genuine: &OpEnvelope,
        record: Option<RecordId>,
    ) -> OpEnvelope {
        let (epoch, key) = author.keys.current();
        let mut op = genuine
            .open(author.keys.get(genuine.epoch()).unwrap())
            .unwrap();
        op.body.device_seq += 1_000;
        if let Some(record) = record {
            op.body.record = record;
        }
        op.body_bytes = zeroize::Zeroizing::new(postcard::to_allocvec(&op.body).unwrap());
        OpEnvelope::reseal(&op, epoch, key)
    }

    /// A healing group recorded on `author`: its id and the operation it sends.
    fn one_group(author: &mut Store) -> (RecordId, Vec<OpEnvelope>) {
        let group = RecordId::for_kind("group");
        author
            .write(vec![RecordEdit {
                record: group,
                kind: "group",
                create: true,
                edits: vec![Edit::Set("kind", Value::Text("healing-group".into()))],
            }])
            .unwrap();
        (group, author.missing_from(&Summary::default()).unwrap())
    }

    /// `own` (an operation of `squatter`'s own) signed again by it, genuinely, under `id`.
    fn squat(squatter: &Store, own: &OpEnvelope, id: OpId) -> OpEnvelope {
        use ed25519_dalek::Signer;
        let key = squatter.keys.get(own.epoch()).unwrap();
        let mut op = own.open(key).unwrap();
        op.id = id;
        op.sig = squatter.signer().sign(&op.signed_message()).to_bytes();
        OpEnvelope::reseal(&op, own.epoch(), key)
    }

    /// What is held aside as contested is read from the vault, not from the one report that
    /// said it: per pair of tablets (the logged copy's author, the kept-aside one's), how many
    /// and since when, whichever copy came first; gone from the answer once settled.
    #[test]
    fn what_is_held_aside_as_contested_is_read_from_the_vault_per_pair_of_tablets() {
        let team = [(1, EpochKey::Casework(SecretKey::random()))];
        let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
        let mut claudine = store(dirs[0].path(), &team);
        let mut thief = store(dirs[1].path(), &team);
        // What each author holds, after two groups each: two operations.
        one_group(&mut claudine);
        let (_, hers) = one_group(&mut claudine);
        assert_eq!(hers.len(), 2);
        one_group(&mut thief);
        let (_, own) = one_group(&mut thief);
        let squats: Vec<OpEnvelope> = own
            .iter()
            .zip(&hers)
            .map(|(o, h)| squat(&thief, o, h.op_id()))
            .collect();
        let (c, t) = (claudine.device, thief.device);

        // Hers first: the thief's copies wait aside; the report is dropped, the vault says it.
        let mut bosco = store(dirs[2].path(), &team);
        assert!(bosco.contested_pairs().unwrap().is_empty());
        bosco.apply_pulled(&hers, None, false).unwrap().report();
        let before = bosco.clock.now_ms();
        let _said_once = bosco.apply_pulled(&squats, None, false).unwrap().report();
        let pairs = bosco.contested_pairs().unwrap();
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!((pairs[0].logged_author, pairs[0].kept_aside_author), (c, t));
        assert_eq!(pairs[0].changes, 2);
        assert!(pairs[0].since_ms >= before && pairs[0].since_ms <= bosco.clock.now_ms());
        // A retry and a page pulled again change nothing of it.
        bosco.retry_parked().unwrap();
        bosco.apply_pulled(&squats, None, false).unwrap().report();
        assert_eq!(bosco.contested_pairs().unwrap(), pairs);

        // The thief's first: her copies wait aside, the pair the other way round.
        let mut jean = store(dirs[3].path(), &team);
        jean.apply_pulled(&squats, None, false).unwrap().report();
        jean.apply_pulled(&hers[..1], None, false).unwrap().report();
        let pairs = jean.contested_pairs().unwrap();
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].logged_author, pairs[0].kept_aside_author), (t, c));
        assert_eq!(pairs[0].changes, 1);

        // Settled (what a withdrawal does: the logged copy leaves the log): hers applies at
        // the retry and the answer is empty.
        jean.conn
            .execute(
                "DELETE FROM ops WHERE op_id = ?1",
                [hers[0].op_id().as_bytes()],
            )
            .unwrap();
        let retried = jean.retry_parked().unwrap();
        assert_eq!(retried.applied, 1, "{retried:?}");
        assert!(jean.contested_pairs().unwrap().is_empty());
    }

    /// A tablet whose clock runs a month ahead (or a month that really passed with no
    /// revocation) keeps the contested copies aside: only the parked envelopes that wait for a
    /// key or an author are set aside by age. Over the cap, those go before a contested copy.
    #[test]
    fn a_contested_copy_is_not_set_aside_by_time_and_goes_last_over_the_cap() {
        let team = [(1, EpochKey::Casework(SecretKey::random()))];
        let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
        let mut claudine = store(dirs[0].path(), &team);
        let mut thief = store(dirs[1].path(), &team);
        let (_, hers) = one_group(&mut claudine);
        let (_, own) = one_group(&mut thief);
        let squatted = squat(&thief, &own[0], hers[0].op_id());
        let mut bosco = store(dirs[2].path(), &team);
        bosco
            .apply_pulled(&[squatted], None, false)
            .unwrap()
            .report();
        bosco.apply_pulled(&hers, None, false).unwrap().report();
        assert_eq!(bosco.contested_pairs().unwrap().len(), 1);

        // Two months later by this tablet's clock, with an unreadable envelope parked too.
        let old = bosco.clock.now_ms() as i64 - 2 * PARKED_MAX_AGE_MS as i64;
        bosco
            .conn
            .execute(
                "INSERT INTO parked (op_id, envelope, parked_at_ms, held) VALUES (?1, x'00', ?2, 1)",
                rusqlite::params![&[9u8; 16][..], old],
            )
            .unwrap();
        bosco
            .conn
            .execute("UPDATE parked SET parked_at_ms = ?1", [old])
            .unwrap();
        bosco.retry_parked().unwrap();
        assert_eq!(
            bosco.parked_counts().unwrap(),
            (1, 1),
            "only the unreadable one went"
        );
        let pairs = bosco.contested_pairs().unwrap();
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].kept_aside_author, claudine.device);

        // A flood past the cap, all newer than her copy: they go, hers stays.
        {
            let tx = bosco.conn.transaction().unwrap();
            {
                let mut stmt = tx
                    .prepare(
                        "INSERT INTO parked (op_id, envelope, parked_at_ms, held) VALUES (?1, x'00', ?2, 1)",
                    )
                    .unwrap();
                for i in 0..MAX_PARKED as u32 {
                    let mut id = [0u8; 16];
                    id[..4].copy_from_slice(&i.to_be_bytes());
                    stmt.execute(rusqlite::params![&id[..], old + 1]).unwrap();
                }
            }
            trim_parked(&tx, old as u64).unwrap();
            tx.commit().unwrap();
        }
        assert_eq!(bosco.parked_counts().unwrap().0, MAX_PARKED as u64);
        assert_eq!(bosco.contested_pairs().unwrap().len(), 1, "hers is kept");
    }

    /// Garbage parked under an id (sealed under a key epoch this tablet lacks) before a
    /// squatter's copy was logged under it: the real operation, arriving last, takes the
    /// garbage's place in the parking and is said, not kept out.
    #[test]
    fn a_contested_copy_takes_the_place_of_garbage_parked_under_its_id() {
        let team = [(1, EpochKey::Casework(SecretKey::random()))];
        let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
        let mut author = store(dirs[0].path(), &team);
        let (_, genuine) = one_group(&mut author);
        let id = genuine[0].op_id();
        let squat = copy_under_the_same_id(&author, &genuine[0], Some(RecordId::for_kind("group")));
        let opened = genuine[0]
            .open(author.keys.get(genuine[0].epoch()).unwrap())
            .unwrap();
        let unknown = crate::crypto::AeadKey::new(&SecretKey::random());
        let garbage = OpEnvelope::seal(
            id,
            7,
            opened.body.clone(),
            author.signer(),
            &unknown,
            crate::op::PAD_MIN,
        )
        .0;

        let mut tablet = store(dirs[1].path(), &team);
        let first = tablet
            .apply_pulled(&[garbage], None, false)
            .unwrap()
            .report();
        assert_eq!(first.rejected.len(), 1);
        assert_eq!(tablet.parked_counts().unwrap().0, 1, "waits for its key");
        let squatted = tablet
            .apply_pulled(std::slice::from_ref(&squat), None, false)
            .unwrap()
            .report();
        assert_eq!(squatted.applied, 1);
        let real = tablet.apply_pulled(&genuine, None, false).unwrap().report();
        assert_eq!(
            real.contested.iter().map(|c| c.op_id).collect::<Vec<_>>(),
            [id],
            "{real:?}"
        );
        let retried = tablet.retry_parked().unwrap();
        assert!(retried.contested.is_empty());
        assert_eq!(
            tablet.parked_counts().unwrap().0,
            1,
            "the real one waits aside"
        );
        let parked: Vec<u8> = tablet
            .conn
            .query_row("SELECT envelope FROM parked", [], |r| r.get(0))
            .unwrap();
        assert_eq!(parked, genuine[0].to_bytes());
    }

    /// An operation that reuses a logged operation's id under a number its author has not
    /// used yet (the number alone would say it is new): not a duplicate, whichever page
    /// brings it, but kept aside and said once (ADR 0027); never an error that would stop
    /// every later sync, and no record is made for it.
    #[test]
    fn an_operation_reusing_a_logged_id_under_a_new_number_is_kept_aside_and_the_sync_goes_on() {
        let team = [(1, EpochKey::Casework(SecretKey::random()))];
        let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
        let mut author = store(dirs[0].path(), &team);
        let (group, genuine) = one_group(&mut author);
        assert_eq!(genuine.len(), 1);
        let id = genuine[0].op_id();
        let elsewhere = RecordId::for_kind("group");
        let same_record = copy_under_the_same_id(&author, &genuine[0], None);
        let other_record = copy_under_the_same_id(&author, &genuine[0], Some(elsewhere));
        let said = |r: &ApplyReport| {
            r.contested
                .iter()
                .map(|c| (c.op_id, c.logged_author, c.kept_aside_author))
                .collect::<Vec<_>>()
        };
        let me = author.device;

        // In a later page: kept aside and said the first time, kept aside quietly after.
        let mut later = store(dirs[1].path(), &team);
        let first = later.apply_remote(&genuine, None, false).unwrap().report();
        assert_eq!((first.applied, first.duplicates), (1, 0));
        let again = later
            .apply_remote(std::slice::from_ref(&same_record), None, false)
            .unwrap()
            .report();
        assert_eq!((again.applied, again.duplicates), (0, 0), "{again:?}");
        assert_eq!(said(&again), [(id, me, me)]);
        let again = later
            .apply_remote(std::slice::from_ref(&same_record), None, false)
            .unwrap()
            .report();
        assert_eq!((again.applied, again.duplicates), (0, 0), "{again:?}");
        assert!(again.contested.is_empty(), "said once: {again:?}");
        // Another copy under the id is news: it takes the parked one's place, and is said.
        let again = later
            .apply_remote(std::slice::from_ref(&other_record), None, false)
            .unwrap()
            .report();
        assert_eq!(said(&again), [(id, me, me)]);
        assert_eq!(later.parked_counts().unwrap().0, 1);
        let retried = later.retry_parked().unwrap();
        assert_eq!((retried.applied, retried.contested.len()), (0, 0));
        assert_eq!(later.parked_counts().unwrap().0, 1, "still kept aside");
        assert_eq!(later.record_ops(group).unwrap().len(), 1);
        assert!(
            later.state(elsewhere).unwrap().is_none(),
            "no record for it"
        );

        // The same copy again (a page pulled twice) is a duplicate.
        let genuine_again = later.apply_remote(&genuine, None, false).unwrap().report();
        assert_eq!(
            (genuine_again.duplicates, genuine_again.contested.len()),
            (1, 0)
        );
        // Kept aside past a month (or so a clock running ahead says): still kept, since it
        // may be the real one; time alone never drops it.
        later
            .conn
            .execute("UPDATE parked SET parked_at_ms = 0", [])
            .unwrap();
        later.retry_parked().unwrap();
        assert_eq!(later.parked_counts().unwrap(), (1, 0));

        // In the same page, after the genuine one.
        let mut same = store(dirs[2].path(), &team);
        let page = [genuine[0].clone(), other_record.clone()];
        let report = same.apply_remote(&page, None, false).unwrap().report();
        assert_eq!((report.applied, report.duplicates), (1, 0), "{report:?}");
        assert_eq!(said(&report), [(id, me, me)]);
        assert!(same.state(elsewhere).unwrap().is_none());
        assert!(same.state(group).unwrap().is_some());

        // Before the genuine one: the first logged under the id stands, the genuine one is
        // kept aside.
        let mut before = store(dirs[3].path(), &team);
        let page = [other_record, genuine[0].clone()];
        let report = before.apply_remote(&page, None, false).unwrap().report();
        assert_eq!((report.applied, report.duplicates), (1, 0), "{report:?}");
        assert_eq!(said(&report), [(id, me, me)]);
        assert!(before.state(group).unwrap().is_none());
        assert_eq!(before.parked_counts().unwrap().0, 1);
    }
}
