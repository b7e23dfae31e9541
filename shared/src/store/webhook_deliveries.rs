//! Webhook deliveries: made from the outbox in the relay's transaction, claimed by the
//! job that attempts one (a lease, so a duplicate job does nothing), and closed or
//! rescheduled with the attempt's record in one statement.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::sql::{get, p, parse_req};
use super::{Page, PageRequest, Scope, StoreError};
use crate::domain::EventEnvelope;
use crate::domain::webhook::{
    self, EventFilter, RETRY_DELAYS, WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookSource,
};

/// How long a job is believed to be on its way before the schedule queues another.
pub const QUEUED_GRACE: Duration = Duration::minutes(5);
/// How long an attempt may hold its delivery: the 15 s timeout and some.
pub const LEASE: Duration = Duration::seconds(60);

/// Creates a delivery for each enabled endpoint that takes each event, with the body
/// they will all be sent; returns the new deliveries. Call in the relay's transaction:
/// an event marked published has its deliveries.
pub async fn fan_out(
    c: &impl GenericClient,
    events: &[EventEnvelope],
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    let rows = c.query_typed("SELECT id, event_types FROM webhook_endpoints WHERE enabled", &[]).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let endpoints: Vec<(Uuid, EventFilter)> = rows
        .iter()
        .map(|r| Ok((get(r, "id")?, EventFilter::stored(get(r, "event_types")?))))
        .collect::<Result<_, StoreError>>()?;
    let (mut ids, mut types, mut bodies) = (Vec::new(), Vec::new(), Vec::new());
    let (mut delivery_ids, mut endpoint_ids, mut message_ids) = (Vec::new(), Vec::new(), Vec::new());
    for e in events {
        let takers: Vec<Uuid> =
            endpoints.iter().filter(|(_, f)| f.accepts(e.detail_type())).map(|(id, _)| *id).collect();
        if takers.is_empty() {
            continue;
        }
        ids.push(e.id);
        types.push(e.detail_type().to_owned());
        bodies.push(webhook::body(e));
        for endpoint in takers {
            delivery_ids.push(Uuid::now_v7());
            endpoint_ids.push(endpoint);
            message_ids.push(e.id);
        }
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    c.query_typed(
        "INSERT INTO webhook_messages (id, event_type, body, created_at)
         SELECT id, t, b, $4 FROM unnest($1::uuid[], $2::text[], $3::text[]) AS m(id, t, b)
         ON CONFLICT (id) DO NOTHING",
        &[p(&ids), p(&types), p(&bodies), p(&now)],
    )
    .await?;
    let retries = i16::try_from(RETRY_DELAYS.len()).unwrap_or(i16::MAX);
    let rows = c
        .query_typed(
            "INSERT INTO webhook_deliveries (id, endpoint_id, message_id, retries_left, next_attempt_at, queued_until, created_at)
             SELECT x.d, x.e, x.m, $4, $5, $6, $5 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS x(d, e, m)
             -- An endpoint deleted since it was read is skipped, not a failed batch.
             JOIN webhook_endpoints w ON w.id = x.e AND w.enabled FOR KEY SHARE OF w
             ON CONFLICT ON CONSTRAINT webhook_deliveries_once_key DO NOTHING RETURNING id",
            &[p(&delivery_ids), p(&endpoint_ids), p(&message_ids), p(&retries), p(&now), p(&(now + QUEUED_GRACE))],
        )
        .await?;
    rows.iter().map(|r| get(r, "id")).collect()
}

/// A delivery held for one attempt, with what the attempt needs. Not `Debug`: it holds
/// the signing secrets.
#[derive(Clone)]
pub struct Claimed {
    pub id: Uuid,
    pub retries_left: u16,
    pub endpoint_id: Uuid,
    pub endpoint_enabled: bool,
    pub source: WebhookSource,
    pub url: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_expires_at: Option<DateTime<Utc>>,
    pub message_id: Uuid,
    pub body: String,
}

/// Takes the lease of a delivery that is due and not held; `None` if it is not (done,
/// not due yet, or another job has it).
pub async fn claim(c: &impl GenericClient, id: Uuid, now: DateTime<Utc>) -> Result<Option<Claimed>, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE webhook_deliveries d SET lease_until = $3, attempts = d.attempts + 1
             FROM webhook_endpoints e, webhook_messages m
             WHERE d.id = $1 AND e.id = d.endpoint_id AND m.id = d.message_id
               AND d.status = 'pending' AND d.next_attempt_at <= $2 AND (d.lease_until IS NULL OR d.lease_until < $2)
             RETURNING d.id, d.retries_left, e.id AS endpoint_id, e.enabled, e.source, e.url, e.secret,
                       e.previous_secret, e.previous_expires_at, m.id AS message_id, m.body",
            &[p(&id), p(&now), p(&(now + LEASE))],
        )
        .await?;
    rows.first()
        .map(|r| {
            Ok(Claimed {
                id: get(r, "id")?,
                retries_left: u16::try_from(get::<i16>(r, "retries_left")?).unwrap_or(0),
                endpoint_id: get(r, "endpoint_id")?,
                endpoint_enabled: get(r, "enabled")?,
                source: parse_req(r, "source", str::parse::<WebhookSource>)?,
                url: get(r, "url")?,
                secret: get(r, "secret")?,
                previous_secret: get(r, "previous_secret")?,
                previous_expires_at: get(r, "previous_expires_at")?,
                message_id: get(r, "message_id")?,
                body: get(r, "body")?,
            })
        })
        .transpose()
}

