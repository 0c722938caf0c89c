//! Login throttling and the login form's token, decided without I/O.
//!
//! Failures are counted per *pair*: one user name from one network address. A pair that fails
//! `login_free_failures` times in a row is refused for `login_delay_first_minutes`, and each
//! further failure after a refusal ends doubles it, up to `login_delay_max_minutes`. So one
//! person mistyping in a town office behind one NAT address stops nobody else in the office,
//! and nobody elsewhere can lock an account by guessing at it.
//!
//! User names that do not exist are also counted per address. Past `login_max_unknown_per_ip`
//! of them within `login_window_minutes` the address is *limited*: a pair that has failed from
//! it is refused without its password being checked, and every failure from it is answered
//! with a refusal, so neither the limit nor the answers tell which user names exist. A correct
//! password of an account that has not failed from the address still signs in.
//!
//! Unknown user names get pairs like accounts do, so "refused after five failures" happens to
//! every name alike and does not tell which names are accounts.

use std::net::IpAddr;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::rules::Rules;

/// What is remembered about one (user name, address) pair.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pair {
    /// Failures in a row still remembered (those older than `login_forget_hours` are not).
    pub failures: i64,
    /// Unix time until which the pair is refused (0: not refused).
    pub locked_until: i64,
}

/// Whether an attempt is looked at, before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Check the password.
    Open,
    /// Refuse without checking it: try again in `minutes`.
    Refuse { minutes: i64 },
}

/// Whole minutes from `now` until `until`, at least 1.
pub fn minutes_until(until: i64, now: i64) -> i64 {
    ((until - now + 59) / 60).max(1)
}

/// Whether an address with `unknown` recent failures on unknown user names is limited.
pub fn address_limited(rules: &Rules, unknown: i64) -> bool {
    unknown >= rules.login_max_unknown_per_ip
}

/// Before the password is checked: a refused pair, or a pair that has failed from a limited
/// address, is refused; anything else is looked at.
pub fn gate(rules: &Rules, pair: Pair, unknown_from_address: i64, now: i64) -> Gate {
    if pair.locked_until > now {
        return Gate::Refuse {
            minutes: minutes_until(pair.locked_until, now),
        };
    }
    if pair.failures > 0 && address_limited(rules, unknown_from_address) {
        return Gate::Refuse {
            minutes: rules.login_window_minutes.max(1),
        };
    }
    Gate::Open
}

/// The refusal in minutes that a pair's `failures`-th failure in a row earns (0: none):
/// the first delay at `login_free_failures`, doubling with each further one, capped.
pub fn lock_minutes(rules: &Rules, failures: i64) -> i64 {
    let over = failures - rules.login_free_failures;
    if over < 0 {
        return 0;
    }
    let factor = 1i64 << over.min(62);
    rules
        .login_delay_first_minutes
        .saturating_mul(factor)
        .min(rules.login_delay_max_minutes)
        .max(0)
}

/// What a failed attempt leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfterFailure {
    /// The refusal the pair now earns, in minutes (0: none).
    pub lock_minutes: i64,
    /// The answer: `Some(minutes)` refuses (操作过于频繁), `None` says 用户名或密码错误.
    pub refuse_minutes: Option<i64>,
    /// This failure put the address over its limit (audited once).
    pub address_now_limited: bool,
}

/// After a failure: `pair_failures` counts it, and so does `unknown_from_address` when the
/// user name does not exist (`unknown_name`).
pub fn after_failure(
    rules: &Rules,
    pair_failures: i64,
    unknown_from_address: i64,
    unknown_name: bool,
) -> AfterFailure {
    let lock = lock_minutes(rules, pair_failures);
    let limited = address_limited(rules, unknown_from_address);
    AfterFailure {
        lock_minutes: lock,
        refuse_minutes: if lock > 0 {
            Some(lock)
        } else if limited {
            Some(rules.login_window_minutes.max(1))
        } else {
            None
        },
        address_now_limited: unknown_name && unknown_from_address == rules.login_max_unknown_per_ip,
    }
}

/// The address failures are counted under: an IPv4 address as it is, an IPv6 address by its
/// /64 network (one household or office gets a whole /64 and may pick any address in it).
pub fn network_of(ip: &str) -> String {
    match ip.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => ip.chars().take(64).collect(),
    }
}

fn form_mac(key: &[u8; 32], issued: i64, nonce: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(format!("login-form:{issued}:{nonce}").as_bytes());
    mac
}

/// The login form's token, `issued.nonce.signature`, signed with the server's login-form key.
/// The same token goes into a cookie and into the form (a signed double-submit token): a page
/// on another site can neither read the cookie nor make one that verifies.
pub fn form_token(key: &[u8; 32], issued: i64, nonce: &str) -> String {
    let sig = form_mac(key, issued, nonce).finalize().into_bytes();
    format!("{issued}.{nonce}.{}", hex::encode(&sig[..16]))
}

