//! The transactional outbox: every event type goes through it to EventBridge (moto) and
//! the Mongo audit copy; an event committed but never relayed (the process died) is
//! delivered later, once; a bus outage loses nothing.

use std::sync::Arc;

use http::StatusCode;
use leadflow::domain::{Event, EventEnvelope};
use leadflow::services::Relay;
use leadflow::store::outbox;
use serde_json::json;
use uuid::Uuid;

use crate::common::aws::{BusTap, at};
use crate::common::{TestApp, id};

/// Commits events to the outbox the way a service does, and stops there: a process that
/// died right after its commit.
async fn commit_without_relay(app: &TestApp, events: Vec<Event>) -> Vec<EventEnvelope> {
    let envelopes: Vec<EventEnvelope> = events.into_iter().map(|e| EventEnvelope::new(e, chrono::Utc::now())).collect();
    let mut conn = app.state.db.conn().await.unwrap();
    let tx = conn.transaction().await.unwrap();
    outbox::append(&tx, &envelopes).await.unwrap();
    tx.commit().await.unwrap();
    envelopes
}

async fn pending(app: &TestApp) -> i64 {
    outbox::pending_count(&*app.state.db.conn().await.unwrap()).await.unwrap()
}

#[tokio::test]
async fn every_event_type_reaches_eventbridge_and_the_mongo_record() {
    let app = TestApp::new().await;
    let tap = BusTap::new().await;
    let relay = Relay::new(app.state.db.clone(), &app.state.mongo, Arc::new(tap.bus()), app.state.queue.clone());
    let (lead, task, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let sent = commit_without_relay(&app, Event::examples(lead, task, other)).await;
    assert_eq!(sent.len(), Event::TYPES);

    assert_eq!(relay.run().await.unwrap(), Event::TYPES);
    assert_eq!(pending(&app).await, 0);
    let delivered = tap.drain().await;
    assert_eq!(delivered.len(), Event::TYPES, "{delivered:?}");
    for e in &sent {
        let on_bus = delivered
            .iter()
            .find(|d| d["detail"]["id"] == json!(e.id))
            .unwrap_or_else(|| panic!("{} not on the bus", e.detail_type()));
        assert_eq!(on_bus["source"], "leadflow");
        assert_eq!(on_bus["detail-type"], e.detail_type());
        assert_eq!(on_bus["detail"]["subject_id"], json!(e.subject_id()));
        assert_eq!(on_bus["detail"]["data"], e.event.data(), "the payload is the type's struct");
        let recorded = app.state.mongo.events().for_subject(e.subject_id(), 20).await.unwrap();
        let copy = recorded.iter().find(|r| r.id == e.id).unwrap_or_else(|| panic!("{} not recorded", e.detail_type()));
        assert_eq!(copy.event_type, e.detail_type());
        assert_eq!(copy.data, e.event.data());
    }
}

#[tokio::test]
async fn an_event_committed_before_a_crash_is_delivered_later_exactly_once() {
    let app = TestApp::new().await;
    let tap = BusTap::new().await;
    let lead = Uuid::now_v7();
    let sent = commit_without_relay(&app, vec![Event::examples(lead, Uuid::now_v7(), Uuid::now_v7()).remove(1)]).await;
    assert_eq!(pending(&app).await, 1, "committed, not published");
    assert!(app.state.mongo.events().for_subject(lead, 10).await.unwrap().is_empty());
    assert!(tap.drain().await.is_empty());

    // A later process relays it (the schedule's tick does this every minute).
    let relay = Relay::new(app.state.db.clone(), &app.state.mongo, Arc::new(tap.bus()), app.state.queue.clone());
    assert_eq!(relay.run().await.unwrap(), 1);
    assert_eq!(relay.run().await.unwrap(), 0, "a second run finds nothing");
    let delivered = tap.drain().await;
    assert_eq!(delivered.len(), 1, "delivered once: {delivered:?}");
    assert_eq!(delivered[0]["detail"]["id"], json!(sent[0].id));
    assert_eq!(app.state.mongo.events().for_subject(lead, 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_bus_outage_keeps_the_change_and_its_event_for_the_next_run() {
    let mut app = TestApp::new().await;
    let down = aws_sdk_eventbridge::Client::new(&at("http://127.0.0.1:9").await);
    app.state.relay = Relay::new(
        app.state.db.clone(),
        &app.state.mongo,
        Arc::new(leadflow::bus::EventBridgeBus::new(down, "gone")),
        app.state.queue.clone(),
    );
    app.router = leadflow::api::app(app.state.clone());
    let customer = app.post("/api/crm/customers", json!({"email": "outage@example.com"})).await;
    let lead = app.post("/api/leads", json!({"customer_id": id(&customer.body)})).await;
    assert_eq!(lead.status, StatusCode::CREATED, "the bus is not needed to take the change: {}", lead.text);
    let lead_id = Uuid::parse_str(&id(&lead.body)).unwrap();
    let r = app.put(&format!("/api/leads/{lead_id}"), json!({"status": "contacted"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(pending(&app).await >= 3, "lead.created, lead.qualified and lead.status_changed wait in the outbox");

    let tap = BusTap::new().await;
    let relay = Relay::new(app.state.db.clone(), &app.state.mongo, Arc::new(tap.bus()), app.state.queue.clone());
    relay.run().await.unwrap();
    assert_eq!(pending(&app).await, 0);
    let types: Vec<String> = tap.drain().await.iter().map(|d| d["detail-type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(types, ["lead.created", "lead.qualified", "lead.status_changed"], "in commit order");
}

#[tokio::test]
async fn a_database_outage_is_503_with_retry_after_on_staff_routes() {
    let app = TestApp::new().await;
    let mut state = app.state.clone();
    let options =
        leadflow::store::DbOptions { connect_timeout: std::time::Duration::from_millis(500), ..Default::default() };
    state.db = leadflow::store::Db::connect("postgres://postgres@127.0.0.1:9/nothing", &options).unwrap();
    let router = leadflow::api::app(state);
    let some_id = Uuid::now_v7();
    let calls = [
        ("GET", "/api/crm/customers".to_owned(), None),
        ("POST", "/api/crm/customers".to_owned(), Some(json!({"email": "down@example.com"}))),
        ("GET", "/api/leads".to_owned(), None),
        ("POST", "/api/leads".to_owned(), Some(json!({"customer_id": some_id}))),
        ("GET", "/api/tasks".to_owned(), None),
        ("POST", format!("/api/tasks/{some_id}/assign"), Some(json!({"agent_id": some_id}))),
        ("POST", format!("/api/leads/{some_id}/assign"), Some(json!({"agent_id": some_id}))),
        ("GET", "/api/teams".to_owned(), None),
        ("GET", "/api/settings".to_owned(), None),
    ];
    for (method, uri, body) in calls {
        let mut req = http::Request::builder()
            .method(method)
            .uri(&uri)
            .header("authorization", format!("Bearer {}", crate::common::API_KEY));
        let body = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                axum::body::Body::from(b.to_string())
            }
            None => axum::body::Body::empty(),
        };
        let resp = tower::ServiceExt::oneshot(router.clone(), req.body(body).unwrap()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE, "{method} {uri}");
        assert!(resp.headers().contains_key("retry-after"), "{method} {uri}");
    }
}
