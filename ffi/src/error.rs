//! The errors Kotlin sees: a small sealed hierarchy (`KomoraException.WrongPin`, ...) the UI can
//! branch on. Messages name fields and rules, never a value, a key or a PIN.

use komora_core::{Error, RecordId};

#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KomoraError {
    #[error("wrong PIN")]
    WrongPin,
    #[error("too many wrong PINs: wait before trying again")]
    LockedOut { retry_after_ms: i64, failures: i32 },
    #[error("too many wrong PINs: the vault was erased, as the administrator's policy asks")]
    ErasedAfterFailures,
    #[error("this vault needs the device's platform key, which is not available")]
    PlatformKeyUnavailable,
    #[error("the platform key store failed")]
    PlatformKey { reason: String },
    #[error("no vault here")]
    NoVault,
    #[error("a vault already exists here")]
    VaultExists,
    #[error("the vault is closed")]
    Closed,
    #[error("this device is not enrolled with a sync server")]
    NotEnrolled,
    #[error("this device has been revoked by an administrator{}", if *erased { "; its vault was erased" } else { "; erasing its vault failed: uninstall the app" })]
    Revoked { erased: bool },
    /// The server says this tablet was revoked but no administrator's signature proves it:
    /// nothing was erased (a lying or broken server). Tell the administrator.
    #[error("the server says this tablet was revoked, but no administrator signed that: nothing was erased")]
    RevocationUnproven,
    /// This tablet was handed back: it records nothing new.
    #[error("this tablet was handed back: it records nothing new")]
    HandedBack,
    #[error("the enrolment code is unknown, used or expired")]
    InvalidCode,
    #[error("not allowed: {reason}")]
    Forbidden { reason: String },
    #[error("{what} is corrupted or has been tampered with")]
    Corrupt { what: String },
    #[error("{field}: {reason}")]
    Validation { field: String, reason: String },
    #[error("the client withdrew consent to {scope}")]
    ConsentWithdrawn { scope: String },
    #[error("no record with that id")]
    NotFound { id: RecordId },
    #[error("network: {reason}")]
    Network { reason: String },
    /// The server's key is not the one this tablet was enrolled with (or its enrolment link
    /// names): maybe an impostor. Nothing was sent or changed.
    #[error("the server's certificate is not the one this tablet was enrolled with: it may be an impostor; ask your administrator")]
    UntrustedServer,
    #[error("storage: {reason}")]
    Storage { reason: String },
    #[error("the tablet's storage is full; nothing was saved")]
    StorageFull,
    #[error("the vault's storage cannot be written; nothing was saved")]
    ReadOnly,
    #[error("the vault was written by a newer version of Komora; update the app")]
    TooNew,
    /// The server or the team needs a newer app: update it. Nothing on the tablet is lost;
    /// what it held was sent where it could be.
    #[error(
        "this app is too old for the server or the team: update it; nothing on the tablet is lost"
    )]
    UpdateRequired,
    #[error("internal error: {reason}")]
    Internal { reason: String },
}

/// Every public variant of the core's `Error` is named here, and no arm catches "the rest": a
/// variant added to the core fails to compile until someone decides what Kotlin shows for it,
/// instead of reaching the screens as "internal error". The lint keeps a wildcard arm out.
impl From<Error> for KomoraError {
    #[deny(clippy::wildcard_enum_match_arm)]
    fn from(e: Error) -> Self {
        match e {
            Error::WrongPassphrase => KomoraError::WrongPin,
            Error::LockedOut {
                retry_after_ms,
                failures,
            } => KomoraError::LockedOut {
                retry_after_ms: i64::try_from(retry_after_ms).unwrap_or(i64::MAX),
                failures: i32::try_from(failures).unwrap_or(i32::MAX),
            },
            Error::ErasedAfterFailures => KomoraError::ErasedAfterFailures,
            Error::PlatformKeyUnavailable => KomoraError::PlatformKeyUnavailable,
            Error::PlatformKey(reason) => KomoraError::PlatformKey { reason },
            Error::VaultNotFound(_) => KomoraError::NoVault,
            Error::VaultExists(_) => KomoraError::VaultExists,
            Error::NotEnrolled => KomoraError::NotEnrolled,
            Error::Locked => KomoraError::Closed,
            e @ Error::InUse => KomoraError::Storage {
                reason: e.to_string(),
            },
            // The core erased the vault before saying so; `KomoraVault::remote` drops it and
            // checks that its files are gone.
            Error::Revoked => KomoraError::Revoked { erased: false },
            Error::RevocationUnproven => KomoraError::RevocationUnproven,
            Error::HandedBack => KomoraError::HandedBack,
            Error::InvalidCode => KomoraError::InvalidCode,
            Error::Forbidden(reason) => KomoraError::Forbidden { reason },
            Error::Unauthenticated => KomoraError::Forbidden {
                reason: "the server did not accept this device's login".into(),
            },
            Error::Corrupted { what } => KomoraError::Corrupt { what: what.into() },
            Error::TooLarge { what, .. } => KomoraError::Corrupt { what: what.into() },
            // Only a newer app writes with a dictionary this one lacks.
            Error::UnknownDictionary(_) => KomoraError::UpdateRequired,
            Error::NotABatch => KomoraError::Corrupt {
                what: "the file".into(),
            },
            Error::TooNew { .. } => KomoraError::TooNew,
            Error::Validation { field, reason } => KomoraError::Validation {
                field: field.into(),
                reason,
            },
            Error::UnknownField(field) => KomoraError::Validation {
                field,
                reason: "unknown field".into(),
            },
            Error::InvalidId { what } => KomoraError::Validation {
                field: "id".into(),
                reason: format!("not a valid {what}"),
            },
            Error::ConsentWithdrawn { scope } => KomoraError::ConsentWithdrawn { scope },
            // A standing objection refuses like a permission the client did not give.
            e @ Error::Objected { .. } => KomoraError::Forbidden {
                reason: e.to_string(),
            },
            Error::NotFound(id) => KomoraError::NotFound { id },
            Error::Network(reason) | Error::Server(reason) => KomoraError::Network { reason },
            Error::UntrustedServer => KomoraError::UntrustedServer,
            Error::PlainHttp => KomoraError::Validation {
                field: "server".into(),
                reason: Error::PlainHttp.to_string(),
            },
            Error::RateLimited => KomoraError::Network {
                reason: "the server asks to slow down".into(),
            },
            Error::Storage(reason) => KomoraError::Storage { reason },
            Error::DiskFull => KomoraError::StorageFull,
            Error::ReadOnly => KomoraError::ReadOnly,
            Error::Io { reason, .. } => KomoraError::Storage { reason },
            Error::UnknownKeyEpoch(_) => KomoraError::Corrupt {
                what: "a team key".into(),
            },
            Error::Tampered { what } => KomoraError::Corrupt { what: what.into() },
            // Every variant named: a new one must be given its own meaning here, never turned
            // silently into "internal error".
            Error::UpdateRequired => KomoraError::UpdateRequired,
        }
    }
}

/// A Kotlin callback (the platform key, the sync listener) that threw something it did not
/// declare.
impl KomoraError {
    /// A panic inside the core, caught at the boundary: a fixed sentence (a panic's own
    /// message could hold anything, a record's content included).
    pub(crate) fn stopped() -> Self {
        KomoraError::Internal {
            reason: "the core stopped unexpectedly; nothing was changed".into(),
        }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KomoraError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        KomoraError::Internal { reason: e.reason }
    }
}

pub type Result<T, E = KomoraError> = std::result::Result<T, E>;
