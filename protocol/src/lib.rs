//! The wire protocol between Komora devices and the sync server: the only types serialised for
//! the network. Control routes speak JSON; operation data travels as postcard-encoded binary
//! (`application/octet-stream`), since a counsellor may sync over 2G.
//!
//! The server sees only what is here: ids, roles, key epochs, sizes and sealed bytes.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

pub mod code;
pub mod envelope;
pub mod pin;
pub mod roster;
pub mod server_url;

/// Largest push body the server reads.
pub const MAX_PUSH_BYTES: usize = 2 * 1024 * 1024;
/// Most operations in one push.
pub const MAX_PUSH_OPS: usize = 2_000;
/// Default and largest pull page, in bytes of envelopes.
pub const DEFAULT_PULL_BYTES: u32 = 256 * 1024;
pub const MAX_PULL_BYTES: u32 = 4 * 1024 * 1024;
/// Largest JSON body on control routes.
pub const MAX_CONTROL_BYTES: usize = 256 * 1024;

/// 16 random bytes (a device, team or operation id), hex on the wire.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id16(pub [u8; 16]);

impl fmt::Display for Id16 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Id16 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id16({self})")
    }
}

impl std::str::FromStr for Id16 {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        if s.len() != 32 || !s.is_ascii() {
            return Err(());
        }
        let mut out = [0u8; 16];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| ())?;
        }
        Ok(Id16(out))
    }
}

impl Serialize for Id16 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.to_string())
        } else {
            self.0.serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Id16 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            s.parse()
                .map_err(|_| serde::de::Error::custom("expected 32 hex digits"))
        } else {
            <[u8; 16]>::deserialize(d).map(Id16)
        }
    }
}

/// Bytes as unpadded base64url in JSON.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&B64.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        B64.decode(s.as_bytes())
            .map(Bytes)
            .map_err(|_| serde::de::Error::custom("expected base64url"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Counsellor,
    Supervisor,
    Admin,
    /// Produces the donors' figures: receives the team key (statistics) but never the
    /// case-work key that opens names and notes (ADR 0011).
    #[serde(rename = "data_officer")]
    DataOfficer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Counsellor => "counsellor",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::DataOfficer => "data_officer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "counsellor" => Some(Role::Counsellor),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            "data_officer" | "data-officer" => Some(Role::DataOfficer),
            _ => None,
        }
    }

    /// Whether a device of this role may invite a device of `other`.
    pub fn may_invite(self, other: Role) -> bool {
        match self {
            Role::Admin => true,
            Role::Supervisor => other == Role::Counsellor,
            Role::Counsellor | Role::DataOfficer => false,
        }
    }
}

/// A device's public identity, sent once when it registers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeviceRegistration {
    pub device_id: Id16,
    /// Ed25519 public key (32 bytes): the device signs login challenges with it.
    pub sign_pk: Bytes,
    /// X25519 public key (32 bytes): new team keys are wrapped for the device with it.
    pub kx_pk: Bytes,
}

/// A team key of a new epoch, wrapped for one device (see ADR 0007): the sender's ephemeral
/// X25519 public key, then AES-256-GCM under a key derived from the exchange.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeyGrant {
    pub device_id: Id16,
    pub wrapped: Bytes,
}

/// Revoking a device rotates the team key: the new epoch's key, wrapped for every device that
/// stays (the revoking one included), never for the revoked one.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RevokeRequest {
    pub new_epoch: u32,
    pub grants: Vec<KeyGrant>,
    /// The administrator's signed [`roster::Statement::Snapshot`] of the devices that stay.
    pub snapshot: Bytes,
    /// The administrator's signed [`roster::Statement::Cutoff`] for the revoked device: the
    /// last of its operations that counts.
    #[serde(default)]
    pub cutoff: Option<Bytes>,
}

