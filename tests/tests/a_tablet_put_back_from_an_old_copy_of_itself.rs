//! Claudine's tablet is put back from an old copy of its own storage: an IT volunteer
//! "restores" it from last month's image after a crash, or a phone shop moves the app's folder
//! to a repaired tablet from a copy taken weeks ago. Her work since the copy is on the server;
//! the tablet no longer has it, and its numbering of her operations is back where it was. What
//! she records next must reach the team, and her work from after the copy must come back.
//!
//! Found 2026-12-07 (ADR 0032): the server never served a tablet its own operations, so the
//! work she did after the copy never came back to her tablet; and the tablet numbered what she
//! recorded next with numbers the server already held under other operations, which a later
//! revocation's cutoff could then take for a forgery.

use komora_core::{Role, Vault, VaultOptions};
use komora_scenarios::server::TestServer;
use komora_scenarios::{
    bootstrap_admin, client_names, enrol, enrol_with, fast_options, open_case_with_consent,
    record_client, sync, ManualClock,
};

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A team on a real server, and Claudine's tablet imaged after her first client (the image
/// kept beside her folder): what every story here starts from.
struct Field {
    _dir: tempfile::TempDir,
    server: TestServer,
    admin: Vault,
    supervisor: Vault,
    here: std::path::PathBuf,
    image: std::path::PathBuf,
    clock: std::sync::Arc<ManualClock>,
    opts: VaultOptions,
}

impl Field {
    /// The team, Claudine's first client synced, the image taken; her tablet open again.
    fn new() -> (Self, Vault) {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start(&dir.path().join("server"));
        let mut admin = bootstrap_admin(&server, &dir.path().join("admin"));
        let here = dir.path().join("claudine");
        let clock = ManualClock::at(komora_core::TimeSource::now_ms(&komora_core::SystemClock));
        let opts = VaultOptions {
            time: clock.clone(),
            ..fast_options()
        };
        let mut claudine = enrol_with(&server, &mut admin, Role::Counsellor, &here, opts.clone());
        let supervisor = enrol(
            &server,
            &mut admin,
            Role::Supervisor,
            &dir.path().join("sup"),
        );
        record_client(&mut claudine, "Mukamana Odette");
        sync(&mut claudine).unwrap();
        claudine.lock();
        let image = dir.path().join("last-months-image");
        copy_dir(&here, &image);
        let claudine = Vault::open(&here, "tablet passphrase", opts.clone()).unwrap();
        let field = Self {
            _dir: dir,
            server,
            admin,
            supervisor,
            here,
            image,
            clock,
            opts,
        };
        (field, claudine)
    }

    /// Her tablet (locked) put back from the image `later_ms` after it was taken (a token kept
    /// from its last sync is still good for a quarter of an hour), opened, Alice recorded.
    fn put_back(&self, claudine: Vault, later_ms: u64) -> Vault {
        claudine.lock();
        std::fs::remove_dir_all(&self.here).unwrap();
        copy_dir(&self.image, &self.here);
        self.clock.advance(later_ms);
        let mut claudine = Vault::open(&self.here, "tablet passphrase", self.opts.clone()).unwrap();
        assert_eq!(client_names(&claudine), ["Mukamana Odette"]);
        record_client(&mut claudine, "Nyirahabimana Alice");
        claudine
    }
}

const ALL_FOUR: [&str; 4] = [
    "Habimana Jean",
    "Mukamana Odette",
    "Nyirahabimana Alice",
    "Uwase Immaculée",
];

const A_MONTH_MS: u64 = 30 * 24 * 60 * 60 * 1000;

