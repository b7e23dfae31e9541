//! Receivers that fail: retried on the schedule, `Retry-After` honoured, 410 and five
//! days of failures disable the endpoint, redirects are not followed.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{app, at, deliveries, endpoint, reference_verify};
use crate::common::{TestApp, org};

/// Runs the schedule at `now` and the jobs it queued.
async fn tick_at(app: &TestApp, now: chrono::DateTime<Utc>) {
    app.state.tick(now).await.expect("tick");
    app.run_jobs_at(now).await;
}

/// Makes the attempt the delayed job queued for the retry would make, at `now`.
async fn attempt_at(app: &TestApp, delivery: &Value, now: chrono::DateTime<Utc>) {
    let id = delivery["id"].as_str().unwrap().parse().unwrap();
    app.state.webhook_deliverer().attempt(id, now).await.expect("attempt");
}

async fn only_delivery(app: &TestApp, endpoint_id: &str) -> Value {
    let all = deliveries(app, endpoint_id).await;
    assert_eq!(all.len(), 1, "{all:?}");
    all[0].clone()
}

#[tokio::test]
async fn a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt() {
    let app = app().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("database down"))
        .up_to_n_times(2)
        .mount(&receiver)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&receiver).await;
    let (id, secret) = endpoint(&app, &format!("{}/hook", receiver.uri()), &["lead.created"]).await;
    org::lead(&app, "ada@example.com").await;
    app.run_jobs().await;

    let first = only_delivery(&app, &id).await;
    assert_eq!(first["status"], "pending");
    assert_eq!(first["last_status"], 500);
    assert_eq!(first["attempt_log"][0]["response_body"], "database down");
    let tried = at(&first["attempt_log"][0]["attempted_at"]);
    let wait = at(&first["next_attempt_at"]) - tried;
    assert!((5_000..=6_000).contains(&wait.num_milliseconds()), "about 5 s, in whole seconds: {wait}");

    // A job that comes early sends nothing (it queues itself for the rest of the wait).
    attempt_at(&app, &first, tried + Duration::seconds(2)).await;
    assert_eq!(receiver.received_requests().await.unwrap().len(), 1);

    let second_at = at(&first["next_attempt_at"]) + Duration::seconds(1);
    attempt_at(&app, &first, second_at).await;
    let second = only_delivery(&app, &id).await;
    assert_eq!((second["status"].clone(), second["attempts"].clone()), (json!("pending"), json!(2)));
    let wait = at(&second["next_attempt_at"]) - second_at;
    assert!((270..=330).contains(&wait.num_seconds()), "about 5 min: {wait}");

    // Its delayed job is lost: once the grace passes, the schedule queues it again.
    let due = at(&second["next_attempt_at"]);
    let report = app.state.tick(due + Duration::seconds(1)).await.unwrap();
    assert_eq!(report.queued_webhooks, 0, "the job is believed on its way");
    let report = app.state.tick(due + Duration::minutes(5) + Duration::seconds(1)).await.unwrap();
    assert_eq!(report.queued_webhooks, 1);
    app.run_jobs_at(due + Duration::minutes(5) + Duration::seconds(1)).await;
    let done = only_delivery(&app, &id).await;
    assert_eq!((done["status"].clone(), done["attempts"].clone()), (json!("succeeded"), json!(3)));
    let codes: Vec<Value> = done["attempt_log"].as_array().unwrap().iter().map(|a| a["status_code"].clone()).collect();
    assert_eq!(codes, vec![json!(200), json!(500), json!(500)]);

    let got = receiver.received_requests().await.unwrap();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r.headers["webhook-id"] == got[0].headers["webhook-id"]), "one id on every attempt");
    assert!(got.iter().all(|r| r.body == got[0].body));
    let endpoint = app.get(&format!("/api/webhook-endpoints/{id}")).await;
    assert_eq!(endpoint.body["failing_since"], Value::Null, "a success ends the failure streak");
    // Each attempt is signed for its own time; the first (made now) verifies as is.
    assert_ne!(got[0].headers["webhook-timestamp"], got[2].headers["webhook-timestamp"]);
    reference_verify(&secret, &got[0]).expect("verifies");
}

