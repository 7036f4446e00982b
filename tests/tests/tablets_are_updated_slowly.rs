//! Tablets are updated slowly in the field (issue 17, item 4): an NGO updates its server when
//! it can and its tablets when a counsellor next comes to the office, so for weeks a server
//! one protocol ahead serves tablets one behind. Those keep working with it and nothing they
//! hold is lost; a tablet too old for the server is told, in words, to update the app, and
//! sends what it holds once it is; what a tablet cannot read (a record format its app does not
//! know) never reaches it.

use std::path::Path;
use std::time::Duration;

use komora_core::{
    ConsentGiver, Error, FormatRaise, HttpTransport, NewClient, NewRightsRequest, RecordId, Right,
    Role, Vault, VaultOptions,
};
use komora_scenarios::record_client as client;
use komora_scenarios::server::TestServer;
use komora_scenarios::{
    bootstrap_admin, bootstrap_admin_with, client_names, enrol, fast_options, quick_retries, sync,
};

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
    // A new client is two operations (her keys, then her fields: team format 5).
    assert_eq!(sent.sent_ops, 2, "its work went");
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
        after.sent_ops, 2,
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

/// A tablet on the app of protocol 2 (numbers with each push, no kept token, no priority
/// classes) pushes and pulls through a server of protocol 3 as before.
#[test]
fn a_tablet_one_protocol_behind_pushes_and_pulls_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    let mut updated = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("a"));
    let mut behind = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("b"));
    client(&mut behind, "Written on the app of protocol 2");
    let sent = sync_speaking(&mut behind, 2).unwrap();
    assert_eq!(
        sent.sent_ops, 2,
        "its push was read (a new client's two operations)"
    );
    client(&mut updated, "Written on the new app");
    sync(&mut updated).unwrap();
    sync_speaking(&mut behind, 2).unwrap();
    let both = vec![
        "Written on the app of protocol 2".to_owned(),
        "Written on the new app".to_owned(),
    ];
    assert_eq!(sorted(client_names(&behind)), both);
    assert_eq!(sorted(client_names(&updated)), both);
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
    assert_eq!(
        tablet.sync_status().unwrap().pending,
        2,
        "its work waits (a new client's keys and fields)"
    );
    assert_eq!(client_names(&tablet), vec!["Written before the update"]);

    // Updated, it sends what it kept.
    sync(&mut tablet).unwrap();
    sync(&mut admin).unwrap();
    assert_eq!(client_names(&admin), vec!["Written before the update"]);
}

/// Vault options for an app that reads formats up to `format` only (not yet updated).
fn app_of_format(format: u32) -> VaultOptions {
    VaultOptions {
        app_format: format,
        ..fast_options()
    }
}

/// The same vault, opened by an app updated to this build.
fn updated(dir: &Path, passphrase: &str) -> Vault {
    Vault::open(dir, passphrase, fast_options()).unwrap()
}

fn objection(v: &mut Vault, client: RecordId) -> komora_core::Result<RecordId> {
    v.add_rights_request(&NewRightsRequest {
        client,
        right: Right::Objection,
        subject: "statistics".into(),
        asked_by: ConsentGiver::Client,
        request: None,
        date: None,
    })
}

