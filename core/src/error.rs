//! The one public error type. Every message is written for the person who reads it and never
//! carries a field value, a key or a passphrase: only which field and why.

use std::path::PathBuf;

/// Why a record or an operation was refused or could not be read: what a person reads. What
/// only the sync engine decides on (an author not in the list yet: fetch it; a push sealed
/// under a key the team has left: re-seal) is not here but internal to the engine
/// (`store::Applied`, the push's answer), so it never reaches a screen (issue 19, item 4).
/// Not `non_exhaustive` on purpose: a new variant must be given its meaning where errors are
/// shown (the FFI's mapping names every one), not fall into a catch-all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("too many wrong attempts: try again in {} s", retry_after_ms.div_ceil(1000))]
    LockedOut { retry_after_ms: u64, failures: u32 },
    #[error("too many wrong attempts: the vault was erased, as the administrator's policy asks")]
    ErasedAfterFailures,
    #[error("no vault at {0}")]
    VaultNotFound(PathBuf),
    #[error("a vault already exists at {0}")]
    VaultExists(PathBuf),
    #[error("this vault needs the device's platform key, which is not available")]
    PlatformKeyUnavailable,
    #[error("the platform key store failed: {0}")]
    PlatformKey(String),
    #[error("{what} is corrupted or has been tampered with")]
    Corrupted { what: &'static str },
    /// A compressed body or part that would expand past the size limit (a decompression
    /// bomb): refused before it is expanded, nothing applied.
    #[error("{what} would expand past {limit} bytes once decompressed: refused")]
    TooLarge { what: &'static str, limit: usize },
    /// A body compressed with a dictionary this app does not hold: a newer app wrote it.
    #[error("an operation was compressed with dictionary {0}, which this app does not have: update Komora")]
    UnknownDictionary(u8),
    #[error("the vault was written by a newer version of Komora (format {found}); update the app")]
    TooNew { found: u32 },
    #[error("no record with id {0}")]
    NotFound(crate::RecordId),
    #[error("that is not a valid {what}")]
    InvalidId { what: &'static str },
    #[error("the client withdrew consent to {scope}: nothing new can be recorded under it")]
    ConsentWithdrawn { scope: String },
    /// The client objected to this processing purpose (Law N° 058/2021) and the objection
    /// stands: nothing is done for it.
    #[error("the client objected to {purpose}: it is not done for them")]
    Objected { purpose: String },
    #[error("{field}: {reason}")]
    Validation { field: &'static str, reason: String },
    #[error("unknown field '{0}'")]
    UnknownField(String),
    #[error("the team key for epoch {0} is not on this device")]
    UnknownKeyEpoch(u32),
    #[error("the data is not a Komora operation batch")]
    NotABatch,
    #[error("storage failed: {0}")]
    Storage(String),
    /// The tablet's storage has no room left: the save was undone whole.
    #[error("the tablet's storage is full: free some space, then save again; nothing was saved")]
    DiskFull,
    /// The storage holding the vault cannot be written (a failing card, a read-only mount).
    #[error("the vault's storage cannot be written at the moment; nothing was saved")]
    ReadOnly,
    #[error("this device is not enrolled with a sync server")]
    NotEnrolled,
    /// An administrator revoked this device, as the team's signed device list proves: the
    /// vault has been erased (keys first).
    #[error("this device has been revoked by an administrator; it can no longer sync")]
    Revoked,
    /// The server says this device was revoked but shows no administrator's signature for it:
    /// nothing was erased or changed, and the sync stopped.
    #[error("the server says this tablet was revoked, but no administrator signed that: nothing was erased; tell your administrator")]
    RevocationUnproven,
    /// The server serves only newer apps: update Komora. Nothing on the tablet was lost; it
    /// syncs once updated.
    #[error("this app is too old for the server: update Komora (nothing on this tablet was lost)")]
    UpdateRequired,
    /// This tablet was handed back: it records nothing new (its last operation was signed).
    #[error(
        "this tablet was handed back: it records nothing new; an administrator will revoke it"
    )]
    HandedBack,
    #[error("the code is unknown, already used or expired: ask for a new one")]
    InvalidCode,
    #[error("the server did not accept this device's login")]
    Unauthenticated,
    #[error("the server asks to slow down: try again in a minute")]
    RateLimited,
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("network: {0}")]
    Network(String),
    /// A server address over plain HTTP to another machine, refused before any connection.
    #[error("plain http:// is refused: records would cross the network readable; use https://")]
    PlainHttp,
    /// The server's certificate key is not the one pinned at enrolment (ADR 0014).
    #[error("the server's certificate is not the one this tablet was enrolled with: it may be an impostor; ask your administrator")]
    UntrustedServer,
    #[error("the server refused: {0}")]
    Server(String),
    #[error("the server sent {what}: the team's signed device list does not allow it; nothing was changed (tell your administrator)")]
    Tampered { what: &'static str },
    #[error("file access failed at {path}: {reason}")]
    Io { path: PathBuf, reason: String },
    /// The vault was locked while a long exchange (a sync) was between two steps.
    #[error("the vault was locked")]
    Locked,
    /// Another program (another `komora` command, the app) has this vault open: two openings
    /// would number this device's changes twice over, and the team would lose some.
    #[error("this vault is open in another program (another komora command, or the app): close it, then try again; nothing was changed")]
    InUse,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn validation(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Validation {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        use std::io::ErrorKind;
        match err.kind() {
            ErrorKind::StorageFull | ErrorKind::FileTooLarge | ErrorKind::QuotaExceeded => {
                Error::DiskFull
            }
            ErrorKind::ReadOnlyFilesystem => Error::ReadOnly,
            kind => Error::Io {
                path: path.into(),
                reason: kind.to_string(),
            },
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        // SQLite's messages name tables and constraints, never bound values: safe to keep.
        match err {
            rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::NotADatabase => {
                Error::Corrupted {
                    what: "the vault database",
                }
            }
            rusqlite::Error::SqliteFailure(e, _)
                if e.code == rusqlite::ErrorCode::DatabaseCorrupt =>
            {
                Error::Corrupted {
                    what: "the vault database",
                }
            }
            rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::DiskFull => {
                Error::DiskFull
            }
            rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::ReadOnly => {
                Error::ReadOnly
            }
            other => Error::Storage(other.to_string()),
        }
    }
}

impl From<rusqlite::types::FromSqlError> for Error {
    fn from(_: rusqlite::types::FromSqlError) -> Self {
        Error::Corrupted {
            what: "the vault database",
        }
    }
}
