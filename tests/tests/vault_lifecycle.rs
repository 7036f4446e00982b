//! A counsellor's vault: created, locked, unlocked, re-keyed. A wrong passphrase changes
//! nothing of the vault's data (only the count of wrong attempts, in its own file); a platform
//! key (the Android Keystore) is needed when the vault uses one.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use komora_core::{Error, KdfParams, NewClient, PlatformKeyWrapper, Vault, VaultOptions};
use komora_scenarios::fast_options;

/// Every file of the vault but the attempts counter, which a wrong passphrase is meant to move.
fn file_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name() != "attempts.json")
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_wrong_passphrase_is_refused_and_not_one_byte_of_the_vaults_data_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::create(dir.path(), "umutima-mwiza", fast_options()).unwrap();
    vault
        .add_client(&NewClient {
            name: "Uwase".into(),
            ..Default::default()
        })
        .unwrap();
    vault.lock();
    let before = file_bytes(dir.path());
    for wrong in ["umutima-mwizA", "", "umutima-mwiza "] {
        assert!(matches!(
            Vault::open(dir.path(), wrong, fast_options()),
            Err(Error::WrongPassphrase)
        ));
    }
    assert_eq!(file_bytes(dir.path()), before);
    let vault = Vault::open(dir.path(), "umutima-mwiza", fast_options()).unwrap();
    assert_eq!(vault.clients().unwrap().items.len(), 1);
}

#[test]
fn wrong_pins_beyond_five_make_each_attempt_wait_longer_and_a_policy_can_erase_the_vault() {
    use komora_scenarios::{ManualClock, MORNING_MS};
    let clock = ManualClock::at(MORNING_MS);
    let opts = VaultOptions {
        time: clock.clone(),
        ..fast_options()
    };
    let dir = tempfile::tempdir().unwrap();
    Vault::create(dir.path(), "umutima-mwiza", opts.clone())
        .unwrap()
        .lock();
    for _ in 0..5 {
        assert!(matches!(
            Vault::open(dir.path(), "guess", opts.clone()),
            Err(Error::WrongPassphrase)
        ));
    }
    // The sixth attempt waits 30 s, even with the right passphrase, which is not even tried.
    let err = Vault::open(dir.path(), "umutima-mwiza", opts.clone()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::LockedOut {
                retry_after_ms: 30_000,
                failures: 5
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("30 s"), "{err}");
    clock.advance(30_000);
    assert!(matches!(
        Vault::open(dir.path(), "guess", opts.clone()),
        Err(Error::WrongPassphrase)
    ));
    assert!(matches!(
        Vault::open(dir.path(), "umutima-mwiza", opts.clone()),
        Err(Error::LockedOut {
            retry_after_ms: 60_000,
            ..
        })
    ));
    clock.advance(60_000);
    let v = Vault::open(dir.path(), "umutima-mwiza", opts.clone()).unwrap();
    // Success resets the count; the administrator sets erasure after 7 failures.
    assert!(
        v.set_wipe_after_failures(Some(3)).is_err(),
        "fewer than the free attempts"
    );
    v.set_wipe_after_failures(Some(7)).unwrap();
    v.lock();
    for i in 0..7 {
        clock.advance(3_600_000);
        let r = Vault::open(dir.path(), "thief", opts.clone());
        if i < 6 {
            assert!(matches!(r, Err(Error::WrongPassphrase)), "{i}: {r:?}");
        } else {
            assert!(matches!(r, Err(Error::ErasedAfterFailures)), "{r:?}");
        }
    }
    assert!(!Vault::exists(dir.path()));
    assert!(matches!(
        Vault::open(dir.path(), "umutima-mwiza", opts),
        Err(Error::VaultNotFound(_))
    ));
}

#[test]
fn changing_the_passphrase_locks_out_the_old_one_and_keeps_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::create(dir.path(), "first passphrase", fast_options()).unwrap();
    vault
        .add_client(&NewClient {
            name: "Habimana".into(),
            ..Default::default()
        })
        .unwrap();
    assert!(matches!(
        vault.change_passphrase("not the current one", "second passphrase", &fast_options()),
        Err(Error::WrongPassphrase)
    ));
    assert!(matches!(
        vault.change_passphrase("first passphrase", "short", &fast_options()),
        Err(Error::Validation {
            field: "passphrase",
            ..
        })
    ));
    // Raise the cost at the same time: the new parameters are recorded in the vault.
    let stronger = VaultOptions {
        kdf: KdfParams {
            memory_kib: 256,
            iterations: 2,
            parallelism: 1,
        },
        ..fast_options()
    };
    vault
        .change_passphrase("first passphrase", "second passphrase", &stronger)
        .unwrap();
    vault.lock();
    assert!(matches!(
        Vault::open(dir.path(), "first passphrase", fast_options()),
        Err(Error::WrongPassphrase)
    ));
    let vault = Vault::open(dir.path(), "second passphrase", fast_options()).unwrap();
    assert_eq!(vault.clients().unwrap().items[0].name, "Habimana");
    let key_file = std::fs::read_to_string(dir.path().join("vault.json")).unwrap();
    assert!(key_file.contains("\"memory_kib\": 256"), "{key_file}");
}

