//! Who is in a team: founding, invitations, the device list, logins, revocation with its key
//! rotation, and the team's signed list of statements.

use komora_protocol::{DeviceReport, Role};
use komora_sync_server::db::DbError;

use crate::fixtures::*;
use crate::on_every_store;

/// If this failed, someone who saw an old bootstrap code (or the one used) could found a team
/// of their own on the organisation's server, or a second founding would take it over.
#[test]
fn the_bootstrap_code_founds_one_team_once() {
    on_every_store(|db, t| {
        assert!(t.note("waits", db.needs_bootstrap().unwrap()));
        db.set_bootstrap_hash(&[1; 32]).unwrap();
        db.set_bootstrap_hash(&[2; 32]).unwrap();
        let r = t.result(
            "the replaced code",
            db.bootstrap(&[1; 32], team(1), &device(1), NOW),
        );
        assert!(matches!(r, Err(DbError::InvalidCode)), "{r:?}");
        assert!(
            db.needs_bootstrap().unwrap(),
            "a refused code founds nothing"
        );
        t.result("the code", db.bootstrap(&[2; 32], team(1), &device(1), NOW))
            .unwrap();
        assert!(!t.note("waits after", db.needs_bootstrap().unwrap()));
        let r = t.result(
            "the code again",
            db.bootstrap(&[2; 32], team(2), &device(2), NOW),
        );
        assert!(matches!(r, Err(DbError::InvalidCode)), "{r:?}");
        db.set_bootstrap_hash(&[3; 32]).unwrap();
        let r = t.result(
            "a new code once founded",
            db.bootstrap(&[3; 32], team(2), &device(2), NOW),
        );
        assert!(matches!(r, Err(DbError::InvalidCode)), "{r:?}");
        let founder = db.device(device_id(1)).unwrap().unwrap();
        assert_eq!(
            t.note(
                "founder",
                (
                    founder.team_id,
                    founder.role,
                    founder.revoked,
                    founder.team_epoch,
                    founder.sign_pk.clone()
                )
            ),
            (team(1), Role::Admin, false, 1, vec![1; 32])
        );
        assert_eq!(
            t.note("its genesis", db.roster(team(1), 0, 10).unwrap()),
            (vec![device(1).statement], 1)
        );
        assert!(db.device(device_id(2)).unwrap().is_none());
    });
}

/// If this failed, an administrator creating a team whose founder id is taken would leave a
/// team with no administrator behind, or take over another team's identity.
#[test]
fn a_second_team_is_created_once_and_a_taken_device_changes_nothing() {
    on_every_store(|db, t| {
        found(db, 1, 1);
        t.result("second", db.create_team(team(2), &device(2), NOW))
            .unwrap();
        let r = t.result("the same team", db.create_team(team(2), &device(3), NOW));
        assert!(matches!(r, Err(DbError::Conflict)), "{r:?}");
        let r = t.result("a taken founder", db.create_team(team(3), &device(1), NOW));
        assert!(matches!(r, Err(DbError::Conflict)), "{r:?}");
        assert_eq!(
            db.device(device_id(1)).unwrap().unwrap().team_id,
            team(1),
            "not moved"
        );
        // Nothing of the refused team was kept: it can be created afresh.
        t.result("afresh", db.create_team(team(3), &device(3), NOW))
            .unwrap();
        assert_eq!(t.note("its list", db.roster_len(team(3)).unwrap()), 1);
        assert!(!t.note("bootstrap", db.needs_bootstrap().unwrap()));
    });
}

