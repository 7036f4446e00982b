//! Sealed list pages (ADR 0023): what a screen's list shows of every record of a listed kind
//! (for a client: her name, code, place, target groups), kept in at most 256 pages per list,
//! each sealed whole under this device's state key. Listing 5,000 clients opens a few hundred
//! pages instead of 5,000 states.
//!
//! A page is a cache, never the truth. Every entry carries a keyed fingerprint of the sealed
//! state it was made from; a listing still reads each record's row (without opening it) and
//! uses an entry only while that fingerprint matches the state stored now. A record with no
//! matching entry (its page missing, altered, copied from another vault, an older version of
//! it put back, or a state written behind the store's back) is opened from its own state as
//! before, and its page is re-sealed afterwards. A page can make one listing slower; it
//! cannot make a list wrong.
//!
//! Kept on write: the write path calls `records_changed` once per transaction, before it
//! commits; each page touched is re-sealed once, whatever number of its records changed. An
//! erased client's entry leaves its page in the transaction that shreds her file, and the
//! page's old ciphertext goes with the erasure's checkpoint (`Store::flush_erasures`).

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use zeroize::Zeroizing;

use super::shown::{self, Shown};
use super::states::{open_device_state, StateKey};
use super::Store;
use crate::crypto::aad;
use crate::error::Result;
use crate::ids::RecordId;
use crate::kind::Kinds;
use crate::merge::RecordState;

/// What a page is sealed with: its list, number and version are part of it, so a page
/// cannot be moved to another list or number, and each re-sealing is a new ciphertext.
const PAGE_AAD: &str = "komora/list-page/v1";

/// An entry's length that marks a record the list hides (a deleted client).
const HIDDEN: u32 = u32::MAX;

/// Which page a record's entry lives in: the first byte of its random id, so the pages of a
/// list fill evenly (about 20 clients each at 5,000, 400 at 100,000).
fn page_of(id: &RecordId) -> u8 {
    id.as_bytes()[0]
}

fn page_aad(list: &str, page: u8, version: i64) -> Vec<u8> {
    aad(
        PAGE_AAD,
        &[list.as_bytes(), &[page], &version.to_be_bytes()],
    )
}

/// A map by record id, hashed by the id's own bytes: ids are random, so they need no hash
/// of their own (the default one cost a tenth of a listing). Someone able to write the
/// database could choose colliding ids; that slows a listing on that tablet, nothing more.
type ById<V> = HashMap<RecordId, V, std::hash::BuildHasherDefault<IdHasher>>;

#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        // A record id hashes as its 16 bytes (after their length, for a slice): keep the
        // bytes 8 to 16, random in every id (the last ones carry its kind's tag).
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(word);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// One record's entry: the fingerprint of the state it was made from, and what the list
/// shows (`None`: hidden).
#[derive(Clone)]
pub(super) struct Entry {
    fingerprint: u64,
    shown: Option<Zeroizing<Vec<u8>>>,
}

/// A page's plaintext: for each record, by id, its id (16 bytes), fingerprint (8), the
/// length of what is shown (4, or `HIDDEN`) and those bytes.
fn encode_page(entries: &BTreeMap<RecordId, Entry>) -> Zeroizing<Vec<u8>> {
    let size = entries
        .values()
        .map(|e| 28 + e.shown.as_ref().map_or(0, |b| b.len()))
        .sum();
    let mut out = Zeroizing::new(Vec::with_capacity(size));
    for (id, e) in entries {
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&e.fingerprint.to_le_bytes());
        match &e.shown {
            Some(b) => {
                out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                out.extend_from_slice(b);
            }
            None => out.extend_from_slice(&HIDDEN.to_le_bytes()),
        }
    }
    out
}

/// An entry as read from a page's plaintext: id, fingerprint, what it shows (borrowed).
type RawEntry<'a> = (RecordId, u64, Option<&'a [u8]>);

/// A stored page: its version, and its plaintext if it opened.
type StoredPage = (i64, Option<Zeroizing<Vec<u8>>>);

