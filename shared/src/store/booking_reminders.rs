//! Reminders of bookings: one row per booking, offset and meeting time, so a
//! rescheduled booking gets fresh reminders and a sent one is never sent again. The
//! schedule claims due rows with `FOR UPDATE SKIP LOCKED`; `queued_at` keeps it from
//! queueing a reminder again while its job is still on the way.

use chrono::{DateTime, Duration, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::StoreError;
use super::sql::{get, p};

/// How long a queued reminder waits for its job before the schedule queues it again.
const REQUEUE_AFTER: Duration = Duration::minutes(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminder {
    pub booking_id: Uuid,
    pub offset_minutes: i32,
    pub scheduled_time: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

fn from_row(row: &Row) -> Result<Reminder, StoreError> {
    Ok(Reminder {
        booking_id: get(row, "booking_id")?,
        offset_minutes: get(row, "offset_minutes")?,
        scheduled_time: get(row, "scheduled_time")?,
        due_at: get(row, "due_at")?,
        sent_at: get(row, "sent_at")?,
    })
}

/// Replaces the booking's unsent reminders with one per offset still in the future.
pub async fn plan(
    c: &impl GenericClient,
    booking_id: Uuid,
    scheduled_time: DateTime<Utc>,
    offsets_minutes: &[u32],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    cancel(c, booking_id).await?;
    for offset in offsets_minutes {
        let offset = i32::try_from(*offset).unwrap_or(i32::MAX);
        let due_at = scheduled_time - Duration::minutes(i64::from(offset));
        if due_at <= now {
            // Booked closer to the meeting than this reminder: the confirmation says it all.
            continue;
        }
        c.query_typed(
            "INSERT INTO booking_reminders (booking_id, offset_minutes, scheduled_time, due_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            &[p(&booking_id), p(&offset), p(&scheduled_time), p(&due_at)],
        )
        .await?;
    }
    Ok(())
}

/// Drops the booking's unsent reminders (cancelled, moved or ended).
pub async fn cancel(c: &impl GenericClient, booking_id: Uuid) -> Result<(), StoreError> {
    c.query_typed("DELETE FROM booking_reminders WHERE booking_id = $1 AND sent_at IS NULL", &[p(&booking_id)]).await?;
    Ok(())
}

/// Marks up to `limit` due reminders of active, not yet started bookings as queued and
/// returns them; rows another run holds are skipped.
pub async fn claim_due(c: &impl GenericClient, now: DateTime<Utc>, limit: i64) -> Result<Vec<Reminder>, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE booking_reminders r SET queued_at = $1
             WHERE (r.booking_id, r.offset_minutes, r.scheduled_time) IN (
                 SELECT r2.booking_id, r2.offset_minutes, r2.scheduled_time
                 FROM booking_reminders r2 JOIN bookings b ON b.id = r2.booking_id
                 WHERE r2.sent_at IS NULL AND r2.due_at <= $1 AND r2.scheduled_time > $1
                   AND (r2.queued_at IS NULL OR r2.queued_at < $2)
                   AND b.status IN ('scheduled', 'confirmed') AND b.scheduled_time = r2.scheduled_time
                 ORDER BY r2.due_at LIMIT $3 FOR UPDATE OF r2 SKIP LOCKED)
             RETURNING r.booking_id, r.offset_minutes, r.scheduled_time, r.due_at, r.sent_at",
            &[p(&now), p(&(now - REQUEUE_AFTER)), p(&limit)],
        )
        .await?;
    rows.iter().map(from_row).collect()
}

/// The reminder.
pub async fn find(
    c: &impl GenericClient,
    booking_id: Uuid,
    offset_minutes: i32,
    scheduled_time: DateTime<Utc>,
) -> Result<Option<Reminder>, StoreError> {
    let rows = c
        .query_typed(
            "SELECT booking_id, offset_minutes, scheduled_time, due_at, sent_at FROM booking_reminders
             WHERE booking_id = $1 AND offset_minutes = $2 AND scheduled_time = $3",
            &[p(&booking_id), p(&offset_minutes), p(&scheduled_time)],
        )
        .await?;
    rows.first().map(from_row).transpose()
}

pub async fn mark_sent(c: &impl GenericClient, r: &Reminder, at: DateTime<Utc>) -> Result<(), StoreError> {
    c.query_typed(
        "UPDATE booking_reminders SET sent_at = $4 WHERE booking_id = $1 AND offset_minutes = $2 AND scheduled_time = $3",
        &[p(&r.booking_id), p(&r.offset_minutes), p(&r.scheduled_time), p(&at)],
    )
    .await?;
    Ok(())
}

/// Every reminder of a booking, soonest due first (for the API and tests).
pub async fn for_booking(c: &impl GenericClient, booking_id: Uuid) -> Result<Vec<Reminder>, StoreError> {
    let rows = c
        .query_typed(
            "SELECT booking_id, offset_minutes, scheduled_time, due_at, sent_at FROM booking_reminders
             WHERE booking_id = $1 ORDER BY due_at",
            &[p(&booking_id)],
        )
        .await?;
    rows.iter().map(from_row).collect()
}
