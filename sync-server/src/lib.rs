//! Komora's sync server: a blind relay. Devices push sealed operations to their team's stream
//! and pull what others wrote; the server checks who may do what, and stores ciphertext with
//! routing metadata only (team, key epoch, op id, sequence, size).
//!
//! `app(state)` builds the router (tests call it on a real listener); `serve` runs it.

pub mod address;
pub mod api;
pub mod auth;
pub mod backup;
pub mod body_pace;
pub mod config;
pub mod connections;
pub mod db;
pub mod error;
pub mod limiter;
pub mod metrics;
pub mod rejoin;
pub mod restore;
pub mod roster_replay;
pub mod store_lock;
pub mod tls;

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::db::Db;
use crate::limiter::RateLimiter;
use crate::metrics::Metrics;

/// Shared by every request.
pub struct AppState {
    pub db: Arc<dyn Db>,
    pub metrics: Metrics,
    /// Bootstrap and enrolment codes.
    pub code_limit: RateLimiter,
    /// Login challenges and tokens, per address.
    pub login_limit: RateLimiter,
    /// Login challenges and tokens, per device id.
    pub device_limit: RateLimiter<komora_protocol::Id16>,
    /// Reverse proxies whose word on the client's address is taken.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The token `/metrics` asks for; without one the route answers 404.
    pub metrics_token: Option<String>,
    /// The scheduled backups' state, for `/health` (empty when none are scheduled).
    pub backups: backup::status::Monitor,
    /// Open connections per address and the pace of request bodies.
    pub connections: connections::Connections,
    /// Invitations posted, per device.
    pub invite_limit: RateLimiter<komora_protocol::Id16>,
    /// What one device or team may make the server keep.
    pub quotas: Quotas,
}

/// What one device, or its team, may make the server keep (ADR 0027): a stolen tablet before
/// its revocation, or a faulty app, must not fill the server's disk. Generous enough that a
/// real team (30 tablets, years of work, about 2 GB) never meets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quotas {
    /// Bytes of operations one device may have stored (its own work and what it sends back
    /// for others after a restore).
    pub device_bytes: u64,
    /// Bytes of operations one team's devices may have stored together: a team of many
    /// tablets, or a thief enrolling more before its revocation, is bounded as a whole.
    pub team_bytes: u64,
    /// Invitations one team may hold waiting (unused and not expired).
    pub pending_invites_per_team: u64,
}

impl Default for Quotas {
    /// 8 GiB a device: four times a whole team's years of work, which one tablet may have to
    /// send back alone after a restore. 32 GiB a team: four devices' quotas, sixteen times a
    /// real team's whole work (and what it sends back after restores). 200 waiting
    /// invitations a team: several times a team's size, each expiring within a week.
    fn default() -> Self {
        Self {
            device_bytes: 8 * 1024 * 1024 * 1024,
            team_bytes: 32 * 1024 * 1024 * 1024,
            pending_invites_per_team: 200,
        }
    }
}

/// Rate limits per client address and per device, whom to believe about the client's
/// address, and who may read the metrics.
#[derive(Clone, Debug)]
pub struct Limits {
    pub codes_per_minute: u32,
    pub logins_per_minute: u32,
    /// Logins (challenges, tokens, revocation proofs) per minute for one device id, from any
    /// address: a flood naming one device does not stop the others.
    pub device_logins_per_minute: u32,
    /// The reverse proxies (nginx, Caddy) in front of this server: only from these is the
    /// client's address taken from `Forwarded` / `X-Forwarded-For`; from anyone else those
    /// headers are ignored (anyone can write them).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The bearer token `/metrics` asks for (`None`: the route is off). Counts of requests and
    /// operations tell a watcher when a team works and how much: not for the whole internet.
    pub metrics_token: Option<String>,
    /// Connections one address may hold open at once (trusted proxies are not capped).
    pub connections_per_address: usize,
    /// The slowest a request body may come.
    pub body_pace: body_pace::Pace,
    /// The longest a client may take over its TLS handshake.
    pub tls_handshake: std::time::Duration,
    /// Invitations one device may post a minute (a burst of 30: a whole team enrolled at
    /// once).
    pub invites_per_minute: u32,
    /// What one device or team may make the server keep.
    pub quotas: Quotas,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            codes_per_minute: 10,
            logins_per_minute: 120,
            device_logins_per_minute: 30,
            trusted_proxies: Vec::new(),
            metrics_token: None,
            connections_per_address: connections::DEFAULT_PER_ADDRESS,
            body_pace: body_pace::Pace::default(),
            tls_handshake: connections::HANDSHAKE_LIMIT,
            invites_per_minute: 10,
            quotas: Quotas::default(),
        }
    }
}