/// Someone picks up an unlocked tablet left on a table and tries to learn its PIN through
/// "change PIN": each wrong current PIN counts like one typed to unlock, so the waits (and the
/// administrator's wipe) apply there too.
#[test]
fn guessing_the_current_pin_through_change_pin_meets_the_same_lock_out() {
    use komora_scenarios::{ManualClock, MORNING_MS};
    let clock = ManualClock::at(MORNING_MS);
    let opts = VaultOptions {
        time: clock.clone(),
        ..fast_options()
    };
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::create(dir.path(), "umutima-mwiza", opts.clone()).unwrap();
    for _ in 0..5 {
        assert!(matches!(
            vault.change_passphrase("guess-guess", "new-passphrase", &opts),
            Err(Error::WrongPassphrase)
        ));
    }
    let err = vault
        .change_passphrase("umutima-mwiza", "new-passphrase", &opts)
        .unwrap_err();
    assert!(
        matches!(err, Error::LockedOut { failures: 5, .. }),
        "{err:?}"
    );
    // Unlocking meets the same wait: it is one count.
    vault.lock();
    assert!(matches!(
        Vault::open(dir.path(), "umutima-mwiza", opts.clone()),
        Err(Error::LockedOut { .. })
    ));
    clock.advance(30_000);
    let vault = Vault::open(dir.path(), "umutima-mwiza", opts.clone()).unwrap();
    vault
        .change_passphrase("umutima-mwiza", "new-passphrase", &opts)
        .unwrap();
    vault.lock();
    Vault::open(dir.path(), "new-passphrase", opts).unwrap();
}

#[test]
fn creating_over_an_existing_vault_or_opening_an_empty_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    Vault::create(dir.path(), "a passphrase", fast_options())
        .unwrap()
        .lock();
    let before = file_bytes(dir.path());
    assert!(matches!(
        Vault::create(dir.path(), "a passphrase", fast_options()),
        Err(Error::VaultExists(_))
    ));
    assert_eq!(file_bytes(dir.path()), before);
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        Vault::open(empty.path(), "a passphrase", fast_options()),
        Err(Error::VaultNotFound(_))
    ));
    assert!(matches!(
        Vault::create(empty.path(), "12345", fast_options()),
        Err(Error::Validation {
            field: "passphrase",
            ..
        })
    ));
}

