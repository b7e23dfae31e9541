//! Zapier's REST hooks, called with an API key as a Zapier integration would.

use http::{Method, StatusCode};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::app;
use crate::access::api_key;
use crate::common::org;

#[tokio::test]
async fn a_zap_subscribes_gets_events_lists_samples_and_unsubscribes() {
    let app = app().await;
    let (key, _) = api_key(&app, &["read", "write"]).await;
    let zapier = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks/standard/1/abc/"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&zapier)
        .await;
    let target = format!("{}/hooks/standard/1/abc/", zapier.uri());

    // Zapier sends more than these two fields; they are ignored.
    let r = app
        .call_as(
            &key,
            Method::POST,
            "/api/hooks",
            Some(json!({"target_url": target, "event": "lead.created", "zap_id": 42})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let listed = app.get(&format!("/api/webhook-endpoints/{id}")).await;
    assert_eq!(listed.body["source"], "zapier", "admins see every subscription: {}", listed.text);

    // Another key cannot end it.
    let (other, _) = api_key(&app, &["write"]).await;
    let r = app.call_as(&other, Method::DELETE, &format!("/api/hooks/{id}"), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    let lead = org::lead(&app, "ada@example.com").await;
    app.run_jobs().await;
    let got = zapier.received_requests().await.unwrap();
    assert_eq!(got.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!((body["type"].clone(), body["data"]["lead_id"].clone()), (json!("lead.created"), lead["id"].clone()));

    let samples = app.call_as(&key, Method::GET, "/api/hooks/samples/lead.created", None).await;
    assert_eq!(samples.status, StatusCode::OK, "{}", samples.text);
    let first = &samples.body[0];
    assert_eq!((first["id"].clone(), first["type"].clone()), (body["id"].clone(), json!("lead.created")));
    assert_eq!(first["data"], body["data"], "a sample has the shape of a delivery");

    let r = app.call_as(&key, Method::DELETE, &format!("/api/hooks/{id}"), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    org::lead(&app, "grace@example.com").await;
    app.run_jobs().await;
    assert_eq!(zapier.received_requests().await.unwrap().len(), 1, "nothing after unsubscribing");
    let again = app.call_as(&key, Method::DELETE, &format!("/api/hooks/{id}"), None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_410_from_zapier_ends_the_subscription() {
    let app = app().await;
    let zapier = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(410)).expect(1).mount(&zapier).await;
    let r = app
        .post("/api/hooks", json!({"target_url": format!("{}/hooks/x", zapier.uri()), "event": "lead.created"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    org::lead(&app, "ada@example.com").await;
    app.run_jobs().await;
    org::lead(&app, "grace@example.com").await;
    app.run_jobs().await;
    zapier.verify().await;
    assert_eq!(app.delete(&format!("/api/hooks/{id}")).await.status, StatusCode::NOT_FOUND, "deleted by the 410");
}

#[tokio::test]
async fn bad_subscriptions_name_their_field() {
    let app = app().await;
    for (body, field) in [
        (json!({"target_url": "https://hooks.zapier.com/x", "event": "lead.made"}), "event"),
        (json!({"target_url": "http://hooks.zapier.com/x", "event": "lead.created"}), "target_url"),
        (json!({"event": "lead.created"}), "target_url"),
    ] {
        let r = app.post("/api/hooks", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{}", r.text);
    }
    let r = app.get("/api/hooks/samples/lead.made").await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("event")));
}

#[tokio::test]
async fn revoking_the_key_ends_its_subscriptions() {
    let app = app().await;
    let (key, key_id) = api_key(&app, &["write"]).await;
    let r = app
        .call_as(
            &key,
            Method::POST,
            "/api/hooks",
            Some(json!({"target_url": "https://hooks.zapier.com/hooks/standard/1/x/", "event": "task.created"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(app.delete(&format!("/api/keys/{key_id}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/webhook-endpoints/{id}")).await.status, StatusCode::NOT_FOUND);
}
