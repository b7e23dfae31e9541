//! One event of each type, for the README's examples and the contract tests of every
//! place an event goes.

use chrono::{DateTime, Duration};
use uuid::Uuid;

use super::ConversationAiResumed;
use super::{
    BookingActor, BookingCancelled, BookingCreated, BookingOutcome, BookingRescheduled, BookingSource, ChangedBy,
    Channel, EndpointDisabledReason, Event, FollowUpFailed, FollowUpSent, FollowUpSkipped, LeadAssigned, LeadCreated,
    LeadQualified, LeadStatus, LeadStatusChanged, Priority, QualifyTrigger, Recommendation, RunEndReason, Score,
    SequenceEnrolled, SequenceStopped, SequenceTrigger, SkipReason, TaskAssigned, TaskCreated, TaskStatus,
    TaskStatusChanged, TaskType, WebhookEndpointDisabled,
};
use super::{
    BookingDepositPaid, BookingDepositRefunded, BookingHoldReleased, BookingPaymentRequested, HoldEnd, RefundReason,
};
use crate::domain::HandoffReason;
use crate::domain::deposit::Currency;

const SESSION: &str = "cs_test_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6";
const INTENT: &str = "pi_3MtwBwLkdIwHu7ix28a3tqPa";

impl Event {
    /// How many event types there are (`examples` holds one of each).
    pub const TYPES: usize = 23;

    /// One event of each type, about the given lead and task (`other_id` stands for the
    /// customer, agent, message and booking): for the README's examples and the contract
    /// tests of every place an event goes.
    pub fn examples(lead_id: Uuid, task_id: Uuid, other_id: Uuid) -> Vec<Event> {
        let at = DateTime::from_timestamp(1_796_126_400, 0).unwrap_or_default();
        let usd = Currency::parse("usd").unwrap_or_else(|_| unreachable!("a valid code"));
        let outcome =
            BookingOutcome { booking_id: other_id, customer_id: other_id, lead_id: Some(lead_id), scheduled_time: at };
        vec![
            Event::LeadCreated(LeadCreated { lead_id, customer_id: other_id, source_channel: Some(Channel::Sms) }),
            Event::LeadStatusChanged(LeadStatusChanged {
                lead_id,
                from: LeadStatus::New,
                to: LeadStatus::Contacted,
                by: ChangedBy::Reply,
            }),
            Event::LeadAssigned(LeadAssigned { lead_id, agent_id: Some(other_id) }),
            Event::LeadQualified(LeadQualified {
                lead_id,
                score: Score::new(72).unwrap_or_default(),
                priority: Priority::Medium,
                previous_score: Score::default(),
                previous_priority: Priority::Low,
                recommendations: vec![Recommendation::OfferBooking],
                trigger: QualifyTrigger::Message,
            }),
            Event::TaskCreated(TaskCreated {
                task_id,
                lead_id,
                task_type: TaskType::Technical,
                priority: Priority::High,
                message_id: Some(other_id),
            }),
            Event::TaskAssigned(TaskAssigned { task_id, lead_id, agent_id: other_id }),
            Event::TaskStatusChanged(TaskStatusChanged {
                task_id,
                lead_id,
                from: TaskStatus::Open,
                to: TaskStatus::InProgress,
            }),
            Event::BookingCreated(BookingCreated {
                booking_id: other_id,
                customer_id: other_id,
                lead_id: Some(lead_id),
                host_id: None,
                scheduled_time: at,
                ends_at: at + chrono::Duration::hours(1),
                source: BookingSource::Conversation,
            }),
            Event::BookingRescheduled(BookingRescheduled {
                booking_id: other_id,
                customer_id: other_id,
                lead_id: Some(lead_id),
                host_id: None,
                from: at,
                to: at + chrono::Duration::days(1),
                by: BookingActor::Customer,
            }),
            Event::BookingCancelled(BookingCancelled {
                booking_id: other_id,
                customer_id: other_id,
                lead_id: Some(lead_id),
                scheduled_time: at,
                by: BookingActor::Staff,
                reason: Some("customer called to cancel".into()),
            }),
            Event::BookingCompleted(outcome.clone()),
            Event::BookingNoShow(outcome),
            Event::FollowUpSent(FollowUpSent {
                follow_up_id: task_id,
                lead_id,
                customer_id: other_id,
                sequence_id: Some(other_id),
                step: 1,
                channel: Channel::Sms,
                message_id: other_id,
                provider_message_id: Some("SM0123456789abcdef0123456789abcdef".into()),
            }),
            Event::FollowUpSkipped(FollowUpSkipped {
                follow_up_id: task_id,
                lead_id,
                sequence_id: Some(other_id),
                step: 2,
                reason: SkipReason::NoAddress,
            }),
            Event::FollowUpFailed(FollowUpFailed {
                follow_up_id: task_id,
                lead_id,
                sequence_id: Some(other_id),
                step: 3,
                channel: Channel::Email,
                error: "the address bounced".into(),
                recipient_undeliverable: true,
            }),
            Event::SequenceEnrolled(SequenceEnrolled {
                run_id: task_id,
                sequence_id: other_id,
                lead_id,
                customer_id: other_id,
                trigger: SequenceTrigger::NewLead,
                by_staff: false,
            }),
            Event::SequenceStopped(SequenceStopped {
                run_id: task_id,
                sequence_id: other_id,
                lead_id,
                customer_id: other_id,
                reason: RunEndReason::Replied,
            }),
            Event::WebhookEndpointDisabled(WebhookEndpointDisabled {
                endpoint_id: other_id,
                host: "hooks.example.com".into(),
                reason: EndpointDisabledReason::Failing,
                failing_since: Some(at - chrono::Duration::days(5)),
            }),
            Event::BookingPaymentRequested(BookingPaymentRequested {
                booking_id: other_id,
                customer_id: other_id,
                amount: 2500,
                currency: usd.clone(),
                checkout_session_id: SESSION.into(),
                checkout_url: format!("https://checkout.stripe.com/c/pay/{SESSION}"),
                hold_until: at - Duration::days(1) + Duration::minutes(30),
            }),
            Event::BookingDepositPaid(BookingDepositPaid {
                booking_id: other_id,
                customer_id: other_id,
                lead_id: Some(lead_id),
                amount: 2500,
                currency: usd.clone(),
                payment_intent: Some(INTENT.into()),
                confirmed: true,
            }),
            Event::BookingHoldReleased(BookingHoldReleased {
                booking_id: other_id,
                customer_id: other_id,
                lead_id: Some(lead_id),
                scheduled_time: at,
                why: HoldEnd::TimedOut,
            }),
            Event::BookingDepositRefunded(BookingDepositRefunded {
                booking_id: other_id,
                customer_id: other_id,
                amount: 2500,
                currency: usd,
                refund_id: "re_3MtwBwLkdIwHu7ix28a3tqPa".into(),
                reason: RefundReason::Cancelled,
            }),
            Event::ConversationAiResumed(ConversationAiResumed {
                customer_id: other_id,
                lead_id: Some(lead_id),
                paused_until: Some(at),
                handoff_reason: Some(HandoffReason::Requested),
            }),
        ]
    }

