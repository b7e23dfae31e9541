//! `/api/auth`: sign in with e-mail and password, refresh, sign out, and who am I.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiResult;
use super::extract::Json;
use super::openapi::{BodyErrors, ErrorBody, StaffErrors};
use super::request_info::client_ip;
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::Email;
use crate::domain::access::{Actor, Grant, Need, Role, Scope};
use crate::domain::user::User;
use crate::services::accounts::Session;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Login {
    email: Email,
    #[schema(min_length = 1, max_length = 1024)]
    password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RefreshBody {
    /// The `refresh_token` of the last sign-in or refresh (`lfr_...`).
    refresh_token: String,
}

/// OAuth 2.0's token response shape (RFC 6749 §5.1), plus the user.
#[derive(Debug, Serialize, ToSchema)]
struct Tokens {
    access_token: String,
    #[schema(value_type = String, example = "Bearer")]
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

#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "access",
    request_body = Login,
    responses(
        (status = 200, description = "Signed in: an access token (15 minutes) and a refresh token (used once)", body = Tokens),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "The e-mail or password is not right, or the account is disabled", body = ErrorBody),
        BodyErrors, SignInLimited,
    )
)]
async fn login(State(state): State<AppState>, parts: Parts, Json(b): Json<Login>) -> ApiResult<axum::Json<Tokens>> {
    let now = Utc::now();
    let session = state.accounts().login(&b.email, &b.password, &client_ip(&parts), now).await?;
    Ok(axum::Json(tokens(session, now)))
}

#[utoipa::path(
    post,
    path = "/api/auth/refresh",
    tag = "access",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "The next access and refresh tokens; the one presented is spent", body = Tokens),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Unknown, expired, revoked or already used (which ends the sign-in), or the account is disabled", body = ErrorBody),
        BodyErrors, SignInLimited,
    )
)]
async fn refresh(State(state): State<AppState>, Json(b): Json<RefreshBody>) -> ApiResult<axum::Json<Tokens>> {
    let now = Utc::now();
    Ok(axum::Json(tokens(state.accounts().refresh(&b.refresh_token, now).await?, now)))
}

#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "access",
    request_body = RefreshBody,
    responses(
        (status = 204, description = "The sign-in the token belongs to is ended (also when it already was)"),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        BodyErrors, SignInLimited,
    )
)]
async fn logout(State(state): State<AppState>, Json(b): Json<RefreshBody>) -> ApiResult<StatusCode> {
    state.accounts().logout(&b.refresh_token, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
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

#[utoipa::path(
    get,
    path = "/api/auth/me",
    tag = "access",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Who the credentials speak for", body = Me), StaffErrors)
)]
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

/// The sign-in routes answer 429 past their limits, and 503 when a store is down.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // a description of responses, never built
enum SignInLimited {
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds until attempts are counted afresh")))]
    TooMany(ErrorBody),
    #[response(status = 503, headers(("Retry-After" = u64, description = "Seconds to wait before retrying")))]
    Unavailable(ErrorBody),
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(login, refresh, logout, me))]
pub(super) struct SignInApi;

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .public_post("/api/auth/login", login)
        .public_post("/api/auth/refresh", refresh)
        .public_post("/api/auth/logout", logout)
        .get("/api/auth/me", Need::Read, me)
}
