//! Regressions for what a new user tripped over following the README (issue 8, one test
//! per item; the JSON, error-message, cursor and settings items are in `defects_inputs`).

use http::{Method, StatusCode};
use leadflow::queue::Job;
use leadflow::workers::{self, JobContext};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::org::{agent, team};
use crate::common::providers::*;
use crate::common::{TestApp, id};

async fn receive_sms(app: &TestApp, sid: &str, text: &str) -> serde_json::Value {
    let r = app.send(twilio_request(&sms_params(sid, "+14155550123", text), None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let customers = app.get("/api/crm/customers?phone=%2B14155550123").await;
    customers.body["items"][0].clone()
}

#[tokio::test]
async fn an_sms_stop_scores_the_lead_like_an_opt_out_anywhere() {
    let twilio = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMreply"})))
        .mount(&twilio)
        .await;
    let uri = twilio.uri();
    let app = TestApp::with_config(move |c| with_twilio(c, &uri)).await;
    receive_sms(&app, "SM000000000000000000000000000000a1", "Do you repair furnaces?").await;
    app.run_jobs().await;
    receive_sms(&app, "SM000000000000000000000000000000a2", "STOP").await;
    app.run_jobs().await;
    let leads = app.get("/api/leads").await;
    let lead_id = leads.body["items"][0]["id"].as_str().unwrap().to_owned();
    let q = app.post(&format!("/api/leads/{lead_id}/qualify"), json!({})).await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.text);
    let breakdown = q.body["qualification"]["breakdown"].as_array().unwrap();
    let intent = breakdown.iter().find(|f| f["name"] == "intent").unwrap_or_else(|| panic!("{breakdown:?}"));
    assert_eq!(intent["points"], -100, "{intent}");
    assert_eq!(q.body["lead"]["quality_score"], 0);
}

#[tokio::test]
async fn rejected_receives_do_not_count_and_a_429_says_when_to_retry() {
    let app = TestApp::with_config(|c| c.messaging.receive_per_minute = 2).await;
    let post =
        |body: String| app.raw(Method::POST, "/api/messages/receive", &[("content-type", "application/json")], body);
    for _ in 0..5 {
        let bad = post(json!({"channel": "chat", "content": "", "customer": {}}).to_string()).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    }
    for n in 0..2 {
        let ok = post(
            json!({"channel": "chat", "content": format!("hello {n}"), "customer": {"email": "rl@example.com"}})
                .to_string(),
        )
        .await;
        assert_eq!(ok.status, StatusCode::ACCEPTED, "rejected requests did not use the window up: {}", ok.text);
    }
    let limited =
        post(json!({"channel": "chat", "content": "again", "customer": {"email": "rl@example.com"}}).to_string()).await;
    if limited.status == StatusCode::ACCEPTED {
        return; // a new minute began between the calls; the boundary is tested in messages_api
    }
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = limited.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
}

#[tokio::test]
async fn a_lead_is_routed_on_its_own_path_honouring_the_task_type() {
    let app = TestApp::new().await;
    let r = app
        .raw(
            Method::POST,
            "/api/messages/receive",
            &[("content-type", "application/json")],
            json!({"channel": "chat", "content": "How much is a new water heater installed?", "customer": {"email": "route@example.com"}})
                .to_string(),
        )
        .await;
    let lead_id = r.body["lead_id"].as_str().unwrap().to_owned();
    app.run_jobs().await;
    // No team yet: the task waits unassigned.
    let routed = app.post(&format!("/api/leads/{lead_id}/route"), json!({"task_type": "technical"})).await;
    assert!(routed.status.is_success(), "{}", routed.text);
    assert_eq!(routed.body["task_type"], "technical", "task_type is honoured");
    assert!(routed.body["assigned_to"].is_null());
    // An agent joins; routing again assigns the open task.
    let tech = team(&app, "Tech", "technical", "round_robin").await;
    let tara = agent(&app, &tech, "Tara", true).await;
    let again = app.post(&format!("/api/leads/{lead_id}/route"), json!({"task_type": "technical"})).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body["id"], routed.body["id"], "the same task");
    assert_eq!(again.body["assigned_to"], tara["id"]);
    // The old path still works, and a task id there is refused as a lead id.
    let alias = app.post(&format!("/api/tasks/{lead_id}/route"), json!({})).await;
    assert!(alias.status.is_success(), "{}", alias.text);
    let task_id = id(&routed.body);
    let wrong = app.post(&format!("/api/leads/{task_id}/route"), json!({})).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "{}", wrong.text);
}

