//! Rate limits (token buckets) against guessing codes and hammering logins, per client address
//! and per device. Kept in memory per server process: behind a load balancer each process
//! limits on its own.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Token buckets by key: a client address, or a device id.
pub struct RateLimiter<K = IpAddr> {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

impl<K: Hash + Eq + Copy> RateLimiter<K> {
    /// `per_minute` requests a minute on average, up to `burst` at once.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        Self {
            burst: burst as f64,
            per_second: per_minute as f64 / 60.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Take one token for `addr`; false when it must wait.
    pub fn allow(&self, addr: K) -> bool {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 100_000 {
            // Forget full buckets so memory stays bounded under a spray of addresses.
            let burst = self.burst;
            let rate = self.per_second;
            buckets.retain(|_, (tokens, at)| *tokens + at.elapsed().as_secs_f64() * rate < burst);
        }
        let (tokens, at) = buckets.entry(addr).or_insert((self.burst, now));
        *tokens =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_address_waits_while_others_do_not() {
        let l: RateLimiter = RateLimiter::new(6, 3);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert!((0..3).all(|_| l.allow(a)));
        assert!(!l.allow(a));
        assert!(l.allow(b));
    }
}