/// Habimana and Uwase recorded and synced after the image, read by her supervisor; then the
/// tablet put back `later_ms` after the image, with Alice recorded since.
fn put_back(later_ms: u64) -> (Field, Vault) {
    let (mut field, mut claudine) = Field::new();
    record_client(&mut claudine, "Habimana Jean");
    record_client(&mut claudine, "Uwase Immaculée");
    sync(&mut claudine).unwrap();
    // Her supervisor has read Habimana's and Uwase's files before the tablet is put back.
    sync(&mut field.supervisor).unwrap();
    let claudine = field.put_back(claudine, later_ms);
    (field, claudine)
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

fn story(later_ms: u64) {
    let (mut field, mut claudine) = put_back(later_ms);
    let supervisor = &mut field.supervisor;
    sync(&mut claudine).unwrap();
    assert_eq!(
        sorted(client_names(&claudine)),
        ALL_FOUR,
        "her work from after the copy came back, and what she recorded since is kept"
    );
    sync(supervisor).unwrap();
    assert_eq!(
        sorted(client_names(supervisor)),
        ALL_FOUR,
        "what she recorded after the tablet was put back reached her supervisor"
    );
    // A sync more changes nothing.
    let again = sync(&mut claudine).unwrap();
    assert_eq!((again.sent_ops, again.received_ops), (0, 0), "{again:?}");
}

#[test]
fn a_tablet_put_back_from_last_months_copy_gets_its_work_back_and_what_it_records_next_reaches_the_team(
) {
    story(A_MONTH_MS);
}

/// Put back within the quarter of an hour its last sync's token is kept: it pushes before it
/// logs in, and the server refuses the numbers it holds under other work of hers.
#[test]
fn a_tablet_put_back_minutes_after_its_copy_was_taken_does_the_same() {
    story(60 * 1000);
}

/// Claudine's tablet is lost soon after it was put back, before her supervisor synced again:
/// the administrator revokes it, and the cutoff counts every number the server holds of it.
/// Alice's file, recorded honestly on the put-back tablet before it was lost, reaches her
/// supervisor after the revocation (numbered with a number Habimana's file already had, it was
/// refused as a lost tablet's forgery slipped under the cutoff).
#[test]
fn work_recorded_on_a_put_back_tablet_survives_its_revocation() {
    let (mut field, mut claudine) = put_back(A_MONTH_MS);
    sync(&mut claudine).unwrap();
    let mut t = komora_core::HttpTransport::new(&field.server.url).unwrap();
    field
        .admin
        .revoke_device(&mut t, claudine.device_id())
        .unwrap();
    let report = sync(&mut field.supervisor).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(sorted(client_names(&field.supervisor)), ALL_FOUR);
}

/// After the copy was taken, Claudine opened a case in a client file her colleague Bosco had
/// just made. Put back, her tablet no longer holds that file's key when her case comes back to
/// it (the key comes later in the sync, with Bosco's work): her case waits for it, and the
/// number it holds must not be given to what she records next, or the server refuses her
/// push for good. She syncs, and has both; her supervisor has Alice.
#[test]
fn her_case_in_a_colleagues_new_file_comes_back_and_waits_for_its_key_without_blocking_her() {
    let (mut field, mut claudine) = Field::new();
    let mut bosco = enrol(
        &field.server,
        &mut field.admin,
        Role::Counsellor,
        &field.here.with_file_name("bosco"),
    );
    let kayitesi = record_client(&mut bosco, "Kayitesi Grace");
    sync(&mut bosco).unwrap();
    sync(&mut claudine).unwrap();
    let case = open_case_with_consent(&mut claudine, kayitesi, "grief");
    sync(&mut claudine).unwrap();

    let mut claudine = field.put_back(claudine, A_MONTH_MS);
    sync(&mut claudine).unwrap();
    assert_eq!(
        sorted(client_names(&claudine)),
        ["Kayitesi Grace", "Mukamana Odette", "Nyirahabimana Alice"]
    );
    assert!(claudine.case(case).is_ok(), "her case came back");
    let again = sync(&mut claudine).unwrap();
    assert_eq!(again.sent_ops, 0, "{again:?}");
    sync(&mut field.supervisor).unwrap();
    assert!(client_names(&field.supervisor).contains(&"Nyirahabimana Alice".to_owned()));
}
