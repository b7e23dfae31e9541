//! A fake Google: the checks a token or API request must pass, and responses shaped like
//! the ones Google documents.

use chrono::{DateTime, TimeZone as _, Utc};
use leadflow::config::{GoogleAuth, GoogleSettings};
use leadflow::domain::TimeZone;
use leadflow::integrations::IntegrationError;
use leadflow::integrations::google_calendar::{CalendarEvent, GoogleCalendarClient};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, body_string, header, method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

pub(super) const HOST: &str = "dana.whitfield@acme.example";
pub(super) const OTHER_HOST: &str = "sam.ortiz@acme.example";
const SA_EMAIL: &str = "calendar-sync@leadflow-bookings.iam.gserviceaccount.com";
const SCOPE: &str = "https://www.googleapis.com/auth/calendar";
const CLIENT_ID: &str = "1234567890-k9s8d7f6g5h4.apps.googleusercontent.com";
pub(super) const CLIENT_SECRET: &str = "GOCSPX-test-client-secret";
pub(super) const REFRESH_TOKEN: &str = "1//0gLeadflowTestRefreshToken-abc";
pub(super) const EVENTS_PATH: &str = "/calendar/v3/calendars/dana.whitfield%40acme.example/events";
pub(super) const EVENT_ID: &str = "7cbh8rpc10lrc0ckih9tafss99";

fn settings(server: &MockServer, auth: GoogleAuth) -> GoogleSettings {
    GoogleSettings {
        auth,
        api_base_url: format!("{}/calendar/v3", server.uri()),
        token_url: format!("{}/token", server.uri()),
    }
}

pub(super) fn service_account() -> GoogleAuth {
    GoogleAuth::ServiceAccount {
        client_email: SA_EMAIL.into(),
        private_key: SecretString::from(include_str!("../../fixtures/salesforce-test-key.pem")),
    }
}

pub(super) fn refresh_token() -> GoogleAuth {
    GoogleAuth::RefreshToken {
        client_id: CLIENT_ID.into(),
        client_secret: SecretString::from(CLIENT_SECRET),
        refresh_token: SecretString::from(REFRESH_TOKEN),
    }
}

pub(super) fn client(server: &MockServer, auth: GoogleAuth) -> GoogleCalendarClient {
    GoogleCalendarClient::new(reqwest::Client::new(), settings(server, auth))
}

pub(super) fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// The access token the fake hands out for a subject ("" for the refresh-token account).
pub(super) fn access_token(subject: &str) -> String {
    format!("ya29.c.test-token-for-{subject}")
}

/// Accepts a token request only if it carries a jwt-bearer assertion signed with the
/// test key whose claims are exactly what Google requires for delegation to `subject`.
struct SignedAssertion {
    subject: &'static str,
    audience: String,
}

impl Match for SignedAssertion {
    fn matches(&self, request: &Request) -> bool {
        let form: Vec<(String, String)> = form_urlencoded::parse(&request.body).into_owned().collect();
        let [(grant_key, grant), (assertion_key, assertion)] = form.as_slice() else { return false };
        if (grant_key.as_str(), grant.as_str(), assertion_key.as_str())
            != ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion")
        {
            return false;
        }
        let public =
            jsonwebtoken::DecodingKey::from_rsa_pem(include_bytes!("../../fixtures/salesforce-test-key.pub.pem"))
                .unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.set_audience(&[&self.audience]);
        validation.set_issuer(&[SA_EMAIL]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        let Ok(token) = jsonwebtoken::decode::<Value>(assertion, &public, &validation) else { return false };
        let claims = &token.claims;
        let (Some(iat), Some(exp)) = (claims["iat"].as_i64(), claims["exp"].as_i64()) else { return false };
        token.header.typ.as_deref() == Some("JWT")
            && claims["sub"] == self.subject
            && claims["scope"] == SCOPE
            && exp - iat == 3600
            && (Utc::now().timestamp() - iat).abs() < 60
            && claims.as_object().is_some_and(|c| c.len() == 6)
    }
}

/// Accepts a request whose whole query string is this (wiremock's own matchers only check
/// that a parameter is present).
pub(super) struct ExactQuery(pub Option<&'static str>);

impl Match for ExactQuery {
    fn matches(&self, request: &Request) -> bool {
        request.url.query() == self.0
    }
}

/// Google's token response for a service account.
fn token_response(subject: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access_token(subject),
        "expires_in": 3599,
        "token_type": "Bearer"
    }))
}

pub(super) async fn mount_service_account_token(server: &MockServer, subject: &'static str, calls: u64) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(SignedAssertion { subject, audience: format!("{}/token", server.uri()) })
        .respond_with(token_response(subject))
        .expect(calls)
        .named(format!("token for {subject}"))
        .mount(server)
        .await;
}

pub(super) async fn mount_refresh_token(server: &MockServer, calls: u64) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(
            "grant_type=refresh_token\
             &client_id=1234567890-k9s8d7f6g5h4.apps.googleusercontent.com\
             &client_secret=GOCSPX-test-client-secret\
             &refresh_token=1%2F%2F0gLeadflowTestRefreshToken-abc",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": access_token(""),
            "expires_in": 3920,
            "scope": SCOPE,
            "token_type": "Bearer"
        })))
        .expect(calls)
        .named("refresh-token grant")
        .mount(server)
        .await;
}