/// If this failed, an enrolment code could enrol two tablets, outlive its expiry, or enrol a
/// tablet whose statement the inviter's invitation key did not sign; or a refused attempt
/// would burn the code the real tablet needs.
#[test]
fn an_invitation_enrols_one_device_once_with_its_own_key() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 1, 1);
        let invite = invitation(team, Role::Counsellor, admin, 5, 50, NOW + 60_000);
        t.result("invite", db.create_invite(&invite)).unwrap();
        let r = t.result("same lookup again", db.create_invite(&invite));
        assert!(matches!(r, Err(DbError::Conflict)), "{r:?}");
        assert_eq!(
            t.note("list", db.roster_len(team).unwrap()),
            2,
            "the invitation once"
        );

        let r = t.result("another key", db.enroll(&[5; 32], &member(2, 51), NOW));
        assert!(matches!(r, Err(DbError::Invalid(_))), "{r:?}");
        let r = t.result("a taken id", db.enroll(&[5; 32], &member(1, 50), NOW));
        assert!(matches!(r, Err(DbError::Conflict)), "{r:?}");
        let r = t.result("unknown code", db.enroll(&[6; 32], &member(2, 50), NOW));
        assert!(matches!(r, Err(DbError::InvalidCode)), "{r:?}");
        let r = t.result(
            "after expiry",
            db.enroll(&[5; 32], &member(2, 50), NOW + 60_001),
        );
        assert!(matches!(r, Err(DbError::InvalidCode)), "{r:?}");
        let got = t
            .result("enrol", db.enroll(&[5; 32], &member(2, 50), NOW + 60_000))
            .unwrap();
        assert_eq!(got, (team, Role::Counsellor, invite.bundle.clone()));
        let r = t.result("used", db.enroll(&[5; 32], &member(3, 50), NOW));
        assert!(matches!(r, Err(DbError::InvalidCode)), "{r:?}");
        let (list, total) = db.roster(team, 0, 10).unwrap();
        assert_eq!(total, 3);
        assert_eq!(
            list[1..],
            [invite.statement.clone(), member(2, 50).statement]
        );
        let row = db.device(device_id(2)).unwrap().unwrap();
        assert_eq!(
            t.note("member", (row.team_id, row.role, row.revoked)),
            (team, Role::Counsellor, false)
        );
        assert!(
            !holds(&db.dump().unwrap(), &invite.bundle),
            "a used invitation's keys are dropped"
        );
        // A tablet a restored store takes back spends the invitation it used: the code cannot
        // enrol a second tablet.
        let lost = invitation(team, Role::Counsellor, admin, 6, 60, NOW + 60_000);
        db.create_invite(&lost).unwrap();
        let back = komora_sync_server::db::Readmitted {
            device: member(4, 60),
            role: Role::Counsellor,
            revoked: false,
        };
        assert_eq!(
            t.result("taken back", db.readmit(team, &[back], &[], NOW))
                .unwrap(),
            1
        );
        let r = t.result("its code again", db.enroll(&[6; 32], &member(5, 60), NOW));
        assert!(matches!(r, Err(DbError::InvalidCode)), "{r:?}");
        assert!(
            !holds(&db.dump().unwrap(), &lost.bundle),
            "its keys are dropped"
        );
        // An invitation for a team the store does not have is refused.
        let r = t.result(
            "no team",
            db.create_invite(&invitation(
                crate::fixtures::team(9),
                Role::Counsellor,
                admin,
                7,
                7,
                NOW + 1,
            )),
        );
        assert!(r.is_err());
    });
}

/// A new team key wrapped for each device.
type Grants = Vec<(komora_protocol::Id16, Vec<u8>)>;

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// If this failed, an administrator's fleet view would miss a tablet, show a revoked one as
/// active, or say a tablet was seen when it was not (or hide one gone quiet for weeks).
#[test]
fn the_device_list_shows_roles_revocations_last_contact_and_reports() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 1, 1);
        db.create_invite(&invitation(
            team,
            Role::Supervisor,
            admin,
            2,
            2,
            NOW + 60_000,
        ))
        .unwrap();
        db.enroll(&[2; 32], &member(2, 2), NOW + 10).unwrap();
        db.create_invite(&invitation(
            team,
            Role::DataOfficer,
            admin,
            3,
            3,
            NOW + 60_000,
        ))
        .unwrap();
        db.enroll(&[3; 32], &member(3, 3), NOW + 5).unwrap();
        found(db, 2, 4);

        db.touch(device_id(2), NOW + 1_000).unwrap();
        db.touch(device_id(2), NOW + 30_000).unwrap(); // within the minute: not written
        db.touch(device_id(3), NOW + 1_000).unwrap();
        db.touch(device_id(3), NOW + 70_000).unwrap();
        let report = DeviceReport {
            app_version: "1.4.0".into(),
            protocol: 2,
            pending: 3,
            parked: 1,
            set_aside: 0,
            last_sync_ms: Some(NOW - 5),
            format: 2,
        };
        db.report(device_id(2), &report).unwrap();
        db.report(device_id(77), &report).unwrap(); // no such device: nothing, no failure
        let list = t.note("devices", db.devices(team).unwrap());
        let shown: Vec<_> = list
            .iter()
            .map(|d| (d.id, d.role, d.revoked, d.enrolled_ms, d.last_seen_ms))
            .collect();
        assert_eq!(
            shown,
            [
                (admin, Role::Admin, false, NOW, None),
                (
                    device_id(3),
                    Role::DataOfficer,
                    false,
                    NOW + 5,
                    Some(NOW + 70_000)
                ),
                (
                    device_id(2),
                    Role::Supervisor,
                    false,
                    NOW + 10,
                    Some(NOW + 1_000)
                ),
            ],
            "by enrolment, with the last contact at most a minute stale"
        );
        assert_eq!(list[2].report.as_ref(), Some(&report));
        assert_eq!(list[2].kx_pk.0, kx_pk(2));
        assert_eq!(
            t.note(
                "the other team",
                db.devices(crate::fixtures::team(2)).unwrap()
            )
            .len(),
            1
        );
    });
}