#[tokio::test]
async fn gone_disables_the_endpoint_and_says_so() {
    let app = app().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(410)).mount(&receiver).await;
    let (id, _) = endpoint(&app, &format!("{}/hook", receiver.uri()), &["lead.created", "lead.qualified"]).await;
    org::lead(&app, "ada@example.com").await;
    app.run_jobs().await;

    let e = app.get(&format!("/api/webhook-endpoints/{id}")).await;
    assert_eq!((e.body["enabled"].clone(), e.body["disabled_reason"].clone()), (json!(false), json!("gone")));
    let log = deliveries(&app, &id).await;
    assert!(log.iter().all(|d| d["status"] == "failed" || d["status"] == "cancelled"), "{log:?}");
    assert!(log.iter().any(|d| d["last_status"] == 410));
    let events = app.state.mongo.events().of_type("webhook_endpoint.disabled", 5).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data["reason"], "gone");
    assert_eq!(events[0].data["host"], "127.0.0.1", "the host only: a URL may hold a secret");
    assert!(events[0].data.get("url").is_none());

    // Nothing more is sent to it.
    let before = receiver.received_requests().await.unwrap().len();
    org::lead(&app, "grace@example.com").await;
    app.run_jobs().await;
    assert_eq!(receiver.received_requests().await.unwrap().len(), before);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let app = app().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "120"))
        .mount(&receiver)
        .await;
    let (id, _) = endpoint(&app, &format!("{}/hook", receiver.uri()), &["lead.created"]).await;
    org::lead(&app, "ada@example.com").await;
    app.run_jobs().await;
    let d = only_delivery(&app, &id).await;
    let wait = at(&d["next_attempt_at"]) - at(&d["attempt_log"][0]["attempted_at"]);
    assert_eq!(wait.num_seconds(), 120, "the receiver's 120 s, not the schedule's 5 s");
    attempt_at(&app, &d, at(&d["attempt_log"][0]["attempted_at"]) + Duration::seconds(60)).await;
    assert_eq!(receiver.received_requests().await.unwrap().len(), 1, "not before Retry-After");
    attempt_at(&app, &d, at(&d["next_attempt_at"])).await;
    assert_eq!(receiver.received_requests().await.unwrap().len(), 2, "at Retry-After");
}

#[tokio::test]
async fn five_days_of_failures_disable_the_endpoint_and_tell_the_admins() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/slack"))
        .and(body_string_contains("disabled the webhook endpoint"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(1)
        .mount(&slack)
        .await;
    let slack_url = format!("{}/slack", slack.uri());
    let sendgrid_uri = slack.uri();
    Mock::given(method("POST"))
        .and(path("/v3/mail/send"))
        .and(body_string_contains("disabled the webhook endpoint"))
        .respond_with(ResponseTemplate::new(202).insert_header("X-Message-Id", "W86EgYT6SQKk0lRflfLRsA"))
        .expect(1)
        .mount(&slack)
        .await;
    let app = TestApp::with_config(|c| {
        c.allow_private_webhook_targets = true;
        c.providers.slack_webhook_url = Some(slack_url.into());
        crate::common::providers::with_sendgrid(c, &sendgrid_uri);
    })
    .await;
    // One admin (told) and one agent (not).
    let (admin, _) = crate::access::create_user(&app, "admin").await;
    crate::access::create_user(&app, "agent").await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(502)).mount(&receiver).await;
    let (id, _) = endpoint(&app, &format!("{}/hook", receiver.uri()), &["lead.created"]).await;
    org::lead(&app, "ada@example.com").await;
    app.run_jobs().await;
    let first = at(&only_delivery(&app, &id).await["attempt_log"][0]["attempted_at"]);

    // Later attempts keep failing; the one five days after the first disables it.
    let mut now = first;
    for _ in 0..7 {
        let d = only_delivery(&app, &id).await;
        if d["status"] != "pending" {
            break;
        }
        now = at(&d["next_attempt_at"]) + Duration::seconds(1);
        attempt_at(&app, &d, now).await;
    }
    let d = only_delivery(&app, &id).await;
    assert_eq!(d["status"], "failed", "eight attempts, then it stops: {d}");
    assert_eq!(d["attempts"], 8);
    assert!(now - first < Duration::days(5), "the schedule ends within about 28 h");
    let e = app.get(&format!("/api/webhook-endpoints/{id}")).await;
    assert_eq!(e.body["enabled"], true, "a day of failures does not disable");

    // Another event, still failing five days after the streak began.
    org::lead(&app, "grace@example.com").await;
    let later = first + Duration::days(5) + Duration::minutes(1);
    tick_at(&app, later).await;
    let e = app.get(&format!("/api/webhook-endpoints/{id}")).await;
    assert_eq!((e.body["enabled"].clone(), e.body["disabled_reason"].clone()), (json!(false), json!("failing")));
    assert_eq!(at(&e.body["failing_since"]), first);
    slack.verify().await;
    let mails: Vec<_> =
        slack.received_requests().await.unwrap().into_iter().filter(|r| r.url.path() == "/v3/mail/send").collect();
    let mail: serde_json::Value = serde_json::from_slice(&mails[0].body).unwrap();
    assert_eq!(mail["personalizations"][0]["to"][0]["email"], admin.as_str(), "{mail}");
}

#[tokio::test]
async fn a_redirect_is_not_followed_even_to_an_allowed_address() {
    let app = app().await;
    let inside = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&inside).await;
    let receiver = MockServer::start().await;
    let to = format!("{}/admin", inside.uri());
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", to.as_str()))
        .mount(&receiver)
        .await;
    let (id, _) = endpoint(&app, &format!("{}/hook", receiver.uri()), &["lead.created"]).await;
    org::lead(&app, "ada@example.com").await;
    app.run_jobs().await;
    let d = only_delivery(&app, &id).await;
    assert_eq!(d["status"], "pending", "a redirect is a failure, retried");
    assert_eq!(d["last_status"], 307);
    let error = d["last_error"].as_str().unwrap();
    assert!(error.contains(&format!("redirect (307) to {to} not followed")), "{error}");
    inside.verify().await;
}
