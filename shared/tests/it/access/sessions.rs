//! Signing in, refreshing, signing out; what a token must be to be accepted.

use std::time::Instant;

use http::{Method, StatusCode};
use leadflow::auth::tokens::{AccessTokens, Subject};
use leadflow::domain::access::Role;
use serde_json::json;

use super::{PASSWORD, create_user, login, post_anonymous, token_for};
use crate::common::TestApp;

#[tokio::test]
async fn a_user_signs_in_and_is_known() {
    let app = TestApp::new().await;
    let (email, id) = create_user(&app, "agent").await;
    let r = login(&app, &email.to_uppercase(), PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    assert!(r.body["refresh_token"].as_str().unwrap().starts_with("lfr_"));
    assert_eq!(r.body["user"]["id"], id.as_str());
    assert!(r.body["user"].get("password_hash").is_none());
    let token = r.body["access_token"].as_str().unwrap();
    let me = app.call_as(token, Method::GET, "/api/auth/me", None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body["actor"], json!({"type": "user", "id": id}));
    assert_eq!(me.body["role"], "agent");
    assert_eq!(me.body["user"]["email"], email.as_str());
    assert!(me.body["user"]["last_login_at"].is_string());
}

#[tokio::test]
async fn wrong_passwords_and_unknown_emails_get_the_same_answer() {
    let app = TestApp::new().await;
    let (email, _) = create_user(&app, "viewer").await;
    let wrong = login(&app, &email, "not the password at all").await;
    let unknown = login(&app, "nobody@example.com", PASSWORD).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, unknown.body, "the answer does not say which addresses have accounts");
    let bad = post_anonymous(&app, "/api/auth/login", json!({"email": "not-an-email", "password": "x"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_field(), Some("email"));
}

/// Both refusals spend one argon2 verification; the medians differ by noise only (a
/// skipped hash would make unknown e-mails ~10× faster).
#[tokio::test]
async fn login_timing_does_not_reveal_accounts() {
    let app = TestApp::with_config(|c| c.access.per_caller_per_minute = 10_000).await;
    let (email, _) = create_user(&app, "viewer").await;
    let median = async |email: &str| {
        let mut times = Vec::new();
        for _ in 0..7 {
            let start = Instant::now();
            let r = login(&app, email, "wrong password here").await;
            times.push(start.elapsed());
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
        }
        times.sort();
        times[times.len() / 2]
    };
    let unknown = median(&format!("ghost-{}@example.com", uuid::Uuid::new_v4().simple())).await;
    let known = median(&email).await;
    let ratio = known.as_secs_f64() / unknown.as_secs_f64();
    assert!((0.5..2.0).contains(&ratio), "known {known:?} vs unknown {unknown:?}");
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_account() {
    let app = TestApp::new().await;
    let (email, _) = create_user(&app, "viewer").await;
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(login(&app, &email, "wrong password here").await.status);
    }
    assert!(statuses[..10].iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
    let limited = login(&app, &email, PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits: {}", limited.text);
    assert!(limited.headers.contains_key("retry-after"));
    // From another address the owner still signs in: a stranger cannot lock them out.
    let body = json!({"email": email, "password": PASSWORD}).to_string();
    let headers = [("content-type", "application/json"), ("x-forwarded-for", "198.51.100.23")];
    let elsewhere = app.raw(Method::POST, "/api/auth/login", &headers, body).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.text);
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_ends_the_sign_in() {
    let app = TestApp::new().await;
    let (email, _) = create_user(&app, "agent").await;
    let first = login(&app, &email, PASSWORD).await.body["refresh_token"].as_str().unwrap().to_owned();
    let r = post_anonymous(&app, "/api/auth/refresh", json!({"refresh_token": first})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let second = r.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first, "each refresh issues a new token");
    assert!(
        app.call_as(r.body["access_token"].as_str().unwrap(), Method::GET, "/api/auth/me", None).await.status == 200
    );
    // The old token comes back: someone has a copy. The whole family ends.
    let reused = post_anonymous(&app, "/api/auth/refresh", json!({"refresh_token": first})).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    assert!(reused.body["error"]["message"].as_str().unwrap().contains("already used"));
    let after = post_anonymous(&app, "/api/auth/refresh", json!({"refresh_token": second})).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "the newest token of the family is revoked too");
    // Another sign-in of the same user is a family of its own and still works.
    let other = login(&app, &email, PASSWORD).await.body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(post_anonymous(&app, "/api/auth/refresh", json!({"refresh_token": other})).await.status, 200);
}

#[tokio::test]
async fn a_disabled_users_refresh_fails_and_logout_ends_a_session() {
    let app = TestApp::new().await;
    let (email, id) = create_user(&app, "agent").await;
    let refresh = login(&app, &email, PASSWORD).await.body["refresh_token"].as_str().unwrap().to_owned();
    let r = app.call(Method::PATCH, &format!("/api/users/{id}"), Some(json!({"disabled": true}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let refused = post_anonymous(&app, "/api/auth/refresh", json!({"refresh_token": refresh})).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, &email, PASSWORD).await.status, StatusCode::UNAUTHORIZED);

    let (email, _) = create_user(&app, "viewer").await;
    let refresh = login(&app, &email, PASSWORD).await.body["refresh_token"].as_str().unwrap().to_owned();
    let out = post_anonymous(&app, "/api/auth/logout", json!({"refresh_token": refresh})).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(post_anonymous(&app, "/api/auth/logout", json!({"refresh_token": refresh})).await.status, 204);
    let r = post_anonymous(&app, "/api/auth/refresh", json!({"refresh_token": refresh})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = post_anonymous(&app, "/api/auth/refresh", json!({"refresh_token": "lfr_made-up"})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_tampered_and_foreign_tokens_get_401() {
    const SECRET: &[u8] = b"the signing secret of this test..";
    let app = TestApp::with_config(|c| {
        c.access.jwt_secret = Some(String::from_utf8_lossy(SECRET).into_owned().into());
    })
    .await;
    let good = token_for(&app, "admin").await;
    assert_eq!(app.call_as(&good, Method::GET, "/api/leads", None).await.status, 200);
    let a = &app.state.config.access;
    let secret = SECRET.to_vec();
    let subject = Subject { user_id: uuid::Uuid::now_v7(), role: Role::Admin, agent_id: None };
    let ours = AccessTokens::new(&secret, &a.jwt_issuer, &a.jwt_audience, a.access_ttl);
    let sanity = ours.issue(subject, chrono::Utc::now()).token;
    assert_eq!(
        app.call_as(&sanity, Method::GET, "/api/leads", None).await.status,
        200,
        "the test signs as the app does"
    );
    let expired = ours.issue(subject, chrono::Utc::now() - chrono::Duration::minutes(20)).token;
    let wrong_aud =
        AccessTokens::new(&secret, &a.jwt_issuer, "another-api", a.access_ttl).issue(subject, chrono::Utc::now()).token;
    let wrong_iss =
        AccessTokens::new(&secret, "someone", &a.jwt_audience, a.access_ttl).issue(subject, chrono::Utc::now()).token;
    let wrong_key =
        AccessTokens::new(b"a different secret of 32 bytes!!", &a.jwt_issuer, &a.jwt_audience, a.access_ttl)
            .issue(subject, chrono::Utc::now())
            .token;
    let mut tampered = good.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    for (what, token) in [
        ("expired", expired),
        ("wrong audience", wrong_aud),
        ("wrong issuer", wrong_iss),
        ("wrong key", wrong_key),
        ("tampered", tampered),
        ("garbage", "eyJhbGciOiJub25lIn0.e30.".into()),
    ] {
        let r = app.call_as(&token, Method::GET, "/api/leads", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}: {}", r.text);
        assert_eq!(r.headers["www-authenticate"], "Bearer realm=\"leadflow\", error=\"invalid_token\"", "{what}");
    }
}

/// A local server without keys is open, but a signed-in user is still known as themselves.
#[tokio::test]
async fn the_open_local_server_still_knows_who_signed_in() {
    let app = TestApp::with_config(|c| {
        c.api_keys.clear();
        c.auth_disabled = true;
    })
    .await;
    let anonymous = app.raw(Method::GET, "/api/auth/me", &[("authorization", "Bearer ")], "").await;
    assert_eq!(anonymous.status, StatusCode::OK, "{}", anonymous.text);
    assert_eq!(anonymous.body["actor"], json!({"type": "local_operator"}));
    let r = post_anonymous(
        &app,
        "/api/users",
        json!({"email": "o@example.com", "name": "O", "role": "admin", "password": PASSWORD}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let token = login(&app, "o@example.com", PASSWORD).await.body["access_token"].as_str().unwrap().to_owned();
    let me = app.call_as(&token, Method::GET, "/api/auth/me", None).await;
    assert_eq!(me.body["actor"]["type"], "user", "{}", me.text);
}

#[tokio::test]
async fn expired_sign_ins_are_pruned_and_live_ones_kept() {
    let app = TestApp::new().await;
    let (email, _) = create_user(&app, "viewer").await;
    login(&app, &email, PASSWORD).await;
    let count = async || {
        let conn = app.state.db.conn().await.unwrap();
        conn.query_one("SELECT count(*) FROM refresh_tokens", &[]).await.unwrap().get::<_, i64>(0)
    };
    assert_eq!(count().await, 1);
    let conn = app.state.db.conn().await.unwrap();
    assert_eq!(
        leadflow::store::users::prune_sessions(&*conn, chrono::Utc::now()).await.unwrap(),
        0,
        "a live sign-in stays"
    );
    let later = chrono::Utc::now() + chrono::Duration::days(31);
    assert_eq!(leadflow::store::users::prune_sessions(&*conn, later).await.unwrap(), 1);
    assert_eq!(count().await, 0);
}
