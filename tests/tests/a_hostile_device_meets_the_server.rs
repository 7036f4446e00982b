//! What a device of the organisation, or someone holding one of its tokens, could try against
//! the server, and what the server refuses (issue 16, findings 3, 4 and 14). Each runs on
//! SQLite and, when `KOMORA_TEST_POSTGRES` is set, on PostgreSQL.

use komora_core::{HttpTransport, OpEnvelope, Role, Transport, TransportError};
use komora_protocol::{envelope, Bytes, EraseRequest, ErrorCode, Id16, OpMeta, PushBatchV2};
use komora_scenarios::record_client as client;
use komora_scenarios::server::{backends, Backend, TestServer};
use komora_scenarios::{bootstrap_admin, client_names, enrol, fast_options, token_of};

/// A push of these envelopes, each declared as the pushing device's own.
fn batch(envelopes: Vec<Vec<u8>>) -> PushBatchV2 {
    let n = envelopes.len();
    PushBatchV2 {
        envelopes,
        meta: vec![OpMeta::default(); n],
        then_pull: None,
        priority: Vec::new(),
    }
}

/// An envelope with the given clear header and garbage inside: all the server can check.
fn envelope_with(op_id: [u8; 16], epoch: u32) -> Vec<u8> {
    let mut e = vec![envelope::VERSION];
    e.extend_from_slice(&epoch.to_be_bytes());
    e.extend_from_slice(&op_id);
    e.extend_from_slice(&[0x5a; 80]);
    e
}

/// Finding 3: operation ids were unique server-wide. A device of another team that learnt an
/// op id (from a batch file, a shared tablet, a log) could store it first; the owner's push
/// of the real operation was then answered "duplicate", marked sent, and never stored.
fn shadowing(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    // An administrator's second team, with a device of its own.
    let mut nyanza = admin
        .create_team(
            &mut HttpTransport::new(&server.url).unwrap(),
            dir.path().join("nyanza"),
            "admin passphrase",
            "Nyanza",
            fast_options(),
        )
        .unwrap();
    client(&mut claudine, "Mukamana Odette");
    let pending = claudine.all_ops().unwrap();
    let ids: Vec<[u8; 16]> = pending.iter().map(|e| *e.op_id().as_bytes()).collect();
    // The other team's device pushes envelopes under those ids first.
    let token = token_of(&mut nyanza, &server.url);
    let epoch = nyanza.team_keys().current_epoch();
    let mut raw = HttpTransport::new(&server.url).unwrap();
    let mut shadow = batch(ids.iter().map(|id| envelope_with(*id, epoch)).collect());
    // Numbered as a tablet numbers its work: the server refuses one device giving two of its
    // operations one number (ADR 0032).
    for (i, m) in shadow.meta.iter_mut().enumerate() {
        m.seq = i as u64 + 1;
    }
    let stored = raw.push(&token, &shadow).unwrap();
    assert_eq!(stored.stored as usize, ids.len());

    // Claudine's push stores every one of hers, and the team receives her client.
    let report = komora_scenarios::sync(&mut claudine).unwrap();
    assert_eq!(report.sent_ops as usize, ids.len());
    komora_scenarios::sync(&mut admin).unwrap();
    assert_eq!(client_names(&admin), ["Mukamana Odette"]);
    let team = claudine.sync_settings().unwrap().team_id;
    let held: Vec<OpEnvelope> = server.team_copy(team);
    for e in &pending {
        assert!(
            held.contains(e),
            "the real operation is in her team's stream"
        );
    }
    // A retried push of her own stays a duplicate in her team.
    let again = raw
        .push(
            &token_of(&mut claudine, &server.url),
            &batch(pending.iter().map(OpEnvelope::to_bytes).collect()),
        )
        .unwrap();
    assert_eq!((again.stored, again.duplicates as usize), (0, ids.len()));
}

#[test]
fn a_device_of_another_team_cannot_shadow_an_op_id() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        shadowing(&backend);
    }
}

/// Finding 4: the server accepted any epoch above the team's; tablets would park such
/// operations (they cannot open them) without end.
fn future_epochs(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_on(backend, &dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let token = token_of(&mut claudine, &server.url);
    let current = claudine.team_keys().current_epoch();
    let mut raw = HttpTransport::new(&server.url).unwrap();
    for epoch in [current + 1, current + 1000, u32::MAX] {
        let refused = raw.push(
            &token,
            &batch(vec![envelope_with([epoch as u8; 16], epoch)]),
        );
        assert!(
            matches!(
                refused,
                Err(TransportError::Rejected {
                    status: 400,
                    code: ErrorCode::BadRequest,
                    ..
                })
            ),
            "epoch {epoch}: {refused:?}"
        );
    }
    let team = claudine.sync_settings().unwrap().team_id;
    assert!(server.team_copy(team).is_empty(), "nothing was stored");
}

#[test]
fn a_push_under_a_key_epoch_the_team_does_not_have_is_refused() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        future_epochs(&backend);
    }
}

