//! A tablet is stolen. Whoever copies the vault directory — database, WAL, shared memory,
//! temporary files, key file — finds none of the words counsellors typed.

use komora_core::{ClientEdit, LocationInput, NewClient, Sex, Vault};
use komora_scenarios::fast_options;

const MARKERS: &[&str] = &[
    "Zzmarker-Nyirahabimana",
    "Zzmarker-Bizimungu",
    "0788765432",
    "ZZCODE-7731",
    "Zzmarker-Renamed-Uwamahoro",
    "0722999888",
    "ex-prisoner",
    "genocide-survivor",
    "Nyaruguru",
    "Ngoma",
    "Ruheru",
];

fn scan(dir: &std::path::Path) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for m in MARKERS {
            // Look for the text in UTF-8 and in UTF-16 (either byte order), in any case.
            let lower = m.to_lowercase();
            let utf16le: Vec<u8> = m.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
            let utf16be: Vec<u8> = m.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
            let haystack_lower = bytes.to_ascii_lowercase();
            let found = [lower.as_bytes(), &utf16le, &utf16be].iter().any(|needle| {
                haystack_lower
                    .windows(needle.len())
                    .any(|w| w == needle.to_ascii_lowercase().as_slice())
            });
            if found {
                hits.push(format!("{m} in {}", path.display()));
            }
        }
    }
    hits
}

#[test]
fn no_name_phone_code_group_or_place_appears_in_any_file_of_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::create(dir.path(), "a long passphrase", fast_options()).unwrap();
    let first = vault
        .add_client(&NewClient {
            name: "Zzmarker-Nyirahabimana".into(),
            code: Some("ZZCODE-7731".into()),
            sex: Some(Sex::Female),
            birth_year: Some(1990),
            phone: Some("0788765432".into()),
            location: Some(LocationInput {
                district: "Nyaruguru".into(),
                sector: Some("Ngoma".into()),
                cell: Some("Fugi".into()),
                village: None,
            }),
            target_groups: vec!["ex-prisoner".into(), "genocide-survivor".into()],
        })
        .unwrap();
    let second = vault
        .add_client(&NewClient {
            name: "Zzmarker-Bizimungu".into(),
            phone: Some("0722999888".into()),
            ..Default::default()
        })
        .unwrap();
    vault
        .edit_client(
            first,
            &ClientEdit {
                name: Some("Zzmarker-Renamed-Uwamahoro".into()),
                ..Default::default()
            },
        )
        .unwrap();
    vault
        .edit_client(
            first,
            &ClientEdit {
                remove_groups: vec!["ex-prisoner".into()],
                ..Default::default()
            },
        )
        .unwrap();
    vault.delete_client(second).unwrap();
    let _ = vault.client_history(first, "name").unwrap();
    let _ = vault.clients().unwrap();

    // While the vault is open: the WAL and shared-memory files are live.
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        files.iter().any(|f| f.to_string_lossy().ends_with("-wal")),
        "the scan covers a live WAL: {files:?}"
    );
    assert_eq!(scan(dir.path()), Vec::<String>::new());

    // After locking (checkpoint into the main file).
    vault.lock();
    assert_eq!(scan(dir.path()), Vec::<String>::new());

    // The scan itself works: the words are there once the vault is unlocked.
    let vault = Vault::open(dir.path(), "a long passphrase", fast_options()).unwrap();
    let c = vault.client(first).unwrap();
    assert_eq!(c.name, "Zzmarker-Renamed-Uwamahoro");
    assert_eq!(c.location.unwrap().sector.as_deref(), Some("Ngoma"));
}

#[test]
fn debug_output_of_records_and_keys_shows_no_content() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::create(dir.path(), "a long passphrase", fast_options()).unwrap();
    let new = NewClient {
        name: "Zzmarker-Nyirahabimana".into(),
        phone: Some("0788765432".into()),
        ..Default::default()
    };
    let id = vault.add_client(&new).unwrap();
    let shown = format!(
        "{new:?} {:?} {:?} {:?} {:?} {vault:?}",
        vault.client(id).unwrap(),
        vault.client_history(id, "name").unwrap(),
        vault.all_ops().unwrap(),
        vault.team_keys()
    );
    for m in ["Zzmarker", "0788765432"] {
        assert!(!shown.contains(m), "{m} leaked into Debug output: {shown}");
    }
}

