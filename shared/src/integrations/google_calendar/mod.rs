//! Google Calendar (API v3): a host's busy time from freeBusy, and one event per booking,
//! optionally with a Google Meet link. Access tokens come from a service account acting as
//! each host (domain-wide delegation, so one token per calendar) or from one account's
//! refresh token; each is cached until shortly before it expires and renewed on a 401.
//!
//! A booking's event has an id of Leadflow's choosing ([`event_id`]), so an insert whose
//! answer was lost and is retried finds its event instead of making a second one.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use tokio::sync::Mutex;

use self::token::Token;
use super::IntegrationError;
use crate::config::{GoogleAuth, GoogleSettings};
use crate::domain::TimeZone;
use crate::domain::availability::Interval;
use crate::domain::provider::Provider;
use crate::provider_log::{Outcome, Watch};

mod token;

const SERVICE: &str = "google_calendar";
/// The 403 reasons Google documents as throttling, to be retried with backoff.
const THROTTLED: [&str; 2] = ["rateLimitExceeded", "userRateLimitExceeded"];
/// freeBusy's per-calendar error reasons that are Google's own failures.
const FREE_BUSY_TRANSIENT: [&str; 2] = ["internalError", "backendError"];

/// The Google event id of a booking's event: the UUID's 32 lowercase hex digits. Google
/// takes ids of 5 to 1024 base32hex characters (`a`-`v`, `0`-`9`), unique per calendar.
pub fn event_id(booking_id: uuid::Uuid) -> String {
    booking_id.simple().to_string()
}

/// An event as Leadflow keeps it for one booking. On a patch every field is sent, and an
/// absent description, location or attendee clears the one Google has; an absent
/// `meet_request_id` leaves an existing conference alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Stored in `extendedProperties.private.leadflow_booking_id`; the event's id derives
    /// from it ([`event_id`]).
    pub booking_id: uuid::Uuid,
    pub summary: String,
    pub description: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Start and end are sent in this zone (local time with its offset, and the IANA name).
    pub time_zone: TimeZone,
    pub location: Option<String>,
    pub attendee_email: Option<String>,
    pub attendee_name: Option<String>,
    /// Asks Google for a Meet link. The id must be stable per booking: Google makes one
    /// conference per request id, so a retried insert does not make a second one.
    pub meet_request_id: Option<String>,
}

/// What Google answered for a created or changed event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedEvent {
    pub id: String,
    /// The conference's video entry point, else the event's `hangoutLink`. `None` while
    /// Google is still creating the conference.
    pub meet_link: Option<String>,
    pub html_link: Option<String>,
}

#[derive(Deserialize)]
struct FreeBusyResponse {
    calendars: HashMap<String, FreeBusyCalendar>,
}

#[derive(Deserialize)]
struct FreeBusyCalendar {
    #[serde(default)]
    busy: Vec<Period>,
    #[serde(default)]
    errors: Vec<FreeBusyError>,
}

