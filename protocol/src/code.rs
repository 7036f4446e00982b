//! One-time codes typed by people (bootstrap and enrolment): 20 characters of Crockford's
//! base32 (100 bits), shown in groups of five. Typing is forgiving: case, spaces and dashes do
//! not matter, and O/I/L read as 0/1/1.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const CODE_CHARS: usize = 20;

/// Format 13 random bytes (only 100 bits are used) as a code like `7KQ2M-...`.
pub fn format(random: [u8; 13]) -> String {
    let mut bits: u128 = 0;
    for b in random {
        bits = (bits << 8) | b as u128;
    }
    let mut out = String::with_capacity(CODE_CHARS + 3);
    for i in 0..CODE_CHARS {
        if i > 0 && i % 5 == 0 {
            out.push('-');
        }
        let idx = (bits >> (5 * (CODE_CHARS - 1 - i))) & 31;
        out.push(ALPHABET[idx as usize] as char);
    }
    out
}

/// The canonical form of a typed code, or `None` if it cannot be one.
pub fn normalise(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_CHARS);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if ALPHABET.contains(&(c as u8)) && c.is_ascii() => c,
            _ => return None,
        };
        out.push(c);
    }
    (out.len() == CODE_CHARS).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_twenty_characters_in_groups_and_typing_is_forgiving() {
        let code = format([0xA5; 13]);
        assert_eq!(code.len(), 23);
        assert_eq!(code.matches('-').count(), 3);
        let canonical = normalise(&code).unwrap();
        assert_eq!(
            normalise(&code.to_lowercase().replace('-', " ")).unwrap(),
            canonical
        );
        assert_eq!(
            normalise("00000-00000-00000-0000O"),
            normalise("00000-00000-00000-00000")
        );
        assert!(normalise("too short").is_none());
        assert!(
            normalise("UUUUU-UUUUU-UUUUU-UUUUU").is_none(),
            "U is not in the alphabet"
        );
    }
}
