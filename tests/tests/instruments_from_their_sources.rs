//! AMI's administrator sets the team's SRQ-20 to the Rwandan cut-offs (Scholte et al. 2011:
//! women 10, men 8): the same score of 9 is below the cut-off for Mukandori and a probable
//! disorder for her brother, and the donors' figures say which set they used. A reviewer
//! translates the SRQ-20 into Kinyarwanda in a translation tool, without a developer: the
//! catalogue comes back as a content pack, checked and versioned, every tablet shows it, and
//! what the reviewer was unsure of carries the draft mark.

use std::collections::BTreeMap;
use std::sync::Arc;

use komora_core::{
    cutoff_set, pack_from_po, Error, Language, NewAssessment, NewClient, NewSession, RecordId,
    Redaction, Sex, TeamKeys, TextStatus, Vault,
};
use komora_scenarios::{exchange, open_case_with_consent, ManualClock, MORNING_MS};

fn client(v: &mut Vault, name: &str, sex: Option<Sex>) -> RecordId {
    let id = v
        .add_client(&NewClient {
            name: name.into(),
            sex,
            birth_year: Some(1985),
            ..Default::default()
        })
        .unwrap();
    let case = open_case_with_consent(v, id, "trauma");
    v.add_session(&NewSession::new(case, "office")).unwrap();
    id
}

/// SRQ-20 answers with `yes` items answered yes.
fn srq(yes: usize) -> Vec<u8> {
    (0..20).map(|i| u8::from(i < yes)).collect()
}

fn vault(clock: &Arc<ManualClock>) -> Vault {
    Vault::ephemeral(&TeamKeys::generate(), clock.clone()).unwrap()
}

#[test]
fn the_rwandan_srq_20_cut_offs_are_the_published_ones_and_say_how_far_they_were_checked() {
    let set = cutoff_set("srq-20:scholte-2011-rwanda").unwrap();
    let first_case = |sex: &str| {
        set.bands
            .iter()
            .find(|b| b.sex.as_deref() == Some(sex) && b.id == "probable_cmd")
            .map(|b| b.min)
    };
    assert_eq!(first_case("F"), Some(10));
    assert_eq!(first_case("M"), Some(8));
    assert!(set
        .source
        .contains("BMC Medical Research Methodology 2011;11:116"));
    assert_eq!(set.review.status, "checked-abstract");
    let phq = cutoff_set("phq-9:sebera-2020-epilepsy").unwrap();
    assert!(phq.population.contains("epilepsy"));
    let pcl = cutoff_set("pcl-5:niyonsenga-2021-students").unwrap();
    assert_eq!(pcl.bands[1].min, 23);
}

#[test]
fn a_sister_and_a_brother_with_the_same_score_fall_in_different_bands_under_the_rwandan_set() {
    let clock = ManualClock::at(MORNING_MS);
    let mut v = vault(&clock);
    let sister = client(&mut v, "Mukandori Grace", Some(Sex::Female));
    let brother = client(&mut v, "Mugabo Eric", Some(Sex::Male));
    let unknown = client(&mut v, "Client without a recorded sex", None);
    // The standard set (7/8): 9 is a probable disorder for everyone.
    let (_, s) = v
        .add_assessment(&NewAssessment::new(sister, "srq-20", srq(9)))
        .unwrap();
    assert_eq!(s.band, "probable_cmd");

    assert!(matches!(
        v.choose_cutoff_set("phq-9", "srq-20:scholte-2011-rwanda"),
        Err(Error::Validation { .. })
    ));
    v.choose_cutoff_set("srq-20", "srq-20:scholte-2011-rwanda")
        .unwrap();
    let (_, s) = v
        .add_assessment(&NewAssessment::new(brother, "srq-20", srq(9)))
        .unwrap();
    assert_eq!(s.band, "probable_cmd", "men: 8 or more");
    let (_, s) = v
        .add_assessment(&NewAssessment::new(unknown, "srq-20", srq(8)))
        .unwrap();
    assert_eq!(s.band, "probable_cmd", "sex unknown: the lower cut-off");

    // Her past score is read again under the new set; her chart's bands are the women's.
    let trend = &v.measure_trends(sister).unwrap()[0];
    assert_eq!(trend.cutoff_set, "srq-20:scholte-2011-rwanda");
    assert_eq!(trend.points[0].2, "below_cutoff", "women: 10 or more");
    assert_eq!(trend.bands[1].min, 10);
    assert_eq!(v.measure_trends(brother).unwrap()[0].bands[1].min, 8);

    // The figures name the set they used.
    let csv = v.report_csv(&Default::default()).unwrap();
    assert!(csv.contains("cutoff_set,period,srq-20,srq-20:scholte-2011-rwanda,,"));
    assert!(csv.contains("measure_band,period,srq-20,probable_cmd,<5,"));
}

