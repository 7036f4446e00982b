//! The `komora-sync-server` binary as an operator runs it: one command on an empty folder,
//! a bootstrap code printed once on a line of its own, a backup taken while it serves.

mod server_process;

use std::process::Command;

use server_process::start;

#[test]
fn a_fresh_server_prints_one_bootstrap_code_serves_health_and_backs_up_while_serving() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Plain HTTP on loopback: what is tested here is not TLS (see `tls_in_the_field.rs`).
    let server = start(&[
        "--data",
        data.to_str().unwrap(),
        "--plain-http",
        "--metrics-token",
        "scrape me",
    ]);
    let url = server.url.clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let codes: Vec<&String> = server
        .lines
        .iter()
        .filter(|l| l.starts_with("bootstrap code: "))
        .collect();
    assert_eq!(codes.len(), 1, "{:?}", server.lines);
    let code = codes[0].trim_start_matches("bootstrap code: ").to_owned();
    assert!(komora_protocol::code::normalise(&code).is_some(), "{code}");

    let health: serde_json::Value = reqwest::blocking::get(format!("{url}/health"))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        (health["status"].as_str(), health["bootstrapped"].as_bool()),
        (Some("ok"), Some(false))
    );
    // The metrics ask for their token (issue 16, finding 15): counts of requests say when a
    // team works, and are not for whoever finds the server.
    let metrics = |token: Option<&str>| {
        let mut req = reqwest::blocking::Client::new().get(format!("{url}/metrics"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().unwrap()
    };
    assert_eq!(metrics(None).status().as_u16(), 401);
    assert_eq!(metrics(Some("guess")).status().as_u16(), 401);
    let text = metrics(Some("scrape me")).text().unwrap();
    assert!(text.contains("komora_ops_stored_total 0"), "{text}");

    let backup = dir.path().join("backup.db");
    let out = Command::new(env!("CARGO_BIN_EXE_komora-sync-server"))
        .args([
            "--data",
            data.to_str().unwrap(),
            "backup",
            "--out",
            backup.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copy = rusqlite::Connection::open(&backup).unwrap();
    let tables: i64 = copy
        .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('ops', 'devices', 'invites')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 3);
    let again = Command::new(env!("CARGO_BIN_EXE_komora-sync-server"))
        .args([
            "--data",
            data.to_str().unwrap(),
            "backup",
            "--out",
            backup.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        !again.status.success(),
        "an existing backup is never overwritten"
    );
    drop(server);

    // Until it is used, each start replaces the code: the old one stops working.
    let second = start(&["--data", data.to_str().unwrap(), "--plain-http"]);
    let new_code = second
        .lines
        .iter()
        .find(|l| l.starts_with("bootstrap code: "))
        .unwrap();
    assert_ne!(new_code.trim_start_matches("bootstrap code: "), code);
    // Started without a metrics token, it serves no metrics at all.
    let url = second
        .lines
        .iter()
        .find_map(|l| l.strip_prefix("listening on "))
        .unwrap();
    let off = reqwest::blocking::get(format!("{url}/metrics")).unwrap();
    assert_eq!(off.status().as_u16(), 404);
}

#[test]
fn settings_come_from_a_toml_file_and_an_unreachable_database_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("komora.toml");
    let data = dir.path().join("from-file");
    std::fs::write(
        &config,
        format!(
            "data = {:?}\ncodes_per_minute = 5\nplain_http = true\n",
            data.to_str().unwrap()
        ),
    )
    .unwrap();
    let server = start(&["--config", config.to_str().unwrap()]);
    assert!(
        data.join("komora-sync.db").exists(),
        "the data folder came from the file"
    );
    assert!(
        server.url.starts_with("http://"),
        "plain HTTP came from the file"
    );
    drop(server);

    std::fs::write(&config, "colour = \"blue\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_komora-sync-server"))
        .args(["--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("colour"));

    // Nothing listens on port 9: a clear error, no panic.
    let out = Command::new(env!("CARGO_BIN_EXE_komora-sync-server"))
        .args([
            "--database",
            "postgres://komora@127.0.0.1:9/komora?connect_timeout=2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("database"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_komora-sync-server"))
        .args(["--database", "mysql://x"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("postgres://"));
}
