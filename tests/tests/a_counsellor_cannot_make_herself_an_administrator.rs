//! `POST /v1/roster` gives a restored or rebuilt server back the statements of the team's
//! signed list it lost, and any device of the team may send them. The server kept an
//! invitation if a device it knows had signed it, whatever that device's role or standing,
//! and registered the device the invitation admitted, with the role the invitation named. So
//! a counsellor's tablet (an insider, or whoever holds its unlocked keys) could invite itself
//! a second identity as an *administrator*: the server then let that identity revoke devices,
//! rotate the team key and erase any of the team's operations from the server for good.
//! Tablets never trusted it (they check the list from their own root), but the server did.
//! Each runs on SQLite and, when `KOMORA_TEST_POSTGRES` is set, on PostgreSQL.

use komora_core::{HttpTransport, Role, Transport, Vault};
use komora_protocol::roster::{SignedStatement, Statement};
use komora_protocol::{Bytes, ChallengeRequest, Id16, RosterAppend};
use komora_scenarios::server::{backends, Backend, TestServer};
use komora_scenarios::{bootstrap_admin, enrol, token_of};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};

fn key_pair() -> Ed25519KeyPair {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
}

fn public(k: &Ed25519KeyPair) -> [u8; 32] {
    k.public_key().as_ref().try_into().unwrap()
}

/// A statement signed by `sign`.
fn signed(st: &Statement, sign: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let statement = st.encode();
    let signature = sign(&SignedStatement::message(&statement));
    SignedStatement {
        statement,
        signature,
    }
    .to_bytes()
}

/// An invitation signed by `inviter`'s own device key for `role`, and the member statement of
/// a new identity it admits: all an insider needs.
fn self_invitation(inviter: &Vault, role: Role, device: Id16, new: &Ed25519KeyPair) -> Vec<Bytes> {
    let team = inviter.sync_settings().unwrap().team_id;
    let invite_key = key_pair();
    let invite = Statement::Invite {
        team,
        issuer: Id16(*inviter.device_id().as_bytes()),
        invite_pk: public(&invite_key),
        role,
        epoch: inviter.team_keys().current_epoch(),
    };
    let member = Statement::Member {
        invite_pk: public(&invite_key),
        device,
        sign_pk: public(new),
        kx_pk: [7; 32],
    };
    vec![
        Bytes(signed(&invite, |m| inviter.sign_as_this_device(m).unwrap())),
        Bytes(signed(&member, |m| invite_key.sign(m).as_ref().to_vec())),
    ]
}

fn escalation(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut supervisor = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("s"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    komora_scenarios::sync(&mut supervisor).unwrap();
    let url = server.url.clone();

    // Claudine's tablet invites a second identity of its own, as an administrator; then a
    // supervisor tries the same.
    for (who, role) in [
        ("claudine", Role::Admin),
        ("claudine", Role::Supervisor),
        ("supervisor", Role::Admin),
    ] {
        let inviter = if who == "claudine" {
            &mut claudine
        } else {
            &mut supervisor
        };
        let token = token_of(inviter, &url);
        let new = key_pair();
        let device = Id16(*komora_core::RecordId::random().as_bytes());
        let statements = self_invitation(inviter, role, device, &new);
        let answer: serde_json::Value = reqwest::blocking::Client::new()
            .post(format!("{url}/v1/roster"))
            .bearer_auth(&token)
            .json(&RosterAppend { statements })
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(
            answer["added"], 0,
            "an invitation its role may not make is not kept: {answer}"
        );
        // The server does not know the new identity: it cannot log in.
        let login = HttpTransport::new(&url)
            .unwrap()
            .challenge(&ChallengeRequest { device_id: device });
        assert!(
            login.is_err(),
            "an identity nobody allowed to invite it cannot log in: {login:?}"
        );
    }
    // Nothing of it reached the tablets, which sync as before.
    komora_scenarios::sync(&mut admin).unwrap();
    komora_scenarios::sync(&mut claudine).unwrap();
}

#[test]
fn a_counsellor_cannot_invite_herself_an_administrator_through_the_lists_repair_route() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        escalation(&backend);
    }
}

/// An administrator's tablet is stolen and revoked. Its keys still sign: a second device list
/// for the epoch of its own revocation, which every tablet takes for a fork of the team's list
/// (two lists for one epoch) and stops syncing. The server kept it from anyone holding a
/// token of the team, since it checked that an administrator had signed it but not that the
/// administrator was still one.
fn revoked_admins_list(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let stolen = enrol(&server, &mut admin, Role::Admin, &dir.path().join("stolen"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    komora_scenarios::sync(&mut claudine).unwrap();
    let mut t = HttpTransport::new(&server.url).unwrap();
    admin.revoke_device(&mut t, stolen.device_id()).unwrap();
    komora_scenarios::sync(&mut claudine).unwrap();

    // The thief signs, with the revoked tablet's key, its own list for that epoch: everyone
    // stays, the thief included.
    let team = claudine.sync_settings().unwrap().team_id;
    let members = [&admin, &stolen, &claudine]
        .iter()
        .map(|v| {
            let id = Id16(*v.device_id().as_bytes());
            let row = server.wait(server.state.db.device(id)).unwrap().unwrap();
            (id, row.sign_pk.try_into().unwrap())
        })
        .collect();
    let fork = Statement::Snapshot {
        team,
        epoch: 2,
        issuer: Id16(*stolen.device_id().as_bytes()),
        members,
        key_id: [9; 32],
    };
    let statements = vec![Bytes(signed(&fork, |m| {
        stolen.sign_as_this_device(m).unwrap()
    }))];
    // Handed to the server with any token of the team (an accomplice's, a kept one).
    let token = token_of(&mut claudine, &server.url);
    let answer: serde_json::Value = reqwest::blocking::Client::new()
        .post(format!("{}/v1/roster", server.url))
        .bearer_auth(&token)
        .json(&RosterAppend { statements })
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["added"], 0, "{answer}");
    // The team syncs on.
    komora_scenarios::sync(&mut claudine).expect("the counsellor's tablet syncs");
    komora_scenarios::sync(&mut admin).expect("the administrator's tablet syncs");
}

#[test]
fn a_revoked_administrators_keys_cannot_fork_the_teams_list_through_the_server() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        revoked_admins_list(&backend);
    }
}
