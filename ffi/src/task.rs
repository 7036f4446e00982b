//! Running blocking core work (the KDF, sync, reports) off the caller's thread. Kotlin awaits
//! the returned future in a coroutine; the work runs on a plain thread, so no Rust async
//! runtime is needed and a slow network never blocks Kotlin's dispatcher.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

struct Slot<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

/// Completes with the closure's result, which runs on a new thread. A panic in the closure
/// becomes an `Internal` error, never a crashed JVM.
pub struct Background<T> {
    slot: Arc<Mutex<Slot<crate::Result<T>>>>,
}

impl<T: Send + 'static> Background<T> {
    pub fn spawn(work: impl FnOnce() -> crate::Result<T> + Send + 'static) -> Self {
        let slot = Arc::new(Mutex::new(Slot {
            value: None,
            waker: None,
        }));
        let theirs = slot.clone();
        let spawned = std::thread::Builder::new()
            .name("komora-work".into())
            .spawn(move || {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
                    .unwrap_or_else(|_| Err(crate::KomoraError::stopped()));
                let mut s = theirs.lock().unwrap_or_else(|p| p.into_inner());
                s.value = Some(result);
                if let Some(w) = s.waker.take() {
                    w.wake();
                }
            });
        if spawned.is_err() {
            slot.lock().unwrap_or_else(|p| p.into_inner()).value =
                Some(Err(crate::KomoraError::Internal {
                    reason: "cannot start a worker thread".into(),
                }));
        }
        Background { slot }
    }
}

impl<T> Future for Background<T> {
    type Output = crate::Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut s = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        match s.value.take() {
            Some(v) => Poll::Ready(v),
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
