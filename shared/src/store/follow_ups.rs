//! Follow-ups. The scheduler claims due rows with `FOR UPDATE SKIP LOCKED`, so several
//! concurrent runs never send one twice.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::StoreError;
use super::sql::{get, p, parse_req};
use crate::domain::{Channel, FollowUp, NewFollowUp};

const COLUMNS: &str =
    "id, lead_id, customer_id, message_type, step, scheduled_time, content, sent, sent_at, cancelled_at, created_at";

fn from_row(row: &Row) -> Result<FollowUp, StoreError> {
    Ok(FollowUp {
        id: get(row, "id")?,
        lead_id: get(row, "lead_id")?,
        customer_id: get(row, "customer_id")?,
        message_type: parse_req(row, "message_type", str::parse::<Channel>)?,
        step: get(row, "step")?,
        scheduled_time: get(row, "scheduled_time")?,
        content: get(row, "content")?,
        sent: get(row, "sent")?,
        sent_at: get(row, "sent_at")?,
        cancelled_at: get(row, "cancelled_at")?,
        created_at: get(row, "created_at")?,
    })
}

pub async fn insert(c: &impl GenericClient, f: &NewFollowUp) -> Result<FollowUp, StoreError> {
    let sql = format!(
        "INSERT INTO follow_ups (id, lead_id, customer_id, message_type, step, scheduled_time, content)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    let rows = c
        .query_typed(
            &sql,
            &[
                p(&Uuid::now_v7()),
                p(&f.lead_id),
                p(&f.customer_id),
                p(&f.message_type.as_str()),
                p(&f.step),
                p(&f.scheduled_time),
                p(&f.content),
            ],
        )
        .await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("follow-up"))?
}

/// The lead's follow-ups in step order.
pub async fn for_lead(c: &impl GenericClient, lead_id: Uuid) -> Result<Vec<FollowUp>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM follow_ups WHERE lead_id = $1 ORDER BY step, scheduled_time");
    c.query_typed(&sql, &[p(&lead_id)]).await?.iter().map(from_row).collect()
}

/// Claims up to `limit` due, pending follow-ups for this transaction; rows another
/// transaction holds are skipped.
pub async fn claim_due(c: &impl GenericClient, now: DateTime<Utc>, limit: i64) -> Result<Vec<FollowUp>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM follow_ups
         WHERE NOT sent AND cancelled_at IS NULL AND scheduled_time <= $1
         ORDER BY scheduled_time LIMIT $2 FOR UPDATE SKIP LOCKED"
    );
    c.query_typed(&sql, &[p(&now), p(&limit)]).await?.iter().map(from_row).collect()
}

pub async fn mark_sent(c: &impl GenericClient, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
    let rows = c
        .query_typed(
            "UPDATE follow_ups SET sent = true, sent_at = $2 WHERE id = $1 AND NOT sent RETURNING id",
            &[p(&id), p(&at)],
        )
        .await?;
    if rows.is_empty() { Err(StoreError::NotFound("follow-up")) } else { Ok(()) }
}

/// Cancels the lead's pending follow-ups; returns how many.
pub async fn cancel_pending(c: &impl GenericClient, lead_id: Uuid) -> Result<usize, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE follow_ups SET cancelled_at = now() WHERE lead_id = $1 AND NOT sent AND cancelled_at IS NULL RETURNING id",
            &[p(&lead_id)],
        )
        .await?;
    Ok(rows.len())
}
