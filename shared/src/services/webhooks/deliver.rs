//! One attempt of one delivery, and what follows it: success closes the delivery; a
//! failure schedules the next attempt (a delayed job when it is within SQS's 15
//! minutes, else the schedule's run queues it when due), honouring `Retry-After`; a 410
//! disables the endpoint (deletes a Zapier subscription, as Zapier asks); five days of
//! failures disable it and say so: an event, Slack, and an e-mail to each admin.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::super::{ServiceError, ServiceResult, record};
use crate::channels::{Outbound, Sender};
use crate::domain::Channel;
use crate::domain::Event;
use crate::domain::access::Role;
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
    /// E-mail (SendGrid), when configured: enabled admins are told of a disabled endpoint.
    pub email: Option<&'a dyn Sender>,
}

/// An attempt that ended before any request: the record says why.
fn unsent(now: DateTime<Utc>, why: String) -> WebhookAttempt {
    WebhookAttempt { attempted_at: now, status_code: None, latency_ms: 0, response_body: None, error: Some(why) }
}

/// Whole seconds, rounded up: SQS delays by whole seconds, and a job that arrives
/// before its attempt is due finds nothing to do.
fn whole_seconds(d: Duration) -> Duration {
    let ms = d.num_milliseconds().max(0);
    Duration::seconds((ms + 999) / 1000)
}

