//! Events of follow-up sequences.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::Channel;
use crate::domain::sequence::{RunEndReason, SequenceTrigger};

/// Why a follow-up was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "reason")]
pub enum SkipReason {
    /// A stop rule ended the run just before sending.
    Stopped(RunEndReason),
    /// The customer has no address on the step's channel.
    NoAddress,
    /// The channel's provider is not configured on this deployment.
    ChannelNotConfigured,
    /// No time in the send window within two weeks (business hours always closed).
    NoSendWindow,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Stopped(r) => write!(f, "the sequence stopped: {r}"),
            SkipReason::NoAddress => f.write_str("the customer has no address on this channel"),
            SkipReason::ChannelNotConfigured => f.write_str("the channel's provider is not configured"),
            SkipReason::NoSendWindow => f.write_str("no time in the send window within two weeks"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpSent {
    pub follow_up_id: Uuid,
    pub lead_id: Uuid,
    pub customer_id: Uuid,
    pub sequence_id: Option<Uuid>,
    pub step: i32,
    pub channel: Channel,
    /// The conversation message it went out as.
    pub message_id: Uuid,
    pub provider_message_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpSkipped {
    pub follow_up_id: Uuid,
    pub lead_id: Uuid,
    pub sequence_id: Option<Uuid>,
    pub step: i32,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpFailed {
    pub follow_up_id: Uuid,
    pub lead_id: Uuid,
    pub sequence_id: Option<Uuid>,
    pub step: i32,
    pub channel: Channel,
    /// What the provider said.
    pub error: String,
    /// The address itself is dead (a bounce, an invalid number): the run stops.
    pub recipient_undeliverable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceEnrolled {
    pub run_id: Uuid,
    pub sequence_id: Uuid,
    pub lead_id: Uuid,
    pub customer_id: Uuid,
    pub trigger: SequenceTrigger,
    /// Set when staff enrolled the lead by hand.
    pub by_staff: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceStopped {
    pub run_id: Uuid,
    pub sequence_id: Uuid,
    pub lead_id: Uuid,
    pub customer_id: Uuid,
    pub reason: RunEndReason,
}
