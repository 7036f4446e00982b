//! One-time codes typed by people (bootstrap and enrolment): 20 characters of Crockford's
//! base32 (100 bits), shown in groups of five. Typing is forgiving: case, spaces and dashes do
//! not matter, and O/I/L read as 0/1/1.

use crate::pin::CertificatePin;
use crate::server_url::check_server_url;

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

/// What an enrolment QR code holds:
/// `komora:enrol?server=<URL, percent-encoded>&code=<code>[&pin=<sha256/..., percent-encoded>]`.
/// The tablet reads the server's address, the code and the pin of the server's key in one
/// scan; with a pin it trusts exactly that key for that server (ADR 0014).
#[derive(Clone, PartialEq, Eq)]
pub struct EnrolmentLink {
    pub server: String,
    /// The canonical code (a secret until used: never printed by `Debug`).
    pub code: String,
    /// The pins of the server's key; empty for a server with a certificate from a public
    /// authority (or a link made before pins existed).
    pub pins: Vec<CertificatePin>,
}

impl std::fmt::Debug for EnrolmentLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "EnrolmentLink({}, [redacted], {:?})",
            self.server, self.pins
        )
    }
}

/// The most pins a link carries (a key and its announced successor fit well).
pub const MAX_LINK_PINS: usize = 4;

/// The text of an enrolment QR code (see [`EnrolmentLink`]).
pub fn enrolment_link(server: &str, code: &str, pins: &[CertificatePin]) -> String {
    let mut link = format!(
        "{LINK_PREFIX}server={}&code={}",
        percent_encode(server),
        percent_encode(code)
    );
    for pin in pins.iter().take(MAX_LINK_PINS) {
        link.push_str("&pin=");
        link.push_str(&percent_encode(&pin.to_string()));
    }
    link
}

/// The parts of an enrolment link, or `None` if `text` is not one (another QR code, a truncated
/// scan, a code that cannot be one, a pin that cannot be one, an address a device refuses:
/// plain `http://` to another machine, see [`crate::server_url`]).
pub fn parse_enrolment_link(text: &str) -> Option<EnrolmentLink> {
    let text = text.trim();
    if text.len() > MAX_LINK_CHARS {
        return None;
    }
    let query = text.strip_prefix(LINK_PREFIX)?;
    let (mut server, mut code, mut pins) = (None, None, Vec::new());
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=')?;
        let value = percent_decode(value)?;
        match key {
            "server" if server.is_none() => server = Some(value),
            "code" if code.is_none() => code = Some(value),
            "pin" if pins.len() < MAX_LINK_PINS => pins.push(value.parse().ok()?),
            _ => return None,
        }
    }
    let server = server?;
    check_server_url(&server).ok()?;
    Some(EnrolmentLink {
        server,
        code: normalise(&code?)?,
        pins,
    })
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
        let link = enrolment_link("https://sync.ami.rw:8443/komora", &code, &[]);
        assert!(
            link.starts_with("komora:enrol?server=https%3A%2F%2Fsync.ami.rw%3A8443%2Fkomora&code=")
        );
        let parsed = parse_enrolment_link(&format!("  {link}\n")).unwrap();
        assert_eq!(parsed.server, "https://sync.ami.rw:8443/komora");
        assert_eq!(Some(parsed.code), normalise(&code));
        assert!(parsed.pins.is_empty());

        let pin = CertificatePin::from_sha256([7; 32]).to_string();
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
            format!("komora:enrol?server=https%3A%2F%2Fa&code={code}&pin=sha256%2Fshort"),
            format!("komora:enrol?server=https%3A%2F%2Fa&code={code}&pin={pin}&pin={pin}&pin={pin}&pin={pin}&pin={pin}"),
        ] {
            assert_eq!(parse_enrolment_link(&bad), None, "{bad}");
        }
    }

    #[test]
    fn a_link_with_the_servers_pin_round_trips_and_an_old_link_without_one_still_reads() {
        let code = format([0x33; 13]);
        let pin = CertificatePin::from_sha256([0xAB; 32]);
        let link = enrolment_link("https://10.0.0.5:8787", &code, &[pin]);
        let parsed = parse_enrolment_link(&link).unwrap();
        assert_eq!(parsed.server, "https://10.0.0.5:8787");
        assert_eq!(Some(parsed.code.clone()), normalise(&code));
        assert_eq!(parsed.pins, vec![pin]);
        assert!(
            !format!("{parsed:?}").contains(&parsed.code),
            "the code is never printed"
        );

        // A link printed by a Komora from before pins: the same server and code, no pin.
        let old = format!("komora:enrol?server=https%3A%2F%2F10.0.0.5%3A8787&code={code}");
        let parsed = parse_enrolment_link(&old).unwrap();
        assert_eq!(
            (parsed.server.as_str(), parsed.pins.len()),
            ("https://10.0.0.5:8787", 0)
        );
    }

    #[test]
    fn a_qr_code_pointing_a_tablet_at_plain_http_on_the_network_is_not_an_enrolment() {
        // Finding 12 of the security review: such a link was accepted, and the tablet then sent
        // its enrolment and every record over the network in the clear.
        let code = format([0x44; 13]);
        for server in ["http://sync.ami.rw", "http://192.168.1.10:8787"] {
            assert_eq!(
                parse_enrolment_link(&enrolment_link(server, &code, &[])),
                None,
                "{server}"
            );
        }
        // This machine (tests, a server on the same host) is no network.
        let local = parse_enrolment_link(&enrolment_link("http://127.0.0.1:8787", &code, &[]));
        assert_eq!(local.unwrap().server, "http://127.0.0.1:8787");
    }
}
