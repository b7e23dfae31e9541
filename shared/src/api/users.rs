//! `/api/users` and `/api/keys`: staff accounts and managed API keys (admins only).

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::Caller;
use super::error::{ApiError, ApiResult, FieldContext};
use super::extract::{Id, Json};
use super::routes::Routes;
use super::teams::Items;
use crate::app::AppState;
use crate::auth::password::Password;
use crate::domain::access::{Need, Role, Scope};
use crate::domain::text::ShortText;
use crate::domain::user::{ApiKey, KeyName, NewApiKey, NewUser, User};
use crate::domain::{Email, Patch};
use crate::services::users::UserChanges;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateUser {
    email: Email,
    name: ShortText,
    role: Role,
    password: String,
    agent_id: Option<Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateUser {
    name: Option<ShortText>,
    role: Option<Role>,
    #[serde(default)]
    agent_id: Patch<Uuid>,
    disabled: Option<bool>,
    password: Option<String>,
}

async fn list_users(State(state): State<AppState>) -> ApiResult<axum::Json<Items<User>>> {
    Ok(axum::Json(Items { items: state.users().list().await?, next_cursor: None }))
}

async fn create_user(
    State(state): State<AppState>,
    Json(b): Json<CreateUser>,
) -> ApiResult<(StatusCode, axum::Json<User>)> {
    let password = Password::parse(&b.password).field("password")?;
    let new = NewUser { email: b.email, name: b.name, role: b.role, agent_id: b.agent_id };
    Ok((StatusCode::CREATED, axum::Json(state.users().create(&new, &password).await?)))
}

async fn show_user(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<User>> {
    Ok(axum::Json(state.users().get(id).await?))
}

async fn update_user(
    State(state): State<AppState>,
    Id(id): Id,
    Json(b): Json<UpdateUser>,
) -> ApiResult<axum::Json<User>> {
    let password = b.password.as_deref().map(Password::parse).transpose().field("password")?;
    let changes = UserChanges { name: b.name, role: b.role, agent_id: b.agent_id, disabled: b.disabled, password };
    Ok(axum::Json(state.users().update(id, changes).await?))
}

async fn delete_user(State(state): State<AppState>, Id(id): Id) -> ApiResult<StatusCode> {
    state.users().delete(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateKey {
    name: KeyName,
    scopes: Vec<Scope>,
    expires_at: Option<DateTime<Utc>>,
}

/// A new key: the only response that ever holds its secret.
#[derive(Debug, Serialize)]
struct CreatedKey {
    #[serde(flatten)]
    record: ApiKey,
    key: String,
}

async fn list_keys(State(state): State<AppState>) -> ApiResult<axum::Json<Items<ApiKey>>> {
    Ok(axum::Json(Items { items: state.api_keys().list().await?, next_cursor: None }))
}

async fn create_key(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Json(b): Json<CreateKey>,
) -> ApiResult<(StatusCode, axum::Json<CreatedKey>)> {
    if b.scopes.is_empty() {
        return Err(ApiError::validation("scopes", "scopes needs at least one of read, write, admin, intake"));
    }
    let mut scopes = b.scopes;
    scopes.sort_unstable();
    scopes.dedup();
    let new = NewApiKey { name: b.name, scopes, expires_at: b.expires_at, created_by: Some(caller.actor) };
    let (record, secret) = state.api_keys().create(&new, Utc::now()).await?;
    Ok((StatusCode::CREATED, axum::Json(CreatedKey { record, key: secret.expose_secret().to_owned() })))
}

async fn revoke_key(State(state): State<AppState>, Id(id): Id) -> ApiResult<StatusCode> {
    state.api_keys().revoke(id, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .get("/api/users", Need::Admin, list_users)
        .post("/api/users", Need::Admin, create_user)
        .get("/api/users/{id}", Need::Admin, show_user)
        .patch("/api/users/{id}", Need::Admin, update_user)
        .delete("/api/users/{id}", Need::Admin, delete_user)
        .get("/api/keys", Need::Admin, list_keys)
        .post_secret("/api/keys", Need::Admin, create_key)
        .delete("/api/keys/{id}", Need::Admin, revoke_key)
}
