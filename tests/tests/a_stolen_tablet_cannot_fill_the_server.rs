//! A device of the team (a stolen tablet before its revocation, or an app gone wrong) could
//! make the server keep without end: pushes of any total size, invitations of 64 KiB as many
//! as it liked. Now each device has a quota of stored bytes and each team a cap on waiting
//! invitations, and invitations are rate-limited per device (ADR 0027). A tablet refused for
//! its quota keeps its work and says so in plain words; raising the quota lets it through.
//! Each runs on SQLite and, when `KOMORA_TEST_POSTGRES` is set, on PostgreSQL.

use std::path::Path;
use std::time::Duration;

use komora_core::{Error, HttpTransport, Role, Transport, TransportError, Vault};
use komora_protocol::{envelope, ErrorCode, Id16, OpMeta, PushBatchV2};
use komora_scenarios::record_client as client;
use komora_scenarios::server::{backends, test_limits, Backend, TestServer};
use komora_scenarios::{bootstrap_admin, client_names, enrol, quick_retries, sync, TokenSpy};
use komora_sync_server::{Limits, Quotas};

/// The same store and address, started again with `quotas`.
fn restart(server: TestServer, backend: &Backend, data: &Path, quotas: Quotas) -> TestServer {
    let addr = server.addr;
    server.stop();
    let limits = Limits {
        quotas,
        ..test_limits()
    };
    TestServer::start_at(backend, data, addr, limits)
}

fn device_quota(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let server = TestServer::start_on(backend, &data);
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut alice = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("a"));
    let mut bosco = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("b"));
    client(&mut alice, "Client 00");
    sync(&mut alice).unwrap();
    let alice_id = komora_protocol::Id16(*alice.device_id().as_bytes());
    let used = server.wait(server.state.db.pushed_bytes(alice_id)).unwrap();
    assert!(used > 0, "her first sync is counted");

    // The administrator's server keeps 2 KiB more of her: her next forty clients go over it.
    let tight = Quotas {
        device_bytes: used + 2048,
        ..Quotas::default()
    };
    let server = restart(server, backend, &data, tight);
    for i in 1..=40 {
        client(&mut alice, &format!("Client {i:02}"));
    }
    let err = sync(&mut alice).unwrap_err();
    match &err {
        Error::Server(message) => assert!(
            message.contains("waits on the tablet") && message.contains("administrator"),
            "{message}"
        ),
        other => panic!("not the quota's refusal: {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("the server refused: this tablet has sent more"),
        "a plain sentence: {err}"
    );
    let waiting = alice.sync_status().unwrap().pending;
    assert!(waiting > 0, "her work waits on the tablet");
    assert_eq!(client_names(&alice).len(), 41, "nothing of hers is lost");

    // The quota raised, everything goes and reaches Bosco.
    let server = restart(server, backend, &data, Quotas::default());
    sync(&mut alice).unwrap();
    assert_eq!(alice.sync_status().unwrap().pending, 0);
    sync(&mut bosco).unwrap();
    assert_eq!(client_names(&bosco).len(), 41);
    drop(server);
}

#[test]
fn a_tablet_past_its_quota_keeps_its_work_and_sends_it_once_the_quota_is_raised() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        device_quota(&backend);
    }
}

fn invite(admin: &mut Vault, server: &TestServer) -> komora_core::Result<()> {
    let mut t = HttpTransport::new(&server.url).unwrap();
    admin
        .invite(&mut t, Role::Counsellor, Duration::from_secs(3600))
        .map(|_| ())
}

fn invitations(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let limits = Limits {
        quotas: Quotas {
            pending_invites_per_team: 3,
            ..Quotas::default()
        },
        ..test_limits()
    };
    let server = TestServer::start_at(backend, &data, "127.0.0.1:0".parse().unwrap(), limits);
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut t = HttpTransport::new(&server.url).unwrap();
    let kept = admin
        .invite(&mut t, Role::Counsellor, Duration::from_secs(3600))
        .unwrap();
    for _ in 0..2 {
        invite(&mut admin, &server).unwrap();
    }
    let err = invite(&mut admin, &server).unwrap_err();
    assert!(
        err.to_string().contains("too many invitations waiting"),
        "{err}"
    );
    // One used: room for one more.
    Vault::enroll(
        dir.path().join("c"),
        "tablet passphrase",
        &mut t,
        &server.url,
        &kept.code,
        komora_scenarios::fast_options(),
    )
    .unwrap();
    invite(&mut admin, &server).unwrap();
    drop(server);

    // Posted as fast as a script can: 30 at once (a whole team), then refused.
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        invites_per_minute: 0,
        ..test_limits()
    };
    let server = TestServer::start_at(
        backend,
        &dir.path().join("server"),
        "127.0.0.1:0".parse().unwrap(),
        limits,
    );
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    for _ in 0..30 {
        invite(&mut admin, &server).unwrap();
    }
    assert!(matches!(
        invite(&mut admin, &server),
        Err(Error::RateLimited)
    ));
}

