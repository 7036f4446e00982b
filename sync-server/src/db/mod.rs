//! The server's storage boundary, an async trait: each method is one transaction.
//! `sqlite.rs` is the embedded default (its calls run on tokio's blocking threads),
//! `postgres.rs` the store for larger deployments (an async connection pool). The conformance
//! suite (`tests/store_conformance/`) runs every method on both.

pub mod postgres;
pub mod sqlite;

use komora_protocol::{DeviceInfo, Id16, PullPage, Role};

#[derive(Clone, Debug, thiserror::Error)]
pub enum DbError {
    #[error("storage failed: {0}")]
    Storage(String),
    /// Every database connection stayed busy for the pool's whole wait: the request can be
    /// tried again as it is (503, and tablets retry).
    #[error("every database connection is busy")]
    Busy,
    /// A push would bring what its device has had stored past the device's quota (ADR 0027):
    /// refused whole, nothing stored or counted.
    #[error("the device's quota of stored bytes would be exceeded")]
    QuotaExceeded,
    /// A push numbers an operation of the pushing device with a number the store holds for
    /// it under another operation it pushed itself: a tablet put back from an old copy of
    /// itself (ADR 0032). Refused whole, nothing stored: it logs in, takes its own work back
    /// and numbers anew what waits.
    #[error("a number of this device is held under another of its operations")]
    NumberTaken,
    /// A push would bring what its team's devices have had stored past the team's quota (ADR
    /// 0027): refused whole, nothing stored or counted.
    #[error("the team's quota of stored bytes would be exceeded")]
    TeamQuotaExceeded,
    /// An invitation would bring its team's waiting invitations past the cap (ADR 0027):
    /// nothing stored.
    #[error("the team's cap of waiting invitations would be exceeded")]
    TooManyInvitesWaiting,
    #[error("the code is unknown, used or expired")]
    InvalidCode,
    #[error("already exists")]
    Conflict,
    #[error("sealed under an old team key epoch")]
    StaleEpoch,
    #[error("{0}")]
    Invalid(&'static str),
    /// The request names something of the team that is not there (or not the caller's).
    #[error("{0}")]
    NotFound(&'static str),
}

pub type DbResult<T> = Result<T, DbError>;

/// Why a push claiming a key epoch the team has not reached is refused: no honest device holds
/// such a key, and tablets would park what they cannot open (issue 16, finding 4).
const FUTURE_EPOCH: &str = "an operation is sealed under a key epoch this team does not have";

/// Why a push numbering an operation beyond what a store holds (a signed 64-bit integer in
/// both dialects) is refused: stored, it would come back as another (negative) number.
const NUMBER_TOO_LARGE: &str = "an operation's number in its author's sequence is too large";

/// Check a batch before storing any of it: every operation sealed under the team's current
/// key epoch, and numbered within what the store can hold. The same refusals, in the same
/// order, on every store.
fn check_batch(team_epoch: u64, ops: &[IncomingOp]) -> DbResult<()> {
    if ops.iter().any(|op| u64::from(op.epoch) < team_epoch) {
        return Err(DbError::StaleEpoch);
    }
    if ops.iter().any(|op| u64::from(op.epoch) > team_epoch) {
        return Err(DbError::Invalid(FUTURE_EPOCH));
    }
    if ops
        .iter()
        .any(|op| op.author_seq.is_some_and(|n| n > i64::MAX as u64))
    {
        return Err(DbError::Invalid(NUMBER_TOO_LARGE));
    }
    Ok(())
}

/// Why an erase request citing an erasure the asking device did not push is refused.
const UNKNOWN_ERASURE: &str =
    "the erasure this request carries out is not one this device sent: sync, then try again";

/// One copy the team's stream already holds under the id of an operation being pushed, as
/// seen from the pushing device. A stream keeps at most one copy of an op id per pushing
/// device (ADR 0027): a stolen tablet's garbage under a colleague's id never keeps her own copy
/// out, and tablets keep the copy that verifies.
#[derive(Clone, Copy, Debug)]
pub struct Held {
    /// The stored copy came from the pushing device.
    pub pushed_by_pusher: bool,
    /// The stored copy is declared as the same author's operation as the copy being pushed.
    pub same_author: bool,
    /// The stored copy has its author's number.
    pub numbered: bool,
}

/// What a push does with an operation of which a copy is already held. A copy is stored
/// beside the others when the pusher has none and none is declared as the same author's: the
/// stores decide that in their insert, so a new operation costs one statement; this rule
/// decides every other case, from the copies the store holds (`copies`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duplicate {
    /// Copy `.0` was pushed by another device, declared as the pusher's own (a colleague's
    /// relay after a restore, or garbage a stolen tablet stored under this author's name):
    /// the author's own copy replaces it and moves to the head, so every tablet is offered the
    /// author's copy and what the server holds of the author counts it.
    TakeOver(usize),
    /// Copy `.0` is the pusher's own push without a number (protocol 1): it gets this number.
    Number(usize, u64),
    /// A duplicate: nothing changes.
    Keep,
}

/// The rule of [`Duplicate`]: only a device's own word counts about its operations. Another
/// device's declaration never numbers or replaces a copy (the server cannot check it); a
/// device that holds a copy already adds none (at most one per device and op id).
pub fn on_push(copies: &[Held], pushers_own: bool, seq: Option<u64>) -> Duplicate {
    if let Some(i) = copies.iter().position(|h| h.pushed_by_pusher) {
        return match seq {
            Some(n) if !copies[i].numbered => Duplicate::Number(i, n),
            _ => Duplicate::Keep,
        };
    }
    match copies.iter().position(|h| h.same_author) {
        Some(i) if pushers_own => Duplicate::TakeOver(i),
        _ => Duplicate::Keep,
    }
}

/// The giver of the grants an administrator's revocation stores with its signed rotation (a
/// grant stored before givers were kept has the zero id).
pub const GIVEN_WITH_ROTATION: [u8; 16] = [0xff; 16];

/// Every table of the store, for `Db::dump` (a new table must be added here to be scanned).
const TABLES: &[&str] = &[
    "server_meta",
    "teams",
    "devices",
    "challenges",
    "tokens",
    "invites",
    "key_grants",
    "roster",
    "ops",
    "erased_ops",
];

/// A stored id back into its type; a malformed one means a damaged store.
fn id(bytes: Vec<u8>) -> DbResult<Id16> {
    bytes
        .try_into()
        .map(Id16)
        .map_err(|_| DbError::Storage("malformed id in the store".into()))
}

/// Whether a member statement's invitation key is the invitation's.
fn check_invitation_key(device: &NewDevice, stored: Option<Vec<u8>>) -> DbResult<()> {
    if stored.as_deref() != device.invite_pk.as_ref().map(|k| &k[..]) {
        return Err(DbError::Invalid(
            "the device's statement is not signed with this invitation's key",
        ));
    }
    Ok(())
}

fn role(s: &str) -> DbResult<Role> {
    Role::parse(s).ok_or_else(|| DbError::Storage("unknown role in the store".into()))
}

/// A fresh store generation: 16 random bytes naming one history of the operation stream. A
/// restore or a rebuild gives the store a new one, so a tablet that remembers another can tell
/// that the stream it read is not the one the server now holds.
pub fn random_generation() -> DbResult<[u8; 16]> {
    let mut out = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut out)
        .map_err(|_| DbError::Storage("the OS random number generator failed".into()))?;
    Ok(out)
}