impl AppState {
    pub fn new(db: Arc<dyn Db>, limits: Limits) -> Arc<Self> {
        Arc::new(Self {
            db,
            metrics: Metrics::default(),
            code_limit: RateLimiter::new(limits.codes_per_minute, limits.codes_per_minute.max(1)),
            login_limit: RateLimiter::new(
                limits.logins_per_minute,
                limits.logins_per_minute.max(1),
            ),
            device_limit: RateLimiter::new(
                limits.device_logins_per_minute,
                limits.device_logins_per_minute.max(1),
            ),
            connections: connections::Connections {
                per_address: limits.connections_per_address.max(1),
                uncapped: limits.trusted_proxies.clone(),
                pace: limits.body_pace,
                handshake: limits.tls_handshake,
            },
            invite_limit: RateLimiter::new(limits.invites_per_minute, 30),
            quotas: limits.quotas,
            trusted_proxies: limits.trusted_proxies,
            metrics_token: limits.metrics_token,
            backups: Default::default(),
        })
    }
}

pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/health", get(api::health))
        .route("/metrics", get(api::metrics))
        .route("/v1/bootstrap", post(api::bootstrap))
        .route("/v1/auth/challenge", post(api::challenge))
        .route("/v1/auth/token", post(api::token))
        .route("/v1/invites", post(api::invite))
        .route("/v1/enroll", post(api::enroll))
        .route("/v1/push", post(api::push))
        .route("/v1/pull", get(api::pull))
        .route("/v1/pull/own", get(api::pull_own))
        .route("/v1/devices", get(api::devices))
        .route("/v1/devices/{id}/revoke", post(api::revoke))
        .route("/v1/keys", get(api::keys))
        .route("/v1/roster", get(api::roster))
        .route("/v1/erase", post(api::erase))
        .route("/v1/teams", post(api::create_team))
        .route("/v1/revocation", post(api::revocation_proof))
        .route("/v1/devices/retire", post(api::retire))
        .route("/v1/reconcile", post(api::reconcile))
        .route("/v1/roster", post(api::roster_append))
        .route("/v1/keys/grants", post(api::upload_grants))
        .route("/v1/reattach", post(api::reattach))
        .route("/v1/teams/reattach", post(api::reattach_team))
        .route("/v1/server-pins", get(api::server_pins))
        .route("/v1/report", post(api::report))
        .route("/v1/rejoin", post(api::rejoin))
        .layer(axum::extract::DefaultBodyLimit::max(
            komora_protocol::MAX_PUSH_BYTES,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Count and log each request by route template and status; never a body, token or id.
async fn observe(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let method = req.method().clone();
    let started = std::time::Instant::now();
    // A device too old for this server is told to update, whatever it asked; nothing of it
    // is read (issue 17: version skew). Every answer says the server's version.
    let response = if api::protocol_of(req.headers()) < komora_protocol::MIN_PROTOCOL_VERSION {
        axum::response::IntoResponse::into_response(error::ApiError::new(
            axum::http::StatusCode::UPGRADE_REQUIRED,
            komora_protocol::ErrorCode::UpdateRequired,
            "this app is too old for the server: update it (nothing on the tablet is lost)",
        ))
    } else {
        typed(next.run(req).await)
    };
    let mut response = response;
    response.headers_mut().insert(
        komora_protocol::PROTOCOL_HEADER,
        axum::http::HeaderValue::from(komora_protocol::PROTOCOL_VERSION),
    );
    let status = response.status().as_u16();
    state.metrics.request(&route, status);
    tracing::info!(%method, route, status, ms = started.elapsed().as_millis() as u64, "request");
    response
}

/// Every refusal in the server's typed words: one the web framework wrote itself (in plain
/// text, or empty) is replaced by the matching `ApiError`, so a device can always read it.
fn typed(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if status.is_client_error() && !is_json {
        axum::response::IntoResponse::into_response(error::ApiError::from_framework(status))
    } else {
        response
    }
}

/// Serve until the process is stopped (Ctrl-C or SIGTERM).
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    serve_until(listener, state, shutdown_signal()).await
}

/// Serve until `stop` completes.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.connections.clone();
    connections::serve(listener, app(state), limits, None, stop).await
}

/// If no team exists yet, make a fresh one-time bootstrap code, keep only its hash, and return
/// it for printing once. Each start before the bootstrap replaces the previous code.
pub async fn prepare_bootstrap(db: &dyn Db) -> Result<Option<String>, db::DbError> {
    if !db.needs_bootstrap().await? {
        return Ok(None);
    }
    let mut random = [0u8; 13];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random)
        .map_err(|_| db::DbError::Storage("the OS random number generator failed".into()))?;
    let code = komora_protocol::code::format(random);
    let canonical = komora_protocol::code::normalise(&code).expect("a generated code is valid");
    db.set_bootstrap_hash(auth::sha256(canonical.as_bytes()))
        .await?;
    Ok(Some(code))
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
