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
    pub created_at: DateTime<Utc>,
}
