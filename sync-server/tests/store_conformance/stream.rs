//! A team's operation stream: what is stored, in which order, how it is paged, what is refused.

use komora_protocol::{Id16, PullPage, Role};
use komora_sync_server::db::{DbError, IncomingOp, Pass};

use crate::fixtures::*;
use crate::{on_every_store, stores, Store, Transcript};

/// A page as the transcript keeps it: the operations it carries by number, and its cursor
/// fields; its generation is checked against the store's (it is random, so not compared).
pub fn page(t: &mut Transcript, label: &str, db: &Store, p: PullPage) -> PullPage {
    assert_eq!(
        p.generation,
        db.generation().unwrap(),
        "{label}: a page names the store's generation"
    );
    t.note(
        label,
        (
            numbers(&p.envelopes),
            p.next,
            p.more,
            p.head,
            p.next_op,
            p.rewound,
        ),
    );
    p
}

/// Pull everything `who` lacks after `after`, page by page of `max_bytes`; returns the
/// operation numbers and the pages' sizes.
pub fn pull_all(
    db: &Store,
    team: Id16,
    who: Id16,
    mut after: u64,
    max_bytes: u32,
) -> (Vec<u32>, Vec<usize>) {
    let (mut got, mut sizes) = (Vec::new(), Vec::new());
    for _ in 0..10_000 {
        let p = db.pull(team, who, after, max_bytes, None).unwrap();
        got.extend(numbers(&p.envelopes));
        sizes.push(p.envelopes.iter().map(Vec::len).sum());
        assert!(p.next >= after, "a cursor never goes back");
        after = p.next;
        if !p.more {
            return (got, sizes);
        }
    }
    panic!("the pages never ended");
}

/// If this failed, a counsellor's sessions would reach her supervisor out of order, or not at
/// all, or come back to her own tablet as if someone else had written them.
#[test]
fn pushed_operations_come_back_to_the_others_in_the_order_they_were_stored() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 1, 1);
        let counsellor = enrol(db, team, admin, 2, Role::Counsellor);
        assert_eq!(t.note("empty head", db.head(team).unwrap()), 0);
        let first: Vec<IncomingOp> = (1..=3).map(|n| op(n, 1, counsellor, n.into())).collect();
        assert_eq!(
            t.note("push 1-3", db.push(team, counsellor, &first).unwrap()),
            (3, 0)
        );
        let theirs = [op(4, 1, admin, 1), op(5, 1, admin, 2)];
        assert_eq!(
            t.note("push 4-5", db.push(team, admin, &theirs).unwrap()),
            (2, 0)
        );
        assert_eq!(
            t.note(
                "push 6",
                db.push(team, counsellor, &[op(6, 1, counsellor, 4)])
                    .unwrap()
            ),
            (1, 0)
        );
        assert_eq!(t.note("head", db.head(team).unwrap()), 6);

        let p = page(
            t,
            "admin pulls",
            db,
            db.pull(team, admin, 0, 1 << 20, None).unwrap(),
        );
        assert_eq!(
            numbers(&p.envelopes),
            [1, 2, 3, 6],
            "in stored order, without the admin's own"
        );
        assert_eq!((p.next, p.more, p.head), (6, false, 6));
        assert_eq!(
            p.next_op,
            Some(Id16(op_id(6))),
            "the op at the cursor, to hand back as `at`"
        );
        assert_eq!(
            p.envelopes[0],
            envelope(1, 1, 100),
            "envelopes come back byte for byte"
        );

        let p = page(
            t,
            "counsellor pulls",
            db,
            db.pull(team, counsellor, 0, 1 << 20, None).unwrap(),
        );
        assert_eq!(numbers(&p.envelopes), [4, 5]);
        assert_eq!(p.next, 6, "her cursor passes her own operations too");
        assert_eq!(
            p.next_op,
            Some(Id16(op_id(6))),
            "even when the op at the cursor is hers"
        );

        let p = page(
            t,
            "from the middle",
            db,
            db.pull(team, admin, 4, 1 << 20, None).unwrap(),
        );
        assert_eq!(numbers(&p.envelopes), [6]);
        let p = page(
            t,
            "at the head",
            db,
            db.pull(team, admin, 6, 1 << 20, None).unwrap(),
        );
        assert!(p.envelopes.is_empty() && !p.more && p.next == 6);
        assert!(!p.rewound);
        let p = page(
            t,
            "nothing yet",
            db,
            db.pull(found(db, 2, 3).0, device_id(3), 0, 1 << 20, None)
                .unwrap(),
        );
        assert_eq!((p.next, p.head, p.next_op), (0, 0, None));
    });
}

