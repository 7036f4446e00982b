//! What a restored, rebuilt or restarted store answers a tablet (ADR 0016): the summary of
//! what it holds per author, where to pull again, catching up with the signed list and key
//! grants, its generation, and the "rewound" answer to a cursor it no longer holds.

use komora_protocol::{AuthorRanges, Id16, Role};
use komora_sync_server::db::Readmitted;

use crate::fixtures::*;
use crate::stream::{page, pull_all};
use crate::{on_every_store, stores};

/// If this failed, a tablet facing a server restored from last night's backup could not tell
/// which of its operations the server lost, and would either send everything again over 2G or
/// never send what was lost.
#[test]
fn a_stream_summary_says_what_each_author_has_on_the_server() {
    on_every_store(|db, t| {
        let (team, a) = found(db, 1, 1);
        let c = enrol(db, team, a, 2, Role::Counsellor);
        db.push(team, c, &[op(1, 1, c, 1), op(2, 1, c, 2)]).unwrap();
        db.push(team, a, &[op(3, 1, a, 1)]).unwrap();
        db.push(team, c, &[op(4, 1, c, 3)]).unwrap();
        db.push(team, c, &[unnumbered(5, 1)]).unwrap();
        db.push(team, c, &[op(6, 1, c, 5)]).unwrap();
        db.push(team, a, &[op(7, 1, a, 2)]).unwrap();

        let holds = t.note("holds", db.holds(team, a).unwrap());
        assert_eq!(holds, vec![(a, vec![(1, 2)]), (c, vec![(1, 3), (5, 5)])]);
        assert_eq!(
            t.note("hers", db.holds_of(team, c).unwrap()),
            [(1, 3), (5, 5)]
        );
        assert_eq!(
            t.note("nobody's", db.holds_of(team, device_id(9)).unwrap()),
            []
        );

        let resume = |t: &mut crate::Transcript, label: &str, theirs: AuthorRanges| {
            t.note(label, db.resume_after(team, a, &theirs).unwrap())
        };
        assert_eq!(resume(t, "holds nothing", vec![]), 0);
        let all: AuthorRanges = vec![(a, vec![(1, 2)]), (c, vec![(1, 3), (5, 5)])];
        assert_eq!(
            resume(t, "holds all numbered", all),
            4,
            "just before the unnumbered one"
        );
        let gap: AuthorRanges = vec![(a, vec![(1, 2)]), (c, vec![(1, 1), (3, 5)])];
        assert_eq!(resume(t, "lacks her second", gap), 1);
        db.push(team, c, &[op(5, 1, c, 4)]).unwrap();
        let all: AuthorRanges = vec![(a, vec![(1, 2)]), (c, vec![(1, 5)])];
        assert_eq!(resume(t, "holds everything", all), 7, "the head");
        assert!(db.resume_after(team_unknown(), a, &vec![]).is_err());
    });
}

