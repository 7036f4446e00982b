//! The network between the tablets and the server cuts requests and answers halfway, delays
//! them and delivers them twice; the server is killed in the middle of a sync and restarted.
//! After many random runs, every device converges, nothing is lost and nothing counts twice.

use std::time::Duration;

use komora_core::{ClientEdit, HttpTransport, NewClient, Role, SyncOptions, Vault};
use komora_scenarios::proxy::FaultyProxy;
use komora_scenarios::server::{backends, test_limits, Backend, TestServer};
use komora_scenarios::{bootstrap_admin, enrol, quick_retries, snapshot, sync, sync_via, Rng};

fn random_runs_through_a_faulty_network_converge_with_nothing_lost_or_doubled(backend: &Backend) {
    let runs: u64 = std::env::var("KOMORA_FAULT_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12);
    let seed0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for run in 0..runs {
        let seed = seed0.wrapping_mul(31).wrapping_add(run);
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start_on(backend, &dir.path().join("server"));
        let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
        let mut tablets: Vec<Vault> = (0..3)
            .map(|i| {
                enrol(
                    &server,
                    &mut admin,
                    Role::Counsellor,
                    &dir.path().join(format!("t{i}")),
                )
            })
            .collect();
        let proxy = FaultyProxy::start(server.addr, seed);
        let mut rng = Rng::new(seed);
        let mut written = 0u64;
        // Small batches and pages so a sync makes many requests, each at risk.
        let opts = SyncOptions {
            push_batch_ops: 7,
            pull_page_bytes: 1024,
            max_attempts: 4,
            ..quick_retries()
        };
        for _round in 0..6 {
            for t in tablets.iter_mut() {
                for _ in 0..rng.below(6) {
                    let ids: Vec<_> = t.clients().unwrap().items.iter().map(|c| c.id).collect();
                    if ids.is_empty() || rng.below(3) == 0 {
                        t.add_client(&NewClient {
                            name: format!("c{}", rng.below(1000)),
                            ..Default::default()
                        })
                        .unwrap();
                        // Her file's keys travel in an operation of their own (format 5).
                        written += 1;
                    } else {
                        let id = ids[rng.below(ids.len() as u64) as usize];
                        let edit = ClientEdit {
                            name: Some(format!("n{}", rng.below(1000))),
                            ..Default::default()
                        };
                        t.edit_client(id, &edit).unwrap();
                    }
                    written += 1;
                }
                // Through the faulty network: may fail part-way; that must cost nothing.
                let _ = sync_via(t, &proxy.url, &opts);
            }
        }
        // Quiesce on a good network, then a final read everywhere.
        for _ in 0..2 {
            for t in tablets.iter_mut().chain(std::iter::once(&mut admin)) {
                sync(t).unwrap_or_else(|e| panic!("run {run} (seed {seed}): {e}"));
            }
        }
        let expected = snapshot(&admin);
        for (i, t) in tablets.iter().enumerate() {
            assert_eq!(
                snapshot(t),
                expected,
                "run {run} (seed {seed}): tablet {i} differs"
            );
            assert_eq!(
                t.summary().unwrap().len(),
                written,
                "run {run} (seed {seed}): tablet {i} op count"
            );
            assert_eq!(t.sync_status().unwrap().pending, 0);
        }
        // The server holds every operation exactly once: a new tablet receives each once.
        let mut late = enrol(
            &server,
            &mut admin,
            Role::Supervisor,
            &dir.path().join("late"),
        );
        let report = sync(&mut late).unwrap();
        assert_eq!(
            (report.received_ops, report.applied),
            (written, written),
            "run {run} (seed {seed})"
        );
        assert!(
            proxy.faults.load(std::sync::atomic::Ordering::SeqCst) > 0,
            "the proxy injected faults"
        );
    }
}

fn a_sync_cut_by_a_server_restart_resumes_and_sends_each_operation_once(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let server = TestServer::start_on(backend, &data);
    let addr = server.addr;
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut tablet = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("tablet"),
    );
    let clients: Vec<NewClient> = (0..3_000)
        .map(|i| NewClient {
            name: format!("Client {i}"),
            ..Default::default()
        })
        .collect();
    tablet.add_clients(&clients).unwrap();

    let url = server.url.clone();
    let (under_way, started) = std::sync::mpsc::channel();
    let pusher = std::thread::spawn(move || {
        let opts = SyncOptions {
            push_batch_ops: 20,
            max_attempts: 2,
            backoff: Duration::from_millis(1),
            ..Default::default()
        };
        let mut t = HttpTransport::new(&url).unwrap();
        let first = tablet.sync(&mut t, &opts, &mut |p| {
            if p.sent_ops >= 200 {
                let _ = under_way.send(());
            }
        });
        (tablet, first)
    });
    // Kill the server once a tenth of the operations are across, whatever the machine's speed.
    started
        .recv_timeout(Duration::from_secs(60))
        .expect("the push got under way");
    server.stop(); // killed mid-sync
    let (mut tablet, first) = pusher.join().unwrap();
    let waiting = tablet.sync_status().unwrap().pending;
    assert!(
        // 3,000 clients are 6,000 operations (each one's keys, then her fields).
        first.is_err() && waiting > 0 && waiting < 6_000,
        "the cut came mid-sync ({waiting} waiting, {first:?})"
    );

    let server = TestServer::start_at(backend, &data, addr, test_limits());
    let report = sync(&mut tablet).unwrap();
    assert!(
        report.sent_ops <= waiting + 20,
        "resumed: sent {} with {waiting} waiting",
        report.sent_ops
    );
    assert_eq!(tablet.sync_status().unwrap().pending, 0);
    let report = sync(&mut admin).unwrap();
    assert_eq!((report.received_ops, report.applied), (6_000, 6_000));
    assert_eq!(snapshot(&admin).len(), 3_000);
    drop(server);
}

