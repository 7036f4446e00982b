//! The donors' figures in the three formats a supervisor sends: `komora report --out` chooses
//! CSV, XLSX or a one-page HTML summary by the file's extension. The workbook opens in a
//! spreadsheet reader with the same rows as the CSV; a small count is `<5` in every format,
//! and the chart of a district with one person is drawn exactly as that of a district with
//! three.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use calamine::{open_workbook, Data, Reader, Xlsx};

const PASS: &str = "cli test passphrase";

fn ok(vault: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_komora"))
        .arg("--vault")
        .arg(vault)
        .arg("--json")
        .args(args)
        .env("KOMORA_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn id(vault: &Path, args: &[&str]) -> String {
    let v: serde_json::Value = serde_json::from_str(&ok(vault, args)).unwrap();
    v["id"].as_str().unwrap().to_owned()
}

/// Five people seen together in Huye, `nyanza` seen together in Nyanza.
fn team_with(vault: &Path, nyanza: usize) {
    ok(vault, &["init"]);
    for (district, n) in [("Huye", 5), ("Nyanza", nyanza)] {
        let clients: Vec<String> = (0..n)
            .map(|i| {
                id(
                    vault,
                    &[
                        "client",
                        "add",
                        "--name",
                        &format!("Person {district} {i}"),
                        "--sex",
                        "F",
                        "--birth-year",
                        "1990",
                        "--district",
                        district,
                    ],
                )
            })
            .collect();
        let mut args = vec!["case", "add", "--problem", "grief"];
        for c in &clients {
            args.extend(["--client", c.as_str()]);
        }
        let case = id(vault, &args);
        id(
            vault,
            &["session", "add", "--case", &case, "--modality", "group"],
        );
    }
}

fn csv_rows(csv: &str) -> BTreeSet<Vec<String>> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// Every row of every breakdown sheet, as the CSV writes it.
fn xlsx_rows(path: &Path) -> (BTreeSet<Vec<String>>, Vec<String>) {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let names = book.sheet_names().to_vec();
    let mut rows = BTreeSet::new();
    for name in names.iter().filter(|n| *n != "About") {
        let range = book.worksheet_range(name).unwrap();
        for row in range.rows().skip(1) {
            rows.insert(
                row.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                        Data::Float(f) => format!("{f:.1}"),
                        other => other.to_string(),
                    })
                    .collect(),
            );
        }
    }
    (rows, names)
}

/// The bars drawn for `label` in the page's charts.
fn bars_of(html: &str, label: &str) -> Vec<String> {
    html.match_indices(&format!(">{label}</text>"))
        .map(|(i, _)| {
            let rest = &html[i..];
            let end = rest[1..].find("<text").map_or(rest.len(), |e| e + 1);
            let bar_end = rest[end..].find("</text>").map_or(rest.len(), |e| end + e);
            rest[..bar_end].to_owned()
        })
        .collect()
}

#[test]
fn the_donors_figures_come_as_csv_xlsx_and_a_page_with_charts_and_hide_small_counts_in_all() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let three = dir.path().join("three");
    team_with(&one, 1);
    team_with(&three, 3);

    let mut pages = Vec::new();
    for vault in [&one, &three] {
        let csv_path = vault.with_extension("csv");
        let xlsx_path = vault.with_extension("xlsx");
        let html_path = vault.with_extension("html");
        for p in [&csv_path, &xlsx_path, &html_path] {
            ok(vault, &["report", "--out", p.to_str().unwrap()]);
        }
        let csv = std::fs::read_to_string(&csv_path).unwrap();
        let (rows, sheets) = xlsx_rows(&xlsx_path);
        assert_eq!(rows, csv_rows(&csv), "the workbook holds the CSV's rows");
        assert!(sheets.contains(&"clients_reached by district".to_owned()));
        assert!(sheets.contains(&"sessions".to_owned()));
        assert_eq!(sheets[0], "About");
        // The small district is <5 in the CSV and in the workbook, never its count.
        let nyanza: Vec<&Vec<String>> = rows
            .iter()
            .filter(|r| r[2] == "district" && r[3] == "Nyanza")
            .collect();
        assert_eq!(nyanza.len(), 1);
        assert_eq!(nyanza[0][4], "<5");
        assert!(csv.contains(",district,Nyanza,<5,"));
        let html = std::fs::read_to_string(&html_path).unwrap();
        assert!(html.contains("<svg") && html.contains("People reached in"));
        assert!(!html.contains("Person "), "no name in the page");
        pages.push(html);
    }
    // One person or three: the same bar, the same label.
    let (a, b) = (bars_of(&pages[0], "Nyanza"), bars_of(&pages[1], "Nyanza"));
    assert!(!a.is_empty());
    assert_eq!(a, b);
    assert!(a[0].contains("&lt;5") && a[0].contains("url(#hidden)"));
    // Huye's five are drawn as five, in both.
    assert!(bars_of(&pages[0], "Huye")[0].ends_with(">5"));
}
