//! The rate limiter's behaviour, pinned before `governor` replaced the hand-written token
//! buckets (the same tests passed on both): a burst, then one more try per share of the
//! minute, for each key on its own (a client address, a device id). The scenario tests over HTTP (floods behind a proxy,
//! guessed enrolment codes) check the keys the server chooses; this checks the buckets.

use std::net::IpAddr;
use std::time::Duration;

use komora_protocol::Id16;
use komora_sync_server::limiter::RateLimiter;

/// If this failed, a flood from one address would stop everyone's enrolment (or not be
/// stopped at all).
#[test]
fn a_burst_passes_then_the_address_waits_while_others_do_not() {
    let l: RateLimiter = RateLimiter::new(6, 3);
    let a: IpAddr = "203.0.113.7".parse().unwrap();
    let b: IpAddr = "2001:db8::7".parse().unwrap();
    assert!((0..3).all(|_| l.allow(a)), "the burst passes");
    assert!(!l.allow(a), "then the address waits");
    assert!(l.allow(b), "another address does not");
}

/// If this failed, a flood naming one tablet would stop every tablet's logins.
#[test]
fn a_device_id_has_its_own_bucket() {
    let l: RateLimiter<Id16> = RateLimiter::new(30, 30);
    let named = Id16([1; 16]);
    let n = (0..100).take_while(|_| l.allow(named)).count();
    assert_eq!(n, 30, "a minute's worth at once, no more");
    assert!(l.allow(Id16([2; 16])));
}

/// If this failed, a counsellor who mistyped the enrolment code a few times would be locked
/// out for good, or a guesser would get a fresh burst every second.
#[test]
fn a_waiting_address_gets_one_more_try_for_each_share_of_the_minute() {
    // 120 a minute: one every half second, two at once.
    let l: RateLimiter = RateLimiter::new(120, 2);
    let a: IpAddr = "198.51.100.1".parse().unwrap();
    assert!(l.allow(a) && l.allow(a));
    assert!(!l.allow(a));
    std::thread::sleep(Duration::from_millis(700));
    assert!(l.allow(a), "half a second later: one more");
    assert!(!l.allow(a), "and only one");
}

/// If this failed, an operator who set a limit to 0 would leave the route wide open.
#[test]
fn a_limit_of_zero_lets_one_try_through_and_no_more() {
    let l: RateLimiter = RateLimiter::new(0, 1);
    let a: IpAddr = "192.0.2.1".parse().unwrap();
    assert!(l.allow(a));
    std::thread::sleep(Duration::from_millis(100));
    assert!(!l.allow(a));
    assert!(!l.allow(a));
}
/// If this failed, a spray of made-up addresses would grow the server's memory without end,
/// or forgetting them would hand a limited address a fresh burst, or slow every request: the
/// hand-written limiter walked its whole map on every request past 100,000 keys (this took
/// it 60 s; it is added with `governor`, which walks it once every few thousand).
#[test]
fn a_spray_of_addresses_is_forgotten_but_not_the_limited_one() {
    let l: RateLimiter<u32> = RateLimiter::new(1, 1);
    assert!(l.allow(u32::MAX));
    for k in 0..120_000u32 {
        l.allow(k);
    }
    assert!(!l.allow(u32::MAX), "still waiting after the spray");
}
