//! Copying the write-ahead log into the database file on a thread of its own, after the commit
//! a person waits on instead of inside it (ADR 0026).
//!
//! SQLite's own rule stays: once the log holds 1,000 pages (4 MiB) after a commit, it is copied
//! into the database. What moves is who does it. SQLite did it inside the commit that crossed
//! the line, so the last page of a first sync (or a large batch file) waited for tens of
//! megabytes to be copied and synced; here that commit only wakes this thread, which copies
//! them on its own connection while the app already shows what was applied.
//!
//! Durability does not depend on it: in WAL mode with `synchronous = FULL` a transaction is
//! durable once its frames are synced in the log, before any copy. A crash during a copy
//! leaves the log and the database as SQLite's recovery expects them (it copies again).
//!
//! An erasure's flush (`Store::flush_erasures`) must copy and empty the log so that the
//! erased ciphertext leaves the log file: it takes [`Checkpointer::exclusive`], which waits
//! for a copy under way and keeps this thread out until the log is truncated (a second
//! checkpoint running at the same time would make the truncating one give up).

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags};

/// Log pages after a commit from which the log is copied into the database: SQLite's default
/// for its automatic checkpoint, kept.
const PAGES_BEFORE_COPY: i32 = 1_000;

enum Wake {
    Copy,
    Stop,
}

/// The thread that copies the log, and how to reach it.
pub(crate) struct Checkpointer {
    wake: SyncSender<Wake>,
    /// Held during every copy, by this thread or by an erasure's flush.
    copying: Arc<Mutex<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Start copying the log of the database `conn` has open off its commits. `None`, and
    /// SQLite's own rule left in place, for a database without a file (it has no log) or when
    /// the thread cannot be started (the vault opens all the same; its commits copy the log
    /// as they always did).
    pub(crate) fn start(conn: &mut Connection) -> Option<Self> {
        let path = conn.path().filter(|p| !p.is_empty())?;
        // Its own connection to the same file, never creating it (the store did), opened here
        // so that a vault whose file cannot be opened twice keeps SQLite's rule instead of a
        // log that nobody copies.
        let own = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok()?;
        own.pragma_update(None, "synchronous", "FULL").ok()?;
        let (wake, woken) = sync_channel(1);
        let copying = Arc::new(Mutex::new(()));
        let thread = {
            let copying = copying.clone();
            std::thread::Builder::new()
                .name("komora-checkpoint".into())
                .spawn(move || copy_when_woken(&own, &woken, &copying))
                .ok()?
        };
        let copier = Self {
            wake,
            copying,
            thread: Some(thread),
        };
        // Replaces SQLite's automatic checkpoint (itself a log hook): the commit only wakes
        // the thread. A wake already pending is enough (`try_send` into a channel of one).
        let hook_wake = copier.wake.clone();
        let hooked = conn.wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages: i32| {
            if pages >= PAGES_BEFORE_COPY {
                let _ = hook_wake.try_send(Wake::Copy);
            }
            Ok(())
        }));
        // Not hooked: SQLite's own checkpoint stays, and the thread stops (dropped here).
        hooked.ok().map(|()| copier)
    }

    /// Run `f` (which copies and truncates the log itself) with no copy of this thread under
    /// way or starting.
    pub(crate) fn exclusive<T>(&self, f: impl FnOnce() -> T) -> T {
        let _held = self.copying.lock().unwrap_or_else(|e| e.into_inner());
        f()
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // The vault closes: a copy under way finishes, then the thread ends (the store's own
        // connection, closed after, copies what is left as SQLite always did).
        let _ = self.wake.send(Wake::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn copy_when_woken(conn: &Connection, woken: &Receiver<Wake>, copying: &Mutex<()>) {
    while let Ok(Wake::Copy) = woken.recv() {
        let _held = copying.lock().unwrap_or_else(|e| e.into_inner());
        // PASSIVE: copies what no reader still needs, never waits on the writer, which keeps
        // committing meanwhile. A failure leaves the log as it was: the next wake (or the
        // store's close) copies it.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

#[cfg(test)]
mod tests {
    fn opts() -> crate::VaultOptions {
        crate::VaultOptions {
            kdf: crate::KdfParams::INSECURE_FOR_TESTS,
            ..Default::default()
        }
    }

    fn vault(dir: &std::path::Path) -> crate::Vault {
        crate::Vault::create(dir, "a long passphrase", opts()).unwrap()
    }

    fn clients(n: usize) -> Vec<crate::NewClient> {
        (0..n)
            .map(|i| crate::NewClient {
                name: format!("Client {i}"),
                phone: Some(format!("07{i:08}")),
                ..Default::default()
            })
            .collect()
    }

    fn holds(file: &std::path::Path, needle: &[u8]) -> bool {
        std::fs::read(file).is_ok_and(|hay| hay.windows(needle.len()).any(|w| w == needle))
    }

    /// A client is erased right after a large import, while the thread may be copying the
    /// import's log into the database: the erasure's flush waits for that copy, then empties
    /// the log, so neither her state's nor her operations' ciphertext is left in the database
    /// or its log.
    #[test]
    fn an_erasure_while_the_log_is_being_copied_leaves_nothing_of_her_in_either_file() {
        let dir = tempfile::tempdir().unwrap();
        let here = dir.path();
        let mut v = vault(here);
        let her = v.add_clients(&clients(1)).unwrap()[0];
        let sealed: Vec<Vec<u8>> = {
            let db = rusqlite::Connection::open(here.join("komora.db")).unwrap();
            let mut found: Vec<Vec<u8>> = db
                .prepare("SELECT envelope FROM ops WHERE record_id = ?1")
                .unwrap()
                .query_map([her.as_bytes()], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            found.push(
                db.query_row(
                    "SELECT state FROM records WHERE record_id = ?1",
                    [her.as_bytes()],
                    |r| r.get(0),
                )
                .unwrap(),
            );
            found
        };
        // Well over the 1,000 log pages that wake the thread.
        v.add_clients(&clients(4_000)).unwrap();
        v.erase_client(her, crate::ERASURE_REASONS[0]).unwrap();
        for bytes in &sealed {
            let middle = &bytes[bytes.len() / 2 - 24..bytes.len() / 2 + 24];
            for file in ["komora.db", "komora.db-wal"] {
                assert!(
                    !holds(&here.join(file), middle),
                    "her ciphertext is still in {file}"
                );
            }
        }
        assert_eq!(v.clients().unwrap().items.len(), 4_000);
    }

    /// A tablet closed (or its app killed by the system) right after a large import, its log
    /// perhaps half copied, opens with every client: the copy is never what makes a write
    /// durable.
    #[test]
    fn a_vault_closed_right_after_a_large_import_opens_with_every_client() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        v.add_clients(&clients(3_000)).unwrap();
        drop(v);
        let v = crate::Vault::open(dir.path(), "a long passphrase", opts()).unwrap();
        assert_eq!(v.clients().unwrap().items.len(), 3_000);
    }
}
