//! The Checkout Session, the signed webhook, one effect per event, refunds and outages.

use chrono::{Duration, Utc};
use http::StatusCode;
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{
    SECRET_KEY, WEBHOOK_SECRET, book_at, booking, checkout_url, deliver, deposit_app, event, events_of, mount_checkout,
    post_event, run_only, session_id, signature, slot, stripe_events_stored,
};
use crate::common::id;

#[tokio::test]
async fn a_held_booking_asks_stripe_for_checkout_field_by_field() {
    let server = MockServer::start().await;
    mount_checkout(&server).await;
    let app = deposit_app(&server).await;
    let before = Utc::now();
    let r = book_at(&app, "maria@example.com", slot()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let booking_id = id(&r.body);
    assert_eq!(r.body["status"], "pending_payment");
    assert_eq!(r.body["payment"]["checkout_url"], checkout_url(&booking_id));
    assert_eq!(r.body["payment"]["checkout_session_id"], session_id(&booking_id));
    assert_eq!(r.body["payment"]["status"], "open");
    assert_eq!(r.body["payment"]["amount"], 2500);
    assert_eq!(r.body["payment"]["currency"], "usd");
    let hold_until: chrono::DateTime<Utc> = r.body["hold_until"].as_str().unwrap().parse().unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(req.url.path(), "/v1/checkout/sessions");
    assert_eq!(req.headers["authorization"], format!("Bearer {SECRET_KEY}").as_str());
    assert_eq!(req.headers["idempotency-key"], booking_id.as_str());
    assert_eq!(req.headers["content-type"], "application/x-www-form-urlencoded");
    let form: Vec<(String, String)> = form_urlencoded::parse(&req.body).into_owned().collect();
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map_or_else(|| panic!("{k}"), |(_, v)| v.as_str());
    assert_eq!(field("mode"), "payment");
    assert_eq!(field("payment_method_types[0]"), "card");
    assert_eq!(field("line_items[0][price_data][currency]"), "usd");
    assert_eq!(field("line_items[0][price_data][unit_amount]"), "2500");
    assert_eq!(field("line_items[0][price_data][product_data][name]"), "Deposit: booking with Austin Plumbing");
    assert_eq!(field("line_items[0][quantity]"), "1");
    assert_eq!(field("success_url"), "https://leads.example.com/booking/paid?session_id={CHECKOUT_SESSION_ID}");
    assert_eq!(field("cancel_url"), "https://leads.example.com/booking/payment-cancelled");
    assert_eq!(field("metadata[booking_id]"), booking_id);
    assert_eq!(field("client_reference_id"), booking_id);
    assert_eq!(field("customer_email"), "maria@example.com");
    // At least Stripe's 30 minutes after now; the hold lasts two minutes longer.
    let expires: i64 = field("expires_at").parse().unwrap();
    assert!(expires >= before.timestamp() + 30 * 60 && expires <= Utc::now().timestamp() + 32 * 60, "{expires}");
    assert_eq!(hold_until.timestamp(), expires + 120, "the response shows the extended hold");
    assert_eq!(form.len(), 12, "{form:?}");

    let requested = events_of(&app, "booking.payment_requested").await;
    assert_eq!(requested.len(), 1);
    assert_eq!(requested[0]["data"]["checkout_url"], checkout_url(&booking_id));
    // The customer is sent the link through the booking notice.
    let jobs = app.take_jobs().await;
    assert!(jobs.iter().any(|j| j.name() == "booking_notice"), "{jobs:?}");
}

#[tokio::test]
async fn forged_or_stale_signatures_get_400_and_change_nothing() {
    let server = MockServer::start().await;
    mount_checkout(&server).await;
    let app = deposit_app(&server).await;
    let r = book_at(&app, "maria@example.com", slot()).await;
    let booking_id = id(&r.body);
    let body = serde_json::to_vec(&event("checkout.session.completed", &booking_id)).unwrap();
    let now = Utc::now().timestamp();
    let cases = [
        ("missing", None),
        ("forged", Some(signature("whsec_someone_else", now, &body))),
        ("stale", Some(signature(WEBHOOK_SECRET, now - 301, &body))),
        ("malformed", Some("v1=deadbeef".to_owned())),
    ];
    for (what, header) in cases {
        let r = post_event(&app, header.as_deref(), &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", r.text);
        assert_eq!(r.error_field(), Some("Stripe-Signature"), "{what}");
    }
    // A body changed after signing does not pass either.
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let r = post_event(&app, Some(&signature(WEBHOOK_SECRET, now, &body)), &tampered).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(booking(&app, &booking_id).await["status"], "pending_payment");
    assert_eq!(stripe_events_stored(&app).await, 0);
    assert!(events_of(&app, "booking.deposit_paid").await.is_empty());
    // Signed within the 300 s window: accepted.
    let r = post_event(&app, Some(&signature(WEBHOOK_SECRET, now - 290, &body)), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(booking(&app, &booking_id).await["status"], "confirmed");
}

#[tokio::test]
async fn a_paid_session_confirms_once_however_often_it_is_delivered() {
    let server = MockServer::start().await;
    mount_checkout(&server).await;
    let app = deposit_app(&server).await;
    let booking_id = id(&book_at(&app, "maria@example.com", slot()).await.body);
    app.take_jobs().await;
    let completed = event("checkout.session.completed", &booking_id);
    let first = deliver(&app, &completed).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body, json!({"outcome": "confirmed", "booking_id": booking_id}));
    let again = deliver(&app, &completed).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body["outcome"], "duplicate");
    let b = booking(&app, &booking_id).await;
    assert_eq!(b["status"], "confirmed");
    assert!(b["hold_until"].is_null());
    let paid = events_of(&app, "booking.deposit_paid").await;
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["data"]["payment_intent"], "pi_3QRsTqLkdIwHu7ix0dXyZ9Ab");
    assert_eq!(paid[0]["data"]["confirmed"], true);
    // The customer is told they are booked (once: the notice id is the booking's).
    let jobs = app.take_jobs().await;
    assert_eq!(jobs.iter().filter(|j| j.name() == "booking_notice").count(), 1, "{jobs:?}");
    // An unknown event type is acknowledged and ignored.
    let mut other = completed.clone();
    other["id"] = json!("evt_1QRsZzLkdIwHu7ixOther001");
    other["type"] = json!("payment_intent.created");
    let r = deliver(&app, &other).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["outcome"], "ignored");
}

