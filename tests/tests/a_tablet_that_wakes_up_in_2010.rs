//! Claudine's cheap tablet ran flat on the way back from a home visit. Charged again, it wakes
//! up on 1 January 2010 (many tablets fall back to such a date, or to their firmware's) and
//! stays there until it reaches a network, which in the hills can be days. Everything she
//! records meanwhile would be dated 2010, and the real date, typed by hand, refused as "in the
//! future". The tablet must say its date is wrong, from what it already knows, before she
//! records anything; and stop saying so once the date is set right.

use komora_core::{NewClient, NewSession, Vault, VaultOptions};
use komora_scenarios::{fast_options, open_case_with_consent, ManualClock, MORNING_MS};

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

#[test]
fn a_tablet_whose_clock_fell_back_to_2010_says_its_date_is_wrong_until_it_is_set_right() {
    let (dir, clock, opts) = tablet();
    let mut v = Vault::create(dir.path(), "umutima-mwiza", opts.clone()).unwrap();
    let odette = v
        .add_client(&NewClient {
            name: "Mukamana Odette".into(),
            ..Default::default()
        })
        .unwrap();
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
    v.add_client(&NewClient {
        name: "Uwase Diane".into(),
        ..Default::default()
    })
    .unwrap();
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
    v.add_client(&NewClient {
        name: "Uwase Diane".into(),
        ..Default::default()
    })
    .unwrap();
    clock.set(MORNING_MS);
    assert!(v.clock_went_back().is_some());
    v.date_is_right().unwrap();
    assert_eq!(v.clock_went_back(), None);
    v.lock();
    let mut v = Vault::open(dir.path(), "umutima-mwiza", opts.clone()).unwrap();
    assert_eq!(v.clock_went_back(), None, "kept across a lock");
    v.add_client(&NewClient {
        name: "Ingabire Grace".into(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(v.clock_went_back(), None);

    clock.set(FLAT_BATTERY_MS);
    assert!(
        v.clock_went_back().is_some(),
        "falling back from the right date is told again"
    );
}
