//! Intake: an inbound message from any channel becomes a stored message of a known
//! customer with an open lead, and a queued `ProcessMessage` job. Every step tolerates
//! repetition, so a provider's redelivery changes nothing; with a provider id, the whole
//! intake runs once per id and a redelivery gets the first answer.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::{FollowOn, Relay, ServiceError, ServiceResult, record};
use crate::channels::InboundMessage;
use crate::domain::customer::CustomerFields;
use crate::domain::event::LeadCreated;
use crate::domain::text::ShortText;
use crate::domain::{Author, Channel, Customer, CustomerChanges, Direction, Event, Message, NewCustomer};
use crate::idempotency::{Claim, IdempotencyStore, claim};
use crate::queue::{Job, JobQueue};
use crate::store::mongo::{Inserted, Mongo};
use crate::store::{Db, StoreError, customers, leads};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accepted {
    pub message_id: Uuid,
    pub customer_id: Uuid,
    pub lead_id: Uuid,
    /// The message had been received before (a redelivery).
    #[serde(skip)]
    pub duplicate: bool,
}

/// What intake writes to and sets off.
#[derive(Clone, Copy)]
pub struct Intake<'a> {
    pub db: &'a Db,
    pub mongo: &'a Mongo,
    pub jobs: &'a dyn JobQueue,
    pub relay: &'a Relay,
    pub follow_on: FollowOn<'a>,
    pub idempotency: &'a dyn IdempotencyStore,
}

/// Of several customers holding the message's contacts, the one owning the address the
/// message came from on its own channel.
fn pick(mut found: Vec<Customer>, channel: Channel, fields: &CustomerFields) -> Option<Customer> {
    let by_channel = found.iter().position(|c| match channel {
        Channel::Sms => c.phone.is_some() && c.phone == fields.phone,
        Channel::Email | Channel::Chat | Channel::Form => c.email.is_some() && c.email == fields.email,
    });
    match by_channel {
        Some(i) => Some(found.swap_remove(i)),
        None => found.into_iter().next(),
    }
}

fn no_contact() -> ServiceError {
    ServiceError::invalid("customer.email", "an email or a phone is required")
}

fn fields_of(m: &InboundMessage) -> CustomerFields {
    CustomerFields {
        name: m.name.as_deref().and_then(|n| ShortText::parse(n).ok()),
        email: m.email.clone(),
        phone: m.phone.clone(),
        company: m.fields.get("company").and_then(|v| ShortText::parse(v).ok()),
        ..Default::default()
    }
}

/// Finds the customer by normalised email or phone, creating them if new and filling in
/// facts they did not have yet (a name, the other contact if nobody else holds it).
/// `channel` is the one the contact came from: it decides between two customers each
/// holding one of the addresses. Every intake (messages, Calendly) matches this way.
pub(crate) async fn upsert_customer(
    c: &mut tokio_postgres::Transaction<'_>,
    fields: CustomerFields,
    channel: Channel,
) -> ServiceResult<Customer> {
    let new = NewCustomer::new(fields.clone()).map_err(|_| no_contact())?;
    for _ in 0..3 {
        let found = customers::find_by_contact(&*c, fields.email.as_ref(), fields.phone.as_ref()).await?;
        let several = found.len() > 1;
        let Some(customer) = pick(found, channel, &fields) else {
            match customers::insert_if_absent(&*c, &new).await? {
                Some(created) => return Ok(created),
                None => continue,
            }
        };
        let mut learned = fields.clone();
        if several {
            // The other address belongs to someone else: do not move it.
            learned.email = None;
            learned.phone = None;
        }
        let changes = CustomerChanges::fill_gaps(&customer, learned);
        if changes.is_empty() {
            return Ok(customer);
        }
        let updated = changes.apply_to(&customer).map_err(|_| no_contact())?;
        // A savepoint, so that losing a race for the address does not abort the intake.
        let savepoint = c.savepoint("fill_gaps").await.map_err(StoreError::from)?;
        return match customers::update(&savepoint, customer.id, &updated).await {
            Ok(updated) => {
                savepoint.commit().await.map_err(StoreError::from)?;
                Ok(updated)
            }
            // Someone took the address meanwhile: keep the customer as they were.
            Err(StoreError::Conflict { .. }) => {
                savepoint.rollback().await.map_err(StoreError::from)?;
                Ok(customer)
            }
            Err(e) => Err(e.into()),
        };
    }
    Err(StoreError::Unavailable("customer upsert kept racing".into()).into())
}

