//! The history of a lead's qualifications.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::StoreError;
use super::sql::{get, p, parse_req};
use crate::domain::Priority;
use crate::domain::qualification::Qualification;

/// A qualification as stored (JSON parts kept as written).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredQualification {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub score: i16,
    pub priority: Priority,
    pub breakdown: serde_json::Value,
    pub missing: serde_json::Value,
    pub recommendations: serde_json::Value,
    pub trigger: String,
    pub message_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, lead_id, score, priority, breakdown, missing, recommendations, trigger, message_id, created_at";

fn from_row(row: &Row) -> Result<StoredQualification, StoreError> {
    Ok(StoredQualification {
        id: get(row, "id")?,
        lead_id: get(row, "lead_id")?,
        score: get(row, "score")?,
        priority: parse_req(row, "priority", str::parse)?,
        breakdown: get(row, "breakdown")?,
        missing: get(row, "missing")?,
        recommendations: get(row, "recommendations")?,
        trigger: get(row, "trigger")?,
        message_id: get(row, "message_id")?,
        created_at: get(row, "created_at")?,
    })
}

pub async fn insert(
    c: &impl GenericClient,
    lead_id: Uuid,
    q: &Qualification,
    trigger: &str,
    message_id: Option<Uuid>,
) -> Result<StoredQualification, StoreError> {
    let json = |v: serde_json::Result<serde_json::Value>| v.map_err(|e| StoreError::Corrupt(e.to_string()));
    let sql = format!(
        "INSERT INTO lead_qualifications (id, lead_id, score, priority, breakdown, missing, recommendations, trigger, message_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    );
    let rows = c
        .query_typed(
            &sql,
            &[
                p(&Uuid::now_v7()),
                p(&lead_id),
                p(&i16::from(q.score.value())),
                p(&q.priority.as_str()),
                p(&json(serde_json::to_value(&q.breakdown))?),
                p(&json(serde_json::to_value(&q.missing))?),
                p(&json(serde_json::to_value(&q.recommendations))?),
                p(&trigger),
                p(&message_id),
            ],
        )
        .await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("qualification"))?
}

pub async fn latest(c: &impl GenericClient, lead_id: Uuid) -> Result<Option<StoredQualification>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM lead_qualifications WHERE lead_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1"
    );
    c.query_typed(&sql, &[p(&lead_id)]).await?.first().map(from_row).transpose()
}

pub async fn history(
    c: &impl GenericClient,
    lead_id: Uuid,
    limit: i64,
) -> Result<Vec<StoredQualification>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM lead_qualifications WHERE lead_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    c.query_typed(&sql, &[p(&lead_id), p(&limit)]).await?.iter().map(from_row).collect()
}
