//! Managed API keys: shown once, scoped, revocable; bootstrap keys still work.

use http::{Method, StatusCode};
use leadflow::app::AppState;
use serde_json::json;

use super::api_key;
use crate::common::{TestApp, test_config};

#[tokio::test]
async fn a_key_is_shown_once_and_listed_without_its_secret() {
    let app = TestApp::new().await;
    let r = app.post("/api/keys", json!({"name": "Zapier", "scopes": ["write", "read", "write"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let key = r.body["key"].as_str().unwrap();
    assert!(key.starts_with("lf_live_") && key.len() == 46, "{key}");
    assert_eq!(r.body["prefix"], &key[..16]);
    assert_eq!(r.body["scopes"], json!(["read", "write"]), "sorted, once each");
    assert_eq!(r.body["created_by"], json!({"type": "bootstrap_key", "index": 0}));
    let list = app.get("/api/keys").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["items"][0]["name"], "Zapier");
    assert!(!list.text.contains(key), "the secret is never shown again");
    assert!(list.body["items"][0]["last_used_at"].is_null());
    assert_eq!(app.call_as(key, Method::GET, "/api/leads", None).await.status, StatusCode::OK);
    let list = app.get("/api/keys").await;
    assert!(list.body["items"][0]["last_used_at"].is_string(), "a use is recorded");
    // X-Api-Key works as well as Authorization.
    let r = app.raw(Method::GET, "/api/leads", &[("x-api-key", key)], "").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn keys_are_checked_for_their_fields() {
    let app = TestApp::new().await;
    let r = app.post("/api/keys", json!({"name": "x", "scopes": []})).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("scopes")));
    let r = app.post("/api/keys", json!({"name": "x", "scopes": ["everything"]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.error_field(), Some("scopes[0]"), "{}", r.text);
    let r = app.post("/api/keys", json!({"name": "", "scopes": ["read"]})).await;
    assert_eq!(r.error_field(), Some("name"));
    let r = app.post("/api/keys", json!({"name": "x", "scopes": ["read"], "expires_at": "2020-01-01T00:00:00Z"})).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("expires_at")));
}

#[tokio::test]
async fn a_revoked_key_gets_401_here_at_once_and_on_other_instances() {
    let app = TestApp::new().await;
    let (key, id) = api_key(&app, &["read"]).await;
    // Another instance (another Lambda) over the same database.
    let (other, _) = AppState::local(test_config(&app.stack), app.stack.db.clone(), app.stack.mongo.clone()).unwrap();
    let other = leadflow::api::app(other);
    assert_eq!(app.call_as(&key, Method::GET, "/api/leads", None).await.status, StatusCode::OK);
    let r = app.delete(&format!("/api/keys/{id}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = app.call_as(&key, Method::GET, "/api/leads", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let req = http::Request::get("/api/leads")
        .header("authorization", format!("Bearer {key}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(other, req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "an instance that had not cached the key refuses it");
    let list = app.get("/api/keys").await;
    assert!(list.body["items"][0]["revoked_at"].is_string());
    assert_eq!(app.delete(&format!("/api/keys/{id}")).await.status, StatusCode::NO_CONTENT, "revoking twice is fine");
    assert_eq!(app.delete(&format!("/api/keys/{}", uuid::Uuid::now_v7())).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_expired_or_made_up_key_gets_401() {
    let app = TestApp::new().await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let r = app.post("/api/keys", json!({"name": "brief", "scopes": ["read"], "expires_at": soon})).await;
    let key = r.body["key"].as_str().unwrap().to_owned();
    assert_eq!(app.call_as(&key, Method::GET, "/api/leads", None).await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = app.call_as(&key, Method::GET, "/api/leads", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"]["message"], "the API key has expired");
    let mut typo = key.clone().into_bytes();
    typo[20] = if typo[20] == b'x' { b'y' } else { b'x' };
    let r = app.call_as(&String::from_utf8(typo).unwrap(), Method::GET, "/api/leads", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.call_as("not-a-key-of-this-app", Method::GET, "/api/leads", None).await.status, 401);
    assert_eq!(app.raw(Method::GET, "/api/leads", &[], "").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_intake_key_hands_in_leads_and_messages_and_reads_nothing() {
    let app = TestApp::new().await;
    let (key, key_id) = api_key(&app, &["intake"]).await;
    let sms = json!({"channel": "sms", "content": "Need a quote", "customer": {"phone": "+14155550123"}});
    let anonymous = super::post_anonymous(&app, "/api/messages/receive", sms.clone()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{}", anonymous.text);
    let r = app.call_as(&key, Method::POST, "/api/messages/receive", Some(sms)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert!(r.headers["ratelimit"].to_str().unwrap().starts_with("\"caller\";"), "an integration is limited as itself");
    let r = app.call_as(&key, Method::GET, "/api/messages", None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // The lead it created names the key as its actor.
    let created = super::recorded(&app, "lead.created").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["actor"], json!({"type": "api_key", "id": key_id}));
}

#[tokio::test]
async fn a_new_keys_secret_is_never_kept_for_a_replay() {
    let app = TestApp::new().await;
    let post = async || {
        let req = http::Request::post("/api/keys")
            .header("authorization", format!("Bearer {}", crate::common::API_KEY))
            .header("content-type", "application/json")
            .header("idempotency-key", "same-key-1")
            .body(axum::body::Body::from(json!({"name": "retry", "scopes": ["read"]}).to_string()))
            .unwrap();
        app.send(req).await
    };
    let (first, second) = (post().await, post().await);
    assert_eq!((first.status, second.status), (StatusCode::CREATED, StatusCode::CREATED));
    assert!(!second.headers.contains_key("idempotent-replayed"));
    assert_ne!(first.body["key"], second.body["key"], "a retry makes a second key rather than storing the first");
}

#[tokio::test]
async fn a_reader_cannot_hand_in_sms() {
    let app = TestApp::new().await;
    let (key, _) = api_key(&app, &["read"]).await;
    let sms = json!({"channel": "sms", "content": "hi", "customer": {"phone": "+14155550123"}});
    let r = app.call_as(&key, Method::POST, "/api/messages/receive", Some(sms)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
}
