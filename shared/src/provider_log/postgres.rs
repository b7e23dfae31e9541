//! The `provider_status` table as the provider log.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::{Outcome, ProviderLog};
use crate::domain::provider::{Provider, scrub_error};
use crate::store::{Db, provider_status};

/// A success is written at most this often per provider while nothing fails: the page
/// shows minutes, and an SMS burst should not write a row per message.
const SUCCESS_EVERY: Duration = Duration::from_mins(1);
/// Recording waits no longer than this; the call it records has already happened.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

pub struct PgProviderLog {
    db: Db,
    /// When this process last wrote a success per provider; a failure clears the entry,
    /// so the next success is written at once.
    written: Mutex<HashMap<Provider, Instant>>,
}

impl PgProviderLog {
    pub fn new(db: Db) -> Self {
        Self { db, written: Mutex::new(HashMap::new()) }
    }

    /// Whether this success needs writing, and if so notes that it is being written.
    fn success_due(&self, provider: Provider) -> bool {
        let mut written = self.written.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        match written.get(&provider) {
            Some(at) if now.duration_since(*at) < SUCCESS_EVERY => false,
            Some(_) | None => {
                written.insert(provider, now);
                true
            }
        }
    }

    fn forget_success(&self, provider: Provider) {
        self.written.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&provider);
    }

    async fn write(&self, provider: Provider, outcome: Outcome<'_>) -> Result<(), String> {
        let conn = self.db.conn().await.map_err(|e| e.to_string())?;
        let now = Utc::now();
        match outcome {
            Outcome::Succeeded => provider_status::succeeded(&*conn, provider, now).await,
            Outcome::Failed(message) => provider_status::failed(&*conn, provider, now, &scrub_error(message)).await,
        }
        .map_err(|e| e.to_string())
    }
}

#[async_trait::async_trait]
impl ProviderLog for PgProviderLog {
    async fn record(&self, provider: Provider, outcome: Outcome<'_>) {
        match outcome {
            Outcome::Succeeded if !self.success_due(provider) => return,
            Outcome::Succeeded => {}
            Outcome::Failed(_) => self.forget_success(provider),
        }
        let written = tokio::time::timeout(WRITE_TIMEOUT, self.write(provider, outcome)).await;
        let error = match written {
            Ok(Ok(())) => return,
            Ok(Err(e)) => e,
            Err(_) => "timed out".to_owned(),
        };
        if matches!(outcome, Outcome::Succeeded) {
            self.forget_success(provider);
        }
        tracing::warn!(%provider, %error, "could not record the provider's status");
    }
}
