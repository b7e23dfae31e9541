//! Teams and agents for routing tests, created through the API.

use serde_json::{Value, json};

use super::TestApp;

pub(crate) async fn team(app: &TestApp, name: &str, kind: &str, assignment: &str) -> String {
    let r = app.post("/api/teams", json!({"name": name, "kind": kind, "assignment": assignment})).await;
    assert_eq!(r.status, http::StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

pub(crate) async fn agent(app: &TestApp, team_id: &str, name: &str, available: bool) -> Value {
    let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
    let r = app
        .post("/api/agents", json!({"name": name, "email": email, "team_id": team_id, "available": available}))
        .await;
    assert_eq!(r.status, http::StatusCode::CREATED, "{}", r.text);
    r.body
}

/// A lead of a fresh customer, created through the API.
pub(crate) async fn lead(app: &TestApp, email: &str) -> Value {
    let c = app.post("/api/crm/customers", json!({"email": email})).await;
    assert_eq!(c.status, http::StatusCode::CREATED, "{}", c.text);
    let l = app.post("/api/leads", json!({"customer_id": c.body["id"]})).await;
    assert_eq!(l.status, http::StatusCode::CREATED, "{}", l.text);
    l.body
}
