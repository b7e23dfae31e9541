//! The booking desk a responder that books with tools works through: the offline flow's
//! availability, offer memory, booking, moving and cancelling, for the customer being
//! answered. Every booking goes through `Bookings::create` / `Bookings::reschedule`, so
//! a time is checked against availability under the host lock and the exclusion
//! constraint; whatever the model asks for, only an open time is ever booked.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::conversation::{Writer, spread};
use super::notices::{NoticeKind, notice_text};
use super::{BookingRequest, Bookings, Cancellation, ServiceError, ServiceResult};
use crate::ai::{BookedSlot, BookingDesk, DeskError};
use crate::domain::event::BookingActor;
use crate::domain::slot_talk::TimeRequest;
use crate::domain::{Booking, BookingSource, Intent, Settings};
use crate::store::booking_offers::{self, Offer};
use crate::store::bookings;

/// The desk for one inbound message.
pub struct ConversationDesk<'a> {
    bookings: Bookings<'a>,
    writer: Writer<'a>,
    settings: Settings,
    /// The booking a booking made here moves instead of adding another: the one the
    /// customer asked to reschedule, or the one this message already booked.
    move_target: Mutex<Option<Uuid>>,
    /// What this message changed, for the reply's invite.
    changed: Mutex<Option<(NoticeKind, Booking)>>,
    /// Whether a tool did anything for the customer (times offered or a change made).
    used: AtomicBool,
}

/// What the desk did, once the reply is written.
#[derive(Debug, Clone, Default)]
pub struct DeskOutcome {
    pub changed: Option<(NoticeKind, Booking)>,
    pub used: bool,
}

impl<'a> Bookings<'a> {
    /// The desk for `w`'s message, when it is about booking: a booking, reschedule or
    /// cancel intent, or an answer to an open offer. A reschedule moves the customer's
    /// next active booking; an answer to an offer moves what that offer would have.
    pub async fn desk(
        &self,
        w: Writer<'a>,
        intent: Intent,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<ConversationDesk<'a>>> {
        let (settings, offer, active) = self.standing(w, now).await?;
        let move_target = match intent {
            Intent::Reschedule => active.map(|b| b.id),
            Intent::Booking | Intent::Cancel => None,
            _ if offer.is_some() => offer.and_then(|o| o.reschedule_of),
            _ => return Ok(None),
        };
        Ok(Some(ConversationDesk {
            bookings: *self,
            writer: w,
            settings,
            move_target: Mutex::new(move_target),
            changed: Mutex::new(None),
            used: AtomicBool::new(false),
        }))
    }
}

fn unavailable(e: ServiceError) -> DeskError {
    DeskError::Unavailable(e.to_string())
}