/// The changes a transaction makes to the pages, by list and page number: entries to put
/// (`Some`) or take out (`None`), in order.
type PageChanges = BTreeMap<(&'static str, u8), Vec<(RecordId, Option<Entry>)>>;

/// Read a page's plaintext; `None` if it is malformed (it then counts as missing).
fn decode_page(plain: &[u8]) -> Option<Vec<RawEntry<'_>>> {
    let mut out = Vec::new();
    let mut rest = plain;
    while !rest.is_empty() {
        let (head, tail) = rest.split_at_checked(28)?;
        let id = RecordId::from_slice(&head[..16]).ok()?;
        let fingerprint = u64::from_le_bytes(head[16..24].try_into().ok()?);
        let len = u32::from_le_bytes(head[24..28].try_into().ok()?);
        if len == HIDDEN {
            out.push((id, fingerprint, None));
            rest = tail;
        } else {
            let (shown, tail) = tail.split_at_checked(len as usize)?;
            out.push((id, fingerprint, Some(shown)));
            rest = tail;
        }
    }
    Some(out)
}

/// A stored page: its version, and its plaintext if it opened (`None`: it did not, and is
/// rebuilt from the records' states).
fn load_page(conn: &Connection, sk: &StateKey, list: &str, page: u8) -> Result<Option<StoredPage>> {
    let row: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT version, sealed FROM list_pages WHERE list = ?1 AND page = ?2")?
        .query_row(params![list, page], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map(|(version, sealed)| {
        (
            version,
            sk.key.open(&page_aad(list, page, version), &sealed),
        )
    }))
}

/// Seal and store a page as its next version (or remove it once empty).
fn store_page(
    conn: &Connection,
    sk: &StateKey,
    list: &str,
    page: u8,
    version: i64,
    entries: &BTreeMap<RecordId, Entry>,
) -> Result<()> {
    if entries.is_empty() {
        conn.prepare_cached("DELETE FROM list_pages WHERE list = ?1 AND page = ?2")?
            .execute(params![list, page])?;
        return Ok(());
    }
    let next = version + 1;
    let sealed = sk
        .key
        .seal(&page_aad(list, page, next), &encode_page(entries));
    conn.prepare_cached(
        "INSERT INTO list_pages (list, page, version, sealed) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (list, page) DO UPDATE SET version = excluded.version,
             sealed = excluded.sealed",
    )?
    .execute(params![list, page, next, sealed])?;
    Ok(())
}

/// A record's entry, from its state and the ciphertext it is stored as.
pub(super) fn entry(sk: &StateKey, id: RecordId, sealed: &[u8], state: &RecordState) -> Entry {
    let shown = state
        .deleted
        .is_none()
        .then(|| Zeroizing::new(shown::encode(state)));
    Entry {
        fingerprint: sk.fingerprint(id, sealed),
        shown,
    }
}

/// A record's entry from its stored row; `None` when its state does not open (the listing
/// then reports it unreadable).
fn entry_of(
    sk: &StateKey,
    id: RecordId,
    epoch: u32,
    sealed: &[u8],
    scratch: &mut Vec<u8>,
) -> Option<Entry> {
    let state = open_device_state(sk, id, epoch, sealed, scratch).ok()?;
    Some(entry(sk, id, sealed, &state))
}

