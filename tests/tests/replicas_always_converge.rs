//! Property: however five or more tablets edit offline, exchange partially, and finally receive
//! every operation in random orders, in random batches, with duplicates, they all show the same
//! clients, the same conflicts and the same histories.
//!
//! CI runs 2,000 cases; the long run is `PROPTEST_CASES=100000 cargo test --release -p
//! komora-scenarios --test replicas_always_converge`.

use std::sync::Arc;

use komora_core::{ClientEdit, NewClient, OpEnvelope, RecordId, TeamKeys, Vault};
use komora_scenarios::{snapshot, ManualClock, Rng, MORNING_MS};
use proptest::prelude::*;

const NAMES: &[&str] = &[
    "Uwase",
    "Mukamana",
    "Habimana",
    "Niyonsaba",
    "Uwimana",
    "Nshimiyimana",
];
const GROUPS: &[&str] = &[
    "genocide-survivor",
    "ex-prisoner",
    "single-mother",
    "wounded-heart",
];

#[derive(Debug, Clone)]
enum Action {
    Add {
        at: usize,
        name: usize,
    },
    Rename {
        at: usize,
        client: usize,
        name: usize,
    },
    Phone {
        at: usize,
        client: usize,
        digits: u32,
    },
    AddGroup {
        at: usize,
        client: usize,
        group: usize,
    },
    RemoveGroup {
        at: usize,
        client: usize,
        group: usize,
    },
    Delete {
        at: usize,
        client: usize,
    },
    Sync {
        from: usize,
        to: usize,
    },
    Wait {
        at: usize,
        ms: u64,
    },
}

fn action(replicas: usize) -> impl Strategy<Value = Action> {
    let r = 0..replicas;
    prop_oneof![
        3 => (r.clone(), 0..NAMES.len()).prop_map(|(at, name)| Action::Add { at, name }),
        4 => (r.clone(), 0..8usize, 0..NAMES.len()).prop_map(|(at, client, name)| Action::Rename { at, client, name }),
        2 => (r.clone(), 0..8usize, 1_000_000u32..9_999_999).prop_map(|(at, client, digits)| Action::Phone { at, client, digits }),
        2 => (r.clone(), 0..8usize, 0..GROUPS.len()).prop_map(|(at, client, group)| Action::AddGroup { at, client, group }),
        2 => (r.clone(), 0..8usize, 0..GROUPS.len()).prop_map(|(at, client, group)| Action::RemoveGroup { at, client, group }),
        1 => (r.clone(), 0..8usize).prop_map(|(at, client)| Action::Delete { at, client }),
        3 => (r.clone(), r.clone()).prop_map(|(from, to)| Action::Sync { from, to }),
        2 => (r, prop_oneof![0u64..5, 1_000u64..100_000]).prop_map(|(at, ms)| Action::Wait { at, ms }),
    ]
}

/// Clock offsets: most tablets are right, some are off by minutes, one may be years ahead.
fn skews(replicas: usize) -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(
        prop_oneof![4 => Just(0u64), 2 => 0u64..600_000, 1 => Just(3 * 365 * 24 * 3600 * 1000)],
        replicas,
    )
}

fn known_clients(v: &Vault) -> Vec<RecordId> {
    v.clients().unwrap().items.iter().map(|c| c.id).collect()
}