/// If this failed, a tablet that retried a push after a dropped connection would show her
/// colleagues every change twice, or the server's stream would grow with every retry.
#[test]
fn an_operation_pushed_twice_is_stored_once() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 1, 1);
        let c = enrol(db, team, admin, 2, Role::Counsellor);
        let batch: Vec<IncomingOp> = (1..=3).map(|n| op(n, 1, c, n.into())).collect();
        assert_eq!(t.note("first", db.push(team, c, &batch).unwrap()), (3, 0));
        assert_eq!(t.note("again", db.push(team, c, &batch).unwrap()), (0, 3));
        let mixed = [op(2, 1, c, 2), op(4, 1, c, 4), op(4, 1, c, 4)];
        assert_eq!(
            t.note(
                "one new, twice in its batch",
                db.push(team, c, &mixed).unwrap()
            ),
            (1, 2)
        );
        assert_eq!(t.note("head", db.head(team).unwrap()), 4);
        // Pushed again by another device (a batch file carried it): still once.
        assert_eq!(
            t.note("from the admin", db.push(team, admin, &batch[..1]).unwrap()),
            (0, 1)
        );
        let (got, _) = pull_all(db, team, admin, 0, 1 << 20);
        assert_eq!(t.note("the admin reads", got), [1, 2, 3, 4]);
        // An operation from a device of the old protocol gets its number when it is pushed
        // again with one.
        assert_eq!(
            t.note("unnumbered", db.push(team, c, &[unnumbered(5, 1)]).unwrap()),
            (1, 0)
        );
        assert_eq!(
            t.note("holds before", db.holds_of(team, c).unwrap()),
            [(1, 4)]
        );
        assert_eq!(
            t.note(
                "numbered again",
                db.push(team, c, &[op(5, 1, c, 5)]).unwrap()
            ),
            (0, 1)
        );
        assert_eq!(
            t.note("holds after", db.holds_of(team, c).unwrap()),
            [(1, 5)]
        );
        assert_eq!(db.head(team).unwrap(), 5);
    });
}

/// If this failed, a device's quota of stored bytes (ADR 0027) would count a retried push
/// twice and refuse an honest tablet, or miss what it stored and let a stolen one fill the
/// disk; and the invitations a team holds waiting would be miscounted.
#[test]
fn what_a_device_stored_and_what_its_team_has_waiting_are_counted() {
    on_every_store(|db, t| {
        let (team, a) = found(db, 1, 1);
        let c = enrol(db, team, a, 2, Role::Counsellor);
        db.push(team, c, &[op(1, 1, c, 1), op(2, 1, c, 2)]).unwrap();
        db.push(team, c, &[op(1, 1, c, 1)]).unwrap();
        assert_eq!(
            t.note("hers", db.pushed_bytes(c).unwrap()),
            200,
            "once each"
        );
        // Her operation relayed by the administrator first, then sent by her: both counted
        // for who sent them.
        db.push(team, a, &[op(3, 1, c, 3)]).unwrap();
        db.push(team, c, &[op(3, 1, c, 3)]).unwrap();
        assert_eq!(t.note("hers now", db.pushed_bytes(c).unwrap()), 300);
        assert_eq!(t.note("the relay's", db.pushed_bytes(a).unwrap()), 100);
        assert_eq!(db.pushed_bytes(device_id(77)).unwrap(), 0, "no such device");

        // Enrolment used one invitation; one waits; one expired.
        let waiting = invitation(team, Role::Counsellor, a, 40, 40, NOW + 60_000);
        let expired = invitation(team, Role::Counsellor, a, 41, 41, NOW + 10);
        db.create_invite(&waiting).unwrap();
        db.create_invite(&expired).unwrap();
        assert_eq!(
            t.note("waiting", db.pending_invites(team, NOW + 100).unwrap()),
            1
        );
        assert_eq!(db.pending_invites(team, NOW).unwrap(), 2);

        // At a cap of two waiting, the expired one leaves room for one more, then none; a
        // refused invitation is not stored, nor its statement appended.
        let roster = db.roster_len(team).unwrap();
        let third = invitation(team, Role::Counsellor, a, 42, 42, NOW + 60_000);
        db.create_invite_within(&third, NOW + 100, 2).unwrap();
        let fourth = invitation(team, Role::Counsellor, a, 43, 43, NOW + 60_000);
        let refused = db.create_invite_within(&fourth, NOW + 100, 2);
        assert!(
            matches!(
                t.result("past the cap", refused),
                Err(DbError::TooManyInvitesWaiting)
            ),
            "refused for the cap"
        );
        assert_eq!(db.pending_invites(team, NOW + 100).unwrap(), 2);
        assert_eq!(
            db.roster_len(team).unwrap(),
            roster + 1,
            "only the third's statement"
        );
    });
}

