//! Follow-up sequences: staff define them; leads are enrolled by trigger or by hand;
//! the schedule claims due follow-ups and queues a send job for each ([`dispatch`]);
//! the job re-checks every stop rule and sends through the staged-delivery path
//! ([`send`]). Stop rules are checked at enrollment, at claim and at send, and changes
//! that end a run (a reply, a booking, an opt-out, a won or lost lead) end it at once.

pub mod dispatch;
mod next;
mod plan;
pub mod send;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{Relay, ServiceError, ServiceResult, record};
use crate::domain::event::{SequenceEnrolled, SequenceStopped};
use crate::domain::follow_up::FollowUpContent;
use crate::domain::sequence::{
    RunEndReason, Sequence, SequenceRun, SequenceSpec, SequenceTrigger, StopFacts, Template,
};
use crate::domain::{Channel, Direction, Event, FollowUp, NewFollowUp};
use crate::store::follow_ups::FollowUpFilter;
use crate::store::mongo::Mongo;
use crate::store::sequences::{RunScope, SequenceStats};
use crate::store::{
    Db, Page, PageRequest, StoreError, customers, follow_ups, leads, sequences, settings, suppressions,
};

pub use dispatch::{DispatchReport, Dispatcher};
pub use send::FollowUpSender;

/// Which sequence to enroll a lead in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The active sequence of a trigger.
    Trigger(SequenceTrigger),
    Sequence(Uuid),
}

/// Who asked for an enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolledBy {
    Staff,
    /// A trigger fired; a no-show names its booking.
    Trigger {
        booking_id: Option<Uuid>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Enrollment {
    pub run: SequenceRun,
    pub first: Option<FollowUp>,
}

/// A follow-up scheduled by hand.
#[derive(Debug, Clone)]
pub struct AdHoc {
    pub lead_id: Uuid,
    pub channel: Option<Channel>,
    pub text: Template,
    pub subject: Option<String>,
    pub send_at: Option<DateTime<Utc>>,
}

/// The use-cases of sequences, runs and follow-ups that staff and triggers drive.
#[derive(Clone, Copy)]
pub struct FollowUps<'a> {
    pub db: &'a Db,
    pub mongo: &'a Mongo,
    pub relay: &'a Relay,
}

/// Ends the active runs in `scope` inside the caller's transaction; returns the events
/// to record with its change.
pub async fn stop_in(
    tx: &tokio_postgres::Transaction<'_>,
    scope: RunScope,
    reason: RunEndReason,
    now: DateTime<Utc>,
) -> Result<Vec<Event>, StoreError> {
    let ended = sequences::end_runs(tx, scope, reason, now).await?;
    Ok(ended.iter().map(stopped_event).collect())
}

pub(crate) fn stopped_event(run: &SequenceRun) -> Event {
    Event::SequenceStopped(SequenceStopped {
        run_id: run.id,
        sequence_id: run.sequence_id,
        lead_id: run.lead_id,
        customer_id: run.customer_id,
        reason: run.end_reason.unwrap_or(RunEndReason::Staff),
    })
}

fn conflict(message: impl Into<String>) -> ServiceError {
    ServiceError::Conflict { field: None, message: message.into() }
}

