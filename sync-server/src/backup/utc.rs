//! UTC times for backup file names and for what the administrator reads, without a date crate:
//! the civil-calendar conversion is a few lines (Howard Hinnant's `days_from_civil` and
//! `civil_from_days`), and a wrong one is caught by the round-trip tests below.

const DAY_MS: u64 = 86_400_000;

/// Days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (year, month, day) to days since 1970-01-01.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The parts of a UTC time: year, month, day, hour, minute, second.
fn parts(ms: u64) -> (i64, u32, u32, u64, u64, u64) {
    let (y, mo, d) = civil_from_days((ms / DAY_MS) as i64);
    let s = (ms % DAY_MS) / 1000;
    (y, mo, d, s / 3600, s / 60 % 60, s % 60)
}

/// `20261129T080000Z`: sorts like the time it names, fits a file name everywhere.
pub fn stamp(ms: u64) -> String {
    let (y, mo, d, h, mi, s) = parts(ms);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
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
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let days = days_from_civil(i64::from(y), mo, d);
    let ms = days * DAY_MS as i64 + i64::from(h * 3600 + mi * 60 + s) * 1000;
    let ms = u64::try_from(ms).ok()?;
    // 31 February is not a day: it must come back as itself.
    (stamp(ms) == text).then_some(ms)
}

/// `2026-11-29 08:00:00 UTC`, for people.
pub fn human(ms: u64) -> String {
    let (y, mo, d, h, mi, s) = parts(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC")
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
