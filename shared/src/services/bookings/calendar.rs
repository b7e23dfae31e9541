//! The host's Google Calendar follows the booking: an active booking has an event
//! (with a Meet link when the settings ask for one), a moved one patches it, a cancelled
//! one deletes it, a completed one stays as the record of the meeting. Runs as the
//! `SyncCalendar` job, so a Google outage is retried by the queue and never touches the
//! booking itself. The event's id derives from the booking's, so a retried insert or a
//! delete after a lost answer finds the same event. A Calendly booking is left alone:
//! Calendly writes it into the host's calendar itself.

use uuid::Uuid;

use super::availability::HostCalendar;
use super::{Bookings, ServiceResult};
use crate::domain::booking_settings::MeetingLink;
use crate::domain::{Booking, BookingSource, BookingStatus, Customer, MeetingType, Settings};
use crate::integrations::google_calendar::{self, CalendarEvent};
use crate::store::{StoreError, bookings, customers, settings};

fn event_of(b: &Booking, customer: &Customer, settings: &Settings) -> CalendarEvent {
    let who = customer
        .name
        .as_ref()
        .map(|n| n.as_str().to_owned())
        .or_else(|| customer.email.as_ref().map(|e| e.as_str().to_owned()))
        .or_else(|| customer.phone.as_ref().map(ToString::to_string))
        .unwrap_or_else(|| "a customer".into());
    let wants_meet = settings.booking.meeting_link == MeetingLink::GoogleMeet && b.meeting_type == MeetingType::Video;
    CalendarEvent {
        booking_id: b.id,
        summary: format!("{} with {who}", settings.business_name.as_str()),
        description: b.notes.as_ref().map(|n| n.as_str().to_owned()),
        start: b.scheduled_time,
        end: b.ends_at(),
        time_zone: settings.time_zone,
        location: b.location.clone(),
        attendee_email: customer.email.as_ref().map(|e| e.as_str().to_owned()),
        attendee_name: customer.name.as_ref().map(|n| n.as_str().to_owned()),
        // Stable per booking: a retried insert asks for the same conference.
        meet_request_id: wants_meet.then(|| b.id.simple().to_string()),
    }
}

impl Bookings<'_> {
    /// The `SyncCalendar` job.
    pub async fn sync_calendar(&self, booking_id: Uuid) -> ServiceResult<()> {
        let Some(google) = self.google else { return Ok(()) };
        let (b, customer, settings) = {
            let conn = self.db.conn().await?;
            let b = match bookings::get_by_id(&*conn, booking_id).await {
                Ok(b) => b,
                Err(StoreError::NotFound(_)) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            let customer = customers::get_by_id(&*conn, b.customer_id).await?;
            (b, customer, settings::load(&*conn).await?)
        };
        let (Some(host_id), BookingSource::Api | BookingSource::Conversation) = (b.host_id, b.source) else {
            return Ok(());
        };
        let Some(calendar_id) = HostCalendar::candidates(&settings, Some(host_id))
            .ok()
            .and_then(|c| c.into_iter().next())
            .and_then(|c| c.calendar_id)
        else {
            return Ok(());
        };
        let event = event_of(&b, &customer, &settings);
        let conn = self.db.conn().await?;
        match (b.status, &b.calendar_event_id) {
            (BookingStatus::Scheduled | BookingStatus::Confirmed, None) => {
                let saved = google.insert_event(&calendar_id, &event).await?;
                bookings::set_calendar_event(&*conn, b.id, Some(&saved.id), saved.meet_link.as_deref()).await?;
            }
            (BookingStatus::Scheduled | BookingStatus::Confirmed, Some(event_id)) => {
                let saved = google.patch_event(&calendar_id, event_id, &event).await?;
                bookings::set_calendar_event(&*conn, b.id, Some(&saved.id), saved.meet_link.as_deref()).await?;
            }
            (BookingStatus::Cancelled, stored) => {
                // With no id stored, an insert whose answer was lost may still have made the
                // event under the derived id; one that did not is a 404, which counts as gone.
                let event_id = stored.clone().unwrap_or_else(|| google_calendar::event_id(b.id));
                google.delete_event(&calendar_id, &event_id).await?;
                if stored.is_some() {
                    bookings::set_calendar_event(&*conn, b.id, None, None).await?;
                }
            }
            // The meeting took its time: the event stays in the host's calendar as the record.
            // An unpaid hold gets its event once the deposit confirms it.
            (BookingStatus::Completed | BookingStatus::NoShow | BookingStatus::PendingPayment, _) => {}
        }
        Ok(())
    }
}