/// Finding 14: any supervisor token could delete any operation of the team through
/// `/v1/erase`, and SQLite kept the deleted envelopes in its write-ahead log. Now a request
/// must be signed by the device's key and cite an erasure operation that device pushed; and
/// the deleted bytes leave the server's files.
fn signed_erasures(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let server = TestServer::start_on(backend, &data);
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut supervisor = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("s"));
    let mut counsellor = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let uwase = client(&mut counsellor, "Uwase Immaculée");
    client(&mut counsellor, "Stays");
    komora_scenarios::sync(&mut counsellor).unwrap();
    komora_scenarios::sync(&mut supervisor).unwrap();
    let team = supervisor.sync_settings().unwrap().team_id;
    let before = server.team_copy(team);
    let targets: Vec<Id16> = before.iter().map(|e| Id16(*e.op_id().as_bytes())).collect();
    let url = server.url.clone();
    let mut raw = HttpTransport::new(&url).unwrap();
    let sup_token = token_of(&mut supervisor, &url);
    let erasure = Id16([3; 16]);

    // A stolen token with no signature of the device's key: refused, nothing deleted.
    let unsigned = EraseRequest {
        erasure,
        op_ids: targets.clone(),
        signature: Bytes(vec![0; 64]),
    };
    let refused = raw.erase(&sup_token, &unsigned);
    assert!(
        matches!(refused, Err(TransportError::Rejected { status: 403, .. })),
        "{refused:?}"
    );
    // Signed by the supervisor's own key, but citing no erasure of hers: refused.
    let message = komora_protocol::erase_message(&team, &erasure, &targets);
    let signed = EraseRequest {
        signature: Bytes(supervisor.sign_as_this_device(&message).unwrap()),
        ..unsigned.clone()
    };
    let refused = raw.erase(&sup_token, &signed);
    assert!(
        matches!(
            refused,
            Err(TransportError::Rejected {
                status: 404,
                code: ErrorCode::NotFound,
                ..
            })
        ),
        "{refused:?}"
    );
    // A counsellor, signed, citing her own operation as "the erasure": not her role.
    let own = Id16(*counsellor.all_ops().unwrap()[0].op_id().as_bytes());
    let message = komora_protocol::erase_message(&team, &own, &targets);
    let refused = raw.erase(
        &token_of(&mut counsellor, &url),
        &EraseRequest {
            erasure: own,
            op_ids: targets.clone(),
            signature: Bytes(counsellor.sign_as_this_device(&message).unwrap()),
        },
    );
    assert!(
        matches!(refused, Err(TransportError::Rejected { status: 403, .. })),
        "{refused:?}"
    );
    assert_eq!(server.team_copy(team), before, "nothing was deleted");

    // The real erasure, through the supervisor's sync: it pushes the erasure, then asks.
    supervisor.erase_client(uwase, "client-request").unwrap();
    komora_scenarios::sync(&mut supervisor).unwrap();
    let after = server.team_copy(team);
    let gone: Vec<&OpEnvelope> = before.iter().filter(|e| !after.contains(e)).collect();
    assert!(!gone.is_empty(), "what carried her file's key was deleted");
    komora_scenarios::sync(&mut admin).unwrap();
    assert_eq!(client_names(&admin), ["Stays"]);
    if matches!(backend, Backend::Sqlite) {
        // Not in the database file, its write-ahead log or its shared memory.
        for (file, bytes) in server.stored_bytes() {
            for e in &gone {
                let sealed = e.to_bytes();
                let probe = &sealed[sealed.len() - 48..];
                assert!(
                    !bytes.windows(probe.len()).any(|w| w == probe),
                    "an erased envelope is still in {file}"
                );
            }
        }
    }
}

#[test]
fn a_stolen_token_alone_erases_nothing_and_an_erasure_leaves_no_trace_on_the_server() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        signed_erasures(&backend);
    }
}