/// If this failed, a stolen tablet sending pushes at once could each pass a quota checked
/// apart from the push, and fill the disk a batch at a time; or a push refused for the quota
/// would leave part of itself stored, or counted (ADR 0027).
#[test]
fn a_push_past_its_devices_quota_is_refused_whole() {
    on_every_store(|db, t| {
        let (team, a) = found(db, 1, 1);
        let c = enrol(db, team, a, 2, Role::Counsellor);
        assert_eq!(
            t.note(
                "up to the quota",
                db.push_within(team, c, &[op(1, 1, c, 1), op(2, 1, c, 2)], 200)
            )
            .unwrap(),
            (2, 0)
        );
        let head = db.head(team).unwrap();
        let over = t.result(
            "one byte past it",
            db.push_within(team, c, &[op(3, 1, c, 3)], 299),
        );
        assert!(matches!(over, Err(DbError::QuotaExceeded)), "{over:?}");
        assert_eq!(db.head(team).unwrap(), head, "nothing stored");
        assert_eq!(db.pushed_bytes(c).unwrap(), 200, "nothing counted");
        // What is held already costs nothing: a retried push at the quota goes through, and so
        // does one from a device already over a quota the operator lowered since.
        assert_eq!(
            db.push_within(team, c, &[op(1, 1, c, 1)], 200).unwrap(),
            (0, 1)
        );
        assert_eq!(
            t.note(
                "a retry over a lowered quota",
                db.push_within(team, c, &[op(1, 1, c, 1), op(2, 1, c, 2)], 50)
            )
            .unwrap(),
            (0, 2)
        );
        // Another device's count is its own.
        assert_eq!(
            db.push_within(team, a, &[op(3, 1, a, 1)], 100).unwrap(),
            (1, 0)
        );
        assert_eq!(
            db.push_within(team, c, &[op(4, 1, c, 3)], 300).unwrap(),
            (1, 0)
        );
        assert_eq!(t.note("hers", db.pushed_bytes(c).unwrap()), 300);
    });
}

/// If this failed, a team of many tablets (or a thief enrolling more before its revocation)
/// would be bounded only per device; or a push refused for the team's quota would leave part
/// of itself stored or counted, or one team's work would count against another's (ADR 0027).
#[test]
fn a_push_past_its_teams_quota_is_refused_whole() {
    on_every_store(|db, t| {
        let (team, a) = found(db, 1, 1);
        let c = enrol(db, team, a, 2, Role::Counsellor);
        let (other, b) = found(db, 2, 4);
        db.push(other, b, &[op(9, 1, b, 1), op(10, 1, b, 2)])
            .unwrap();
        db.push_within_team(team, a, &[op(1, 1, a, 1)], 200)
            .unwrap();
        let head = db.head(team).unwrap();
        let over = t.result(
            "past the team's quota",
            db.push_within_team(team, c, &[op(2, 1, c, 1), op(3, 1, c, 2)], 200),
        );
        assert!(matches!(over, Err(DbError::TeamQuotaExceeded)), "{over:?}");
        assert_eq!(db.head(team).unwrap(), head, "nothing stored");
        assert_eq!(db.pushed_bytes(c).unwrap(), 0, "nothing counted");
        assert_eq!(
            t.note(
                "up to it, from another device",
                db.push_within_team(team, c, &[op(2, 1, c, 1)], 200)
            )
            .unwrap(),
            (1, 0)
        );
        // A retry of what is held costs nothing, at the quota.
        assert_eq!(
            db.push_within_team(team, a, &[op(1, 1, a, 1)], 200)
                .unwrap(),
            (0, 1)
        );
    });
}

