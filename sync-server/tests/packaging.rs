//! The Debian/Ubuntu package as a server administrator installs it, checked without building
//! it (`scripts/package-deb.sh` builds the .deb, checks its contents and, on CI, installs it):
//! the package metadata, the hardened systemd unit (and `systemd-analyze verify` on it where
//! systemd is installed), the settings it ships (read by the server's own parser, and
//! consistent with the unit's writable folders) and the maintainer scripts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use komora_sync_server::backup::schedule::Schedule;
use komora_sync_server::config::Settings;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn deb_metadata() -> toml::Table {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(crate_dir().join("Cargo.toml")).unwrap()).unwrap();
    manifest["package"]["metadata"]["deb"]
        .as_table()
        .expect("[package.metadata.deb] in sync-server/Cargo.toml")
        .clone()
}

/// `Key=value` lines of the unit, by key (a key may repeat).
fn unit() -> BTreeMap<String, Vec<String>> {
    let text =
        std::fs::read_to_string(crate_dir().join("packaging/komora-sync-server.service")).unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with('[') || line.is_empty() {
            continue;
        }
        let (k, v) = line.split_once('=').expect("Key=value");
        out.entry(k.to_owned()).or_default().push(v.to_owned());
    }
    out
}

fn one<'a>(unit: &'a BTreeMap<String, Vec<String>>, key: &str) -> &'a str {
    match unit.get(key).map(Vec::as_slice) {
        Some([v]) => v,
        other => panic!("{key}: {other:?}"),
    }
}

fn shipped_settings() -> Settings {
    let text = std::fs::read_to_string(crate_dir().join("packaging/config.toml")).unwrap();
    toml::from_str(&text).expect("the shipped config.toml reads as the server reads it")
}

