//! Stripe webhooks: the `Stripe-Signature` check and the Checkout Session events a
//! deposit follows.
//!
//! `checkout.session.completed` (with `payment_status: "paid"`) and
//! `checkout.session.async_payment_succeeded` mean the deposit is paid;
//! `checkout.session.expired` and `checkout.session.async_payment_failed` mean it never
//! will be. Every other type is acknowledged and ignored.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use uuid::Uuid;

use super::timestamped_hmac::{self, Reading};

/// How old a signed time may be; the default of Stripe's own libraries.
pub const SIGNATURE_TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StripeSignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header is malformed: {0}")]
    Malformed(&'static str),
    #[error("the signature's time is {age_seconds} s from now, more than {max} s", max = SIGNATURE_TOLERANCE_SECONDS)]
    TooOld { age_seconds: i64 },
    #[error("no v1 signature matches the body")]
    Mismatch,
}

/// Checks `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>][,v0=<hex>]` as Stripe
/// documents it: HMAC-SHA256, keyed by the endpoint's signing secret, of `"{t}.{raw
/// body}"`; any one `v1` may match (two during a secret's rotation), compared in
/// constant time; other schemes (`v0`, test-mode) are ignored. A genuine signature
/// made more than [`SIGNATURE_TOLERANCE_SECONDS`] ago is refused as a replay.
pub fn verify_signature(
    header: Option<&str>,
    body: &[u8],
    secret: &SecretString,
    now: DateTime<Utc>,
) -> Result<(), StripeSignatureError> {
    use StripeSignatureError::{Malformed, Mismatch, Missing, TooOld};
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(Missing)?;
    let signed = timestamped_hmac::read(header, Reading::Lenient).map_err(Malformed)?;
    if !signed.matches(secret.expose_secret().as_bytes(), body) {
        return Err(Mismatch);
    }
    // Both ways: a timestamp far in the future is as suspect as an old one.
    let age_seconds = now.timestamp() - signed.seconds;
    if age_seconds.abs() > SIGNATURE_TOLERANCE_SECONDS {
        return Err(TooOld { age_seconds });
    }
    Ok(())
}

/// The parts of a Checkout Session object a deposit reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutSession {
    /// `cs_...`
    pub id: String,
    /// `metadata.booking_id`, else `client_reference_id`.
    pub booking_id: Option<Uuid>,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: String,
    pub payment_intent: Option<String>,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
}

impl CheckoutSession {
    pub fn is_paid(&self) -> bool {
        self.payment_status == "paid"
    }
}

