//! Holds: an unpaid booking keeps its slot until its hold ends, then frees it (the
//! schedule releases it, or the next booking of that slot does); an expired Checkout
//! Session releases it at once; a payment after the release confirms only a free slot.

use chrono::{Duration, Utc};
use http::StatusCode;
use leadflow::domain::BookingSource;
use leadflow::services::bookings::BookingRequest;
use serde_json::json;

use super::{book_at, booking, deliver, deposit_app, event, events_of, mount_checkout, slot};
use crate::bookings::customer;
use crate::common::id;
use wiremock::MockServer;

#[tokio::test]
async fn an_unpaid_hold_frees_its_slot_when_the_schedule_releases_it() {
    let server = MockServer::start().await;
    mount_checkout(&server).await;
    let app = deposit_app(&server).await;
    let held = id(&book_at(&app, "maria@example.com", slot()).await.body);
    // Held: nobody else gets the slot, and availability does not offer it.
    let r = book_at(&app, "sam@example.com", slot()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let day =
        |t: chrono::DateTime<Utc>| format!("from={}&to={}", t.to_rfc3339(), (t + Duration::hours(1)).to_rfc3339());
    let q = day(slot()).replace('+', "%2B");
    let open = app.get(&format!("/api/bookings/availability?{q}")).await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.text);
    assert!(open.body["slots"].as_array().unwrap().is_empty(), "{}", open.text);

    // The hold lasts as long as the Checkout Session (31 minutes, Stripe allowing no less
    // than 30) and two more: the schedule leaves it before, releases it after.
    assert_eq!(app.state.tick(Utc::now() + Duration::minutes(29)).await.unwrap().released_holds, 0);
    let report = app.state.tick(Utc::now() + Duration::minutes(34)).await.unwrap();
    assert_eq!(report.released_holds, 1);
    let b = booking(&app, &held).await;
    assert_eq!(b["status"], "cancelled");
    assert_eq!(b["cancel_reason"], "payment_not_received");
    assert!(b["hold_until"].is_null());
    let released = events_of(&app, "booking.hold_released").await;
    assert_eq!(released.len(), 1);
    assert_eq!(released[0]["data"]["why"], "timed_out");
    // The slot is free again.
    let r = book_at(&app, "kim@example.com", slot()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[tokio::test]
async fn a_booking_takes_a_slot_whose_hold_ran_out_before_the_schedule_did() {
    let server = MockServer::start().await;
    mount_checkout(&server).await;
    let app = deposit_app(&server).await;
    let held = id(&book_at(&app, "maria@example.com", slot()).await.body);
    let sam = customer(&app, "sam@example.com").await.parse().unwrap();
    let later = Utc::now() + Duration::minutes(34);
    let req = BookingRequest {
        customer_id: sam,
        lead_id: None,
        host_id: None,
        scheduled_time: slot(),
        duration: None,
        meeting_type: None,
        notes: None,
        source: BookingSource::Api,
        chat_session: None,
        service: None,
        key: None,
    };
    // The constraint still counts the lapsed hold: the new booking releases it first.
    let made = app.state.bookings().create(req, later).await.unwrap();
    assert_eq!(made.status.as_str(), "pending_payment");
    assert_eq!(booking(&app, &held).await["status"], "cancelled");
    assert_eq!(events_of(&app, "booking.hold_released").await.len(), 1);
}

#[tokio::test]
async fn an_expired_session_releases_the_hold() {
    let server = MockServer::start().await;
    mount_checkout(&server).await;
    let app = deposit_app(&server).await;
    let held = id(&book_at(&app, "maria@example.com", slot()).await.body);
    let r = deliver(&app, &event("checkout.session.expired", &held)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, json!({"outcome": "released", "booking_id": held}));
    let b = booking(&app, &held).await;
    assert_eq!((b["status"].as_str(), b["cancel_reason"].as_str()), (Some("cancelled"), Some("payment_not_received")));
    let released = events_of(&app, "booking.hold_released").await;
    assert_eq!(released.len(), 1);
    assert_eq!(released[0]["data"]["why"], "checkout_expired");
    assert_eq!(book_at(&app, "sam@example.com", slot()).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_payment_after_the_release_confirms_a_free_slot_and_refunds_a_taken_one() {
    let server = MockServer::start().await;
    mount_checkout(&server).await;
    let app = deposit_app(&server).await;
    let first = id(&book_at(&app, "maria@example.com", slot()).await.body);
    let second_slot = slot() + Duration::hours(3);
    let second = id(&book_at(&app, "lee@example.com", second_slot).await.body);
    app.state.tick(Utc::now() + Duration::minutes(34)).await.unwrap();
    // The first slot is free still: the late payment confirms it.
    let r = deliver(&app, &event("checkout.session.completed", &first)).await;
    assert_eq!(r.body["outcome"], "confirmed", "{}", r.text);
    assert_eq!(booking(&app, &first).await["status"], "confirmed");
    // The second slot went to someone else meanwhile: the payment is refunded.
    assert_eq!(book_at(&app, "sam@example.com", second_slot).await.status, StatusCode::CREATED);
    let mut paid = event("checkout.session.completed", &second);
    paid["id"] = json!("evt_1QRsTuLkdIwHu7ixSecond01");
    let r = deliver(&app, &paid).await;
    assert_eq!(r.body["outcome"], "refunding", "{}", r.text);
    assert_eq!(booking(&app, &second).await["status"], "cancelled");
    let jobs = app.take_jobs().await;
    assert_eq!(jobs.iter().filter(|j| j.name() == "refund_deposit").count(), 1, "{jobs:?}");
    let paid = events_of(&app, "booking.deposit_paid").await;
    assert_eq!(paid.iter().filter(|e| e["data"]["confirmed"] == false).count(), 1);
}
