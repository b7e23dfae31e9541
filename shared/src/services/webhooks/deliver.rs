//! One attempt of one delivery, and what follows it: success closes the delivery; a
//! failure schedules the next attempt (a delayed job when it is within SQS's 15
//! minutes, else the schedule's run queues it when due), honouring `Retry-After`; a 410
//! disables the endpoint (deletes a Zapier subscription, as Zapier asks); five days of
//! failures disable it and say so with an event and on Slack.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::super::{ServiceError, ServiceResult, record};
use crate::domain::Event;
use crate::domain::event::{EndpointDisabledReason, WebhookEndpointDisabled};
use crate::domain::webhook::{
    AttemptClass, DISABLE_AFTER, TargetUrl, WebhookAttempt, WebhookSource, classify, next_delay,
};
use crate::integrations::slack::SlackNotifier;
use crate::integrations::webhooks::{Outgoing, WebhookSecret, WebhookSender};
use crate::queue::{Job, JobQueue};
use crate::services::Relay;
use crate::store::webhook_deliveries::{self as store, Claimed, Next};
use crate::store::{Db, StoreError, webhook_endpoints};

/// SQS delays a message 15 minutes at most; later attempts wait for the schedule.
const MAX_QUEUE_DELAY: Duration = Duration::minutes(15);
const DUE_BATCH: i64 = 500;

pub struct WebhookDeliverer<'a> {
    pub db: &'a Db,
    pub sender: &'a WebhookSender,
    pub jobs: &'a dyn JobQueue,
    pub relay: &'a Relay,
    pub slack: Option<&'a SlackNotifier>,
}

