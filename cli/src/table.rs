//! Tables for people: comfy-table lays them out, each column as wide as its widest cell (by
//! the width a terminal gives each character, so names with accents stay aligned), two spaces
//! between columns, no borders. On a terminal a table too wide for it is fitted to its width
//! by wrapping the columns of free text (names, places, values) within themselves; ids, times
//! and numbers stay whole, to be read and copied. Piped to a script, every row stays one line.

use comfy_table::presets::NOTHING;
use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table, Width};

/// The narrowest a column of free text gets on a narrow terminal (with the spaces after it).
const MIN_WRAPPED: u16 = 16;

pub struct Columns {
    table: Table,
    /// The columns of numbers, set to the right.
    right: &'static [usize],
    /// The columns of free text, which may wrap on a narrow terminal.
    wrap: &'static [usize],
}

impl Columns {
    /// A table with these column titles.
    pub fn new(header: &[&str]) -> Self {
        let mut c = Self::untitled();
        c.table.set_header(header.to_vec());
        c
    }

    /// A table without column titles (lines under a sentence that says what they are).
    pub fn untitled() -> Self {
        let mut table = Table::new();
        table.load_preset(NOTHING);
        Self {
            table,
            right: &[],
            wrap: &[],
        }
    }

    /// These columns hold numbers: set to the right.
    pub fn right(mut self, columns: &'static [usize]) -> Self {
        self.right = columns;
        self
    }

    /// These columns hold free text: on a terminal too narrow for the table, they wrap.
    pub fn wrap(mut self, columns: &'static [usize]) -> Self {
        self.wrap = columns;
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.table.add_row(cells);
    }

    pub fn print(self) {
        self.print_indented("");
    }

    /// Each line indented by `indent`.
    pub fn print_indented(self, indent: &str) {
        let width = console::Term::stdout().size_checked().map(|(_, w)| w);
        for line in self.lines(width) {
            println!("{indent}{line}");
        }
    }

    /// The lines for a terminal `width` columns wide (`None`: not a terminal).
    fn lines(mut self, width: Option<u16>) -> Vec<String> {
        let columns = self.table.column_count();
        for (i, column) in self.table.column_iter_mut().enumerate() {
            // No space before the first column; two between columns; none after the last.
            column.set_padding((0, if i + 1 < columns { 2 } else { 0 }));
            if self.right.contains(&i) {
                column.set_cell_alignment(CellAlignment::Right);
            }
            column.set_constraint(if self.wrap.contains(&i) {
                // Narrower than this, words would be cut rather than wrapped.
                ColumnConstraint::LowerBoundary(Width::Fixed(MIN_WRAPPED))
            } else {
                ColumnConstraint::ContentWidth
            });
        }
        match width {
            Some(width) => {
                self.table.set_width(width);
                self.table
                    .set_content_arrangement(ContentArrangement::Dynamic);
            }
            None => {
                self.table
                    .set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        // The last column is padded to its width: those spaces are not part of the table.
        self.table
            .lines()
            .map(|l| l.trim_end().to_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_cell_two_spaces_apart() {
        let mut t = Columns::new(&["NAME", "SEX", "WAITING"]).right(&[2]);
        t.row(cells(&["Uwimana Grace", "F", "3"]));
        t.row(cells(&["Émilienne Mukamana", "F", "120"]));
        assert_eq!(
            t.lines(None),
            [
                "NAME                SEX  WAITING",
                "Uwimana Grace       F          3",
                "Émilienne Mukamana  F        120",
            ]
        );
    }

    #[test]
    fn on_a_narrow_terminal_free_text_wraps_and_ids_stay_whole() {
        let mut t = Columns::new(&["ID", "NAME", "BORN"]).wrap(&[1]);
        let id = "7b4439f36152512f69e147770ae47038";
        let name = "Nyirahabimana Marie-Claire Uwamahoro";
        t.row(cells(&[id, name, "1979"]));
        let lines = t.lines(Some(60));
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() <= 60), "{lines:?}");
        assert!(
            lines[1].starts_with(id) && lines[1].ends_with("1979"),
            "{lines:?}"
        );
        let mut words: Vec<&str> = lines[1..]
            .iter()
            .flat_map(|l| l.split_whitespace())
            .collect();
        words.sort();
        let mut all: Vec<&str> = name.split(' ').chain([id, "1979"]).collect();
        all.sort();
        assert_eq!(words, all, "nothing is lost");
    }

    #[test]
    fn rows_without_titles() {
        let mut t = Columns::untitled();
        t.row(cells(&["0a1b", "counsellor", "app 1.2 (format 3)"]));
        assert_eq!(t.lines(None), ["0a1b  counsellor  app 1.2 (format 3)"]);
    }
}
