//! Delivering an outbound message in two steps: `stage` stores it (with the customer's
//! address checked, opt-outs respected), `send` hands a staged message to the channel's
//! provider and records the result. The message id is chosen by the caller, so a retry
//! finds the staged message and sends exactly what was stored, never a second one.

use chrono::{DateTime, Duration, Utc};
use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::channels::{Lookup, Outbound, SendError, Senders};
use crate::domain::message::Attachment;
use crate::domain::{Author, Channel, Customer, DeliveryError, DeliveryStatus, Direction, Message};
use crate::store::mongo::{Inserted, Mongo, SendClaim};

/// How long an attempt may hold a message as `sending` before another takes over (and
/// looks it up first). Longer than a provider call's timeout, so a live attempt is
/// never taken over.
pub const SENDING_LEASE: Duration = Duration::minutes(2);
use crate::store::{Db, conversations, opt_outs, suppressions};

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
    /// E-mail only (a calendar invite); other channels send the text alone.
    pub attachments: Vec<Attachment>,
    /// Who wrote it, stored with the message for the inbox.
    pub author: Author,
}

fn outbound_of(staged: &Message, customer: &Customer) -> Outbound {
    let channel = staged.channel;
    Outbound {
        id: staged.id,
        channel,
        to: channel.address_of(customer).unwrap_or_default(),
        subject: staged.subject.clone(),
        body: staged.content.clone(),
        in_reply_to: staged.in_reply_to.clone(),
        attachments: staged
            .attachments
            .iter()
            .map(|a| crate::channels::Attachment {
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                content: a.content.clone().into_bytes(),
            })
            .collect(),
    }
}

/// Whether the customer opted out of `channel`.
pub async fn opted_out(c: &impl GenericClient, channel: Channel, customer: &Customer) -> ServiceResult<bool> {
    let Some(addr) = channel.address_of(customer) else { return Ok(false) };
    Ok(opt_outs::contains(c, channel, &addr).await?)
}