/// If this failed, a device of another team that learnt an operation's id could push it
/// first, and the real operation would be answered "duplicate" and never reach anyone.
#[test]
fn operation_ids_are_the_teams_own() {
    on_every_store(|db, t| {
        let (one, a) = found(db, 1, 1);
        let (two, b) = found(db, 2, 2);
        let mut forged = op(7, 1, b, 1);
        forged.bytes = envelope(7, 1, 60);
        assert_eq!(
            t.note("the other team first", db.push(two, b, &[forged]).unwrap()),
            (1, 0)
        );
        assert_eq!(
            t.note("the owner", db.push(one, a, &[op(7, 1, a, 1)]).unwrap()),
            (1, 0)
        );
        let reader = enrol(db, one, a, 3, Role::Supervisor);
        let p = db.pull(one, reader, 0, 1 << 20, None).unwrap();
        assert_eq!(
            p.envelopes,
            [envelope(7, 1, 100)],
            "the team reads its own operation"
        );
        let p = db.pull(two, device_id(9), 0, 1 << 20, None).unwrap();
        assert_eq!(
            p.envelopes,
            [envelope(7, 1, 60)],
            "and the other team only its own"
        );
        assert_eq!(
            t.note("heads", (db.head(one).unwrap(), db.head(two).unwrap())),
            (1, 1)
        );
    });
}

/// If this failed, a tablet on a 2G link would be sent pages too large to arrive before the
/// connection drops, or would skip or repeat operations between one page and the next.
#[test]
fn pages_are_bounded_and_the_next_pull_resumes_where_the_last_stopped() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 1, 1);
        let c = enrol(db, team, admin, 2, Role::Counsellor);
        // 30 operations of 100 bytes by the counsellor, the admin's own interleaved.
        for n in 1..=30u32 {
            let (who, seq) = if n % 4 == 0 { (admin, n / 4) } else { (c, n) };
            db.push(team, who, &[op(n, 1, who, seq.into())]).unwrap();
        }
        let mut after = 0;
        let mut all = Vec::new();
        loop {
            let p = page(
                t,
                "page",
                db,
                db.pull(team, admin, after, 250, None).unwrap(),
            );
            let bytes: usize = p.envelopes.iter().map(Vec::len).sum();
            assert!(bytes <= 250, "a page stays within its byte budget");
            assert!(
                !p.envelopes.is_empty() || !p.more,
                "a page with more to come carries some"
            );
            all.extend(numbers(&p.envelopes));
            after = p.next;
            if !p.more {
                break;
            }
        }
        let expected: Vec<u32> = (1..=30).filter(|n| n % 4 != 0).collect();
        assert_eq!(
            all, expected,
            "every page in order, nothing skipped or repeated"
        );
        assert_eq!(after, 30);

        // Smallest envelopes (the protocol's 49 bytes), many of the reader's own between them:
        // the page is still cut by bytes, not cut short.
        let (small_team, s) = found(db, 2, 3);
        let other = enrol(db, small_team, s, 4, Role::Counsellor);
        for n in 100..180u32 {
            let who = if n < 150 { s } else { other };
            let mut o = op(n, 1, who, n.into());
            o.bytes = envelope(n, 1, 49);
            db.push(small_team, who, &[o]).unwrap();
        }
        let p = page(
            t,
            "past the reader's own",
            db,
            db.pull(small_team, s, 0, 1024, None).unwrap(),
        );
        assert_eq!(
            numbers(&p.envelopes),
            (150..170).collect::<Vec<_>>(),
            "20 of 49 bytes fit 1024"
        );
        assert!(p.more);

        // One envelope larger than the budget still goes, alone: a page always moves on.
        let mut big = op(31, 1, c, 31);
        big.bytes = envelope(31, 1, 4000);
        db.push(team, c, &[big, op(32, 1, c, 32)]).unwrap();
        let p = page(
            t,
            "too large for the budget",
            db,
            db.pull(team, admin, 30, 1024, None).unwrap(),
        );
        assert_eq!(
            (numbers(&p.envelopes), p.next, p.more),
            (vec![31], 31, true)
        );
        let (rest, _) = pull_all(db, team, admin, p.next, 1024);
        assert_eq!(rest, [32]);
    });
}

