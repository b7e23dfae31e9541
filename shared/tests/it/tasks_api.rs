//! `/api/tasks`, `/api/teams`, `/api/agents`: validation, filters, transitions, routing a
//! lead on demand, assignment.

use chrono::{Duration, Utc};
use http::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::org::{agent, lead, team};
use crate::common::{TestApp, id};

async fn task(app: &TestApp, body: Value) -> Value {
    let r = app.post("/api/tasks", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

#[tokio::test]
async fn create_validates_and_defaults_priority_and_due_date() {
    let app = TestApp::new().await;
    let l = lead(&app, "t@example.com").await;
    let t = task(&app, json!({"lead_id": l["id"], "title": "Call back", "task_type": "sales"})).await;
    assert_eq!(t["priority"], l["priority"], "defaults to the lead's priority");
    assert!(t["due_date"].is_string() && t["assigned_to"].is_null(), "no sales team: unassigned: {t}");
    for (body, field) in [
        (json!({"lead_id": Uuid::now_v7(), "title": "x", "task_type": "sales"}), "lead_id"),
        (json!({"lead_id": l["id"], "title": "", "task_type": "sales"}), "title"),
        (json!({"lead_id": l["id"], "title": "x", "task_type": "legal"}), "task_type"),
        (json!({"lead_id": l["id"], "title": "x", "task_type": "sales", "priority": "asap"}), "priority"),
        (json!({"lead_id": l["id"], "title": "x", "task_type": "sales", "assigned_to": Uuid::now_v7()}), "assigned_to"),
        (json!({"lead_id": l["id"], "title": "x", "task_type": "sales", "due_date": "tomorrow"}), "due_date"),
    ] {
        let r = app.post("/api/tasks", body.clone()).await;
        assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{body}: {}", r.text);
    }
}

#[tokio::test]
async fn every_list_filter() {
    let app = TestApp::new().await;
    let tech = team(&app, "Tech", "technical", "round_robin").await;
    let ada = agent(&app, &tech, "Ada", true).await;
    let l1 = lead(&app, "f1@example.com").await;
    let l2 = lead(&app, "f2@example.com").await;
    let overdue = (Utc::now() - Duration::hours(2)).to_rfc3339();
    let a = task(&app, json!({"lead_id": l1["id"], "title": "Outage", "task_type": "technical", "due_date": overdue}))
        .await;
    let b = task(&app, json!({"lead_id": l2["id"], "title": "Quote", "task_type": "sales"})).await;
    let c =
        task(&app, json!({"lead_id": l2["id"], "title": "Refund", "task_type": "support", "due_date": overdue})).await;
    app.put(&format!("/api/tasks/{}", id(&c)), json!({"status": "done"})).await;
    assert_eq!(a["assigned_to"], ada["id"]);

    assert_eq!(app.get("/api/tasks").await.ids(), [id(&c), id(&b), id(&a)]);
    assert_eq!(app.get("/api/tasks?type=technical").await.ids(), [id(&a)]);
    assert_eq!(app.get(&format!("/api/tasks?type=technical&assigned_to={}", id(&ada))).await.ids(), [id(&a)]);
    assert!(app.get(&format!("/api/tasks?type=sales&assigned_to={}", id(&ada))).await.ids().is_empty());
    assert_eq!(app.get("/api/tasks?status=done").await.ids(), [id(&c)]);
    assert_eq!(app.get("/api/tasks?overdue=true").await.ids(), [id(&a)], "done tasks are never overdue");
    assert_eq!(app.get("/api/tasks?overdue=false").await.ids().len(), 3);
    assert_eq!(app.get(&format!("/api/tasks?lead_id={}", id(&l2))).await.ids(), [id(&c), id(&b)]);
    assert_eq!(app.get("/api/tasks?limit=1").await.ids().len(), 1);
    for (q, field) in [
        ("type=legal", "type"),
        ("status=closed", "status"),
        ("overdue=maybe", "overdue"),
        ("assigned_to=7", "assigned_to"),
    ] {
        let r = app.get(&format!("/api/tasks?{q}")).await;
        assert_eq!((r.status, r.error_field()), (StatusCode::BAD_REQUEST, Some(field)), "{q}");
    }
}

#[tokio::test]
async fn status_transitions_and_unknown_ids() {
    let app = TestApp::new().await;
    let l = lead(&app, "s@example.com").await;
    let t = task(&app, json!({"lead_id": l["id"], "title": "Fix", "task_type": "support"})).await;
    let uri = format!("/api/tasks/{}", id(&t));
    assert_eq!(app.put(&uri, json!({"status": "in_progress"})).await.status, StatusCode::OK);
    let done = app.put(&uri, json!({"status": "done", "priority": "low"})).await;
    assert_eq!((done.status, done.body["priority"].as_str()), (StatusCode::OK, Some("low")));
    for bad in ["open", "in_progress", "cancelled", "finished"] {
        let r = app.put(&uri, json!({"status": bad})).await;
        assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("status")), "done -> {bad}");
    }
    let unknown = Uuid::now_v7();
    assert_eq!(app.get(&format!("/api/tasks/{unknown}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.put(&format!("/api/tasks/{unknown}"), json!({"status": "done"})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(Method::POST, &format!("/api/tasks/{unknown}/assign"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(Method::POST, &format!("/api/tasks/{unknown}/route"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.call(Method::POST, "/api/tasks/xyz/route", None).await.error_field(), Some("lead_id"));
}

#[tokio::test]
async fn route_on_demand_uses_the_lead_s_latest_analysed_message() {
    let app = TestApp::new().await;
    let support = team(&app, "Support", "support", "round_robin").await;
    let ann = agent(&app, &support, "Ann", true).await;
    let r = app
        .raw(
            Method::POST,
            "/api/messages/receive",
            &[("content-type", "application/json"), ("authorization", "Bearer test-api-key-0123456789")],
            json!({"channel": "email", "content": "I was charged twice for my last invoice, please refund one.", "customer": {"email": "bill@example.com"}})
                .to_string(),
        )
        .await;
    let lead_id = r.body["lead_id"].as_str().unwrap().to_string();
    app.run_jobs().await;
    let routed = app.get(&format!("/api/tasks?lead_id={lead_id}")).await;
    assert_eq!(routed.ids().len(), 1, "routed by the pipeline: {}", routed.text);
    let again = app.call(Method::POST, &format!("/api/tasks/{lead_id}/route"), None).await;
    assert_eq!(again.status, StatusCode::OK, "the message already has its task: {}", again.text);
    assert_eq!(again.body["assigned_to"], ann["id"]);
    let fresh = lead(&app, "nomsg@example.com").await;
    let r = app.call(Method::POST, &format!("/api/tasks/{}/route", id(&fresh)), None).await;
    assert_eq!((r.status, r.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("lead_id")));
}

#[tokio::test]
async fn assign_by_rule_or_to_a_named_agent() {
    let app = TestApp::new().await;
    let l = lead(&app, "as@example.com").await;
    let t = task(&app, json!({"lead_id": l["id"], "title": "Visit", "task_type": "sales"})).await;
    let uri = format!("/api/tasks/{}/assign", id(&t));
    let r = app.call(Method::POST, &uri, None).await;
    assert_eq!((r.status, r.error_code()), (StatusCode::CONFLICT, Some("no_available_agent")));
    let sales = team(&app, "Sales", "sales", "round_robin").await;
    let ann = agent(&app, &sales, "Ann", true).await;
    let other_team = team(&app, "Tech", "technical", "round_robin").await;
    let tom = agent(&app, &other_team, "Tom", true).await;
    assert_eq!(app.call(Method::POST, &uri, None).await.body["assigned_to"], ann["id"]);
    assert_eq!(
        app.post(&uri, json!({"agent_id": tom["id"]})).await.body["assigned_to"],
        tom["id"],
        "an explicit agent of any team"
    );
    let bad = app.post(&uri, json!({"agent_id": "not-a-uuid"})).await;
    assert_eq!((bad.status, bad.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("agent_id")));
    let events = app.state.mongo.events().for_subject(Uuid::parse_str(&id(&t)).unwrap(), 10).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.event_type == "task.assigned").count(), 2);
}

#[tokio::test]
async fn teams_and_agents_crud_and_validation() {
    let app = TestApp::new().await;
    let t = team(&app, "Support", "support", "round_robin").await;
    let dup = app.post("/api/teams", json!({"name": "Support", "kind": "support"})).await;
    assert_eq!((dup.status, dup.error_field()), (StatusCode::CONFLICT, Some("name")));
    let bad = app.post("/api/teams", json!({"name": "X", "kind": "legal"})).await;
    assert_eq!((bad.status, bad.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));
    let r = app.put(&format!("/api/teams/{t}"), json!({"assignment": "least_loaded"})).await;
    assert_eq!((r.status, r.body["assignment"].as_str()), (StatusCode::OK, Some("least_loaded")));
    assert_eq!(app.get("/api/teams?kind=support").await.body["items"].as_array().unwrap().len(), 1);
    assert!(app.get("/api/teams?kind=sales").await.body["items"].as_array().unwrap().is_empty());
    assert_eq!(app.get(&format!("/api/teams/{}", Uuid::now_v7())).await.status, StatusCode::NOT_FOUND);

    let a = agent(&app, &t, "Ann Lee", true).await;
    assert_eq!(a["email"], "ann.lee@example.com");
    let dup = app.post("/api/agents", json!({"name": "Ann 2", "email": "ANN.LEE@example.com", "team_id": t})).await;
    assert_eq!((dup.status, dup.error_field()), (StatusCode::CONFLICT, Some("email")));
    let orphan =
        app.post("/api/agents", json!({"name": "Bo", "email": "bo@example.com", "team_id": Uuid::now_v7()})).await;
    assert_eq!((orphan.status, orphan.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("team_id")));
    let bad_email = app.post("/api/agents", json!({"name": "Bo", "email": "bo", "team_id": t})).await;
    assert_eq!(bad_email.error_field(), Some("email"));
    let r = app.put(&format!("/api/agents/{}", id(&a)), json!({"available": false, "name": "Ann L."})).await;
    assert_eq!((r.body["available"].as_bool(), r.body["name"].as_str()), (Some(false), Some("Ann L.")));
    assert_eq!(app.get(&format!("/api/agents?team_id={t}")).await.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get(&format!("/api/agents/{}", Uuid::now_v7())).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.raw(Method::GET, "/api/agents", &[], "").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_retried_create_with_the_same_idempotency_key_makes_one_task() {
    let app = TestApp::new().await;
    let l = lead(&app, "idem@example.com").await;
    let body = json!({"lead_id": l["id"], "title": "Call back", "task_type": "sales"}).to_string();
    let post = async |key: &str, body: String| {
        let headers = [
            ("authorization", "Bearer test-api-key-0123456789"),
            ("content-type", "application/json"),
            ("idempotency-key", key),
        ];
        app.raw(Method::POST, "/api/tasks", &headers, body).await
    };
    let first = post("retry-1", body.clone()).await;
    let second = post("retry-1", body.clone()).await;
    assert_eq!((first.status, second.status), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first.body, second.body, "the same task comes back");
    assert_eq!(second.headers["idempotent-replayed"], "true");
    assert_eq!(app.get("/api/tasks").await.ids().len(), 1);
    let other = post("retry-1", json!({"lead_id": l["id"], "title": "Other", "task_type": "sales"}).to_string()).await;
    assert_eq!((other.status, other.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("Idempotency-Key")));
    let failed = post("bad-1", json!({"lead_id": l["id"], "title": "", "task_type": "sales"}).to_string()).await;
    assert_eq!(failed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fixed = post("bad-1", json!({"lead_id": l["id"], "title": "", "task_type": "sales"}).to_string()).await;
    assert_eq!(fixed.status, StatusCode::UNPROCESSABLE_ENTITY, "failures are not kept: the request runs again");
    assert_eq!(post("new-2", body).await.status, StatusCode::CREATED, "another key, another task");
    assert_eq!(app.get("/api/tasks").await.ids().len(), 2);
}
