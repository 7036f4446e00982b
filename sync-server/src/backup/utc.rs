//! UTC times for backup file names and for what the administrator reads. The calendar is the
//! `time` crate's (the core's already, ADR 0020); this file only says how the names look.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// The UTC time `ms` milliseconds after 1970 (whole seconds; an instant past year 9999, which
/// no clock of ours gives, reads as the last second a calendar here can name).
fn utc(ms: u64) -> OffsetDateTime {
    let seconds = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(seconds)
        .unwrap_or_else(|_| PrimitiveDateTime::new(Date::MAX, Time::MIDNIGHT).assume_utc())
}

/// `20261129T080000Z`: sorts like the time it names, fits a file name everywhere.
pub fn stamp(ms: u64) -> String {
    let t = utc(ms);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A `stamp` back into milliseconds since 1970; `None` if it is not one.
pub fn parse_stamp(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = text.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, mo, d) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (h, mi, s) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    // The calendar refuses 31 November and 29 February of a common year, hours past 23.
    let date = Date::from_calendar_date(
        i32::try_from(y).ok()?,
        Month::try_from(u8::try_from(mo).ok()?).ok()?,
        u8::try_from(d).ok()?,
    )
    .ok()?;
    let time = Time::from_hms(
        u8::try_from(h).ok()?,
        u8::try_from(mi).ok()?,
        u8::try_from(s).ok()?,
    )
    .ok()?;
    let seconds = PrimitiveDateTime::new(date, time)
        .assume_utc()
        .unix_timestamp();
    u64::try_from(seconds).ok()?.checked_mul(1000)
}

/// `2026-11-29 08:00:00 UTC`, for people.
pub fn human(ms: u64) -> String {
    let t = utc(ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `3 h 12 min`, `2 days 4 h`, `40 s`: an age an administrator reads at a glance.
pub fn age(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..=59 => format!("{s} s"),
        60..=3_599 => format!("{} min", s / 60),
        3_600..=86_399 => format!("{} h {} min", s / 3600, s / 60 % 60),
        _ => format!("{} days {} h", s / 86_400, s / 3600 % 24),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_are_named_as_a_calendar_names_them() {
        assert_eq!(stamp(0), "19700101T000000Z");
        // A morning in the field (the scenario tests' clock) and a leap day.
        assert_eq!(stamp(1_795_939_200_000), "20261129T080000Z");
        assert_eq!(human(1_795_939_200_000), "2026-11-29 08:00:00 UTC");
        assert_eq!(stamp(951_782_400_000 + 3_723_000), "20000229T010203Z");
    }

    #[test]
    fn every_stamp_reads_back_as_its_instant() {
        let mut ms = 0u64;
        while ms < 4_102_444_800_000 {
            // Whole seconds only: a stamp has no finer grain.
            let at = ms / 1000 * 1000;
            assert_eq!(parse_stamp(&stamp(at)), Some(at), "{}", stamp(at));
            ms += 7_654_321_987;
        }
    }

    #[test]
    fn what_is_not_a_stamp_is_refused() {
        for bad in [
            "",
            "20261129T080000",
            "20261131T080000Z",
            "20260229T080000Z",
            "20261129T250000Z",
            "2026112xT080000Z",
            "20261129 080000Z",
            "+0261129T080000Z",
        ] {
            assert_eq!(parse_stamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn ages_read_at_a_glance() {
        assert_eq!(age(40_000), "40 s");
        assert_eq!(age(11_520_000), "3 h 12 min");
        assert_eq!(age(187_200_000), "2 days 4 h");
    }
}
