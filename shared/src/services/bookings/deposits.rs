//! Deposits (Stripe Checkout). A booking that owes one is made `pending_payment` and
//! holds its slot until `hold_until`; the customer gets a Checkout link (made after the
//! booking commits; when Stripe is down the `CreateCheckout` job makes it later). Stripe's
//! webhook confirms a paid booking, or releases an unpaid one; the schedule releases
//! holds that ran out. A payment after the hold ended confirms the booking when its slot
//! is still free, else is refunded. A cancellation within the refund policy queues a
//! `RefundDeposit` job, so a Stripe outage never fails the cancel.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use tokio_postgres::Transaction;
use uuid::Uuid;

use super::{Bookings, ServiceError, ServiceResult, record};
use crate::channels::stripe::{CheckoutSession, StripeEvent, StripeEventKind};
use crate::config::StripeSettings;
use crate::domain::deposit::{HOLD_RELEASED_REASON, PaymentStatus, checkout_expiry};
use crate::domain::event::{
    BookingDepositPaid, BookingDepositRefunded, BookingHoldReleased, BookingPaymentRequested, HoldEnd, RefundReason,
};
use crate::domain::{Booking, BookingStatus, Event, Settings};
use crate::integrations::stripe::{CheckoutRequest, StripeClient};
use crate::queue::Job;
use crate::store::payments::{self, Payment};
use crate::store::{Db, StoreError, booking_reminders, bookings, customers, settings};

pub use super::deposit_requeues::{requeue_checkouts, requeue_refunds};

/// How long a hold outlives its Checkout Session: a payment made in the session's last
/// second still finds its slot held when the webhook arrives.
const HOLD_GRACE: Duration = Duration::minutes(2);

/// Stripe, when this deployment takes deposits.
#[derive(Clone, Copy)]
pub struct StripeDeps<'a> {
    pub client: &'a StripeClient,
    pub settings: &'a StripeSettings,
}

/// What a Stripe webhook did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StripeOutcome {
    Confirmed {
        booking_id: Uuid,
    },
    Released {
        booking_id: Uuid,
    },
    /// Paid, but the booking cannot take it (its slot was taken, or it was cancelled):
    /// a refund is queued.
    Refunding {
        booking_id: Uuid,
    },
    /// This event was handled before.
    Duplicate,
    Ignored {
        reason: String,
    },
}

fn ignored(reason: &str) -> StripeOutcome {
    StripeOutcome::Ignored { reason: reason.into() }
}

pub(super) fn released_event(b: &Booking, why: HoldEnd) -> Event {
    Event::BookingHoldReleased(BookingHoldReleased {
        booking_id: b.id,
        customer_id: b.customer_id,
        lead_id: b.lead_id,
        scheduled_time: b.scheduled_time,
        why,
    })
}

fn paid_event(b: &Booking, p: &Payment, confirmed: bool) -> Event {
    Event::BookingDepositPaid(BookingDepositPaid {
        booking_id: b.id,
        customer_id: b.customer_id,
        lead_id: b.lead_id,
        amount: p.amount,
        currency: p.currency.clone(),
        payment_intent: p.payment_intent.clone(),
        confirmed,
    })
}

