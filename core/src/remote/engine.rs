//! The sync engine. Push what the server lacks (operations not yet acknowledged), then pull
//! what this device lacks (pages after the saved cursor). Every step is saved as it completes:
//! a connection cut at any point loses nothing and the next sync carries on from there.

use std::time::Instant;

use komora_protocol::{ErrorCode, Id16, OpMeta, Priority, PullAsk, PushBatchV2, Role};

use super::keys::refresh_team_keys;
use super::members::{refetch_roster, refresh_roster};
use super::pace::Pacer;
use super::passes::Phase;
use super::transport::{Transport, TransportError};
use super::{Held, Session, SyncOptions, VaultCell};
use crate::error::{Error, Result};
use crate::ids::DeviceId;
use crate::op::OpEnvelope;
use crate::store::{Applied, Rejected};
use crate::vault::Vault;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncPhase {
    Pushing,
    Pulling,
    Done,
}

/// Progress for a screen: counts and bytes so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub sent_ops: u64,
    pub sent_bytes: u64,
    pub received_ops: u64,
    pub received_bytes: u64,
    /// Local operations still waiting to be pushed.
    pub waiting: u64,
    /// About how many operations this sync receives in all, when it reads a long stretch in
    /// two passes (a first sync, or back after long away: ADR 0025), from the server's last
    /// number; 0 when it is not known (a sync with little to read).
    pub expected: u64,
}

/// What one sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub sent_ops: u64,
    pub sent_bytes: u64,
    pub received_ops: u64,
    pub received_bytes: u64,
    /// Received operations that were new here and are now merged.
    pub applied: u64,
    /// Received operations refused (tampered, unknown key epoch): nothing of them applied.
    pub rejected: Vec<Rejected>,
    /// Devices whose clocks run ahead (see `hlc.rs`).
    pub clock_ahead: Vec<DeviceId>,
    /// The server's stream had been rolled back (restored, rebuilt): this sync brought it
    /// level (issue 17).
    pub reconciled: bool,
    /// Operations the server had lost, marked to be sent back by this sync.
    pub sent_back: u64,
    /// Received operations kept aside because their id is held here as another author's
    /// operation (a stolen tablet's squat, or the real one it squatted): said once, at the
    /// sync that first kept each aside (ADR 0027).
    pub contested: Vec<crate::store::Contested>,
}

/// The line a screen shows: last successful sync and what waits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncStatus {
    pub device_id: DeviceId,
    pub role: Option<Role>,
    pub team_name: Option<String>,
    pub server_url: Option<String>,
    pub last_sync_ms: Option<u64>,
    pub pending: u64,
    /// Received operations waiting for a key, an author or a file key this tablet does not
    /// hold yet (normally none between syncs), and contested copies held aside (those,
    /// [`Vault::contested`] names by their tablets).
    pub parked: u64,
    /// Received operations set aside unread since the vault was made: they waited over a
    /// month, or a flood went over the cap. Not zero: tell the administrator.
    pub set_aside: u64,
    /// This tablet was handed back: it records nothing new.
    pub handed_back: bool,
    /// Session notes the server holds for this tablet that have not arrived yet: a first sync
    /// brings what the screens need first (ADR 0025). Zero once they are all here.
    pub notes_arriving: u64,
}

impl Vault {
    /// Push, then pull, until both sides hold the same operations.
    pub fn sync(
        &mut self,
        transport: &mut dyn Transport,
        opts: &SyncOptions,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> Result<SyncReport> {
        sync_shared(&Held::new(self), transport, opts, progress)
    }

    /// Last successful sync and operations waiting; works offline.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let settings = self.sync_settings().ok();
        let (parked, set_aside) = self.sync_store().parked_counts()?;
        let last = self.sync_store().last_sync_ms()?;
        Ok(SyncStatus {
            device_id: self.device_id(),
            role: settings.as_ref().map(|s| s.role),
            team_name: settings.as_ref().map(|s| s.team_name.clone()),
            server_url: settings.map(|s| s.server_url),
            last_sync_ms: last,
            pending: self.sync_store().pending()?,
            parked,
            set_aside,
            handed_back: self.handed_back()?,
            notes_arriving: self.notes_still_arriving()?,
        })
    }

    /// The contested copies this tablet holds aside now, per pair of tablets, oldest first
    /// (ADR 0027): two tablets of the team signed operations under the same ids, and one's
    /// wait aside. Read from the vault, so a sync that failed after keeping them aside (its
    /// one-time [`SyncReport::contested`] lost) hides nothing; empty once they are settled.
    pub fn contested(&self) -> Result<Vec<crate::store::ContestedPair>> {
        self.sync_store().contested_pairs()
    }
}

