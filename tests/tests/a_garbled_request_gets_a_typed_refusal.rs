//! What reaches the server over a bad link or from a hostile program: a query string cut in
//! two, a body that is not JSON, a body larger than any tablet sends, a route that does not
//! exist. Each is answered with the server's typed refusal (`{"error": ..., "message": ...}`,
//! a code a tablet can branch on) and a 4xx status, never the web framework's own text (which
//! repeats pieces of the request back and which a tablet cannot read), and changes nothing.

use komora_core::Role;
use komora_protocol::{ErrorBody, ErrorCode};
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, enrol, token_of};

/// The answer's status and its typed body, or a failure naming what came back instead.
fn refusal(what: &str, r: reqwest::blocking::Response) -> (u16, ErrorCode) {
    let status = r.status().as_u16();
    let text = r.text().unwrap();
    let body: ErrorBody = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{what}: {status} with an untyped body: {text:?}"));
    assert!(
        (400..500).contains(&status),
        "{what}: a refusal is a 4xx, got {status}"
    );
    (status, body.error)
}

#[test]
fn every_garbled_request_is_refused_in_the_servers_own_words_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    let token = token_of(&mut claudine, &server.url);
    let team = claudine.sync_settings().unwrap().team_id;
    let roster = |s: &TestServer| s.wait(s.state.db.roster(team, 0, 1_000)).unwrap();
    let before = roster(&server);
    let http = reqwest::blocking::Client::new();
    let url = &server.url;

    // Query strings cut or garbled on the way.
    for path in [
        "/v1/pull?after=12ab",
        "/v1/pull?max_bytes=-1",
        "/v1/pull?class=999",
        "/v1/keys?after=-1",
        "/v1/roster?after=x",
    ] {
        let r = http
            .get(format!("{url}{path}"))
            .bearer_auth(&token)
            .send()
            .unwrap();
        assert_eq!(refusal(path, r), (400, ErrorCode::BadRequest));
    }
    // Without a login, too.
    let r = http.get(format!("{url}/v1/server-pins")).send().unwrap();
    assert_eq!(
        refusal("server-pins without a team", r),
        (400, ErrorCode::BadRequest)
    );

    // Bodies that are not what the route reads.
    for (path, body) in [
        ("/v1/keys/grants", "{"),
        (
            "/v1/keys/grants",
            r#"{"grants":[["not a number", "x", "y"]]}"#,
        ),
        ("/v1/report", "[]"),
        ("/v1/devices/retire", "null"),
    ] {
        let r = http
            .post(format!("{url}{path}"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap();
        assert_eq!(refusal(path, r), (400, ErrorCode::BadRequest));
    }
    // A body sent without saying it is JSON is read all the same, or refused in words.
    let r = http
        .post(format!("{url}/v1/keys/grants"))
        .bearer_auth(&token)
        .body(r#"{"grants":[]}"#)
        .send()
        .unwrap();
    assert!(
        r.status().is_success() || serde_json::from_str::<ErrorBody>(&r.text().unwrap()).is_ok()
    );

    // Bodies larger than any tablet sends.
    let huge = vec![b'['; komora_protocol::MAX_PUSH_BYTES + 1];
    for path in ["/v1/push", "/v1/keys/grants", "/v1/reconcile", "/v1/enroll"] {
        let r = http
            .post(format!("{url}{path}"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(huge.clone())
            .send()
            .unwrap();
        assert_eq!(refusal(path, r), (413, ErrorCode::TooLarge));
    }

    // Routes that do not exist, or a method a route does not take.
    let r = http.get(format!("{url}/v1/nothing-here")).send().unwrap();
    assert_eq!(refusal("an unknown route", r).1, ErrorCode::NotFound);
    let r = http
        .get(format!("{url}/v1/push"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(refusal("GET on the push route", r).0, 405);

    // Nothing of it was kept, and the tablet syncs as before.
    assert_eq!(roster(&server), before);
    assert!(server.team_copy(team).is_empty());
    komora_scenarios::sync(&mut claudine).unwrap();
}
