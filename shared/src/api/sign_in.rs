//! `/api/auth`: sign in with e-mail and password, refresh, sign out, and who am I.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiResult;
use super::extract::Json;
use super::request_info::client_ip;
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::Email;
use crate::domain::access::{Actor, Grant, Need, Role, Scope};
use crate::domain::user::User;
use crate::services::accounts::Session;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    email: Email,
    password: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshBody {
    refresh_token: String,
}

/// OAuth 2.0's token response shape (RFC 6749 §5.1), plus the user.
#[derive(Debug, Serialize)]
struct Tokens {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    expires_at: DateTime<Utc>,
    refresh_token: String,
    refresh_expires_at: DateTime<Utc>,
    user: User,
}

fn tokens(s: Session, now: DateTime<Utc>) -> Tokens {
    Tokens {
        expires_in: (s.access.expires_at - now).num_seconds(),
        access_token: s.access.token,
        token_type: "Bearer",
        expires_at: s.access.expires_at,
        refresh_token: s.refresh_token,
        refresh_expires_at: s.refresh_expires_at,
        user: s.user,
    }
}

async fn login(State(state): State<AppState>, parts: Parts, Json(b): Json<Login>) -> ApiResult<axum::Json<Tokens>> {
    let now = Utc::now();
    let session = state.accounts().login(&b.email, &b.password, &client_ip(&parts), now).await?;
    Ok(axum::Json(tokens(session, now)))
}

async fn refresh(State(state): State<AppState>, Json(b): Json<RefreshBody>) -> ApiResult<axum::Json<Tokens>> {
    let now = Utc::now();
    Ok(axum::Json(tokens(state.accounts().refresh(&b.refresh_token, now).await?, now)))
}

async fn logout(State(state): State<AppState>, Json(b): Json<RefreshBody>) -> ApiResult<StatusCode> {
    state.accounts().logout(&b.refresh_token, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
struct Me {
    actor: Actor,
    /// A person's role; `None` for an API key.
    role: Option<Role>,
    /// An API key's scopes; `None` for a person.
    scopes: Option<Vec<Scope>>,
    agent_id: Option<Uuid>,
    /// The account, for a Leadflow user.
    user: Option<User>,
}

async fn me(State(state): State<AppState>, Caller(p): Caller) -> ApiResult<axum::Json<Me>> {
    let user = match &p.actor {
        Actor::User { id } => Some(state.accounts().user(*id).await?),
        Actor::ApiKey { .. } | Actor::BootstrapKey { .. } | Actor::External { .. } | Actor::LocalOperator => None,
    };
    let (role, scopes) = match p.grant {
        Grant::Role(r) => (Some(r), None),
        Grant::Scopes(s) => (None, Some(s)),
    };
    Ok(axum::Json(Me { actor: p.actor, role, scopes, agent_id: p.agent_id, user }))
}

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .public_post("/api/auth/login", login)
        .public_post("/api/auth/refresh", refresh)
        .public_post("/api/auth/logout", logout)
        .get("/api/auth/me", Need::Read, me)
}
