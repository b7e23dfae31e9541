//! Bookings: open times, booking them (from the API, a conversation or Calendly),
//! moving, cancelling and closing them, the customer's notices and reminders, and the
//! host's Google Calendar. A booking is checked against availability inside a per-host
//! lock, and the exclusion constraint has the last word, so two requests for one slot
//! give one booking and one 409.

pub mod availability;
mod calendar;
mod calendly;
mod changes;
pub mod conversation;
mod deposit_requeues;
pub mod deposits;
pub mod desk;
pub mod notices;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::follow_ups;
use super::qualification::Qualifier;
use super::{FollowOn, Relay, ServiceError, ServiceResult, record};
use crate::domain::availability::SlotProblem;
use crate::domain::booking::DurationMinutes;
use crate::domain::deposit::{DepositSettings, HOLD_RELEASED_REASON, MIN_HOLD_MINUTES, hold_until, listed_service};
use crate::domain::event::HoldEnd;
use crate::domain::event::{BookingCreated, ChangedBy, LeadStatusChanged, QualifyTrigger};
use crate::domain::message::Attachment;
use crate::domain::sequence::RunEndReason;
use crate::domain::text::LongText;
use crate::domain::{Booking, BookingSource, BookingStatus, Event, LeadStatus, MeetingType, NewBooking, Settings};
use crate::integrations::google_calendar::GoogleCalendarClient;
use crate::queue::Job;
use crate::store::bookings::BookingFilter;
use crate::store::sequences::RunScope;
use crate::store::{
    Db, Page, PageRequest, StoreError, booking_reminders, bookings, customers, leads, payments, settings,
};
use availability::{ExternalBusy, HostCalendar, Loaded};

pub use availability::{Availability, AvailabilityQuery, OpenSlot};
pub use calendly::CalendlyOutcome;
pub use changes::{BookingChanges, Cancellation};
pub use deposits::{StripeDeps, StripeOutcome};
pub use notices::BookingNotices;

/// Everything booking work touches.
#[derive(Clone, Copy)]
pub struct Bookings<'a> {
    pub db: &'a Db,
    pub relay: &'a Relay,
    pub follow_on: FollowOn<'a>,
    pub qualifier: Qualifier<'a>,
    pub google: Option<&'a GoogleCalendarClient>,
    /// Deposits, when Stripe is configured.
    pub stripe: Option<StripeDeps<'a>>,
}

/// A booking asked for.
#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub customer_id: Uuid,
    /// The customer's open lead is used when `None`.
    pub lead_id: Option<Uuid>,
    /// Any free host when `None`.
    pub host_id: Option<Uuid>,
    pub scheduled_time: DateTime<Utc>,
    /// The settings' default when `None`.
    pub duration: Option<DurationMinutes>,
    pub meeting_type: Option<MeetingType>,
    pub notes: Option<LongText>,
    pub source: BookingSource,
    /// The website chat session booking it, if any.
    pub chat_session: Option<Uuid>,
    /// The service booked, by a name from the settings' services (it decides whether a
    /// deposit is due).
    pub service: Option<String>,
    /// Makes the request idempotent (stored as the booking's external id): a booking
    /// already made under it is returned instead of a second one.
    pub key: Option<String>,
}

