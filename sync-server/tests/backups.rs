//! Backups an NGO will actually have, as its administrator sees them: taken on a schedule
//! while tablets sync, checked, the oldest deleted, and a backup that stopped working seen on
//! `/health` and by `backup-status` before it matters.

mod support;

use std::path::Path;

use komora_sync_server::backup::{schedule, sqlite, status};
use support::{command, sealed, text, wait_until, Device, Server};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn scheduled_backups_while_tablets_sync_are_checked_named_by_time_and_the_oldest_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (data, backups) = (dir.path().join("data"), dir.path().join("backups"));
    let server = Server::start(
        &[
            "--data",
            s(&data),
            "--backup-every",
            "1s",
            "--backup-dir",
            s(&backups),
            "--keep",
            "2",
        ],
        &dir.path().join("stderr"),
    );
    let admin = Device::bootstrap(&server.url, &server.bootstrap_code().unwrap());
    let counsellor = admin.enrol_counsellor(&server.url);
    counsellor.push(&server.url, &[sealed(1), sealed(1), sealed(1)]);

    // A backup taken after the pushes holds them; two more later, the first one is gone.
    let holds_the_pushes = |r: &status::StatusRecord| {
        r.last_good_counts.map(|c| (c.teams, c.devices, c.ops)) == Some((1, 2, 3))
    };
    let mut first = None;
    wait_until("a backup holding the pushed operations", || {
        let r = status::read(&backups).ok().flatten().unwrap_or_default();
        first = r.last_good_ms.filter(|_| holds_the_pushes(&r));
        first.is_some()
    });
    let first = first.unwrap();
    wait_until("two more backups", || {
        let r = status::read(&backups).ok().flatten().unwrap_or_default();
        r.last_good_ms.is_some_and(|t| t >= first + 2_000)
    });

    let health = server.health();
    let b = &health["backup"];
    assert_eq!(b["scheduled"], true, "{health}");
    assert_eq!(b["last_attempt_failed"], false, "{health}");
    assert_eq!(b["stale"], false, "{health}");
    assert!(b["last_good_age_s"].as_u64().unwrap() < 30, "{health}");
    // The test's folders share a disk: said loudly, at start and on /health.
    assert_eq!(b["same_disk_as_data"], true, "{health}");
    assert!(
        server.stderr().contains("WARNING: the backup folder"),
        "{}",
        server.stderr()
    );
    let shown = health.to_string();
    assert!(!shown.contains(s(&backups)), "no path on /health: {shown}");

    let report = command(&[
        "--data",
        s(&data),
        "--backup-every",
        "1s",
        "--backup-dir",
        s(&backups),
        "backup-status",
    ]);
    assert!(report.status.success(), "{}", text(&report));
    let said = text(&report);
    assert!(said.contains("last good backup: "), "{said}");
    assert!(said.contains("1 team, 2 devices, 3 operations"), "{said}");
    assert!(said.contains("same disk"), "{said}");

    server.terminate();
    let kept = schedule::list(&backups).unwrap();
    assert_eq!(kept.len(), 2, "only the newest two are kept: {kept:?}");
    assert!(kept.iter().all(|k| k.at_ms > first), "the first is deleted");
    let record = status::read(&backups).unwrap().unwrap();
    assert_eq!(
        record.last_good_file.as_deref(),
        Some(kept[1].name.as_str())
    );
    for k in &kept {
        let facts = sqlite::inspect(&backups.join(&k.name)).unwrap();
        assert_eq!(
            (facts.counts.teams, facts.counts.devices, facts.counts.ops),
            (1, 2, 3)
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(backups.join(&k.name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o077,
                0,
                "a backup is the server user's alone: {mode:o}"
            );
        }
    }
    #[cfg(unix)]
    for private in [
        data.clone(),
        backups.clone(),
        data.join("komora-sync.db"),
        backups.join(status::STATUS_FILE),
    ] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "{} is private: {mode:o}",
            private.display()
        );
    }
    let partials = std::fs::read_dir(&backups)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".partial")
        })
        .count();
    assert_eq!(partials, 0);
}