/// If this failed, a stolen tablet could push garbage declared as a colleague's operations
/// and the server would tell her, after a restore, that it held work it had lost: she would
/// never send it back (ADR 0027). Only a device's own pushes count for what is held of it; a
/// colleague's relay counts for the colleague who sent it; the author's own copy of an
/// operation another device stored first replaces it, at the head of the stream.
#[test]
fn only_a_device_speaks_for_its_own_operations() {
    on_every_store(|db, t| {
        let (team, a) = found(db, 1, 1);
        let alice = enrol(db, team, a, 2, Role::Counsellor);
        let thief = enrol(db, team, a, 3, Role::Counsellor);
        let relay = enrol(db, team, a, 4, Role::Counsellor);
        db.push(team, alice, &[op(1, 1, alice, 1)]).unwrap();
        // The thief's garbage, declared as Alice's numbers 2 to 4 (op 12 under the id of
        // Alice's real operation 2, which a restore lost).
        let forged: Vec<_> = (2..=4u32)
            .map(|n| {
                let mut o = op(10 + n, 1, alice, n.into());
                o.bytes = envelope(10 + n, 1, 120);
                o
            })
            .collect();
        db.push(team, thief, &forged).unwrap();
        // A colleague's honest relay of Alice's number 5.
        db.push(team, relay, &[op(5, 1, alice, 5)]).unwrap();
        assert_eq!(
            t.note("what Alice is told", db.holds_of(team, alice).unwrap()),
            [(1, 1)]
        );
        assert_eq!(
            t.note(
                "what Alice reconciles against",
                db.holds(team, alice).unwrap()
            ),
            vec![(alice, vec![(1, 1)])]
        );
        assert_eq!(
            t.note("what the relay is told", db.holds(team, relay).unwrap()),
            vec![(alice, vec![(1, 1), (5, 5)])],
            "its own relay counts for the relay"
        );
        let everything: AuthorRanges = vec![(alice, vec![(1, 5)])];
        assert_eq!(
            t.note(
                "where Alice resumes",
                db.resume_after(team, alice, &everything).unwrap()
            ),
            1,
            "just before the first copy someone else numbered"
        );
        // The thief numbering Alice's protocol-1 push is not heard.
        db.push(team, alice, &[unnumbered(6, 1)]).unwrap();
        let mut claim = op(6, 1, alice, 99);
        claim.author = Some(alice);
        db.push(team, thief, &[claim]).unwrap();
        assert_eq!(db.holds_of(team, alice).unwrap(), [(1, 1)]);

        // Alice sends back her own copies: each replaces the other device's, at the head.
        let head = db.head(team).unwrap();
        let mut real = op(13, 1, alice, 3);
        real.bytes = envelope(13, 1, 100);
        assert_eq!(
            t.note(
                "hers again",
                db.push(team, alice, &[op(5, 1, alice, 5), real]).unwrap()
            ),
            (2, 0)
        );
        assert_eq!(db.head(team).unwrap(), head + 2);
        assert_eq!(
            t.note("held of Alice now", db.holds_of(team, alice).unwrap()),
            [(1, 1), (3, 3), (5, 5)]
        );
        let (got, _) = pull_all(db, team, device_id(99), head, 1 << 20);
        assert_eq!(got, [5, 13], "every tablet is offered her copies");
        // Sent again, they are duplicates; the thief cannot take them back by claiming them:
        // its own copy is kept beside hers, never in her place.
        assert_eq!(db.push(team, alice, &[op(5, 1, alice, 5)]).unwrap(), (0, 1));
        let mut mine = op(5, 1, thief, 1);
        mine.author = None;
        assert_eq!(db.push(team, thief, &[mine]).unwrap(), (1, 0));
        assert_eq!(db.holds_of(team, alice).unwrap(), [(1, 1), (3, 3), (5, 5)]);
        let (got, _) = pull_all(db, team, device_id(99), head, 1 << 20);
        assert_eq!(got, [5, 13, 5], "her copy stays where it was");
    });
}