/// A revoked device asks for the proof of its revocation (the team's signed device list),
/// which it checks from its root of trust before it erases anything. It has no token (the
/// server refuses revoked devices' logins): it signs a fresh challenge instead.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RevocationProofRequest {
    pub device_id: Id16,
    pub challenge: Bytes,
    /// Ed25519 signature over [`revocation_proof_message`].
    pub signature: Bytes,
    /// Position in the team's list to start from.
    #[serde(default)]
    pub after: u32,
}

/// What a revoked device signs to be shown its revocation: a domain label (not the login's,
/// so one signature cannot serve as the other), the device id and the server's challenge.
pub fn revocation_proof_message(device_id: &Id16, challenge: &[u8]) -> Vec<u8> {
    let mut m = b"komora/revocation-proof/v1\0".to_vec();
    m.extend_from_slice(&device_id.0);
    m.extend_from_slice(challenge);
    m
}

/// A tablet handed back: its own signed [`roster::Statement::Retire`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RetireRequest {
    pub statement: Bytes,
}

/// One epoch's team key wrapped for the asking device.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct EpochGrant {
    pub epoch: u32,
    pub wrapped: Bytes,
}

/// The team's current epoch and the keys wrapped for the asking device after a given epoch.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyGrantsResponse {
    pub current_epoch: u32,
    pub grants: Vec<EpochGrant>,
}

/// The first administrator's device creates the organisation's first team.
#[derive(Clone, Serialize, Deserialize)]
pub struct BootstrapRequest {
    pub code: String,
    pub team_id: Id16,
    pub device: DeviceRegistration,
    /// The founding device's signed [`roster::Statement::Genesis`].
    pub genesis: Bytes,
}

impl fmt::Debug for BootstrapRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BootstrapRequest")
            .field("code", &"[redacted]")
            .field("team_id", &self.team_id)
            .finish()
    }
}

