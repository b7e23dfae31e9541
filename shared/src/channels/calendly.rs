//! Calendly webhooks (v2): the `Calendly-Webhook-Signature` check and the invitee events
//! a booking follows.
//!
//! A booking arrives as `invitee.created`, a cancellation as `invitee.canceled`. A
//! reschedule arrives as both: `invitee.canceled` for the old invitee (`rescheduled:
//! true`, `new_invitee` set) and `invitee.created` for the new one (`old_invitee` set).

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::timestamped_hmac::{self, Reading};
use crate::domain::{Email, MeetingType, TimeZone};

/// How far the signed time may be from now, either way; Calendly's documented window.
pub const SIGNATURE_TOLERANCE_SECONDS: u64 = 3 * 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendlySignatureError {
    #[error("the Calendly-Webhook-Signature header is missing")]
    Missing,
    #[error("the Calendly-Webhook-Signature header is malformed: {0}")]
    Malformed(&'static str),
    #[error("the signature is {skew_seconds} s away from now, more than {max} s", max = SIGNATURE_TOLERANCE_SECONDS)]
    Expired { skew_seconds: u64 },
    #[error("no v1 signature matches the body")]
    Mismatch,
}

/// Checks `Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex>`: HMAC-SHA256, keyed by
/// the webhook signing key, of `"{t}.{raw body}"`. Any one of several `v1` values may
/// match (as during a key rotation). A genuine signature older or newer than
/// [`SIGNATURE_TOLERANCE_SECONDS`] is a replay or a bad clock, and is refused too.
pub fn verify_signature(
    header: Option<&str>,
    body: &[u8],
    signing_key: &SecretString,
    now: DateTime<Utc>,
) -> Result<(), CalendlySignatureError> {
    use CalendlySignatureError::{Expired, Malformed, Mismatch, Missing};
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(Missing)?;
    let signed = timestamped_hmac::read(header, Reading::Strict).map_err(Malformed)?;
    if !signed.matches(signing_key.expose_secret().as_bytes(), body) {
        return Err(Mismatch);
    }
    let skew_seconds = now.timestamp().abs_diff(signed.seconds);
    if skew_seconds > SIGNATURE_TOLERANCE_SECONDS {
        return Err(Expired { skew_seconds });
    }
    Ok(())
}

/// A webhook delivery, by its `event` name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendlyEvent {
    InviteeCreated(Invitee),
    InviteeCanceled(Invitee),
    /// Any other event the subscription carries (`invitee_no_show.created`,
    /// `routing_form_submission.created`, ...): acknowledged, not followed.
    Other {
        event: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InviteeStatus {
    Active,
    Canceled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CancelerType {
    Host,
    Invitee,
}

/// Who canceled and why (on `invitee.canceled`, including the old half of a reschedule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    /// The canceler's display name.
    pub canceled_by: String,
    pub canceler_type: CancelerType,
    pub reason: Option<String>,
    pub canceled_at: Option<DateTime<Utc>>,
}

/// The UTM parameters of the booking page visit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Tracking {
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_content: Option<String>,
    pub utm_term: Option<String>,
}

/// The person who booked: Calendly's Invitee, with the scheduled event it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    /// The invitee's URI, unique per booking (a reschedule makes a new one): the external id.
    pub uri: String,
    pub email: Email,
    pub name: Option<String>,
    /// Set only when the event type asks for first and last name separately.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The number given for text reminders (`text_reminder_number`), as typed.
    pub phone: Option<String>,
    pub timezone: Option<TimeZone>,
    pub status: InviteeStatus,
    /// On `invitee.canceled`: this cancellation is the old half of a reschedule.
    pub rescheduled: bool,
    /// On the new half of a reschedule: the invitee URI it replaces.
    pub old_invitee: Option<String>,
    /// On the old half of a reschedule: the invitee URI that replaces it.
    pub new_invitee: Option<String>,
    pub cancellation: Option<Cancellation>,
    /// Booking-form answers, in the form's order.
    pub questions_and_answers: Vec<(String, String)>,
    pub tracking: Tracking,
    pub cancel_url: Option<String>,
    pub reschedule_url: Option<String>,
    pub event: ScheduledEvent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledEvent {
    pub uri: String,
    pub name: Option<String>,
    pub event_type: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Where to meet: the address or phone number, else the conference link.
    pub location: Option<String>,
    pub join_url: Option<String>,
    /// The kind of meeting the location implies; `None` for custom or invitee-given places.
    pub meeting_type: Option<MeetingType>,
    /// The hosts (`event_memberships[].user_email`).
    pub host_emails: Vec<Email>,
}

/// A delivery Calendly's payload does not fit; `field` is the path at fault
/// (`payload.scheduled_event.start_time`), `body` when the JSON itself is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct CalendlyParseError {
    pub field: String,
    pub message: String,
}

/// Reads a delivery (the raw body, after [`verify_signature`]).
pub fn parse(body: &[u8]) -> Result<CalendlyEvent, CalendlyParseError> {
    let envelope: Envelope = from_json(body)?;
    match envelope.event.as_str() {
        "invitee.created" => invitee(body).map(CalendlyEvent::InviteeCreated),
        "invitee.canceled" => invitee(body).map(CalendlyEvent::InviteeCanceled),
        _ => Ok(CalendlyEvent::Other { event: envelope.event }),
    }
}

