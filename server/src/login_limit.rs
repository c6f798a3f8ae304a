//! Login throttling that slows a password guesser without locking out the person guessed.
//!
//! Failed attempts count per account *and client address*: an attacker who runs out of
//! guesses locks only their own address out of that account, and the owner, from another
//! address, still logs in. Every attempt also counts against the client address in a looser
//! bucket, which bounds how fast one address can try many accounts. Behind a reverse proxy
//! every client has the proxy's address unless the proxy is configured as trusted (see
//! [`client_ip`]).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Failures per account and address before that pair is locked.
const FAILURES_PER_MINUTE: u32 = 5;
/// Attempts per address and minute, whatever the account.
const ATTEMPTS_PER_MINUTE: u32 = 30;
/// How long a locked account-and-address pair waits.
const LOCK: Duration = Duration::from_secs(60);
/// Keys kept before forgotten ones are swept.
const SWEEP_AT: usize = 10_000;

/// Login attempt limiter (see the module documentation).
pub struct LoginLimiter {
    by_ip: DefaultKeyedRateLimiter<IpAddr>,
    failures: DefaultKeyedRateLimiter<(String, IpAddr)>,
    locked: Mutex<HashMap<(String, IpAddr), Instant>>,
    clock: DefaultClock,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter::new()
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl LoginLimiter {
    /// 30 attempts a minute per address; 5 failures a minute per account and address.
    pub fn new() -> LoginLimiter {
        LoginLimiter {
            by_ip: RateLimiter::keyed(per_minute(ATTEMPTS_PER_MINUTE)),
            failures: RateLimiter::keyed(per_minute(FAILURES_PER_MINUTE)),
            locked: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
        }
    }

    /// `Ok` when an attempt may be checked; otherwise how long to wait.
    pub fn allow(&self, ip: IpAddr, username: &str) -> Result<(), Duration> {
        let key = (username.to_lowercase(), ip);
        let now = Instant::now();
        if let Ok(m) = self.locked.lock()
            && let Some(until) = m.get(&key)
            && *until > now
        {
            return Err(*until - now);
        }
        if self.by_ip.len() > SWEEP_AT {
            self.by_ip.retain_recent();
        }
        self.by_ip
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()).max(Duration::from_secs(1)))
    }

    /// Counts a failed attempt; locks the account for this address when failures run out.
    pub fn failed(&self, ip: IpAddr, username: &str) {
        let key = (username.to_lowercase(), ip);
        if self.failures.len() > SWEEP_AT {
            self.failures.retain_recent();
        }
        if self.failures.check_key(&key).is_err()
            && let Ok(mut m) = self.locked.lock()
        {
            let now = Instant::now();
            if m.len() > SWEEP_AT {
                m.retain(|_, until| *until > now);
            }
            m.insert(key, now + LOCK);
        }
    }
}

/// The client's address: the socket's peer, or — only when that peer is a configured
/// trusted proxy — the last address in `X-Forwarded-For` that is not itself a trusted proxy.
///
/// A header is never believed from anyone else: any client can send one.
pub fn client_ip(parts: &Parts, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    // Proxies append: the right-most address not of a trusted proxy is the one the nearest
    // trusted proxy saw; anything left of it may be forged by the client.
    for candidate in forwarded.iter().rev() {
        match candidate.parse::<IpAddr>() {
            Ok(ip) if trusted_proxies.contains(&ip) => continue,
            Ok(ip) => return ip,
            Err(_) => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn an_attacker_locks_only_their_own_address_out() {
        let limiter = LoginLimiter::new();
        let attacker = ip("203.0.113.9");
        for _ in 0..6 {
            assert!(limiter.allow(attacker, "admin").is_ok());
            limiter.failed(attacker, "admin");
        }
        let wait = limiter.allow(attacker, "Admin").expect_err("locked");
        assert!(wait > Duration::from_secs(50) && wait <= LOCK, "{wait:?}");
        assert!(limiter.allow(ip("198.51.100.7"), "admin").is_ok(), "the owner elsewhere is not locked out");
        assert!(limiter.allow(attacker, "bob").is_ok(), "other accounts are not locked for the address");
    }

    #[test]
    fn one_address_trying_many_accounts_is_slowed() {
        let limiter = LoginLimiter::new();
        let a = ip("203.0.113.9");
        let allowed = (0..40).filter(|i| limiter.allow(a, &format!("user{i}")).is_ok()).count();
        assert_eq!(allowed, ATTEMPTS_PER_MINUTE as usize);
        assert!(limiter.allow(ip("198.51.100.7"), "user1").is_ok());
    }

    fn parts(peer: &str, xff: Option<&str>) -> Parts {
        let mut req = axum::http::Request::get("/login");
        if let Some(x) = xff {
            req = req.header("x-forwarded-for", x);
        }
        let (mut parts, ()) = req.body(()).expect("request").into_parts();
        parts.extensions.insert(ConnectInfo(SocketAddr::new(ip(peer), 4000)));
        parts
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy = [ip("10.0.0.1")];
        assert_eq!(client_ip(&parts("203.0.113.9", Some("1.2.3.4")), &proxy), ip("203.0.113.9"));
        assert_eq!(client_ip(&parts("10.0.0.1", Some("1.2.3.4")), &[]), ip("10.0.0.1"), "not configured");
        assert_eq!(client_ip(&parts("10.0.0.1", Some("6.6.6.6, 1.2.3.4")), &proxy), ip("1.2.3.4"), "forged left part");
        assert_eq!(client_ip(&parts("10.0.0.1", Some("1.2.3.4, 10.0.0.1")), &proxy), ip("1.2.3.4"));
        assert_eq!(client_ip(&parts("10.0.0.1", Some("garbage")), &proxy), ip("10.0.0.1"));
        assert_eq!(client_ip(&parts("10.0.0.1", None), &proxy), ip("10.0.0.1"));
    }
}
