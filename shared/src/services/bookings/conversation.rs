//! Booking inside a conversation: a booking or reschedule request gets up to three
//! open times in the customer's words and the offer is remembered; the next message
//! may pick one ("2", "the second one", "tuesday 10"), name a free time (booked
//! directly) or a taken one (the nearest open times are offered instead). Cancel and
//! reschedule act on the customer's next active booking. In a website chat, where anyone
//! can type a customer's address, only the chat session that made an offer or a booking
//! may take or change it.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::availability::AvailabilityQuery;
use super::notices::{NoticeKind, notice_text};
use super::{BookingRequest, Bookings, Cancellation, ServiceError, ServiceResult};
use crate::domain::event::BookingActor;
use crate::domain::slot_talk::{TimeRequest, offer_text, pick, requested_time};
use crate::domain::{Booking, BookingSource, Customer, Intent, Settings};
use crate::store::booking_offers::{self, Offer};
use crate::store::{StoreError, bookings, settings};

/// How many times one offer names.
const OFFERED: usize = 3;
/// An offer older than this is forgotten.
const OFFER_KEEPS: Duration = Duration::days(7);

/// Who is writing: the customer, and the chat session when it is a website chat.
#[derive(Debug, Clone, Copy)]
pub struct Writer<'a> {
    pub customer: &'a Customer,
    pub lead_id: Option<Uuid>,
    pub chat_session: Option<Uuid>,
    /// The inbound message being answered: a booking it makes is keyed by it, so a
    /// retried job finds that booking instead of making a second one.
    pub message_id: Option<Uuid>,
}

impl Writer<'_> {
    pub(super) fn booking_key(&self) -> Option<String> {
        self.message_id.map(|id| format!("leadflow-message:{id}"))
    }
}

/// The booking side of a reply.
#[derive(Debug, Clone)]
pub struct BookingReply {
    pub text: String,
    /// The booking the reply confirms, moves or cancels (its invite goes with e-mail).
    pub changed: Option<(NoticeKind, Booking)>,
}

