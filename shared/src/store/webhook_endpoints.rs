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

/// Every endpoint, Zapier's subscriptions included, newest first.
pub async fn list(c: &impl GenericClient) -> Result<Vec<WebhookEndpoint>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM webhook_endpoints ORDER BY created_at DESC, id");
    c.query_typed(&sql, &[]).await?.iter().map(from_row).collect()
}

fn actor_json(a: &Actor) -> serde_json::Value {
    serde_json::to_value(a).unwrap_or_default()
}

/// How many Zapier subscriptions `by` has made.
pub async fn count_subscriptions(c: &impl GenericClient, by: &Actor) -> Result<i64, StoreError> {
    let rows = c
        .query_typed(
            "SELECT count(*) AS n FROM webhook_endpoints WHERE source = 'zapier' AND created_by = $1",
            &[p(&actor_json(by))],
        )
        .await?;
    rows.first().map_or(Ok(0), |r| get(r, "n"))
}

/// Deletes a Zapier subscription `by` made.
pub async fn delete_subscription(c: &impl GenericClient, id: Uuid, by: &Actor) -> Result<(), StoreError> {
    let rows = c
        .query_typed(
            "DELETE FROM webhook_endpoints WHERE id = $1 AND source = 'zapier' AND created_by = $2 RETURNING id",
            &[p(&id), p(&actor_json(by))],
        )
        .await?;
    if rows.is_empty() { Err(StoreError::NotFound("subscription")) } else { Ok(()) }
}

/// Deletes every Zapier subscription `by` made (its key was revoked, its user removed).
pub async fn delete_subscriptions_of(c: &impl GenericClient, by: &Actor) -> Result<u64, StoreError> {
    let rows = c
        .query_typed(
            "DELETE FROM webhook_endpoints WHERE source = 'zapier' AND created_by = $1 RETURNING id",
            &[p(&actor_json(by))],
        )
        .await?;
    Ok(rows.len() as u64)
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
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    let rows =
        c.query_typed(&sql, &[p(&id), p(&ch.url), p(&ch.description), p(&ch.event_types), p(&ch.enabled)]).await?;
    one(&rows)
}

/// Deletes an endpoint; its deliveries go with it. `false` if there was none.
pub async fn delete(c: &impl GenericClient, id: Uuid) -> Result<bool, StoreError> {
    let rows = c.query_typed("DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id", &[p(&id)]).await?;
    Ok(!rows.is_empty())
}

/// Makes `secret` the signing secret; the one it replaces keeps signing until
/// `overlap_until`. `None` while an earlier rotation's overlap lasts (a second rotation
/// would end the oldest secret at once, breaking receivers mid-switch).
pub async fn rotate_secret(
    c: &impl GenericClient,
    id: Uuid,
    secret: &str,
    now: DateTime<Utc>,
    overlap_until: DateTime<Utc>,
) -> Result<Option<WebhookEndpoint>, StoreError> {
    let sql = format!(
        "UPDATE webhook_endpoints SET previous_secret = secret, previous_expires_at = $4, secret = $2, updated_at = $3
         WHERE id = $1 AND (previous_expires_at IS NULL OR previous_expires_at <= $3) RETURNING {COLUMNS}"
    );
    let rows = c.query_typed(&sql, &[p(&id), p(&secret), p(&now), p(&overlap_until)]).await?;
    if let Some(row) = rows.first() {
        return from_row(row).map(Some);
    }
    get_one(c, id).await.map(|_| None)
}

/// Forgets rotated-out secrets whose overlap has ended.
pub async fn clear_expired_secrets(c: &impl GenericClient, now: DateTime<Utc>) -> Result<(), StoreError> {
    c.query_typed(
        "UPDATE webhook_endpoints SET previous_secret = NULL, previous_expires_at = NULL WHERE previous_expires_at <= $1",
        &[p(&now)],
    )
    .await?;
    Ok(())
}
