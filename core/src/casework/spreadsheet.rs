//! CSV for spreadsheets: the donor report and the audit export. The `csv` crate writes the
//! rows (quoting, doubled quotes, line breaks); this file adds only what it does not do.

use std::borrow::Cow;

/// One cell of a row.
#[derive(Clone, Copy)]
pub(crate) enum Cell<'a> {
    /// Text that may come from outside (a kind written by another device, a place, a group's
    /// kind): kept from being read as a formula.
    Text(&'a str),
    /// A number, a code or an id Komora made itself: written as it is (a negative average
    /// stays a number).
    Plain(&'a str),
}

/// A CSV document of `N` columns being written in memory, `\n` after each row.
pub(crate) struct Sheet<const N: usize> {
    out: csv::Writer<Vec<u8>>,
}

impl<const N: usize> Sheet<N> {
    pub(crate) fn new(header: [&str; N]) -> Self {
        let mut sheet = Sheet {
            out: csv::Writer::from_writer(Vec::new()),
        };
        sheet.row(header.map(Cell::Plain));
        sheet
    }

    pub(crate) fn row(&mut self, cells: [Cell<'_>; N]) {
        let cells = cells.map(|c| match c {
            Cell::Text(s) => defused(s),
            Cell::Plain(s) => Cow::Borrowed(s),
        });
        // Writing to memory cannot fail, and every row has the header's N cells (the type
        // says so), which is all the writer checks.
        self.out
            .write_record(cells.iter().map(|c| c.as_bytes()))
            .expect("a CSV row of the header's width is written to memory");
    }

    pub(crate) fn finish(self) -> String {
        let bytes = self
            .out
            .into_inner()
            .expect("flushing a CSV writer into memory cannot fail");
        // The writer adds only ASCII (commas, quotes, line feeds) around the UTF-8 it is given.
        String::from_utf8(bytes).expect("CSV of UTF-8 cells is UTF-8")
    }
}

/// A cell a spreadsheet would read as a formula gets a `'` before it: a leading `=`, `+`, `-`
/// or `@`, and a leading tab or carriage return, which some spreadsheets skip before they
/// look for the `=` (OWASP's list for CSV injection). The csv crate does not do this: it
/// quotes cells, it does not defuse formulas.
fn defused(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_cell(s: &str) -> String {
        let mut sheet = Sheet::new(["h"]);
        sheet.row([Cell::Text(s)]);
        sheet.finish().strip_prefix("h\n").unwrap().to_owned()
    }

    #[test]
    fn a_csv_cell_never_splits_a_row_or_becomes_a_formula() {
        assert_eq!(one_cell("session"), "session\n");
        assert_eq!(one_cell("a,b"), "\"a,b\"\n");
        assert_eq!(one_cell("say \"no\""), "\"say \"\"no\"\"\"\n");
        assert_eq!(
            one_cell("=HYPERLINK(\"x\")"),
            "\"'=HYPERLINK(\"\"x\"\")\"\n"
        );
        assert_eq!(one_cell("x\n=cmd"), "\"x\n=cmd\"\n");
        assert_eq!(one_cell("-2"), "'-2\n");
        // A tab or a carriage return before the formula: skipped by some spreadsheets.
        assert_eq!(one_cell("\t=1+1"), "'\t=1+1\n");
        assert_eq!(one_cell("\r=1+1"), "\"'\r=1+1\"\n");
    }

    #[test]
    fn a_figure_is_written_as_it_is() {
        let mut sheet = Sheet::new(["average"]);
        sheet.row([Cell::Plain("-3.5")]);
        assert_eq!(sheet.finish(), "average\n-3.5\n");
    }
}
