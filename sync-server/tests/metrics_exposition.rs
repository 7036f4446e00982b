//! What `/metrics` serves Prometheus, against a golden copy taken from the hand-written
//! exposition before `prometheus-client` replaced it (`tests/golden/metrics.prom`): a
//! dashboard or an alert built on these names, labels and values must keep working whatever
//! writes the text.
//!
//! What changed, and why it is the same to Prometheus: the text is now OpenMetrics (served as
//! `application/openmetrics-text`, which Prometheus asks for first). Its `# HELP` and `# TYPE`
//! lines name a counter's family without `_total` (the samples keep it), and it ends with
//! `# EOF`; the request lines come in no fixed order. Every sample (name, labels, value) is
//! the golden one.

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
    m.ops_stored.inc_by(7);
    m.ops_duplicate.inc_by(2);
    m.ops_served.inc_by(11);
    m.bytes_in.inc_by(4_096);
    m.bytes_out.inc_by(1 << 33);
    m.rate_limited.inc();
    m
}

fn golden() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/metrics.prom"
    ))
    .unwrap()
}

/// The samples of an exposition, sorted: what Prometheus stores.
fn samples(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    out.sort();
    out
}

/// Each family's help and type, as OpenMetrics names them (without `_total`).
fn metadata(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("# HELP ") || l.starts_with("# TYPE "))
        .map(|l| l.replacen("_total ", " ", 1))
        .collect();
    out.sort();
    out
}

/// If this failed, the operator's Prometheus dashboards and alerts (requests refused, rate
/// limits hit, operations relayed) would go blank or wrong after an upgrade.
#[test]
fn the_metrics_carry_the_golden_samples_and_help() {
    let text = traffic().render();
    let golden = golden();
    assert_eq!(samples(&text), samples(&golden), "{text}");
    assert_eq!(metadata(&text), metadata(&golden), "{text}");
    assert!(
        text.ends_with("# EOF\n"),
        "a complete OpenMetrics exposition"
    );
    assert_eq!(text.lines().count(), golden.lines().count() + 1);
}

/// If this failed, two servers in one process (or a restarted state) would report each
/// other's traffic: each state counts its own.
#[test]
fn each_server_state_counts_its_own_traffic() {
    let a = traffic();
    let b = komora_sync_server::metrics::Metrics::default();
    b.request("/v1/pull", 200);
    assert!(samples(&b.render())
        .contains(&"komora_requests_total{route=\"/v1/pull\",status=\"200\"} 1"));
    assert!(samples(&b.render()).contains(&"komora_ops_stored_total 0"));
    assert!(samples(&a.render()).contains(&"komora_ops_stored_total 7"));
}