fn run(
    _replicas: usize,
    skews: &[u64],
    actions: &[Action],
    seed: u64,
) -> Result<(), TestCaseError> {
    let team = TeamKeys::generate();
    let clocks: Vec<Arc<ManualClock>> = skews
        .iter()
        .map(|s| ManualClock::at(MORNING_MS + s))
        .collect();
    let mut vaults: Vec<Vault> = clocks
        .iter()
        .map(|c| Vault::ephemeral(&team, c.clone()).unwrap())
        .collect();

    for a in actions {
        let pick = |v: &Vault, i: usize| {
            let ids = known_clients(v);
            (!ids.is_empty()).then(|| ids[i % ids.len()])
        };
        match *a {
            Action::Add { at, name } => {
                vaults[at]
                    .add_client(&NewClient {
                        name: NAMES[name].into(),
                        ..Default::default()
                    })
                    .unwrap();
            }
            Action::Rename { at, client, name } => {
                if let Some(id) = pick(&vaults[at], client) {
                    let edit = ClientEdit {
                        name: Some(NAMES[name].into()),
                        ..Default::default()
                    };
                    vaults[at].edit_client(id, &edit).unwrap();
                }
            }
            Action::Phone { at, client, digits } => {
                if let Some(id) = pick(&vaults[at], client) {
                    let edit = ClientEdit {
                        phone: Some(Some(format!("078{digits}"))),
                        ..Default::default()
                    };
                    vaults[at].edit_client(id, &edit).unwrap();
                }
            }
            Action::AddGroup { at, client, group } => {
                if let Some(id) = pick(&vaults[at], client) {
                    let edit = ClientEdit {
                        add_groups: vec![GROUPS[group].into()],
                        ..Default::default()
                    };
                    vaults[at].edit_client(id, &edit).unwrap();
                }
            }
            Action::RemoveGroup { at, client, group } => {
                if let Some(id) = pick(&vaults[at], client) {
                    let edit = ClientEdit {
                        remove_groups: vec![GROUPS[group].into()],
                        ..Default::default()
                    };
                    vaults[at].edit_client(id, &edit).unwrap();
                }
            }
            Action::Delete { at, client } => {
                if let Some(id) = pick(&vaults[at], client) {
                    vaults[at].delete_client(id).unwrap();
                }
            }
            Action::Sync { from, to } if from != to => {
                let missing = vaults[from]
                    .ops_missing_from(&vaults[to].summary().unwrap())
                    .unwrap();
                let report = vaults[to].apply_ops(&missing).unwrap();
                prop_assert!(report.rejected.is_empty());
            }
            Action::Sync { .. } => {}
            Action::Wait { at, ms } => clocks[at].advance(ms),
        }
    }

    // Quiesce: every tablet receives every operation, shuffled, in random batches, with
    // duplicates (a third of the operations twice).
    let mut all: Vec<OpEnvelope> = Vec::new();
    for v in &vaults {
        all.extend(v.all_ops().unwrap());
    }
    let mut rng = Rng::new(seed);
    for v in vaults.iter_mut() {
        let mut delivery = all.clone();
        delivery.extend(all.iter().filter(|_| rng.below(3) == 0).cloned());
        rng.shuffle(&mut delivery);
        let mut rest = &delivery[..];
        while !rest.is_empty() {
            let n = 1 + rng.below(rest.len() as u64) as usize;
            let report = v.apply_ops(&rest[..n]).unwrap();
            prop_assert!(report.rejected.is_empty());
            rest = &rest[n..];
        }
    }

    let expected = snapshot(&vaults[0]);
    let total_ops = vaults[0].summary().unwrap().len();
    for (i, v) in vaults.iter().enumerate().skip(1) {
        prop_assert_eq!(
            &snapshot(v),
            &expected,
            "replica {} differs from replica 0",
            i
        );
        prop_assert_eq!(v.summary().unwrap().len(), total_ops);
    }
    for c in &expected {
        for field in ["name", "phone", "target_groups"] {
            let h0 = vaults[0].client_history(c.id, field).unwrap();
            for v in &vaults[1..] {
                prop_assert_eq!(&v.client_history(c.id, field).unwrap(), &h0);
            }
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn five_to_seven_tablets_converge_whatever_the_order(
        (replicas, skews, actions) in (5usize..=7).prop_flat_map(|n| (
            Just(n),
            skews(n),
            prop::collection::vec(action(n), 1..60),
        )),
        seed in any::<u64>(),
    ) {
        run(replicas, &skews, &actions, seed)?;
    }
}