/// Where a delivery goes after an attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Next {
    Succeeded,
    /// Try again at `at`; `queued` when a delayed job was queued for it.
    Retry {
        at: DateTime<Utc>,
        queued: bool,
    },
    Failed,
    Cancelled,
}

/// Records an attempt and moves the delivery on, releasing its lease; a success also
/// ends its endpoint's failure streak (one statement: the common case is one round trip).
pub async fn record(c: &impl GenericClient, id: Uuid, a: &WebhookAttempt, next: Next) -> Result<(), StoreError> {
    let (status, next_at, queued_until) = match next {
        Next::Succeeded => (WebhookDeliveryStatus::Succeeded, None, None),
        Next::Failed => (WebhookDeliveryStatus::Failed, None, None),
        Next::Cancelled => (WebhookDeliveryStatus::Cancelled, None, None),
        Next::Retry { at, queued } => (WebhookDeliveryStatus::Pending, Some(at), queued.then_some(at + QUEUED_GRACE)),
    };
    let code = a.status_code.map(|s| i16::try_from(s).unwrap_or(i16::MAX));
    let latency = i32::try_from(a.latency_ms).unwrap_or(i32::MAX);
    c.query_typed(
        "WITH attempt AS (
            INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, response_body, error)
            VALUES ($1, $2, $3, $4, $5, $6)),
         healthy AS (
            UPDATE webhook_endpoints SET failing_since = NULL
            WHERE $7 = 'succeeded' AND failing_since IS NOT NULL
              AND id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = $1))
         UPDATE webhook_deliveries SET status = $7, next_attempt_at = $8, queued_until = $9, lease_until = NULL,
            retries_left = CASE WHEN $7 = 'pending' THEN greatest(retries_left - 1, 0) ELSE retries_left END,
            last_status = $3, last_error = $6, finished_at = CASE WHEN $7 = 'pending' THEN NULL ELSE $2 END
         WHERE id = $1",
        &[
            p(&id),
            p(&a.attempted_at),
            p(&code),
            p(&latency),
            p(&a.response_body),
            p(&a.error),
            p(&status.as_str()),
            p(&next_at),
            p(&queued_until),
        ],
    )
    .await?;
    Ok(())
}

