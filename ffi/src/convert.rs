//! How plain values cross to Kotlin: ids as their 32-character hex text, dates as
//! `YYYY-MM-DD`, and numbers fitted between Kotlin's `Int`/`Long` and the core's smaller types
//! (one that does not fit is refused, never wrapped).

use komora_core as core;

use crate::error::{KomoraError, Result};

/// Milliseconds as Kotlin's `Long`.
pub(crate) fn ms(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A small count (a score bound) as Kotlin's `Int`.
pub(crate) fn fit_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

pub(crate) fn id(s: &str) -> Result<core::RecordId> {
    s.parse().map_err(KomoraError::from)
}

pub(crate) fn ids(v: &[String]) -> Result<Vec<core::RecordId>> {
    v.iter().map(|s| id(s)).collect()
}

pub(crate) fn date(field: &'static str, s: Option<&str>) -> Result<Option<core::Date>> {
    Ok(s.map(|s| core::Date::parse_field(field, s)).transpose()?)
}

/// A number from Kotlin (`Int`) that the core keeps in a smaller type: one that does not fit
/// is refused, never wrapped.
pub(crate) fn fit<T: TryFrom<i32>>(field: &'static str, n: i32, reason: &str) -> Result<T> {
    T::try_from(n).map_err(|_| KomoraError::Validation {
        field: field.into(),
        reason: reason.into(),
    })
}

pub(crate) fn texts(v: &[core::RecordId]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}
