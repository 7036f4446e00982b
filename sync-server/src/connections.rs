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
//! Everything else is as `axum::serve` does it: the client's address reaches the handlers
//! (`ConnectInfo`, for the rate limits), and on `stop` every connection finishes the request
//! it is serving and closes.

use std::net::SocketAddr;
use std::pin::pin;
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

/// Serve `router` on the connections `listener` accepts until `stop` completes, then let each
/// connection finish the request it is serving.
pub async fn serve<L>(
    mut listener: L,
    router: Router,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
{
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
        let service = router.clone().map_request(
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(addr));
                req.map(axum::body::Body::new)
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
            drop(open);
        });
    }
    drop(stopping);
    drop(open);
    all_closed.closed().await;
    Ok(())
}