impl WebhookDeliverer<'_> {
    /// Attempts the delivery if it is due and no other job holds it.
    pub async fn attempt(&self, delivery_id: Uuid, now: DateTime<Utc>) -> ServiceResult<()> {
        let claimed = {
            let conn = self.db.conn().await?;
            store::claim(&*conn, delivery_id, now).await?
        };
        let Some(claim) = claimed else { return self.requeue_if_early(delivery_id, now).await };
        if !claim.endpoint_enabled {
            let conn = self.db.conn().await?;
            store::record(&*conn, claim.id, &unsent(now, "endpoint disabled; not sent".into()), Next::Cancelled)
                .await?;
            return Ok(());
        }
        let (url, secrets) = match prepare(&claim, now) {
            Ok(ready) => ready,
            Err(why) => {
                tracing::error!(delivery_id = %claim.id, %why, "a stored webhook endpoint cannot be used");
                let conn = self.db.conn().await?;
                store::record(&*conn, claim.id, &unsent(now, why), Next::Failed).await?;
                return Ok(());
            }
        };
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
                Some(wait) => {
                    let wait = whole_seconds(wait);
                    Next::Retry { at: now + wait, queued: wait <= MAX_QUEUE_DELAY }
                }
                None => Next::Failed,
            },
        };
        let disabled = self.settle(&claim, &attempt, next, class, now).await?;
        if let Next::Retry { at, queued: true } = next {
            self.queue_at(delivery_id, at - now).await;
        }
        if let Some(event) = disabled {
            self.relay.nudge().await;
            self.tell_admins(&event).await;
        }
        Ok(())
    }

    async fn queue_at(&self, delivery_id: Uuid, wait: Duration) {
        let wait = whole_seconds(wait).to_std().unwrap_or_default();
        if let Err(e) = self.jobs.enqueue_after(&Job::DeliverWebhook { delivery_id }, wait).await {
            tracing::warn!(%delivery_id, error = %e, "retry not queued; the schedule will queue it when due");
        }
    }

    /// A job that came before its attempt was due (a clock ahead, a delay cut short)
    /// queues itself again for the rest of the wait, rather than leave it to the schedule.
    async fn requeue_if_early(&self, delivery_id: Uuid, now: DateTime<Utc>) -> ServiceResult<()> {
        let due = {
            let conn = self.db.conn().await?;
            store::due_later(&*conn, delivery_id, now).await?
        };
        if let Some(at) = due
            && at - now <= MAX_QUEUE_DELAY
        {
            self.queue_at(delivery_id, at - now).await;
        }
        Ok(())
    }

    /// Records the attempt and its consequences; returns the endpoint's disabling, if
    /// this attempt caused it. A success is one statement; a failure takes the endpoint's
    /// lock first, then its delivery's.
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
        if !store::lock_endpoint(&tx, claim.endpoint_id).await? {
            // Deleted meanwhile, with its deliveries: nothing left to record.
            return Ok(None);
        }
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
            // Zapier's subscriptions are Zapier's to remake: a dead one is deleted (for a
            // 410, as its REST hooks ask), not left disabled where no Zap can revive it.
            (Some(_), WebhookSource::Zapier) => {
                webhook_endpoints::delete(&tx, claim.endpoint_id).await?;
            }
            (Some(reason), WebhookSource::Admin) => {
                let label = match reason {
                    EndpointDisabledReason::Gone => "gone",
                    EndpointDisabledReason::Failing => "failing",
                };
                if store::disable(&tx, claim.endpoint_id, label, now).await? {
                    let host = url::Url::parse(&claim.url).ok().and_then(|u| u.host_str().map(str::to_owned));
                    let event = WebhookEndpointDisabled {
                        endpoint_id: claim.endpoint_id,
                        host: host.unwrap_or_default(),
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

    /// Tells people: Slack, and each enabled admin by e-mail, as far as configured. A
    /// failure is logged; the event is the record either way.
    async fn tell_admins(&self, e: &WebhookEndpointDisabled) {
        let why = match e.reason {
            EndpointDisabledReason::Gone => "its receiver answered 410 Gone",
            EndpointDisabledReason::Failing => "every delivery to it failed for five days",
        };
        let text = format!(
            "Leadflow disabled the webhook endpoint {} (on {}) because {why}. Fix the receiver, then enable it \
             again (PATCH /api/webhook-endpoints/{} with {{\"enabled\": true}}) and retry the failed deliveries.",
            e.endpoint_id, e.host, e.endpoint_id
        );
        if let Some(slack) = self.slack
            && let Err(err) = slack.post(&serde_json::json!({ "text": format!(":warning: {text}") })).await
        {
            tracing::warn!(endpoint_id = %e.endpoint_id, error = %err, "could not tell Slack about a disabled endpoint");
        }
        let Some(email) = self.email else { return };
        let admins = match self.db.conn().await {
            Ok(conn) => crate::store::users::list(&*conn).await.map_err(ServiceError::from),
            Err(err) => Err(err.into()),
        };
        let admins = match admins {
            Ok(users) => users.into_iter().filter(|u| u.role == Role::Admin && !u.disabled),
            Err(err) => {
                tracing::warn!(error = %err, "could not find the admins to tell about a disabled endpoint");
                return;
            }
        };
        for admin in admins {
            let message = Outbound {
                // One message per admin and endpoint disabling: a provider retry is deduplicated.
                id: Uuid::new_v5(&e.endpoint_id, admin.id.as_bytes()),
                channel: Channel::Email,
                to: admin.email.as_str().to_owned(),
                subject: Some(format!("Webhook endpoint disabled ({})", e.host)),
                body: text.clone(),
                in_reply_to: None,
                attachments: Vec::new(),
            };
            if let Err(err) = email.send(&message).await {
                tracing::warn!(endpoint_id = %e.endpoint_id, error = %err, "could not e-mail an admin about a disabled endpoint");
            }
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

/// The target and the signing secrets (the current one, and the previous one while its
/// overlap lasts), or why the stored endpoint cannot be used.
fn prepare(claim: &Claimed, now: DateTime<Utc>) -> Result<(TargetUrl, Vec<WebhookSecret>), String> {
    let url = TargetUrl::stored(&claim.url).map_err(|e| format!("the stored URL does not parse: {}", e.0))?;
    let unreadable = |_| "a stored signing secret does not parse".to_owned();
    let mut secrets = vec![WebhookSecret::parse(&claim.secret).map_err(unreadable)?];
    if let (Some(previous), Some(until)) = (&claim.previous_secret, claim.previous_expires_at)
        && until > now
    {
        secrets.push(WebhookSecret::parse(previous).map_err(unreadable)?);
    }
    Ok((url, secrets))
}

/// A number in −1..1 from the system's random source, to spread retries.
fn jitter() -> f64 {
    let mut b = [0u8; 2];
    if aws_lc_rs::rand::fill(&mut b).is_err() {
        return 0.0;
    }
    f64::from(u16::from_le_bytes(b)) / f64::from(u16::MAX) * 2.0 - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::milliseconds(4_600)), Duration::seconds(5));
        assert_eq!(whole_seconds(Duration::seconds(5)), Duration::seconds(5));
        assert_eq!(whole_seconds(Duration::milliseconds(-3)), Duration::zero());
    }
}
