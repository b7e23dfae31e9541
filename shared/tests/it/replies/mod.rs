//! Replies a customer would be glad to get, through the real intake and worker with the
//! README's Austin Plumbing settings: greeting once, hours at fixed clock times, services
//! yes or no, "how much is it" about the service under discussion, FAQ answers to a
//! paraphrase, emergencies paged, SMS in two GSM-7 segments.

mod conversation;
mod emergency;
mod openai;
mod settings_api;

use chrono::{DateTime, TimeZone as _, Utc};
use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, TestResponse};

/// Chicago local time on 2026-12-`day`: the 3rd is a Thursday, the 4th a Friday, the
/// 5th a Saturday and the 6th a Sunday.
pub(super) fn chicago(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    chrono_tz::America::Chicago.with_ymd_and_hms(2026, 12, day, hour, minute, 0).unwrap().with_timezone(&Utc)
}

/// The README's profile, with an FAQ entry, address and payment methods; `emergency`
/// as given.
pub(super) async fn austin_plumbing(app: &TestApp, emergency: Value) {
    let r = app
        .put(
            "/api/settings",
            json!({
                "business_name": "Austin Plumbing", "time_zone": "America/Chicago",
                "business_hours": {"mon": ["08:00-18:00"], "tue": ["08:00-18:00"], "wed": ["08:00-18:00"],
                                   "thu": ["08:00-18:00"], "fri": ["08:00-17:00"], "sat": ["09:00-12:00"]},
                "services": [{"name": "Water heater replacement", "price": "from $1,200 installed"},
                             {"name": "Drain cleaning", "description": "Kitchen and bathroom drains"}],
                "tone": "friendly", "about": "Family-run plumbers serving Austin since 1998.",
                "address": "1200 E 6th St, Austin, TX 78702",
                "service_area": "Austin, Round Rock and Pflugerville",
                "payment_methods": ["Visa", "Mastercard", "cash"],
                "faq": [{"question": "Do you haul away the old water heater?",
                         "answer": "Yes, removal and disposal of the old unit is included in every installation."}],
                "emergency": emergency
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

/// A chat message from `email` (continuing the session of `token`).
pub(super) async fn chat(app: &TestApp, email: &str, content: &str, token: Option<&str>) -> TestResponse {
    let mut body = json!({"channel": "chat", "content": content, "customer": {"name": "Sam", "email": email}});
    if let Some(t) = token {
        body["chat_token"] = json!(t);
    }
    let r =
        app.raw(Method::POST, "/api/messages/receive", &[("content-type", "application/json")], body.to_string()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    r
}

/// The replies of a chat session, oldest first.
pub(super) async fn replies(app: &TestApp, token: &str) -> Vec<String> {
    let r = app.raw(Method::GET, &format!("/api/messages/chat?token={token}"), &[], "").await;
    let mut items: Vec<&Value> =
        r.body["items"].as_array().unwrap().iter().filter(|m| m["direction"] == "outbound").collect();
    items.sort_by_key(|m| m["created_at"].as_str().unwrap().to_owned());
    items.iter().map(|m| m["content"].as_str().unwrap().to_owned()).collect()
}

/// One chat message answered at `now`; its reply.
pub(super) async fn ask_at(app: &TestApp, email: &str, content: &str, now: DateTime<Utc>) -> String {
    let r = chat(app, email, content, None).await;
    app.run_jobs_at(now).await;
    let token = r.body["chat_token"].as_str().unwrap();
    replies(app, token).await.pop().unwrap_or_else(|| panic!("no reply to {content:?}"))
}

pub(super) async fn lead_of(app: &TestApp, r: &TestResponse) -> Value {
    let lead = app.get(&format!("/api/leads/{}", r.body["lead_id"].as_str().unwrap())).await;
    assert_eq!(lead.status, StatusCode::OK, "{}", lead.text);
    lead.body
}
