//! What staff and the chat widget read and write of conversations.

use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::Conversations;
use crate::domain::access::Actor;
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Author, AuthorKind, Channel, Message};
use crate::services::actor;
use crate::services::delivery::{Draft, opted_out};
use crate::services::{ServiceError, ServiceResult};
use crate::store::mongo::MessageFilter;
use crate::store::{Page, PageRequest, StoreError, api_keys, conversations, customers, leads, users};

/// A message an agent writes to a customer.
#[derive(Debug)]
pub struct StaffMessage {
    pub customer_id: Uuid,
    pub channel: Channel,
    pub content: LongText,
    pub subject: Option<ShortText>,
}

impl Conversations<'_> {
    pub async fn list(&self, filter: &MessageFilter, page: &PageRequest) -> ServiceResult<Page<Message>> {
        Ok(self.mongo.messages().list(filter, page).await?)
    }

    pub async fn get(&self, id: Uuid) -> ServiceResult<Message> {
        self.mongo.messages().get(id).await?.ok_or(ServiceError::NotFound { what: "message" })
    }

    /// The widget's view of its chat session, newest first; how messages were classified
    /// stays with the staff.
    pub async fn chat_history(&self, session: Uuid, page: &PageRequest) -> ServiceResult<Page<Message>> {
        let filter = MessageFilter { chat_session: Some(session), ..Default::default() };
        let mut messages = self.mongo.messages().list(&filter, page).await?;
        for m in &mut messages.items {
            m.analysis = None;
            m.author = m.author.as_seen_by_customer();
        }
        Ok(messages)
    }

    /// The chat session a staff chat message joins: the customer's latest one.
    async fn latest_chat_session(&self, customer_id: Uuid) -> ServiceResult<Option<Uuid>> {
        let filter =
            MessageFilter { customer_id: Some(customer_id), channel: Some(Channel::Chat), ..Default::default() };
        let latest = self.mongo.messages().list(&filter, &PageRequest { limit: 1, cursor: None }).await?;
        Ok(latest.items.into_iter().find_map(|m| m.chat_session))
    }

    /// An agent's message: sent on the channel, stored, AI replies paused for a while,
    /// and the lead's hand-over flag cleared (an agent has taken the conversation).
    pub async fn send_by_staff(&self, m: StaffMessage) -> ServiceResult<Message> {
        let channel = m.channel;
        if !channel.can_send() {
            return Err(ServiceError::BadRequest {
                field: Some("channel".into()),
                message: format!("messages cannot be sent on the {channel} channel"),
            });
        }
        let conn = self.db.conn().await?;
        let customer = customers::get_by_id(&*conn, m.customer_id)
            .await
            .map_err(|e| ServiceError::from(e).not_found_as("customer_id", "customer"))?;
        if channel.address_kind().is_some() && channel.address_of(&customer).is_none() {
            return Err(ServiceError::invalid(
                "channel",
                format!("the customer has no {} to send {channel} to", channel_address_name(channel)),
            ));
        }
        if opted_out(&*conn, channel, &customer).await? {
            return Err(ServiceError::invalid("channel", format!("the customer opted out of {channel}")));
        }
        let lead = leads::open_for_customer(&*conn, customer.id).await?;
        let author = staff_author(&*conn).await?;
        drop(conn);
        let chat_session = match channel {
            Channel::Chat => Some(
                self.latest_chat_session(customer.id)
                    .await?
                    .ok_or_else(|| ServiceError::invalid("channel", "the customer has no chat session to write to"))?,
            ),
            Channel::Sms | Channel::Email | Channel::Form => None,
        };
        let id = Uuid::now_v7();
        let draft = Draft {
            id,
            channel,
            text: m.content.into_string(),
            subject: m.subject.map(ShortText::into_string),
            ai_response: None,
            lead_id: lead.map(|l| l.id),
            in_reply_to: None,
            chat_session,
            ignore_opt_out: false,
            attachments: Vec::new(),
            author,
        };
        let message = match self.delivery.deliver(&customer, draft).await {
            Ok(m) => m,
            Err(e) => {
                // Nobody retries a staff send: the message is failed, and the agent told.
                if let Err(mark) = self.delivery.give_up(id).await {
                    tracing::warn!(message_id = %id, error = %mark, "could not mark the message failed");
                }
                return Err(e);
            }
        };
        let until = chrono::Utc::now() + self.ai_pause;
        let conn = self.db.conn().await?;
        conversations::pause_ai(&*conn, customer.id, until).await?;
        if let Some(lead) = leads::open_for_customer(&*conn, customer.id).await? {
            leads::set_handoff(&*conn, lead.id, None).await?;
        }
        Ok(message)
    }
}

/// The caller of the current request as the author of what they send: a user by name,
/// an API key by its name.
async fn staff_author(c: &impl GenericClient) -> ServiceResult<Author> {
    let staff = |name: Option<String>, user_id: Option<Uuid>| Author { kind: AuthorKind::Staff, name, user_id };
    Ok(match actor::current() {
        Some(Actor::User { id }) => match users::get_user(c, id).await {
            Ok(user) => staff(Some(user.name.into_string()), Some(id)),
            // Deleted while their request ran: the message is still theirs.
            Err(StoreError::NotFound(_)) => staff(None, Some(id)),
            Err(e) => return Err(e.into()),
        },
        Some(Actor::ApiKey { id }) => staff(api_keys::name_of(c, id).await?, None),
        Some(Actor::BootstrapKey { index }) => staff(Some(format!("bootstrap key {index}")), None),
        // An identity provider's subject is an opaque id, not a name to show.
        Some(Actor::External { .. } | Actor::LocalOperator) | None => staff(None, None),
    })
}

fn channel_address_name(channel: Channel) -> &'static str {
    match channel.address_kind() {
        Some(crate::domain::channel::AddressKind::Phone) => "phone",
        Some(crate::domain::channel::AddressKind::Email) => "email",
        None => "address",
    }
}