#[test]
fn a_team_from_before_writes_a_new_kind_of_record_only_once_every_tablet_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let url = server.url.clone();
    let mut t = HttpTransport::new(&url).unwrap();
    // A team made by the previous app: no format statement, the first format.
    let admin_dir = dir.path().join("admin");
    let mut admin = bootstrap_admin_with(&server, &admin_dir, app_of_format(1));
    assert_eq!(admin.team_format().unwrap(), 1);
    let invite = |admin: &mut Vault, role| {
        admin
            .invite(
                &mut HttpTransport::new(&url).unwrap(),
                role,
                Duration::from_secs(3600),
            )
            .unwrap()
            .code
    };
    let code = invite(&mut admin, Role::Counsellor);
    let old_dir = dir.path().join("old");
    let mut old = Vault::enroll(
        &old_dir,
        "tablet passphrase",
        &mut t,
        &url,
        &code,
        app_of_format(1),
    )
    .unwrap();
    let mut new = enrol(
        &server,
        &mut admin,
        Role::Counsellor,
        &dir.path().join("new"),
    );
    for v in [&mut admin, &mut old, &mut new] {
        sync(v).unwrap();
    }

    // The updated tablet may not yet write what the old one cannot read: refused, nothing
    // written, and the message says what to do.
    let client = new
        .add_client(&NewClient {
            name: "Mukamana".into(),
            ..Default::default()
        })
        .unwrap();
    let refused = objection(&mut new, client).unwrap_err();
    assert!(
        matches!(&refused, Error::Forbidden(why) if why.contains("administrator raises")),
        "{refused:?}"
    );
    assert_eq!(
        new.sync_status().unwrap().pending,
        1,
        "only the client waits"
    );

    // The administrator's app is updated; raising is refused while a tablet cannot read it,
    // and names that tablet.
    drop(admin);
    let mut admin = updated(&admin_dir, "admin passphrase");
    sync(&mut admin).unwrap();
    match admin.raise_team_format(&mut t, 2, false).unwrap() {
        FormatRaise::NotReady { devices } => {
            assert_eq!(
                devices.iter().map(|d| d.id).collect::<Vec<_>>(),
                [old.device_id()]
            );
            assert_eq!(devices[0].report.as_ref().unwrap().format, 1);
        }
        other => panic!("raised with a tablet that cannot read it: {other:?}"),
    }
    assert_eq!(admin.team_format().unwrap(), 1);

    // Once that tablet runs the new app too, the format goes up, and the new kind travels.
    drop(old);
    let mut old = updated(&old_dir, "tablet passphrase");
    sync(&mut old).unwrap();
    assert_eq!(
        admin.raise_team_format(&mut t, 2, false).unwrap(),
        FormatRaise::Raised { version: 2 }
    );
    sync(&mut new).unwrap();
    assert_eq!(new.team_format().unwrap(), 2);
    let request = objection(&mut new, client).unwrap();
    sync(&mut new).unwrap();
    sync(&mut old).unwrap();
    assert!(
        old.rights_request(request).is_ok(),
        "the updated tablet reads it"
    );
}

#[test]
fn a_tablet_older_than_its_teams_format_sends_its_work_and_reads_nothing_it_cannot_open() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let url = server.url.clone();
    // A team made by this app starts at its format.
    let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
    assert_eq!(
        admin.team_format().unwrap(),
        komora_core::format::APP_FORMAT
    );
    // A counsellor's tablet came with the previous app (the administrator forced the format,
    // or the tablet was never updated).
    let code = admin
        .invite(
            &mut HttpTransport::new(&url).unwrap(),
            Role::Counsellor,
            Duration::from_secs(3600),
        )
        .unwrap()
        .code;
    let old_dir = dir.path().join("old");
    let mut old = Vault::enroll(
        &old_dir,
        "tablet passphrase",
        &mut HttpTransport::new(&url).unwrap(),
        &url,
        &code,
        app_of_format(1),
    )
    .unwrap();
    let written_by_old = old
        .add_client(&NewClient {
            name: "Written on the old app".into(),
            ..Default::default()
        })
        .unwrap();
    let client = admin
        .add_client(&NewClient {
            name: "Written on the new app".into(),
            ..Default::default()
        })
        .unwrap();
    let request = objection(&mut admin, client).unwrap();
    sync(&mut admin).unwrap();

    // Its sync sends what it holds, reads nothing, and says to update the app.
    let refused = sync(&mut old).unwrap_err();
    assert!(matches!(refused, Error::UpdateRequired), "{refused:?}");
    assert_eq!(
        old.sync_status().unwrap().pending,
        0,
        "its work was sent first"
    );
    assert_eq!(client_names(&old), ["Written on the old app"]);
    sync(&mut admin).unwrap();
    assert!(
        admin.client(written_by_old).is_ok(),
        "the team has its work"
    );

    // Updated, it reads everything.
    drop(old);
    let mut old = updated(&old_dir, "tablet passphrase");
    sync(&mut old).unwrap();
    assert!(old.rights_request(request).is_ok());
    assert_eq!(
        sorted(client_names(&old)),
        ["Written on the new app", "Written on the old app"]
    );
}

