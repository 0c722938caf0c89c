//! Rate limits on the public code pages (积分卡 `/c/{code}` and its claims, 评议码 `/r/{code}`,
//! 公示异议 `/notice/{org}/object`): the code in the address is the credential there, so
//! guessing codes must be slow. Each request takes a token from two buckets, one for
//! (route, caller's address) and one for (route, code); the rules say how many a minute each
//! allows (`public_code_per_ip_minute`, `public_code_per_code_minute`), a bucket holds at most
//! a minute's worth and refills evenly. A request either bucket refuses is answered 429 with
//! 操作过于频繁，请稍后再试 before the handler runs or the body is read.
//!
//! The buckets live in memory (one server's view; a restart forgets them) and are bounded:
//! full buckets are dropped, since a missing bucket is a full one, and when still too many the
//! longest idle goes. Dropping a bucket only ever makes its caller's limit more lenient, so a
//! flood of new addresses can never lock anyone out.
//!
//! IPv6 callers are counted by their /64 network, which one household or phone holds whole.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::session::ClientIp;
use crate::{AppError, AppState};

/// The most buckets kept at once (each is a few dozen bytes).
pub const MAX_BUCKETS: usize = 20_000;
/// The longest code (or address) a bucket is keyed by; longer ones are cut.
const MAX_KEY: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    route: String,
    by_ip: bool,
    value: String,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// Tokens now, with what has refilled since `at` (at most a minute's worth).
    fn now(&self, per_minute: f64, now: Instant) -> f64 {
        let secs = now.saturating_duration_since(self.at).as_secs_f64();
        (self.tokens + secs * per_minute / 60.0).min(per_minute)
    }
}

/// The limits each request is held to.
#[derive(Debug, Clone, Copy)]
pub struct Allowance {
    pub per_ip_minute: i64,
    pub per_code_minute: i64,
}

/// The token buckets of the public code pages (one per server, in `AppState`).
#[derive(Debug)]
pub struct PublicLimits {
    buckets: Mutex<HashMap<Key, Bucket>>,
    max: usize,
}

impl Default for PublicLimits {
    fn default() -> Self {
        PublicLimits::with_capacity(MAX_BUCKETS)
    }
}

impl PublicLimits {
    pub fn with_capacity(max: usize) -> PublicLimits {
        PublicLimits {
            buckets: Mutex::new(HashMap::new()),
            max: max.max(2),
        }
    }

