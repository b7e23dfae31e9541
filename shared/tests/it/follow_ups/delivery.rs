//! Exactly once under faults: a send job killed after the provider accepted and before
//! it recorded, then redelivered, makes one provider request; an attempt that never
//! reached the provider is sent once; a provider that cannot say is not asked twice; a
//! number the provider calls invalid ends the run.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use http::StatusCode;
use leadflow::queue::Job;
use leadflow::workers::JobContext;
use serde_json::json;
use uuid::Uuid;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{app_with, at, follow_ups_of, lead_of, posts_to, twilio_path};
use crate::common::TestApp;
use crate::common::providers::{TWILIO_FROM, TWILIO_SID};

const PHONE: &str = "+12125550166";
const TEXT: &str = "Hi Ana, your quote is ready whenever you are.";

/// An ad-hoc SMS follow-up claimed by the schedule: its job, its id and its time.
async fn queued_sms(app: &TestApp) -> (Job, String, chrono::DateTime<Utc>) {
    let (_, lead_id) =
        lead_of(app, json!({"name": "Ana Silva", "phone": PHONE, "time_zone": "America/New_York"})).await;
    let r = app.post("/api/follow-ups", json!({"lead_id": lead_id, "channel": "sms", "text": TEXT})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let due = at(&r.body["scheduled_time"]);
    assert_eq!(app.state.tick(due).await.unwrap().follow_ups.queued, 1);
    let mut jobs = app.take_jobs().await;
    assert_eq!(jobs.len(), 1);
    (jobs.remove(0), lead_id, due)
}

/// Runs the job until the provider has the request, then kills it: a Lambda timing out
/// (or a host dying) between the provider's answer and the record.
async fn killed_after_the_provider_got_it(app: &TestApp, server: &MockServer, job: &Job, now: chrono::DateTime<Utc>) {
    let state = app.state.clone();
    let job = job.clone();
    let task = tokio::spawn(async move {
        let _ = leadflow::workers::run(&state, &job, &JobContext::at(now, Duration::seconds(30))).await;
    });
    for _ in 0..200 {
        if !posts_to(server, &twilio_path()).await.is_empty() {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
    assert_eq!(posts_to(server, &twilio_path()).await.len(), 1, "the provider got the request");
    task.abort();
    let _ = task.await;
}

/// Twilio accepting slowly (the answer never reaches the killed job).
async fn slow_twilio(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(twilio_path()))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"sid": "SMslow"})).set_delay(StdDuration::from_secs(5)),
        )
        .mount(server)
        .await;
}

async fn message_id(app: &TestApp, lead_id: &str) -> Uuid {
    follow_ups_of(app, lead_id).await[0]["message_id"].as_str().unwrap().parse().unwrap()
}

/// The dead attempt's lease runs out (the time a real redelivery takes).
async fn lease_runs_out(app: &TestApp, message: Uuid) {
    let stale = Utc::now() - leadflow::services::delivery::SENDING_LEASE - Duration::seconds(5);
    app.state.mongo.messages().restore_sending(message, stale).await.unwrap();
}

fn listed(sid: &str, body: &str) -> serde_json::Value {
    json!({
        "account_sid": TWILIO_SID, "api_version": "2010-04-01", "body": body,
        "date_created": Utc::now().to_rfc2822(), "date_sent": null, "date_updated": Utc::now().to_rfc2822(),
        "direction": "outbound-api", "error_code": null, "error_message": null, "from": TWILIO_FROM,
        "messaging_service_sid": null, "num_media": "0", "num_segments": "1", "price": null, "price_unit": "USD",
        "sid": sid, "status": "sent", "subresource_uris": {"media": "/media.json"}, "to": PHONE,
        "uri": format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages/{sid}.json")
    })
}

async fn twilio_lists(server: &MockServer, messages: Vec<serde_json::Value>) {
    Mock::given(method("GET"))
        .and(path(twilio_path()))
        .and(query_param("To", PHONE))
        .and(query_param("From", TWILIO_FROM))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "end": messages.len().saturating_sub(1), "first_page_uri": "/2010-04-01/Accounts/x/Messages.json?PageSize=50&Page=0",
            "messages": messages, "next_page_uri": null, "page": 0, "page_size": 50, "previous_page_uri": null,
            "start": 0, "uri": "/2010-04-01/Accounts/x/Messages.json?PageSize=50&Page=0"
        })))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_send_killed_after_the_provider_accepted_is_not_sent_again() {
    let server = MockServer::start().await;
    slow_twilio(&server).await;
    let app = app_with(&server).await;
    let (job, lead_id, due) = queued_sms(&app).await;
    killed_after_the_provider_got_it(&app, &server, &job, due).await;
    assert_eq!(follow_ups_of(&app, &lead_id).await[0]["status"], "queued", "nothing was recorded");

    // Redelivered while the dead attempt's lease still holds: it waits, asks nobody.
    let ctx = JobContext::at(due, Duration::seconds(30));
    assert!(leadflow::workers::run(&app.state, &job, &ctx).await.is_err(), "retried later");
    assert_eq!(posts_to(&server, &twilio_path()).await.len(), 1);

    // After the lease: it is looked up at Twilio and found, so recorded, not resent.
    lease_runs_out(&app, message_id(&app, &lead_id).await).await;
    twilio_lists(&server, vec![listed("SMother", "Something else"), listed("SMfound0000000000000000000000000", TEXT)])
        .await;
    leadflow::workers::run(&app.state, &job, &ctx).await.unwrap();
    leadflow::workers::run(&app.state, &job, &ctx).await.unwrap();
    assert_eq!(posts_to(&server, &twilio_path()).await.len(), 1, "one provider request in all");
    let f = follow_ups_of(&app, &lead_id).await;
    assert_eq!(
        (f[0]["status"].as_str(), f[0]["provider_message_id"].as_str()),
        (Some("sent"), Some("SMfound0000000000000000000000000"))
    );
    // The sweep finds nothing stuck: it was recorded.
    assert_eq!(app.state.tick(due + Duration::minutes(20)).await.unwrap().follow_ups.requeued, 0);
}

