//! Booking deposits (`booking_payments`, one per booking) and the Stripe events already
//! acted on (`stripe_events`). Statements go through `query_typed`, like every store.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::StoreError;
use super::sql::{get, p, parse_req};
use crate::domain::deposit::{Currency, PaymentStatus};

const COLUMNS: &str = "booking_id, amount, currency, status, checkout_session_id, checkout_url, expires_at, \
     payment_intent, refund_id, paid_at, refunded_at, created_at";

/// A booking's deposit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Payment {
    pub booking_id: Uuid,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: Currency,
    #[schema(value_type = String, example = "open")]
    pub status: PaymentStatus,
    pub checkout_session_id: Option<String>,
    /// Where the customer pays; `None` until Stripe made the session (a job retries).
    pub checkout_url: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub payment_intent: Option<String>,
    pub refund_id: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn from_row(row: &Row) -> Result<Payment, StoreError> {
    Ok(Payment {
        booking_id: get(row, "booking_id")?,
        amount: get(row, "amount")?,
        currency: parse_req(row, "currency", Currency::parse)?,
        status: parse_req(row, "status", str::parse)?,
        checkout_session_id: get(row, "checkout_session_id")?,
        checkout_url: get(row, "checkout_url")?,
        expires_at: get(row, "expires_at")?,
        payment_intent: get(row, "payment_intent")?,
        refund_id: get(row, "refund_id")?,
        paid_at: get(row, "paid_at")?,
        refunded_at: get(row, "refunded_at")?,
        created_at: get(row, "created_at")?,
    })
}

/// Records the deposit a new booking owes (status `pending`: no Checkout Session yet).
pub async fn insert(
    c: &impl GenericClient,
    booking_id: Uuid,
    amount: i64,
    currency: &Currency,
    now: DateTime<Utc>,
) -> Result<Payment, StoreError> {
    let sql = format!(
        "INSERT INTO booking_payments (booking_id, amount, currency, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4) RETURNING {COLUMNS}"
    );
    let rows = c.query_typed(&sql, &[p(&booking_id), p(&amount), p(&currency.as_str()), p(&now)]).await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("payment"))?
}

pub async fn find(c: &impl GenericClient, booking_id: Uuid) -> Result<Option<Payment>, StoreError> {
    let rows = c
        .query_typed(&format!("SELECT {COLUMNS} FROM booking_payments WHERE booking_id = $1"), &[p(&booking_id)])
        .await?;
    rows.first().map(from_row).transpose()
}

/// The deposit, locked for the transaction.
pub async fn find_for_update(c: &impl GenericClient, booking_id: Uuid) -> Result<Option<Payment>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM booking_payments WHERE booking_id = $1 FOR UPDATE");
    let rows = c.query_typed(&sql, &[p(&booking_id)]).await?;
    rows.first().map(from_row).transpose()
}

/// What a Checkout request sends, fixed once per idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutPlan {
    pub attempt: i16,
    pub product_name: String,
    pub expires_at: DateTime<Utc>,
}

impl CheckoutPlan {
    /// The idempotency key of this plan.
    pub fn key(&self, booking_id: Uuid) -> String {
        if self.attempt == 0 { booking_id.to_string() } else { format!("{booking_id}:{}", self.attempt) }
    }
}

/// The plan of a deposit still without a session: the one already made, unless its
/// expiry is before `earliest` (too near for Stripe), when a new one (`name`, `expires_at`)
/// replaces it under the next key. `None` once the deposit is past `pending`.
pub async fn plan_checkout(
    c: &impl GenericClient,
    booking_id: Uuid,
    name: &str,
    expires_at: DateTime<Utc>,
    earliest: DateTime<Utc>,
) -> Result<Option<CheckoutPlan>, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE booking_payments SET
                checkout_attempt = CASE WHEN expires_at IS NOT NULL AND expires_at < $4 THEN checkout_attempt + 1
                                        ELSE checkout_attempt END,
                product_name = CASE WHEN expires_at IS NULL OR expires_at < $4 THEN $2 ELSE product_name END,
                expires_at = CASE WHEN expires_at IS NULL OR expires_at < $4 THEN $3 ELSE expires_at END
             WHERE booking_id = $1 AND status = 'pending'
             RETURNING checkout_attempt, product_name, expires_at",
            &[p(&booking_id), p(&name), p(&expires_at), p(&earliest)],
        )
        .await?;
    rows.first()
        .map(|r| {
            Ok(CheckoutPlan {
                attempt: get(r, "checkout_attempt")?,
                product_name: get::<Option<String>>(r, "product_name")?.unwrap_or_default(),
                expires_at: get::<Option<DateTime<Utc>>>(r, "expires_at")?.unwrap_or(expires_at),
            })
        })
        .transpose()
}

/// Keeps a held booking's slot until `until` (a Checkout Session's expiry and a grace,
/// so no card payment can complete after the hold ends); `false` when the booking no
/// longer holds it (released meanwhile). Locks the booking.
pub async fn extend_hold(
    c: &impl GenericClient,
    booking_id: Uuid,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE bookings SET hold_until = greatest(hold_until, $2), updated_at = now()
             WHERE id = $1 AND status = 'pending_payment' AND hold_until > $3 RETURNING hold_until",
            &[p(&booking_id), p(&until), p(&now)],
        )
        .await?;
    rows.first().map(|r| get(r, "hold_until")).transpose()
}