/// A team whose tablets read format 3 keeps its cut-off choices in the one map those apps read;
/// once every tablet reads format 4 and the administrator raises it, the choice made before
/// still stands, and two administrators choosing offline for two instruments both keep theirs
/// (each instrument's choice a field of its own).
#[test]
fn cut_off_choices_made_before_the_raise_stand_and_two_made_offline_after_it_both_stand() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let url = server.url.clone();
    let mut t = HttpTransport::new(&url).unwrap();
    let admin_dir = dir.path().join("admin");
    let mut admin = bootstrap_admin_with(&server, &admin_dir, app_of_format(3));
    assert_eq!(admin.team_format().unwrap(), 3);
    admin
        .choose_cutoff_set("srq-20", "srq-20:scholte-2011-rwanda")
        .unwrap();
    sync(&mut admin).unwrap();
    let mut second = enrol(&server, &mut admin, Role::Admin, &dir.path().join("second"));
    sync(&mut second).unwrap();
    assert_eq!(
        second.cutoff_set_in_use("srq-20").unwrap().id,
        "srq-20:scholte-2011-rwanda"
    );

    // Every app updated; the format goes up.
    drop(admin);
    let mut admin = updated(&admin_dir, "admin passphrase");
    sync(&mut admin).unwrap();
    assert_eq!(
        admin.raise_team_format(&mut t, 4, false).unwrap(),
        FormatRaise::Raised { version: 4 }
    );
    sync(&mut second).unwrap();

    // Offline, each chooses for another instrument; then both sync.
    admin
        .choose_cutoff_set("phq-9", "phq-9:sebera-2020-epilepsy")
        .unwrap();
    second
        .choose_cutoff_set("pcl-5", "pcl-5:niyonsenga-2021-students")
        .unwrap();
    for _ in 0..2 {
        sync(&mut admin).unwrap();
        sync(&mut second).unwrap();
    }
    for v in [&admin, &second] {
        let choices = v.cutoff_choices().unwrap();
        assert_eq!(
            choices.get("srq-20").map(String::as_str),
            Some("srq-20:scholte-2011-rwanda"),
            "the choice made before the raise: {choices:?}"
        );
        assert_eq!(
            choices.get("phq-9").map(String::as_str),
            Some("phq-9:sebera-2020-epilepsy"),
            "{choices:?}"
        );
        assert_eq!(
            choices.get("pcl-5").map(String::as_str),
            Some("pcl-5:niyonsenga-2021-students"),
            "{choices:?}"
        );
    }
}

/// Format 5 writes a new client as two operations (her keys, then her fields: ADR 0022), which
/// an app of format 4 refuses. In a team at format 4 an updated tablet writes her as one, which
/// the old app reads; once every tablet is updated and the format raised, new clients are two
/// operations, and a client recorded before (her keys and fields in one) is still edited and
/// read everywhere.
#[test]
fn a_team_at_format_four_gets_one_operation_per_new_client_until_it_is_raised_to_five() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let mut t = HttpTransport::new(&server.url).unwrap();
    let admin_dir = dir.path().join("admin");
    let mut admin = bootstrap_admin_with(&server, &admin_dir, app_of_format(4));
    let mut claudine = enrol(&server, &mut admin, Role::Counsellor, &dir.path().join("c"));
    sync(&mut claudine).unwrap();
    let written = |v: &mut Vault, name: &str| {
        let before = v.summary().unwrap();
        client(v, name);
        v.ops_missing_from(&before).unwrap().len()
    };

    assert_eq!(written(&mut claudine, "Before the raise"), 1);
    sync(&mut claudine).unwrap();
    sync(&mut admin).unwrap();
    assert_eq!(
        client_names(&admin),
        ["Before the raise"],
        "the old app reads her"
    );

    // The administrator's app is updated; every tablet reads format 5: it is raised.
    drop(admin);
    let mut admin = updated(&admin_dir, "admin passphrase");
    sync(&mut admin).unwrap();
    assert_eq!(
        admin.raise_team_format(&mut t, 5, false).unwrap(),
        FormatRaise::Raised { version: 5 }
    );
    sync(&mut claudine).unwrap();
    assert_eq!(written(&mut claudine, "After the raise"), 2);
    let before = claudine.clients().unwrap().items;
    let old = before
        .iter()
        .find(|c| c.name == "Before the raise")
        .unwrap();
    claudine
        .edit_client(
            old.id,
            &komora_core::ClientEdit {
                phone: Some(Some("0788123456".into())),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&mut claudine).unwrap();
    sync(&mut admin).unwrap();
    assert_eq!(
        sorted(client_names(&admin)),
        ["After the raise", "Before the raise"]
    );
    assert_eq!(
        admin.client(old.id).unwrap().phone.as_deref(),
        Some("0788123456")
    );
}
