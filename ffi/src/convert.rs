//! How plain values cross to Kotlin. Record ids, device ids and dates are uniffi custom types
//! over `String` in what the core returns and in methods' arguments: Kotlin sees the text it
//! always saw (`typealias RecordId = String`, 32 hex characters; `Date`, `YYYY-MM-DD`), Rust
//! holds the core's own types, and an id argument that is not one is refused as it crosses, as
//! `Validation("id", ...)`, before the call runs.
//!
//! The records Kotlin builds from a form (`NewSession`, `NewReferral`, ...) keep their ids and
//! dates as text on purpose, parsed here by [`id`], [`ids`] and [`date`]:
//! - Kotlin prints such a record through Rust's redacting `Debug` (`uniffi::export(Debug)`),
//!   which lifts the whole record first: with a custom type, a half-filled form holding a bad
//!   id would make `toString()` throw instead of printing `NewSession([redacted])`;
//! - a date's refusal names the form's field (`next_appointment`, `follow_up`), which the
//!   screens show the message beside; a custom type could only ever say "date".
//!
//! The records the core returns are typed: their ids and dates come from the core, so they
//! always lift again when Kotlin prints one.
//!
//! Numbers Kotlin holds as `Int`/`Long` are fitted to the core's smaller types here: one that
//! does not fit is refused, never wrapped.

use komora_core::{Date, DeviceId, RecordId};

use crate::error::{KomoraError, Result};

uniffi::custom_type!(RecordId, String, {
    remote,
    lower: |id| id.to_string(),
    try_lift: |text| Ok(text.parse::<RecordId>().map_err(KomoraError::from)?),
});

uniffi::custom_type!(DeviceId, String, {
    remote,
    lower: |id| id.to_string(),
    try_lift: |text| Ok(text.parse::<DeviceId>().map_err(KomoraError::from)?),
});

uniffi::custom_type!(Date, String, {
    remote,
    lower: |date| date.to_string(),
    try_lift: |text| Ok(text.parse::<Date>().map_err(KomoraError::from)?),
});

/// An id in a record Kotlin built (`NewSession.case_id`): refused as `Validation("id", ...)`.
pub(crate) fn id(s: &str) -> Result<RecordId> {
    Ok(s.parse()?)
}

pub(crate) fn ids(v: &[String]) -> Result<Vec<RecordId>> {
    v.iter().map(|s| id(s)).collect()
}

/// A date typed on a form, for `field`: the refusal names the field.
pub(crate) fn date(field: &'static str, s: Option<&str>) -> Result<Option<Date>> {
    Ok(s.map(|s| Date::parse_field(field, s)).transpose()?)
}

