//! Prometheus text metrics: request counts by route and status, operations and bytes relayed.
//! Nothing here can identify a person: routes are templates, never paths with ids.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    pub ops_stored: AtomicU64,
    pub ops_duplicate: AtomicU64,
    pub ops_served: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub rate_limited: AtomicU64,
}

impl Metrics {
    pub fn request(&self, route: &str, status: u16) {
        let mut r = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *r.entry((route.to_owned(), status)).or_default() += 1;
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP komora_requests_total HTTP requests by route template and status.\n");
        out.push_str("# TYPE komora_requests_total counter\n");
        for ((route, status), n) in self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "komora_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        for (name, help, c) in [
            (
                "komora_ops_stored_total",
                "Operations stored.",
                &self.ops_stored,
            ),
            (
                "komora_ops_duplicate_total",
                "Operations pushed again and ignored.",
                &self.ops_duplicate,
            ),
            (
                "komora_ops_served_total",
                "Operations sent in pull pages.",
                &self.ops_served,
            ),
            (
                "komora_bytes_in_total",
                "Envelope bytes received.",
                &self.bytes_in,
            ),
            (
                "komora_bytes_out_total",
                "Envelope bytes sent.",
                &self.bytes_out,
            ),
            (
                "komora_rate_limited_total",
                "Requests refused by rate limits.",
                &self.rate_limited,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                c.load(Ordering::Relaxed)
            );
        }
        out
    }
}
