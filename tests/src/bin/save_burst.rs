//! Saves clients one transaction at a time and prints each id once its save is acknowledged,
//! until killed. The crash-safety test kills it at random instants.
//! Usage: save_burst VAULT_DIR PREFIX (passphrase from KOMORA_PASSPHRASE).

use std::io::Write;

use komora_core::{NewClient, Vault, VaultOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("vault dir");
    let prefix = args.next().expect("name prefix");
    let pass = std::env::var("KOMORA_PASSPHRASE").expect("KOMORA_PASSPHRASE");
    let mut vault = Vault::open(&dir, &pass, VaultOptions::default()).expect("vault opens");
    let mut stdout = std::io::stdout().lock();
    for i in 0.. {
        let client = NewClient {
            name: format!("{prefix}-{i}"),
            phone: Some("0788000000".into()),
            ..Default::default()
        };
        let id = vault.add_client(&client).expect("save");
        writeln!(stdout, "{id} {prefix}-{i}").unwrap();
        stdout.flush().unwrap();
    }
}