#[test]
fn case_work_and_the_donor_report_leave_no_readable_word_either() {
    use komora_core::{
        ConsentDecision, ConsentGiver, Language, NewAssessment, NewCase, NewConsent, NewGroup,
        NewReferral, NewSession, ReportOptions, Verdict,
    };
    const WORDS: &[&str] = &[
        "Zzmarker-Mukandori",
        "Zzsession-note-about-the-killings",
        "Zzfollow-up-plan",
        "Zzsafety-neighbour",
        "Zzhousehold-eldest-son",
        "Zzreferral-reason",
        "Zzorganisation-Isange-Huye",
        "Zzguardian-Kayitesi",
        "Zzreview-comment",
        "Zzcounsellor-answer",
        "Zzgroup-Ruheru",
        "Zzgroup-note",
        "Zzfacilitator-Jean",
        "-2.61234,29.74",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut v = Vault::create(dir.path(), "a long passphrase", fast_options()).unwrap();
    let client = v
        .add_client(&NewClient {
            name: WORDS[0].into(),
            birth_year: Some(2012),
            ..Default::default()
        })
        .unwrap();
    v.add_consent(&NewConsent {
        client,
        scope: "services".into(),
        decision: ConsentDecision::Given,
        language: Language::Kinyarwanda,
        given_by: ConsentGiver::Guardian,
        guardian_name: Some(WORDS[7].into()),
        date: None,
    })
    .unwrap();
    let case = v
        .add_case(&NewCase {
            clients: vec![client],
            problems: vec!["trauma".into()],
            ..Default::default()
        })
        .unwrap();
    let mut s = NewSession::new(case, "home-visit");
    s.notes = Some(WORDS[1].into());
    s.follow_up_plan = Some(WORDS[2].into());
    s.safety_notes = Some(WORDS[3].into());
    s.household_present = vec![WORDS[4].into()];
    s.position = Some(WORDS[13].into());
    let session = v.add_session(&s).unwrap();
    let mut a = NewAssessment::new(client, "pcl-5", vec![2; 20]);
    a.case = Some(case);
    v.add_assessment(&a).unwrap();
    let mut r = NewReferral::new(client, "isange");
    r.reason = Some(WORDS[5].into());
    r.organisation = Some(WORDS[6].into());
    v.add_referral(&r).unwrap();
    let review = v
        .add_review(session, Verdict::NeedsChanges, Some(WORDS[8]))
        .unwrap();
    v.answer_review(review, WORDS[9]).unwrap();
    let group = v
        .add_group(&NewGroup {
            name: WORDS[10].into(),
            kind: "healing-group".into(),
            facilitators: vec![WORDS[12].into()],
            members: vec![client],
            ..Default::default()
        })
        .unwrap();
    let gs = v
        .add_group_session(group, 1, None, None, Some(WORDS[11]))
        .unwrap();
    v.mark_attendance(gs, client, true).unwrap();
    let report = v.report_csv(&ReportOptions::default()).unwrap();
    std::fs::write(dir.path().join("report.csv"), &report).unwrap();
    let _ = v.timeline(client).unwrap();

    let leaks = |dir: &std::path::Path| -> Vec<String> {
        let mut hits = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap().to_ascii_lowercase();
            for w in WORDS {
                let needle = w.to_ascii_lowercase();
                if bytes.windows(needle.len()).any(|x| x == needle.as_bytes()) {
                    hits.push(format!("{w} in {}", path.display()));
                }
            }
        }
        hits
    };
    assert_eq!(
        leaks(dir.path()),
        Vec::<String>::new(),
        "live vault and report"
    );
    v.lock();
    assert_eq!(leaks(dir.path()), Vec::<String>::new(), "locked vault");

    // The words are there for whoever holds the passphrase: the scan would have seen them.
    let v = Vault::open(dir.path(), "a long passphrase", fast_options()).unwrap();
    assert_eq!(v.session(session).unwrap().notes.as_deref(), Some(WORDS[1]));
    assert_eq!(
        v.review(review).unwrap().response.as_deref(),
        Some(WORDS[9])
    );
}
