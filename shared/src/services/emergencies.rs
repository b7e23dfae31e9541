//! Emergencies: the on-call is paged at once (an SMS through Twilio, a Slack post) with
//! the customer's words and how to reach them, and the customer is told what happened,
//! never "we're closed". Each target is claimed on its own and marked done right after
//! its send, so a retry never pages a target twice; a target that failed for a reason
//! that may pass (the provider down) is tried again by a `PageOnCall` job.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::ai::EmergencyNotice;
use crate::channels::outbound::{Outbound, SendError, Senders};
use crate::domain::profile::EmergencyPolicy;
use crate::domain::reply::fit_for_channel;
use crate::domain::{Channel, Customer, Message, Settings};
use crate::idempotency::{Claim, IdempotencyStore, claim, payload_hash};
use crate::integrations::IntegrationError;
use crate::integrations::slack::SlackNotifier;
use crate::store::mongo::Mongo;
use crate::store::{Db, StoreError, conversations, customers, settings};

#[derive(Clone, Copy)]
pub struct Pager<'a> {
    pub senders: &'a Senders,
    pub slack: Option<&'a Arc<SlackNotifier>>,
    pub idempotency: &'a dyn IdempotencyStore,
}

/// Who was reached, and whether trying again later may reach someone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged {
    pub sms: bool,
    pub slack: bool,
    /// A target failed for a reason that may pass: a `PageOnCall` job tries it again.
    #[serde(skip)]
    pub retry: bool,
}

impl Paged {
    pub fn anyone(self) -> bool {
        self.sms || self.slack
    }
}

/// The emergency message being handled.
#[derive(Clone, Copy)]
pub struct Emergency<'e> {
    pub settings: &'e Settings,
    pub customer: &'e Customer,
    pub inbound: &'e Message,
    pub now: DateTime<Utc>,
    /// The job's deadline, for the targets' idempotency claims.
    pub deadline: DateTime<Utc>,
}

/// Why the on-call is paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageReason {
    /// An emergency message (not paged again within the hour of a page).
    Emergency { recently_paged: bool },
    /// The phone number the customer was asked for, after a page without one.
    CallbackNumber,
}

/// One target's attempt.
enum Attempt {
    Sent,
    /// Refused as made: trying again will not help.
    Refused,
    /// Down, or still being tried by another attempt.
    Later,
}

/// How to reach the customer, as the on-call reads it.
fn contact(customer: &Customer) -> String {
    let name = customer.name.as_ref().map_or("A customer", |n| n.as_str());
    match (&customer.phone, &customer.email) {
        (Some(phone), _) => format!("{name} ({})", phone.as_str()),
        (None, Some(email)) => format!("{name} ({})", email.as_str()),
        (None, None) => name.to_owned(),
    }
}

fn page_text(e: Emergency<'_>) -> String {
    let local = e.inbound.created_at.with_timezone(&e.settings.time_zone.tz()).format("%H:%M");
    format!(
        "EMERGENCY for {}: {} wrote by {} at {local}: \"{}\"",
        e.settings.business_name,
        contact(e.customer),
        e.inbound.channel,
        e.inbound.content.trim()
    )
}