/// If this failed, a stolen tablet that pushed garbage under a colleague's op ids, declared as
/// its own, would keep her real operations off the server (ADR 0027): pushed again after a
/// restore, each was answered "duplicate" and stored nowhere. Now each pushing device keeps at
/// most one copy of an op id, every copy is served, and nothing the thief stores counts for
/// her; an erasure deletes every copy.
#[test]
fn an_op_id_keeps_one_copy_per_pushing_device() {
    on_every_store(|db, t| {
        let (team, a) = found(db, 1, 1);
        let alice = enrol(db, team, a, 2, Role::Counsellor);
        let thief = enrol(db, team, a, 3, Role::Counsellor);
        let relay = enrol(db, team, a, 4, Role::Counsellor);
        let accomplice = enrol(db, team, a, 5, Role::Counsellor);
        let supervisor = enrol(db, team, a, 6, Role::Supervisor);
        let garbage = |n: u32, seq: u64| {
            let mut o = op(n, 1, thief, seq);
            o.author = None;
            o.bytes = envelope(n, 1, 60);
            o
        };
        // After a restore: the thief squats Alice's ids 1 and 2 first, declared as its own.
        assert_eq!(
            t.note(
                "squatted",
                db.push(team, thief, &[garbage(1, 41), garbage(2, 42)])
                    .unwrap()
            ),
            (2, 0)
        );
        assert_eq!(db.holds_of(team, alice).unwrap(), []);
        // Alice sends her own: each stored beside the thief's.
        assert_eq!(
            t.note(
                "hers beside",
                db.push(team, alice, &[op(1, 1, alice, 1), op(2, 1, alice, 2)])
                    .unwrap()
            ),
            (2, 0)
        );
        assert_eq!(
            t.note("held of Alice", db.holds_of(team, alice).unwrap()),
            [(1, 2)]
        );
        // Every copy is served; the tablets keep the one that verifies.
        let (got, _) = pull_all(db, team, a, 0, 1 << 20);
        assert_eq!(t.note("served", got), [1, 2, 1, 2]);
        // Her id 3: hers first, the thief's after.
        db.push(team, alice, &[op(3, 1, alice, 3)]).unwrap();
        assert_eq!(db.push(team, thief, &[garbage(3, 43)]).unwrap(), (1, 0));

        // Bounds: a device adds at most one copy per id, whatever it declares.
        let again = t.note(
            "the thief again",
            db.push(team, thief, &[garbage(1, 41), garbage(3, 99)])
                .unwrap(),
        );
        assert_eq!(again, (0, 2));
        let mut as_hers = garbage(2, 2);
        as_hers.author = Some(alice);
        assert_eq!(db.push(team, thief, &[as_hers]).unwrap(), (0, 1));
        // A relay declared as Alice's adds nothing where a copy declared hers is held; nor
        // does Alice pushing again.
        assert_eq!(
            db.push(team, relay, &[op(1, 1, alice, 1), op(3, 1, alice, 3)])
                .unwrap(),
            (0, 2)
        );
        assert_eq!(db.push(team, alice, &[op(2, 1, alice, 2)]).unwrap(), (0, 1));
        // A second thief adds one more copy of its own, bounded by the team's devices.
        let mut second = garbage(1, 7);
        second.bytes = envelope(1, 1, 70);
        assert_eq!(db.push(team, accomplice, &[second]).unwrap(), (1, 0));
        let head = t.note("head", db.head(team).unwrap());
        assert_eq!(head, 7, "two copies of 1, 2, 3 and the accomplice's");

        // Each copy counts against its pusher's quota.
        assert_eq!(
            t.note("Alice's bytes", db.pushed_bytes(alice).unwrap()),
            300
        );
        assert_eq!(
            t.note("the thief's bytes", db.pushed_bytes(thief).unwrap()),
            180
        );
        assert_eq!(db.pushed_bytes(relay).unwrap(), 0);
        // What each is told: the thief's numbers are its word, for itself only.
        let told = t.note("Alice reconciles against", db.holds(team, alice).unwrap());
        assert!(told.contains(&(alice, vec![(1, 3)])), "{told:?}");
        assert!(
            told.contains(&(thief, vec![(41, 43)])),
            "the thief's numbers are its own word: {told:?}"
        );
        let hers: AuthorRanges = vec![(alice, vec![(1, 3)])];
        assert_eq!(
            t.note(
                "where a tablet holding her work resumes",
                db.resume_after(team, relay, &hers).unwrap()
            ),
            0,
            "before the thief's first copy, which it does not hold"
        );

        // An erasure deletes every copy of its ids, and none is stored again.
        db.push(team, supervisor, &[op(10, 1, supervisor, 1)])
            .unwrap();
        assert_eq!(
            db.erase_ops(team, supervisor, op_id(10), &[op_id(1)], NOW)
                .unwrap(),
            1
        );
        let (got, _) = pull_all(db, team, a, 0, 1 << 20);
        assert_eq!(t.note("after the erasure", got), [2, 2, 3, 3, 10]);
        assert_eq!(db.push(team, alice, &[op(1, 1, alice, 1)]).unwrap(), (0, 1));
        assert_eq!(db.push(team, relay, &[op(1, 1, alice, 1)]).unwrap(), (0, 1));
    });
}

