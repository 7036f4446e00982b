//! Anonymous figures for donors: counts by month and by district, target group, sex and age
//! band; each instrument's latest scores by band, under the cut-off set the team chose (named
//! in a `cutoff_set` row). Built once as rows (`ReportRow`), then written as CSV here, as XLSX
//! by the CLI and as a page with charts (`report_page.rs`). Built only from ids, dates and
//! codes; no name, code, phone number or note is ever read into it. Any count from 1 to 4 is
//! written "<5" so nobody can be singled out. Clients who objected to the statistics are left
//! out; a field whose rectification is pending counts as unknown (`rights.rs`).
//!
//! Rows are margins (one dimension at a time), not cross-tabulations: a cross-tab of five
//! dimensions would be mostly small cells. Suppression is per cell; a reader who subtracts
//! one published cell from a total can still bound a suppressed one, so totals are published
//! only for the same metric and month (see ARCHITECTURE.md, known limits).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::date::Date;
use super::index::CaseIndex;
use super::rights;
use super::spreadsheet::{Cell, Sheet};
use crate::client::Client;
use crate::error::Result;
use crate::ids::RecordId;
use crate::vault::Vault;

/// A score with the date it was given and when it was recorded (to order same-day scores).
type ScoredOn = (Date, crate::hlc::Hlc, u32);

/// Below this a count is shown as "<5".
pub const SUPPRESS_BELOW: usize = 5;

/// Which period a report covers (inclusive; open ends take everything).
#[derive(Clone, Debug, Default)]
pub struct ReportOptions {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// The age band of someone born in `birth_year`, on `date`.
pub fn age_band(birth_year: Option<u16>, date: Date) -> &'static str {
    let Some(y) = birth_year else {
        return "unknown";
    };
    match date.year() - i32::from(y) {
        i32::MIN..=11 => "0-11",
        12..=17 => "12-17",
        18..=24 => "18-24",
        25..=34 => "25-34",
        35..=49 => "35-49",
        50..=64 => "50-64",
        _ => "65+",
    }
}

/// What the report needs of a client: nothing that names them.
struct Profile {
    district: String,
    sex: &'static str,
    birth_year: Option<u16>,
    groups: Vec<String>,
}

impl Profile {
    /// The profile with every field the client disputes (a pending rectification) unknown.
    fn without_disputed(mut self, index: &CaseIndex, client: RecordId) -> Self {
        let disputed = |f: &str| rights::disputed(index, client, f);
        if disputed("district") {
            self.district = "unknown".into();
        }
        if disputed("sex") {
            self.sex = "unknown";
        }
        if disputed("birth_year") {
            self.birth_year = None;
        }
        if disputed("target_groups") {
            self.groups = vec!["unknown".into()];
        }
        self
    }

    fn of(c: &Client) -> Self {
        Profile {
            district: c
                .location
                .as_ref()
                .map_or_else(|| "unknown".to_owned(), |l| l.district.clone()),
            sex: c.sex.map_or("unknown", |s| s.code()),
            birth_year: c.birth_year,
            groups: c.target_groups.clone(),
        }
    }
}

type Key = (String, String, String, String); // metric, month, dimension, value

#[derive(Default)]
struct Tally {
    counts: BTreeMap<Key, usize>,
    distinct: BTreeMap<Key, BTreeSet<RecordId>>,
}

impl Tally {
    fn count(&mut self, metric: &str, month: &str, dim: &str, value: &str) {
        *self
            .counts
            .entry((metric.into(), month.into(), dim.into(), value.into()))
            .or_default() += 1;
    }

