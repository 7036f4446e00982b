//! Cut-off sets: which scores count as a case, from which source and for which population.
//!
//! Every instrument has its standard set (the bands of its own file, `<id>:standard`); other
//! sets ship in `data/cutoffs.json`, each with its source, population and how far it was
//! checked. A set's bands may depend on sex (SRQ-20 in Rwanda: women 10, men 8). An
//! administrator chooses one set per instrument for the team; the choice is a field of the
//! team's policy record, which only administrators' writes change on every tablet. Scores are
//! stored, bands never: a new choice re-reads every past score under the new set.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use komora_protocol::Role;
use serde::{Deserialize, Serialize};

use super::instrument::{latest_instrument, Band, Instrument};
use super::policy::KIND as POLICY;
use super::StateExt;
use crate::client::Sex;
use crate::error::{Error, Result};
use crate::store::Edit;
use crate::value::Value;
use crate::vault::Vault;

/// How far Komora checked a set against its source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutoffReview {
    /// checked, checked-abstract or unverified.
    pub status: String,
    pub checked_against: String,
    pub note: String,
}

/// One set of bands for an instrument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutoffSet {
    pub id: String,
    pub instrument: String,
    pub name: String,
    pub source: String,
    pub population: String,
    pub review: CutoffReview,
    pub bands: Vec<Band>,
}

#[derive(Deserialize)]
struct Shipped {
    sets: Vec<CutoffSet>,
}

const STATUSES: &[&str] = &["checked", "checked-abstract", "unverified"];

impl CutoffSet {
    /// The standard set of an instrument: the bands of its own file.
    fn standard(i: &Instrument) -> Self {
        CutoffSet {
            id: format!("{}:standard", i.id),
            instrument: i.id.clone(),
            name: "Standard".into(),
            source: i.source.clone(),
            population: "As in the instrument's source (see SOURCES.md)".into(),
            review: CutoffReview {
                status: "checked".into(),
                checked_against: "data/instruments/SOURCES.md".into(),
                note: String::new(),
            },
            bands: i.bands.clone(),
        }
    }

    /// Every score of the instrument falls in exactly one band, for each sex the set names
    /// (or for everyone when it names none).
    fn check(&self, i: &Instrument) -> Result<()> {
        let bad = |why: &str| Error::validation("cutoffs", format!("{}: {why}", self.id));
        if !STATUSES.contains(&self.review.status.as_str()) {
            return Err(bad(
                "a review status is checked, checked-abstract or unverified",
            ));
        }
        let sexed = self.bands.iter().filter(|b| b.sex.is_some()).count();
        let groups: Vec<Option<&str>> = if sexed == 0 {
            vec![None]
        } else if sexed == self.bands.len() {
            vec![Some("F"), Some("M")]
        } else {
            return Err(bad("either every band names a sex or none does"));
        };
        let (lo, hi) = i.range();
        for g in groups {
            let mut next = lo;
            for b in self.bands.iter().filter(|b| b.sex.as_deref() == g) {
                if b.min != next || b.max < b.min {
                    return Err(bad("bands must cover every score in order, without gaps"));
                }
                next = b.max + 1;
            }
            if next != hi + 1 {
                return Err(bad("bands must cover every score in order, without gaps"));
            }
        }
        Ok(())
    }

    /// The bands that apply to a client of `sex`. Unknown sex under a sex-specific set: the
    /// group whose first cut-off is the lowest (it flags rather than misses).
    pub fn bands_for(&self, sex: Option<Sex>) -> Vec<Band> {
        if self.bands.iter().all(|b| b.sex.is_none()) {
            return self.bands.clone();
        }
        let group = |code: &str| -> Vec<Band> {
            self.bands
                .iter()
                .filter(|b| b.sex.as_deref() == Some(code))
                .cloned()
                .collect()
        };
        match sex {
            Some(s) => group(s.code()),
            None => {
                let (f, m) = (group("F"), group("M"));
                let first_cut = |b: &[Band]| b.get(1).map_or(u32::MAX, |b| b.min);
                if first_cut(&m) <= first_cut(&f) {
                    m
                } else {
                    f
                }
            }
        }
    }
}

/// Every set Komora ships: each instrument's standard set, then `data/cutoffs.json`.
pub fn cutoff_sets() -> &'static [CutoffSet] {
    static ALL: OnceLock<Vec<CutoffSet>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all: Vec<CutoffSet> = Vec::new();
        for i in super::instrument::instruments() {
            if !all.iter().any(|s| s.instrument == i.id) {
                let latest = latest_instrument(&i.id).expect("listed");
                all.push(CutoffSet::standard(latest));
            }
        }
        let shipped: Shipped = serde_json::from_str(include_str!("../../data/cutoffs.json"))
            .expect("the shipped cut-off sets parse");
        for s in shipped.sets {
            let i =
                latest_instrument(&s.instrument).expect("a shipped set names a known instrument");
            s.check(i).expect("a shipped cut-off set is valid");
            all.push(s);
        }
        all
    })
}