#[test]
fn a_backup_disk_that_goes_away_shows_as_failed_and_backing_up_resumes_when_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let (data, backups) = (dir.path().join("data"), dir.path().join("usb"));
    // The settings from a config file, as the packaged server has them.
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "data = {:?}\nbackup_every = \"1s\"\nbackup_dir = {:?}\nkeep = 3\n",
            s(&data),
            s(&backups)
        ),
    )
    .unwrap();
    let server = Server::start(&["--config", s(&config)], &dir.path().join("stderr"));
    wait_until("a first backup", || {
        schedule::list(&backups)
            .map(|l| !l.is_empty())
            .unwrap_or(false)
    });

    // The disk is gone: its folder is no folder any more.
    std::fs::rename(&backups, dir.path().join("usb-away")).unwrap();
    std::fs::write(&backups, b"").unwrap();
    wait_until("/health to show the failure", || {
        server.health()["backup"]["last_attempt_failed"] == true
    });
    assert!(
        server.stderr().contains("the scheduled backup failed"),
        "{}",
        server.stderr()
    );
    let report = command(&["--config", s(&config), "backup-status"]);
    assert!(
        !report.status.success(),
        "needs attention: {}",
        text(&report)
    );
    assert!(text(&report).contains("PROBLEM"), "{}", text(&report));

    // Back again: the next attempt succeeds and /health says so.
    std::fs::remove_file(&backups).unwrap();
    std::fs::rename(dir.path().join("usb-away"), &backups).unwrap();
    wait_until("/health to show a good backup again", || {
        server.health()["backup"]["last_attempt_failed"] == false
    });
    let record = status::read(&backups).unwrap().unwrap();
    assert!(record.last_attempt_ok);
}

#[test]
fn backup_settings_that_make_no_sense_are_refused_at_start_with_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for (args, says) in [
        (vec!["--backup-every", "6h"], "--backup-dir"),
        (vec!["--backup-dir", "/tmp/x"], "--backup-every"),
        (
            vec!["--backup-every", "6 hours", "--backup-dir", "/tmp/x"],
            "6h",
        ),
        (
            vec![
                "--backup-every",
                "1d",
                "--backup-dir",
                "/tmp/x",
                "--keep",
                "0",
            ],
            "at least one",
        ),
    ] {
        let mut all = vec!["--data", s(&data), "--listen", "127.0.0.1:0"];
        all.extend(args.iter().copied());
        let out = command(&all);
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
    }
    let out = command(&["--data", s(&data), "backup-status"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no scheduled backups"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_backup_by_hand_is_checked_and_never_overwrites_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&["--data", s(&data)], &dir.path().join("stderr"));
    let admin = Device::bootstrap(&server.url, &server.bootstrap_code().unwrap());
    admin.push(&server.url, &[sealed(1), sealed(1)]);
    let out_file = dir.path().join("by-hand.db");
    let out = command(&["--data", s(&data), "backup", "--out", s(&out_file)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("checked: 1 team, 1 device, 2 operations"),
        "{}",
        text(&out)
    );
    let again = command(&["--data", s(&data), "backup", "--out", s(&out_file)]);
    assert!(!again.status.success());
    assert!(text(&again).contains("exists already"), "{}", text(&again));
    assert_eq!(sqlite::inspect(&out_file).unwrap().counts.ops, 2);

    // No store there: said, and nothing created.
    let empty = dir.path().join("nothing-here");
    let out = command(&[
        "--data",
        s(&empty),
        "backup",
        "--out",
        s(&dir.path().join("x.db")),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("there is no store there"),
        "{}",
        text(&out)
    );
    assert!(!dir.path().join("x.db").exists());
}
