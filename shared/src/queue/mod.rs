//! Background jobs. A `Job` is a serde-tagged enum carried by SQS in AWS and by an
//! in-process channel locally; consumers are idempotent, so a job may arrive twice.

mod local;
mod sqs;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::sequence::SequenceTrigger;

pub use local::{LocalJobs, LocalQueue};
pub use sqs::SqsQueue;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Job {
    /// Analyse and answer one stored inbound message.
    ProcessMessage { message_id: Uuid },
    /// Turn an analysed inbound message into a task for the right team.
    RouteTask { message_id: Uuid },
    /// Tell Slack about a high-priority lead or task.
    NotifySlack { about: SlackSubject },
    /// Upsert the lead into Salesforce.
    SyncSalesforce { lead_id: Uuid },
    /// Tell the customer about a booking change (the `sequence` it was made at).
    BookingNotice { booking_id: Uuid, sequence: i32 },
    /// Send one reminder of a booking.
    SendReminder { booking_id: Uuid, offset_minutes: i32, scheduled_time: DateTime<Utc> },
    /// Bring the host's Google Calendar event in line with the booking.
    SyncCalendar { booking_id: Uuid },
    /// Send one claimed follow-up, after checking its stop rules again.
    SendFollowUp { follow_up_id: Uuid },
    /// Enroll a lead in the active sequence of a trigger (a no-show names its booking).
    EnrollSequence { lead_id: Uuid, trigger: SequenceTrigger, booking_id: Option<Uuid> },
    /// Page the on-call about an emergency message again: every target was down.
    PageOnCall { message_id: Uuid },
    /// Make the next attempt of one webhook delivery, if it is due.
    DeliverWebhook { delivery_id: Uuid },
    /// Make the Stripe Checkout Session of a booking held for its deposit.
    CreateCheckout { booking_id: Uuid },
    /// Refund a booking's deposit through Stripe.
    RefundDeposit { booking_id: Uuid },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SlackSubject {
    Lead { lead_id: Uuid },
    Task { task_id: Uuid },
}

/// Which queue (and so which worker) a job goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// `worker-messages`: answering customers, latency first.
    Messages,
    /// `worker-tasks`: routing and integrations, which may wait on third parties.
    Tasks,
}

impl Job {
    pub fn name(&self) -> &'static str {
        match self {
            Job::ProcessMessage { .. } => "process_message",
            Job::RouteTask { .. } => "route_task",
            Job::NotifySlack { .. } => "notify_slack",
            Job::SyncSalesforce { .. } => "sync_salesforce",
            Job::BookingNotice { .. } => "booking_notice",
            Job::SendReminder { .. } => "send_reminder",
            Job::SyncCalendar { .. } => "sync_calendar",
            Job::SendFollowUp { .. } => "send_follow_up",
            Job::EnrollSequence { .. } => "enroll_sequence",
            Job::PageOnCall { .. } => "page_on_call",
            Job::DeliverWebhook { .. } => "deliver_webhook",
            Job::CreateCheckout { .. } => "create_checkout",
            Job::RefundDeposit { .. } => "refund_deposit",
        }
    }

    pub fn lane(&self) -> Lane {
        match self {
            Job::ProcessMessage { .. }
            | Job::BookingNotice { .. }
            | Job::SendReminder { .. }
            | Job::SendFollowUp { .. }
            | Job::EnrollSequence { .. }
            | Job::PageOnCall { .. } => Lane::Messages,
            Job::RouteTask { .. }
            | Job::NotifySlack { .. }
            | Job::SyncSalesforce { .. }
            | Job::SyncCalendar { .. }
            | Job::DeliverWebhook { .. }
            | Job::CreateCheckout { .. }
            | Job::RefundDeposit { .. } => Lane::Tasks,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("queue unavailable: {0}")]
    Unavailable(String),
    #[error("job could not be encoded: {0}")]
    Encode(#[from] serde_json::Error),
}

#[async_trait::async_trait]
pub trait JobQueue: Send + Sync {
    /// Queues the job, to run after `delay` (at most 15 minutes).
    async fn enqueue_after(&self, job: &Job, delay: Duration) -> Result<(), QueueError>;

    async fn enqueue(&self, job: &Job) -> Result<(), QueueError> {
        self.enqueue_after(job, Duration::ZERO).await
    }

    /// Queues many jobs, each after its delay; stops at the first failure.
    async fn enqueue_batch(&self, jobs: &[(Job, Duration)]) -> Result<(), QueueError> {
        for (job, delay) in jobs {
            self.enqueue_after(job, *delay).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_are_tagged_json() {
        let id = Uuid::nil();
        let json = serde_json::to_value(Job::ProcessMessage { message_id: id }).unwrap();
        assert_eq!(json["type"], "process_message");
        assert_eq!(json["message_id"], id.to_string());
        let back: Job = serde_json::from_value(json).unwrap();
        assert_eq!(back, Job::ProcessMessage { message_id: id });
        let slack = serde_json::to_value(Job::NotifySlack { about: SlackSubject::Task { task_id: id } }).unwrap();
        assert_eq!(slack["about"]["kind"], "task");
        assert_eq!(Job::RouteTask { message_id: id }.lane(), Lane::Tasks);
        assert!(serde_json::from_str::<Job>(r#"{"type":"nope"}"#).is_err());
    }
}
