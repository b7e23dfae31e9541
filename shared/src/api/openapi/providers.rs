//! What the providers post to the webhooks, as far as Leadflow reads it. These types
//! only describe the bodies: the handlers read them from the signed raw bytes.

#![allow(dead_code)] // descriptions, never built

use serde::Serialize;
use utoipa::ToSchema;

/// Twilio's incoming-message webhook (form-encoded), signed with `X-Twilio-Signature`.
#[derive(Serialize, ToSchema)]
#[schema(as = TwilioIncomingSms)]
pub(crate) struct TwilioIncomingSms {
    #[serde(rename = "MessageSid")]
    message_sid: String,
    #[serde(rename = "AccountSid")]
    account_sid: Option<String>,
    /// The sender, E.164.
    #[serde(rename = "From")]
    from: String,
    #[serde(rename = "To")]
    to: Option<String>,
    #[serde(rename = "Body")]
    body: String,
    #[serde(rename = "NumMedia")]
    num_media: Option<String>,
}

/// Twilio's status callback of a sent SMS (form-encoded), signed like the others.
#[derive(Serialize, ToSchema)]
pub(crate) struct TwilioStatusCallback {
    #[serde(rename = "MessageSid")]
    message_sid: String,
    #[serde(rename = "MessageStatus")]
    message_status: String,
    #[serde(rename = "AccountSid")]
    account_sid: Option<String>,
    #[serde(rename = "To")]
    to: Option<String>,
    #[serde(rename = "ErrorCode")]
    error_code: Option<String>,
}

/// SendGrid Inbound Parse (multipart/form-data). Either the parsed fields or, in raw
/// mode, the whole message in `email`; attachments are not kept.
#[derive(Serialize, ToSchema)]
pub(crate) struct SendGridInbound {
    from: Option<String>,
    to: Option<String>,
    subject: Option<String>,
    text: Option<String>,
    html: Option<String>,
    headers: Option<String>,
    /// The raw MIME message (raw mode).
    email: Option<String>,
    /// The charset of each field, as JSON.
    charsets: Option<String>,
    envelope: Option<String>,
}

/// One event of SendGrid's signed Event Webhook (the body is an array of them).
#[derive(Serialize, ToSchema)]
pub(crate) struct SendGridEvent {
    event: String,
    email: String,
    timestamp: i64,
    sg_message_id: Option<String>,
    reason: Option<String>,
}

/// Calendly webhook v2: `invitee.created` or `invitee.canceled` with its invitee.
#[derive(Serialize, ToSchema)]
pub(crate) struct CalendlyWebhook {
    event: String,
    #[schema(value_type = Object)]
    payload: serde_json::Value,
}

/// A Stripe event (`object: "event"`) whose `data.object` is a Checkout Session.
#[derive(Serialize, ToSchema)]
pub(crate) struct StripeWebhookEvent {
    /// `evt_...`
    id: String,
    object: String,
    #[serde(rename = "type")]
    event_type: String,
    api_version: Option<String>,
    created: i64,
    livemode: bool,
    #[schema(value_type = Object)]
    data: serde_json::Value,
}
