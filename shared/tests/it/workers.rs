//! Jobs: the SQS host's partial batch failures, the sweep, provider failures, retries.

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use chrono::{Duration, Utc};
use http::{Method, StatusCode};
use leadflow::queue::Job;
use leadflow::workers::{self, JobContext};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestApp;
use crate::common::providers::*;

async fn receive_sms(app: &TestApp, text: &str) -> serde_json::Value {
    let body = json!({"channel": "sms", "content": text, "customer": {"phone": "+14155552671"}});
    let r = app.call(Method::POST, "/api/messages/receive", Some(body)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    r.body
}

fn record(id: &str, body: &str) -> SqsMessage {
    let mut m = SqsMessage::default();
    m.message_id = Some(id.into());
    m.body = Some(body.into());
    m
}

#[tokio::test]
async fn sqs_batches_report_only_the_failed_records() {
    let app = TestApp::new().await;
    let accepted = receive_sms(&app, "hello there").await;
    app.take_jobs().await;
    let good = serde_json::to_string(&Job::ProcessMessage {
        message_id: accepted["message_id"].as_str().unwrap().parse().unwrap(),
    })
    .unwrap();
    let mut event = SqsEvent::default();
    event.records = vec![record("m-1", &good), record("m-2", "{\"type\":\"unknown_job\"}"), record("m-3", "not json")];
    let response = workers::sqs::handle_batch(&app.state, event, Utc::now() + Duration::minutes(15)).await;
    let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(failed, ["m-2", "m-3"]);
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(json["batchItemFailures"][0]["itemIdentifier"], "m-2", "the shape Lambda expects");
    let stored = app.get(&format!("/api/messages/{}", accepted["message_id"].as_str().unwrap())).await;
    assert_eq!(stored.body["processed"], true);
}

async fn requeue_stale(app: &TestApp, now: chrono::DateTime<Utc>) -> Result<usize, leadflow::services::ServiceError> {
    let s = &app.state;
    let m = &s.config.messaging;
    leadflow::services::maintenance::requeue_stale(&s.mongo, &*s.queue, m.sweep_after, m.jobs_visibility, now).await
}

#[tokio::test]
async fn the_sweep_requeues_messages_whose_job_was_lost() {
    let app = TestApp::new().await;
    let accepted = receive_sms(&app, "anyone there?").await;
    assert_eq!(app.take_jobs().await.len(), 1, "the job is lost here");
    assert_eq!(requeue_stale(&app, Utc::now()).await.unwrap(), 0, "too fresh to sweep");
    let later = Utc::now() + Duration::minutes(3);
    assert_eq!(requeue_stale(&app, later).await.unwrap(), 1);
    app.run_jobs().await;
    let stored = app.get(&format!("/api/messages/{}", accepted["message_id"].as_str().unwrap())).await;
    assert_eq!(stored.body["processed"], true);
    assert_eq!(requeue_stale(&app, later).await.unwrap(), 0, "nothing left to sweep");
    let tick = workers::schedule::tick(&app.state, later).await.unwrap();
    assert_eq!(tick["requeued_messages"], 0);
}

/// A message whose job keeps failing (a poison message) stays unprocessed; on SQS its job
/// comes back by itself after each visibility timeout. The sweep adds at most one copy per
/// visibility period, counted from the last time the job was queued, not one a minute.
#[tokio::test]
async fn a_poisoned_message_is_requeued_at_most_once_per_visibility_period() {
    let visibility = Duration::seconds(1080);
    let app = TestApp::with_config(|c| c.messaging.jobs_visibility = visibility).await;
    receive_sms(&app, "this one always fails").await;
    assert_eq!(app.take_jobs().await.len(), 1, "queued by intake; its job fails and stays in the queue");
    let start = Utc::now();
    let mut requeued_at = Vec::new();
    // The schedule's sweep every minute for an hour.
    for minute in 0..=60 {
        let now = start + Duration::minutes(minute);
        let n = requeue_stale(&app, now).await.unwrap();
        assert!(n <= 1, "minute {minute}: {n} copies");
        if n == 1 {
            requeued_at.push(minute);
            assert_eq!(app.take_jobs().await.len(), 1, "the copy was queued");
        }
    }
    // Intake queued it just before minute 0: the first copy once that is 18 minutes old,
    // then one whenever the previous copy is more than 18 minutes old.
    assert_eq!(requeued_at, [18, 37, 56], "copies at minutes {requeued_at:?}");
}

/// A message whose job could not be queued at all is swept after `SWEEP_AFTER_MINUTES`,
/// whatever the visibility timeout: nothing is in flight for it.
#[tokio::test]
async fn a_message_never_queued_is_swept_without_waiting_for_visibility() {
    let app = TestApp::with_config(|c| c.messaging.jobs_visibility = Duration::seconds(1080)).await;
    let accepted = receive_sms(&app, "lost on the way").await;
    app.take_jobs().await;
    let id = accepted["message_id"].as_str().unwrap();
    // As if intake's enqueue had failed: no queued_at.
    app.state
        .mongo
        .database()
        .collection::<mongodb::bson::Document>("messages")
        .update_one(mongodb::bson::doc! {"_id": id}, mongodb::bson::doc! {"$unset": {"queued_at": ""}})
        .await
        .unwrap();
    assert_eq!(requeue_stale(&app, Utc::now() + Duration::minutes(3)).await.unwrap(), 1);
    assert_eq!(requeue_stale(&app, Utc::now() + Duration::minutes(4)).await.unwrap(), 0, "queued a minute ago");
}

#[tokio::test]
async fn a_refused_send_is_recorded_as_failed_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": 21211, "message": "The 'To' number +14155552671 is not a valid phone number.", "status": 400
        })))
        .expect(1)
        .mount(&server)
        .await;
    let uri = server.uri();
    let app = TestApp::with_config(move |c| with_twilio(c, &uri)).await;
    let accepted = receive_sms(&app, "hello").await;
    app.run_jobs().await;
    let items = app.get(&format!("/api/crm/customers/{}/history", accepted["customer_id"].as_str().unwrap())).await;
    assert_eq!(items.body["items"][0]["delivery_status"], "failed");
    assert_eq!(items.body["items"][1]["processed"], true);
}