    /// Count `who` once per cell of a person's profile.
    fn reach(&mut self, metric: &str, month: &str, who: RecordId, p: Option<&Profile>, date: Date) {
        let mut cells = vec![("all".to_owned(), "all".to_owned())];
        if let Some(p) = p {
            cells.push(("district".into(), p.district.clone()));
            cells.push(("sex".into(), p.sex.into()));
            cells.push(("age_band".into(), age_band(p.birth_year, date).into()));
            if p.groups.is_empty() {
                cells.push(("target_group".into(), "none".into()));
            }
            for g in &p.groups {
                cells.push(("target_group".into(), g.clone()));
            }
        }
        for (dim, value) in cells {
            self.distinct
                .entry((metric.into(), month.into(), dim, value))
                .or_default()
                .insert(who);
        }
    }
}

/// One row of the report. `count` is as published: a number, `<5`, or empty; `average` is
/// empty when its count is suppressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRow {
    pub metric: String,
    pub month: String,
    pub dimension: String,
    pub value: String,
    pub count: String,
    pub average: String,
}

impl ReportRow {
    fn new(
        metric: &str,
        month: &str,
        dim: &str,
        value: &str,
        count: String,
        average: String,
    ) -> Self {
        ReportRow {
            metric: metric.to_owned(),
            month: month.to_owned(),
            dimension: dim.to_owned(),
            value: value.to_owned(),
            count,
            average,
        }
    }

    /// Whether the count was hidden as too small.
    pub fn suppressed(&self) -> bool {
        self.count.starts_with('<')
    }
}

/// The rows as CSV: `metric,month,dimension,value,count,average`.
pub fn to_csv(rows: &[ReportRow]) -> String {
    let mut sheet = Sheet::new(["metric", "month", "dimension", "value", "count", "average"]);
    for r in rows {
        sheet.row([
            Cell::Text(&r.metric),
            Cell::Text(&r.month),
            Cell::Text(&r.dimension),
            Cell::Text(&r.value),
            Cell::Plain(&r.count),
            Cell::Plain(&r.average),
        ]);
    }
    sheet.finish()
}

fn cell(n: usize) -> String {
    if n > 0 && n < SUPPRESS_BELOW {
        format!("<{SUPPRESS_BELOW}")
    } else {
        n.to_string()
    }
}