/// An administrator makes another team of the organisation (ADR 0011): its first device is a
/// new identity of the administrator's tablet, the founder of the new team's device list.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CreateTeamRequest {
    pub team_id: Id16,
    pub device: DeviceRegistration,
    /// The founding device's signed [`roster::Statement::Genesis`].
    pub genesis: Bytes,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChallengeRequest {
    pub device_id: Id16,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChallengeResponse {
    pub challenge: Bytes,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenRequest {
    pub device_id: Id16,
    pub challenge: Bytes,
    /// Ed25519 signature over [`login_message`].
    pub signature: Bytes,
    /// How the device stands, for the administrator's fleet view (issue 17): its app's
    /// version, what waits to be sent, what it could not read. Counts and times only.
    #[serde(default)]
    pub report: Option<DeviceReport>,
}

/// What a device tells the server about itself at each login, for the fleet view: no record,
/// no name, no key; counts and times.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeviceReport {
    /// The Komora version the device runs.
    pub app_version: String,
    /// The newest protocol version it speaks.
    pub protocol: u32,
    /// Its changes waiting to be sent.
    pub pending: u64,
    /// Received changes it cannot check yet (a key or a device it lacks).
    pub parked: u64,
    /// Received changes it set aside unread (waited too long, or a flood).
    pub set_aside: u64,
    /// When it last synced fully (its own clock).
    pub last_sync_ms: Option<u64>,
    /// The newest team format (record kinds and fields) its app reads: an administrator
    /// raises the team's format once every device reads it.
    pub format: u32,
}

/// This protocol's version. Requests carry it in the `x-komora-protocol` header (absent: 1);
/// answers carry the server's. A server serves tablets one version behind; older ones are told
/// to update (`ErrorCode::UpdateRequired`), and lose nothing by it.
pub const PROTOCOL_VERSION: u32 = 3;
/// The oldest protocol version a server of this release serves.
pub const MIN_PROTOCOL_VERSION: u32 = 1;
/// The header that carries it.
pub const PROTOCOL_HEADER: &str = "x-komora-protocol";

/// What a device signs to log in: a domain label, the device id and the server's challenge.
pub fn login_message(device_id: &Id16, challenge: &[u8]) -> Vec<u8> {
    let mut m = b"komora/login/v1\0".to_vec();
    m.extend_from_slice(&device_id.0);
    m.extend_from_slice(challenge);
    m
}

#[derive(Clone, Serialize, Deserialize)]
pub struct TokenResponse {
    pub token: String,
    pub expires_in_s: u64,
    pub team_id: Id16,
    pub role: Role,
    /// The team's current key epoch: a device holding it need not ask for keys (saves a round
    /// trip on 2G).
    #[serde(default)]
    pub team_epoch: u32,
    /// How many statements the team's signed device list holds: a device holding as many need
    /// not fetch it.
    #[serde(default)]
    pub roster_len: u32,
    /// The identity of the server's stream (a store generation): it changes with every restore
    /// or rebuild (issue 17). Empty from a server that predates it.
    #[serde(default)]
    pub generation: Bytes,
    /// The last sequence number of the team's stream: a device whose cursor is beyond it is
    /// talking to a store rolled back.
    #[serde(default)]
    pub head: u64,
    /// The numbers of the asking device's own operations the stream holds (ranges): a device
    /// that finds one it was told was stored missing knows the store lost its work.
    #[serde(default)]
    pub own: Vec<(u64, u64)>,
    /// How many operations the server deleted at the asking device's erasure requests: a
    /// device that asked for more knows the store lost deletions (a copied backup put back),
    /// and asks again.
    #[serde(default)]
    pub erased_for_me: u64,
    /// The server serves a device its own operations by number (`GET /v1/pull/own`, ADR
    /// 0032): a tablet put back from an old copy of itself asks for the work it lost. A server
    /// from before says nothing, and is never asked.
    #[serde(default)]
    pub serves_own: bool,
}

/// At most this many ranges of numbers in one `GET /v1/pull/own` (ADR 0032).
pub const MAX_OWN_RANGES: usize = 64;

/// Ranges of numbers as `GET /v1/pull/own` carries them: `lo-hi` pairs, comma-separated.
pub fn own_ranges_to_query(ranges: &[(u64, u64)]) -> String {
    ranges
        .iter()
        .map(|(lo, hi)| format!("{lo}-{hi}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Read back [`own_ranges_to_query`]: `None` for anything else (a range upside down, more than
/// [`MAX_OWN_RANGES`], none at all, a number that is not one).
pub fn own_ranges_from_query(s: &str) -> Option<Vec<(u64, u64)>> {
    let ranges: Vec<(u64, u64)> = s
        .split(',')
        .map(|r| {
            let (lo, hi) = r.split_once('-')?;
            let (lo, hi) = (lo.parse::<u64>().ok()?, hi.parse::<u64>().ok()?);
            (lo <= hi).then_some((lo, hi))
        })
        .collect::<Option<_>>()?;
    (!ranges.is_empty() && ranges.len() <= MAX_OWN_RANGES).then_some(ranges)
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TokenResponse([redacted], {} s, {:?})",
            self.expires_in_s, self.role
        )
    }
}

/// An enrolment invitation. The code itself never reaches the server: only `lookup` (a hash of
/// it) and the team keys sealed under a key derived from it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InviteRequest {
    pub role: Role,
    pub lookup: Bytes,
    pub expires_in_s: u64,
    pub sealed_bundle: Bytes,
    /// The inviter's signed [`roster::Statement::Invite`] for the code's invitation key.
    pub invite: Bytes,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InviteResponse {
    pub expires_at_ms: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub lookup: Bytes,
    pub device: DeviceRegistration,
    /// The new device's signed [`roster::Statement::Member`], signed with the invitation key
    /// derived from the code.
    pub member: Bytes,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub team_id: Id16,
    pub role: Role,
    pub sealed_bundle: Bytes,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegisteredResponse {
    pub team_id: Id16,
    pub device_id: Id16,
    pub role: Role,
}

/// A push body (postcard): sealed operation envelopes for the device's team.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PushBatch {
    pub envelopes: Vec<Vec<u8>>,
}

/// A push body of protocol 2 (postcard): the envelopes, and for each its author and number,
/// which the server keeps beside it to tell what it holds per author (issue 17). Both are
/// inside the envelope too, signed; the server cannot check them, and a device relies on them
/// only to choose what to send again.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PushBatchV2 {
    pub envelopes: Vec<Vec<u8>>,
    /// One per envelope, in order.
    pub meta: Vec<OpMeta>,
    // Protocol 3, after the fields of protocol 2 (a server of protocol 2 reads the batch as
    // before: postcard ignores what follows).
    /// Answer with the first pull page as well, as [`PullAsk`] says: a sync that sends its
    /// last batch learns in the same round trip whether anything waits for it (issue 20).
    pub then_pull: Option<PullAsk>,
    /// One [`Priority`] byte per envelope, in order (empty: all `Screens`): clear routing
    /// metadata, outside the sealed body.
    pub priority: Vec<u8>,
}

/// A pull, asked for inside a push (protocol 3): the query of `GET /v1/pull`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullAsk {
    pub after: u64,
    pub max_bytes: u32,
    pub at: Option<Id16>,
    /// Say the asking device's [`Standing`] on the page.
    pub standing: bool,
    /// Only operations of this priority class ([`Priority`]; `None`: all), for a tablet far
    /// behind that reads what its screens need first (issue 20).
    pub class: Option<u8>,
    /// Read no further than this sequence number (a pass's end).
    pub upto: Option<u64>,
}

