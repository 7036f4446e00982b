//! A server restored from a backup lets a tablet it forgot hand back, without a login, the
//! signed statements that admit it (`POST /v1/rejoin`, ADR 0016). What an outsider could try
//! with that door, against the real server and real tablets (issue 17): statements made up
//! or taken from another team change nothing; genuine ones replayed by someone else give
//! them no login; a tablet revoked after the backup that comes back through it is revoked
//! again as soon as a tablet holding the revocation syncs, and erases itself; a flood of
//! requests from one address stops no one else. On SQLite and, when `KOMORA_TEST_POSTGRES` is
//! set, PostgreSQL.

use std::path::Path;

use komora_core::{HttpTransport, Role, Transport, TransportError, Vault};
use komora_protocol::roster::{SignedStatement, Statement, MAX_ROSTER_STATEMENTS};
use komora_protocol::{Bytes, ChallengeRequest, Id16, RejoinRequest, TokenRequest};
use komora_scenarios::record_client as client;
use komora_scenarios::server::{backends, test_limits, Backend, TestServer};
use komora_scenarios::{bootstrap_admin, client_names, enrol, fast_options, sync};
use komora_sync_server::Limits;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{Ed25519KeyPair, KeyPair};

fn id_of(v: &Vault) -> Id16 {
    Id16(*v.device_id().as_bytes())
}

fn team_of(v: &Vault) -> Id16 {
    v.sync_settings().unwrap().team_id
}

/// The team's signed list as the server holds it: what a revoked tablet is handed as its
/// proof, and what a thief of the server or of a backup holds.
fn list(server: &TestServer, team: Id16) -> Vec<Vec<u8>> {
    server
        .wait(server.state.db.roster(team, 0, MAX_ROSTER_STATEMENTS))
        .unwrap()
        .0
}

/// In `list`, the invitation and the member statement that admit `device`.
fn genuine_pair(list: &[Vec<u8>], device: Id16) -> Vec<Vec<u8>> {
    let decoded: Vec<(Vec<u8>, Statement)> = list
        .iter()
        .filter_map(|b| SignedStatement::from_bytes(b).map(|(_, st)| (b.clone(), st)))
        .collect();
    let (member, key) = decoded
        .iter()
        .find_map(|(b, st)| match st {
            Statement::Member {
                device: d,
                invite_pk,
                ..
            } if *d == device => Some((b.clone(), *invite_pk)),
            _ => None,
        })
        .expect("the list admits the device");
    let invite = decoded
        .iter()
        .find_map(|(b, st)| match st {
            Statement::Invite { invite_pk, .. } if *invite_pk == key => Some(b.clone()),
            _ => None,
        })
        .expect("and holds its invitation");
    vec![invite, member]
}

/// An outsider's own Ed25519 key.
struct Outsider {
    id: Id16,
    key: Ed25519KeyPair,
}

impl Outsider {
    fn new() -> Self {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let mut id = [0u8; 16];
        SystemRandom::new().fill(&mut id).unwrap();
        Outsider {
            id: Id16(id),
            key: Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap(),
        }
    }

    fn pk(&self) -> [u8; 32] {
        self.key.public_key().as_ref().try_into().unwrap()
    }

    fn sign(&self, statement: &Statement) -> Vec<u8> {
        let bytes = statement.encode();
        SignedStatement {
            signature: self
                .key
                .sign(&SignedStatement::message(&bytes))
                .as_ref()
                .to_vec(),
            statement: bytes,
        }
        .to_bytes()
    }

    /// Log in as `device` with this outsider's key: the status the token request gets.
    fn log_in_as(&self, url: &str, device: Id16) -> Result<(), u16> {
        let mut t = HttpTransport::new(url).unwrap();
        let status = |e: TransportError| match e {
            TransportError::Rejected { status, .. } => status,
            other => panic!("{other:?}"),
        };
        let challenge = t
            .challenge(&ChallengeRequest { device_id: device })
            .map_err(status)?;
        let message = komora_protocol::login_message(&device, &challenge.challenge.0);
        t.token(&TokenRequest {
            device_id: device,
            challenge: challenge.challenge,
            signature: Bytes(self.key.sign(&message).as_ref().to_vec()),
            report: None,
        })
        .map(drop)
        .map_err(status)
    }
}

/// `POST /v1/rejoin` as anyone on the internet sends it: the status it gets.
fn rejoin(url: &str, team: Id16, device: Id16, chain: &[Vec<u8>]) -> u16 {
    rejoin_from(url, None, team, device, chain)
}

