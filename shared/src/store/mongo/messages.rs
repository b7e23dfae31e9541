//! The `messages` collection: every inbound and outbound message of a conversation.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{from_bson_time, is_duplicate_key, to_bson_time};
use crate::domain::message::Attachment;
use crate::domain::{Analysis, Author, Channel, DeliveryError, DeliveryStatus, Direction, Message};
use crate::store::{Page, PageRequest, Scope, StoreError};

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct MessageDoc {
    #[serde(rename = "_id")]
    id: String,
    customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lead_id: Option<String>,
    channel: String,
    direction: String,
    content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ai_response: Option<String>,
    processed: bool,
    /// Absent (never null) when unknown: the unique index is sparse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider_message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delivery_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delivery_error: Option<DeliveryError>,
    /// When the provider was last asked to send it (`sending`): the lease's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    send_started_at: Option<mongodb::bson::DateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    analysis: Option<Analysis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chat_session: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    in_reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment>,
    /// Absent in documents written before it existed: those were not read as automatic.
    #[serde(default)]
    auto_submitted: bool,
    /// Absent in documents written before it existed: inferred when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    author: Option<Author>,
    created_at: mongodb::bson::DateTime,
}

impl From<&Message> for MessageDoc {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id.to_string(),
            customer_id: m.customer_id.to_string(),
            lead_id: m.lead_id.map(|l| l.to_string()),
            channel: m.channel.as_str().into(),
            direction: m.direction.as_str().into(),
            content: m.content.clone(),
            subject: m.subject.clone(),
            ai_response: m.ai_response.clone(),
            processed: m.processed,
            provider_message_id: m.provider_message_id.clone(),
            delivery_status: m.delivery_status.map(|d| d.as_str().into()),
            delivery_error: m.delivery_error.clone(),
            send_started_at: None,
            analysis: m.analysis.clone(),
            chat_session: m.chat_session.map(|s| s.to_string()),
            in_reply_to: m.in_reply_to.clone(),
            attachments: m.attachments.clone(),
            auto_submitted: m.auto_submitted,
            author: Some(m.author.clone()),
            created_at: to_bson_time(m.created_at),
        }
    }
}

impl TryFrom<MessageDoc> for Message {
    type Error = StoreError;
    fn try_from(d: MessageDoc) -> Result<Self, StoreError> {
        let uuid = |s: &str| Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("message id {s}: {e}")));
        let bad = |e: crate::domain::InvalidValue| StoreError::Corrupt(format!("message {}: {e}", d.id));
        let direction: Direction = d.direction.parse().map_err(bad)?;
        let author = d.author.unwrap_or_else(|| Author::inferred(direction, d.ai_response.as_deref()));
        Ok(Message {
            id: uuid(&d.id)?,
            customer_id: uuid(&d.customer_id)?,
            lead_id: d.lead_id.as_deref().map(uuid).transpose()?,
            channel: d.channel.parse().map_err(bad)?,
            direction,
            content: d.content,
            subject: d.subject,
            ai_response: d.ai_response,
            processed: d.processed,
            provider_message_id: d.provider_message_id,
            delivery_status: d.delivery_status.as_deref().map(str::parse::<DeliveryStatus>).transpose().map_err(bad)?,
            delivery_error: d.delivery_error,
            analysis: d.analysis,
            chat_session: d.chat_session.as_deref().map(uuid).transpose()?,
            in_reply_to: d.in_reply_to,
            attachments: d.attachments,
            auto_submitted: d.auto_submitted,
            author,
            created_at: from_bson_time(d.created_at),
        })
    }
}

/// What [`MessageStore::begin_sending`] took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendClaim {
    /// No attempt asked the provider before.
    First,
    /// An attempt started then died before recording the answer: the provider may have it.
    TakenOver { attempt_started: DateTime<Utc> },
}

/// Outcome of storing a message that may be a provider's redelivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Inserted {
    New(Message),
    /// A message with the same provider id was stored before; this is it.
    Duplicate(Message),
}

#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    pub customer_id: Option<Uuid>,
    pub chat_session: Option<Uuid>,
    pub channel: Option<Channel>,
    pub direction: Option<Direction>,
    pub processed: Option<bool>,
}

#[derive(Clone)]
pub struct MessageStore {
    pub(super) coll: Collection<MessageDoc>,
}

impl MessageStore {
    pub(super) fn new(db: &Database) -> Self {
        Self { coll: db.collection("messages") }
    }

