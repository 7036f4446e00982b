//! Work spread over the device's cores, in order: the pure, per-operation cryptography of a
//! batch (signing and sealing what a tablet writes, opening and verifying what it receives)
//! runs on every core, while everything that touches the database stays on the caller's
//! thread, in the batch's order (issue 21, ADR 0024).
//!
//! Plain scoped threads, no thread pool: a batch is large (an import, a pulled page of
//! hundreds of operations) and rare, so starting a few threads per batch costs little
//! (tens of microseconds) against milliseconds of signatures; a small batch (one save) never
//! starts any.

/// Most threads a batch uses (tablets have 4 to 8 cores).
const MAX_THREADS: usize = 8;
/// Fewest items worth a thread of their own: below it, a thread's start costs more than it
/// saves (an Ed25519 signature or an AES-GCM opening takes 2-40 microseconds).
const MIN_PER_THREAD: usize = 32;

/// `f` applied to every item, results in the items' order. `None` for an item whose work
/// panicked (on a thread, for its whole share): a bug, never bad input; callers treat it as a
/// failure of those items, so no panic reaches the caller's thread, and through it the app.
pub(crate) fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<Option<R>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS));
    let threads = cores.min(items.len() / MIN_PER_THREAD);
    let one = |item: T| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(item))).ok();
    if threads < 2 {
        return items.into_iter().map(one).collect();
    }
    // Contiguous shares, in order, the last one shorter.
    let share = items.len().div_ceil(threads);
    let mut shares = Vec::with_capacity(threads);
    let mut rest = items;
    while rest.len() > share {
        let tail = rest.split_off(share);
        shares.push(std::mem::replace(&mut rest, tail));
    }
    shares.push(rest);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|part| {
                (
                    part.len(),
                    s.spawn(move || part.into_iter().map(f).collect::<Vec<R>>()),
                )
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(n, handle)| match handle.join() {
                Ok(done) => done.into_iter().map(Some).collect::<Vec<_>>(),
                Err(_) => (0..n).map(|_| None).collect(),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_the_items_order_whatever_the_batch_size() {
        for n in [0, 1, 31, 64, 65, 1_000, 10_001] {
            let items: Vec<u64> = (0..n).collect();
            let out = map(items.clone(), |x| x * 3);
            assert_eq!(out.len(), items.len());
            assert!(out.iter().zip(&items).all(|(o, x)| *o == Some(x * 3)));
        }
    }

    #[test]
    fn a_worker_that_panics_fails_only_its_share_and_the_caller_goes_on() {
        let items: Vec<u64> = (0..1_000).collect();
        let out = map(items, |x| {
            if x == 999 {
                panic!("a bug in one item");
            }
            x
        });
        assert_eq!(out.len(), 1_000);
        assert_eq!(out[999], None);
        assert_eq!(out[0], Some(0), "the first share is unaffected");
        assert_eq!(map(vec![1u8], |_| -> u8 { panic!("alone") }), vec![None]);
    }
}
