//! Emitting domain events: recorded in MongoDB (the audit trail), then published on the
//! bus. A bus failure never fails the caller: the events are queued for another try.

use crate::app::AppState;
use crate::bus::DomainEvent;
use crate::queue::Job;
use crate::store::mongo::EventRecord;

pub async fn emit(state: &AppState, events: Vec<DomainEvent>) {
    if events.is_empty() {
        return;
    }
    let store = state.mongo.events();
    for e in &events {
        let record = EventRecord {
            id: e.id,
            event_type: e.event_type.clone(),
            subject_id: e.subject_id,
            data: e.data.clone(),
            occurred_at: e.occurred_at,
        };
        if let Err(err) = store.record(&record).await {
            tracing::warn!(event = %e.event_type, error = %err, "could not record the event");
        }
    }
    if let Err(err) = state.bus.publish(&events).await {
        tracing::warn!(error = %err, count = events.len(), "event bus refused events; queued for retry");
        if let Err(qe) = state.queue.enqueue(&Job::PublishEvents { events }).await {
            tracing::error!(error = %qe, "events could not be queued for retry; they stay recorded in MongoDB");
        }
    }
}
