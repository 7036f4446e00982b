//! The replicas of one run and what happens to them: actions from the kinds' table, partial
//! deliveries while they work, time passing on their clocks, then every operation delivered
//! to every replica in random order and batches with duplicates, then the checks.
//!
//! The replicas are vaults of one team. In-memory ones share the team's keys and no server
//! ([`Fleet::new`]); enrolled ones ([`Fleet::enrolled`]) also sync through a real server, where
//! a revocation rotates the team key and a case can move to another team. Either way
//! operations move between replicas as they do by batch file (`Vault::ops_missing_from`,
//! `Vault::apply_ops`), and every merge, key and erasure rule of the core applies as on a
//! tablet.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use komora_core::{
    DeviceId, Error, OpEnvelope, OpId, RecordId, RejectReason, ReportOptions, TeamKeys, Vault,
};

use super::kinds::{by_name, ActionRef, Ctx, Outcome, Promise};
use super::model::{Change, Model};
use super::screens::{difference, screens};
use crate::{ManualClock, Rng, MORNING_MS};

/// How many actions did something, wrote nothing, were refused or had nothing to act on.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    pub wrote: u64,
    pub nothing: u64,
    pub refused: u64,
    pub skipped: u64,
}

pub struct Fleet {
    clocks: Vec<Arc<ManualClock>>,
    pub vaults: Vec<Vault>,
    devices: Vec<DeviceId>,
    /// Replicas out of play: a revoked tablet, lost with what it had not synced.
    lost: Vec<bool>,
    /// Operations the server holds (every operation a replica held when it synced).
    on_server: HashSet<OpId>,
    /// Whether a replica may refuse an operation sealed under a key epoch it has not received
    /// yet (after a rotation, until it syncs): it takes it from the server later.
    rotations: bool,
    pub model: Model,
    /// Per replica: every operation its log has held (a log forgets only an erased client's).
    known: Vec<HashSet<OpId>>,
    /// Per action of the table (by name), what happened to it in this run.
    pub tally: BTreeMap<String, Tally>,
}

impl Fleet {
    /// In-memory replicas of one team, one per clock offset.
    pub fn new(skews: &[u64]) -> Self {
        let team = TeamKeys::generate();
        let clocks: Vec<Arc<ManualClock>> = skews
            .iter()
            .map(|s| ManualClock::at(MORNING_MS + s))
            .collect();
        let vaults: Vec<Vault> = clocks
            .iter()
            .map(|c| Vault::ephemeral(&team, c.clone()).unwrap())
            .collect();
        Self::of(vaults, clocks, false)
    }

    /// Enrolled replicas of one team (each vault runs on its clock).
    pub fn enrolled(vaults: Vec<Vault>, clocks: Vec<Arc<ManualClock>>) -> Self {
        Self::of(vaults, clocks, true)
    }

    fn of(vaults: Vec<Vault>, clocks: Vec<Arc<ManualClock>>, rotations: bool) -> Self {
        let devices = vaults.iter().map(Vault::device_id).collect();
        let mut fleet = Self {
            known: vec![HashSet::new(); vaults.len()],
            lost: vec![false; vaults.len()],
            on_server: HashSet::new(),
            rotations,
            clocks,
            vaults,
            devices,
            model: Model::default(),
            tally: BTreeMap::new(),
        };
        for i in 0..fleet.vaults.len() {
            fleet.refresh_known(i);
        }
        fleet
    }

