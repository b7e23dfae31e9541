//! SendGrid's Event Webhook: what became of the e-mail Leadflow sent (delivered, bounced,
//! dropped, reported as spam), posted as a JSON array of events.
//!
//! With "Signed Event Webhook Requests" on, SendGrid signs every post with ECDSA P-256
//! over SHA-256 of the `X-Twilio-Email-Event-Webhook-Timestamp` value followed by the raw
//! body; `X-Twilio-Email-Event-Webhook-Signature` is the base64 DER signature, checked
//! with the verification key SendGrid shows (base64 DER SubjectPublicKeyInfo), set as
//! `SENDGRID_EVENT_PUBLIC_KEY`.

use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1, ParsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use crate::domain::suppression::{DeliveryReport, SuppressedAddress, SuppressionReason, detail_text};
use crate::domain::{DeliveryStatus, Email};

/// How far the signed timestamp may be from now. SendGrid documents none; five minutes is
/// what other signed webhooks allow, and a replay inside it changes nothing (every event
/// is applied idempotently).
pub const SIGNATURE_TOLERANCE_SECONDS: u64 = 5 * 60;

/// The Event Webhook's verification key, checked to be a P-256 public key when read.
#[derive(Clone, Debug)]
pub struct EventWebhookKey(ParsedPublicKey);

