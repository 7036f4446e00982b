//! Someone edits the vault's database by hand. The altered record is refused with a typed
//! "corrupted" error; every other record still reads.

use komora_core::{Error, NewClient, Vault};
use komora_scenarios::fast_options;

#[test]
fn one_flipped_byte_in_a_stored_record_is_caught_and_the_others_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::create(dir.path(), "a long passphrase", fast_options()).unwrap();
    let ids: Vec<_> = (0..5)
        .map(|i| {
            vault
                .add_client(&NewClient {
                    name: format!("Client {i}"),
                    ..Default::default()
                })
                .unwrap()
        })
        .collect();
    vault.lock();

    let target = ids[2];
    let db = rusqlite::Connection::open(dir.path().join("komora.db")).unwrap();
    let mut state: Vec<u8> = db
        .query_row(
            "SELECT state FROM records WHERE record_id = ?1",
            [target.as_bytes()],
            |r| r.get(0),
        )
        .unwrap();
    let middle = state.len() / 2;
    state[middle] ^= 0x01;
    db.execute(
        "UPDATE records SET state = ?1 WHERE record_id = ?2",
        rusqlite::params![state, target.as_bytes()],
    )
    .unwrap();
    drop(db);

    let vault = Vault::open(dir.path(), "a long passphrase", fast_options()).unwrap();
    assert!(matches!(vault.client(target), Err(Error::Corrupted { .. })));
    let listing = vault.clients().unwrap();
    assert_eq!(listing.unreadable, vec![target]);
    assert_eq!(listing.items.len(), 4);
    for id in ids.iter().filter(|id| **id != target) {
        assert!(vault.client(*id).is_ok());
    }
}

#[test]
fn a_record_swapped_onto_another_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::create(dir.path(), "a long passphrase", fast_options()).unwrap();
    let a = vault
        .add_client(&NewClient {
            name: "Victim".into(),
            ..Default::default()
        })
        .unwrap();
    let b = vault
        .add_client(&NewClient {
            name: "Other".into(),
            ..Default::default()
        })
        .unwrap();
    vault.lock();
    let db = rusqlite::Connection::open(dir.path().join("komora.db")).unwrap();
    let state_b: Vec<u8> = db
        .query_row(
            "SELECT state FROM records WHERE record_id = ?1",
            [b.as_bytes()],
            |r| r.get(0),
        )
        .unwrap();
    db.execute(
        "UPDATE records SET state = ?1 WHERE record_id = ?2",
        rusqlite::params![state_b, a.as_bytes()],
    )
    .unwrap();
    drop(db);
    let vault = Vault::open(dir.path(), "a long passphrase", fast_options()).unwrap();
    assert!(
        matches!(vault.client(a), Err(Error::Corrupted { .. })),
        "b's ciphertext cannot pass as a's"
    );
    assert_eq!(vault.client(b).unwrap().name, "Other");
}

#[test]
fn an_altered_operation_in_the_log_is_refused_when_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::create(dir.path(), "a long passphrase", fast_options()).unwrap();
    let a = vault
        .add_client(&NewClient {
            name: "Logged".into(),
            ..Default::default()
        })
        .unwrap();
    vault.lock();
    let db = rusqlite::Connection::open(dir.path().join("komora.db")).unwrap();
    let mut env: Vec<u8> = db
        .query_row("SELECT envelope FROM ops", [], |r| r.get(0))
        .unwrap();
    let last = env.len() - 1;
    env[last] ^= 0x80;
    db.execute("UPDATE ops SET envelope = ?1", [env]).unwrap();
    drop(db);
    let vault = Vault::open(dir.path(), "a long passphrase", fast_options()).unwrap();
    assert!(matches!(
        vault.client_history(a, "name"),
        Err(Error::Corrupted { .. })
    ));
    assert_eq!(
        vault.client(a).unwrap().name,
        "Logged",
        "the current state is separate and intact"
    );
}
