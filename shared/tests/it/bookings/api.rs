//! `/api/bookings` and the booking settings: availability, the server's own checks of
//! every booking, concurrency, the lifecycle, the iCalendar file and the lead.

use chrono::{Duration, Utc};
use futures::future::join_all;
use http::StatusCode;
use serde_json::json;

use super::{book, chicago, customer, id, plumber, weekday_ahead};
use crate::common::TestApp;

fn day_range(day: chrono::NaiveDate) -> String {
    let from = chicago(day, 0, 0).to_rfc3339().replace('+', "%2B");
    let to = chicago(day + Duration::days(1), 0, 0).to_rfc3339().replace('+', "%2B");
    format!("from={from}&to={to}")
}

fn starts(r: &crate::common::TestResponse) -> Vec<String> {
    r.body["slots"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap()[11..16].to_string()).collect()
}

#[tokio::test]
async fn availability_is_local_time_minus_bookings_and_their_buffers() {
    let app = TestApp::new().await;
    plumber(&app).await;
    let day = weekday_ahead(3);
    let r = app.get(&format!("/api/bookings/availability?{}", day_range(day))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["time_zone"], "America/Chicago");
    let all = starts(&r);
    assert_eq!(all.first().map(String::as_str), Some("09:00"));
    assert_eq!(all.last().map(String::as_str), Some("16:00"), "a 60-minute meeting must end by 17:00");
    assert_eq!(all.len(), 15);
    let first = r.body["slots"][0]["start"].as_str().unwrap();
    assert!(first.ends_with("-06:00") || first.ends_with("-05:00"), "local offset: {first}");
    assert_eq!(r.body["slots"][0]["host_ids"], json!([]));

    let c = customer(&app, "maria@example.com").await;
    assert_eq!(book(&app, &c, chicago(day, 10, 0)).await.status, StatusCode::CREATED);
    let after = app.get(&format!("/api/bookings/availability?{}", day_range(day))).await;
    let left = starts(&after);
    // 09:00-10:00 would leave no 15 minutes after it; 11:00 starts inside the booking's buffer.
    for gone in ["09:00", "09:30", "10:00", "10:30", "11:00"] {
        assert!(!left.contains(&gone.to_string()), "{gone} should be gone: {left:?}");
    }
    assert!(left.contains(&"11:30".to_string()));
    assert_eq!(left.len(), 10);
    let alias = app.get(&format!("/api/bookings/availability/check?{}&duration=60", day_range(day))).await;
    assert_eq!(alias.body["slots"], after.body["slots"], "the seed's path is the same route");
}

#[tokio::test]
async fn availability_refuses_bad_ranges_naming_the_field() {
    let app = TestApp::new().await;
    let now = Utc::now();
    let q = |from: chrono::DateTime<Utc>, to: chrono::DateTime<Utc>| {
        format!(
            "/api/bookings/availability?from={}&to={}",
            from.format("%Y-%m-%dT%H:%M:%SZ"),
            to.format("%Y-%m-%dT%H:%M:%SZ")
        )
    };
    let r = app.get(&q(now + Duration::days(2), now + Duration::days(1))).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")), "{}", r.text);
    let r = app.get(&q(now, now + Duration::days(40))).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")), "{}", r.text);
    let r = app.get("/api/bookings/availability?duration=3").await;
    assert_eq!(r.error_field(), Some("duration"), "{}", r.text);
    let r = app.get(&format!("/api/bookings/availability?host_id={}", uuid::Uuid::now_v7())).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("host_id")), "{}", r.text);
    let r = app.get("/api/bookings/availability?from=tomorrow").await;
    assert_eq!(r.error_field(), Some("from"), "{}", r.text);
}

