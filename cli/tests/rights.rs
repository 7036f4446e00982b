//! A supervisor at the office computer, with the `komora` command: reads every note of a
//! client's file, decides which leave, writes the page and the JSON for her; records her
//! objection and her correction; the command's names and `--json` shapes are a contract.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const PASS: &str = "cli test passphrase";

fn run(vault: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_komora"))
        .arg("--vault")
        .arg(vault)
        .arg("--json")
        .args(args)
        .env("KOMORA_PASSPHRASE", PASS)
        .output()
        .unwrap()
}

fn json(vault: &Path, args: &[&str]) -> Value {
    let out = run(vault, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_supervisor_reviews_and_writes_a_clients_file_and_records_her_requests() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    json(&vault, &["init"]);
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
    json(
        &vault,
        &[
            "session",
            "add",
            "--case",
            &case,
            "--modality",
            "home-visit",
            "--notes",
            "She spoke about her mother.",
            "--safety",
            "Her uncle must not know of the visits.",
        ],
    );

    let passages = json(&vault, &["client", "export", &client, "--review"]);
    let passages = passages.as_array().unwrap();
    assert_eq!(passages.len(), 2);
    let key = |field: &str| {
        passages.iter().find(|p| p["field"] == field).unwrap()["key"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let decisions = dir.path().join("decisions.json");
    std::fs::write(
        &decisions,
        serde_json::json!({ key("notes"): "release", key("safety_notes"): "withhold" }).to_string(),
    )
    .unwrap();
    let out = dir.path().join("for-diane");
    let written = json(
        &vault,
        &[
            "client",
            "export",
            &client,
            "--out",
            out.to_str().unwrap(),
            "--decisions",
            decisions.to_str().unwrap(),
            "--lang",
            "fr",
        ],
    );
    assert_eq!(
        (written["released"].as_u64(), written["withheld"].as_u64()),
        (Some(1), Some(1))
    );
    let html = std::fs::read_to_string(out.join("file.html")).unwrap();
    assert!(html.contains("She spoke about her mother.") && !html.contains("uncle"));
    assert!(html.contains("lang=\"fr\""));
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("file.json")).unwrap()).unwrap();
    assert_eq!(doc["client"]["name"], "Uwase Diane");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the directory is the supervisor's alone");
    }
    // The same directory again is refused: nothing is overwritten.
    assert_eq!(
        run(
            &vault,
            &["client", "export", &client, "--out", out.to_str().unwrap()]
        )
        .status
        .code(),
        Some(2)
    );

    let objection = json(
        &vault,
        &[
            "client",
            "request",
            &client,
            "--right",
            "objection",
            "--subject",
            "sharing",
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = run(
        &vault,
        &["referral", "add", "--client", &client, "--to", "isange"],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("objected to sharing"));
    let decided = json(
        &vault,
        &["client", "decide", &objection, "--decision", "withdrawn"],
    );
    assert_eq!(decided["stands"], false);
    let list = json(&vault, &["client", "requests", &client]);
    assert_eq!(list.as_array().unwrap().len(), 1);
}
