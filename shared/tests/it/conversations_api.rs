//! `/api/conversations` (the inbox, read marks, handing back to the AI), message authors
//! and `/api/integrations`.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::access::{PASSWORD, api_key, create_user, login, recorded};
use crate::common::providers::with_twilio;
use crate::common::{TestApp, TestResponse};

/// A website chat message from `email`; the intake answer.
async fn chat(app: &TestApp, email: &str, content: &str) -> Value {
    let body = json!({"channel": "chat", "content": content, "customer": {"name": "Lee Park", "email": email}});
    let r =
        app.raw(Method::POST, "/api/messages/receive", &[("content-type", "application/json")], body.to_string()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    r.body
}

fn customer_of(received: &Value) -> String {
    received["customer_id"].as_str().unwrap().to_owned()
}

async fn flag_for_a_person(app: &TestApp, customer_id: &str) {
    let conn = app.state.db.conn().await.unwrap();
    let id = Uuid::parse_str(customer_id).unwrap();
    let n = conn
        .execute("UPDATE leads SET needs_human = true, handoff_reason = 'requested' WHERE customer_id = $1", &[&id])
        .await
        .unwrap();
    assert_eq!(n, 1);
}

/// A signed-in agent: their token and user id.
async fn agent(app: &TestApp) -> (String, String) {
    let (email, id) = create_user(app, "agent").await;
    let r = login(app, &email, PASSWORD).await;
    (r.body["access_token"].as_str().unwrap().to_owned(), id)
}

fn row<'a>(page: &'a TestResponse, customer_id: &str) -> &'a Value {
    page.body["items"].as_array().unwrap().iter().find(|i| i["customer"]["id"] == customer_id).unwrap()
}