/// If this failed, a stolen tablet that stored garbage first for a key a restore lost would
/// keep the device it is owed by from ever receiving it (ADR 0027): every giver keeps a grant,
/// each epoch's in the order a tablet tries them, the rotation's and an administrator's first,
/// and a grant only another counsellor gave does not stop anyone from giving it.
#[test]
fn a_garbage_grant_never_hides_the_key_an_administrator_gives() {
    on_every_store(|db, t| {
        let (team, a) = found(db, 1, 1);
        let owed = enrol(db, team, a, 2, Role::Counsellor);
        let thief = enrol(db, team, a, 3, Role::Counsellor);
        let honest = enrol(db, team, a, 4, Role::Counsellor);
        db.raise_epoch(team, 2).unwrap();
        let owed_keys = |db: &crate::Store| -> Vec<(u32, Id16)> {
            db.missing_grants(team, a)
                .unwrap()
                .into_iter()
                .map(|(e, d, _)| (e, d))
                .filter(|(_, d)| *d == owed)
                .collect()
        };
        assert_eq!(owed_keys(db), [(2, owed)]);
        // The thief gives garbage first, then the thief again, a counsellor, the administrator.
        assert_eq!(
            db.add_grants(team, thief, &[(2, owed, vec![0x5a; 48])])
                .unwrap(),
            1
        );
        assert_eq!(
            db.add_grants(team, thief, &[(2, owed, vec![0x5b; 48])])
                .unwrap(),
            0
        );
        assert_eq!(
            t.note("still owed", owed_keys(db)),
            [(2, owed)],
            "a counsellor's grant is its word only"
        );
        assert!(
            db.missing_grants(team, thief)
                .unwrap()
                .iter()
                .all(|(_, d, _)| *d != owed),
            "the thief is not asked again"
        );
        db.add_grants(team, honest, &[(2, owed, vec![0x44; 48])])
            .unwrap();
        db.add_grants(team, a, &[(2, owed, vec![0xaa; 48])])
            .unwrap();
        assert_eq!(t.note("given", owed_keys(db)), []);
        let (_, grants) = t.note(
            "what the owed device is handed",
            db.key_grants(team, owed, 0).unwrap(),
        );
        assert_eq!(grants.len(), 3);
        assert_eq!(grants[0], (2, vec![0xaa; 48]), "the administrator's first");
    });
}

fn team_unknown() -> Id16 {
    team(0xee)
}

