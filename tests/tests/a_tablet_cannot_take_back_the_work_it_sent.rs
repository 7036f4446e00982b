//! Handing a tablet back signs the number of its last change: receivers refuse anything it
//! numbers later, and the lowest such statement holds on every tablet. The server took the
//! statement as the tablet signed it, whatever the number, so a counsellor's tablet (an
//! insider, or whoever holds its unlocked keys) could state "my last change was the first" and
//! every tablet not yet holding her work (a supervisor who had not synced, every tablet
//! enrolled later) refused the sessions and clients she had long sent: erasing her own work
//! from the team, which counsellors may not do. The server now refuses a hand-back that does
//! not cover every change it holds from that tablet, on both routes that take one. Each runs
//! on SQLite and, when `KOMORA_TEST_POSTGRES` is set, on PostgreSQL.

use komora_core::{NewClient, Role, Vault};
use komora_protocol::roster::{SignedStatement, Statement};
use komora_protocol::{Bytes, RetireRequest, RosterAppend};
use komora_scenarios::server::{backends, Backend, TestServer};
use komora_scenarios::{bootstrap_admin, client_names, enrol, token_of};

/// A hand-back statement signed by `v`'s own key, naming `last_seq`.
fn retire_at(v: &Vault, last_seq: u64) -> Bytes {
    let statement = Statement::Retire {
        team: v.sync_settings().unwrap().team_id,
        device: komora_protocol::Id16(*v.device_id().as_bytes()),
        last_seq,
    }
    .encode();
    let signature = v
        .sign_as_this_device(&SignedStatement::message(&statement))
        .unwrap();
    Bytes(
        SignedStatement {
            statement,
            signature,
        }
        .to_bytes(),
    )
}

fn taking_back(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    for name in ["Mukamana Odette", "Habimana Eric", "Uwase Immaculée"] {
        claudine
            .add_client(&NewClient {
                name: name.into(),
                ..Default::default()
            })
            .unwrap();
    }
    komora_scenarios::sync(&mut claudine).unwrap();

    // Her tablet states that its last change was its first, by both routes.
    let token = token_of(&mut claudine, &server.url);
    let http = reqwest::blocking::Client::new();
    let retired = http
        .post(format!("{}/v1/devices/retire", server.url))
        .bearer_auth(&token)
        .json(&RetireRequest {
            statement: retire_at(&claudine, 1),
        })
        .send()
        .unwrap();
    assert_eq!(retired.status().as_u16(), 409, "{:?}", retired.text());
    let appended: serde_json::Value = http
        .post(format!("{}/v1/roster", server.url))
        .bearer_auth(&token)
        .json(&RosterAppend {
            statements: vec![retire_at(&claudine, 1)],
        })
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(appended["added"], 0, "{appended}");

    // A supervisor's tablet enrolled afterwards receives all of her work.
    let mut supervisor = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("s"));
    let report = komora_scenarios::sync(&mut supervisor).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(
        client_names(&supervisor),
        ["Habimana Eric", "Mukamana Odette", "Uwase Immaculée"]
    );
}

#[test]
fn a_counsellors_tablet_cannot_hand_itself_back_before_the_work_it_sent() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        taking_back(&backend);
    }
}