/// Bring the list pages up to date with the records this transaction saved (`save_state`
/// made their entries) and those it removed (`gone`: the records of an erased file), before
/// it commits. Each page touched is opened, changed and re-sealed once.
///
/// Should a transaction fail after some saves, their entries wait for the next one; they
/// are harmless there: an entry whose fingerprint is not its record's stored state is never
/// shown, and its page is re-sealed by the next listing.
pub(crate) fn records_changed(
    tx: &Transaction<'_>,
    sk: &StateKey,
    kinds: &Kinds,
    gone: &[RecordId],
) -> Result<()> {
    let saved = sk.take_saved();
    if saved.is_empty() && gone.is_empty() {
        return Ok(());
    }
    // By page: the records to put (with their entry) or take out (`None`), in order (a
    // later save of a record replaces an earlier one).
    let mut changes = PageChanges::new();
    for (id, list, entry) in saved {
        changes
            .entry((list, page_of(&id)))
            .or_default()
            .push((id, Some(entry)));
    }
    if !gone.is_empty() {
        let mut row = tx.prepare_cached("SELECT 1 FROM records WHERE record_id = ?1")?;
        for id in gone {
            if row.exists([id.as_bytes()])? {
                continue;
            }
            // Gone (erased): out of every list it may be in.
            for spec in kinds.iter().filter(|k| k.listed && id.admits_kind(k.name)) {
                changes
                    .entry((spec.name, page_of(id)))
                    .or_default()
                    .push((*id, None));
            }
        }
    }
    for ((list, page), edits) in changes {
        let (version, mut entries) = match load_page(tx, sk, list, page)? {
            Some((version, Some(plain))) => (version, owned(&plain)),
            // Missing or not opening: started afresh; the records of the page not in it are
            // opened by the next listing, which re-seals the page whole.
            Some((version, None)) => (version, BTreeMap::new()),
            None => (0, BTreeMap::new()),
        };
        let mut changed = false;
        for (id, entry) in edits {
            changed |= match entry {
                Some(e) => {
                    entries.insert(id, e);
                    true
                }
                None => entries.remove(&id).is_some(),
            };
        }
        if changed {
            store_page(tx, sk, list, page, version, &entries)?;
        }
    }
    Ok(())
}

fn owned(plain: &[u8]) -> BTreeMap<RecordId, Entry> {
    decode_page(plain)
        .unwrap_or_default()
        .into_iter()
        .map(|(id, fingerprint, shown)| {
            (
                id,
                Entry {
                    fingerprint,
                    shown: shown.map(|b| Zeroizing::new(b.to_vec())),
                },
            )
        })
        .collect()
}