/// A request for a login challenge naming `device`, as `client` behind the proxy says.
fn challenge_from(url: &str, client: &str, device: Id16) -> u16 {
    reqwest::blocking::Client::new()
        .post(format!("{url}/v1/auth/challenge"))
        .header("X-Forwarded-For", client)
        .json(&serde_json::json!({ "device_id": device.to_string() }))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

/// Finding 2: rate limits were keyed on the socket's peer, so behind the reverse proxy the
/// README asks for, the whole organisation shared one bucket and a flood of login challenges
/// from anyone stopped every tablet. Behind a configured proxy the client's own address is
/// limited (and a header from anyone else is ignored); a flood naming one device stops that
/// device's logins only.
fn floods_behind_a_proxy(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let limits = komora_sync_server::Limits {
        codes_per_minute: 1_000,
        // Enough for the scripted team's own logins (two calls each) in a minute, no more.
        logins_per_minute: 40,
        device_logins_per_minute: 10,
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        metrics_token: None,
        ..komora_sync_server::Limits::default()
    };
    let server = TestServer::start_at(
        backend,
        &dir.path().join("server"),
        "127.0.0.1:0".parse().unwrap(),
        limits.clone(),
    );
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let claudine_id = Id16(*claudine.device_id().as_bytes());
    // An attacker somewhere on the internet floods the login route, each time for a device
    // id it makes up.
    let flood: Vec<u16> = (0..60u8)
        .map(|i| challenge_from(&server.url, "203.0.113.66", Id16([i; 16])))
        .collect();
    assert!(
        flood.contains(&429),
        "the flooding address is limited: {flood:?}"
    );
    // The tablets, behind the same proxy, log in and sync as usual.
    komora_scenarios::sync(&mut claudine).unwrap();
    komora_scenarios::sync(&mut admin).unwrap();
    // A flood naming Claudine's tablet from many addresses stops her logins only.
    let named: Vec<u16> = (0..30u8)
        .map(|i| challenge_from(&server.url, &format!("198.51.100.{i}"), claudine_id))
        .collect();
    assert!(named.contains(&429), "{named:?}");
    let once = komora_core::SyncOptions {
        max_attempts: 1,
        ..Default::default()
    };
    // Her tablet kept its token from the last sync (ADR 0025): it needs no login, so the
    // flood does not stop even her.
    komora_scenarios::sync_via(&mut claudine, &server.url, &once)
        .expect("a kept token needs no login");
    komora_scenarios::sync(&mut admin).unwrap();
    drop(server);

    // A server with no proxy configured believes no header: made-up addresses do not give
    // a flood fresh buckets.
    let server = TestServer::start_at(
        backend,
        &dir.path().join("server2"),
        "127.0.0.1:0".parse().unwrap(),
        komora_sync_server::Limits {
            trusted_proxies: Vec::new(),
            device_logins_per_minute: 1_000,
            ..limits
        },
    );
    let spoofed: Vec<u16> = (0..60u8)
        .map(|i| challenge_from(&server.url, &format!("192.0.2.{i}"), Id16([i; 16])))
        .collect();
    assert!(spoofed.contains(&429), "{spoofed:?}");
}

#[test]
fn a_flood_behind_the_reverse_proxy_stops_only_its_sender() {
    for backend in backends() {
        eprintln!("store: {backend:?}");
        floods_behind_a_proxy(&backend);
    }
}

/// One household or one attacker is given a whole IPv6 /64 (2^64 addresses): limited by the
/// whole address, a flood of login challenges or enrolment guesses took a fresh address for
/// each try and was never stopped. The limits now key an IPv6 address by its /64, and an
/// IPv4-mapped address (`::ffff:203.0.113.66`) as its IPv4 address; another /64 has its own.
#[test]
fn a_flood_from_one_ipv6_network_is_limited_as_one_sender() {
    let dir = tempfile::tempdir().unwrap();
    let limits = komora_sync_server::Limits {
        logins_per_minute: 40,
        device_logins_per_minute: 100_000,
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        metrics_token: None,
        ..komora_sync_server::Limits::default()
    };
    let server = TestServer::start_at(
        &Backend::Sqlite,
        &dir.path().join("server"),
        "127.0.0.1:0".parse().unwrap(),
        limits,
    );
    let flood: Vec<u16> = (0..60u16)
        .map(|i| {
            challenge_from(
                &server.url,
                &format!("2001:db8:1:2:{i:x}:{i:x}:{i:x}:1"),
                Id16([7; 16]),
            )
        })
        .collect();
    assert!(
        flood.contains(&429),
        "a fresh address of the same /64 for each try is still limited: {flood:?}"
    );
    assert_ne!(
        challenge_from(&server.url, "2001:db8:1:3::1", Id16([7; 16])),
        429,
        "the next /64 is another sender"
    );
    // One IPv4 sender writing its address both ways, in turns: 30 tries of each, 60 in all.
    let both: Vec<u16> = (0..60)
        .map(|i| {
            let written = if i % 2 == 0 {
                "203.0.113.66"
            } else {
                "::ffff:203.0.113.66"
            };
            challenge_from(&server.url, written, Id16([7; 16]))
        })
        .collect();
    assert!(
        both.contains(&429),
        "an IPv4-mapped address is its IPv4 address: {both:?}"
    );
}
