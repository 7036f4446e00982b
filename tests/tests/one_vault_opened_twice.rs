//! One vault opened twice at once: a `komora sync` left running in the background while the
//! counsellor records a client at the terminal, two windows of the command line. Each opening
//! kept its own count of this device's changes, so both numbered their next change the same;
//! whatever compares those numbers (an exchange by file with another tablet, a server given
//! back its lost changes after a restore) then took one change for the other and skipped it,
//! without a word. Now the second opening is refused, clearly, and changes nothing.

use komora_core::{Error, NewClient, Vault};
use komora_scenarios::{client_names, fast_options, send};

fn client(v: &mut Vault, name: &str) {
    v.add_client(&NewClient {
        name: name.into(),
        ..Default::default()
    })
    .unwrap();
}

#[test]
fn a_vault_open_in_one_program_is_refused_to_another_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claudine");
    let mut first = Vault::create(&path, "umutima-mwiza", fast_options()).unwrap();
    let team = first.team_keys();
    let mut other_tablet = Vault::create_joined(
        dir.path().join("other"),
        "umutima-mwiza",
        &team,
        fast_options(),
    )
    .unwrap();
    client(&mut first, "Mukamana Odette");
    // The first client reaches the other tablet by file (a USB stick).
    send(&first, &mut other_tablet);

    // While the first opening is still running, another program opens the same vault.
    let second = Vault::open(&path, "umutima-mwiza", fast_options());
    assert!(
        matches!(second, Err(Error::InUse)),
        "the second opening is refused: {second:?}"
    );
    // A wrong passphrase there is refused the same way, and is not counted.
    assert!(matches!(
        Vault::open(&path, "wrong passphrase", fast_options()),
        Err(Error::InUse)
    ));
    client(&mut first, "Habimana Eric");
    first.lock();

    // Once the first has closed, the vault opens as usual, and what each recorded reaches
    // the other tablet.
    let mut again = Vault::open(&path, "umutima-mwiza", fast_options()).unwrap();
    client(&mut again, "Uwase Immaculée");
    send(&again, &mut other_tablet);
    assert_eq!(
        client_names(&other_tablet),
        ["Habimana Eric", "Mukamana Odette", "Uwase Immaculée"]
    );
}
