//! Helpers for the scenario tests: hand-set clocks, replica exchange, snapshots and a small
//! deterministic random source.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use komora_core::{ApplyReport, Client, KdfParams, TimeSource, Vault, VaultOptions};

/// Nov 29 2026, 08:00 UTC: a morning in the field.
pub const MORNING_MS: u64 = 1_795_939_200_000;

/// A clock the test moves by hand. Share one between replicas, or give each its own offset.
#[derive(Debug)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    pub fn at(ms: u64) -> Arc<Self> {
        Arc::new(Self(AtomicU64::new(ms)))
    }

    pub fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl TimeSource for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Options for a vault on disk that unlocks fast (tests only: the KDF cost is tiny).
pub fn fast_options() -> VaultOptions {
    VaultOptions { kdf: KdfParams::INSECURE_FOR_TESTS, ..VaultOptions::default() }
}

/// Send `to` everything `from` has that `to` lacks, the way sync or a file transfer would.
pub fn send(from: &Vault, to: &mut Vault) -> ApplyReport {
    let missing = from.ops_missing_from(&to.summary().unwrap()).unwrap();
    let report = to.apply_ops(&missing).unwrap();
    assert!(report.rejected.is_empty(), "ops refused: {:?}", report.rejected);
    report
}

/// Both ways.
pub fn exchange(a: &mut Vault, b: &mut Vault) {
    send(a, b);
    send(b, a);
}

/// Everything a user could see of a replica's clients, for comparing replicas.
pub fn snapshot(v: &Vault) -> Vec<Client> {
    let listing = v.clients().unwrap();
    assert!(listing.unreadable.is_empty());
    listing.items
}

/// xorshift64*: reproducible randomness without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i as u64 + 1) as usize);
        }
    }
}
