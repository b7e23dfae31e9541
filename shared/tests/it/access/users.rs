//! Users managed by admins: fields checked, the last admin kept, actors recorded.

use http::{Method, StatusCode};
use serde_json::json;

use super::{PASSWORD, create_user, login, token_for};
use crate::common::TestApp;

#[tokio::test]
async fn admins_create_read_update_and_delete_users() {
    let app = TestApp::new().await;
    let (email, id) = create_user(&app, "viewer").await;
    let dup = app
        .post(
            "/api/users",
            json!({"email": email.to_uppercase(), "name": "Twin", "role": "viewer", "password": PASSWORD}),
        )
        .await;
    assert_eq!((dup.status, dup.error_field()), (StatusCode::CONFLICT, Some("email")), "{}", dup.text);
    let weak = app
        .post("/api/users", json!({"email": "w@example.com", "name": "W", "role": "agent", "password": "short"}))
        .await;
    assert_eq!((weak.status, weak.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("password")));
    let role = app
        .post("/api/users", json!({"email": "r@example.com", "name": "R", "role": "owner", "password": PASSWORD}))
        .await;
    assert_eq!((role.status, role.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("role")), "{}", role.text);
    let agent = app.post("/api/users", json!({"email": "a@example.com", "name": "A", "role": "agent", "password": PASSWORD, "agent_id": uuid::Uuid::now_v7()})).await;
    assert_eq!(
        (agent.status, agent.error_field()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("agent_id")),
        "{}",
        agent.text
    );

    let list = app.get("/api/users").await;
    assert_eq!(list.ids(), vec![id.clone()]);
    let r =
        app.call(Method::PATCH, &format!("/api/users/{id}"), Some(json!({"role": "agent", "name": "Renamed"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.body["role"].as_str(), r.body["name"].as_str()), (Some("agent"), Some("Renamed")));
    let r =
        app.call(Method::PATCH, &format!("/api/users/{id}"), Some(json!({"password": "a brand new password"}))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(login(&app, &email, PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, &email, "a brand new password").await.status, StatusCode::OK);
    assert_eq!(app.delete(&format!("/api/users/{id}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/users/{id}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_last_admin_stays() {
    let app = TestApp::new().await;
    let (_, admin) = create_user(&app, "admin").await;
    for change in [json!({"role": "agent"}), json!({"disabled": true})] {
        let r = app.call(Method::PATCH, &format!("/api/users/{admin}"), Some(change)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    }
    assert_eq!(app.delete(&format!("/api/users/{admin}")).await.status, StatusCode::CONFLICT);
    let (_, second) = create_user(&app, "admin").await;
    let r = app.call(Method::PATCH, &format!("/api/users/{admin}"), Some(json!({"role": "viewer"}))).await;
    assert_eq!(r.status, StatusCode::OK, "with another admin the first may step down");
    assert_eq!(app.delete(&format!("/api/users/{second}")).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn writes_record_who_made_them() {
    let app = TestApp::new().await;
    let (email, user_id) = create_user(&app, "agent").await;
    let token = login(&app, &email, PASSWORD).await.body["access_token"].as_str().unwrap().to_owned();
    let customer = app.post("/api/crm/customers", json!({"name": "Ann", "email": "ann@example.com"})).await;
    let lead = app.call_as(&token, Method::POST, "/api/leads", Some(json!({"customer_id": customer.body["id"]}))).await;
    assert_eq!(lead.status, StatusCode::CREATED, "{}", lead.text);
    let r = app
        .call_as(
            &token,
            Method::PATCH,
            &format!("/api/leads/{}", lead.body["id"].as_str().unwrap()),
            Some(json!({"status": "contacted"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let user = json!({"type": "user", "id": user_id});
    assert_eq!(super::recorded(&app, "lead.created").await[0]["actor"], user);
    assert_eq!(super::recorded(&app, "lead.status_changed").await[0]["actor"], user);
    // A viewer's token reads but is refused the same write.
    let viewer = token_for(&app, "viewer").await;
    let r = app
        .call_as(
            &viewer,
            Method::PATCH,
            &format!("/api/leads/{}", lead.body["id"].as_str().unwrap()),
            Some(json!({"status": "lost"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.headers["www-authenticate"], "Bearer realm=\"leadflow\", error=\"insufficient_scope\"");
    assert_eq!(
        r.body["error"]["message"],
        "the viewer role does not allow changing leads, conversations, tasks, bookings and follow-ups"
    );
}

#[tokio::test]
async fn callers_are_rate_limited_with_ietf_headers() {
    let app = TestApp::with_config(|c| c.access.per_caller_per_minute = 3).await;
    let token = token_for(&app, "viewer").await;
    let minute = chrono::Utc::now().timestamp() / 60;
    let mut last = None;
    for n in 0..4 {
        let r = app.call_as(&token, Method::GET, "/api/leads", None).await;
        assert_eq!(r.headers["ratelimit-policy"], "\"caller\";q=3;w=60");
        if n < 3 {
            assert_eq!(r.status, StatusCode::OK);
            assert!(r.headers["ratelimit"].to_str().unwrap().starts_with(&format!("\"caller\";r={};t=", 2 - n)));
        }
        last = Some(r);
    }
    if chrono::Utc::now().timestamp() / 60 != minute {
        return; // a window ended mid-test; the contract test covers counting
    }
    let r = last.unwrap();
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    // Another caller has its own window.
    let other = token_for(&app, "viewer").await;
    assert_eq!(app.call_as(&other, Method::GET, "/api/leads", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_demoted_admin_loses_admin_routes_at_once() {
    let app = TestApp::new().await;
    let (email, id) = create_user(&app, "admin").await;
    create_user(&app, "admin").await;
    let token = login(&app, &email, PASSWORD).await.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.call_as(&token, Method::GET, "/api/users", None).await.status, StatusCode::OK);
    let r = app.call(Method::PATCH, &format!("/api/users/{id}"), Some(json!({"role": "viewer"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app.call_as(&token, Method::POST, "/api/keys", Some(json!({"name": "x", "scopes": ["admin"]}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the token still says admin, the account does not: {}", r.text);
    assert_eq!(
        app.call_as(&token, Method::GET, "/api/leads", None).await.status,
        StatusCode::OK,
        "reading lapses with the token"
    );
}
