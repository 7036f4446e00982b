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

/// What an enrolment QR code holds: `komora:enrol?server=<URL, percent-encoded>&code=<code>`.
/// The tablet reads the server's address and the code from it in one scan.
pub fn enrolment_link(server: &str, code: &str) -> String {
    format!(
        "{LINK_PREFIX}server={}&code={}",
        percent_encode(server),
        percent_encode(code)
    )
}

/// The server address and the canonical code of an enrolment link, or `None` if `text` is not
/// one (another QR code, a truncated scan, a code that cannot be one, an address that is not
/// http(s)).
pub fn parse_enrolment_link(text: &str) -> Option<(String, String)> {
    let text = text.trim();
    if text.len() > MAX_LINK_CHARS {
        return None;
    }
    let query = text.strip_prefix(LINK_PREFIX)?;
    let (mut server, mut code) = (None, None);
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=')?;
        let value = percent_decode(value)?;
        match key {
            "server" if server.is_none() => server = Some(value),
            "code" if code.is_none() => code = Some(value),
            _ => return None,
        }
    }
    let server = server?;
    let lower = server.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || server.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return None;
    }
    Some((server, normalise(&code?)?))
}

const LINK_PREFIX: &str = "komora:enrol?";
/// A server address of any sensible length and a code fit well under this.
const MAX_LINK_CHARS: usize = 2_048;

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
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

    #[test]
    fn an_enrolment_link_carries_the_server_and_the_code_and_nothing_else_is_taken_for_one() {
        let code = format([0x5C; 13]);
        let link = enrolment_link("https://sync.ami.rw:8443/komora", &code);
        assert!(
            link.starts_with("komora:enrol?server=https%3A%2F%2Fsync.ami.rw%3A8443%2Fkomora&code=")
        );
        let (server, parsed) = parse_enrolment_link(&format!("  {link}\n")).unwrap();
        assert_eq!(server, "https://sync.ami.rw:8443/komora");
        assert_eq!(Some(parsed), normalise(&code));

        for bad in [
            "https://example.org/".to_owned(),
            "komora:enrol?server=https%3A%2F%2Fa".to_owned(),
            "komora:enrol?code=".to_owned() + &code,
            format!("komora:enrol?server=ftp%3A%2F%2Fa&code={code}"),
            format!("komora:enrol?server=https%3A%2F%2Fa%0Ab&code={code}"),
            "komora:enrol?server=https%3A%2F%2Fa&code=TOO-SHORT".to_owned(),
            format!("komora:enrol?server=https%3A%2F%2Fa&code={code}&extra=1"),
            format!("komora:enrol?server=https%3A%2F%2Fa&server=https%3A%2F%2Fb&code={code}"),
            format!("komora:enrol?server=https%3A%2F%2Fa%ZZ&code={code}"),
            format!("komora:enrol?server=https%3A%2F%2Fa%E2%28&code={code}"),
            format!(
                "komora:enrol?server=https%3A%2F%2F{}&code={code}",
                "a".repeat(3000)
            ),
        ] {
            assert_eq!(parse_enrolment_link(&bad), None, "{bad}");
        }
    }
}
