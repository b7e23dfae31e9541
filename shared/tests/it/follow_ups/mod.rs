//! Follow-up sequences end to end: enrollment by trigger and by hand, the schedule's
//! claims, the send job's stop rules and windows, exactly-once delivery under faults,
//! concurrent dispatchers, and the API.

mod api;
mod delivery;
mod dispatch;
mod journeys;

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, Utc};
use http::StatusCode;
use leadflow::workers::JobContext;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common::TestApp;
use crate::common::providers::{TWILIO_SID, with_sendgrid, with_twilio};

pub(crate) const NEW_LEAD: &str = "0190a5f0-0000-7000-8000-000000000001";

/// Twilio's answer to a message create: 201 with the resource, a fresh SID each time.
struct TwilioCreated(AtomicUsize);

impl Respond for TwilioCreated {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        let form: Vec<(String, String)> = form_urlencoded::parse(&req.body).into_owned().collect();
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        ResponseTemplate::new(201).set_body_json(json!({
            "account_sid": TWILIO_SID, "api_version": "2010-04-01", "body": get("Body"),
            "date_created": "Thu, 03 Dec 2026 14:00:00 +0000", "date_sent": null, "date_updated": "Thu, 03 Dec 2026 14:00:00 +0000",
            "direction": "outbound-api", "error_code": null, "error_message": null, "from": get("From"),
            "messaging_service_sid": null, "num_media": "0", "num_segments": "1", "price": null, "price_unit": "USD",
            "sid": format!("SM{n:032x}"), "status": "queued", "subresource_uris": {"media": "/media.json"},
            "to": get("To"), "uri": format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages/SM{n:032x}.json")
        }))
    }
}

pub(crate) fn twilio_path() -> String {
    format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")
}

/// Twilio and SendGrid on one fake server, both accepting everything.
pub(crate) async fn providers() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(twilio_path()))
        .respond_with(TwilioCreated(AtomicUsize::new(1)))
        .mount(&server)
        .await;
    crate::bookings::accept_mail(&server).await;
    server
}

pub(crate) async fn app_with(server: &MockServer) -> TestApp {
    let uri = server.uri();
    let app = TestApp::with_config(move |c| {
        with_twilio(c, &uri);
        with_sendgrid(c, &uri);
    })
    .await;
    open_long_days(&app).await;
    app
}

/// A business open 07:00-22:00 every day (Chicago): the lawful 08:00-21:00 of the
/// recipient is what limits sending in these tests.
pub(crate) async fn open_long_days(app: &TestApp) {
    crate::bookings::open_daily_between(app, "07:00-22:00").await;
}

/// Runs every queued job (and the jobs they queue) as if at `now`.
pub(crate) async fn run_jobs_at(app: &TestApp, now: DateTime<Utc>) -> usize {
    let mut ran = 0;
    loop {
        let next = app.jobs.lock().await.try_next();
        let Some(job) = next else { return ran };
        let ctx = JobContext::at(now, Duration::seconds(30));
        leadflow::workers::run(&app.state, &job, &ctx).await.unwrap_or_else(|e| panic!("job {job:?} failed: {e}"));
        ran += 1;
    }
}

/// The follow-ups of a lead, by step.
pub(crate) async fn follow_ups_of(app: &TestApp, lead_id: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/follow-ups?lead_id={lead_id}&limit=100")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut items = r.body["items"].as_array().unwrap().clone();
    items.sort_by_key(|f| f["step"].as_i64());
    items
}

pub(crate) fn at(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

/// The requests the fake server got for `p`.
pub(crate) async fn posts_to(server: &MockServer, p: &str) -> Vec<Request> {
    let all = server.received_requests().await.unwrap();
    all.into_iter().filter(|r| r.method.as_str() == "POST" && r.url.path() == p).collect()
}

pub(crate) fn form_field(r: &Request, key: &str) -> String {
    form_urlencoded::parse(&r.body).find(|(k, _)| k == key).map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// A customer with a lead, through the API.
pub(crate) async fn lead_of(app: &TestApp, customer: Value) -> (String, String) {
    let c = app.post("/api/crm/customers", customer).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    let l = app.post("/api/leads", json!({"customer_id": c.body["id"]})).await;
    assert_eq!(l.status, StatusCode::CREATED, "{}", l.text);
    (c.body["id"].as_str().unwrap().to_owned(), l.body["id"].as_str().unwrap().to_owned())
}

/// A sequence of one step (`delay_minutes` after enrollment) on `channel`, by the API.
pub(crate) async fn one_step_sequence(app: &TestApp, channel: &str, delay_minutes: i64, window: Value) -> String {
    let r = app
        .post(
            "/api/follow-ups/sequences",
            json!({"name": format!("One {channel} step"), "trigger": "manual", "send_window": window,
                   "steps": [{"delay_minutes": delay_minutes, "channel": channel,
                              "template": "Hi {first_name}, still keen on that drain cleaning? {business_name}"},
                             {"delay_minutes": 1440, "channel": channel, "template": "Last note from {business_name}."}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_owned()
}
