//! The open times a conversation last offered a customer: the customer's next message
//! may pick one by number or by time, so the offer outlives the reply that made it.

use chrono::{DateTime, Utc};
use tokio_postgres::GenericClient;
use tokio_postgres::types::Type;
use uuid::Uuid;

use super::StoreError;
use super::sql::{get, p};
use crate::domain::booking::DurationMinutes;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub customer_id: Uuid,
    pub slots: Vec<DateTime<Utc>>,
    pub duration: DurationMinutes,
    /// The booking the offer moves, when it is a reschedule.
    pub reschedule_of: Option<Uuid>,
    /// The chat session it was made in (only that session may take it).
    pub chat_session: Option<Uuid>,
    pub offered_at: DateTime<Utc>,
}

pub async fn save(c: &impl GenericClient, o: &Offer) -> Result<(), StoreError> {
    let minutes = i16::try_from(o.duration.minutes()).unwrap_or(i16::MAX);
    c.query_typed(
        "INSERT INTO booking_offers (customer_id, slots, duration_minutes, reschedule_of, chat_session, offered_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (customer_id) DO UPDATE
             SET slots = $2, duration_minutes = $3, reschedule_of = $4, chat_session = $5, offered_at = $6",
        &[
            p(&o.customer_id),
            (&o.slots, Type::TIMESTAMPTZ_ARRAY),
            p(&minutes),
            p(&o.reschedule_of),
            p(&o.chat_session),
            p(&o.offered_at),
        ],
    )
    .await?;
    Ok(())
}

pub async fn get_for_customer(c: &impl GenericClient, customer_id: Uuid) -> Result<Option<Offer>, StoreError> {
    let rows = c
        .query_typed(
            "SELECT customer_id, slots, duration_minutes, reschedule_of, chat_session, offered_at FROM booking_offers
             WHERE customer_id = $1",
            &[p(&customer_id)],
        )
        .await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let minutes: i16 = get(row, "duration_minutes")?;
    Ok(Some(Offer {
        customer_id: get(row, "customer_id")?,
        slots: get(row, "slots")?,
        duration: DurationMinutes::new(i64::from(minutes)).map_err(|e| StoreError::Corrupt(e.0))?,
        reschedule_of: get(row, "reschedule_of")?,
        chat_session: get(row, "chat_session")?,
        offered_at: get(row, "offered_at")?,
    }))
}

pub async fn clear(c: &impl GenericClient, customer_id: Uuid) -> Result<(), StoreError> {
    c.query_typed("DELETE FROM booking_offers WHERE customer_id = $1", &[p(&customer_id)]).await?;
    Ok(())
}
