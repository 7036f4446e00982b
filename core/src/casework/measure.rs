//! Administered assessments: the answers a client gave to an instrument. The core computes the
//! score and band from the answers and the instrument's definition; answers out of range are
//! refused. Answers that trigger an alert (PHQ-9 item 9, SRQ-20 item 17) raise the matching
//! risk flag on the case in the same transaction.

use std::fmt;

use super::case::KIND as CASE;
use super::date::Date;
use super::instrument::{instrument, latest_instrument, Score};
use super::{id_value, StateExt};
use crate::error::{Error, Result};
use crate::hlc::Hlc;
use crate::ids::{DeviceId, RecordId};
use crate::kind::{FileRole, KindSpec, Readers, Writers};
use crate::merge::RecordState;
use crate::store::{Edit, RecordEdit};
use crate::value::Value;
use crate::vault::Vault;

pub(crate) const KIND: &str = "assessment";

/// The fields the kind's rules name (`SPEC`), written once.
pub(crate) mod field {
    pub(crate) const CLIENT: &str = "client";
    pub(crate) const INSTRUMENT: &str = "instrument";
    pub(crate) const VERSION: &str = "version";
    pub(crate) const DATE: &str = "date";
    pub(crate) const SCORE: &str = "score";
}

/// This kind's rules, read by the store (`crate::kind`).
pub(crate) const SPEC: KindSpec = KindSpec {
    file: FileRole::JoinsVia(field::CLIENT),
    readers: Readers::StatisticsOnly(&[
        field::CLIENT,
        field::INSTRUMENT,
        field::VERSION,
        field::DATE,
        field::SCORE,
    ]),
    writers: Writers::CASEWORKERS,
    indexed: true,
    ..KindSpec::new(KIND)
};

/// An assessment as shown. `score` is `None` when this device does not know the instrument
/// version it was given with (an older app): the answers are kept, nothing is guessed.
#[derive(Clone, PartialEq, Eq)]
pub struct Assessment {
    pub id: RecordId,
    pub client: Option<RecordId>,
    pub case: Option<RecordId>,
    pub session: Option<RecordId>,
    pub instrument: String,
    pub version: u32,
    pub date: Date,
    pub answers: Vec<u8>,
    pub score: Option<u32>,
    pub band: Option<String>,
    pub author: DeviceId,
    pub created_ms: u64,
    /// When it was recorded, by the hybrid clock: orders two assessments of the same day.
    pub recorded: Hlc,
}

impl fmt::Debug for Assessment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Assessment")
            .field("id", &self.id)
            .field("instrument", &self.instrument)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Trend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trend")
            .field("instrument", &self.instrument)
            .field("points", &self.points.len())
            .finish_non_exhaustive()
    }
}

fn encode_answers(a: &[u8]) -> String {
    a.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
}

fn decode_answers(s: &str) -> Option<Vec<u8>> {
    s.split(',').map(|a| a.parse().ok()).collect()
}

impl Assessment {
    pub(crate) fn from_state(id: RecordId, s: &RecordState) -> Self {
        let name = s.text(field::INSTRUMENT).unwrap_or_default();
        let version = s
            .int(field::VERSION)
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0);
        let answers = s
            .text("answers")
            .and_then(|a| decode_answers(&a))
            .unwrap_or_default();
        let inst = instrument(&name, version).ok();
        let score = inst.and_then(|i| i.score(&answers).ok());
        // Without the answers (a data officer's tablet), the total recorded beside them.
        let score = score.map(|s| (s.total, s.band)).or_else(|| {
            let total = u32::try_from(s.int(field::SCORE)?).ok()?;
            let band = inst?
                .bands
                .iter()
                .find(|b| (b.min..=b.max).contains(&total))?;
            Some((total, band.id.clone()))
        });
        Assessment {
            id,
            client: s.id(field::CLIENT),
            case: s.id("case"),
            session: s.id("session"),
            instrument: name,
            version,
            date: s
                .date(field::DATE)
                .unwrap_or_else(|| Date::from_unix_ms(s.created.wall_ms)),
            answers,
            score: score.as_ref().map(|s| s.0),
            band: score.map(|s| s.1),
            author: s.author(),
            created_ms: s.created.wall_ms,
            recorded: s.created,
        }
    }
}

/// An assessment to record: the answers, one per item, in the instrument's order.
#[derive(Clone)]
pub struct NewAssessment {
    pub client: RecordId,
    pub case: Option<RecordId>,
    pub session: Option<RecordId>,
    pub instrument: String,
    /// Defaults to the newest version this device knows.
    pub version: Option<u32>,
    pub date: Option<Date>,
    pub answers: Vec<u8>,
}

impl NewAssessment {
    /// The newest version of `instrument`, given today.
    pub fn new(client: RecordId, instrument: &str, answers: Vec<u8>) -> Self {
        NewAssessment {
            client,
            case: None,
            session: None,
            instrument: instrument.to_owned(),
            version: None,
            date: None,
            answers,
        }
    }
}

impl fmt::Debug for NewAssessment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewAssessment([redacted])")
    }
}