fn rw_pack(version: u32, item1: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": "ami-rw",
        "version": version,
        "language": "rw",
        "status": "reviewed-by-ami",
        "source": "AMI translation team, Huye, 2026",
        "texts": {
            "instrument:srq-20:items.1": item1,
            "instrument:srq-20:items.2": { "text": "Test text two", "status": "draft" },
        }
    }))
    .unwrap()
}

#[test]
fn a_content_pack_is_checked_versioned_and_reaches_every_tablet() {
    let clock = ManualClock::at(MORNING_MS);
    let keys = TeamKeys::generate();
    let mut admin = Vault::ephemeral(&keys, clock.clone()).unwrap();
    let mut tablet = Vault::ephemeral(&keys, clock.clone()).unwrap();

    let (srq20, drafts) = admin.localized_instrument("srq-20").unwrap();
    assert_eq!(srq20.items[0].text.rw, None, "no text is invented");
    assert_eq!(
        drafts,
        ["instructions:en"],
        "the SRQ-20 introduction was not checked"
    );

    admin
        .import_content_pack(&rw_pack(1, "Test text one"))
        .unwrap();
    // The same file again changes nothing; an older or equal version is refused.
    admin
        .import_content_pack(&rw_pack(1, "Test text one"))
        .unwrap();
    assert!(matches!(
        admin.import_content_pack(&rw_pack(1, "Another text")),
        Err(Error::Validation { field: "pack", .. })
    ));
    let mut refused = |json: serde_json::Value| {
        matches!(
            admin.import_content_pack(&serde_json::to_vec(&json).unwrap()),
            Err(Error::Validation { field: "pack", .. })
        )
    };
    assert!(refused(serde_json::json!({
        "id": "ami-rw", "version": 5, "language": "rw", "status": "draft", "source": "x",
        "texts": { "instrument:srq-20:items.99": "no such item" }
    })));
    assert!(refused(serde_json::json!({
        "id": "ami-rw", "version": 5, "language": "rw", "status": "draft", "source": "x",
        "texts": { "export:intro": "A heading that lost its date placeholder" }
    })));
    assert!(refused(serde_json::json!({
        "id": "ami-rw", "version": 5, "language": "de", "status": "draft", "source": "x",
        "texts": { "instrument:srq-20:items.1": "x" }
    })));
    assert!(admin
        .import_content_pack(b"{ not json")
        .is_err_and(|e| matches!(e, Error::Validation { .. })));

    exchange(&mut admin, &mut tablet);
    let (srq20, drafts) = tablet.localized_instrument("srq-20").unwrap();
    assert_eq!(srq20.items[0].text.rw.as_deref(), Some("Test text one"));
    assert!(drafts.contains(&"items.2:rw".to_owned()));
    assert!(!drafts.contains(&"items.1:rw".to_owned()));

    admin
        .import_content_pack(&rw_pack(2, "Test text one, v2"))
        .unwrap();
    exchange(&mut admin, &mut tablet);
    let (srq20, _) = tablet.localized_instrument("srq-20").unwrap();
    assert_eq!(srq20.items[0].text.rw.as_deref(), Some("Test text one, v2"));
    assert_eq!(tablet.content_packs().unwrap().len(), 1);
}

