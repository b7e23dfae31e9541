//! `/api/leads`: creation, every list filter, reads with qualification, the funnel's
//! transitions, re-qualification and assignment.

use chrono::{Duration, SecondsFormat, Utc};
use http::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::common::org::{agent, lead, team};
use crate::common::{TestApp, id};

#[tokio::test]
async fn create_validates_and_keeps_one_open_lead_per_customer() {
    let app = TestApp::new().await;
    let c = app.post("/api/crm/customers", json!({"email": "lead@example.com", "company": "Acme"})).await;
    let r = app.post("/api/leads", json!({"customer_id": c.body["id"], "budget": "$5,000", "timeline": "ASAP"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "new");
    assert!(r.body["quality_score"].as_u64().unwrap() > 0, "qualified on creation: {}", r.text);
    let again = app.post("/api/leads", json!({"customer_id": c.body["id"]})).await;
    assert_eq!((again.status, again.error_field()), (StatusCode::CONFLICT, Some("customer_id")));
    let unknown = app.post("/api/leads", json!({"customer_id": Uuid::now_v7()})).await;
    assert_eq!((unknown.status, unknown.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("customer_id")));
    let bad_agent = app.post("/api/leads", json!({"customer_id": c.body["id"], "assigned_to": Uuid::now_v7()})).await;
    assert_eq!(bad_agent.error_field(), Some("assigned_to"));
    let missing = app.post("/api/leads", json!({"budget": "$1"})).await;
    assert_eq!(missing.error_field(), Some("customer_id"));
    let events = app.state.mongo.events().for_subject(Uuid::parse_str(&id(&r.body)).unwrap(), 10).await.unwrap();
    assert!(events.iter().any(|e| e.event_type == "lead.created"));
}

#[tokio::test]
async fn show_includes_customer_and_latest_qualification() {
    let app = TestApp::new().await;
    let l = lead(&app, "show@example.com").await;
    let r = app.get(&format!("/api/leads/{}", id(&l))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["customer"]["email"], "show@example.com");
    let q = &r.body["qualification"];
    assert_eq!(q["trigger"], "created");
    let sum: i64 = q["breakdown"].as_array().unwrap().iter().map(|f| f["points"].as_i64().unwrap()).sum();
    assert_eq!(sum, q["score"].as_i64().unwrap(), "the breakdown sums to the score");
    assert!(q["missing"].as_array().unwrap().iter().any(|m| m == "budget"));
    assert_eq!(app.get(&format!("/api/leads/{}", Uuid::now_v7())).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/leads/nope").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn status_moves_along_the_funnel_only() {
    let app = TestApp::new().await;
    let l = lead(&app, "funnel@example.com").await;
    let uri = format!("/api/leads/{}", id(&l));
    for bad in ["qualified", "won", "lost", "pending"] {
        let r = app.put(&uri, json!({"status": bad})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "new -> {bad}: {}", r.text);
        assert_eq!(r.error_field(), Some("status"));
    }
    for next in ["contacted", "qualified", "won", "contacted", "qualified", "lost", "contacted"] {
        let r = app.put(&uri, json!({"status": next})).await;
        assert_eq!(r.status, StatusCode::OK, "-> {next}: {}", r.text);
        assert_eq!(r.body["status"], next);
    }
    let r = app.put(&uri, json!({"status": "won"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "contacted -> won skips qualification");
    let events = app.state.mongo.events().for_subject(Uuid::parse_str(&id(&l)).unwrap(), 50).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.event_type == "lead.status_changed").count(), 7);
    let r = app.put(&format!("/api/leads/{}", Uuid::now_v7()), json!({"status": "contacted"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_closed_lead_cannot_reopen_beside_another_open_one() {
    let app = TestApp::new().await;
    let l = lead(&app, "reopen@example.com").await;
    let uri = format!("/api/leads/{}", id(&l));
    for s in ["contacted", "qualified", "lost"] {
        app.put(&uri, json!({"status": s})).await;
    }
    let second = app.post("/api/leads", json!({"customer_id": l["customer_id"]})).await;
    assert_eq!(second.status, StatusCode::CREATED);
    let r = app.put(&uri, json!({"status": "contacted"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
}

#[tokio::test]
async fn every_list_filter_and_sort() {
    let app = TestApp::new().await;
    let sales = team(&app, "Sales", "sales", "round_robin").await;
    let ann = agent(&app, &sales, "Ann", true).await;
    let hot = app.post("/api/crm/customers", json!({"email": "hot@example.com", "company": "Big Co"})).await;
    let hot = app
        .post(
            "/api/leads",
            json!({"customer_id": hot.body["id"], "budget": "$50k", "timeline": "this week", "assigned_to": ann["id"]}),
        )
        .await
        .body;
    let cold = lead(&app, "cold@example.com").await;
    let contacted = lead(&app, "contacted@example.com").await;
    app.put(&format!("/api/leads/{}", id(&contacted)), json!({"status": "contacted"})).await;
    assert!(hot["quality_score"].as_i64() > cold["quality_score"].as_i64());

    let all = app.get("/api/leads").await.ids();
    assert_eq!(all, [id(&contacted), id(&cold), id(&hot)], "newest first by default");
    assert_eq!(app.get("/api/leads?sort=score").await.ids()[0], id(&hot));
    assert_eq!(app.get("/api/leads?status=contacted").await.ids(), [id(&contacted)]);
    assert_eq!(app.get(&format!("/api/leads?assigned_to={}", id(&ann))).await.ids(), [id(&hot)]);
    let hot_priority = hot["priority"].as_str().unwrap();
    assert!(app.get(&format!("/api/leads?priority={hot_priority}")).await.ids().contains(&id(&hot)));
    let min = hot["quality_score"].as_i64().unwrap();
    assert_eq!(app.get(&format!("/api/leads?min_score={min}")).await.ids(), [id(&hot)]);
    assert_eq!(
        app.get(&format!("/api/leads?customer_id={}", cold["customer_id"].as_str().unwrap())).await.ids(),
        [id(&cold)]
    );
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let future = (Utc::now() + Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    assert_eq!(app.get(&format!("/api/leads?created_after={past}")).await.ids().len(), 3);
    assert!(app.get(&format!("/api/leads?created_before={past}")).await.ids().is_empty());
    assert!(app.get(&format!("/api/leads?created_after={future}")).await.ids().is_empty());
    let page = app.get("/api/leads?sort=score&limit=2").await;
    let next =
        app.get(&format!("/api/leads?sort=score&limit=2&cursor={}", page.body["next_cursor"].as_str().unwrap())).await;
    assert_eq!(page.ids().len() + next.ids().len(), 3);
    for (q, field) in [
        ("status=open", "status"),
        ("min_score=101", "min_score"),
        ("sort=alpha", "sort"),
        ("priority=urgent", "priority"),
    ] {
        let r = app.get(&format!("/api/leads?{q}")).await;
        assert_eq!((r.status, r.error_field()), (StatusCode::BAD_REQUEST, Some(field)), "{q}: {}", r.text);
    }
}

#[tokio::test]
async fn qualify_recomputes_and_keeps_history() {
    let app = TestApp::new().await;
    let l = lead(&app, "q@example.com").await;
    let uri = format!("/api/leads/{}", id(&l));
    app.put(&uri, json!({"budget": "$20,000", "timeline": "today"})).await;
    let r = app.call(Method::POST, &format!("{uri}/qualify"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["lead"]["quality_score"].as_i64() > l["quality_score"].as_i64());
    assert_eq!(r.body["qualification"]["trigger"], "manual");
    assert_eq!(r.body["qualification"]["score"], r.body["lead"]["quality_score"]);
    let conn = app.state.db.conn().await.unwrap();
    let history =
        leadflow::store::qualifications::history(&*conn, Uuid::parse_str(&id(&l)).unwrap(), 10).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        app.call(Method::POST, &format!("/api/leads/{}/qualify", Uuid::now_v7()), None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn assign_explicitly_or_by_the_sales_team_rule() {
    let app = TestApp::new().await;
    let l = lead(&app, "assign@example.com").await;
    let uri = format!("/api/leads/{}/assign", id(&l));
    let none = app.call(Method::POST, &uri, None).await;
    assert_eq!((none.status, none.error_code()), (StatusCode::CONFLICT, Some("no_available_agent")));
    let sales = team(&app, "Sales", "sales", "least_loaded").await;
    let ann = agent(&app, &sales, "Ann", true).await;
    let ben = agent(&app, &sales, "Ben", true).await;
    let auto = app.call(Method::POST, &uri, None).await;
    assert_eq!(auto.status, StatusCode::OK, "{}", auto.text);
    assert_eq!(auto.body["assigned_to"], ann["id"]);
    let explicit = app.post(&uri, json!({"agent_id": ben["id"]})).await;
    assert_eq!(explicit.body["assigned_to"], ben["id"]);
    let unknown = app.post(&uri, json!({"agent_id": Uuid::now_v7()})).await;
    assert_eq!((unknown.status, unknown.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("agent_id")));
    let other = lead(&app, "assign2@example.com").await;
    let auto2 = app.call(Method::POST, &format!("/api/leads/{}/assign", id(&other)), None).await;
    assert_eq!(auto2.body["assigned_to"], ann["id"], "least loaded: Ann has none open now, Ben has one");
}
