//! Changing a booking: moving it (checked like a new one, ignoring itself), notes,
//! status along its lifecycle, cancelling. Each change the customer should know of
//! bumps the iCalendar SEQUENCE and queues a notice.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::availability::{self, ExternalBusy, HostCalendar, Loaded};
use super::{Bookings, ServiceError, ServiceResult, deposits, record};
use crate::domain::availability::Interval;
use crate::domain::booking::DurationMinutes;
use crate::domain::event::{BookingActor, BookingCancelled, BookingOutcome, BookingRescheduled};
use crate::domain::sequence::SequenceTrigger;
use crate::domain::text::LongText;
use crate::domain::{Booking, BookingStatus, Event, Patch, Settings};
use crate::queue::Job;
use crate::store::{StoreError, booking_reminders, bookings, settings};

#[derive(Debug, Clone, Default)]
pub struct BookingChanges {
    pub scheduled_time: Option<DateTime<Utc>>,
    pub duration: Option<DurationMinutes>,
    pub notes: Patch<LongText>,
    pub status: Option<BookingStatus>,
}

#[derive(Debug, Clone)]
pub struct Cancellation {
    pub reason: Option<String>,
    pub by: BookingActor,
}

/// The calendar a booking already on `host_id` is checked against: the host's own
/// hours while they are a host, the business hours otherwise.
fn calendar_of(settings: &Settings, host_id: Option<Uuid>) -> HostCalendar {
    host_id
        .and_then(|id| HostCalendar::candidates(settings, Some(id)).ok())
        .and_then(|mut c| c.pop())
        .unwrap_or_else(|| HostCalendar { host_id, hours: settings.business_hours.clone(), calendar_id: None })
}