/// The schedule's part: releases holds that ran out by `now`; returns how many.
pub async fn release_expired_holds(db: &Db, now: DateTime<Utc>) -> ServiceResult<usize> {
    let mut conn = db.conn().await?;
    let tx = conn.transaction().await.map_err(StoreError::from)?;
    let released = bookings::release_expired_holds(&tx, None, now, HOLD_RELEASED_REASON, 200).await?;
    for b in &released {
        booking_reminders::cancel(&tx, b.id).await?;
    }
    record(&tx, released.iter().map(|b| released_event(b, HoldEnd::TimedOut)).collect(), now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(released.len())
}

/// Inside a cancel's transaction: a paid deposit cancelled within the policy is marked
/// `refunding`; returns whether a `RefundDeposit` job should follow the commit.
pub(super) async fn refund_on_cancel(
    tx: &Transaction<'_>,
    settings: &Settings,
    before: &Booking,
    after: &Booking,
    now: DateTime<Utc>,
) -> ServiceResult<bool> {
    if after.status != BookingStatus::Cancelled || before.status == BookingStatus::Cancelled {
        return Ok(false);
    }
    let Some(p) = payments::find_for_update(tx, after.id).await? else { return Ok(false) };
    // Without a policy any more, the customer gets their money back.
    let within = settings.booking.deposit.as_ref().is_none_or(|d| d.refundable(after.scheduled_time, now));
    if p.status != PaymentStatus::Paid || !within {
        return Ok(false);
    }
    payments::set_status(tx, after.id, PaymentStatus::Refunding, None, now).await?;
    Ok(true)
}

impl Bookings<'_> {
    fn stripe(&self) -> ServiceResult<StripeDeps<'_>> {
        self.stripe.ok_or_else(|| ServiceError::NotConfigured {
            message: "deposits need Stripe (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET)".into(),
        })
    }

    /// The deposit of a booking, if it owes or owed one.
    pub async fn payment(&self, booking_id: Uuid) -> ServiceResult<Option<Payment>> {
        let conn = self.db.conn().await?;
        Ok(payments::find(&*conn, booking_id).await?)
    }

    /// Makes the Checkout Session of a held booking and queues the notice with its link
    /// (the `CreateCheckout` job, and right after a booking is made). Nothing to do once
    /// the session exists or the hold has ended.
    pub async fn request_payment(&self, booking_id: Uuid, now: DateTime<Utc>) -> ServiceResult<()> {
        let stripe = self.stripe()?;
        let (b, p, email, settings) = {
            let conn = self.db.conn().await?;
            let b = bookings::get_by_id(&*conn, booking_id).await?;
            let Some(p) = payments::find(&*conn, booking_id).await? else { return Ok(()) };
            if b.status != BookingStatus::PendingPayment || p.status != PaymentStatus::Pending {
                return Ok(());
            }
            let customer = customers::get_by_id(&*conn, b.customer_id).await?;
            (b, p, customer.email.map(|e| e.as_str().to_owned()), settings::load(&*conn).await?)
        };
        let Some(hold_until) = b.hold_until.filter(|t| *t > now) else { return Ok(()) };
        let name = match &b.service {
            Some(service) => format!("Deposit: {service}, {}", settings.business_name.as_str()),
            None => format!("Deposit: booking with {}", settings.business_name.as_str()),
        };
        // Planned once: a retry sends the same request under the same key.
        let plan = {
            let conn = self.db.conn().await?;
            let earliest = now + Duration::minutes(30) + Duration::seconds(30);
            payments::plan_checkout(&*conn, booking_id, &name, checkout_expiry(hold_until, now), earliest).await?
        };
        let Some(plan) = plan else { return Ok(()) };
        let request = CheckoutRequest {
            booking_id,
            amount: p.amount,
            currency: &p.currency,
            product_name: &plan.product_name,
            success_url: &stripe.settings.success_url,
            cancel_url: &stripe.settings.cancel_url,
            expires_at: plan.expires_at,
            customer_email: email.as_deref(),
        };
        let session = stripe.client.create_checkout(&request, &plan.key(booking_id)).await?;
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let Some(hold_until) = payments::extend_hold(&tx, booking_id, plan.expires_at + HOLD_GRACE, now).await? else {
            // Released while Stripe answered: no link goes out; should the session be
            // paid anyway, the payment is handled as a late one.
            tracing::info!(%booking_id, "the hold ended before its Checkout link was made");
            return Ok(());
        };
        let Some(p) = payments::set_checkout(&tx, booking_id, &session.id, &session.url, plan.expires_at).await? else {
            return Ok(()); // recorded meanwhile by another run
        };
        let event = Event::BookingPaymentRequested(BookingPaymentRequested {
            booking_id,
            customer_id: b.customer_id,
            amount: p.amount,
            currency: p.currency,
            checkout_session_id: session.id,
            checkout_url: session.url,
            hold_until,
        });
        record(&tx, vec![event], now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.relay.nudge().await;
        self.notify(&b).await;
        Ok(())
    }

    /// After a held booking commits: asks Stripe for the link now; when Stripe is down the
    /// booking stays held and the `CreateCheckout` job tries again.
    pub(super) async fn after_hold(&self, b: &Booking, now: DateTime<Utc>) {
        if let Err(e) = self.request_payment(b.id, now).await {
            tracing::warn!(booking_id = %b.id, error = %e, "no Checkout link yet; the job will retry");
            self.follow_on.queue(Job::CreateCheckout { booking_id: b.id }).await;
        }
    }

    /// A verified Stripe webhook event. Each event id has one effect, however often it
    /// comes: it is noted in the transaction of its effect.
    pub async fn stripe_event(&self, event: StripeEvent, now: DateTime<Utc>) -> ServiceResult<StripeOutcome> {
        let (session, paid) = match &event.kind {
            StripeEventKind::Completed(s) if !s.is_paid() => return Ok(ignored("the payment is still processing")),
            StripeEventKind::Completed(s) | StripeEventKind::AsyncSucceeded(s) => (s, None),
            StripeEventKind::Expired(s) => (s, Some(HoldEnd::CheckoutExpired)),
            StripeEventKind::AsyncFailed(s) => (s, Some(HoldEnd::PaymentFailed)),
            StripeEventKind::Other => return Ok(ignored(&format!("{} is not handled", event.event_type))),
        };
        let Some(booking_id) = session.booking_id else { return Ok(ignored("the session names no booking")) };
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        if !payments::first_delivery(&tx, &event.id, &event.event_type).await? {
            return Ok(StripeOutcome::Duplicate);
        }
        let (outcome, follow) = match self.apply_session(&tx, booking_id, session, paid, now).await {
            Ok(done) => done,
            Err(ServiceError::NotFound { .. }) => (ignored("no such booking or deposit"), None),
            Err(e) => return Err(e),
        };
        tx.commit().await.map_err(StoreError::from)?;
        self.relay.nudge().await;
        match follow {
            Some(Follow::Confirmed(b)) => {
                self.after_change(&b, false).await;
                self.notify(&b).await;
            }
            Some(Follow::Refund(id)) => self.follow_on.queue(Job::RefundDeposit { booking_id: id }).await,
            None => {}
        }
        Ok(outcome)
    }

    async fn apply_session(
        &self,
        tx: &Transaction<'_>,
        booking_id: Uuid,
        session: &CheckoutSession,
        released: Option<HoldEnd>,
        now: DateTime<Utc>,
    ) -> ServiceResult<(StripeOutcome, Option<Follow>)> {
        let b = bookings::get_for_update(tx, booking_id).await?;
        let p = payments::find_for_update(tx, booking_id).await?.ok_or(ServiceError::NotFound { what: "deposit" })?;
        if p.checkout_session_id.as_deref().is_some_and(|id| id != session.id) {
            // An older session (made under an earlier key) ending unpaid changes nothing;
            // one paid first becomes the deposit's own.
            if released.is_some() {
                return Ok((ignored("not the booking's current Checkout Session"), None));
            }
            if matches!(p.status, PaymentStatus::Paid | PaymentStatus::Refunding | PaymentStatus::Refunded) {
                tracing::error!(%booking_id, session = %session.id, payment_intent = ?session.payment_intent,
                    "a second deposit was paid through another Checkout Session; refund it in the Stripe Dashboard");
                return Ok((ignored("a second payment for a deposit already paid"), None));
            }
            payments::adopt_session(tx, booking_id, &session.id).await?;
        }
        if let Some(why) = released {
            if p.status == PaymentStatus::Open || p.status == PaymentStatus::Pending {
                payments::set_status(tx, booking_id, PaymentStatus::Expired, None, now).await?;
            }
            if b.status != BookingStatus::PendingPayment {
                return Ok((ignored(&format!("the booking is {}", b.status)), None));
            }
            let mut next = b.clone();
            next.status = BookingStatus::Cancelled;
            next.cancelled_at = Some(now);
            next.cancel_reason = Some(HOLD_RELEASED_REASON.into());
            bookings::save(tx, &next).await?;
            booking_reminders::cancel(tx, booking_id).await?;
            record(tx, vec![released_event(&b, why)], now).await?;
            return Ok((StripeOutcome::Released { booking_id }, None));
        }
        if matches!(p.status, PaymentStatus::Paid | PaymentStatus::Refunding | PaymentStatus::Refunded) {
            return Ok((ignored("the deposit is already paid"), None));
        }
        let p =
            payments::set_status(tx, booking_id, PaymentStatus::Paid, session.payment_intent.as_deref(), now).await?;
        let late = b.status == BookingStatus::Cancelled && b.cancel_reason.as_deref() == Some(HOLD_RELEASED_REASON);
        let confirmed = match b.status {
            BookingStatus::PendingPayment => Some(self.confirm(tx, &b, now).await?),
            _ if late => self.revive(tx, &b, now).await?,
            BookingStatus::Scheduled | BookingStatus::Confirmed => {
                record(tx, vec![paid_event(&b, &p, true)], now).await?;
                return Ok((StripeOutcome::Confirmed { booking_id }, None));
            }
            _ => None,
        };
        if let Some(after) = confirmed {
            record(tx, vec![paid_event(&after, &p, true)], now).await?;
            return Ok((StripeOutcome::Confirmed { booking_id }, Some(Follow::Confirmed(Box::new(after)))));
        }
        payments::set_status(tx, booking_id, PaymentStatus::Refunding, None, now).await?;
        record(tx, vec![paid_event(&b, &p, false)], now).await?;
        Ok((StripeOutcome::Refunding { booking_id }, Some(Follow::Refund(booking_id))))
    }

    async fn confirm(&self, tx: &Transaction<'_>, b: &Booking, _now: DateTime<Utc>) -> ServiceResult<Booking> {
        let mut next = b.clone();
        next.status = BookingStatus::Confirmed;
        Ok(bookings::save(tx, &next).await?)
    }

    /// A payment after the hold was released: the booking stands again if no other holds
    /// its time (checked under the host lock; the constraint has the last word).
    async fn revive(&self, tx: &Transaction<'_>, b: &Booking, now: DateTime<Utc>) -> ServiceResult<Option<Booking>> {
        bookings::lock_host(tx, b.host_id).await?;
        if !bookings::busy(tx, b.host_id, (b.scheduled_time, b.ends_at()), Some(b.id), now).await?.is_empty()
            || b.scheduled_time <= now
        {
            return Ok(None);
        }
        let mut next = b.clone();
        next.status = BookingStatus::Confirmed;
        next.cancelled_at = None;
        next.cancel_reason = None;
        // A savepoint, so a conflict (a Calendly booking is outside the host lock) leaves
        // the transaction usable for the refund.
        tx.batch_execute("SAVEPOINT revive").await.map_err(StoreError::from)?;
        match bookings::save(tx, &next).await {
            Ok(after) => {
                tx.batch_execute("RELEASE SAVEPOINT revive").await.map_err(StoreError::from)?;
                let s = settings::load(tx).await?;
                let offsets: Vec<u32> = s.booking.reminder_offsets_minutes.iter().map(|r| r.get()).collect();
                booking_reminders::plan(tx, after.id, after.scheduled_time, &offsets, now).await?;
                Ok(Some(after))
            }
            Err(StoreError::Conflict { .. }) => {
                tx.batch_execute("ROLLBACK TO SAVEPOINT revive").await.map_err(StoreError::from)?;
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The `RefundDeposit` job: refunds a deposit marked `refunding`, once.
    pub async fn refund_deposit(&self, booking_id: Uuid, now: DateTime<Utc>) -> ServiceResult<()> {
        let stripe = self.stripe()?;
        let (b, p) = {
            let conn = self.db.conn().await?;
            let Some(p) = payments::find(&*conn, booking_id).await? else { return Ok(()) };
            (bookings::get_by_id(&*conn, booking_id).await?, p)
        };
        if p.status != PaymentStatus::Refunding {
            return Ok(());
        }
        let Some(intent) = p.payment_intent.as_deref() else {
            return Err(ServiceError::Internal(format!(
                "deposit of booking {booking_id} is paid without a payment intent"
            )));
        };
        let refund = stripe.client.refund(intent, booking_id).await?;
        let reason = match (b.status, b.cancel_reason.as_deref()) {
            (BookingStatus::Cancelled, Some(HOLD_RELEASED_REASON)) => RefundReason::SlotTaken,
            (BookingStatus::Cancelled, _) => RefundReason::Cancelled,
            _ => RefundReason::SlotTaken,
        };
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let Some(p) = payments::find_for_update(&tx, booking_id).await? else { return Ok(()) };
        if p.status != PaymentStatus::Refunding {
            return Ok(());
        }
        payments::set_refunded(&tx, booking_id, &refund.id, now).await?;
        let event = Event::BookingDepositRefunded(BookingDepositRefunded {
            booking_id,
            customer_id: b.customer_id,
            amount: p.amount,
            currency: p.currency,
            refund_id: refund.id,
            reason,
        });
        record(&tx, vec![event], now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.relay.nudge().await;
        Ok(())
    }
}

/// What follows a Stripe event's commit.
enum Follow {
    Confirmed(Box<Booking>),
    Refund(Uuid),
}
