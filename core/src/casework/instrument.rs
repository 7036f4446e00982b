//! Measurement instruments as data (`data/instruments/*.json`): items, answer options,
//! scoring, severity bands, alerts and translations. Each file names the published source it
//! was checked against (`data/instruments/SOURCES.md`); a translation Komora does not have
//! from a published source is `null`, never invented.
//!
//! Definitions also arrive from outside (a future update pushed to devices), so
//! [`Instrument::from_json`] checks everything a score depends on.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A text in the three languages of the app; missing translations are `None`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translated {
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerOption {
    pub value: u8,
    pub label: Translated,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub text: Translated,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scoring {
    /// Only "sum" today: the sum of the answers, times `multiplier`.
    pub method: String,
    pub multiplier: u32,
}

/// A severity band: scores from `min` to `max` inclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub id: String,
    pub min: u32,
    pub max: u32,
    pub label: Translated,
    /// For a sex-specific cut-off set (`cutoffs.rs`): the sex it applies to, F or M.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
}

/// An answer at or above `min_value` on `item` raises the risk flag `flag` on the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub item: String,
    pub min_value: u8,
    pub flag: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instrument {
    pub id: String,
    pub version: u32,
    pub name: Translated,
    pub source: String,
    pub instructions: Translated,
    pub options: Vec<AnswerOption>,
    pub items: Vec<Item>,
    pub scoring: Scoring,
    pub higher_is_better: bool,
    pub bands: Vec<Band>,
    pub alerts: Vec<Alert>,
    /// The English texts (by path: `instructions`, `items.3`...) not checked against the
    /// source: shown with the draft mark. Every other English text is the source's own.
    #[serde(default)]
    pub english_drafts: Vec<String>,
}

/// A computed score.
#[derive(Clone, PartialEq, Eq)]
pub struct Score {
    pub total: u32,
    pub band: String,
    /// Risk flags the answers raise.
    pub alerts: Vec<String>,
}

/// A person's score is health data: never printed.
impl std::fmt::Debug for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Score([redacted])")
    }
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::validation("instrument", reason)
}

impl Instrument {
    /// Parse and check a definition that came from outside.
    pub fn from_json(json: &str) -> Result<Self> {
        if json.len() > 256 * 1024 {
            return Err(invalid("the definition is too large"));
        }
        let i: Instrument = serde_json::from_str(json)
            .map_err(|_| invalid("the definition is not valid instrument JSON"))?;
        i.check()?;
        Ok(i)
    }

    fn check(&self) -> Result<()> {
        let id_ok = |s: &str| {
            (1..=32).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        };
        if !id_ok(&self.id) || self.version == 0 {
            return Err(invalid("an instrument needs an id and a version from 1"));
        }
        if self.items.is_empty() || self.items.len() > 200 {
            return Err(invalid("an instrument needs 1 to 200 items"));
        }
        let mut ids: Vec<&str> = self.items.iter().map(|i| i.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        if ids.len() != self.items.len() || ids.iter().any(|i| !id_ok(i)) {
            return Err(invalid("item ids must be distinct and short"));
        }
        let mut values: Vec<u8> = self.options.iter().map(|o| o.value).collect();
        values.sort();
        values.dedup();
        if values.len() != self.options.len() || values.len() < 2 {
            return Err(invalid(
                "an instrument needs at least two distinct answer options",
            ));
        }
        if self.scoring.method != "sum" || !(1..=100).contains(&self.scoring.multiplier) {
            return Err(invalid(
                "only summed scores with a multiplier from 1 to 100 are known",
            ));
        }
        let (lo, hi) = self.range();
        let mut next = lo;
        for band in &self.bands {
            if band.sex.is_some() {
                return Err(invalid(
                    "an instrument's own bands apply to everyone; sex-specific bands are a cut-off set",
                ));
            }
            if band.min != next || band.max < band.min || !id_ok(&band.id) {
                return Err(invalid(
                    "bands must cover every score in order, without gaps",
                ));
            }
            next = band.max + 1;
        }
        if self.bands.is_empty() || next != hi + 1 {
            return Err(invalid(
                "bands must cover every score in order, without gaps",
            ));
        }
        for alert in &self.alerts {
            if !self.items.iter().any(|i| i.id == alert.item) {
                return Err(invalid("an alert names an unknown item"));
            }
            super::lists::check(&super::lists::lists().risk_flags, "instrument", &alert.flag)?;
        }
        Ok(())
    }

    /// The lowest and highest possible scores.
    pub fn range(&self) -> (u32, u32) {
        let min = self.options.iter().map(|o| o.value).min().unwrap_or(0) as u32;
        let max = self.options.iter().map(|o| o.value).max().unwrap_or(0) as u32;
        let n = self.items.len() as u32;
        (
            min * n * self.scoring.multiplier,
            max * n * self.scoring.multiplier,
        )
    }

    /// Score a complete set of answers, one per item in order. Refuses a missing answer or one
    /// that is not an option.
    pub fn score(&self, answers: &[u8]) -> Result<Score> {
        if answers.len() != self.items.len() {
            return Err(Error::validation(
                "answers",
                format!(
                    "{} asks {} questions; {} answers were given",
                    self.id,
                    self.items.len(),
                    answers.len()
                ),
            ));
        }
        for (n, a) in answers.iter().enumerate() {
            if !self.options.iter().any(|o| o.value == *a) {
                let values: Vec<String> =
                    self.options.iter().map(|o| o.value.to_string()).collect();
                return Err(Error::validation(
                    "answers",
                    format!(
                        "the answer to question {} is out of range; use {}",
                        n + 1,
                        values.join(", ")
                    ),
                ));
            }
        }
        let total = answers.iter().map(|&a| u32::from(a)).sum::<u32>() * self.scoring.multiplier;
        let band = self
            .bands
            .iter()
            .find(|b| (b.min..=b.max).contains(&total))
            .map(|b| b.id.clone())
            .unwrap_or_default();
        let alerts = self
            .alerts
            .iter()
            .filter(|al| {
                self.items
                    .iter()
                    .position(|i| i.id == al.item)
                    .is_some_and(|p| answers[p] >= al.min_value)
            })
            .map(|al| al.flag.clone())
            .collect();
        Ok(Score {
            total,
            band,
            alerts,
        })
    }

    pub fn band(&self, id: &str) -> Option<&Band> {
        self.bands.iter().find(|b| b.id == id)
    }
}

/// The instruments shipped with this version, checked when first used.
pub fn instruments() -> &'static [Instrument] {
    static ALL: OnceLock<Vec<Instrument>> = OnceLock::new();
    ALL.get_or_init(|| {
        [
            include_str!("../../data/instruments/phq-9.json"),
            include_str!("../../data/instruments/who-5.json"),
            include_str!("../../data/instruments/srq-20.json"),
            include_str!("../../data/instruments/pcl-5.json"),
        ]
        .iter()
        .map(|j| Instrument::from_json(j).expect("a shipped instrument is valid"))
        .collect()
    })
}

