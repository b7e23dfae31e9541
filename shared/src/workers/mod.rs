//! Background work: the message pipeline, reply delivery, the sweep, and the hosts that
//! run jobs (the SQS Lambda handler and the in-process worker of `leadflow serve`).

pub mod delivery;
pub mod integrations;
pub mod local;
pub mod messages;
pub mod qualify;
pub mod routing;
pub mod schedule;
pub mod sqs;
pub mod sweep;

use chrono::{DateTime, Duration, Utc};

use crate::app::AppState;
use crate::queue::Job;
use crate::store::StoreError;

/// A job that did not finish; the host retries it (SQS redelivery, local backoff).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct JobError(pub String);

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        JobError(e.to_string())
    }
}

impl From<crate::idempotency::IdempotencyError> for JobError {
    fn from(e: crate::idempotency::IdempotencyError) -> Self {
        JobError(e.to_string())
    }
}

/// How long the current host lets a job run.
#[derive(Debug, Clone, Copy)]
pub struct JobContext {
    pub deadline: DateTime<Utc>,
}

impl JobContext {
    pub fn with_budget(budget: Duration) -> Self {
        Self { deadline: Utc::now() + budget }
    }
}

pub async fn run(state: &AppState, job: &Job, ctx: &JobContext) -> Result<(), JobError> {
    match job {
        Job::ProcessMessage { message_id } => messages::process(state, *message_id, ctx).await.map(|_| ()),
        Job::RouteTask { message_id } => routing::route_task_job(state, *message_id).await,
        Job::NotifySlack { about } => integrations::notify_slack(state, *about, ctx.deadline).await,
        Job::SyncSalesforce { lead_id } => integrations::sync_salesforce(state, *lead_id).await,
        Job::PublishEvents { events } => integrations::publish_events(state, events).await,
    }
}
