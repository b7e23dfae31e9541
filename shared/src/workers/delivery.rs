//! Delivering an outbound message in two steps: `stage` stores it (with the customer's
//! address checked, opt-outs respected), `send` hands a staged message to the channel's
//! provider and records the result. The message id is chosen by the caller, so a retry
//! finds the staged message and sends exactly what was stored, never a second one.

use tokio_postgres::GenericClient;
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
    /// The chat session a chat reply belongs to.
    pub chat_session: Option<Uuid>,
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

pub fn address(channel: Channel, customer: &Customer) -> Option<String> {
    match channel {
        Channel::Sms => customer.phone.as_ref().map(|p| p.as_str().to_owned()),
        Channel::Email => customer.email.as_ref().map(|e| e.as_str().to_owned()),
        Channel::Chat | Channel::Form => None,
    }
}

/// Whether the customer opted out of `channel`.
pub async fn opted_out(c: &impl GenericClient, channel: Channel, customer: &Customer) -> Result<bool, JobError> {
    let Some(addr) = address(channel, customer) else { return Ok(false) };
    Ok(opt_outs::contains(c, channel, &addr).await?)
}

/// Why a message on `channel` cannot go out now, if it cannot.
async fn skip_reason(
    state: &AppState,
    customer: &Customer,
    channel: Channel,
    ignore_opt_out: bool,
) -> Result<Option<String>, JobError> {
    if matches!(channel, Channel::Sms | Channel::Email) && address(channel, customer).is_none() {
        return Ok(Some(format!("the customer has no {channel} address")));
    }
    if !ignore_opt_out {
        let conn = state.db.conn().await?;
        if opted_out(&*conn, channel, customer).await? {
            return Ok(Some(format!("the customer opted out of {channel}")));
        }
    }
    Ok(state.senders.for_channel(channel).err().map(str::to_owned))
}

/// Stores the draft as an outbound message (`pending`, or `skipped` when it cannot go
/// out). A draft staged before is returned as it was stored.
pub async fn stage(state: &AppState, customer: &Customer, draft: Draft) -> Result<Message, JobError> {
    let skip = skip_reason(state, customer, draft.channel, draft.ignore_opt_out).await?;
    let message = Message {
        id: draft.id,
        customer_id: customer.id,
        lead_id: draft.lead_id,
        channel: draft.channel,
        direction: Direction::Outbound,
        content: draft.text,
        subject: draft.subject,
        ai_response: draft.ai_response,
        processed: true,
        provider_message_id: None,
        delivery_status: Some(if skip.is_some() { DeliveryStatus::Skipped } else { DeliveryStatus::Pending }),
        analysis: None,
        chat_session: draft.chat_session,
        in_reply_to: draft.in_reply_to,
        created_at: chrono::Utc::now(),
    };
    let stored = match state.mongo.messages().insert(&message).await? {
        Inserted::New(m) | Inserted::Duplicate(m) => m,
    };
    if let (Some(reason), Some(DeliveryStatus::Skipped)) = (&skip, stored.delivery_status) {
        tracing::info!(message_id = %stored.id, channel = %stored.channel, %reason, "outbound message stored, not sent");
    }
    Ok(stored)
}

/// Sends a staged message (one still `pending`); anything else is returned unchanged.
pub async fn send(
    state: &AppState,
    customer: &Customer,
    staged: Message,
    ignore_opt_out: bool,
) -> Result<Message, JobError> {
    if staged.delivery_status != Some(DeliveryStatus::Pending) {
        return Ok(staged);
    }
    let channel = staged.channel;
    if let Some(reason) = skip_reason(state, customer, channel, ignore_opt_out).await? {
        tracing::info!(message_id = %staged.id, %channel, %reason, "pending message not sent");
        return finish(state, staged, DeliveryStatus::Skipped, None).await;
    }
    let sender = match state.senders.for_channel(channel) {
        Ok(Some(sender)) => sender,
        // Chat replies are delivered by being stored; the widget fetches them.
        _ => return finish(state, staged, DeliveryStatus::Sent, None).await,
    };
    let outbound = Outbound {
        channel,
        to: address(channel, customer).unwrap_or_default(),
        subject: staged.subject.clone(),
        body: staged.content.clone(),
        in_reply_to: staged.in_reply_to.clone(),
    };
    match sender.send(&outbound).await {
        Ok(receipt) => finish(state, staged, DeliveryStatus::Sent, receipt.provider_message_id).await,
        // The provider is down: leave the message pending and let the job be retried.
        Err(e @ SendError::Unavailable { .. }) => Err(JobError(e.to_string())),
        Err(e @ SendError::Rejected { .. }) => {
            tracing::warn!(message_id = %staged.id, %channel, error = %e, "the provider refused the message");
            finish(state, staged, DeliveryStatus::Failed, None).await
        }
    }
}

/// Stages and sends.
pub async fn deliver(state: &AppState, customer: &Customer, draft: Draft) -> Result<Message, JobError> {
    let ignore_opt_out = draft.ignore_opt_out;
    let staged = stage(state, customer, draft).await?;
    send(state, customer, staged, ignore_opt_out).await
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
