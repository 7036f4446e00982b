//! A request body must keep coming: at least [`Pace::min_bytes`] in every [`Pace::window`].
//!
//! The header time limit (`connections.rs`) ends a request whose headers never finish, but a
//! body trickling in a byte at a time held its connection, its memory and its task for as long
//! as the sender liked. A total time limit would cut a real push over 2G (a 1 MiB push at 20
//! kbit/s takes about seven minutes), so the bound is on the pace: a window that brings less
//! than the minimum ends the request, however long the body has been coming at a real pace.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// The slowest a request body may come (ADR 0027).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pace {
    /// At least this many bytes in every window.
    pub min_bytes: usize,
    /// The window over which the bytes are counted: long enough for a 2G link's stalls (a
    /// cell handover, a few seconds without coverage).
    pub window: Duration,
}

impl Default for Pace {
    /// 16 KiB a minute (about 270 bytes a second, 2.2 kbit/s): a 20 kbit/s link sends it
    /// nine times over, and a one-minute window rides out a handover or a short loss of
    /// coverage. A sender at exactly that pace is still slow to finish a large push, which
    /// is why connections per address are capped too (`connections.rs`).
    fn default() -> Self {
        Self {
            min_bytes: 16 * 1024,
            window: Duration::from_secs(60),
        }
    }
}

/// Why a request body was cut.
#[derive(Debug)]
pub struct TooSlow;

impl std::fmt::Display for TooSlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body came too slowly")
    }
}

impl std::error::Error for TooSlow {}

/// A request body that fails with [`TooSlow`] when a window brings less than the minimum.
pub struct Paced<B> {
    inner: B,
    pace: Pace,
    /// The end of the current window, from the first read of the body on: a route that
    /// checks its token before reading the body does not eat into the sender's first window.
    window_end: Option<Pin<Box<Sleep>>>,
    in_window: usize,
}

impl<B> Paced<B> {
    pub fn new(inner: B, pace: Pace) -> Self {
        Self {
            inner,
            pace,
            window_end: None,
            in_window: 0,
        }
    }

    /// The current window's end, started at the first read.
    fn window_end(&mut self) -> Pin<&mut Sleep> {
        let window = self.pace.window;
        self.window_end
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(window)))
            .as_mut()
    }

    /// At the end of a window: fail if it brought too little, else start the next one.
    fn window_over(&mut self) -> Result<(), TooSlow> {
        if self.in_window < self.pace.min_bytes {
            return Err(TooSlow);
        }
        self.in_window = 0;
        let next = Instant::now() + self.pace.window;
        self.window_end().reset(next);
        Ok(())
    }
}

impl<B> Body for Paced<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        // The first window starts at the first read (`window_end` makes it when first asked).
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.in_window += data.len();
                }
                // A sender trickling without pause is judged too, not only one that pauses.
                if this.window_end().is_elapsed() {
                    if let Err(e) = this.window_over() {
                        return Poll::Ready(Some(Err(e.into())));
                    }
                }
                return Poll::Ready(Some(Ok(frame)));
            }
            Poll::Ready(other) => return Poll::Ready(other.map(|r| r.map_err(Into::into))),
            Poll::Pending => {}
        }
        // Nothing came: wake at the end of the window to judge it.
        while this.window_end().poll(cx).is_ready() {
            if let Err(e) = this.window_over() {
                return Poll::Ready(Some(Err(e.into())));
            }
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
