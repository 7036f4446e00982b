//! Hybrid logical clocks, with a bound on how far a clock may run ahead of real time.
//!
//! An HLC reading is (wall milliseconds, counter, device). Readings are totally ordered and
//! every local reading is greater than every reading this device has issued or accepted, up to
//! the drift bound below.
//!
//! **Clocks that run ahead.** A tablet whose clock is set hours or years ahead stamps its
//! operations in the future. Komora bounds the damage in three ways:
//! 1. Causality, not time, decides between an edit and the edits it replaced: every write names
//!    the values it saw (see `merge.rs`), so an edit made after seeing a future-stamped value
//!    replaces it whatever the clocks say. Time only breaks ties between truly concurrent edits,
//!    and the losing value stays visible in the field's history.
//! 2. An incoming reading more than [`MAX_DRIFT_MS`] ahead of this device's clock is still applied
//!    (nobody's words are dropped), but it does not drag this device's clock along: the local
//!    clock advances at most to `now + MAX_DRIFT_MS`. The apply report counts such operations
//!    so the screen can say which device's clock is wrong.
//! 3. A device's own remembered clock is bounded the same way, so a clock that was wrong and
//!    is then corrected does not keep stamping the future.
//!
//! **Clocks that go back.** A cheap tablet whose battery ran flat may wake up in 2010 (or at
//! its firmware's date) and stay there until it reaches a network, which in the field can be
//! days. Its operations still merge (causality again), but everything it records is dated
//! wrong, a date she types correctly is refused as "in the future", and follow-ups fall due
//! wrongly. The clock therefore remembers the latest time it ever read ([`Clock::latest`],
//! kept in the vault), and a reading more than [`BACK_DOUBT_MS`] earlier than that is
//! reported ([`Clock::went_back`]) so the screens can say the tablet's date is wrong. If she
//! says the date is right (a clock that had been set ahead and was corrected), the memory
//! starts again from now ([`Clock::accept_now`]).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ids::DeviceId;

/// How far ahead of this device's clock a reading may pull it: 10 minutes.
pub const MAX_DRIFT_MS: u64 = 10 * 60 * 1000;

/// How far the wall clock may read earlier than the latest time this device ever read before
/// the screens say the date is wrong: a day (a time zone or a daylight-saving change is hours).
pub const BACK_DOUBT_MS: u64 = 24 * 60 * 60 * 1000;

/// One HLC reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u32,
    pub device: DeviceId,
}

/// Where wall time comes from: the system clock in the field, a hand-set clock in tests.
pub trait TimeSource: Send + Sync {
    fn now_ms(&self) -> u64;

    /// How a date from elsewhere (a server's, by the real time) reads on this clock: the same
    /// for the system clock; a test clock shifted from the real time shifts it alike.
    fn reading_of(&self, real_ms: u64) -> u64 {
        real_ms
    }
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl TimeSource for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
}

/// The clock of one replica.
pub(crate) struct Clock {
    device: DeviceId,
    last: (u64, u32),
    /// The latest wall time this device's own clock ever gave (never lowered, unless she
    /// says the date is right or a server's date says the readings were ahead): what a clock
    /// that went back is told from.
    latest: u64,
    /// When a server's date said this clock ran more than a day ahead: the clock's reading
    /// then and the server's date (both as this clock reads them). Holds while the clock reads
    /// on from there; a clock set right reads earlier again, and a server's date that agrees
    /// clears it.
    ahead: Option<(u64, u64)>,
    /// This clock's reading when a server's date last agreed with it (within a day): how
    /// recently the tablet's date was checked by something other than the person holding it.
    vouched: Option<u64>,
    time: Arc<dyn TimeSource>,
}

impl Clock {
    pub(crate) fn new(device: DeviceId, last: (u64, u32), time: Arc<dyn TimeSource>) -> Self {
        Self::remembering(device, last, last.0, time)
    }

    /// A clock that remembers `latest` as the latest time it ever read (kept by the vault; 0
    /// in a vault from before it was kept, where the remembered reading `last` stands in).
    pub(crate) fn remembering(
        device: DeviceId,
        last: (u64, u32),
        latest: u64,
        time: Arc<dyn TimeSource>,
    ) -> Self {
        let latest = if latest == 0 { last.0 } else { latest };
        Self {
            device,
            last,
            latest,
            ahead: None,
            vouched: None,
            time,
        }
    }