/// Whether `token` is one of ours, issued no more than `max_age` seconds before `now`.
pub fn form_token_valid(key: &[u8; 32], token: &str, now: i64, max_age: i64) -> bool {
    let mut parts = token.split('.');
    let (Some(issued), Some(nonce), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(issued) = issued.parse::<i64>() else {
        return false;
    };
    if nonce.is_empty() || nonce.len() > 64 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let genuine = hex::decode(sig)
        .ok()
        .filter(|b| b.len() == 16)
        .is_some_and(|b| {
            form_mac(key, issued, nonce)
                .verify_truncated_left(&b)
                .is_ok()
        });
    genuine && issued <= now + 60 && now - issued <= max_age
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rules() -> Rules {
        Rules::default()
    }

    #[test]
    fn delays_start_at_the_free_failures_and_double_up_to_the_cap() {
        let r = rules();
        let minutes: Vec<i64> = (1..=13).map(|f| lock_minutes(&r, f)).collect();
        assert_eq!(minutes, vec![0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(lock_minutes(&r, i64::MAX), 60);
        let off = Rules {
            login_delay_first_minutes: 0,
            ..rules()
        };
        assert_eq!(lock_minutes(&off, 50), 0);
    }

    #[test]
    fn a_locked_pair_is_refused_with_the_minutes_left() {
        let r = rules();
        let pair = Pair {
            failures: 5,
            locked_until: 1_000,
        };
        assert_eq!(gate(&r, pair, 0, 900), Gate::Refuse { minutes: 2 });
        assert_eq!(gate(&r, pair, 0, 999), Gate::Refuse { minutes: 1 });
        assert_eq!(gate(&r, pair, 0, 1_000), Gate::Open);
    }

    #[test]
    fn a_limited_address_refuses_only_pairs_that_have_failed() {
        let r = rules();
        let limit = r.login_max_unknown_per_ip;
        let fresh = Pair::default();
        let failed = Pair {
            failures: 1,
            locked_until: 0,
        };
        assert_eq!(gate(&r, fresh, limit + 100, 0), Gate::Open);
        assert_eq!(gate(&r, failed, limit - 1, 0), Gate::Open);
        assert_eq!(
            gate(&r, failed, limit, 0),
            Gate::Refuse {
                minutes: r.login_window_minutes
            }
        );
    }

    #[test]
    fn failures_are_answered_alike_once_the_address_is_limited() {
        let r = rules();
        let limit = r.login_max_unknown_per_ip;
        let below = after_failure(&r, 1, limit - 1, true);
        assert_eq!(below.refuse_minutes, None);
        assert!(!below.address_now_limited);
        let reached = after_failure(&r, 1, limit, true);
        assert_eq!(reached.refuse_minutes, Some(r.login_window_minutes));
        assert!(reached.address_now_limited);
        // a known account's wrong password from the limited address: the same answer
        let known = after_failure(&r, 1, limit, false);
        assert_eq!(known.refuse_minutes, reached.refuse_minutes);
        assert!(!known.address_now_limited);
        assert!(!after_failure(&r, 1, limit + 1, true).address_now_limited);
        // a pair's own lock wins
        assert_eq!(after_failure(&r, 6, 0, false).refuse_minutes, Some(2));
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_network() {
        assert_eq!(network_of("203.0.113.7"), "203.0.113.7");
        assert_eq!(network_of("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(
            network_of("2001:db8:1:2:aaaa::1"),
            network_of("2001:db8:1:2:bbbb::9")
        );
        assert_eq!(network_of("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_ne!(network_of("2001:db8:1:3::1"), network_of("2001:db8:1:2::1"));
        assert_eq!(network_of("unknown"), "unknown");
    }

    const KEY: [u8; 32] = [9; 32];

    #[test]
    fn form_tokens_verify_until_they_are_too_old() {
        let t = form_token(&KEY, 1_000, "00ff");
        assert!(form_token_valid(&KEY, &t, 1_000, 3_600));
        assert!(form_token_valid(&KEY, &t, 4_600, 3_600));
        assert!(!form_token_valid(&KEY, &t, 4_601, 3_600));
        assert!(!form_token_valid(&[8; 32], &t, 1_000, 3_600));
        assert!(!form_token_valid(
            &KEY,
            &t.replacen("1000.", "2000.", 1),
            2_000,
            3_600
        ));
        assert!(!form_token_valid(
            &KEY,
            &t.replacen("00ff", "00fe", 1),
            1_000,
            3_600
        ));
        for bad in ["", "1.2", "x.00ff.00", "1000..00", &format!("{t}.x")] {
            assert!(!form_token_valid(&KEY, bad, 1_000, 3_600), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn delays_never_shrink_and_never_pass_the_cap(
            free in 0i64..20, first in 0i64..100, cap in 0i64..10_000, f in 0i64..200
        ) {
            let r = Rules {
                login_free_failures: free,
                login_delay_first_minutes: first,
                login_delay_max_minutes: cap,
                ..Rules::default()
            };
            let (a, b) = (lock_minutes(&r, f), lock_minutes(&r, f + 1));
            prop_assert!(a <= b);
            prop_assert!(b <= cap.max(0));
            prop_assert!(a >= 0);
        }

        #[test]
        fn any_altered_token_is_refused(issued in 0i64..10_000, nonce in "[0-9a-f]{1,32}", flip in 0usize..80) {
            let t = form_token(&KEY, issued, &nonce);
            let mut bytes = t.clone().into_bytes();
            let i = flip % bytes.len();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            let altered = String::from_utf8(bytes).unwrap();
            prop_assume!(altered != t);
            prop_assert!(!form_token_valid(&KEY, &altered, issued, 3_600));
        }
    }
}
