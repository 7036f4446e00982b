//! Tablets are updated slowly in the field (issue 17, item 4): an NGO updates its server when
//! it can and its tablets when a counsellor next comes to the office, so for weeks a server
//! one protocol ahead serves tablets one behind. Those keep working with it and nothing they
//! hold is lost; a tablet too old for the server is told, in words, to update the app, and
//! sends what it holds once it is; what a tablet cannot read (a record format its app does not
//! know) never reaches it.

use komora_core::{Error, HttpTransport, NewClient, Role, Vault};
use komora_scenarios::server::TestServer;
use komora_scenarios::{bootstrap_admin, client_names, enrol, quick_retries, sync};

fn client(v: &mut Vault, name: &str) {
    v.add_client(&NewClient {
        name: name.into(),
        ..Default::default()
    })
    .unwrap();
}

/// Sync `v` through a transport that speaks protocol `protocol`, as an app of that time does.
fn sync_speaking(v: &mut Vault, protocol: u32) -> komora_core::Result<komora_core::SyncReport> {
    let url = v.sync_settings()?.server_url;
    let mut t = HttpTransport::new(&url)
        .unwrap()
        .speaking_protocol(protocol);
    v.sync(&mut t, &quick_retries(), &mut |_| {})
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[test]
fn a_tablet_not_yet_updated_keeps_working_with_a_newer_server_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut updated = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("a"));
    let mut old = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("b"));

    // The tablet still on the old app records and syncs as it always did: no protocol
    // header, pushes without authors' numbers, only the first fields of each page read.
    client(&mut old, "Written on the old app");
    let sent = sync_speaking(&mut old, 1).unwrap();
    assert_eq!(sent.sent_ops, 1, "its work went");
    client(&mut updated, "Written on the new app");
    sync(&mut updated).unwrap();
    sync_speaking(&mut old, 1).unwrap();
    sync(&mut updated).unwrap();
    let both = vec![
        "Written on the new app".to_owned(),
        "Written on the old app".to_owned(),
    ];
    assert_eq!(sorted(client_names(&old)), both);
    assert_eq!(sorted(client_names(&updated)), both);

    // Weeks later its app is updated: it syncs on, nothing is sent twice or lost, and a
    // tablet enrolled after all this reads everything from the server.
    client(&mut old, "Written after the update");
    let after = sync(&mut old).unwrap();
    assert_eq!(
        after.sent_ops, 1,
        "only the new work goes: nothing is sent twice"
    );
    assert!(!after.reconciled, "an update is not a restore");
    let mut late = enrol(&server, &mut admin, Role::Supervisor, &dir.path().join("c"));
    sync(&mut late).unwrap();
    assert_eq!(
        sorted(client_names(&late)),
        vec![
            "Written after the update".to_owned(),
            "Written on the new app".to_owned(),
            "Written on the old app".to_owned(),
        ]
    );
}

#[test]
fn a_tablet_too_old_for_the_server_is_told_to_update_and_keeps_its_work() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut tablet = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("t"));
    client(&mut tablet, "Written before the update");

    // An app older than the oldest protocol the server serves: told to update, not retried
    // as if the network were down, and nothing on the tablet changes.
    let refused = sync_speaking(&mut tablet, 0).unwrap_err();
    assert!(matches!(refused, Error::UpdateRequired), "{refused:?}");
    assert!(
        refused.to_string().contains("update"),
        "a message a counsellor can act on: {refused}"
    );
    assert_eq!(tablet.sync_status().unwrap().pending, 1, "its work waits");
    assert_eq!(client_names(&tablet), vec!["Written before the update"]);

    // Updated, it sends what it kept.
    sync(&mut tablet).unwrap();
    sync(&mut admin).unwrap();
    assert_eq!(client_names(&admin), vec!["Written before the update"]);
}

#[test]
fn no_one_raises_the_team_format_beyond_what_the_app_writes_and_each_tablet_says_what_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut tablet = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("t"));
    sync(&mut tablet).unwrap();
    let mut t = HttpTransport::new(&server.url).unwrap();

    // Nothing above what this app writes can be raised, and nothing below the team's.
    let too_new = admin
        .raise_team_format(&mut t, komora_core::format::APP_FORMAT + 1, true)
        .unwrap_err();
    assert!(
        matches!(
            too_new,
            Error::Validation {
                field: "format",
                ..
            }
        ),
        "{too_new:?}"
    );
    let same = admin
        .raise_team_format(&mut t, admin.team_format().unwrap(), false)
        .unwrap();
    assert!(
        matches!(same, komora_core::FormatRaise::Already { .. }),
        "{same:?}"
    );

    // The fleet view says which format each tablet's app reads.
    let fleet = admin.fleet(&mut t).unwrap();
    assert!(fleet
        .devices
        .iter()
        .all(|d| d.report.as_ref().map(|r| r.format) == Some(komora_core::format::APP_FORMAT)));
}
