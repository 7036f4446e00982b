//! How much to send or ask for in one request, from how fast the link has proved to be.
//!
//! On 2G and GPRS (20-50 kbit/s) a request of 512 KiB takes 80 s to 3 minutes. Two things go
//! wrong with fixed sizes there (measured in docs/perf/low-bandwidth.md): a request longer
//! than the HTTP client's limit never arrives, however often it is tried, so a tablet on GPRS
//! could never push; and a cut loses the whole request in flight. So every push batch and pull
//! page is sized to take about [`SyncOptions::request_target`] on the link measured so far:
//! it starts small, doubles while requests come back quickly, shrinks in proportion when one
//! takes too long, and halves when one fails.
//!
//! [`SyncOptions::request_target`]: super::SyncOptions::request_target

use std::time::Duration;

/// The size of the first request of a sync: about 10 s at 50 kbit/s.
const FIRST_REQUEST_BYTES: usize = 64 * 1024;
/// Never smaller than this (a few seconds even on GPRS), unless the options ask for less.
const SMALLEST_REQUEST_BYTES: usize = 8 * 1024;

#[derive(Clone, Debug)]
pub(crate) struct Pacer {
    budget: usize,
    min: usize,
    max: usize,
    target: Duration,
}

impl Pacer {
    /// `max` is the largest request the options allow.
    pub(crate) fn new(max: usize, target: Duration) -> Self {
        let max = max.max(1);
        Self {
            budget: FIRST_REQUEST_BYTES.min(max),
            min: SMALLEST_REQUEST_BYTES.min(max),
            max,
            target,
        }
    }

    /// Bytes for the next request.
    pub(crate) fn budget(&self) -> usize {
        self.budget
    }

    /// A request carried `bytes` and took `took` from send to answer.
    pub(crate) fn succeeded(&mut self, bytes: usize, took: Duration) {
        if took > self.target {
            // Slower than wanted: what this link carries in the target time.
            let fitted = (bytes as f64 * self.target.as_secs_f64() / took.as_secs_f64()) as usize;
            self.budget = fitted.clamp(self.min, self.max);
        } else if took < self.target / 2 && bytes * 2 >= self.budget {
            // A full request came back quickly: the link can take more. (A short one, the
            // last of a sync, says little about the link: round trips dominate it.)
            self.budget = self.budget.saturating_mul(2).min(self.max);
        }
    }

    /// A request failed on the network (cut, timed out): the next is half as big.
    pub(crate) fn failed(&mut self) {
        self.budget = (self.budget / 2).max(self.min);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: Duration = Duration::from_secs(20);

    #[test]
    fn a_fast_link_grows_requests_to_the_largest_allowed() {
        let mut p = Pacer::new(512 * 1024, TARGET);
        assert_eq!(p.budget(), 64 * 1024);
        for _ in 0..5 {
            let b = p.budget();
            p.succeeded(b, Duration::from_millis(40));
        }
        assert_eq!(p.budget(), 512 * 1024);
    }

    #[test]
    fn a_gprs_link_gets_requests_that_fit_the_target_time() {
        // 20 kbit/s (GPRS): 2,500 bytes a second, so 50,000 bytes in 20 s.
        let mut p = Pacer::new(512 * 1024, TARGET);
        let b = p.budget();
        p.succeeded(b, Duration::from_secs_f64(b as f64 / 2500.0));
        assert!((49_000..=51_000).contains(&p.budget()), "{}", p.budget());
        // Once fitted, it stays put.
        let b = p.budget();
        p.succeeded(b, Duration::from_secs_f64(b as f64 / 2500.0));
        assert!((49_000..=51_000).contains(&p.budget()), "{}", p.budget());
    }

    #[test]
    fn failures_halve_requests_down_to_a_floor_and_a_short_last_request_changes_nothing() {
        let mut p = Pacer::new(512 * 1024, TARGET);
        for _ in 0..10 {
            p.failed();
        }
        assert_eq!(p.budget(), SMALLEST_REQUEST_BYTES);
        let mut q = Pacer::new(512 * 1024, TARGET);
        q.succeeded(300, Duration::from_millis(5));
        assert_eq!(q.budget(), 64 * 1024);
    }

    #[test]
    fn options_asking_for_tiny_pages_are_obeyed() {
        let mut p = Pacer::new(1024, TARGET);
        assert_eq!(p.budget(), 1024);
        p.failed();
        assert_eq!(p.budget(), 1024);
    }
}
