//! Whom a client address stands for, as the server's limits count it (ADR 0027).
//!
//! An IPv4 address is one sender: a machine, or a router with a household or an office behind
//! it. An IPv6 user is given a whole /64 (2^64 addresses) and may take a new address from it
//! for every connection (privacy addresses do so on their own): counted by its whole address,
//! one attacker was as many senders as it liked, and each guess at an enrolment code could come
//! from a fresh one. So an IPv6 address counts by its /64, and an IPv4-mapped IPv6 address
//! (`::ffff:192.0.2.1`, how a dual-stack listener sees an IPv4 client) as its IPv4 address.
//!
//! The rate limits per address (`api.rs`) and the cap on an address's open connections
//! (`connections.rs`) both key by [`sender`].

use std::net::{IpAddr, Ipv6Addr};

/// The sender `ip` counts as: an IPv4 address itself, an IPv6 address its /64 (the rest of the
/// address zero), an IPv4-mapped IPv6 address its IPv4 address.
pub fn sender(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_ipv6_network_is_one_sender_and_an_ipv4_mapped_address_is_its_ipv4_address() {
        let net = sender(ip("2001:db8:5:6::1"));
        assert_eq!(net, ip("2001:db8:5:6::"));
        assert_eq!(sender(ip("2001:db8:5:6:ffff:1:2:3")), net, "same /64");
        assert_ne!(sender(ip("2001:db8:5:7::1")), net, "the next /64");
        assert_eq!(sender(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_ne!(
            sender(ip("::ffff:192.0.2.1")),
            sender(ip("::ffff:192.0.2.2"))
        );
        assert_ne!(sender(ip("::ffff:192.0.2.1")), sender(ip("::1")));
        assert_eq!(sender(ip("198.51.100.7")), ip("198.51.100.7"));
    }
}