#[tokio::test]
async fn the_server_checks_every_booking_whatever_the_client_sends() {
    let app = TestApp::new().await;
    plumber(&app).await;
    let day = weekday_ahead(3);
    let c = customer(&app, "maria@example.com").await;
    let first = book(&app, &c, chicago(day, 10, 0)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.body["status"], "scheduled");
    assert_eq!(first.body["source"], "api");
    assert_eq!(first.body["duration_minutes"], 60);
    assert_eq!(first.body["location"], "At your address");
    assert_eq!(first.body["sequence"], 0);

    for (at, status, what) in [
        (chicago(day, 18, 0), StatusCode::UNPROCESSABLE_ENTITY, "after hours"),
        (chicago(day, 16, 30), StatusCode::UNPROCESSABLE_ENTITY, "ends after closing"),
        (chicago(day, 10, 30), StatusCode::CONFLICT, "overlaps"),
        (chicago(day, 11, 0), StatusCode::CONFLICT, "inside the 15-minute buffer"),
        (chicago(day, 9, 0), StatusCode::CONFLICT, "leaves no buffer before the next"),
        (Utc::now() + Duration::minutes(30), StatusCode::UNPROCESSABLE_ENTITY, "inside the notice"),
        (Utc::now() + Duration::days(45), StatusCode::UNPROCESSABLE_ENTITY, "beyond the horizon"),
    ] {
        let r = book(&app, &c, at).await;
        assert_eq!(r.status, status, "{what}: {}", r.text);
        assert_eq!(r.error_field(), Some("scheduled_time"), "{what}: {}", r.text);
    }
    assert_eq!(
        book(&app, &c, chicago(day, 11, 15)).await.status,
        StatusCode::CREATED,
        "off the grid, after the buffer"
    );

    let r = app
        .post("/api/bookings", json!({"customer_id": uuid::Uuid::now_v7(), "scheduled_time": chicago(day, 14, 0)}))
        .await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("customer_id")), "{}", r.text);
    let r = app
        .post("/api/bookings", json!({"customer_id": c, "scheduled_time": chicago(day, 14, 0), "duration_minutes": 2}))
        .await;
    assert_eq!(r.error_field(), Some("duration_minutes"), "{}", r.text);
    let r = app.post("/api/bookings", json!({"customer_id": c, "scheduled_time": "next tuesday"})).await;
    assert_eq!(r.error_field(), Some("scheduled_time"), "{}", r.text);
}

#[tokio::test]
async fn twenty_requests_for_one_slot_make_one_booking() {
    let app = TestApp::new().await;
    plumber(&app).await;
    let day = weekday_ahead(4);
    let mut customers = Vec::new();
    for i in 0..20 {
        customers.push(customer(&app, &format!("racer{i}@example.com")).await);
    }
    let at = chicago(day, 14, 0);
    let responses = join_all(customers.iter().map(|c| book(&app, c, at))).await;
    let created = responses.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let conflicts = responses.iter().filter(|r| r.status == StatusCode::CONFLICT).count();
    assert_eq!((created, conflicts), (1, 19), "{:?}", responses.iter().map(|r| &r.text).collect::<Vec<_>>());
    for r in responses.iter().filter(|r| r.status == StatusCode::CONFLICT) {
        assert_eq!(r.error_field(), Some("scheduled_time"));
    }
    // The neighbours inside the buffer stay refused too, under the same lock.
    let near = join_all(customers.iter().take(5).map(|c| book(&app, c, chicago(day, 15, 0)))).await;
    assert!(near.iter().all(|r| r.status == StatusCode::CONFLICT), "15:00 is inside 14:00's buffer");
    let list = app.get(&format!("/api/bookings?from={}", chicago(day, 0, 0).format("%Y-%m-%dT%H:%M:%SZ"))).await;
    assert_eq!(list.ids().len(), 1);
}