#[test]
fn a_creation_killed_before_its_key_file_leaves_a_folder_a_new_vault_can_be_made_in() {
    // What `komora init` killed between the database and the key file leaves (found by the
    // kill campaign, docs/RELIABILITY.md): a database nobody can read, and no key file.
    let dir = tempfile::tempdir().unwrap();
    let mut v = Vault::create(dir.path(), "a passphrase", fast_options()).unwrap();
    v.add_client(&NewClient {
        name: "Mukamana Odette".into(),
        ..Default::default()
    })
    .unwrap();
    v.lock();
    std::fs::remove_file(dir.path().join("vault.json")).unwrap();
    assert!(matches!(
        Vault::open(dir.path(), "a passphrase", fast_options()),
        Err(Error::VaultNotFound(_))
    ));

    let mut again = Vault::create(dir.path(), "another passphrase", fast_options())
        .expect("the leftovers are cleared and a new vault is made");
    assert!(
        again.clients().unwrap().items.is_empty(),
        "nothing of the old one"
    );
    again
        .add_client(&NewClient {
            name: "Uwase Diane".into(),
            ..Default::default()
        })
        .unwrap();
    again.lock();
    let reopened = Vault::open(dir.path(), "another passphrase", fast_options()).unwrap();
    assert_eq!(reopened.clients().unwrap().items.len(), 1);
}

#[test]
fn a_corrupted_key_file_is_reported_as_corrupted_not_as_a_wrong_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    Vault::create(dir.path(), "a passphrase", fast_options())
        .unwrap()
        .lock();
    std::fs::write(dir.path().join("vault.json"), b"{ not json").unwrap();
    assert!(matches!(
        Vault::open(dir.path(), "a passphrase", fast_options()),
        Err(Error::Corrupted { .. })
    ));
}

/// Stands in for the Android Keystore: XORs with a device-held secret and can be "unavailable".
struct FakeKeystore {
    secret: u8,
    available: AtomicBool,
}

impl PlatformKeyWrapper for FakeKeystore {
    fn wrap(&self, plaintext: &[u8]) -> Result<Vec<u8>, String> {
        Ok(plaintext.iter().map(|b| b ^ self.secret).collect())
    }
    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, String> {
        if !self.available.load(Ordering::SeqCst) {
            return Err("keystore locked".into());
        }
        Ok(wrapped.iter().map(|b| b ^ self.secret).collect())
    }
}

#[test]
fn a_vault_bound_to_the_platform_key_needs_both_the_passphrase_and_the_platform() {
    let dir = tempfile::tempdir().unwrap();
    let keystore = Arc::new(FakeKeystore {
        secret: 0x5a,
        available: AtomicBool::new(true),
    });
    let with_platform = VaultOptions {
        platform: Some(keystore.clone()),
        ..fast_options()
    };
    let mut vault = Vault::create(dir.path(), "a passphrase", with_platform.clone()).unwrap();
    vault
        .add_client(&NewClient {
            name: "Niyonsaba".into(),
            ..Default::default()
        })
        .unwrap();
    vault.lock();
    assert!(matches!(
        Vault::open(dir.path(), "a passphrase", fast_options()),
        Err(Error::PlatformKeyUnavailable)
    ));
    keystore.available.store(false, Ordering::SeqCst);
    assert!(matches!(
        Vault::open(dir.path(), "a passphrase", with_platform.clone()),
        Err(Error::PlatformKey(_))
    ));
    keystore.available.store(true, Ordering::SeqCst);
    assert!(matches!(
        Vault::open(dir.path(), "wrong passphrase", with_platform.clone()),
        Err(Error::WrongPassphrase)
    ));
    let vault = Vault::open(dir.path(), "a passphrase", with_platform.clone()).unwrap();
    assert_eq!(vault.clients().unwrap().items[0].name, "Niyonsaba");
    // A PIN change from a caller that names no platform (the app's settings screen) keeps
    // the vault bound to the platform key: it is never quietly dropped.
    vault
        .change_passphrase("a passphrase", "another passphrase", &fast_options())
        .unwrap();
    vault.lock();
    assert!(matches!(
        Vault::open(dir.path(), "another passphrase", fast_options()),
        Err(Error::PlatformKeyUnavailable)
    ));
    Vault::open(dir.path(), "another passphrase", with_platform).unwrap();
}

