//! A per-token rate limit: one token bucket per API token, in this process's memory.
//!
//! Why not the `governor` crate: it would add a dependency tree (and compile time) for twenty
//! lines; Sinergi runs as one process, so per-process buckets are the whole truth; and a
//! bucket keyed by the token's id is all the API needs (sessions are throttled elsewhere).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How much a token may ask: `burst` requests at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy)]
pub struct RatePolicy {
    pub burst: u32,
    pub per_second: f64,
}

impl Default for RatePolicy {
    /// Enough for a nightly synchronisation paging through every region, not for hammering.
    fn default() -> Self {
        RatePolicy {
            burst: 60,
            per_second: 20.0,
        }
    }
}

/// The buckets, shared by every request of this server.
#[derive(Debug, Clone, Default)]
pub struct RateLimiter {
    pub policy: RatePolicy,
    buckets: Arc<Mutex<HashMap<i64, (f64, Instant)>>>,
}

impl RateLimiter {
    pub fn new(policy: RatePolicy) -> RateLimiter {
        RateLimiter {
            policy,
            buckets: Default::default(),
        }
    }

    /// Takes one request from `token`'s bucket, or says how long to wait for the next.
    pub fn take(&self, token: i64, now: Instant) -> Result<(), Duration> {
        let burst = f64::from(self.policy.burst.max(1));
        let rate = self.policy.per_second.max(0.001);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let (level, at) = buckets.entry(token).or_insert((burst, now));
        let refilled =
            (*level + now.saturating_duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if refilled >= 1.0 {
            *level = refilled - 1.0;
            Ok(())
        } else {
            *level = refilled;
            Err(Duration::from_secs_f64((1.0 - refilled) / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_refill_rate_per_token() {
        let limiter = RateLimiter::new(RatePolicy {
            burst: 3,
            per_second: 2.0,
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.take(1, t0).is_ok());
        }
        let wait = limiter.take(1, t0).unwrap_err();
        assert!(wait > Duration::from_millis(400) && wait <= Duration::from_millis(500));
        // Another token has its own bucket.
        assert!(limiter.take(2, t0).is_ok());
        // Half a second later one request is back, not more.
        let t1 = t0 + Duration::from_millis(500);
        assert!(limiter.take(1, t1).is_ok());
        assert!(limiter.take(1, t1).is_err());
        // Long idle refills to the burst, never beyond.
        let t2 = t1 + Duration::from_secs(60);
        for _ in 0..3 {
            assert!(limiter.take(1, t2).is_ok());
        }
        assert!(limiter.take(1, t2).is_err());
    }
}
