//! Fixed-window rate limits, shared through DynamoDB in AWS and kept in memory locally.
//! A window's counter expires with the window. Each hit reports what the IETF
//! `RateLimit` header fields need: how many are left and when the window resets.

mod dynamo;
mod memory;

use std::time::Duration;

pub use dynamo::DynamoRateLimiter;
pub use memory::MemoryRateLimiter;

#[derive(Debug, thiserror::Error)]
#[error("rate limit store unavailable: {0}")]
pub struct RateLimitError(pub String);

/// The outcome of one hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub allowed: bool,
    /// Hits left in this window after this one.
    pub remaining: u32,
    /// Time until the window resets.
    pub reset_after: Duration,
}

#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one hit on `key`; refused (and not counted) once the key had `limit` hits
    /// this window.
    async fn hit(&self, key: &str, limit: u32, window: Duration) -> Result<Window, RateLimitError>;
}

/// The window a moment falls in, as its start in epoch seconds.
fn window_start(now_secs: i64, window: Duration) -> i64 {
    let w = i64::try_from(window.as_secs().max(1)).unwrap_or(i64::MAX);
    now_secs - now_secs.rem_euclid(w)
}

/// What a window that started at `start` leaves of itself at `now_secs`.
fn outcome(allowed: bool, hits: u32, limit: u32, start: i64, window: Duration, now_secs: i64) -> Window {
    let end = start + i64::try_from(window.as_secs().max(1)).unwrap_or(i64::MAX);
    Window {
        allowed,
        remaining: limit.saturating_sub(hits),
        reset_after: Duration::from_secs(u64::try_from((end - now_secs).max(1)).unwrap_or(1)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) async fn contract(limiter: &dyn RateLimiter) {
        let w = Duration::from_hours(1);
        let key = format!("ip:{}", uuid::Uuid::new_v4());
        for left in (0..3).rev() {
            let hit = limiter.hit(&key, 3, w).await.unwrap();
            assert!(hit.allowed);
            assert_eq!(hit.remaining, left);
            assert!(hit.reset_after <= w && hit.reset_after > Duration::ZERO);
        }
        let refused = limiter.hit(&key, 3, w).await.unwrap();
        assert!(!refused.allowed, "the fourth hit is refused");
        assert_eq!(refused.remaining, 0);
        assert!(limiter.hit(&format!("{key}-other"), 3, w).await.unwrap().allowed, "keys are counted apart");
    }

    #[tokio::test]
    async fn memory_adapter_keeps_the_contract() {
        contract(&MemoryRateLimiter::default()).await;
    }

    #[test]
    fn windows_align() {
        assert_eq!(window_start(125, Duration::from_mins(1)), 120);
        assert_eq!(window_start(120, Duration::from_mins(1)), 120);
        assert_eq!(outcome(true, 1, 10, 120, Duration::from_mins(1), 125).reset_after, Duration::from_secs(55));
    }
}
