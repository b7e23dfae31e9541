//! What the analytics rollups read from Postgres: leads by creation time with the stages
//! they reached (migration 0013), leads changed since the last refresh, and the two live
//! counts of the summary. Every statement goes through `query_typed` (see `store`).

use chrono::{DateTime, Utc};
use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::StoreError;
use super::sql::{get, p, parse_opt};
use crate::domain::Channel;
use crate::domain::analytics::LeadFacts;

/// Leads created in `[from, to)`, their messages not yet looked at (`first_inbound` and
/// `first_reply` unset).
pub async fn leads_created_between(
    c: &impl GenericClient,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<LeadFacts>, StoreError> {
    let rows = c
        .query_typed(
            "SELECT id, customer_id, source_channel, created_at,
                    contacted_at IS NOT NULL AS contacted, qualified_at IS NOT NULL AS qualified,
                    won_at IS NOT NULL AS won
             FROM leads WHERE created_at >= $1 AND created_at < $2",
            &[p(&from), p(&to)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(LeadFacts {
                id: get(r, "id")?,
                customer_id: get(r, "customer_id")?,
                source_channel: parse_opt(r, "source_channel", str::parse::<Channel>)?,
                created_at: get(r, "created_at")?,
                reached_contacted: get(r, "contacted")?,
                reached_qualified: get(r, "qualified")?,
                reached_won: get(r, "won")?,
                first_inbound: None,
                first_reply: None,
            })
        })
        .collect()
}

/// When each lead of these customers was created: a message to or from a customer may
/// be the first reply of any of their leads, whatever lead (if any) it names.
pub async fn created_at_of_customer_leads(
    c: &impl GenericClient,
    customer_ids: &[Uuid],
) -> Result<Vec<DateTime<Utc>>, StoreError> {
    let rows =
        c.query_typed("SELECT created_at FROM leads WHERE customer_id = ANY($1)", &[p(&customer_ids.to_vec())]).await?;
    rows.iter().map(|r| get(r, "created_at")).collect()
}

/// Creation times of the leads changed at or after `since` (status, handoff, a message).
pub async fn created_at_of_changed(
    c: &impl GenericClient,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, StoreError> {
    let rows = c.query_typed("SELECT DISTINCT created_at FROM leads WHERE updated_at >= $1", &[p(&since)]).await?;
    rows.iter().map(|r| get(r, "created_at")).collect()
}

/// The first lead's creation time, if any: where a full refresh starts, and before which
/// days hold nothing to count.
pub async fn first_lead_at(c: &impl GenericClient) -> Result<Option<DateTime<Utc>>, StoreError> {
    let row = c.query_typed("SELECT min(created_at) AS first FROM leads", &[]).await?;
    row.first().map_or(Ok(None), |r| get(r, "first"))
}

/// Open leads waiting for a person now.
pub async fn needs_human(c: &impl GenericClient) -> Result<u64, StoreError> {
    let rows = c
        .query_typed(
            "SELECT count(*) AS n FROM leads WHERE needs_human AND status IN ('new', 'contacted', 'qualified')",
            &[],
        )
        .await?;
    count(&rows)
}

/// Bookings starting in `[from, to)` that still stand: scheduled, confirmed, or held for
/// a deposit whose hold has not run out at `now`.
pub async fn live_bookings_between(
    c: &impl GenericClient,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let rows = c
        .query_typed(
            "SELECT count(*) AS n FROM bookings
             WHERE scheduled_time >= $1 AND scheduled_time < $2
               AND (status IN ('scheduled', 'confirmed') OR (status = 'pending_payment' AND hold_until > $3))",
            &[p(&from), p(&to), p(&now)],
        )
        .await?;
    count(&rows)
}

fn count(rows: &[tokio_postgres::Row]) -> Result<u64, StoreError> {
    let n: i64 = rows.first().map_or(Ok(0), |r| get(r, "n"))?;
    Ok(n.max(0) as u64)
}
