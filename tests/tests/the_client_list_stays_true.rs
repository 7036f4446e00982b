//! The client list comes from sealed list pages (ADR 0023, issue 21 item 2): a few hundred
//! pages opened instead of one state per client. A counsellor must see the same clients with
//! the same fields as each client's own file shows, whatever happened to the pages: written
//! through adds, edits, deletions and merges; an erased client gone from every page and her
//! old page nowhere in the files; a page deleted by hand, put back from an older version,
//! moved to another number or copied from another tablet's vault: refused, the list still
//! right, the page rebuilt.

use std::path::Path;

use komora_core::{
    Client, ClientEdit, Error, LocationInput, NewClient, RecordId, Sex, TeamKeys, Vault,
    ERASURE_REASONS,
};
use komora_scenarios::{exchange, fast_options};

const PASS: &str = "a long passphrase";

fn client(i: usize) -> NewClient {
    NewClient {
        name: format!("Uwimana Grace {i}"),
        code: Some(format!("HUY-{i:05}")),
        sex: Some(if i.is_multiple_of(2) {
            Sex::Female
        } else {
            Sex::Male
        }),
        birth_year: Some(1960 + (i % 40) as u16),
        phone: i.is_multiple_of(3).then(|| format!("0788{i:06}")),
        location: i.is_multiple_of(2).then(|| LocationInput {
            district: "Huye".into(),
            ..Default::default()
        }),
        target_groups: vec!["genocide-survivor".into()],
    }
}