impl EventWebhookKey {
    /// Reads the key as SendGrid shows it: base64 of the DER SubjectPublicKeyInfo. A PEM
    /// wrapping of the same (`-----BEGIN PUBLIC KEY-----`) is accepted too.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let base64: String = raw
            .lines()
            .filter(|l| !l.trim_start().starts_with("-----"))
            .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
            .collect();
        let der = STANDARD.decode(base64).map_err(|_| "not base64".to_owned())?;
        ParsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, der)
            .map(Self)
            .map_err(|e| format!("not an ECDSA P-256 public key (DER SubjectPublicKeyInfo): {e}"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventSignatureError {
    #[error("the {0} header is missing")]
    Missing(&'static str),
    #[error("the {0} header is malformed")]
    Malformed(&'static str),
    #[error("the signature is {skew_seconds} s away from now, more than {max} s", max = SIGNATURE_TOLERANCE_SECONDS)]
    Expired { skew_seconds: u64 },
    #[error("the signature does not match the body")]
    Mismatch,
}

pub const SIGNATURE_HEADER: &str = "X-Twilio-Email-Event-Webhook-Signature";
pub const TIMESTAMP_HEADER: &str = "X-Twilio-Email-Event-Webhook-Timestamp";

/// Checks the signature of a post. The timestamp is checked after the signature, so an
/// unsigned one is never reported as merely old.
pub fn verify_signature(
    key: &EventWebhookKey,
    signature: Option<&str>,
    timestamp: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), EventSignatureError> {
    use EventSignatureError::{Expired, Malformed, Mismatch, Missing};
    let signature = signature.map(str::trim).filter(|s| !s.is_empty()).ok_or(Missing(SIGNATURE_HEADER))?;
    let timestamp = timestamp.map(str::trim).filter(|t| !t.is_empty()).ok_or(Missing(TIMESTAMP_HEADER))?;
    let signed_at: i64 = timestamp.parse().map_err(|_| Malformed(TIMESTAMP_HEADER))?;
    let signature = STANDARD.decode(signature).map_err(|_| Malformed(SIGNATURE_HEADER))?;
    let mut message = Vec::with_capacity(timestamp.len() + body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(body);
    key.0.verify_sig(&message, &signature).map_err(|_| Mismatch)?;
    let skew_seconds = now.timestamp().abs_diff(signed_at);
    if skew_seconds > SIGNATURE_TOLERANCE_SECONDS {
        return Err(Expired { skew_seconds });
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("body: {0}")]
pub struct EventsParseError(pub String);

/// Reads a post into one report per event. Only the shape of the whole is required (an
/// array of objects): a field SendGrid adds, leaves out or types differently never fails
/// the batch, which SendGrid would retry for a day.
pub fn parse_events(body: &[u8], now: DateTime<Utc>) -> Result<Vec<DeliveryReport>, EventsParseError> {
    let events: Vec<Value> = serde_json::from_slice(body)
        .map_err(|e| EventsParseError(format!("must be the JSON array of events SendGrid posts ({e})")))?;
    if let Some(i) = events.iter().position(|e| !e.is_object()) {
        return Err(EventsParseError(format!("event {i} is not an object")));
    }
    Ok(events.iter().map(|e| report(e, now)).collect())
}

fn text<'a>(event: &'a Value, field: &str) -> Option<&'a str> {
    event.get(field).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// The ids the sent message may be stored under: the `X-Message-Id` SendGrid answered the
/// send with, which opens `sg_message_id` (`<id>.filter…` or `<id>.recvd-…`) and is the
/// local part of `smtp-id` (`<id@ismtpd-…>`).
fn message_ids(event: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    if let Some(sg) = text(event, "sg_message_id") {
        let cut = [".filter", ".recvd"].iter().filter_map(|m| sg.find(m)).min().unwrap_or(sg.len());
        ids.push(sg[..cut].to_owned());
    }
    if let Some(smtp) = text(event, "smtp-id") {
        let inner = smtp.trim_start_matches('<').trim_end_matches('>');
        if let Some((local, _)) = inner.split_once('@') {
            ids.push(local.to_owned());
        }
    }
    ids.retain(|id| !id.is_empty());
    ids.dedup();
    ids
}

/// What a `dropped` event's reason means for the address. SendGrid drops mail to addresses
/// on its own lists (which Leadflow then mirrors) or for reasons of the message itself
/// ("Invalid SMTPAPI header", "Spam Content", "Recipient List over Package Quota").
fn drop_reason(reason: &str) -> (Option<SuppressionReason>, Option<&'static str>) {
    match reason.to_ascii_lowercase().as_str() {
        "bounced address" => (Some(SuppressionReason::HardBounce), None),
        "invalid" | "invalid address" => (Some(SuppressionReason::InvalidAddress), None),
        "spam reporting address" => (Some(SuppressionReason::SpamReport), Some("spam_report")),
        "unsubscribed address" => (Some(SuppressionReason::Unsubscribed), Some("sendgrid_unsubscribe")),
        _ => (None, None),
    }
}

fn report(event: &Value, now: DateTime<Utc>) -> DeliveryReport {
    let kind = text(event, "event").unwrap_or_default();
    let event_id = match text(event, "sg_event_id") {
        Some(id) => format!("sendgrid:{id}"),
        // Without an id, the event's own content names it: a redelivery is the same text.
        None => format!("sendgrid:sha256:{}", crate::idempotency::payload_hash(event.to_string().as_bytes())),
    };
    let occurred_at =
        event.get("timestamp").and_then(Value::as_i64).and_then(|t| Utc.timestamp_opt(t, 0).single()).unwrap_or(now);
    let reason = text(event, "reason").or_else(|| text(event, "response")).unwrap_or_default();
    let (status, suppress, opt_out) = match kind {
        "delivered" => (Some(DeliveryStatus::Delivered), None, None),
        // `type: blocked` is the receiving server refusing for now (reputation, content):
        // this message failed, the address may work tomorrow.
        "bounce" if text(event, "type").is_some_and(|t| t.eq_ignore_ascii_case("blocked")) => {
            (Some(DeliveryStatus::Failed), None, None)
        }
        // Whatever its classification, SendGrid puts a bounced address on its bounce list
        // and drops what is sent to it afterwards: Leadflow stops sending too.
        "bounce" => (Some(DeliveryStatus::Failed), Some(SuppressionReason::HardBounce), None),
        "blocked" => (Some(DeliveryStatus::Failed), None, None),
        "dropped" => {
            let (suppress, opt_out) = drop_reason(reason);
            (Some(DeliveryStatus::Failed), suppress, opt_out)
        }
        "spamreport" => (None, Some(SuppressionReason::SpamReport), Some("spam_report")),
        // A global unsubscribe through SendGrid's link: SendGrid drops every later send.
        "unsubscribe" => (None, Some(SuppressionReason::Unsubscribed), Some("sendgrid_unsubscribe")),
        // processed, deferred (SendGrid retries), open, click, group_unsubscribe and
        // group_resubscribe (Leadflow sends no group mail), account_status_change, and
        // whatever SendGrid adds later: nothing to record.
        _ => (None, None, None),
    };
    let address = text(event, "email").and_then(|e| Email::parse(e).ok()).map(SuppressedAddress::Email);
    DeliveryReport {
        event_id,
        message_ids: message_ids(event),
        address,
        status,
        suppress,
        opt_out,
        detail: detail_text(&if reason.is_empty() { kind.to_owned() } else { format!("{kind}: {reason}") }),
        occurred_at,
    }
}

#[cfg(test)]
mod tests;
