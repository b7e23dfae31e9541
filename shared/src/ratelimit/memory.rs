use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;

use super::{RateLimitError, RateLimiter, window_start};

#[derive(Default)]
pub struct MemoryRateLimiter {
    counts: Mutex<HashMap<(String, i64), u32>>,
}

#[async_trait::async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn hit(&self, key: &str, limit: u32, window: Duration) -> Result<bool, RateLimitError> {
        let start = window_start(Utc::now().timestamp(), window);
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        counts.retain(|(_, s), _| *s >= start);
        let n = counts.entry((key.to_owned(), start)).or_insert(0);
        if *n >= limit {
            return Ok(false);
        }
        *n += 1;
        Ok(true)
    }
}