impl Pager<'_> {
    /// What the customer is told about their emergency, paging the on-call first when
    /// the policy says to (and nobody was paged about this customer within the hour).
    pub async fn handle(
        &self,
        e: Emergency<'_>,
        open_now: bool,
        reason: PageReason,
    ) -> ServiceResult<(EmergencyNotice, Paged)> {
        let Some(policy) = &e.settings.emergency else { return Ok((EmergencyNotice::Marked, Paged::default())) };
        let (paged, already, pages) = match reason {
            PageReason::Emergency { recently_paged } => {
                let pages = policy.pages(open_now);
                if pages && !recently_paged {
                    let (paged, already) = self.page_customer(policy, e).await?;
                    (paged, already, pages)
                } else {
                    (Paged::default(), recently_paged, pages)
                }
            }
            // The number the on-call was waiting for goes to them at once.
            PageReason::CallbackNumber => (self.page(policy, e).await?, false, true),
        };
        let notice = if paged.anyone() || (already && pages) {
            EmergencyNotice::Paged { title: policy.on_call_title.clone() }
        } else if let Some(phone) = &policy.emergency_phone {
            EmergencyNotice::CallUs { phone: phone.clone() }
        } else {
            EmergencyNotice::Marked
        };
        Ok((notice, paged))
    }

    /// Pages about this customer once an hour, even when two of their messages are
    /// answered at the same moment: `(what this page did, whether another one already
    /// reached someone)`.
    async fn page_customer(&self, policy: &EmergencyPolicy, e: Emergency<'_>) -> ServiceResult<(Paged, bool)> {
        let hour = e.now.timestamp().div_euclid(3600);
        let key = format!("page-customer:{}:{hour}", e.customer.id);
        let guard = match claim(self.idempotency, key.clone(), &payload_hash(key.as_bytes()), e.deadline).await? {
            Claim::Proceed(guard) => guard,
            Claim::Completed(done) => {
                let reached = done.get("paged").and_then(serde_json::Value::as_bool).unwrap_or(false);
                return Ok((Paged::default(), reached));
            }
            // Another message of theirs is paging right now: not known to have reached anyone.
            Claim::PayloadMismatch | Claim::InProgress => return Ok((Paged::default(), false)),
        };
        let paged = self.page(policy, e).await;
        guard.settle(&paged, |p| json!({ "paged": p.anyone() })).await;
        Ok((paged?, false))
    }

    /// Pages every target of the policy that has not been reached for this message.
    pub async fn page(&self, policy: &EmergencyPolicy, e: Emergency<'_>) -> ServiceResult<Paged> {
        let text = page_text(e);
        let mut paged = Paged::default();
        let mut later = false;
        if let (Some(phone), Some(sms)) = (&policy.on_call_phone, &self.senders.sms) {
            let page = Outbound {
                id: super::conversations::reply_id(e.inbound.id, "page"),
                channel: Channel::Sms,
                to: phone.as_str().to_owned(),
                subject: None,
                body: fit_for_channel(&text, Channel::Sms),
                in_reply_to: None,
                attachments: Vec::new(),
            };
            let attempt = self
                .once(format!("page-sms:{}", e.inbound.id), e.deadline, async {
                    match sms.send(&page).await {
                        Ok(_) => Attempt::Sent,
                        Err(err @ SendError::Rejected { .. }) => {
                            tracing::error!(message_id = %e.inbound.id, error = %err, "the on-call's number refused the page");
                            Attempt::Refused
                        }
                        Err(err @ (SendError::Unavailable { .. } | SendError::Uncertain { .. })) => {
                            tracing::error!(message_id = %e.inbound.id, error = %err, "the on-call could not be texted");
                            Attempt::Later
                        }
                    }
                })
                .await?;
            paged.sms = matches!(attempt, Attempt::Sent);
            later |= matches!(attempt, Attempt::Later);
        }
        if policy.slack
            && let Some(slack) = self.slack
        {
            let post = json!({"text": format!(":rotating_light: {text}")});
            let attempt = self
                .once(format!("page-slack:{}", e.inbound.id), e.deadline, async {
                    match slack.post(&post).await {
                        Ok(()) => Attempt::Sent,
                        Err(err @ IntegrationError::Refused { .. }) => {
                            tracing::error!(message_id = %e.inbound.id, error = %err, "Slack refused the page");
                            Attempt::Refused
                        }
                        Err(err @ IntegrationError::Unavailable { .. }) => {
                            tracing::error!(message_id = %e.inbound.id, error = %err, "the on-call could not be told on Slack");
                            Attempt::Later
                        }
                    }
                })
                .await?;
            paged.slack = matches!(attempt, Attempt::Sent);
            later |= matches!(attempt, Attempt::Later);
        }
        // One target down is worth another try even when another was reached: the
        // on-call may be watching only their phone.
        paged.retry = later;
        Ok(paged)
    }

    /// Runs `send` once per `key`: a success or a refusal is recorded at once, a failure
    /// that may pass is released for the next attempt.
    async fn once(
        &self,
        key: String,
        deadline: DateTime<Utc>,
        send: impl Future<Output = Attempt>,
    ) -> ServiceResult<Attempt> {
        let guard = match claim(self.idempotency, key.clone(), &payload_hash(key.as_bytes()), deadline).await? {
            Claim::Proceed(guard) => guard,
            Claim::Completed(done) => {
                let sent = done.get("sent").and_then(serde_json::Value::as_bool).unwrap_or(false);
                return Ok(if sent { Attempt::Sent } else { Attempt::Refused });
            }
            Claim::PayloadMismatch => return Ok(Attempt::Refused),
            Claim::InProgress => return Ok(Attempt::Later),
        };
        let attempt = send.await;
        let outcome: Result<bool, ()> = match attempt {
            Attempt::Sent => Ok(true),
            Attempt::Refused => Ok(false),
            Attempt::Later => Err(()),
        };
        guard.settle(&outcome, |sent| json!({ "sent": sent })).await;
        Ok(attempt)
    }
}

/// The `PageOnCall` job: a page that found every target down is tried again.
#[derive(Clone, Copy)]
pub struct PageRetry<'a> {
    pub db: &'a Db,
    pub mongo: &'a Mongo,
    pub pager: Pager<'a>,
}

impl PageRetry<'_> {
    pub async fn run(&self, message_id: Uuid, now: DateTime<Utc>, deadline: DateTime<Utc>) -> ServiceResult<()> {
        let Some(inbound) = self.mongo.messages().get(message_id).await? else { return Ok(()) };
        let conn = self.db.conn().await?;
        let settings = settings::load(&*conn).await?;
        let customer = match customers::get_by_id(&*conn, inbound.customer_id).await {
            Ok(c) => c,
            Err(StoreError::NotFound(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        drop(conn);
        let Some(policy) = &settings.emergency else { return Ok(()) };
        let e = Emergency { settings: &settings, customer: &customer, inbound: &inbound, now, deadline };
        let paged = self.pager.page(policy, e).await?;
        if paged.anyone() {
            let conn = self.db.conn().await?;
            let mut state = conversations::state(&*conn, customer.id).await?;
            state.paged_at = Some(now);
            conversations::save_state(&*conn, customer.id, &state).await?;
        }
        if paged.retry {
            return Err(ServiceError::unavailable("on-call page", "a target is still unreachable"));
        }
        Ok(())
    }
}