/// Run a store call to its end from code that is not async (the command-line tools: restore),
/// on a runtime of its own. Not from inside another runtime.
pub fn wait<T>(call: impl std::future::Future<Output = T>) -> DbResult<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| DbError::Storage(format!("cannot start a runtime: {}", e.kind())))?;
    Ok(runtime.block_on(call))
}

/// A stored generation back into its type; another length means a damaged store.
fn generation(bytes: Vec<u8>) -> DbResult<[u8; 16]> {
    bytes
        .try_into()
        .map_err(|_| DbError::Storage("malformed store generation in the store".into()))
}

/// Compare secrets (hashes of codes) without an early exit.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A device being registered.
#[derive(Clone, Debug)]
pub struct NewDevice {
    pub id: Id16,
    pub sign_pk: Vec<u8>,
    pub kx_pk: Vec<u8>,
    /// Its signed statement for the team's device list (genesis or member), stored with it.
    pub statement: Vec<u8>,
    /// For a member: the invitation key its statement is signed with, which must be the
    /// invitation's (`None` for the founder).
    pub invite_pk: Option<[u8; 32]>,
}

/// A device a restored store registers again from the signed statements that admit it
/// (`rejoin.rs`, `roster_replay.rs`).
#[derive(Clone, Debug)]
pub struct Readmitted {
    pub device: NewDevice,
    /// Its invitation's role.
    pub role: Role,
    /// A snapshot of the team's list leaves it out: registered revoked.
    pub revoked: bool,
}