#[tokio::test]
async fn a_provider_outage_retries_the_job_until_the_reply_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream unavailable"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMafter-outage"})))
        .mount(&server)
        .await;
    let uri = server.uri();
    let app = TestApp::with_config(move |c| with_twilio(c, &uri)).await;
    let accepted = receive_sms(&app, "hello").await;
    let job = app.take_jobs().await.remove(0);
    let ctx = JobContext::with_budget(Duration::seconds(30));
    let err = workers::run(&app.state, &job, &ctx).await.unwrap_err();
    assert!(err.to_string().contains("twilio unavailable"), "{err}");
    assert!(!err.to_string().contains(TWILIO_TOKEN), "no secret in errors");
    let pending = app.get(&format!("/api/crm/customers/{}/history", accepted["customer_id"].as_str().unwrap())).await;
    assert_eq!(pending.body["items"][0]["delivery_status"], "pending");
    assert_eq!(pending.body["items"][1]["processed"], false);

    workers::run(&app.state, &job, &ctx).await.expect("the retry succeeds");
    let done = app.get(&format!("/api/crm/customers/{}/history", accepted["customer_id"].as_str().unwrap())).await;
    let items = done.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the retry reuses the stored reply: {}", done.text);
    assert_eq!(items[0]["delivery_status"], "sent");
    assert_eq!(items[0]["provider_message_id"], "SMafter-outage");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_deleted_customer_message_is_skipped() {
    let app = TestApp::new().await;
    let accepted = receive_sms(&app, "hello").await;
    let r = app.delete(&format!("/api/crm/customers/{}", accepted["customer_id"].as_str().unwrap())).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.run_jobs().await, 1, "the job runs and finds nothing to do");
}

#[tokio::test]
async fn records_that_cannot_finish_in_time_go_back_to_the_queue() {
    let app = TestApp::new().await;
    let accepted = receive_sms(&app, "hello").await;
    app.take_jobs().await;
    let job = serde_json::to_string(&Job::ProcessMessage {
        message_id: accepted["message_id"].as_str().unwrap().parse().unwrap(),
    })
    .unwrap();
    let mut event = SqsEvent::default();
    event.records = vec![record("m-1", &job)];
    let response = workers::sqs::handle_batch(&app.state, event, Utc::now() + Duration::seconds(20)).await;
    assert_eq!(response.batch_item_failures.len(), 1, "not started with 20 s left");
    let stored = app.get(&format!("/api/messages/{}", accepted["message_id"].as_str().unwrap())).await;
    assert_eq!(stored.body["processed"], false);
}

#[tokio::test]
async fn a_stop_confirmation_survives_a_provider_outage() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMstop"})))
        .mount(&server)
        .await;
    let uri = server.uri();
    let app = TestApp::with_config(move |c| with_twilio(c, &uri)).await;
    let params = sms_params("SM000000000000000000000000000000f1", "+14155552671", "STOP");
    assert_eq!(app.send(twilio_request(&params, None)).await.status, StatusCode::OK);
    let job = app.take_jobs().await.remove(0);
    let ctx = JobContext::with_budget(Duration::seconds(30));
    assert!(workers::run(&app.state, &job, &ctx).await.is_err(), "Twilio is down: the job fails");
    workers::run(&app.state, &job, &ctx).await.expect("the retry confirms");
    let bodies: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            form_urlencoded::parse(&r.body).find(|(k, _)| k == "Body").map(|(_, v)| v.into_owned()).unwrap_or_default()
        })
        .collect();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[1].contains("unsubscribed"), "{bodies:?}");
    let conn = app.state.db.conn().await.unwrap();
    assert!(leadflow::store::opt_outs::contains(&*conn, leadflow::domain::Channel::Sms, "+14155552671").await.unwrap());
}
