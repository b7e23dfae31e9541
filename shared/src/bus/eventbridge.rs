//! EventBridge: `PutEvents` takes at most 10 entries, so events go in batches of 10; the
//! entries EventBridge reports as failed are sent again (three more times, with backoff).

use std::time::Duration;

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::DisplayErrorContext;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;

use super::{BusError, EventBus, EventEnvelope, SOURCE};

const BATCH: usize = 10;
const RETRIES: u32 = 3;

#[derive(Clone)]
pub struct EventBridgeBus {
    client: Client,
    bus_name: String,
}

impl EventBridgeBus {
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        Self { client, bus_name: bus_name.into() }
    }

    fn entry(&self, e: &EventEnvelope) -> PutEventsRequestEntry {
        let subject_id = e.subject_id();
        let detail = e.detail();
        PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(SOURCE)
            .detail_type(e.detail_type())
            .detail(detail.to_string())
            .resources(format!("leadflow:{subject_id}"))
            .time(aws_sdk_eventbridge::primitives::DateTime::from_millis(e.occurred_at.timestamp_millis()))
            .build()
    }

    /// Sends one batch; returns the events EventBridge did not accept.
    async fn put(&self, batch: &[&EventEnvelope]) -> Result<Vec<usize>, BusError> {
        let out = self
            .client
            .put_events()
            .set_entries(Some(batch.iter().map(|e| self.entry(e)).collect()))
            .send()
            .await
            .map_err(|e| BusError(DisplayErrorContext(e).to_string()))?;
        if out.failed_entry_count == 0 {
            return Ok(Vec::new());
        }
        Ok(out.entries().iter().enumerate().filter(|(_, r)| r.error_code().is_some()).map(|(i, _)| i).collect())
    }
}

#[async_trait::async_trait]
impl EventBus for EventBridgeBus {
    async fn publish(&self, events: &[EventEnvelope]) -> Result<(), BusError> {
        for chunk in events.chunks(BATCH) {
            let mut pending: Vec<&EventEnvelope> = chunk.iter().collect();
            for attempt in 0..=RETRIES {
                let failed = self.put(&pending).await?;
                if failed.is_empty() {
                    break;
                }
                if attempt == RETRIES {
                    return Err(BusError(format!("{} event(s) still refused after {RETRIES} retries", failed.len())));
                }
                pending = failed.iter().filter_map(|&i| pending.get(i).copied()).collect();
                tokio::time::sleep(Duration::from_millis(100 * 2u64.pow(attempt))).await;
            }
        }
        Ok(())
    }
}
