//! Leads. `leads_one_open_per_customer` keeps a customer to one open lead at a time.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::sql::{Sql, get, p, parse_opt, parse_req};
use super::{Page, PageRequest, Scope, StoreError};
use crate::domain::analysis::HandoffReason;
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Channel, Lead, LeadStatus, NewLead, Priority, Score};

pub(crate) const COLUMNS: &str = "id, customer_id, status, quality_score, priority, requirements, timeline, budget, \
     assigned_to, source_channel, salesforce_id, last_inbound_at, needs_human, handoff_reason, created_at, updated_at";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeadSort {
    /// Newest first.
    #[default]
    Recent,
    /// Highest score first, newest first among equals.
    Score,
}

#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub status: Option<LeadStatus>,
    pub priority: Option<Priority>,
    pub assigned_to: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub min_score: Option<Score>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub sort: LeadSort,
}

pub(crate) fn from_row(row: &Row) -> Result<Lead, StoreError> {
    let score: i16 = get(row, "quality_score")?;
    Ok(Lead {
        id: get(row, "id")?,
        customer_id: get(row, "customer_id")?,
        status: parse_req(row, "status", str::parse)?,
        quality_score: Score::new(i64::from(score)).map_err(|e| StoreError::Corrupt(e.0))?,
        priority: parse_req(row, "priority", str::parse)?,
        requirements: parse_opt(row, "requirements", LongText::parse)?,
        timeline: parse_opt(row, "timeline", ShortText::parse)?,
        budget: parse_opt(row, "budget", ShortText::parse)?,
        assigned_to: get(row, "assigned_to")?,
        source_channel: parse_opt(row, "source_channel", str::parse::<Channel>)?,
        salesforce_id: get(row, "salesforce_id")?,
        last_inbound_at: get(row, "last_inbound_at")?,
        needs_human: get(row, "needs_human")?,
        handoff_reason: parse_opt(row, "handoff_reason", str::parse::<HandoffReason>)?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

fn one(rows: Vec<Row>) -> Result<Lead, StoreError> {
    rows.first().map(from_row).ok_or(StoreError::NotFound("lead"))?
}

pub async fn insert(c: &impl GenericClient, new: &NewLead) -> Result<Lead, StoreError> {
    let sql = format!(
        "INSERT INTO leads (id, customer_id, status, requirements, timeline, budget, assigned_to, source_channel)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    );
    let rows = c
        .query_typed(
            &sql,
            &[
                p(&Uuid::now_v7()),
                p(&new.customer_id),
                p(&new.status.as_str()),
                p(&new.requirements.as_ref().map(super::super::domain::text::Text::as_str)),
                p(&new.timeline.as_ref().map(super::super::domain::text::Text::as_str)),
                p(&new.budget.as_ref().map(super::super::domain::text::Text::as_str)),
                p(&new.assigned_to),
                p(&new.source_channel.map(Channel::as_str)),
            ],
        )
        .await?;
    one(rows)
}

pub async fn get_by_id(c: &impl GenericClient, id: Uuid) -> Result<Lead, StoreError> {
    one(c.query_typed(&format!("SELECT {COLUMNS} FROM leads WHERE id = $1"), &[p(&id)]).await?)
}

pub async fn get_for_update(c: &impl GenericClient, id: Uuid) -> Result<Lead, StoreError> {
    one(c.query_typed(&format!("SELECT {COLUMNS} FROM leads WHERE id = $1 FOR UPDATE"), &[p(&id)]).await?)
}

/// The customer's open lead, if any.
pub async fn open_for_customer(c: &impl GenericClient, customer_id: Uuid) -> Result<Option<Lead>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM leads WHERE customer_id = $1 AND status IN ('new', 'contacted', 'qualified')");
    c.query_typed(&sql, &[p(&customer_id)]).await?.first().map(from_row).transpose()
}

/// The customer's open lead, created (as `new`, from `channel`) when there is none.
/// Safe under concurrency: a lead created by someone else meanwhile is returned.
pub async fn ensure_open(
    c: &impl GenericClient,
    customer_id: Uuid,
    channel: Channel,
) -> Result<(Lead, bool), StoreError> {
    let sql = format!(
        "INSERT INTO leads (id, customer_id, status, source_channel) VALUES ($1, $2, 'new', $3)
         ON CONFLICT (customer_id) WHERE status IN ('new', 'contacted', 'qualified') DO NOTHING
         RETURNING {COLUMNS}"
    );
    let rows = c.query_typed(&sql, &[p(&Uuid::now_v7()), p(&customer_id), p(&channel.as_str())]).await?;
    if let Some(row) = rows.first() {
        return Ok((from_row(row)?, true));
    }
    let existing = open_for_customer(c, customer_id).await?.ok_or(StoreError::NotFound("lead"))?;
    Ok((existing, false))
}

/// Notes an inbound message on the lead.
pub async fn touch_inbound(c: &impl GenericClient, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
    c.query_typed(
        "UPDATE leads SET last_inbound_at = greatest(last_inbound_at, $2), updated_at = now() WHERE id = $1",
        &[p(&id), p(&at)],
    )
    .await?;
    Ok(())
}

/// Writes every editable column of `lead` (read, changed in the domain, written back).
pub async fn save(c: &impl GenericClient, lead: &Lead) -> Result<Lead, StoreError> {
    let sql = format!(
        "UPDATE leads SET status = $2, quality_score = $3, priority = $4, requirements = $5, timeline = $6,
                budget = $7, assigned_to = $8, salesforce_id = $9, last_inbound_at = $10, needs_human = $11,
                handoff_reason = $12,
                closed_at = CASE WHEN $2 IN ('won', 'lost') THEN coalesce(closed_at, now()) ELSE NULL END,
                updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    let rows = c
        .query_typed(
            &sql,
            &[
                p(&lead.id),
                p(&lead.status.as_str()),
                p(&i16::from(lead.quality_score.value())),
                p(&lead.priority.as_str()),
                p(&lead.requirements.as_ref().map(super::super::domain::text::Text::as_str)),
                p(&lead.timeline.as_ref().map(super::super::domain::text::Text::as_str)),
                p(&lead.budget.as_ref().map(super::super::domain::text::Text::as_str)),
                p(&lead.assigned_to),
                p(&lead.salesforce_id),
                p(&lead.last_inbound_at),
                p(&lead.needs_human),
                p(&lead.handoff_reason.map(HandoffReason::as_str)),
            ],
        )
        .await?;
    one(rows)
}

pub async fn list(c: &impl GenericClient, f: &LeadFilter, page: &PageRequest) -> Result<Page<Lead>, StoreError> {
    let scope = Scope::of("leads", f);
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM leads WHERE true"));
    sql.and("status", "=", f.status.map(super::super::domain::lead::LeadStatus::as_str))
        .and("priority", "=", f.priority.map(super::super::domain::lead::Priority::as_str))
        .and("assigned_to", "=", f.assigned_to)
        .and("customer_id", "=", f.customer_id)
        .and("quality_score", ">=", f.min_score.map(|s| i16::from(s.value())))
        .and("created_at", ">=", f.created_after)
        .and("created_at", "<", f.created_before);
    match f.sort {
        LeadSort::Recent => {
            if let Some((at, id)) =
                page.after::<(DateTime<Utc>, Uuid)>(&scope).map_err(|_| StoreError::InvalidCursor)?
            {
                sql.push(" AND (created_at, id) < (").bind(at).push(", ").bind(id).push(")");
            }
            sql.push(" ORDER BY created_at DESC, id DESC LIMIT ").bind(page.fetch());
        }
        LeadSort::Score => {
            if let Some((score, at, id)) =
                page.after::<(i16, DateTime<Utc>, Uuid)>(&scope).map_err(|_| StoreError::InvalidCursor)?
            {
                sql.push(" AND (quality_score, created_at, id) < (")
                    .bind(score)
                    .push(", ")
                    .bind(at)
                    .push(", ")
                    .bind(id)
                    .push(")");
            }
            sql.push(" ORDER BY quality_score DESC, created_at DESC, id DESC LIMIT ").bind(page.fetch());
        }
    }
    let items = sql.query(c).await?.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    Ok(match f.sort {
        LeadSort::Recent => Page::from_fetched(items, page, &scope, |l| serde_json::json!([l.created_at, l.id])),
        LeadSort::Score => Page::from_fetched(items, page, &scope, |l| {
            serde_json::json!([i16::from(l.quality_score.value()), l.created_at, l.id])
        }),
    })
}

/// Records the lead's Salesforce id (without touching `updated_at`: not a change of the lead).
pub async fn set_salesforce_id(c: &impl GenericClient, id: Uuid, salesforce_id: &str) -> Result<(), StoreError> {
    let rows = c
        .query_typed("UPDATE leads SET salesforce_id = $2 WHERE id = $1 RETURNING id", &[p(&id), p(&salesforce_id)])
        .await?;
    if rows.is_empty() { Err(StoreError::NotFound("lead")) } else { Ok(()) }
}

/// Open leads per agent, for least-loaded assignment.
pub async fn open_counts(c: &impl GenericClient, agents: &[Uuid]) -> Result<Vec<(Uuid, i64)>, StoreError> {
    let rows = c
        .query_typed(
            "SELECT a AS agent, count(l.id) AS open
             FROM unnest($1::uuid[]) AS a
             LEFT JOIN leads l ON l.assigned_to = a AND l.status IN ('new', 'contacted', 'qualified')
             GROUP BY a",
            &[p(&agents.to_vec())],
        )
        .await?;
    rows.iter().map(|r| Ok((get(r, "agent")?, get(r, "open")?))).collect()
}

/// Flags the lead for a person (with why), or clears the flag; touches nothing else.
pub async fn set_handoff(c: &impl GenericClient, id: Uuid, reason: Option<HandoffReason>) -> Result<(), StoreError> {
    c.query_typed(
        "UPDATE leads SET needs_human = $2, handoff_reason = $3, updated_at = now()
         WHERE id = $1 AND (needs_human IS DISTINCT FROM $2 OR handoff_reason IS DISTINCT FROM $3)",
        &[p(&id), p(&reason.is_some()), p(&reason.map(HandoffReason::as_str))],
    )
    .await?;
    Ok(())
}

/// Moves a `new` lead to `contacted`; false when it was not new (nothing changed).
pub async fn mark_contacted(c: &impl GenericClient, id: Uuid) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE leads SET status = 'contacted', updated_at = now() WHERE id = $1 AND status = 'new' RETURNING id",
            &[p(&id)],
        )
        .await?;
    Ok(!rows.is_empty())
}