/// Each scenario runs on every store the server supports (see `server::backends`).
mod on_every_store {
    #[test]
    fn random_runs_through_a_faulty_network_converge_with_nothing_lost_or_doubled() {
        for backend in super::backends() {
            eprintln!("store: {backend:?}");
            super::random_runs_through_a_faulty_network_converge_with_nothing_lost_or_doubled(
                &backend,
            );
        }
    }

    #[test]
    fn a_sync_cut_by_a_server_restart_resumes_and_sends_each_operation_once() {
        for backend in super::backends() {
            eprintln!("store: {backend:?}");
            super::a_sync_cut_by_a_server_restart_resumes_and_sends_each_operation_once(&backend);
        }
    }
}

/// A counsellor in a hill village where the only network is GPRS: every request has to arrive
/// within the HTTP client's limit, and a week of notes is far more than the link carries in that
/// time. The sync sizes its requests to the link (halving a batch that timed out, then fitting
/// each to the time it took), so her work reaches the server and the supervisor pulls all of it
/// over the same link. With fixed 512 KiB batches, the first batch never arrived, however often
/// it was tried (docs/perf/low-bandwidth.md, 30 kbit/s).
#[test]
fn a_week_of_notes_gets_through_a_gprs_link_slower_than_any_whole_batch() {
    use komora_core::NewSession;
    use komora_scenarios::proxy::{LinkShape, ShapedProxy};

    let dir = tempfile::tempdir().unwrap();
    let backend = backends().into_iter().next().unwrap();
    let server = TestServer::start_on(&backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut counsellor = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let mut supervisor = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("s"));

    let mut rng = Rng::new(11);
    let mut sessions = 0;
    for i in 0..20 {
        let client = counsellor
            .add_client(&NewClient {
                name: format!("Client {i}"),
                ..Default::default()
            })
            .unwrap();
        let case = komora_scenarios::open_case_with_consent(&mut counsellor, client, "grief");
        let mut session = NewSession::new(case, "home-visit");
        let words: Vec<String> = (0..110)
            .map(|_| format!("w{}", rng.below(100_000)))
            .collect();
        session.notes = Some(words.join(" "));
        counsellor.add_session(&session).unwrap();
        sessions += 1;
    }
    let waiting = counsellor.sync_status().unwrap().pending;

    // 80 kbit/s each way (10,000 bytes a second), 50 ms round trip, and a client that gives
    // each request 3 s: about 30 KB per request can ever arrive, half of what waits.
    let proxy = ShapedProxy::start(
        server.addr,
        LinkShape {
            bits_per_second: Some(80_000),
            rtt: Duration::from_millis(50),
        },
    );
    let opts = SyncOptions {
        request_target: Duration::from_secs(1),
        ..quick_retries()
    };
    let over_gprs = |v: &mut Vault| {
        let mut t = HttpTransport::with_request_limit(&proxy.url, Duration::from_secs(3)).unwrap();
        v.sync(&mut t, &opts, &mut |_| {})
    };
    let pushed = over_gprs(&mut counsellor).expect("her work gets through");
    assert_eq!(pushed.sent_ops, waiting);
    assert!(
        pushed.sent_bytes > 40_000,
        "more than a request can ever carry: {} bytes",
        pushed.sent_bytes
    );
    assert_eq!(counsellor.sync_status().unwrap().pending, 0);

    let pulled = over_gprs(&mut supervisor).expect("the supervisor's pull gets through");
    assert!(pulled.received_ops >= waiting);
    let queue = supervisor.review_queue().unwrap();
    assert_eq!(queue.len(), sessions, "every session waits for review");
    drop(proxy);
}
