//! Serving HTTP/1.1 connections, with a time limit on each request's headers.
//!
//! `axum::serve` runs hyper without a timer, so hyper's limit on reading a request's headers
//! never fires: a client that sent a few bytes of headers and then nothing (someone on the
//! internet, or a phone that lost coverage mid-request) kept its connection, its file
//! descriptor and its memory for ever, and enough of them left no room for the tablets. Here
//! each connection is served by hyper with a timer: headers not complete within
//! [`HEADER_LIMIT`] (and an idle kept-alive connection past it) end the connection. A body
//! that is coming, however slowly over 2G, is not cut.
//!
//! Two more bounds (ADR 0027): a request body must keep a minimum pace (`body_pace.rs`), and
//! one address may hold at most [`Connections::per_address`] connections open at once (a
//! reverse proxy named trusted is not capped: all its clients come from its address). A
//! connection over the cap is closed as soon as it is accepted.
//!
//! Everything else is as `axum::serve` does it: the client's address reaches the handlers
//! (`ConnectInfo`, for the rate limits), and on `stop` every connection finishes the request
//! it is serving and closes.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::serve::Listener;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::watch;
use tower::ServiceExt;

/// The longest a client may take to send a request's headers (a few hundred bytes: seconds
/// even over GPRS), or to start its next request on a kept-alive connection.
pub const HEADER_LIMIT: Duration = Duration::from_secs(30);

/// The bounds on connections: how many one address may hold open, and the pace of bodies.
#[derive(Clone, Debug)]
pub struct Connections {
    /// Connections one address may hold open at once.
    pub per_address: usize,
    /// Addresses not capped: the trusted reverse proxies, whose address every client shares.
    pub uncapped: Vec<ipnet::IpNet>,
    /// The slowest a request body may come.
    pub pace: crate::body_pace::Pace,
}

/// 256 connections per address. Tablets behind carrier-grade NAT share one public address with
/// many phones, and an office's router puts all of its tablets behind one: a tablet holds one
/// connection while it syncs (two for a moment when a kept-alive one is replaced), so 256 lets
/// every tablet of a large organisation sync at once from one address, with room to spare,
/// while one machine on the internet can no longer take every file descriptor.
pub const DEFAULT_PER_ADDRESS: usize = 256;

impl Default for Connections {
    fn default() -> Self {
        Self {
            per_address: DEFAULT_PER_ADDRESS,
            uncapped: Vec::new(),
            pace: Default::default(),
        }
    }
}

/// Open connections per address; a [`Held`] counts one until dropped.
#[derive(Clone, Default)]
struct OpenCount(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One open connection of an address, counted until dropped.
struct Held {
    count: OpenCount,
    ip: IpAddr,
}

impl OpenCount {
    /// Count a connection of `ip`, or `None` if it already holds `cap`.
    fn hold(&self, ip: IpAddr, cap: usize) -> Option<Held> {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= cap {
            return None;
        }
        *n += 1;
        Some(Held {
            count: self.clone(),
            ip,
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.count.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Serve `router` on the connections `listener` accepts until `stop` completes, then let each
/// connection finish the request it is serving.
pub async fn serve<L>(
    mut listener: L,
    router: Router,
    limits: Connections,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
{
    let open_count = OpenCount::default();
    let pace = limits.pace;
    // Dropped at `stop`: every connection then shuts down gracefully.
    let (stopping, stopped) = watch::channel(());
    // Held by every connection: the server returns once all are gone.
    let (all_closed, open) = watch::channel(());
    let mut stop = pin!(stop);
    loop {
        let (io, addr) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let held = if limits.uncapped.iter().any(|net| net.contains(&addr.ip())) {
            None
        } else {
            match open_count.hold(addr.ip(), limits.per_address) {
                Some(held) => Some(held),
                None => {
                    tracing::debug!("connection refused: its address holds too many open");
                    drop(io);
                    continue;
                }
            }
        };
        let service = router.clone().map_request(
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(addr));
                req.map(|body| axum::body::Body::new(crate::body_pace::Paced::new(body, pace)))
            },
        );
        let service = hyper_util::service::TowerToHyperService::new(service);
        let mut stopped = stopped.clone();
        let open = open.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_LIMIT);
            let mut conn = pin!(builder
                .serve_connection(TokioIo::new(io), service)
                .with_upgrades());
            let mut shutting = false;
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!(error = %e, "connection ended");
                        }
                        break;
                    }
                    _ = stopped.changed(), if !shutting => {
                        shutting = true;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(held);
            drop(open);
        });
    }
    drop(stopping);
    drop(open);
    all_closed.closed().await;
    Ok(())
}
