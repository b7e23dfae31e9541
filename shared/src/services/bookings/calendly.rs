//! Bookings made in Calendly. `invitee.created` records the booking (keyed by the
//! invitee URI, so a redelivery changes nothing) for a customer matched like every
//! other intake; `invitee.canceled` cancels it; a reschedule arrives as a cancel of the
//! old invitee and a create of the new one. Calendly tells the invitee itself, so no
//! notice or reminder of Leadflow's goes out for these.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{Bookings, Cancellation, ServiceError, ServiceResult, created_event, qualify_lead, record};
use crate::channels::calendly::{CalendlyEvent, Invitee};
use crate::domain::booking::DurationMinutes;
use crate::domain::customer::CustomerFields;
use crate::domain::event::{BookingActor, LeadCreated};
use crate::domain::sequence::RunEndReason;
use crate::domain::text::ShortText;
use crate::domain::{BookingSource, Channel, Country, Event, MeetingType, NewBooking, Phone};
use crate::services::follow_ups;
use crate::services::intake::upsert_customer;
use crate::store::sequences::RunScope;
use crate::store::{StoreError, bookings, leads, teams};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CalendlyOutcome {
    Booked { booking_id: Uuid },
    Cancelled { booking_id: Uuid },
    Ignored { reason: String },
}

fn meeting_of(i: &Invitee) -> (MeetingType, Option<String>, Option<String>) {
    match (&i.event.join_url, &i.event.location) {
        (Some(url), _) => (MeetingType::Video, Some(url.clone()), None),
        (None, Some(place)) => (MeetingType::InPerson, None, Some(place.clone())),
        (None, None) => (MeetingType::Phone, None, None),
    }
}

impl Bookings<'_> {
    pub async fn calendly(
        &self,
        event: CalendlyEvent,
        default_country: Country,
        now: DateTime<Utc>,
    ) -> ServiceResult<CalendlyOutcome> {
        match event {
            CalendlyEvent::InviteeCreated(i) => self.calendly_created(&i, default_country, now).await,
            CalendlyEvent::InviteeCanceled(i) => self.calendly_canceled(&i, now).await,
            CalendlyEvent::Other { event } => {
                Ok(CalendlyOutcome::Ignored { reason: format!("{event} is not handled") })
            }
        }
    }

    async fn calendly_created(
        &self,
        i: &Invitee,
        default_country: Country,
        now: DateTime<Utc>,
    ) -> ServiceResult<CalendlyOutcome> {
        let minutes = (i.event.end - i.event.start).num_minutes();
        let duration = DurationMinutes::new(minutes).map_err(|e| {
            ServiceError::invalid("payload.scheduled_event.end_time", format!("meeting length {}", e.0))
        })?;
        let fields = CustomerFields {
            name: i.name.as_deref().and_then(|n| ShortText::parse(n).ok()),
            email: Some(i.email.clone()),
            phone: i.phone.as_deref().and_then(|p| Phone::parse(p, default_country).ok()),
            ..Default::default()
        };
        let mut conn = self.db.conn().await?;
        let mut tx = conn.transaction().await.map_err(StoreError::from)?;
        if let Some(existing) = bookings::get_by_external_id(&tx, &i.uri).await? {
            return Ok(CalendlyOutcome::Booked { booking_id: existing.id });
        }
        let customer = upsert_customer(&mut tx, fields, Channel::Email).await?;
        let (lead, lead_created) = leads::ensure_open(&tx, customer.id, Channel::Form).await?;
        let agents = teams::list_agents(&tx, None).await?;
        let host_id = agents.iter().find(|a| i.event.host_emails.contains(&a.email)).map(|a| a.id);
        let (meeting_type, meeting_link, location) = meeting_of(i);
        let new = NewBooking {
            customer_id: customer.id,
            lead_id: Some(lead.id),
            host_id,
            scheduled_time: i.event.start,
            duration_minutes: duration,
            meeting_type,
            meeting_link,
            location,
            notes: None,
            source: BookingSource::Calendly,
            external_id: Some(i.uri.clone()),
            chat_session: None,
            service: None,
            hold_until: None,
        };
        let booking = bookings::insert(&tx, &new).await?;
        let mut events = Vec::new();
        if lead_created {
            events.push(Event::LeadCreated(LeadCreated {
                lead_id: lead.id,
                customer_id: customer.id,
                source_channel: Some(Channel::Form),
            }));
        }
        events.push(created_event(&booking));
        events.extend(qualify_lead(&tx, lead.id).await?);
        let scope = RunScope::Customer(customer.id);
        events.extend(follow_ups::stop_in(&tx, scope, RunEndReason::Booked, now).await?);
        record(&tx, events, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.after_change(&booking, true).await;
        Ok(CalendlyOutcome::Booked { booking_id: booking.id })
    }

    async fn calendly_canceled(&self, i: &Invitee, now: DateTime<Utc>) -> ServiceResult<CalendlyOutcome> {
        let existing = {
            let conn = self.db.conn().await?;
            bookings::get_by_external_id(&*conn, &i.uri).await?
        };
        let Some(b) = existing else {
            return Ok(CalendlyOutcome::Ignored { reason: "no booking for this invitee".into() });
        };
        if !b.status.is_active() {
            // Already cancelled, or closed by staff: nothing to undo, and Calendly must not
            // be told to retry.
            return Ok(CalendlyOutcome::Ignored { reason: format!("the booking is already {}", b.status) });
        }
        let reason = if i.rescheduled {
            Some("rescheduled in Calendly".to_owned())
        } else {
            i.cancellation.as_ref().and_then(|c| c.reason.clone()).or_else(|| Some("cancelled in Calendly".into()))
        };
        let cancelled = self.cancel(b.id, Cancellation { reason, by: BookingActor::Calendly }, false, now).await?;
        Ok(CalendlyOutcome::Cancelled { booking_id: cancelled.id })
    }
}
