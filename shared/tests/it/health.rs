//! `GET /api/health` reports each store, and 503 when one is down.

use http::StatusCode;
use leadflow::app::AppState;
use leadflow::store::mongo::Mongo;
use leadflow::store::{Db, DbOptions};

use crate::common::{TestApp, TestStack, test_config};

#[tokio::test]
async fn healthy_stack_reports_ok() {
    let app = TestApp::new().await;
    let r = app.raw(http::Method::GET, "/api/health", &[], "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "ok");
    assert_eq!(r.body["postgres"], "ok");
    assert_eq!(r.body["mongo"], "ok");
    assert!(r.headers.contains_key("x-request-id"));
}

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn health_of(state: AppState) -> crate::common::TestResponse {
    let (_, jobs) = leadflow::queue::LocalQueue::new();
    let app = TestApp {
        router: leadflow::api::app(state.clone()),
        state,
        stack: TestStack::new().await,
        jobs: tokio::sync::Mutex::new(jobs),
    };
    app.raw(http::Method::GET, "/api/health", &[], "").await
}

#[tokio::test]
async fn postgres_down_is_503() {
    let stack = TestStack::new().await;
    let dead =
        Db::connect(&format!("postgres://postgres@127.0.0.1:{}/x", closed_port()), &DbOptions::default()).unwrap();
    let (state, _) = AppState::local(test_config(&stack), dead, stack.mongo.clone()).unwrap();
    let r = health_of(state).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!((r.body["postgres"].as_str(), r.body["mongo"].as_str()), (Some("error"), Some("ok")));
    assert!(!r.text.contains("refused"), "no internals in the body: {}", r.text);
}

#[tokio::test]
async fn mongo_down_is_503() {
    let stack = TestStack::new().await;
    let dead = Mongo::connect(
        &format!("mongodb://127.0.0.1:{}/?directConnection=true&serverSelectionTimeoutMS=500", closed_port()),
        "x",
        1,
    )
    .await
    .unwrap();
    let (state, _) = AppState::local(test_config(&stack), stack.db.clone(), dead).unwrap();
    let r = health_of(state).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!((r.body["postgres"].as_str(), r.body["mongo"].as_str()), (Some("ok"), Some("error")));
}
