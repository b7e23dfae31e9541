//! Conversations: the `ProcessMessage` pipeline (keywords first, then analysis, customer
//! facts, qualification, routing, and the reply or a hand-over on the same channel), and
//! what staff and the widget read and write of a conversation. Processing is guarded by
//! an idempotency claim per message, so a redelivered job replies once.

mod inbox;
mod keywords;
mod reply;
mod staff;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::bookings::Bookings;
use super::bookings::conversation::{BookingReply, Writer};
use super::bookings::desk::ConversationDesk;
use super::delivery::{Delivery, opted_out};
use super::emergencies::Pager;
use super::follow_ups::FollowUps;
use super::qualification::Qualifier;
use super::routing::task_type_for;
use super::{FollowOn, Relay, ServiceError, ServiceResult, record};
use crate::ai::{Ai, BookingDesk, ReplyContext};
use crate::domain::analysis::HandoffReason;
use crate::domain::conversation_state::{OpenQuestion, Said};
use crate::domain::customer::CustomerFields;
use crate::domain::event::{ChangedBy, LeadStatusChanged, QualifyTrigger};
use crate::domain::profile::is_emergency;
use crate::domain::sequence::{RunEndReason, SequenceTrigger};
use crate::domain::text::ShortText;
use crate::domain::{
    Analysis, AnalysisInput, Channel, Country, Customer, CustomerChanges, DeliveryStatus, Direction, Email, Event,
    Intent, LeadStatus, Message, Phone, Settings,
};
use crate::idempotency::{Claim, IdempotencyStore, claim, payload_hash};
use crate::queue::Job;
use crate::store::mongo::Mongo;
use crate::store::sequences::RunScope;
use crate::store::{Db, StoreError, booking_offers, conversations, customers, leads, settings};

pub use crate::store::mongo::MessageFilter;
pub use inbox::{AiResumed, ConversationSummary, InboxCustomer, InboxFilter, InboxLead, LastMessage};
pub use staff::StaffMessage;

/// What processing did, saved as the idempotency record's response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    Skipped { reason: String },
    Keyword { keyword: String },
    Replied { reply_id: Uuid, handoff: Option<HandoffReason> },
    NoReply { reason: String },
}

/// The id of Leadflow's message answering `inbound` for `purpose`: fixed, so a retry
/// finds the message it stored.
pub fn reply_id(inbound: Uuid, purpose: &str) -> Uuid {
    Uuid::new_v5(&inbound, purpose.as_bytes())
}

/// The time a message is answered at, and the job's deadline.
#[derive(Debug, Clone, Copy)]
struct Clock {
    now: DateTime<Utc>,
    deadline: DateTime<Utc>,
}

/// One inbound message being answered, and what it is answered from.
struct Turn<'t> {
    customer: &'t Customer,
    inbound: &'t Message,
    analysis: &'t Analysis,
    settings: &'t Settings,
    /// The channel the reply goes out on.
    channel: Channel,
    clock: Clock,
}

/// Everything a conversation touches.
#[derive(Clone, Copy)]
pub struct Conversations<'a> {
    pub db: &'a Db,
    pub mongo: &'a Mongo,
    pub ai: &'a Ai,
    pub delivery: Delivery<'a>,
    pub qualifier: Qualifier<'a>,
    pub bookings: Bookings<'a>,
    pub relay: &'a Relay,
    pub follow_on: FollowOn<'a>,
    pub idempotency: &'a dyn IdempotencyStore,
    pub follow_ups: FollowUps<'a>,
    pub pager: Pager<'a>,
    pub default_country: Country,
    /// How long an agent's message pauses AI replies.
    pub ai_pause: chrono::Duration,
}

fn input_of(m: &Message) -> AnalysisInput {
    AnalysisInput {
        channel: m.channel,
        subject: m.subject.clone(),
        text: m.content.clone(),
        fields: Default::default(),
    }
}

