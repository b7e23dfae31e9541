//! API Gateway v2 events from `events/` through lambda_http's adapter into the router the
//! `api-crm` function serves, and the Lambda response back out.

use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Context, LambdaEvent, Service};
use serde_json::Value;

use crate::common::TestApp;

fn fixture(name: &str) -> LambdaRequest {
    let path = format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not an API Gateway v2 event: {e}"))
}

/// Runs one event through the adapter; returns the Lambda response as JSON.
async fn invoke(app: &TestApp, event: &str) -> Value {
    let router = leadflow::api::crm::lambda_router(app.state.clone());
    let mut adapter: Adapter<'_, _, _> = Adapter::from(router);
    let response = adapter.call(LambdaEvent::new(fixture(event), Context::default())).await.expect("infallible");
    serde_json::to_value(response).expect("response serialises")
}

fn body(resp: &Value) -> Value {
    serde_json::from_str(resp["body"].as_str().unwrap_or("null")).expect("JSON body")
}

#[tokio::test]
async fn create_then_list_through_api_gateway_events() {
    let app = TestApp::new().await;
    let created = invoke(&app, "apigw-v2-crm-create-customer.json").await;
    assert_eq!(created["statusCode"], 201, "{created}");
    assert_eq!(created["headers"]["content-type"], "application/json");
    let customer = body(&created);
    assert_eq!(customer["email"], "dana@example.com");
    assert_eq!(customer["phone"], "+14155552671");

    let listed = invoke(&app, "apigw-v2-crm-list-customers.json").await;
    assert_eq!(listed["statusCode"], 200, "{listed}");
    let page = body(&listed);
    assert_eq!(page["items"][0]["id"], customer["id"]);
    assert!(page["next_cursor"].is_null());

    let again = invoke(&app, "apigw-v2-crm-create-customer.json").await;
    assert_eq!(again["statusCode"], 409);
}

#[tokio::test]
async fn health_through_api_gateway_event() {
    let app = TestApp::new().await;
    let resp = invoke(&app, "apigw-v2-health.json").await;
    assert_eq!(resp["statusCode"], 200, "{resp}");
    assert_eq!(body(&resp)["postgres"], "ok");
}

fn event_json(name: &str) -> String {
    let path = format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test]
async fn sqs_event_fixture_runs_through_the_worker_handler() {
    let app = TestApp::new().await;
    let event: aws_lambda_events::sqs::SqsEvent =
        serde_json::from_str(&event_json("sqs-process-message.json")).unwrap();
    let deadline = chrono::Utc::now() + chrono::Duration::minutes(15);
    let response = leadflow::workers::sqs::handle_batch(&app.state, event, deadline).await;
    // The first record names a message that does not exist (skipped, done); the second is no job.
    let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(failed, ["4c8e2a4e-8a63-4f9e-9d3b-0f6f1d2f1a02"]);
}

#[tokio::test]
async fn scheduled_event_fixture_runs_the_schedule() {
    let app = TestApp::new().await;
    let _event: serde_json::Value = serde_json::from_str(&event_json("scheduled-every-minute.json")).unwrap();
    let result = leadflow::workers::schedule::tick(&app.state, chrono::Utc::now()).await.unwrap();
    assert_eq!(result["requeued_messages"], 0);
}