impl Intake<'_> {
    /// Accepts `inbound` once per `key` (when the provider gave an id). Returns the
    /// response body: `respond(accepted)`, or the saved one for a redelivery.
    pub async fn accept_once(
        &self,
        key: Option<String>,
        payload_hash: &str,
        deadline: DateTime<Utc>,
        inbound: InboundMessage,
        respond: impl FnOnce(&Accepted) -> Value,
    ) -> ServiceResult<Value> {
        let Some(key) = key else {
            return Ok(respond(&self.accept(inbound, Utc::now()).await?));
        };
        let guard = match claim(self.idempotency, key, payload_hash, deadline).await? {
            Claim::Proceed(guard) => guard,
            Claim::Completed(saved) => return Ok(saved),
            Claim::InProgress => return Err(ServiceError::InProgress { what: "this message".into() }),
            Claim::PayloadMismatch => {
                return Err(ServiceError::invalid(
                    "external_id",
                    "external_id was already used for a different message",
                ));
            }
        };
        let result = self.accept(inbound, Utc::now()).await.map(|a| respond(&a));
        guard.settle(&result, Value::clone).await;
        result
    }

    /// Stores an inbound message and queues its processing.
    pub async fn accept(&self, m: InboundMessage, now: DateTime<Utc>) -> ServiceResult<Accepted> {
        if m.email.is_none() && m.phone.is_none() {
            return Err(no_contact());
        }
        if let Some(pid) = &m.provider_message_id
            && let Some(existing) = self.mongo.messages().by_provider_id(pid).await?
        {
            return Ok(self.redelivered(existing).await);
        }
        let (customer, lead, lead_created) = {
            let mut conn = self.db.conn().await?;
            let mut tx = conn.transaction().await.map_err(StoreError::from)?;
            let customer = upsert_customer(&mut tx, fields_of(&m), m.channel).await?;
            let (lead, created) = leads::ensure_open(&tx, customer.id, m.channel).await?;
            // An auto-reply is not the customer writing: their last word (what follow-ups
            // and scoring read as "replied") stays where it was.
            if !m.auto_submitted {
                leads::touch_inbound(&tx, lead.id, now).await?;
                let inbound = Direction::Inbound;
                crate::store::conversations::record_activity(&tx, customer.id, inbound, m.channel, now).await?;
            }
            if created {
                let event = Event::LeadCreated(LeadCreated {
                    lead_id: lead.id,
                    customer_id: customer.id,
                    source_channel: Some(m.channel),
                });
                record(&tx, vec![event], now).await?;
            }
            tx.commit().await.map_err(StoreError::from)?;
            (customer, lead, created)
        };
        if lead_created {
            self.relay.nudge().await;
            self.follow_on.sync_salesforce(lead.id).await;
        }
        let message = Message {
            id: Uuid::now_v7(),
            customer_id: customer.id,
            lead_id: Some(lead.id),
            channel: m.channel,
            direction: Direction::Inbound,
            content: m.content,
            subject: m.subject,
            ai_response: None,
            processed: false,
            provider_message_id: m.provider_message_id,
            delivery_status: None,
            delivery_error: None,
            analysis: None,
            chat_session: m.chat_session,
            in_reply_to: None,
            attachments: Vec::new(),
            auto_submitted: m.auto_submitted,
            author: Author::CUSTOMER,
            created_at: now,
        };
        match self.mongo.messages().insert(&message).await? {
            Inserted::Duplicate(existing) => Ok(self.redelivered(existing).await),
            Inserted::New(stored) => {
                self.enqueue(stored.id).await;
                Ok(Accepted { message_id: stored.id, customer_id: customer.id, lead_id: lead.id, duplicate: false })
            }
        }
    }

    /// A redelivered message: nothing new is stored; one still unprocessed is queued again.
    async fn redelivered(&self, existing: Message) -> Accepted {
        if !existing.processed {
            self.enqueue(existing.id).await;
        }
        Accepted {
            message_id: existing.id,
            customer_id: existing.customer_id,
            lead_id: existing.lead_id.unwrap_or_default(),
            duplicate: true,
        }
    }

    /// Queues processing. A failure is logged, not returned: the message is stored and the
    /// sweep queues unprocessed messages again, so it is late, never lost.
    async fn enqueue(&self, message_id: Uuid) {
        if let Err(e) = self.jobs.enqueue(&Job::ProcessMessage { message_id }).await {
            tracing::warn!(%message_id, error = %e, "could not queue the message; the sweep will retry");
            return;
        }
        // Without the stamp the sweep would queue a copy while this job is still in flight.
        if let Err(e) = self.mongo.messages().mark_queued(message_id, chrono::Utc::now()).await {
            tracing::warn!(%message_id, error = %e, "could not record that the message was queued");
        }
    }
}