impl Bookings<'_> {
    /// Answers the message if it is about booking; `None` leaves it to the responder.
    pub async fn converse(
        &self,
        w: Writer<'_>,
        text: &str,
        intent: Intent,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<BookingReply>> {
        let customer = w.customer;
        let (settings, offer, active) = self.standing(w, now).await?;
        let tz = settings.time_zone;
        if let Some(offer) = &offer
            && let Some(i) = pick(text, &offer.slots, tz, now)
        {
            return self.take(w, &settings, offer, offer.slots[i], now).await.map(Some);
        }
        let asked = requested_time(text, tz, now);
        let reschedule_of = match intent {
            Intent::Cancel => {
                return match active {
                    Some(b) => self.cancel_by_customer(customer, &settings, b, now).await.map(Some),
                    None => Ok(None),
                };
            }
            Intent::Reschedule => active.as_ref().map(|b| b.id),
            Intent::Booking => None,
            // A follow-up naming a time while an offer is open ("what about 3pm?").
            _ if offer.is_some() && asked.is_some() => offer.as_ref().and_then(|o| o.reschedule_of),
            _ => return Ok(None),
        };
        let request = asked.unwrap_or_default();
        if let Some(exact) = request.exact(tz) {
            let offer = Offer {
                customer_id: customer.id,
                slots: vec![exact],
                duration: settings.booking.duration_minutes,
                reschedule_of,
                chat_session: w.chat_session,
                offered_at: now,
            };
            return self.take(w, &settings, &offer, exact, now).await.map(Some);
        }
        let slots = self.open_times(&settings, &request, None, now).await?;
        let lead_in = if reschedule_of.is_some() { "Sure, let's move it." } else { "Happy to book that!" };
        self.offer(w, &settings, slots, reschedule_of, lead_in, now).await.map(Some)
    }

    /// Only a pick of the open offer ("2", "the second one", "tuesday 10"), booked; any
    /// other message is left to a responder that books with tools.
    pub async fn pick_offered(
        &self,
        w: Writer<'_>,
        text: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<BookingReply>> {
        let (settings, offer, _) = self.standing(w, now).await?;
        let Some(offer) = offer else { return Ok(None) };
        match pick(text, &offer.slots, settings.time_zone, now) {
            Some(i) => self.take(w, &settings, &offer, offer.slots[i], now).await.map(Some),
            None => Ok(None),
        }
    }

    /// The settings, the writer's open offer (fresh, with a time still ahead, made to the
    /// same chat session) and their next active booking.
    pub(super) async fn standing(
        &self,
        w: Writer<'_>,
        now: DateTime<Utc>,
    ) -> ServiceResult<(Settings, Option<Offer>, Option<Booking>)> {
        let conn = self.db.conn().await?;
        let settings = settings::load(&*conn).await?;
        let offer = booking_offers::get_for_customer(&*conn, w.customer.id).await?.filter(|o| {
            now - o.offered_at < OFFER_KEEPS && o.slots.iter().any(|s| *s > now) && o.chat_session == w.chat_session
        });
        let active = bookings::next_active_for_customer(&*conn, w.customer.id, now, w.chat_session).await?;
        Ok((settings, offer, active))
    }

    /// Books (or moves to) `slot`; a slot taken meanwhile gets the nearest open times.
    async fn take(
        &self,
        w: Writer<'_>,
        settings: &Settings,
        offer: &Offer,
        slot: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> ServiceResult<BookingReply> {
        // A booking cancelled or closed since the offer was made is not moved: the
        // chosen time becomes a new booking.
        let target = match offer.reschedule_of {
            Some(id) => {
                let conn = self.db.conn().await?;
                match bookings::get_by_id(&*conn, id).await {
                    Ok(b) if b.status.is_active() => Some(id),
                    Ok(_) | Err(StoreError::NotFound(_)) => None,
                    Err(e) => return Err(e.into()),
                }
            }
            None => None,
        };
        let result = match target {
            Some(id) => {
                self.reschedule(id, slot, BookingActor::Customer, false, now).await.map(|b| (NoticeKind::Moved, b))
            }
            None => {
                let req = BookingRequest {
                    customer_id: w.customer.id,
                    lead_id: w.lead_id,
                    host_id: None,
                    scheduled_time: slot,
                    duration: Some(offer.duration),
                    meeting_type: None,
                    notes: None,
                    source: BookingSource::Conversation,
                    chat_session: w.chat_session,
                    service: None,
                    key: w.booking_key(),
                };
                self.create(req, now).await.map(|b| (NoticeKind::Booked, b))
            }
        };
        match result {
            Ok((kind, booking)) => {
                let conn = self.db.conn().await?;
                booking_offers::clear(&*conn, w.customer.id).await?;
                Ok(BookingReply {
                    text: notice_text(kind, &booking, w.customer, settings),
                    changed: Some((kind, booking)),
                })
            }
            Err(ServiceError::Conflict { .. } | ServiceError::Invalid { .. }) => {
                let nearest = self.open_times(settings, &TimeRequest::default(), Some(slot), now).await?;
                self.offer(w, settings, nearest, target, "Sorry, that time isn't available.", now).await
            }
            Err(e) => Err(e),
        }
    }

    async fn cancel_by_customer(
        &self,
        customer: &Customer,
        settings: &Settings,
        b: Booking,
        now: DateTime<Utc>,
    ) -> ServiceResult<BookingReply> {
        let c = Cancellation { reason: Some("cancelled by the customer".into()), by: BookingActor::Customer };
        let cancelled = self.cancel(b.id, c, false, now).await?;
        let conn = self.db.conn().await?;
        booking_offers::clear(&*conn, customer.id).await?;
        Ok(BookingReply {
            text: notice_text(NoticeKind::Cancelled, &cancelled, customer, settings),
            changed: Some((NoticeKind::Cancelled, cancelled)),
        })
    }

    /// Remembers and words an offer; no open time at all hands over to a person.
    async fn offer(
        &self,
        w: Writer<'_>,
        settings: &Settings,
        slots: Vec<DateTime<Utc>>,
        reschedule_of: Option<Uuid>,
        lead_in: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<BookingReply> {
        let conn = self.db.conn().await?;
        let customer_id = w.customer.id;
        if slots.is_empty() {
            booking_offers::clear(&*conn, customer_id).await?;
            return Ok(BookingReply {
                text: format!(
                    "{lead_in} I couldn't find an open time in the next {} days; someone from {} will get back to you to arrange one.",
                    settings.booking.horizon_days.get(),
                    settings.business_name.as_str()
                ),
                changed: None,
            });
        }
        let offer = Offer {
            customer_id,
            slots: slots.clone(),
            duration: settings.booking.duration_minutes,
            reschedule_of,
            chat_session: w.chat_session,
            offered_at: now,
        };
        booking_offers::save(&*conn, &offer).await?;
        Ok(BookingReply {
            text: format!("{lead_in} Open times: {}", offer_text(&slots, settings.time_zone)),
            changed: None,
        })
    }

    /// Up to three open times: those matching the request when it names a day or part
    /// of day, else the nearest to `near`, else the soonest; spread so they are real
    /// alternatives (not 10:00, 10:30, 11:00).
    pub(super) async fn open_times(
        &self,
        settings: &Settings,
        request: &TimeRequest,
        near: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<DateTime<Utc>>> {
        let from = match near {
            Some(t) => (t - Duration::days(2)).max(now),
            None => now,
        };
        let all = self.open_between(settings, from, None, now).await?;
        let tz = settings.time_zone;
        let named = request.date.is_some() || request.part.is_some() || request.time.is_some();
        let matching: Vec<DateTime<Utc>> =
            if named { all.iter().copied().filter(|s| request.matches(*s, tz)).collect() } else { Vec::new() };
        let mut pool = if matching.is_empty() { all } else { matching };
        if let Some(t) = near.or_else(|| (named && pool.is_empty()).then_some(now)) {
            pool.sort_by_key(|s| (*s - t).num_minutes().abs());
        }
        Ok(spread(&pool, settings, OFFERED))
    }

    /// Every open start in `[from, to)`, soonest first; `to` defaults to 14 days after
    /// `from` and never passes the booking horizon.
    pub(super) async fn open_between(
        &self,
        settings: &Settings,
        from: DateTime<Utc>,
        to: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<DateTime<Utc>>> {
        let horizon = now + settings.booking.rules(None).horizon;
        let from = from.max(now);
        let to = to.unwrap_or(from + Duration::days(14)).min(horizon).max(from + Duration::minutes(1));
        let q = AvailabilityQuery { from: Some(from), to: Some(to), duration: None, host_id: None };
        Ok(self.availability(&q, now).await?.slots.iter().map(|s| s.start.to_utc()).collect())
    }
}

/// Picks up to `limit` times from `pool` (in preference order), each at least two slot
/// intervals from the others, falling back to closer ones when the day is full;
/// returned in time order.
pub(super) fn spread(pool: &[DateTime<Utc>], settings: &Settings, limit: usize) -> Vec<DateTime<Utc>> {
    let gap = (settings.booking.slot_interval_minutes.minutes() * 2).max(Duration::hours(1));
    let mut chosen: Vec<DateTime<Utc>> = Vec::new();
    for s in pool {
        if chosen.len() < limit && chosen.iter().all(|c| (*c - *s).num_minutes().abs() >= gap.num_minutes()) {
            chosen.push(*s);
        }
    }
    for s in pool {
        if chosen.len() < limit && !chosen.contains(s) {
            chosen.push(*s);
        }
    }
    chosen.sort();
    chosen
}
