//! Erased client files (ADR 0010): the operations that carried a file's key leave the stream
//! and stay out of it, and only the erasing device's own signed erasure can ask for it.

use komora_protocol::{Id16, Role};
use komora_sync_server::db::DbError;

use crate::fixtures::*;
use crate::on_every_store;
use crate::stream::{page, pull_all};

/// Whether `haystack` holds `needle` anywhere.
fn holds_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// If this failed, a client who asked to be forgotten would still be in the server's copy (and
/// in the next backup of it), or a tablet that had her file from a batch file would push it
/// back and every colleague would have it again.
#[test]
fn an_erased_file_is_gone_from_the_stream_and_cannot_be_pushed_back() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 1, 1);
        let supervisor = enrol(db, team, admin, 2, Role::Supervisor);
        let c = enrol(db, team, admin, 3, Role::Counsellor);
        let file: Vec<_> = (1..=3).map(|n| op(n, 1, c, n.into())).collect();
        db.push(team, c, &file).unwrap();
        db.push(team, c, &[op(4, 1, c, 4)]).unwrap();
        db.push(team, supervisor, &[op(10, 1, supervisor, 1)])
            .unwrap();
        // A reader's cursor sits on operation 2, which is about to go.
        let before = db.pull(team, admin, 0, 150, None).unwrap();
        assert_eq!((numbers(&before.envelopes), before.next), (vec![1], 1));
        let read_at = db.pull(team, admin, 1, 150, None).unwrap();
        assert_eq!((read_at.next, read_at.next_op), (2, Some(Id16(op_id(2)))));

        let asked = [op_id(1), op_id(2), op_id(3), op_id(77)];
        let n = t.result(
            "erase",
            db.erase_ops(team, supervisor, op_id(10), &asked, NOW),
        );
        assert_eq!(
            n.unwrap(),
            4,
            "every id asked for is handled, stored or not"
        );
        assert_eq!(t.note("head stays", db.head(team).unwrap()), 5);
        let (got, _) = pull_all(db, team, admin, 0, 1 << 20);
        assert_eq!(t.note("what remains", got), [4, 10]);
        let dump = db.dump().unwrap();
        for n in 1..=3 {
            assert!(
                !holds_bytes(&dump, &envelope(n, 1, 100)),
                "no byte of erased op {n} is kept"
            );
        }
        assert!(
            holds_bytes(&dump, &envelope(4, 1, 100)),
            "the dump holds what remains"
        );

        // The reader whose cursor stood on an erased operation reads on: the stream it read
        // is the same stream.
        let p = page(
            t,
            "cursor on an erased op",
            db,
            db.pull(team, admin, 2, 1 << 20, Some(op_id(2))).unwrap(),
        );
        assert!(!p.rewound);
        assert_eq!(numbers(&p.envelopes), [4, 10]);

        // Pushed back from a batch file, by anyone: answered as a duplicate, not stored.
        assert_eq!(
            t.note("pushed back", db.push(team, c, &file[..2]).unwrap()),
            (0, 2)
        );
        let mut late = op(77, 1, admin, 1);
        late.bytes = envelope(77, 1, 80);
        assert_eq!(
            t.note(
                "never stored, erased ahead",
                db.push(team, admin, &[late]).unwrap()
            ),
            (0, 1)
        );
        let (got, _) = pull_all(db, team, device_id(99), 0, 1 << 20);
        assert_eq!(got, [4, 10]);

        // What the stream holds of the counsellor now, and what was erased at whose request.
        assert_eq!(t.note("holds", db.holds(team, c).unwrap()).len(), 2);
        assert_eq!(t.note("hers", db.holds_of(team, c).unwrap()), [(4, 4)]);
        assert_eq!(
            t.note(
                "erased for the supervisor",
                db.erased_for(team, supervisor).unwrap()
            ),
            4
        );
        assert_eq!(t.note("erased for her", db.erased_for(team, c).unwrap()), 0);

        // The same request again changes nothing; a new operation takes the next number,
        // never an erased one's.
        assert_eq!(
            t.result(
                "again",
                db.erase_ops(team, supervisor, op_id(10), &asked, NOW + 1)
            )
            .unwrap(),
            4
        );
        assert_eq!(db.erased_for(team, supervisor).unwrap(), 4);
        db.push(team, c, &[op(5, 1, c, 5)]).unwrap();
        let p = page(
            t,
            "after",
            db,
            db.pull(team, admin, 5, 1 << 20, None).unwrap(),
        );
        assert_eq!((numbers(&p.envelopes), p.next), (vec![5], 6));
    });
}

/// If this failed, a stolen token (or a curious device) could erase a client's file by naming
/// any operation as its "erasure", or another team's operations, and the file would be lost
/// for every counsellor who needed it.
#[test]
fn only_the_device_that_pushed_an_erasure_can_carry_it_out() {
    on_every_store(|db, t| {
        let (team, admin) = found(db, 1, 1);
        let supervisor = enrol(db, team, admin, 2, Role::Supervisor);
        let c = enrol(db, team, admin, 3, Role::Counsellor);
        let (other_team, other) = found(db, 2, 4);
        db.push(team, c, &[op(1, 1, c, 1), op(2, 1, c, 2)]).unwrap();
        db.push(
            other_team,
            other,
            &[op(3, 1, other, 1), op(20, 1, other, 2)],
        )
        .unwrap();
        db.push(team, c, &[op(10, 1, c, 3)]).unwrap();

        let refused = [
            ("another device's erasure", op_id(10)),
            ("an erasure never pushed", op_id(11)),
            ("another team's erasure", op_id(20)),
        ];
        for (label, erasure) in refused {
            let r = t.result(
                label,
                db.erase_ops(team, supervisor, erasure, &[op_id(1)], NOW),
            );
            assert!(matches!(r, Err(DbError::NotFound(_))), "{label}: {r:?}");
        }
        assert_eq!(t.note("nothing erased", db.head(team).unwrap()), 3);
        let (got, _) = pull_all(db, team, admin, 0, 1 << 20);
        assert_eq!(got, [1, 2, 10]);

        // An erasure relayed by another device (a batch file) but authored by the supervisor
        // is hers; it erases this team's operations and no other team's.
        db.push(team, admin, &[op(12, 1, supervisor, 1)]).unwrap();
        let n = t.result(
            "hers, relayed",
            db.erase_ops(team, supervisor, op_id(12), &[op_id(1), op_id(3)], NOW),
        );
        assert_eq!(n.unwrap(), 2);
        let (got, _) = pull_all(db, team, device_id(99), 0, 1 << 20);
        assert_eq!(t.note("this team", got), [2, 10, 12]);
        let (got, _) = pull_all(db, other_team, device_id(99), 0, 1 << 20);
        assert_eq!(t.note("the other team keeps its own", got), [3, 20]);
        // An erasure pushed by a device of the old protocol (no author stated) is its pusher's.
        db.push(team, supervisor, &[unnumbered(13, 1)]).unwrap();
        let n = t.result(
            "unnumbered",
            db.erase_ops(team, supervisor, op_id(13), &[op_id(2)], NOW),
        );
        assert_eq!(n.unwrap(), 1);
        let (got, _) = pull_all(db, team, device_id(99), 0, 1 << 20);
        assert_eq!(got, [10, 12, 13]);
    });
}
