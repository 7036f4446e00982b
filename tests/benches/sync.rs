//! Sync benchmark: a team's history of clients and operations through the real server on
//! loopback. Run: `cargo bench -p komora-scenarios --bench sync` (`-- --quick` for a short run).
//!
//! Rows: an import on a tablet of the team against one outside any team; the first sync of a new tablet against applying the same operations from memory; bytes
//! on the wire against the ciphertext floor; a first sync cut at 50% and resumed; many devices
//! syncing at once against one server.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use komora_core::{ClientEdit, NewClient, Role, SyncOptions, Vault};
use komora_protocol::{ChallengeResponse, Id16, PullPage, PushBatch, TokenResponse};
use komora_scenarios::proxy::CountingProxy;
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, enrol, fast_options, sync_via};
use ring::signature::{Ed25519KeyPair, KeyPair};

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
        })
        .unwrap_or(0)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (clients, total_ops, devices) = if quick {
        (1_000, 20_000, 200)
    } else {
        (5_000, 100_000, 1_000)
    };
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));

    // The team's history, written on the administrator's tablet (a scratch replica outside
    // the team would write operations its signed list does not admit: they would wait,
    // parked, and nothing would be pushed), then pushed.
    let batch: Vec<NewClient> = (0..clients)
        .map(|i| NewClient {
            name: format!("Client {i}"),
            phone: Some(format!("0788{i:06}")),
            ..Default::default()
        })
        .collect();
    // The import as a tablet of a team pays it (its operations compressed and, from team
    // format 5, a new client's keys in an operation of their own), against the same import
    // into a vault outside any team, which the core's store bench measures.
    let alone_dir = dir.path().join("alone");
    let mut alone = Vault::create(&alone_dir, "bench passphrase", fast_options()).unwrap();
    let t = Instant::now();
    alone.add_clients(&batch).unwrap();
    let import_alone = t.elapsed();
    drop(alone);
    let t = Instant::now();
    let ids = admin.add_clients(&batch).unwrap();
    let import_team = t.elapsed();
    for i in 0..(total_ops - clients) {
        let edit = ClientEdit {
            name: Some(format!("Client {} v{i}", i % clients)),
            ..Default::default()
        };
        admin.edit_client(ids[i % clients], &edit).unwrap();
    }
    let history = admin.all_ops().unwrap();
    let total_ops = history.len();
    let t = Instant::now();
    let pushed = sync_via(&mut admin, &server.url, &SyncOptions::default()).unwrap();
    let push_time = t.elapsed();
    assert_eq!(pushed.sent_ops as usize, total_ops);
    let floor: u64 = history.iter().map(|e| e.encoded_len() as u64).sum();

    // Baseline: the same operations applied from memory (decrypt, merge, persist), no network,
    // and no author's signature checked (a vault outside any team): since signed operations
    // (ADR 0008) the first sync checks one signature per operation, which this baseline does
    // not pay.
    let local = dir.path().join("local");
    let mut offline = Vault::create_joined(
        &local,
        "bench passphrase",
        &admin.team_keys(),
        fast_options(),
    )
    .unwrap();
    let t = Instant::now();
    let mut merged = 0;
    for chunk in history.chunks(2_000) {
        merged += offline.apply_ops(chunk).unwrap().applied;
    }
    let apply_time = t.elapsed();
    assert_eq!(merged, total_ops, "the baseline merged every operation");

    // First sync of a new tablet through a counting proxy.
    let proxy = CountingProxy::start(server.addr);
    let mut tablet = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("tablet"),
    );
    proxy.reset();
    let t = Instant::now();
    let first = sync_via(&mut tablet, &proxy.url, &SyncOptions::default()).unwrap();
    let first_time = t.elapsed();
    assert_eq!(first.applied as usize, total_ops);
    let wire = proxy.to_client.load(Ordering::SeqCst) + proxy.to_server.load(Ordering::SeqCst);

    // The same first sync with the largest page the engine may ask for set to each size
    // (the pacer grows pages up to it on a fast link): what a page costs beyond its bytes.
    // Each size twice, alternated, a new tablet each time.
    let sizes = [256 * 1024u32, 1024 * 1024, komora_protocol::MAX_PULL_BYTES];
    let mut by_size = vec![Vec::new(); sizes.len()];
    for round in 0..2 {
        for (i, &size) in sizes.iter().enumerate() {
            let mut t2 = enrol(
                &server,
                &mut admin,
                Role::Counsellor,
                &dir.path().join(format!("pages-{round}-{i}")),
            );
            let opts = SyncOptions {
                pull_page_bytes: size,
                ..SyncOptions::default()
            };
            let t = Instant::now();
            let r = sync_via(&mut t2, &server.url, &opts).unwrap();
            by_size[i].push(t.elapsed());
            assert_eq!(r.applied as usize, total_ops);
        }
    }

    // A first sync cut at 50% of its bytes, then resumed.
    let mut cut = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("cut"),
    );
    proxy.reset();
    proxy.cut_after.store(wire / 2, Ordering::SeqCst);
    let quick_fail = SyncOptions {
        max_attempts: 1,
        ..SyncOptions::default()
    };
    assert!(
        sync_via(&mut cut, &proxy.url, &quick_fail).is_err(),
        "the cut interrupted the sync"
    );
    let before_cut = proxy.to_client.load(Ordering::SeqCst);
    proxy.cut_after.store(u64::MAX, Ordering::SeqCst);
    proxy.reset();
    let resumed = sync_via(&mut cut, &proxy.url, &SyncOptions::default()).unwrap();
    let resumed_bytes =
        proxy.to_client.load(Ordering::SeqCst) + proxy.to_server.load(Ordering::SeqCst);
    assert_eq!(cut.summary().unwrap().len() as usize, total_ops);

    // Many devices at once: each logs in, pushes one operation and pulls the others'.
    let team = admin.sync_settings().unwrap().team_id;
    let keys: Vec<(Id16, Ed25519KeyPair)> = (0..devices)
        .map(|i| {
            let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
            let kp = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
            let id = Id16(*komora_core::DeviceId::random().as_bytes());
            let lookup = [(i % 251) as u8, (i / 251) as u8].repeat(16);
            let db = &server.state.db;
            server
                .wait(db.create_invite(komora_sync_server::db::NewInvite {
                    lookup: lookup.clone(),
                    team,
                    role: Role::Counsellor,
                    by: Id16(*admin.device_id().as_bytes()),
                    expires_ms: u64::MAX / 2,
                    bundle: b"-".to_vec(),
                    statement: b"-".to_vec(),
                    invite_pk: None,
                }))
                .unwrap();
            server
                .wait(db.enroll(
                    lookup,
                    komora_sync_server::db::NewDevice {
                        id,
                        sign_pk: kp.public_key().as_ref().to_vec(),
                        // X25519's base point: a valid key-agreement public key for a simulated device.
                        kx_pk: std::iter::once(9).chain([0; 31]).collect(),
                        // Simulated devices need no place in the signed list: no tablet applies
                        // their (random) operations.
                        statement: b"-".to_vec(),
                        invite_pk: None,
                    },
                    1,
                ))
                .unwrap();
            (id, kp)
        })
        .collect();
    // Skip the history (the server holds exactly the pushed operations): the simulated devices
    // pull only what they push to each other.
    let start_cursor = total_ops as u64;
    let hwm_before = vm_hwm_kib();
    let latencies = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let errors = Arc::new(Mutex::new(0u64));
    let barrier = Arc::new(Barrier::new(devices));
    let url = server.url.clone();
    let t = Instant::now();
    let threads: Vec<_> = keys
        .into_iter()
        .map(|(id, kp)| {
            let (lat, errs, bar, url) = (latencies.clone(), errors.clone(), barrier.clone(), url.clone());
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let http = reqwest::blocking::Client::new();
                    let result = (|| -> Result<(), Box<dyn std::error::Error>> {
                        let ch: ChallengeResponse = http
                            .post(format!("{url}/v1/auth/challenge"))
                            .json(&serde_json::json!({ "device_id": id }))
                            .send()?
                            .error_for_status()?
                            .json()?;
                        let sig = kp.sign(&komora_protocol::login_message(&id, &ch.challenge.0));
                        let tok: TokenResponse = http
                            .post(format!("{url}/v1/auth/token"))
                            .json(&serde_json::json!({ "device_id": id, "challenge": ch.challenge, "signature": komora_protocol::Bytes(sig.as_ref().to_vec()) }))
                            .send()?
                            .error_for_status()?
                            .json()?;
                        // The framing the server checks (the current envelope version), and
                        // a sealed part of an everyday operation's size (the padding floor).
                        let mut env = vec![komora_protocol::envelope::VERSION, 0, 0, 0, 1];
                        env.extend_from_slice(komora_core::OpId::random().as_bytes());
                        env.extend_from_slice(&[7u8; 540]);
                        let body = postcard::to_allocvec(&PushBatch { envelopes: vec![env] })?;
                        bar.wait();
                        http.post(format!("{url}/v1/push")).bearer_auth(&tok.token).body(body).send()?.error_for_status()?;
                        let mut cursor = start_cursor;
                        loop {
                            let t = Instant::now();
                            let bytes = http
                                .get(format!("{url}/v1/pull?after={cursor}&max_bytes=65536"))
                                .bearer_auth(&tok.token)
                                .send()?
                                .error_for_status()?
                                .bytes()?;
                            lat.lock().unwrap().push(t.elapsed());
                            let page: PullPage = postcard::from_bytes(&bytes)?;
                            cursor = page.next;
                            if !page.more {
                                break;
                            }
                        }
                        Ok(())
                    })();
                    if let Err(e) = result {
                        let mut errs = errs.lock().unwrap();
                        if *errs == 0 {
                            eprintln!("a simulated device failed: {e}");
                        }
                        *errs += 1;
                    }
                })
                .unwrap()
        })
        .collect();
    for th in threads {
        th.join().unwrap();
    }
    let load_time = t.elapsed();
    let mut lat = latencies.lock().unwrap().clone();
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or_default()
    };
    let hwm_after = vm_hwm_kib();

    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1e3);
    println!("| measure | value | baseline | ratio | target |");
    println!("|---|---|---|---|---|");
    println!(
        "| import {clients} clients on a tablet of the team (format {}) | {} | outside any team: {} | {:.2}x | - |",
        komora_core::format::APP_FORMAT,
        ms(import_team),
        ms(import_alone),
        import_team.as_secs_f64() / import_alone.as_secs_f64()
    );
    println!(
        "| push a team's history of {total_ops} operations ({clients} clients) | {} | - | - | - |",
        ms(push_time)
    );
    println!(
        "| first sync of a new tablet, {total_ops} operations over loopback | {} | apply the same from memory: {} | {:.2}x | - |",
        ms(first_time),
        ms(apply_time),
        first_time.as_secs_f64() / apply_time.as_secs_f64()
    );
    println!(
        "| bytes on the wire for that first sync (both ways, HTTP included) | {} | ciphertext floor {} | {:.3}x | <= 1.1x |",
        wire,
        floor,
        wire as f64 / floor as f64
    );
    println!(
        "| first sync cut at 50%, then resumed: bytes sent again | {} (cut after {}) | whole first sync {} | {:.2}x | <= 0.55x |",
        resumed_bytes,
        before_cut,
        wire,
        resumed_bytes as f64 / wire as f64
    );
    println!(
        "| {devices} devices at once: login, push 1, pull all (SQLite, 2 cores) | {} total, pull page p50 {} / p99 {} | errors {} | - | errors 0 |",
        ms(load_time),
        ms(pct(0.5)),
        ms(pct(0.99)),
        errors.lock().unwrap()
    );
    println!(
        "| peak memory of this process (server + {devices} client threads) | {} MiB | before the load {} MiB | - | - |",
        hwm_after / 1024,
        hwm_before / 1024
    );
    let best = |d: &Vec<Duration>| d.iter().min().copied().unwrap_or_default();
    for (i, size) in sizes.iter().enumerate() {
        println!(
            "| first sync, {total_ops} operations, pages of at most {} KiB (best of two) | {} | pages of at most 256 KiB: {} | {:.2}x the time | - |",
            size / 1024,
            ms(best(&by_size[i])),
            ms(best(&by_size[0])),
            best(&by_size[i]).as_secs_f64() / best(&by_size[0]).as_secs_f64()
        );
    }
    let _ = resumed;
}
