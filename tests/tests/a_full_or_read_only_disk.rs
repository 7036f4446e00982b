//! A tablet's storage fills up in the middle of a day of home visits, or turns read-only (a
//! failing card, a file system the kernel remounted after an error). The counsellor gets a
//! clear, typed error that says nothing was saved; nothing she saved before is lost or damaged;
//! when space comes back she carries on, and what she wrote reaches her supervisor whole.
//!
//! The vault lives on a real small file system: a tmpfs of a few hundred KiB mounted for the
//! test (so SQLite, its WAL and the key files meet a real ENOSPC / EROFS). Mounting needs root;
//! where the tests cannot mount (a developer's own account), they say so and stop.

use std::path::{Path, PathBuf};
use std::process::Command;

use komora_core::{Error, NewClient, TeamKeys, Vault};
use komora_scenarios::{fast_options, send, snapshot};

/// A tmpfs of `kib` KiB mounted at a fresh folder; unmounted when dropped.
struct SmallDisk {
    _dir: tempfile::TempDir,
    mount: PathBuf,
}

impl SmallDisk {
    fn mount(kib: u32) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let mount = dir.path().join("disk");
        std::fs::create_dir(&mount).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(&mount)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !ok {
            eprintln!("SKIPPED: cannot mount a small tmpfs here (needs root); nothing was tested");
            return None;
        }
        Some(Self { _dir: dir, mount })
    }

    fn path(&self) -> &Path {
        &self.mount
    }

    fn remount(&self, how: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{how}")])
            .arg(&self.mount)
            .status()
            .unwrap();
        assert!(status.success(), "remount {how}");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mount).status();
    }
}

fn client(i: usize) -> NewClient {
    NewClient {
        name: format!("Mukamana Clementine {i}"),
        phone: Some(format!("+25078{i:07}")),
        code: Some(format!("HUY-{i:05}")),
        ..Default::default()
    }
}

#[test]
fn when_the_storage_fills_up_she_is_told_nothing_was_saved_and_carries_on_once_space_is_freed() {
    let Some(disk) = SmallDisk::mount(1536) else {
        return;
    };
    // Photos the tablet's owner took: she can delete them when told the storage is full.
    let photos = disk.path().join("photos.jpg");
    std::fs::write(&photos, vec![0x5a; 200 * 1024]).unwrap();

    let keys = TeamKeys::generate();
    let vault_dir = disk.path().join("vault");
    let mut tablet = Vault::create_joined(&vault_dir, "135790", &keys, fast_options()).unwrap();
    let mut saved = Vec::new();
    let mut full = None;
    for i in 0..5_000 {
        match tablet.add_client(&client(i)) {
            Ok(id) => saved.push(id),
            Err(e) => {
                full = Some(e);
                break;
            }
        }
    }
    let err = full.expect("the disk filled up");
    assert!(matches!(err, Error::DiskFull), "a typed error: {err:?}");
    assert!(err.to_string().contains("nothing was saved"), "{err}");
    assert!(saved.len() > 20, "some work fitted first: {}", saved.len());

    // A batch import refused whole: not half of it.
    let batch: Vec<NewClient> = (10_000..10_050).map(client).collect();
    assert!(matches!(tablet.add_clients(&batch), Err(Error::DiskFull)));
    assert_eq!(tablet.clients().unwrap().items.len(), saved.len());

    // She closes the app. On a storage this full not even her unlock can be counted, so it is
    // not tried, and she is told why; once she deletes her photos it opens with everything.
    drop(tablet);
    let err = Vault::open(&vault_dir, "135790", fast_options()).unwrap_err();
    assert!(matches!(err, Error::DiskFull), "a typed error: {err:?}");
    std::fs::remove_file(&photos).unwrap();
    let mut tablet = Vault::open(&vault_dir, "135790", fast_options()).unwrap();
    let clients = tablet.clients().unwrap();
    assert_eq!(
        clients.items.len(),
        saved.len(),
        "every acknowledged save is there"
    );
    assert!(clients.unreadable.is_empty());

    // Space freed: the next save works, and everything syncs to the supervisor intact.
    let later = tablet.add_client(&client(99_999)).expect("saves again");
    let mut supervisor = Vault::ephemeral(
        &keys,
        komora_scenarios::ManualClock::at(komora_scenarios::MORNING_MS),
    )
    .unwrap();
    send(&tablet, &mut supervisor);
    let theirs = snapshot(&supervisor);
    assert_eq!(theirs.len(), saved.len() + 1);
    assert!(theirs.iter().any(|c| c.id == later));
    assert_eq!(theirs, snapshot(&tablet), "both see the same clients");
}

#[test]
fn when_the_storage_turns_read_only_she_is_told_and_nothing_is_damaged() {
    // (A mounted file system cannot be made read-only while the vault has files open for
    // writing, so the fault comes while the app is closed, as after a restart.)
    let Some(disk) = SmallDisk::mount(2048) else {
        return;
    };
    let vault_dir = disk.path().join("vault");
    let mut tablet = Vault::create(&vault_dir, "135790", fast_options()).unwrap();
    let before: Vec<_> = (0..10)
        .map(|i| tablet.add_client(&client(i)).unwrap())
        .collect();
    drop(tablet);
    // Two wrong PINs before the fault: the count survives it.
    for _ in 0..2 {
        let wrong = Vault::open(&vault_dir, "000000", fast_options()).unwrap_err();
        assert!(matches!(wrong, Error::WrongPassphrase));
    }
    let tablet = Vault::open(&vault_dir, "135790", fast_options()).unwrap();

    // The tablet restarts and the kernel has mounted the storage read-only after an error.
    // A PIN that cannot be counted is not tried: the right one and a wrong one get the same
    // answer, so read-only storage is no way around the lock-out.
    drop(tablet);
    disk.remount("ro");
    for pin in ["135790", "000000"] {
        let err = Vault::open(&vault_dir, pin, fast_options()).unwrap_err();
        assert!(matches!(err, Error::ReadOnly), "a typed error: {err:?}");
    }

    disk.remount("rw");
    let mut tablet = Vault::open(&vault_dir, "135790", fast_options()).unwrap();
    let clients = tablet.clients().unwrap();
    assert_eq!(
        clients.items.len(),
        before.len(),
        "nothing lost, nothing half-saved"
    );
    assert!(clients.unreadable.is_empty());
    tablet.add_client(&client(11)).expect("saves again");
    assert_eq!(tablet.clients().unwrap().items.len(), before.len() + 1);
}
