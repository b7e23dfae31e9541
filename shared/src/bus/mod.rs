//! Domain events (`lead.created`, `lead.qualified`, `lead.status_changed`, `task.created`,
//! `task.assigned`, ...): recorded in MongoDB's `events` collection and published to a
//! bus: EventBridge in AWS, an in-process broadcast locally.

mod eventbridge;
mod local;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

pub use eventbridge::EventBridgeBus;
pub use local::LocalBus;

/// The `source` of every event Leadflow publishes.
pub const SOURCE: &str = "leadflow";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainEvent {
    pub id: Uuid,
    /// `lead.created`, `task.assigned`, ...
    pub event_type: String,
    /// The lead or task the event is about.
    pub subject_id: Uuid,
    pub data: Value,
    pub occurred_at: DateTime<Utc>,
}

impl DomainEvent {
    pub fn new(event_type: &str, subject_id: Uuid, data: Value) -> Self {
        Self { id: Uuid::now_v7(), event_type: event_type.to_owned(), subject_id, data, occurred_at: Utc::now() }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("event bus: {0}")]
pub struct BusError(pub String);

#[async_trait::async_trait]
pub trait EventBus: Send + Sync {
    /// Publishes every event or fails; a failure may leave some published (consumers
    /// deduplicate on the event id).
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), BusError>;
}
