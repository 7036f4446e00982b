//! Measures: an instrument's answers scored, a client's scores over time, and the charts of
//! them with the bands behind each score (the team's cut-off set).

use komora_core::{self as core, Date, RecordId};

use crate::convert::{self, fit_i32};
use crate::error::Result;
use crate::vault::KomoraVault;

redacted_debug!(NewAssessment);

#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewAssessment {
    pub client_id: String,
    /// phq-9, who-5, srq-20 or pcl-5.
    pub instrument: String,
    /// One answer per item, in the instrument's order.
    pub answers: Vec<i32>,
    #[uniffi(default = None)]
    pub case_id: Option<String>,
    #[uniffi(default = None)]
    pub session_id: Option<String>,
    #[uniffi(default = None)]
    pub date: Option<String>,
}

#[derive(uniffi::Record)]
pub struct Score {
    pub assessment_id: RecordId,
    pub total: i32,
    pub band: String,
    /// Risk flags the answers raised on the case.
    pub raised_flags: Vec<String>,
}

#[derive(uniffi::Record)]
pub struct TrendPoint {
    pub date: Date,
    pub score: i32,
    pub band: String,
}

#[derive(uniffi::Record)]
pub struct Trend {
    pub instrument: String,
    pub points: Vec<TrendPoint>,
    pub change: i64,
    pub improved: bool,
}

impl From<core::Trend> for Trend {
    fn from(t: core::Trend) -> Self {
        Trend {
            instrument: t.instrument,
            points: t
                .points
                .into_iter()
                .map(|(date, score, band)| TrendPoint {
                    date,
                    score: score as i32,
                    band,
                })
                .collect(),
            change: t.change,
            improved: t.improved,
        }
    }
}

/// A band behind a chart: the score range and its label (a missing translation is null).
#[derive(uniffi::Record)]
pub struct ChartBand {
    pub id: String,
    pub min: i32,
    pub max: i32,
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
}

#[derive(uniffi::Record)]
pub struct ChartPoint {
    pub date: Date,
    pub score: i32,
    pub band: String,
}

/// One measure's scores over time for a client, with the bands that apply to them (the
/// team's cut-off set, for the client's sex).
#[derive(uniffi::Record)]
pub struct ScoreChart {
    pub instrument: String,
    pub cutoff_set: String,
    pub higher_is_better: bool,
    pub min: i32,
    pub max: i32,
    pub bands: Vec<ChartBand>,
    pub points: Vec<ChartPoint>,
}

#[uniffi::export]
impl KomoraVault {
    pub fn add_assessment(&self, a: NewAssessment) -> Result<Score> {
        // An answer that does not fit a byte cannot be an option: the core names the question.
        let answers = a
            .answers
            .iter()
            .map(|&x| u8::try_from(x).unwrap_or(u8::MAX))
            .collect();
        let mut n = core::NewAssessment::new(convert::id(&a.client_id)?, &a.instrument, answers);
        n.case = a.case_id.as_deref().map(convert::id).transpose()?;
        n.session = a.session_id.as_deref().map(convert::id).transpose()?;
        n.date = convert::date("date", a.date.as_deref())?;
        self.with(|v| {
            let (id, score) = v.add_assessment(&n)?;
            Ok(Score {
                assessment_id: id,
                total: score.total as i32,
                band: score.band,
                raised_flags: score.alerts,
            })
        })
    }

    pub fn measure_trends(&self, client_id: RecordId) -> Result<Vec<Trend>> {
        self.with(|v| {
            Ok(v.measure_trends(client_id)?
                .into_iter()
                .map(Trend::from)
                .collect())
        })
    }

    /// Each measure's scores over time with the bands behind them, for the client file.
    pub fn score_charts(&self, client_id: RecordId) -> Result<Vec<ScoreChart>> {
        self.with(|v| {
            Ok(v.measure_trends(client_id)?
                .into_iter()
                .map(|t| {
                    let inst = core::latest_instrument(&t.instrument).ok();
                    let (min, max) = inst.map_or((0, 0), |i| i.range());
                    ScoreChart {
                        higher_is_better: inst.is_some_and(|i| i.higher_is_better),
                        min: fit_i32(min),
                        max: fit_i32(max),
                        cutoff_set: t.cutoff_set,
                        bands: t
                            .bands
                            .into_iter()
                            .map(|b| ChartBand {
                                id: b.id,
                                min: fit_i32(b.min),
                                max: fit_i32(b.max),
                                en: b.label.en,
                                fr: b.label.fr,
                                rw: b.label.rw,
                            })
                            .collect(),
                        points: t
                            .points
                            .into_iter()
                            .map(|(date, score, band)| ChartPoint {
                                date,
                                score: fit_i32(score),
                                band,
                            })
                            .collect(),
                        instrument: t.instrument,
                    }
                })
                .collect())
        })
    }
}
