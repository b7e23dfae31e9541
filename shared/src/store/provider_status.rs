//! How each provider's calls last went (`provider_status`, one row per provider).

use chrono::{DateTime, Utc};
use tokio_postgres::GenericClient;

use super::StoreError;
use super::sql::{get, p, parse_req};
use crate::domain::provider::Provider;

/// A provider's last success and last failure, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderStatus {
    pub provider: Provider,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<(DateTime<Utc>, String)>,
}

pub async fn succeeded(c: &impl GenericClient, provider: Provider, at: DateTime<Utc>) -> Result<(), StoreError> {
    c.query_typed(
        "INSERT INTO provider_status (provider, last_success_at) VALUES ($1, $2)
         ON CONFLICT (provider) DO UPDATE
         SET last_success_at = greatest(provider_status.last_success_at, $2), updated_at = now()",
        &[p(&provider.as_str()), p(&at)],
    )
    .await?;
    Ok(())
}

/// Records a failure; `message` must already be fit to show (scrubbed and short).
pub async fn failed(
    c: &impl GenericClient,
    provider: Provider,
    at: DateTime<Utc>,
    message: &str,
) -> Result<(), StoreError> {
    c.query_typed(
        "INSERT INTO provider_status (provider, last_error_at, last_error) VALUES ($1, $2, $3)
         ON CONFLICT (provider) DO UPDATE SET last_error_at = $2, last_error = $3, updated_at = now()
         WHERE provider_status.last_error_at IS NULL OR provider_status.last_error_at <= $2",
        &[p(&provider.as_str()), p(&at), p(&message)],
    )
    .await?;
    Ok(())
}

/// Every provider with a recorded call.
pub async fn all(c: &impl GenericClient) -> Result<Vec<ProviderStatus>, StoreError> {
    let rows =
        c.query_typed("SELECT provider, last_success_at, last_error_at, last_error FROM provider_status", &[]).await?;
    rows.iter()
        .map(|r| {
            let at: Option<DateTime<Utc>> = get(r, "last_error_at")?;
            let message: Option<String> = get(r, "last_error")?;
            Ok(ProviderStatus {
                provider: parse_req(r, "provider", str::parse::<Provider>)?,
                last_success_at: get(r, "last_success_at")?,
                last_error: at.zip(message),
            })
        })
        .collect()
}
