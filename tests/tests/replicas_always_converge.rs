//! Property: however five to seven tablets of one team work offline, on every kind of record
//! (clients and their household links, consents and withdrawals, cases, sessions, reviews and
//! answers, referrals, assessments, groups and attendance, the team's policy, rights requests,
//! the audit trail, erasures of a client's file), pass some of their work to each other in any
//! order, and finally receive everything in random orders and batches with duplicates:
//! - they all show the same thing (every list, queue, timeline, history and record a screen
//!   reads, and the donors' figures);
//! - no value written at the same time as another is lost where the kind promises to keep it
//!   (both register values stay and the field is flagged; an add-wins set keeps every add no
//!   removal saw), and a write that saw a value replaces it whatever the clocks say;
//! - an erased client's file is unreadable everywhere, comes back through no late edit, and
//!   opens from no copy of any log.
//!
//! The actions come from the kinds' table (`komora_scenarios::convergence::kinds`); the oracle
//! (`convergence::model`) derives what must be shown from what each write had seen.
//!
//! CI runs 2,000 cases. The long run:
//! `PROPTEST_CASES=100000 cargo test --release -p komora-scenarios --test replicas_always_converge`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use komora_scenarios::convergence::fleet::{Fleet, Tally};
use komora_scenarios::convergence::kinds::ActionRef;
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

#[derive(Clone, Debug)]
enum Step {
    Do {
        at: usize,
        action: ActionRef,
        picks: [u8; 3],
        value: u16,
    },
    /// `to` receives from `from`: everything (`share` 0) or about `share` quarters of it,
    /// shuffled, with duplicates.
    Deliver {
        from: usize,
        to: usize,
        share: u8,
        seed: u64,
    },
    Wait {
        at: usize,
        ms: u64,
    },
}

fn step(replicas: usize) -> impl Strategy<Value = Step> {
    let action = Union::new_weighted(
        ActionRef::all()
            .into_iter()
            .map(|(weight, a)| (weight, Just(a).boxed()))
            .collect(),
    );
    let r = 0..replicas;
    // Two tablets do most of the work (a counsellor's and her supervisor's); the others work
    // less and pass on what they receive: files grow deep enough for sessions, reviews and
    // attendance to be written and disputed.
    let busy = prop_oneof![3 => 0..2usize, 2 => r.clone()];
    prop_oneof![
        12 => (busy, action, any::<[u8; 3]>(), any::<u16>())
            .prop_map(|(at, action, picks, value)| Step::Do { at, action, picks, value }),
        5 => (r.clone(), r.clone(), prop_oneof![Just(0u8), 1u8..4], any::<u64>())
            .prop_map(|(from, to, share, seed)| Step::Deliver { from, to, share, seed }),
        1 => (r, prop_oneof![0u64..5, 1_000u64..100_000, Just(86_400_000)])
            .prop_map(|(at, ms)| Step::Wait { at, ms }),
    ]
}

/// Clock offsets: most tablets are right, some are off by minutes, one may be years ahead.
fn skews(replicas: usize) -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(
        prop_oneof![4 => Just(0u64), 2 => 0u64..600_000, 1 => Just(3 * 365 * 24 * 3600 * 1000)],
        replicas,
    )
}

type Case = (Vec<u64>, Vec<Step>, u64);

fn case() -> impl Strategy<Value = Case> {
    (5usize..=7).prop_flat_map(|n| {
        (
            skews(n),
            prop::collection::vec(step(n), 1..150),
            any::<u64>(),
        )
    })
}

static TALLY: Mutex<BTreeMap<String, Tally>> = Mutex::new(BTreeMap::new());
static RUNS: AtomicU64 = AtomicU64::new(0);

fn run((skews, steps, seed): &Case) -> Result<(), TestCaseError> {
    RUNS.fetch_add(1, Ordering::Relaxed);
    let mut fleet = Fleet::new(skews);
    for s in steps {
        match *s {
            Step::Do {
                at,
                action,
                picks,
                value,
            } => fleet.act(at, action, picks, value),
            Step::Deliver {
                from,
                to,
                share,
                seed,
            } => fleet.deliver(from, to, share, seed),
            Step::Wait { at, ms } => {
                fleet.wait(at, ms);
                Ok(())
            }
        }
        .map_err(TestCaseError::fail)?;
    }
    fleet
        .deliver_everything(*seed)
        .map_err(TestCaseError::fail)?;
    fleet.check(&[]).map_err(TestCaseError::fail)?;
    let mut all = TALLY.lock().unwrap();
    for (name, t) in &fleet.tally {
        let e = all.entry(name.clone()).or_default();
        e.wrote += t.wrote;
        e.nothing += t.nothing;
        e.refused += t.refused;
        e.skipped += t.skipped;
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000)
}

#[test]
fn every_kind_converges_on_five_to_seven_tablets_whatever_the_order() {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        source_file: Some(file!()),
        ..Config::default()
    });
    let result = runner.run(&case(), |c| run(&c));
    // What the actions did over the run: each kind must be exercised, not only generated.
    eprintln!(
        "{} runs (cases, and the shrinking of a failure)",
        RUNS.load(Ordering::Relaxed)
    );
    for (name, t) in TALLY.lock().unwrap().iter() {
        eprintln!(
            "{name:32} wrote {:6}  changed nothing {:5}  refused {:5}  nothing to act on {:5}",
            t.wrote, t.nothing, t.refused, t.skipped
        );
    }
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, (skews, steps, seed))) => {
            let steps: Vec<String> = steps.iter().map(|s| format!("{s:?}")).collect();
            panic!(
                "{why}\nminimal failing case: clock skews {skews:?}, delivery seed {seed}, {} steps:\n  {}",
                steps.len(),
                steps.join("\n  ")
            );
        }
        Err(e) => panic!("{e}"),
    }
}
