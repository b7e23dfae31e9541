//! `/api/users` and `/api/keys`: staff accounts and managed API keys (admins only).

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Caller;
use super::error::{ApiError, ApiResult, FieldContext};
use super::extract::{Id, Json};
use super::openapi::{BodyErrors, Conflict, NotFound, StaffErrors};
use super::routes::Routes;
use super::teams::Items;
use crate::app::AppState;
use crate::auth::password::Password;
use crate::domain::access::{Need, Role, Scope};
use crate::domain::text::ShortText;
use crate::domain::user::{ApiKey, KeyName, NewApiKey, NewUser, User};
use crate::domain::{Email, Patch};
use crate::services::users::UserChanges;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateUser {
    email: Email,
    name: ShortText,
    role: Role,
    /// 12 to 128 characters, not only spaces.
    #[schema(min_length = 12, max_length = 128, pattern = r"\S")]
    password: String,
    /// The agent record this person works as.
    agent_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateUser {
    name: Option<ShortText>,
    role: Option<Role>,
    /// `null` unlinks the agent record.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    agent_id: Patch<Uuid>,
    disabled: Option<bool>,
    #[schema(min_length = 12, max_length = 128, pattern = r"\S")]
    password: Option<String>,
}

#[utoipa::path(get, path = "/api/users", tag = "access",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Every staff user", body = Items<User>), StaffErrors)
)]
async fn list_users(State(state): State<AppState>) -> ApiResult<axum::Json<Items<User>>> {
    Ok(axum::Json(Items { items: state.users().list().await?, next_cursor: None }))
}

#[utoipa::path(post, path = "/api/users", tag = "access",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateUser,
    responses((status = 201, description = "The user, created", body = User), StaffErrors, BodyErrors, Conflict)
)]
async fn create_user(
    State(state): State<AppState>,
    Json(b): Json<CreateUser>,
) -> ApiResult<(StatusCode, axum::Json<User>)> {
    let password = Password::parse(&b.password).field("password")?;
    let new = NewUser { email: b.email, name: b.name, role: b.role, agent_id: b.agent_id };
    Ok((StatusCode::CREATED, axum::Json(state.users().create(&new, &password).await?)))
}

#[utoipa::path(get, path = "/api/users/{id}", tag = "access",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The id")),
    responses((status = 200, description = "The user", body = User), StaffErrors, NotFound)
)]
async fn show_user(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<User>> {
    Ok(axum::Json(state.users().get(id).await?))
}

#[utoipa::path(patch, path = "/api/users/{id}", tag = "access",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The id")),
    request_body = UpdateUser,
    responses((status = 200, description = "The user, changed (a new password, a lower role or disabling ends their sign-ins)", body = User), StaffErrors, BodyErrors, NotFound, Conflict)
)]
async fn update_user(
    State(state): State<AppState>,
    Id(id): Id,
    Json(b): Json<UpdateUser>,
) -> ApiResult<axum::Json<User>> {
    let password = b.password.as_deref().map(Password::parse).transpose().field("password")?;
    let changes = UserChanges { name: b.name, role: b.role, agent_id: b.agent_id, disabled: b.disabled, password };
    Ok(axum::Json(state.users().update(id, changes).await?))
}

#[utoipa::path(delete, path = "/api/users/{id}", tag = "access",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The id")),
    responses((status = 204, description = "Deleted"), StaffErrors, NotFound, Conflict)
)]
async fn delete_user(State(state): State<AppState>, Id(id): Id) -> ApiResult<StatusCode> {
    state.users().delete(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateKey {
    name: KeyName,
    #[schema(min_items = 1)]
    scopes: Vec<Scope>,
    /// When the key stops working; in the future. Absent or `null`: never.
    expires_at: Option<DateTime<Utc>>,
}

/// A new key: the only response that ever holds its secret.
#[derive(Debug, Serialize, ToSchema)]
struct CreatedKey {
    #[serde(flatten)]
    record: ApiKey,
    key: String,
}

#[utoipa::path(get, path = "/api/keys", tag = "access",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Every key, newest first, revoked ones included; never a secret", body = Items<ApiKey>), StaffErrors)
)]
async fn list_keys(State(state): State<AppState>) -> ApiResult<axum::Json<Items<ApiKey>>> {
    Ok(axum::Json(Items { items: state.api_keys().list().await?, next_cursor: None }))
}

#[utoipa::path(post, path = "/api/keys", tag = "access",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateKey,
    responses((status = 201, description = "The key, with its secret `key` shown this once", body = CreatedKey), StaffErrors, BodyErrors)
)]
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

#[utoipa::path(delete, path = "/api/keys/{id}", tag = "access",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The id")),
    responses((status = 204, description = "Revoked (also when it already was)"), StaffErrors, NotFound)
)]
async fn revoke_key(State(state): State<AppState>, Id(id): Id) -> ApiResult<StatusCode> {
    state.api_keys().revoke(id, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_users, create_user, show_user, update_user, delete_user, list_keys, create_key, revoke_key))]
pub(super) struct UsersApi;

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