#[derive(Deserialize)]
struct Envelope {
    event: String,
}

#[derive(Deserialize)]
struct InviteeEnvelope {
    payload: RawInvitee,
}

#[derive(Deserialize)]
struct RawInvitee {
    uri: String,
    email: Email,
    name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    text_reminder_number: Option<String>,
    timezone: Option<TimeZone>,
    status: InviteeStatus,
    #[serde(default)]
    rescheduled: bool,
    old_invitee: Option<String>,
    new_invitee: Option<String>,
    cancellation: Option<RawCancellation>,
    #[serde(default)]
    questions_and_answers: Vec<RawAnswer>,
    #[serde(default)]
    tracking: Option<Tracking>,
    cancel_url: Option<String>,
    reschedule_url: Option<String>,
    scheduled_event: RawEvent,
}

#[derive(Deserialize)]
struct RawCancellation {
    canceled_by: String,
    canceler_type: CancelerType,
    reason: Option<String>,
    created_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct RawAnswer {
    question: String,
    answer: String,
    #[serde(default)]
    position: i64,
}

#[derive(Deserialize)]
struct RawEvent {
    uri: String,
    name: Option<String>,
    event_type: Option<String>,
    start_time: DateTime<Utc>,
    end_time: DateTime<Utc>,
    location: Option<RawLocation>,
    #[serde(default)]
    event_memberships: Vec<RawMembership>,
}

#[derive(Deserialize)]
struct RawLocation {
    #[serde(rename = "type")]
    kind: Option<String>,
    location: Option<String>,
    join_url: Option<String>,
}

#[derive(Deserialize)]
struct RawMembership {
    user_email: Option<Email>,
}

fn from_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, CalendlyParseError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let field = match inner.classify() {
            serde_json::error::Category::Data => {
                // A missing field is reported at its parent; name the field itself.
                let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
                match (path.as_str(), missing) {
                    (".", Some(name)) => name.to_owned(),
                    (parent, Some(name)) => format!("{parent}.{name}"),
                    (".", None) => "body".to_owned(),
                    (at, None) => at.to_owned(),
                }
            }
            _ => "body".to_owned(),
        };
        CalendlyParseError { field, message: strip_position(&message) }
    })?;
    de.end().map_err(|e| CalendlyParseError { field: "body".into(), message: strip_position(&e.to_string()) })?;
    Ok(value)
}

/// serde_json's " at line 1 column 42" says nothing to the reader of a field name.
fn strip_position(message: &str) -> String {
    message.split(" at line ").next().unwrap_or(message).to_owned()
}

fn text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn invitee(body: &[u8]) -> Result<Invitee, CalendlyParseError> {
    let InviteeEnvelope { payload: raw } = from_json(body)?;
    let event = raw.scheduled_event;
    if event.end_time <= event.start_time {
        return Err(CalendlyParseError {
            field: "payload.scheduled_event.end_time".into(),
            message: "must be after start_time".into(),
        });
    }
    let location = event.location.unwrap_or(RawLocation { kind: None, location: None, join_url: None });
    let join_url = text(location.join_url);
    let mut answers = raw.questions_and_answers;
    answers.sort_by_key(|a| a.position);
    Ok(Invitee {
        uri: raw.uri,
        email: raw.email,
        name: text(raw.name),
        first_name: text(raw.first_name),
        last_name: text(raw.last_name),
        phone: text(raw.text_reminder_number),
        timezone: raw.timezone,
        status: raw.status,
        rescheduled: raw.rescheduled,
        old_invitee: text(raw.old_invitee),
        new_invitee: text(raw.new_invitee),
        cancellation: raw.cancellation.map(|c| Cancellation {
            canceled_by: c.canceled_by,
            canceler_type: c.canceler_type,
            reason: text(c.reason),
            canceled_at: c.created_at,
        }),
        questions_and_answers: answers.into_iter().map(|a| (a.question, a.answer)).collect(),
        tracking: raw.tracking.unwrap_or_default(),
        cancel_url: text(raw.cancel_url),
        reschedule_url: text(raw.reschedule_url),
        event: ScheduledEvent {
            uri: event.uri,
            name: text(event.name),
            event_type: text(event.event_type),
            start: event.start_time,
            end: event.end_time,
            location: text(location.location).or_else(|| join_url.clone()),
            join_url,
            meeting_type: location.kind.as_deref().and_then(meeting_type),
            host_emails: event.event_memberships.into_iter().filter_map(|m| m.user_email).collect(),
        },
    })
}

/// Calendly's location `type`. Scheduled events say `zoom` and `gotomeeting` where event
/// types say `zoom_conference` and `gotomeeting_conference`; both are read.
fn meeting_type(kind: &str) -> Option<MeetingType> {
    match kind {
        "physical" => Some(MeetingType::InPerson),
        "outbound_call" | "inbound_call" => Some(MeetingType::Phone),
        "google_conference"
        | "zoom"
        | "zoom_conference"
        | "gotomeeting"
        | "gotomeeting_conference"
        | "microsoft_teams_conference"
        | "webex_conference" => Some(MeetingType::Video),
        // `custom` and `ask_invitee` are free text: anything from a street to a link.
        _ => None,
    }
}

#[cfg(test)]
mod tests;
