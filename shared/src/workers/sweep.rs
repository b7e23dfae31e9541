//! The sweep: inbound messages still unprocessed some minutes after arrival (their job was
//! lost or failed) are queued again. Processing is idempotent, so a message queued twice
//! is answered once. Messages older than a day are left to people.

use chrono::{DateTime, Duration, Utc};

use super::JobError;
use crate::app::AppState;
use crate::queue::Job;

const BATCH: i64 = 200;

/// Queues stale messages again; returns how many.
pub async fn requeue_stale(state: &AppState, now: DateTime<Utc>) -> Result<usize, JobError> {
    let before = now - state.config.messaging.sweep_after;
    let stale = state.mongo.messages().unprocessed_between(now - Duration::days(1), before, BATCH).await?;
    let mut queued = 0;
    for m in &stale {
        state.queue.enqueue(&Job::ProcessMessage { message_id: m.id }).await.map_err(|e| JobError(e.to_string()))?;
        queued += 1;
    }
    if queued > 0 {
        tracing::info!(queued, "sweep queued unprocessed messages again");
    }
    Ok(queued)
}
