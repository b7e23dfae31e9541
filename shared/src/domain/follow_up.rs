//! Follow-up messages: one step of a lead's sequence run, or one scheduled by hand.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::Channel;
use super::sequence::{FollowUpStatus, Template};

/// What a follow-up says: a template filled in when it is sent, or a message the AI
/// engine writes then from the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUpContent {
    Template(Template),
    Personalised,
}

impl FollowUpContent {
    pub fn kind(&self) -> &'static str {
        match self {
            FollowUpContent::Template(_) => "template",
            FollowUpContent::Personalised => "personalised",
        }
    }

    /// The stored text: the template, or nothing for a personalised message.
    pub fn text(&self) -> &str {
        match self {
            FollowUpContent::Template(t) => t.as_str(),
            FollowUpContent::Personalised => "",
        }
    }
}

impl Serialize for FollowUpContent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FollowUpContent::Template(t) => s.serialize_str(t.as_str()),
            FollowUpContent::Personalised => s.serialize_none(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub customer_id: Uuid,
    /// The sequence run it is a step of; none for one scheduled by hand.
    pub run_id: Option<Uuid>,
    pub sequence_id: Option<Uuid>,
    pub step: i32,
    /// The channel it goes out on.
    pub channel: Channel,
    pub status: FollowUpStatus,
    /// When it is due (already moved into the recipient's send window).
    pub scheduled_time: DateTime<Utc>,
    #[serde(rename = "template")]
    pub content: FollowUpContent,
    pub personalised: bool,
    pub subject: Option<String>,
    pub queued_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub provider_message_id: Option<String>,
    /// The id of the message it was sent as (in the conversation).
    pub message_id: Uuid,
    /// Why it was skipped, failed or cancelled.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The id of the conversation message a follow-up is sent as: derived, so a retried
/// send finds the message it staged.
pub fn message_id_of(follow_up_id: Uuid) -> Uuid {
    Uuid::new_v5(&follow_up_id, b"follow-up")
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewFollowUp {
    pub lead_id: Uuid,
    pub customer_id: Uuid,
    pub run_id: Option<Uuid>,
    pub step: i32,
    pub channel: Channel,
    pub scheduled_time: DateTime<Utc>,
    pub content: FollowUpContent,
    pub subject: Option<String>,
}
