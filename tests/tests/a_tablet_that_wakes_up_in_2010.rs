//! Claudine's cheap tablet ran flat on the way back from a home visit. Charged again, it wakes
//! up on 1 January 2010 (many tablets fall back to such a date, or to their firmware's) and
//! stays there until it reaches a network, which in the hills can be days. Everything she
//! records meanwhile would be dated 2010, and the real date, typed by hand, refused as "in the
//! future". The tablet must say its date is wrong, from what it already knows, before she
//! records anything; and stop saying so once the date is set right.

use komora_core::{NewSession, Vault, VaultOptions};
use komora_scenarios::{
    fast_options, open_case_with_consent, record_client, ManualClock, MORNING_MS,
};

/// 1 January 2010, 08:00 in Kigali.
const FLAT_BATTERY_MS: u64 = 1_262_325_600_000;
const HOUR_MS: u64 = 60 * 60 * 1000;

fn tablet() -> (tempfile::TempDir, std::sync::Arc<ManualClock>, VaultOptions) {
    let clock = ManualClock::at(MORNING_MS);
    let opts = VaultOptions {
        time: clock.clone(),
        ..fast_options()
    };
    (tempfile::tempdir().unwrap(), clock, opts)
}

fn real_now() -> u64 {
    komora_core::TimeSource::now_ms(&komora_core::SystemClock)
}

/// A team on a real server (its administrator's clock right), and a new tablet of `role`
/// whose clock the test moves, starting at `start_ms`; the tablet's folder and options, to
/// open it again.
struct Team {
    _dir: tempfile::TempDir,
    _server: komora_scenarios::server::TestServer,
    admin: Vault,
    tablet: Vault,
    tablet_dir: std::path::PathBuf,
    opts: VaultOptions,
    clock: std::sync::Arc<ManualClock>,
}

fn team_with_a_new(role: komora_core::Role, start_ms: u64) -> Team {
    let dir = tempfile::tempdir().unwrap();
    let server = komora_scenarios::server::TestServer::start(&dir.path().join("server"));
    let mut admin = komora_scenarios::bootstrap_admin(&server, &dir.path().join("admin"));
    let clock = ManualClock::at(start_ms);
    let opts = VaultOptions {
        time: clock.clone(),
        ..fast_options()
    };
    let tablet_dir = dir.path().join("tablet");
    let tablet = komora_scenarios::enrol_with(&server, &mut admin, role, &tablet_dir, opts.clone());
    Team {
        _dir: dir,
        _server: server,
        admin,
        tablet,
        tablet_dir,
        opts,
        clock,
    }
}

/// Odette's file, her case closed: the retention rules count from its last change.
fn a_closed_file(v: &mut Vault) -> komora_core::RecordId {
    use komora_core::{CaseEdit, CaseStatus};
    let odette = record_client(v, "Mukamana Odette");
    let case = open_case_with_consent(v, odette, "grief");
    v.edit_case(
        case,
        &CaseEdit {
            status: Some(CaseStatus::Closed),
            ..Default::default()
        },
    )
    .unwrap();
    odette
}

#[test]
fn a_tablet_whose_clock_fell_back_to_2010_says_its_date_is_wrong_until_it_is_set_right() {
    let (dir, clock, opts) = tablet();
    let mut v = Vault::create(dir.path(), "umutima-mwiza", opts.clone()).unwrap();
    let odette = record_client(&mut v, "Mukamana Odette");
    let case = open_case_with_consent(&mut v, odette, "trauma");
    assert_eq!(v.clock_went_back(), None, "a right date raises nothing");

    // A time zone or daylight-saving change is not a wrong date.
    clock.set(MORNING_MS - 5 * HOUR_MS);
    assert_eq!(v.clock_went_back(), None);
    clock.set(MORNING_MS);
    v.lock();

    // The battery runs flat; the tablet wakes up in 2010 and she unlocks it.
    clock.set(FLAT_BATTERY_MS);
    let mut v = Vault::open(dir.path(), "umutima-mwiza", opts.clone()).unwrap();
    let latest = v
        .clock_went_back()
        .expect("the tablet says its date is wrong");
    assert!(
        latest >= MORNING_MS,
        "and when its work was last saved: {latest}"
    );
    // What the wrong date does to her work, and why the warning must come first: a session
    // dated today (2010) is before its case opened, and refused.
    assert!(matches!(
        v.add_session(&NewSession::new(case, "home-visit")),
        Err(komora_core::Error::Validation { field: "date", .. })
    ));
    // What she can record is kept, and the warning stays.
    record_client(&mut v, "Uwase Diane");
    assert_eq!(v.clock_went_back(), Some(latest));
    v.lock();
    let v = Vault::open(dir.path(), "umutima-mwiza", opts.clone()).unwrap();
    assert_eq!(
        v.clock_went_back(),
        Some(latest),
        "a write at the wrong date does not make it the tablet's latest"
    );

    // She reaches a network; the tablet sets its date right: the warning goes.
    clock.set(MORNING_MS + 3 * 24 * HOUR_MS);
    assert_eq!(v.clock_went_back(), None);
}

