//! Channels: inbound parsing and signature checks per provider, each producing one
//! [`InboundMessage`]; outbound senders per provider behind [`Sender`].

pub mod auto_reply;
pub mod calendly;
pub mod email_text;
pub mod ics;
pub mod inbound_parse;
pub mod outbound;
pub mod sendgrid;
pub mod sendgrid_events;
pub mod stripe;
mod timestamped_hmac;
pub mod twilio;
pub mod twilio_status;
pub mod watched;

use std::collections::BTreeMap;

use crate::domain::{Channel, Email, Phone};

/// A message as it arrived, whatever the channel, before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    pub channel: Channel,
    pub content: String,
    pub subject: Option<String>,
    pub name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    /// The provider's id of this message, namespaced by source (`twilio:SM...`,
    /// `email:<...>`, `receive:...`): the key that makes redeliveries harmless.
    pub provider_message_id: Option<String>,
    /// The website chat session (chat only).
    pub chat_session: Option<uuid::Uuid>,
    /// Form fields, when the message came from a web form.
    pub fields: BTreeMap<String, String>,
    /// Sent by a machine, not typed by the customer (an e-mail out-of-office reply).
    pub auto_submitted: bool,
}

pub use outbound::{Attachment, Lookup, Outbound, SendError, SendReceipt, Sender, Senders};
