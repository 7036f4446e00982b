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
//! reverse proxy named trusted is not capped: all its clients come from its address). An IPv6
//! address counts by its /64, an IPv4-mapped one as its IPv4 address (`address.rs`). A
//! connection over the cap is closed as soon as it is accepted.
//!
//! Served over TLS (`tls.rs`), a connection counts from the moment it is accepted, through its
//! handshake, which must end within [`Connections::handshake`] however its bytes come. A
//! stranger that opens connections and never finishes a handshake holds its address's
//! connections only, for that long; handshakes run beside the accept loop, so the server goes
//! on accepting and answering everyone else.
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
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// The longest a client may take to send a request's headers (a few hundred bytes: seconds
/// even over GPRS), or to start its next request on a kept-alive connection.
pub const HEADER_LIMIT: Duration = Duration::from_secs(30);

/// The longest a client may take over its TLS handshake (several round trips on GPRS).
pub const HANDSHAKE_LIMIT: Duration = Duration::from_secs(30);

/// The bounds on connections: how many one address may hold open, and the pace of bodies.
#[derive(Clone, Debug)]
pub struct Connections {
    /// Connections one address may hold open at once.
    pub per_address: usize,
    /// Addresses not capped: the trusted reverse proxies, whose address every client shares.
    pub uncapped: Vec<ipnet::IpNet>,
    /// The slowest a request body may come.
    pub pace: crate::body_pace::Pace,
    /// The longest a client may take over its TLS handshake.
    pub handshake: Duration,
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
            handshake: HANDSHAKE_LIMIT,
        }
    }
}

/// Open connections per address (an IPv6 /64 counting as one); a [`Held`] counts one until
/// dropped.
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
        let ip = crate::address::sender(ip);
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

/// A connection's byte stream as hyper serves it: TCP, or TLS over TCP.
trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Serve `router` on the connections `listener` accepts (over TLS with `tls`, each handshake
/// within `limits.handshake`) until `stop` completes, then let each connection finish the
/// request it is serving; a handshake still under way then is dropped.
pub async fn serve<L>(
    mut listener: L,
    router: Router,
    limits: Connections,
    tls: Option<TlsAcceptor>,
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
        let held = if limits
            .uncapped
            .iter()
            .any(|net| net.contains(&addr.ip().to_canonical()))
        {
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
        let (tls, handshake) = (tls.clone(), limits.handshake);
        tokio::spawn(async move {
            // Counted (`held`) from here: a handshake is one of its address's connections.
            let io: Box<dyn Stream> = match tls {
                None => Box::new(io),
                Some(acceptor) => {
                    let done = tokio::select! {
                        done = tokio::time::timeout(handshake, acceptor.accept(io)) => done,
                        _ = stopped.changed() => return,
                    };
                    match done {
                        Ok(Ok(tls)) => Box::new(tls),
                        // A device that refused our key (a pin mismatch) ends here too. No
                        // address is logged, as for requests.
                        Ok(Err(e)) => {
                            tracing::debug!(error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!("TLS handshake timed out");
                            return;
                        }
                    }
                }
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// One /64 is one household's or one attacker's: its addresses share one address's
    /// connections; the next /64, and each IPv4 address, have their own; an IPv4-mapped IPv6
    /// address counts as its IPv4 address.
    #[test]
    fn an_ipv6_network_holds_one_addresss_connections() {
        let open = OpenCount::default();
        let first = open.hold(ip("2001:db8:5:6::1"), 2).unwrap();
        let _second = open.hold(ip("2001:db8:5:6:ffff:1:2:3"), 2).unwrap();
        assert!(
            open.hold(ip("2001:db8:5:6:abcd::9"), 2).is_none(),
            "a third address of the same /64 is over the cap"
        );
        assert!(
            open.hold(ip("2001:db8:5:7::1"), 2).is_some(),
            "the next /64"
        );
        let _v4 = open.hold(ip("192.0.2.1"), 1).unwrap();
        assert!(
            open.hold(ip("::ffff:192.0.2.1"), 1).is_none(),
            "the same IPv4 address, mapped"
        );
        assert!(
            open.hold(ip("192.0.2.2"), 1).is_some(),
            "another IPv4 address"
        );
        drop(first);
        assert!(
            open.hold(ip("2001:db8:5:6::77"), 2).is_some(),
            "room again once one closes"
        );
    }
}
