//! Booking inside the conversation, over chat, signed Twilio SMS and SendGrid e-mail:
//! three numbered local times offered, "2" books the second, the confirmation names it;
//! by e-mail with an invite a calendar parser reads back.

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::America::Chicago;
use http::{Method, StatusCode};
use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime};
use leadflow::domain::TimeZone;
use leadflow::domain::slot_talk::describe_time;
use leadflow::store::booking_offers;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::chicago;
use crate::common::providers::*;
use crate::common::{TestApp, TestResponse};

fn tomorrow() -> chrono::NaiveDate {
    Utc::now().with_timezone(&Chicago).date_naive() + Duration::days(1)
}

fn tz() -> TimeZone {
    TimeZone::parse("America/Chicago").unwrap()
}

async fn offered(app: &TestApp, customer_id: Uuid) -> Vec<DateTime<Utc>> {
    let conn = app.state.db.conn().await.unwrap();
    booking_offers::get_for_customer(&*conn, customer_id).await.unwrap().map(|o| o.slots).unwrap_or_default()
}

async fn bookings_of(app: &TestApp, customer_id: Uuid) -> Vec<Value> {
    let r = app.get(&format!("/api/bookings?customer_id={customer_id}")).await;
    r.body["items"].as_array().unwrap().clone()
}

/// The offer a "tomorrow morning" request must get: 09:00, 10:00 and 11:00 tomorrow.
fn assert_morning_offer(text: &str, slots: &[DateTime<Utc>]) {
    let day = tomorrow();
    assert_eq!(slots, [chicago(day, 9, 0), chicago(day, 10, 0), chicago(day, 11, 0)], "{text}");
    let label = day.format("%a %-d %b").to_string();
    assert!(text.contains(&format!("{label} 9:00")), "{text}");
    assert!(text.contains("10:00") && text.contains("11:00"), "{text}");
    assert!(text.contains("reply 1, 2 or 3"), "{text}");
}

async fn chat(app: &TestApp, content: &str, token: Option<&str>) -> TestResponse {
    let mut body =
        json!({"channel": "chat", "content": content, "customer": {"name": "Maria", "email": "maria@example.com"}});
    if let Some(t) = token {
        body["chat_token"] = json!(t);
    }
    app.raw(Method::POST, "/api/messages/receive", &[("content-type", "application/json")], body.to_string()).await
}