/// How a client's scores on one instrument changed.
#[derive(Clone, PartialEq, Eq)]
pub struct Trend {
    pub instrument: String,
    /// The cut-off set the bands come from (the team's choice, `cutoffs.rs`).
    pub cutoff_set: String,
    /// The bands behind the points, for this client (a set may depend on sex).
    pub bands: Vec<super::instrument::Band>,
    /// Every scored assessment, oldest first: (date, score, band).
    pub points: Vec<(Date, u32, String)>,
    /// Last score minus first score.
    pub change: i64,
    /// Whether the change is for the better (depends on the instrument's direction).
    pub improved: bool,
}

impl Vault {
    /// Record an assessment and return its id and score. Raises the risk flags its answers
    /// call for on the case, in the same transaction.
    pub fn add_assessment(&mut self, a: &NewAssessment) -> Result<(RecordId, Score)> {
        let inst = match a.version {
            Some(v) => instrument(&a.instrument, v)?,
            None => latest_instrument(&a.instrument)?,
        };
        let mut score = inst.score(&a.answers)?;
        self.require_client(a.client)?;
        let sex = self.client(a.client)?.sex;
        if let Some(b) = self.band_in_use(&inst.id, score.total, sex) {
            score.band = b.id;
        }
        let date = self.past_date(a.date, "an assessment")?;
        self.check_consent(a.client, "data-recording")?;
        // The case is the one given, or else the session's: an alert must reach a case.
        let mut case_id = a.case;
        if let Some(s) = a.session {
            let session = self.session(s)?;
            if !session.participants.contains(&a.client) {
                return Err(Error::validation(
                    "session",
                    "the client was not at this session",
                ));
            }
            match (a.case, session.case) {
                (Some(c), Some(sc)) if c != sc => {
                    return Err(Error::validation(
                        "session",
                        "this session belongs to another case",
                    ))
                }
                (given, of_session) => case_id = given.or(of_session),
            }
        }
        let mut case = None;
        if let Some(c) = case_id {
            let found = self.case(c)?;
            if !found.clients.contains(&a.client) {
                return Err(Error::validation(
                    "case",
                    "the client is not part of this case",
                ));
            }
            case = Some(found);
        }
        let mut out = vec![
            Edit::Set(field::CLIENT, id_value(a.client)),
            Edit::Set(field::INSTRUMENT, inst.id.as_str().into()),
            Edit::Set(field::VERSION, Value::Int(inst.version.into())),
            Edit::Set(field::DATE, date.to_string().into()),
            Edit::Set("answers", encode_answers(&a.answers).into()),
            // The total beside the answers: the donors' figures read it, and a data officer's
            // tablet never opens the answers (ADR 0011).
            Edit::Set(field::SCORE, Value::Int(score.total.into())),
        ];
        if let Some(c) = case_id {
            out.push(Edit::Set("case", id_value(c)));
        }
        if let Some(s) = a.session {
            out.push(Edit::Set("session", id_value(s)));
        }
        let id = RecordId::for_kind(KIND);
        let mut writes = vec![RecordEdit {
            record: id,
            kind: KIND,
            create: true,
            edits: out,
        }];
        if let Some(case) = case {
            let flags: Vec<Edit> = score
                .alerts
                .iter()
                .filter(|f| !case.risk_flags.contains(f))
                .map(|f| Edit::Add("risk_flags", f.as_str().into()))
                .collect();
            if !flags.is_empty() {
                writes.push(RecordEdit {
                    record: case.id,
                    kind: CASE,
                    create: false,
                    edits: flags,
                });
            }
        }
        self.store.write(writes)?;
        Ok((id, score))
    }

    pub fn assessment(&self, id: RecordId) -> Result<Assessment> {
        Ok(Assessment::from_state(id, &self.live_state(id, KIND)?))
    }

    /// A client's scores on each instrument over time, oldest first.
    pub fn measure_trends(&self, client: RecordId) -> Result<Vec<Trend>> {
        let sex = self.client(client)?.sex;
        let mut all = self.index()?.assessments_of(client);
        all.sort_by_key(|a| (a.date, a.recorded));
        let mut trends: Vec<Trend> = Vec::new();
        for a in all {
            let (Some(score), Some(band)) = (a.score, a.band) else {
                continue;
            };
            let i = match trends.iter().position(|t| t.instrument == a.instrument) {
                Some(i) => i,
                None => {
                    let set = self.cutoff_set_in_use(&a.instrument).ok();
                    trends.push(Trend {
                        instrument: a.instrument.clone(),
                        cutoff_set: set.map(|s| s.id.clone()).unwrap_or_default(),
                        bands: set.map(|s| s.bands_for(sex)).unwrap_or_default(),
                        points: Vec::new(),
                        change: 0,
                        improved: false,
                    });
                    trends.len() - 1
                }
            };
            // The band under the team's set, for this client; the stored version's own band
            // when the set does not cover it.
            let band = self
                .band_in_use(&a.instrument, score, sex)
                .map_or(band, |b| b.id);
            trends[i].points.push((a.date, score, band));
        }
        for t in &mut trends {
            let first = t.points.first().map_or(0, |p| p.1) as i64;
            let last = t.points.last().map_or(0, |p| p.1) as i64;
            t.change = last - first;
            let better_high = latest_instrument(&t.instrument).is_ok_and(|i| i.higher_is_better);
            t.improved = if better_high {
                t.change > 0
            } else {
                t.change < 0
            };
        }
        Ok(trends)
    }
}
