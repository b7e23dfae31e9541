//! In-process idempotency records: the local default (one process, nothing shared).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Begin, DEFAULT_TTL, IdempotencyError, IdempotencyStore};

#[derive(Debug, Clone)]
struct Record {
    payload_hash: String,
    in_progress_until: Option<DateTime<Utc>>,
    response: Option<Value>,
    expires_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct MemoryIdempotency {
    records: Mutex<HashMap<String, Record>>,
}

impl MemoryIdempotency {
    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<String, Record>> {
        self.records.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait::async_trait]
impl IdempotencyStore for MemoryIdempotency {
    async fn begin(
        &self,
        key: &str,
        payload_hash: &str,
        in_progress_until: DateTime<Utc>,
    ) -> Result<Begin, IdempotencyError> {
        let now = Utc::now();
        let mut records = self.records();
        records.retain(|_, r| r.expires_at > now);
        if let Some(r) = records.get(key) {
            let stale_claim = r.response.is_none() && r.in_progress_until.is_some_and(|t| t < now);
            if !stale_claim {
                return Ok(super::decide(Some(&r.payload_hash), payload_hash, r.response.clone()));
            }
        }
        records.insert(
            key.to_owned(),
            Record {
                payload_hash: payload_hash.to_owned(),
                in_progress_until: Some(in_progress_until),
                response: None,
                expires_at: now + DEFAULT_TTL,
            },
        );
        Ok(Begin::Proceed)
    }

    async fn complete(&self, key: &str, response: &Value) -> Result<(), IdempotencyError> {
        if let Some(r) = self.records().get_mut(key) {
            r.response = Some(response.clone());
            r.in_progress_until = None;
            r.expires_at = Utc::now() + DEFAULT_TTL;
        }
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), IdempotencyError> {
        self.records().remove(key);
        Ok(())
    }
}
