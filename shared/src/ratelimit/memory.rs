use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;

use super::{RateLimitError, RateLimiter, Window, outcome, window_start};

#[derive(Default)]
pub struct MemoryRateLimiter {
    counts: Mutex<HashMap<(String, i64), u32>>,
}

#[async_trait::async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn hit(&self, key: &str, limit: u32, window: Duration) -> Result<Window, RateLimitError> {
        let now = Utc::now().timestamp();
        let start = window_start(now, window);
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Windows of other lengths may still be running; only finished ones can go.
        counts.retain(|(_, s), _| now - *s < 86_400);
        let n = counts.entry((format!("{}:{key}", window.as_secs()), start)).or_insert(0);
        if *n >= limit {
            return Ok(outcome(false, *n, limit, start, window, now));
        }
        *n += 1;
        Ok(outcome(true, *n, limit, start, window, now))
    }
}
