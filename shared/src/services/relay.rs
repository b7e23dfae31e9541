//! The outbox relay: publishes the events services wrote to the outbox. Each pending
//! event is recorded in MongoDB's `events` (the audit trail, keyed by the event id) and
//! published on the bus, then marked published in the transaction that also makes its
//! webhook deliveries (so no published event misses them), whose jobs are queued after. Run after each commit (`nudge`) and by
//! the schedule tick, so an event whose first run failed or never happened (the process
//! died after the commit) goes out later. At-least-once with a stable id; one relay at a
//! time (an advisory lock), in outbox order, so events of a subject stay in order.

use std::sync::Arc;

use chrono::Utc;

use super::{ServiceError, ServiceResult};
use uuid::Uuid;

use crate::bus::EventBus;
use crate::domain::EventEnvelope;
use crate::queue::{Job, JobQueue};
use crate::store::mongo::{EventRecord, EventStore, Mongo};
use crate::store::{Db, StoreError, outbox, webhook_deliveries};

const BATCH: i64 = 100;
/// Serialises relays across processes (the key is "OUTBOXLF" in ASCII).
const LOCK: &str = "SET LOCAL lock_timeout = '5s'; SELECT pg_advisory_xact_lock(5716567945792474182)";

#[derive(Clone)]
pub struct Relay {
    db: Db,
    events: EventStore,
    bus: Arc<dyn EventBus>,
    jobs: Arc<dyn JobQueue>,
}

impl Relay {
    pub fn new(db: Db, mongo: &Mongo, bus: Arc<dyn EventBus>, jobs: Arc<dyn JobQueue>) -> Self {
        Self { db, events: mongo.events(), bus, jobs }
    }

    /// Publishes every pending event; returns how many went out.
    pub async fn run(&self) -> ServiceResult<usize> {
        let mut total = 0;
        loop {
            let mut conn = self.db.conn().await?;
            let tx = conn.transaction().await.map_err(StoreError::from)?;
            tx.batch_execute(LOCK).await.map_err(StoreError::from)?;
            let batch = outbox::claim(&tx, BATCH).await?;
            if batch.is_empty() {
                tx.commit().await.map_err(StoreError::from)?;
                return Ok(total);
            }
            let seqs: Vec<i64> = batch.iter().map(|p| p.seq).collect();
            let envelopes: Vec<EventEnvelope> = batch.into_iter().map(|p| p.event).collect();
            if let Err(e) = self.deliver(&envelopes).await {
                outbox::mark_failed(&tx, &seqs, &e.to_string()).await?;
                tx.commit().await.map_err(StoreError::from)?;
                return Err(e);
            }
            let now = Utc::now();
            let deliveries = webhook_deliveries::fan_out(&tx, &envelopes, now).await?;
            outbox::mark_published(&tx, &seqs, now).await?;
            tx.commit().await.map_err(StoreError::from)?;
            self.queue_deliveries(deliveries).await;
            total += seqs.len();
            if i64::try_from(seqs.len()).unwrap_or(i64::MAX) < BATCH {
                return Ok(total);
            }
        }
    }

    /// Queues the first attempt of new deliveries; one not queued is queued by the
    /// schedule once its grace has passed.
    async fn queue_deliveries(&self, ids: Vec<Uuid>) {
        if ids.is_empty() {
            return;
        }
        let jobs: Vec<(Job, std::time::Duration)> = ids
            .into_iter()
            .map(|delivery_id| (Job::DeliverWebhook { delivery_id }, std::time::Duration::ZERO))
            .collect();
        if let Err(e) = self.jobs.enqueue_batch(&jobs).await {
            tracing::warn!(error = %e, "webhook deliveries not queued; the schedule will queue them");
        }
    }

    async fn deliver(&self, envelopes: &[EventEnvelope]) -> ServiceResult<()> {
        for e in envelopes {
            self.events.record(&EventRecord::from(e)).await?;
        }
        self.bus.publish(envelopes).await.map_err(|e| ServiceError::unavailable("event bus", e))
    }

    /// Called after a commit that wrote events: publishes them now. A failure is logged;
    /// the events stay in the outbox for the schedule's run.
    pub async fn nudge(&self) {
        if let Err(e) = self.run().await {
            tracing::warn!(error = %e, "events stay in the outbox for the next relay run");
        }
    }
}
