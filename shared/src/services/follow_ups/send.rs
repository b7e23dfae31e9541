//! The `SendFollowUp` job. A follow-up is sent at most once whatever crashes or
//! redelivers: it is staged as a conversation message whose id derives from the
//! follow-up, the staged-delivery path hands a staged message to the provider once
//! (and looks before sending again), and only a `queued` row is acted on. A message
//! staged before means a crash after staging: the job goes straight to delivering and
//! recording it, whatever the stop rules say now.

use chrono::{DateTime, Utc};

use super::next::continue_run;
use super::plan;
use super::stopped_event;
use crate::ai::{Ai, FollowUpContext, FollowUpPurpose};
use crate::domain::event::{FollowUpFailed, FollowUpSent, FollowUpSkipped, SkipReason};
use crate::domain::follow_up::FollowUpContent;
use crate::domain::message::Author;
use crate::domain::sequence::{FollowUpStatus, RunEndReason, Sequence, SequenceTrigger, StopFacts, TemplateValues};
use crate::domain::{Channel, Customer, DeliveryStatus, Direction, Event, FollowUp, Message, Settings};
use crate::services::delivery::{Delivery, Draft};
use crate::services::{Relay, ServiceResult, record};
use crate::store::follow_ups::Outcome;
use crate::store::mongo::Mongo;
use crate::store::sequences::RunScope;
use crate::store::{Db, StoreError, customers, follow_ups, sequences, settings, suppressions};

pub struct FollowUpSender<'a> {
    pub db: &'a Db,
    pub mongo: &'a Mongo,
    pub relay: &'a Relay,
    pub delivery: Delivery<'a>,
    pub ai: &'a Ai,
}

/// What the job decided before delivering.
enum Verdict {
    Stop(RunEndReason),
    Skip(SkipReason),
    Wait(DateTime<Utc>),
    Send,
}

struct Loaded {
    follow_up: FollowUp,
    customer: Customer,
    settings: Settings,
    sequence: Option<Sequence>,
    run: Option<crate::domain::sequence::SequenceRun>,
}