impl Bookings<'_> {
    fn external(&self) -> ExternalBusy<'_> {
        ExternalBusy { google: self.google }
    }

    pub async fn availability(&self, q: &AvailabilityQuery, now: DateTime<Utc>) -> ServiceResult<Availability> {
        let conn = self.db.conn().await?;
        let settings = settings::load(&*conn).await?;
        availability::availability(&*conn, self.external(), &settings, q, now).await
    }

    pub async fn get(&self, id: Uuid) -> ServiceResult<Booking> {
        let conn = self.db.conn().await?;
        Ok(bookings::get_by_id(&*conn, id).await?)
    }

    pub async fn list(&self, filter: &BookingFilter, page: &PageRequest) -> ServiceResult<Page<Booking>> {
        let conn = self.db.conn().await?;
        Ok(bookings::list(&*conn, filter, page).await?)
    }

    /// Books and tells the customer (a booking made by staff).
    pub async fn create_and_notify(&self, req: BookingRequest, now: DateTime<Utc>) -> ServiceResult<Booking> {
        let booking = self.create(req, now).await?;
        self.notify(&booking).await;
        Ok(booking)
    }

    /// The booking's iCalendar file as it stands.
    pub async fn invite(&self, id: Uuid, now: DateTime<Utc>) -> ServiceResult<Attachment> {
        let conn = self.db.conn().await?;
        let b = bookings::get_by_id(&*conn, id).await?;
        let customer = customers::get_by_id(&*conn, b.customer_id).await?;
        let settings = settings::load(&*conn).await?;
        Ok(notices::ics(&b, &customer, &settings, now))
    }

    /// Books `req.scheduled_time` on the first candidate host it is open for.
    pub async fn create(&self, req: BookingRequest, now: DateTime<Utc>) -> ServiceResult<Booking> {
        let settings = {
            let conn = self.db.conn().await?;
            customers::get_by_id(&*conn, req.customer_id)
                .await
                .map_err(|e| ServiceError::from(e).not_found_as("customer_id", "customer"))?;
            if let Some(lead_id) = req.lead_id {
                let lead = leads::get_by_id(&*conn, lead_id)
                    .await
                    .map_err(|e| ServiceError::from(e).not_found_as("lead_id", "lead"))?;
                if lead.customer_id != req.customer_id {
                    return Err(ServiceError::invalid("lead_id", "belongs to another customer"));
                }
            }
            if let Some(key) = &req.key
                && let Some(made) = bookings::get_by_external_id(&*conn, key).await?
            {
                return Ok(made);
            }
            settings::load(&*conn).await?
        };
        let mut req = req;
        if let Some(name) = &req.service {
            let listed = listed_service(&settings.services, name)
                .ok_or_else(|| ServiceError::invalid("service", "is not one of the settings' services"))?;
            req.service = Some(listed.name.as_str().to_owned());
        }
        let mut last_refusal = None;
        for cal in HostCalendar::candidates(&settings, req.host_id)? {
            // Boxed: the attempt's future is large, and every caller of `create` carries it.
            match Box::pin(self.try_host(&req, &settings, &cal, now)).await {
                Ok(booking) => {
                    self.after_change(&booking, true).await;
                    if booking.status == BookingStatus::PendingPayment {
                        Box::pin(self.after_hold(&booking, now)).await;
                        // Making the link extends the hold: answer with the booking as it stands.
                        let conn = self.db.conn().await?;
                        return Ok(crate::store::bookings::get_by_id(&*conn, booking.id).await?);
                    }
                    return Ok(booking);
                }
                // Each host refuses for its own reason; the first one's is the most useful
                // (a start outside hours is so for every host sharing the business hours).
                Err(Refused::Slot(problem)) => last_refusal = last_refusal.or(Some(problem)),
                Err(Refused::Failed(e)) => return Err(e),
            }
        }
        Err(availability::refusal(last_refusal.unwrap_or(SlotProblem::Busy), &settings.booking, settings.time_zone))
    }

    async fn try_host(
        &self,
        req: &BookingRequest,
        settings: &Settings,
        cal: &HostCalendar,
        now: DateTime<Utc>,
    ) -> Result<Booking, Refused> {
        let rules = settings.booking.rules(req.duration);
        let start = req.scheduled_time;
        let external = self.external().of(cal, start - rules.duration, start + rules.duration * 2).await?;
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        bookings::lock_host(&tx, cal.host_id).await?;
        // Unpaid holds past their end still count for the exclusion constraint: released
        // here, under the host lock, when they are in the way.
        let released = bookings::release_expired_holds(
            &tx,
            Some((cal.host_id, start, start + rules.duration)),
            now,
            HOLD_RELEASED_REASON,
            50,
        )
        .await?;
        let mut events: Vec<Event> = released.iter().map(|b| deposits::released_event(b, HoldEnd::TimedOut)).collect();
        let mut loaded =
            Loaded::load(&tx, ExternalBusy { google: None }, cal, &rules, (start, start), None, now).await?;
        loaded.busy = external;
        availability::check(&loaded, cal, settings, &rules, now, start).map_err(Refused::Slot)?;
        let lead_id = match req.lead_id {
            Some(id) => Some(id),
            None => leads::open_for_customer(&tx, req.customer_id).await?.map(|l| l.id),
        };
        let b = &settings.booking;
        let meeting_type = req.meeting_type.unwrap_or(b.meeting_type);
        let new = NewBooking {
            customer_id: req.customer_id,
            lead_id,
            host_id: cal.host_id,
            scheduled_time: start,
            duration_minutes: req.duration.unwrap_or(b.duration_minutes),
            meeting_type,
            meeting_link: notices::fixed_link(b, meeting_type),
            location: (meeting_type == MeetingType::InPerson)
                .then(|| b.location.as_ref().map(|l| l.as_str().to_owned()))
                .flatten(),
            notes: req.notes.clone(),
            source: req.source,
            external_id: req.key.clone(),
            chat_session: req.chat_session,
            service: req.service.clone(),
            hold_until: self.deposit_due(settings, req)?.map(|_| hold_until(now, self.hold_minutes())),
        };
        let booking = match bookings::insert(&tx, &new).await {
            Ok(b) => b,
            // Another booking got there first (only possible without the lock's protection,
            // e.g. a Calendly booking written meanwhile): the constraint's word is final.
            Err(StoreError::Conflict { .. }) => return Err(Refused::Slot(SlotProblem::Busy)),
            Err(e) => return Err(e.into()),
        };
        let offsets: Vec<u32> = b.reminder_offsets_minutes.iter().map(|r| r.get()).collect();
        booking_reminders::plan(&tx, booking.id, booking.scheduled_time, &offsets, now).await?;
        if let Some(d) = self.deposit_due(settings, req)? {
            payments::insert(&tx, booking.id, i64::from(d.amount.get()), &d.currency, now).await?;
        }
        for b in &released {
            booking_reminders::cancel(&tx, b.id).await?;
        }
        events.push(created_event(&booking));
        if let Some(lead_id) = lead_id {
            events.extend(qualify_lead(&tx, lead_id).await?);
        }
        // Booked: whatever follow-up sequence the customer is in has done its job.
        let customer = RunScope::Customer(booking.customer_id);
        events.extend(follow_ups::stop_in(&tx, customer, RunEndReason::Booked, now).await?);
        record(&tx, events, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(booking)
    }

    /// The deposit `req` owes, if any (never for Calendly, which takes its own payments).
    fn deposit_due<'s>(
        &self,
        settings: &'s Settings,
        req: &BookingRequest,
    ) -> ServiceResult<Option<&'s DepositSettings>> {
        let due = settings
            .booking
            .deposit
            .as_ref()
            .filter(|d| req.source != BookingSource::Calendly && d.applies_to(req.service.as_deref()));
        if due.is_some() && self.stripe.is_none() {
            return Err(ServiceError::NotConfigured {
                message: "this booking needs a deposit, and Stripe is not configured (STRIPE_SECRET_KEY)".into(),
            });
        }
        Ok(due)
    }

    fn hold_minutes(&self) -> i64 {
        self.stripe.map_or(MIN_HOLD_MINUTES, |s| s.settings.hold_minutes)
    }

    /// What follows any committed change: events out, the calendar and CRM told, the
    /// lead scored again when it was just booked.
    async fn after_change(&self, booking: &Booking, booked: bool) {
        self.relay.nudge().await;
        if self.google.is_some() && booking.host_id.is_some() {
            self.follow_on.queue(Job::SyncCalendar { booking_id: booking.id }).await;
        }
        if let Some(lead_id) = booking.lead_id {
            if booked && let Err(e) = self.qualifier.requalify(lead_id, QualifyTrigger::Booking, None, Utc::now()).await
            {
                tracing::warn!(%lead_id, error = %e, "could not score the booked lead; the next message will");
            }
            self.follow_on.sync_salesforce(lead_id).await;
        }
    }

    /// Tells the customer about the booking as it now stands (not for bookings made in
    /// a conversation, whose reply is the confirmation).
    async fn notify(&self, booking: &Booking) {
        self.follow_on.queue(Job::BookingNotice { booking_id: booking.id, sequence: booking.sequence }).await;
    }
}