/// Milliseconds as Kotlin's `Long`.
pub(crate) fn ms(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A small count (a score bound) as Kotlin's `Int`.
pub(crate) fn fit_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// A number from Kotlin (`Int`) that the core keeps in a smaller type: one that does not fit
/// is refused, never wrapped.
pub(crate) fn fit<T: TryFrom<i32>>(field: &'static str, n: i32, reason: &str) -> Result<T> {
    T::try_from(n).map_err(|_| KomoraError::Validation {
        field: field.into(),
        reason: reason.into(),
    })
}

#[cfg(test)]
mod tests {
    use komora_core::{Date, DeviceId, RecordId};
    use uniffi::{Lift, Lower};

    use crate::{KomoraError, UniFfiTag};

    /// What Kotlin would send: a `String` lowered as the generated code lowers it.
    fn from_kotlin<T: Lift<UniFfiTag, FfiType = uniffi::RustBuffer>>(
        text: &str,
    ) -> uniffi::Result<T> {
        T::try_lift(<String as Lower<UniFfiTag>>::lower(text.to_owned()))
    }

    fn refusal(e: uniffi::deps::anyhow::Error) -> KomoraError {
        // uniffi hands the caller this error when it downcasts to the call's own error type.
        e.downcast::<KomoraError>()
            .expect("a typed KomoraError, not an internal one")
    }

    #[test]
    fn ids_and_dates_cross_as_the_text_kotlin_always_saw() {
        let id: RecordId = "00112233445566778899aabbccddeeff".parse().unwrap();
        let lowered = <RecordId as Lower<UniFfiTag>>::lower(id);
        let text = <String as Lift<UniFfiTag>>::try_lift(lowered).unwrap();
        assert_eq!(text, "00112233445566778899aabbccddeeff");
        assert_eq!(from_kotlin::<RecordId>(&text).unwrap(), id);
        let day: Date = from_kotlin("2026-03-31").unwrap();
        assert_eq!(day.to_string(), "2026-03-31");
        let device: DeviceId = from_kotlin("ffeeddccbbaa99887766554433221100").unwrap();
        assert_eq!(device.to_string(), "ffeeddccbbaa99887766554433221100");
    }

    #[test]
    fn an_id_that_is_not_one_is_refused_as_it_crosses_naming_the_field_never_the_text() {
        for e in [
            refusal(from_kotlin::<RecordId>("Zz-not-an-id").unwrap_err()),
            refusal(from_kotlin::<DeviceId>("Zz-not-an-id").unwrap_err()),
        ] {
            let KomoraError::Validation { field, reason } = &e else {
                panic!("got {e:?}");
            };
            assert_eq!(field, "id");
            assert!(
                !reason.contains("Zz") && !e.to_string().contains("Zz"),
                "{e}"
            );
        }
        let e = refusal(from_kotlin::<Date>("31/03/2026").unwrap_err());
        assert!(matches!(&e, KomoraError::Validation { field, .. } if field == "date"));
    }

    /// Kotlin prints a record it built through Rust's redacting `Debug`, which lifts the whole
    /// record: a form not yet valid (ids not yet chosen, a date half typed) prints, it never
    /// throws.
    #[test]
    fn a_form_kotlin_builds_prints_whatever_it_holds() {
        fn printed<T>(form: T) -> String
        where
            T: Lift<UniFfiTag, FfiType = uniffi::RustBuffer>,
            T: Lower<UniFfiTag, FfiType = uniffi::RustBuffer> + std::fmt::Debug,
        {
            let lowered = T::lower(form);
            format!("{:?}", T::try_lift(lowered).expect("any text lifts"))
        }
        let x = || "x".to_owned();
        let session = crate::NewSession {
            case_id: x(),
            modality: x(),
            date: Some("31/03".into()),
            duration_min: None,
            participants: vec![x()],
            interventions: vec![],
            notes: Some("Uwase cried".into()),
            follow_up_plan: None,
            next_appointment: Some(x()),
            household_present: vec![],
            safety_notes: None,
        };
        assert_eq!(printed(session), "NewSession([redacted])");
        let assessment = crate::NewAssessment {
            client_id: x(),
            instrument: x(),
            answers: vec![],
            case_id: Some(x()),
            session_id: Some(x()),
            date: Some(x()),
        };
        assert_eq!(printed(assessment), "NewAssessment([redacted])");
        let consent = crate::NewConsent {
            client_id: x(),
            scope: x(),
            withdrawn: false,
            language: x(),
            guardian_name: None,
            date: Some(x()),
        };
        assert_eq!(printed(consent), "NewConsent([redacted])");
        let referral = crate::NewReferral {
            client_id: x(),
            case_id: Some(x()),
            destination: x(),
            organisation: None,
            reason: None,
            follow_up: Some(x()),
            date: Some(x()),
        };
        assert_eq!(printed(referral), "NewReferral([redacted])");
        let group = crate::NewGroup {
            name: x(),
            kind: x(),
            facilitators: vec![],
            members: vec![x()],
            cycle_length: None,
            started: Some(x()),
        };
        assert_eq!(printed(group), "NewGroup([redacted])");
    }
}
