//! A tablet's files copied off the device, by a thief or by a member of the team (issue 16,
//! findings 6 and 11): what the copy gives away, and what an edit of it can make the tablet do.

use komora_core::{Error, NewClient, Role, Vault};
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, enrol, fast_options, sync};

/// Finding 6: records' states were sealed under the team key, so a data officer (or any
/// member) holding a copy of another tablet's database read every state without that
/// tablet's PIN, and a copy taken before an erasure kept the erased file's states open to the
/// team key. States are sealed under a key of the device now: no team key opens them.
#[test]
fn a_data_officer_with_a_copy_of_a_counsellors_database_opens_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let here = dir.path().join("claudine");
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &here);
    let mut officer = enrol(
        &server,
        &mut admin,
        Role::DataOfficer,
        &dir.path().join("o"),
    );
    for name in ["Mukamana Odette", "Habimana Jean", "Uwase Immaculée"] {
        claudine
            .add_client(&NewClient {
                name: name.into(),
                ..Default::default()
            })
            .unwrap();
    }
    sync(&mut claudine).unwrap();
    sync(&mut officer).unwrap();
    // The copy: the database as it sits in the tablet's storage.
    let copy = dir.path().join("copy.db");
    std::fs::copy(here.join("komora.db"), &copy).unwrap();
    if here.join("komora.db-wal").exists() {
        std::fs::copy(here.join("komora.db-wal"), dir.path().join("copy.db-wal")).unwrap();
    }
    let records: i64 = rusqlite::Connection::open(&copy)
        .unwrap()
        .query_row("SELECT count(*) FROM records", [], |r| r.get(0))
        .unwrap();
    assert!(records >= 3, "the copy holds her records: {records}");
    for (who, keys) in [
        ("the data officer", officer.team_keys()),
        ("the administrator", admin.team_keys()),
    ] {
        assert_eq!(
            komora_core::attacks::states_readable_with(&copy, &keys).unwrap(),
            0,
            "{who}'s keys open states of Claudine's database"
        );
    }
    // Her own tablet reads them as before.
    assert_eq!(claudine.clients().unwrap().items.len(), 3);
    // The client list's sealed pages (ADR 0023): under her device's key too.
    let db = rusqlite::Connection::open(&copy).unwrap();
    let pages: i64 = db
        .query_row("SELECT count(*) FROM list_pages", [], |r| r.get(0))
        .unwrap();
    assert!(pages >= 1, "the copy holds her list's pages");
    for (who, keys) in [
        ("the data officer", officer.team_keys()),
        ("the administrator", admin.team_keys()),
    ] {
        assert_eq!(
            komora_core::attacks::list_pages_readable_with(&copy, &keys).unwrap(),
            0,
            "{who}'s keys open list pages of Claudine's database"
        );
    }
    // What their clear columns say is already in the records' clear columns: which kind is
    // listed, and the first byte of the records' random ids (the page a record is in).
    let firsts: std::collections::HashSet<i64> = db
        .prepare("SELECT record_id FROM records WHERE kind = 'client'")
        .unwrap()
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|id| id.unwrap()[0] as i64)
        .collect();
    let mut stmt = db.prepare("SELECT list, page FROM list_pages").unwrap();
    let rows: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (list, page) in rows {
        assert_eq!(list, "client");
        assert!(firsts.contains(&page), "a page no client's id leads to");
    }
}

/// Finding 11: the sync settings (server address, team, organisation, role) were in clear in
/// the database: an edited row could point a tablet at another server. They are sealed under
/// the device's master key now: an edited row is refused, the tablet talks to no one.
#[test]
fn an_edited_settings_row_cannot_point_a_tablet_at_another_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let here = dir.path().join("claudine");
    let claudine = enrol(&server, &mut admin, Role::Counsellor, &here);
    let team = claudine.sync_settings().unwrap().team_id;
    drop(claudine);
    let db = rusqlite::Connection::open(here.join("komora.db")).unwrap();
    let stored: Vec<u8> = db
        .query_row(
            "SELECT value FROM meta WHERE key = 'sync_settings'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let url = server.url.as_bytes();
    assert!(
        !stored.windows(url.len()).any(|w| w == url),
        "the server's address is not in clear"
    );
    let evil = format!(
        r#"{{"server_url":"https://evil.example","team_id":"{team}","team_name":"Huye","org_name":"AMI","role":"admin"}}"#
    );
    db.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'sync_settings'",
        [evil.as_bytes()],
    )
    .unwrap();
    drop(db);
    let mut claudine = Vault::open(&here, "tablet passphrase", fast_options()).unwrap();
    assert!(matches!(
        claudine.sync_settings(),
        Err(Error::Corrupted { .. })
    ));
    assert!(matches!(sync(&mut claudine), Err(Error::Corrupted { .. })));
}

/// The Android Keystore's stand-in for these tests: a wrapping key and an HMAC key that only
/// this object holds (the tablet's hardware), and a switch for a build from before the PIN
/// step.
struct Hardware {
    wrap: ring::aead::LessSafeKey,
    hmac: ring::hmac::Key,
    has_pin_step: bool,
}

