//! Issue 8 regressions for what a client sends and reads: bodies are objects (3), errors
//! speak the API's words and name the field (4), cursors belong to one list (6), and an
//! untouched settings profile has no `updated_at` (12).

use http::{Method, StatusCode};
use serde_json::json;

use crate::common::{API_KEY, TestApp, TestResponse};

async fn send_raw(app: &TestApp, method: Method, uri: &str, body: &str) -> TestResponse {
    let auth = format!("Bearer {API_KEY}");
    let headers = [("content-type", "application/json"), ("authorization", auth.as_str())];
    app.raw(method, uri, &headers, body.to_owned()).await
}

async fn post_raw(app: &TestApp, uri: &str, body: &str) -> TestResponse {
    send_raw(app, Method::POST, uri, body).await
}

const RUST_WORDS: [&str; 9] =
    ["struct", "CreateCustomer", "Contact", "sequence", " map", "u8", "u16", "i64", "variant identifier"];

fn speaks_json(r: &TestResponse) {
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    for word in RUST_WORDS {
        assert!(!message.contains(word), "{word:?} in {message:?}");
    }
}

#[tokio::test]
async fn a_json_array_is_never_taken_for_an_object() {
    let app = TestApp::new().await;
    let r = post_raw(&app, "/api/crm/customers", r#"["Array Person","array@example.com",null,null,null,null]"#).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.error_field(), Some("body"));
    assert_eq!(r.body["error"]["message"], "the request body must be a JSON object");
    assert_eq!(app.get("/api/crm/customers").await.body["items"], json!([]), "nothing was created");

    let nested = r#"{"channel":"chat","content":"hi","customer":["Lee","lee@example.com"]}"#;
    let r = post_raw(&app, "/api/messages/receive", nested).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.error_field(), Some("customer"));
    speaks_json(&r);

    for (uri, body) in
        [("/api/teams", r#"["Sales","sales"]"#), ("/api/leads/00000000-0000-0000-0000-000000000000/assign", "[null]")]
    {
        let r = post_raw(&app, uri, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {}", r.text);
        assert_eq!(r.error_field(), Some("body"), "{uri}");
    }
    let r = send_raw(&app, Method::PUT, "/api/settings", "[\"Acme\"]").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
}

#[tokio::test]
async fn errors_say_what_to_send_in_the_apis_words() {
    let app = TestApp::new().await;
    let cases = [
        ("[]", "body"),
        (r#"{"name":"A","email":"a@example.com","name":"B"}"#, "name"),
        (r#"{"name":["A"],"email":"a@example.com"}"#, "name"),
        (r#"{"name":"A","email":{"address":"a@example.com"}}"#, "email"),
        (r#"{"name":"A","email":7}"#, "email"),
    ];
    for (body, field) in cases {
        let r = post_raw(&app, "/api/crm/customers", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{body}: {}", r.text);
        speaks_json(&r);
    }
    let r = post_raw(&app, "/api/crm/customers", r#"{"name":"A","email":"a@example.com","name":"B"}"#).await;
    assert!(r.body["error"]["message"].as_str().unwrap().contains("duplicate key `name`"), "{}", r.text);

    let r = post_raw(&app, "/api/messages/receive", r#"{"channel":"chat","content":"hi","customer":"Lee"}"#).await;
    assert_eq!(r.error_field(), Some("customer"));
    assert!(r.body["error"]["message"].as_str().unwrap().contains("expected a JSON object"), "{}", r.text);
    let r = post_raw(
        &app,
        "/api/messages/receive",
        r#"{"channel":"chat","content":"hi","customer":{"email":"a@example.com","email":"b@example.com"}}"#,
    )
    .await;
    assert_eq!(r.error_field(), Some("customer.email"), "{}", r.text);
    let r = app.get("/api/leads?min_score=lots").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_field(), Some("min_score"));
    speaks_json(&r);
}

#[tokio::test]
async fn a_cursor_works_only_on_its_own_list_and_filters() {
    let app = TestApp::new().await;
    for i in 0..3 {
        let r = app
            .post(
                "/api/messages/receive",
                json!({"channel": "chat", "content": "Do you install water heaters?",
                       "customer": {"name": format!("Pat {i}"), "email": format!("pat{i}@example.com")}}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text);
    }
    let customers = app.get("/api/crm/customers?limit=1").await;
    let cursor = customers.body["next_cursor"].as_str().expect("a second page").to_owned();
    assert_eq!(app.get(&format!("/api/crm/customers?limit=1&cursor={cursor}")).await.status, StatusCode::OK);

    for uri in [
        format!("/api/leads?limit=1&cursor={cursor}"),
        format!("/api/tasks?limit=1&cursor={cursor}"),
        format!("/api/messages?limit=1&cursor={cursor}"),
        format!("/api/crm/customers?limit=1&q=pat&cursor={cursor}"),
    ] {
        let r = app.get(&uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.text);
        assert_eq!(r.error_field(), Some("cursor"), "{uri}");
        assert!(r.body["error"]["message"].as_str().unwrap().contains("this list"), "{}", r.text);
    }
    let leads = app.get("/api/leads?limit=1&sort=score").await;
    let score_cursor = leads.body["next_cursor"].as_str().expect("a second page of leads").to_owned();
    let r = app.get(&format!("/api/leads?limit=1&sort=recent&cursor={score_cursor}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a cursor of another sort: {}", r.text);
    let r = app.get(&format!("/api/leads?limit=1&sort=score&cursor={score_cursor}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // `overdue=true` is measured against "now" on each request; its pages still follow.
    let lead = leads.body["items"][0]["id"].as_str().unwrap().to_owned();
    for title in ["Call back", "Send the quote"] {
        let r = app
            .post(
                "/api/tasks",
                json!({"lead_id": lead, "title": title, "task_type": "sales", "due_date": "2026-01-05T09:00:00Z"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let first = app.get("/api/tasks?overdue=true&limit=1").await;
    let next = first.body["next_cursor"].as_str().expect("a second page of overdue tasks");
    let second = app.get(&format!("/api/tasks?overdue=true&limit=1&cursor={next}")).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    assert_ne!(second.body["items"][0]["id"], first.body["items"][0]["id"]);
}

#[tokio::test]
async fn untouched_settings_have_no_updated_at() {
    let app = TestApp::new().await;
    let r = app.get("/api/settings").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["updated_at"].is_null(), "{}", r.text);
    let r = app.put("/api/settings", json!({"business_name": "Austin Plumbing"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let saved = r.body["updated_at"].as_str().expect("set once saved");
    assert!(saved.starts_with("20"), "{saved}");
}
