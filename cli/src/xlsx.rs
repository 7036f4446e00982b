//! The donors' report as an XLSX workbook: an "About" sheet (the period, the suppression rule,
//! the cut-off sets used), then one sheet per breakdown (a metric by a dimension), with the
//! same rows as the CSV. A suppressed count is the text `<5` in a grey cell with a note,
//! never a number a formula could sum.

use std::collections::BTreeMap;

use komora_core::{ReportOptions, ReportRow, SUPPRESS_BELOW};
use rust_xlsxwriter::{Color, Format, Note, Workbook};

use crate::Failure;

fn failed(e: rust_xlsxwriter::XlsxError) -> Failure {
    Failure(format!("the workbook could not be written: {e}"), 1)
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(metric: &str, dimension: &str) -> String {
    let name = if dimension == "all" {
        metric.to_owned()
    } else {
        format!("{metric} by {dimension}")
    };
    name.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect()
}

/// The workbook's bytes.
pub fn workbook(rows: &[ReportRow], opts: &ReportOptions) -> Result<Vec<u8>, Failure> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let hidden = Format::new()
        .set_background_color(Color::RGB(0xDDDDDD))
        .set_align(rust_xlsxwriter::FormatAlign::Right);

    let about = book.add_worksheet().set_name("About").map_err(failed)?;
    let period = format!(
        "{} to {}",
        opts.from.map_or("the start".into(), |d| d.to_string()),
        opts.to.map_or("today".into(), |d| d.to_string())
    );
    let lines = [
        ("Report", "AMI: anonymous figures (Komora)".to_owned()),
        ("Period", period),
        (
            "Small counts",
            format!(
                "A count from 1 to {} is written <{SUPPRESS_BELOW} (grey cell), never its value.",
                SUPPRESS_BELOW - 1
            ),
        ),
    ];
    for (i, (k, v)) in lines.iter().enumerate() {
        about
            .write_with_format(i as u32, 0, *k, &bold)
            .map_err(failed)?;
        about.write(i as u32, 1, v.as_str()).map_err(failed)?;
    }
    let sets = rows.iter().filter(|r| r.metric == "cutoff_set");
    for (line, r) in (lines.len() as u32 + 1..).zip(sets) {
        about
            .write_with_format(line, 0, format!("Cut-off set, {}", r.dimension), &bold)
            .map_err(failed)?;
        about.write(line, 1, r.value.as_str()).map_err(failed)?;
    }
    about.set_column_width(0, 24).map_err(failed)?;
    about.set_column_width(1, 80).map_err(failed)?;

    let mut sheets: BTreeMap<(String, String), Vec<&ReportRow>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.metric != "cutoff_set") {
        sheets
            .entry((r.metric.clone(), r.dimension.clone()))
            .or_default()
            .push(r);
    }
    for ((metric, dimension), rows) in sheets {
        let sheet = book.add_worksheet();
        sheet
            .set_name(sheet_name(&metric, &dimension))
            .map_err(failed)?;
        for (c, h) in ["metric", "month", "dimension", "value", "count", "average"]
            .iter()
            .enumerate()
        {
            sheet
                .write_with_format(0, c as u16, *h, &bold)
                .map_err(failed)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write(row, 0, r.metric.as_str()).map_err(failed)?;
            sheet.write(row, 1, r.month.as_str()).map_err(failed)?;
            sheet.write(row, 2, r.dimension.as_str()).map_err(failed)?;
            sheet.write(row, 3, r.value.as_str()).map_err(failed)?;
            if r.suppressed() {
                sheet
                    .write_with_format(row, 4, r.count.as_str(), &hidden)
                    .map_err(failed)?;
                let note = Note::new("Suppressed: fewer than 5, so nobody can be singled out.");
                sheet.insert_note(row, 4, &note).map_err(failed)?;
            } else if let Ok(n) = r.count.parse::<f64>() {
                sheet.write(row, 4, n).map_err(failed)?;
            }
            if let Ok(a) = r.average.parse::<f64>() {
                sheet.write(row, 5, a).map_err(failed)?;
            }
        }
        sheet.set_column_width(0, 18).map_err(failed)?;
        sheet.set_column_width(3, 22).map_err(failed)?;
    }
    book.save_to_buffer().map_err(failed)
}