fn rejoin_from(
    url: &str,
    forwarded_for: Option<&str>,
    team: Id16,
    device: Id16,
    chain: &[Vec<u8>],
) -> u16 {
    let req = RejoinRequest {
        team_id: team,
        device_id: device,
        chain: chain.iter().cloned().map(Bytes).collect(),
    };
    let mut post = reqwest::blocking::Client::new()
        .post(format!("{url}/v1/rejoin"))
        .json(&req);
    if let Some(addr) = forwarded_for {
        post = post.header("X-Forwarded-For", addr);
    }
    post.send().unwrap().status().as_u16()
}

/// Stop the server, put the backup in place with `restore`, start it on the same address.
fn restore(server: TestServer, backend: &Backend, backup: &Path, limits: Limits) -> TestServer {
    let (addr, source, data) = (server.addr, server.source(), server.data.clone());
    server.stop();
    komora_sync_server::restore::restore(&source, backup, komora_sync_server::now_ms()).unwrap();
    TestServer::start_at(backend, &data, addr, limits)
}

fn backup(server: &TestServer, dir: &Path) -> std::path::PathBuf {
    let file = dir.join("backup.db");
    komora_sync_server::backup::write_checked(&server.source(), &file).unwrap();
    file
}

fn made_up_or_foreign_statements(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut alice = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("a"));
    // A second team of the organisation, on the same server.
    let mut t = HttpTransport::new(&server.url).unwrap();
    let mut kigali = admin
        .create_team(
            &mut t,
            dir.path().join("kigali"),
            "admin passphrase",
            "Kigali",
            fast_options(),
        )
        .unwrap();
    for v in [&mut alice, &mut admin, &mut kigali] {
        sync(v).unwrap();
    }
    let backup = backup(&server, dir.path());
    // After the backup: Emile joins Huye, Jean joins Kigali; no one else hears of either.
    let mut emile = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("e"));
    client(&mut emile, "By Emile");
    sync(&mut emile).unwrap();
    let jean = enrol(
        &server,
        &mut kigali,
        Role::Counsellor,
        &dir.path().join("j"),
    );
    let (huye, kigali_id) = (team_of(&admin), team_of(&kigali));
    let huye_list = list(&server, huye);
    let emile_pair = genuine_pair(&huye_list, id_of(&emile));
    let jean_pair = genuine_pair(&list(&server, kigali_id), id_of(&jean));

    let server = restore(server, backend, &backup, test_limits());
    let url = server.url.clone();
    let before = (list(&server, huye), list(&server, kigali_id));
    let outsider = Outsider::new();

    // Garbage, and a body that is not a request at all.
    let status = reqwest::blocking::Client::new()
        .post(format!("{url}/v1/rejoin"))
        .body("not json")
        .send()
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 400);
    assert_eq!(rejoin(&url, huye, outsider.id, &[b"garbage".to_vec()]), 400);

    // Emile's genuine invitation, and a join the outsider signed for his own device: not
    // signed with the invitation's key (which only the code yields).
    let forged_join = outsider.sign(&Statement::Member {
        invite_pk: match SignedStatement::from_bytes(&emile_pair[0]).unwrap().1 {
            Statement::Invite { invite_pk, .. } => invite_pk,
            _ => unreachable!(),
        },
        device: outsider.id,
        sign_pk: outsider.pk(),
        kx_pk: [7; 32],
    });
    let forged = [emile_pair[0].clone(), forged_join];
    assert_eq!(rejoin(&url, huye, outsider.id, &forged), 403);

    // An invitation in the administrator's name, signed with the outsider's key, admitting
    // the outsider as an administrator.
    let forged_invite = outsider.sign(&Statement::Invite {
        team: huye,
        issuer: id_of(&admin),
        invite_pk: outsider.pk(),
        role: Role::Admin,
        epoch: 1,
    });
    let self_join = outsider.sign(&Statement::Member {
        invite_pk: outsider.pk(),
        device: outsider.id,
        sign_pk: outsider.pk(),
        kx_pk: [7; 32],
    });
    assert_eq!(
        rejoin(&url, huye, outsider.id, &[forged_invite, self_join]),
        403
    );

    // Kigali's genuine statements handed back as Huye's; Emile's for another device.
    assert_eq!(rejoin(&url, huye, id_of(&jean), &jean_pair), 403);
    assert_eq!(rejoin(&url, huye, outsider.id, &emile_pair), 400);

    // None of it changed either team's list, and the outsider cannot log in.
    assert_eq!((list(&server, huye), list(&server, kigali_id)), before);
    assert_eq!(outsider.log_in_as(&url, outsider.id), Err(401));
    assert_eq!(outsider.log_in_as(&url, id_of(&jean)), Err(401));

    // Emile's genuine statements, replayed by the outsider: the server knows Emile again,
    // which the team signed, and the outsider still cannot log in as him.
    assert_eq!(rejoin(&url, huye, id_of(&emile), &emile_pair), 200);
    assert_eq!(outsider.log_in_as(&url, id_of(&emile)), Err(401));
    // Emile himself syncs (nothing left to hand back), and his work reaches Alice.
    for v in [&mut alice, &mut admin, &mut emile] {
        sync(v).unwrap();
    }
    sync(&mut alice).unwrap();
    assert!(client_names(&alice).contains(&"By Emile".to_owned()));
    drop(server);
}