/// If this failed, a server restored from a backup older than a revocation would let the lost
/// tablet log in again, keep a colleague enrolled since then locked out, or keep asking
/// tablets for key grants they already gave back.
#[test]
fn a_restored_store_catches_up_from_the_signed_list_and_the_grants_tablets_send() {
    on_every_store(|db, t| {
        let (team, a) = found(db, 1, 1);
        let (other_team, _) = found(db, 2, 9);
        // Members the store lost, registered again from their signed statements, in the order
        // the tablet sends them (not the order of their ids), with the statements that admit
        // them; one the team's list revoked since, registered revoked.
        let again = |n: u8, role: Role, revoked: bool| Readmitted {
            device: device(n),
            role,
            revoked,
        };
        let admitting = [
            b"invitation of 3".to_vec(),
            device(3).statement,
            device(2).statement,
        ];
        let n = db.readmit(
            team,
            &[
                again(3, Role::Supervisor, false),
                again(2, Role::Counsellor, false),
                again(4, Role::Counsellor, true),
            ],
            &admitting,
            NOW,
        );
        assert_eq!(t.result("three", n).unwrap(), 3);
        let n = db.readmit(
            team,
            &[again(2, Role::Admin, false), again(9, Role::Admin, false)],
            &admitting,
            NOW,
        );
        assert_eq!(t.result("again, and another team's", n).unwrap(), 0);
        assert_eq!(
            db.device(device_id(2)).unwrap().unwrap().role,
            Role::Counsellor,
            "not replaced"
        );
        assert_eq!(
            db.device(device_id(9)).unwrap().unwrap().team_id,
            other_team,
            "not moved"
        );
        assert!(t.note("revoked", db.device(device_id(4)).unwrap().unwrap().revoked));
        let (list, total) = db.roster(team, 1, 10).unwrap();
        assert_eq!(
            t.note("the list", (list, total)),
            (admitting.to_vec(), 4),
            "each once, in order"
        );
        assert!(db
            .readmit(team_unknown(), &[again(8, Role::Admin, false)], &[], NOW)
            .is_err());
        assert!(db.device(device_id(8)).unwrap().is_none());

        db.raise_epoch(team, 3).unwrap();
        db.raise_epoch(team, 2).unwrap();
        assert_eq!(
            t.note("epoch", db.device(a).unwrap().unwrap().team_epoch),
            3,
            "never lowered"
        );
        let missing = t.note("missing", db.missing_grants(team, a).unwrap());
        let expected: Vec<(u32, Id16, Vec<u8>)> = [2, 3]
            .into_iter()
            .flat_map(|e| [1, 2, 3].map(|d| (e, device_id(d), kx_pk(d))))
            .collect();
        assert_eq!(missing, expected, "by epoch, then by device");

        let k = |x: u8| vec![x; 48];
        let grants = [
            (2, a, k(1)),
            (2, device_id(2), k(2)),
            (2, device_id(9), k(9)),
            (2, a, k(7)),
            (3, device_id(5), k(5)),
        ];
        assert_eq!(
            t.note("added", db.add_grants(team, a, &grants).unwrap()),
            2,
            "never replaced, only the team's"
        );
        assert_eq!(
            t.note("admin's", db.key_grants(team, a, 0).unwrap()),
            (3, vec![(2, k(1))])
        );
        assert_eq!(
            t.note(
                "the other team's device",
                db.key_grants(other_team, device_id(9), 0).unwrap()
            ),
            (1, vec![])
        );

        db.put_token(&[6; 32], device_id(3), NOW + 900_000).unwrap();
        db.revoke_to(team, device_id(3), 4, NOW + 5).unwrap();
        db.revoke_to(team, device_id(3), 4, NOW + 9).unwrap();
        let row = db.device(device_id(3)).unwrap().unwrap();
        assert_eq!(t.note("revoked", (row.revoked, row.team_epoch)), (true, 4));
        assert_eq!(
            t.note("its token", db.token_device(&[6; 32], NOW).unwrap()),
            None
        );
        let missing = t.note("missing after", db.missing_grants(team, a).unwrap());
        let still: Vec<(u32, Id16)> = missing.iter().map(|(e, d, _)| (*e, *d)).collect();
        assert_eq!(
            still,
            [(3, a), (3, device_id(2)), (4, a), (4, device_id(2))],
            "a revoked device is owed no key"
        );
        db.revoke_to(other_team, device_id(2), 5, NOW).unwrap();
        assert!(
            !db.device(device_id(2)).unwrap().unwrap().revoked,
            "only the team's own devices"
        );
        assert_eq!(
            t.note(
                "the other team's epoch",
                db.device(device_id(9)).unwrap().unwrap().team_epoch
            ),
            5
        );
    });
}

