//! Calendly webhooks end to end: deliveries signed the way Calendly signs them book,
//! cancel and reschedule; redeliveries change nothing; a Calendly booking is recorded
//! over Leadflow's own and blocks the host's time; forged, stale and unconfigured
//! deliveries store nothing.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use http::{Method, StatusCode};
use leadflow::config::Config;
use secrecy::SecretString;
use serde_json::{Value, json};
use sha2::Sha256;

use super::{book, chicago, id, plumber, weekday_ahead};
use crate::common::{TestApp, TestResponse};

const SIGNING_KEY: &str = "calendly-webhook-signing-key-for-tests";
const DANA: &str = "dana@austinplumbing.example";
const CREATED_URI: &str = "https://api.calendly.com/scheduled_events/7c1d9e3a-5b2f-4a6c-8d0e-9f1a2b3c4d5e/invitees/0f5a8e2c-6d1b-4c3a-9e7f-2b4d6a8c0e1f";
const ZOOM: &str = "https://us02web.zoom.us/j/84512345678?pwd=bXlSa2V0ZzB3d2ZqZ3Zt";

fn with_calendly(c: &mut Config) {
    c.providers.calendly_signing_key = Some(SecretString::from(SIGNING_KEY));
}

async fn calendly_app() -> TestApp {
    let app = TestApp::with_config(with_calendly).await;
    plumber(&app).await;
    app
}