/// Notes a failed attempt on its endpoint; returns since when it has been failing.
pub async fn endpoint_failed(
    c: &impl GenericClient,
    endpoint_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1 RETURNING failing_since",
            &[p(&endpoint_id), p(&now)],
        )
        .await?;
    rows.first().map(|r| get(r, "failing_since")).transpose().map(Option::flatten)
}

/// Locks an endpoint for a failure's consequences, before any of its deliveries is
/// touched (one lock order, so a disabling never deadlocks with an attempt); `false` if
/// it is gone.
pub async fn lock_endpoint(c: &impl GenericClient, endpoint_id: Uuid) -> Result<bool, StoreError> {
    let rows = c.query_typed("SELECT 1 FROM webhook_endpoints WHERE id = $1 FOR UPDATE", &[p(&endpoint_id)]).await?;
    Ok(!rows.is_empty())
}

/// When a pending delivery no attempt holds is due, if it is not due at `now`.
pub async fn due_later(
    c: &impl GenericClient,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let rows = c
        .query_typed(
            "SELECT next_attempt_at FROM webhook_deliveries
             WHERE id = $1 AND status = 'pending' AND next_attempt_at > $2 AND (lease_until IS NULL OR lease_until < $2)",
            &[p(&id), p(&now)],
        )
        .await?;
    rows.first().map(|r| get(r, "next_attempt_at")).transpose()
}

/// Disables an endpoint and cancels what it still had pending (deliveries an attempt
/// holds are cancelled when next claimed); `false` if it already was disabled.
pub async fn disable(
    c: &impl GenericClient,
    endpoint_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = $3
             WHERE id = $1 AND enabled RETURNING id",
            &[p(&endpoint_id), p(&reason), p(&now)],
        )
        .await?;
    c.query_typed(
        "UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL, queued_until = NULL,
            finished_at = $2, last_error = 'endpoint disabled'
         WHERE id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending'
                      FOR UPDATE SKIP LOCKED)",
        &[p(&endpoint_id), p(&now)],
    )
    .await?;
    Ok(!rows.is_empty())
}

/// Due deliveries no job is believed queued for, marked queued; call in a transaction
/// committed after their jobs are queued.
pub async fn claim_due(c: &impl GenericClient, now: DateTime<Utc>, limit: i64) -> Result<Vec<Uuid>, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE webhook_deliveries SET queued_until = $2 WHERE id IN (
                SELECT id FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at <= $1
                  AND (queued_until IS NULL OR queued_until < $1) AND (lease_until IS NULL OR lease_until < $1)
                ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING id",
            &[p(&now), p(&(now + QUEUED_GRACE)), p(&limit)],
        )
        .await?;
    rows.iter().map(|r| get(r, "id")).collect()
}

/// Sends a delivery once more, now: a finished one with no automatic retries after, a
/// pending one keeping those it has left. `None` while an attempt holds it or its
/// endpoint is disabled.
pub async fn retry(
    c: &impl GenericClient,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<WebhookDelivery>, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = $2,
                retries_left = CASE WHEN d.status = 'pending' THEN d.retries_left ELSE 0 END,
                queued_until = $3, finished_at = NULL
             FROM webhook_endpoints e
             WHERE d.id = $1 AND e.id = d.endpoint_id AND e.enabled AND (d.lease_until IS NULL OR d.lease_until < $2)
             RETURNING d.id",
            &[p(&id), p(&now), p(&(now + QUEUED_GRACE))],
        )
        .await?;
    if rows.is_empty() {
        let exists = !c.query_typed("SELECT 1 FROM webhook_deliveries WHERE id = $1", &[p(&id)]).await?.is_empty();
        return if exists { Ok(None) } else { Err(StoreError::NotFound("webhook delivery")) };
    }
    let mut found = fetch(c, "d.id = $1", &[p(&id)], 1).await?;
    found.pop().map(Some).ok_or(StoreError::NotFound("webhook delivery"))
}

