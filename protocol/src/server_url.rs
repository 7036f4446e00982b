//! Which sync-server addresses a device talks to: `https://` anywhere; plain `http://` only to
//! this very machine (loopback: 127.0.0.0/8, ::1, `localhost`), where nothing crosses a
//! network. Over plain HTTP anyone on the path (a café's Wi-Fi, a mobile operator, a
//! compromised router) reads the tokens and sees every request, and can answer in the server's
//! place. One rule, here, for the enrolment link and for every connection a device makes.
//!
//! Addresses are read with the `url` crate, the WHATWG parser the HTTP client itself uses, so
//! the host judged here is the host connected to (`http://a.org\@127.0.0.1` is `a.org`).

use std::fmt;

use url::{Host, Url};

/// Why an address is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerUrlError {
    /// `http://` to another machine.
    PlainHttp,
    /// Not an `https://` (or loopback `http://`) address of a server.
    NotAServerUrl,
}

impl fmt::Display for ServerUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServerUrlError::PlainHttp => {
                "plain http:// is refused: records would cross the network readable; use https://"
            }
            ServerUrlError::NotAServerUrl => {
                "give the server's address as a URL starting with https://"
            }
        })
    }
}

impl std::error::Error for ServerUrlError {}

/// Whether a device may talk to the server at `text`; refused before any connection.
pub fn check_server_url(text: &str) -> Result<(), ServerUrlError> {
    if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(ServerUrlError::NotAServerUrl);
    }
    let url = Url::parse(text).map_err(|_| ServerUrlError::NotAServerUrl)?;
    // Paths are appended to the address: a query, a fragment or credentials have no place in it.
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(ServerUrlError::NotAServerUrl);
    }
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => Ok(()),
        ("http", Some(host)) if is_loopback(&host) => Ok(()),
        ("http", Some(_)) => Err(ServerUrlError::PlainHttp),
        _ => Err(ServerUrlError::NotAServerUrl),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_goes_anywhere_and_plain_http_only_to_this_machine() {
        for ok in [
            "https://sync.ami.rw",
            "https://sync.ami.rw:8443/komora/",
            "https://10.0.0.5:8787",
            "https://[2001:db8::1]:8787",
            "http://127.0.0.1:8787",
            "http://127.9.9.9",
            "http://localhost:8787",
            "HTTP://LOCALHOST",
            "http://[::1]:8787",
        ] {
            assert_eq!(check_server_url(ok), Ok(()), "{ok}");
        }
        for plain in [
            "http://sync.ami.rw",
            "http://10.0.0.5:8787",
            "http://192.168.1.10",
            "http://[2001:db8::1]",
            "http://localhost.evil.org",
            "http://127.0.0.1.nip.io",
            // The host connected to is a.org, whatever the text after the backslash says.
            "http://a.org\\@127.0.0.1",
        ] {
            assert_eq!(
                check_server_url(plain),
                Err(ServerUrlError::PlainHttp),
                "{plain}"
            );
        }
        for bad in [
            "",
            "sync.ami.rw",
            "ftp://sync.ami.rw",
            "https://",
            "https://user:secret@sync.ami.rw",
            "http://127.0.0.1@sync.ami.rw",
            "https://sync.ami.rw/?x=1",
            "https://sync.ami.rw/#x",
            "https://sync.ami.rw\n",
            "file:///etc/passwd",
        ] {
            assert_eq!(
                check_server_url(bad),
                Err(ServerUrlError::NotAServerUrl),
                "{bad}"
            );
        }
        assert!(ServerUrlError::PlainHttp
            .to_string()
            .contains("records would cross the network readable"));
    }
}