impl Bookings<'_> {
    /// The host's external busy time around where `changes` would move booking `id`,
    /// without the booking's own time (its calendar event).
    async fn external_for_move(&self, id: Uuid, changes: &BookingChanges) -> ServiceResult<Vec<Interval>> {
        if self.google.is_none() {
            return Ok(Vec::new());
        }
        let (settings, b) = {
            let conn = self.db.conn().await?;
            (settings::load(&*conn).await?, bookings::get_by_id(&*conn, id).await?)
        };
        let cal = calendar_of(&settings, b.host_id);
        let start = changes.scheduled_time.unwrap_or(b.scheduled_time);
        let length = changes.duration.unwrap_or(b.duration_minutes).duration();
        let own = Interval { start: b.scheduled_time, end: b.ends_at() };
        let busy = ExternalBusy { google: self.google }.of(&cal, start - length, start + length * 2).await?;
        Ok(busy.into_iter().filter(|i| !(i.start >= own.start && i.end <= own.end)).collect())
    }

    /// Staff's change through the API.
    pub async fn update(&self, id: Uuid, changes: BookingChanges, now: DateTime<Utc>) -> ServiceResult<Booking> {
        let (before, after) = self.apply(id, changes, None, BookingActor::Staff, now).await?;
        self.settled(&before, &after, true).await;
        Ok(after)
    }

    /// Moves the booking to `to`; `notify` is false when the caller tells the customer
    /// itself (the conversation's reply).
    pub async fn reschedule(
        &self,
        id: Uuid,
        to: DateTime<Utc>,
        by: BookingActor,
        notify: bool,
        now: DateTime<Utc>,
    ) -> ServiceResult<Booking> {
        let changes = BookingChanges { scheduled_time: Some(to), ..Default::default() };
        let (before, after) = self.apply(id, changes, None, by, now).await?;
        self.settled(&before, &after, notify).await;
        Ok(after)
    }

    pub async fn cancel(&self, id: Uuid, c: Cancellation, notify: bool, now: DateTime<Utc>) -> ServiceResult<Booking> {
        let changes = BookingChanges { status: Some(BookingStatus::Cancelled), ..Default::default() };
        let (before, after) = self.apply(id, changes, c.reason, c.by, now).await?;
        self.settled(&before, &after, notify).await;
        Ok(after)
    }

    async fn settled(&self, before: &Booking, after: &Booking, notify: bool) {
        if before == after {
            return;
        }
        self.after_change(after, false).await;
        if after.status == BookingStatus::NoShow
            && before.status != BookingStatus::NoShow
            && let Some(lead_id) = after.lead_id
        {
            let job = Job::EnrollSequence { lead_id, trigger: SequenceTrigger::NoShow, booking_id: Some(after.id) };
            self.follow_on.queue(job).await;
        }
        if notify && after.sequence != before.sequence {
            self.notify(after).await;
        }
    }

    async fn apply(
        &self,
        id: Uuid,
        changes: BookingChanges,
        cancel_reason: Option<String>,
        by: BookingActor,
        now: DateTime<Utc>,
    ) -> ServiceResult<(Booking, Booking)> {
        // Google is asked before the transaction opens, so no connection or row lock is
        // held across its HTTP call; the booking's own event is not busy time for it.
        let external = if changes.scheduled_time.is_some() || changes.duration.is_some() {
            self.external_for_move(id, &changes).await?
        } else {
            Vec::new()
        };
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let settings = settings::load(&tx).await?;
        let before = bookings::get_for_update(&tx, id).await?;
        let mut b = before.clone();
        let moved = changes.scheduled_time.is_some_and(|t| t != b.scheduled_time)
            || changes.duration.is_some_and(|d| d != b.duration_minutes);
        if moved {
            if !b.status.is_active() {
                return Err(ServiceError::Conflict {
                    field: Some("scheduled_time".into()),
                    message: format!("a {} booking cannot be moved", b.status),
                });
            }
            b.scheduled_time = changes.scheduled_time.unwrap_or(b.scheduled_time);
            b.duration_minutes = changes.duration.unwrap_or(b.duration_minutes);
            let cal = calendar_of(&settings, b.host_id);
            let rules = settings.booking.rules(Some(b.duration_minutes));
            bookings::lock_host(&tx, b.host_id).await?;
            let mut loaded = Loaded::load(
                &tx,
                ExternalBusy { google: None },
                &cal,
                &rules,
                (b.scheduled_time, b.ends_at()),
                Some(b.id),
                now,
            )
            .await?;
            loaded.busy = external;
            availability::check(&loaded, &cal, &settings, &rules, now, b.scheduled_time)
                .map_err(|p| availability::refusal(p, &settings.booking, settings.time_zone))?;
        }
        if let Some(next) = changes.status.filter(|s| *s != b.status) {
            if !b.status.can_move_to(next) {
                return Err(ServiceError::Conflict {
                    field: Some("status".into()),
                    message: format!("a {} booking cannot become {next}", b.status),
                });
            }
            b.status = next;
            if next == BookingStatus::Cancelled {
                b.cancelled_at = Some(now);
                b.cancel_reason = cancel_reason;
            }
        }
        b.notes = changes.notes.apply(b.notes);
        let told = moved || (b.status == BookingStatus::Cancelled && before.status != BookingStatus::Cancelled);
        if told {
            b.sequence += 1;
        }
        if b == before {
            return Ok((before.clone(), before));
        }
        let after = bookings::save(&tx, &b).await?;
        if moved {
            let offsets: Vec<u32> = settings.booking.reminder_offsets_minutes.iter().map(|r| r.get()).collect();
            booking_reminders::plan(&tx, after.id, after.scheduled_time, &offsets, now).await?;
        }
        if !after.status.is_active() {
            booking_reminders::cancel(&tx, after.id).await?;
        }
        let refund = deposits::refund_on_cancel(&tx, &settings, &before, &after, now).await?;
        record(&tx, events(&before, &after, by), now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        if refund {
            self.follow_on.queue(Job::RefundDeposit { booking_id: after.id }).await;
        }
        Ok((before, after))
    }
}

fn events(before: &Booking, after: &Booking, by: BookingActor) -> Vec<Event> {
    let mut events = Vec::new();
    if before.scheduled_time != after.scheduled_time {
        events.push(Event::BookingRescheduled(BookingRescheduled {
            booking_id: after.id,
            customer_id: after.customer_id,
            lead_id: after.lead_id,
            host_id: after.host_id,
            from: before.scheduled_time,
            to: after.scheduled_time,
            by,
        }));
    }
    if before.status != after.status {
        let outcome = || BookingOutcome {
            booking_id: after.id,
            customer_id: after.customer_id,
            lead_id: after.lead_id,
            scheduled_time: after.scheduled_time,
        };
        match after.status {
            BookingStatus::Cancelled => events.push(Event::BookingCancelled(BookingCancelled {
                booking_id: after.id,
                customer_id: after.customer_id,
                lead_id: after.lead_id,
                scheduled_time: after.scheduled_time,
                by,
                reason: after.cancel_reason.clone(),
            })),
            BookingStatus::Completed => events.push(Event::BookingCompleted(outcome())),
            BookingStatus::NoShow => events.push(Event::BookingNoShow(outcome())),
            // Confirming changes nothing a consumer acts on; scheduled is never moved to.
            BookingStatus::Confirmed | BookingStatus::Scheduled | BookingStatus::PendingPayment => {}
        }
    }
    events
}