/// If this failed, the first sync of a tablet joining a busy team would stop answering: a page
/// cut by its byte budget long before the rows the store read for it ran out left PostgreSQL's
/// connection waiting on itself (found by the server-restart scenario), and every request
/// after it waited for a connection.
#[test]
fn a_page_cut_short_of_a_long_stream_leaves_the_store_answering() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 1, 1);
        let c = enrol(db, team, admin, 2, Role::Counsellor);
        for batch in 0..40u32 {
            let ops: Vec<IncomingOp> = (0..100u32)
                .map(|k| {
                    let n = batch * 100 + k + 1;
                    let mut o = op(n, 1, c, n.into());
                    o.bytes = envelope(n, 1, 1000);
                    o
                })
                .collect();
            db.push(team, c, &ops).unwrap();
        }
        let p = page(
            t,
            "first page",
            db,
            db.pull(team, admin, 0, 64 * 1024, None).unwrap(),
        );
        assert_eq!((p.envelopes.len(), p.next, p.more), (65, 65, true));
        assert_eq!(t.note("still answering", db.head(team).unwrap()), 4000);
        let (rest, sizes) = pull_all(db, team, admin, p.next, 64 * 1024);
        assert_eq!(rest, (66..=4000).collect::<Vec<_>>());
        t.note("pages", sizes.len());
        // A summary that stops at the first operation the tablet lacks, early in a long stream.
        let theirs = vec![(c, vec![(1, 10)])];
        assert_eq!(
            t.note("resume", db.resume_after(team, admin, &theirs).unwrap()),
            10
        );
        assert_eq!(db.head(team).unwrap(), 4000);
    });
}

/// If this failed, a revoked tablet could still write under the key it kept, or a forged
/// epoch would have every tablet set the operation aside forever, waiting for a key that
/// does not exist. Nothing of a refused batch is stored.
#[test]
fn a_batch_under_an_old_or_unknown_key_epoch_is_refused_whole() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 1, 1);
        db.raise_epoch(team, 2).unwrap();
        let stale = [op(1, 2, admin, 1), op(2, 1, admin, 2)];
        let r = t.result("old epoch", db.push(team, admin, &stale));
        assert!(matches!(r, Err(DbError::StaleEpoch)), "{r:?}");
        let future = [op(3, 2, admin, 1), op(4, 3, admin, 2)];
        let r = t.result("future epoch", db.push(team, admin, &future));
        assert!(matches!(r, Err(DbError::Invalid(_))), "{r:?}");
        assert_eq!(t.note("nothing stored", db.head(team).unwrap()), 0);
        assert_eq!(
            t.note(
                "current epoch",
                db.push(team, admin, &[op(1, 2, admin, 1)]).unwrap()
            ),
            (1, 0)
        );
        let r = t.result(
            "no such team",
            db.push(team_of_nobody(), admin, &[op(9, 1, admin, 9)]),
        );
        assert!(matches!(r, Err(DbError::Storage(_))), "{r:?}");
    });
}

fn team_of_nobody() -> Id16 {
    team(0xff)
}

/// If this failed, an operation's bytes could come back altered (a tablet would refuse it as
/// forged and lose it), or a number too large for the store would be silently stored as
/// another and break every tablet's summary of what the server holds.
#[test]
fn numbers_a_store_cannot_hold_are_refused_and_bytes_come_back_exact() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 1, 1);
        // Every byte value, NULs and invalid UTF-8 included, and the largest envelope.
        let mut odd = op(1, 1, admin, 1);
        odd.bytes = (0..=255u8)
            .cycle()
            .take(komora_protocol::envelope::MAX_LEN)
            .collect();
        odd.bytes[0] = komora_protocol::envelope::VERSION;
        odd.bytes[5..21].copy_from_slice(&op_id(1));
        let pushed = odd.bytes.clone();
        db.push(team, admin, &[odd]).unwrap();
        let p = db.pull(team, device_id(99), 0, u32::MAX, None).unwrap();
        assert_eq!(p.envelopes, [pushed], "exactly the bytes pushed");

        // The largest number a device may give its operation, and one past it.
        let top = i64::MAX as u64;
        assert_eq!(
            t.note(
                "largest number",
                db.push(team, admin, &[op(2, 1, admin, top)]).unwrap()
            ),
            (1, 0)
        );
        assert_eq!(
            t.note("holds", db.holds_of(team, admin).unwrap()),
            [(1, 1), (top, top)]
        );
        let r = t.result("past it", db.push(team, admin, &[op(3, 1, admin, top + 1)]));
        assert!(matches!(r, Err(DbError::Invalid(_))), "{r:?}");
        assert_eq!(t.note("head", db.head(team).unwrap()), 2);

        // A cursor far beyond the stream: the device is told the stream is not the one it read.
        let p = page(
            t,
            "cursor beyond",
            db,
            db.pull(team, admin, i64::MAX as u64, 1024, None).unwrap(),
        );
        assert!(p.rewound && p.envelopes.is_empty());

        // The largest epoch a team can reach is kept as it is.
        db.raise_epoch(team, u32::MAX).unwrap();
        let row = db.device(admin).unwrap().unwrap();
        assert_eq!(t.note("epoch", row.team_epoch), u32::MAX);
    });
}