#[test]
fn a_reviewer_translates_in_a_po_tool_and_the_catalogue_comes_back_as_a_pack() {
    let clock = ManualClock::at(MORNING_MS);
    let mut v = vault(&clock);
    let po = v.export_po(Language::Kinyarwanda).unwrap();
    assert!(po.contains("msgctxt \"instrument:srq-20:items.17\""));
    assert!(po.contains("msgid \"Has the thought of ending your life been on your mind?\""));
    assert!(po.contains("msgctxt \"export:intro\""));
    assert!(po.contains("#. source: Beusenberg M, Orley J."));

    // The reviewer fills two entries, marks one unsure (fuzzy), as a PO editor writes them.
    let translated = po
        .replace(
            "msgctxt \"export:title\"\nmsgid \"Your file at AMI\"\nmsgstr \"\"",
            "msgctxt \"export:title\"\nmsgid \"Your file at AMI\"\nmsgstr \"Test heading\"",
        )
        .replace(
            "msgctxt \"instrument:srq-20:items.3\"\nmsgid \"Do you sleep badly?\"\nmsgstr \"\"",
            "#, fuzzy\nmsgctxt \"instrument:srq-20:items.3\"\nmsgid \"Do you sleep badly?\"\nmsgstr \"Test item \\\"three\\\"\"",
        );
    let pack = pack_from_po(
        &translated,
        "ami-rw",
        1,
        Language::Kinyarwanda,
        TextStatus::ReviewedByAmi,
        "AMI reviewers",
    )
    .unwrap();
    assert_eq!(pack.texts.len(), 2);
    assert_eq!(
        pack.status_of("instrument:srq-20:items.3"),
        Some(TextStatus::Draft)
    );
    v.import_content_pack(&serde_json::to_vec(&pack).unwrap())
        .unwrap();
    let (srq20, drafts) = v.localized_instrument("srq-20").unwrap();
    assert_eq!(
        srq20.items[2].text.rw.as_deref(),
        Some("Test item \"three\"")
    );
    assert!(drafts.contains(&"items.3:rw".to_owned()));
    // Exported again, the catalogue carries the translations and the fuzzy mark.
    let again = v.export_po(Language::Kinyarwanda).unwrap();
    assert!(again.contains("#, fuzzy\nmsgctxt \"instrument:srq-20:items.3\""));
    assert!(again.contains("msgstr \"Test heading\""));
    // The client's copy of their file uses the reviewed heading.
    let c = client(&mut v, "Uwimana Aline", Some(Sex::Female));
    let export = v
        .export_client(
            c,
            &BTreeMap::<String, Redaction>::new(),
            Some(Language::Kinyarwanda),
        )
        .unwrap();
    assert!(export.html.contains("<h1>Test heading</h1>"));

    // A catalogue made for other English, or that drops a placeholder, is refused.
    let stale = translated.replace("msgid \"Your file at AMI\"", "msgid \"Your old file\"");
    assert!(pack_from_po(
        &stale,
        "ami-rw",
        2,
        Language::Kinyarwanda,
        TextStatus::Draft,
        "x"
    )
    .is_err());
    let no_placeholder = po.replace(
        "passages were withheld after review because they concern other people or your safety. You may ask your counsellor's supervisor about them.\"\nmsgstr \"\"",
        "passages were withheld after review because they concern other people or your safety. You may ask your counsellor's supervisor about them.\"\nmsgstr \"Test without the number\"",
    );
    assert!(matches!(
        pack_from_po(
            &no_placeholder,
            "ami-rw",
            2,
            Language::Kinyarwanda,
            TextStatus::Draft,
            "x"
        ),
        Err(Error::Validation { field: "po", .. })
    ));
}

#[test]
fn choosing_a_cut_off_set_keeps_the_teams_lock_and_wipe_rule() {
    let clock = ManualClock::at(MORNING_MS);
    let mut v = vault(&clock);
    v.set_team_policy(&komora_core::TeamPolicy {
        auto_lock_minutes: Some(5),
        wipe_after_failures: Some(10),
    })
    .unwrap();
    v.choose_cutoff_set("pcl-5", "pcl-5:niyonsenga-2021-students")
        .unwrap();
    let p = v.team_policy().unwrap();
    assert_eq!(
        (p.auto_lock_minutes, p.wipe_after_failures),
        (Some(5), Some(10))
    );
    assert_eq!(
        v.cutoff_set_in_use("pcl-5").unwrap().id,
        "pcl-5:niyonsenga-2021-students"
    );
    assert_eq!(v.cutoff_set_in_use("phq-9").unwrap().id, "phq-9:standard");
}
