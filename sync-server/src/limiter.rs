//! Rate limits against guessing codes and hammering logins, per client address and per device:
//! `governor`'s keyed limiter (GCRA: a token bucket kept as one timestamp per key). Kept in
//! memory per server process: behind a load balancer each process limits on its own.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota};

/// Past this many keys, the limiter forgets those whose bucket is full again (a spray of
/// made-up addresses must not grow the server's memory without end).
const FORGET_ABOVE: usize = 100_000;

/// How often (in requests) a limiter past `FORGET_ABOVE` looks for keys to forget: a look
/// walks every key, so it is not done on every request.
const FORGET_EVERY: u64 = 4_096;

/// "Never" for a limit of 0 a minute: the burst, then nothing for a century.
const NEVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Rate limits by key: a client address, or a device id.
pub struct RateLimiter<K: Hash + Eq + Clone = IpAddr> {
    inner: DefaultKeyedRateLimiter<K>,
    requests: AtomicU64,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// `per_minute` requests a minute on average, up to `burst` (at least 1) at once. A limit
    /// of 0 lets the burst through once, and nothing after.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = match NonZeroU32::new(per_minute) {
            Some(n) => Quota::per_minute(n),
            // The whole burst comes back after a century: one try every century / burst (a
            // century for each of a burst overflows the limiter's count of nanoseconds).
            None => Quota::with_period(NEVER / burst.get()).expect("a century is not zero"),
        };
        Self {
            inner: governor::RateLimiter::keyed(quota.allow_burst(burst)),
            requests: AtomicU64::new(0),
        }
    }

    /// Take one try for `key`; false when it must wait.
    pub fn allow(&self, key: K) -> bool {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        if n.is_multiple_of(FORGET_EVERY) && self.inner.len() > FORGET_ABOVE {
            // Only keys whose bucket is full again: a limited key keeps waiting.
            self.inner.retain_recent();
            self.inner.shrink_to_fit();
        }
        self.inner.check_key(&key).is_ok()
    }
}