impl FollowUps<'_> {
    pub async fn sequences(&self) -> ServiceResult<Vec<Sequence>> {
        let conn = self.db.conn().await?;
        Ok(sequences::list(&*conn).await?)
    }

    pub async fn sequence(&self, id: Uuid) -> ServiceResult<Sequence> {
        let conn = self.db.conn().await?;
        Ok(sequences::get_by_id(&*conn, id).await?)
    }

    pub async fn create_sequence(&self, spec: &SequenceSpec) -> ServiceResult<Sequence> {
        let conn = self.db.conn().await?;
        sequences::insert(&*conn, spec, Utc::now()).await.map_err(one_active_per_trigger)
    }

    /// Replaces a sequence. Runs in progress go on with the new steps from the step they
    /// are at; turning a sequence off ends its runs.
    pub async fn update_sequence(&self, id: Uuid, spec: &SequenceSpec) -> ServiceResult<Sequence> {
        let now = Utc::now();
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let updated = sequences::update(&tx, id, spec, now).await.map_err(one_active_per_trigger)?;
        let events = if spec.active {
            Vec::new()
        } else {
            stop_in(&tx, RunScope::Sequence(id), RunEndReason::SequenceChanged, now).await?
        };
        record(&tx, events, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        drop(conn);
        self.relay.nudge().await;
        Ok(updated)
    }

    /// Deletes a sequence with its runs and their follow-ups (sent messages stay in the
    /// conversation).
    pub async fn delete_sequence(&self, id: Uuid) -> ServiceResult<()> {
        let now = Utc::now();
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let events = stop_in(&tx, RunScope::Sequence(id), RunEndReason::SequenceChanged, now).await?;
        sequences::delete(&tx, id).await?;
        record(&tx, events, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        drop(conn);
        self.relay.nudge().await;
        Ok(())
    }

    pub async fn stats(&self, id: Uuid) -> ServiceResult<SequenceStats> {
        let conn = self.db.conn().await?;
        sequences::get_by_id(&*conn, id).await?;
        Ok(sequences::stats(&*conn, id).await?)
    }

    /// The channel the customer last wrote on (not counting auto-replies).
    async fn last_used(&self, customer_id: Uuid) -> ServiceResult<Option<Channel>> {
        let recent = self.mongo.messages().recent(customer_id, 20).await?;
        Ok(recent.iter().rev().find(|m| m.direction == Direction::Inbound && !m.auto_submitted).map(|m| m.channel))
    }

    /// Enrolls the lead: checks the stop rules, starts the run and plans its first step.
    /// `Conflict` when the lead is in an active run of the sequence already, or a stop
    /// rule holds (it has booked, opted out, is won or lost).
    pub async fn enroll(&self, lead_id: Uuid, target: Target, by: EnrolledBy) -> ServiceResult<Enrollment> {
        let now = Utc::now();
        let lead = {
            let conn = self.db.conn().await?;
            leads::get_by_id(&*conn, lead_id).await?
        };
        let last_used = self.last_used(lead.customer_id).await?;
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let sequence = match target {
            Target::Sequence(id) => sequences::get_by_id(&tx, id).await?,
            Target::Trigger(trigger) => sequences::active_for(&tx, trigger)
                .await?
                .ok_or(ServiceError::NotFound { what: "active sequence for that trigger" })?,
        };
        if !sequence.spec.active {
            return Err(conflict("the sequence is turned off"));
        }
        let customer = customers::get_by_id(&tx, lead.customer_id).await?;
        let facts = follow_ups::stored_facts(&tx, lead.id, customer.id, now, now).await?;
        let verdict = StopFacts {
            lead_status: Some(facts.lead_status),
            opted_out: facts.opted_out,
            booked: facts.booked && sequence.spec.trigger != SequenceTrigger::Manual,
            ..Default::default()
        };
        if let Some(reason) = verdict.stop_reason() {
            return Err(conflict(format!("the lead cannot be enrolled: {reason}")));
        }
        // Every address the customer has bounced or is dead: no step could reach them.
        let mut addresses = 0;
        let mut dead = 0;
        for channel in [Channel::Sms, Channel::Email] {
            if let Some(address) = channel.address_of(&customer) {
                addresses += 1;
                dead += usize::from(suppressions::contains(&tx, channel, &address).await?);
            }
        }
        if addresses > 0 && dead == addresses {
            return Err(conflict(format!("the lead cannot be enrolled: {}", RunEndReason::Undeliverable)));
        }
        let booking_id = match by {
            EnrolledBy::Trigger { booking_id } => booking_id,
            EnrolledBy::Staff => None,
        };
        let run = match sequences::start_run(&tx, sequence.id, lead.id, customer.id, booking_id, now).await {
            Ok(run) => run,
            Err(StoreError::Conflict { .. }) => {
                return Err(conflict("the lead is already in an active run of this sequence"));
            }
            Err(e) => return Err(e.into()),
        };
        let settings = settings::load(&tx).await?;
        let input = plan::PlanInput {
            sequence: &sequence,
            run: &run,
            customer: &customer,
            settings: &settings,
            last_used,
            previous_done: None,
            now,
        };
        let first = plan::plan_step(&tx, 1, &input).await?;
        let event = Event::SequenceEnrolled(SequenceEnrolled {
            run_id: run.id,
            sequence_id: sequence.id,
            lead_id: lead.id,
            customer_id: customer.id,
            trigger: sequence.spec.trigger,
            by_staff: by == EnrolledBy::Staff,
        });
        record(&tx, vec![event], now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        drop(conn);
        self.relay.nudge().await;
        Ok(Enrollment { run, first })
    }

    /// The `EnrollSequence` job: an automatic enrollment, once per cause. A trigger that
    /// finds nothing to do (no active sequence, the lead booked already) is not an error.
    pub async fn enroll_by_trigger(
        &self,
        lead_id: Uuid,
        trigger: SequenceTrigger,
        booking_id: Option<Uuid>,
    ) -> ServiceResult<()> {
        {
            let conn = self.db.conn().await?;
            let Some(sequence) = sequences::active_for(&*conn, trigger).await? else { return Ok(()) };
            // A redelivered job must not start a second run after the first one ended.
            if sequences::enrolled_for_cause(&*conn, sequence.id, lead_id, booking_id).await? {
                return Ok(());
            }
        }
        match self.enroll(lead_id, Target::Trigger(trigger), EnrolledBy::Trigger { booking_id }).await {
            Ok(e) => {
                tracing::info!(%lead_id, run_id = %e.run.id, %trigger, "lead enrolled in a follow-up sequence");
                Ok(())
            }
            Err(ServiceError::Conflict { message, .. }) => {
                tracing::info!(%lead_id, %trigger, %message, "lead not enrolled");
                Ok(())
            }
            Err(ServiceError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Ends the lead's active runs (staff asked); returns how many ended.
    pub async fn stop_lead(&self, lead_id: Uuid) -> ServiceResult<usize> {
        self.stop(RunScope::Lead(lead_id), RunEndReason::Staff).await.map(|e| e.len())
    }

    /// Ends the active runs in scope; returns the stop events recorded.
    pub async fn stop(&self, scope: RunScope, reason: RunEndReason) -> ServiceResult<Vec<Event>> {
        let now = Utc::now();
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        if let RunScope::Lead(id) = scope {
            leads::get_by_id(&tx, id).await?;
        }
        let events = stop_in(&tx, scope, reason, now).await?;
        record(&tx, events.clone(), now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        drop(conn);
        if !events.is_empty() {
            self.relay.nudge().await;
        }
        Ok(events)
    }

    /// Schedules one message by hand, moved into the recipient's lawful hours.
    pub async fn schedule(&self, a: AdHoc) -> ServiceResult<FollowUp> {
        let now = Utc::now();
        let lead = {
            let conn = self.db.conn().await?;
            leads::get_by_id(&*conn, a.lead_id)
                .await
                .map_err(|e| ServiceError::from(e).not_found_as("lead_id", "lead"))?
        };
        let last_used = self.last_used(lead.customer_id).await?;
        let conn = self.db.conn().await?;
        let customer = customers::get_by_id(&*conn, lead.customer_id).await?;
        let settings = settings::load(&*conn).await?;
        let channel = match a.channel {
            Some(c) => c,
            None => plan::channel_for(crate::domain::sequence::StepChannel::Preferred, last_used, &customer),
        };
        if channel.address_kind().is_some() && channel.address_of(&customer).is_none() {
            return Err(ServiceError::invalid("channel", format!("the customer has no {channel} address")));
        }
        let due = a.send_at.unwrap_or(now).max(now);
        let scheduled =
            plan::window_opening(due, &plan::quiet_hours_window(), false, &customer, &settings).unwrap_or(due);
        let new = NewFollowUp {
            lead_id: lead.id,
            customer_id: customer.id,
            run_id: None,
            step: 1,
            channel,
            scheduled_time: scheduled,
            content: FollowUpContent::Template(a.text),
            subject: a.subject,
        };
        Ok(follow_ups::insert(&*conn, &new, now).await?)
    }

    pub async fn list(&self, filter: &FollowUpFilter, page: &PageRequest) -> ServiceResult<Page<FollowUp>> {
        let conn = self.db.conn().await?;
        Ok(follow_ups::list(&*conn, filter, page).await?)
    }

    pub async fn get(&self, id: Uuid) -> ServiceResult<FollowUp> {
        let conn = self.db.conn().await?;
        Ok(follow_ups::get_by_id(&*conn, id).await?)
    }

    /// Cancels one follow-up that has not gone out; `Conflict` once it has ended. The
    /// run goes on with its next step.
    pub async fn cancel(&self, id: Uuid) -> ServiceResult<FollowUp> {
        let now = Utc::now();
        let conn = self.db.conn().await?;
        let outcome = follow_ups::Outcome::Cancelled { reason: "cancelled by staff".into() };
        if !follow_ups::finish(&*conn, id, &outcome, now).await? {
            let current = follow_ups::get_by_id(&*conn, id).await?;
            return Err(conflict(format!("the follow-up is {} already", current.status)));
        }
        drop(conn);
        let cancelled = self.get(id).await?;
        if cancelled.run_id.is_some() {
            next::continue_run(self.db, self.mongo, self.relay, &cancelled, now).await?;
        }
        Ok(cancelled)
    }
}

fn one_active_per_trigger(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict { .. } => ServiceError::Conflict {
            field: Some("trigger".into()),
            message: "another active sequence has this trigger; turn it off first".into(),
        },
        other => other.into(),
    }
}
