//! The team's security policy: an administrator sets how long a tablet may stay unlocked while
//! idle and after how many wrong PINs it erases itself; every tablet of the team follows it
//! after its next sync, and a counsellor's tablet can neither change it nor slip a change in.

use komora_core::{Error, RejectReason, Role, TeamPolicy, Vault, VaultOptions};
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, enrol, fast_options, sync, ManualClock, MORNING_MS};

#[test]
fn the_administrator_sets_the_policy_and_a_counsellors_tablet_follows_it_after_its_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let tablet_dir = dir.path().join("claudine");
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &tablet_dir);
    assert_eq!(claudine.team_policy().unwrap(), TeamPolicy::default());

    let strict = TeamPolicy {
        auto_lock_minutes: Some(2),
        wipe_after_failures: Some(8),
    };
    assert!(
        matches!(claudine.set_team_policy(&strict), Err(Error::Forbidden(_))),
        "a counsellor does not set the team's policy"
    );
    assert!(matches!(
        admin.set_team_policy(&TeamPolicy {
            auto_lock_minutes: Some(0),
            ..strict
        }),
        Err(Error::Validation {
            field: "auto_lock_minutes",
            ..
        })
    ));
    assert!(matches!(
        admin.set_team_policy(&TeamPolicy {
            wipe_after_failures: Some(3),
            ..strict
        }),
        Err(Error::Validation {
            field: "wipe_after_failures",
            ..
        })
    ));
    admin.set_team_policy(&strict).unwrap();
    sync(&mut admin).unwrap();
    sync(&mut claudine).unwrap();
    assert_eq!(claudine.team_policy().unwrap(), strict);

    // The wipe rule is in force on her tablet before anyone unlocks it: a thief guessing her
    // PIN erases the vault at the eighth wrong guess (the waits between are the lock-out's).
    claudine.lock();
    let clock = ManualClock::at(MORNING_MS);
    let opts = VaultOptions {
        time: clock.clone(),
        ..fast_options()
    };
    for i in 0..8 {
        clock.advance(3_600_000);
        let r = Vault::open(&tablet_dir, "not her PIN", opts.clone());
        if i < 7 {
            assert!(matches!(r, Err(Error::WrongPassphrase)), "{i}: {r:?}");
        } else {
            assert!(matches!(r, Err(Error::ErasedAfterFailures)), "{r:?}");
        }
    }
    assert!(!Vault::exists(&tablet_dir));
}

#[test]
fn a_policy_change_slipped_in_by_a_counsellors_tampered_app_is_refused_by_every_other_tablet() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let mut jean = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("j"));
    admin
        .set_team_policy(&TeamPolicy {
            auto_lock_minutes: Some(5),
            wipe_after_failures: None,
        })
        .unwrap();
    sync(&mut admin).unwrap();

    // Her tablet writes "stay unlocked an hour" into the team's policy, signed with its own key.
    claudine.write_policy_anyway(60).unwrap();
    sync(&mut claudine).unwrap();
    let report = sync(&mut jean).unwrap();
    let refused: Vec<&RejectReason> = report.rejected.iter().map(|r| &r.reason).collect();
    assert_eq!(
        refused,
        [&RejectReason::NotAllowed(claudine.device_id())],
        "refused, naming the tablet that wrote it"
    );
    assert_eq!(jean.team_policy().unwrap().auto_lock_minutes, Some(5));
    let report = sync(&mut admin).unwrap();
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(admin.team_policy().unwrap().auto_lock_minutes, Some(5));
    assert!(
        admin
            .audit_trail()
            .unwrap()
            .iter()
            .any(|e| e.detail.contains("not-allowed")),
        "the refusal is in the audit trail"
    );
}
