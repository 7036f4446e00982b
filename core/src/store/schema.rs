//! Schema and migrations. The tables are described in `migrations/0001_initial.sql`; each file
//! in `migrations/` is one step, applied in order and counted in `PRAGMA user_version`.

use rusqlite::Connection;

use crate::error::{Error, Result};

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_initial.sql"),
    include_str!("../../migrations/0002_sync.sql"),
    include_str!("../../migrations/0003_parked.sql"),
    include_str!("../../migrations/0004_client_files.sql"),
    include_str!("../../migrations/0005_cutoffs_and_signed_erasures.sql"),
    include_str!("../../migrations/0006_reconciliation.sql"),
    include_str!("../../migrations/0007_drafts.sql"),
    include_str!("../../migrations/0008_list_pages.sql"),
    include_str!("../../migrations/0009_records_by_kind.sql"),
    include_str!("../../migrations/0010_contested.sql"),
];

impl super::Store {
    /// The one connection, for the table that holds this device's drafts outside the record
    /// log (`crate::drafts`, migration 0007). Records and the log are written only through
    /// `Store`'s own methods.
    pub(crate) fn drafts_table(&self) -> &Connection {
        &self.conn
    }
}

/// Connection settings every vault connection uses.
pub(crate) fn configure(conn: &Connection) -> Result<()> {
    // WAL with FULL sync: a commit survives a power cut (a tablet's battery dying mid-save),
    // and a crash at any instant leaves a whole transaction or none of it.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Sorting and temporary tables stay in memory: no temporary file ever reaches the disk.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted rows are overwritten with zeros, not left in free pages: an erased client's
    // file key must not survive its deletion (ADR 0010).
    conn.pragma_update(None, "secure_delete", "ON")?;
    // 16 MiB of page cache (SQLite's default is 2 MiB): an import of thousands of clients then
    // stays in memory until commit instead of spilling and re-reading pages. Affordable on a
    // 2 GB tablet; measured in docs/PERFORMANCE.md.
    conn.pragma_update(None, "cache_size", -16_384)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// Bring the schema up to date, in one transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let latest = MIGRATIONS.len() as u32;
    if version > latest {
        return Err(Error::TooNew { found: version });
    }
    if version == latest {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for sql in &MIGRATIONS[version as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", latest)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The case-work index reads nine kinds after unlock and the client list one: each read
    /// must visit its own rows, not the whole table with every session's notes (issue 21,
    /// the caseload's first paint; the store bench's `first-paint` workload measures it).
    #[test]
    fn reading_one_kinds_records_visits_only_that_kinds_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        for sql in [
            "SELECT record_id, epoch, state FROM records WHERE kind = ?1",
            "SELECT count(*) FROM records WHERE kind = ?1",
        ] {
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map(["session"], |r| r.get::<_, String>(3))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            assert!(
                plan.iter().any(|p| p.contains("INDEX records_by_kind")),
                "{sql}: {plan:?}"
            );
        }
    }
}