    /// How many buckets are held now.
    pub fn len(&self) -> usize {
        self.buckets.lock().map(|b| b.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes one token for `route` from the bucket of `ip` and of `code`, or neither: `Ok`, or
    /// `Err(seconds)` until the refusing bucket has a token again.
    pub fn take(
        &self,
        route: &str,
        ip: &str,
        code: &str,
        allow: Allowance,
        now: Instant,
    ) -> Result<(), u64> {
        let per_ip = allow.per_ip_minute.max(1) as f64;
        let per_code = allow.per_code_minute.max(1) as f64;
        let keys = [
            (key(route, true, &network(ip)), per_ip),
            (key(route, false, code), per_code),
        ];
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = 0.0f64;
        for (k, rate) in &keys {
            let have = buckets.get(k).map_or(*rate, |b| b.now(*rate, now));
            if have < 1.0 {
                wait = wait.max((1.0 - have) * 60.0 / rate);
            }
        }
        if wait > 0.0 {
            return Err(wait.ceil().max(1.0) as u64);
        }
        for (k, rate) in keys {
            let tokens = buckets.get(&k).map_or(rate, |b| b.now(rate, now)) - 1.0;
            if !buckets.contains_key(&k) && buckets.len() >= self.max {
                make_room(&mut buckets, self.max, allow, now);
            }
            buckets.insert(k, Bucket { tokens, at: now });
        }
        Ok(())
    }
}

fn key(route: &str, by_ip: bool, value: &str) -> Key {
    let mut end = value.len().min(MAX_KEY);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    Key {
        route: route.to_string(),
        by_ip,
        value: value[..end].to_string(),
    }
}

/// What one caller is counted by: an IPv4 address, or an IPv6 /64 network.
fn network(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(v4) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

/// Drops the full buckets (the same as no bucket), then the longest idle until there is room.
fn make_room(buckets: &mut HashMap<Key, Bucket>, max: usize, allow: Allowance, now: Instant) {
    let rate = |k: &Key| {
        if k.by_ip {
            allow.per_ip_minute.max(1) as f64
        } else {
            allow.per_code_minute.max(1) as f64
        }
    };
    buckets.retain(|k, b| b.now(rate(k), now) < rate(k));
    while buckets.len() >= max {
        let Some(oldest) = buckets
            .iter()
            .min_by_key(|(_, b)| b.at)
            .map(|(k, _)| k.clone())
        else {
            break;
        };
        buckets.remove(&oldest);
    }
}

/// The middleware on the public code routes: takes a token for the caller and the code (the
/// route's only path parameter), or answers 429 with the Chinese page.
pub async fn guard(
    State(state): State<AppState>,
    matched: MatchedPath,
    params: RawPathParams,
    ClientIp(ip): ClientIp,
    req: Request,
    next: Next,
) -> Response {
    let code = params
        .iter()
        .next()
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    let rules = match crate::pages::read(&state, |c| Ok(xianfeng_store::settings::rules(c)?)).await
    {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let allow = Allowance {
        per_ip_minute: rules.public_code_per_ip_minute,
        per_code_minute: rules.public_code_per_code_minute,
    };
    match state
        .limits
        .take(matched.as_str(), &ip, &code, allow, Instant::now())
    {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let mut r = AppError::TooMany("操作过于频繁，请稍后再试".into()).into_response();
            let h = r.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                h.insert(header::RETRY_AFTER, v);
            }
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const ALLOW: Allowance = Allowance {
        per_ip_minute: 5,
        per_code_minute: 3,
    };

    #[test]
    fn an_address_gets_its_minute_then_waits_for_a_token() {
        let l = PublicLimits::default();
        let t = Instant::now();
        for n in 0..5 {
            assert_eq!(
                l.take("/c/{code}", "1.2.3.4", &format!("C{n}"), ALLOW, t),
                Ok(())
            );
        }
        assert_eq!(l.take("/c/{code}", "1.2.3.4", "C9", ALLOW, t), Err(12));
        // Another address, and the same address on another route, still get through.
        assert_eq!(l.take("/c/{code}", "1.2.3.5", "C9", ALLOW, t), Ok(()));
        assert_eq!(l.take("/r/{code}", "1.2.3.4", "C9", ALLOW, t), Ok(()));
        // A token comes back every 12 seconds.
        let later = t + Duration::from_secs(12);
        assert_eq!(l.take("/c/{code}", "1.2.3.4", "C8", ALLOW, later), Ok(()));
        assert!(l.take("/c/{code}", "1.2.3.4", "C7", ALLOW, later).is_err());
    }

    #[test]
    fn one_code_is_limited_from_every_address() {
        let l = PublicLimits::default();
        let t = Instant::now();
        for n in 0..3 {
            let ip = format!("10.0.0.{n}");
            assert_eq!(l.take("/c/{code}", &ip, "SAME", ALLOW, t), Ok(()));
        }
        assert_eq!(l.take("/c/{code}", "10.0.0.9", "SAME", ALLOW, t), Err(20));
        // A refused request takes nothing: the address still has its own tokens.
        assert_eq!(l.take("/c/{code}", "10.0.0.9", "OTHER", ALLOW, t), Ok(()));
    }

    #[test]
    fn an_ipv6_network_counts_as_one_caller() {
        let l = PublicLimits::default();
        let t = Instant::now();
        for n in 0..5 {
            let ip = format!("2001:db8:1:2::{n:x}");
            assert_eq!(l.take("/c/{code}", &ip, &format!("C{n}"), ALLOW, t), Ok(()));
        }
        assert!(l
            .take("/c/{code}", "2001:db8:1:2:ffff::1", "C9", ALLOW, t)
            .is_err());
        assert!(l
            .take("/c/{code}", "2001:db8:1:3::1", "C9", ALLOW, t)
            .is_ok());
    }

    #[test]
    fn the_buckets_stay_bounded_and_dropping_one_never_refuses_anyone() {
        let l = PublicLimits::with_capacity(100);
        let t = Instant::now();
        for n in 0..1000u32 {
            let ip = format!("10.{}.{}.{}", n >> 16, (n >> 8) & 255, n & 255);
            let code = format!("K{n}");
            assert_eq!(
                l.take(
                    "/c/{code}",
                    &ip,
                    &code,
                    ALLOW,
                    t + Duration::from_millis(n.into())
                ),
                Ok(())
            );
            assert!(l.len() <= 100, "{}", l.len());
        }
        // A long code is keyed by its first characters only.
        let long = "X".repeat(10_000);
        assert_eq!(l.take("/c/{code}", "9.9.9.9", &long, ALLOW, t), Ok(()));
    }
}
