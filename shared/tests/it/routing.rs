//! Routing through the queue: an urgent outage message becomes one high-priority
//! technical task for a technical agent, a Slack post, and events.

use http::StatusCode;
use leadflow::store::mongo::EventRecord;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestApp;
use crate::common::org::{agent, lead, team};
use crate::common::providers::*;

async fn slack(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/services/T000/B000/XXXX"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

async fn events(app: &TestApp, subject: Uuid) -> Vec<EventRecord> {
    app.state.mongo.events().for_subject(subject, 50).await.unwrap()
}

async fn slack_bodies(server: &MockServer) -> Vec<Value> {
    server.received_requests().await.unwrap().iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
}

#[tokio::test]
async fn an_urgent_outage_becomes_one_high_priority_technical_task() {
    let slack_server = slack(200).await;
    let twilio = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMx"})))
        .mount(&twilio)
        .await;
    let (slack_url, twilio_url) = (format!("{}/services/T000/B000/XXXX", slack_server.uri()), twilio.uri());
    let app = TestApp::with_config(move |c| {
        with_twilio(c, &twilio_url);
        c.providers.slack_webhook_url = Some(secrecy::SecretString::from(slack_url));
    })
    .await;
    let sales = team(&app, "Sales", "sales", "round_robin").await;
    agent(&app, &sales, "Sam Seller", true).await;
    let tech = team(&app, "Engineering", "technical", "round_robin").await;
    let engineer = agent(&app, &tech, "Ada Engineer", true).await;

    let params = sms_params(
        "SM000000000000000000000000000000a1",
        "+14155552671",
        "Our API is down, urgent! Customers can't check out.",
    );
    for _ in 0..2 {
        assert_eq!(app.send(twilio_request(&params, None)).await.status, StatusCode::OK);
    }
    app.run_jobs().await;

    let tasks = app.get("/api/tasks").await;
    let items = tasks.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one task for one message, however often delivered: {}", tasks.text);
    let task = &items[0];
    assert_eq!(task["task_type"], "technical");
    assert_eq!(task["priority"], "high");
    assert_eq!(task["status"], "open");
    assert_eq!(task["assigned_to"], engineer["id"]);
    assert!(task["title"].as_str().unwrap().contains("Our API is down"), "{task}");
    assert!(task["due_date"].is_string());
    let task_id = Uuid::parse_str(task["id"].as_str().unwrap()).unwrap();
    let lead_id = Uuid::parse_str(task["lead_id"].as_str().unwrap()).unwrap();

    let posts = slack_bodies(&slack_server).await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert!(posts[0]["text"].as_str().unwrap().starts_with("High-priority technical task"));
    assert_eq!(posts[0]["blocks"][0]["type"], "header");
    let fields = posts[0]["blocks"][1]["fields"].to_string();
    assert!(fields.contains("Ada Engineer") && fields.contains("+14155552671"), "{fields}");
    assert_eq!(
        posts[0]["blocks"].as_array().unwrap().last().unwrap()["elements"][0]["url"],
        format!("{PUBLIC_BASE}/api/leads/{lead_id}")
    );

    let lead_events: Vec<String> = events(&app, lead_id).await.into_iter().map(|e| e.event_type).collect();
    assert!(lead_events.contains(&"lead.qualified".to_string()), "{lead_events:?}");
    let task_events: Vec<String> = events(&app, task_id).await.into_iter().map(|e| e.event_type).collect();
    assert!(
        task_events.contains(&"task.created".to_string()) && task_events.contains(&"task.assigned".to_string()),
        "{task_events:?}"
    );

    // Routing the same message again (a redelivered job) changes nothing.
    let message_id = Uuid::parse_str(task["message_id"].as_str().unwrap()).unwrap();
    app.state.queue.enqueue(&leadflow::queue::Job::RouteTask { message_id }).await.unwrap();
    app.run_jobs().await;
    assert_eq!(app.get("/api/tasks").await.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(slack_bodies(&slack_server).await.len(), 1, "no second Slack post");
}

#[tokio::test]
async fn round_robin_spreads_tasks_and_skips_unavailable_agents() {
    let app = TestApp::new().await;
    let support = team(&app, "Support", "support", "round_robin").await;
    let a = agent(&app, &support, "Ann", true).await;
    let b = agent(&app, &support, "Ben", true).await;
    let c = agent(&app, &support, "Cat", true).await;
    let l = lead(&app, "rr@example.com").await;
    let mut assignees = Vec::new();
    for i in 0..3 {
        let r = app
            .post("/api/tasks", json!({"lead_id": l["id"], "title": format!("Case {i}"), "task_type": "support"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assignees.push(r.body["assigned_to"].as_str().unwrap().to_string());
    }
    let ids: Vec<String> = [&a, &b, &c].iter().map(|x| x["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(assignees, ids, "three tasks, three different agents, in order");

    let r = app.put(&format!("/api/agents/{}", b["id"].as_str().unwrap()), json!({"available": false})).await;
    assert_eq!(r.status, StatusCode::OK);
    let mut next = Vec::new();
    for i in 0..2 {
        let r = app
            .post("/api/tasks", json!({"lead_id": l["id"], "title": format!("More {i}"), "task_type": "support"}))
            .await;
        next.push(r.body["assigned_to"].as_str().unwrap().to_string());
    }
    assert_eq!(next, [ids[0].clone(), ids[2].clone()], "Ben is skipped while unavailable");
}

#[tokio::test]
async fn least_loaded_picks_the_agent_with_fewest_open_tasks() {
    let app = TestApp::new().await;
    let tech = team(&app, "Tech", "technical", "least_loaded").await;
    let a = agent(&app, &tech, "Ann", true).await;
    let b = agent(&app, &tech, "Ben", true).await;
    let l = lead(&app, "ll@example.com").await;
    let create = |title: &'static str, assigned: Option<&Value>| {
        let mut body = json!({"lead_id": l["id"], "title": title, "task_type": "technical"});
        if let Some(agent) = assigned {
            body["assigned_to"] = agent["id"].clone();
        }
        app.post("/api/tasks", body)
    };
    create("one", Some(&a)).await;
    create("two", Some(&a)).await;
    let third = create("three", None).await;
    assert_eq!(third.body["assigned_to"], b["id"]);
}

#[tokio::test]
async fn slack_failures_are_retried_by_the_queue_and_never_block_routing() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let url = format!("{}/hook", server.uri());
    let app =
        TestApp::with_config(move |c| c.providers.slack_webhook_url = Some(secrecy::SecretString::from(url))).await;
    let support = team(&app, "Support", "support", "round_robin").await;
    agent(&app, &support, "Ann", true).await;
    let l = lead(&app, "slack@example.com").await;
    let r = app
        .post(
            "/api/tasks",
            json!({"lead_id": l["id"], "title": "Refund now", "task_type": "support", "priority": "high"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "the task exists whatever Slack does");
    let job = app
        .take_jobs()
        .await
        .into_iter()
        .find(|j| matches!(j, leadflow::queue::Job::NotifySlack { .. }))
        .expect("a Slack job");
    let ctx = leadflow::workers::JobContext::with_budget(chrono::Duration::seconds(30));
    assert!(leadflow::workers::run(&app.state, &job, &ctx).await.is_err(), "503: the job fails and is retried");
    leadflow::workers::run(&app.state, &job, &ctx).await.expect("the retry posts");
    leadflow::workers::run(&app.state, &job, &ctx).await.expect("a redelivery after success posts nothing");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}
