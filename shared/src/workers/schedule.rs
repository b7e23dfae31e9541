//! The once-a-minute schedule: what EventBridge triggers in AWS and `leadflow serve`
//! runs itself.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{JobError, sweep};
use crate::app::AppState;

/// One run of the schedule; returns what it did.
pub async fn tick(state: &AppState, now: DateTime<Utc>) -> Result<Value, JobError> {
    let requeued = sweep::requeue_stale(state, now).await?;
    Ok(json!({ "requeued_messages": requeued }))
}