/// If this failed, a login challenge could be replayed by whoever overheard it, a token would
/// outlive its fifteen minutes, or a revoked tablet would keep its session.
#[test]
fn a_login_challenge_is_used_once_and_tokens_expire() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 1, 1);
        let c = enrol(db, team, admin, 2, Role::Counsellor);
        db.put_challenge(&[9; 32], c, NOW + 300_000).unwrap();
        assert!(!t.note(
            "another device",
            db.take_challenge(&[9; 32], admin, NOW).unwrap()
        ));
        assert!(t.note("once", db.take_challenge(&[9; 32], c, NOW).unwrap()));
        assert!(!t.note("twice", db.take_challenge(&[9; 32], c, NOW).unwrap()));
        db.put_challenge(&[8; 32], c, NOW + 300_000).unwrap();
        assert!(!t.note(
            "expired",
            db.take_challenge(&[8; 32], c, NOW + 300_001).unwrap()
        ));

        db.put_token(&[1; 32], c, NOW + 900_000).unwrap();
        db.put_token(&[2; 32], admin, NOW + 900_000).unwrap();
        assert_eq!(
            t.note("token", db.token_device(&[1; 32], NOW).unwrap()),
            Some(c)
        );
        assert_eq!(
            t.note(
                "at its end",
                db.token_device(&[1; 32], NOW + 900_000).unwrap()
            ),
            Some(c)
        );
        assert_eq!(
            t.note("after", db.token_device(&[1; 32], NOW + 900_001).unwrap()),
            None
        );
        assert_eq!(
            t.note("unknown", db.token_device(&[3; 32], NOW).unwrap()),
            None
        );
        // A token of a day ago is swept when a new one is stored.
        db.put_token(&[4; 32], c, NOW - 25 * 3600 * 1000).unwrap();
        db.put_token(&[5; 32], c, NOW + 900_000).unwrap();
        assert!(
            !holds(&db.dump().unwrap(), &[4; 32]),
            "old token hashes do not pile up"
        );

        db.put_challenge(&[7; 32], c, NOW + 300_000).unwrap();
        let grants = [(admin, vec![0xaa; 48])];
        assert!(db
            .revoke(team, c, NOW, 2, &grants, &[b"snapshot".to_vec()])
            .unwrap());
        assert_eq!(
            t.note("revoked token", db.token_device(&[5; 32], NOW).unwrap()),
            None
        );
        assert!(!t.note(
            "revoked challenge",
            db.take_challenge(&[7; 32], c, NOW).unwrap()
        ));
        assert_eq!(
            t.note(
                "others keep theirs",
                db.token_device(&[2; 32], NOW).unwrap()
            ),
            Some(admin)
        );
    });
}

