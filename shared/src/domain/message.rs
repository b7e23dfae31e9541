//! Messages of a conversation, inbound from the customer or outbound to them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Analysis;
use super::macros::string_enum;

string_enum!(Channel { Sms => "sms", Email => "email", Chat => "chat", Form => "form" });
string_enum!(Direction { Inbound => "inbound", Outbound => "outbound" });
string_enum!(
    /// What happened to an outbound message at its provider.
    /// `sending` is held while the provider is being asked: a message found `sending`
    /// after its lease ran out may have been accepted, so it is looked up, not resent.
    DeliveryStatus {
        Pending => "pending",
        Sending => "sending",
        Sent => "sent",
        Delivered => "delivered",
        Failed => "failed",
        Skipped => "skipped",
    }
);

string_enum!(
    /// Who wrote a message: the customer (every inbound one), Leadflow's AI (a reply),
    /// a person on the staff sending by hand, or Leadflow itself (follow-ups, booking
    /// notices and reminders, keyword confirmations).
    AuthorKind { Customer => "customer", Ai => "ai", Staff => "staff", System => "system" }
);

/// Who wrote a message, as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Author {
    pub kind: AuthorKind,
    /// A staff user's name, or an API key's name; `null` for the other kinds.
    pub name: Option<String>,
    /// The staff user who sent it; `null` for an API key and the other kinds.
    pub user_id: Option<Uuid>,
}

impl Author {
    pub const CUSTOMER: Author = Author { kind: AuthorKind::Customer, name: None, user_id: None };
    pub const AI: Author = Author { kind: AuthorKind::Ai, name: None, user_id: None };
    pub const SYSTEM: Author = Author { kind: AuthorKind::System, name: None, user_id: None };

    /// What a customer may see of who wrote: a staff user's name, never an id, and never
    /// an API key's name (an internal label such as "zapier prod").
    #[must_use]
    pub fn as_seen_by_customer(&self) -> Author {
        let name = match self.kind {
            AuthorKind::Staff if self.user_id.is_some() => self.name.clone(),
            AuthorKind::Staff | AuthorKind::Customer | AuthorKind::Ai | AuthorKind::System => None,
        };
        Author { kind: self.kind, name, user_id: None }
    }

    /// For a message stored before authors were recorded: inbound is the customer's, an
    /// outbound one with the AI's text is the AI's, and the rest is Leadflow's own (staff
    /// sends of that time cannot be told from it).
    pub fn inferred(direction: Direction, ai_response: Option<&str>) -> Author {
        match (direction, ai_response) {
            (Direction::Inbound, _) => Author::CUSTOMER,
            (Direction::Outbound, Some(_)) => Author::AI,
            (Direction::Outbound, None) => Author::SYSTEM,
        }
    }
}

/// Why an outbound message failed, as the provider (or the delivery path) said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeliveryError {
    /// The provider's error code (Twilio `21211`), when it gave one.
    pub code: Option<String>,
    pub message: String,
    /// The address itself cannot receive (an invalid or unsubscribed number): retrying
    /// or sending more to it is pointless.
    pub recipient_undeliverable: bool,
}

/// A file sent with an outbound e-mail (a calendar invite). Text only: every attachment
/// Leadflow writes is text, and it is stored with the message so a retry sends the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub lead_id: Option<Uuid>,
    pub channel: Channel,
    pub direction: Direction,
    pub content: String,
    pub subject: Option<String>,
    /// For outbound messages written by the AI: the reply as generated.
    pub ai_response: Option<String>,
    pub processed: bool,
    /// The provider's id (Twilio MessageSid, e-mail Message-ID, client external id).
    pub provider_message_id: Option<String>,
    pub delivery_status: Option<DeliveryStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_error: Option<DeliveryError>,
    /// For processed inbound messages: what the analysis decided.
    #[schema(value_type = Option<Object>)]
    pub analysis: Option<Analysis>,
    /// The website chat session the message belongs to (chat only).
    pub chat_session: Option<Uuid>,
    /// For outbound e-mail: the `Message-ID` of the customer's message it answers.
    pub in_reply_to: Option<String>,
    /// Outbound e-mail only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Inbound e-mail its headers (or subject) mark as sent by a machine: an out-of-office
    /// or other auto-reply. Stored and shown, never answered, and not the customer replying.
    pub auto_submitted: bool,
    pub author: Author,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_see_staff_names_but_no_ids_or_key_names() {
        let user = Uuid::now_v7();
        let person = Author { kind: AuthorKind::Staff, name: Some("Ada Admin".into()), user_id: Some(user) };
        assert_eq!(
            person.as_seen_by_customer(),
            Author { kind: AuthorKind::Staff, name: Some("Ada Admin".into()), user_id: None }
        );
        let key = Author { kind: AuthorKind::Staff, name: Some("zapier prod".into()), user_id: None };
        assert_eq!(key.as_seen_by_customer(), Author { kind: AuthorKind::Staff, name: None, user_id: None });
        assert_eq!(Author::AI.as_seen_by_customer(), Author::AI);
    }

    #[test]
    fn authors_of_old_messages_are_inferred_from_direction_and_ai_text() {
        assert_eq!(Author::inferred(Direction::Inbound, None), Author::CUSTOMER);
        assert_eq!(Author::inferred(Direction::Inbound, Some("x")).kind, AuthorKind::Customer);
        assert_eq!(Author::inferred(Direction::Outbound, Some("hi")), Author::AI);
        assert_eq!(Author::inferred(Direction::Outbound, None), Author::SYSTEM);
        let json = serde_json::to_value(Author::AI).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "ai", "name": null, "user_id": null}));
    }
}
