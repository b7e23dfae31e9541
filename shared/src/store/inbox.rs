//! The staff inbox: conversations with their customer and lead, needs-human first, then
//! latest activity; and each reader's read marks. Messages themselves are in MongoDB.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::sql::{Sql, get, p, parse_opt};
use super::{Page, PageRequest, Scope, StoreError};
use crate::domain::{Channel, HandoffReason, LeadStatus};

#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub needs_human: Option<bool>,
    /// The channel the conversation last moved on.
    pub channel: Option<Channel>,
}

/// The lead a conversation row shows: the open one, else the latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxLead {
    pub id: Uuid,
    pub status: LeadStatus,
    pub needs_human: bool,
    pub handoff_reason: Option<HandoffReason>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRow {
    pub customer_id: Uuid,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub lead: Option<InboxLead>,
    pub needs_human: bool,
    pub last_activity_at: DateTime<Utc>,
    /// Only a pause still running.
    pub ai_paused_until: Option<DateTime<Utc>>,
    /// The reader's read mark, if they have one.
    pub read_at: Option<DateTime<Utc>>,
}

fn from_row(r: &Row) -> Result<InboxRow, StoreError> {
    let lead_id: Option<Uuid> = get(r, "lead_id")?;
    let lead = match (lead_id, parse_opt(r, "lead_status", str::parse::<LeadStatus>)?) {
        (Some(id), Some(status)) => Some(InboxLead {
            id,
            status,
            needs_human: get(r, "needs_human")?,
            handoff_reason: parse_opt(r, "handoff_reason", str::parse::<HandoffReason>)?,
        }),
        (None, _) | (Some(_), None) => None,
    };
    Ok(InboxRow {
        customer_id: get(r, "customer_id")?,
        name: get(r, "name")?,
        email: get(r, "email")?,
        phone: get(r, "phone")?,
        lead,
        needs_human: get(r, "needs_human")?,
        last_activity_at: get(r, "last_activity_at")?,
        ai_paused_until: get(r, "ai_paused_until")?,
        read_at: get(r, "read_at")?,
    })
}

/// One page of conversations as `reader` sees them (their read marks).
pub async fn page(
    c: &impl GenericClient,
    reader: &str,
    f: &InboxFilter,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> Result<Page<InboxRow>, StoreError> {
    let scope = Scope::of("conversations", f);
    let mut sql = Sql::new(
        "SELECT * FROM (
           SELECT c.customer_id, cu.name, cu.email, cu.phone,
                  l.id AS lead_id, l.status AS lead_status, coalesce(l.needs_human, false) AS needs_human,
                  l.handoff_reason, greatest(c.last_inbound_at, c.last_outbound_at) AS last_activity_at,
                  CASE WHEN c.ai_paused_until > ",
    );
    sql.bind(now).push(
        " THEN c.ai_paused_until END AS ai_paused_until, r.read_at
           FROM conversations c
           JOIN customers cu ON cu.id = c.customer_id
           LEFT JOIN LATERAL (
               SELECT id, status, needs_human, handoff_reason FROM leads
               WHERE leads.customer_id = c.customer_id
               ORDER BY status IN ('new', 'contacted', 'qualified') DESC, created_at DESC, id DESC LIMIT 1
           ) l ON true
           LEFT JOIN conversation_reads r ON r.customer_id = c.customer_id AND r.reader = ",
    );
    sql.bind(reader.to_owned()).push(" WHERE greatest(c.last_inbound_at, c.last_outbound_at) IS NOT NULL");
    sql.and("c.last_channel", "=", f.channel.map(Channel::as_str));
    sql.push(") inbox WHERE true");
    sql.and("needs_human", "=", f.needs_human);
    if let Some((needs_human, at, id)) =
        page.after::<(bool, DateTime<Utc>, Uuid)>(&scope).map_err(|_| StoreError::InvalidCursor)?
    {
        sql.push(" AND (needs_human, last_activity_at, customer_id) < (")
            .bind(needs_human)
            .push(", ")
            .bind(at)
            .push(", ")
            .bind(id)
            .push(")");
    }
    sql.push(" ORDER BY needs_human DESC, last_activity_at DESC, customer_id DESC LIMIT ").bind(page.fetch());
    let rows = sql.query(c).await?.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_fetched(rows, page, &scope, |r| (r.needs_human, r.last_activity_at, r.customer_id)))
}

/// Moves `reader`'s read mark of the customer's conversation to `at` (never back).
/// False when there is no such customer.
pub async fn mark_read(
    c: &impl GenericClient,
    customer_id: Uuid,
    reader: &str,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "INSERT INTO conversation_reads (customer_id, reader, read_at)
             SELECT id, $2, $3 FROM customers WHERE id = $1
             ON CONFLICT (customer_id, reader)
             DO UPDATE SET read_at = greatest(conversation_reads.read_at, excluded.read_at)
             RETURNING customer_id",
            &[p(&customer_id), p(&reader), p(&at)],
        )
        .await?;
    Ok(!rows.is_empty())
}