#[tokio::test]
async fn a_cancel_within_the_policy_issues_exactly_one_refund() {
    let server = MockServer::start().await;
    mount_checkout(&server).await;
    let app = deposit_app(&server).await;
    let booking_id = id(&book_at(&app, "maria@example.com", slot()).await.body);
    assert_eq!(deliver(&app, &event("checkout.session.completed", &booking_id)).await.status, StatusCode::OK);
    app.take_jobs().await;
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .and(header("authorization", format!("Bearer {SECRET_KEY}").as_str()))
        .and(header("idempotency-key", format!("refund-{booking_id}").as_str()))
        .and(body_string("payment_intent=pi_3QRsTqLkdIwHu7ix0dXyZ9Ab"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "re_3QRsTqLkdIwHu7ix1Refund01", "object": "refund", "amount": 2500, "currency": "usd",
            "payment_intent": "pi_3QRsTqLkdIwHu7ix0dXyZ9Ab", "status": "succeeded"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let r = app.post(&format!("/api/bookings/{booking_id}/cancel"), json!({"reason": "plans changed"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "cancelled");
    let jobs = app.take_jobs().await;
    let refunds: Vec<_> = jobs.into_iter().filter(|j| j.name() == "refund_deposit").collect();
    assert_eq!(refunds.len(), 1);
    // The job may run twice (SQS delivers at least once): one refund all the same.
    for job in [&refunds[0], &refunds[0]] {
        let ctx = leadflow::workers::JobContext::at(Utc::now(), Duration::seconds(30));
        leadflow::workers::run(&app.state, job, &ctx).await.unwrap();
    }
    let refunded = events_of(&app, "booking.deposit_refunded").await;
    assert_eq!(refunded.len(), 1);
    assert_eq!(refunded[0]["data"]["refund_id"], "re_3QRsTqLkdIwHu7ix1Refund01");
    assert_eq!(refunded[0]["data"]["reason"], "cancelled");
    let conn = app.state.db.conn().await.unwrap();
    let uuid: uuid::Uuid = booking_id.parse().unwrap();
    let row =
        conn.query_one("SELECT status, refund_id FROM booking_payments WHERE booking_id = $1", &[&uuid]).await.unwrap();
    assert_eq!(
        (row.get::<_, String>(0).as_str(), row.get::<_, Option<String>>(1).as_deref()),
        ("refunded", Some("re_3QRsTqLkdIwHu7ix1Refund01"))
    );
    server.verify().await;
}

#[tokio::test]
async fn a_cancel_inside_the_policy_window_keeps_the_deposit() {
    let server = MockServer::start().await;
    mount_checkout(&server).await;
    let app = deposit_app(&server).await;
    let booking_id = id(&book_at(&app, "maria@example.com", slot()).await.body);
    assert_eq!(deliver(&app, &event("checkout.session.completed", &booking_id)).await.status, StatusCode::OK);
    app.take_jobs().await;
    // Cancelled 23 hours before the start: the 24-hour policy keeps the money.
    let late = slot() - Duration::hours(23);
    let c = leadflow::services::bookings::Cancellation {
        reason: Some("no longer needed".into()),
        by: leadflow::domain::event::BookingActor::Staff,
    };
    app.state.bookings().cancel(booking_id.parse().unwrap(), c, false, late).await.unwrap();
    assert_eq!(run_only(&app, "refund_deposit", late).await, 0);
    assert!(server.received_requests().await.unwrap().iter().all(|r| r.url.path() != "/v1/refunds"));
}

#[tokio::test]
async fn stripe_down_keeps_the_booking_held_and_a_job_gets_the_link() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"error": {"message": "try later"}})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let app = deposit_app(&server).await;
    let r = book_at(&app, "maria@example.com", slot()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let booking_id = id(&r.body);
    assert_eq!(r.body["status"], "pending_payment");
    assert_eq!(r.body["payment"]["status"], "pending");
    assert!(r.body["payment"]["checkout_url"].is_null());
    let jobs = app.take_jobs().await;
    assert_eq!(jobs.iter().filter(|j| j.name() == "create_checkout").count(), 1, "{jobs:?}");
    // Say that job was lost: the schedule asks again for a held booking without a link.
    let report = app.state.tick(Utc::now() + Duration::minutes(2)).await.unwrap();
    assert_eq!(report.requeued_checkouts, 1);
    mount_checkout(&server).await;
    assert_eq!(run_only(&app, "create_checkout", Utc::now()).await, 1);
    let conn = app.state.db.conn().await.unwrap();
    let uuid: uuid::Uuid = booking_id.parse().unwrap();
    let row = conn
        .query_one("SELECT status, checkout_session_id FROM booking_payments WHERE booking_id = $1", &[&uuid])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "open");
    assert_eq!(row.get::<_, Option<String>>(1), Some(session_id(&booking_id)));
    let sent: Vec<_> = server.received_requests().await.unwrap();
    assert!(sent.iter().all(|r| r.headers["idempotency-key"] == booking_id.as_str()));
}

/// A Checkout job that keeps failing is retried by the queue itself (after each
/// visibility timeout); the schedule adds a copy at most once per visibility period, not
/// one a minute, while the booking is held.
#[tokio::test]
async fn a_failing_checkout_is_queued_again_at_most_once_per_visibility_period() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"error": {"message": "try later"}})))
        .mount(&server)
        .await;
    let app = super::deposit_app_with(&server, |c| c.messaging.jobs_visibility = Duration::seconds(1080)).await;
    let r = book_at(&app, "maria@example.com", slot()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    app.take_jobs().await;
    let start = Utc::now();
    let mut requeued = Vec::new();
    // The schedule every minute while the 30-minute hold lasts.
    for minute in 0..30 {
        let report = app.state.tick(start + Duration::minutes(minute)).await.unwrap();
        let copies = app.take_jobs().await.iter().filter(|j| j.name() == "create_checkout").count();
        assert_eq!(copies, report.requeued_checkouts, "minute {minute}");
        assert!(copies <= 1, "minute {minute}: {copies} copies");
        if copies == 1 {
            requeued.push(minute);
        }
    }
    // First once the booking is a minute old (its first job may have been lost), then once
    // the previous copy is more than 18 minutes old: 19 ticks later.
    assert_eq!(requeued.len(), 2, "copies at minutes {requeued:?}");
    assert!(requeued[0] <= 2, "copies at minutes {requeued:?}");
    assert_eq!(requeued[1] - requeued[0], 19, "copies at minutes {requeued:?}");
}