/// The coarse priority class a sender marks, in the clear, on each operation it pushes
/// (issue 20, ADR 0025): the server serves a tablet far behind the first class before the
/// second. It tells the server which operations carry long text, nothing more.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[repr(u8)]
pub enum Priority {
    /// What the screens need: clients, cases, consents, follow-ups, reviews, and the rest.
    #[default]
    Screens = 0,
    /// Long text (session notes): a tablet far behind receives it in a second pass.
    LongText = 1,
}

impl Priority {
    /// The class a byte names; an unknown one is served first (never held back).
    pub fn from_byte(b: u8) -> Self {
        if b == 1 {
            Priority::LongText
        } else {
            Priority::Screens
        }
    }
}

/// The answer to a push of protocol 3 (postcard, `application/octet-stream`): what
/// [`PushResponse`] says, and the pull page the batch asked for.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PushAnswer {
    pub stored: u32,
    pub duplicates: u32,
    pub page: Option<PullPage>,
}

/// A push body exactly as protocol 2 lays it out (envelopes and their numbers, nothing after):
/// what a tablet of protocol 2 sends, and so what a server reads from one.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PushBatchNumbered {
    pub envelopes: Vec<Vec<u8>>,
    pub meta: Vec<OpMeta>,
}

/// An envelope's author (`None`: the pushing device) and its number in the author's sequence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpMeta {
    pub author: Option<Id16>,
    pub seq: u64,
}

/// What a store holds, per author: ranges of operation numbers. Small (a few bytes per device
/// and per gap) and free of content.
pub type AuthorRanges = Vec<(Id16, Vec<(u64, u64)>)>;

/// `POST /v1/reconcile`: a device that found the server's stream rolled back (a restore, a
/// rebuild) says what it holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReconcileRequest {
    pub holds: AuthorRanges,
}

/// What the server holds, and where the device should pull from again.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReconcileResponse {
    pub generation: Bytes,
    pub head: u64,
    /// What the server holds, per author (operations stored without a number are not listed:
    /// devices send those again, and the server tells them duplicates).
    pub holds: AuthorRanges,
    /// Pull again after this: before the first operation the device lacks.
    pub resume_after: u64,
    /// The team's key epoch as the server stands.
    pub epoch: u32,
    /// How many statements the team's signed list holds on the server.
    pub roster_len: u32,
    /// Key grants the server lacks: (epoch, device, its X25519 key) for each member that has
    /// none for an epoch. A device holding that epoch's key wraps it for them.
    pub missing_grants: Vec<(u32, Id16, Bytes)>,
}