/// One set by id.
pub fn cutoff_set(id: &str) -> Result<&'static CutoffSet> {
    cutoff_sets().iter().find(|s| s.id == id).ok_or_else(|| {
        let known: Vec<&str> = cutoff_sets().iter().map(|s| s.id.as_str()).collect();
        Error::validation(
            "cutoffs",
            format!("not a known cut-off set; use one of: {}", known.join(", ")),
        )
    })
}

/// Where the team's choices were first kept (team formats 2 and 3): one JSON map (instrument
/// to set) in one field, so two administrators choosing for different instruments offline
/// lost one choice. Still read, for the instruments that have no field of their own.
const CHOICES: &str = "cutoff_sets";
/// Each instrument's choice in a field of its own (`cutoff_set:phq-9`, team format 4):
/// concurrent choices for different instruments both stand; two for the same instrument merge
/// as any field does. A field wins over the map for its instrument.
const CHOICE_PREFIX: &str = "cutoff_set:";

impl Vault {
    /// The team's choices: instrument id to set id (instruments not named use their
    /// standard set).
    pub fn cutoff_choices(&self) -> Result<BTreeMap<String, String>> {
        let Ok(s) = self.live_state(self.policy_record(), POLICY) else {
            return Ok(BTreeMap::new());
        };
        let mut choices: BTreeMap<String, String> = s
            .text(CHOICES)
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        for (field, _) in &s.fields.0 {
            if let (Some(instrument), Some(set)) =
                (field.strip_prefix(CHOICE_PREFIX), s.text(field))
            {
                choices.insert(instrument.to_owned(), set);
            }
        }
        Ok(choices)
    }

    /// The set this team uses for `instrument` (an unknown choice, from a newer app, falls
    /// back to the standard set).
    pub fn cutoff_set_in_use(&self, instrument: &str) -> Result<&'static CutoffSet> {
        latest_instrument(instrument)?;
        let chosen = self.cutoff_choices()?.get(instrument).cloned();
        Ok(chosen
            .and_then(|id| cutoff_set(&id).ok())
            .unwrap_or_else(|| {
                cutoff_set(&format!("{instrument}:standard")).expect("every instrument has one")
            }))
    }

    /// Choose the set the team uses for an instrument (administrators). Every tablet re-reads
    /// every score under it after its next sync.
    pub fn choose_cutoff_set(&mut self, instrument: &str, set: &str) -> Result<()> {
        if let Some(role) = self.role()? {
            if role != Role::Admin {
                return Err(Error::Forbidden(
                    "only an administrator chooses the team's cut-off sets".into(),
                ));
            }
        }
        let chosen = cutoff_set(set)?;
        if chosen.instrument != instrument {
            return Err(Error::validation(
                "cutoffs",
                format!("{set} is a set for {}", chosen.instrument),
            ));
        }
        let record = self.policy_record();
        let create = self.live_state(record, POLICY).is_err();
        // A field per instrument once every tablet of the team reads it (format 4); the map
        // before, which a concurrent choice for another instrument can still overwrite.
        let per_field = self
            .store
            .team_format()?
            .is_none_or(|f| f >= crate::format::CUTOFF_FIELDS);
        let mut edits = if per_field {
            vec![Edit::SetNamed(
                format!("{CHOICE_PREFIX}{instrument}"),
                set.to_owned().into(),
            )]
        } else {
            let mut choices = self.cutoff_choices()?;
            choices.insert(instrument.to_owned(), set.to_owned());
            let json = serde_json::to_string(&choices).expect("a map of strings serialises");
            vec![Edit::Set(CHOICES, json.into())]
        };
        if create {
            // The team's own record is made whole the first time, as `set_team_policy` does:
            // a team from before per-team policy ids keeps the rule of the old record.
            let p = self.team_policy()?;
            let int = |v: Option<u32>| v.map_or(Value::Null, |n| Value::Int(i64::from(n)));
            edits.push(Edit::Set("auto_lock_minutes", int(p.auto_lock_minutes)));
            edits.push(Edit::Set("wipe_after_failures", int(p.wipe_after_failures)));
        }
        self.write_record(record, POLICY, create, edits)
    }

    /// The band of `score` for a client of `sex` under the team's set.
    pub(crate) fn band_in_use(
        &self,
        instrument: &str,
        score: u32,
        sex: Option<Sex>,
    ) -> Option<Band> {
        let set = self.cutoff_set_in_use(instrument).ok()?;
        set.bands_for(sex)
            .into_iter()
            .find(|b| (b.min..=b.max).contains(&score))
    }
}