/// A push or pull call paced by `pace`: after a network failure the pacer halves its budget
/// before the next attempt (`f` is told it is a retry, with the new budget); returns the
/// answer and how long the attempt that got it took.
fn paced_call<C: VaultCell, T>(
    session: &mut Session<'_>,
    cell: &C,
    pace: &mut Pacer,
    mut f: impl FnMut(&mut dyn Transport, &str, usize, bool) -> Result<T, TransportError>,
) -> Result<(T, std::time::Duration)> {
    let mut failed = false;
    let mut started = Instant::now();
    let answer = session.call(cell, |t, token| {
        let retry = std::mem::take(&mut failed);
        if retry {
            pace.failed();
        }
        started = Instant::now();
        let answer = f(t, token, pace.budget(), retry);
        failed = matches!(answer, Err(TransportError::Network(_)));
        answer
    })?;
    Ok((answer, started.elapsed()))
}

/// [`Vault::sync`] for a vault that others use meanwhile (the app's screens): the vault is
/// taken from `cell` for each step and let go during every network call, so a search typed
/// during a sync over 2G answers at once, and a lock stops the sync at its next step
/// (`Error::Locked`), with everything done so far saved. Progress is reported with the vault
/// let go: the listener may read it.
///
/// A server that answers "revoked" stops the sync and changes nothing, unless the team's signed
/// device list proves the revocation: then the vault is erased here, keys first, and the
/// answer is `Error::Revoked` (ADR 0013).
pub fn sync_shared<C: VaultCell>(
    cell: &C,
    transport: &mut dyn Transport,
    opts: &SyncOptions,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<SyncReport> {
    let answer = sync_steps(cell, transport, opts, progress);
    // Whatever became of the sync, the server's date tells a tablet whose clock fell back.
    if let Some(ms) = transport.server_time_ms() {
        let _ = cell.with(|v| v.note_server_time(ms));
    }
    super::revocation::end_if_revoked_in(cell, answer)
}

fn sync_steps<C: VaultCell>(
    cell: &C,
    transport: &mut dyn Transport,
    opts: &SyncOptions,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<SyncReport> {
    cell.with(|v| v.sync_settings().map(|_| ()))?;
    let mut session = Session::new(transport, opts.clone());
    // A token an earlier sync kept (`kept_login.rs`): no login, what it would say comes on the
    // first pull page. Only for a vault that has finished a pull: one that has not takes the
    // stream's generation from its login, before it pushes anything (below).
    let kept = cell.with(|v| {
        if v.sync_store().server_generation()?.is_empty() {
            return Ok(None);
        }
        v.kept_login()
    })?;
    if let Some(k) = &kept {
        session.resume(&k.token, k.reported.clone());
    }
    drop(kept);
    let mut report = SyncReport::default();
    // How many operations a long stretch brings in all, about: set once its first page says
    // where the stream ends (below).
    let expected = std::cell::Cell::new(0u64);
    // A tablet handed back still sends what it holds and receives (so its revocation can
    // reach it); it records nothing new, which `Store::write` refuses.
    let mut tell = |phase, r: &SyncReport| -> Result<()> {
        let waiting = cell.with(|v| v.sync_store().pending())?;
        progress(&SyncProgress {
            phase,
            sent_ops: r.sent_ops,
            sent_bytes: r.sent_bytes,
            received_ops: r.received_ops,
            received_bytes: r.received_bytes,
            waiting,
            expected: match expected.get() {
                0 => 0,
                known => known.max(r.received_ops),
            },
        });
        Ok(())
    };
    tell(SyncPhase::Pushing, &report)?;
    if !session.resumed() {
        session.login_if_needed(cell)?;
        keep_new_login(cell, &mut session)?;
        settle(cell, &mut session, &mut report)?;
    }
    // An administrator may have signed the server's next key (a rollover announced ahead).
    cell.with(|v| v.adopt_signed_pins().map(drop))?;

    // The last push batch asks for the first pull page too: a sync with little to send makes
    // one round trip where it made two.
    let mut first_page = match push_all(cell, &mut session, opts, &mut report, &mut tell, true) {
        // Refused by a server that stands elsewhere than this tablet believes (restored to a
        // time before the team's key rotated, say): learn what a login says, bring it level,
        // and send again.
        Err(Error::Server(_) | Error::Forbidden(_)) if session.resumed() => {
            session.forget_token();
            session.login_if_needed(cell)?;
            keep_new_login(cell, &mut session)?;
            settle(cell, &mut session, &mut report)?;
            push_all(cell, &mut session, opts, &mut report, &mut tell, true)?
        }
        other => other?,
    };
    keep_new_login(cell, &mut session)?;
    ask_for_erasures(cell, &mut session)?;

    // The team writes a format this app cannot read: what it held is sent; read nothing it
    // could not open, and say to update the app (ADR 0016).
    if !session.resumed() && cell.with(|v| Ok(v.team_format()? > v.app_format()))? {
        return Err(Error::UpdateRequired);
    }

    tell(SyncPhase::Pulling, &report)?;
    let mut pull_pace = Pacer::new(opts.pull_page_bytes as usize, opts.request_target);
    let mut reconciliations = 0;
    // A session that kept its token has not heard what a login says: the first page says it.
    let mut standing_due = session.resumed();
    // Far behind (a first sync, or back after long away): two passes over the stretch, what
    // the screens need first, then the long text (ADR 0025). Known only from a login (a
    // token kept from a sync minutes ago is never far behind).
    cell.with(|v| {
        let cursor = v.sync_store().pull_cursor()?;
        if v.passes()?.is_none()
            && !session.resumed()
            && session.head.saturating_sub(cursor) > super::passes::FAR_BEHIND
        {
            let begun = super::passes::Passes::begin(cursor, v.sync_store().pull_anchor()?);
            v.save_passes(Some(&begun))?;
        }
        Ok(())
    })?;
    loop {
        let (cursor, anchor, passes) = cell.with(|v| {
            Ok((
                v.sync_store().pull_cursor()?,
                v.sync_store().pull_anchor()?,
                v.passes()?,
            ))
        })?;
        let at = anchor.map(|a| komora_protocol::Id16(*a.as_bytes()));
        // The page the last push brought holds every class: in two passes, ask again.
        if passes.is_some() {
            first_page = None;
        }
        // Where this page starts, which class it holds and how far it may read.
        let (after, at, class, upto) = match &passes {
            None => (cursor, at, None, None),
            Some(p) if p.phase == Phase::Screens => {
                (cursor, at, Some(Priority::Screens as u8), None)
            }
            Some(p) => (
                p.at,
                p.at_op.map(Id16),
                Some(Priority::LongText as u8),
                Some(p.to),
            ),
        };
        let page = match first_page.take() {
            // Asked with the last push, at this same cursor (nothing moved it since).
            Some(page) => page,
            None => {
                let (page, took) =
                    paced_call(&mut session, cell, &mut pull_pace, |t, token, budget, _| {
                        let ask = PullAsk {
                            after,
                            max_bytes: u32::try_from(budget).unwrap_or(u32::MAX),
                            at,
                            standing: standing_due,
                            class,
                            upto,
                        };
                        t.pull_asking(token, &ask)
                    })?;
                pull_pace.succeeded(page.envelopes.iter().map(Vec::len).sum(), took);
                page
            }
        };
        keep_new_login(cell, &mut session)?;
        // A page of every class where one class was asked (a transport on the way that does
        // not pass the class on): no two passes through it. Drop the stretch and read on
        // from the cursor, every class; the first pass skipped nothing before it.
        if passes.is_some() && page.class != class {
            cell.with(|v| v.save_passes(None))?;
            continue;
        }
        if std::mem::take(&mut standing_due) {
            match page.standing.clone() {
                Some(standing) => session.adopt_standing(&page, standing),
                // A server (or a transport on the way) that cannot say it: log in and learn
                // it as before; this page is asked for again.
                None => {
                    session.forget_token();
                    session.login_if_needed(cell)?;
                    keep_new_login(cell, &mut session)?;
                }
            }
            // What a sync that logged in checks before it pushes: a rotation, a new device,
            // a stream rolled back, erasures lost. Its own work went out just before, which
            // changes none of it (a reconciliation sends again whatever the server lacks).
            let reconciled = settle(cell, &mut session, &mut report)?;
            if reconciled || page.standing.is_none() {
                reconciliations += usize::from(reconciled);
                push_all(cell, &mut session, opts, &mut report, &mut tell, false)?;
                ask_for_erasures(cell, &mut session)?;
                continue;
            }
            ask_for_erasures(cell, &mut session)?;
            if cell.with(|v| Ok(v.team_format()? > v.app_format()))? {
                return Err(Error::UpdateRequired);
            }
        }
        let other_generation = cell.with(|v| {
            let known = v.sync_store().server_generation()?;
            Ok(page.generation != [0; 16] && !known.is_empty() && known != page.generation)
        })?;
        if page.rewound || other_generation {
            // The stream no longer holds what this device read (rolled back under its feet,
            // or restored since the login): bring it level, send, then pull from where the
            // reconciliation says. Twice at most in one sync.
            if reconciliations >= 2 {
                return Err(Error::Server(
                    "the server's stream keeps changing under this sync: try again later".into(),
                ));
            }
            reconciliations += 1;
            report.sent_back += reconcile(cell, &mut session)? as u64;
            report.reconciled = true;
            push_all(cell, &mut session, opts, &mut report, &mut tell, false)?;
            ask_for_erasures(cell, &mut session)?;
            continue;
        }
        let mut envelopes = Vec::with_capacity(page.envelopes.len());
        let mut refused = Vec::new();
        for raw in &page.envelopes {
            report.received_bytes += raw.len() as u64;
            match OpEnvelope::from_bytes(raw) {
                Ok(env) => envelopes.push(env),
                Err(_) => refused.push(Rejected {
                    op_id: crate::ids::OpId::from_bytes(
                        komora_protocol::envelope::claimed_op_id(raw).unwrap_or([0; 16]),
                    ),
                    reason: crate::store::RejectReason::Corrupted,
                }),
            }
        }
        // Sealed under a key this device does not hold yet: a rotation it has not heard
        // of. Fetch the key before applying, so nothing is skipped.
        let unknown_epoch = cell.with(|v| {
            Ok(envelopes
                .iter()
                .any(|env| !v.sync_store().holds_epoch(env.epoch())))
        })?;
        if unknown_epoch {
            refresh_team_keys(cell, &mut session, true)?;
        }
        // How much a long stretch brings in all, about: what came, what the stream holds
        // past this page's start (less what this sync sent into it itself), and the notes
        // the first pass stepped over so far. Erased operations leave gaps: "about".
        if let (Some(p), 0) = (&passes, expected.get()) {
            let rest = match p.phase {
                Phase::Screens => page
                    .head
                    .saturating_sub(after)
                    .saturating_sub(report.sent_ops),
                Phase::LongText => 0,
            };
            // Saturating: the head is the server's word, and a lying server's must not
            // overflow the sum (a count on a screen, nothing decided from it).
            expected.set(
                report
                    .received_ops
                    .saturating_add(rest)
                    .saturating_add(p.waiting),
            );
        }
        let at_next = page.next_op.map(|o| crate::ids::OpId::from_bytes(o.0));
        // The first pass moves the cursor, having widened its stretch first (a cut between
        // the two leaves the stretch wider, never a gap); the second moves only its own place
        // in the stretch, after it applied the page.
        let cursor = match &passes {
            Some(p) if p.phase == Phase::LongText => None,
            Some(p) => {
                let mut widened = p.clone();
                widened.to = widened.to.max(page.next);
                widened.count_deferred(after, page.deferred);
                cell.with(|v| v.save_passes(Some(&widened)))?;
                Some((page.next, at_next))
            }
            None => Some((page.next, at_next)),
        };
        // An author this device does not know: a tablet enrolled since the list was fetched.
        // Fetch it and apply again; only then is an unknown author refused.
        let first = cell.with(|v| v.sync_store_mut().apply_page(&envelopes, cursor, true))?;
        let applied = match first {
            Applied::Done(applied) => applied,
            Applied::AuthorsUnknown => {
                refresh_roster(cell, &mut session, true)?;
                let applied = cell
                    .with(|v| v.sync_store_mut().apply_page(&envelopes, cursor, false))?
                    .report();
                if applied
                    .rejected
                    .iter()
                    .any(|r| matches!(r.reason, crate::store::RejectReason::UnknownAuthor(_)))
                {
                    // Still unknown: the held list may hold a damaged copy of the statement
                    // that admits the author. Fetch it whole; the parked operations are
                    // tried again at the end of this sync.
                    refetch_roster(cell, &mut session)?;
                }
                applied
            }
        };
        refused.extend(applied.rejected);
        report.contested.extend(applied.contested);
        cell.with(|v| v.note_refused(&refused))?;
        report.received_ops += page.envelopes.len() as u64;
        report.applied += applied.applied as u64;
        report.rejected.extend(refused);
        for d in applied.clock_ahead {
            if !report.clock_ahead.contains(&d) {
                report.clock_ahead.push(d);
            }
        }
        tell(SyncPhase::Pulling, &report)?;
        if let Some(mut p) = cell.with(|v| v.passes())? {
            match p.phase {
                Phase::Screens if !page.more => {
                    // What the screens need is here: the long text of the stretch next.
                    p.phase = Phase::LongText;
                    cell.with(|v| v.save_passes(Some(&p)))?;
                }
                Phase::Screens => {}
                Phase::LongText => {
                    p.at = page.next;
                    p.at_op = page.next_op.map(|o| o.0);
                    p.waiting = p.waiting.saturating_sub(page.envelopes.len() as u64);
                    // The stretch is read whole: on from the cursor, every class again.
                    let done = !page.more;
                    cell.with(|v| v.save_passes((!done).then_some(&p)))?;
                }
            }
            continue;
        }
        if !page.more {
            if page.generation != [0; 16] {
                cell.with(|v| v.sync_store_mut().set_server_generation(&page.generation))?;
            }
            break;
        }
    }

    // Operations parked earlier because their key or author was unknown: the keys and the
    // list are as fresh as this sync could make them, so try them again.
    let retried = cell.with(|v| v.sync_store_mut().retry_parked())?;
    report.applied += retried.applied as u64;
    report.contested.extend(retried.contested);
    // What a cutoff learnt by this sync took back out of the log: refused, like the rest.
    report
        .rejected
        .extend(cell.with(|v| Ok(v.sync_store_mut().take_withdrawn()))?);

    cell.with(|v| {
        // A client file erased by this sync: empty the write-ahead log of its old pages.
        v.settle_erasures()?;
        // An administrator's new wipe rule takes effect on this tablet now.
        v.apply_team_policy()?;
        let now = v.now_ms();
        v.sync_store_mut().set_last_sync_ms(now)
    })?;
    report_standing(cell, &mut session);
    keep_new_login(cell, &mut session)?;
    // What was reported goes with the kept token: the next sync reports only a change.
    if let Some(token) = session.token() {
        let (token, reported) = (token.to_owned(), session.reported.clone());
        cell.with(|v| match v.kept_login()? {
            Some(k) if k.token == token => v.keep_login(&token, k.expires_ms, reported),
            _ => Ok(()),
        })?;
    }
    tell(SyncPhase::Done, &report)?;
    Ok(report)
}

/// What a login says, checked before anything is read (issue 17): a rotated team key (what
/// waits is re-sealed under it), a longer device list (new devices' operations can then be
/// checked), and a server stream that lost work (restored, rebuilt, rolled back): then bring
/// it level. Returns whether it reconciled.
fn settle<C: VaultCell>(
    cell: &C,
    session: &mut Session<'_>,
    report: &mut SyncReport,
) -> Result<bool> {
    refresh_team_keys(cell, session, false)?;
    refresh_roster(cell, session, false)?;
    bring_own_back(cell, session, report)?;
    // A server restored from a backup or rebuilt (another generation), or rolled back by a
    // copied file (this device's cursor beyond its stream): bring it level first (issue 17).
    let rolled_back = cell.with(|v| {
        let known = v.sync_store().server_generation()?;
        let cursor = v.sync_store().pull_cursor()?;
        let other_generation =
            !known.is_empty() && !session.generation.is_empty() && known != session.generation;
        let behind = cursor > session.head && !session.generation.is_empty();
        // The server lost some of this device's own work it had stored (a copied file put
        // back: same generation, the stream refilled by others).
        let lost_own = v.sync_store().acknowledged_but_missing(&session.own)?;
        Ok(other_generation || behind || lost_own)
    })?;
    // A device that has not finished a pull yet knows no generation: it takes the one it
    // first logs in to, before pushing anything. Else a restore in the middle of its first
    // sync goes unnoticed, and the work it pushed to the lost store stays marked sent.
    cell.with(|v| {
        if v.sync_store().server_generation()?.is_empty() && !session.generation.is_empty() {
            v.sync_store_mut()
                .set_server_generation(&session.generation)?;
        }
        Ok(())
    })?;
    if rolled_back {
        report.sent_back += reconcile(cell, session)? as u64;
        report.reconciled = true;
    } else if !session.generation.is_empty() {
        // Deletions this device asked for that the server no longer remembers (a copied
        // backup put back): ask again. The server counts each once, whoever asks again.
        cell.with(|v| {
            if v.sync_store().own_erasures_done()? > session.erased_for_me {
                v.sync_store_mut().requeue_own_erasures()?;
            }
            Ok(())
        })?;
    }
    Ok(rolled_back)
}

/// A tablet put back from an old copy of itself (ADR 0032): the server holds numbers of its
/// own at or above the next one it would give. Ask for its own operations back (what it did
/// after the copy comes back to its screens), then number anew what waits under a number one
/// of them holds, before anything is pushed. A server that does not serve them: the next
/// number is raised above what it says it holds, and nothing is renumbered (a waiting
/// operation under a number the server holds may be that very operation, pushed after the
/// copy was taken).
fn bring_own_back<C: VaultCell>(
    cell: &C,
    session: &mut Session<'_>,
    report: &mut SyncReport,
) -> Result<()> {
    let mut own = session.own.clone();
    let Some(mut missing) = cell.with(|v| v.sync_store().put_back(&own))? else {
        return Ok(());
    };
    if !session.logged_in() {
        // A token kept from before: whether the server serves a device its own operations
        // is said at a login. Log in (this is rare: a copy put back within the token's
        // quarter of an hour).
        session.forget_token();
        session.login_if_needed(cell)?;
        keep_new_login(cell, session)?;
        own = session.own.clone();
        match cell.with(|v| v.sync_store().put_back(&own))? {
            Some(again) => missing = again,
            None => return Ok(()),
        }
    }
    let max_bytes = session.page_bytes().min(1024 * 1024);
    // One chain of requests a sync, whatever a server claims: at most so many ranges, merged
    // if there are more (asking for numbers already held costs bytes, never work: what comes
    // back twice is a duplicate).
    let numbers = merged(&missing, komora_protocol::MAX_OWN_RANGES);
    let mut after = 0;
    while session.serves_own && !numbers.is_empty() {
        let page = match session.call(cell, |t, token| {
            t.pull_own(token, &numbers, after, max_bytes)
        }) {
            Ok(page) => page,
            // Refused (a transport on the way that does not carry it): as a server from
            // before. The sync goes on; what waits is numbered anew all the same.
            Err(Error::Server(_) | Error::Forbidden(_)) => break,
            Err(e) => return Err(e),
        };
        let mut envelopes = Vec::with_capacity(page.envelopes.len());
        for raw in &page.envelopes {
            report.received_bytes += raw.len() as u64;
            // A damaged copy is left out: what waits under its number is numbered anew.
            if let Ok(env) = OpEnvelope::from_bytes(raw) {
                envelopes.push(env);
            }
        }
        let applied = cell
            .with(|v| v.sync_store_mut().apply_page(&envelopes, None, false))?
            .report();
        report.received_ops += page.envelopes.len() as u64;
        report.applied += applied.applied as u64;
        report.rejected.extend(applied.rejected);
        report.contested.extend(applied.contested);
        // A page with nothing in it ends it (a lying server's "more" of empty pages).
        if !page.more || page.envelopes.is_empty() || page.next <= after {
            break;
        }
        after = page.next;
    }
    // Whatever came back: every waiting operation under a number the server holds is
    // numbered anew, so no push of it is refused again.
    cell.with(|v| v.sync_store_mut().renumber_taken(&own))?;
    Ok(())
}

/// `ranges` as at most `max` ranges, neighbours merged (covering the numbers between them).
fn merged(ranges: &[(u64, u64)], max: usize) -> Vec<(u64, u64)> {
    if ranges.len() <= max {
        return ranges.to_vec();
    }
    let per = ranges.len().div_ceil(max);
    ranges
        .chunks(per)
        .map(|c| (c[0].0, c[c.len() - 1].1))
        .collect()
}

/// Keep in the vault a token this session just logged in for, for the next syncs within its
/// validity (`kept_login.rs`); nothing if it did not log in.
fn keep_new_login<C: VaultCell>(cell: &C, session: &mut Session<'_>) -> Result<()> {
    let Some((token, valid_s)) = session.take_new_login() else {
        return Ok(());
    };
    let reported = session.reported.clone();
    cell.with(|v| {
        let expires = v.now_ms().saturating_add(valid_s.saturating_mul(1000));
        v.keep_login(&token, expires, reported)
    })
}

/// Tell the server how this device stands now the sync is done, if that differs from what it
/// said at login (what waited has gone, what was unread was read): otherwise the fleet view
/// would show work waiting that was sent. One small request, only when it says something;
/// best effort (the next login says it anyway).
fn report_standing<C: VaultCell>(cell: &C, session: &mut Session<'_>) {
    let Ok(Some(now)) = cell.with(|v| Ok(super::Signer::report(&*v))) else {
        return;
    };
    let said = session.reported.as_ref();
    // Everything but the time of the last sync: an updated app (version, protocol, the
    // formats it reads) is news for the administrator too.
    let same = said.is_some_and(|r| {
        r.pending == now.pending
            && r.parked == now.parked
            && r.set_aside == now.set_aside
            && r.app_version == now.app_version
            && r.protocol == now.protocol
            && r.format == now.format
    });
    if same || said.is_none() {
        return;
    }
    if session.call(cell, |t, token| t.report(token, &now)).is_ok() {
        session.reported = Some(now);
    }
}

/// Push every operation the server does not hold, in batches sized to the link: this device's
/// own, and after a reconciliation those it received from others that the server lost, each
/// with its author and number.
fn push_all<C: VaultCell>(
    cell: &C,
    session: &mut Session<'_>,
    opts: &SyncOptions,
    report: &mut SyncReport,
    tell: &mut dyn FnMut(SyncPhase, &SyncReport) -> Result<()>,
    ask_first_page: bool,
) -> Result<Option<komora_protocol::PullPage>> {
    let me = cell.with(|v| Ok(v.device_id()))?;
    let mut page = None;
    let mut stale_retries = 0;
    let mut push_pace = Pacer::new(opts.push_batch_bytes, opts.request_target);
    loop {
        let budget = push_pace.budget();
        let batch = cell.with(|v| v.sync_store().unsynced(opts.push_batch_ops, budget))?;
        if batch.is_empty() {
            return Ok(page);
        }
        // The last batch (all that waits fits in it) asks for the first pull page with its
        // answer; what the server says of this device then counts this batch too.
        let then_pull =
            if ask_first_page && batch.len() as u64 >= cell.with(|v| v.sync_store().pending())? {
                let (cursor, anchor) = cell
                    .with(|v| Ok((v.sync_store().pull_cursor()?, v.sync_store().pull_anchor()?)))?;
                Some(PullAsk {
                    after: cursor,
                    max_bytes: opts.pull_page_bytes.min(1024 * 1024),
                    at: anchor.map(|a| Id16(*a.as_bytes())),
                    standing: session.resumed(),
                    class: None,
                    upto: None,
                })
            } else {
                None
            };
        let seqs: Vec<i64> = batch.iter().map(|u| u.seq).collect();
        // Each envelope's coarse priority class, in the clear (ADR 0025).
        let priority = cell.with(|v| {
            let floor = v.push_floor()?;
            Ok(batch
                .iter()
                .map(|u| v.priority_of(u.record, u.envelope.len(), floor) as u8)
                .collect::<Vec<u8>>())
        })?;
        let mut body = PushBatchV2 {
            meta: batch
                .iter()
                .map(|u| OpMeta {
                    author: (u.author != me).then(|| Id16(*u.author.as_bytes())),
                    seq: u.number,
                })
                .collect(),
            envelopes: batch.into_iter().map(|u| u.envelope).collect(),
            then_pull,
            priority,
        };
        // A batch cut or timed out on the way is sent again in halves: on a link slower than
        // measured, the whole batch might never arrive.
        let pushed = paced_call(session, cell, &mut push_pace, |t, token, _, retry| {
            if retry {
                let half = (body.envelopes.len() / 2).max(1);
                body.envelopes.truncate(half);
                body.meta.truncate(half);
                body.priority.truncate(half);
            }
            match t.push(token, &body) {
                // Sealed under a key epoch the team has left: the engine's to handle, never
                // an error a person reads (issue 19, item 4).
                Err(TransportError::Rejected {
                    code: ErrorCode::StaleEpoch,
                    ..
                }) => Ok(None),
                other => other.map(Some),
            }
        });
        let took = match pushed {
            Ok((Some(answer), took)) => {
                // A batch cut in halves on a retry is not the last any more: its page, if
                // any, is dropped (the pull asks again).
                page = answer.page.filter(|_| body.envelopes.len() == seqs.len());
                took
            }
            // The key rotated during this sync: fetch it, re-seal, push again.
            Ok((None, _)) if stale_retries < 3 => {
                stale_retries += 1;
                refresh_team_keys(cell, session, true)?;
                cell.with(|v| v.sync_store_mut().reseal_unsynced())?;
                continue;
            }
            // Rotated again and again while this tablet pushed: the next sync carries on.
            Ok((None, _)) => {
                return Err(Error::Network(
                    "the team key changed during the sync: sync again".into(),
                ))
            }
            Err(e) => return Err(e),
        };
        let sent = &seqs[..body.envelopes.len()];
        let bytes: usize = body.envelopes.iter().map(Vec::len).sum();
        push_pace.succeeded(bytes, took);
        // The server holds them now (a retried push is deduplicated by op id).
        cell.with(|v| v.sync_store_mut().mark_synced(sent))?;
        report.sent_ops += sent.len() as u64;
        report.sent_bytes += bytes as u64;
        tell(SyncPhase::Pushing, report)?;
    }
}

/// Erased client files: the server deletes the operations that carried their keys. The
/// tablet that wrote the erasure asks, signing each request (it pushed the erasure just
/// before); other tablets leave it to that one.
fn ask_for_erasures<C: VaultCell>(cell: &C, session: &mut Session<'_>) -> Result<()> {
    let (mine, others) = cell.with(|v| v.sync_store().pending_erasures())?;
    cell.with(|v| v.sync_store_mut().clear_pending_erasures(&others))?;
    if mine.is_empty() {
        return Ok(());
    }
    let (role, team) = cell.with(|v| v.sync_settings().map(|s| (s.role, s.team_id)))?;
    if !matches!(role, Role::Supervisor | Role::Admin) {
        // Only their erasures count: nothing to ask for.
        let all: Vec<_> = mine.iter().flat_map(|(_, ids)| ids.clone()).collect();
        return cell.with(|v| v.sync_store_mut().clear_pending_erasures(&all));
    }
    for (erasure, ids) in &mine {
        for chunk in ids.chunks(komora_protocol::MAX_ERASE_OPS) {
            let op_ids: Vec<Id16> = chunk.iter().map(|id| Id16(*id.as_bytes())).collect();
            let erasure = Id16(*erasure.as_bytes());
            let message = komora_protocol::erase_message(&team, &erasure, &op_ids);
            let signature = cell.with(|v| v.sign_with_identity(&message))?;
            let req = komora_protocol::EraseRequest {
                erasure,
                op_ids,
                signature: komora_protocol::Bytes(signature),
            };
            session.call(cell, |t, token| t.erase(token, &req))?;
            cell.with(|v| v.sync_store_mut().clear_pending_erasures(chunk))?;
        }
    }
    Ok(())
}

/// Bring a server that lost part of the team's work (restored from a backup, rebuilt, rolled
/// back by a copied file) level with what this device holds (issue 17): tell it what this
/// device holds and learn what it holds; send back the statements of the team's signed list
/// and the key grants it lacks; mark for sending every operation it lacks (this device's own
/// and those it received from others: they are signed by their authors), re-sealed under the
/// current key; ask again for this device's erasures; and pull again from the point the
/// server names. Returns how many operations wait to be sent back.
fn reconcile<C: VaultCell>(cell: &C, session: &mut Session<'_>) -> Result<usize> {
    let holds = cell.with(|v| v.sync_store().summary())?.to_author_ranges();
    let req = komora_protocol::ReconcileRequest { holds };
    let mut resp = session.call(cell, |t, token| t.reconcile(token, &req))?;
    let statements = cell.with(|v| v.roster_statements())?;
    if (resp.roster_len as usize) < statements.len() {
        let append = komora_protocol::RosterAppend {
            statements: statements.into_iter().map(komora_protocol::Bytes).collect(),
        };
        session.call(cell, |t, token| t.roster_append(token, &append))?;
        // The statements may have raised the team's epoch: the grants it lacks are known
        // only now.
        resp = session.call(cell, |t, token| t.reconcile(token, &req))?;
    }
    let grants = cell.with(|v| v.regrant(&resp.missing_grants))?;
    if !grants.is_empty() {
        let req = komora_protocol::GrantsUpload { grants };
        session.call(cell, |t, token| t.upload_grants(token, &req))?;
    }
    cell.with(|v| {
        let lacking = v
            .sync_store_mut()
            .unsend_what_the_server_lacks(&resp.holds)?;
        v.sync_store_mut().reseal_unsynced()?;
        v.sync_store_mut().requeue_own_erasures()?;
        v.sync_store_mut().reset_pull_cursor(resp.resume_after)?;
        // A two-pass stretch under way: its long text is not all here. Read it again from
        // its start at the latest, every class in one pass (nothing is skipped).
        if let Some(p) = v.passes()? {
            v.sync_store_mut()
                .reset_pull_cursor(resp.resume_after.min(p.from))?;
            v.save_passes(None)?;
        }
        v.sync_store_mut()
            .set_server_generation(&resp.generation.0)?;
        Ok(lacking)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn many_ranges_are_asked_as_few_covering_every_number() {
        let ranges: Vec<(u64, u64)> = (0..200u64).map(|n| (n * 10, n * 10 + 2)).collect();
        let asked = super::merged(&ranges, 64);
        assert!(asked.len() <= 64);
        for (lo, hi) in &ranges {
            assert!(asked.iter().any(|(a, b)| a <= lo && hi <= b));
        }
        assert_eq!(super::merged(&ranges[..3], 64), ranges[..3]);
    }
}
