//! Per-customer conversation state: AI pauses after a human reply, last activity, and
//! what the replies have said (greeted, services discussed, the open question).

use chrono::{DateTime, Utc};
use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::StoreError;
use super::sql::p;
use crate::domain::conversation_state::ConversationState;
use crate::domain::{Channel, Direction};

/// Pauses AI replies to the customer until `until` (a later pause wins).
pub async fn pause_ai(c: &impl GenericClient, customer_id: Uuid, until: DateTime<Utc>) -> Result<(), StoreError> {
    c.query_typed(
        "INSERT INTO conversations (customer_id, ai_paused_until, last_outbound_at) VALUES ($1, $2, now())
         ON CONFLICT (customer_id) DO UPDATE SET ai_paused_until = greatest(conversations.ai_paused_until, $2),
                last_outbound_at = now(), updated_at = now()",
        &[p(&customer_id), p(&until)],
    )
    .await?;
    Ok(())
}

/// Until when AI replies to the customer are paused, if they are.
pub async fn ai_paused_until(c: &impl GenericClient, customer_id: Uuid) -> Result<Option<DateTime<Utc>>, StoreError> {
    let rows =
        c.query_typed("SELECT ai_paused_until FROM conversations WHERE customer_id = $1", &[p(&customer_id)]).await?;
    Ok(rows.first().and_then(|r| r.get::<_, Option<DateTime<Utc>>>(0)))
}

/// Records a message in one direction at `at` on `channel`: the inbox's last activity
/// and the channel it moved on. A message recorded again (a retried send) or late
/// changes nothing newer.
pub async fn record_activity(
    c: &impl GenericClient,
    customer_id: Uuid,
    direction: Direction,
    channel: Channel,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let sql = match direction {
        Direction::Inbound => {
            "INSERT INTO conversations (customer_id, last_inbound_at, last_channel) VALUES ($1, $2, $3)
             ON CONFLICT (customer_id) DO UPDATE SET
                last_channel = CASE WHEN $2 >= coalesce(greatest(conversations.last_inbound_at, conversations.last_outbound_at), $2)
                                    THEN $3 ELSE conversations.last_channel END,
                last_inbound_at = greatest(conversations.last_inbound_at, $2), updated_at = now()"
        }
        Direction::Outbound => {
            "INSERT INTO conversations (customer_id, last_outbound_at, last_channel) VALUES ($1, $2, $3)
             ON CONFLICT (customer_id) DO UPDATE SET
                last_channel = CASE WHEN $2 >= coalesce(greatest(conversations.last_inbound_at, conversations.last_outbound_at), $2)
                                    THEN $3 ELSE conversations.last_channel END,
                last_outbound_at = greatest(conversations.last_outbound_at, $2), updated_at = now()"
        }
    };
    c.query_typed(sql, &[p(&customer_id), p(&at), p(&channel.as_str())]).await?;
    Ok(())
}

/// Ends a pause of AI replies; returns until when it would have lasted, if one was on.
pub async fn resume_ai(
    c: &impl GenericClient,
    customer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let rows = c
        .query_typed(
            "WITH paused AS (
                 SELECT customer_id, ai_paused_until FROM conversations
                 WHERE customer_id = $1 AND ai_paused_until > $2 FOR UPDATE
             )
             UPDATE conversations c SET ai_paused_until = NULL, updated_at = now()
             FROM paused WHERE c.customer_id = paused.customer_id
             RETURNING paused.ai_paused_until",
            &[p(&customer_id), p(&now)],
        )
        .await?;
    Ok(rows.first().and_then(|r| r.get::<_, Option<DateTime<Utc>>>(0)))
}

/// What the conversation with the customer has said so far (empty when nothing yet).
pub async fn state(c: &impl GenericClient, customer_id: Uuid) -> Result<ConversationState, StoreError> {
    let rows = c.query_typed("SELECT state FROM conversations WHERE customer_id = $1", &[p(&customer_id)]).await?;
    let Some(row) = rows.first() else { return Ok(ConversationState::default()) };
    let value: serde_json::Value = row.try_get(0)?;
    // A state written by another version (a renamed field) costs a repeated greeting at
    // worst; it must never stop the customer being answered.
    Ok(serde_json::from_value(value).unwrap_or_else(|e| {
        tracing::warn!(%customer_id, error = %e, "conversation state unreadable; starting afresh");
        ConversationState::default()
    }))
}

pub async fn save_state(
    c: &impl GenericClient,
    customer_id: Uuid,
    state: &ConversationState,
) -> Result<(), StoreError> {
    let value = serde_json::to_value(state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    c.query_typed(
        "INSERT INTO conversations (customer_id, state) VALUES ($1, $2)
         ON CONFLICT (customer_id) DO UPDATE SET state = $2, updated_at = now()",
        &[p(&customer_id), p(&value)],
    )
    .await?;
    Ok(())
}
