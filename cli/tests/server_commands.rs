//! An administrator sets up AMI on a fresh sync server with the `komora` command, enrols a
//! counsellor's tablet, both sync, and a lost tablet is revoked: the names, flags and `--json`
//! shapes that scripts rely on.

use std::path::Path;
use std::process::{Command, Output};

use komora_scenarios::server::TestServer;
use serde_json::Value;

fn komora(vault: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_komora"))
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env("KOMORA_PASSPHRASE", "ikawa field notes 2026")
        .output()
        .unwrap()
}

fn json(vault: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = komora(vault, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// AMI's first administrator founds the Huye team on `server` from the command line.
fn bootstrap_huye(admin: &Path, server: &TestServer) -> Value {
    let code = server.bootstrap_code.clone().unwrap();
    json(
        admin,
        &[
            "admin",
            "bootstrap",
            "--server",
            &server.url,
            "--code",
            &code,
            "--org",
            "AMI",
            "--team",
            "Huye",
        ],
    )
}

/// The names the command line lists in `vault`, in its order.
fn client_names(vault: &Path) -> Vec<String> {
    json(vault, &["client", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

/// A table printed for people, as its rows of cells (columns are two or more spaces apart).
fn cells(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            line.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

#[test]
fn bootstrap_invite_enrol_sync_status_list_and_revoke_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let (admin, tablet) = (dir.path().join("admin"), dir.path().join("tablet"));

    let joined = bootstrap_huye(&admin, &server);
    assert_eq!(joined["role"], "admin");

    let invite = json(
        &admin,
        &["device", "invite", "--role", "counsellor", "--team", "Huye"],
    );
    let enrolment_code = invite["code"].as_str().unwrap().to_owned();
    // The QR code's text names this server and this code, so one scan fills both on the tablet.
    let link = komora_protocol::code::parse_enrolment_link(invite["link"].as_str().unwrap())
        .expect("the invitation's link parses");
    assert_eq!(link.server, server.url);
    assert_eq!(
        Some(link.code),
        komora_protocol::code::normalise(&enrolment_code)
    );
    let shown = komora(&admin, &["device", "invite", "--role", "counsellor"]);
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains("Enrolment code for a counsellor: "),
        "{shown}"
    );
    assert!(
        shown
            .lines()
            .filter(|l| l.contains('█') || l.contains('▀'))
            .count()
            >= 10,
        "a QR code is drawn for the tablet to scan"
    );
    let wrong_team = komora(
        &admin,
        &[
            "device",
            "invite",
            "--role",
            "counsellor",
            "--team",
            "Nyanza",
        ],
    );
    assert_eq!(wrong_team.status.code(), Some(2));

    let joined = json(
        &tablet,
        &["enroll", "--server", &server.url, "--code", &enrolment_code],
    );
    assert_eq!(
        (joined["role"].as_str(), joined["team"].as_str()),
        (Some("counsellor"), Some("Huye"))
    );

    let added = json(
        &tablet,
        &[
            "client",
            "add",
            "--name",
            "Uwimana Grace",
            "--district",
            "Huye",
        ],
    );
    let status = json(&tablet, &["status"]);
    // A new client is two operations at team format 5: her file's keys, then her fields.
    assert_eq!(status["pending"], 2);
    assert!(status["last_sync"].is_null());
    assert_eq!(status["role"], "counsellor");
    assert_eq!(status["device_id"].as_str().unwrap().len(), 32);

    let synced = json(&tablet, &["sync"]);
    assert_eq!(synced["sent"], 2);
    let status = json(&tablet, &["status"]);
    assert_eq!(status["pending"], 0);
    assert!(status["last_sync"].as_str().unwrap().ends_with('Z'));

    let synced = json(&admin, &["sync"]);
    assert_eq!(synced["received"], 2);
    // Read by a script without --json (stderr not a terminal): the result, and no progress
    // line rewriting itself.
    let plain = komora(&admin, &["sync"]);
    assert!(plain.status.success());
    let said = String::from_utf8_lossy(&plain.stdout);
    assert!(said.starts_with("Synced: sent 0 change(s)"), "{said}");
    let noise = String::from_utf8_lossy(&plain.stderr);
    assert!(
        !noise.contains('\r') && !noise.contains('\u{1b}'),
        "{noise:?}"
    );
    let list = json(&admin, &["client", "list"]);
    assert_eq!(list[0]["id"], added["id"]);

    let devices = json(&admin, &["device", "list"]);
    let devices = devices.as_array().unwrap();
    assert_eq!(devices.len(), 2);
    let tablet_id = status["device_id"].as_str().unwrap().to_owned();
    let row = devices
        .iter()
        .find(|d| d["id"] == tablet_id.as_str())
        .unwrap();
    assert_eq!(
        (row["role"].as_str(), row["revoked"].as_bool()),
        (Some("counsellor"), Some(false))
    );
    // The fleet view says which team format each tablet's app reads; a new team is at this
    // app's, and nothing above it can be raised.
    assert_eq!(row["format"], komora_core::format::APP_FORMAT);
    // The same fleet for a person: a table, one tablet a row under the columns' titles.
    let human = komora(&admin, &["device", "list"]);
    let table = cells(&String::from_utf8_lossy(&human.stdout));
    assert_eq!(
        table[0],
        [
            "ID",
            "ROLE",
            "STATE",
            "APP",
            "FORMAT",
            "LAST SYNC",
            "WAITING",
            "NOT READ",
            "LAST SEEN"
        ]
    );
    let format = komora_core::format::APP_FORMAT.to_string();
    let tablet_row = table.iter().find(|r| r[0] == tablet_id).unwrap();
    assert_eq!(
        tablet_row[1..9],
        [
            "counsellor",
            "active",
            row["app_version"].as_str().unwrap(),
            &format,
            row["last_sync"].as_str().unwrap(),
            "0",
            "0",
            row["last_seen"].as_str().unwrap(),
        ]
    );
    let admin_row = table
        .iter()
        .find(|r| r[0] != tablet_id && r[0] != "ID")
        .unwrap();
    assert_eq!(admin_row.last().unwrap(), "(this device)");
    assert_eq!(
        table.last().unwrap()[0],
        "server backups: NONE scheduled (start the server with --backup-every)"
    );
    let format = json(&admin, &["admin", "format"]);
    assert_eq!(format["team_format"], komora_core::format::APP_FORMAT);
    assert_eq!(format["cannot_read_next"].as_array().map(Vec::len), Some(2));
    let too_far = komora(&admin, &["admin", "format", "--raise", "99"]);
    assert_eq!(too_far.status.code(), Some(2), "{too_far:?}");

    // The tablet is lost: revoke it. Its next sync fails with a message that says so.
    json(&admin, &["device", "revoke", &tablet_id]);
    let devices = json(&admin, &["device", "list"]);
    assert!(devices
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["id"] == tablet_id.as_str() && d["revoked"] == true));
    let refused = komora(&tablet, &["sync"]);
    assert_eq!(refused.status.code(), Some(6));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("revoked") && err.contains("erased"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&tablet)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        left.is_empty(),
        "the revoked tablet's vault is gone: {left:?}"
    );
    assert_eq!(
        komora(&tablet, &["client", "list"]).status.code(),
        Some(4),
        "nothing left to open"
    );

    // A used code is refused with a clear line.
    let again = komora(
        &dir.path().join("other"),
        &["enroll", "--server", &server.url, "--code", &enrolment_code],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("code"));
}

#[test]
fn two_tablets_of_a_team_exchange_a_day_of_work_by_file_without_a_network() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let (admin, tablet) = (dir.path().join("admin"), dir.path().join("tablet"));
    bootstrap_huye(&admin, &server);
    let invite = json(&admin, &["device", "invite", "--role", "counsellor"]);
    json(
        &tablet,
        &[
            "enroll",
            "--server",
            &server.url,
            "--code",
            invite["code"].as_str().unwrap(),
        ],
    );
    drop(server); // from here on, no network

    json(
        &tablet,
        &[
            "client",
            "add",
            "--name",
            "Nyirahabimana Claire",
            "--district",
            "Nyanza",
        ],
    );
    json(
        &tablet,
        &[
            "client",
            "add",
            "--name",
            "Bizimana Paul",
            "--district",
            "Nyanza",
        ],
    );
    let summary = dir.path().join("admin.summary");
    let batch = dir.path().join("tablet-to-admin.ops");
    json(
        &admin,
        &["ops", "summary", "--out", summary.to_str().unwrap()],
    );
    let exported = json(
        &tablet,
        &[
            "ops",
            "export",
            "--out",
            batch.to_str().unwrap(),
            "--for",
            summary.to_str().unwrap(),
        ],
    );
    // Two new clients, two operations each (keys, then fields: team format 5).
    assert_eq!(exported["operations"], 4);
    let bytes = std::fs::read(&batch).unwrap();
    assert!(
        !bytes.windows(8).any(|w| w == b"Bizimana"),
        "the file holds ciphertext only"
    );

    let imported = json(&admin, &["ops", "import", batch.to_str().unwrap()]);
    assert_eq!(
        (
            imported["applied"].as_u64(),
            imported["duplicates"].as_u64()
        ),
        (Some(4), Some(0))
    );
    let again = json(&admin, &["ops", "import", batch.to_str().unwrap()]);
    assert_eq!(
        (again["applied"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(4))
    );
    assert_eq!(
        client_names(&admin),
        ["Bizimana Paul", "Nyirahabimana Claire"]
    );

    // A damaged file is refused whole; an existing file is never overwritten.
    std::fs::write(&batch, b"KMRAOPS1 not really").unwrap();
    assert_eq!(
        komora(&admin, &["ops", "import", batch.to_str().unwrap()])
            .status
            .code(),
        Some(5)
    );
    assert_eq!(
        komora(
            &tablet,
            &["ops", "export", "--out", batch.to_str().unwrap()]
        )
        .status
        .code(),
        Some(2)
    );
}

/// The administrator makes a team for Nyanza and moves a case there from the command line; a
/// data officer's tablet joins Huye and writes the donors' report, and records nothing.
#[test]
fn team_create_list_case_transfer_and_a_data_officer_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let admin = dir.path().join("admin");
    bootstrap_huye(&admin, &server);
    let nyanza = json(&admin, &["team", "create", "Nyanza"]);
    assert_eq!(
        (nyanza["team"].as_str(), nyanza["role"].as_str()),
        (Some("Nyanza"), Some("admin"))
    );
    let nyanza_vault = admin.join("teams").join("nyanza");
    assert_eq!(nyanza["vault"].as_str(), nyanza_vault.to_str());
    let teams: Vec<String> = json(&admin, &["team", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["team"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(teams, ["Huye", "Nyanza"]);
    // Inviting to the new team from the first one's folder: that team's vault invites.
    let invite = json(
        &admin,
        &[
            "device",
            "invite",
            "--role",
            "counsellor",
            "--team",
            "Nyanza",
        ],
    );
    let jean = dir.path().join("jean");
    let joined = json(
        &jean,
        &[
            "enroll",
            "--server",
            &server.url,
            "--code",
            invite["code"].as_str().unwrap(),
        ],
    );
    assert_eq!(
        (joined["team"].as_str(), joined["role"].as_str()),
        (Some("Nyanza"), Some("counsellor"))
    );
    let elsewhere = komora(
        &admin,
        &[
            "device",
            "invite",
            "--role",
            "counsellor",
            "--team",
            "Rusizi",
        ],
    );
    assert_eq!(elsewhere.status.code(), Some(2));

    let client = json(
        &admin,
        &[
            "client",
            "add",
            "--name",
            "Mukandori Immaculée",
            "--district",
            "Huye",
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let case = json(
        &admin,
        &["case", "add", "--client", &client, "--problem", "trauma"],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let unconfirmed = komora(&admin, &["case", "transfer", &case, "--team", "Nyanza"]);
    assert_eq!(unconfirmed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unconfirmed.stderr).contains("--yes"));
    let nowhere = komora(
        &admin,
        &["case", "transfer", &case, "--team", "Rusizi", "--yes"],
    );
    assert_eq!(nowhere.status.code(), Some(2));
    let moved = json(
        &admin,
        &["case", "transfer", &case, "--team", "Nyanza", "--yes"],
    );
    assert_eq!(moved["clients"].as_array().unwrap().len(), 1);
    assert_eq!(moved["erasure_sent"], true);
    assert_eq!(client_names(&nyanza_vault), ["Mukandori Immaculée"]);
    assert!(client_names(&admin).is_empty());
    json(&jean, &["sync"]);
    assert_eq!(
        client_names(&jean),
        ["Mukandori Immaculée"],
        "the Nyanza counsellor has the file"
    );

    // A data officer joins Huye.
    let invite = json(&admin, &["device", "invite", "--role", "data_officer"]);
    let officer = dir.path().join("officer");
    let joined = json(
        &officer,
        &[
            "enroll",
            "--server",
            &server.url,
            "--code",
            invite["code"].as_str().unwrap(),
        ],
    );
    assert_eq!(joined["role"], "data_officer");
    json(
        &admin,
        &[
            "client",
            "add",
            "--name",
            "Uwase Diane",
            "--district",
            "Huye",
        ],
    );
    json(&admin, &["sync"]);
    json(&officer, &["sync"]);
    let report = dir.path().join("report.csv");
    let out = komora(&officer, &["report", "--out", report.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(client_names(&officer).iter().all(String::is_empty));
    let refused = komora(&officer, &["client", "add", "--name", "Someone"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("data officer"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

/// Claudine hands Jean a file of the day's work her tablet never synced, then her tablet is
/// lost and revoked: the team received nothing of that day, so the revocation's cutoff is
/// below it and every tablet refuses it. Jean's next sync takes it back out, and the command
/// line says it was a revoked tablet's work, not tampering (exit 0: his sync succeeded).
#[test]
fn a_lost_tablets_unsynced_work_handed_over_by_file_is_refused_and_the_command_line_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server"));
    let admin = dir.path().join("admin");
    let (claudine, jean) = (dir.path().join("claudine"), dir.path().join("jean"));
    bootstrap_huye(&admin, &server);
    for tablet in [&claudine, &jean] {
        let invite = json(&admin, &["device", "invite", "--role", "counsellor"]);
        let code = invite["code"].as_str().unwrap();
        json(tablet, &["enroll", "--server", &server.url, "--code", code]);
    }
    let add = |tablet: &Path, name: &str| {
        json(
            tablet,
            &["client", "add", "--name", name, "--district", "Huye"],
        );
    };
    add(&claudine, "Uwimana Grace");
    json(&claudine, &["sync"]);
    // The day's work that never reaches the server: handed to Jean by file.
    add(&claudine, "Bizimana Paul");
    let (summary, batch) = (dir.path().join("jean.summary"), dir.path().join("day.ops"));
    json(
        &jean,
        &["ops", "summary", "--out", summary.to_str().unwrap()],
    );
    json(
        &claudine,
        &[
            "ops",
            "export",
            "--out",
            batch.to_str().unwrap(),
            "--for",
            summary.to_str().unwrap(),
        ],
    );
    json(&jean, &["ops", "import", batch.to_str().unwrap()]);
    assert_eq!(client_names(&jean), ["Bizimana Paul", "Uwimana Grace"]);

    let lost = json(&claudine, &["status"])["device_id"]
        .as_str()
        .unwrap()
        .to_owned();
    json(&admin, &["device", "revoke", &lost]);

    let synced = komora(&jean, &["--json", "sync"]);
    assert!(synced.status.success(), "{synced:?}");
    let err = String::from_utf8_lossy(&synced.stderr);
    assert!(
        err.contains("2 change(s) of a revoked tablet, numbered after its cutoff, were refused"),
        "the new client's keys and fields: {err}"
    );
    assert!(!err.contains("tampered"), "{err}");
    let report: Value = serde_json::from_slice(&synced.stdout).unwrap();
    assert_eq!(report["rejected"], 2);
    assert_eq!(
        client_names(&jean),
        ["Uwimana Grace"],
        "the day's work is refused on his tablet too"
    );
}

/// A tablet past its quota of stored bytes on the server (ADR 0027): the command line says so
/// in a plain sentence, exits as for any refusal of the server, and the work waits.
#[test]
fn a_tablet_past_its_quota_is_told_in_plain_words_and_its_work_waits() {
    let dir = tempfile::tempdir().unwrap();
    let limits = komora_sync_server::Limits {
        quotas: komora_sync_server::Quotas {
            device_bytes: 1,
            ..Default::default()
        },
        ..komora_scenarios::server::test_limits()
    };
    let server = TestServer::start_at(
        &komora_scenarios::server::Backend::Sqlite,
        &dir.path().join("server"),
        "127.0.0.1:0".parse().unwrap(),
        limits,
    );
    let admin = dir.path().join("admin");
    bootstrap_huye(&admin, &server);
    json(
        &admin,
        &[
            "client",
            "add",
            "--name",
            "Uwimana Grace",
            "--district",
            "Huye",
        ],
    );
    let refused = komora(&admin, &["sync"]);
    assert_eq!(
        refused.status.code(),
        Some(7),
        "as for any refusal of the server"
    );
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains(
            "komora: the server refused: this tablet has sent more than the server keeps for \
             one device: nothing was lost, its work waits on the tablet; ask your administrator"
        ),
        "{said}"
    );
    let status = json(&admin, &["status"]);
    assert!(status["pending"].as_u64().unwrap() > 0, "{status}");
}
