//! A counsellor finds a client among thousands by typing a few letters of a name or a code,
//! without caring about case or accents, and sees changes from colleagues at once.

use komora_core::{ClientEdit, NewClient, TeamKeys, Vault};
use komora_scenarios::{send, ManualClock, MORNING_MS};

fn names(found: &[komora_core::Client]) -> Vec<&str> {
    found.iter().map(|c| c.name.as_str()).collect()
}

#[test]
fn three_letters_find_her_among_five_thousand_whatever_the_case_or_accents() {
    let team = TeamKeys::generate();
    let mut tablet = Vault::ephemeral(&team, ManualClock::at(MORNING_MS)).unwrap();
    let mut many: Vec<NewClient> = (0..5_000)
        .map(|i| NewClient {
            name: format!("Habimana Client {i}"),
            code: Some(format!("HUY-{i:04}")),
            ..Default::default()
        })
        .collect();
    many.push(NewClient {
        name: "Mukamana Hélène".into(),
        code: Some("NYZ-0001".into()),
        ..Default::default()
    });
    many.push(NewClient {
        name: "Uwase Mukantwari".into(),
        ..Default::default()
    });
    tablet.add_clients(&many).unwrap();

    assert_eq!(
        names(&tablet.search_clients("muk", 10).unwrap()),
        ["Mukamana Hélène", "Uwase Mukantwari"]
    );
    assert_eq!(
        names(&tablet.search_clients("HELENE", 10).unwrap()),
        ["Mukamana Hélène"]
    );
    assert_eq!(
        names(&tablet.search_clients("hélène muka", 10).unwrap()),
        ["Mukamana Hélène"]
    );
    assert_eq!(
        names(&tablet.search_clients("nyz-0001", 10).unwrap()),
        ["Mukamana Hélène"]
    );
    assert_eq!(
        tablet.search_clients("huy-004", 100).unwrap().len(),
        10,
        "HUY-0040 to HUY-0049"
    );
    assert_eq!(
        tablet.search_clients("habimana", 25).unwrap().len(),
        25,
        "the limit holds"
    );
    assert!(tablet.search_clients("   ", 10).unwrap().is_empty());
    assert!(tablet.search_clients("zzz", 10).unwrap().is_empty());
}

#[test]
fn search_sees_edits_deletions_and_colleagues_changes_at_once() {
    let team = TeamKeys::generate();
    let clock = ManualClock::at(MORNING_MS);
    let mut mine = Vault::ephemeral(&team, clock.clone()).unwrap();
    let mut colleague = Vault::ephemeral(&team, clock).unwrap();
    let id = mine
        .add_client(&NewClient {
            name: "Niyonsaba Alice".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(mine.search_clients("alice", 5).unwrap().len(), 1);

    mine.edit_client(
        id,
        &ClientEdit {
            name: Some("Niyonsaba Aline".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(mine.search_clients("alice", 5).unwrap().is_empty());
    assert_eq!(mine.search_clients("aline", 5).unwrap().len(), 1);

    colleague
        .add_client(&NewClient {
            name: "Ingabire Alice".into(),
            ..Default::default()
        })
        .unwrap();
    send(&colleague, &mut mine);
    assert_eq!(
        names(&mine.search_clients("alice", 5).unwrap()),
        ["Ingabire Alice"]
    );

    mine.delete_client(id).unwrap();
    assert!(mine.search_clients("aline", 5).unwrap().is_empty());
}
