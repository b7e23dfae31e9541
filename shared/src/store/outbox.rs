//! The outbox table: events written with the change they describe, read back in order
//! by the relay. A payload that no longer parses (an event type removed from the code)
//! is reported as corrupt rather than dropped.

use chrono::{DateTime, Utc};
use tokio_postgres::GenericClient;

use super::StoreError;
use super::sql::p;
use crate::domain::EventEnvelope;

/// Adds events to the outbox; call inside the transaction of the change.
pub async fn append(c: &impl GenericClient, events: &[EventEnvelope]) -> Result<(), StoreError> {
    for e in events {
        let payload = serde_json::to_value(e).map_err(|err| StoreError::Corrupt(err.to_string()))?;
        c.query_typed(
            "INSERT INTO outbox (id, event_type, subject_id, payload, occurred_at) VALUES ($1, $2, $3, $4, $5)",
            &[p(&e.id), p(&e.detail_type()), p(&e.subject_id()), p(&payload), p(&e.occurred_at)],
        )
        .await?;
    }
    Ok(())
}

/// An event waiting in the outbox.
#[derive(Debug, Clone)]
pub struct Pending {
    pub seq: i64,
    pub event: EventEnvelope,
}

/// The oldest unpublished events, locked for this transaction. Rows another relay holds
/// are skipped; callers serialise relays (see the relay) so that order holds.
pub async fn claim(c: &impl GenericClient, limit: i64) -> Result<Vec<Pending>, StoreError> {
    let rows = c
        .query_typed(
            "SELECT seq, payload FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED",
            &[p(&limit)],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let payload: serde_json::Value = row.try_get("payload")?;
            let event = serde_json::from_value(payload).map_err(|e| StoreError::Corrupt(format!("outbox: {e}")))?;
            Ok(Pending { seq: row.try_get("seq")?, event })
        })
        .collect()
}

pub async fn mark_published(c: &impl GenericClient, seqs: &[i64], at: DateTime<Utc>) -> Result<(), StoreError> {
    let seqs = seqs.to_vec();
    c.query_typed(
        "UPDATE outbox SET published_at = $2, attempts = attempts + 1, last_error = NULL
         WHERE seq = ANY($1)",
        &[p(&seqs), p(&at)],
    )
    .await?;
    Ok(())
}

pub async fn mark_failed(c: &impl GenericClient, seqs: &[i64], error: &str) -> Result<(), StoreError> {
    let seqs = seqs.to_vec();
    c.query_typed(
        "UPDATE outbox SET attempts = attempts + 1, last_error = left($2, 1000) WHERE seq = ANY($1)",
        &[p(&seqs), p(&error)],
    )
    .await?;
    Ok(())
}

/// How many events wait to be published.
pub async fn pending_count(c: &impl GenericClient) -> Result<i64, StoreError> {
    let row = c.query_typed("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL", &[]).await?;
    Ok(row.first().map(|r| r.try_get("n")).transpose()?.unwrap_or(0))
}

/// Deletes events published before `before` (the Mongo copy is the long-term record).
pub async fn prune(c: &impl GenericClient, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let rows = c.query_typed("DELETE FROM outbox WHERE published_at < $1 RETURNING seq", &[p(&before)]).await?;
    Ok(rows.len() as u64)
}