/// Whether the customer opted out of any channel (one rule for scoring, whatever the
/// channel the opt-out was said on).
pub async fn opted_out_anywhere(c: &impl GenericClient, customer: &Customer) -> ServiceResult<bool> {
    for channel in Channel::ALL {
        if opted_out(c, *channel, customer).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Stages and sends messages: the records and the providers.
#[derive(Clone, Copy)]
pub struct Delivery<'a> {
    pub db: &'a Db,
    pub mongo: &'a Mongo,
    pub senders: &'a Senders,
}

impl Delivery<'_> {
    /// Why a message on `channel` cannot go out now, if it cannot.
    async fn skip_reason(
        &self,
        customer: &Customer,
        channel: Channel,
        ignore_opt_out: bool,
    ) -> ServiceResult<Option<String>> {
        if channel.address_kind().is_some() && channel.address_of(customer).is_none() {
            return Ok(Some(format!("the customer has no {channel} address")));
        }
        if let Some(address) = channel.address_of(customer) {
            let conn = self.db.conn().await?;
            if !ignore_opt_out && opt_outs::contains(&*conn, channel, &address).await? {
                return Ok(Some(format!("the customer opted out of {channel}")));
            }
            // A bounced or dead address: sending again only hurts the sender's reputation.
            if suppressions::contains(&*conn, channel, &address).await? {
                return Ok(Some(format!("the customer's {channel} address cannot receive (suppressed)")));
            }
        }
        Ok(self.senders.for_channel(channel).err().map(str::to_owned))
    }

    /// Stores the draft as an outbound message (`pending`, or `skipped` when it cannot go
    /// out). A draft staged before is returned as it was stored.
    pub async fn stage(&self, customer: &Customer, draft: Draft) -> ServiceResult<Message> {
        let skip = self.skip_reason(customer, draft.channel, draft.ignore_opt_out).await?;
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
            delivery_error: None,
            analysis: None,
            chat_session: draft.chat_session,
            in_reply_to: draft.in_reply_to,
            attachments: draft.attachments,
            auto_submitted: false,
            author: draft.author,
            created_at: chrono::Utc::now(),
        };
        let stored = match self.mongo.messages().insert(&message).await? {
            Inserted::New(m) | Inserted::Duplicate(m) => m,
        };
        // The inbox orders and filters conversations by their latest message, either way.
        let conn = self.db.conn().await?;
        conversations::record_activity(&*conn, customer.id, Direction::Outbound, stored.channel, stored.created_at)
            .await?;
        drop(conn);
        if let (Some(reason), Some(DeliveryStatus::Skipped)) = (&skip, stored.delivery_status) {
            tracing::info!(message_id = %stored.id, channel = %stored.channel, %reason, "outbound message stored, not sent");
        }
        Ok(stored)
    }

    /// Sends a staged message (one still `pending`, or `sending` by an attempt that
    /// died); anything settled is returned unchanged. The provider is asked at most once
    /// per message: the attempt holds a lease (`sending`), and one that takes over an
    /// expired lease looks the message up at the provider before sending it again.
    pub async fn send(&self, customer: &Customer, staged: Message, ignore_opt_out: bool) -> ServiceResult<Message> {
        if !matches!(staged.delivery_status, Some(DeliveryStatus::Pending | DeliveryStatus::Sending)) {
            return Ok(staged);
        }
        let channel = staged.channel;
        // Checked before the lease: an error here leaves the message as it was.
        if let Some(reason) = self.skip_reason(customer, channel, ignore_opt_out).await? {
            tracing::info!(message_id = %staged.id, %channel, %reason, "pending message not sent");
            return self.finish(staged, DeliveryStatus::Skipped, None, None).await;
        }
        // Chat replies are delivered by being stored; the widget fetches them.
        let Ok(Some(sender)) = self.senders.for_channel(channel) else {
            return self.finish(staged, DeliveryStatus::Sent, None, None).await;
        };
        let now = Utc::now();
        let claim = self.mongo.messages().begin_sending(staged.id, now, now - SENDING_LEASE).await?;
        let Some(claim) = claim else {
            // Settled meanwhile, or another attempt is asking the provider right now.
            let current = self.mongo.messages().get(staged.id).await?.unwrap_or(staged);
            if current.delivery_status == Some(DeliveryStatus::Sending) {
                return Err(ServiceError::InProgress { what: format!("message {}", current.id) });
            }
            return Ok(current);
        };
        let outbound = outbound_of(&staged, customer);
        if let SendClaim::TakenOver { attempt_started } = claim {
            match sender.find_sent(&outbound, attempt_started).await {
                Ok(Lookup::Found(receipt)) => {
                    tracing::info!(message_id = %staged.id, %channel, "an earlier attempt had sent it: recorded, not resent");
                    return self.finish(staged, DeliveryStatus::Sent, receipt.provider_message_id, None).await;
                }
                Ok(Lookup::NotFound) => {}
                Ok(Lookup::Unknown) => {
                    let error = DeliveryError {
                        code: None,
                        message: "an attempt died while the provider was asked, and the provider cannot say \
                                  whether it sent it: not sent again"
                            .into(),
                        recipient_undeliverable: false,
                    };
                    tracing::warn!(message_id = %staged.id, %channel, "delivery uncertain; not resent");
                    return self.finish(staged, DeliveryStatus::Failed, None, Some(error)).await;
                }
                Err(e) => {
                    self.release(staged.id, attempt_started).await;
                    return Err(ServiceError::unavailable("message provider", e));
                }
            }
        }
        match sender.send(&outbound).await {
            Ok(receipt) => self.finish(staged, DeliveryStatus::Sent, receipt.provider_message_id, None).await,
            // The provider said it is down: nothing went out; back to pending for a retry.
            Err(e @ SendError::Unavailable { .. }) => {
                self.mongo.messages().set_delivery(staged.id, DeliveryStatus::Pending, None, None).await?;
                Err(ServiceError::unavailable("message provider", e))
            }
            // The request may have reached the provider: the message stays `sending`, so
            // the retry after the lease looks it up before sending.
            Err(e @ SendError::Uncertain { .. }) => Err(ServiceError::unavailable("message provider", e)),
            Err(SendError::Rejected { provider, status, code, message, recipient_undeliverable }) => {
                tracing::warn!(message_id = %staged.id, %channel, provider, status, ?code, %message, "the provider refused the message");
                let error = DeliveryError { code, message, recipient_undeliverable };
                self.finish(staged, DeliveryStatus::Failed, None, Some(error)).await
            }
        }
    }

    /// A lookup that could not answer leaves the message `sending` as the dead attempt
    /// left it, so the next try looks again rather than sending.
    async fn release(&self, id: Uuid, attempt_started: DateTime<Utc>) {
        if let Err(e) = self.mongo.messages().restore_sending(id, attempt_started).await {
            tracing::warn!(message_id = %id, error = %e, "could not restore the earlier attempt's lease");
        }
    }

    /// Stages and sends.
    pub async fn deliver(&self, customer: &Customer, draft: Draft) -> ServiceResult<Message> {
        let ignore_opt_out = draft.ignore_opt_out;
        let staged = self.stage(customer, draft).await?;
        self.send(customer, staged, ignore_opt_out).await
    }

    /// Records that a message will not go out after all (its retries ran out).
    pub async fn give_up(&self, message_id: Uuid) -> ServiceResult<()> {
        self.mongo.messages().set_delivery(message_id, DeliveryStatus::Failed, None, None).await?;
        Ok(())
    }

    async fn finish(
        &self,
        mut m: Message,
        status: DeliveryStatus,
        provider_id: Option<String>,
        error: Option<DeliveryError>,
    ) -> ServiceResult<Message> {
        self.mongo.messages().set_delivery(m.id, status, provider_id.as_deref(), error.as_ref()).await?;
        m.delivery_status = Some(status);
        m.delivery_error = error.or(m.delivery_error);
        m.provider_message_id = provider_id.or(m.provider_message_id);
        Ok(m)
    }
}
