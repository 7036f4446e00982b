//! The battery dies (or the app is killed) in the middle of a burst of saves. Every save the
//! counsellor saw acknowledged is there when the vault is opened again, and the vault opens.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use komora_core::Vault;
use komora_scenarios::{fast_options, Rng};

const PASS: &str = "crash test passphrase";

#[test]
fn every_acknowledged_save_survives_a_kill_at_a_random_instant() {
    let dir = tempfile::tempdir().unwrap();
    Vault::create(dir.path(), PASS, fast_options())
        .unwrap()
        .lock();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut rng = Rng::new(seed);
    let mut acknowledged: Vec<(String, String)> = Vec::new();
    let rounds = 12;
    for round in 0..rounds {
        let mut child = Command::new(env!("CARGO_BIN_EXE_save_burst"))
            .arg(dir.path())
            .arg(format!("round{round}"))
            .env("KOMORA_PASSPHRASE", PASS)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Read acknowledgements on a thread; kill after a random time, mid-burst.
        let stdout = child.stdout.take().unwrap();
        let (first_ack, acked) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.is_empty() {
                    let _ = first_ack.send(());
                }
                lines.push(line);
            }
            lines
        });
        // Once the burst is under way (whatever the machine's speed), kill at a random instant.
        acked
            .recv_timeout(Duration::from_secs(30))
            .expect("the burst started");
        let wait = Duration::from_millis(rng.below(200));
        let start = Instant::now();
        while start.elapsed() < wait {
            std::thread::sleep(Duration::from_millis(1));
        }
        child.kill().unwrap(); // SIGKILL: no destructor, no checkpoint, no flush
        child.wait().unwrap();
        for line in reader.join().unwrap() {
            let (id, name) = line.split_once(' ').unwrap();
            acknowledged.push((id.to_owned(), name.to_owned()));
        }

        let vault = Vault::open(dir.path(), PASS, fast_options())
            .unwrap_or_else(|e| panic!("round {round}: vault does not open: {e}"));
        let listing = vault.clients().unwrap();
        assert!(
            listing.unreadable.is_empty(),
            "round {round} (seed {seed}): unreadable records"
        );
        for (id, name) in &acknowledged {
            let client = vault
                .client(id.parse().unwrap())
                .unwrap_or_else(|e| panic!("round {round} (seed {seed}): lost {name}: {e}"));
            assert_eq!(&client.name, name);
        }
        // At most the one save in flight at the kill may be there without its acknowledgement.
        assert!(listing.items.len() <= acknowledged.len() + round + 1);
        // The log and the state agree: one operation per client, none applied twice.
        assert_eq!(vault.summary().unwrap().len() as usize, listing.items.len());
    }
    assert!(
        acknowledged.len() > rounds,
        "the burst saved too little to test anything"
    );
}