/// `POST /v1/reattach`: a server lost with no backup is started empty, and an administrator's
/// tablet gives it back its team: the one-time code the new server printed, the team's id and
/// its whole signed list (from the genesis on), which the server checks statement by statement.
#[derive(Clone, Serialize, Deserialize)]
pub struct ReattachRequest {
    pub code: String,
    pub team_id: Id16,
    pub statements: Vec<Bytes>,
}

impl fmt::Debug for ReattachRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReattachRequest")
            .field("code", &"[redacted]")
            .field("team_id", &self.team_id)
            .field("statements", &self.statements.len())
            .finish()
    }
}

/// `POST /v1/roster`: signed statements of the team's list the server lacks (after a restore
/// or a rebuild): it keeps each it can check and brings its devices and epoch level with them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RosterAppend {
    pub statements: Vec<Bytes>,
}

/// `POST /v1/rejoin`, without a login: a tablet its server no longer knows (the store was
/// restored from a backup taken before the tablet enrolled, and no other tablet had heard of
/// it) hands back the signed statements that admit it, so it can log in and send back its
/// work (ADR 0016). `chain` holds invitations and member statements in pairs, oldest first:
/// an invitation signed by a device the server may know, then the member statement its key
/// signed, and so on down to this tablet's own (at most
/// [`roster::MAX_REJOIN_LINKS`] pairs). The server registers the devices only if the pairs
/// chain onto the team's list it holds; it changes nothing otherwise.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RejoinRequest {
    pub team_id: Id16,
    pub device_id: Id16,
    pub chain: Vec<Bytes>,
}

/// What a rejoin did: how many devices of the chain the server registered (0: it knew them).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RejoinResponse {
    pub registered: u32,
}

/// `POST /v1/keys/grants`: team keys wrapped for members that have none from the server.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GrantsUpload {
    pub grants: Vec<(u32, Id16, Bytes)>,
}

/// Erasing a client (ADR 0010): the operations that carried the client file's key, for the
/// server to delete from the team's stream and never store again. Supervisors and
/// administrators only.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EraseRequest {
    /// The erasure operation this request carries out: the server checks that the asking
    /// device pushed it.
    pub erasure: Id16,
    pub op_ids: Vec<Id16>,
    /// The asking device's Ed25519 signature over [`erase_message`].
    pub signature: Bytes,
}

/// What an erasing device signs: a domain label, the team, its erasure operation and every
/// operation id it asks the server to delete, so a stolen token alone erases nothing and each
/// deletion is tied to an erasure every tablet can see.
pub fn erase_message(team: &Id16, erasure: &Id16, op_ids: &[Id16]) -> Vec<u8> {
    let mut m = b"komora/erase/v1\0".to_vec();
    m.extend_from_slice(&team.0);
    m.extend_from_slice(&erasure.0);
    for id in op_ids {
        m.extend_from_slice(&id.0);
    }
    m
}

/// Most operation ids one erase request may name.
pub const MAX_ERASE_OPS: usize = 1_000;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EraseResponse {
    /// Operations deleted now (ids already deleted or never stored count as well: done).
    pub erased: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PushResponse {
    /// Operations the server did not have and stored.
    pub stored: u32,
    /// Operations it already had (a retried push): ignored.
    pub duplicates: u32,
    /// The pull page the batch asked for ([`PushBatchV2::then_pull`]), from a server of
    /// protocol 3: never in JSON (such answers are [`PushAnswer`]s).
    #[serde(skip)]
    pub page: Option<PullPage>,
}

/// A pull response body (postcard): envelopes after the cursor, other devices' only.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PullPage {
    pub envelopes: Vec<Vec<u8>>,
    /// Cursor to ask from next time.
    pub next: u64,
    /// Whether more is waiting after `next`.
    pub more: bool,
    // Protocol 2 (issue 17), after the first fields so a device of protocol 1 reads the page
    // as before (postcard ignores what follows).
    /// The stream's identity (the store's generation).
    pub generation: [u8; 16],
    /// The stream's last sequence number.
    pub head: u64,
    /// The operation at `next` (`None`: none there, or erased), for the device to hand back
    /// as `at` with its next pull.
    pub next_op: Option<Id16>,
    /// The stream no longer holds what the device read at its cursor (or its cursor is beyond
    /// the stream's end): the store was rolled back. Nothing else is in this page.
    pub rewound: bool,
    // Protocol 3 (issue 20), after the fields of protocol 2 for the same reason.
    /// The team's current key epoch: a tablet that kept its token from an earlier sync (and
    /// so did not log in) learns of a rotation here, as it would have at login.
    pub team_epoch: u32,
    /// How many statements the team's signed device list holds: a tablet holding fewer
    /// fetches the list before it applies the page (a new device, a revocation).
    pub roster_len: u32,
    /// What the server holds of the asking device, when the pull asked for it (`standing`):
    /// what a login says, for a tablet that did not log in.
    pub standing: Option<Standing>,
    /// In a pull of one priority class (`PullAsk::class`): how many operations of other
    /// classes this page stepped over, which a later pass serves (issue 20).
    pub deferred: u64,
    /// The class this page holds (`None`: every class): what the pull asked, as the server
    /// understood it.
    pub class: Option<u8>,
}

