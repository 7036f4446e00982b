//! # komora-ffi
//!
//! Every uniffi export of Komora, and nothing else: the core stays free of uniffi. Kotlin sees
//! [`KomoraVault`] (an `AutoCloseable` object: close it, or use `use {}`), plain records, a
//! sealed `KomoraException` hierarchy, and two callback interfaces it implements:
//! [`PlatformKey`] (the Android Keystore wraps the vault key) and [`SyncListener`] (progress,
//! turned into a `Flow` by the hand-written Kotlin layer).
//!
//! Slow work (the KDF when creating or opening a vault, sync, reports) is `suspend` in Kotlin
//! and runs on a worker thread (`task.rs`). Quick reads and saves are plain calls: a save is
//! one SQLite transaction, well under a frame. A panic inside Rust reaches Kotlin as an
//! exception and the JVM carries on.
//!
//! One file per concept, each with its records and its own `#[uniffi::export] impl
//! KomoraVault` block: `vault.rs` (the object, its PIN and platform key), `enrolment.rs`,
//! `team.rs`, `devices.rs`, `fleet.rs`, `sync.rs`, `clients.rs`, `erasure.rs`,
//! `household.rs`, `cases.rs`, `sessions.rs`, `measures.rs`, `instruments.rs`, `lists.rs`,
//! `consent.rs`, `referrals.rs`, `groups.rs`, `reviews.rs`, `reports.rs`, `exports.rs`,
//! `rights.rs`, `drafts.rs`, `places.rs`, `practice.rs`. `convert.rs` says how plain values
//! cross; `error.rs` maps the core's errors.

/// Kotlin prints a data class with every field (in logs, crash reports, `"got $x"`): records
/// that hold a person's data or a secret print their type only, like the core's `Debug`.
macro_rules! redacted_debug {
    ($($t:ident),* $(,)?) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), "([redacted])"))
            }
        }
    )*};
}

mod abilities;
mod cases;
mod clients;
mod consent;
mod contested;
mod convert;
mod devices;
mod drafts;
mod enrolment;
mod erasure;
mod error;
mod exports;
mod fleet;
mod groups;
mod household;
mod instruments;
mod lists;
mod measures;
mod places;
mod practice;
mod referrals;
mod reports;
mod reviews;
mod rights;
mod sessions;
mod sync;
mod task;
mod team;
#[cfg(feature = "test-hooks")]
mod test_hooks;
mod vault;

pub use cases::*;
pub use clients::*;
pub use consent::*;
pub use contested::*;
pub use devices::*;
pub use drafts::*;
pub use enrolment::*;
pub use erasure::*;
pub use error::{KomoraError, Result};
pub use exports::*;
pub use fleet::*;
pub use groups::*;
pub use household::*;
pub use instruments::*;
pub use lists::*;
pub use measures::*;
pub use places::*;
pub use practice::*;
pub use referrals::*;
pub use reports::*;
pub use reviews::*;
pub use rights::*;
pub use sessions::*;
pub use sync::*;
pub use team::*;
#[cfg(feature = "test-hooks")]
pub use test_hooks::*;
pub use vault::*;

uniffi::setup_scaffolding!();
