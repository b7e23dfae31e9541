//! `/api/crm/customers` end to end through the router.

use chrono::{Duration, Utc};
use http::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{API_KEY, TestApp, inbound_sms};

async fn create(app: &TestApp, body: Value) -> Value {
    let r = app.post("/api/crm/customers", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

#[tokio::test]
async fn create_returns_the_customer_normalised() {
    let app = TestApp::new().await;
    let c = create(
        &app,
        json!({"name": " Dana Whitfield ", "email": "Dana@Example.COM", "phone": "(415) 555-2671",
               "company": "Whitfield Homes", "business_type": "construction", "location": "Austin, TX"}),
    )
    .await;
    assert_eq!(c["name"], "Dana Whitfield");
    assert_eq!(c["email"], "dana@example.com");
    assert_eq!(c["phone"], "+14155552671");
    assert_eq!(c["company"], "Whitfield Homes");
    assert_eq!(c["business_type"], "construction");
    assert_eq!(c["location"], "Austin, TX");
    assert!(Uuid::parse_str(c["id"].as_str().unwrap()).is_ok());
    assert!(c["created_at"].as_str().unwrap().ends_with('Z'));
    let fetched = app.get(&format!("/api/crm/customers/{}", c["id"].as_str().unwrap())).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body, c);
}

#[tokio::test]
async fn staff_routes_need_a_valid_api_key() {
    let app = TestApp::new().await;
    let none = app.raw(Method::GET, "/api/crm/customers", &[], "").await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.error_code(), Some("unauthorized"));
    assert_eq!(none.headers["www-authenticate"], "Bearer realm=\"leadflow\"");
    let wrong = app.raw(Method::GET, "/api/crm/customers", &[("authorization", "Bearer not-the-key-123456")], "").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let header = app.raw(Method::GET, "/api/crm/customers", &[("x-api-key", API_KEY)], "").await;
    assert_eq!(header.status, StatusCode::OK);
}

#[tokio::test]
async fn without_configured_keys_staff_routes_stay_closed() {
    let app = TestApp::with_config(|c| c.api_keys.clear()).await;
    let r = app.get("/api/crm/customers").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("LEADFLOW_API_KEYS"));
}

