//! The command is killed with SIGKILL at random instants while it saves, edits, imports and
//! syncs: a short run of the kill -9 fault campaign (`komora_scenarios::kill_campaign`), 20
//! rounds and at most 20 s of them. The long run and its figures: `scripts/fault-kill.sh`,
//! docs/RELIABILITY.md.

use std::time::Duration;

use komora_scenarios::kill_campaign::{run, Config};

#[test]
fn killed_at_random_instants_the_command_loses_no_acknowledged_save_and_applies_nothing_twice() {
    let seed = komora_scenarios::seed_from_env("KOMORA_FAULT_SEED");
    let report = run(&Config {
        komora: env!("CARGO_BIN_EXE_komora").into(),
        rounds: 20,
        seed,
        max_time: Duration::from_secs(20),
        work: None,
        keep: false,
        verbose: false,
    });
    println!("{}", report.table());
    assert!(
        report.ok(),
        "seed {seed} (repeat with KOMORA_FAULT_SEED={seed}):\n{}",
        report.table()
    );
    assert!(report.rounds >= 5, "too few rounds ran to test anything");
}