impl Store {
    /// What the list of `kind` shows of each of its records, each made into a line by
    /// `line` (not in any order; hidden ones left out), from the sealed pages, every entry
    /// checked against its record's stored state; and the ids of records whose state does
    /// not open. Pages found missing or out of date are re-sealed afterwards, if the disk
    /// lets it (a full or read-only disk still lists).
    pub(crate) fn list<T>(
        &self,
        kind: &str,
        mut line: impl FnMut(RecordId, &Shown<'_>) -> T,
    ) -> Result<(Vec<T>, Vec<RecordId>)> {
        let spec = self.kinds.get(kind);
        if !spec.listed {
            return Ok((Vec::new(), Vec::new()));
        }
        let list = spec.name;
        // The pages, opened, in page order.
        let mut versions: HashMap<u8, i64> = HashMap::new();
        let mut plains: Vec<(u8, Zeroizing<Vec<u8>>)> = Vec::new();
        let mut stale = [false; 256];
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT page, version, sealed FROM list_pages WHERE list = ?1")?;
            let mut rows = stmt.query([list])?;
            while let Some(r) = rows.next()? {
                let (Ok(page), version) = (u8::try_from(r.get::<_, i64>(0)?), r.get(1)?) else {
                    continue;
                };
                versions.insert(page, version);
                match self
                    .states
                    .key
                    .open(&page_aad(list, page, version), r.get_ref(2)?.as_blob()?)
                {
                    Some(plain) => plains.push((page, plain)),
                    None => stale[page as usize] = true,
                }
            }
        }
        plains.sort_unstable_by_key(|(page, _)| *page);
        // Every entry, in page order (`found`), and where each record's is (`at`).
        let mut found: Vec<RawEntry<'_>> = Vec::new();
        for (page, plain) in &plains {
            match decode_page(plain) {
                Some(d) => {
                    for entry in d {
                        if page_of(&entry.0) == *page {
                            found.push(entry);
                        } else {
                            stale[*page as usize] = true;
                        }
                    }
                }
                None => stale[*page as usize] = true,
            }
        }
        let mut at: ById<usize> =
            HashMap::with_capacity_and_hasher(found.len(), Default::default());
        for (i, (id, _, _)) in found.iter().enumerate() {
            at.insert(*id, i);
        }
        // First pass, over every record's row: which entries are still the ones of the
        // states stored now (`matched`); any other record is opened from its own state.
        let mut matched = vec![false; found.len()];
        let mut lines = Vec::with_capacity(found.len());
        let mut unreadable = Vec::new();
        let mut opened: Vec<(RecordId, Entry)> = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT record_id, epoch, state FROM records WHERE kind = ?1")?;
            let mut rows = stmt.query([list])?;
            let mut scratch = Zeroizing::new(Vec::with_capacity(1024));
            while let Some(r) = rows.next()? {
                let id = RecordId::from_slice(r.get_ref(0)?.as_blob()?)?;
                let sealed = r.get_ref(2)?.as_blob()?;
                let fingerprint = self.states.fingerprint(id, sealed);
                if let Some(&i) = at.get(&id) {
                    if found[i].1 == fingerprint {
                        matched[i] = true;
                        continue;
                    }
                }
                stale[page_of(&id) as usize] = true;
                match entry_of(&self.states, id, r.get(1)?, sealed, &mut scratch) {
                    Some(e) => {
                        if let Some(bytes) = e.shown.as_ref() {
                            let mut own = Shown::default();
                            if own.read(bytes).is_some() {
                                lines.push(line(id, &own));
                            }
                        }
                        opened.push((id, e));
                    }
                    None => unreadable.push(id),
                }
            }
        }
        // Second pass, over the matched entries in page order (the pages' plaintext read
        // front to back, not in the rows' order): one view, read again for every entry, so
        // no allocation per record. An entry that does not read (it never should: the page
        // opened under this device's key) counts as missing: its record is opened from its
        // state and its page re-sealed.
        let mut view = Shown::default();
        let mut misread = Vec::new();
        for (i, (id, _, shown)) in found.iter().enumerate() {
            match (matched[i], shown) {
                (false, _) => stale[page_of(id) as usize] = true,
                (true, None) => {}
                (true, Some(bytes)) => match view.read(bytes) {
                    Some(()) => lines.push(line(*id, &view)),
                    None => {
                        matched[i] = false;
                        stale[page_of(id) as usize] = true;
                        misread.push(*id);
                    }
                },
            }
        }
        for id in misread {
            match super::states::load_device_state(&self.conn, &self.states, id)? {
                Some((sealed, Ok(state))) => {
                    let e = entry(&self.states, id, &sealed, &state);
                    if let Some(bytes) = e.shown.as_ref() {
                        let mut own = Shown::default();
                        if own.read(bytes).is_some() {
                            lines.push(line(id, &own));
                        }
                    }
                    opened.push((id, e));
                }
                Some((_, Err(_))) => unreadable.push(id),
                None => {}
            }
        }
        if stale.iter().any(|s| *s) {
            // Best effort: the list above is right whether or not this can be written.
            let _ = self.reseal(list, &stale, &versions, &found, &matched, opened);
        }
        Ok((lines, unreadable))
    }

    /// Re-seal the stale pages of a list whole, from what a listing found: the entries that
    /// matched their records, and the states it opened.
    fn reseal(
        &self,
        list: &str,
        stale: &[bool; 256],
        versions: &HashMap<u8, i64>,
        found: &[RawEntry<'_>],
        matched: &[bool],
        opened: Vec<(RecordId, Entry)>,
    ) -> Result<()> {
        let mut pages: BTreeMap<u8, BTreeMap<RecordId, Entry>> = BTreeMap::new();
        for (page, is_stale) in stale.iter().enumerate() {
            if *is_stale {
                pages.insert(page as u8, BTreeMap::new());
            }
        }
        for ((id, fingerprint, shown), matched) in found.iter().zip(matched) {
            if let (true, Some(page)) = (*matched, pages.get_mut(&page_of(id))) {
                page.insert(
                    *id,
                    Entry {
                        fingerprint: *fingerprint,
                        shown: shown.map(|b| Zeroizing::new(b.to_vec())),
                    },
                );
            }
        }
        for (id, entry) in opened {
            if let Some(page) = pages.get_mut(&page_of(&id)) {
                page.insert(id, entry);
            }
        }
        let tx = self.conn.unchecked_transaction()?;
        for (page, entries) in &pages {
            let version = versions.get(page).copied().unwrap_or(0);
            store_page(&tx, &self.states, list, *page, version, entries)?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// How many list pages of the database at `conn` open under these team keys (the
/// insider-attack tests: a member holding a copy of another tablet's database).
#[cfg(feature = "insider-attacks")]
pub(crate) fn pages_open_with_team_keys(conn: &Connection, keys: &super::Keyring) -> Result<usize> {
    let mut stmt = conn.prepare("SELECT list, page, version, sealed FROM list_pages")?;
    let mut rows = stmt.query([])?;
    let mut opened = 0;
    while let Some(r) = rows.next()? {
        let (list, page, version): (String, u8, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let sealed = r.get_ref(3)?.as_blob()?;
        let aad = page_aad(&list, page, version);
        if keys.keys.keys().any(|e| {
            keys.get(*e)
                .ok()
                .and_then(|k| k.open(&aad, sealed))
                .is_some()
        }) {
            opened += 1;
        }
    }
    Ok(opened)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every list page of a vault, opened with its own state key.
    fn opened_pages(v: &crate::Vault) -> Vec<Zeroizing<Vec<u8>>> {
        let store = &v.store;
        let mut stmt = store
            .conn
            .prepare("SELECT list, page, version, sealed FROM list_pages")
            .unwrap();
        let rows: Vec<(String, u8, i64, Vec<u8>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        rows.iter()
            .map(|(list, page, version, sealed)| {
                store
                    .states
                    .key
                    .open(&page_aad(list, *page, *version), sealed)
                    .expect("every page opens under its own vault's key")
            })
            .collect()
    }

    /// Issue 21, item 5: a page holding an erased client is sealed again without her, in the
    /// erasure's own transaction (the scenario test checks that the old ciphertext left the
    /// files).
    #[test]
    fn an_erased_clients_name_is_in_no_page_once_the_erasure_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let opts = crate::VaultOptions {
            kdf: crate::KdfParams::INSECURE_FOR_TESTS,
            ..Default::default()
        };
        let mut v = crate::Vault::create(dir.path(), "a long passphrase", opts).unwrap();
        let clients: Vec<crate::NewClient> = (0..600)
            .map(|i| crate::NewClient {
                name: format!("Client {i}"),
                ..Default::default()
            })
            .collect();
        let ids = v.add_clients(&clients).unwrap();
        let edit = crate::ClientEdit {
            name: Some("Nyiraneza Solange".into()),
            ..Default::default()
        };
        v.edit_client(ids[3], &edit).unwrap();
        let named = |v: &crate::Vault| {
            opened_pages(v)
                .iter()
                .any(|p| p.windows(9).any(|w| w == b"Nyiraneza"))
        };
        assert!(named(&v), "her page names her while she is a client");
        v.erase_client(ids[3], crate::ERASURE_REASONS[0]).unwrap();
        assert!(!named(&v), "no page names her after her erasure");
        assert_eq!(v.clients().unwrap().items.len(), 599);
    }

    #[test]
    fn a_page_reads_back_what_was_written_and_refuses_a_cut_one() {
        let mut entries = BTreeMap::new();
        for (i, shown) in [Some(b"Mukamana".to_vec()), None, Some(Vec::new())]
            .into_iter()
            .enumerate()
        {
            let mut raw = [i as u8; 16];
            raw[0] = 7;
            entries.insert(
                RecordId::from_slice(&raw).unwrap(),
                Entry {
                    fingerprint: i as u64 * 31,
                    shown: shown.map(Zeroizing::new),
                },
            );
        }
        let plain = encode_page(&entries);
        let back = decode_page(&plain).unwrap();
        assert_eq!(back.len(), 3);
        for ((id, e), (bid, fp, shown)) in entries.iter().zip(&back) {
            assert_eq!(id, bid);
            assert_eq!(e.fingerprint, *fp);
            assert_eq!(e.shown.as_ref().map(|b| b.as_slice()), *shown);
        }
        assert!(decode_page(&plain[..plain.len() - 1]).is_none());
        assert!(decode_page(&plain[..20]).is_none());
    }
}
