//! The once-a-minute schedule: what EventBridge triggers in AWS (the `scheduler`
//! function) and `leadflow serve` runs itself.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::app::AppState;
use crate::services::ServiceError;

/// One run of the schedule; returns what it did.
pub async fn tick(state: &AppState, now: DateTime<Utc>) -> Result<Value, ServiceError> {
    let report = state.tick(now).await?;
    serde_json::to_value(report).map_err(|e| ServiceError::Internal(e.to_string()))
}