fn month(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

impl Vault {
    /// The anonymous aggregate report as CSV: `metric,month,dimension,value,count,average`.
    /// Producing it is an export: noted in the audit trail here, whichever screen asks.
    pub fn report_csv(&mut self, opts: &ReportOptions) -> Result<String> {
        Ok(to_csv(&self.report_table(opts)?))
    }

    /// The same report as rows, for the other formats (XLSX, the one-page summary): every
    /// count already suppressed. Producing it is an export, noted in the audit trail.
    pub fn report_table(&mut self, opts: &ReportOptions) -> Result<Vec<ReportRow>> {
        let rows = self.report_rows(opts)?;
        self.record_access(
            crate::casework::audit::AuditAction::Exported,
            None,
            "report",
        )?;
        Ok(rows)
    }

    fn report_rows(&self, opts: &ReportOptions) -> Result<Vec<ReportRow>> {
        let in_period =
            |d: Date| opts.from.is_none_or(|f| d >= f) && opts.to.is_none_or(|t| d <= t);
        let index = self.index()?;
        // A client who objected to the statistics is left out of every figure; a field whose
        // rectification is pending is counted as unknown (`rights.rs`).
        let objects = |c: &RecordId| rights::objects(&index, *c, "statistics");
        let profiles: HashMap<RecordId, Profile> = self
            .clients()?
            .items
            .iter()
            .filter(|c| !objects(&c.id))
            .map(|c| (c.id, Profile::of(c).without_disputed(&index, c.id)))
            .collect();
        let mut t = Tally::default();
        for s in index.sessions().filter(|s| in_period(s.date)) {
            if !s.participants.is_empty() && s.participants.iter().all(objects) {
                continue;
            }
            let m = month(s.date);
            t.count("sessions", &m, "all", "all");
            t.count("sessions", &m, "modality", &s.modality);
            for p in s.participants.iter().filter(|p| !objects(p)) {
                t.reach("clients_reached", &m, *p, profiles.get(p), s.date);
            }
        }
        let kinds: HashMap<RecordId, &str> =
            index.groups().map(|g| (g.id, g.kind.as_str())).collect();
        for g in index.group_sessions().filter(|g| in_period(g.date)) {
            let m = month(g.date);
            t.count("group_sessions", &m, "all", "all");
            let kind = g
                .group
                .and_then(|id| kinds.get(&id))
                .copied()
                .unwrap_or("unknown");
            for p in g.attendance.iter().filter(|p| !objects(p)) {
                t.count("group_attendance", &m, "all", "all");
                t.count("group_attendance", &m, "group_kind", kind);
                t.reach("clients_reached", &m, *p, profiles.get(p), g.date);
            }
        }
        for r in index
            .referrals()
            .filter(|r| in_period(r.date) && !r.client.is_some_and(|c| objects(&c)))
        {
            let m = month(r.date);
            t.count("referrals", &m, "all", "all");
            t.count("referrals", &m, "destination", &r.destination);
            t.count("referrals", &m, "status", r.status.code());
        }
        let mut out: Vec<ReportRow> = Vec::new();
        let mut rows: BTreeMap<Key, usize> = t.counts;
        for (k, set) in t.distinct {
            rows.insert(k, set.len());
        }
        for ((metric, m, dim, value), n) in &rows {
            out.push(ReportRow::new(
                metric,
                m,
                dim,
                value,
                cell(*n),
                String::new(),
            ));
        }
        // Change in scores: first and last scored assessment of each client in the period.
        let mut series: BTreeMap<(String, RecordId), Vec<ScoredOn>> = BTreeMap::new();
        for a in index.assessments().filter(|a| in_period(a.date)) {
            if let (Some(c), Some(score)) = (a.client.filter(|c| !objects(c)), a.score) {
                series
                    .entry((a.instrument.clone(), c))
                    .or_default()
                    .push((a.date, a.recorded, score));
            }
        }
        let mut changes: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        // Each client's latest score in the period, by band of the team's cut-off set.
        let mut bands: BTreeMap<(String, String), usize> = BTreeMap::new();
        for ((inst, client), mut points) in series {
            points.sort();
            let sex = profiles.get(&client).and_then(|p| match p.sex {
                "F" => Some(crate::client::Sex::Female),
                "M" => Some(crate::client::Sex::Male),
                _ => None,
            });
            let latest = points[points.len() - 1].2;
            if let Some(b) = self.band_in_use(&inst, latest, sex) {
                *bands.entry((inst.clone(), b.id)).or_default() += 1;
            }
            if points.len() < 2 {
                continue;
            }
            let change = i64::from(points[points.len() - 1].2) - i64::from(points[0].2);
            changes.entry(inst).or_default().push(change);
        }
        for (inst, ch) in changes {
            let n = ch.len();
            let avg = if n >= SUPPRESS_BELOW {
                format!("{:.1}", ch.iter().sum::<i64>() as f64 / n as f64)
            } else {
                String::new()
            };
            out.push(ReportRow::new(
                "measure_change",
                "period",
                "instrument",
                &inst,
                cell(n),
                avg,
            ));
        }
        let mut used: BTreeSet<String> = BTreeSet::new();
        for ((inst, band), n) in &bands {
            used.insert(inst.clone());
            out.push(ReportRow::new(
                "measure_band",
                "period",
                inst,
                band,
                cell(*n),
                String::new(),
            ));
        }
        // Which cut-off set each instrument's bands come from, so a reader knows what a
        // "case" meant in these figures.
        for inst in used {
            if let Ok(set) = self.cutoff_set_in_use(&inst) {
                out.push(ReportRow::new(
                    "cutoff_set",
                    "period",
                    &inst,
                    &set.id,
                    String::new(),
                    String::new(),
                ));
            }
        }
        Ok(out)
    }
}
