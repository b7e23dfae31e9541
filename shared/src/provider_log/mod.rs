//! How each provider's calls last went, for the Settings page: a port the provider
//! clients report to after each call, and its Postgres adapter. Recording is best
//! effort: a failure to record is logged and never fails the call that was recorded.

mod postgres;

use std::fmt::Display;
use std::sync::Arc;

use crate::domain::provider::Provider;

pub use postgres::PgProviderLog;

/// One call's result, as far as the provider's health goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    Succeeded,
    /// What went wrong, in the client's words (scrubbed before it is stored).
    Failed(&'a str),
}

#[async_trait::async_trait]
pub trait ProviderLog: Send + Sync {
    async fn record(&self, provider: Provider, outcome: Outcome<'_>);
}

/// What a client holds to report its calls: its provider and, when wired, the log.
/// Clients built without one (tests, tools) report nowhere.
#[derive(Clone)]
pub struct Watch {
    provider: Provider,
    log: Option<Arc<dyn ProviderLog>>,
}

impl Watch {
    pub fn new(provider: Provider) -> Self {
        Self { provider, log: None }
    }

    #[must_use]
    pub fn with_log(mut self, log: Arc<dyn ProviderLog>) -> Self {
        self.log = Some(log);
        self
    }

    pub async fn outcome(&self, outcome: Outcome<'_>) {
        if let Some(log) = &self.log {
            log.record(self.provider, outcome).await;
        }
    }

    /// Reports a call's result.
    pub async fn note<T, E: Display>(&self, result: &Result<T, E>) {
        match result {
            Ok(_) => self.outcome(Outcome::Succeeded).await,
            Err(e) => self.outcome(Outcome::Failed(&e.to_string())).await,
        }
    }
}