/// A tablet whose clock had been set a year ahead by mistake, then corrected by hand, looks
/// just like one that fell back. She says the date is right: the warning stops for good, and
/// comes back only if the clock falls back again from there.
#[test]
fn she_can_say_the_date_is_right_and_the_warning_stops_for_good() {
    let (dir, clock, opts) = tablet();
    let year_ms = 365 * 24 * HOUR_MS;
    clock.set(MORNING_MS + year_ms);
    let mut v = Vault::create(dir.path(), "umutima-mwiza", opts.clone()).unwrap();
    record_client(&mut v, "Uwase Diane");
    clock.set(MORNING_MS);
    assert!(v.clock_went_back().is_some());
    v.date_is_right().unwrap();
    assert_eq!(v.clock_went_back(), None);
    v.lock();
    let mut v = Vault::open(dir.path(), "umutima-mwiza", opts.clone()).unwrap();
    assert_eq!(v.clock_went_back(), None, "kept across a lock");
    record_client(&mut v, "Ingabire Grace");
    assert_eq!(v.clock_went_back(), None);

    clock.set(FLAT_BATTERY_MS);
    assert!(
        v.clock_went_back().is_some(),
        "falling back from the right date is told again"
    );
}

/// A brand-new tablet, its clock in 2010 before it ever held anything, has no memory to
/// compare with: the server's date (every answer carries it) tells it at enrolment, and a
/// tablet whose clock falls back later learns it again at its next sync. The server's date
/// only ever says a tablet is behind: it never silences the tablet's own memory.
#[test]
fn a_new_tablet_whose_clock_is_in_2010_learns_its_date_is_wrong_from_the_server() {
    use komora_core::Role;
    use komora_scenarios::sync;
    // The counsellor's new tablet, charged after a flat battery: 2010.
    let team = team_with_a_new(Role::Counsellor, FLAT_BATTERY_MS);
    // The server and the folders stay with `team` to the end.
    let Team {
        admin,
        mut tablet,
        clock,
        ..
    } = team;
    assert_eq!(
        admin.clock_went_back(),
        None,
        "the administrator's clock is right"
    );
    let latest = tablet
        .clock_went_back()
        .expect("her home screen says the date is wrong from the start");
    assert!(latest > MORNING_MS, "the server's date: {latest}");

    // Set right at a network: the warning goes, and a sync keeps it gone.
    clock.set(real_now());
    assert_eq!(tablet.clock_went_back(), None);
    sync(&mut tablet).unwrap();
    assert_eq!(tablet.clock_went_back(), None);

    // Her administrator says the date is right by mistake on a tablet that fell back again: the
    // next sync brings the warning back.
    clock.set(FLAT_BATTERY_MS);
    tablet.date_is_right().unwrap();
    assert_eq!(tablet.clock_went_back(), None);
    sync(&mut tablet).unwrap();
    assert!(tablet.clock_went_back().is_some());
}

/// After the flat battery she sets the date by hand and types 2036 for 2026. What she records
/// is dated ten years ahead, follow-ups all fall due, and retention would find files due years
/// early. The tablet learns it at its next sync from the server's date, says so until the
/// date is set right, and, set right, does not then take itself for a clock that fell back.
#[test]
fn a_year_typed_wrong_is_told_at_the_next_sync_and_forgotten_once_set_right() {
    use komora_core::Role;
    use komora_scenarios::sync;
    let team = team_with_a_new(Role::Counsellor, real_now());
    // The server and the folders stay with `team` to the end.
    let Team {
        mut tablet,
        tablet_dir,
        opts,
        clock,
        ..
    } = team;
    assert_eq!(tablet.clock_went_ahead(), None);

    // Ten years ahead: she records a client, then syncs.
    let ten_years = 10 * 365 * 24 * HOUR_MS;
    clock.set(real_now() + ten_years);
    record_client(&mut tablet, "Mukamana Odette");
    assert_eq!(
        tablet.clock_went_ahead(),
        None,
        "nothing to compare with yet"
    );
    sync(&mut tablet).unwrap();
    let server_date = tablet
        .clock_went_ahead()
        .expect("the server's date says the tablet is ahead");
    assert!(server_date < real_now() + HOUR_MS && server_date + HOUR_MS > real_now());
    assert_eq!(tablet.clock_went_back(), None);
    // Still wrong after a lock, and after more work at the wrong date.
    tablet.lock();
    let mut tablet = Vault::open(&tablet_dir, "tablet passphrase", opts.clone()).unwrap();
    record_client(&mut tablet, "Uwase Diane");
    assert_eq!(tablet.clock_went_ahead(), Some(server_date));

    // Set right: neither warning, before or after the next sync.
    clock.set(real_now());
    assert_eq!(tablet.clock_went_ahead(), None);
    assert_eq!(
        tablet.clock_went_back(),
        None,
        "the readings of the wrong year are forgotten, so the right date is no fall back"
    );
    sync(&mut tablet).unwrap();
    assert_eq!(tablet.clock_went_ahead(), None);
    assert_eq!(tablet.clock_went_back(), None);
}

