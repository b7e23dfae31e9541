//! Rate limits as the caller sees them: the IETF `RateLimit-Policy` and `RateLimit`
//! header fields (draft-ietf-httpapi-ratelimit-headers) on every limited response, and
//! `429` with `Retry-After` once the quota is spent.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue};

use super::error::ApiError;
use crate::ratelimit::{RateLimiter, Window};

/// A named quota: `limit` requests per `window`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Quota {
    pub name: &'static str,
    pub limit: u32,
    pub window: Duration,
}

/// A hit the quota allowed; its headers go on the response.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Granted {
    quota: Quota,
    window: Window,
}

impl Granted {
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        headers.extend(fields(self.quota, self.window));
    }
}

fn fields(quota: Quota, window: Window) -> Vec<(HeaderName, HeaderValue)> {
    let policy = format!("\"{}\";q={};w={}", quota.name, quota.limit, quota.window.as_secs());
    let current = format!("\"{}\";r={};t={}", quota.name, window.remaining, window.reset_after.as_secs());
    [("ratelimit-policy", policy), ("ratelimit", current)]
        .into_iter()
        .filter_map(|(name, value)| Some((HeaderName::from_static(name), HeaderValue::from_str(&value).ok()?)))
        .collect()
}

/// Counts one request of `key` against `quota`.
pub(crate) async fn take(limiter: &dyn RateLimiter, quota: Quota, key: &str) -> Result<Granted, ApiError> {
    let window = limiter
        .hit(&format!("{}:{key}", quota.name), quota.limit, quota.window)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    if window.allowed {
        return Ok(Granted { quota, window });
    }
    let mut e = ApiError::too_many_requests(
        format!(
            "rate limit {} reached ({} per {} s); retry after the window resets",
            quota.name,
            quota.limit,
            quota.window.as_secs()
        ),
        window.reset_after.as_secs(),
    );
    e.headers = fields(quota, window);
    Err(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratelimit::MemoryRateLimiter;

    #[tokio::test]
    async fn headers_follow_the_draft() {
        let limiter = MemoryRateLimiter::default();
        let quota = Quota { name: "caller", limit: 2, window: Duration::from_mins(1) };
        let key = uuid::Uuid::new_v4().to_string();
        let granted = take(&limiter, quota, &key).await.unwrap();
        let mut h = HeaderMap::new();
        granted.apply(&mut h);
        assert_eq!(h["ratelimit-policy"], "\"caller\";q=2;w=60");
        let current = h["ratelimit"].to_str().unwrap();
        assert!(current.starts_with("\"caller\";r=1;t="), "{current}");
        take(&limiter, quota, &key).await.unwrap();
        let refused = take(&limiter, quota, &key).await.unwrap_err();
        assert_eq!(refused.status, axum::http::StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.retry_after.is_some_and(|s| (1..=60).contains(&s)));
        let (_, current) = refused.headers.iter().find(|(n, _)| n == "ratelimit").unwrap();
        assert!(current.to_str().unwrap().starts_with("\"caller\";r=0;"));
    }
}