/// Google's freeBusy answer for one calendar.
pub(super) fn free_busy_response(calendar: &str, time_min: &str, time_max: &str, entry: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "kind": "calendar#freeBusy",
        "timeMin": time_min,
        "timeMax": time_max,
        "calendars": { calendar: entry }
    }))
}

pub(super) async fn mount_free_busy(server: &MockServer, calendar: &str, token_subject: &str, entry: Value) {
    Mock::given(method("POST"))
        .and(path("/calendar/v3/freeBusy"))
        .and(header("authorization", format!("Bearer {}", access_token(token_subject)).as_str()))
        .and(body_partial_json(json!({"items": [{"id": calendar}]})))
        .respond_with(free_busy_response(calendar, "2025-03-09T05:00:00.000Z", "2025-03-10T04:00:00.000Z", entry))
        .mount(server)
        .await;
}

/// Google's error body (the Calendar API's documented shape).
pub(super) fn google_error(code: u16, domain: &str, reason: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({
        "error": {
            "errors": [{"domain": domain, "reason": reason, "message": message}],
            "code": code,
            "message": message
        }
    }))
}

pub(super) fn booking_id() -> uuid::Uuid {
    uuid::Uuid::parse_str("01956d3a-7c4e-7b21-9f3a-2b8c4d5e6f70").unwrap()
}

/// The id Leadflow gives the booking's event: the booking id's 32 hex digits.
pub(super) const BOOKING_EVENT_ID: &str = "01956d3a7c4e7b219f3a2b8c4d5e6f70";

/// A one-hour consultation on the night New York springs forward: it starts at 01:30
/// EST and ends at 03:30 EDT.
pub(super) fn dst_event() -> CalendarEvent {
    CalendarEvent {
        booking_id: booking_id(),
        summary: "Kitchen remodel consultation: Dana Whitfield".into(),
        description: Some("Booked by Leadflow. Wants a quote for cabinets and countertops.".into()),
        start: utc(2025, 3, 9, 6, 30),
        end: utc(2025, 3, 9, 7, 30),
        time_zone: TimeZone::parse("America/New_York").unwrap(),
        location: Some("1200 Congress Ave, Austin, TX 78701".into()),
        attendee_email: Some("dana@example.com".into()),
        attendee_name: Some("Dana Whitfield".into()),
        meet_request_id: Some(format!("leadflow-{}", booking_id())),
    }
}

/// An event resource as Google returns it; `extra` adds or overrides fields.
pub(super) fn event_resource(extra: Value) -> Value {
    let mut event = json!({
        "kind": "calendar#event",
        "etag": "\"3468921876543000\"",
        "id": EVENT_ID,
        "status": "confirmed",
        "htmlLink": "https://www.google.com/calendar/event?eid=N2NiaDhycGMxMGxyYzBja2loOXRhZnNzOTkgZGFuYS53aGl0ZmllbGRAYWNtZS5leGFtcGxl",
        "created": "2025-03-01T16:04:10.000Z",
        "updated": "2025-03-01T16:04:10.512Z",
        "summary": "Kitchen remodel consultation: Dana Whitfield",
        "description": "Booked by Leadflow. Wants a quote for cabinets and countertops.",
        "location": "1200 Congress Ave, Austin, TX 78701",
        "creator": {"email": HOST, "self": true},
        "organizer": {"email": HOST, "self": true},
        "start": {"dateTime": "2025-03-09T01:30:00-05:00", "timeZone": "America/New_York"},
        "end": {"dateTime": "2025-03-09T03:30:00-04:00", "timeZone": "America/New_York"},
        "iCalUID": "7cbh8rpc10lrc0ckih9tafss99@google.com",
        "sequence": 0,
        "attendees": [
            {"email": "dana@example.com", "displayName": "Dana Whitfield", "responseStatus": "needsAction"}
        ],
        "extendedProperties": {"private": {"leadflow_booking_id": booking_id().to_string()}},
        "reminders": {"useDefault": true},
        "eventType": "default"
    });
    if let (Some(base), Some(extra)) = (event.as_object_mut(), extra.as_object()) {
        base.extend(extra.clone());
    }
    event
}

pub(super) fn conference_data(request_id: &str) -> Value {
    json!({
        "createRequest": {
            "requestId": request_id,
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
            "status": {"statusCode": "success"}
        },
        "entryPoints": [
            {
                "entryPointType": "video",
                "uri": "https://meet.google.com/abc-mnop-xyz",
                "label": "meet.google.com/abc-mnop-xyz"
            },
            {
                "entryPointType": "phone",
                "uri": "tel:+1-512-555-0148",
                "label": "+1 512-555-0148",
                "pin": "482913657",
                "regionCode": "US"
            },
            {
                "entryPointType": "more",
                "uri": "https://tel.meet/abc-mnop-xyz?pin=4829136571234",
                "pin": "4829136571234"
            }
        ],
        "conferenceSolution": {
            "key": {"type": "hangoutsMeet"},
            "name": "Google Meet",
            "iconUri": "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png"
        },
        "conferenceId": "abc-mnop-xyz"
    })
}

pub(super) fn is_unavailable(e: &IntegrationError) -> bool {
    matches!(e, IntegrationError::Unavailable { service: "google_calendar", .. })
}

pub(super) fn refused_status(e: &IntegrationError) -> Option<u16> {
    match e {
        IntegrationError::Refused { service: "google_calendar", status, .. } => Some(*status),
        IntegrationError::Refused { .. } | IntegrationError::Unavailable { .. } => None,
    }
}
