//! The passphrase of a vault on a computer: from `KOMORA_PASSPHRASE` for scripts, else asked
//! on the terminal without echo. A vault the command line makes has no hardware key store to
//! take part in its key (a tablet's Keystore does, ADR 0015): its passphrase is all that
//! stands between a copy of its files and whoever guesses it, so a new one must be strong.

use std::io::IsTerminal;

use crate::Failure;

/// Fewest guesses (log10) a new passphrase must cost by zxcvbn's estimate: 10^10, about
/// 16 years of one core's Argon2id work at the default cost, and far beyond a 6-digit PIN.
const MIN_GUESSES_LOG10: f64 = 10.0;

/// The passphrase of an existing vault.
pub fn existing() -> Result<String, Failure> {
    read(false)
}

/// A passphrase for a new vault (or a new passphrase): asked twice on a terminal, and
/// refused unless it is strong, with the reason and how to make a better one.
pub fn new() -> Result<String, Failure> {
    let p = read(true)?;
    check_strength(&p)?;
    Ok(p)
}

pub fn check_strength(p: &str) -> Result<(), Failure> {
    let estimate = zxcvbn::zxcvbn(p, &["komora", "ami", "passphrase", "password"]);
    if estimate.guesses_log10() < MIN_GUESSES_LOG10 || p.chars().count() < 12 {
        return Err(Failure(
            "this passphrase is too easy to guess for a vault on a computer (a copy of its \
             files can be tried offline): use at least four words that do not belong together, \
             or 12 characters or more mixing words, numbers and signs; nothing was created"
                .into(),
            2,
        ));
    }
    Ok(())
}

fn read(confirm: bool) -> Result<String, Failure> {
    if let Ok(p) = std::env::var("KOMORA_PASSPHRASE") {
        if std::io::stdin().is_terminal() {
            eprintln!(
                "komora: warning: KOMORA_PASSPHRASE is for scripts; at a terminal, leave it unset \
                 and type the passphrase (the variable stays in this shell and its children)"
            );
        }
        return Ok(p);
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt).map_err(|_| {
            Failure(
                "no passphrase: set KOMORA_PASSPHRASE or run in a terminal".into(),
                2,
            )
        })
    };
    let first = ask("Vault passphrase: ")?;
    if confirm && ask("Repeat the passphrase: ")? != first {
        return Err(Failure(
            "the two passphrases differ; nothing was created".into(),
            2,
        ));
    }
    Ok(first)
}