    /// Stores the message unless its provider id is already stored.
    pub async fn insert(&self, m: &Message) -> Result<Inserted, StoreError> {
        match self.coll.insert_one(MessageDoc::from(m)).await {
            Ok(_) => Ok(Inserted::New(m.clone())),
            Err(e) if is_duplicate_key(&e) => {
                let existing = match &m.provider_message_id {
                    Some(pid) => self.find_one(doc! { "provider_message_id": pid }).await?,
                    None => self.get(m.id).await?,
                };
                existing.map(Inserted::Duplicate).ok_or(StoreError::Mongo(e))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<Message>, StoreError> {
        self.find_one(doc! { "_id": id.to_string() }).await
    }

    pub async fn by_provider_id(&self, provider_message_id: &str) -> Result<Option<Message>, StoreError> {
        self.find_one(doc! { "provider_message_id": provider_message_id }).await
    }

    async fn find_one(&self, filter: Document) -> Result<Option<Message>, StoreError> {
        self.coll.find_one(filter).await?.map(Message::try_from).transpose()
    }

    /// A customer's conversation, newest first.
    pub async fn history(&self, customer_id: Uuid, page: &PageRequest) -> Result<Page<Message>, StoreError> {
        self.list(&MessageFilter { customer_id: Some(customer_id), ..Default::default() }, page).await
    }

    /// Messages matching the filter, newest first.
    pub async fn list(&self, f: &MessageFilter, page: &PageRequest) -> Result<Page<Message>, StoreError> {
        let scope = Scope::of("messages", f);
        let mut filter = Document::new();
        if let Some(c) = f.customer_id {
            filter.insert("customer_id", c.to_string());
        }
        if let Some(s) = f.chat_session {
            filter.insert("chat_session", s.to_string());
        }
        if let Some(c) = f.channel {
            filter.insert("channel", c.as_str());
        }
        if let Some(d) = f.direction {
            filter.insert("direction", d.as_str());
        }
        if let Some(p) = f.processed {
            filter.insert("processed", p);
        }
        if let Some((millis, id)) = page.after::<(i64, String)>(&scope).map_err(|_| StoreError::InvalidCursor)? {
            let at = mongodb::bson::DateTime::from_millis(millis);
            filter.insert(
                "$or",
                vec![doc! { "created_at": { "$lt": at } }, doc! { "created_at": at, "_id": { "$lt": id } }],
            );
        }
        let docs: Vec<MessageDoc> = self
            .coll
            .find(filter)
            .sort(doc! { "created_at": -1, "_id": -1 })
            .limit(page.fetch())
            .await?
            .try_collect()
            .await?;
        let items = docs.into_iter().map(Message::try_from).collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_fetched(items, page, &scope, |m| (m.created_at.timestamp_millis(), m.id.to_string())))
    }

    /// The last `n` messages of a customer, oldest first (context for a reply).
    pub async fn recent(&self, customer_id: Uuid, n: i64) -> Result<Vec<Message>, StoreError> {
        let page = PageRequest { limit: n.clamp(1, 200), cursor: None };
        let mut items = self.history(customer_id, &page).await?.items;
        items.reverse();
        Ok(items)
    }

    /// Marks an unprocessed message processed; false when it already was (or is unknown).
    pub async fn mark_processed(&self, id: Uuid) -> Result<bool, StoreError> {
        let r = self
            .coll
            .update_one(doc! { "_id": id.to_string(), "processed": false }, doc! { "$set": { "processed": true } })
            .await?;
        Ok(r.modified_count == 1)
    }

    /// Takes the right to ask the provider: `pending` (or a `sending` whose lease started
    /// before `stale_before`, an attempt that died) becomes `sending` from `now`. `None`
    /// when another attempt holds a live lease or the message is settled; otherwise
    /// whether an earlier attempt may already have reached the provider, and since when.
    pub async fn begin_sending(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<SendClaim>, StoreError> {
        let filter = doc! {
            "_id": id.to_string(),
            "$or": [
                { "delivery_status": DeliveryStatus::Pending.as_str() },
                { "delivery_status": DeliveryStatus::Sending.as_str(), "send_started_at": { "$lt": to_bson_time(stale_before) } },
            ],
        };
        let update = doc! { "$set": {
            "delivery_status": DeliveryStatus::Sending.as_str(),
            "send_started_at": to_bson_time(now),
        } };
        // The document before the update says whether this takes over a dead attempt.
        let before = self.coll.find_one_and_update(filter, update).await?;
        Ok(before.map(|d| match (d.delivery_status.as_deref(), d.send_started_at) {
            (Some("sending"), Some(at)) => SendClaim::TakenOver { attempt_started: from_bson_time(at) },
            _ => SendClaim::First,
        }))
    }

    /// Puts back the lease start of a dead attempt (a takeover whose lookup could not
    /// answer), so the message stays due for a lookup rather than a fresh send.
    pub async fn restore_sending(&self, id: Uuid, attempt_started: DateTime<Utc>) -> Result<(), StoreError> {
        let filter = doc! { "_id": id.to_string(), "delivery_status": DeliveryStatus::Sending.as_str() };
        self.coll.update_one(filter, doc! { "$set": { "send_started_at": to_bson_time(attempt_started) } }).await?;
        Ok(())
    }

    /// Records what the provider did with an outbound message. A provider id already held
    /// by another message (a provider reusing ids) is logged and left out rather than
    /// failing the delivery, which would send the message again.
    pub async fn set_delivery(
        &self,
        id: Uuid,
        status: DeliveryStatus,
        provider_message_id: Option<&str>,
        error: Option<&DeliveryError>,
    ) -> Result<(), StoreError> {
        let filter = doc! { "_id": id.to_string() };
        let mut set = doc! { "delivery_status": status.as_str() };
        if let Some(e) = error {
            set.insert("delivery_error", mongodb::bson::to_bson(e).map_err(|e| StoreError::Corrupt(e.to_string()))?);
        }
        if let Some(pid) = provider_message_id {
            let mut with_id = set.clone();
            with_id.insert("provider_message_id", pid);
            match self.coll.update_one(filter.clone(), doc! { "$set": with_id }).await {
                Ok(_) => return Ok(()),
                Err(e) if is_duplicate_key(&e) => {
                    tracing::warn!(message_id = %id, provider_message_id = pid, "provider id already stored on another message");
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.coll.update_one(filter, doc! { "$set": set }).await?;
        Ok(())
    }

    /// Records a provider's later report on an outbound message, found by the id the
    /// provider gave it: `delivered` or `failed`. Reports arrive out of order and more than
    /// once, so a status only moves forward: `delivered` replaces `pending` or `sent`, and
    /// `failed` replaces those or `delivered` (a bounce may follow the receiving server's
    /// first acceptance). Returns whether a message changed.
    pub async fn report_delivery(&self, provider_message_id: &str, status: DeliveryStatus) -> Result<bool, StoreError> {
        let from: &[DeliveryStatus] = match status {
            DeliveryStatus::Delivered => &[DeliveryStatus::Pending, DeliveryStatus::Sent],
            DeliveryStatus::Failed => &[DeliveryStatus::Pending, DeliveryStatus::Sent, DeliveryStatus::Delivered],
            DeliveryStatus::Pending | DeliveryStatus::Sending | DeliveryStatus::Sent | DeliveryStatus::Skipped => {
                return Ok(false);
            }
        };
        let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        let filter = doc! {
            "provider_message_id": provider_message_id,
            "direction": "outbound",
            "delivery_status": { "$in": from },
        };
        let r = self.coll.update_one(filter, doc! { "$set": { "delivery_status": status.as_str() } }).await?;
        Ok(r.modified_count == 1)
    }

    /// Inbound messages still unprocessed that arrived between `after` and `before`, oldest
    /// first, whose processing job was never queued or last queued before `queued_before`
    /// (a job queued since may still be in flight, or invisible in its queue after a failure).
    pub async fn unprocessed_between(
        &self,
        after: DateTime<Utc>,
        before: DateTime<Utc>,
        queued_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Message>, StoreError> {
        let filter = doc! {
            "processed": false,
            "direction": "inbound",
            "created_at": { "$gte": to_bson_time(after), "$lt": to_bson_time(before) },
            // `null` also matches a message without the field (never queued).
            "$or": [ { "queued_at": null }, { "queued_at": { "$lt": to_bson_time(queued_before) } } ],
        };
        let docs: Vec<MessageDoc> =
            self.coll.find(filter).sort(doc! { "created_at": 1 }).limit(limit).await?.try_collect().await?;
        docs.into_iter().map(Message::try_from).collect()
    }

    /// Records that the message's processing job was queued at `at`.
    pub async fn mark_queued(&self, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.coll
            .update_one(doc! { "_id": id.to_string() }, doc! { "$set": { "queued_at": to_bson_time(at) } })
            .await?;
        Ok(())
    }

    /// Saves what the analysis decided about a message.
    pub async fn set_analysis(&self, id: Uuid, analysis: &Analysis) -> Result<(), StoreError> {
        let value = mongodb::bson::to_bson(analysis).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.coll.update_one(doc! { "_id": id.to_string() }, doc! { "$set": { "analysis": value } }).await?;
        Ok(())
    }

    /// A lead's inbound messages, oldest first (at most `limit`, the latest ones).
    pub async fn inbound_for_lead(&self, lead_id: Uuid, limit: i64) -> Result<Vec<Message>, StoreError> {
        let docs: Vec<MessageDoc> = self
            .coll
            .find(doc! { "lead_id": lead_id.to_string(), "direction": "inbound" })
            .sort(doc! { "created_at": -1, "_id": -1 })
            .limit(limit)
            .await?
            .try_collect()
            .await?;
        let mut items = docs.into_iter().map(Message::try_from).collect::<Result<Vec<_>, _>>()?;
        items.reverse();
        Ok(items)
    }

    /// Erases a customer's conversation; returns how many messages were removed.
    pub async fn delete_for_customer(&self, customer_id: Uuid) -> Result<u64, StoreError> {
        let r = self.coll.delete_many(doc! { "customer_id": customer_id.to_string() }).await?;
        Ok(r.deleted_count)
    }
}
