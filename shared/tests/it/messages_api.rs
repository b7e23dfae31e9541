//! `/api/messages`: intake validation and idempotency, staff reads, manual sends.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::providers::*;
use crate::common::{TestApp, TestResponse};

/// A public call (chat and form, as the website makes them).
async fn receive(app: &TestApp, body: Value) -> TestResponse {
    app.raw(Method::POST, "/api/messages/receive", &[("content-type", "application/json")], body.to_string()).await
}

/// A call from an integration holding an API key (any channel).
async fn receive_as_staff(app: &TestApp, body: Value) -> TestResponse {
    app.call(Method::POST, "/api/messages/receive", Some(body)).await
}

fn form(content: &str) -> Value {
    json!({
        "channel": "form",
        "content": content,
        "customer": {"name": "Grace Kim", "email": "gkim@northpointlogistics.com", "phone": "(312) 555-0147"},
        "fields": {"company": "Northpoint Logistics", "budget": "$2,000/month"},
        "external_id": "form-submission-1"
    })
}

#[tokio::test]
async fn receive_stores_customer_lead_and_message() {
    let app = TestApp::new().await;
    let r = receive(&app, form("Looking for pricing on commercial cleaning for a 5,000 sq ft office.")).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let customer = app.get(&format!("/api/crm/customers/{}", r.body["customer_id"].as_str().unwrap())).await;
    assert_eq!(customer.body["phone"], "+13125550147");
    assert_eq!(customer.body["company"], "Northpoint Logistics");
    let message = app.get(&format!("/api/messages/{}", r.body["message_id"].as_str().unwrap())).await;
    assert_eq!(message.status, StatusCode::OK);
    assert_eq!(message.body["processed"], false);
    assert_eq!(message.body["lead_id"], r.body["lead_id"]);
    assert_eq!(message.body["provider_message_id"], "receive:gkim@northpointlogistics.com:form-submission-1");
    assert!(r.body.get("chat_token").is_none(), "tokens are for chat only");
}

#[tokio::test]
async fn the_same_customer_on_two_channels_is_one_customer_with_one_open_lead() {
    let app = TestApp::new().await;
    let a = receive(&app, json!({"channel": "chat", "content": "hi", "customer": {"email": "Sam@Example.com"}})).await;
    let b = receive_as_staff(&app, json!({"channel": "sms", "content": "it's Sam again", "customer": {"email": "sam@example.com", "phone": "415-555-2671"}})).await;
    assert_eq!(a.body["customer_id"], b.body["customer_id"]);
    assert_eq!(a.body["lead_id"], b.body["lead_id"]);
    let c = app.get(&format!("/api/crm/customers/{}", a.body["customer_id"].as_str().unwrap())).await;
    assert_eq!(c.body["phone"], "+14155552671", "the new phone was learned");
}

#[tokio::test]
async fn receive_is_idempotent_on_external_id() {
    let app = TestApp::new().await;
    let first = receive(&app, form("Pricing please")).await;
    let again = receive(&app, form("Pricing please")).await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    assert_eq!(first.body, again.body);
    let other = receive(&app, form("A different message")).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.error_field(), Some("external_id"));
    assert_eq!(app.take_jobs().await.len(), 1, "queued once");
}