/// Every client as her own file shows her (each state opened on its own, not the pages), in
/// the list's order: the ids from the database's records, each opened by `Vault::client`.
fn as_files_show(v: &Vault, dir: &Path) -> Vec<Client> {
    let db = rusqlite::Connection::open(dir.join("komora.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT record_id FROM records WHERE kind = 'client'")
        .unwrap();
    let ids: Vec<Vec<u8>> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out: Vec<Client> = ids
        .iter()
        .filter_map(|raw| {
            let id = RecordId::from_bytes(raw.as_slice().try_into().unwrap());
            match v.client(id) {
                Ok(c) => Some(c),
                Err(Error::NotFound(_)) => None, // deleted
                Err(e) => panic!("a client's file does not open: {e}"),
            }
        })
        .collect();
    out.sort_by_cached_key(|c| (c.name.to_lowercase(), c.id));
    out
}

/// The list, checked against every file, field by field.
fn assert_list_true(v: &Vault, dir: &Path, when: &str) -> Vec<Client> {
    let listing = v.clients().unwrap();
    assert!(listing.unreadable.is_empty(), "{when}: unreadable clients");
    let expected = as_files_show(v, dir);
    assert_eq!(listing.items.len(), expected.len(), "{when}: how many");
    for (shown, file) in listing.items.iter().zip(&expected) {
        assert!(
            shown == file,
            "{when}: the list shows {} otherwise than her file",
            shown.id
        );
    }
    listing.items
}

fn page_rows(dir: &Path) -> Vec<(i64, i64, Vec<u8>)> {
    let db = rusqlite::Connection::open(dir.join("komora.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT page, version, sealed FROM list_pages WHERE list = 'client' ORDER BY page")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn page_of(dir: &Path, id: RecordId) -> (i64, Vec<u8>) {
    let page = id.as_bytes()[0] as i64;
    let row = page_rows(dir)
        .into_iter()
        .find(|(p, _, _)| *p == page)
        .expect("her page is stored");
    (row.1, row.2)
}

fn holds(path: &Path, needle: &[u8]) -> bool {
    std::fs::read(path)
        .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
        .unwrap_or(false)
}

#[test]
fn the_list_shows_each_client_as_her_file_does_through_imports_edits_deletions_and_merges() {
    let dir = tempfile::tempdir().unwrap();
    let (here, there) = (dir.path().join("claudine"), dir.path().join("jean"));
    let team = TeamKeys::generate();
    let mut claudine = Vault::create_joined(&here, PASS, &team, fast_options()).unwrap();
    let mut jean = Vault::create_joined(&there, PASS, &team, fast_options()).unwrap();
    let ids = claudine
        .add_clients(&(0..400).map(client).collect::<Vec<_>>())
        .unwrap();
    assert_eq!(
        assert_list_true(&claudine, &here, "after an import").len(),
        400
    );
    let one = claudine.add_client(&client(400)).unwrap();
    claudine
        .edit_client(
            ids[7],
            &ClientEdit {
                name: Some("Mukamana Odette".into()),
                phone: Some(None),
                location: Some(Some(LocationInput {
                    district: "Nyanza".into(),
                    ..Default::default()
                })),
                add_groups: vec!["survivor-family".into()],
                ..Default::default()
            },
        )
        .unwrap();
    claudine.delete_client(ids[8]).unwrap();
    let listed = assert_list_true(&claudine, &here, "after an add, an edit and a deletion");
    assert_eq!(listed.len(), 400);
    assert!(listed.iter().any(|c| c.id == one));
    assert!(listed.iter().all(|c| c.id != ids[8]));
    assert!(listed.iter().any(|c| c.name == "Mukamana Odette"));
    // Two tablets edit the same client offline, then merge: the list shows the winner and
    // the conflict, as her file does.
    exchange(&mut claudine, &mut jean);
    for (v, phone) in [(&mut claudine, "0788000001"), (&mut jean, "0788000002")] {
        v.edit_client(
            ids[9],
            &ClientEdit {
                phone: Some(Some(phone.into())),
                ..Default::default()
            },
        )
        .unwrap();
    }
    jean.add_client(&client(401)).unwrap();
    exchange(&mut claudine, &mut jean);
    let merged = assert_list_true(&claudine, &here, "after a merge");
    assert_eq!(merged.len(), 401);
    assert!(merged
        .iter()
        .any(|c| c.id == ids[9] && c.conflicts == vec!["phone".to_string()]));
    assert_eq!(
        assert_list_true(&jean, &there, "on the other tablet"),
        merged
    );
    // Locked and unlocked: the same list.
    claudine.lock();
    let claudine = Vault::open(&here, PASS, fast_options()).unwrap();
    assert_eq!(
        assert_list_true(&claudine, &here, "after an unlock"),
        merged
    );
}

#[test]
fn an_erased_client_leaves_her_page_and_her_old_page_is_nowhere_in_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path();
    let mut v = Vault::create(here, PASS, fast_options()).unwrap();
    let ids = v
        .add_clients(&(0..300).map(client).collect::<Vec<_>>())
        .unwrap();
    let target = ids[42];
    let (_, imported) = page_of(here, target);
    v.edit_client(
        target,
        &ClientEdit {
            name: Some("Nyiraneza Solange".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let (version, before) = page_of(here, target);
    let shared = ids
        .iter()
        .filter(|id| id.as_bytes()[0] == target.as_bytes()[0])
        .count();
    v.erase_client(target, ERASURE_REASONS[0]).unwrap();
    let listed = assert_list_true(&v, here, "after the erasure");
    assert_eq!(listed.len(), 299);
    assert!(listed.iter().all(|c| c.id != target));
    // Her page was sealed again without her (or went, if she was alone in it).
    let page = target.as_bytes()[0] as i64;
    match page_rows(here).into_iter().find(|(p, _, _)| *p == page) {
        Some((_, after, sealed)) => {
            assert!(shared > 1);
            assert!(after > version);
            assert_ne!(sealed, before);
        }
        None => assert_eq!(shared, 1),
    }
    // Neither the page she was in before the erasure nor the one from the import is left in
    // the database or its write-ahead log.
    for old in [&before, &imported] {
        let middle = &old[old.len() / 2 - 24..old.len() / 2 + 24];
        for file in ["komora.db", "komora.db-wal"] {
            assert!(
                !holds(&here.join(file), middle),
                "an old page holding her is still in {file}"
            );
        }
    }
    for file in ["komora.db", "komora.db-wal"] {
        assert!(!holds(&here.join(file), b"Nyiraneza"));
    }
}

#[test]
fn a_page_deleted_by_hand_is_rebuilt_and_the_list_is_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path();
    let mut v = Vault::create(here, PASS, fast_options()).unwrap();
    v.add_clients(&(0..500).map(client).collect::<Vec<_>>())
        .unwrap();
    let before = assert_list_true(&v, here, "before");
    v.lock();
    let pages = page_rows(here).len();
    assert!(
        pages > 100,
        "500 clients fill most of the 256 pages: {pages}"
    );
    let db = rusqlite::Connection::open(here.join("komora.db")).unwrap();
    db.execute("DELETE FROM list_pages WHERE page % 3 = 0", [])
        .unwrap();
    drop(db);
    let v = Vault::open(here, PASS, fast_options()).unwrap();
    assert_eq!(assert_list_true(&v, here, "pages deleted"), before);
    assert_eq!(
        page_rows(here).len(),
        pages,
        "the deleted pages are rebuilt"
    );
    // Every page gone: the list is the same, and every page is back.
    v.lock();
    let db = rusqlite::Connection::open(here.join("komora.db")).unwrap();
    db.execute("DELETE FROM list_pages", []).unwrap();
    drop(db);
    let v = Vault::open(here, PASS, fast_options()).unwrap();
    assert_eq!(assert_list_true(&v, here, "every page deleted"), before);
    assert_eq!(page_rows(here).len(), pages);
    assert_eq!(assert_list_true(&v, here, "from the rebuilt pages"), before);
}

#[test]
fn a_page_put_back_from_an_older_version_moved_or_copied_from_another_vault_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (here, there) = (dir.path().join("claudine"), dir.path().join("jean"));
    let mut claudine = Vault::create(&here, PASS, fast_options()).unwrap();
    let ids = claudine
        .add_clients(&(0..300).map(client).collect::<Vec<_>>())
        .unwrap();
    let mut jean = Vault::create(&there, PASS, fast_options()).unwrap();
    jean.add_clients(&(0..300).map(client).collect::<Vec<_>>())
        .unwrap();
    let target = ids[5];
    let page = target.as_bytes()[0] as i64;
    let (old_version, old_sealed) = page_of(&here, target);
    claudine
        .edit_client(
            target,
            &ClientEdit {
                name: Some("Mukeshimana Alice".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let now = assert_list_true(&claudine, &here, "after the rename");
    claudine.lock();
    jean.lock();
    let put = |version: i64, sealed: &[u8], at: i64| {
        let db = rusqlite::Connection::open(here.join("komora.db")).unwrap();
        db.execute(
            "INSERT INTO list_pages (list, page, version, sealed) VALUES ('client', ?1, ?2, ?3)
             ON CONFLICT (list, page) DO UPDATE SET version = excluded.version, sealed = excluded.sealed",
            rusqlite::params![at, version, sealed],
        )
        .unwrap();
    };
    // The page as it was before the rename, put back whole (its version with it).
    put(old_version, &old_sealed, page);
    let v = Vault::open(&here, PASS, fast_options()).unwrap();
    let listed = assert_list_true(&v, &here, "an older page put back");
    assert_eq!(listed, now);
    assert!(listed.iter().any(|c| c.name == "Mukeshimana Alice"));
    let (version, _) = page_of(&here, target);
    assert!(version > old_version, "the page is sealed again");
    v.lock();
    // Another page moved onto hers, and a page of Jean's vault copied in.
    let (jean_version, jean_sealed) = {
        let rows = page_rows(&there);
        let row = rows
            .into_iter()
            .find(|(p, _, _)| *p == page)
            .unwrap_or_else(|| page_rows(&there).into_iter().next().unwrap());
        (row.1, row.2)
    };
    let other = page_rows(&here)
        .into_iter()
        .find(|(p, _, _)| *p != page)
        .unwrap();
    for (version, sealed) in [(other.1, other.2.clone()), (jean_version, jean_sealed)] {
        put(version, &sealed, page);
        let v = Vault::open(&here, PASS, fast_options()).unwrap();
        assert_eq!(assert_list_true(&v, &here, "a foreign page"), now);
        let (_, after) = page_of(&here, target);
        assert_ne!(after, sealed, "the foreign page is replaced");
        v.lock();
    }
}

/// A client's stored state as it is in the file.
fn state_of(dir: &Path, id: RecordId) -> Vec<u8> {
    let db = rusqlite::Connection::open(dir.join("komora.db")).unwrap();
    db.query_row(
        "SELECT state FROM records WHERE record_id = ?1",
        [id.as_bytes()],
        |r| r.get(0),
    )
    .unwrap()
}

fn put_state(dir: &Path, id: RecordId, state: &[u8]) {
    let db = rusqlite::Connection::open(dir.join("komora.db")).unwrap();
    db.execute(
        "UPDATE records SET state = ?1 WHERE record_id = ?2",
        rusqlite::params![state, id.as_bytes()],
    )
    .unwrap();
}

/// ADR 0023 as amended for issue 21: a listing shows an entry of a page only while it was
/// made from the very bytes stored for the record now, every byte of them. Whoever can write
/// the file (a thief with the tablet, a restored copy) changes states under pages that still
/// hold the clients' names as they were: each record is then shown as opening her own state
/// shows her, or reported unreadable; never as the page remembers her. And a listing that
/// re-seals the pages around a broken state does not make it readable the next time.
#[test]
fn a_state_altered_under_its_page_is_reported_or_shown_as_her_file_shows_never_as_the_page_remembers(
) {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path();
    let mut v = Vault::create(here, PASS, fast_options()).unwrap();
    let ids = v
        .add_clients(&(0..60).map(client).collect::<Vec<_>>())
        .unwrap();
    let (flipped, replayed, swapped, donor, edges) = (ids[3], ids[4], ids[5], ids[6], &ids[7..12]);
    // An older, valid state of one client, kept before she is renamed.
    let older = state_of(here, replayed);
    v.edit_client(
        replayed,
        &ClientEdit {
            name: Some("Ingabire Claudine".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_list_true(&v, here, "before anything is altered");
    v.lock();
    let original = state_of(here, flipped);

    // Bytes changed in the middle of a state, its nonce, tag and length kept.
    let mut middle = original.clone();
    let half = middle.len() / 2;
    for b in &mut middle[half - 4..half + 4] {
        *b ^= 0x5a;
    }
    put_state(here, flipped, &middle);
    // One byte changed at each end of others (in the nonce, in the tag), one cut short.
    for (i, id) in edges.iter().enumerate() {
        let mut s = state_of(here, *id);
        match i {
            0 => s[0] ^= 1,
            1 => *s.last_mut().unwrap() ^= 0x80,
            2 => s[12] ^= 1,
            3 => {
                s.pop();
            }
            _ => s.push(0),
        }
        put_state(here, *id, &s);
    }
    // A state put back from before her rename (valid, sealed by this very tablet).
    put_state(here, replayed, &older);
    // Another client's valid state copied onto this one.
    put_state(here, swapped, &state_of(here, donor));

    let mut broken: Vec<RecordId> = edges.to_vec();
    broken.extend([flipped, swapped]);
    broken.sort();
    for when in ["the first listing after the changes", "the next listing"] {
        let v = Vault::open(here, PASS, fast_options()).unwrap();
        let listing = v.clients().unwrap();
        let mut unreadable = listing.unreadable.clone();
        unreadable.sort();
        assert_eq!(
            unreadable, broken,
            "{when}: every altered state is reported"
        );
        for id in &broken {
            assert!(
                matches!(v.client(*id), Err(Error::Corrupted { .. })),
                "{when}: her own file is refused too"
            );
            assert!(
                listing.items.iter().all(|c| c.id != *id),
                "{when}: an altered client is not shown from her page"
            );
        }
        assert_eq!(listing.items.len(), 60 - broken.len(), "{when}");
        // Every client shown is shown as her own state says, field by field.
        for shown in &listing.items {
            assert!(
                *shown == v.client(shown.id).unwrap(),
                "{when}: {} is shown otherwise than her file",
                shown.id
            );
        }
        let put_back = listing.items.iter().find(|c| c.id == replayed).unwrap();
        assert_eq!(
            put_back.name, "Uwimana Grace 4",
            "{when}: the older state put back is what her file shows now, not her page's name"
        );
        assert!(listing.items.iter().all(|c| c.name != "Ingabire Claudine"));
    }
    // Her state put back as it was: shown again (from her state, her page rebuilt).
    put_state(here, flipped, &original);
    let v = Vault::open(here, PASS, fast_options()).unwrap();
    let listing = v.clients().unwrap();
    assert!(listing.items.iter().any(|c| c.id == flipped));
    assert!(!listing.unreadable.contains(&flipped));
}
