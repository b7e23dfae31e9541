//! Notices and reminders: the confirmation of a staff booking goes out once with its
//! invite; each reminder is sent once by the schedule at its offset, none for a moved
//! or cancelled booking.

use chrono::Duration;
use http::StatusCode;
use serde_json::Value;
use wiremock::MockServer;

use super::{book, chicago, customer, id, plumber, weekday_ahead};
use crate::common::TestApp;
use crate::common::providers::with_sendgrid;

async fn mailer() -> (MockServer, TestApp) {
    let server = MockServer::start().await;
    super::accept_mail(&server).await;
    let uri = server.uri();
    let app = TestApp::with_config(move |c| with_sendgrid(c, &uri)).await;
    (server, app)
}

async fn mails(server: &MockServer) -> Vec<Value> {
    server.received_requests().await.unwrap().iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
}

fn text(mail: &Value) -> &str {
    mail["content"][0]["value"].as_str().unwrap()
}

#[tokio::test]
async fn each_reminder_goes_out_once_at_its_offset_and_none_after_cancel() {
    let (server, app) = mailer().await;
    plumber(&app).await;
    let day = weekday_ahead(3);
    let c = customer(&app, "maria@example.com").await;
    let at = chicago(day, 10, 0);
    let b = book(&app, &c, at).await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.text);
    let bid = id(&b.body);
    app.run_jobs().await;
    app.run_jobs().await;
    let sent = mails(&server).await;
    assert_eq!(sent.len(), 1, "one confirmation");
    assert!(text(&sent[0]).starts_with("You're booked with Austin Plumbing"), "{}", text(&sent[0]));
    assert_eq!(sent[0]["attachments"][0]["filename"], "invite.ics");

    // Before the first offset nothing is due.
    let report = app.state.tick(at - Duration::hours(25)).await.unwrap();
    assert_eq!(report.queued_reminders, 0);
    // The day-before reminder, once, however often the schedule runs.
    let report = app.state.tick(at - Duration::hours(24)).await.unwrap();
    assert_eq!(report.queued_reminders, 1);
    app.run_jobs().await;
    assert_eq!(app.state.tick(at - Duration::hours(23)).await.unwrap().queued_reminders, 0);
    app.run_jobs().await;
    let sent = mails(&server).await;
    assert_eq!(sent.len(), 2);
    assert!(text(&sent[1]).starts_with("Reminder: your appointment with Austin Plumbing"), "{}", text(&sent[1]));
    assert!(text(&sent[1]).contains("10:00 (America/Chicago)"), "{}", text(&sent[1]));

    // A job delivered twice sends once.
    let again = leadflow::queue::Job::SendReminder {
        booking_id: bid.parse().unwrap(),
        offset_minutes: 1440,
        scheduled_time: at,
    };
    leadflow::workers::run(&app.state, &again, &leadflow::workers::JobContext::with_budget(Duration::seconds(30)))
        .await
        .unwrap();
    assert_eq!(mails(&server).await.len(), 2);

    // Cancelled: the hour-before reminder never goes.
    let r = app.post(&format!("/api/bookings/{bid}/cancel"), serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.run_jobs().await;
    let sent = mails(&server).await;
    assert_eq!(sent.len(), 3, "the cancellation notice");
    assert!(text(&sent[2]).contains("is cancelled"), "{}", text(&sent[2]));
    assert_eq!(sent[2]["attachments"][0]["type"], "text/calendar; method=CANCEL");
    assert_eq!(app.state.tick(at - Duration::minutes(59)).await.unwrap().queued_reminders, 0);
    app.run_jobs().await;
    assert_eq!(mails(&server).await.len(), 3);
}

#[tokio::test]
async fn a_moved_booking_is_reminded_at_its_new_time_only() {
    let (server, app) = mailer().await;
    plumber(&app).await;
    let day = weekday_ahead(3);
    let c = customer(&app, "maria@example.com").await;
    let first = chicago(day, 10, 0);
    let bid = id(&book(&app, &c, first).await.body);
    let moved = chicago(day, 14, 0);
    let r = app.put(&format!("/api/bookings/{bid}"), serde_json::json!({"scheduled_time": moved})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.run_jobs().await;
    let sent = mails(&server).await;
    // The confirmation job of the first time finds a later sequence and leaves it to the move's notice.
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(text(&sent[0]).starts_with("Your booking with Austin Plumbing has moved to"), "{}", text(&sent[0]));
    assert_eq!(
        app.state.tick(first - Duration::minutes(60)).await.unwrap().queued_reminders,
        1,
        "the day-before one of the new time"
    );
    app.run_jobs().await;
    let last = mails(&server).await.pop().unwrap();
    assert!(text(&last).contains("14:00"), "{}", text(&last));
    assert_eq!(app.state.tick(moved - Duration::minutes(60)).await.unwrap().queued_reminders, 1);
    app.run_jobs().await;
    assert_eq!(mails(&server).await.len(), 3);
}
