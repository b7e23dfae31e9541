//! Suppressions by channel and address (E.164 phone, normalised e-mail), beside opt-outs:
//! an opt-out is the person's wish, a suppression the provider's word that the address
//! cannot receive. Addresses are passed in the form customers store them, as for opt-outs.

use tokio_postgres::{GenericClient, Row};

use super::StoreError;
use super::sql::{get, p, parse_req};
use crate::domain::suppression::{NewSuppression, Suppression, SuppressionReason};
use crate::domain::{Channel, Customer, Email, Phone};

const COLUMNS: &str = "channel, address, reason, provider_event_id, detail, customer_id, occurred_at, created_at";

fn from_row(row: &Row) -> Result<Suppression, StoreError> {
    Ok(Suppression {
        channel: parse_req(row, "channel", str::parse::<Channel>)?,
        address: get(row, "address")?,
        reason: parse_req(row, "reason", str::parse::<SuppressionReason>)?,
        provider_event_id: get(row, "provider_event_id")?,
        detail: get(row, "detail")?,
        customer_id: get(row, "customer_id")?,
        occurred_at: get(row, "occurred_at")?,
        created_at: get(row, "created_at")?,
    })
}

/// Suppresses the address; returns false when it was already suppressed (by this event,
/// redelivered, or an earlier one: the first reason is kept).
pub async fn add(c: &impl GenericClient, s: &NewSuppression) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "INSERT INTO suppressions (channel, address, reason, provider_event_id, detail, customer_id, occurred_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (channel, address) DO NOTHING RETURNING address",
            &[
                p(&s.address.channel().as_str()),
                p(&s.address.as_str()),
                p(&s.reason.as_str()),
                p(&s.provider_event_id),
                p(&s.detail),
                p(&s.customer_id),
                p(&s.occurred_at),
            ],
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Lifts the suppression (staff know the address works again); returns false when there was none.
pub async fn remove(c: &impl GenericClient, channel: Channel, address: &str) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "DELETE FROM suppressions WHERE channel = $1 AND address = $2 RETURNING address",
            &[p(&channel.as_str()), p(&address)],
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Whether nothing may be sent to `address` on `channel`.
pub async fn contains(c: &impl GenericClient, channel: Channel, address: &str) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "SELECT 1 FROM suppressions WHERE channel = $1 AND address = $2",
            &[p(&channel.as_str()), p(&address)],
        )
        .await?;
    Ok(!rows.is_empty())
}

/// The suppressions of the customer's current addresses (phone, then e-mail). A row of an
/// address the customer no longer has is not theirs to worry about.
pub async fn for_customer(c: &impl GenericClient, customer: &Customer) -> Result<Vec<Suppression>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM suppressions
         WHERE (channel = 'sms' AND address = $1) OR (channel = 'email' AND address = $2)
         ORDER BY channel DESC"
    );
    let phone = customer.phone.as_ref().map(Phone::as_str);
    let email = customer.email.as_ref().map(Email::as_str);
    c.query_typed(&sql, &[p(&phone), p(&email)]).await?.iter().map(from_row).collect()
}
