//! The donors' figures as one page a supervisor can send as it is: HTML with SVG charts, no
//! script, no outside resource, printable on one sheet.
//!
//! Drawn only from the report's rows (`report.rs`), after suppression: a cell published as
//! `<5` is drawn as a hatched stub of one fixed height with its label, whatever the count
//! behind it, so the page of a month with one client and the page of a month with four are
//! the same bytes. Scales are set by published numbers only.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::export::escape;
use super::report::{ReportOptions, ReportRow};
use crate::error::Result;
use crate::vault::Vault;

const BAR_W: u32 = 300;
const ROW_H: u32 = 18;

/// One bar: its label and its published count (`None` for `<5`).
type Bar = (String, Option<u64>);

fn bars_svg(title: &str, bars: &[Bar]) -> String {
    let max = bars.iter().filter_map(|b| b.1).max().unwrap_or(1).max(1);
    let h = ROW_H * bars.len() as u32 + 6;
    let mut o = format!(
        "<figure><figcaption>{}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{}\" height=\"{h}\" viewBox=\"0 0 {} {h}\"><title>{}</title>",
        escape(title),
        BAR_W + 200,
        BAR_W + 200,
        escape(title)
    );
    for (i, (label, n)) in bars.iter().enumerate() {
        let y = i as u32 * ROW_H + 3;
        let _ = write!(
            o,
            "<text x=\"0\" y=\"{}\" font-size=\"11\">{}</text>",
            y + 12,
            escape(label)
        );
        match n {
            Some(n) => {
                let w = (*n as f64 / max as f64 * f64::from(BAR_W)).round() as u32;
                let _ = write!(
                    o,
                    "<rect x=\"140\" y=\"{y}\" width=\"{w}\" height=\"{}\" fill=\"#3b6ea5\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{n}</text>",
                    ROW_H - 4,
                    140 + w + 4,
                    y + 12
                );
            }
            // Suppressed: one fixed stub, the same for every hidden count.
            None => {
                let _ = write!(
                    o,
                    "<rect x=\"140\" y=\"{y}\" width=\"12\" height=\"{}\" fill=\"url(#hidden)\" stroke=\"#777\"/><text x=\"158\" y=\"{}\" font-size=\"11\">&lt;5</text>",
                    ROW_H - 4,
                    y + 12
                );
            }
        }
    }
    o.push_str("</svg></figure>\n");
    o
}

fn parse_count(c: &str) -> Option<Option<u64>> {
    if c.starts_with('<') {
        Some(None)
    } else {
        c.parse().ok().map(Some)
    }
}

/// The page, from the report's rows.
pub fn report_page(rows: &[ReportRow], opts: &ReportOptions) -> String {
    let period = match (opts.from, opts.to) {
        (None, None) => "all dates".to_owned(),
        (f, t) => format!(
            "{} to {}",
            f.map_or("the start".into(), |d| d.to_string()),
            t.map_or("today".into(), |d| d.to_string())
        ),
    };
    let mut o = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>AMI: anonymous figures</title><style>body{font-family:'Noto Sans',Arial,sans-serif;max-width:60em;margin:1em auto;color:#111}h1{font-size:1.4em}figure{display:inline-block;margin:.4em 1em .4em 0;vertical-align:top}figcaption{font-weight:bold;font-size:.9em}p{font-size:.9em}@media print{body{margin:0}@page{size:A4;margin:1cm}}</style></head><body>\n<svg width=\"0\" height=\"0\" style=\"position:absolute\"><defs><pattern id=\"hidden\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\"><path d=\"M0,4 l4,-4\" stroke=\"#777\"/></pattern></defs></svg>\n");
    let _ = writeln!(
        o,
        "<h1>Anonymous figures</h1><p>Period: {}. Counts of people, sessions and referrals; no name, code or place below the district. A count from 1 to 4 is shown as &lt;5 (a hatched stub), never its value.</p>",
        escape(&period)
    );
    // Month by month, for the whole organisation.
    for (metric, title) in [
        ("clients_reached", "People reached, by month"),
        ("sessions", "Sessions, by month"),
        ("group_attendance", "Group attendance, by month"),
        ("referrals", "Referrals, by month"),
    ] {
        let bars: Vec<Bar> = rows
            .iter()
            .filter(|r| r.metric == metric && r.dimension == "all")
            .filter_map(|r| Some((r.month.clone(), parse_count(&r.count)?)))
            .collect();
        if !bars.is_empty() {
            o.push_str(&bars_svg(title, &bars));
        }
    }
    // People reached by each breakdown, in the latest month with figures.
    if let Some(last) = rows
        .iter()
        .filter(|r| r.metric == "clients_reached")
        .map(|r| r.month.clone())
        .max()
    {
        for (dim, title) in [
            ("sex", "by sex"),
            ("age_band", "by age band"),
            ("district", "by district"),
            ("target_group", "by target group"),
        ] {
            let bars: Vec<Bar> = rows
                .iter()
                .filter(|r| r.metric == "clients_reached" && r.month == last && r.dimension == dim)
                .filter_map(|r| Some((r.value.clone(), parse_count(&r.count)?)))
                .collect();
            if !bars.is_empty() {
                o.push_str(&bars_svg(
                    &format!("People reached in {last}, {title}"),
                    &bars,
                ));
            }
        }
    }
    // Latest scores by band, per instrument, with the set that defined the bands.
    let sets: BTreeMap<&str, &str> = rows
        .iter()
        .filter(|r| r.metric == "cutoff_set")
        .map(|r| (r.dimension.as_str(), r.value.as_str()))
        .collect();
    for (inst, set) in &sets {
        let bars: Vec<Bar> = rows
            .iter()
            .filter(|r| r.metric == "measure_band" && r.dimension == *inst)
            .filter_map(|r| Some((r.value.clone(), parse_count(&r.count)?)))
            .collect();
        o.push_str(&bars_svg(
            &format!(
                "{}: latest score by band (cut-off set {set})",
                inst.to_uppercase()
            ),
            &bars,
        ));
    }
    let changes: Vec<&ReportRow> = rows
        .iter()
        .filter(|r| r.metric == "measure_change")
        .collect();
    if !changes.is_empty() {
        o.push_str("<p><strong>Change in scores</strong> (first to last score of each person seen twice or more): ");
        let parts: Vec<String> = changes
            .iter()
            .map(|r| {
                let avg = if r.average.is_empty() {
                    String::new()
                } else {
                    format!(", average change {}", r.average)
                };
                format!(
                    "{}: {} people{avg}",
                    escape(&r.value.to_uppercase()),
                    escape(&r.count)
                )
            })
            .collect();
        o.push_str(&parts.join("; "));
        o.push_str(".</p>\n");
    }
    o.push_str("</body></html>\n");
    o
}

impl Vault {
    /// The report as one HTML page with charts (audited as an export, like the CSV).
    pub fn report_html(&mut self, opts: &ReportOptions) -> Result<String> {
        Ok(report_page(&self.report_table(opts)?, opts))
    }
}
