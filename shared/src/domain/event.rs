//! Domain events: one struct per type, one enum over them. A service writes them to the
//! outbox in the transaction of the change they describe; the relay records them in
//! MongoDB and publishes them (EventBridge `detail-type` = [`Event::detail_type`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod conversations;
mod deposits;
mod examples;
mod follow_ups;

pub use conversations::ConversationAiResumed;
pub use deposits::{
    BookingDepositPaid, BookingDepositRefunded, BookingHoldReleased, BookingPaymentRequested, HoldEnd, RefundReason,
};
pub use follow_ups::{FollowUpFailed, FollowUpSent, FollowUpSkipped, SequenceEnrolled, SequenceStopped, SkipReason};

use super::access::Actor;
use super::qualification::Recommendation;
use super::sequence::{RunEndReason, SequenceTrigger};
use super::{BookingSource, Channel, LeadStatus, Priority, Score, TaskStatus, TaskType};

/// Who moved a lead or task along.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangedBy {
    /// A person, through the API.
    Staff,
    /// Leadflow's own reply to the customer (a new lead becomes contacted).
    Reply,
    /// A booking was made (the lead becomes qualified).
    Booking,
}

/// What made Leadflow score a lead again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualifyTrigger {
    Created,
    Message,
    Manual,
    /// A booking was made for the lead.
    Booking,
}

