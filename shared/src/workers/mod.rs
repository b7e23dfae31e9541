//! Job hosts: the SQS Lambda handler, the in-process worker of `leadflow serve` and the
//! schedule tick. Each turns a `Job` into one service call ([`run`]) and a failure into
//! retry or not ([`JobFailure`]), once, here.

pub mod local;
pub mod metrics;
pub mod schedule;
pub mod sqs;

use chrono::{DateTime, Duration, Utc};

use crate::app::AppState;
use crate::queue::Job;
use crate::services::ServiceError;

/// How long the current host lets a job run.
#[derive(Debug, Clone, Copy)]
pub struct JobContext {
    pub deadline: DateTime<Utc>,
    /// The time the job acts at (send windows are judged by it): now, except in tests
    /// that run a job on a chosen day.
    pub now: DateTime<Utc>,
}

impl JobContext {
    pub fn with_budget(budget: Duration) -> Self {
        let now = Utc::now();
        Self { deadline: now + budget, now }
    }

    /// A job acting at `now`, with `budget` of real time to run.
    pub fn at(now: DateTime<Utc>, budget: Duration) -> Self {
        Self { deadline: Utc::now() + budget, now }
    }
}

/// A job that did not finish and should run again (SQS redelivery, local backoff).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct JobFailure(#[from] pub ServiceError);

/// Runs one job. A failure that a retry cannot mend (the record is gone, the input is
/// refused) is logged and the job ends; any other is returned for the host to retry.
pub async fn run(state: &AppState, job: &Job, ctx: &JobContext) -> Result<(), JobFailure> {
    let result = match job {
        Job::ProcessMessage { message_id } => {
            state.conversations().process(*message_id, ctx.now, ctx.deadline).await.map(|_| ())
        }
        Job::RouteTask { message_id } => state.tasks().route_task_job(*message_id).await,
        Job::NotifySlack { about } => state.integrations().notify_slack(*about, ctx.deadline).await,
        Job::SyncSalesforce { lead_id } => state.integrations().sync_salesforce_job(*lead_id).await,
        Job::BookingNotice { booking_id, sequence } => state.booking_notices().notice(*booking_id, *sequence).await,
        Job::SendReminder { booking_id, offset_minutes, scheduled_time } => {
            state.booking_notices().remind(*booking_id, *offset_minutes, *scheduled_time).await
        }
        Job::SyncCalendar { booking_id } => state.bookings().sync_calendar(*booking_id).await,
        Job::SendFollowUp { follow_up_id } => state.follow_up_sender().send(*follow_up_id, ctx.now).await,
        Job::EnrollSequence { lead_id, trigger, booking_id } => {
            state.follow_ups().enroll_by_trigger(*lead_id, *trigger, *booking_id).await
        }
        Job::PageOnCall { message_id } => state.page_retry().run(*message_id, ctx.now, ctx.deadline).await,
        Job::DeliverWebhook { delivery_id } => state.webhook_deliverer().attempt(*delivery_id, ctx.now).await,
        Job::CreateCheckout { booking_id } => Box::pin(state.bookings().request_payment(*booking_id, ctx.now)).await,
        Job::RefundDeposit { booking_id } => Box::pin(state.bookings().refund_deposit(*booking_id, ctx.now)).await,
    };
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.is_retryable() => Err(JobFailure(e)),
        Err(e) => {
            tracing::error!(job = job.name(), ?job, error = %e, "job refused for good; not retried");
            Ok(())
        }
    }
}

/// The last attempt of a job failed: what can be recorded about it is, so nothing stays
/// `pending` for ever, and a person is told.
pub async fn gave_up(state: &AppState, job: &Job, error: &JobFailure) {
    tracing::error!(job = job.name(), ?job, error = %error, "job failed after its last retry");
    if let Job::ProcessMessage { message_id } = job
        && let Err(e) = state.conversations().give_up(*message_id, &error.to_string()).await
    {
        tracing::warn!(%message_id, error = %e, "could not record the failed processing");
    }
}
