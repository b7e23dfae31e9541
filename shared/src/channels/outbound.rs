//! Sending a message to a customer. Each provider is a [`Sender`]; a channel whose
//! provider is not configured has none, and the message is stored as `skipped`.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::Channel;

#[derive(Debug, Clone, PartialEq)]
pub struct Outbound {
    /// The staged message's id: sent to the provider where it keeps one (SendGrid's
    /// `custom_args`), so an attempt that died can be looked up instead of repeated.
    pub id: uuid::Uuid,
    pub channel: Channel,
    /// E.164 number for SMS, address for e-mail.
    pub to: String,
    pub subject: Option<String>,
    pub body: String,
    /// The provider id of the message this answers (e-mail threading).
    pub in_reply_to: Option<String>,
    /// Files sent with an e-mail (a calendar invite, say). SMS carries none: the Twilio
    /// sender sends the text alone.
    pub attachments: Vec<Attachment>,
}

/// A file attached to an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// The full MIME type, parameters included: `text/calendar; method=REQUEST; charset=UTF-8`.
    pub content_type: String,
    pub content: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReceipt {
    pub provider_message_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The provider refused the message; sending it again will not help.
    #[error("{provider} refused the message ({status}): {message}")]
    Rejected {
        provider: &'static str,
        status: u16,
        /// The provider's own error code, when it gave one.
        code: Option<String>,
        message: String,
        /// The address cannot receive at all (invalid, unsubscribed, not a mobile number).
        recipient_undeliverable: bool,
    },
    /// The provider could not be reached or failed; a later attempt may succeed.
    #[error("{provider} unavailable: {message}")]
    Unavailable { provider: &'static str, message: String },
    /// The request may have reached the provider but no answer came back (a timeout, a
    /// dropped connection): it may have been accepted.
    #[error("{provider} did not answer: {message}")]
    Uncertain { provider: &'static str, message: String },
}

impl SendError {
    /// A failed request: `Unavailable` when it never left (no connection), else `Uncertain`.
    pub fn from_request(provider: &'static str, e: &reqwest::Error) -> Self {
        let message = e.to_string();
        if e.is_connect() || e.is_builder() {
            SendError::Unavailable { provider, message }
        } else {
            SendError::Uncertain { provider, message }
        }
    }
}

/// Whether the provider holds a message an earlier attempt sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(SendReceipt),
    NotFound,
    /// The provider offers no way to tell (or would not say): resending could duplicate.
    Unknown,
}

#[async_trait::async_trait]
pub trait Sender: Send + Sync {
    async fn send(&self, message: &Outbound) -> Result<SendReceipt, SendError>;

    /// Looks for `message` among what the provider accepted since `since` (an attempt
    /// that died after asking). Providers without a lookup answer `Unknown`.
    async fn find_sent(&self, message: &Outbound, since: DateTime<Utc>) -> Result<Lookup, SendError> {
        let _ = (message, since);
        Ok(Lookup::Unknown)
    }
}

/// The configured sender of each channel that goes through a provider.
#[derive(Clone, Default)]
pub struct Senders {
    pub sms: Option<Arc<dyn Sender>>,
    pub email: Option<Arc<dyn Sender>>,
}

impl Senders {
    /// The sender for a channel, or why there is none. Chat and form replies are stored
    /// for the widget to fetch and need no provider.
    pub fn for_channel(&self, channel: Channel) -> Result<Option<&Arc<dyn Sender>>, &'static str> {
        match channel {
            Channel::Sms => self
                .sms
                .as_ref()
                .map(Some)
                .ok_or("Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER)"),
            Channel::Email => self
                .email
                .as_ref()
                .map(Some)
                .ok_or("SendGrid is not configured (SENDGRID_API_KEY, SENDGRID_FROM_EMAIL)"),
            Channel::Chat | Channel::Form => Ok(None),
        }
    }
}

/// A provider's error code from its JSON error body (Twilio's `code`).
pub(crate) fn error_code(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let code = v.get("code")?;
    code.as_u64().map(|n| n.to_string()).or_else(|| code.as_str().map(str::to_owned))
}

/// Reads a provider's error body for the message, without echoing huge bodies.
pub(crate) fn error_text(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let message = parsed.as_ref().and_then(|v| {
        v.get("message")
            .and_then(|m| m.as_str())
            .map(str::to_owned)
            .or_else(|| v.pointer("/errors/0/message").and_then(|m| m.as_str()).map(str::to_owned))
    });
    message.unwrap_or_else(|| body.chars().take(300).collect())
}
