//! Two counsellors of the Huye team hold replicas of the same client file. They edit it offline,
//! then their tablets exchange operations. Nobody's words are lost.

use komora_core::{
    ClientEdit, EntryStatus, HistoryChange, NewClient, Seen, Sex, TeamKeys, Value, Vault,
};
use komora_scenarios::{exchange, send, snapshot, ManualClock, MORNING_MS};

/// Claudine (tablet A) records a client; Jean (tablet B) receives her.
fn two_counsellors_sharing_a_client() -> (
    Vault,
    Vault,
    komora_core::RecordId,
    std::sync::Arc<ManualClock>,
) {
    let clock = ManualClock::at(MORNING_MS);
    let team = TeamKeys::generate();
    let mut claudine = Vault::ephemeral(&team, clock.clone()).unwrap();
    let mut jean = Vault::ephemeral(&team, clock.clone()).unwrap();
    let id = claudine
        .add_client(&NewClient {
            name: "Mukamana Odette".into(),
            sex: Some(Sex::Female),
            birth_year: Some(1978),
            target_groups: vec!["genocide-survivor".into()],
            ..Default::default()
        })
        .unwrap();
    send(&claudine, &mut jean);
    assert_eq!(snapshot(&jean), snapshot(&claudine));
    (claudine, jean, id, clock)
}

#[test]
fn edits_to_different_fields_both_survive_in_every_exchange_order() {
    for order in 0..3 {
        let (mut claudine, mut jean, id, clock) = two_counsellors_sharing_a_client();
        clock.advance(60_000);
        claudine
            .edit_client(
                id,
                &ClientEdit {
                    phone: Some(Some("+250 788 123 456".into())),
                    ..Default::default()
                },
            )
            .unwrap();
        clock.advance(1_000);
        jean.edit_client(
            id,
            &ClientEdit {
                birth_year: Some(Some(1979)),
                ..Default::default()
            },
        )
        .unwrap();
        match order {
            0 => exchange(&mut claudine, &mut jean),
            1 => exchange(&mut jean, &mut claudine),
            _ => {
                // Each pushes to the other before either pulls: both send their own op only.
                let to_jean = claudine.ops_missing_from(&jean.summary().unwrap()).unwrap();
                let to_claudine = jean.ops_missing_from(&claudine.summary().unwrap()).unwrap();
                jean.apply_ops(&to_jean).unwrap();
                claudine.apply_ops(&to_claudine).unwrap();
            }
        }
        let c = claudine.client(id).unwrap();
        assert_eq!(c.phone.as_deref(), Some("+250788123456"), "order {order}");
        assert_eq!(c.birth_year, Some(1979), "order {order}");
        assert!(c.conflicts.is_empty());
        assert_eq!(snapshot(&claudine), snapshot(&jean), "order {order}");
    }
}