impl QualifyTrigger {
    pub fn as_str(self) -> &'static str {
        match self {
            QualifyTrigger::Created => "created",
            QualifyTrigger::Message => "message",
            QualifyTrigger::Manual => "manual",
            QualifyTrigger::Booking => "booking",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadCreated {
    pub lead_id: Uuid,
    pub customer_id: Uuid,
    /// The channel of the first message; `None` for a lead created by staff.
    pub source_channel: Option<Channel>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadStatusChanged {
    pub lead_id: Uuid,
    pub from: LeadStatus,
    pub to: LeadStatus,
    pub by: ChangedBy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadAssigned {
    pub lead_id: Uuid,
    /// `None`: the lead was unassigned.
    pub agent_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadQualified {
    pub lead_id: Uuid,
    pub score: Score,
    pub priority: Priority,
    pub previous_score: Score,
    pub previous_priority: Priority,
    pub recommendations: Vec<Recommendation>,
    pub trigger: QualifyTrigger,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCreated {
    pub task_id: Uuid,
    pub lead_id: Uuid,
    pub task_type: TaskType,
    pub priority: Priority,
    /// The inbound message the task was routed from, if any.
    pub message_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskAssigned {
    pub task_id: Uuid,
    pub lead_id: Uuid,
    pub agent_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskStatusChanged {
    pub task_id: Uuid,
    pub lead_id: Uuid,
    pub from: TaskStatus,
    pub to: TaskStatus,
}

/// Who changed a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingActor {
    /// A person, through the API.
    Staff,
    /// The customer, in the conversation.
    Customer,
    /// Calendly, on the invitee's behalf.
    Calendly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingCreated {
    pub booking_id: Uuid,
    pub customer_id: Uuid,
    pub lead_id: Option<Uuid>,
    pub host_id: Option<Uuid>,
    pub scheduled_time: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub source: BookingSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRescheduled {
    pub booking_id: Uuid,
    pub customer_id: Uuid,
    pub lead_id: Option<Uuid>,
    pub host_id: Option<Uuid>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub by: BookingActor,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingCancelled {
    pub booking_id: Uuid,
    pub customer_id: Uuid,
    pub lead_id: Option<Uuid>,
    pub scheduled_time: DateTime<Utc>,
    pub by: BookingActor,
    pub reason: Option<String>,
}

/// `booking.completed` and `booking.no_show`: staff recorded how the meeting went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingOutcome {
    pub booking_id: Uuid,
    pub customer_id: Uuid,
    pub lead_id: Option<Uuid>,
    pub scheduled_time: DateTime<Utc>,
}

/// Why an endpoint stopped receiving webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointDisabledReason {
    /// The receiver answered 410 Gone.
    Gone,
    /// Every attempt failed for five days.
    Failing,
}

/// An endpoint was disabled by Leadflow (never by an admin's own change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpointDisabled {
    pub endpoint_id: Uuid,
    /// The endpoint's host only: a webhook URL often carries a secret in its path.
    pub host: String,
    pub reason: EndpointDisabledReason,
    /// The first failed attempt of the streak that ended it.
    pub failing_since: Option<DateTime<Utc>>,
}

/// Every event Leadflow publishes. Serialized as `{"type": "lead.created", "data": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Event {
    #[serde(rename = "lead.created")]
    LeadCreated(LeadCreated),
    #[serde(rename = "lead.status_changed")]
    LeadStatusChanged(LeadStatusChanged),
    #[serde(rename = "lead.assigned")]
    LeadAssigned(LeadAssigned),
    #[serde(rename = "lead.qualified")]
    LeadQualified(LeadQualified),
    #[serde(rename = "task.created")]
    TaskCreated(TaskCreated),
    #[serde(rename = "task.assigned")]
    TaskAssigned(TaskAssigned),
    #[serde(rename = "task.status_changed")]
    TaskStatusChanged(TaskStatusChanged),
    #[serde(rename = "booking.created")]
    BookingCreated(BookingCreated),
    #[serde(rename = "booking.rescheduled")]
    BookingRescheduled(BookingRescheduled),
    #[serde(rename = "booking.cancelled")]
    BookingCancelled(BookingCancelled),
    #[serde(rename = "booking.completed")]
    BookingCompleted(BookingOutcome),
    #[serde(rename = "booking.no_show")]
    BookingNoShow(BookingOutcome),
    #[serde(rename = "follow_up.sent")]
    FollowUpSent(FollowUpSent),
    #[serde(rename = "follow_up.skipped")]
    FollowUpSkipped(FollowUpSkipped),
    #[serde(rename = "follow_up.failed")]
    FollowUpFailed(FollowUpFailed),
    #[serde(rename = "sequence.enrolled")]
    SequenceEnrolled(SequenceEnrolled),
    #[serde(rename = "sequence.stopped")]
    SequenceStopped(SequenceStopped),
    #[serde(rename = "webhook_endpoint.disabled")]
    WebhookEndpointDisabled(WebhookEndpointDisabled),
    #[serde(rename = "booking.payment_requested")]
    BookingPaymentRequested(BookingPaymentRequested),
    #[serde(rename = "booking.deposit_paid")]
    BookingDepositPaid(BookingDepositPaid),
    #[serde(rename = "booking.hold_released")]
    BookingHoldReleased(BookingHoldReleased),
    #[serde(rename = "booking.deposit_refunded")]
    BookingDepositRefunded(BookingDepositRefunded),
    #[serde(rename = "conversation.ai_resumed")]
    ConversationAiResumed(ConversationAiResumed),
}

impl Event {
    /// The event's type name: EventBridge's `detail-type`, the Mongo record's `type`.
    pub fn detail_type(&self) -> &'static str {
        match self {
            Event::LeadCreated(_) => "lead.created",
            Event::LeadStatusChanged(_) => "lead.status_changed",
            Event::LeadAssigned(_) => "lead.assigned",
            Event::LeadQualified(_) => "lead.qualified",
            Event::TaskCreated(_) => "task.created",
            Event::TaskAssigned(_) => "task.assigned",
            Event::TaskStatusChanged(_) => "task.status_changed",
            Event::BookingCreated(_) => "booking.created",
            Event::BookingRescheduled(_) => "booking.rescheduled",
            Event::BookingCancelled(_) => "booking.cancelled",
            Event::BookingCompleted(_) => "booking.completed",
            Event::BookingNoShow(_) => "booking.no_show",
            Event::FollowUpSent(_) => "follow_up.sent",
            Event::FollowUpSkipped(_) => "follow_up.skipped",
            Event::FollowUpFailed(_) => "follow_up.failed",
            Event::SequenceEnrolled(_) => "sequence.enrolled",
            Event::SequenceStopped(_) => "sequence.stopped",
            Event::WebhookEndpointDisabled(_) => "webhook_endpoint.disabled",
            Event::BookingPaymentRequested(_) => "booking.payment_requested",
            Event::BookingDepositPaid(_) => "booking.deposit_paid",
            Event::BookingHoldReleased(_) => "booking.hold_released",
            Event::BookingDepositRefunded(_) => "booking.deposit_refunded",
            Event::ConversationAiResumed(_) => "conversation.ai_resumed",
        }
    }

    /// Every type name, in declaration order.
    pub fn type_names() -> Vec<&'static str> {
        Event::examples(Uuid::nil(), Uuid::nil(), Uuid::nil()).iter().map(Event::detail_type).collect()
    }

    /// The lead, task, booking, customer (or other record) the event is about; events are delivered in order per subject.
    pub fn subject_id(&self) -> Uuid {
        match self {
            Event::LeadCreated(e) => e.lead_id,
            Event::LeadStatusChanged(e) => e.lead_id,
            Event::LeadAssigned(e) => e.lead_id,
            Event::LeadQualified(e) => e.lead_id,
            Event::TaskCreated(e) => e.task_id,
            Event::TaskAssigned(e) => e.task_id,
            Event::TaskStatusChanged(e) => e.task_id,
            Event::BookingCreated(e) => e.booking_id,
            Event::BookingRescheduled(e) => e.booking_id,
            Event::BookingCancelled(e) => e.booking_id,
            Event::BookingCompleted(e) | Event::BookingNoShow(e) => e.booking_id,
            Event::FollowUpSent(e) => e.follow_up_id,
            Event::FollowUpSkipped(e) => e.follow_up_id,
            Event::FollowUpFailed(e) => e.follow_up_id,
            Event::SequenceEnrolled(e) => e.run_id,
            Event::SequenceStopped(e) => e.run_id,
            Event::WebhookEndpointDisabled(e) => e.endpoint_id,
            Event::BookingPaymentRequested(e) => e.booking_id,
            Event::BookingDepositPaid(e) => e.booking_id,
            Event::BookingHoldReleased(e) => e.booking_id,
            Event::BookingDepositRefunded(e) => e.booking_id,
            Event::ConversationAiResumed(e) => e.customer_id,
        }
    }

    /// The payload alone (the struct of this type).
    pub fn data(&self) -> serde_json::Value {
        let tagged = serde_json::to_value(self).unwrap_or_default();
        tagged.get("data").cloned().unwrap_or_default()
    }
}

/// An event with the identity it keeps through every retry of its delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventEnvelope {
    /// Stable across redeliveries: consumers deduplicate on it.
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// The staff user or API key whose request made the change; `None` when Leadflow
    /// acted on its own (a customer's message, a schedule, a provider's webhook).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    #[serde(flatten)]
    pub event: Event,
}

impl EventEnvelope {
    pub fn new(event: Event, occurred_at: DateTime<Utc>) -> Self {
        Self { id: Uuid::now_v7(), occurred_at, actor: None, event }
    }

    pub fn subject_id(&self) -> Uuid {
        self.event.subject_id()
    }

    pub fn detail_type(&self) -> &'static str {
        self.event.detail_type()
    }

    /// What a consumer reads as the EventBridge `detail` (and README documents).
    pub fn detail(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "subject_id": self.subject_id(),
            "occurred_at": self.occurred_at,
            "actor": self.actor,
            "data": self.event.data(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_hold_every_type_once() {
        let ids = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let examples = Event::examples(ids.0, ids.1, ids.2);
        let ordinals: Vec<usize> = examples.iter().map(Event::ordinal).collect();
        assert_eq!(ordinals, (0..Event::TYPES).collect::<Vec<_>>());
        for e in &examples {
            let back: Event = serde_json::from_value(serde_json::to_value(e).unwrap()).unwrap();
            assert_eq!(&back, e);
        }
    }

    #[test]
    fn events_round_trip_with_their_type_name() {
        let id = Uuid::now_v7();
        let e = Event::LeadStatusChanged(LeadStatusChanged {
            lead_id: id,
            from: LeadStatus::New,
            to: LeadStatus::Contacted,
            by: ChangedBy::Reply,
        });
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["type"], "lead.status_changed");
        assert_eq!(json["data"]["to"], "contacted");
        assert_eq!(json["type"], e.detail_type());
        assert_eq!(e.data()["by"], "reply");
        assert_eq!(e.subject_id(), id);
        let envelope = EventEnvelope::new(e, Utc::now());
        let back: EventEnvelope = serde_json::from_value(serde_json::to_value(&envelope).unwrap()).unwrap();
        assert_eq!(back, envelope);
    }
}