#[tokio::test]
async fn bad_receive_bodies_name_the_field() {
    let app = TestApp::new().await;
    let cases = [
        (json!({"channel": "chat", "content": "hi", "customer": {"name": "X"}}), "customer.email"),
        (json!({"channel": "chat", "content": "hi", "customer": {"phone": "12"}}), "customer.phone"),
        (json!({"channel": "chat", "content": "hi", "customer": {"email": "nope"}}), "customer.email"),
        (json!({"channel": "fax", "content": "hi", "customer": {"email": "a@b.co"}}), "channel"),
        (json!({"channel": "chat", "content": "  ", "customer": {"email": "a@b.co"}}), "content"),
        (json!({"channel": "chat", "customer": {"email": "a@b.co"}}), "content"),
        (json!({"channel": "chat", "content": "hi"}), "customer"),
        (json!({"channel": "chat", "content": "hi", "customer": {"email": "a@b.co"}, "extra": 1}), "extra"),
    ];
    for (body, field) in cases {
        let r = receive(&app, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{body}: {}", r.text);
    }
    let broken = app.raw(Method::POST, "/api/messages/receive", &[("content-type", "application/json")], "{").await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    let big = json!({"channel": "chat", "content": "x".repeat(300_000), "customer": {"email": "a@b.co"}});
    assert_eq!(receive(&app, big).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(app.take_jobs().await.is_empty());
}

#[tokio::test]
async fn receive_is_rate_limited_per_client_address() {
    let app = TestApp::with_config(|c| c.messaging.receive_per_minute = 2).await;
    let body = json!({"channel": "chat", "content": "hi", "customer": {"email": "a@b.co"}}).to_string();
    let from = async |ip: &str| {
        let headers = [("content-type", "application/json"), ("x-forwarded-for", ip)];
        app.raw(Method::POST, "/api/messages/receive", &headers, body.clone()).await
    };
    // Windows are whole minutes: try again from a fresh address if a minute ended mid-test.
    for attempt in 0..3 {
        let ip = format!("203.0.113.{attempt}");
        let minute = chrono::Utc::now().timestamp() / 60;
        assert_eq!(from(&ip).await.status, StatusCode::ACCEPTED);
        assert_eq!(from(&ip).await.status, StatusCode::ACCEPTED);
        let limited = from(&ip).await;
        if chrono::Utc::now().timestamp() / 60 != minute {
            continue;
        }
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.error_code(), Some("rate_limited"));
        assert_eq!(from("198.51.100.7").await.status, StatusCode::ACCEPTED, "other addresses are counted apart");
        return;
    }
    panic!("three minute boundaries in a row");
}

#[tokio::test]
async fn staff_message_routes_need_a_key_and_filter() {
    let app = TestApp::new().await;
    assert_eq!(app.raw(Method::GET, "/api/messages", &[], "").await.status, StatusCode::UNAUTHORIZED);
    let a = receive(&app, json!({"channel": "chat", "content": "hello", "customer": {"email": "a@example.com"}})).await;
    receive_as_staff(&app, json!({"channel": "sms", "content": "hey", "customer": {"phone": "+14155552671"}})).await;
    app.run_jobs().await;
    let count = |r: TestResponse| r.body["items"].as_array().map_or(usize::MAX, Vec::len);
    assert_eq!(count(app.get("/api/messages").await), 4, "two in, two replies");
    assert_eq!(count(app.get("/api/messages?channel=sms").await), 2);
    assert_eq!(count(app.get("/api/messages?direction=inbound").await), 2);
    assert_eq!(count(app.get("/api/messages?processed=false").await), 0);
    let customer = a.body["customer_id"].as_str().unwrap();
    assert_eq!(count(app.get(&format!("/api/messages?customer_id={customer}")).await), 2);
    assert_eq!(count(app.get("/api/messages?limit=1").await), 1);
    for (q, field) in [("channel=fax", "channel"), ("processed=maybe", "processed"), ("customer_id=1", "customer_id")] {
        let r = app.get(&format!("/api/messages?{q}")).await;
        assert_eq!((r.status, r.error_field()), (StatusCode::BAD_REQUEST, Some(field)), "{q}");
    }
    assert_eq!(app.get(&format!("/api/messages/{}", Uuid::now_v7())).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/messages/xyz").await.status, StatusCode::BAD_REQUEST);
}

async fn customer_with_phone(app: &TestApp) -> String {
    let r = app.post("/api/crm/customers", json!({"name": "Pat", "phone": "+14155552671"})).await;
    r.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn manual_send_goes_out_and_pauses_the_ai() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")))
        .and(body_string_contains("Body=This+is+Jo+from+the+office"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMmanual1"})))
        .expect(1)
        .mount(&server)
        .await;
    let uri = server.uri();
    let app = TestApp::with_config(move |c| with_twilio(c, &uri)).await;
    let customer = customer_with_phone(&app).await;
    let r = app
        .post("/api/messages/send/sms", json!({"customer_id": customer, "content": "This is Jo from the office"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["delivery_status"], "sent");
    assert_eq!(r.body["provider_message_id"], "SMmanual1");
    assert!(r.body["ai_response"].is_null());

    // The customer answers: the AI stays quiet while an agent is handling the conversation.
    let params = sms_params("SM00000000000000000000000000000020", "+14155552671", "thanks Jo, what time?");
    assert_eq!(app.send(twilio_request(&params, None)).await.status, StatusCode::OK);
    app.run_jobs().await;
    let history = app.get(&format!("/api/crm/customers/{customer}/history")).await;
    let items = history.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", history.text);
    assert_eq!(items[0]["processed"], true);
}

#[tokio::test]
async fn manual_send_validation_and_unconfigured_provider() {
    let app = TestApp::new().await;
    let customer = customer_with_phone(&app).await;
    let r = app.post("/api/messages/send/sms", json!({"customer_id": customer, "content": "hello"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["delivery_status"], "skipped", "Twilio is not configured: stored, not sent");
    let stored = app.get(&format!("/api/messages/{}", r.body["id"].as_str().unwrap())).await;
    assert_eq!(stored.body["delivery_status"], "skipped");

    let r = app.post("/api/messages/send/email", json!({"customer_id": customer, "content": "hello"})).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("channel")));
    let r = app.post("/api/messages/send/fax", json!({"customer_id": customer, "content": "hello"})).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::BAD_REQUEST, Some("channel")));
    let r = app.post("/api/messages/send/sms", json!({"customer_id": Uuid::now_v7(), "content": "hello"})).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("customer_id")));
    let r = app.post("/api/messages/send/sms", json!({"customer_id": customer, "content": ""})).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("content")));
    // A chat message lands in the customer's chat session; one who never chatted has none.
    let r = app.post("/api/messages/send/chat", json!({"customer_id": customer, "content": "on chat"})).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("channel")), "{}", r.text);
}

