//! Delivering an outbound message: pick the customer's address on the channel, respect
//! opt-outs, store the message, send it through the channel's provider, record the result.
//! The message id is chosen by the caller, so a retried delivery finds the stored message
//! and does not send it twice.

use uuid::Uuid;

use super::JobError;
use crate::app::AppState;
use crate::channels::{Outbound, SendError};
use crate::domain::{Channel, Customer, DeliveryStatus, Direction, Message};
use crate::store::mongo::Inserted;
use crate::store::opt_outs;

pub struct Draft {
    /// Chosen by the caller: deterministic for AI replies, so retries are idempotent.
    pub id: Uuid,
    pub channel: Channel,
    pub text: String,
    pub subject: Option<String>,
    /// Set for AI-written messages (the text as the engine produced it).
    pub ai_response: Option<String>,
    pub lead_id: Option<Uuid>,
    /// The provider id of the customer message this answers (e-mail threading).
    pub in_reply_to: Option<String>,
    /// Keyword confirmations go out even to an opted-out number (that is the point).
    pub ignore_opt_out: bool,
}

/// The channel a reply actually goes out on: a web form has no channel of its own, so
/// its replies go by e-mail, else SMS, else stay stored like chat.
pub fn reply_channel(channel: Channel, customer: &Customer) -> Channel {
    match channel {
        Channel::Form if customer.email.is_some() => Channel::Email,
        Channel::Form if customer.phone.is_some() => Channel::Sms,
        other => other,
    }
}

fn address(channel: Channel, customer: &Customer) -> Option<String> {
    match channel {
        Channel::Sms => customer.phone.as_ref().map(|p| p.as_str().to_owned()),
        Channel::Email => customer.email.as_ref().map(|e| e.as_str().to_owned()),
        Channel::Chat | Channel::Form => None,
    }
}

/// Whether the customer opted out of `channel`.
pub async fn opted_out(state: &AppState, channel: Channel, customer: &Customer) -> Result<bool, JobError> {
    let Some(addr) = address(channel, customer) else { return Ok(false) };
    let conn = state.db.conn().await?;
    Ok(opt_outs::contains(&*conn, channel, &addr).await?)
}

/// Stores and sends `draft`; returns the stored message with its delivery status.
pub async fn deliver(state: &AppState, customer: &Customer, draft: Draft) -> Result<Message, JobError> {
    let channel = draft.channel;
    let to = address(channel, customer);
    let skip_reason: Option<String> = match (channel, &to) {
        (Channel::Sms | Channel::Email, None) => Some(format!("the customer has no {channel} address")),
        _ if !draft.ignore_opt_out && opted_out(state, channel, customer).await? => {
            Some(format!("the customer opted out of {channel}"))
        }
        _ => state.senders.for_channel(channel).err().map(str::to_owned),
    };
    let message = Message {
        id: draft.id,
        customer_id: customer.id,
        lead_id: draft.lead_id,
        channel,
        direction: Direction::Outbound,
        content: draft.text.clone(),
        subject: draft.subject.clone(),
        ai_response: draft.ai_response,
        processed: true,
        provider_message_id: None,
        delivery_status: Some(if skip_reason.is_some() { DeliveryStatus::Skipped } else { DeliveryStatus::Pending }),
        analysis: None,
        created_at: chrono::Utc::now(),
    };
    let stored = match state.mongo.messages().insert(&message).await? {
        Inserted::New(m) => m,
        // Delivered (or refused) by an earlier attempt: never send twice.
        Inserted::Duplicate(existing) if existing.delivery_status != Some(DeliveryStatus::Pending) => {
            return Ok(existing);
        }
        Inserted::Duplicate(existing) => existing,
    };
    if let Some(reason) = skip_reason {
        tracing::info!(message_id = %stored.id, %channel, %reason, "outbound message stored, not sent");
        return Ok(stored);
    }
    let sender = match state.senders.for_channel(channel) {
        Ok(Some(sender)) => sender,
        // Chat replies are delivered by being stored; the widget fetches them.
        _ => return finish(state, stored, DeliveryStatus::Sent, None).await,
    };
    let outbound = Outbound {
        channel,
        to: to.unwrap_or_default(),
        subject: draft.subject,
        body: draft.text,
        in_reply_to: draft.in_reply_to,
    };
    match sender.send(&outbound).await {
        Ok(receipt) => finish(state, stored, DeliveryStatus::Sent, receipt.provider_message_id).await,
        // The provider is down: leave the message pending and let the job be retried.
        Err(e @ SendError::Unavailable { .. }) => Err(JobError(e.to_string())),
        Err(e @ SendError::Rejected { .. }) => {
            tracing::warn!(message_id = %stored.id, %channel, error = %e, "the provider refused the message");
            finish(state, stored, DeliveryStatus::Failed, None).await
        }
    }
}

async fn finish(
    state: &AppState,
    mut m: Message,
    status: DeliveryStatus,
    provider_id: Option<String>,
) -> Result<Message, JobError> {
    state.mongo.messages().set_delivery(m.id, status, provider_id.as_deref()).await?;
    m.delivery_status = Some(status);
    m.provider_message_id = provider_id.or(m.provider_message_id);
    Ok(m)
}
