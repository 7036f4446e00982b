//! A tablet taken while unlocked (or a counsellor leaving in anger) holds a login token for a
//! while, and `POST /v1/keys/grants` takes wrapped team keys from any device of the team: it
//! exists so that a tablet can give back, after a restore, the keys the store lost. Nothing
//! stopped that device from storing keys for epochs the team has not reached yet: the next
//! revocation, which must store the new epoch's keys, then ran into them, and the administrator
//! could revoke nobody, the thief's tablet first. Each runs on SQLite and, when
//! `KOMORA_TEST_POSTGRES` is set, on PostgreSQL.

use komora_core::{HttpTransport, NewClient, Role, Transport, TransportError};
use komora_protocol::{Bytes, GrantsUpload, Id16};
use komora_scenarios::server::{backends, Backend, TestServer};
use komora_scenarios::{bootstrap_admin, client_names, enrol, token_of};

fn planted_keys(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut supervisor = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("s"));
    let mut stolen = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    komora_scenarios::sync(&mut supervisor).unwrap();

    // Whoever holds the stolen tablet plants garbage "keys" for the team's next epochs, for
    // every device of the team.
    let token = token_of(&mut stolen, &server.url);
    let epoch = stolen.team_keys().current_epoch();
    let everyone = [
        admin.device_id(),
        supervisor.device_id(),
        stolen.device_id(),
    ];
    let mut grants = Vec::new();
    for next in epoch + 1..=epoch + 50 {
        for d in everyone {
            grants.push((next, Id16(*d.as_bytes()), Bytes(vec![0x42; 80])));
        }
    }
    let mut raw = HttpTransport::new(&server.url).unwrap();
    let planted = raw.upload_grants(&token, &GrantsUpload { grants });
    assert!(
        matches!(planted, Err(TransportError::Rejected { status: 400, .. })),
        "keys for an epoch the team has not reached are refused: {planted:?}"
    );

    // A store from before that refusal may hold such keys already: they are not handed out
    // and the rotation replaces them.
    if matches!(backend, Backend::Sqlite) {
        let db = rusqlite::Connection::open(server.data.join("komora-sync.db")).unwrap();
        let team = stolen.sync_settings().unwrap().team_id;
        for d in everyone {
            db.execute(
                "INSERT INTO key_grants (team_id, epoch, device_id, wrapped) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![team.0, epoch + 1, d.as_bytes(), vec![0x42u8; 80]],
            )
            .unwrap();
        }
    }

    // The administrator revokes the stolen tablet; the team moves on to a key it never gets.
    let mut t = HttpTransport::new(&server.url).unwrap();
    admin
        .revoke_device(&mut t, stolen.device_id())
        .expect("the stolen tablet is revoked");
    komora_scenarios::sync(&mut supervisor).unwrap();
    assert_eq!(supervisor.team_keys().current_epoch(), epoch + 1);
    supervisor
        .add_client(&NewClient {
            name: "Uwimana Jeanne".into(),
            ..Default::default()
        })
        .unwrap();
    komora_scenarios::sync(&mut supervisor).unwrap();
    komora_scenarios::sync(&mut admin).unwrap();
    assert_eq!(client_names(&admin), ["Uwimana Jeanne"]);
}

#[test]
fn a_stolen_tablet_cannot_plant_keys_that_stop_its_own_revocation() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        planted_keys(&backend);
    }
}
