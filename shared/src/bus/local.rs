//! The in-process bus: a broadcast channel that local subscribers (and tests) listen on.

use tokio::sync::broadcast;

use super::{BusError, EventBus, EventEnvelope};

#[derive(Clone)]
pub struct LocalBus {
    tx: broadcast::Sender<EventEnvelope>,
}

impl Default for LocalBus {
    fn default() -> Self {
        Self { tx: broadcast::channel(1024).0 }
    }
}

impl LocalBus {
    pub fn subscribe(&self) -> broadcast::Receiver<EventEnvelope> {
        self.tx.subscribe()
    }
}

#[async_trait::async_trait]
impl EventBus for LocalBus {
    async fn publish(&self, events: &[EventEnvelope]) -> Result<(), BusError> {
        for e in events {
            // No subscriber is fine: events are also recorded in MongoDB.
            let _ = self.tx.send(e.clone());
        }
        Ok(())
    }
}