/// A supervisor's tablet whose year was typed ten years ahead would find every closed file
/// due for erasure (kept seven years). Once a sync has told it its date is wrong, erasing
/// files whose time is over is refused, and nothing is erased; set right, nothing is due.
#[test]
fn a_supervisor_whose_year_was_typed_wrong_cannot_erase_files_before_their_time() {
    use komora_core::{Error, Role};
    use komora_scenarios::sync;
    let team = team_with_a_new(Role::Supervisor, real_now());
    // The server and the folders stay with `team` to the end.
    let Team {
        tablet: mut supervisor,
        clock,
        ..
    } = team;
    let odette = a_closed_file(&mut supervisor);
    sync(&mut supervisor).unwrap();

    clock.set(real_now() + 10 * 365 * 24 * HOUR_MS);
    assert_eq!(
        supervisor.retention_due().unwrap().len(),
        1,
        "due, by the wrong year"
    );
    sync(&mut supervisor).unwrap();
    assert!(matches!(
        supervisor.apply_retention(),
        Err(Error::Forbidden(_))
    ));
    assert!(supervisor.client(odette).is_ok(), "nothing erased");

    clock.set(real_now());
    assert!(supervisor.retention_due().unwrap().is_empty());
}

/// The same supervisor types the year ten years ahead and erases at once, before any sync has
/// told her tablet its date is wrong: nothing is erased until a server's date has agreed with
/// the tablet's within the week. Synced, the server's date finds the year wrong; set right and
/// synced, nothing is due.
#[test]
fn a_year_typed_wrong_before_any_sync_erases_nothing() {
    use komora_core::{Error, Role};
    use komora_scenarios::sync;
    let team = team_with_a_new(Role::Supervisor, real_now());
    let Team {
        tablet: mut supervisor,
        clock,
        ..
    } = team;
    let odette = a_closed_file(&mut supervisor);
    sync(&mut supervisor).unwrap();

    clock.set(real_now() + 10 * 365 * 24 * HOUR_MS);
    assert_eq!(supervisor.retention_due().unwrap().len(), 1);
    assert_eq!(
        supervisor.clock_went_ahead(),
        None,
        "nothing has told it yet"
    );
    match supervisor.apply_retention() {
        Err(Error::Forbidden(why)) => assert!(why.contains("sync"), "{why}"),
        other => panic!("erased on a date no server has seen: {other:?}"),
    }
    assert!(supervisor.client(odette).is_ok(), "nothing erased");

    sync(&mut supervisor).unwrap();
    assert!(supervisor.clock_went_ahead().is_some());
    clock.set(real_now());
    sync(&mut supervisor).unwrap();
    assert!(supervisor.retention_due().unwrap().is_empty());
    assert!(supervisor.client(odette).is_ok());
}

/// What a server's date vouched for is kept with the vault: a supervisor who synced this
/// morning, locked her tablet and opens it again can erase the files whose time is over
/// without syncing again.
#[test]
fn a_date_a_server_agreed_with_this_morning_still_counts_after_a_lock() {
    const DAY_MS: u64 = 24 * HOUR_MS;
    let (dir, clock, opts) = tablet();
    clock.set(MORNING_MS - 8 * 366 * DAY_MS);
    let mut v = Vault::create(dir.path(), "umutima-mwiza", opts.clone()).unwrap();
    let odette = a_closed_file(&mut v);
    clock.set(MORNING_MS);
    v.date_is_right().unwrap();
    v.note_server_time(MORNING_MS + 60_000).unwrap();
    v.lock();

    clock.set(MORNING_MS + 3 * HOUR_MS);
    let mut v = Vault::open(dir.path(), "umutima-mwiza", opts).unwrap();
    assert_eq!(v.apply_retention().unwrap().len(), 1);
    assert!(v.client(odette).is_err());
}