#[tokio::test]
async fn a_booking_moves_along_its_lifecycle_with_its_events() {
    let app = TestApp::new().await;
    plumber(&app).await;
    let day = weekday_ahead(3);
    let lead = crate::common::org::lead(&app, "lifecycle@example.com").await;
    let c = lead["customer_id"].as_str().unwrap().to_string();
    let b = book(&app, &c, chicago(day, 10, 0)).await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.text);
    assert_eq!(b.body["lead_id"], lead["id"], "the customer's open lead");
    let bid = id(&b.body);
    let l = app.get(&format!("/api/leads/{}", lead["id"].as_str().unwrap())).await;
    assert_eq!(l.body["status"], "qualified", "a booked lead is qualified: {}", l.text);
    let factors = l.body["qualification"]["breakdown"].to_string();
    assert!(factors.contains("booking_request"), "{factors}");

    let r = app.put(&format!("/api/bookings/{bid}"), json!({"status": "confirmed"})).await;
    assert_eq!(r.body["status"], "confirmed", "{}", r.text);
    let r = app.put(&format!("/api/bookings/{bid}"), json!({"status": "scheduled"})).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::CONFLICT, Some("status")), "{}", r.text);
    let r = app.put(&format!("/api/bookings/{bid}"), json!({"scheduled_time": chicago(day, 14, 0)})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["sequence"], 1);
    assert_eq!(r.body["scheduled_time"], json!(chicago(day, 14, 0)));
    // Moving another booking onto it is refused like a new one.
    let other = book(&app, &super::customer(&app, "other@example.com").await, chicago(day, 10, 0)).await;
    let r =
        app.put(&format!("/api/bookings/{}", id(&other.body)), json!({"scheduled_time": chicago(day, 14, 30)})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

    let r = app.post(&format!("/api/bookings/{bid}/cancel"), json!({"reason": "Customer called"})).await;
    assert_eq!((r.body["status"].as_str(), r.body["sequence"].as_i64()), (Some("cancelled"), Some(2)), "{}", r.text);
    assert_eq!(r.body["cancel_reason"], "Customer called");
    let again = app.post(&format!("/api/bookings/{bid}/cancel"), json!({})).await;
    assert_eq!(
        (again.status, again.body["sequence"].as_i64()),
        (StatusCode::OK, Some(2)),
        "cancelling twice is one cancel"
    );
    let r = app.put(&format!("/api/bookings/{bid}"), json!({"status": "completed"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let freed = book(&app, &c, chicago(day, 14, 0)).await;
    assert_eq!(freed.status, StatusCode::CREATED, "a cancelled booking frees its time: {}", freed.text);
    let done = app.put(&format!("/api/bookings/{}", id(&freed.body)), json!({"status": "no_show"})).await;
    assert_eq!(done.body["status"], "no_show", "{}", done.text);

    let ics = app.get(&format!("/api/bookings/{bid}/ics")).await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.headers["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let text = ics.text.replace("\r\n ", "");
    assert!(text.contains("METHOD:CANCEL") && text.contains("SEQUENCE:2"), "{text}");
    assert!(text.contains(&format!("UID:{bid}@leadflow")), "{text}");

    let cancelled = app.get(&format!("/api/bookings?status=cancelled&customer_id={c}")).await;
    assert_eq!(cancelled.ids(), vec![bid.clone()]);
    let r = app.get("/api/bookings?status=maybe").await;
    assert_eq!(r.error_field(), Some("status"), "{}", r.text);
    assert_eq!(app.get(&format!("/api/bookings/{}", uuid::Uuid::now_v7())).await.status, StatusCode::NOT_FOUND);

    let mut types = Vec::new();
    for booking in [&bid, &id(&freed.body)] {
        let subject = uuid::Uuid::parse_str(booking).unwrap();
        let recorded = app.state.mongo.events().for_subject(subject, 20).await.unwrap();
        types.extend(recorded.into_iter().map(|r| r.event_type));
    }
    for t in ["booking.created", "booking.rescheduled", "booking.cancelled", "booking.no_show"] {
        assert!(types.iter().any(|e| e == t), "{t} missing from {types:?}");
    }
}

#[tokio::test]
async fn booking_settings_are_validated_naming_the_field() {
    let app = TestApp::new().await;
    for (booking, field) in [
        (json!({"slot_interval_minutes": 0}), "booking.slot_interval_minutes"),
        (json!({"meeting_link": "zoom"}), "booking.meeting_link"),
        (json!({"meeting_link": "google_meet", "meeting_type": "phone"}), "booking.meeting_link"),
        (json!({"reminder_offsets_minutes": [60, 60]}), "booking.reminder_offsets_minutes[1]"),
        (json!({"hosts": [{"agent_id": uuid::Uuid::now_v7()}]}), "booking.hosts[0].agent_id"),
        (json!({"horizon": 3}), "booking.horizon"),
    ] {
        let r = app.put("/api/settings", json!({"booking": booking})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{booking}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{booking}: {}", r.text);
    }
    let r = app.put("/api/settings", json!({"booking": {"buffer_after_minutes": 10}})).await;
    assert_eq!(r.body["booking"]["buffer_after_minutes"], 10, "{}", r.text);
    assert_eq!(r.body["booking"]["reminder_offsets_minutes"], json!([1440, 60]), "defaults stay");
}

#[tokio::test]
async fn a_retried_conversation_booking_finds_the_booking_it_made() {
    use leadflow::domain::BookingSource;
    use leadflow::services::bookings::BookingRequest;
    let app = TestApp::new().await;
    plumber(&app).await;
    let day = weekday_ahead(3);
    let c = customer(&app, "retry@example.com").await;
    let req = |at| BookingRequest {
        customer_id: c.parse().unwrap(),
        lead_id: None,
        host_id: None,
        scheduled_time: at,
        duration: None,
        meeting_type: None,
        notes: None,
        source: BookingSource::Conversation,
        chat_session: None,
        service: None,
        key: Some(format!("leadflow-message:{}", uuid::Uuid::nil())),
    };
    let first = app.state.bookings().create(req(chicago(day, 10, 0)), Utc::now()).await.unwrap();
    // The job runs again after a failure past the commit: the same booking, not a 409 or a second one.
    let again = app.state.bookings().create(req(chicago(day, 10, 0)), Utc::now()).await.unwrap();
    assert_eq!(again.id, first.id);
    let list = app.get(&format!("/api/bookings?customer_id={c}")).await;
    assert_eq!(list.ids().len(), 1);
}