async fn last_reply(app: &TestApp, token: &str) -> String {
    let r = app.raw(Method::GET, &format!("/api/messages/chat?token={token}"), &[], "").await;
    let items = r.body["items"].as_array().unwrap();
    items.iter().find(|m| m["direction"] == "outbound").unwrap()["content"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn chat_offers_three_morning_times_and_books_the_second() {
    let app = TestApp::new().await;
    super::open_daily(&app).await;
    let r = chat(&app, "Can I book a drain cleaning tomorrow morning?", None).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let token = r.body["chat_token"].as_str().unwrap().to_string();
    let customer_id = Uuid::parse_str(r.body["customer_id"].as_str().unwrap()).unwrap();
    app.run_jobs().await;
    let offer = last_reply(&app, &token).await;
    let slots = offered(&app, customer_id).await;
    assert_morning_offer(&offer, &slots);
    assert!(bookings_of(&app, customer_id).await.is_empty(), "offering books nothing");

    // Another chat session typing the same address cannot take the offer.
    let stranger = chat(&app, "2", None).await;
    app.run_jobs().await;
    assert!(bookings_of(&app, customer_id).await.is_empty(), "a stranger's \"2\" books nothing");
    let _ = stranger;

    chat(&app, "2", Some(&token)).await;
    app.run_jobs().await;
    let booked = bookings_of(&app, customer_id).await;
    assert_eq!(booked.len(), 1, "{booked:?} {}", last_reply(&app, &token).await);
    assert_eq!(booked[0]["scheduled_time"], json!(slots[1]));
    assert_eq!(booked[0]["source"], "conversation");
    let confirmation = last_reply(&app, &token).await;
    assert!(confirmation.contains(&describe_time(slots[1], tz())), "{confirmation}");
    assert!(confirmation.contains("America/Chicago") && confirmation.contains("At your address"), "{confirmation}");
    assert!(offered(&app, customer_id).await.is_empty(), "the offer is used up");

    // A named free time is booked directly; the lead is qualified.
    chat(
        &app,
        &format!("Also can you come {} at 3pm?", (tomorrow() + Duration::days(1)).format("%B %-d")),
        Some(&token),
    )
    .await;
    app.run_jobs().await;
    let reply = last_reply(&app, &token).await;
    assert!(reply.contains("15:00"), "{reply}");
    let lead = app.get(&format!("/api/leads/{}", r.body["lead_id"].as_str().unwrap())).await;
    assert_eq!(lead.body["status"], "qualified", "{}", lead.text);
}

#[tokio::test]
async fn a_taken_time_gets_the_nearest_alternatives_and_cancel_works_by_message() {
    let app = TestApp::new().await;
    super::open_daily(&app).await;
    let other = super::customer(&app, "first@example.com").await;
    let day = tomorrow() + Duration::days(1);
    assert_eq!(super::book(&app, &other, chicago(day, 10, 0)).await.status, StatusCode::CREATED);
    let r = chat(&app, &format!("Can you come {} at 10am?", day.format("%B %-d")), None).await;
    let token = r.body["chat_token"].as_str().unwrap().to_string();
    let customer_id = Uuid::parse_str(r.body["customer_id"].as_str().unwrap()).unwrap();
    app.run_jobs().await;
    let reply = last_reply(&app, &token).await;
    assert!(reply.starts_with("Sorry, that time isn't available."), "{reply}");
    let slots = offered(&app, customer_id).await;
    assert_eq!(slots.len(), 3);
    assert!(slots.iter().all(|s| (*s - chicago(day, 10, 0)).num_hours().abs() <= 3), "nearest: {slots:?}");
    assert!(!slots.contains(&chicago(day, 10, 0)));

    chat(&app, "the first one", Some(&token)).await;
    app.run_jobs().await;
    assert_eq!(bookings_of(&app, customer_id).await.len(), 1);
    chat(&app, "Please cancel my appointment", Some(&token)).await;
    app.run_jobs().await;
    let after = bookings_of(&app, customer_id).await;
    assert_eq!(after[0]["status"], "cancelled", "{after:?}");
    let reply = last_reply(&app, &token).await;
    assert!(reply.contains("is cancelled"), "{reply}");
}

#[tokio::test]
async fn signed_sms_offers_and_books_by_number() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"sid": "SM00000000000000000000000000000001", "status": "queued"})),
        )
        .mount(&server)
        .await;
    let uri = server.uri();
    let app = TestApp::with_config(move |c| with_twilio(c, &uri)).await;
    super::open_daily(&app).await;
    let from = "+15125550143";
    let first = sms_params("SM11111111111111111111111111111111", from, "Can I book a drain cleaning tomorrow morning?");
    assert_eq!(app.send(twilio_request(&first, None)).await.status, StatusCode::OK);
    app.run_jobs().await;
    let second = sms_params("SM22222222222222222222222222222222", from, "2");
    assert_eq!(app.send(twilio_request(&second, None)).await.status, StatusCode::OK);
    app.run_jobs().await;

    let sent: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let form: Vec<(String, String)> = form_urlencoded::parse(&r.body).into_owned().collect();
            assert!(form.contains(&("To".into(), from.into())) && form.contains(&("From".into(), TWILIO_FROM.into())));
            form.into_iter().find(|(k, _)| k == "Body").unwrap().1
        })
        .collect();
    assert_eq!(sent.len(), 2, "{sent:?}");
    let day = tomorrow();
    let slots = [chicago(day, 9, 0), chicago(day, 10, 0), chicago(day, 11, 0)];
    assert_morning_offer(&sent[0], &slots);
    assert!(sent[1].contains(&describe_time(slots[1], tz())), "{}", sent[1]);
    let customers = app.get("/api/crm/customers").await;
    let customer_id = Uuid::parse_str(customers.body["items"][0]["id"].as_str().unwrap()).unwrap();
    let booked = bookings_of(&app, customer_id).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0]["scheduled_time"], json!(slots[1]));
}

fn email(message_id: &str, subject: &str, text: &str) -> Vec<(&'static str, String)> {
    vec![
        ("from", "\"José Müller\" <jose@example.com>".into()),
        ("to", "hello@austinplumbing.example".into()),
        ("subject", subject.into()),
        ("text", text.into()),
        ("headers", format!("Received: by mx.sendgrid.net\nMessage-ID: {message_id}\nSubject: {subject}")),
        ("envelope", "{\"to\":[\"hello@austinplumbing.example\"],\"from\":\"jose@example.com\"}".into()),
        ("charsets", "{\"to\":\"UTF-8\",\"subject\":\"UTF-8\",\"from\":\"UTF-8\",\"text\":\"UTF-8\"}".into()),
        ("SPF", "pass".into()),
    ]
}

