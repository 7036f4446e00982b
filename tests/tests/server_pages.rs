//! A tablet that wrote most of its team's stream itself pulls pages of what others wrote: the
//! server skips the tablet's own operations, and when a page runs out of rows before it runs
//! out of bytes (PostgreSQL reads a bounded number of rows per page) it still moves the cursor
//! on and says more waits, so every other operation arrives exactly once and the pull ends.

use komora_protocol::Id16;
use komora_scenarios::server::{backends, Backend, TestServer};
use komora_scenarios::{bootstrap_admin, enrol};
use komora_sync_server::db::IncomingOp;

fn envelope(n: u32) -> IncomingOp {
    let mut bytes = vec![komora_protocol::envelope::VERSION, 0, 0, 0, 1];
    let mut id = [0u8; 16];
    id[..4].copy_from_slice(&n.to_be_bytes());
    bytes.extend_from_slice(&id);
    bytes.extend(std::iter::repeat_n(0x5a, 180));
    IncomingOp {
        op_id: id,
        epoch: 1,
        bytes,
        author: None,
        author_seq: Some(u64::from(n)),
        priority: 0,
    }
}

fn own_operations_fill_whole_pages(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let other = enrol(
        &server,
        &mut admin,
        komora_core::Role::Counsellor,
        &dir.path().join("c"),
    );
    let team = admin.sync_settings().unwrap().team_id;
    let me = Id16(*admin.device_id().as_bytes());
    let them = Id16(*other.device_id().as_bytes());
    let db = &server.state.db;
    let mine: Vec<IncomingOp> = (0..300).map(envelope).collect();
    server.wait(db.push(team, me, mine)).unwrap();
    let theirs: Vec<IncomingOp> = (1_000..1_005).map(envelope).collect();
    server.wait(db.push(team, them, theirs.clone())).unwrap();
    server
        .wait(db.push(team, me, (2_000..2_100).map(envelope).collect()))
        .unwrap();

    let (mut cursor, mut received, mut pages) = (0u64, Vec::new(), 0);
    loop {
        let page = server.wait(db.pull(team, me, cursor, 1024, None)).unwrap();
        pages += 1;
        assert!(page.next >= cursor, "the cursor never goes back");
        received.extend(page.envelopes);
        cursor = page.next;
        if !page.more {
            break;
        }
        assert!(pages < 1_000, "the pull ends");
    }
    let expected: Vec<Vec<u8>> = theirs.into_iter().map(|op| op.bytes).collect();
    assert_eq!(
        received, expected,
        "each of the others' operations once, in order"
    );
}

#[test]
fn a_tablet_that_wrote_most_of_the_stream_pulls_the_rest_once_and_the_pull_ends() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        own_operations_fill_whole_pages(&backend);
    }
}