/// A webhook delivery, by its `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StripeEventKind {
    Completed(CheckoutSession),
    AsyncSucceeded(CheckoutSession),
    AsyncFailed(CheckoutSession),
    Expired(CheckoutSession),
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeEvent {
    /// `evt_...`: the same for every delivery of one event.
    pub id: String,
    pub event_type: String,
    pub kind: StripeEventKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct StripeParseError {
    pub field: String,
    pub message: String,
}

#[derive(Deserialize)]
struct RawEvent {
    id: String,
    object: String,
    #[serde(rename = "type")]
    event_type: String,
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: serde_json::Value,
}

#[derive(Deserialize)]
struct RawSession {
    id: String,
    object: String,
    #[serde(default)]
    payment_status: Option<String>,
    /// An id, or the object when expanded.
    #[serde(default)]
    payment_intent: Option<serde_json::Value>,
    #[serde(default)]
    amount_total: Option<i64>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    client_reference_id: Option<String>,
    #[serde(default)]
    metadata: Option<std::collections::HashMap<String, String>>,
}

fn bad(field: &str, message: impl Into<String>) -> StripeParseError {
    StripeParseError { field: field.into(), message: message.into() }
}

fn session(object: serde_json::Value) -> Result<CheckoutSession, StripeParseError> {
    let raw: RawSession = serde_json::from_value(object).map_err(|e| bad("data.object", e.to_string()))?;
    if raw.object != "checkout.session" {
        return Err(bad("data.object.object", format!("is {:?}, not \"checkout.session\"", raw.object)));
    }
    let from_metadata = raw.metadata.as_ref().and_then(|m| m.get("booking_id")).cloned();
    let booking_id = from_metadata.or(raw.client_reference_id).and_then(|s| Uuid::parse_str(&s).ok());
    let payment_intent = match raw.payment_intent {
        Some(serde_json::Value::String(id)) => Some(id),
        Some(serde_json::Value::Object(o)) => o.get("id").and_then(|v| v.as_str()).map(str::to_owned),
        _ => None,
    };
    Ok(CheckoutSession {
        id: raw.id,
        booking_id,
        payment_status: raw.payment_status.unwrap_or_default(),
        payment_intent,
        amount_total: raw.amount_total,
        currency: raw.currency,
    })
}

/// Reads an event (an `object: "event"` with `data.object`).
pub fn parse(body: &[u8]) -> Result<StripeEvent, StripeParseError> {
    let raw: RawEvent = serde_json::from_slice(body).map_err(|e| bad("body", e.to_string()))?;
    if raw.object != "event" {
        return Err(bad("object", format!("is {:?}, not \"event\"", raw.object)));
    }
    let kind = match raw.event_type.as_str() {
        "checkout.session.completed" => StripeEventKind::Completed(session(raw.data.object)?),
        "checkout.session.async_payment_succeeded" => StripeEventKind::AsyncSucceeded(session(raw.data.object)?),
        "checkout.session.async_payment_failed" => StripeEventKind::AsyncFailed(session(raw.data.object)?),
        "checkout.session.expired" => StripeEventKind::Expired(session(raw.data.object)?),
        _ => StripeEventKind::Other,
    };
    Ok(StripeEvent { id: raw.id, event_type: raw.event_type, kind })
}

#[cfg(test)]
mod tests {
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::Sha256;

    use super::*;

    const SECRET: &str = "whsec_test_secret";

    fn sign(t: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn deposit_webhook_signatures_are_checked_like_stripe() {
        let secret = SecretString::from(SECRET);
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let t = now.timestamp() - 10;
        let body = br#"{"id":"evt_1"}"#;
        let good = sign(t, body);
        let ok = |h: &str| verify_signature(Some(h), body, &secret, now);
        assert_eq!(ok(&format!("t={t},v1={good}")), Ok(()));
        assert_eq!(ok(&format!("t={t},v1={},v1={good},v0=abc", "0".repeat(64))), Ok(()));
        assert_eq!(ok(&format!("t={t},v1={}", "0".repeat(64))), Err(StripeSignatureError::Mismatch));
        assert_eq!(ok(&format!("t={},v1={good}", t + 1)), Err(StripeSignatureError::Mismatch));
        assert_eq!(ok(&format!("t={t},v0={good}")), Err(StripeSignatureError::Malformed("there is no v1 signature")));
        assert_eq!(verify_signature(None, body, &secret, now), Err(StripeSignatureError::Missing));
        let old = now.timestamp() - 301;
        let h = format!("t={old},v1={}", sign(old, body));
        assert_eq!(ok(&h), Err(StripeSignatureError::TooOld { age_seconds: 301 }));
        let ahead = now.timestamp() + 301;
        let h = format!("t={ahead},v1={}", sign(ahead, body));
        assert_eq!(ok(&h), Err(StripeSignatureError::TooOld { age_seconds: -301 }), "a future time is refused too");
        // Elements Stripe's libraries skip are skipped here too.
        assert_eq!(ok(&format!("t={t},v1={good},future-flag")), Ok(()));
    }

    #[test]
    fn deposit_events_read_the_session() {
        let body = br#"{"id":"evt_1","object":"event","type":"checkout.session.completed","data":{"object":
            {"id":"cs_test_1","object":"checkout.session","payment_status":"paid","payment_intent":"pi_1",
             "client_reference_id":"00000000-0000-0000-0000-000000000001","metadata":{}}}}"#;
        let e = parse(body).unwrap();
        let StripeEventKind::Completed(s) = e.kind else { panic!("{e:?}") };
        assert!(s.is_paid() && s.payment_intent.as_deref() == Some("pi_1"));
        assert_eq!(s.booking_id, Some(Uuid::from_u128(1)));
        let other = br#"{"id":"evt_2","object":"event","type":"charge.refunded","data":{"object":{"id":"ch_1"}}}"#;
        assert_eq!(parse(other).unwrap().kind, StripeEventKind::Other);
    }
}