#[tokio::test]
async fn email_offers_books_and_attaches_an_invite_a_parser_reads_back() {
    let server = MockServer::start().await;
    super::accept_mail(&server).await;
    let uri = server.uri();
    let app = TestApp::with_config(move |c| with_sendgrid(c, &uri)).await;
    super::open_daily(&app).await;
    let query = format!("?token={INBOUND_SECRET}");
    for (id, text) in
        [("<m1@example.com>", "Hello,\nCan I book a drain cleaning tomorrow morning?\nJosé"), ("<m2@example.com>", "2")]
    {
        let fields = email(id, "Drain cleaning", text);
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(app.send(sendgrid_request(&query, &refs)).await.status, StatusCode::OK);
        app.run_jobs().await;
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let offer: Value = serde_json::from_slice(&requests[0].body).unwrap();
    let day = tomorrow();
    let slots = [chicago(day, 9, 0), chicago(day, 10, 0), chicago(day, 11, 0)];
    assert_morning_offer(offer["content"][0]["value"].as_str().unwrap(), &slots);
    assert!(offer.get("attachments").is_none(), "an offer has no invite");

    let confirmation: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(confirmation["personalizations"][0]["to"][0]["email"], "jose@example.com");
    let text = confirmation["content"][0]["value"].as_str().unwrap();
    assert!(text.contains(&describe_time(slots[1], tz())), "{text}");
    let attachment = &confirmation["attachments"][0];
    assert_eq!(attachment["filename"], "invite.ics");
    assert_eq!(attachment["type"], "text/calendar; method=REQUEST");
    assert_eq!(attachment["disposition"], "attachment");
    let raw = base64::engine::general_purpose::STANDARD.decode(attachment["content"].as_str().unwrap()).unwrap();
    let ics = String::from_utf8(raw).unwrap();
    let calendar: Calendar = ics.parse().unwrap_or_else(|e| panic!("{e}: {ics}"));
    assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
    let event = calendar
        .components
        .iter()
        .find_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .expect("one VEVENT");
    let booking = &bookings_of(&app, Uuid::parse_str(&customer_of(&app).await).unwrap()).await[0];
    assert_eq!(event.get_uid(), Some(format!("{}@leadflow", booking["id"].as_str().unwrap()).as_str()));
    assert_eq!(event.get_sequence(), Some(0));
    assert_eq!(event.get_start(), Some(DatePerhapsTime::DateTime(slots[1].into())));
    assert_eq!(event.get_end(), Some(DatePerhapsTime::DateTime((slots[1] + Duration::hours(1)).into())));
    assert_eq!(event.property_value("LOCATION"), Some("At your address"));
}

async fn customer_of(app: &TestApp) -> String {
    let r = app.get("/api/crm/customers").await;
    r.body["items"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_booking_is_moved_by_message_to_a_named_or_offered_time() {
    let app = TestApp::new().await;
    super::open_daily(&app).await;
    let day = tomorrow() + Duration::days(1);
    let r = chat(&app, &format!("Can you come {} at 10am?", day.format("%B %-d")), None).await;
    let token = r.body["chat_token"].as_str().unwrap().to_string();
    let customer_id = Uuid::parse_str(r.body["customer_id"].as_str().unwrap()).unwrap();
    app.run_jobs().await;
    let booked = bookings_of(&app, customer_id).await;
    assert_eq!(booked[0]["scheduled_time"], json!(chicago(day, 10, 0)), "named and free: booked at once");

    chat(&app, &format!("I need to reschedule my appointment to {} at 2pm", day.format("%B %-d")), Some(&token)).await;
    app.run_jobs().await;
    let moved = bookings_of(&app, customer_id).await;
    assert_eq!(moved.len(), 1, "moved, not booked twice: {moved:?}");
    assert_eq!(moved[0]["scheduled_time"], json!(chicago(day, 14, 0)));
    assert_eq!(moved[0]["sequence"], 1);
    let reply = last_reply(&app, &token).await;
    assert!(reply.contains("has moved to") && reply.contains("14:00"), "{reply}");

    // Without a time, the move gets an offer; picking one moves the same booking.
    chat(&app, "Actually can we reschedule again?", Some(&token)).await;
    app.run_jobs().await;
    let slots = offered(&app, customer_id).await;
    assert!(!slots.is_empty(), "{}", last_reply(&app, &token).await);
    chat(&app, "1", Some(&token)).await;
    app.run_jobs().await;
    let again = bookings_of(&app, customer_id).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["scheduled_time"], json!(slots[0]));
    assert_eq!(again[0]["sequence"], 2);
}
