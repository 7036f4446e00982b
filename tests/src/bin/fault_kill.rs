//! The kill -9 fault campaign (see `komora_scenarios::kill_campaign` and docs/RELIABILITY.md).
//!
//!     fault_kill --komora target/release/komora [--rounds 300] [--seed 1] [--max-seconds 600]
//!                [--work DIR] [--keep] [--verbose] [--creation N]
//!
//! `--creation N` also kills `komora init` N times (see `kill_campaign::creation_probe`); a
//! folder left that neither opens nor can be initialised again counts as a violation.
//!
//! Each flag also comes from the environment: KOMORA_BIN, FAULT_ROUNDS, FAULT_SEED,
//! FAULT_MAX_SECONDS, FAULT_WORK. Prints the summary table; exits 1 on any violation, 2 on a
//! usage error.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use komora_scenarios::kill_campaign::{creation_probe, run, Config};

fn usage(msg: &str) -> ExitCode {
    eprintln!("fault_kill: {msg}");
    eprintln!(
        "usage: fault_kill --komora PATH [--rounds N] [--seed N] [--max-seconds N] [--work DIR] [--keep] [--verbose] [--creation N]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut komora = env("KOMORA_BIN").map(PathBuf::from);
    let mut rounds = env("FAULT_ROUNDS").unwrap_or_else(|| "300".into());
    let mut seed = env("FAULT_SEED").unwrap_or_else(|| "1".into());
    let mut max_seconds = env("FAULT_MAX_SECONDS").unwrap_or_else(|| "600".into());
    let mut work = env("FAULT_WORK").map(PathBuf::from);
    let (mut keep, mut verbose) = (false, false);
    let mut creation = "0".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let r = match a.as_str() {
            "--komora" => value("--komora").map(|v| komora = Some(v.into())),
            "--rounds" => value("--rounds").map(|v| rounds = v),
            "--seed" => value("--seed").map(|v| seed = v),
            "--max-seconds" => value("--max-seconds").map(|v| max_seconds = v),
            "--work" => value("--work").map(|v| work = Some(v.into())),
            "--keep" => {
                keep = true;
                Ok(())
            }
            "--verbose" | "-v" => {
                verbose = true;
                Ok(())
            }
            "--creation" => value("--creation").map(|v| creation = v),
            "--help" | "-h" => return usage("the kill -9 fault campaign"),
            other => Err(format!("unknown argument {other}")),
        };
        if let Err(e) = r {
            return usage(&e);
        }
    }
    let Some(komora) = komora else {
        return usage("give the komora binary with --komora PATH or KOMORA_BIN");
    };
    if !komora.is_file() {
        return usage(&format!("{} is not a file", komora.display()));
    }
    let (Ok(rounds), Ok(seed), Ok(max_seconds), Ok(creation)) = (
        rounds.parse::<u32>(),
        seed.parse::<u64>(),
        max_seconds.parse::<u64>(),
        creation.parse::<u32>(),
    ) else {
        return usage("--rounds, --seed, --max-seconds and --creation take whole numbers");
    };
    let cfg = Config {
        komora,
        rounds,
        seed,
        max_time: Duration::from_secs(max_seconds),
        work,
        keep,
        verbose,
    };
    eprintln!(
        "kill -9 campaign: {} rounds at most, {} s at most, seed {}, victim {}",
        cfg.rounds,
        max_seconds,
        cfg.seed,
        cfg.komora.display()
    );
    let report = run(&cfg);
    print!("{}", report.table());
    let mut ok = report.ok();
    if creation > 0 {
        let dir = std::env::temp_dir().join(format!("komora-fault-init-{}", std::process::id()));
        let created = creation_probe(&cfg.komora, creation, seed, &dir);
        println!("{}", created.table());
        if created.stuck.is_empty() {
            let _ = std::fs::remove_dir_all(&dir);
            println!("creation: PASS");
        } else {
            println!("creation: FAIL (folders kept in {})", dir.display());
            ok = false;
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