/// Why one host could not take the booking.
enum Refused {
    Slot(SlotProblem),
    Failed(ServiceError),
}

impl From<ServiceError> for Refused {
    fn from(e: ServiceError) -> Self {
        Refused::Failed(e)
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Failed(e.into())
    }
}

fn created_event(b: &Booking) -> Event {
    Event::BookingCreated(BookingCreated {
        booking_id: b.id,
        customer_id: b.customer_id,
        lead_id: b.lead_id,
        host_id: b.host_id,
        scheduled_time: b.scheduled_time,
        ends_at: b.ends_at(),
        source: b.source,
    })
}

/// A booked lead is qualified: an open lead that is not yet moves there (through
/// `contacted` when it is new, so the funnel keeps its order).
async fn qualify_lead(c: &impl tokio_postgres::GenericClient, lead_id: Uuid) -> ServiceResult<Vec<Event>> {
    let mut lead = leads::get_for_update(c, lead_id).await?;
    let path: &[LeadStatus] = match lead.status {
        LeadStatus::New => &[LeadStatus::Contacted, LeadStatus::Qualified],
        LeadStatus::Contacted => &[LeadStatus::Qualified],
        LeadStatus::Qualified | LeadStatus::Won | LeadStatus::Lost => &[],
    };
    let mut events = Vec::new();
    for next in path {
        events.push(Event::LeadStatusChanged(LeadStatusChanged {
            lead_id,
            from: lead.status,
            to: *next,
            by: ChangedBy::Booking,
        }));
        lead.status = *next;
    }
    if !events.is_empty() {
        leads::save(c, &lead).await?;
    }
    Ok(events)
}