#[test]
fn invalid_input_is_refused_with_the_field_named_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::create(dir.path(), "a passphrase", fast_options()).unwrap();
    let bad = [
        (
            NewClient {
                name: "  ".into(),
                ..Default::default()
            },
            "name",
        ),
        (
            NewClient {
                name: "A".into(),
                birth_year: Some(1850),
                ..Default::default()
            },
            "birth_year",
        ),
        (
            NewClient {
                name: "A".into(),
                phone: Some("call me".into()),
                ..Default::default()
            },
            "phone",
        ),
        (
            NewClient {
                name: "A".into(),
                code: Some("has spaces in it".into()),
                ..Default::default()
            },
            "code",
        ),
        (
            NewClient {
                name: "A".into(),
                target_groups: vec!["astronaut".into()],
                ..Default::default()
            },
            "target_groups",
        ),
        (
            NewClient {
                name: "A".into(),
                location: Some(komora_core::LocationInput {
                    district: "Huye".into(),
                    sector: Some("Kigali".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            "sector",
        ),
    ];
    for (client, field) in bad {
        match vault.add_client(&client) {
            Err(Error::Validation { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: expected a validation error, got {other:?}"),
        }
    }
    // A batch with one bad client saves none of them.
    let batch = vec![
        NewClient {
            name: "Good".into(),
            ..Default::default()
        },
        NewClient {
            name: "".into(),
            ..Default::default()
        },
    ];
    assert!(vault.add_clients(&batch).is_err());
    assert!(vault.clients().unwrap().items.is_empty());
    assert!(vault.summary().unwrap().is_empty());
}

#[test]
fn a_wiped_vault_leaves_nothing_that_opens() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::create(dir.path(), "a passphrase", fast_options()).unwrap();
    vault
        .add_client(&NewClient {
            name: "Uwera".into(),
            ..Default::default()
        })
        .unwrap();
    vault.wipe().unwrap();
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(matches!(
        Vault::open(dir.path(), "a passphrase", fast_options()),
        Err(Error::VaultNotFound(_))
    ));
}

/// A tablet that started with its clock eleven years ahead (a flat battery, no network) met
/// a child guessing PINs; then the network set its clock right. The wrong PINs were dated in
/// the future, and each attempt was told to wait, whatever the wait: the counsellor was shut
/// out of her own tablet until that date came, and only a new enrolment (losing what it had
/// not sent) let her work. A failure dated in the future now counts from the moment it is seen:
/// the wait runs once, in full, and no clock set back shortens it.
#[test]
fn wrong_pins_dated_years_ahead_by_a_wrong_clock_do_not_lock_her_out_for_years() {
    use komora_scenarios::{ManualClock, MORNING_MS};
    const ELEVEN_YEARS_MS: u64 = 11 * 365 * 24 * 3600 * 1000;
    let clock = ManualClock::at(MORNING_MS + ELEVEN_YEARS_MS);
    let opts = VaultOptions {
        time: clock.clone(),
        ..fast_options()
    };
    let dir = tempfile::tempdir().unwrap();
    Vault::create(dir.path(), "umutima-mwiza", opts.clone())
        .unwrap()
        .lock();
    for _ in 0..6 {
        clock.advance(60 * 60 * 1000);
        assert!(matches!(
            Vault::open(dir.path(), "123456", opts.clone()),
            Err(Error::WrongPassphrase)
        ));
    }
    // The clock is set right. Her first attempt waits, as after six wrong PINs it should.
    clock.set(MORNING_MS);
    let err = Vault::open(dir.path(), "umutima-mwiza", opts.clone()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::LockedOut {
                retry_after_ms: 60_000,
                failures: 6
            }
        ),
        "{err:?}"
    );
    // Setting the clock back again does not shorten that wait.
    clock.set(MORNING_MS - 24 * 3600 * 1000);
    assert!(matches!(
        Vault::open(dir.path(), "umutima-mwiza", opts.clone()),
        Err(Error::LockedOut {
            retry_after_ms: 60_000,
            ..
        })
    ));
    // Once it has run, her PIN opens the tablet.
    clock.advance(60_000);
    let v = Vault::open(dir.path(), "umutima-mwiza", opts.clone())
        .expect("the wait ran once: the tablet opens");
    v.lock();
}
