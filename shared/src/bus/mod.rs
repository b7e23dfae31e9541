//! The event bus port: where the outbox relay publishes domain events. EventBridge in
//! AWS, an in-process broadcast locally.

mod eventbridge;
mod local;

pub use eventbridge::EventBridgeBus;
pub use local::LocalBus;

pub use crate::domain::event::EventEnvelope;

/// The `source` of every event Leadflow publishes.
pub const SOURCE: &str = "leadflow";

#[derive(Debug, thiserror::Error)]
#[error("event bus: {0}")]
pub struct BusError(pub String);

#[async_trait::async_trait]
pub trait EventBus: Send + Sync {
    /// Publishes every event or fails; a failure may leave some published (consumers
    /// deduplicate on the event id).
    async fn publish(&self, events: &[EventEnvelope]) -> Result<(), BusError>;
}
