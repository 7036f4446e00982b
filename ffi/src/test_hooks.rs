//! What only the binding tests need (feature `test-hooks`, never in device builds): the core's
//! clock moved to a fixed morning, so that every date on the screens is the same from one run
//! to the next and the pictures in docs/screens/ are reproducible (time still runs from that
//! morning, so the order of operations and the sync's timing stay real), and a deliberate
//! panic. The tests' cheap key derivation is refused elsewhere without it (`vault.rs`).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use komora_core as core;
use komora_core::TimeSource as _;

/// Milliseconds to add to the system clock (0: the real time).
static OFFSET_MS: AtomicI64 = AtomicI64::new(0);

/// Milliseconds the tablets' clocks run ahead of the shifted time, the servers' dates not
/// (0: none): a tablet whose year was typed wrong.
static AHEAD_MS: AtomicI64 = AtomicI64::new(0);

struct Shifted;

impl core::TimeSource for Shifted {
    fn now_ms(&self) -> u64 {
        let real = core::SystemClock.now_ms() as i64;
        real.saturating_add(OFFSET_MS.load(Ordering::Relaxed))
            .saturating_add(AHEAD_MS.load(Ordering::Relaxed))
            .max(0) as u64
    }

    /// A server's date, by the real time, reads shifted like the rest (the test server's
    /// clock is the machine's).
    fn reading_of(&self, real_ms: u64) -> u64 {
        (real_ms as i64)
            .saturating_add(OFFSET_MS.load(Ordering::Relaxed))
            .max(0) as u64
    }
}

/// The clock every vault uses in the build with `test-hooks`: the system's, shifted.
pub(crate) fn time_source() -> Arc<dyn core::TimeSource> {
    Arc::new(Shifted)
}

/// Move the core's clock so that it reads `start_ms` (ms since 1970) now and runs on from
/// there, for every vault of this process; `None` goes back to the real time.
#[uniffi::export]
pub fn set_clock_for_tests(start_ms: Option<i64>) {
    let offset = start_ms.map_or(0, |s| s - core::SystemClock.now_ms() as i64);
    OFFSET_MS.store(offset, Ordering::Relaxed);
}

/// Make every tablet's clock run `ahead_ms` ahead of the time set above while the servers'
/// dates keep it (a year typed wrong by hand); 0 ends it.
#[uniffi::export]
pub fn set_clock_ahead_for_tests(ahead_ms: i64) {
    AHEAD_MS.store(ahead_ms, Ordering::Relaxed);
}

/// For the binding tests only: `thief` signs changes of its own, genuinely, under the ids of
/// `victim`'s changes it does not hold yet, and queues them for its next sync (what a stolen
/// tablet does to squat a colleague's work, ADR 0027). Each is a new healing group of the
/// thief's. Returns how many ids it squats. Not in device builds (feature `test-hooks`).
#[uniffi::export]
pub fn squat_for_tests(
    thief: Arc<crate::KomoraVault>,
    victim: Arc<crate::KomoraVault>,
) -> crate::Result<u32> {
    let held = thief.with(|v| Ok(v.summary()?))?;
    let hers = victim.with(|v| Ok(v.ops_missing_from(&held)?))?;
    thief.with(|v| {
        for env in &hers {
            let group = core::RecordId::random();
            let own = v.forge_record_at(group, "group", "kind", "healing-group")?;
            let (squat, _) = v.reissue_under_id(&own, env.op_id())?;
            v.smuggle(&squat)?;
        }
        Ok(hers.len() as u32)
    })
}

/// For the binding tests only: panics inside Rust, to prove a panic reaches Kotlin as an
/// exception and the JVM survives. Not in device builds (feature `test-hooks`).
#[uniffi::export]
pub fn panic_for_tests() {
    panic!("a deliberate panic for the binding tests");
}