impl ConversationDesk<'_> {
    pub fn finish(self) -> DeskOutcome {
        DeskOutcome {
            changed: self.changed.into_inner().unwrap_or_else(PoisonError::into_inner),
            used: self.used.into_inner(),
        }
    }

    fn record(&self, kind: NoticeKind, booking: &Booking) -> BookedSlot {
        self.used.store(true, Ordering::Relaxed);
        let text = notice_text(kind, booking, self.writer.customer, &self.settings);
        let slot = BookedSlot { start: booking.scheduled_time, end: booking.ends_at(), text };
        *self.changed.lock().unwrap_or_else(PoisonError::into_inner) = Some((kind, booking.clone()));
        slot
    }

    fn move_target(&self) -> Option<Uuid> {
        *self.move_target.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remembers `slots` as the customer's offer (none clears it), so a later "2" picks.
    async fn remember(&self, slots: &[DateTime<Utc>], now: DateTime<Utc>) -> ServiceResult<()> {
        let conn = self.bookings.db.conn().await?;
        let customer_id = self.writer.customer.id;
        if slots.is_empty() {
            booking_offers::clear(&*conn, customer_id).await?;
            return Ok(());
        }
        let offer = Offer {
            customer_id,
            slots: slots.to_vec(),
            duration: self.settings.booking.duration_minutes,
            reschedule_of: self.move_target(),
            chat_session: self.writer.chat_session,
            offered_at: now,
        };
        booking_offers::save(&*conn, &offer).await?;
        self.used.store(true, Ordering::Relaxed);
        Ok(())
    }

    async fn place(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> ServiceResult<(NoticeKind, Booking)> {
        match self.move_target() {
            Some(id) => {
                let b = self.bookings.reschedule(id, start, BookingActor::Customer, false, now).await?;
                // A booking this message made stays a new booking for the customer's notice.
                let kind = match self.changed.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
                    Some((NoticeKind::Booked, made)) if made.id == id => NoticeKind::Booked,
                    Some(_) | None => NoticeKind::Moved,
                };
                Ok((kind, b))
            }
            None => {
                let w = self.writer;
                let req = BookingRequest {
                    customer_id: w.customer.id,
                    lead_id: w.lead_id,
                    host_id: None,
                    scheduled_time: start,
                    duration: Some(self.settings.booking.duration_minutes),
                    meeting_type: None,
                    notes: None,
                    source: BookingSource::Conversation,
                    chat_session: w.chat_session,
                    service: None,
                    key: w.booking_key(),
                };
                Ok((NoticeKind::Booked, self.bookings.create(req, now).await?))
            }
        }
    }
}

#[async_trait::async_trait]
impl BookingDesk for ConversationDesk<'_> {
    async fn open_times(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<DateTime<Utc>>, DeskError> {
        let now = Utc::now();
        let all =
            self.bookings.open_between(&self.settings, from.unwrap_or(now), to, now).await.map_err(unavailable)?;
        let slots = spread(&all, &self.settings, limit);
        self.remember(&slots, now).await.map_err(unavailable)?;
        Ok(slots)
    }

    async fn book(&self, start: DateTime<Utc>) -> Result<BookedSlot, DeskError> {
        let now = Utc::now();
        match self.place(start, now).await {
            Ok((kind, booking)) => {
                *self.move_target.lock().unwrap_or_else(PoisonError::into_inner) = Some(booking.id);
                let conn = self.bookings.db.conn().await.map_err(|e| unavailable(e.into()))?;
                booking_offers::clear(&*conn, self.writer.customer.id).await.map_err(|e| unavailable(e.into()))?;
                Ok(self.record(kind, &booking))
            }
            Err(ServiceError::Conflict { .. } | ServiceError::Invalid { .. }) => {
                let nearest = self
                    .bookings
                    .open_times(&self.settings, &TimeRequest::default(), Some(start), now)
                    .await
                    .map_err(unavailable)?;
                self.remember(&nearest, now).await.map_err(unavailable)?;
                Err(DeskError::NotOpen { nearest })
            }
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn cancel(&self) -> Result<BookedSlot, DeskError> {
        let now = Utc::now();
        let w = self.writer;
        let active = {
            let conn = self.bookings.db.conn().await.map_err(|e| unavailable(e.into()))?;
            bookings::next_active_for_customer(&*conn, w.customer.id, now, w.chat_session)
                .await
                .map_err(|e| unavailable(e.into()))?
        };
        let Some(b) = active else { return Err(DeskError::NoBooking) };
        let c = Cancellation { reason: Some("cancelled by the customer".into()), by: BookingActor::Customer };
        let cancelled = self.bookings.cancel(b.id, c, false, now).await.map_err(unavailable)?;
        let conn = self.bookings.db.conn().await.map_err(|e| unavailable(e.into()))?;
        booking_offers::clear(&*conn, w.customer.id).await.map_err(|e| unavailable(e.into()))?;
        *self.move_target.lock().unwrap_or_else(PoisonError::into_inner) = None;
        Ok(self.record(NoticeKind::Cancelled, &cancelled))
    }
}