/// An invitation being stored.
#[derive(Clone, Debug)]
pub struct NewInvite {
    pub lookup: Vec<u8>,
    pub team: Id16,
    pub role: Role,
    pub by: Id16,
    pub expires_ms: u64,
    /// The team keys sealed under the code (opaque here).
    pub bundle: Vec<u8>,
    /// The inviter's signed invitation statement, appended to the team's device list.
    pub statement: Vec<u8>,
    /// The invitation key the statement names.
    pub invite_pk: Option<[u8; 32]>,
}

/// Check a rotation against the team's devices before storing it: the next epoch, one grant
/// for every device that is not revoked (the one being revoked excluded), and no other.
fn check_rotation(
    current_epoch: u32,
    new_epoch: u32,
    revoked: Id16,
    devices: &[(Id16, bool)],
    grants: &[(Id16, Vec<u8>)],
) -> DbResult<()> {
    if new_epoch != current_epoch.saturating_add(1) {
        return Err(DbError::StaleEpoch);
    }
    let mut staying: Vec<Id16> = devices
        .iter()
        .filter(|(id, is_revoked)| !is_revoked && *id != revoked)
        .map(|(id, _)| *id)
        .collect();
    let mut granted: Vec<Id16> = grants.iter().map(|(d, _)| *d).collect();
    staying.sort();
    granted.sort();
    if staying != granted {
        return Err(DbError::Invalid(
            "the new key must be wrapped for every device that stays, and only for them",
        ));
    }
    if grants.iter().any(|(_, w)| w.is_empty() || w.len() > 1024) {
        return Err(DbError::Invalid("a wrapped key has a wrong size"));
    }
    Ok(())
}

/// What the server knows of a device.
#[derive(Clone, Debug)]
pub struct DeviceRow {
    pub id: Id16,
    pub team_id: Id16,
    pub role: Role,
    pub sign_pk: Vec<u8>,
    pub revoked: bool,
    /// The team's current key epoch (so a login can tell the device whether keys changed).
    pub team_epoch: u32,
}

/// One envelope to store: its op id and epoch (read from its header), its bytes, and its
/// author and number as the pushing device declared them (protocol 2; `None` from protocol 1:
/// the author is the pusher, the number unknown).
#[derive(Clone)]
pub struct IncomingOp {
    pub op_id: [u8; 16],
    pub epoch: u32,
    pub bytes: Vec<u8>,
    pub author: Option<Id16>,
    pub author_seq: Option<u64>,
    /// The sender's priority class (0: what screens need first; 1: long text), issue 20.
    pub priority: u8,
}

/// Which operations a pull page holds: all (`Pass::ALL`), or, for a tablet far behind, one
/// priority class at a time up to a bound (issue 20): the screens' first, then the long text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Only operations of this class (`None`: every class).
    pub class: Option<u8>,
    /// Read no further than this sequence number (`None`: the head).
    pub upto: Option<u64>,
}

impl Pass {
    pub const ALL: Pass = Pass {
        class: None,
        upto: None,
    };
}

/// Whether `n` falls in one of `ranges`.
fn in_ranges(ranges: &[(u64, u64)], n: u64) -> bool {
    ranges.iter().any(|&(lo, hi)| lo <= n && n <= hi)
}

/// The widest span of `ranges`, as the stores keep numbers (signed 64-bit).
fn span_of(ranges: &[(u64, u64)]) -> (i64, i64) {
    let clamp = |n: u64| n.min(i64::MAX as u64) as i64;
    let lo = ranges.iter().map(|r| r.0).min().unwrap_or(0);
    let hi = ranges.iter().map(|r| r.1).max().unwrap_or(0);
    (clamp(lo), clamp(hi))
}

/// Per author, the ranges of numbers in `numbers` (sorted by author, then number).
fn ranges(numbers: impl IntoIterator<Item = (Id16, u64)>) -> komora_protocol::AuthorRanges {
    let mut out: komora_protocol::AuthorRanges = Vec::new();
    for (author, seq) in numbers {
        match out.last_mut() {
            Some((a, r)) if *a == author => match r.last_mut() {
                Some((_, hi)) if *hi + 1 == seq => *hi = seq,
                Some((_, hi)) if *hi >= seq => {}
                _ => r.push((seq, seq)),
            },
            _ => out.push((author, vec![(seq, seq)])),
        }
    }
    out
}