    /// The position of the event's type in [`Event::examples`]; exhaustive, so a new type
    /// does not compile until it is given one (and an example).
    #[cfg(test)]
    pub(super) fn ordinal(&self) -> usize {
        match self {
            Event::LeadCreated(_) => 0,
            Event::LeadStatusChanged(_) => 1,
            Event::LeadAssigned(_) => 2,
            Event::LeadQualified(_) => 3,
            Event::TaskCreated(_) => 4,
            Event::TaskAssigned(_) => 5,
            Event::TaskStatusChanged(_) => 6,
            Event::BookingCreated(_) => 7,
            Event::BookingRescheduled(_) => 8,
            Event::BookingCancelled(_) => 9,
            Event::BookingCompleted(_) => 10,
            Event::BookingNoShow(_) => 11,
            Event::FollowUpSent(_) => 12,
            Event::FollowUpSkipped(_) => 13,
            Event::FollowUpFailed(_) => 14,
            Event::SequenceEnrolled(_) => 15,
            Event::SequenceStopped(_) => 16,
            Event::WebhookEndpointDisabled(_) => 17,
            Event::BookingPaymentRequested(_) => 18,
            Event::BookingDepositPaid(_) => 19,
            Event::BookingHoldReleased(_) => 20,
            Event::BookingDepositRefunded(_) => 21,
            Event::ConversationAiResumed(_) => 22,
        }
    }
}
