//! Prometheus metrics: request counts by route and status, operations and bytes relayed,
//! written in the OpenMetrics text format by `prometheus-client`, the Prometheus project's own
//! Rust client. Each server state owns its registry: no global recorder, so several servers in
//! one process (the tests) keep their counts apart. Nothing here can identify a person:
//! routes are templates, never paths with ids, and statuses are numbers.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

/// The content type of what [`Metrics::render`] writes, for the `/metrics` answer.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A request's labels: its route template (never a path with ids) and its status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    status: u16,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    pub ops_stored: Counter,
    pub ops_duplicate: Counter,
    pub ops_served: Counter,
    pub bytes_in: Counter,
    pub bytes_out: Counter,
    pub rate_limited: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        // The library writes each counter's samples as NAME_total and ends each help text
        // with a full stop.
        registry.register(
            "komora_requests",
            "HTTP requests by route template and status",
            requests.clone(),
        );
        let mut counter = |name: &str, help: &str| {
            let c = Counter::default();
            registry.register(name, help, c.clone());
            c
        };
        let ops_stored = counter("komora_ops_stored", "Operations stored");
        let ops_duplicate = counter(
            "komora_ops_duplicate",
            "Operations pushed again and ignored",
        );
        let ops_served = counter("komora_ops_served", "Operations sent in pull pages");
        let bytes_in = counter("komora_bytes_in", "Envelope bytes received");
        let bytes_out = counter("komora_bytes_out", "Envelope bytes sent");
        let rate_limited = counter("komora_rate_limited", "Requests refused by rate limits");
        Self {
            registry,
            requests,
            ops_stored,
            ops_duplicate,
            ops_served,
            bytes_in,
            bytes_out,
            rate_limited,
        }
    }
}

impl Metrics {
    /// Count one answered request.
    pub fn request(&self, route: &str, status: u16) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                status,
            })
            .inc();
    }

    /// The whole exposition, ending with OpenMetrics' `# EOF`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail; the labels are plain text.
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            tracing::error!("the metrics could not be written");
        }
        out
    }
}