    /// The same clock, told (by the vault) that a server's date found it ahead (`None`: not).
    pub(crate) fn known_ahead(mut self, ahead: Option<(u64, u64)>) -> Self {
        self.ahead = ahead;
        self
    }

    /// The same clock, told (by the vault) when a server's date last agreed with it.
    pub(crate) fn known_vouched(mut self, vouched: Option<u64>) -> Self {
        self.vouched = vouched;
        self
    }

    /// What the vault keeps of when a server's date last agreed with this clock.
    pub(crate) fn vouched(&self) -> Option<u64> {
        self.vouched
    }

    /// Whether a server's date agreed with this clock at most `within` ago, as the clock
    /// reads now. A clock set back since (to before that agreement) or moved on by more than
    /// `within` is not vouched for: no server has seen the date it reads now.
    pub(crate) fn vouched_within(&self, within: u64) -> bool {
        let now = self.time.now_ms();
        self.vouched.is_some_and(|at| {
            now.saturating_add(BACK_DOUBT_MS) >= at && now.saturating_sub(at) <= within
        })
    }

    /// Whether the reading `now` is one a server's date found ahead.
    fn reads_ahead(&self, now: u64) -> bool {
        self.ahead.is_some_and(|(mark, _)| now >= mark)
    }

    /// The latest wall time this device's own clock ever gave: the reading now included
    /// (unless it is known to run ahead), so a vault keeps it with every write.
    pub(crate) fn latest(&self) -> u64 {
        let now = self.time.now_ms();
        if self.reads_ahead(now) {
            self.latest
        } else {
            self.latest.max(now)
        }
    }

    /// What the vault keeps of a server's finding that this clock runs ahead.
    pub(crate) fn ahead(&self) -> Option<(u64, u64)> {
        self.ahead
    }

    /// When a server's date said this clock runs more than a day ahead, and it has not been
    /// set back since: the server's date then (the tablet's date is wrong, most likely set by
    /// hand with a wrong year).
    pub(crate) fn went_ahead(&self) -> Option<u64> {
        let now = self.time.now_ms();
        self.ahead
            .filter(|_| self.reads_ahead(now))
            .map(|(_, server)| server)
    }

    /// When the wall clock now reads more than [`BACK_DOUBT_MS`] earlier than the latest time
    /// it ever gave: that time (the tablet's date is wrong, most likely reset by a flat
    /// battery).
    pub(crate) fn went_back(&self) -> Option<u64> {
        let now = self.time.now_ms();
        (now.saturating_add(BACK_DOUBT_MS) < self.latest).then_some(self.latest)
    }

    /// A server's date (as this clock reads it). More than a day later than the clock: the
    /// clock fell back, and the server's date is remembered as the latest time. More than a
    /// day earlier: the clock runs ahead, and what it read since it went wrong is forgotten
    /// (it would make a clock set right look fallen back). Within a day: the server vouches
    /// for the clock (remembered as [`Self::vouched`]), so the memory is the clock's reading now (readings of a wrong year it
    /// kept while offline, before she set it right herself, are forgotten) and a finding that
    /// it ran ahead is over. Returns whether anything the vault keeps changed.
    pub(crate) fn note_server(&mut self, server: u64) -> bool {
        let now = self.time.now_ms();
        let before = (self.latest, self.ahead, self.vouched);
        if server > now.saturating_add(BACK_DOUBT_MS) {
            self.latest = self.latest.max(server);
            self.vouched = None;
        } else if now > server.saturating_add(BACK_DOUBT_MS) {
            self.ahead = Some((now, server));
            self.latest = server;
            self.vouched = None;
        } else {
            self.latest = now.max(server);
            self.ahead = None;
            self.vouched = Some(now);
        }
        (self.latest, self.ahead, self.vouched) != before
    }

    /// She says the date the tablet shows is right: the memory starts again from now.
    pub(crate) fn accept_now(&mut self) {
        self.latest = self.time.now_ms();
        self.ahead = None;
    }

    /// Wall time now, as this clock's time source says.
    pub(crate) fn now_ms(&self) -> u64 {
        self.time.now_ms()
    }

    pub(crate) fn last(&self) -> (u64, u32) {
        self.last
    }

