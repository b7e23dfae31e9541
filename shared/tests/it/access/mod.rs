//! Access control: sign-in and sessions, API keys, users, the role × route table,
//! per-caller rate limits, and the actor on events.

mod keys;
mod matrix;
mod sessions;
mod users;

use http::Method;
use serde_json::{Value, json};

use crate::common::{TestApp, TestResponse};

pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// A JSON POST without credentials.
pub(crate) async fn post_anonymous(app: &TestApp, uri: &str, body: Value) -> TestResponse {
    app.raw(Method::POST, uri, &[("content-type", "application/json")], body.to_string()).await
}

/// Creates a user with `role` (through the bootstrap key); returns its email and id.
pub(crate) async fn create_user(app: &TestApp, role: &str) -> (String, String) {
    let email = format!("{role}-{}@example.com", uuid::Uuid::new_v4().simple());
    let r = app
        .post("/api/users", json!({"email": email, "name": format!("A {role}"), "role": role, "password": PASSWORD}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    (email, r.body["id"].as_str().unwrap().to_owned())
}

/// Signs in; the token response.
pub(crate) async fn login(app: &TestApp, email: &str, password: &str) -> TestResponse {
    post_anonymous(app, "/api/auth/login", json!({"email": email, "password": password})).await
}

/// A signed-in user of `role`: their access token.
pub(crate) async fn token_for(app: &TestApp, role: &str) -> String {
    let (email, _) = create_user(app, role).await;
    let r = login(app, &email, PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["access_token"].as_str().unwrap().to_owned()
}

/// A managed API key with `scopes`: the secret and the key's id.
pub(crate) async fn api_key(app: &TestApp, scopes: &[&str]) -> (String, String) {
    let r = app.post("/api/keys", json!({"name": format!("key {}", scopes.join("+")), "scopes": scopes})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    (r.body["key"].as_str().unwrap().to_owned(), r.body["id"].as_str().unwrap().to_owned())
}

/// The events of `event_type` written to the outbox, as stored.
pub(crate) async fn recorded(app: &TestApp, event_type: &str) -> Vec<Value> {
    let conn = app.state.db.conn().await.unwrap();
    let rows =
        conn.query("SELECT payload FROM outbox WHERE event_type = $1 ORDER BY seq", &[&event_type]).await.unwrap();
    rows.iter().map(|r| r.get::<_, Value>("payload")).collect()
}