/// What the server holds of the asking device: what [`TokenResponse`] says as `own` and
/// `erased_for_me`, so a tablet that kept its token still notices a server that lost its work
/// or its erasures (ADR 0016, 2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub own: Vec<(u64, u64)>,
    pub erased_for_me: u64,
}

/// The fields of [`PullPage`] a server of protocol 2 sends.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PullPageV2 {
    pub envelopes: Vec<Vec<u8>>,
    pub next: u64,
    pub more: bool,
    pub generation: [u8; 16],
    pub head: u64,
    pub next_op: Option<Id16>,
    pub rewound: bool,
}

/// The first fields of [`PullPage`], as a server of protocol 1 sends them.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PullPageV1 {
    pub envelopes: Vec<Vec<u8>>,
    pub next: u64,
    pub more: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeviceInfo {
    pub id: Id16,
    pub role: Role,
    pub revoked: bool,
    pub enrolled_ms: u64,
    pub last_seen_ms: Option<u64>,
    /// The device's X25519 public key, to wrap a new team key for it.
    pub kx_pk: Bytes,
    /// What it said of itself at its last login (the fleet view).
    #[serde(default)]
    pub report: Option<DeviceReport>,
}

/// Every refusal's body: a code a client can branch on and a sentence a person can read.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    /// This device was revoked: it must stop and wipe itself.
    Revoked,
    Forbidden,
    NotFound,
    TooLarge,
    RateLimited,
    /// The invitation or bootstrap code is unknown, used or expired.
    InvalidCode,
    Conflict,
    /// Sealed under a team key epoch older than the team's current one: fetch the new key
    /// (`/v1/keys`), re-seal, push again.
    StaleEpoch,
    /// The device's protocol is older than this server serves: update the app (nothing on the
    /// device is lost: it syncs once updated).
    UpdateRequired,
    /// The device has had more stored than the server keeps for one device (its pushes), or
    /// its team holds as many waiting invitations as the server allows: nothing of the
    /// request was stored; the device keeps its work and tells the person to ask the
    /// administrator (ADR 0027).
    QuotaExceeded,
    Internal,
}

#[cfg(test)]
mod own_ranges_tests {
    use super::*;

    #[test]
    fn ranges_of_own_numbers_read_back_and_garbage_is_refused() {
        let r = vec![(1, 5), (9, 9), (12, u64::MAX)];
        assert_eq!(own_ranges_from_query(&own_ranges_to_query(&r)), Some(r));
        for bad in [
            "",
            "5",
            "5-",
            "-5",
            "9-1",
            "1-2,,3-4",
            "a-b",
            "1-2;3-4",
            "18446744073709551616-1",
        ] {
            assert_eq!(own_ranges_from_query(bad), None, "{bad}");
        }
        let too_many: Vec<(u64, u64)> = (0..=MAX_OWN_RANGES as u64).map(|n| (n, n)).collect();
        assert_eq!(own_ranges_from_query(&own_ranges_to_query(&too_many)), None);
    }
}