/// Calendly's header, computed here: HMAC-SHA256 of `"{t}.{body}"` under the signing key.
fn signature(key: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

async fn post_raw(app: &TestApp, header: Option<&str>, body: &[u8]) -> TestResponse {
    let mut headers = vec![("content-type", "application/json"), ("user-agent", "Calendly")];
    if let Some(h) = header {
        headers.push(("calendly-webhook-signature", h));
    }
    app.raw(Method::POST, "/api/webhooks/calendly", &headers, body.to_vec()).await
}

/// Delivers `body` signed now, as Calendly does (every retry is signed afresh).
async fn deliver(app: &TestApp, body: &Value) -> TestResponse {
    let bytes = serde_json::to_vec(body).unwrap();
    post_raw(app, Some(&signature(SIGNING_KEY, Utc::now().timestamp(), &bytes)), &bytes).await
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/calendly/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Calendly's own time format, microseconds and all.
fn calendly_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The fixture moved to `start`, `minutes` long.
fn at(mut delivery: Value, start: DateTime<Utc>, minutes: i64) -> Value {
    let event = &mut delivery["payload"]["scheduled_event"];
    event["start_time"] = json!(calendly_time(start));
    event["end_time"] = json!(calendly_time(start + Duration::minutes(minutes)));
    delivery
}

/// The host's agent, with the address Calendly knows them by.
async fn dana(app: &TestApp) -> String {
    let team = crate::common::org::team(app, "Field", "sales", "round_robin").await;
    let r = app
        .post("/api/agents", json!({"name": "Dana Whitfield", "email": DANA, "team_id": team, "available": true}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    id(&r.body)
}

async fn event_types(app: &TestApp, subject: &str) -> Vec<String> {
    let subject = uuid::Uuid::parse_str(subject).unwrap();
    app.state.mongo.events().for_subject(subject, 50).await.unwrap().into_iter().map(|r| r.event_type).collect()
}

async fn bookings_of(app: &TestApp, customer_id: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/bookings?customer_id={customer_id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn invitee_created_books_for_the_customer_matched_by_email_once() {
    let app = calendly_app().await;
    let host = dana(&app).await;
    let lead = crate::common::org::lead(&app, "jose.muller@example.com").await;
    let customer_id = lead["customer_id"].as_str().unwrap().to_string();
    let start = chicago(weekday_ahead(3), 10, 0);
    let delivery = at(fixture("invitee_created"), start, 30);

    let r = deliver(&app, &delivery).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["outcome"], "booked", "{}", r.text);
    let booking_id = r.body["booking_id"].as_str().unwrap().to_string();

    let b = app.get(&format!("/api/bookings/{booking_id}")).await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    assert_eq!(b.body["source"], "calendly");
    assert_eq!(b.body["external_id"], CREATED_URI);
    assert_eq!(b.body["customer_id"], json!(customer_id), "the customer with that address, whatever its case");
    assert_eq!(b.body["lead_id"], lead["id"], "their open lead");
    assert_eq!(b.body["host_id"], json!(host), "the agent among the event's members");
    assert_eq!(b.body["scheduled_time"], json!(start));
    assert_eq!(b.body["duration_minutes"], 30);
    assert_eq!(b.body["status"], "scheduled");
    assert_eq!((b.body["meeting_type"].as_str(), b.body["meeting_link"].as_str()), (Some("video"), Some(ZOOM)));

    let customers = app.get("/api/crm/customers").await;
    assert_eq!(customers.ids(), vec![customer_id.clone()], "matched, not duplicated");
    let l = app.get(&format!("/api/leads/{}", lead["id"].as_str().unwrap())).await;
    assert_eq!(l.body["status"], "qualified", "{}", l.text);
    let events = event_types(&app, &booking_id).await;
    assert_eq!(events.iter().filter(|e| *e == "booking.created").count(), 1, "{events:?}");
    let jobs = app.take_jobs().await;
    assert!(
        !jobs.iter().any(|j| matches!(j, leadflow::queue::Job::BookingNotice { .. })),
        "Calendly tells the invitee itself: {jobs:?}"
    );

    let again = deliver(&app, &delivery).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body["booking_id"], json!(booking_id), "a redelivery is the same booking");
    assert_eq!(bookings_of(&app, &customer_id).await.len(), 1);
    assert_eq!(event_types(&app, &booking_id).await.iter().filter(|e| *e == "booking.created").count(), 1);
}

#[tokio::test]
async fn a_new_invitee_becomes_a_customer_with_a_lead() {
    let app = calendly_app().await;
    let r = deliver(&app, &at(fixture("invitee_created"), chicago(weekday_ahead(3), 10, 0), 30)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let b = app.get(&format!("/api/bookings/{}", r.body["booking_id"].as_str().unwrap())).await;
    assert_eq!(b.body["host_id"], Value::Null, "no agent has the member's address");
    let c = app.get(&format!("/api/crm/customers/{}", b.body["customer_id"].as_str().unwrap())).await;
    assert_eq!(c.body["email"], "jose.muller@example.com", "{}", c.text);
    assert_eq!(c.body["name"], "José Müller");
    let l = app.get(&format!("/api/leads/{}", b.body["lead_id"].as_str().unwrap())).await;
    assert_eq!(l.body["status"], "qualified", "{}", l.text);
}

#[tokio::test]
async fn invitee_canceled_cancels_with_the_reason_once() {
    let app = calendly_app().await;
    let start = chicago(weekday_ahead(4), 9, 0);
    let canceled = at(fixture("invitee_canceled"), start, 45);
    let mut created = canceled.clone();
    created["event"] = json!("invitee.created");
    created["payload"]["status"] = json!("active");
    created["payload"]["cancellation"] = Value::Null;
    created["payload"]["scheduled_event"]["status"] = json!("active");
    let booked = deliver(&app, &created).await;
    assert_eq!(booked.body["outcome"], "booked", "{}", booked.text);
    let booking_id = booked.body["booking_id"].as_str().unwrap().to_string();
    app.take_jobs().await;

    let r = deliver(&app, &canceled).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, json!({"outcome": "cancelled", "booking_id": booking_id}));
    let b = app.get(&format!("/api/bookings/{booking_id}")).await;
    assert_eq!(b.body["status"], "cancelled");
    assert_eq!(b.body["cancel_reason"], "Our technician is out sick that day, sorry! Please pick another time.");
    assert_eq!(b.body["sequence"], 1);
    assert!(event_types(&app, &booking_id).await.contains(&"booking.cancelled".to_string()));
    let jobs = app.take_jobs().await;
    assert!(!jobs.iter().any(|j| matches!(j, leadflow::queue::Job::BookingNotice { .. })), "{jobs:?}");

    let again = deliver(&app, &canceled).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    let b = app.get(&format!("/api/bookings/{booking_id}")).await;
    assert_eq!(b.body["sequence"], 1, "a redelivered cancel changes nothing");
    let cancels = event_types(&app, &booking_id).await.into_iter().filter(|e| e == "booking.cancelled").count();
    assert_eq!(cancels, 1);

    let unknown = deliver(&app, &fixture("invitee_rescheduled_canceled")).await;
    assert_eq!(unknown.status, StatusCode::OK, "{}", unknown.text);
    assert_eq!(unknown.body["outcome"], "ignored", "a cancel of an invitee never booked here: {}", unknown.text);
}

#[tokio::test]
async fn a_reschedule_cancels_the_old_invitee_and_books_the_new() {
    let app = calendly_app().await;
    dana(&app).await;
    let day = weekday_ahead(3);
    let old = deliver(&app, &at(fixture("invitee_created"), chicago(day, 10, 0), 30)).await;
    let old_id = old.body["booking_id"].as_str().unwrap().to_string();

    let cancel = at(fixture("invitee_rescheduled_canceled"), chicago(day, 10, 0), 30);
    let new_uri = cancel["payload"]["new_invitee"].as_str().unwrap().to_string();
    let r = deliver(&app, &cancel).await;
    assert_eq!(r.body, json!({"outcome": "cancelled", "booking_id": old_id}), "{}", r.text);

    let mut created = at(fixture("invitee_created"), chicago(day + Duration::days(2), 14, 0), 30);
    let payload = &mut created["payload"];
    payload["uri"] = json!(new_uri);
    payload["old_invitee"] = json!(CREATED_URI);
    payload["scheduled_event"]["uri"] =
        json!("https://api.calendly.com/scheduled_events/e4f6a8b0-2c3d-4e5f-a6b7-c8d9e0f1a2b3");
    let r = deliver(&app, &created).await;
    assert_eq!(r.body["outcome"], "booked", "{}", r.text);
    let new_id = r.body["booking_id"].as_str().unwrap().to_string();
    assert_ne!(new_id, old_id);

    let old = app.get(&format!("/api/bookings/{old_id}")).await;
    assert_eq!(
        (old.body["status"].as_str(), old.body["cancel_reason"].as_str()),
        (Some("cancelled"), Some("rescheduled in Calendly"))
    );
    let new = app.get(&format!("/api/bookings/{new_id}")).await;
    assert_eq!(new.body["status"], "scheduled");
    assert_eq!(new.body["external_id"], json!(new_uri));
    assert_eq!(new.body["scheduled_time"], json!(chicago(day + Duration::days(2), 14, 0)));
    assert_eq!(new.body["customer_id"], old.body["customer_id"]);
    let all = bookings_of(&app, old.body["customer_id"].as_str().unwrap()).await;
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn a_calendly_booking_over_a_leadflow_one_is_recorded_and_blocks_the_host() {
    let app = calendly_app().await;
    let host = dana(&app).await;
    let r = app.put("/api/settings", json!({"booking": {"hosts": [{"agent_id": host}]}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let day = weekday_ahead(3);
    let staff = book(&app, &super::customer(&app, "maria@example.com").await, chicago(day, 10, 0)).await;
    assert_eq!(
        (staff.status, staff.body["host_id"].as_str()),
        (StatusCode::CREATED, Some(host.as_str())),
        "{}",
        staff.text
    );

    // Calendly saw the host free from 10:30 to 12:00; Leadflow has them until 11:00.
    let r = deliver(&app, &at(fixture("invitee_created"), chicago(day, 10, 30), 90)).await;
    assert_eq!(r.body["outcome"], "booked", "{}", r.text);
    let b = app.get(&format!("/api/bookings/{}", r.body["booking_id"].as_str().unwrap())).await;
    assert_eq!((b.body["host_id"].as_str(), b.body["status"].as_str()), (Some(host.as_str()), Some("scheduled")));

    let from = chicago(day, 0, 0).format("%Y-%m-%dT%H:%M:%SZ");
    let to = chicago(day, 23, 0).format("%Y-%m-%dT%H:%M:%SZ");
    let open = app.get(&format!("/api/bookings/availability?from={from}&to={to}&host_id={host}")).await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.text);
    let starts: Vec<String> = open.body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap()[11..16].to_string())
        .collect();
    // 11:30 would be open after the staff booking's buffer; the Calendly booking (and its
    // 15 minutes after) takes it and 12:00 too.
    for gone in ["10:30", "11:00", "11:30", "12:00"] {
        assert!(!starts.contains(&gone.to_string()), "{gone} should be taken: {starts:?}");
    }
    assert!(starts.contains(&"12:30".to_string()), "{starts:?}");
    let refused = book(&app, &super::customer(&app, "late@example.com").await, chicago(day, 11, 30)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
}

#[tokio::test]
async fn forged_stale_and_unsigned_deliveries_store_nothing() {
    let app = calendly_app().await;
    let body = serde_json::to_vec(&at(fixture("invitee_created"), chicago(weekday_ahead(3), 10, 0), 30)).unwrap();
    let now = Utc::now().timestamp();

    let r = post_raw(&app, None, &body).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = post_raw(&app, Some(&signature("another-key", now, &body)), &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "wrong key: {}", r.text);
    let stale = now - 181;
    let r = post_raw(&app, Some(&signature(SIGNING_KEY, stale, &body)), &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "signed over 3 minutes ago: {}", r.text);
    let mut tampered = body.clone();
    let pos = tampered.windows(11).position(|w| w == b"Jose.Muller").unwrap();
    tampered[pos] = b'K';
    let r = post_raw(&app, Some(&signature(SIGNING_KEY, now, &body)), &tampered).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a changed body: {}", r.text);

    assert!(app.get("/api/bookings").await.ids().is_empty());
    assert!(app.get("/api/crm/customers").await.ids().is_empty());

    // Signed just inside the window still counts.
    let r = post_raw(&app, Some(&signature(SIGNING_KEY, now - 170, &body)), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn calendly_not_configured_refuses_even_a_good_signature() {
    let app = TestApp::new().await;
    let body = serde_json::to_vec(&fixture("invitee_created")).unwrap();
    let r = post_raw(&app, Some(&signature(SIGNING_KEY, Utc::now().timestamp(), &body)), &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(app.get("/api/bookings").await.ids().is_empty());
}

#[tokio::test]
async fn other_events_are_acknowledged_and_malformed_ones_name_the_field() {
    let app = calendly_app().await;
    let mut no_show = fixture("invitee_created");
    no_show["event"] = json!("invitee_no_show.created");
    no_show["payload"] = json!({
        "uri": "https://api.calendly.com/invitee_no_shows/2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a",
        "invitee": CREATED_URI,
        "created_at": "2026-03-10T15:40:00.000000Z"
    });
    let r = deliver(&app, &no_show).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["outcome"], "ignored", "{}", r.text);
    assert!(r.body["reason"].as_str().unwrap().contains("invitee_no_show.created"), "{}", r.text);

    let mut no_start = at(fixture("invitee_created"), chicago(weekday_ahead(3), 10, 0), 30);
    no_start["payload"]["scheduled_event"].as_object_mut().unwrap().remove("start_time");
    let r = deliver(&app, &no_start).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.error_field(), Some("payload.scheduled_event.start_time"), "{}", r.text);

    let mut bad_email = at(fixture("invitee_created"), chicago(weekday_ahead(3), 10, 0), 30);
    bad_email["payload"]["email"] = json!("not an address");
    let r = deliver(&app, &bad_email).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("payload.email")), "{}", r.text);

    let backwards = at(fixture("invitee_created"), chicago(weekday_ahead(3), 10, 0), -30);
    let r = deliver(&app, &backwards).await;
    assert_eq!(r.error_field(), Some("payload.scheduled_event.end_time"), "{}", r.text);

    let r = post_raw(&app, Some(&signature(SIGNING_KEY, Utc::now().timestamp(), b"{\"event\":")), b"{\"event\":").await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body")), "{}", r.text);
    assert!(app.get("/api/bookings").await.ids().is_empty());
}