#[test]
fn a_team_holds_a_bounded_number_of_waiting_invitations_posted_at_a_bounded_rate() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        invitations(&backend);
    }
}

/// Invitations posted all at once, within the rate limit: each post used to count the team's
/// waiting invitations apart from storing its own, so posts at the same moment all saw room
/// and more than the cap were kept.
fn invitations_at_once(backend: &Backend) {
    const CAP: u64 = 5;
    const POSTS: usize = 24;
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        quotas: Quotas {
            pending_invites_per_team: CAP,
            ..Quotas::default()
        },
        ..test_limits()
    };
    let server = TestServer::start_at(
        backend,
        &dir.path().join("server"),
        "127.0.0.1:0".parse().unwrap(),
        limits,
    );
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    // Two dozen invitations made and signed on the tablet, held back, then posted at once (a
    // burst of 30 is within the rate).
    let mut spy = TokenSpy::new(&server.url);
    spy.hold_invites = true;
    for _ in 0..POSTS {
        admin
            .invite(&mut spy, Role::Counsellor, Duration::from_secs(3600))
            .unwrap();
    }
    let token = spy.token.clone().expect("inviting logs in");
    let start = std::sync::Barrier::new(POSTS);
    let answers: Vec<_> = std::thread::scope(|s| {
        let posts: Vec<_> = spy
            .held_invites
            .iter()
            .map(|req| {
                let (url, token, start) = (server.url.clone(), token.clone(), &start);
                s.spawn(move || {
                    let mut t = HttpTransport::new(&url).unwrap();
                    start.wait();
                    t.invite(&token, req)
                })
            })
            .collect();
        posts.into_iter().map(|p| p.join().unwrap()).collect()
    });
    for refused in answers.iter().filter_map(|a| a.as_ref().err()) {
        assert!(
            matches!(
                refused,
                TransportError::Rejected {
                    status: 403,
                    code: ErrorCode::QuotaExceeded,
                    ..
                }
            ),
            "refused for the cap only: {refused:?}"
        );
    }
    let admin_id = Id16(*admin.device_id().as_bytes());
    let team = team_of(&server, admin_id);
    let waiting = server
        .wait(
            server
                .state
                .db
                .pending_invites(team, komora_sync_server::now_ms()),
        )
        .unwrap();
    assert_eq!(
        waiting, CAP,
        "the team's waiting invitations stop at its cap"
    );
    assert_eq!(
        answers.iter().filter(|a| a.is_ok()).count() as u64,
        CAP,
        "each accepted post is one kept"
    );
}

#[test]
fn invitations_posted_at_once_never_pass_the_teams_cap() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        invitations_at_once(&backend);
    }
}

/// `count` envelopes the server cannot tell from real ones, 1 KiB each, under fresh op ids
/// (batch `batch` of a flood), declared as the pushing device's own.
fn flood(batch: u8, count: u8, epoch: u32) -> PushBatchV2 {
    let envelopes: Vec<Vec<u8>> = (0..count)
        .map(|n| {
            let mut e = vec![envelope::VERSION];
            e.extend_from_slice(&epoch.to_be_bytes());
            let mut op_id = [0xf1u8; 16];
            op_id[14] = batch;
            op_id[15] = n;
            e.extend_from_slice(&op_id);
            e.resize(1024, 0x5a);
            e
        })
        .collect();
    PushBatchV2 {
        meta: (1..=u64::from(count))
            .map(|seq| OpMeta {
                author: None,
                seq: u64::from(batch) * 1000 + seq,
            })
            .collect(),
        envelopes,
        then_pull: None,
        priority: Vec::new(),
    }
}

