//! The things a store is handed, made from small numbers so that every run, on every store,
//! hands over the same bytes (and the transcripts can be compared). The store never opens a
//! statement, a key or an envelope, so opaque bytes of the right shape stand for them.

use komora_protocol::{Id16, Role};
use komora_sync_server::db::{IncomingOp, NewDevice, NewInvite};

use crate::Store;

/// A millisecond clock reading well inside any store's range.
pub const NOW: u64 = 1_790_000_000_000;

/// Team number `n`.
pub fn team(n: u8) -> Id16 {
    let mut id = [0x7e; 16];
    id[15] = n;
    Id16(id)
}

/// Device number `n` (device ids are the server's, across teams).
pub fn device_id(n: u8) -> Id16 {
    let mut id = [0xd0; 16];
    id[15] = n;
    Id16(id)
}

/// Device number `n` as registered: its keys and signed statement stand-ins.
pub fn device(n: u8) -> NewDevice {
    NewDevice {
        id: device_id(n),
        sign_pk: vec![n; 32],
        kx_pk: kx_pk(n),
        statement: format!("signed statement introducing device {n}").into_bytes(),
        invite_pk: None,
    }
}

/// Device `n`'s key-agreement key.
pub fn kx_pk(n: u8) -> Vec<u8> {
    vec![n ^ 0x5a; 32]
}

/// Operation number `n`'s id.
pub fn op_id(n: u32) -> [u8; 16] {
    let mut id = [0x0b; 16];
    id[12..].copy_from_slice(&n.to_be_bytes());
    id
}

/// A sealed envelope of `len` bytes for operation `n` (at least the protocol's smallest
/// envelope, 49 bytes): a header as the protocol frames it, then stand-in ciphertext that
/// names the operation, so a page can be read back.
pub fn envelope(n: u32, epoch: u32, len: usize) -> Vec<u8> {
    let min = komora_protocol::envelope::HEADER_LEN + komora_protocol::envelope::SEAL_OVERHEAD;
    assert!(len >= min, "no envelope is shorter than {min} bytes");
    let mut out = vec![komora_protocol::envelope::VERSION];
    out.extend_from_slice(&epoch.to_be_bytes());
    out.extend_from_slice(&op_id(n));
    let body = format!("ciphertext of operation {n:08} ");
    out.extend(body.bytes().cycle().take(len - out.len()));
    out
}

/// Operation `n` under `epoch`, 100 bytes, as a protocol-2 device pushes it: with its author
/// and its number in the author's sequence.
pub fn op(n: u32, epoch: u32, author: Id16, seq: u64) -> IncomingOp {
    IncomingOp {
        op_id: op_id(n),
        epoch,
        bytes: envelope(n, epoch, 100),
        author: Some(author),
        author_seq: Some(seq),
        priority: 0,
    }
}

/// Operation `n` as a protocol-1 device pushes it: no author, no number.
pub fn unnumbered(n: u32, epoch: u32) -> IncomingOp {
    IncomingOp {
        op_id: op_id(n),
        epoch,
        bytes: envelope(n, epoch, 100),
        author: None,
        author_seq: None,
        priority: 0,
    }
}

/// The operation numbers of a page's envelopes (read back from their headers).
pub fn numbers(envelopes: &[Vec<u8>]) -> Vec<u32> {
    envelopes
        .iter()
        .map(|e| {
            let h =
                komora_protocol::envelope::header(e).expect("a stored envelope comes back whole");
            u32::from_be_bytes(h.op_id[12..].try_into().unwrap())
        })
        .collect()
}

/// Found team `t` with device `founder` as its administrator.
pub fn found(db: &Store, t: u8, founder: u8) -> (Id16, Id16) {
    db.create_team(team(t), &device(founder), NOW).unwrap();
    (team(t), device_id(founder))
}

/// An invitation of `team` for `role` by `by`, found by `lookup`, signed with invitation key
/// `key`, lasting until `expires_ms`.
pub fn invitation(
    team: Id16,
    role: Role,
    by: Id16,
    lookup: u8,
    key: u8,
    expires_ms: u64,
) -> NewInvite {
    NewInvite {
        lookup: vec![lookup; 32],
        team,
        role,
        by,
        expires_ms,
        bundle: format!("team keys sealed under code {lookup}").into_bytes(),
        statement: format!("signed invitation {lookup}").into_bytes(),
        invite_pk: Some([key; 32]),
    }
}

/// Device `n` enrolling with an invitation signed with key `key`.
pub fn member(n: u8, key: u8) -> NewDevice {
    NewDevice {
        invite_pk: Some([key; 32]),
        ..device(n)
    }
}

/// Enrol device `n` into `team` as `role` through an invitation (lookup and key `n`).
pub fn enrol(db: &Store, team: Id16, by: Id16, n: u8, role: Role) -> Id16 {
    db.create_invite(&invitation(team, role, by, n, n, NOW + 60_000))
        .unwrap();
    db.enroll(&[n; 32], &member(n, n), NOW).unwrap();
    device_id(n)
}