#[tokio::test]
async fn a_dead_attempt_the_provider_never_got_is_sent_once() {
    let server = MockServer::start().await;
    slow_twilio(&server).await;
    let app = app_with(&server).await;
    let (job, lead_id, due) = queued_sms(&app).await;
    killed_after_the_provider_got_it(&app, &server, &job, due).await;
    lease_runs_out(&app, message_id(&app, &lead_id).await).await;
    // Twilio has no such message (the request died on the way): it is sent now, once.
    server.reset().await;
    twilio_lists(&server, vec![listed("SMother", "Something else")]).await;
    Mock::given(method("POST"))
        .and(path(twilio_path()))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMsecond"})))
        .expect(1)
        .mount(&server)
        .await;
    let ctx = JobContext::at(due, Duration::seconds(30));
    leadflow::workers::run(&app.state, &job, &ctx).await.unwrap();
    leadflow::workers::run(&app.state, &job, &ctx).await.unwrap();
    let f = follow_ups_of(&app, &lead_id).await;
    assert_eq!((f[0]["status"].as_str(), f[0]["provider_message_id"].as_str()), (Some("sent"), Some("SMsecond")));
}

#[tokio::test]
async fn a_stuck_follow_up_is_requeued_by_the_sweep_and_still_sent_once() {
    let server = super::providers().await;
    let app = app_with(&server).await;
    // The claim's job is lost: never run.
    let (_, lead_id, due) = queued_sms(&app).await;
    // Stuck once past the queues' visibility timeout (SQS would redeliver a failed job first).
    let stuck_after = leadflow::services::follow_ups::dispatch::STUCK_AFTER;
    let before = due + stuck_after - Duration::minutes(1);
    assert_eq!(app.state.tick(before).await.unwrap().follow_ups.requeued, 0, "not stuck yet");
    let later = due + stuck_after + Duration::minutes(1);
    assert_eq!(app.state.tick(later).await.unwrap().follow_ups.requeued, 1);
    let jobs = app.take_jobs().await;
    assert_eq!(jobs.len(), 1);
    let ctx = JobContext::at(later, Duration::seconds(30));
    // Delivered twice (the lost job turns up after all): one text.
    leadflow::workers::run(&app.state, &jobs[0], &ctx).await.unwrap();
    leadflow::workers::run(&app.state, &jobs[0], &ctx).await.unwrap();
    assert_eq!(posts_to(&server, &twilio_path()).await.len(), 1);
    assert_eq!(follow_ups_of(&app, &lead_id).await[0]["status"], "sent");
}

#[tokio::test]
async fn an_invalid_number_fails_the_follow_up_and_ends_the_run() {
    let server = MockServer::start().await;
    // Twilio's answer for a number that cannot receive SMS.
    Mock::given(method("POST"))
        .and(path(twilio_path()))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": 21211, "message": "Invalid 'To' Phone Number: +1212555XXXX",
            "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400
        })))
        .expect(1)
        .mount(&server)
        .await;
    let app = app_with(&server).await;
    let (_, lead_id) =
        lead_of(&app, json!({"name": "Ana Silva", "phone": PHONE, "time_zone": "America/New_York"})).await;
    let seq = super::one_step_sequence(&app, "sms", 10, json!({"start": "08:00", "end": "21:00"})).await;
    let r = app.post(&format!("/api/follow-ups/{lead_id}/sequence/{seq}"), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let due = at(&r.body["first"]["scheduled_time"]);
    assert_eq!(app.state.tick(due).await.unwrap().follow_ups.queued, 1);
    super::run_jobs_at(&app, due).await;
    let f = follow_ups_of(&app, &lead_id).await;
    assert_eq!(f.len(), 1, "no step after an undeliverable address: {f:?}");
    assert_eq!(f[0]["status"], "failed");
    assert!(f[0]["reason"].as_str().unwrap().contains("Invalid 'To' Phone Number"), "{}", f[0]);
    let s = app.get(&format!("/api/follow-ups/sequences/{seq}/stats")).await;
    assert_eq!(s.body["active"], 0, "{}", s.text);
}
