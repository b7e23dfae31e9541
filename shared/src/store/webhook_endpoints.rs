//! Webhook endpoints and Zapier subscriptions. The secret is read only to sign.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::StoreError;
use super::sql::{get, p, parse_req};
use crate::domain::access::Actor;
use crate::domain::webhook::{EventFilter, NewWebhookEndpoint, WebhookEndpoint, WebhookSource};

const COLUMNS: &str = "id, url, description, event_types, source, enabled, disabled_reason, failing_since, \
                       previous_expires_at, created_by, created_at, updated_at";

fn from_row(row: &Row) -> Result<WebhookEndpoint, StoreError> {
    let created_by: Option<serde_json::Value> = get(row, "created_by")?;
    Ok(WebhookEndpoint {
        id: get(row, "id")?,
        url: get(row, "url")?,
        description: get(row, "description")?,
        event_types: EventFilter::stored(get(row, "event_types")?),
        source: parse_req(row, "source", str::parse::<WebhookSource>)?,
        enabled: get(row, "enabled")?,
        disabled_reason: get(row, "disabled_reason")?,
        failing_since: get(row, "failing_since")?,
        previous_secret_expires_at: get(row, "previous_expires_at")?,
        created_by: created_by
            .map(serde_json::from_value::<Actor>)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("webhook_endpoints.created_by: {e}")))?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

fn one(rows: &[Row]) -> Result<WebhookEndpoint, StoreError> {
    rows.first().map(from_row).ok_or(StoreError::NotFound("webhook endpoint"))?
}

pub async fn insert(
    c: &impl GenericClient,
    e: &NewWebhookEndpoint,
    secret: &str,
) -> Result<WebhookEndpoint, StoreError> {
    let sql = format!(
        "INSERT INTO webhook_endpoints (id, url, description, event_types, source, secret, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    let types = e.event_types.types().to_vec();
    let created_by = e.created_by.as_ref().map(|a| serde_json::to_value(a).unwrap_or_default());
    let rows = c
        .query_typed(
            &sql,
            &[
                p(&Uuid::now_v7()),
                p(&e.url.as_str()),
                p(&e.description.as_str()),
                p(&types),
                p(&e.source.as_str()),
                p(&secret),
                p(&created_by),
            ],
        )
        .await?;
    one(&rows)
}

pub async fn get_one(c: &impl GenericClient, id: Uuid) -> Result<WebhookEndpoint, StoreError> {
    one(&c.query_typed(&format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE id = $1"), &[p(&id)]).await?)
}

/// Endpoints of one source, newest first.
pub async fn list(c: &impl GenericClient, source: WebhookSource) -> Result<Vec<WebhookEndpoint>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE source = $1 ORDER BY created_at DESC, id");
    c.query_typed(&sql, &[p(&source.as_str())]).await?.iter().map(from_row).collect()
}

/// What an admin may change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct Changes<'a> {
    pub url: Option<&'a str>,
    pub description: Option<&'a str>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// Applies changes; enabling clears the reason it was disabled and its failure streak.
pub async fn update(c: &impl GenericClient, id: Uuid, ch: &Changes<'_>) -> Result<WebhookEndpoint, StoreError> {
    let sql = format!(
        "UPDATE webhook_endpoints SET
            url = COALESCE($2, url),
            description = COALESCE($3, description),
            event_types = COALESCE($4, event_types),
            enabled = COALESCE($5, enabled),
            disabled_reason = CASE WHEN $5 IS NULL THEN disabled_reason WHEN $5 THEN NULL ELSE 'admin' END,
            failing_since = CASE WHEN $5 THEN NULL ELSE failing_since END,
            updated_at = now()
         WHERE id = $1 AND source = 'admin' RETURNING {COLUMNS}"
    );
    let rows =
        c.query_typed(&sql, &[p(&id), p(&ch.url), p(&ch.description), p(&ch.event_types), p(&ch.enabled)]).await?;
    one(&rows)
}

/// Deletes an endpoint of `source`; its deliveries go with it.
pub async fn delete(c: &impl GenericClient, id: Uuid, source: WebhookSource) -> Result<(), StoreError> {
    let rows = c
        .query_typed(
            "DELETE FROM webhook_endpoints WHERE id = $1 AND source = $2 RETURNING id",
            &[p(&id), p(&source.as_str())],
        )
        .await?;
    if rows.is_empty() { Err(StoreError::NotFound("webhook endpoint")) } else { Ok(()) }
}

/// Makes `secret` the signing secret; the one it replaces keeps signing until `overlap_until`.
pub async fn rotate_secret(
    c: &impl GenericClient,
    id: Uuid,
    secret: &str,
    overlap_until: DateTime<Utc>,
) -> Result<WebhookEndpoint, StoreError> {
    let sql = format!(
        "UPDATE webhook_endpoints SET previous_secret = secret, previous_expires_at = $3, secret = $2, updated_at = now()
         WHERE id = $1 AND source = 'admin' RETURNING {COLUMNS}"
    );
    one(&c.query_typed(&sql, &[p(&id), p(&secret), p(&overlap_until)]).await?)
}