/// An endpoint's deliveries, newest first, each with its attempts.
pub async fn list(
    c: &impl GenericClient,
    endpoint_id: Uuid,
    status: Option<WebhookDeliveryStatus>,
    req: &PageRequest,
) -> Result<Page<WebhookDelivery>, StoreError> {
    let scope = Scope::of("webhook_deliveries", &(endpoint_id, status));
    let after: Option<(DateTime<Utc>, Uuid)> = req.after(&scope).map_err(|_| StoreError::InvalidCursor)?;
    let (at, after_id) = after.unzip();
    let status = status.map(WebhookDeliveryStatus::as_str);
    let found = fetch(
        c,
        "d.endpoint_id = $1 AND ($2::text IS NULL OR d.status = $2)
         AND ($3::timestamptz IS NULL OR (d.created_at, d.id) < ($3, $4))",
        &[p(&endpoint_id), p(&status), p(&at), p(&after_id)],
        req.fetch(),
    )
    .await?;
    Ok(Page::from_fetched(found, req, &scope, |d| (d.created_at, d.id)))
}

async fn fetch(
    c: &impl GenericClient,
    filter: &str,
    params: &[(&(dyn tokio_postgres::types::ToSql + Sync), tokio_postgres::types::Type)],
    limit: i64,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    let sql = format!(
        "SELECT d.id, d.endpoint_id, d.message_id, m.event_type, d.status, d.attempts, d.next_attempt_at,
                d.last_status, d.last_error, d.created_at, d.finished_at
         FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id
         WHERE {filter} ORDER BY d.created_at DESC, d.id DESC LIMIT {limit}"
    );
    let rows = c.query_typed(&sql, params).await?;
    let mut deliveries: Vec<WebhookDelivery> = rows.iter().map(delivery_from_row).collect::<Result<_, _>>()?;
    let ids: Vec<Uuid> = deliveries.iter().map(|d| d.id).collect();
    let attempts = c
        .query_typed(
            "SELECT delivery_id, attempted_at, status_code, latency_ms, response_body, error
             FROM webhook_attempts WHERE delivery_id = ANY($1) ORDER BY id DESC",
            &[p(&ids)],
        )
        .await?;
    let mut by_delivery: HashMap<Uuid, Vec<WebhookAttempt>> = HashMap::new();
    for r in &attempts {
        by_delivery.entry(get(r, "delivery_id")?).or_default().push(WebhookAttempt {
            attempted_at: get(r, "attempted_at")?,
            status_code: get::<Option<i16>>(r, "status_code")?.and_then(|s| u16::try_from(s).ok()),
            latency_ms: u32::try_from(get::<i32>(r, "latency_ms")?).unwrap_or(0),
            response_body: get(r, "response_body")?,
            error: get(r, "error")?,
        });
    }
    for d in &mut deliveries {
        d.attempt_log = by_delivery.remove(&d.id).unwrap_or_default();
    }
    Ok(deliveries)
}

fn delivery_from_row(r: &Row) -> Result<WebhookDelivery, StoreError> {
    Ok(WebhookDelivery {
        id: get(r, "id")?,
        endpoint_id: get(r, "endpoint_id")?,
        event_id: get(r, "message_id")?,
        event_type: get(r, "event_type")?,
        status: parse_req(r, "status", str::parse::<WebhookDeliveryStatus>)?,
        attempts: get(r, "attempts")?,
        next_attempt_at: get(r, "next_attempt_at")?,
        last_status: get::<Option<i16>>(r, "last_status")?.and_then(|s| u16::try_from(s).ok()),
        last_error: get(r, "last_error")?,
        created_at: get(r, "created_at")?,
        finished_at: get(r, "finished_at")?,
        attempt_log: Vec::new(),
    })
}

/// Deletes messages (and their deliveries and attempts) made before `before`.
pub async fn prune(c: &impl GenericClient, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let rows = c
        .query_typed(
            "DELETE FROM webhook_messages WHERE id IN (SELECT id FROM webhook_messages WHERE created_at < $1 LIMIT 5000)
             RETURNING id",
            &[p(&before)],
        )
        .await?;
    Ok(rows.len() as u64)
}
