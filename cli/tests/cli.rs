//! The `komora` command as an administrator or a script uses it: names, `--json` shapes, exit
//! codes and one-line errors are a contract.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const PASS: &str = "cli test passphrase";

fn komora(vault: &Path, pass: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_komora"))
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env("KOMORA_PASSPHRASE", pass)
        .output()
        .unwrap()
}

fn ok(vault: &Path, args: &[&str]) -> String {
    let out = komora(vault, PASS, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(vault: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(vault, &all)).unwrap()
}

fn fails(vault: &Path, pass: &str, args: &[&str], code: i32) -> String {
    let out = komora(vault, pass, args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one clear line: {err}");
    err
}

#[test]
fn an_administrator_records_finds_edits_and_reads_the_history_of_a_client() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    ok(&vault, &["init"]);

    let id = ok(
        &vault,
        &[
            "client",
            "add",
            "--name",
            "Uwimana Grace",
            "--sex",
            "F",
            "--birth-year",
            "1992",
            "--district",
            "Gisagara",
        ],
    );
    let id = id.trim();
    assert_eq!(id.len(), 32);
    let added = json(
        &vault,
        &[
            "client",
            "add",
            "--name",
            "Habimana Eric",
            "--sex",
            "M",
            "--group",
            "ex-prisoner",
        ],
    );
    let second = added["id"].as_str().unwrap().to_owned();

    let list = json(&vault, &["client", "list"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Habimana Eric", "Uwimana Grace"]);
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"].as_str().unwrap().len() == 32));

    let shown = json(&vault, &["client", "show", id]);
    assert_eq!(shown["district"], "Gisagara");
    assert_eq!(shown["birth_year"], 1992);

    let edited = json(
        &vault,
        &[
            "client",
            "edit",
            id,
            "--name",
            "Uwimana Grace M.",
            "--phone",
            "0788 000 111",
        ],
    );
    assert_eq!(edited["name"], "Uwimana Grace M.");
    assert_eq!(edited["phone"], "0788000111");

    let history = json(&vault, &["client", "history", id, "name"]);
    let values: Vec<(&str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["value"].as_str().unwrap(), e["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        values,
        [
            ("Uwimana Grace", "replaced"),
            ("Uwimana Grace M.", "current")
        ]
    );
    assert!(
        history[0]["device"].as_str().unwrap().len() == 32
            && history[0]["at"].as_str().unwrap().ends_with('Z')
    );

    let found = json(&vault, &["client", "search", "GRACE m"]);
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["name"], "Uwimana Grace M.");

    ok(&vault, &["client", "delete", &second]);
    assert_eq!(
        json(&vault, &["client", "list"]).as_array().unwrap().len(),
        1
    );
    let human = ok(&vault, &["client", "list"]);
    assert!(
        human.contains("Uwimana Grace M.") && human.contains("1 client(s)"),
        "{human}"
    );
}

#[test]
fn every_failure_is_one_clear_line_with_a_distinct_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let err = fails(&vault, PASS, &["client", "list"], 4);
    assert!(
        err.contains("no vault") && err.contains("komora init"),
        "{err}"
    );
    ok(&vault, &["init"]);
    let err = fails(&vault, PASS, &["init"], 1);
    assert!(err.contains("already exists"), "{err}");
    let id = ok(&vault, &["client", "add", "--name", "Mukeshimana Alice"]);

    let err = fails(&vault, "not the passphrase", &["client", "list"], 3);
    assert!(err.contains("wrong passphrase"), "{err}");
    fails(
        &vault,
        PASS,
        &["client", "show", "00000000000000000000000000000000"],
        4,
    );
    fails(&vault, PASS, &["client", "show", "not-an-id"], 2);
    let err = fails(
        &vault,
        PASS,
        &["client", "add", "--name", "X", "--birth-year", "1700"],
        2,
    );
    assert!(err.contains("birth_year"), "{err}");
    let err = fails(
        &vault,
        PASS,
        &["client", "add", "--name", "X", "--district", "Narnia"],
        2,
    );
    assert!(
        err.contains("district") && !err.contains("Narnia"),
        "the value is not echoed: {err}"
    );
    fails(&vault, PASS, &["client", "edit", id.trim()], 2);
    fails(
        &vault,
        PASS,
        &["client", "history", id.trim(), "favourite_colour"],
        2,
    );

    // The refused commands saved nothing.
    assert_eq!(
        json(&vault, &["client", "list"]).as_array().unwrap().len(),
        1
    );

    // A corrupted key file is named as such.
    std::fs::write(vault.join("vault.json"), "garbage").unwrap();
    let err = fails(&vault, PASS, &["client", "list"], 5);
    assert!(err.contains("corrupted"), "{err}");
}

#[test]
fn a_counsellor_scripts_a_home_visit_a_measure_a_referral_and_the_donor_report() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    ok(&vault, &["init"]);
    let client = json(
        &vault,
        &[
            "client",
            "add",
            "--name",
            "Uwase Diane",
            "--sex",
            "F",
            "--birth-year",
            "1995",
            "--district",
            "Huye",
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let case = json(
        &vault,
        &["case", "add", "--client", &client, "--problem", "grief"],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "She spoke about her mother.").unwrap();
    let session = json(
        &vault,
        &[
            "session",
            "add",
            "--case",
            &case,
            "--modality",
            "home-visit",
            "--duration",
            "50",
            "--notes-file",
            notes.to_str().unwrap(),
            "--present",
            "her aunt",
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = json(&vault, &["session", "show", &session]);
    assert_eq!(shown["notes"], "She spoke about her mother.");
    assert_eq!(shown["household_present"][0], "her aunt");

    let scored = json(
        &vault,
        &[
            "measure",
            "add",
            "--client",
            &client,
            "--instrument",
            "phq-9",
            "--answers",
            "2,2,2,2,2,2,1,1,1",
            "--case",
            &case,
        ],
    );
    assert_eq!(scored["score"], 15);
    assert_eq!(scored["band"], "moderately_severe");
    assert_eq!(scored["raised_flags"][0], "suicide-risk");
    let err = fails(
        &vault,
        PASS,
        &[
            "measure",
            "add",
            "--client",
            &client,
            "--instrument",
            "phq-9",
            "--answers",
            "4,0,0,0,0,0,0,0,0",
        ],
        2,
    );
    assert!(err.contains("question 1"), "{err}");

    let load = json(&vault, &["caseload"]);
    assert_eq!(load[0]["risk_flags"][0], "suicide-risk");
    let queue = json(&vault, &["review", "queue"]);
    assert_eq!(queue[0]["session"], session.as_str());
    assert_eq!(queue[0]["urgent"], true);

    json(
        &vault,
        &[
            "referral",
            "add",
            "--client",
            &client,
            "--to",
            "health-centre",
            "--case",
            &case,
            "--follow-up",
            "2099-01-01",
        ],
    );
    let err = fails(
        &vault,
        PASS,
        &["case", "edit", &case, "--status", "closed"],
        2,
    );
    assert!(err.contains("close_reason"), "{err}");
    assert_eq!(
        json(&vault, &["timeline", &client])
            .as_array()
            .unwrap()
            .len(),
        4
    );

    fails(
        &vault,
        PASS,
        &[
            "consent",
            "add",
            "--client",
            &client,
            "--scope",
            "data-recording",
            "--language",
            "xx",
        ],
        2,
    );
    json(
        &vault,
        &[
            "consent",
            "add",
            "--client",
            &client,
            "--scope",
            "data-recording",
            "--language",
            "rw",
            "--withdraw",
        ],
    );
    let err = fails(
        &vault,
        PASS,
        &["session", "add", "--case", &case, "--modality", "office"],
        2,
    );
    assert!(err.contains("withdrew consent"), "{err}");

    let report = dir.path().join("report.csv");
    let written = json(&vault, &["report", "--out", report.to_str().unwrap()]);
    assert!(written["rows"].as_u64().unwrap() > 3);
    let csv = std::fs::read_to_string(&report).unwrap();
    assert!(csv.starts_with("metric,month,dimension,value,count,average\n"));
    assert!(!csv.contains("Uwase") && !csv.contains("mother"));
    assert!(csv.contains(",<5,"));
}

#[test]
fn a_policy_is_set_shown_and_refused_when_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v");
    ok(&vault, &["init"]);
    let shown = json(&vault, &["policy", "show"]);
    assert_eq!(shown["auto_lock_minutes"], Value::Null);
    let set = json(
        &vault,
        &["policy", "set", "--auto-lock", "3", "--wipe-after", "9"],
    );
    assert_eq!(set["auto_lock_minutes"], 3);
    assert_eq!(set["wipe_after_failures"], 9);
    let err = fails(&vault, PASS, &["policy", "set", "--auto-lock", "90"], 2);
    assert!(err.contains("auto_lock_minutes"), "{err}");
    let shown = json(&vault, &["policy", "show"]);
    assert_eq!(
        shown["auto_lock_minutes"], 3,
        "the refused change changed nothing"
    );
    let off = json(&vault, &["policy", "set", "--auto-lock", "off"]);
    assert_eq!(off["auto_lock_minutes"], Value::Null);
    assert_eq!(off["wipe_after_failures"], 9);
}

#[test]
fn a_client_file_is_erased_only_when_confirmed_and_the_erasure_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    ok(&vault, &["init"]);
    let id = ok(&vault, &["client", "add", "--name", "Uwase Immaculée"]);
    let id = id.trim();
    let unconfirmed = fails(
        &vault,
        PASS,
        &["client", "erase", id, "--reason", "client-request"],
        2,
    );
    assert!(unconfirmed.contains("--yes"), "{unconfirmed}");
    assert_eq!(
        json(&vault, &["client", "list"]).as_array().unwrap().len(),
        1
    );

    let erased = json(
        &vault,
        &["client", "erase", id, "--reason", "client-request", "--yes"],
    );
    assert_eq!(erased[0]["client"], id);
    assert_eq!(erased[0]["reason"], "client-request");
    assert!(json(&vault, &["client", "list"])
        .as_array()
        .unwrap()
        .is_empty());
    assert!(json(&vault, &["client", "search", "uwase"])
        .as_array()
        .unwrap()
        .is_empty());
    let listed = json(&vault, &["client", "erasures"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(
        !listed.to_string().contains("Uwase"),
        "the audit keeps no name"
    );

    // Retention: the rules in force, and nothing due in a new vault.
    let retention = json(&vault, &["retention", "due"]);
    assert_eq!(retention["rules"][0]["record"], "client-file");
    assert_eq!(retention["rules"][0]["keep_years"], 7);
    assert!(retention["due"].as_array().unwrap().is_empty());
    fails(&vault, PASS, &["retention", "apply"], 2);
    assert!(json(&vault, &["retention", "apply", "--yes"])
        .as_array()
        .unwrap()
        .is_empty());
}

/// Issue 16, finding 13: a vault on a computer has no hardware key store, so its passphrase
/// is all that protects a copy of its files: a weak one is refused, and nothing is created.
#[test]
fn a_vault_on_a_computer_needs_a_strong_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    for weak in ["123456", "12345678901234", "a passphrase", "komora komora"] {
        let err = fails(&vault, weak, &["init"], 2);
        assert!(err.contains("too easy to guess"), "{weak}: {err}");
        assert!(!vault.join("vault.json").exists(), "nothing was created");
    }
    ok(&vault, &["init"]);
}

/// Issue 16, finding 16: reports, the audit and batch files are written for this user only.
#[cfg(unix)]
#[test]
fn exported_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    ok(&vault, &["init"]);
    ok(
        &vault,
        &["client", "add", "--name", "Mukamana Odette", "--sex", "F"],
    );
    let report = dir.path().join("figures.csv");
    let audit = dir.path().join("audit.csv");
    let batch = dir.path().join("all.ops");
    ok(&vault, &["report", "--out", report.to_str().unwrap()]);
    ok(&vault, &["audit", "export", audit.to_str().unwrap()]);
    ok(&vault, &["ops", "export", "--out", batch.to_str().unwrap()]);
    for file in [&report, &audit, &batch] {
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
}

/// A `komora sync` left running (or any command) while the administrator records a client in
/// another window: two programs had the vault open and each numbered this device's next change
/// the same; the exchange by file (`ops export --for`) then skipped one of the two without a
/// word. Another program's opening now waits a moment, then is refused in one clear line with
/// exit code 9, and changes nothing; once the first has closed, everything works.
#[test]
fn a_vault_open_in_another_program_is_refused_clearly_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    ok(&vault, &["init"]);
    ok(&vault, &["client", "add", "--name", "Mukamana Odette"]);
    // Another program (this test's process) has the vault open and records a client.
    let mut open =
        komora_core::Vault::open(&vault, PASS, komora_core::VaultOptions::default()).unwrap();
    open.add_client(&komora_core::NewClient {
        name: "Habimana Eric".into(),
        ..Default::default()
    })
    .unwrap();
    let err = fails(
        &vault,
        PASS,
        &["client", "add", "--name", "Uwase Immaculée"],
        9,
    );
    assert!(err.contains("open in another program"), "{err}");
    // A wrong passphrase meanwhile is refused the same way, and not counted.
    fails(
        &vault,
        "a wrong passphrase entirely",
        &["client", "list"],
        9,
    );
    open.lock();

    ok(&vault, &["client", "add", "--name", "Uwase Immaculée"]);
    let listed = json(&vault, &["client", "list"]);
    let mut names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["Habimana Eric", "Mukamana Odette", "Uwase Immaculée"]
    );
}

/// The vault is open in this process, and something else in the same process opens it and
/// lets go again (the app re-opening a vault before the old handle is collected, or trying a
/// passphrase). A POSIX record lock is the process's, and closing any descriptor of the file
/// lets it go: another program could then open the vault while the first handle still
/// writes. The first handle keeps the vault held until it, too, lets go.
#[test]
fn a_second_opening_in_the_same_program_does_not_let_the_vault_go() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    ok(&vault, &["init"]);
    let open =
        komora_core::Vault::open(&vault, PASS, komora_core::VaultOptions::default()).unwrap();
    let again =
        komora_core::Vault::open(&vault, PASS, komora_core::VaultOptions::default()).unwrap();
    again.lock();
    let err = fails(
        &vault,
        PASS,
        &["client", "add", "--name", "Uwase Immaculée"],
        9,
    );
    assert!(err.contains("open in another program"), "{err}");
    open.lock();
    ok(&vault, &["client", "add", "--name", "Uwase Immaculée"]);
}
