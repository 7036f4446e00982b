//! Calendar dates, as counsellors write them: `YYYY-MM-DD`, no time of day, no time zone.
//! Stored as text in that form, so comparing texts compares dates.
//!
//! The calendar itself (month lengths, leap years, counting days) is the `time` crate's
//! (ADR 0020); what is Komora's is here: the range of years a record may hold, the form a
//! person types, and the day boundary of Rwanda.

use std::fmt;
use std::str::FromStr;

use time::{Month, UtcDateTime, UtcOffset};

use crate::error::{Error, Result};

/// Rwanda's time: UTC+2 all year (no daylight saving), so a fixed offset and no time zone
/// database, on a tablet or anywhere.
const KIGALI: UtcOffset = match UtcOffset::from_hms(2, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("UTC+2 is a valid offset"),
};

/// 1970-01-01 as a Julian day number: `days()` counts from it.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;
/// The first and last days a record may hold (years 1900 to 9999), as days since 1970-01-01.
const FIRST_DAY: i64 = -25_567;
const LAST_DAY: i64 = 2_932_896;

/// A day in the proleptic Gregorian calendar, in the years 1900 to 9999.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        if !(1900..=9999).contains(&year) {
            return None;
        }
        let month = Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .map(Self)
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    pub fn month(self) -> u8 {
        self.0.month().into()
    }

    /// The date of a Unix time in milliseconds in Rwanda (UTC+2, so the day turns at 22:00
    /// UTC). A time past the year 9999 is the last day.
    pub fn from_unix_ms(ms: u64) -> Self {
        let secs = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
        UtcDateTime::from_unix_timestamp(secs)
            .ok()
            .and_then(|t| t.checked_to_offset(KIGALI))
            .map_or(Self::from_days(LAST_DAY), |t| Self::clamped(t.date()))
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        i64::from(self.0.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY
    }

    /// The day `days` after 1970-01-01; one outside the years 1900 to 9999 is the first or the
    /// last day of that range (a date Komora could not write or read back is never made).
    pub fn from_days(days: i64) -> Self {
        let julian = days.clamp(FIRST_DAY, LAST_DAY) + UNIX_EPOCH_JULIAN_DAY;
        let day = i32::try_from(julian)
            .ok()
            .and_then(|j| time::Date::from_julian_day(j).ok())
            .expect("a day of the years 1900 to 9999 is a date");
        Self(day)
    }

    /// The same day `n` years later (29 February becomes 28 February in a common year), at
    /// most in the year 9999.
    pub fn add_years(self, n: u32) -> Self {
        let year = i32::try_from(n)
            .unwrap_or(i32::MAX)
            .saturating_add(self.year())
            .min(9999);
        let day = self.0.day().min(self.0.month().length(year));
        let date = time::Date::from_calendar_date(year, self.0.month(), day)
            .expect("the same month, the day cut to its length, in the years 1900 to 9999");
        Self(date)
    }

    pub fn add_days(self, n: i64) -> Self {
        Self::from_days(self.days().saturating_add(n))
    }

    /// Parse a date a person typed, for `field`; the error names the field and the form.
    pub fn parse_field(field: &'static str, s: &str) -> Result<Self> {
        s.parse()
            .map_err(|_| Error::validation(field, "use a date like 2026-03-31"))
    }

    fn clamped(d: time::Date) -> Self {
        Self::from_days(Self(d).days())
    }
}

impl FromStr for Date {
    type Err = Error;

    /// Exactly `YYYY-MM-DD` (spaces around it aside). The form is Komora's rule, not the
    /// calendar's, so it is checked here: a stored date is compared as text, which only this
    /// form allows, and a calendar parser would take a sign or other widths.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::validation("date", "use a date like 2026-03-31");
        let s = s.trim();
        let mut parts = s.splitn(3, '-');
        let (y, m, d) = (
            parts.next().ok_or_else(bad)?,
            parts.next().ok_or_else(bad)?,
            parts.next().ok_or_else(bad)?,
        );
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let num = |p: &str| -> Result<u32> {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        Date::new(num(y)? as i32, num(m)? as u8, num(d)? as u8).ok_or_else(bad)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_refuse_impossible_days() {
        for text in ["1994-04-07", "2000-02-29", "2026-12-31", "1970-01-01"] {
            let d: Date = text.parse().unwrap();
            assert_eq!(d.to_string(), text);
            assert_eq!(Date::from_days(d.days()), d);
        }
        assert_eq!("1970-01-02".parse::<Date>().unwrap().days(), 1);
        for bad in [
            "2026-02-30",
            "2025-02-29",
            "26-1-1",
            "2026-13-01",
            "2026-00-10",
            "",
            "2026-1a-01",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        let d: Date = "2026-12-30".parse().unwrap();
        assert_eq!(d.add_days(3).to_string(), "2027-01-02");
        // 2026-11-29 21:59 UTC is 23:59 in Kigali; 22:00 UTC is the next day there.
        assert_eq!(
            Date::from_unix_ms(1_795_989_540_000).to_string(),
            "2026-11-29"
        );
        assert_eq!(
            Date::from_unix_ms(1_795_989_600_000).to_string(),
            "2026-11-30"
        );
    }

    #[test]
    fn the_range_ends_where_komora_says() {
        assert_eq!(Date::from_days(FIRST_DAY).to_string(), "1900-01-01");
        assert_eq!(Date::from_days(LAST_DAY).to_string(), "9999-12-31");
        assert_eq!(Date::new(1899, 12, 31), None);
        assert_eq!(Date::new(10_000, 1, 1), None);
        // Arithmetic never leaves the range: the end of it stands for "further than that".
        assert_eq!(
            Date::from_days(LAST_DAY).add_days(1),
            Date::from_days(LAST_DAY)
        );
        assert_eq!(
            Date::from_days(FIRST_DAY).add_days(-1),
            Date::from_days(FIRST_DAY)
        );
        assert_eq!(Date::from_unix_ms(u64::MAX), Date::from_days(LAST_DAY));
        assert_eq!(
            Date::from_days(i64::MIN).add_days(i64::MIN),
            Date::from_days(FIRST_DAY)
        );
        let leap: Date = "2024-02-29".parse().unwrap();
        assert_eq!(leap.add_years(1).to_string(), "2025-02-28");
        assert_eq!(leap.add_years(4).to_string(), "2028-02-29");
        assert_eq!(leap.add_years(u32::MAX).to_string(), "9999-02-28");
    }

    /// Every day Komora can hold reads back as itself, by its number and by its text, and
    /// the next day is one more (the calendar against the old hand-written code, day by day:
    /// the commit that brought in the `time` crate).
    #[test]
    fn every_day_from_1900_to_9999_reads_back_as_itself() {
        let mut before: Option<Date> = None;
        for n in FIRST_DAY..=LAST_DAY {
            let d = Date::from_days(n);
            assert_eq!(d.days(), n);
            assert_eq!(d.to_string().parse::<Date>().unwrap(), d);
            if let Some(b) = before {
                assert!(b < d && b.add_days(1) == d, "day {n}");
            }
            before = Some(d);
        }
    }

    #[test]
    fn known_days_have_their_known_numbers() {
        for (text, n) in [
            ("1900-01-01", -25_567),
            ("1900-03-01", -25_508),
            ("1994-04-07", 8_862),
            ("2000-03-01", 11_017),
            ("2100-03-01", 47_541),
            ("9999-12-31", 2_932_896),
        ] {
            assert_eq!(text.parse::<Date>().unwrap().days(), n, "{text}");
        }
    }
}