#[tokio::test]
async fn work_goes_to_the_team_of_its_kind_that_has_someone_available() {
    let app = TestApp::new().await;
    let first = team(&app, "Sales East", "sales", "round_robin").await;
    agent(&app, &first, "Away Person", false).await;
    let second = team(&app, "Sales West", "sales", "round_robin").await;
    let sam = agent(&app, &second, "Sam", true).await;
    let l = crate::common::org::lead(&app, "teams@example.com").await;
    let assigned = app.post(&format!("/api/leads/{}/assign", id(&l)), json!({})).await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.text);
    assert_eq!(assigned.body["assigned_to"], sam["id"]);
}

#[tokio::test]
async fn teams_and_agents_are_deleted_or_deactivated_when_referenced() {
    let app = TestApp::new().await;
    let empty = team(&app, "Empty", "support", "round_robin").await;
    assert_eq!(app.delete(&format!("/api/teams/{empty}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/teams/{empty}")).await.status, StatusCode::NOT_FOUND);

    let sales = team(&app, "Sales", "sales", "round_robin").await;
    let idle = agent(&app, &sales, "Idle", true).await;
    let busy = agent(&app, &sales, "Busy", true).await;
    let l = crate::common::org::lead(&app, "del@example.com").await;
    let r = app.post(&format!("/api/leads/{}/assign", id(&l)), json!({"agent_id": busy["id"]})).await;
    assert_eq!(r.status, StatusCode::OK);

    assert_eq!(app.delete(&format!("/api/agents/{}", id(&idle))).await.status, StatusCode::NO_CONTENT);
    let kept = app.delete(&format!("/api/agents/{}", id(&busy))).await;
    assert_eq!(kept.status, StatusCode::OK, "assigned work keeps the agent: {}", kept.text);
    assert_eq!(kept.body["available"], false);
    assert_eq!(app.get(&format!("/api/leads/{}", id(&l))).await.body["assigned_to"], busy["id"]);

    let team_kept = app.delete(&format!("/api/teams/{sales}")).await;
    assert_eq!(team_kept.status, StatusCode::OK, "{}", team_kept.text);
    assert_eq!(team_kept.body["active"], false);
    let other = crate::common::org::lead(&app, "del2@example.com").await;
    let none = app.post(&format!("/api/leads/{}/assign", id(&other)), json!({})).await;
    assert_eq!((none.status, none.error_code()), (StatusCode::CONFLICT, Some("no_available_agent")));
    assert_eq!(app.delete("/api/agents/not-a-uuid").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unconfigured_webhooks_answer_401_without_a_signature_and_403_with_one() {
    let app = TestApp::new().await;
    let params = sms_params("SM000000000000000000000000000000b1", "+14155550123", "hi");
    let missing = app.send(twilio_request(&params, Some(""))).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED, "{}", missing.text);
    let signed = app.send(twilio_request(&params, None)).await;
    assert_eq!(signed.status, StatusCode::FORBIDDEN, "{}", signed.text);
    let no_secret = app.send(sendgrid_request("", &[("from", "a@example.com"), ("text", "hi")])).await;
    assert_eq!(no_secret.status, StatusCode::UNAUTHORIZED, "{}", no_secret.text);
    let with_secret = app.send(sendgrid_request("?token=guess", &[("from", "a@example.com"), ("text", "hi")])).await;
    assert_eq!(with_secret.status, StatusCode::FORBIDDEN, "{}", with_secret.text);
}

#[tokio::test]
async fn a_reply_that_never_goes_out_is_marked_failed_and_handed_to_a_person() {
    let twilio = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&twilio).await;
    let uri = twilio.uri();
    let app = TestApp::with_config(move |c| with_twilio(c, &uri)).await;
    receive_sms(&app, "SM000000000000000000000000000000c1", "Can someone call me about a quote?").await;
    let job = app.take_jobs().await.into_iter().find(|j| matches!(j, Job::ProcessMessage { .. })).unwrap();
    let ctx = JobContext::with_budget(chrono::Duration::seconds(30));
    let failure = workers::run(&app.state, &job, &ctx).await.unwrap_err();
    // The host's last retry failed too: it gives up, once.
    workers::gave_up(&app.state, &job, &failure).await;
    let messages = app.get("/api/messages?direction=outbound").await;
    assert_eq!(messages.body["items"][0]["delivery_status"], "failed", "{}", messages.text);
    let inbound = app.get("/api/messages?direction=inbound").await;
    assert_eq!(inbound.body["items"][0]["processed"], true, "no longer swept");
    let lead = app.get("/api/leads").await;
    assert_eq!(lead.body["items"][0]["handoff_reason"], "delivery_failed", "{}", lead.text);
    let later = chrono::Utc::now() + chrono::Duration::minutes(5);
    let s = &app.state;
    let swept = leadflow::services::maintenance::requeue_stale(
        &s.mongo,
        &*s.queue,
        s.config.messaging.sweep_after,
        s.config.messaging.jobs_visibility,
        later,
    )
    .await
    .unwrap();
    assert_eq!(swept, 0, "the sweep does not retry it every minute");
}