#[derive(Deserialize)]
struct Period {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Deserialize)]
struct FreeBusyError {
    domain: String,
    reason: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventResponse {
    id: String,
    html_link: Option<String>,
    hangout_link: Option<String>,
    conference_data: Option<ConferenceData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConferenceData {
    #[serde(default)]
    entry_points: Vec<EntryPoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryPoint {
    entry_point_type: String,
    uri: Option<String>,
}

pub struct GoogleCalendarClient {
    http: reqwest::Client,
    settings: GoogleSettings,
    /// Access tokens by the subject they act as (see `subject`).
    tokens: Mutex<HashMap<String, Token>>,
    watch: Watch,
}

impl GoogleCalendarClient {
    pub fn new(http: reqwest::Client, settings: GoogleSettings) -> Self {
        Self { http, settings, tokens: Mutex::new(HashMap::new()), watch: Watch::new(Provider::Google) }
    }

    /// Reports each call's result to `log` (the Settings page's integration status).
    #[must_use]
    pub fn with_log(mut self, log: std::sync::Arc<dyn crate::provider_log::ProviderLog>) -> Self {
        self.watch = self.watch.with_log(log);
        self
    }

    /// Busy intervals of one calendar in `[from, to)`, ascending.
    pub async fn free_busy(
        &self,
        calendar_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Interval>, IntegrationError> {
        if from >= to {
            return Ok(Vec::new());
        }
        let body = json!({
            "timeMin": rfc3339(from),
            "timeMax": rfc3339(to),
            "timeZone": "UTC",
            "items": [{"id": calendar_id}],
        });
        let url = format!("{}/freeBusy", self.settings.api_base_url);
        let (status, text) = self.call(calendar_id, Method::POST, &url, Some(&body)).await?;
        if !status.is_success() {
            return Err(api_error(status, &text));
        }
        let mut answer: FreeBusyResponse = parse(&text, "freeBusy")?;
        let calendar = answer.calendars.remove(calendar_id).ok_or_else(|| IntegrationError::Unavailable {
            service: SERVICE,
            message: "freeBusy answered without the calendar asked about".into(),
        })?;
        if let Some(e) = calendar.errors.first() {
            let message = format!("freeBusy for {calendar_id}: {} ({})", e.reason, e.domain);
            // Google reports a calendar's failure inside a 200, so that is the status given.
            return Err(if FREE_BUSY_TRANSIENT.contains(&e.reason.as_str()) {
                IntegrationError::Unavailable { service: SERVICE, message }
            } else {
                IntegrationError::Refused { service: SERVICE, status: status.as_u16(), message }
            });
        }
        // A busy period may reach past the asked range; callers are promised only [from, to).
        let mut busy: Vec<Interval> = calendar
            .busy
            .iter()
            .map(|p| Interval { start: p.start.max(from), end: p.end.min(to) })
            .filter(|i| i.start < i.end)
            .collect();
        busy.sort_unstable();
        Ok(busy)
    }

    /// Creates the booking's event under its own id ([`event_id`]). When Google already has
    /// it (409 `duplicate`: an earlier attempt got through but its answer was lost) the
    /// event is patched to the booking as it stands instead. Guests get no e-mail from
    /// Google: Leadflow sends its own confirmation.
    pub async fn insert_event(&self, calendar_id: &str, event: &CalendarEvent) -> Result<SavedEvent, IntegrationError> {
        let url = format!("{}?conferenceDataVersion=1&sendUpdates=none", self.events_url(calendar_id));
        let mut body = event_body(event, false);
        if let Some(fields) = body.as_object_mut() {
            fields.insert("id".into(), json!(event_id(event.booking_id)));
        }
        let (status, text) = self.call(calendar_id, Method::POST, &url, Some(&body)).await?;
        if status == StatusCode::CONFLICT && error_reasons(&text).any(|r| r == "duplicate") {
            return self.patch_event(calendar_id, &event_id(event.booking_id), event).await;
        }
        saved(status, &text)
    }

    pub async fn patch_event(
        &self,
        calendar_id: &str,
        event_id: &str,
        event: &CalendarEvent,
    ) -> Result<SavedEvent, IntegrationError> {
        let url = format!(
            "{}/{}?conferenceDataVersion=1&sendUpdates=none",
            self.events_url(calendar_id),
            path_segment(event_id)
        );
        let (status, text) = self.call(calendar_id, Method::PATCH, &url, Some(&event_body(event, true))).await?;
        saved(status, &text)
    }

    /// An event already gone (404/410) counts as deleted.
    pub async fn delete_event(&self, calendar_id: &str, event_id: &str) -> Result<(), IntegrationError> {
        let url = format!("{}/{}?sendUpdates=none", self.events_url(calendar_id), path_segment(event_id));
        let (status, text) = self.call(calendar_id, Method::DELETE, &url, None).await?;
        if status.is_success() || status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
            Ok(())
        } else {
            Err(api_error(status, &text))
        }
    }

    fn events_url(&self, calendar_id: &str) -> String {
        format!("{}/calendars/{}/events", self.settings.api_base_url, path_segment(calendar_id))
    }

    /// Sends one API request with the calendar's token, renewing the token once on a 401.
    async fn call(
        &self,
        calendar_id: &str,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, String), IntegrationError> {
        let answered = self.call_once(calendar_id, method, url, body).await;
        // Google's own failures count against it; a refusal of what was asked (a 404 of a
        // deleted event, a 409) is the request's, and the call itself went through.
        match &answered {
            Ok((status, _)) if status.is_server_error() => {
                self.watch.outcome(Outcome::Failed(&format!("Google Calendar answered HTTP {status}"))).await;
            }
            Ok(_) => self.watch.outcome(Outcome::Succeeded).await,
            Err(e) => self.watch.outcome(Outcome::Failed(&e.to_string())).await,
        }
        answered
    }

    async fn call_once(
        &self,
        calendar_id: &str,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, String), IntegrationError> {
        let subject = self.subject(calendar_id);
        let mut renew = false;
        loop {
            let token = self.token(subject, renew).await?;
            let mut request = self.http.request(method.clone(), url).bearer_auth(token.access_token.expose_secret());
            if let Some(body) = body {
                request = request.json(body);
            }
            let resp = request.send().await.map_err(|e| IntegrationError::network(SERVICE, e))?;
            let status = resp.status();
            if status == StatusCode::UNAUTHORIZED && !renew {
                renew = true;
                continue;
            }
            let text = resp.text().await.map_err(|e| IntegrationError::network(SERVICE, e))?;
            return Ok((status, text));
        }
    }

    /// Whom a request about `calendar_id` acts as: under domain-wide delegation the
    /// calendar's owner (a host's calendar id is their address), else the one account.
    fn subject<'a>(&self, calendar_id: &'a str) -> &'a str {
        match self.settings.auth {
            GoogleAuth::ServiceAccount { .. } => calendar_id,
            GoogleAuth::RefreshToken { .. } => "",
        }
    }
}

/// The event resource. `clear_absent` sends absent optional fields as null (or no
/// attendees), which a patch needs to remove what an earlier version of the event had.
fn event_body(event: &CalendarEvent, clear_absent: bool) -> Value {
    let mut body = Map::new();
    body.insert("summary".into(), json!(event.summary));
    for (key, value) in [("description", &event.description), ("location", &event.location)] {
        if value.is_some() || clear_absent {
            body.insert(key.into(), json!(value));
        }
    }
    body.insert("start".into(), event_time(event.start, event.time_zone));
    body.insert("end".into(), event_time(event.end, event.time_zone));
    let attendees: Vec<Value> = event
        .attendee_email
        .iter()
        .map(|email| match &event.attendee_name {
            Some(name) => json!({"email": email, "displayName": name}),
            None => json!({"email": email}),
        })
        .collect();
    if !attendees.is_empty() || clear_absent {
        body.insert("attendees".into(), Value::Array(attendees));
    }
    body.insert("extendedProperties".into(), json!({"private": {"leadflow_booking_id": event.booking_id.to_string()}}));
    if let Some(request_id) = &event.meet_request_id {
        body.insert(
            "conferenceData".into(),
            json!({"createRequest": {"requestId": request_id, "conferenceSolutionKey": {"type": "hangoutsMeet"}}}),
        );
    }
    Value::Object(body)
}

/// Local wall time with its offset, plus the zone, so the event shows in the business's zone.
fn event_time(at: DateTime<Utc>, zone: TimeZone) -> Value {
    json!({
        "dateTime": at.with_timezone(&zone.tz()).to_rfc3339_opts(SecondsFormat::Secs, false),
        "timeZone": zone.name(),
    })
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Percent-encodes one path segment: calendar ids hold '@' and may hold '#' or '+'.
fn path_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The event Google answered with, or its refusal.
fn saved(status: StatusCode, text: &str) -> Result<SavedEvent, IntegrationError> {
    if !status.is_success() {
        return Err(api_error(status, text));
    }
    let event: EventResponse = parse(text, "event")?;
    let video = event
        .conference_data
        .into_iter()
        .flat_map(|c| c.entry_points)
        .find_map(|p| if p.entry_point_type == "video" { p.uri } else { None });
    Ok(SavedEvent { id: event.id, meet_link: video.or(event.hangout_link), html_link: event.html_link })
}

fn parse<T: DeserializeOwned>(body: &str, what: &str) -> Result<T, IntegrationError> {
    serde_json::from_str(body).map_err(|e| IntegrationError::Unavailable {
        service: SERVICE,
        message: format!("unreadable {what} response: {e}"),
    })
}

/// The `reason`s of Google's error body (`error.errors[].reason`).
fn error_reasons(body: &str) -> impl Iterator<Item = String> {
    let value = serde_json::from_str::<Value>(body).unwrap_or(Value::Null);
    let errors = value.pointer("/error/errors").and_then(Value::as_array).cloned().unwrap_or_default();
    errors.into_iter().filter_map(|e| e.get("reason").and_then(Value::as_str).map(str::to_owned))
}

/// Google answers throttling with 403 as well as 429; only the error reason tells them apart.
fn api_error(status: StatusCode, body: &str) -> IntegrationError {
    let throttled = status == StatusCode::FORBIDDEN && error_reasons(body).any(|r| THROTTLED.contains(&r.as_str()));
    if throttled {
        let message: String = body.chars().take(300).collect();
        return IntegrationError::Unavailable { service: SERVICE, message: format!("HTTP {status}: {message}") };
    }
    IntegrationError::from_status(SERVICE, status, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_keep_only_unreserved_characters() {
        assert_eq!(path_segment("dana@acme.example"), "dana%40acme.example");
        assert_eq!(
            path_segment("en.usa#holiday@group.v.calendar.google.com"),
            "en.usa%23holiday%40group.v.calendar.google.com"
        );
        assert_eq!(path_segment("a+b/c d~_-"), "a%2Bb%2Fc%20d~_-");
        assert_eq!(path_segment("café"), "caf%C3%A9");
    }
}
