//! Idempotency records (the AWS Lambda Powertools algorithm). Before doing work for a
//! key, `begin` writes an INPROGRESS record unless one exists; the first caller proceeds,
//! later ones get the saved response (COMPLETED), are told to retry later (INPROGRESS),
//! or are refused when the same key comes with another payload. An INPROGRESS record
//! expires at the end of its caller's time budget (the Lambda's remaining time), so a
//! crashed attempt never blocks retries; every record expires after `ttl`.

mod dynamo;
mod memory;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use dynamo::DynamoIdempotency;
pub use memory::MemoryIdempotency;

/// How long a completed record (and its saved response) is kept.
pub const DEFAULT_TTL: Duration = Duration::hours(24);

#[derive(Debug, Clone, PartialEq)]
pub enum Begin {
    /// No usable record: this caller does the work, then calls `complete` or `release`.
    Proceed,
    /// Done before; here is the saved response.
    Completed(Value),
    /// Another caller is doing it now.
    InProgress,
    /// The key was used before for a different payload.
    PayloadMismatch,
}

#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    #[error("idempotency store unavailable: {0}")]
    Unavailable(String),
}

#[async_trait::async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for work on a payload with hash `payload_hash` until `in_progress_until`.
    async fn begin(
        &self,
        key: &str,
        payload_hash: &str,
        in_progress_until: DateTime<Utc>,
    ) -> Result<Begin, IdempotencyError>;

    /// Marks the work done and saves its response.
    async fn complete(&self, key: &str, response: &Value) -> Result<(), IdempotencyError>;

    /// Forgets the claim after a failure, so a retry may do the work.
    async fn release(&self, key: &str) -> Result<(), IdempotencyError>;
}

/// The outcome of [`claim`]: the work is this caller's to do (with the guard that ends
/// the claim), or it was done, or is being done, or the key was used otherwise.
pub enum Claim<'a> {
    Proceed(Guard<'a>),
    Completed(Value),
    InProgress,
    PayloadMismatch,
}

/// A claim on a key; end it with [`Guard::settle`], [`Guard::complete`] or
/// [`Guard::release`]. One dropped unended expires with its in-progress deadline.
#[must_use = "end the claim with settle, complete or release"]
pub struct Guard<'a> {
    store: &'a dyn IdempotencyStore,
    key: String,
}

/// Claims `key` for work on a payload with hash `payload_hash` until `until`.
pub async fn claim<'a>(
    store: &'a dyn IdempotencyStore,
    key: impl Into<String>,
    payload_hash: &str,
    until: DateTime<Utc>,
) -> Result<Claim<'a>, IdempotencyError> {
    let key = key.into();
    Ok(match store.begin(&key, payload_hash, until).await? {
        Begin::Proceed => Claim::Proceed(Guard { store, key }),
        Begin::Completed(saved) => Claim::Completed(saved),
        Begin::InProgress => Claim::InProgress,
        Begin::PayloadMismatch => Claim::PayloadMismatch,
    })
}

impl Guard<'_> {
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Saves `response` for later callers. Failing to save is logged, not returned: the
    /// work is done, and the record's expiry lets a retry find its own guard (the work
    /// itself is idempotent on its data).
    pub async fn complete(self, response: &Value) {
        if let Err(e) = self.store.complete(&self.key, response).await {
            tracing::warn!(key = %self.key, error = %e, "could not record the completed work");
        }
    }

    /// Gives the key back after a failure, so a retry may do the work.
    pub async fn release(self) {
        if let Err(e) = self.store.release(&self.key).await {
            tracing::warn!(key = %self.key, error = %e, "could not release the claim; it expires by itself");
        }
    }

    /// Completes with `response(ok)` on success, releases on failure.
    pub async fn settle<T, E>(self, result: &Result<T, E>, response: impl FnOnce(&T) -> Value) {
        match result {
            Ok(value) => self.complete(&response(value)).await,
            Err(_) => self.release().await,
        }
    }
}

/// What an existing, still valid record means for a new claim on its key.
pub(crate) fn decide(stored_hash: Option<&str>, payload_hash: &str, response: Option<Value>) -> Begin {
    if stored_hash != Some(payload_hash) {
        Begin::PayloadMismatch
    } else if let Some(response) = response {
        Begin::Completed(response)
    } else {
        Begin::InProgress
    }
}

/// The hash `begin` compares payloads by.
pub fn payload_hash(payload: &[u8]) -> String {
    hex::encode(Sha256::digest(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The algorithm's contract, run against any adapter.
    pub(crate) async fn contract(store: &dyn IdempotencyStore) {
        let until = Utc::now() + Duration::seconds(30);
        assert_eq!(store.begin("k1", "h1", until).await.unwrap(), Begin::Proceed);
        assert_eq!(store.begin("k1", "h1", until).await.unwrap(), Begin::InProgress);
        assert_eq!(store.begin("k1", "other", until).await.unwrap(), Begin::PayloadMismatch);
        store.complete("k1", &serde_json::json!({"ok": 1})).await.unwrap();
        assert_eq!(store.begin("k1", "h1", until).await.unwrap(), Begin::Completed(serde_json::json!({"ok": 1})));

        assert_eq!(store.begin("k2", "h", until).await.unwrap(), Begin::Proceed);
        store.release("k2").await.unwrap();
        assert_eq!(store.begin("k2", "h", until).await.unwrap(), Begin::Proceed, "released keys can be retried");

        let already_over = Utc::now() - Duration::seconds(1);
        assert_eq!(store.begin("k3", "h", already_over).await.unwrap(), Begin::Proceed);
        assert_eq!(store.begin("k3", "h", until).await.unwrap(), Begin::Proceed, "an expired claim is taken over");
    }

    #[tokio::test]
    async fn memory_adapter_keeps_the_contract() {
        contract(&MemoryIdempotency::default()).await;
    }

    #[test]
    fn hashes_are_stable() {
        assert_eq!(payload_hash(b"abc"), payload_hash(b"abc"));
        assert_ne!(payload_hash(b"abc"), payload_hash(b"abd"));
    }
}