#[test]
fn the_package_installs_the_binary_the_unit_the_settings_and_makes_its_user() {
    let deb = deb_metadata();
    let assets: Vec<(String, String, String)> = deb["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let a = a.as_array().unwrap();
            (
                a[0].as_str().unwrap().to_owned(),
                a[1].as_str().unwrap().to_owned(),
                a[2].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let find = |source: &str| {
        assets
            .iter()
            .find(|a| a.0 == source)
            .unwrap_or_else(|| panic!("{source} is not in the package: {assets:?}"))
    };
    assert_eq!(find("target/release/komora-sync-server").1, "usr/bin/");
    let config = find("packaging/config.toml");
    assert_eq!(
        (config.1.as_str(), config.2.as_str()),
        ("etc/komora-sync/config.toml", "640")
    );
    for (source, ..) in &assets {
        if !source.starts_with("target/") {
            assert!(crate_dir().join(source).is_file(), "{source} is missing");
        }
    }
    assert_eq!(
        deb["conf-files"].as_array().unwrap()[0].as_str(),
        Some("/etc/komora-sync/config.toml"),
        "an administrator's settings survive upgrades"
    );
    assert!(deb["depends"].as_str().unwrap().contains("adduser"));
    let units = deb["systemd-units"].as_table().unwrap();
    assert_eq!(units["unit-name"].as_str(), Some("komora-sync-server"));
    assert_eq!(units["enable"].as_bool(), Some(true));
    let scripts = crate_dir().join(deb["maintainer-scripts"].as_str().unwrap());
    let unit_dir = crate_dir().join(units["unit-scripts"].as_str().unwrap());
    assert!(unit_dir.join("komora-sync-server.service").is_file());

    // The maintainer scripts: valid shell, making the user and the private folders, keeping
    // the records on purge, leaving room for the generated systemd snippets.
    let postinst = std::fs::read_to_string(scripts.join("postinst")).unwrap();
    let postrm = std::fs::read_to_string(scripts.join("postrm")).unwrap();
    for (name, text) in [("postinst", &postinst), ("postrm", &postrm)] {
        let check = Command::new("sh")
            .arg("-n")
            .arg(scripts.join(name))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        assert!(text.contains("#DEBHELPER#"), "{name}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(scripts.join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o111, 0o111, "{name} is executable");
        }
    }
    assert!(postinst.contains("adduser --system --group"), "{postinst}");
    let settings = shipped_settings();
    for dir in [
        settings.data.clone().unwrap(),
        settings.backup_dir.clone().unwrap(),
    ] {
        assert!(
            postinst.contains(dir.to_str().unwrap()),
            "postinst makes {}",
            dir.display()
        );
    }
    assert!(postinst.contains("chmod 0700"));
    assert!(
        !postrm.contains("rm -r"),
        "a purge never deletes the records"
    );
}

#[test]
fn the_unit_runs_as_its_own_user_in_a_hardened_sandbox_writing_only_its_two_folders() {
    let unit = unit();
    assert_eq!(one(&unit, "User"), "komora");
    assert_eq!(
        one(&unit, "ExecStart"),
        "/usr/bin/komora-sync-server --config /etc/komora-sync/config.toml"
    );
    for (key, value) in [
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("CapabilityBoundingSet", ""),
        ("AmbientCapabilities", ""),
        ("StateDirectory", "komora-sync"),
        ("StateDirectoryMode", "0700"),
        ("UMask", "0077"),
        ("RestrictNamespaces", "yes"),
        ("RestrictSUIDSGID", "yes"),
        ("MemoryDenyWriteExecute", "yes"),
        ("LockPersonality", "yes"),
        ("ProtectKernelTunables", "yes"),
        ("ProtectKernelModules", "yes"),
        ("ProtectControlGroups", "yes"),
        ("SystemCallArchitectures", "native"),
    ] {
        assert_eq!(one(&unit, key), value, "{key}");
    }
    assert_eq!(
        one(&unit, "RestrictAddressFamilies"),
        "AF_INET AF_INET6 AF_UNIX"
    );
    let filters = &unit["SystemCallFilter"];
    assert!(
        filters.contains(&"@system-service".to_owned()),
        "{filters:?}"
    );
    assert!(filters
        .iter()
        .any(|f| f.starts_with('~') && f.contains("@privileged")));
    // No log files of its own: stdout and stderr go to the journal (journald rotates).
    assert!(!unit.contains_key("StandardOutput") && !unit.contains_key("StandardError"));

    // It may write where the shipped settings put the store and the backups, and nowhere else.
    let settings = shipped_settings();
    let writable: Vec<String> = one(&unit, "ReadWritePaths")
        .split_whitespace()
        .map(|p| p.trim_start_matches('-').to_owned())
        .collect();
    let data = settings.data.clone().unwrap();
    let schedule = Schedule::from_settings(&settings)
        .unwrap()
        .expect("backups scheduled");
    assert_eq!(
        writable,
        vec![
            data.to_str().unwrap().to_owned(),
            schedule.dir.to_str().unwrap().to_owned()
        ]
    );
    assert_eq!(
        Path::new("/var/lib").join(one(&unit, "StateDirectory")),
        data
    );
    assert!(
        schedule.every.0.as_secs() <= 24 * 3600,
        "at least a backup a day"
    );
}

/// systemd's own reading of the unit, where systemd is installed (`apt-get install systemd`):
/// no warning from `verify`, and `security` rates its exposure low.
#[test]
fn systemd_reads_the_unit_without_a_warning() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("systemd-analyze is not installed: the unit was checked by hand only");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate_dir().join("packaging/komora-sync-server.service"))
        .unwrap()
        // verify checks that the program exists: this test's build of it.
        .replace(
            "ExecStart=/usr/bin/komora-sync-server",
            &format!("ExecStart={}", env!("CARGO_BIN_EXE_komora-sync-server")),
        );
    let file = dir.path().join("komora-sync-server.service");
    std::fs::write(&file, text).unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&file)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");

    let security = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--threshold=20", "--no-pager"])
        .arg(&file)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&security.stderr);
    if said.contains("unrecognized option") || said.contains("Unknown option") {
        eprintln!("this systemd cannot rate a unit offline: skipped");
        return;
    }
    assert!(
        security.status.success(),
        "exposure above 2.0: {}{said}",
        String::from_utf8_lossy(&security.stdout)
    );
}
