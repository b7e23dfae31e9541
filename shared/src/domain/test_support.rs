//! Records for unit tests: a customer and an inbound message with every field set to
//! its plain default, so a test names only what it is about.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::text::ShortText;
use super::{Channel, Customer, Direction, Message};

pub(crate) fn customer(name: Option<&str>, now: DateTime<Utc>) -> Customer {
    Customer {
        id: Uuid::now_v7(),
        name: name.map(ShortText::literal),
        email: None,
        phone: None,
        company: None,
        business_type: None,
        location: None,
        time_zone: None,
        created_at: now,
        updated_at: now,
    }
}

pub(crate) fn inbound(customer_id: Uuid, channel: Channel, content: &str, at: DateTime<Utc>) -> Message {
    Message {
        id: Uuid::now_v7(),
        customer_id,
        lead_id: None,
        channel,
        direction: Direction::Inbound,
        content: content.into(),
        subject: None,
        ai_response: None,
        processed: false,
        provider_message_id: None,
        delivery_status: None,
        delivery_error: None,
        analysis: None,
        chat_session: None,
        in_reply_to: None,
        attachments: Vec::new(),
        auto_submitted: false,
        author: super::Author::CUSTOMER,
        created_at: at,
    }
}
