//! Emergencies: the on-call is paged at once (an SMS through Twilio, a Slack post) with
//! the customer's words and how to reach them, and the customer is told what happened,
//! never "we're closed". One page per message, however often its job is retried: the
//! outcome is kept under an idempotency key, so a retry tells the customer the same.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ServiceError, ServiceResult};
use crate::ai::EmergencyNotice;
use crate::channels::outbound::{Outbound, Senders};
use crate::domain::profile::EmergencyPolicy;
use crate::domain::reply::fit_for_channel;
use crate::domain::{Channel, Customer, Message, Settings};
use crate::idempotency::{Claim, IdempotencyStore, claim, payload_hash};
use crate::integrations::slack::SlackNotifier;

#[derive(Clone, Copy)]
pub struct Pager<'a> {
    pub senders: &'a Senders,
    pub slack: Option<&'a Arc<SlackNotifier>>,
    pub idempotency: &'a dyn IdempotencyStore,
}

/// Who was reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged {
    pub sms: bool,
    pub slack: bool,
}

impl Paged {
    pub fn anyone(self) -> bool {
        self.sms || self.slack
    }
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

fn page_text(settings: &Settings, customer: &Customer, inbound: &Message, now: DateTime<Utc>) -> String {
    let local = now.with_timezone(&settings.time_zone.tz()).format("%H:%M");
    format!(
        "EMERGENCY for {}: {} wrote by {} at {local}: \"{}\"",
        settings.business_name,
        contact(customer),
        inbound.channel,
        inbound.content.trim()
    )
}

/// The emergency message being handled.
#[derive(Clone, Copy)]
pub struct Emergency<'e> {
    pub settings: &'e Settings,
    pub customer: &'e Customer,
    pub inbound: &'e Message,
    pub now: DateTime<Utc>,
    /// The job's deadline, for the page's idempotency claim.
    pub deadline: DateTime<Utc>,
}

impl Pager<'_> {
    /// What the customer is told about their emergency, paging the on-call first when
    /// the policy says to (and nobody was paged about this customer within the hour).
    pub async fn handle(
        &self,
        e: Emergency<'_>,
        open_now: bool,
        recently_paged: bool,
    ) -> ServiceResult<(EmergencyNotice, Paged)> {
        let Some(policy) = &e.settings.emergency else { return Ok((EmergencyNotice::Marked, Paged::default())) };
        let paged =
            if policy.pages(open_now) && !recently_paged { self.page(policy, e).await? } else { Paged::default() };
        let notice = if paged.anyone() || (recently_paged && policy.pages(open_now)) {
            EmergencyNotice::Paged { title: policy.on_call_title.clone() }
        } else if let Some(phone) = &policy.emergency_phone {
            EmergencyNotice::CallUs { phone: phone.clone() }
        } else {
            EmergencyNotice::Marked
        };
        Ok((notice, paged))
    }

    async fn page(&self, policy: &EmergencyPolicy, e: Emergency<'_>) -> ServiceResult<Paged> {
        let Emergency { settings, customer, inbound, now, deadline } = e;
        let key = format!("page:{}", inbound.id);
        let guard = match claim(self.idempotency, key.clone(), &payload_hash(key.as_bytes()), deadline).await? {
            Claim::Proceed(guard) => guard,
            Claim::Completed(done) => return Ok(serde_json::from_value(done).unwrap_or_default()),
            Claim::PayloadMismatch => return Ok(Paged::default()),
            Claim::InProgress => return Err(ServiceError::InProgress { what: key }),
        };
        let text = page_text(settings, customer, inbound, now);
        let mut paged = Paged::default();
        if let (Some(phone), Some(sms)) = (&policy.on_call_phone, &self.senders.sms) {
            let page = Outbound {
                id: super::conversations::reply_id(inbound.id, "page"),
                channel: Channel::Sms,
                to: phone.as_str().to_owned(),
                subject: None,
                body: fit_for_channel(&text, Channel::Sms),
                in_reply_to: None,
                attachments: Vec::new(),
            };
            match sms.send(&page).await {
                Ok(_) => paged.sms = true,
                Err(e) => {
                    tracing::error!(message_id = %inbound.id, error = %e, "the on-call could not be texted");
                }
            }
        }
        if policy.slack
            && let Some(slack) = self.slack
        {
            let post = json!({"text": format!(":rotating_light: {text}")});
            match slack.post(&post).await {
                Ok(()) => paged.slack = true,
                Err(e) => {
                    tracing::error!(message_id = %inbound.id, error = %e, "the on-call could not be told on Slack");
                }
            }
        }
        let result: ServiceResult<Paged> = Ok(paged);
        guard.settle(&result, |p| serde_json::to_value(p).unwrap_or_default()).await;
        result
    }
}
