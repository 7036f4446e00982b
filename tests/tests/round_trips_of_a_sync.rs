//! What a sync costs in round trips, counted where they arrive: at the real server (the
//! production router on a loopback socket), from its own request counters. On 2G each round
//! trip costs about a second before a byte of data moves (issue 20, item 4).

use std::collections::BTreeMap;
use std::sync::Arc;

use komora_core::{HttpTransport, NewClient, Role, TimeSource, VaultOptions};
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, enrol, enrol_with, fast_options, sync, ManualClock};

/// Requests the server has answered so far, by route.
fn requests(server: &TestServer) -> BTreeMap<String, u64> {
    let mut by_route = BTreeMap::new();
    for line in server.state.metrics.render().lines() {
        let Some(rest) = line.strip_prefix("komora_requests_total{") else {
            continue;
        };
        let route = rest
            .split("route=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("?")
            .to_owned();
        let n: u64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        *by_route.entry(route).or_default() += n;
    }
    by_route
}

/// The requests `f` made, by route.
fn counted(server: &TestServer, f: impl FnOnce()) -> BTreeMap<String, u64> {
    let before = requests(server);
    f();
    let mut made = requests(server);
    for (route, n) in &before {
        let left = made.get(route).copied().unwrap_or(0) - n;
        if left == 0 {
            made.remove(route);
        } else {
            made.insert(route.clone(), left);
        }
    }
    made
}

fn total(made: &BTreeMap<String, u64>) -> u64 {
    made.values().sum()
}

fn now_ms() -> u64 {
    komora_core::SystemClock.now_ms()
}

#[test]
fn an_idle_sync_is_one_round_trip_an_edit_too_and_a_first_sync_a_handful() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    for name in ["Mukamana Odette", "Uwase Claire", "Habimana Eric"] {
        admin
            .add_client(&NewClient {
                name: name.into(),
                ..Default::default()
            })
            .unwrap();
    }
    sync(&mut admin).unwrap();

    // A counsellor's tablet, whose clock the test moves (to let its token age).
    let clock = ManualClock::at(now_ms());
    let mut tablet = enrol_with(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("tablet"),
        VaultOptions {
            time: clock.clone() as Arc<dyn TimeSource>,
            ..fast_options()
        },
    );

    // The first sync logs in (challenge, token) and reads the stream (the team's signed list
    // came with the enrolment): the three clients arrive.
    let first = counted(&server, || {
        sync(&mut tablet).unwrap();
    });
    assert_eq!(tablet.clients().unwrap().items.len(), 3);
    assert_eq!(total(&first), 3, "first sync: {first:?}");

    // Nothing new on either side: one request, the pull that says so.
    let idle = counted(&server, || {
        sync(&mut tablet).unwrap();
    });
    assert_eq!(total(&idle), 1, "idle sync: {idle:?}");

    // One edit: the push brings back the first pull page with its answer.
    tablet
        .add_client(&NewClient {
            name: "Niyonsaba Grace".into(),
            ..Default::default()
        })
        .unwrap();
    let edit = counted(&server, || {
        sync(&mut tablet).unwrap();
    });
    assert_eq!(total(&edit), 1, "sync with one edit: {edit:?}");
    sync(&mut admin).unwrap();
    assert!(admin
        .clients()
        .unwrap()
        .items
        .iter()
        .any(|c| c.name == "Niyonsaba Grace"));

    // The administrator's edit is received in that one request too.
    admin
        .add_client(&NewClient {
            name: "Mugisha Jean".into(),
            ..Default::default()
        })
        .unwrap();
    sync(&mut admin).unwrap();
    let receive = counted(&server, || {
        sync(&mut tablet).unwrap();
    });
    assert_eq!(total(&receive), 1, "sync receiving one edit: {receive:?}");
    assert_eq!(tablet.clients().unwrap().items.len(), 5);

    // Sixteen minutes later the token has expired: an idle sync logs in again (challenge,
    // token) and pulls.
    clock.advance(16 * 60 * 1000);
    let expired = counted(&server, || {
        sync(&mut tablet).unwrap();
    });
    assert_eq!(
        total(&expired),
        3,
        "idle sync after the token expired: {expired:?}"
    );
    let again = counted(&server, || {
        sync(&mut tablet).unwrap();
    });
    assert_eq!(total(&again), 1, "idle sync with the new token: {again:?}");
}

#[test]
fn a_tablet_that_kept_its_token_still_hears_of_a_new_device_and_a_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let mut jean = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("j"));
    sync(&mut claudine).unwrap();
    sync(&mut jean).unwrap();

    // A tablet enrolled after Claudine's last sync writes: her next sync, with the token she
    // kept, checks its work against the signed list she fetches then.
    let mut grace = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("g"));
    grace
        .add_client(&NewClient {
            name: "Uwimana Alice".into(),
            ..Default::default()
        })
        .unwrap();
    sync(&mut grace).unwrap();
    let report = sync(&mut claudine).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(claudine
        .clients()
        .unwrap()
        .items
        .iter()
        .any(|c| c.name == "Uwimana Alice"));

    // Jean's tablet is revoked: the team key rotates. Claudine's next sync, with her kept
    // token, takes the new key, and what she writes after it Jean's tablet cannot read.
    sync(&mut admin).unwrap();
    let mut t = HttpTransport::new(&server.url).unwrap();
    admin.revoke_device(&mut t, jean.device_id()).unwrap();
    sync(&mut claudine).unwrap();
    claudine
        .add_client(&NewClient {
            name: "Iradukunda Paul".into(),
            ..Default::default()
        })
        .unwrap();
    sync(&mut claudine).unwrap();
    let copy = server.team_copy(claudine.sync_settings().unwrap().team_id);
    let epochs: Vec<u32> = copy.iter().map(|e| e.epoch()).collect();
    let newest = *epochs.iter().max().unwrap();
    assert!(newest >= 2, "the team moved to a new key: {epochs:?}");
    assert_eq!(
        copy.last().unwrap().epoch(),
        newest,
        "written after the rotation, sealed under the new key: {epochs:?}"
    );
}
