//! The host's Google Calendar end to end, against a fake Google that checks each request
//! exactly: freeBusy time is neither offered nor bookable; a booking's event is inserted
//! (with a Meet link that reaches the booking and the confirmation), patched when it
//! moves and deleted when it is cancelled; an outage fails the job as retryable and
//! leaves the booking alone, and the retry finds the event instead of doubling it.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use http::StatusCode;
use leadflow::config::{Config, GoogleAuth, GoogleSettings};
use leadflow::queue::Job;
use leadflow::workers::{JobContext, run};
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{body_json, body_partial_json, body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{book, chicago, customer, id, plumber, weekday_ahead};
use crate::common::TestApp;
use crate::common::providers::with_sendgrid;

const CALENDAR: &str = "dana.whitfield@example.com";
const EVENTS: &str = "/calendar/v3/calendars/dana.whitfield%40example.com/events";
const TOKEN: &str = "ya29.a0-leadflow-test-access-token";
const MEET: &str = "https://meet.google.com/kdw-qpzr-tuv";

fn with_google(c: &mut Config, base: &str) {
    c.providers.google = Some(GoogleSettings {
        auth: GoogleAuth::RefreshToken {
            client_id: "1234567890-k9s8d7f6g5h4.apps.googleusercontent.com".into(),
            client_secret: SecretString::from("GOCSPX-test-client-secret"),
            refresh_token: SecretString::from("1//0gLeadflowTestRefreshToken-abc"),
        },
        api_base_url: format!("{base}/calendar/v3"),
        token_url: format!("{base}/token"),
    });
    with_sendgrid(c, base);
}

/// Google (token grant) and SendGrid on one fake; Austin Plumbing with Dana as the one
/// host, on her calendar, meeting by Google Meet.
async fn google_app() -> (MockServer, TestApp, String) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string(
            "grant_type=refresh_token\
             &client_id=1234567890-k9s8d7f6g5h4.apps.googleusercontent.com\
             &client_secret=GOCSPX-test-client-secret\
             &refresh_token=1%2F%2F0gLeadflowTestRefreshToken-abc",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": TOKEN,
            "expires_in": 3599,
            "scope": "https://www.googleapis.com/auth/calendar",
            "token_type": "Bearer"
        })))
        .mount(&server)
        .await;
    super::accept_mail(&server).await;
    let uri = server.uri();
    let app = TestApp::with_config(move |c| with_google(c, &uri)).await;
    plumber(&app).await;
    let team = crate::common::org::team(&app, "Field", "sales", "round_robin").await;
    let host = id(&crate::common::org::agent(&app, &team, "Dana Whitfield", true).await);
    let r = app
        .put(
            "/api/settings",
            json!({"booking": {"meeting_type": "video", "meeting_link": "google_meet",
                               "hosts": [{"agent_id": host, "calendar_id": CALENDAR}]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    (server, app, host)
}

fn z(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn chicago_local(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::America::Chicago).to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Google's freeBusy answer for the host's calendar.
fn free_busy(from: DateTime<Utc>, to: DateTime<Utc>, busy: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "kind": "calendar#freeBusy",
        "timeMin": from.to_rfc3339_opts(SecondsFormat::Millis, true),
        "timeMax": to.to_rfc3339_opts(SecondsFormat::Millis, true),
        "calendars": {CALENDAR: {"busy": busy}}
    }))
}

/// Any freeBusy question about the host's calendar: free throughout.
async fn always_free(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/calendar/v3/freeBusy"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_partial_json(json!({"items": [{"id": CALENDAR}]})))
        .respond_with(free_busy(Utc::now(), Utc::now() + Duration::days(30), json!([])))
        .mount(server)
        .await;
}

/// The event as Google returns it once the Meet conference exists.
fn event_resource(booking: Uuid, start: DateTime<Utc>, end: DateTime<Utc>, sequence: u32) -> Value {
    let event_id = booking.simple().to_string();
    json!({
        "kind": "calendar#event",
        "etag": "\"3468921876543000\"",
        "id": event_id,
        "status": "confirmed",
        "htmlLink": format!("https://www.google.com/calendar/event?eid={event_id}"),
        "created": "2026-03-01T16:04:10.000Z",
        "updated": "2026-03-01T16:04:10.512Z",
        "summary": "Austin Plumbing with Maria Lopez",
        "creator": {"email": CALENDAR, "self": true},
        "organizer": {"email": CALENDAR, "self": true},
        "start": {"dateTime": chicago_local(start), "timeZone": "America/Chicago"},
        "end": {"dateTime": chicago_local(end), "timeZone": "America/Chicago"},
        "iCalUID": format!("{event_id}@google.com"),
        "sequence": sequence,
        "attendees": [{"email": "maria@example.com", "displayName": "Maria Lopez", "responseStatus": "needsAction"}],
        "extendedProperties": {"private": {"leadflow_booking_id": booking.to_string()}},
        "hangoutLink": MEET,
        "conferenceData": {
            "createRequest": {
                "requestId": event_id,
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
                "status": {"statusCode": "success"}
            },
            "entryPoints": [
                {"entryPointType": "video", "uri": MEET, "label": "meet.google.com/kdw-qpzr-tuv"},
                {"entryPointType": "phone", "uri": "tel:+1-512-555-0148", "label": "+1 512-555-0148",
                 "pin": "482913657", "regionCode": "US"}
            ],
            "conferenceSolution": {
                "key": {"type": "hangoutsMeet"},
                "name": "Google Meet",
                "iconUri": "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png"
            },
            "conferenceId": "kdw-qpzr-tuv"
        },
        "reminders": {"useDefault": true},
        "eventType": "default"
    })
}

/// What Leadflow sends for Maria's booking; `patch` adds the fields a patch clears.
fn event_body(booking: Uuid, start: DateTime<Utc>, end: DateTime<Utc>, patch: bool) -> Value {
    let mut body = json!({
        "summary": "Austin Plumbing with Maria Lopez",
        "start": {"dateTime": chicago_local(start), "timeZone": "America/Chicago"},
        "end": {"dateTime": chicago_local(end), "timeZone": "America/Chicago"},
        "attendees": [{"email": "maria@example.com", "displayName": "Maria Lopez"}],
        "extendedProperties": {"private": {"leadflow_booking_id": booking.to_string()}},
        "conferenceData": {
            "createRequest": {"requestId": booking.simple().to_string(), "conferenceSolutionKey": {"type": "hangoutsMeet"}}
        }
    });
    let fields = body.as_object_mut().unwrap();
    if patch {
        fields.insert("description".into(), Value::Null);
        fields.insert("location".into(), Value::Null);
    } else {
        fields.insert("id".into(), json!(booking.simple().to_string()));
    }
    body
}

async fn run_job(app: &TestApp, job: &Job) -> Result<(), leadflow::workers::JobFailure> {
    run(&app.state, job, &JobContext::with_budget(Duration::seconds(30))).await
}

/// Books Maria at `at` and returns the booking's id with the jobs it queued.
async fn booked(app: &TestApp, at: DateTime<Utc>) -> (Uuid, Vec<Job>) {
    let c = customer(app, "maria@example.com").await;
    let r = book(app, &c, at).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    (id(&r.body).parse().unwrap(), app.take_jobs().await)
}

async fn mails(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|r| r.url.path() == "/v3/mail/send")
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["content"][0]["value"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn busy_time_in_google_is_neither_offered_nor_bookable() {
    let (server, app, host) = google_app().await;
    let day = weekday_ahead(3);
    let (from, to) = (chicago(day, 0, 0), chicago(day + Duration::days(1), 0, 0));
    let busy = json!([{"start": z(chicago(day, 13, 0)), "end": z(chicago(day, 14, 0))}]);
    // The asked range, widened by a meeting's length either side.
    Mock::given(method("POST"))
        .and(path("/calendar/v3/freeBusy"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(json!({
            "timeMin": z(from - Duration::hours(1)),
            "timeMax": z(to + Duration::hours(1)),
            "timeZone": "UTC",
            "items": [{"id": CALENDAR}]
        })))
        .respond_with(free_busy(from - Duration::hours(1), to + Duration::hours(1), busy.clone()))
        .expect(1)
        .mount(&server)
        .await;
    // A booking at 13:00 asks about the meeting and one length either side of it.
    Mock::given(method("POST"))
        .and(path("/calendar/v3/freeBusy"))
        .and(body_json(json!({
            "timeMin": z(chicago(day, 12, 0)),
            "timeMax": z(chicago(day, 15, 0)),
            "timeZone": "UTC",
            "items": [{"id": CALENDAR}]
        })))
        .respond_with(free_busy(chicago(day, 12, 0), chicago(day, 15, 0), busy))
        .expect(1)
        .mount(&server)
        .await;

    let r = app
        .get(&format!(
            "/api/bookings/availability?from={}&to={}",
            from.format("%Y-%m-%dT%H:%M:%SZ"),
            to.format("%Y-%m-%dT%H:%M:%SZ")
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let starts: Vec<&str> =
        r.body["slots"].as_array().unwrap().iter().map(|s| &s["start"].as_str().unwrap()[11..16]).collect();
    for gone in ["12:30", "13:00", "13:30"] {
        assert!(!starts.contains(&gone), "{gone} overlaps Google's busy time: {starts:?}");
    }
    for open in ["12:00", "14:00"] {
        assert!(starts.contains(&open), "{open} only touches it: {starts:?}");
    }
    assert_eq!(r.body["slots"][0]["host_ids"], json!([host]));

    let c = customer(&app, "maria@example.com").await;
    let refused = book(&app, &c, chicago(day, 13, 0)).await;
    assert_eq!(
        (refused.status, refused.error_field()),
        (StatusCode::CONFLICT, Some("scheduled_time")),
        "{}",
        refused.text
    );
    server.verify().await;
}

#[tokio::test]
async fn the_event_follows_the_booking_with_its_meet_link() {
    let (server, app, _) = google_app().await;
    always_free(&server).await;
    let day = weekday_ahead(3);
    let (start, end) = (chicago(day, 10, 0), chicago(day, 11, 0));
    let (bid, jobs) = booked(&app, start).await;
    let sync = Job::SyncCalendar { booking_id: bid };
    assert!(jobs.contains(&sync), "{jobs:?}");
    assert!(jobs.contains(&Job::BookingNotice { booking_id: bid, sequence: 0 }), "{jobs:?}");

    Mock::given(method("POST"))
        .and(path(EVENTS))
        .and(query_param("conferenceDataVersion", "1"))
        .and(query_param("sendUpdates", "none"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(event_body(bid, start, end, false)))
        .respond_with(ResponseTemplate::new(200).set_body_json(event_resource(bid, start, end, 0)))
        .expect(1)
        .mount(&server)
        .await;
    run_job(&app, &sync).await.unwrap();
    let b = app.get(&format!("/api/bookings/{bid}")).await;
    assert_eq!(b.body["meeting_link"], MEET, "{}", b.text);
    assert_eq!(b.body["calendar_event_id"], json!(bid.simple().to_string()));
    run_job(&app, &Job::BookingNotice { booking_id: bid, sequence: 0 }).await.unwrap();
    let sent = mails(&server).await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains(&format!("Join here: {MEET}")), "{}", sent[0]);

    let (moved, moved_end) = (chicago(day, 14, 0), chicago(day, 15, 0));
    Mock::given(method("PATCH"))
        .and(path(format!("{EVENTS}/{}", bid.simple())))
        .and(query_param("conferenceDataVersion", "1"))
        .and(query_param("sendUpdates", "none"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(event_body(bid, moved, moved_end, true)))
        .respond_with(ResponseTemplate::new(200).set_body_json(event_resource(bid, moved, moved_end, 1)))
        .expect(1)
        .mount(&server)
        .await;
    let r = app.put(&format!("/api/bookings/{bid}"), json!({"scheduled_time": moved})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(app.take_jobs().await.contains(&sync));
    run_job(&app, &sync).await.unwrap();

    Mock::given(method("DELETE"))
        .and(path(format!("{EVENTS}/{}", bid.simple())))
        .and(query_param("sendUpdates", "none"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let r = app.post(&format!("/api/bookings/{bid}/cancel"), json!({"reason": "Fixed it herself"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(app.take_jobs().await.contains(&sync));
    run_job(&app, &sync).await.unwrap();
    let b = app.get(&format!("/api/bookings/{bid}")).await;
    assert_eq!((b.body["status"].as_str(), &b.body["calendar_event_id"]), (Some("cancelled"), &Value::Null));
    server.verify().await;
    let queries: Vec<Option<String>> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().starts_with(EVENTS))
        .map(|r| r.url.query().map(str::to_owned))
        .collect();
    let with_conference = Some("conferenceDataVersion=1&sendUpdates=none".to_owned());
    assert_eq!(queries, vec![with_conference.clone(), with_conference, Some("sendUpdates=none".to_owned())]);
}

#[tokio::test]
async fn an_outage_fails_the_job_for_retry_and_the_retry_makes_no_second_event() {
    let (server, app, _) = google_app().await;
    always_free(&server).await;
    let day = weekday_ahead(4);
    let (start, end) = (chicago(day, 9, 0), chicago(day, 10, 0));
    let (bid, _) = booked(&app, start).await;
    let before = app.get(&format!("/api/bookings/{bid}")).await.body;
    // The first insert reaches Google but its answer is lost in a 503.
    Mock::given(method("POST"))
        .and(path(EVENTS))
        .and(body_json(event_body(bid, start, end, false)))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({
            "error": {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}
        })))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    let sync = Job::SyncCalendar { booking_id: bid };
    let err = run_job(&app, &sync).await.expect_err("a Google outage fails the job");
    assert!(err.0.is_retryable(), "{err}");
    assert_eq!(app.get(&format!("/api/bookings/{bid}")).await.body, before, "the booking is untouched");

    Mock::given(method("POST"))
        .and(path(EVENTS))
        .and(body_json(event_body(bid, start, end, false)))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "error": {
                "errors": [{"domain": "global", "reason": "duplicate", "message": "The requested identifier already exists."}],
                "code": 409,
                "message": "The requested identifier already exists."
            }
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("{EVENTS}/{}", bid.simple())))
        .and(query_param("conferenceDataVersion", "1"))
        .and(body_json(event_body(bid, start, end, true)))
        .respond_with(ResponseTemplate::new(200).set_body_json(event_resource(bid, start, end, 0)))
        .expect(1)
        .mount(&server)
        .await;
    run_job(&app, &sync).await.unwrap();
    let b = app.get(&format!("/api/bookings/{bid}")).await;
    assert_eq!((b.body["meeting_link"].as_str(), b.body["status"].as_str()), (Some(MEET), Some("scheduled")));
    assert_eq!(b.body["calendar_event_id"], json!(bid.simple().to_string()));
    server.verify().await;
}

#[tokio::test]
async fn the_confirmation_waits_for_the_meet_link_but_not_for_ever() {
    let (server, app, _) = google_app().await;
    always_free(&server).await;
    let day = weekday_ahead(3);
    let (start, end) = (chicago(day, 10, 0), chicago(day, 11, 0));
    let (bid, _) = booked(&app, start).await;
    let notice = Job::BookingNotice { booking_id: bid, sequence: 0 };

    // The notice ran first: it fails as retryable and sends nothing.
    let err = run_job(&app, &notice).await.expect_err("the link is not there yet");
    assert!(err.0.is_retryable(), "{err}");
    assert!(mails(&server).await.is_empty());
    Mock::given(method("POST"))
        .and(path(EVENTS))
        .and(body_json(event_body(bid, start, end, false)))
        .respond_with(ResponseTemplate::new(200).set_body_json(event_resource(bid, start, end, 0)))
        .expect(1)
        .mount(&server)
        .await;
    run_job(&app, &Job::SyncCalendar { booking_id: bid }).await.unwrap();
    run_job(&app, &notice).await.unwrap();
    let sent = mails(&server).await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains(&format!("Join here: {MEET}")), "{}", sent[0]);

    // Google stays down: five minutes after booking, the confirmation goes without a link.
    let later = chicago(day, 14, 0);
    let c = customer(&app, "late@example.com").await;
    let r = book(&app, &c, later).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let other: Uuid = id(&r.body).parse().unwrap();
    let notice = Job::BookingNotice { booking_id: other, sequence: 0 };
    assert!(run_job(&app, &notice).await.is_err());
    let conn = app.state.db.conn().await.unwrap();
    let aged = conn
        .execute(
            "UPDATE bookings SET created_at = now() - interval '5 minutes 1 second' WHERE id::text = $1",
            &[&other.to_string()],
        )
        .await
        .unwrap();
    assert_eq!(aged, 1);
    run_job(&app, &notice).await.unwrap();
    let sent = mails(&server).await;
    assert_eq!(sent.len(), 2);
    assert!(sent[1].starts_with("You're booked with Austin Plumbing") && !sent[1].contains("Join here"), "{}", sent[1]);
    server.verify().await;
}
