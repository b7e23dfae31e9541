//! MERGE: replaced by the follow-up writer's own types when its branch is merged.
use chrono::{DateTime, Utc};

use crate::domain::{Channel, Customer, Message, Settings};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpPurpose {
    NoReply,
    NoShow,
    QuoteSent,
    Manual,
}

pub struct FollowUpContext<'a> {
    pub settings: &'a Settings,
    pub customer: &'a Customer,
    pub history: &'a [Message],
    pub channel: Channel,
    pub purpose: FollowUpPurpose,
    pub step: u32,
    pub steps: usize,
    pub now: DateTime<Utc>,
}