#[test]
fn a_forged_or_foreign_statement_handed_back_without_a_login_changes_nothing() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        made_up_or_foreign_statements(&backend);
    }
}

fn revoked_tablet_comes_back(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut alice = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("a"));
    client(&mut alice, "Before the backup");
    for v in [&mut alice, &mut admin] {
        sync(v).unwrap();
    }
    let backup = backup(&server, dir.path());
    // After the backup Fiona's tablet is enrolled, used, then stolen: the administrator
    // revokes it, and Alice's tablet learns of the revocation.
    let mut fiona = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("f"));
    let fiona_id = id_of(&fiona);
    client(&mut fiona, "By Fiona, before the theft");
    sync(&mut fiona).unwrap();
    admin
        .revoke_device(
            &mut HttpTransport::new(&server.url).unwrap(),
            fiona.device_id(),
        )
        .unwrap();
    sync(&mut alice).unwrap();

    let server = restore(server, backend, &backup, test_limits());
    // The thief writes on the stolen tablet and syncs before anyone else: the restored
    // server has not heard of the revocation yet, so the tablet's statements admit it again.
    client(&mut fiona, "By the thief");
    sync(&mut fiona).expect("the restored store does not know of the revocation yet");
    // The administrator's tablet syncs and brings the revocation back: the server refuses
    // the stolen tablet again, which erases itself on the signed proof.
    sync(&mut admin).unwrap();
    let erased = sync(&mut fiona);
    assert!(
        matches!(erased, Err(komora_core::Error::Revoked)),
        "{erased:?}"
    );
    // A thief replaying its statements now changes nothing: it stays revoked.
    let pair = genuine_pair(&list(&server, team_of(&admin)), fiona_id);
    assert_eq!(rejoin(&server.url, team_of(&admin), fiona_id, &pair), 200);
    assert!(
        server
            .wait(server.state.db.device(fiona_id))
            .unwrap()
            .unwrap()
            .revoked
    );
    assert!(
        !Vault::exists(dir.path().join("f")),
        "the stolen tablet's vault is gone"
    );
    // Alice keeps Fiona's work from before the theft, and refuses what the thief wrote
    // after the administrator's cutoff.
    sync(&mut alice).unwrap();
    let names = client_names(&alice);
    assert!(names.contains(&"By Fiona, before the theft".to_owned()));
    assert!(!names.contains(&"By the thief".to_owned()));
    drop(server);
}

#[test]
fn a_tablet_revoked_after_the_backup_that_comes_back_is_revoked_again_and_erases_itself() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        revoked_tablet_comes_back(&backend);
    }
}

fn flood(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        codes_per_minute: 5,
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..test_limits()
    };
    let server = TestServer::start_at(
        backend,
        &dir.path().join("server"),
        "127.0.0.1:0".parse().unwrap(),
        limits.clone(),
    );
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    sync(&mut admin).unwrap();
    let backup = backup(&server, dir.path());
    let mut emile = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("e"));
    client(&mut emile, "By Emile");
    sync(&mut emile).unwrap();
    let server = restore(server, backend, &backup, limits);
    let team = team_of(&admin);

    // Someone on the internet floods the route with made-up statements.
    let flood: Vec<u16> = (0..30u8)
        .map(|i| {
            rejoin_from(
                &server.url,
                Some("203.0.113.66"),
                team,
                Id16([i; 16]),
                &[vec![i; 100], vec![i; 100]],
            )
        })
        .collect();
    assert!(
        flood.contains(&429),
        "the flooding address is limited: {flood:?}"
    );
    assert!(flood.iter().all(|s| [400, 429].contains(s)), "{flood:?}");
    // Emile's tablet, from its own address, comes back as if nothing happened.
    sync(&mut admin).unwrap();
    let report = sync(&mut emile).expect("the flood did not stop Emile's tablet");
    assert!(report.reconciled);
    sync(&mut admin).unwrap();
    assert!(client_names(&admin).contains(&"By Emile".to_owned()));
}

#[test]
fn a_flood_of_handed_back_statements_stops_only_its_sender() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        flood(&backend);
    }
}