    /// A new reading for a local operation.
    pub(crate) fn tick(&mut self) -> Hlc {
        let now = self.time.now_ms();
        if !self.reads_ahead(now) {
            self.latest = self.latest.max(now);
        }
        let last = self.bounded_last(now);
        let next = if now > last.0 {
            (now, 0)
        } else {
            (last.0, last.1.saturating_add(1))
        };
        self.last = next;
        Hlc {
            wall_ms: next.0,
            counter: next.1,
            device: self.device,
        }
    }

    /// Take a remote reading into account. Returns `true` when the reading was further ahead of
    /// this device's clock than [`MAX_DRIFT_MS`] (it is then not followed past the bound).
    pub(crate) fn observe(&mut self, remote: &Hlc) -> bool {
        let now = self.time.now_ms();
        let ceiling = now.saturating_add(MAX_DRIFT_MS);
        let skewed = remote.wall_ms > ceiling;
        let seen = if skewed {
            (ceiling, 0)
        } else {
            (remote.wall_ms, remote.counter)
        };
        if seen > self.last {
            self.last = seen;
        }
        skewed
    }

    fn bounded_last(&self, now: u64) -> (u64, u32) {
        let ceiling = now.saturating_add(MAX_DRIFT_MS);
        if self.last.0 > ceiling {
            (ceiling, 0)
        } else {
            self.last
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    struct Manual(AtomicU64);
    impl TimeSource for Manual {
        fn now_ms(&self) -> u64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    #[test]
    fn readings_increase_even_when_the_wall_clock_stands_still_or_goes_back() {
        let t = Arc::new(Manual(AtomicU64::new(1_000)));
        let mut c = Clock::new(DeviceId::random(), (0, 0), t.clone());
        let a = c.tick();
        let b = c.tick();
        t.0.store(500, Ordering::SeqCst);
        let d = c.tick();
        assert!(a < b && b < d);
    }

    #[test]
    fn a_clock_years_ahead_does_not_drag_this_device_along() {
        let t = Arc::new(Manual(AtomicU64::new(1_000_000)));
        let mut c = Clock::new(DeviceId::random(), (0, 0), t.clone());
        let future = Hlc {
            wall_ms: 1_000_000 + 365 * 24 * 3600 * 1000,
            counter: 0,
            device: DeviceId::random(),
        };
        assert!(c.observe(&future));
        let mine = c.tick();
        assert!(mine.wall_ms <= 1_000_000 + MAX_DRIFT_MS);
        let near = Hlc {
            wall_ms: 1_000_000 + 60_000,
            counter: 3,
            device: DeviceId::random(),
        };
        assert!(!c.observe(&near));
    }

    #[test]
    fn a_corrected_clock_stops_stamping_the_future() {
        let t = Arc::new(Manual(AtomicU64::new(1_000)));
        let year = 365 * 24 * 3600 * 1000;
        let mut c = Clock::new(DeviceId::random(), (1_000 + year, 5), t);
        assert!(c.tick().wall_ms <= 1_000 + MAX_DRIFT_MS);
    }

    const DAY: u64 = BACK_DOUBT_MS;

    #[test]
    fn a_clock_that_falls_back_more_than_a_day_is_told_and_its_own_wrong_readings_never_hide_it() {
        let t = Arc::new(Manual(AtomicU64::new(100 * DAY)));
        let mut c = Clock::new(DeviceId::random(), (0, 0), t.clone());
        c.tick();
        t.0.store(100 * DAY - DAY / 2, Ordering::SeqCst); // hours back: a time zone
        assert_eq!(c.went_back(), None);
        t.0.store(3 * DAY, Ordering::SeqCst); // the flat battery
        assert_eq!(c.went_back(), Some(100 * DAY));
        c.tick();
        assert_eq!(
            c.latest(),
            100 * DAY,
            "a reading at the wrong date raises nothing"
        );
        assert_eq!(c.went_back(), Some(100 * DAY));
        t.0.store(101 * DAY, Ordering::SeqCst); // set right
        assert_eq!(c.went_back(), None);
    }

    #[test]
    fn a_servers_date_raises_the_memory_never_lowers_it_and_tells_a_clock_running_ahead() {
        let t = Arc::new(Manual(AtomicU64::new(50 * DAY)));
        let mut c = Clock::new(DeviceId::random(), (0, 0), t.clone());
        // Behind the server by a week: the memory is raised, the clock fell back.
        assert!(c.note_server(57 * DAY));
        assert_eq!(c.went_back(), Some(57 * DAY));
        // An earlier server date within a day changes nothing.
        assert!(!c.note_server(56 * DAY + DAY / 2));
        assert_eq!(c.went_back(), Some(57 * DAY));
        // Set right, then a year typed wrong: the next server date finds it ahead.
        t.0.store(57 * DAY, Ordering::SeqCst);
        assert_eq!(c.went_back(), None);
        t.0.store(57 * DAY + 3650 * DAY, Ordering::SeqCst);
        c.tick();
        assert!(c.note_server(57 * DAY + 1_000));
        assert_eq!(c.went_ahead(), Some(57 * DAY + 1_000));
        t.0.fetch_add(DAY, Ordering::SeqCst); // a day on, still wrong
        c.tick();
        assert_eq!(c.went_ahead(), Some(57 * DAY + 1_000));
        assert_eq!(
            c.latest(),
            57 * DAY + 1_000,
            "the wrong year's readings are forgotten"
        );
        // Set right: neither ahead nor fallen back.
        t.0.store(58 * DAY, Ordering::SeqCst);
        assert_eq!(c.went_ahead(), None);
        assert_eq!(c.went_back(), None);
        // A server date that agrees ends the finding for good.
        assert!(c.note_server(58 * DAY));
        assert_eq!(c.ahead(), None);
    }

    /// She typed 2036, worked offline (the memory kept 2036), then set the year right herself
    /// before any sync: the next server date, agreeing with the clock, ends the false "fell
    /// back" warning.
    #[test]
    fn a_servers_agreeing_date_vouches_for_a_week_and_never_for_a_date_moved_since() {
        let t = Arc::new(Manual(AtomicU64::new(3650 * DAY)));
        let mut c = Clock::new(DeviceId::random(), (0, 0), t.clone());
        assert!(!c.vouched_within(7 * DAY), "no server has seen it yet");
        c.note_server(3650 * DAY + 60_000);
        assert!(c.vouched_within(7 * DAY));
        t.0.store(3650 * DAY + 6 * DAY, Ordering::SeqCst);
        assert!(c.vouched_within(7 * DAY), "six days on");
        // Her year typed ten years ahead, before any sync.
        t.0.store(7300 * DAY, Ordering::SeqCst);
        assert!(!c.vouched_within(7 * DAY));
        // Set back to before the server saw it (a flat battery).
        t.0.store(100 * DAY, Ordering::SeqCst);
        assert!(!c.vouched_within(7 * DAY));
        // A server that finds it ahead, or fallen back, takes its word back.
        t.0.store(3650 * DAY, Ordering::SeqCst);
        c.note_server(3650 * DAY);
        assert!(c.vouched_within(7 * DAY));
        c.note_server(3000 * DAY);
        assert!(!c.vouched_within(7 * DAY), "found ahead");
        c.note_server(3650 * DAY);
        c.note_server(3660 * DAY);
        assert!(!c.vouched_within(7 * DAY), "found fallen back");
    }

    #[test]
    fn a_year_set_right_offline_is_vouched_for_by_the_next_servers_date() {
        let t = Arc::new(Manual(AtomicU64::new(3650 * DAY + 10 * DAY)));
        let mut c = Clock::new(DeviceId::random(), (0, 0), t.clone());
        c.tick();
        t.0.store(10 * DAY, Ordering::SeqCst);
        assert!(
            c.went_back().is_some(),
            "until a server vouches, it looks fallen back"
        );
        assert!(c.note_server(10 * DAY + 60_000));
        assert_eq!(c.went_back(), None);
        assert_eq!(c.went_ahead(), None);
    }

    #[test]
    fn the_date_is_right_ends_either_warning() {
        let t = Arc::new(Manual(AtomicU64::new(10 * DAY)));
        let mut c = Clock::new(DeviceId::random(), (0, 0), t.clone());
        c.note_server(20 * DAY);
        assert!(c.went_back().is_some());
        c.accept_now();
        assert_eq!(c.went_back(), None);
        t.0.store(30 * DAY, Ordering::SeqCst);
        c.note_server(10 * DAY);
        assert!(c.went_ahead().is_some());
        c.accept_now();
        assert_eq!(c.went_ahead(), None);
        assert_eq!(c.went_back(), None);
    }
}