/// Whether `ranges` holds `seq` of `author` (ranges sorted and apart, as [`ranges`] makes).
pub fn ranges_hold(ranges: &komora_protocol::AuthorRanges, author: &Id16, seq: u64) -> bool {
    ranges.iter().any(|(a, r)| {
        a == author && {
            let i = r.partition_point(|(_, hi)| *hi < seq);
            r.get(i).is_some_and(|(lo, _)| *lo <= seq)
        }
    })
}

/// What a push may bring the counts of stored bytes to (ADR 0027): its device's, and the sum
/// of its team's devices' (a team of many tablets, or a thief enrolling more before its
/// revocation, is bounded as a whole).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PushQuota {
    pub device: u64,
    pub team: u64,
}

impl PushQuota {
    /// No quota (tools and tests).
    pub const NONE: PushQuota = PushQuota {
        device: u64::MAX,
        team: u64::MAX,
    };
}

/// A team's current key epoch and the keys wrapped for one device, by epoch.
pub type KeyGrants = (u32, Vec<(u32, Vec<u8>)>);

/// The store, as the routes use it. Every method is one transaction. Arguments are owned, so
/// that a store may hand them to another thread (SQLite works on blocking threads; PostgreSQL
/// on the runtime, over an async pool).
#[async_trait::async_trait]
pub trait Db: Send + Sync + 'static {
    /// Whether no team exists yet (the server waits for its bootstrap).
    async fn needs_bootstrap(&self) -> DbResult<bool>;
    /// Replace the bootstrap code's hash (a new code is printed at each start until used).
    async fn set_bootstrap_hash(&self, hash: [u8; 32]) -> DbResult<()>;
    /// Create another team of the organisation with its administrator's first device
    /// (`Conflict` when the team or the device exists).
    async fn create_team(&self, team: Id16, device: NewDevice, now: u64) -> DbResult<()>;
    /// Consume the bootstrap code: create the first team and its administrator's device.
    async fn bootstrap(
        &self,
        code_hash: [u8; 32],
        team: Id16,
        device: NewDevice,
        now_ms: u64,
    ) -> DbResult<()>;

    async fn device(&self, id: Id16) -> DbResult<Option<DeviceRow>>;
    async fn put_challenge(
        &self,
        challenge: Vec<u8>,
        device: Id16,
        expires_ms: u64,
    ) -> DbResult<()>;
    /// Use a challenge once: true if it existed for that device and had not expired.
    async fn take_challenge(&self, challenge: Vec<u8>, device: Id16, now_ms: u64)
        -> DbResult<bool>;
    async fn put_token(&self, hash: [u8; 32], device: Id16, expires_ms: u64) -> DbResult<()>;
    async fn token_device(&self, hash: [u8; 32], now_ms: u64) -> DbResult<Option<Id16>>;

    /// [`Db::create_invite_within`] without a cap (tools and tests).
    async fn create_invite(&self, invite: NewInvite) -> DbResult<()> {
        self.create_invite_within(invite, 0, u64::MAX).await
    }
    /// Store an invitation and append its statement to the team's list (`Conflict` if its
    /// lookup is taken), unless its team already holds `cap` invitations waiting at `now_ms`
    /// (`TooManyInvitesWaiting`, nothing stored): counted and stored in one transaction that
    /// holds the team, so invitations posted at the same moment cannot all see room.
    async fn create_invite_within(&self, invite: NewInvite, now_ms: u64, cap: u64) -> DbResult<()>;
    /// How many invitations of `team` wait to be used and have not expired at `now_ms`.
    async fn pending_invites(&self, team: Id16, now_ms: u64) -> DbResult<u64>;
    /// How many bytes of operations `device` has had stored (its quota's count, ADR 0027).
    async fn pushed_bytes(&self, device: Id16) -> DbResult<u64>;
    /// Use an invitation once: register the device in its team and append its statement
    /// (refused unless signed with the invitation's key); returns (team, role, bundle).
    async fn enroll(
        &self,
        lookup: Vec<u8>,
        device: NewDevice,
        now_ms: u64,
    ) -> DbResult<(Id16, Role, Vec<u8>)>;

    /// [`Db::push_within`] without a quota (tools and tests).
    async fn push(&self, team: Id16, author: Id16, ops: Vec<IncomingOp>) -> DbResult<(u32, u32)> {
        self.push_within(team, author, ops, PushQuota::NONE).await
    }
    /// Store envelopes idempotently (at most one copy of an op id per team and pushing device,
    /// ADR 0027: [`on_push`]); returns (stored, duplicates). Refuses the whole batch with
    /// `StaleEpoch` if one is sealed under an epoch older than the team's current one, as
    /// `Invalid` if one claims an epoch the team does not have yet, with `QuotaExceeded` if
    /// what `author` has had stored would then pass `quota.device` bytes, and with
    /// `TeamQuotaExceeded` if what the team's devices have had stored would pass `quota.team`:
    /// the counts are raised and checked in the push's own transaction (which holds the team),
    /// so pushes at once cannot both pass them.
    async fn push_within(
        &self,
        team: Id16,
        author: Id16,
        ops: Vec<IncomingOp>,
        quota: PushQuota,
    ) -> DbResult<(u32, u32)>;
    /// Envelopes of the team after `after`, not written by `requester`, up to `max_bytes`,
    /// with the stream's generation and head and the op id at `next`. With `at` (the op the
    /// device read at `after`), a stream that no longer holds that op there, or whose head is
    /// below `after`, answers `rewound` and nothing else.
    async fn pull(
        &self,
        team: Id16,
        requester: Id16,
        after: u64,
        max_bytes: u32,
        at: Option<[u8; 16]>,
    ) -> DbResult<PullPage> {
        self.pull_pass(team, requester, after, max_bytes, at, Pass::ALL)
            .await
    }
    /// [`Db::pull`] restricted to one pass (`Pass`): only operations of its class, no
    /// further than its bound. The page's `next` and `more` speak of that pass (at its end,
    /// `next` is the bound); `deferred` counts the operations of other classes (not the
    /// requester's) it stepped over, which a later pass serves.
    async fn pull_pass(
        &self,
        team: Id16,
        requester: Id16,
        after: u64,
        max_bytes: u32,
        at: Option<[u8; 16]>,
        pass: Pass,
    ) -> DbResult<PullPage>;
    /// The operations `requester` pushed itself as their author whose numbers fall in
    /// `numbers` (ranges), after `after`, up to `max_bytes` (at least one): what a tablet put
    /// back from an old copy of itself lost of its own work (ADR 0032). The page's `next` is
    /// where to ask again after, `more` whether to.
    async fn pull_own(
        &self,
        team: Id16,
        requester: Id16,
        numbers: Vec<(u64, u64)>,
        after: u64,
        max_bytes: u32,
    ) -> DbResult<PullPage>;
    /// The team's stream head (its last sequence number).
    async fn head(&self, team: Id16) -> DbResult<u64>;
    /// What the team's stream holds, per author, as `asker` may rely on it: operations stored
    /// with a number, pushed by their author or by the asker itself (a number another device
    /// declared for a third is its word only, ADR 0027).
    async fn holds(&self, team: Id16, asker: Id16) -> DbResult<komora_protocol::AuthorRanges>;
    /// How many operations of `team` were deleted at `device`'s erasure requests.
    async fn erased_for(&self, team: Id16, device: Id16) -> DbResult<u64>;
    /// The numbers of `author`'s operations the team's stream holds as `author` pushed them
    /// herself: what another device pushed in her name never counts (ADR 0027).
    async fn holds_of(&self, team: Id16, author: Id16) -> DbResult<Vec<(u64, u64)>>;
    /// The position to pull again after, for `asker` holding `theirs`: just before the first
    /// operation of the stream it lacks (or one stored without a number, or numbered only by
    /// a third device's word); the head if none.
    async fn resume_after(
        &self,
        team: Id16,
        asker: Id16,
        theirs: komora_protocol::AuthorRanges,
    ) -> DbResult<u64>;
    /// Register devices of `team` from the signed statements that admit them (a restored or
    /// rebuilt store catching up with the team's list), in one transaction: each device not
    /// registered yet, revoked if so marked; the invitation it used spent (its bundle
    /// dropped), so the code cannot enrol another; and `statements` the team's list does not
    /// hold yet appended in order. Returns how many devices were new.
    async fn readmit(
        &self,
        team: Id16,
        devices: Vec<Readmitted>,
        statements: Vec<Vec<u8>>,
        now: u64,
    ) -> DbResult<u32>;
    /// Mark `device` revoked and raise the team's epoch to `epoch` if below (a snapshot of the
    /// team's list the store had not seen).
    async fn revoke_to(&self, team: Id16, device: Id16, epoch: u32, now: u64) -> DbResult<()>;
    /// Raise the team's epoch to `epoch` if below.
    async fn raise_epoch(&self, team: Id16, epoch: u32) -> DbResult<()>;
    /// Store key grants `giver` wraps for devices of the team, one per giver for each (epoch,
    /// device), never replacing one; returns how many were new (ADR 0027).
    async fn add_grants(
        &self,
        team: Id16,
        giver: Id16,
        grants: Vec<(u32, Id16, Vec<u8>)>,
    ) -> DbResult<u32>;
    /// For each epoch after the first and each device not revoked, the grants `asker` should
    /// give: none given with the rotation, by an administrator or by the asker itself.
    /// (epoch, device, its X25519 key), by epoch then by device id.
    async fn missing_grants(&self, team: Id16, asker: Id16) -> DbResult<Vec<(u32, Id16, Vec<u8>)>>;
    /// Keep what a device said of itself at login (the fleet view).
    async fn report(&self, device: Id16, report: komora_protocol::DeviceReport) -> DbResult<()>;

    async fn devices(&self, team: Id16) -> DbResult<Vec<DeviceInfo>>;
    /// Revoke a device of `team`, drop its tokens and move the team to `new_epoch`, storing its
    /// key wrapped for every device that stays (checked by `check_rotation`) and the signed
    /// statements of the revocation (the snapshot of who stays, the revoked device's cutoff)
    /// appended to the team's list in order, all in one transaction; false if there is no
    /// such device.
    async fn revoke(
        &self,
        team: Id16,
        device: Id16,
        now_ms: u64,
        new_epoch: u32,
        grants: Vec<(Id16, Vec<u8>)>,
        statements: Vec<Vec<u8>>,
    ) -> DbResult<bool>;
    /// Append one signed statement to the team's device list (a tablet handed back).
    async fn add_statement(&self, team: Id16, statement: Vec<u8>) -> DbResult<()>;
    /// The team's signed statements from position `after` (at most `limit`), and how many
    /// there are in all.
    async fn roster(&self, team: Id16, after: u32, limit: u32) -> DbResult<(Vec<Vec<u8>>, u32)>;
    /// How many statements the team's device list holds (said at login).
    async fn roster_len(&self, team: Id16) -> DbResult<u32>;
    /// The team's current epoch and the keys wrapped for `device` of epochs after `after`:
    /// every giver's, by epoch, each epoch's in the order a tablet tries them (the rotation's,
    /// an administrator's, one from before givers were kept, another device's).
    async fn key_grants(&self, team: Id16, device: Id16, after: u32) -> DbResult<KeyGrants>;
    async fn touch(&self, device: Id16, now_ms: u64) -> DbResult<()>;
    /// Delete these operations of `team` from its stream and remember their ids, so a push of
    /// them later stores nothing (ADR 0010), with the device that asked and its erasure
    /// operation, which must be stored in the team's stream as pushed by that device
    /// (`NotFound` otherwise: nothing is deleted). The deleted bytes are then purged from
    /// what the store keeps beside its tables (SQLite's write-ahead log, PostgreSQL's dead
    /// rows). Returns how many ids were handled.
    async fn erase_ops(
        &self,
        team: Id16,
        by: Id16,
        erasure: [u8; 16],
        op_ids: Vec<[u8; 16]>,
        now_ms: u64,
    ) -> DbResult<u32>;
    /// The store's generation (`server_meta` key `generation`, made at the first open): it
    /// changes with every restore or rebuild, and only then.
    async fn generation(&self) -> DbResult<[u8; 16]>;
    /// Replace the generation with a fresh random one and return it (a restore or a rebuild).
    async fn new_generation(&self) -> DbResult<[u8; 16]>;
    /// Every byte the store holds, concatenated: what a thief of the database would get
    /// (for audits, and for the test that scans it for plaintext).
    async fn dump(&self) -> DbResult<Vec<u8>>;
}