/// If this failed, two tablets syncing at the same moment could be given the same sequence
/// number (one's work would be skipped by every reader) or leave a gap a reader waits on.
#[test]
fn tablets_pushing_at_once_get_distinct_consecutive_numbers() {
    for store in stores() {
        let db = &store;
        let (team, admin) = found(db, 1, 1);
        let devices: Vec<Id16> = (2..=7)
            .map(|n| enrol(db, team, admin, n, Role::Counsellor))
            .collect();
        std::thread::scope(|s| {
            for (i, d) in devices.iter().enumerate() {
                s.spawn(move || {
                    for batch in 0..20u32 {
                        let ops: Vec<IncomingOp> = (0..5u32)
                            .map(|k| {
                                let n = (i as u32 + 1) * 1000 + batch * 5 + k;
                                op(n, 1, *d, (batch * 5 + k + 1).into())
                            })
                            .collect();
                        assert_eq!(db.push(team, *d, &ops).unwrap(), (5, 0));
                    }
                });
            }
            // Statements appended at the same time keep distinct places in the list.
            s.spawn(|| {
                for k in 0..20u8 {
                    db.add_statement(team, &[k; 40]).unwrap();
                }
            });
        });
        assert_eq!(db.head(team).unwrap(), 600, "{}", store.dialect);
        let (got, _) = pull_all(db, team, admin, 0, 64 * 1024);
        assert_eq!(got.len(), 600, "{}: every operation once", store.dialect);
        let mut sorted = got.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 600, "{}: no operation twice", store.dialect);
        for d in &devices {
            assert_eq!(
                db.holds_of(team, *d).unwrap(),
                [(1, 100)],
                "{}",
                store.dialect
            );
        }
        // Each device's operations are read in the order it pushed them.
        for i in 1..=6u32 {
            let own: Vec<u32> = got.iter().copied().filter(|n| n / 1000 == i).collect();
            assert!(own.windows(2).all(|w| w[0] < w[1]), "{}", store.dialect);
        }
        assert_eq!(
            db.roster_len(team).unwrap(),
            1 + 6 * 2 + 20,
            "{}",
            store.dialect
        );
    }
}

/// Pull every page of `pass` from `after`; returns the operation numbers, the cursor at the
/// end, and the operations the pass stepped over.
fn pass_all(
    db: &Store,
    team: Id16,
    who: Id16,
    mut after: u64,
    max_bytes: u32,
    pass: Pass,
) -> (Vec<u32>, u64, u64) {
    let (mut got, mut deferred) = (Vec::new(), 0);
    for _ in 0..10_000 {
        let p = db
            .pull_pass(team, who, after, max_bytes, None, pass)
            .unwrap();
        got.extend(numbers(&p.envelopes));
        deferred += p.deferred;
        assert!(p.next >= after, "a cursor never goes back");
        after = p.next;
        if !p.more {
            return (got, after, deferred);
        }
    }
    panic!("the pages never ended");
}