impl Conversations<'_> {
    /// The `ProcessMessage` job: answers one stored inbound message, once, as of `now`.
    pub async fn process(
        &self,
        message_id: Uuid,
        now: DateTime<Utc>,
        deadline: DateTime<Utc>,
    ) -> ServiceResult<Outcome> {
        let key = format!("process-message:{message_id}");
        let guard = match claim(self.idempotency, key, &payload_hash(message_id.as_bytes()), deadline).await? {
            Claim::Proceed(guard) => guard,
            Claim::Completed(_) | Claim::PayloadMismatch => {
                return Ok(Outcome::Skipped { reason: "already processed".into() });
            }
            Claim::InProgress => return Err(ServiceError::InProgress { what: format!("message {message_id}") }),
        };
        let result = self.pipeline(message_id, Clock { now, deadline }).await;
        guard.settle(&result, |outcome| serde_json::to_value(outcome).unwrap_or_default()).await;
        result
    }

    async fn pipeline(&self, message_id: Uuid, clock: Clock) -> ServiceResult<Outcome> {
        let messages = self.mongo.messages();
        let Some(inbound) = messages.get(message_id).await? else {
            return Ok(Outcome::Skipped { reason: "message not found".into() });
        };
        if inbound.processed || inbound.direction != Direction::Inbound {
            return Ok(Outcome::Skipped { reason: "already processed".into() });
        }
        let customer = {
            let conn = self.db.conn().await?;
            match customers::get_by_id(&*conn, inbound.customer_id).await {
                Ok(c) => c,
                Err(StoreError::NotFound(_)) => {
                    messages.mark_processed(inbound.id).await?;
                    return Ok(Outcome::Skipped { reason: "customer deleted".into() });
                }
                Err(e) => return Err(e.into()),
            }
        };
        if inbound.auto_submitted {
            // Stored for staff to read; answering a responder only starts a loop of robots.
            messages.mark_processed(inbound.id).await?;
            return Ok(Outcome::Skipped { reason: "auto-reply".into() });
        }
        let outcome = match inbound.channel.keyword(&inbound.content) {
            Some(keyword) => self.handle_keyword(&customer, &inbound, keyword).await?,
            None => self.converse(customer, &inbound, clock).await?,
        };
        messages.mark_processed(inbound.id).await?;
        Ok(outcome)
    }

    /// Facts the analysis found that the customer record lacks.
    fn learned(&self, customer: &Customer, a: &Analysis) -> CustomerChanges {
        let e = &a.entities;
        let fields = CustomerFields {
            name: e.name.as_deref().and_then(|n| ShortText::parse(n).ok()),
            company: e.company.as_deref().and_then(|n| ShortText::parse(n).ok()),
            email: e.email.as_deref().and_then(|n| Email::parse(n).ok()),
            phone: e.phone.as_deref().and_then(|n| Phone::parse(n, self.default_country).ok()),
            ..Default::default()
        };
        CustomerChanges::fill_gaps(customer, fields)
    }

    async fn converse(&self, mut customer: Customer, inbound: &Message, clock: Clock) -> ServiceResult<Outcome> {
        let now = clock.now;
        let analysis = self.ai.analyzer.analyze(&input_of(inbound)).await?;
        self.mongo.messages().set_analysis(inbound.id, &analysis).await?;
        if let Some(lead_id) = inbound.lead_id {
            self.qualifier.learn_from_message(lead_id, &analysis, &inbound.content).await?;
        }
        let changes = self.learned(&customer, &analysis);
        let conn = self.db.conn().await?;
        if !changes.is_empty()
            && let Ok(fields) = changes.apply_to(&customer)
        {
            match customers::update(&*conn, customer.id, &fields).await {
                Ok(updated) => customer = updated,
                // The stated email or phone belongs to another customer: leave it.
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let handoff = analysis.handoff();
        drop(conn);
        self.after_analysis(inbound).await?;
        let conn = self.db.conn().await?;
        let settings = settings::load(&*conn).await?;
        let paused = conversations::ai_paused_until(&*conn, customer.id).await?.is_some_and(|until| until > now);
        let mut state = conversations::state(&*conn, customer.id).await?;
        state.slots_offered =
            booking_offers::get_for_customer(&*conn, customer.id).await?.map(|o| o.slots).unwrap_or_default();
        drop(conn);
        state.learn(&analysis.entities);
        let channel = inbound.channel.reply_channel(&customer);
        if analysis.intent != Intent::OptOut {
            // The customer wrote: whatever sequence they are in has done its job.
            self.follow_ups.stop(RunScope::Customer(customer.id), RunEndReason::Replied).await?;
        }
        if analysis.intent == Intent::OptOut {
            self.hand_over(inbound, &analysis, handoff).await?;
            return self.opt_out_by_request(&customer, inbound, channel).await;
        }
        let conn = self.db.conn().await?;
        let is_opted_out = opted_out(&*conn, channel, &customer).await?;
        drop(conn);
        let open_now = settings.business_hours.is_open(now, settings.time_zone);
        let turn = Turn { customer: &customer, inbound, analysis: &analysis, settings: &settings, channel, clock };
        // Before the pause and the opt-out: an agent's recent message or a STOP on this
        // channel must not keep the on-call from being paged.
        // The number asked for after a page without one goes to the on-call.
        let callback = state.open_question == Some(OpenQuestion::CallbackNumber) && customer.phone.is_some();
        if callback || is_emergency(&analysis, &inbound.content) {
            return self.emergency(&turn, state, open_now, is_opted_out, callback).await;
        }
        if paused {
            self.hand_over(inbound, &analysis, handoff).await?;
            return Ok(Outcome::NoReply { reason: "AI replies paused after an agent's message".into() });
        }
        if is_opted_out {
            self.hand_over(inbound, &analysis, handoff).await?;
            return Ok(Outcome::NoReply { reason: format!("opted out of {channel}") });
        }
        // A short answer to an offer ("2") reads as low confidence to the analysis but is
        // clear to the booking flow; anything a person must see stays with the person.
        // A responder that books with tools leaves the flow only the exact pick of an offer.
        let tools = self.ai.responder.books_with_tools();
        let writer = Writer {
            customer: &customer,
            lead_id: inbound.lead_id,
            chat_session: inbound.chat_session,
            message_id: Some(inbound.id),
        };
        if matches!(handoff, None | Some(HandoffReason::LowConfidence)) {
            // Unsure of the intent, nothing is undone: an unsure "cancel" or "move it" is a
            // person's to read (offering or booking a free time stays the flow's).
            let unsure_change = handoff.is_some() && matches!(analysis.intent, Intent::Cancel | Intent::Reschedule);
            let answered = if tools || unsure_change {
                self.bookings.pick_offered(writer, &inbound.content, now).await?
            } else {
                self.bookings.converse(writer, &inbound.content, analysis.intent, now).await?
            };
            if let Some(booking) = answered {
                // Answered by the booking flow: no person is needed for it.
                self.remember(customer.id, &mut state, &Said::default(), analysis.intent, now).await?;
                return self.send_reply(&turn, Some(booking), None, None).await;
            }
        }
        let desk = match handoff {
            None if tools => self.bookings.desk(writer, analysis.intent, now).await?,
            _ => None,
        };
        let history = self.mongo.messages().recent(customer.id, 12).await?;
        let history: Vec<Message> = history.into_iter().filter(|m| m.id != inbound.id).collect();
        let ctx = ReplyContext {
            settings: &settings,
            customer: &customer,
            history: &history,
            inbound,
            channel,
            analysis: &analysis,
            handoff,
            open_now,
            now,
            state: &state,
            emergency: None,
            booking: desk.as_ref().map(|d| d as &dyn BookingDesk),
        };
        let reply = self.ai.responder.respond(&ctx).await?;
        let had_desk = desk.is_some();
        let outcome = desk.map(ConversationDesk::finish).unwrap_or_default();
        let said = reply.as_ref().map(|r| r.said.clone()).unwrap_or_default();
        let handoff = match handoff {
            // The profile answered what an unclear message asked: nobody needs to step in.
            Some(HandoffReason::LowConfidence) if said.answered && !said.unanswered => None,
            None if said.unanswered => Some(HandoffReason::Unanswered),
            other => other,
        };
        // With the desk, whether a person is needed is known once the model has used it.
        if !had_desk || !outcome.used {
            self.hand_over(inbound, &analysis, handoff).await?;
        }
        let Some(reply) = reply else {
            return Ok(Outcome::NoReply { reason: format!("no reply to {}", analysis.intent) });
        };
        self.remember(customer.id, &mut state, &said, analysis.intent, now).await?;
        if let Some(changed) = outcome.changed {
            let booking = BookingReply { text: reply.text, changed: Some(changed) };
            return self.send_reply(&turn, Some(booking), None, handoff).await;
        }
        self.send_reply(&turn, None, Some(reply.text), handoff).await
    }

    /// Scores the lead on the new message.
    async fn after_analysis(&self, inbound: &Message) -> ServiceResult<()> {
        if let Some(lead_id) = inbound.lead_id {
            self.qualifier.requalify(lead_id, QualifyTrigger::Message, Some(inbound.id), Utc::now()).await?;
        }
        Ok(())
    }

    /// Marks the lead for a person when `handoff` says so and queues routing when the
    /// message needs one (not for a message the booking flow answered).
    async fn hand_over(
        &self,
        inbound: &Message,
        analysis: &Analysis,
        handoff: Option<HandoffReason>,
    ) -> ServiceResult<()> {
        let Some(lead_id) = inbound.lead_id else { return Ok(()) };
        if let Some(reason) = handoff {
            let conn = self.db.conn().await?;
            leads::set_handoff(&*conn, lead_id, Some(reason)).await?;
        }
        if task_type_for(analysis).is_some() {
            self.follow_on.queue(Job::RouteTask { message_id: inbound.id }).await;
        }
        Ok(())
    }

    /// The `ProcessMessage` job ran out of retries (the provider stayed down): the reply
    /// is marked failed instead of staying `pending`, the message is no longer swept, and
    /// the lead is handed to a person.
    pub async fn give_up(&self, message_id: Uuid, reason: &str) -> ServiceResult<()> {
        let messages = self.mongo.messages();
        let Some(inbound) = messages.get(message_id).await? else { return Ok(()) };
        for purpose in ["reply", "keyword", "opt-out"] {
            let id = reply_id(inbound.id, purpose);
            if let Some(m) = messages.get(id).await?
                && m.delivery_status == Some(DeliveryStatus::Pending)
            {
                self.delivery.give_up(id).await?;
                tracing::warn!(message_id = %id, %reason, "reply not delivered after every retry; marked failed");
            }
        }
        messages.mark_processed(inbound.id).await?;
        if let Some(lead_id) = inbound.lead_id {
            let conn = self.db.conn().await?;
            leads::set_handoff(&*conn, lead_id, Some(HandoffReason::DeliveryFailed)).await?;
        }
        Ok(())
    }

    /// A new lead that has been answered is `contacted`.
    async fn mark_contacted(&self, lead_id: Uuid) -> ServiceResult<()> {
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        if !leads::mark_contacted(&tx, lead_id).await? {
            return Ok(());
        }
        let event = Event::LeadStatusChanged(LeadStatusChanged {
            lead_id,
            from: LeadStatus::New,
            to: LeadStatus::Contacted,
            by: ChangedBy::Reply,
        });
        record(&tx, vec![event], Utc::now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.relay.nudge().await;
        self.follow_on.sync_salesforce(lead_id).await;
        // Answered once and not booked: the new-lead sequence takes it from here (its
        // enrollment refuses a lead that booked in that first exchange).
        let job = Job::EnrollSequence { lead_id, trigger: SequenceTrigger::NewLead, booking_id: None };
        self.follow_on.queue(job).await;
        Ok(())
    }
}