fn concurrent_pushes(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let server = TestServer::start_on(backend, &data);
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut stolen = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("s"));
    // The thief's token, kept across the restart.
    let token = {
        let mut spy = TokenSpy::new(&server.url);
        stolen
            .sync(&mut spy, &quick_retries(), &mut |_| {})
            .unwrap();
        spy.token.expect("a sync logs in")
    };
    let stolen_id = Id16(*stolen.device_id().as_bytes());
    let epoch = stolen.team_keys().current_epoch();
    let used = server
        .wait(server.state.db.pushed_bytes(stolen_id))
        .unwrap();

    // Room for three batches of 8 KiB and a half: sixteen sent at once.
    const BATCH: u64 = 8 * 1024;
    let quota = used + 3 * BATCH + BATCH / 2;
    let server = restart(
        server,
        backend,
        &data,
        Quotas {
            device_bytes: quota,
            ..Quotas::default()
        },
    );
    let team = team_of(&server, stolen_id);
    let head = server.wait(server.state.db.head(team)).unwrap();
    let answers = sixteen_pushes_at_once(&server.url, std::slice::from_ref(&token), epoch);
    let stored = answers.iter().filter(|a| a.is_ok()).count() as u64;
    for refused in answers.iter().filter_map(|a| a.as_ref().err()) {
        assert!(
            matches!(
                refused,
                TransportError::Rejected {
                    status: 403,
                    code: ErrorCode::QuotaExceeded,
                    ..
                }
            ),
            "refused for the quota only: {refused:?}"
        );
    }
    let total = server
        .wait(server.state.db.pushed_bytes(stolen_id))
        .unwrap();
    assert!(
        total <= quota,
        "{total} stored bytes past a quota of {quota}"
    );
    assert_eq!(stored, 3, "as many batches as fit");
    assert_eq!(
        total,
        used + stored * BATCH,
        "a refused push counted nothing"
    );
    assert_eq!(
        server.wait(server.state.db.head(team)).unwrap(),
        head + stored * 8,
        "a refused push stored nothing"
    );
}

fn team_of(server: &TestServer, device: Id16) -> Id16 {
    server
        .wait(server.state.db.device(device))
        .unwrap()
        .expect("an enrolled device")
        .team_id
}

#[test]
fn pushes_of_one_tablet_at_once_never_store_past_its_quota() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        concurrent_pushes(&backend);
    }
}

/// What the devices of `team` have had stored, together.
fn team_bytes(server: &TestServer, devices: &[Id16]) -> u64 {
    devices
        .iter()
        .map(|d| server.wait(server.state.db.pushed_bytes(*d)).unwrap())
        .sum()
}

/// A stolen tablet that enrols more tablets before its revocation (or a team of many) was
/// bounded only per device: each new tablet brought a fresh 8 GiB. The team now has a quota of
/// its own, counted in each push's transaction, so two tablets pushing at once cannot both
/// pass it either.
fn team_quota(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let server = TestServer::start_on(backend, &data);
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut stolen = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("s"));
    let mut second = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("t"));
    let tokens = [
        komora_scenarios::token_of(&mut stolen, &server.url),
        komora_scenarios::token_of(&mut second, &server.url),
    ];
    let ids = [
        Id16(*admin.device_id().as_bytes()),
        Id16(*stolen.device_id().as_bytes()),
        Id16(*second.device_id().as_bytes()),
    ];
    let epoch = stolen.team_keys().current_epoch();
    let used = team_bytes(&server, &ids);

    // Room in the team for three batches of 8 KiB and a half; each device alone has plenty.
    const BATCH: u64 = 8 * 1024;
    let quota = used + 3 * BATCH + BATCH / 2;
    let server = restart(
        server,
        backend,
        &data,
        Quotas {
            team_bytes: quota,
            ..Quotas::default()
        },
    );
    let team = team_of(&server, ids[1]);
    let head = server.wait(server.state.db.head(team)).unwrap();
    let answers = sixteen_pushes_at_once(&server.url, &tokens, epoch);
    let stored = answers.iter().filter(|a| a.is_ok()).count() as u64;
    for refused in answers.iter().filter_map(|a| a.as_ref().err()) {
        match refused {
            TransportError::Rejected {
                status: 403,
                code: ErrorCode::QuotaExceeded,
                message,
            } => assert!(message.contains("team quota"), "{message}"),
            other => panic!("refused for the team's quota only: {other:?}"),
        }
    }
    let total = team_bytes(&server, &ids);
    assert_eq!(stored, 3, "as many batches as fit the team");
    assert_eq!(
        total,
        used + stored * BATCH,
        "a refused push counted nothing"
    );
    assert_eq!(
        server.wait(server.state.db.head(team)).unwrap(),
        head + stored * 8,
        "a refused push stored nothing"
    );
}

#[test]
fn tablets_of_one_team_pushing_at_once_never_store_past_its_quota() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        team_quota(&backend);
    }
}

/// Sixteen pushes of eight operations each, all at once over their own connections, with the
/// `tokens` in turn: the answers in the order of the pushes.
fn sixteen_pushes_at_once(
    url: &str,
    tokens: &[String],
    epoch: u32,
) -> Vec<Result<komora_protocol::PushResponse, TransportError>> {
    std::thread::scope(|s| {
        let pushes: Vec<_> = (0..16u8)
            .map(|batch| {
                let token = &tokens[usize::from(batch) % tokens.len()];
                s.spawn(move || {
                    HttpTransport::new(url)
                        .unwrap()
                        .push(token, &flood(batch, 8, epoch))
                })
            })
            .collect();
        pushes.into_iter().map(|p| p.join().unwrap()).collect()
    })
}