impl WebhookDeliverer<'_> {
    /// Attempts the delivery if it is due and no other job holds it.
    pub async fn attempt(&self, delivery_id: Uuid, now: DateTime<Utc>) -> ServiceResult<()> {
        let claimed = {
            let conn = self.db.conn().await?;
            store::claim(&*conn, delivery_id, now).await?
        };
        let Some(claim) = claimed else { return Ok(()) };
        if !claim.endpoint_enabled {
            let note = WebhookAttempt {
                attempted_at: now,
                status_code: None,
                latency_ms: 0,
                response_body: None,
                error: Some("endpoint disabled; not sent".into()),
            };
            let conn = self.db.conn().await?;
            store::record(&*conn, claim.id, &note, Next::Cancelled).await?;
            return Ok(());
        }
        let url = TargetUrl::stored(&claim.url).map_err(|e| ServiceError::Internal(format!("stored URL: {}", e.0)))?;
        let secrets = signing_secrets(&claim, now)?;
        let answer = self
            .sender
            .send(&Outgoing { url: &url, message_id: claim.message_id, body: &claim.body, secrets: &secrets, at: now })
            .await;
        let attempt = WebhookAttempt {
            attempted_at: now,
            status_code: answer.status,
            latency_ms: u32::try_from(answer.latency.as_millis()).unwrap_or(u32::MAX),
            response_body: answer.body,
            error: answer.error,
        };
        let class = classify(answer.status);
        let next = match class {
            AttemptClass::Delivered => Next::Succeeded,
            AttemptClass::Gone => Next::Failed,
            AttemptClass::Failed => match next_delay(claim.retries_left, answer.retry_after, jitter()) {
                Some(wait) => Next::Retry { at: now + wait, queued: wait <= MAX_QUEUE_DELAY },
                None => Next::Failed,
            },
        };
        let disabled = self.settle(&claim, &attempt, next, class, now).await?;
        if let Next::Retry { at, queued: true } = next {
            let wait = (at - now).to_std().unwrap_or_default();
            if let Err(e) = self.jobs.enqueue_after(&Job::DeliverWebhook { delivery_id }, wait).await {
                tracing::warn!(%delivery_id, error = %e, "retry not queued; the schedule will queue it when due");
            }
        }
        if let Some(event) = disabled {
            self.relay.nudge().await;
            self.tell_slack(&event).await;
        }
        Ok(())
    }

    /// Records the attempt and its consequences in one transaction; returns the
    /// endpoint's disabling, if this attempt caused it.
    async fn settle(
        &self,
        claim: &Claimed,
        attempt: &WebhookAttempt,
        next: Next,
        class: AttemptClass,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<WebhookEndpointDisabled>> {
        let mut conn = self.db.conn().await?;
        if class == AttemptClass::Delivered {
            store::record(&*conn, claim.id, attempt, next).await?;
            return Ok(None);
        }
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        store::record(&tx, claim.id, attempt, next).await?;
        let failing_since = store::endpoint_failed(&tx, claim.endpoint_id, now).await?;
        let reason = match class {
            AttemptClass::Gone => Some(EndpointDisabledReason::Gone),
            AttemptClass::Failed if failing_since.is_some_and(|since| now - since >= DISABLE_AFTER) => {
                Some(EndpointDisabledReason::Failing)
            }
            AttemptClass::Failed | AttemptClass::Delivered => None,
        };
        let mut disabled = None;
        match (reason, claim.source) {
            (None, _) => {}
            (Some(EndpointDisabledReason::Gone), WebhookSource::Zapier) => {
                // Zapier answers 410 for a Zap that was turned off: the subscription ends.
                webhook_endpoints::delete(&tx, claim.endpoint_id, WebhookSource::Zapier).await?;
            }
            (Some(reason), _) => {
                let label = match reason {
                    EndpointDisabledReason::Gone => "gone",
                    EndpointDisabledReason::Failing => "failing",
                };
                if store::disable(&tx, claim.endpoint_id, label, now).await? {
                    let event = WebhookEndpointDisabled {
                        endpoint_id: claim.endpoint_id,
                        url: claim.url.clone(),
                        reason,
                        failing_since,
                    };
                    record(&tx, vec![Event::WebhookEndpointDisabled(event.clone())], now).await?;
                    disabled = Some(event);
                }
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(disabled)
    }

    async fn tell_slack(&self, e: &WebhookEndpointDisabled) {
        let Some(slack) = self.slack else { return };
        let why = match e.reason {
            EndpointDisabledReason::Gone => "the receiver answered 410 Gone".to_owned(),
            EndpointDisabledReason::Failing => "every delivery failed for five days".to_owned(),
        };
        let text = format!(
            ":warning: Leadflow disabled the webhook endpoint {} because {why}. Fix the receiver, then enable it again (PATCH /api/webhook-endpoints/{} with {{\"enabled\": true}}) and retry the failed deliveries.",
            e.url, e.endpoint_id
        );
        let message = serde_json::json!({ "text": text });
        if let Err(err) = slack.post(&message).await {
            tracing::warn!(endpoint_id = %e.endpoint_id, error = %err, "could not tell Slack about a disabled endpoint");
        }
    }

    /// Queues a job for each due delivery no job is believed queued for; run by the schedule.
    pub async fn queue_due(&self, now: DateTime<Utc>) -> ServiceResult<usize> {
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let due = store::claim_due(&tx, now, DUE_BATCH).await?;
        let jobs: Vec<(Job, std::time::Duration)> =
            due.iter().map(|&delivery_id| (Job::DeliverWebhook { delivery_id }, std::time::Duration::ZERO)).collect();
        self.jobs.enqueue_batch(&jobs).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(due.len())
    }
}

/// The current secret, and the previous one while its overlap lasts.
fn signing_secrets(claim: &Claimed, now: DateTime<Utc>) -> ServiceResult<Vec<WebhookSecret>> {
    let corrupt = |_| ServiceError::Internal("a stored webhook secret does not parse".into());
    let mut secrets = vec![WebhookSecret::parse(&claim.secret).map_err(corrupt)?];
    if let (Some(previous), Some(until)) = (&claim.previous_secret, claim.previous_expires_at)
        && until > now
    {
        secrets.push(WebhookSecret::parse(previous).map_err(corrupt)?);
    }
    Ok(secrets)
}

/// A number in −1..1 from the system's random source, to spread retries.
fn jitter() -> f64 {
    let mut b = [0u8; 2];
    if aws_lc_rs::rand::fill(&mut b).is_err() {
        return 0.0;
    }
    f64::from(u16::from_le_bytes(b)) / f64::from(u16::MAX) * 2.0 - 1.0
}
