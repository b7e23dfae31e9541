//! Bookings end to end: settings, availability, the API's checks and concurrency,
//! notices and reminders, the conversation, Calendly and Google Calendar.

mod api;
mod calendly;
mod conversation;
mod google;
mod reminders;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc, Weekday};
use chrono_tz::America::Chicago;
use http::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;

/// Austin Plumbing: Chicago time, weekdays 09:00-17:00, hour-long meetings on a
/// half-hour grid, 15 minutes kept after each, two hours' notice.
pub(crate) async fn plumber(app: &TestApp) {
    let r = app
        .put(
            "/api/settings",
            json!({
                "business_name": "Austin Plumbing",
                "time_zone": "America/Chicago",
                "business_hours": {"mon": ["09:00-17:00"], "tue": ["09:00-17:00"], "wed": ["09:00-17:00"],
                                   "thu": ["09:00-17:00"], "fri": ["09:00-17:00"]},
                "services": [{"name": "Drain cleaning"}],
                "booking": {"duration_minutes": 60, "slot_interval_minutes": 30, "buffer_after_minutes": 15,
                            "min_notice_minutes": 120, "horizon_days": 30, "meeting_type": "in_person",
                            "location": "At your address"}
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

/// The first weekday at least `days` days after today in Chicago.
pub(crate) fn weekday_ahead(days: i64) -> NaiveDate {
    let mut d = Utc::now().with_timezone(&Chicago).date_naive() + Duration::days(days);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d += Duration::days(1);
    }
    d
}

/// `hh:mm` on `date` in Chicago, as UTC.
pub(crate) fn chicago(date: NaiveDate, hh: u32, mm: u32) -> DateTime<Utc> {
    Chicago
        .from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(hh, mm, 0).unwrap()))
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) async fn customer(app: &TestApp, email: &str) -> String {
    let r = app.post("/api/crm/customers", json!({"name": "Maria Lopez", "email": email})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

pub(crate) async fn book(app: &TestApp, customer_id: &str, at: DateTime<Utc>) -> crate::common::TestResponse {
    app.post("/api/bookings", json!({"customer_id": customer_id, "scheduled_time": at.to_rfc3339()})).await
}

pub(crate) fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// The plumber, open every day so "tomorrow morning" always has times.
pub(crate) async fn open_daily(app: &TestApp) {
    open_daily_between(app, "09:00-17:00").await;
}

/// The plumber, open every day during `span` (`"09:00-17:00"`).
pub(crate) async fn open_daily_between(app: &TestApp, span: &str) {
    let every = json!([span]);
    let hours =
        json!({"mon": every, "tue": every, "wed": every, "thu": every, "fri": every, "sat": every, "sun": every});
    let r = app
        .put(
            "/api/settings",
            json!({"business_name": "Austin Plumbing", "time_zone": "America/Chicago", "business_hours": hours,
                   "services": [{"name": "Drain cleaning"}],
                   "booking": {"duration_minutes": 60, "slot_interval_minutes": 30, "min_notice_minutes": 60,
                               "meeting_type": "in_person", "location": "At your address"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

/// SendGrid's mail/send on `server`, accepting every message (the tests read what it got).
pub(crate) async fn accept_mail(server: &wiremock::MockServer) {
    use wiremock::matchers::{method, path};
    wiremock::Mock::given(method("POST"))
        .and(path("/v3/mail/send"))
        .respond_with(wiremock::ResponseTemplate::new(202).insert_header("X-Message-Id", "sg-1"))
        .mount(server)
        .await;
}