/// The instrument `id` at `version`, or a typed refusal.
pub fn instrument(id: &str, version: u32) -> Result<&'static Instrument> {
    let known = instruments().iter().filter(|i| i.id == id);
    let mut any = false;
    for i in known {
        any = true;
        if i.version == version {
            return Ok(i);
        }
    }
    Err(if any {
        Error::validation(
            "instrument",
            "this version of the instrument is not known on this device; update the app",
        )
    } else {
        Error::validation(
            "instrument",
            "not a known instrument; use phq-9, who-5, srq-20 or pcl-5",
        )
    })
}

/// The newest version of instrument `id`.
pub fn latest_instrument(id: &str) -> Result<&'static Instrument> {
    instruments()
        .iter()
        .filter(|i| i.id == id)
        .max_by_key(|i| i.version)
        .ok_or_else(|| {
            Error::validation(
                "instrument",
                "not a known instrument; use phq-9, who-5, srq-20 or pcl-5",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_instruments_load_with_their_published_shape_and_cut_offs() {
        let count = |id: &str| latest_instrument(id).unwrap().items.len();
        assert_eq!(
            (
                count("phq-9"),
                count("who-5"),
                count("srq-20"),
                count("pcl-5")
            ),
            (9, 5, 20, 20)
        );
        let phq = latest_instrument("phq-9").unwrap();
        let band = |answers: [u8; 9]| phq.score(&answers).unwrap().band;
        assert_eq!(band([0, 0, 0, 0, 1, 1, 1, 1, 0]), "minimal");
        assert_eq!(band([1, 1, 1, 1, 1, 0, 0, 0, 0]), "mild");
        assert_eq!(band([2, 2, 2, 2, 2, 2, 1, 1, 0]), "moderate");
        assert_eq!(band([3; 9]), "severe");
        let who = latest_instrument("who-5").unwrap();
        assert!(who.higher_is_better);
        assert_eq!(who.score(&[5; 5]).unwrap().total, 100, "raw 25 x 4");
        assert_eq!(who.score(&[2, 2, 2, 3, 3]).unwrap().band, "poor_wellbeing");
        let srq = latest_instrument("srq-20").unwrap();
        let mut yes17 = [0u8; 20];
        yes17[16] = 1;
        assert_eq!(
            srq.score(&yes17).unwrap().alerts,
            vec!["suicide-risk".to_owned()]
        );
        assert_eq!(latest_instrument("pcl-5").unwrap().range(), (0, 80));
        // No invented translations: Komora ships only English until a published text is in.
        for i in instruments() {
            assert!(i.items.iter().all(|it| it.text.rw.is_none()), "{}", i.id);
        }
    }

    #[test]
    fn a_definition_from_outside_with_gaps_or_unknown_flags_is_refused() {
        let good = include_str!("../../data/instruments/phq-9.json");
        assert!(Instrument::from_json(good).is_ok());
        let gap = good.replacen("\"min\": 5", "\"min\": 6", 1);
        assert!(Instrument::from_json(&gap).is_err());
        let flag = good.replace("suicide-risk", "something-else");
        assert!(Instrument::from_json(&flag).is_err());
        assert!(Instrument::from_json("{not json").is_err());
        assert!(Instrument::from_json(&" ".repeat(300 * 1024)).is_err());
    }
}
