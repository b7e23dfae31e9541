//! Use-cases, one module per feature. A service function is the one place a use-case
//! lives: API handlers extract input, call one service and map the result; job hosts
//! turn a `Job` into one service call. Each service takes the narrow dependencies it
//! needs (never the whole application state; `app.rs` hands them out), returns `ServiceError`,
//! and writes its events to the outbox in the transaction of the change.

pub mod accounts;
pub mod actor;
pub mod analytics;
pub mod api_keys;
pub mod bookings;
pub mod conversations;
pub mod customers;
pub mod delivery;
pub mod emergencies;
mod error;
pub mod follow_ups;
pub mod intake;
pub mod integrations;
pub mod leads;
pub mod maintenance;
pub mod provider_status;
pub mod qualification;
pub mod relay;
pub mod routing;
pub mod settings;
pub mod suppressions;
pub mod tasks;
pub mod teams;
pub mod users;
pub mod webhooks;

pub use error::{BoxError, FieldContext, ServiceError, ServiceResult};
pub use relay::Relay;

/// Lists page the same way everywhere.
pub use crate::store::{Page, PageRequest};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{Event, EventEnvelope};
use crate::queue::{Job, JobQueue, SlackSubject};
use crate::store::StoreError;

/// Jobs a change sets off (Slack, Salesforce, routing) whose queueing must not fail the
/// change itself: a failure to queue is logged, and the schedule or a later change
/// catches up.
#[derive(Clone, Copy)]
pub struct FollowOn<'a> {
    pub jobs: &'a dyn JobQueue,
    /// Whether Salesforce is configured (else no sync jobs are queued).
    pub salesforce: bool,
}

impl FollowOn<'_> {
    pub async fn queue(&self, job: Job) {
        if let Err(e) = self.jobs.enqueue(&job).await {
            tracing::warn!(job = job.name(), error = %e, "could not queue a follow-on job");
        }
    }

    pub async fn sync_salesforce(&self, lead_id: Uuid) {
        if self.salesforce {
            self.queue(Job::SyncSalesforce { lead_id }).await;
        }
    }

    pub async fn notify_slack(&self, about: SlackSubject) {
        self.queue(Job::NotifySlack { about }).await;
    }
}

/// Wraps events for the outbox, stamped `now` and with the staff caller the request
/// runs for (see [`actor`]).
pub(crate) fn envelopes(events: Vec<Event>, now: DateTime<Utc>) -> Vec<EventEnvelope> {
    let actor = actor::current();
    events.into_iter().map(|e| EventEnvelope { actor: actor.clone(), ..EventEnvelope::new(e, now) }).collect()
}

/// Writes `events` to the outbox inside `tx`.
pub(crate) async fn record(
    tx: &tokio_postgres::Transaction<'_>,
    events: Vec<Event>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if events.is_empty() {
        return Ok(false);
    }
    crate::store::outbox::append(tx, &envelopes(events, now)).await?;
    Ok(true)
}