#[tokio::test]
async fn bad_customer_bodies_get_field_errors() {
    let app = TestApp::new().await;
    let cases = [
        (json!({"email": "not-an-email"}), "email"),
        (json!({"phone": "12"}), "phone"),
        (json!({"phone": "+1 555 123 4567"}), "phone"),
        (json!({"name": "Only A Name"}), "email"),
        (json!({"email": "a@example.com", "name": "x".repeat(201)}), "name"),
        (json!({"email": "a@example.com", "name": 5}), "name"),
        (json!({"email": "a@example.com", "name": "   "}), "name"),
        (json!({"email": "a@example.com", "role": "admin"}), "role"),
        (json!({"email": ["a@example.com"]}), "email"),
    ];
    for (body, field) in cases {
        let r = app.post("/api/crm/customers", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body} -> {}", r.text);
        assert_eq!(r.error_code(), Some("validation_error"));
        assert_eq!(r.error_field(), Some(field), "{body} -> {}", r.text);
    }
    assert!(app.get("/api/crm/customers").await.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn malformed_wrong_type_and_oversized_bodies_are_4xx() {
    let app = TestApp::new().await;
    let auth = ("authorization", "Bearer test-api-key-0123456789");
    let json_ct = ("content-type", "application/json");
    let broken = app.raw(Method::POST, "/api/crm/customers", &[auth, json_ct], "{\"email\": ").await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert_eq!(broken.error_code(), Some("invalid_json"));
    let text = app.raw(Method::POST, "/api/crm/customers", &[auth, ("content-type", "text/plain")], "hi").await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let missing_ct = app.raw(Method::POST, "/api/crm/customers", &[auth], "{}").await;
    assert_eq!(missing_ct.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = format!("{{\"email\": \"a@example.com\", \"location\": \"{}\"}}", "x".repeat(300 * 1024));
    let big = app.raw(Method::POST, "/api/crm/customers", &[auth, json_ct], huge).await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(big.error_code(), Some("payload_too_large"));
    let empty = app.raw(Method::POST, "/api/crm/customers", &[auth, json_ct], "").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn same_email_or_phone_differently_written_is_a_conflict() {
    let app = TestApp::new().await;
    create(&app, json!({"email": "dana@example.com", "phone": "+1 (415) 555-2671"})).await;
    let by_email = app.post("/api/crm/customers", json!({"email": "  DANA@example.com "})).await;
    assert_eq!(by_email.status, StatusCode::CONFLICT, "{}", by_email.text);
    assert_eq!(by_email.error_code(), Some("conflict"));
    assert_eq!(by_email.error_field(), Some("email"));
    let by_phone = app.post("/api/crm/customers", json!({"phone": "415.555.2671"})).await;
    assert_eq!(by_phone.status, StatusCode::CONFLICT);
    assert_eq!(by_phone.error_field(), Some("phone"));
    let list = app.get("/api/crm/customers").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn unknown_and_malformed_ids() {
    let app = TestApp::new().await;
    let id = Uuid::new_v4();
    for r in [
        app.get(&format!("/api/crm/customers/{id}")).await,
        app.put(&format!("/api/crm/customers/{id}"), json!({"name": "X"})).await,
        app.delete(&format!("/api/crm/customers/{id}")).await,
        app.get(&format!("/api/crm/customers/{id}/history")).await,
    ] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
        assert_eq!(r.error_code(), Some("not_found"));
    }
    for uri in ["/api/crm/customers/42", "/api/crm/customers/not-a-uuid/history"] {
        let r = app.get(uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(r.error_field(), Some("id"));
    }
    let r = app.call(Method::PUT, "/api/crm/customers/zzz", Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn update_is_partial_and_validated() {
    let app = TestApp::new().await;
    let c = create(&app, json!({"name": "Dana", "email": "dana@example.com", "company": "Acme"})).await;
    let uri = format!("/api/crm/customers/{}", c["id"].as_str().unwrap());

    let r = app.put(&uri, json!({"phone": "415 555 2671", "company": null})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "Dana");
    assert_eq!(r.body["phone"], "+14155552671");
    assert_eq!(r.body["company"], Value::Null);
    assert!(r.body["updated_at"].as_str() > c["updated_at"].as_str());

    let r = app.call(Method::PATCH, &uri, Some(json!({"email": null}))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["email"], Value::Null);

    let r = app.put(&uri, json!({"phone": null})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the last contact cannot be removed");
    let r = app.put(&uri, json!({"phone": "nope"})).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("phone")));
    let r = app.put(&uri, json!({"email": "bad@"})).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("email")));

    create(&app, json!({"email": "other@example.com"})).await;
    let r = app.put(&uri, json!({"email": "Other@Example.com"})).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::CONFLICT, Some("email")));
}

#[tokio::test]
async fn delete_removes_customer_and_history() {
    let app = TestApp::new().await;
    let c = create(&app, json!({"email": "gone@example.com"})).await;
    let id = Uuid::parse_str(c["id"].as_str().unwrap()).unwrap();
    app.state.mongo.messages().insert(&inbound_sms(id, "hello", 0)).await.unwrap();
    let r = app.delete(&format!("/api/crm/customers/{id}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/crm/customers/{id}")).await.status, StatusCode::NOT_FOUND);
    let left = app.state.mongo.messages().history(id, &Default::default()).await.unwrap();
    assert!(left.items.is_empty());
}

#[tokio::test]
async fn list_paginates_in_a_stable_order() {
    let app = TestApp::new().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let c = create(&app, json!({"email": format!("c{i}@example.com")})).await;
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut uri = "/api/crm/customers?limit=2".to_string();
    loop {
        let r = app.get(&uri).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let items = r.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|c| c["id"].as_str().unwrap().to_string()));
        match r.body["next_cursor"].as_str() {
            Some(cursor) => uri = format!("/api/crm/customers?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ids, "newest first, every customer once");
}

#[tokio::test]
async fn list_filters() {
    let app = TestApp::new().await;
    create(&app, json!({"name": "Dana Whitfield", "email": "dana@example.com", "company": "Whitfield Homes"})).await;
    create(&app, json!({"name": "Sam Ortiz", "phone": "+14155552671"})).await;
    let names = |r: &crate::common::TestResponse| -> Vec<String> {
        r.body["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(names(&app.get("/api/crm/customers?email=DANA@example.com").await), ["Dana Whitfield"]);
    assert_eq!(names(&app.get("/api/crm/customers?phone=(415)%20555-2671").await), ["Sam Ortiz"]);
    assert_eq!(names(&app.get("/api/crm/customers?q=whitfield").await), ["Dana Whitfield"]);
    assert_eq!(names(&app.get("/api/crm/customers?q=ortiz").await), ["Sam Ortiz"]);
    assert!(names(&app.get("/api/crm/customers?q=%25").await).is_empty(), "% is matched literally");
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let future = (Utc::now() + Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(names(&app.get(&format!("/api/crm/customers?created_after={past}")).await).len(), 2);
    assert!(names(&app.get(&format!("/api/crm/customers?created_after={future}")).await).is_empty());
    assert!(names(&app.get(&format!("/api/crm/customers?created_before={past}")).await).is_empty());
}

#[tokio::test]
async fn bad_list_parameters_are_400_naming_the_parameter() {
    let app = TestApp::new().await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("cursor=garbage!", "cursor"),
        ("email=nope", "email"),
        ("phone=12", "phone"),
        ("created_after=yesterday", "created_after"),
        ("colour=blue", "colour"),
    ] {
        let r = app.get(&format!("/api/crm/customers?{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{query}: {}", r.text);
    }
}

#[tokio::test]
async fn history_is_newest_first_and_paginated() {
    let app = TestApp::new().await;
    let c = create(&app, json!({"email": "talker@example.com"})).await;
    let id = Uuid::parse_str(c["id"].as_str().unwrap()).unwrap();
    let other = create(&app, json!({"email": "other@example.com"})).await;
    let other_id = Uuid::parse_str(other["id"].as_str().unwrap()).unwrap();
    let store = app.state.mongo.messages();
    for (i, text) in ["first", "second", "third"].iter().enumerate() {
        store.insert(&inbound_sms(id, text, 30 - i as i64 * 10)).await.unwrap();
    }
    store.insert(&inbound_sms(other_id, "not theirs", 5)).await.unwrap();

    let r = app.get(&format!("/api/crm/customers/{id}/history?limit=2")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let contents: Vec<&str> =
        r.body["items"].as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap()).collect();
    assert_eq!(contents, ["third", "second"]);
    assert_eq!(r.body["items"][0]["channel"], "sms");
    assert_eq!(r.body["items"][0]["direction"], "inbound");
    let cursor = r.body["next_cursor"].as_str().expect("a second page");
    let r = app.get(&format!("/api/crm/customers/{id}/history?limit=2&cursor={cursor}")).await;
    let contents: Vec<&str> =
        r.body["items"].as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap()).collect();
    assert_eq!(contents, ["first"]);
    assert!(r.body["next_cursor"].is_null());

    let r = app.get(&format!("/api/crm/customers/{id}/history?limit=0")).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::BAD_REQUEST, Some("limit")));
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json_errors() {
    let app = TestApp::new().await;
    let r = app.get("/api/crm/nothing-here").await;
    assert_eq!((r.status, r.error_code()), (StatusCode::NOT_FOUND, Some("not_found")));
    let r = app.call(Method::PATCH, "/api/crm/customers", Some(json!({}))).await;
    assert_eq!((r.status, r.error_code()), (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed")));
}

#[tokio::test]
async fn settings_are_read_and_updated_partially() {
    let app = TestApp::new().await;
    let r = app.get("/api/settings").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["tone"], "friendly");
    assert_eq!(r.body["business_hours"]["mon"][0], "09:00-17:00");
    let r = app
        .put(
            "/api/settings",
            json!({"business_name": "Austin Plumbing", "time_zone": "America/Chicago",
                   "business_hours": {"mon": ["08:00-18:00"], "sat": ["09:00-12:00"]},
                   "services": [{"name": "Water heater replacement", "price": "from $1,200 installed"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["business_name"], "Austin Plumbing");
    assert_eq!(r.body["services"][0]["price"], "from $1,200 installed");
    let r = app.put("/api/settings", json!({"tone": "professional"})).await;
    assert_eq!(
        (r.body["tone"].as_str(), r.body["time_zone"].as_str()),
        (Some("professional"), Some("America/Chicago"))
    );
    for (body, field) in [
        (json!({"time_zone": "Mars/Base"}), "time_zone"),
        (json!({"business_hours": {"mon": ["18:00-08:00"]}}), "business_hours"),
        (json!({"tone": "grumpy"}), "tone"),
        (json!({"services": [{"name": "X", "cost": 5}]}), "services[0].cost"),
        (json!({"business_name": ""}), "business_name"),
    ] {
        let r = app.put("/api/settings", body.clone()).await;
        assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{body}: {}", r.text);
    }
}