#[tokio::test]
async fn a_staff_chat_message_reaches_the_customers_latest_chat_session() {
    let app = TestApp::new().await;
    let first =
        receive(&app, json!({"channel": "chat", "content": "hi", "customer": {"email": "chat@example.com"}})).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.text);
    let later =
        receive(&app, json!({"channel": "chat", "content": "me again", "customer": {"email": "chat@example.com"}}))
            .await;
    let token = later.body["chat_token"].as_str().unwrap().to_owned();
    let customer = later.body["customer_id"].as_str().unwrap().to_owned();
    let r = app
        .post("/api/messages/send/chat", json!({"customer_id": customer, "content": "An agent here: how can I help?"}))
        .await;
    assert_eq!((r.status, r.body["delivery_status"].as_str()), (StatusCode::CREATED, Some("sent")), "{}", r.text);
    assert!(r.body["chat_session"].is_string(), "{}", r.text);
    let widget = app
        .send(http::Request::get(format!("/api/messages/chat?token={token}")).body(axum::body::Body::empty()).unwrap())
        .await;
    assert_eq!(widget.status, StatusCode::OK, "{}", widget.text);
    let contents: Vec<&str> =
        widget.body["items"].as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap()).collect();
    assert!(contents.contains(&"An agent here: how can I help?"), "{contents:?}");
    let old_token = first.body["chat_token"].as_str().unwrap();
    let old = app
        .send(
            http::Request::get(format!("/api/messages/chat?token={old_token}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    let old_contents: Vec<&str> =
        old.body["items"].as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap()).collect();
    assert!(!old_contents.contains(&"An agent here: how can I help?"), "only the latest session: {old_contents:?}");
}

#[tokio::test]
async fn the_public_cannot_make_leadflow_text_or_mail_people() {
    let app = TestApp::new().await;
    for channel in ["sms", "email"] {
        let body = json!({"channel": channel, "content": "START", "customer": {"phone": "+14155552671", "email": "v@example.com"}});
        let r = receive(&app, body).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{channel}: {}", r.text);
    }
    assert!(app.take_jobs().await.is_empty());
    let ok =
        receive_as_staff(&app, json!({"channel": "sms", "content": "hi", "customer": {"phone": "+14155552671"}})).await;
    assert_eq!(ok.status, StatusCode::ACCEPTED, "an integration with a key may");
}

#[tokio::test]
async fn dates_beyond_what_the_database_holds_are_400() {
    let app = TestApp::new().await;
    for uri in
        ["/api/leads?created_after=-5000-01-01T00:00:00Z", "/api/crm/customers?created_before=99999-01-01T00:00:00Z"]
    {
        let r = app.get(uri).await;
        assert!(r.status.is_client_error(), "{uri}: {} {}", r.status, r.text);
    }
    let c = app.post("/api/crm/customers", json!({"email": "d@example.com"})).await;
    let l = app.post("/api/leads", json!({"customer_id": c.body["id"]})).await;
    let r = app
        .post(
            "/api/tasks",
            json!({"lead_id": l.body["id"], "title": "x", "task_type": "sales", "due_date": "-5000-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("due_date")), "{}", r.text);
}
