//! Calendar dates, as counsellors write them: `YYYY-MM-DD`, no time of day, no time zone.
//! Stored as text in that form, so comparing texts compares dates.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A day in the proleptic Gregorian calendar.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let ok = (1900..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        ok.then_some(Self { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    /// The date of a Unix time in milliseconds (UTC; Rwanda is UTC+2 without daylight saving,
    /// so the day turns at 02:00 local time, which is close enough for due dates).
    pub fn from_unix_ms(ms: u64) -> Self {
        let local_ms = ms + 2 * 3_600_000;
        Self::from_days((local_ms / 86_400_000) as i64)
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    /// The same day `n` years later (29 February becomes 28 February in a common year).
    pub fn add_years(self, n: u32) -> Self {
        let year = self.year.saturating_add(n as i32).min(9999);
        let day = self.day.min(days_in_month(year, self.month));
        Self {
            year,
            month: self.month,
            day,
        }
    }

    pub fn add_days(self, n: i64) -> Self {
        Self::from_days(self.days() + n)
    }

    /// Parse a date a person typed, for `field`; the error names the field and the form.
    pub fn parse_field(field: &'static str, s: &str) -> Result<Self> {
        s.parse()
            .map_err(|_| Error::validation(field, "use a date like 2026-03-31"))
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl FromStr for Date {
    type Err = Error;

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
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
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
}
