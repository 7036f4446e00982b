//! The CSV files Komora writes, byte for byte, against files taken before the CSV writing moved
//! to the `csv` crate (issue 19, item 8): a donor's spreadsheet, a script reading the audit
//! export and a reviewer diffing two exports must see no difference. The cells are the hard
//! cases: commas, quotes, line breaks, formula leads (a spreadsheet must never run a cell),
//! empty cells, `<5` and text outside ASCII.

use komora_core::{to_csv, AuditAction, KdfParams, NewClient, ReportRow, Sex, Vault, VaultOptions};

/// The report's rows, one awkward cell each. A report's texts are codes and places today, but
/// a place or a group kind comes from data a team can extend, so every cell is treated as text
/// from outside.
fn awkward_rows() -> Vec<ReportRow> {
    let row =
        |metric: &str, month: &str, dimension: &str, value: &str, count: &str, average: &str| {
            ReportRow {
                metric: metric.into(),
                month: month.into(),
                dimension: dimension.into(),
                value: value.into(),
                count: count.into(),
                average: average.into(),
            }
        };
    vec![
        row("sessions", "2026-03", "all", "all", "12", ""),
        row("sessions", "2026-03", "modality", "home_visit", "<5", ""),
        row(
            "clients_reached",
            "2026-03",
            "district",
            "Huye, Ngoma",
            "7",
            "",
        ),
        row(
            "clients_reached",
            "2026-03",
            "target_group",
            "say \"no\"",
            "9",
            "",
        ),
        row(
            "clients_reached",
            "2026-03",
            "target_group",
            "two\nlines",
            "8",
            "",
        ),
        row(
            "clients_reached",
            "2026-03",
            "target_group",
            "carriage\rreturn",
            "6",
            "",
        ),
        row(
            "score_change",
            "",
            "instrument",
            "=HYPERLINK(\"http://x\")",
            "5",
            "-3.5",
        ),
        row("score_change", "", "instrument", "+1", "5", "2"),
        row("score_change", "", "instrument", "-2", "5", "0"),
        row("score_change", "", "instrument", "@SUM(A1)", "5", "1"),
        row("score_change", "", "instrument", "a=b", "5", "1"),
        row(
            "group_attendance",
            "2026-04",
            "group_kind",
            "sociothérapie",
            "15",
            "",
        ),
        row(
            "group_attendance",
            "2026-04",
            "group_kind",
            " leading space",
            "15",
            "",
        ),
        row(
            "group_attendance",
            "2026-04",
            "group_kind",
            "tab\there",
            "15",
            "",
        ),
        row(
            "group_attendance",
            "2026-04",
            "group_kind",
            "#hash",
            "15",
            "",
        ),
        row("group_attendance", "2026-04", "group_kind", "", "", ""),
        row("referrals", "2026-04", "destination", "x\n=cmd", "<5", ""),
        row("referrals", "2026-04", "destination", "'quoted'", "5", ""),
    ]
}

#[test]
fn the_donor_report_csv_is_byte_for_byte_what_it_was() {
    let golden = include_bytes!("golden/report.csv");
    let written = to_csv(&awkward_rows());
    assert_eq!(
        written.as_bytes(),
        golden,
        "the report CSV changed:\n{written}"
    );
}

#[test]
fn an_empty_report_is_its_header_alone() {
    assert_eq!(to_csv(&[]), "metric,month,dimension,value,count,average\n");
}

/// The audit export, with what changes from run to run (times, device and record ids) put in
/// the template's `{at}`, `{device}` and `{record}` from the trail's own entries, in order:
/// every other byte is compared.
#[test]
fn the_audit_csv_is_byte_for_byte_what_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let opts = VaultOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        ..Default::default()
    };
    let mut v = Vault::create(dir.path().join("v"), "correct horse battery", opts).unwrap();
    let client = v
        .add_client(&NewClient {
            name: "Uwase Aline".into(),
            code: None,
            sex: Some(Sex::Female),
            birth_year: Some(1990),
            phone: None,
            location: None,
            target_groups: Vec::new(),
        })
        .unwrap();
    v.view_client(client).unwrap();
    // Kinds written by another device are text from outside: each awkward one in turn.
    for kind in [
        "report",
        "a,b",
        "say \"no\"",
        "two\nlines",
        "=HYPERLINK(\"http://x\")",
        "+1",
        "-2",
        "@SUM(A1)",
        "sociothérapie",
        "",
    ] {
        v.record_access(AuditAction::Exported, None, kind).unwrap();
    }

    let trail = v.audit_trail().unwrap();
    let csv = v.audit_csv().unwrap();
    let mut expected = String::new();
    let template = include_str!("golden/audit.csv");
    let (mut at, mut device, mut record) = (0, 0, 0);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        expected.push_str(&rest[..start]);
        let end = start + rest[start..].find('}').unwrap();
        match &rest[start + 1..end] {
            "at" => {
                expected.push_str(&trail[at].at.wall_ms.to_string());
                at += 1;
            }
            "device" => {
                expected.push_str(&trail[device].device.to_string());
                device += 1;
            }
            "record" => {
                let r = trail.iter().filter_map(|e| e.record).nth(record).unwrap();
                expected.push_str(&r.to_string());
                record += 1;
            }
            other => panic!("unknown placeholder {other}"),
        }
        rest = &rest[end + 1..];
    }
    expected.push_str(rest);
    assert_eq!(at, trail.len(), "one row per entry of the trail");
    assert_eq!(csv, expected, "the audit CSV changed");
}