/// If this failed, a tablet facing a server restored or rebuilt under it would read on from a
/// cursor into another stream, skipping what it never saw and never sending back what the
/// server lost.
#[test]
fn a_tablet_is_told_when_the_stream_is_not_the_one_it_read() {
    on_every_store(|db, t| {
        let (team, a) = found(db, 1, 1);
        let c = enrol(db, team, a, 2, Role::Counsellor);
        db.push(
            team,
            c,
            &(1..=4).map(|n| op(n, 1, c, n.into())).collect::<Vec<_>>(),
        )
        .unwrap();
        let first = db.generation().unwrap();
        assert_eq!(db.generation().unwrap(), first, "a generation stays");

        let p = page(
            t,
            "the op it read",
            db,
            db.pull(team, a, 2, 1 << 20, Some(op_id(2))).unwrap(),
        );
        assert_eq!((numbers(&p.envelopes), p.rewound), (vec![3, 4], false));
        let p = page(
            t,
            "another op there",
            db,
            db.pull(team, a, 2, 1 << 20, Some(op_id(3))).unwrap(),
        );
        assert_eq!(
            (p.envelopes.len(), p.next, p.more, p.head, p.rewound),
            (0, 2, false, 4, true)
        );
        let p = page(
            t,
            "beyond the head",
            db,
            db.pull(team, a, 6, 1 << 20, Some(op_id(6))).unwrap(),
        );
        assert_eq!((p.envelopes.len(), p.next, p.rewound), (0, 6, true));
        let p = page(
            t,
            "beyond, without at",
            db,
            db.pull(team, a, 5, 1 << 20, None).unwrap(),
        );
        assert!(p.rewound);
        let p = page(
            t,
            "at the head",
            db,
            db.pull(team, a, 4, 1 << 20, Some(op_id(4))).unwrap(),
        );
        assert!(!p.rewound && p.envelopes.is_empty());

        // A restore gives the store a new generation, and only that changes.
        let fresh = db.new_generation().unwrap();
        assert_ne!(fresh, first);
        assert_eq!(db.generation().unwrap(), fresh);
        let p = page(
            t,
            "after a new generation",
            db,
            db.pull(team, a, 0, 1 << 20, None).unwrap(),
        );
        assert_eq!(p.generation, fresh);
        assert_eq!(numbers(&p.envelopes), [1, 2, 3, 4]);
        assert_eq!(t.note("head", db.head(team).unwrap()), 4);
    });
}

/// If this failed, restarting the server (an upgrade, a power cut) would lose operations,
/// devices, revocations or erasures, or look like a restore to every tablet.
#[test]
fn a_restarted_store_keeps_everything_it_acknowledged() {
    for mut store in stores() {
        let (team, a, c, generation) = {
            let db = &store;
            let (team, a) = found(db, 1, 1);
            let c = enrol(db, team, a, 2, Role::Counsellor);
            db.push(
                team,
                c,
                &(1..=5).map(|n| op(n, 1, c, n.into())).collect::<Vec<_>>(),
            )
            .unwrap();
            db.push(team, a, &[op(9, 1, a, 1)]).unwrap();
            db.erase_ops(team, a, op_id(9), &[op_id(2)], NOW).unwrap();
            db.put_token(&[1; 32], c, NOW + 900_000).unwrap();
            let grants = [(a, vec![1; 48])];
            db.revoke(team, c, NOW, 2, &grants, &[b"snapshot".to_vec()])
                .unwrap();
            (team, a, c, db.generation().unwrap())
        };
        store.reopen();
        let db = &store;
        let d = store.dialect;
        assert_eq!(
            db.generation().unwrap(),
            generation,
            "{d}: a restart is not a restore"
        );
        assert_eq!(db.head(team).unwrap(), 6, "{d}");
        let (got, _) = pull_all(db, team, device_id(99), 0, 1 << 20);
        assert_eq!(got, [1, 3, 4, 5, 9], "{d}");
        assert_eq!(
            db.push(team, c, &[op(2, 2, c, 2)]).unwrap(),
            (0, 1),
            "{d}: still erased"
        );
        let row = db.device(c).unwrap().unwrap();
        assert_eq!((row.revoked, row.team_epoch), (true, 2), "{d}");
        assert_eq!(
            db.key_grants(team, a, 0).unwrap(),
            (2, vec![(2, vec![1; 48])]),
            "{d}"
        );
        assert_eq!(db.roster_len(team).unwrap(), 4, "{d}");
        assert!(!db.needs_bootstrap().unwrap(), "{d}");
    }
}