#[test]
fn the_same_field_edited_on_both_tablets_shows_one_name_and_keeps_the_other_in_history() {
    for claudine_first in [true, false] {
        let (mut claudine, mut jean, id, clock) = two_counsellors_sharing_a_client();
        clock.advance(60_000);
        claudine
            .edit_client(
                id,
                &ClientEdit {
                    name: Some("Mukamana Odette Uwera".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        clock.advance(5_000); // Jean types a little later: his value wins the tie.
        jean.edit_client(
            id,
            &ClientEdit {
                name: Some("Odette Mukamana".into()),
                ..Default::default()
            },
        )
        .unwrap();
        if claudine_first {
            exchange(&mut claudine, &mut jean);
        } else {
            exchange(&mut jean, &mut claudine);
        }
        for tablet in [&claudine, &jean] {
            let c = tablet.client(id).unwrap();
            assert_eq!(c.name, "Odette Mukamana");
            assert_eq!(
                c.conflicts,
                vec!["name".to_string()],
                "the conflict is visible"
            );
            let history = tablet.client_history(id, "name").unwrap();
            let names: Vec<(&str, EntryStatus)> = history
                .iter()
                .map(|e| match &e.change {
                    HistoryChange::Set(Value::Text(t)) => (t.as_str(), e.status),
                    other => panic!("unexpected {other:?}"),
                })
                .collect();
            assert_eq!(
                names,
                vec![
                    ("Mukamana Odette", EntryStatus::Replaced),
                    ("Mukamana Odette Uwera", EntryStatus::Concurrent),
                    ("Odette Mukamana", EntryStatus::Current),
                ]
            );
            assert_eq!(
                history[1].device,
                claudine.device_id(),
                "the losing name says who wrote it"
            );
        }
        assert_eq!(snapshot(&claudine), snapshot(&jean));
    }
}

fn phone(number: &str, seen: Option<Seen>) -> ClientEdit {
    ClientEdit {
        phone: Some(Some(number.into())),
        seen,
        ..Default::default()
    }
}

/// The phone's values on a tablet, oldest first, each with its standing.
fn phone_history(tablet: &Vault, id: komora_core::RecordId) -> Vec<(String, EntryStatus)> {
    tablet
        .client_history(id, "phone")
        .unwrap()
        .into_iter()
        .map(|e| match e.change {
            HistoryChange::Set(Value::Text(t)) => (t, e.status),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

/// Jean opens Mukamana's file to change her phone number. While his form is open his tablet
/// syncs and brings Claudine's correction of that very number, which he never sees. He saves
/// what he typed: his number must not replace hers unseen. Both tablets show the phone in
/// conflict, with both numbers in its history, until one of them settles it from a form that
/// showed both.
#[test]
fn a_number_corrected_by_a_colleague_while_the_form_was_open_is_kept_beside_hers_not_replaced_unseen(
) {
    let (mut claudine, mut jean, id, clock) = two_counsellors_sharing_a_client();
    claudine
        .edit_client(id, &phone("0788 000 111", None))
        .unwrap();
    send(&claudine, &mut jean);

    // His form opens: what it saw travels with it (kept as text in a draft over a lock).
    let seen = jean.client_seen(id).unwrap().to_text();
    clock.advance(60_000);
    claudine
        .edit_client(id, &phone("0788 000 222", None))
        .unwrap();
    send(&claudine, &mut jean); // his sync, behind the open form
    clock.advance(60_000);
    let seen = Seen::parse(&seen).unwrap();
    jean.edit_client(id, &phone("0788 999 999", Some(seen)))
        .unwrap();
    exchange(&mut claudine, &mut jean);

    for tablet in [&claudine, &jean] {
        let c = tablet.client(id).unwrap();
        assert_eq!(
            c.phone.as_deref(),
            Some("0788999999"),
            "the later value is shown"
        );
        assert_eq!(
            c.conflicts,
            vec!["phone".to_string()],
            "and the clash is visible"
        );
        assert_eq!(
            phone_history(tablet, id),
            vec![
                ("0788000111".to_string(), EntryStatus::Replaced),
                ("0788000222".to_string(), EntryStatus::Concurrent),
                ("0788999999".to_string(), EntryStatus::Current),
            ],
            "her correction is kept, not replaced by a form that never showed it"
        );
    }
    assert_eq!(snapshot(&claudine), snapshot(&jean));

    // Claudine opens the file, sees both numbers, and keeps hers: settled everywhere.
    clock.advance(60_000);
    let seen = claudine.client_seen(id).unwrap();
    claudine
        .edit_client(id, &phone("0788 000 222", Some(seen)))
        .unwrap();
    exchange(&mut claudine, &mut jean);
    for tablet in [&claudine, &jean] {
        let c = tablet.client(id).unwrap();
        assert_eq!(c.phone.as_deref(), Some("0788000222"));
        assert!(c.conflicts.is_empty(), "a form that showed both settles it");
    }
}

/// A form's memory of one client cannot be used to save another (a mix-up of screens), and
/// text that is not what a form keeps is refused: nothing is written either way.
#[test]
fn what_a_form_saw_is_refused_for_another_client_or_when_garbled() {
    let (mut claudine, _jean, id, _clock) = two_counsellors_sharing_a_client();
    let other = claudine
        .add_client(&NewClient {
            name: "Uwase Diane".into(),
            ..Default::default()
        })
        .unwrap();
    let before = snapshot(&claudine);
    let seen = claudine.client_seen(id).unwrap();
    assert!(matches!(
        claudine.edit_client(other, &phone("0788 000 333", Some(seen))),
        Err(komora_core::Error::Validation { field: "seen", .. })
    ));
    for garbled in ["", "not base64 !", "AAAA", &"A".repeat(20_000)] {
        assert!(
            matches!(
                Seen::parse(garbled),
                Err(komora_core::Error::Validation { field: "seen", .. })
            ),
            "{garbled:.10}"
        );
    }
    assert_eq!(snapshot(&claudine), before);
}

#[test]
fn a_later_edit_after_seeing_the_conflict_settles_it_on_every_tablet() {
    let (mut claudine, mut jean, id, clock) = two_counsellors_sharing_a_client();
    claudine
        .edit_client(
            id,
            &ClientEdit {
                name: Some("A".into()),
                ..Default::default()
            },
        )
        .unwrap();
    jean.edit_client(
        id,
        &ClientEdit {
            name: Some("B".into()),
            ..Default::default()
        },
    )
    .unwrap();
    exchange(&mut claudine, &mut jean);
    clock.advance(1_000);
    claudine
        .edit_client(
            id,
            &ClientEdit {
                name: Some("Mukamana Odette".into()),
                ..Default::default()
            },
        )
        .unwrap();
    exchange(&mut claudine, &mut jean);
    for tablet in [&claudine, &jean] {
        let c = tablet.client(id).unwrap();
        assert_eq!(c.name, "Mukamana Odette");
        assert!(c.conflicts.is_empty());
    }
}

#[test]
fn a_tablet_with_its_clock_a_year_ahead_cannot_win_against_edits_made_after_seeing_its_own() {
    let (mut claudine, mut jean, id, clock) = two_counsellors_sharing_a_client();
    let year = 365 * 24 * 3600 * 1000;
    // Jean's tablet runs a year fast.
    let jean_clock = ManualClock::at(MORNING_MS + year);
    let mut jean_fast = Vault::ephemeral(&claudine.team_keys(), jean_clock).unwrap();
    send(&claudine, &mut jean_fast);
    jean_fast
        .edit_client(
            id,
            &ClientEdit {
                phone: Some(Some("0788111111".into())),
                ..Default::default()
            },
        )
        .unwrap();
    let report = send(&jean_fast, &mut claudine);
    assert_eq!(
        report.clock_ahead,
        vec![jean_fast.device_id()],
        "the wrong clock is reported"
    );
    // Claudine corrects the number the next minute: her edit replaces Jean's despite the clocks.
    clock.advance(60_000);
    claudine
        .edit_client(
            id,
            &ClientEdit {
                phone: Some(Some("0788222222".into())),
                ..Default::default()
            },
        )
        .unwrap();
    exchange(&mut claudine, &mut jean_fast);
    send(&claudine, &mut jean);
    for tablet in [&claudine, &jean_fast, &jean] {
        assert_eq!(
            tablet.client(id).unwrap().phone.as_deref(),
            Some("0788222222")
        );
    }
}

#[test]
fn target_groups_added_on_two_tablets_offline_are_both_kept_and_a_remove_spares_a_concurrent_add() {
    let (mut claudine, mut jean, id, _clock) = two_counsellors_sharing_a_client();
    claudine
        .edit_client(
            id,
            &ClientEdit {
                add_groups: vec!["single-mother".into()],
                ..Default::default()
            },
        )
        .unwrap();
    jean.edit_client(
        id,
        &ClientEdit {
            add_groups: vec!["wounded-heart".into()],
            ..Default::default()
        },
    )
    .unwrap();
    // Jean also removes "genocide-survivor" while Claudine, offline, re-adds it.
    jean.edit_client(
        id,
        &ClientEdit {
            remove_groups: vec!["genocide-survivor".into()],
            ..Default::default()
        },
    )
    .unwrap();
    claudine
        .edit_client(
            id,
            &ClientEdit {
                remove_groups: vec!["genocide-survivor".into()],
                ..Default::default()
            },
        )
        .unwrap();
    claudine
        .edit_client(
            id,
            &ClientEdit {
                add_groups: vec!["genocide-survivor".into()],
                ..Default::default()
            },
        )
        .unwrap();
    exchange(&mut jean, &mut claudine);
    let groups = claudine.client(id).unwrap().target_groups;
    assert_eq!(
        groups,
        vec!["genocide-survivor", "single-mother", "wounded-heart"]
    );
    assert_eq!(snapshot(&claudine), snapshot(&jean));
}

#[test]
fn a_deleted_client_disappears_everywhere_but_concurrent_words_stay_in_history() {
    let (mut claudine, mut jean, id, _clock) = two_counsellors_sharing_a_client();
    claudine.delete_client(id).unwrap();
    jean.edit_client(
        id,
        &ClientEdit {
            name: Some("Mukamana O.".into()),
            ..Default::default()
        },
    )
    .unwrap();
    exchange(&mut claudine, &mut jean);
    for tablet in [&claudine, &jean] {
        assert!(tablet.client(id).is_err());
        assert!(snapshot(tablet).is_empty());
        let history = tablet.client_history(id, "name").unwrap();
        assert_eq!(history.len(), 2, "Jean's edit is still in the history");
    }
}

#[test]
fn applying_the_same_operations_again_changes_nothing() {
    let (mut claudine, mut jean, _id, _clock) = two_counsellors_sharing_a_client();
    let before = snapshot(&jean);
    let all = claudine.all_ops().unwrap();
    let report = jean.apply_ops(&all).unwrap();
    assert_eq!((report.applied, report.duplicates), (0, all.len()));
    assert_eq!(snapshot(&jean), before);
    // Its own operations coming back (as from a server) are duplicates too.
    let report = claudine.apply_ops(&all).unwrap();
    assert_eq!(report.applied, 0);
}

#[test]
fn operations_from_another_team_are_refused_and_change_nothing() {
    let (_claudine, mut jean, _id, clock) = two_counsellors_sharing_a_client();
    let mut other_team = Vault::ephemeral(&TeamKeys::generate(), clock).unwrap();
    other_team
        .add_client(&NewClient {
            name: "Outsider".into(),
            ..Default::default()
        })
        .unwrap();
    let before = snapshot(&jean);
    let report = jean.apply_ops(&other_team.all_ops().unwrap()).unwrap();
    assert_eq!(report.applied, 0);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(
        report.rejected[0].reason,
        komora_core::RejectReason::Corrupted
    );
    assert_eq!(snapshot(&jean), before);
}