#[tokio::test]
async fn deposit_settings_and_services_are_checked() {
    let server = MockServer::start().await;
    mount_checkout(&server).await;
    let app = deposit_app(&server).await;
    let r = app
        .put(
            "/api/settings",
            json!({"booking": {"deposit": {"amount": 2500, "currency": "usd", "required_for": ["Roof repair"],
                                           "refund_hours_before": 24}}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.error_field(), Some("booking.deposit.required_for[0]"));
    let r = app
        .put(
            "/api/settings",
            json!({"booking": {"deposit": {"amount": 2500, "currency": "usd", "required_for": ["drain cleaning"],
                                           "refund_hours_before": 24}}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let customer_id = crate::bookings::customer(&app, "maria@example.com").await;
    let at = slot().to_rfc3339();
    let r = app
        .post("/api/bookings", json!({"customer_id": customer_id, "scheduled_time": at, "service": "Roofing"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.error_field(), Some("service"));
    // A booking of another service (or none) owes nothing: it is scheduled at once.
    let r = app.post("/api/bookings", json!({"customer_id": customer_id, "scheduled_time": at})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "scheduled");
    assert!(r.body["payment"].is_null());
    // The listed service, named in any case, owes the deposit and is stored as listed.
    let later = (slot() + Duration::hours(2)).to_rfc3339();
    let r = app
        .post(
            "/api/bookings",
            json!({"customer_id": customer_id, "scheduled_time": later, "service": "DRAIN CLEANING"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        (r.body["status"].as_str(), r.body["service"].as_str()),
        (Some("pending_payment"), Some("Drain cleaning"))
    );
    assert_eq!(r.body["payment"]["amount"], 2500);
}

#[tokio::test]
async fn the_customer_is_sent_the_link_then_the_confirmation() {
    let server = MockServer::start().await;
    mount_checkout(&server).await;
    Mock::given(method("POST"))
        .and(path("/v3/mail/send"))
        .respond_with(ResponseTemplate::new(202).insert_header("X-Message-Id", "sg-deposit-1"))
        .mount(&server)
        .await;
    let uri = server.uri();
    let app = super::deposit_app_with(&server, |c| crate::common::providers::with_sendgrid(c, &uri)).await;
    let booking_id = id(&book_at(&app, "maria@example.com", slot()).await.body);
    app.run_jobs().await;
    deliver(&app, &event("checkout.session.completed", &booking_id)).await;
    app.run_jobs().await;
    let mails: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/v3/mail/send")
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert_eq!(mails.len(), 2, "{mails:#?}");
    assert!(mails[0].contains(&checkout_url(&booking_id)) && mails[0].contains("25.00 USD"), "{}", mails[0]);
    assert!(mails[1].contains("You're booked with Austin Plumbing"), "{}", mails[1]);
}

#[tokio::test]
async fn a_delayed_payment_confirms_when_it_succeeds_and_releases_when_it_fails() {
    let server = MockServer::start().await;
    mount_checkout(&server).await;
    let app = deposit_app(&server).await;
    let booking_id = id(&book_at(&app, "maria@example.com", slot()).await.body);
    // Completed, but the money is still on its way: nothing is confirmed yet.
    let mut processing = event("checkout.session.completed", &booking_id);
    processing["data"]["object"]["payment_status"] = json!("unpaid");
    let r = deliver(&app, &processing).await;
    assert_eq!((r.status, r.body["outcome"].clone()), (StatusCode::OK, json!("ignored")), "{}", r.text);
    assert_eq!(booking(&app, &booking_id).await["status"], "pending_payment");

    let mut succeeded = event("checkout.session.completed", &booking_id);
    succeeded["id"] = json!("evt_1QRsZzLkdIwHu7ixAsyncOk01");
    succeeded["type"] = json!("checkout.session.async_payment_succeeded");
    let r = deliver(&app, &succeeded).await;
    assert_eq!(r.body, json!({"outcome": "confirmed", "booking_id": booking_id}), "{}", r.text);
    assert_eq!(booking(&app, &booking_id).await["status"], "confirmed");

    let other = id(&book_at(&app, "lee@example.com", slot() + Duration::hours(2)).await.body);
    let mut failed = event("checkout.session.completed", &other);
    failed["id"] = json!("evt_1QRsZzLkdIwHu7ixAsyncNo01");
    failed["type"] = json!("checkout.session.async_payment_failed");
    failed["data"]["object"]["payment_status"] = json!("unpaid");
    let r = deliver(&app, &failed).await;
    assert_eq!(r.body, json!({"outcome": "released", "booking_id": other}), "{}", r.text);
    let b = booking(&app, &other).await;
    assert_eq!((b["status"].clone(), b["cancel_reason"].clone()), (json!("cancelled"), json!("payment_not_received")));
}

#[tokio::test]
async fn deposits_cannot_be_asked_for_without_stripe() {
    let app = crate::common::TestApp::new().await;
    let r = app
        .put("/api/settings", json!({"booking": {"deposit": {"amount": 2500, "currency": "usd", "required_for": "all", "refund_hours_before": 24}}}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.error_field(), Some("booking.deposit"));
    assert!(r.text.contains("STRIPE_SECRET_KEY"), "{}", r.text);
}