/// If this failed, a lost tablet's revocation could leave a colleague without the new team
/// key (she could no longer read new work), hand the new key to the lost tablet, or be
/// half-done: revoked but the key not rotated, or rotated twice to the same epoch.
#[test]
fn revoking_a_device_rotates_the_key_for_exactly_the_devices_that_stay() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 1, 1);
        let lost = enrol(db, team, admin, 2, Role::Counsellor);
        let stays = enrol(db, team, admin, 3, Role::Supervisor);
        let (_, elsewhere) = found(db, 2, 4);
        let pending = invitation(team, Role::Counsellor, admin, 9, 9, NOW + 60_000);
        db.create_invite(&pending).unwrap();
        let list_before = db.roster_len(team).unwrap();
        let key = |d: u8| vec![0xa0 + d; 48];
        let good = [(admin, key(1)), (stays, key(3))];
        let statements = [b"snapshot without 2".to_vec(), b"cutoff of 2".to_vec()];

        let refusals: [(&str, u32, Grants); 6] = [
            ("skips an epoch", 3, good.to_vec()),
            ("an old epoch", 1, good.to_vec()),
            ("misses a device that stays", 2, vec![(admin, key(1))]),
            (
                "wraps for the lost tablet",
                2,
                vec![(admin, key(1)), (stays, key(3)), (lost, key(2))],
            ),
            ("an empty key", 2, vec![(admin, key(1)), (stays, vec![])]),
            (
                "an oversized key",
                2,
                vec![(admin, key(1)), (stays, vec![1; 1025])],
            ),
        ];
        for (label, epoch, grants) in refusals {
            let r = t.result(
                label,
                db.revoke(team, lost, NOW, epoch, &grants, &statements),
            );
            assert!(
                matches!(r, Err(DbError::StaleEpoch | DbError::Invalid(_))),
                "{label}: {r:?}"
            );
        }
        let r = t.result(
            "another team's device",
            db.revoke(team, elsewhere, NOW, 2, &good, &statements),
        );
        assert!(!r.unwrap());
        assert!(
            !db.device(lost).unwrap().unwrap().revoked,
            "a refused rotation changes nothing"
        );
        assert_eq!(db.roster_len(team).unwrap(), list_before);

        assert!(t
            .result(
                "revoke",
                db.revoke(team, lost, NOW + 1, 2, &good, &statements)
            )
            .unwrap());
        let row = db.device(lost).unwrap().unwrap();
        assert_eq!(t.note("lost", (row.revoked, row.team_epoch)), (true, 2));
        assert_eq!(
            t.note("admin's keys", db.key_grants(team, admin, 1).unwrap()),
            (2, vec![(2, key(1))])
        );
        assert_eq!(
            t.note("supervisor's keys", db.key_grants(team, stays, 0).unwrap()),
            (2, vec![(2, key(3))])
        );
        assert_eq!(
            t.note("already has them", db.key_grants(team, stays, 2).unwrap()),
            (2, vec![])
        );
        assert_eq!(
            t.note("the lost tablet's", db.key_grants(team, lost, 0).unwrap()),
            (2, vec![])
        );
        let (list, total) = db.roster(team, list_before, 10).unwrap();
        assert_eq!(
            (list, total),
            (statements.to_vec(), list_before + 2),
            "statements in order"
        );
        let r = t.result(
            "pending invitation",
            db.enroll(&[9; 32], &member(5, 9), NOW),
        );
        assert!(
            matches!(r, Err(DbError::InvalidCode)),
            "an invitation carrying the old keys is cancelled"
        );
        let r = t.result(
            "the same rotation again",
            db.revoke(team, lost, NOW + 2, 2, &good, &statements),
        );
        assert!(matches!(r, Err(DbError::StaleEpoch)), "{r:?}");
        let devices = db.devices(team).unwrap();
        let revoked: Vec<_> = devices.iter().map(|d| (d.id, d.revoked)).collect();
        assert_eq!(
            t.note("list", revoked),
            [(admin, false), (lost, true), (stays, false)]
        );
    });
}

/// If this failed, a tablet rebuilding its team's signed list from the server would get
/// statements out of order, miss some between pages, or read another team's.
#[test]
fn the_signed_device_list_comes_back_in_order_page_by_page() {
    on_every_store(|db, t| {
        let (team, _) = found(db, 1, 1);
        found(db, 2, 2);
        for k in 0..25u8 {
            db.add_statement(team, &[k; 100]).unwrap();
        }
        db.add_statement(crate::fixtures::team(2), b"the other team's")
            .unwrap();
        assert_eq!(t.note("length", db.roster_len(team).unwrap()), 26);
        let mut read = Vec::new();
        loop {
            let (page, total) = db.roster(team, read.len() as u32, 10).unwrap();
            t.note("page", (page.len(), total));
            assert_eq!(total, 26);
            if page.is_empty() {
                break;
            }
            read.extend(page);
        }
        assert_eq!(read[0], device(1).statement);
        assert_eq!(
            read[1..],
            (0..25u8).map(|k| vec![k; 100]).collect::<Vec<_>>()
        );
        assert_eq!(
            t.note("no page", db.roster(team, 5, 0).unwrap()),
            (vec![], 26)
        );
        assert_eq!(
            t.note("beyond", db.roster(team, 1000, 10).unwrap()),
            (vec![], 26)
        );
        assert_eq!(
            t.note(
                "the other",
                db.roster(crate::fixtures::team(2), 1, 10).unwrap()
            )
            .0,
            [b"the other team's".to_vec()]
        );
    });
}
