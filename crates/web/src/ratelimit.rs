//! A fixed-window rate limiter for sign-in, sign-up and password reset,
//! keyed by bucket and client address. It lives in each server's memory: with
//! several servers behind a load balancer each enforces its own window, which
//! still bounds guessing to (servers × limit) per window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts attempts per key in fixed windows.
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// `limit` attempts per `window` per key.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Records an attempt; false when the key is over its limit.
    pub fn allow(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 100_000 {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = hits.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.limit
    }
}

/// Records an attempt in `bucket` (`signup`, `signin` or `reset`) for the
/// client; pages and API share the buckets.
pub fn check(
    state: &crate::AppState,
    bucket: &str,
    client: &rapport_app::accounts::ClientInfo,
) -> Result<(), rapport_app::AppError> {
    if state.limiter.allow(&format!("{bucket}:{}", client.ip)) {
        Ok(())
    } else {
        Err(rapport_app::AppError::RateLimited(
            "too many attempts from your address; wait 15 minutes and try again".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn limits_per_key() {
        let l = super::RateLimiter::new(2, std::time::Duration::from_secs(60));
        assert!(l.allow("a"));
        assert!(l.allow("a"));
        assert!(!l.allow("a"));
        assert!(l.allow("b"));
    }
}