impl FollowUpSender<'_> {
    /// Sends the follow-up if it is still queued and every rule allows it at `now`.
    pub async fn send(&self, follow_up_id: uuid::Uuid, now: DateTime<Utc>) -> ServiceResult<()> {
        let loaded = {
            let mut conn = self.db.conn().await?;
            // Locked, so a job queued a moment before its claim committed waits for the
            // commit instead of finding the row still pending.
            let tx = conn.transaction().await.map_err(StoreError::from)?;
            let follow_up = match follow_ups::lock(&tx, follow_up_id).await {
                Ok(f) => f,
                Err(StoreError::NotFound(_)) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            tx.commit().await.map_err(StoreError::from)?;
            match follow_up.status {
                FollowUpStatus::Queued => {}
                // Finished by an attempt that died before planning the next step: plan it
                // now (idempotent), so the run does not stall.
                FollowUpStatus::Sent | FollowUpStatus::Failed | FollowUpStatus::Skipped => {
                    drop(conn);
                    return continue_run(self.db, self.mongo, self.relay, &follow_up, now).await;
                }
                FollowUpStatus::Pending | FollowUpStatus::Cancelled => return Ok(()),
            }
            let customer = customers::get_by_id(&*conn, follow_up.customer_id).await?;
            let settings = settings::load(&*conn).await?;
            let (run, sequence) = match follow_up.run_id {
                Some(id) => {
                    let run = sequences::get_run(&*conn, id).await?;
                    let sequence = sequences::get_by_id(&*conn, run.sequence_id).await?;
                    (Some(run), Some(sequence))
                }
                None => (None, None),
            };
            Loaded { follow_up, customer, settings, sequence, run }
        };
        let staged = self.mongo.messages().get(loaded.follow_up.message_id).await?;
        // A message the provider may have been asked for is settled by delivery (which
        // looks it up); one still pending was never handed over, so every rule applies.
        let asked = staged.as_ref().is_some_and(|m| m.delivery_status != Some(DeliveryStatus::Pending));
        let message = if asked {
            staged
        } else {
            match self.verdict(&loaded, now).await? {
                Verdict::Send => None,
                Verdict::Wait(at) => {
                    let conn = self.db.conn().await?;
                    follow_ups::postpone(&*conn, loaded.follow_up.id, at).await?;
                    return Ok(());
                }
                Verdict::Stop(reason) => {
                    self.withdraw(staged.as_ref()).await?;
                    return self.stop(&loaded.follow_up, reason, now).await;
                }
                Verdict::Skip(reason) => {
                    self.withdraw(staged.as_ref()).await?;
                    let outcome = Outcome::Skipped { reason: reason.to_string() };
                    let event = skipped(&loaded.follow_up, reason);
                    return self.record(&loaded.follow_up, &outcome, vec![event], None, now).await;
                }
            }
            .or(staged)
        };
        let message = match message {
            Some(m) => m,
            None => self.stage(&loaded, now).await?,
        };
        // Staff may have cancelled it (or a stop ended the run) while it was written.
        if !asked && !self.still_queued(loaded.follow_up.id).await? {
            return self.withdraw(Some(&message)).await;
        }
        let sent = self.delivery.send(&loaded.customer, message, false).await?;
        self.record_delivery(&loaded.follow_up, &sent, now).await
    }

    async fn still_queued(&self, id: uuid::Uuid) -> ServiceResult<bool> {
        let conn = self.db.conn().await?;
        Ok(follow_ups::get_by_id(&*conn, id).await?.status == FollowUpStatus::Queued)
    }

    /// A staged message that will not go out after all is marked skipped.
    async fn withdraw(&self, staged: Option<&Message>) -> ServiceResult<()> {
        if let Some(m) = staged.filter(|m| m.delivery_status == Some(DeliveryStatus::Pending)) {
            self.mongo.messages().set_delivery(m.id, DeliveryStatus::Skipped, None, None).await?;
        }
        Ok(())
    }

    /// The stop rules, then the window, then whether the channel can carry it.
    async fn verdict(&self, l: &Loaded, now: DateTime<Utc>) -> ServiceResult<Verdict> {
        let f = &l.follow_up;
        let since = l.run.as_ref().map_or(f.created_at, |r| r.enrolled_at);
        let (stored, undeliverable) = {
            let conn = self.db.conn().await?;
            let stored = follow_ups::stored_facts(&*conn, f.lead_id, f.customer_id, since, now).await?;
            // The address bounced or the carrier called it dead (provider reports).
            let undeliverable = match f.channel.address_of(&l.customer) {
                Some(address) => suppressions::contains(&*conn, f.channel, &address).await?,
                None => false,
            };
            (stored, undeliverable)
        };
        let facts = match &l.run {
            Some(_) => StopFacts {
                lead_status: Some(stored.lead_status),
                opted_out: stored.opted_out,
                // As at enrollment: staff may run a manual sequence for booked customers.
                booked: stored.booked && l.sequence.as_ref().is_none_or(|s| s.spec.trigger != SequenceTrigger::Manual),
                replied: self.replied_since(l.customer.id, since).await?,
                undeliverable,
            },
            // One scheduled by hand is staff's call: only an opt-out or a dead address
            // holds it back.
            None => StopFacts { opted_out: stored.opted_out, undeliverable, ..Default::default() },
        };
        if let Some(reason) = facts.stop_reason() {
            return Ok(Verdict::Stop(reason));
        }
        let quiet_hours = plan::quiet_hours_window();
        let (window, weekdays_only) = match &l.sequence {
            Some(s) => (&s.spec.send_window, s.spec.weekdays_only),
            None => (&quiet_hours, false),
        };
        // The lawful hours hold for every message; the sequence's window narrows them.
        match plan::window_opening(now, window, weekdays_only, &l.customer, &l.settings) {
            None => return Ok(Verdict::Skip(SkipReason::NoSendWindow)),
            Some(at) if at > now => return Ok(Verdict::Wait(at)),
            Some(_) => {}
        }
        if f.channel.address_kind().is_some() && f.channel.address_of(&l.customer).is_none() {
            return Ok(Verdict::Skip(SkipReason::NoAddress));
        }
        if self.delivery.senders.for_channel(f.channel).is_err() {
            return Ok(Verdict::Skip(SkipReason::ChannelNotConfigured));
        }
        Ok(Verdict::Send)
    }

    /// The customer wrote since `since`, an auto-reply aside.
    async fn replied_since(&self, customer_id: uuid::Uuid, since: DateTime<Utc>) -> ServiceResult<bool> {
        let recent = self.mongo.messages().recent(customer_id, 20).await?;
        Ok(recent.iter().any(|m| m.direction == Direction::Inbound && m.created_at > since && !m.auto_submitted))
    }

    /// Writes the message (the template filled in, or the AI engine's) and stages it.
    async fn stage(&self, l: &Loaded, now: DateTime<Utc>) -> ServiceResult<Message> {
        let f = &l.follow_up;
        let business = l.settings.business_name.as_str();
        let text = match &f.content {
            FollowUpContent::Template(t) => t.render(&TemplateValues {
                name: l.customer.name.as_ref().map(crate::domain::text::Text::as_str),
                company: l.customer.company.as_ref().map(crate::domain::text::Text::as_str),
                business_name: business,
            }),
            FollowUpContent::Personalised => {
                let history = self.mongo.messages().recent(l.customer.id, 20).await?;
                let ctx = FollowUpContext {
                    settings: &l.settings,
                    customer: &l.customer,
                    history: &history,
                    channel: f.channel,
                    purpose: purpose_of(l.sequence.as_ref().map(|s| s.spec.trigger)),
                    step: u32::try_from(f.step).unwrap_or(1),
                    steps: l.sequence.as_ref().map_or(1, |s| usize::try_from(s.spec.steps.len()).unwrap_or(1)),
                    now,
                };
                self.ai
                    .responder
                    .follow_up(&ctx)
                    .await
                    .map_err(|e| crate::services::ServiceError::unavailable("AI engine", e))?
            }
        };
        let text = crate::domain::reply::fit_for_channel(&text, f.channel);
        let subject = (f.channel == Channel::Email)
            .then(|| f.subject.clone().unwrap_or_else(|| format!("Following up from {business}")));
        let draft = Draft {
            id: f.message_id,
            channel: f.channel,
            ai_response: (f.content == FollowUpContent::Personalised).then(|| text.clone()),
            text,
            subject,
            lead_id: Some(f.lead_id),
            in_reply_to: None,
            chat_session: None,
            ignore_opt_out: false,
            attachments: Vec::new(),
            author: Author::SYSTEM,
        };
        self.delivery.stage(&l.customer, draft).await
    }

    async fn record_delivery(&self, f: &FollowUp, m: &Message, now: DateTime<Utc>) -> ServiceResult<()> {
        let status = m.delivery_status.unwrap_or(DeliveryStatus::Pending);
        let (outcome, events, end) = match status {
            DeliveryStatus::Sent | DeliveryStatus::Delivered => {
                let event = Event::FollowUpSent(FollowUpSent {
                    follow_up_id: f.id,
                    lead_id: f.lead_id,
                    customer_id: f.customer_id,
                    sequence_id: f.sequence_id,
                    step: f.step,
                    channel: f.channel,
                    message_id: m.id,
                    provider_message_id: m.provider_message_id.clone(),
                });
                (Outcome::Sent { provider_message_id: m.provider_message_id.clone() }, vec![event], None)
            }
            DeliveryStatus::Failed => {
                let error =
                    m.delivery_error.as_ref().map_or_else(|| "the provider refused it".into(), |e| e.message.clone());
                let dead = m.delivery_error.as_ref().is_some_and(|e| e.recipient_undeliverable);
                let event = Event::FollowUpFailed(FollowUpFailed {
                    follow_up_id: f.id,
                    lead_id: f.lead_id,
                    sequence_id: f.sequence_id,
                    step: f.step,
                    channel: f.channel,
                    error: error.clone(),
                    recipient_undeliverable: dead,
                });
                (Outcome::Failed { reason: error }, vec![event], dead.then_some(RunEndReason::Undeliverable))
            }
            DeliveryStatus::Skipped => {
                let reason = SkipReason::ChannelNotConfigured;
                (Outcome::Skipped { reason: reason.to_string() }, vec![skipped(f, reason)], None)
            }
            // Still with the provider (a retry will settle it): nothing to record yet.
            DeliveryStatus::Pending | DeliveryStatus::Sending => {
                return Err(crate::services::ServiceError::InProgress { what: format!("follow-up {}", f.id) });
            }
        };
        self.record(f, &outcome, events, end, now).await
    }

    /// A stop rule holds: the run ends and this follow-up is skipped with the reason.
    async fn stop(&self, f: &FollowUp, reason: RunEndReason, now: DateTime<Utc>) -> ServiceResult<()> {
        let skip = SkipReason::Stopped(reason);
        let outcome = Outcome::Skipped { reason: skip.to_string() };
        self.record(f, &outcome, vec![skipped(f, skip)], Some(reason), now).await
    }

    /// Records how the follow-up ended with its events, then ends the run or plans its
    /// next step, in one transaction.
    async fn record(
        &self,
        f: &FollowUp,
        outcome: &Outcome,
        mut events: Vec<Event>,
        end: Option<RunEndReason>,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        if let Some(run_id) = f.run_id {
            sequences::lock_run(&tx, run_id).await?;
        }
        if !follow_ups::finish(&tx, f.id, outcome, now).await? {
            return Ok(());
        }
        if let (Some(run_id), Some(reason)) = (f.run_id, end) {
            let ended = sequences::end_runs(&tx, RunScope::Run(run_id), reason, now).await?;
            events.extend(ended.iter().map(stopped_event));
        }
        record(&tx, events, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        drop(conn);
        if end.is_none() && f.run_id.is_some() {
            continue_run(self.db, self.mongo, self.relay, f, now).await?;
        }
        self.relay.nudge().await;
        Ok(())
    }
}

fn skipped(f: &FollowUp, reason: SkipReason) -> Event {
    Event::FollowUpSkipped(FollowUpSkipped {
        follow_up_id: f.id,
        lead_id: f.lead_id,
        sequence_id: f.sequence_id,
        step: f.step,
        reason,
    })
}

fn purpose_of(trigger: Option<SequenceTrigger>) -> FollowUpPurpose {
    match trigger {
        Some(SequenceTrigger::NewLead) => FollowUpPurpose::NoReply,
        Some(SequenceTrigger::NoShow) => FollowUpPurpose::NoShow,
        Some(SequenceTrigger::QuoteSent) => FollowUpPurpose::QuoteSent,
        Some(SequenceTrigger::Manual) | None => FollowUpPurpose::Manual,
    }
}
