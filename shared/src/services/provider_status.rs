//! The Settings page's integration status: which providers are configured, and how
//! their calls last went (recorded by the clients through `provider_log`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::ServiceResult;
use crate::config::Providers;
use crate::domain::provider::Provider;
use crate::store::{Db, provider_status};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LastError {
    pub at: DateTime<Utc>,
    /// The provider's error, without URLs or anything like a key, at most 300 characters.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct IntegrationStatus {
    pub name: Provider,
    pub configured: bool,
    pub last_error: Option<LastError>,
    pub last_success_at: Option<DateTime<Utc>>,
}

/// Every provider, in the page's order, recorded or not.
pub async fn all(db: &Db, providers: &Providers) -> ServiceResult<Vec<IntegrationStatus>> {
    let conn = db.conn().await?;
    let recorded = provider_status::all(&*conn).await?;
    Ok(Provider::ALL
        .iter()
        .map(|&name| {
            let seen = recorded.iter().find(|s| s.provider == name);
            IntegrationStatus {
                name,
                configured: providers.configured(name),
                last_error: seen.and_then(|s| s.last_error.clone()).map(|(at, message)| LastError { at, message }),
                last_success_at: seen.and_then(|s| s.last_success_at),
            }
        })
        .collect())
}