/// If this failed, a new tablet's first sync would skip a session note, or serve one twice,
/// or tell the screens a wrong count of notes still arriving (issue 20, item 3).
#[test]
fn two_passes_by_priority_class_serve_every_operation_once_and_count_what_waits() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 3, 1);
        let counsellor = enrol(db, team, admin, 2, Role::Counsellor);
        // Operations 1-12, every third one long text (class 1); one of the admin's own.
        let ops: Vec<IncomingOp> = (1..=12u32)
            .map(|n| IncomingOp {
                priority: u8::from(n % 3 == 0),
                ..op(n, 1, counsellor, n.into())
            })
            .collect();
        assert_eq!(db.push(team, counsellor, &ops).unwrap(), (12, 0));
        let own = IncomingOp {
            priority: 1,
            ..op(13, 1, admin, 1)
        };
        db.push(team, admin, &[own]).unwrap();
        // Pages of two or three 100-byte envelopes.
        let first = Pass {
            class: Some(0),
            upto: None,
        };
        let (screens, end, deferred) = pass_all(db, team, admin, 0, 250, first);
        t.note("first pass", (&screens, end, deferred));
        assert_eq!(screens, [1, 2, 4, 5, 7, 8, 10, 11]);
        assert_eq!(end, 13, "the first pass ends at the head");
        assert_eq!(
            deferred, 4,
            "four notes stepped over, the admin's own not counted"
        );
        let second = Pass {
            class: Some(1),
            upto: Some(end),
        };
        let (notes, end2, _) = pass_all(db, team, admin, 0, 250, second);
        t.note("second pass", (&notes, end2));
        assert_eq!(
            notes,
            [3, 6, 9, 12],
            "every note, once, the admin's own left out"
        );
        assert_eq!(end2, 13);
        // A pass bounded below the head stops at its bound, whatever follows.
        let bounded = Pass {
            class: Some(1),
            upto: Some(7),
        };
        let (early, end3, _) = pass_all(db, team, admin, 0, 1 << 20, bounded);
        t.note("bounded pass", (&early, end3));
        assert_eq!((early, end3), (vec![3, 6], 7));
        // Without a pass, one pull serves every class, as before.
        let (all, _) = pull_all(db, team, admin, 0, 1 << 20);
        assert_eq!(all, (1..=12).collect::<Vec<u32>>());
    });
}

/// A tablet put back from an old copy of itself (ADR 0032): a push numbering new work with a
/// number the store holds for it under other work it pushed itself is refused whole; it then
/// gets its own operations back by number, and only its own (a relay's copy declared as its
/// work does not count, nor does another device's).
#[test]
fn a_tablet_put_back_gets_its_own_work_by_number_and_cannot_number_new_work_with_it() {
    on_every_store(|db, t| {
        let (team, a) = found(db, 1, 1);
        let c = enrol(db, team, a, 2, Role::Counsellor);
        let b = enrol(db, team, a, 3, Role::Counsellor);
        db.push(team, c, &[op(1, 1, c, 1), op(2, 1, c, 2), op(3, 1, c, 3)])
            .unwrap();
        db.push(team, b, &[op(4, 1, b, 1)]).unwrap();
        // Another device relays garbage declared as c's, numbered 4: not c's own push.
        db.push(team, b, &[op(5, 1, c, 4)]).unwrap();
        let head = db.head(team).unwrap();
        let taken = t.result(
            "new work under a number held",
            db.push(team, c, &[op(9, 1, c, 4), op(10, 1, c, 2)]),
        );
        assert!(matches!(taken, Err(DbError::NumberTaken)), "{taken:?}");
        assert_eq!(db.head(team).unwrap(), head, "nothing stored");
        // The same operation again is a duplicate, not a number taken; a number only a
        // relay declared is free to c.
        assert_eq!(
            t.note(
                "held work again, and a number only relayed",
                db.push(team, c, &[op(2, 1, c, 2), op(11, 1, c, 4)])
            )
            .unwrap(),
            (1, 1)
        );
        let page = t
            .note(
                "c's own numbers 2 to 4",
                db.pull_own(team, c, &[(2, 2), (4, 9)], 0, 64 * 1024),
            )
            .unwrap();
        assert_eq!(page.envelopes.len(), 2, "op 2 and op 11, nothing of b's");
        assert!(!page.more);
        // Paged by bytes: one at a time, then on from `next`.
        let first = db.pull_own(team, c, &[(1, 9)], 0, 1).unwrap();
        assert_eq!((first.envelopes.len(), first.more), (1, true));
        let rest = db
            .pull_own(team, c, &[(1, 9)], first.next, 64 * 1024)
            .unwrap();
        assert_eq!((rest.envelopes.len(), rest.more), (3, false));
        // Nobody else's: b asking for numbers c holds gets b's own only.
        assert_eq!(
            db.pull_own(team, b, &[(1, 9)], 0, 64 * 1024)
                .unwrap()
                .envelopes
                .len(),
            1
        );
    });
}