#[tokio::test]
async fn the_inbox_puts_needs_human_first_then_latest_and_pages_in_that_order() {
    let app = TestApp::new().await;
    let first = customer_of(&chat(&app, "first@example.com", "Do you fix water heaters?").await);
    let second = customer_of(&chat(&app, "second@example.com", "Do you work weekends?").await);
    let third = customer_of(&chat(&app, "third@example.com", "How much is drain cleaning?").await);
    flag_for_a_person(&app, &first).await;

    let page = app.get("/api/conversations?limit=2").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let order: Vec<&str> =
        page.body["items"].as_array().unwrap().iter().map(|i| i["customer"]["id"].as_str().unwrap()).collect();
    assert_eq!(order, [first.as_str(), third.as_str()], "needs-human first, then the latest");
    let top = &page.body["items"][0];
    assert_eq!(top["lead"]["needs_human"], true);
    assert_eq!(top["lead"]["handoff_reason"], "requested");
    assert_eq!(top["lead"]["status"], "new");
    assert_eq!(top["customer"]["email"], "first@example.com");
    assert_eq!(top["customer"]["name"], "Lee Park");
    assert_eq!(top["last_message"]["preview"], "Do you fix water heaters?");
    assert_eq!(top["last_message"]["author"], json!({"kind": "customer", "name": null, "user_id": null}));
    assert_eq!(top["last_message"]["direction"], "inbound");
    assert_eq!(top["last_message"]["channel"], "chat");
    assert_eq!(top["unread"], 1);
    assert!(top["ai_paused_until"].is_null());
    assert!(top["last_activity_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().is_ok());

    let cursor = page.body["next_cursor"].as_str().expect("a second page");
    let rest = app.get(&format!("/api/conversations?limit=2&cursor={cursor}")).await;
    assert_eq!(rest.status, StatusCode::OK, "{}", rest.text);
    let rest_ids: Vec<&str> =
        rest.body["items"].as_array().unwrap().iter().map(|i| i["customer"]["id"].as_str().unwrap()).collect();
    assert_eq!(rest_ids, [second.as_str()]);
    assert!(rest.body["next_cursor"].is_null());

    let flagged = app.get("/api/conversations?needs_human=true").await;
    assert_eq!(flagged.body["items"].as_array().unwrap().len(), 1);
    let not_flagged = app.get("/api/conversations?needs_human=false").await;
    assert_eq!(not_flagged.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/api/conversations?channel=chat").await.body["items"].as_array().unwrap().len(), 3);
    assert_eq!(app.get("/api/conversations?channel=sms").await.body["items"].as_array().unwrap().len(), 0);

    // A cursor of other filters is refused rather than skipping rows.
    let other = app.get(&format!("/api/conversations?limit=2&needs_human=false&cursor={cursor}")).await;
    assert_eq!((other.status, other.error_field()), (StatusCode::BAD_REQUEST, Some("cursor")));
    // The AI's reply becomes the latest message once the jobs run.
    app.run_jobs().await;
    let after = app.get("/api/conversations?channel=chat").await;
    let replied = row(&after, &third);
    assert_eq!(replied["last_message"]["direction"], "outbound");
    assert_eq!(replied["last_message"]["author"]["kind"], "ai");
    assert_eq!(replied["unread"], 1, "the AI's reply is not unread");
}

#[tokio::test]
async fn bad_parameters_are_refused_naming_them() {
    let app = TestApp::new().await;
    for (query, field) in [
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("channel=fax", "channel"),
        ("needs_human=maybe", "needs_human"),
        ("cursor=%25%25", "cursor"),
        ("colour=red", "colour"),
    ] {
        let r = app.get(&format!("/api/conversations?{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{query}: {}", r.text);
    }
    assert_eq!(app.get("/api/conversations?limit=100").await.status, StatusCode::OK);
    let r = app.post("/api/conversations/not-a-uuid/read", json!({})).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::BAD_REQUEST, Some("customer_id")), "{}", r.text);
    let unknown = Uuid::now_v7();
    let r = app.call(Method::POST, &format!("/api/conversations/{unknown}/read"), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app.call(Method::POST, &format!("/api/conversations/{unknown}/resume-ai"), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
}

#[tokio::test]
async fn each_caller_has_their_own_read_marks() {
    let app = TestApp::new().await;
    let (ann, _) = agent(&app).await;
    let (bob, _) = agent(&app).await;
    let customer = customer_of(&chat(&app, "reader@example.com", "Hello?").await);
    chat(&app, "reader@example.com", "Anyone there?").await;
    let unread = |token: String| {
        let app = &app;
        let customer = customer.clone();
        async move {
            let page = app.call_as(&token, Method::GET, "/api/conversations", None).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.text);
            row(&page, &customer)["unread"].as_u64().unwrap()
        }
    };
    assert_eq!((unread(ann.clone()).await, unread(bob.clone()).await), (2, 2));

    let read = format!("/api/conversations/{customer}/read");
    let r = app.call_as(&ann, Method::POST, &read, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(r.text.is_empty());
    assert_eq!(app.call_as(&ann, Method::POST, &read, None).await.status, StatusCode::NO_CONTENT, "idempotent");
    assert_eq!((unread(ann.clone()).await, unread(bob.clone()).await), (0, 2));

    chat(&app, "reader@example.com", "Still waiting").await;
    assert_eq!((unread(ann.clone()).await, unread(bob.clone()).await), (1, 3));
    // An API key keeps marks of its own, apart from the users'.
    assert_eq!(row(&app.get("/api/conversations").await, &customer)["unread"], 3);
    let viewer = {
        let (email, _) = create_user(&app, "viewer").await;
        login(&app, &email, PASSWORD).await.body["access_token"].as_str().unwrap().to_owned()
    };
    assert_eq!(app.call_as(&viewer, Method::POST, &read, None).await.status, StatusCode::NO_CONTENT);
    let conn = app.state.db.conn().await.unwrap();
    let marks: i64 = conn.query_one("SELECT count(*) FROM conversation_reads", &[]).await.unwrap().get(0);
    assert_eq!(marks, 2, "one mark per reader, repeats update it");
}

#[tokio::test]
async fn resume_ai_clears_the_pause_and_the_handoff_and_the_ai_answers_again() {
    let app = TestApp::new().await;
    let (token, user_id) = agent(&app).await;
    let customer = customer_of(&chat(&app, "paused@example.com", "Do you install water heaters?").await);
    app.run_jobs().await;
    let sent = app
        .call_as(
            &token,
            Method::POST,
            "/api/messages/send/chat",
            Some(json!({"customer_id": customer, "content": "Hi, Jo here."})),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    assert_eq!(sent.body["author"], json!({"kind": "staff", "name": "A agent", "user_id": user_id}));
    flag_for_a_person(&app, &customer).await;

    let page = app.get("/api/conversations").await;
    let paused = row(&page, &customer);
    assert!(paused["ai_paused_until"].as_str().is_some(), "{paused}");
    assert_eq!(paused["last_message"]["author"]["kind"], "staff");

    // While paused, the AI stays quiet.
    chat(&app, "paused@example.com", "Great, what does it cost?").await;
    app.run_jobs().await;
    let latest = app.get(&format!("/api/messages?customer_id={customer}&limit=1")).await;
    assert_eq!(latest.body["items"][0]["direction"], "inbound");

    let resume = format!("/api/conversations/{customer}/resume-ai");
    let r = app.call_as(&token, Method::POST, &resume, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, json!({"customer_id": customer, "ai_paused_until": null, "needs_human": false}));
    let events = recorded(&app, "conversation.ai_resumed").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["data"]["customer_id"], customer.as_str());
    assert_eq!(events[0]["data"]["handoff_reason"], "requested");
    assert!(events[0]["data"]["paused_until"].is_string());
    assert_eq!(events[0]["actor"], json!({"type": "user", "id": user_id}));
    // A repeat changes nothing and tells nobody.
    assert_eq!(app.call_as(&token, Method::POST, &resume, None).await.status, StatusCode::OK);
    assert_eq!(recorded(&app, "conversation.ai_resumed").await.len(), 1);
    let resumed = app.get("/api/conversations").await;
    let resumed = row(&resumed, &customer);
    assert!(resumed["ai_paused_until"].is_null());
    assert_eq!(resumed["lead"]["needs_human"], false);
    assert!(resumed["lead"]["handoff_reason"].is_null());

    chat(&app, "paused@example.com", "Do you work on Saturdays?").await;
    app.run_jobs().await;
    let latest = app.get(&format!("/api/messages?customer_id={customer}&limit=1")).await;
    assert_eq!(latest.body["items"][0]["direction"], "outbound", "{}", latest.text);
    assert_eq!(latest.body["items"][0]["author"], json!({"kind": "ai", "name": null, "user_id": null}));

    // A viewer may not hand conversations back.
    let (email, _) = create_user(&app, "viewer").await;
    let viewer = login(&app, &email, PASSWORD).await.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.call_as(&viewer, Method::POST, &resume, None).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_message_names_its_author() {
    let app = TestApp::new().await;
    let received = chat(&app, "authors@example.com", "Do you do emergency call-outs?").await;
    let customer = customer_of(&received);
    let inbound = app.get(&format!("/api/messages/{}", received["message_id"].as_str().unwrap())).await;
    assert_eq!(inbound.body["author"], json!({"kind": "customer", "name": null, "user_id": null}));

    let (key, _) = api_key(&app, &["write"]).await;
    let sent = app
        .call_as(
            &key,
            Method::POST,
            "/api/messages/send/chat",
            Some(json!({"customer_id": customer, "content": "On it."})),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    assert_eq!(sent.body["author"], json!({"kind": "staff", "name": "key write", "user_id": null}));
    let stored = app.get(&format!("/api/messages/{}", sent.body["id"].as_str().unwrap())).await;
    assert_eq!(stored.body["author"], sent.body["author"], "stored with the message");

    // The widget sees authors too.
    let token = received["chat_token"].as_str().unwrap();
    let widget = app.raw(Method::GET, &format!("/api/messages/chat?token={token}"), &[], "").await;
    assert_eq!(widget.body["items"][0]["author"]["kind"], "staff");

    // Documents written before authors were stored read by direction and AI text.
    let coll = app.state.mongo.database().collection::<mongodb::bson::Document>("messages");
    let at = mongodb::bson::DateTime::now();
    for (id, direction, ai) in [(Uuid::now_v7(), "outbound", None), (Uuid::now_v7(), "outbound", Some("Hi!"))] {
        let mut doc = mongodb::bson::doc! {
            "_id": id.to_string(), "customer_id": customer.as_str(), "channel": "sms", "direction": direction,
            "content": "old", "processed": true, "created_at": at,
        };
        if let Some(ai) = ai {
            doc.insert("ai_response", ai);
        }
        coll.insert_one(doc).await.unwrap();
        let old = app.get(&format!("/api/messages/{id}")).await;
        let kind = if ai.is_some() { "ai" } else { "system" };
        assert_eq!(old.body["author"], json!({"kind": kind, "name": null, "user_id": null}), "{}", old.text);
    }
}

#[tokio::test]
async fn integrations_show_configuration_and_the_last_failure() {
    let twilio = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream exploded"))
        .mount(&twilio)
        .await;
    let slack = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&slack).await;
    let slack_url = format!("{}/services/T000/B000/secret-token-123456789abcdef", slack.uri());
    let app = TestApp::with_config(|c| {
        with_twilio(c, &twilio.uri());
        c.providers.slack_webhook_url = Some(slack_url.clone().into());
    })
    .await;

    let before = app.get("/api/integrations").await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    let names: Vec<&str> =
        before.body["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["twilio", "sendgrid", "openai", "slack", "salesforce", "google", "stripe"]);
    let configured: Vec<bool> =
        before.body["items"].as_array().unwrap().iter().map(|i| i["configured"].as_bool().unwrap()).collect();
    assert_eq!(configured, [true, false, false, true, false, false, false]);
    assert!(
        before.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["last_error"].is_null() && i["last_success_at"].is_null())
    );

    let customer = app.post("/api/crm/customers", json!({"name": "Sam", "phone": "+14155552671"})).await;
    let customer = customer.body["id"].as_str().unwrap().to_owned();
    let sent = app.post("/api/messages/send/sms", json!({"customer_id": customer, "content": "Hello"})).await;
    assert!(sent.status.is_server_error(), "Twilio is down: {}", sent.text);
    app.state.integrations.slack.as_ref().unwrap().post(&json!({"text": "hi"})).await.unwrap();

    let after = app.get("/api/integrations").await;
    let items = after.body["items"].as_array().unwrap();
    let twilio_status = &items[0];
    let error = &twilio_status["last_error"];
    assert!(error["message"].as_str().unwrap().contains("500"), "{error}");
    assert!(error["at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().is_ok());
    assert!(!after.text.contains(&twilio.uri()), "no provider URLs: {}", after.text);
    assert!(twilio_status["last_success_at"].is_null());
    let slack_status = &items[3];
    assert!(slack_status["last_error"].is_null());
    assert!(slack_status["last_success_at"].is_string(), "{slack_status}");
    assert!(!after.text.contains("secret-token"));
}