impl Hardware {
    fn new(has_pin_step: bool) -> std::sync::Arc<Self> {
        let rng = ring::rand::SystemRandom::new();
        let mut k = [0u8; 32];
        ring::rand::SecureRandom::fill(&rng, &mut k).unwrap();
        std::sync::Arc::new(Self {
            wrap: ring::aead::LessSafeKey::new(
                ring::aead::UnboundKey::new(&ring::aead::AES_256_GCM, &k).unwrap(),
            ),
            hmac: ring::hmac::Key::generate(ring::hmac::HMAC_SHA256, &rng).unwrap(),
            has_pin_step,
        })
    }

    fn with_pin_step(&self) -> std::sync::Arc<Hardware> {
        std::sync::Arc::new(Hardware {
            wrap: self.wrap.clone(),
            hmac: self.hmac.clone(),
            has_pin_step: true,
        })
    }
}

impl komora_core::PlatformKeyWrapper for Hardware {
    fn wrap(&self, plain: &[u8]) -> Result<Vec<u8>, String> {
        let mut out = plain.to_vec();
        self.wrap
            .seal_in_place_append_tag(
                ring::aead::Nonce::assume_unique_for_key([0; 12]),
                ring::aead::Aad::empty(),
                &mut out,
            )
            .map_err(|_| "seal".to_string())?;
        Ok(out)
    }
    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, String> {
        let mut buf = wrapped.to_vec();
        let plain = self
            .wrap
            .open_in_place(
                ring::aead::Nonce::assume_unique_for_key([0; 12]),
                ring::aead::Aad::empty(),
                &mut buf,
            )
            .map_err(|_| "open".to_string())?;
        Ok(plain.to_vec())
    }
    fn pin_step(&self, input: &[u8]) -> Result<Vec<u8>, String> {
        if !self.has_pin_step {
            return Err("no PIN step in this build".into());
        }
        Ok(ring::hmac::sign(&self.hmac, input).as_ref().to_vec())
    }
}

const PIN: &str = "482916";

/// The thief's offline search: every 6-digit PIN in a window around the real one (the whole
/// million takes longer than a test may, and changes nothing in the answer). Returns the PINs
/// the copy confirmed.
fn search(dir: &std::path::Path) -> Vec<String> {
    (482_400..483_400)
        .map(|n| format!("{n:06}"))
        .filter(|guess| komora_core::attacks::pin_guess_opens_copy(dir, guess).unwrap())
        .collect()
}

/// Finding 13: the key file's outer layer (Argon2id of the PIN, then AES-GCM) let anyone with
/// a copy of `vault.json` check PIN guesses offline (a million Argon2 runs find a 6-digit
/// PIN), and the PIN found that way then defeated the lock-out on the stolen tablet itself.
/// The Keystore's HMAC now takes part in the key, so no guess can be checked off the tablet.
/// A vault from before moves over at its next unlock, nothing lost.
#[test]
fn a_tablet_copied_off_the_device_cannot_be_searched_for_its_pin() {
    use komora_core::VaultOptions;
    let dir = tempfile::tempdir().unwrap();
    let hardware = Hardware::new(true);
    let tablet = dir.path().join("tablet");
    let opts = |hw: &std::sync::Arc<Hardware>| VaultOptions {
        platform: Some(hw.clone() as std::sync::Arc<dyn komora_core::PlatformKeyWrapper>),
        ..fast_options()
    };
    let mut v = Vault::create(&tablet, PIN, opts(&hardware)).unwrap();
    v.add_client(&NewClient {
        name: "Mukamana Odette".into(),
        ..Default::default()
    })
    .unwrap();
    drop(v);
    assert!(komora_core::attacks::takes_hardware_pin_step(&tablet).unwrap());
    assert!(
        search(&tablet).is_empty(),
        "no guess confirmed, the right one included"
    );
    // On the tablet, with its hardware, the PIN opens it.
    let v = Vault::open(&tablet, PIN, opts(&hardware)).unwrap();
    assert_eq!(v.clients().unwrap().items.len(), 1);
    drop(v);
    // Another tablet's hardware does not.
    assert!(Vault::open(&tablet, PIN, opts(&Hardware::new(true))).is_err());

    // A vault made by a build from before the PIN step: the search finds its PIN (what the
    // review found). At its next unlock by a build that has the step, it moves over.
    let old = dir.path().join("old");
    let before = Hardware::new(false);
    let mut v = Vault::create(&old, PIN, opts(&before)).unwrap();
    v.add_client(&NewClient {
        name: "Habimana Jean".into(),
        ..Default::default()
    })
    .unwrap();
    drop(v);
    assert!(!komora_core::attacks::takes_hardware_pin_step(&old).unwrap());
    assert_eq!(search(&old), [PIN]);
    let after = before.with_pin_step();
    let v = Vault::open(&old, PIN, opts(&after)).unwrap();
    assert_eq!(v.clients().unwrap().items.len(), 1, "nothing lost");
    drop(v);
    assert!(komora_core::attacks::takes_hardware_pin_step(&old).unwrap());
    assert!(search(&old).is_empty());
    assert_eq!(
        Vault::open(&old, PIN, opts(&after))
            .unwrap()
            .clients()
            .unwrap()
            .items
            .len(),
        1
    );
}
