//! Scheduled follow-up messages of a lead's sequence.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::Channel;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub customer_id: Uuid,
    /// The channel the follow-up goes out on.
    pub message_type: Channel,
    pub step: i32,
    pub scheduled_time: DateTime<Utc>,
    pub content: String,
    pub sent: bool,
    pub sent_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewFollowUp {
    pub lead_id: Uuid,
    pub customer_id: Uuid,
    pub message_type: Channel,
    pub step: i32,
    pub scheduled_time: DateTime<Utc>,
    pub content: String,
}
