//! The Rust side of the FFI benchmark: the very methods Kotlin calls, called from Rust, so the
//! difference is the cost of crossing (lowering, lifting, JNA). `scripts/bench-ffi.sh` runs this
//! and then the Kotlin side, which prints the table with ratios.
//!
//! Prints `name nanoseconds` lines (medians).

use std::time::Instant;

use komora_ffi::{create_vault, KdfStrength, NewClient};

fn median(mut xs: Vec<u128>) -> u128 {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let v = futures_lite_block_on(create_vault(
        dir.path().join("v").to_string_lossy().into_owned(),
        "benchmark passphrase".into(),
        KdfStrength::InsecureForTests,
        None,
    ))
    .unwrap();
    let clients: Vec<NewClient> = (0..5_000)
        .map(|i| NewClient {
            name: format!("Mukamana Odette {i}"),
            code: Some(format!("HUY-{i:05}")),
            sex: Some("F".into()),
            birth_year: Some(1950 + i % 60),
            phone: None,
            district: Some("Huye".into()),
            sector: None,
            cell: None,
            village: None,
            target_groups: vec!["genocide-survivor".into()],
        })
        .collect();
    futures_lite_block_on(v.clone().import_clients(clients)).unwrap();

    let calls = 20_000;
    let per_call = median(
        (0..7)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..calls {
                    std::hint::black_box(v.today().unwrap());
                }
                t.elapsed().as_nanos() / calls as u128
            })
            .collect(),
    );
    println!("call {per_call}");
    let list = median(
        (0..21)
            .map(|_| {
                let t = Instant::now();
                assert_eq!(std::hint::black_box(v.clients().unwrap()).len(), 5_000);
                t.elapsed().as_nanos()
            })
            .collect(),
    );
    println!("list {list}");
}

/// Drive a future on this thread (the worker thread does the work; this only waits).
fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => std::thread::park(),
        }
    }
}
