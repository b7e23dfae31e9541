//! Events about a conversation as a whole.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::HandoffReason;

/// Staff handed a conversation back to the AI: its pause after a staff reply ended
/// early and the open lead's hand-over flag was cleared. Only a call that changed
/// something records one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationAiResumed {
    pub customer_id: Uuid,
    /// The open lead, when there is one.
    pub lead_id: Option<Uuid>,
    /// The pause that was lifted, if AI replies were paused.
    pub paused_until: Option<DateTime<Utc>>,
    /// The hand-over that was cleared, if the lead was flagged.
    pub handoff_reason: Option<HandoffReason>,
}
