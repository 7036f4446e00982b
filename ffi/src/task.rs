//! Running blocking core work (the KDF, sync, reports) off the caller's thread. Kotlin awaits
//! the returned future in a coroutine; the work runs on a plain thread, so no Rust async
//! runtime is needed and a slow network never blocks Kotlin's dispatcher.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// What a panic inside the library prints (to stderr, so logcat and crash reports): where it
/// happened, never its message, which may hold what the failed line was working on (a name, a
/// note). Installed once, before the first call that catches panics; the app's own Kotlin
/// panics are not Rust's and are untouched.
pub(crate) fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| eprintln!("{}", panic_line(info))));
    });
}

fn panic_line(info: &std::panic::PanicHookInfo<'_>) -> String {
    match info.location() {
        Some(at) => format!(
            "komora: a panic inside the library at {}:{} (its message is not shown)",
            at.file(),
            at.line()
        ),
        None => "komora: a panic inside the library (its message is not shown)".into(),
    }
}

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
        quiet_panics();
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

#[cfg(test)]
mod tests {
    /// A panic whose message names a client prints where it happened, not her name.
    #[test]
    fn a_panic_prints_where_it_happened_and_nothing_it_was_working_on() {
        let line = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let seen = line.clone();
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            *seen.lock().unwrap() = super::panic_line(info);
        }));
        let _ = std::panic::catch_unwind(|| panic!("cannot read Mukamana Odette's notes"));
        std::panic::set_hook(before);
        let line = line.lock().unwrap().clone();
        assert!(line.contains("task.rs"), "{line}");
        assert!(!line.contains("Mukamana"), "{line}");
    }
}
