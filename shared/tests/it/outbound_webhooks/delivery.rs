//! What a receiver gets, and what the deliveries log shows.

use chrono::Utc;
use http::{Method, StatusCode};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{app, deliveries, endpoint, reference_verify};
use crate::common::org;

#[tokio::test]
async fn a_delivery_verifies_with_the_standard_webhooks_reference_library() {
    let app = app().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST")).and(path("/hook")).respond_with(ResponseTemplate::new(204)).mount(&receiver).await;
    let (id, secret) = endpoint(&app, &format!("{}/hook", receiver.uri()), &["lead.created"]).await;
    assert!(secret.starts_with("whsec_"));

    let lead = org::lead(&app, "ada@example.com").await;
    app.run_jobs().await;

    let got = receiver.received_requests().await.unwrap();
    assert_eq!(got.len(), 1, "only lead.created goes to this endpoint");
    let payload = reference_verify(&secret, &got[0]).expect("the reference library accepts the signature");
    assert_eq!(payload["type"], "lead.created");
    assert_eq!(payload["data"]["lead_id"], lead["id"]);
    assert_eq!(got[0].headers["webhook-id"].to_str().unwrap(), payload["id"].as_str().unwrap());
    assert_eq!(got[0].headers["content-type"], "application/json");

    // The check can fail: another secret, or a changed body, is refused.
    let other = leadflow::integrations::webhooks::WebhookSecret::generate();
    assert!(reference_verify(other.expose(), &got[0]).unwrap_err().contains("WebhookVerificationError"));
    let mut tampered = got[0].clone();
    tampered.body = tampered.body.iter().map(|b| if *b == b'a' { b'b' } else { *b }).collect();
    assert!(reference_verify(&secret, &tampered).is_err());

    let log = deliveries(&app, &id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "succeeded");
    assert_eq!(log[0]["attempt_log"][0]["status_code"], 204);
}

#[tokio::test]
async fn during_a_rotation_both_secrets_verify_and_the_new_one_is_shown_once() {
    let app = app().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&receiver).await;
    let (id, old) = endpoint(&app, &format!("{}/hook", receiver.uri()), &["lead.created"]).await;
    let r = app.post(&format!("/api/webhook-endpoints/{id}/rotate-secret"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let new = r.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let hours = (super::at(&r.body["previous_secret_expires_at"]) - Utc::now()).num_minutes();
    assert!((23 * 60..=24 * 60).contains(&hours), "{hours} minutes of overlap");
    let shown = app.get(&format!("/api/webhook-endpoints/{id}")).await;
    assert!(shown.body.get("secret").is_none() && !shown.text.contains("whsec_"));

    let again = app.post(&format!("/api/webhook-endpoints/{id}/rotate-secret"), json!({})).await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a second rotation would end the first secret early: {}",
        again.text
    );

    org::lead(&app, "grace@example.com").await;
    app.run_jobs().await;
    let got = receiver.received_requests().await.unwrap();
    let signatures = got[0].headers["webhook-signature"].to_str().unwrap();
    assert_eq!(signatures.split(' ').count(), 2, "{signatures}");
    reference_verify(&old, &got[0]).expect("the old secret still verifies");
    reference_verify(&new, &got[0]).expect("the new secret verifies");
}

#[tokio::test]
async fn endpoints_are_validated_and_keep_their_secret_to_themselves() {
    let app = app().await;
    let bad = [
        (json!({"url": "http://example.com/hook"}), "url", "https"),
        (json!({"url": "https://169.254.169.254/latest/meta-data/"}), "url", "metadata"),
        (json!({"url": "https://example.com/hook", "event_types": ["lead.made"]}), "event_types", "lead.made"),
        (json!({"url": "https://example.com/hook", "event_types": []}), "event_types", "at least one"),
    ];
    for (body, field, says) in bad {
        let r = app.post("/api/webhook-endpoints", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{}", r.text);
        assert!(r.text.contains(says), "{}", r.text);
    }
    let (id, _) = endpoint(&app, "https://hooks.example.com/in", &["*"]).await;
    let list = app.get("/api/webhook-endpoints").await;
    assert_eq!(list.ids(), vec![id.clone()]);
    assert!(!list.text.contains("whsec_"));
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/webhook-endpoints/{id}"),
            Some(json!({"enabled": false, "event_types": ["task.created"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.body["enabled"].clone(), r.body["disabled_reason"].clone()), (json!(false), json!("admin")));
    assert_eq!(r.body["event_types"], json!(["task.created"]));
    assert_eq!(app.delete(&format!("/api/webhook-endpoints/{id}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/webhook-endpoints/{id}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_manual_retry_sends_the_same_message_once_more() {
    let app = app().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("thanks"))
        .mount(&receiver)
        .await;
    let (id, _) = endpoint(&app, &format!("{}/hook", receiver.uri()), &["lead.created"]).await;
    org::lead(&app, "linus@example.com").await;
    app.run_jobs().await;
    let delivery = deliveries(&app, &id).await[0]["id"].as_str().unwrap().to_owned();

    let r = app.post(&format!("/api/webhook-deliveries/{delivery}/retry"), json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    app.run_jobs().await;
    let got = receiver.received_requests().await.unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"], "the id is stable");
    assert_eq!(got[0].body, got[1].body);
    let log = &deliveries(&app, &id).await[0];
    assert_eq!((log["status"].clone(), log["attempts"].clone()), (json!("succeeded"), json!(2)));
    assert_eq!(log["attempt_log"][0]["response_body"], "thanks");
    let missing = app.post(&format!("/api/webhook-deliveries/{}/retry", uuid::Uuid::now_v7()), json!({})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
