//! The once-a-minute schedule's work: what EventBridge triggers in AWS and `leadflow
//! serve` runs itself. The sweep queues inbound messages still unprocessed some minutes
//! after arrival (their job was lost or failed; processing is idempotent, so one queued
//! twice is answered once; messages older than a day are left to people), and the relay
//! publishes events whose first publication failed or never ran; due booking reminders
//! and follow-ups are queued for sending, and webhook deliveries due for another attempt;
//! unpaid booking holds that ran out are released; expired sign-ins and month-old
//! webhook deliveries are deleted; the analytics rollups take in what changed.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::follow_ups::{DispatchReport, Dispatcher};
use super::webhooks::deliver::WebhookDeliverer;
use super::{Relay, ServiceResult};
use crate::queue::{Job, JobQueue};
use crate::store::mongo::Mongo;
use crate::store::{Db, StoreError, booking_reminders};

const BATCH: i64 = 200;
/// Published outbox rows are kept this long (MongoDB keeps the events for good).
const OUTBOX_KEEP: Duration = Duration::days(7);

/// Webhook messages (with their deliveries and attempts) are kept this long.
const WEBHOOKS_KEEP: Duration = Duration::days(30);

/// The services the schedule drives.
pub struct Parts<'a> {
    pub relay: &'a Relay,
    pub follow_ups: &'a Dispatcher<'a>,
    pub webhooks: &'a WebhookDeliverer<'a>,
}

/// What one run of the schedule did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TickReport {
    pub requeued_messages: usize,
    pub published_events: usize,
    pub queued_reminders: usize,
    pub follow_ups: DispatchReport,
    /// Webhook deliveries whose next attempt was due.
    pub queued_webhooks: usize,
    /// Unpaid bookings whose hold ran out, released.
    pub released_holds: usize,
    /// Held bookings still without a Checkout link, asked for again.
    pub requeued_checkouts: usize,
    /// Deposit refunds not made ten minutes after they were due, queued again.
    pub requeued_refunds: usize,
    /// The analytics days recomputed.
    pub analytics: super::analytics::RefreshReport,
}

/// Queues stale messages again; returns how many. A message whose job was queued less
/// than `visibility` ago is left alone: on SQS that job is in flight or, after a failure,
/// invisible until the queue's visibility timeout passes, and SQS redelivers it then; a
/// copy queued every minute would only multiply a failing job (the poison message).
pub async fn requeue_stale(
    mongo: &Mongo,
    jobs: &dyn JobQueue,
    sweep_after: Duration,
    visibility: Duration,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let messages = mongo.messages();
    let stale =
        messages.unprocessed_between(now - Duration::days(1), now - sweep_after, now - visibility, BATCH).await?;
    for m in &stale {
        jobs.enqueue(&Job::ProcessMessage { message_id: m.id }).await?;
        messages.mark_queued(m.id, now).await?;
    }
    if !stale.is_empty() {
        tracing::info!(queued = stale.len(), "sweep queued unprocessed messages again");
    }
    Ok(stale.len())
}

/// Queues a send job for each due booking reminder; a reminder whose job could not be
/// queued stays due for the next run.
pub async fn queue_reminders(db: &Db, jobs: &dyn JobQueue, now: DateTime<Utc>) -> ServiceResult<usize> {
    let mut conn = db.conn().await?;
    let tx = conn.transaction().await.map_err(StoreError::from)?;
    let due = booking_reminders::claim_due(&tx, now, BATCH).await?;
    for r in &due {
        let job = Job::SendReminder {
            booking_id: r.booking_id,
            offset_minutes: r.offset_minutes,
            scheduled_time: r.scheduled_time,
        };
        jobs.enqueue(&job).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(due.len())
}

/// One run of the schedule. The sweep and the relay are independent: one failing does
/// not keep the other from running; the first error is returned after both ran.
pub async fn tick(
    db: &Db,
    mongo: &Mongo,
    jobs: &dyn JobQueue,
    parts: &Parts<'_>,
    sweep_after: Duration,
    visibility: Duration,
    now: DateTime<Utc>,
) -> ServiceResult<TickReport> {
    let requeued = requeue_stale(mongo, jobs, sweep_after, visibility, now).await;
    let reminders = queue_reminders(db, jobs, now).await;
    let released = super::bookings::deposits::release_expired_holds(db, now).await;
    let checkouts = super::bookings::deposits::requeue_checkouts(db, jobs, visibility, now).await;
    let refunds = super::bookings::deposits::requeue_refunds(db, jobs, visibility, now).await;
    let dispatched = parts.follow_ups.dispatch(now).await;
    let published = parts.relay.run().await;
    let webhooks = parts.webhooks.queue_due(now).await;
    let analytics = super::analytics::refresh(db, mongo, now).await;
    if published.is_ok() {
        let conn = db.conn().await?;
        crate::store::outbox::prune(&*conn, now - OUTBOX_KEEP).await?;
        crate::store::webhook_deliveries::prune(&*conn, now - WEBHOOKS_KEEP).await?;
        crate::store::webhook_endpoints::clear_expired_secrets(&*conn, now).await?;
    }
    {
        // A family past its expiry refuses its tokens anyway; its rows only grow.
        let conn = db.conn().await?;
        crate::store::users::prune_sessions(&*conn, now).await?;
    }
    Ok(TickReport {
        requeued_messages: requeued?,
        published_events: published?,
        queued_reminders: reminders?,
        follow_ups: dispatched?,
        queued_webhooks: webhooks?,
        released_holds: released?,
        requeued_checkouts: checkouts?,
        requeued_refunds: refunds?,
        analytics: analytics?,
    })
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::super::follow_ups::dispatch::STUCK_AFTER;

    /// The sweep's idea of the visibility timeout is the queues' own, and the follow-up
    /// requeue waits longer than it.
    #[test]
    fn the_template_gives_the_sweep_the_queues_visibility_timeout() {
        let template = include_str!("../../../template.yaml");
        let told = Regex::new(r#"JOBS_VISIBILITY_TIMEOUT_SECS: "(\d+)""#).unwrap();
        let told: i64 =
            told.captures(template).expect("JOBS_VISIBILITY_TIMEOUT_SECS in template.yaml")[1].parse().unwrap();
        let queues: Vec<i64> = Regex::new(r"(?m)^      VisibilityTimeout: (\d+)$")
            .unwrap()
            .captures_iter(template)
            .map(|c| c[1].parse().unwrap())
            .collect();
        assert_eq!(queues, [told, told], "both job queues");
        assert!(STUCK_AFTER.num_seconds() > told, "follow-ups wait past the visibility timeout");
    }
}
