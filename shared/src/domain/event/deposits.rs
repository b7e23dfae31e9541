//! Events of booking deposits (Stripe Checkout).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::deposit::Currency;

/// `booking.payment_requested`: the customer has a Checkout link to pay the deposit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingPaymentRequested {
    pub booking_id: Uuid,
    pub customer_id: Uuid,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: Currency,
    pub checkout_session_id: String,
    pub checkout_url: String,
    /// The slot is held for the customer until then.
    pub hold_until: DateTime<Utc>,
}

/// `booking.deposit_paid`: Stripe reports the deposit paid. `confirmed` is false when
/// the payment came after the hold ended and the slot was taken (a refund follows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingDepositPaid {
    pub booking_id: Uuid,
    pub customer_id: Uuid,
    pub lead_id: Option<Uuid>,
    pub amount: i64,
    pub currency: Currency,
    pub payment_intent: Option<String>,
    pub confirmed: bool,
}

/// Why an unpaid booking let its slot go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldEnd {
    /// The hold's time ran out.
    TimedOut,
    /// Stripe expired the Checkout Session.
    CheckoutExpired,
    /// A delayed payment method failed.
    PaymentFailed,
}

/// `booking.hold_released`: an unpaid booking was cancelled and its slot freed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingHoldReleased {
    pub booking_id: Uuid,
    pub customer_id: Uuid,
    pub lead_id: Option<Uuid>,
    pub scheduled_time: DateTime<Utc>,
    pub why: HoldEnd,
}

/// Why a deposit went back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// Cancelled within the refund policy.
    Cancelled,
    /// Paid after the hold ended, when the slot was no longer free.
    SlotTaken,
}

/// `booking.deposit_refunded`: Stripe accepted the refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingDepositRefunded {
    pub booking_id: Uuid,
    pub customer_id: Uuid,
    pub amount: i64,
    pub currency: Currency,
    pub refund_id: String,
    pub reason: RefundReason,
}
