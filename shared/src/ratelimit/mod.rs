//! Fixed-window rate limits (public intake routes), shared through DynamoDB in AWS and
//! kept in memory locally. A window's counter expires with the window.

mod dynamo;
mod memory;

use std::time::Duration;

pub use dynamo::DynamoRateLimiter;
pub use memory::MemoryRateLimiter;

#[derive(Debug, thiserror::Error)]
#[error("rate limit store unavailable: {0}")]
pub struct RateLimitError(pub String);

#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one hit on `key`; false when the key already had `limit` hits this window.
    async fn hit(&self, key: &str, limit: u32, window: Duration) -> Result<bool, RateLimitError>;
}

/// The window a moment falls in, as its start in epoch seconds.
fn window_start(now_secs: i64, window: Duration) -> i64 {
    let w = i64::try_from(window.as_secs().max(1)).unwrap_or(i64::MAX);
    now_secs - now_secs.rem_euclid(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) async fn contract(limiter: &dyn RateLimiter) {
        let w = Duration::from_hours(1);
        for _ in 0..3 {
            assert!(limiter.hit("ip:1", 3, w).await.unwrap());
        }
        assert!(!limiter.hit("ip:1", 3, w).await.unwrap(), "the fourth hit is refused");
        assert!(limiter.hit("ip:2", 3, w).await.unwrap(), "keys are counted apart");
    }

    #[tokio::test]
    async fn memory_adapter_keeps_the_contract() {
        contract(&MemoryRateLimiter::default()).await;
    }

    #[test]
    fn windows_align() {
        assert_eq!(window_start(125, Duration::from_mins(1)), 120);
        assert_eq!(window_start(120, Duration::from_mins(1)), 120);
    }
}
