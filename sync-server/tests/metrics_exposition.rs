//! What `/metrics` serves Prometheus, against a golden copy taken from the hand-written
//! exposition (`tests/golden/metrics.prom`): a dashboard or an alert built on these names,
//! labels and values must keep working whatever writes the text.

use komora_sync_server::metrics::Metrics;

/// The same traffic every time: requests by route template and status, and each counter.
fn traffic() -> Metrics {
    let m = Metrics::default();
    for _ in 0..3 {
        m.request("/v1/push", 200);
    }
    m.request("/v1/push", 400);
    m.request("/v1/pull", 200);
    m.request("/v1/devices/{id}/revoke", 200);
    m.request("unmatched", 404);
    m.request("/v1/auth/token", 429);
    Metrics::add(&m.ops_stored, 7);
    Metrics::add(&m.ops_duplicate, 2);
    Metrics::add(&m.ops_served, 11);
    Metrics::add(&m.bytes_in, 4_096);
    Metrics::add(&m.bytes_out, 1 << 33);
    Metrics::add(&m.rate_limited, 1);
    m
}

fn golden() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/metrics.prom"
    ))
    .unwrap()
}

/// If this failed, the operator's Prometheus dashboards and alerts (requests refused, rate
/// limits hit, operations relayed) would go blank or wrong after an upgrade.
#[test]
fn the_metrics_text_is_the_golden_one() {
    let text = traffic().render();
    assert_eq!(text, golden());
}