    /// The replicas in play.
    pub fn live(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.vaults.len()).filter(|i| !self.lost[*i])
    }

    /// What `at`'s log holds, after a delivery (merged operations, those kept waiting for
    /// their file's key included once merged).
    fn refresh_known(&mut self, at: usize) {
        let ops = self.vaults[at].all_ops().unwrap();
        self.known[at].extend(ops.iter().map(OpEnvelope::op_id));
    }

    /// `action` with the generator's picks, on the first tablet from `at` on that has
    /// something to act on (so deep files get written wherever they happen to be).
    pub fn act(
        &mut self,
        at: usize,
        action: ActionRef,
        picks: [u8; 3],
        value: u16,
    ) -> Result<(), String> {
        let n = self.vaults.len();
        for r in (at..n).chain(0..at) {
            if !self.lost[r] && !self.act_at(r, action, picks, value)? {
                return Ok(());
            }
        }
        self.tally.entry(format!("{action:?}")).or_default().skipped += 1;
        Ok(())
    }

    /// Returns whether the tablet had nothing to act on.
    fn act_at(
        &mut self,
        at: usize,
        action: ActionRef,
        picks: [u8; 3],
        value: u16,
    ) -> Result<bool, String> {
        let seen = Rc::new(self.known[at].clone());
        let held = self.model.records_of(&seen);
        let before = self.vaults[at].summary().unwrap();
        let outcome = {
            let mut ctx = Ctx {
                vault: &mut self.vaults[at],
                made: &self.model.made,
                devices: &self.devices,
                held: &held,
                picks,
                value,
            };
            (action.action().run)(&mut ctx)
        };
        if matches!(outcome, Outcome::Skipped) {
            return Ok(true);
        }
        let new: Vec<OpId> = self.vaults[at]
            .ops_missing_from(&before)
            .unwrap()
            .iter()
            .map(OpEnvelope::op_id)
            .collect();
        let tally = self.tally.entry(format!("{action:?}")).or_default();
        match outcome {
            Outcome::Skipped => unreachable!("returned above"),
            Outcome::Refused(e) => {
                tally.refused += 1;
                let typed = matches!(
                    e,
                    Error::Validation { .. }
                        | Error::ConsentWithdrawn { .. }
                        | Error::Objected { .. }
                        | Error::NotFound(_)
                        | Error::Forbidden(_)
                );
                if !typed {
                    return Err(format!("{action:?} at replica {at} failed: {e:?}"));
                }
                if !new.is_empty() {
                    return Err(format!("{action:?} was refused ({e}) and still wrote"));
                }
            }
            Outcome::Wrote(effects) => {
                if effects.is_empty() {
                    tally.nothing += 1;
                    if !new.is_empty() {
                        return Err(format!(
                            "{action:?} changed nothing and wrote {}",
                            new.len()
                        ));
                    }
                } else {
                    tally.wrote += 1;
                    // A new client of a team from format 5 on: its file's keys in an
                    // operation of their own, then its fields (ADR 0022). The keys change no
                    // field the screens show: the fields' operation carries the effects.
                    let new_client = effects.iter().any(
                        |e| matches!(e, super::kinds::Effect::Made(m) if m.file == Some(m.id)),
                    );
                    let keys_apart =
                        self.vaults[at].team_format().unwrap() >= komora_core::format::KEYS_APART;
                    let expected = if new_client && keys_apart { 2 } else { 1 };
                    if new.len() != expected {
                        return Err(format!(
                            "{action:?} wrote {} operations where {expected} were expected",
                            new.len()
                        ));
                    }
                    self.model.wrote(at, new[expected - 1], seen, effects);
                }
            }
            Outcome::Untracked => tally.wrote += 1,
        }
        self.known[at].extend(new);
        Ok(false)
    }

    /// Replica `to` receives what `from` holds and it lacks: everything, in `from`'s order,
    /// as a batch file brings it (`share` 0), or about `share` quarters of it, shuffled, with a
    /// few operations it already holds, in one to three batches.
    pub fn deliver(&mut self, from: usize, to: usize, share: u8, seed: u64) -> Result<(), String> {
        if from == to || self.lost[from] || self.lost[to] {
            return Ok(());
        }
        let missing = self.vaults[from]
            .ops_missing_from(&self.vaults[to].summary().unwrap())
            .unwrap();
        let mut rng = Rng::new(seed);
        let batches: Vec<Vec<OpEnvelope>> = if share == 0 {
            vec![missing]
        } else {
            let mut some: Vec<OpEnvelope> = missing
                .into_iter()
                .filter(|_| rng.below(4) < u64::from(share))
                .collect();
            let held = self.vaults[to].all_ops().unwrap();
            some.extend(held.into_iter().filter(|_| rng.below(8) == 0));
            rng.shuffle(&mut some);
            let cut = 1 + rng.below(3) as usize;
            let size = some.len().div_ceil(cut).max(1);
            some.chunks(size).map(<[OpEnvelope]>::to_vec).collect()
        };
        for batch in batches {
            let report = self.vaults[to]
                .apply_ops(&batch)
                .map_err(|e| format!("{e:?}"))?;
            let refused: Vec<_> = report
                .rejected
                .iter()
                .filter(|r| !self.excusable(r, true))
                .collect();
            if !refused.is_empty() {
                return Err(format!("replica {to} refused {refused:?}"));
            }
        }
        self.refresh_known(to);
        Ok(())
    }

    /// Whether a refusal is what the core must answer here: an operation sealed under a key
    /// epoch the receiver has not synced for yet (`midway`: before the last syncs); a lost
    /// tablet's work past its cutoff, relayed by a tablet that had not learnt it; a lost
    /// tablet's edit of a file erased since, which the administrator's tablet had dropped, so
    /// the cutoff signed at the revocation does not cover it (the work is gone with the file
    /// either way; reported as a finding).
    fn excusable(&self, r: &komora_core::Rejected, midway: bool) -> bool {
        match r.reason {
            RejectReason::UnknownKeyEpoch(_) => self.rotations && midway,
            RejectReason::RevokedAuthor(author) => {
                // A lost tablet's work it never synced (the model forgot it with the tablet),
                // handed on by a tablet that had it by batch file and had not learnt the
                // cutoff yet: every tablet that knows the cutoff refuses it (ADR 0013).
                let lost_author = self
                    .lost
                    .iter()
                    .enumerate()
                    .any(|(i, lost)| *lost && self.vaults[i].device_id() == author);
                if lost_author && !self.on_server.contains(&r.op_id) {
                    return true;
                }
                let records: HashSet<RecordId> = self
                    .model
                    .writes
                    .iter()
                    .filter(|w| w.op == r.op_id)
                    .map(|w| w.record)
                    .collect();
                !records.is_empty()
                    && self
                        .model
                        .made
                        .iter()
                        .filter(|m| records.contains(&m.id))
                        .all(|m| self.model.erased(m))
            }
            _ => false,
        }
    }

    /// Replica `at` syncs with its server (`sync` does it: push, pull, keys, device list; or
    /// revokes a device, which syncs first).
    pub fn sync(
        &mut self,
        at: usize,
        sync: impl FnOnce(&mut Vault) -> komora_core::Result<()>,
    ) -> Result<(), String> {
        if self.lost[at] {
            return Ok(());
        }
        sync(&mut self.vaults[at]).map_err(|e| format!("replica {at} could not sync: {e:?}"))?;
        self.refresh_known(at);
        let held = self.vaults[at].all_ops().unwrap();
        self.on_server.extend(held.iter().map(OpEnvelope::op_id));
        Ok(())
    }

    /// Replica `at` is out of play (revoked): what it wrote and never synced is lost with it.
    pub fn lose(&mut self, at: usize) {
        self.lost[at] = true;
        self.model.forget(at, &self.on_server);
    }

    /// Replica `at` erases the file of `client` (a case's move to another team ends so).
    pub fn erase(&mut self, at: usize, client: RecordId, reason: &str) -> Result<(), String> {
        let seen = Rc::new(self.known[at].clone());
        let before = self.vaults[at].summary().unwrap();
        let erasure = self.vaults[at]
            .erase_client(client, reason)
            .map_err(|e| format!("replica {at} could not erase: {e:?}"))?;
        let new: Vec<OpId> = self.vaults[at]
            .ops_missing_from(&before)
            .unwrap()
            .iter()
            .map(OpEnvelope::op_id)
            .collect();
        if new.len() != 1 {
            return Err(format!("an erasure wrote {} operations", new.len()));
        }
        self.model.wrote(
            at,
            new[0],
            seen,
            vec![
                super::kinds::Effect::Made(super::model::Made {
                    kind: "erasure",
                    id: erasure.id,
                    file: None,
                }),
                super::kinds::Effect::Erased(client),
            ],
        );
        self.known[at].extend(new);
        Ok(())
    }

    pub fn wait(&mut self, at: usize, ms: u64) {
        self.clocks[at].advance(ms);
    }

    /// Every replica receives every operation any replica holds: shuffled, a third of them
    /// twice, in random batches.
    pub fn deliver_everything(&mut self, seed: u64) -> Result<(), String> {
        let mut all: Vec<OpEnvelope> = Vec::new();
        let mut ids = HashSet::new();
        for i in self.live().collect::<Vec<_>>() {
            for env in self.vaults[i].all_ops().unwrap() {
                if ids.insert(env.op_id()) {
                    all.push(env);
                }
            }
        }
        let mut rng = Rng::new(seed);
        for i in 0..self.vaults.len() {
            if self.lost[i] {
                continue;
            }
            let mut delivery = all.clone();
            delivery.extend(all.iter().filter(|_| rng.below(3) == 0).cloned());
            rng.shuffle(&mut delivery);
            let mut rest = &delivery[..];
            while !rest.is_empty() {
                let n = 1 + rng.below(rest.len() as u64) as usize;
                let report = self.vaults[i]
                    .apply_ops(&rest[..n])
                    .map_err(|e| format!("{e:?}"))?;
                let refused: Vec<_> = report
                    .rejected
                    .iter()
                    .filter(|r| !self.excusable(r, false))
                    .collect();
                if !refused.is_empty() {
                    return Err(format!("replica {i} refused {refused:?}"));
                }
                rest = &rest[n..];
            }
        }
        Ok(())
    }

    /// After everything was delivered: every replica shows the same; what the oracle expects
    /// is shown; erased files are unreadable everywhere and in every log.
    /// `copies`: envelopes held elsewhere (a server's), which must open no erased file either.
    pub fn check(&mut self, copies: &[OpEnvelope]) -> Result<(), String> {
        // Everyone looks at the same instant (what is due today depends on it).
        let now = self
            .clocks
            .iter()
            .map(|c| komora_core::TimeSource::now_ms(&**c))
            .max()
            .unwrap();
        for c in &self.clocks {
            c.set(now);
        }
        // What each replica shows against the oracle first (the clearest message), then
        // replicas against each other.
        let live: Vec<usize> = self.live().collect();
        for &i in &live {
            self.check_model(i)
                .map_err(|e| format!("replica {i}: {e}"))?;
        }
        let first = screens(&self.vaults[live[0]], &self.model.made);
        for &i in &live[1..] {
            let other = screens(&self.vaults[i], &self.model.made);
            if other != first {
                return Err(format!(
                    "replica {i} shows something else than replica {}:\n{}",
                    live[0],
                    difference(&first, &other)
                ));
            }
        }
        self.check_erasures(copies)?;
        // The donors' figures: the same table everywhere (each tablet notes the report in its
        // own audit trail, after the comparison above).
        let mut tables = Vec::new();
        for (i, v) in self.vaults.iter_mut().enumerate() {
            if self.lost[i] {
                continue;
            }
            tables.push(format!(
                "{:#?}",
                v.report_table(&ReportOptions::default()).unwrap()
            ));
        }
        if let Some(i) = tables.iter().position(|t| *t != tables[0]) {
            let (a, b) = (&tables[0], &tables[i]);
            let lines: Vec<String> = a
                .lines()
                .zip(b.lines())
                .filter(|(x, y)| x != y)
                .map(|(x, y)| format!("  {} / {}", x.trim(), y.trim()))
                .collect();
            return Err(format!(
                "replica {} counts other figures than replica {}:\n{}",
                live[i],
                live[0],
                lines.join("\n")
            ));
        }
        Ok(())
    }

    fn check_model(&self, replica: usize) -> Result<(), String> {
        let v = &self.vaults[replica];
        for m in &self.model.made {
            let kind = by_name(m.kind);
            let shown = (kind.read)(v, m.id);
            let Some(shown) = shown else {
                if self.model.alive(m) {
                    return Err(format!("{} {} was lost: no replica shows it", m.kind, m.id));
                }
                continue;
            };
            if !self.model.alive(m) {
                return Err(format!(
                    "{} {} is shown though its client was {}",
                    m.kind,
                    m.id,
                    if self.model.erased(m) {
                        "erased"
                    } else {
                        "deleted"
                    }
                ));
            }
            for field in kind.fields {
                let name = field.name;
                match field.promise {
                    Promise::Register | Promise::RegisterUnflagged => {
                        if !self.model.registers(m.id, name) {
                            continue;
                        }
                        let frontier = self.model.frontier(m.id, name);
                        let values: Vec<&str> = frontier
                            .iter()
                            .map(|w| match &w.change {
                                Change::Set(v) => v.as_str(),
                                _ => unreachable!("a frontier holds register writes"),
                            })
                            .collect();
                        let on_screen = shown.value(name).unwrap_or_default();
                        if frontier.len() == 1 && on_screen != values[0] {
                            return Err(format!(
                                "{} {} shows {name} = {on_screen:?}, not {:?}, the write that saw every other",
                                m.kind, m.id, values[0]
                            ));
                        }
                        if !values.contains(&on_screen) {
                            return Err(format!(
                                "{} {} shows {name} = {on_screen:?}, none of the values that stand: {values:?}",
                                m.kind, m.id
                            ));
                        }
                        if field.promise == Promise::Register {
                            let flagged = shown
                                .conflicts
                                .as_ref()
                                .is_some_and(|c| c.iter().any(|f| f == name));
                            if flagged != (frontier.len() > 1) {
                                return Err(format!(
                                    "{} {} has {} concurrent values of {name} ({values:?}) and {} it",
                                    m.kind,
                                    m.id,
                                    frontier.len(),
                                    if flagged { "flags" } else { "does not flag" }
                                ));
                            }
                        }
                        if m.kind == "client" {
                            self.check_history(v, m.id, name, &frontier)?;
                        }
                    }
                    Promise::AddWins => {
                        let expected: BTreeSet<String> = self
                            .model
                            .elements(m.id, name)
                            .into_iter()
                            .filter(|e| !field.hidden.is_some_and(|hidden| hidden(v, e)))
                            .collect();
                        let on_screen: BTreeSet<String> = shown
                            .elements(name)
                            .unwrap_or_default()
                            .iter()
                            .cloned()
                            .collect();
                        if expected != on_screen {
                            return Err(format!(
                                "{} {} shows {name} = {on_screen:?}; the adds no removal saw make {expected:?}",
                                m.kind, m.id
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// A client's history lists every value that stands: the shown one as current, the
    /// others as concurrent.
    fn check_history(
        &self,
        v: &Vault,
        id: RecordId,
        field: &str,
        frontier: &[&super::model::Write],
    ) -> Result<(), String> {
        let history = v.client_history(id, field).unwrap();
        let standing: BTreeSet<OpId> = history
            .iter()
            .filter(|e| e.status != komora_core::EntryStatus::Replaced)
            .map(|e| e.op_id)
            .collect();
        let expected: BTreeSet<OpId> = frontier.iter().map(|w| w.op).collect();
        if standing != expected {
            return Err(format!(
                "client {id}'s history of {field} lists {} standing values where {} stand",
                standing.len(),
                expected.len()
            ));
        }
        Ok(())
    }

    fn check_erasures(&self, elsewhere: &[OpEnvelope]) -> Result<(), String> {
        let erased: BTreeSet<RecordId> = self.model.erased.keys().copied().collect();
        let live: Vec<usize> = self.live().collect();
        for &i in &live {
            let v = &self.vaults[i];
            let listed: BTreeSet<RecordId> =
                v.erasures().unwrap().iter().map(|e| e.client).collect();
            if listed != erased {
                return Err(format!(
                    "replica {i} lists the erasures of {} clients, {} were erased",
                    listed.len(),
                    erased.len()
                ));
            }
        }
        if erased.is_empty() {
            return Ok(());
        }
        // Someone holding the team's keys and a copy of every log, without the erasures, must
        // still read nothing of an erased file: no log kept the operation carrying its key.
        let keys = self.vaults[live[0]].team_keys();
        let mut thief = Vault::ephemeral(&keys, ManualClock::at(MORNING_MS)).unwrap();
        let mut ids = HashSet::new();
        let mut copies = Vec::new();
        let logs = live.iter().flat_map(|i| self.vaults[*i].all_ops().unwrap());
        for env in logs.chain(elsewhere.iter().cloned()) {
            if !self.model.erasure_ops.contains(&env.op_id()) && ids.insert(env.op_id()) {
                copies.push(env);
            }
        }
        thief.apply_ops(&copies).map_err(|e| format!("{e:?}"))?;
        for m in self.model.made.iter().filter(|m| self.model.erased(m)) {
            if (by_name(m.kind).read)(&thief, m.id).is_some() {
                return Err(format!(
                    "{} {} of an erased file opens from the copies of the logs",
                    m.kind, m.id
                ));
            }
        }
        Ok(())
    }
}