/// Deposits whose refund was marked but has not happened by `before` (its job was lost
/// or Stripe kept failing): their bookings, for the schedule to queue again.
pub async fn stuck_refunds(
    c: &impl GenericClient,
    before: DateTime<Utc>,
    requeued_before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Uuid>, StoreError> {
    let rows = c
        .query_typed(
            "SELECT booking_id FROM booking_payments WHERE status = 'refunding' AND updated_at < $1
               AND (requeued_at IS NULL OR requeued_at < $2)
             ORDER BY updated_at LIMIT $3",
            &[p(&before), p(&requeued_before), p(&limit)],
        )
        .await?;
    rows.iter().map(|r| get(r, "booking_id")).collect()
}

/// Notes that the sweep queued these deposits' jobs again at `at`.
pub async fn mark_requeued(c: &impl GenericClient, booking_ids: &[Uuid], at: DateTime<Utc>) -> Result<(), StoreError> {
    c.query_typed(
        "UPDATE booking_payments SET requeued_at = $2 WHERE booking_id = ANY($1)",
        &[p(&booking_ids.to_vec()), p(&at)],
    )
    .await?;
    Ok(())
}

/// Takes the session a payment came through as the deposit's own (a session made under
/// an earlier key, paid before its successor was).
pub async fn adopt_session(c: &impl GenericClient, booking_id: Uuid, session_id: &str) -> Result<(), StoreError> {
    c.query_typed(
        "UPDATE booking_payments SET checkout_session_id = $2, updated_at = now() WHERE booking_id = $1",
        &[p(&booking_id), p(&session_id)],
    )
    .await?;
    Ok(())
}

/// The Checkout Session Stripe made for the deposit (once: a session already recorded stays).
pub async fn set_checkout(
    c: &impl GenericClient,
    booking_id: Uuid,
    session_id: &str,
    url: &str,
    expires_at: DateTime<Utc>,
) -> Result<Option<Payment>, StoreError> {
    let sql = format!(
        "UPDATE booking_payments SET checkout_session_id = $2, checkout_url = $3, expires_at = $4, status = 'open',
                updated_at = now()
         WHERE booking_id = $1 AND status = 'pending' RETURNING {COLUMNS}"
    );
    let rows = c.query_typed(&sql, &[p(&booking_id), p(&session_id), p(&url), p(&expires_at)]).await?;
    rows.first().map(from_row).transpose()
}

/// Moves the deposit to `status`, with what Stripe said about it.
pub async fn set_status(
    c: &impl GenericClient,
    booking_id: Uuid,
    status: PaymentStatus,
    payment_intent: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Payment, StoreError> {
    let sql = format!(
        "UPDATE booking_payments SET status = $2, payment_intent = coalesce($3, payment_intent),
                paid_at = CASE WHEN $2 = 'paid' THEN coalesce(paid_at, $4) ELSE paid_at END, updated_at = now()
         WHERE booking_id = $1 RETURNING {COLUMNS}"
    );
    let rows = c.query_typed(&sql, &[p(&booking_id), p(&status.as_str()), p(&payment_intent), p(&now)]).await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("payment"))?
}

/// Records the refund Stripe made.
pub async fn set_refunded(
    c: &impl GenericClient,
    booking_id: Uuid,
    refund_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    c.query_typed(
        "UPDATE booking_payments SET status = 'refunded', refund_id = $2, refunded_at = $3, updated_at = now()
         WHERE booking_id = $1",
        &[p(&booking_id), p(&refund_id), p(&now)],
    )
    .await?;
    Ok(())
}

/// Deposits made before `before` still waiting for their Checkout Session (Stripe was
/// down when they were made) whose booking is still held, oldest first.
pub async fn awaiting_checkout(
    c: &impl GenericClient,
    before: DateTime<Utc>,
    requeued_before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Uuid>, StoreError> {
    let rows = c
        .query_typed(
            "SELECT p.booking_id FROM booking_payments p JOIN bookings b ON b.id = p.booking_id
             WHERE p.status = 'pending' AND p.created_at < $1 AND b.status = 'pending_payment'
               AND b.hold_until > $1 AND (p.requeued_at IS NULL OR p.requeued_at < $2)
             ORDER BY p.created_at LIMIT $3",
            &[p(&before), p(&requeued_before), p(&limit)],
        )
        .await?;
    rows.iter().map(|r| get(r, "booking_id")).collect()
}

/// Notes a Stripe event as handled; false when it already was (a redelivery). Called in
/// the transaction of the event's effect, so the two commit together; a concurrent
/// delivery of the same event waits here for the first and then sees it.
pub async fn first_delivery(c: &impl GenericClient, event_id: &str, event_type: &str) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "INSERT INTO stripe_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id",
            &[p(&event_id), p(&event_type)],
        )
        .await?;
    Ok(!rows.is_empty())
}
