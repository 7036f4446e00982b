//! What a person reads in a terminal: the tables of `komora client list` and `komora client
//! history`, line for line (ids and times, which change from run to run, taken from the same
//! command's `--json`). Scripts should read `--json`; these lines are for people, and a change
//! to them is a change people see, so it shows here.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const PASS: &str = "tables test passphrase";

fn ok(vault: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_komora"))
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env("KOMORA_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(vault: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(vault, &all)).unwrap()
}

fn add(vault: &Path, name: &str, sex: &str, born: &str, district: &str) -> String {
    let added = json(
        vault,
        &[
            "client",
            "add",
            "--name",
            name,
            "--sex",
            sex,
            "--birth-year",
            born,
            "--district",
            district,
        ],
    );
    added["id"].as_str().unwrap().to_owned()
}

/// Each column is as wide as its widest cell by display width, two spaces apart, none after
/// the last: a name longer than 28 letters (which pushed the old fixed columns out of line)
/// and one with accents line up with the rest.
#[test]
fn the_client_list_is_a_table_with_a_title_over_each_column() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    ok(&vault, &["init"]);
    let grace = add(&vault, "Uwimana Grace", "F", "1992", "Gisagara");
    let eric = add(&vault, "Habimana Eric", "M", "1985", "Huye");
    let marie = add(
        &vault,
        "Nyirahabimana Marie-Claire Uwamahoro",
        "F",
        "1979",
        "Nyaruguru",
    );
    let emilienne = add(&vault, "Émilienne Mukamana", "F", "2001", "Nyanza");
    let listed: Vec<String> = json(&vault, &["client", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    let row = |id: &String| match id {
        id if *id == grace => {
            format!("{grace}  Uwimana Grace                         F    1992  Gisagara")
        }
        id if *id == eric => {
            format!("{eric}  Habimana Eric                         M    1985  Huye")
        }
        id if *id == marie => {
            format!("{marie}  Nyirahabimana Marie-Claire Uwamahoro  F    1979  Nyaruguru")
        }
        _ => format!("{emilienne}  Émilienne Mukamana                    F    2001  Nyanza"),
    };
    let mut expected = vec![
        "ID                                NAME                                  SEX  BORN  DISTRICT"
            .to_owned(),
    ];
    expected.extend(listed.iter().map(row));
    expected.push("4 client(s)".to_owned());
    assert_eq!(
        ok(&vault, &["client", "list"]).lines().collect::<Vec<_>>(),
        expected
    );
}

/// One line per value the field held, oldest first: when, its standing, the change, the
/// value and the device, each in its column.
#[test]
fn a_fields_history_is_a_table_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    ok(&vault, &["init"]);
    let id = add(&vault, "Uwimana Grace", "F", "1992", "Gisagara");
    ok(
        &vault,
        &["client", "edit", &id, "--name", "Uwimana Grace M."],
    );
    let history = json(&vault, &["client", "history", &id, "name"]);
    let entries = history.as_array().unwrap();
    let at = |i: usize| entries[i]["at"].as_str().unwrap().to_owned();
    let device = &entries[0]["device"].as_str().unwrap()[..8];
    let expected = [
        format!(
            "{}  replaced  set  \"Uwimana Grace\"     (device {device})",
            at(0)
        ),
        format!(
            "{}  current   set  \"Uwimana Grace M.\"  (device {device})",
            at(1)
        ),
    ];
    assert_eq!(
        ok(&vault, &["client", "history", &id, "name"])
            .lines()
            .collect::<Vec<_>>(),
        expected
    );
}
