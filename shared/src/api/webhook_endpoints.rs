//! `/api/webhook-endpoints` and `/api/webhook-deliveries` (admins): where events are
//! sent, their secrets, and what each delivery did. Responses of receivers are shown
//! here only, to admins.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::crm::page_request;
use super::error::ApiResult;
use super::extract::{Id, Json, Query};
use super::openapi::{BodyErrors, Conflict, NotFound, StaffErrors};
use super::routes::Routes;
use super::teams::Items;
use crate::app::AppState;
use crate::domain::access::Need;
use crate::domain::webhook::{WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint};
use crate::services::Page;
use crate::services::webhooks::EndpointInput;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateEndpoint {
    /// `https://…` (plain `http` only to loopback, with `ALLOW_PRIVATE_WEBHOOK_TARGETS=true`).
    #[schema(max_length = 2048)]
    url: String,
    #[schema(max_length = 500)]
    description: Option<String>,
    /// Event types to deliver, or `["*"]` (the default) for every type.
    #[schema(min_items = 1)]
    event_types: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateEndpoint {
    #[schema(max_length = 2048)]
    url: Option<String>,
    #[schema(max_length = 500)]
    description: Option<String>,
    #[schema(min_items = 1)]
    event_types: Option<Vec<String>>,
    /// `true` re-enables an endpoint Leadflow disabled (and clears its failure streak).
    enabled: Option<bool>,
}

/// An endpoint with its signing secret: only when made or rotated. Not `Debug`.
#[derive(Serialize, ToSchema)]
struct WithSecret {
    #[serde(flatten)]
    endpoint: WebhookEndpoint,
    /// `whsec_…`: verify `webhook-signature` with it. Shown this once.
    secret: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListDeliveries {
    #[param(inline)]
    status: Option<WebhookDeliveryStatus>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/webhook-endpoints", tag = "webhook-endpoints",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Every endpoint admins made, newest first; never a secret", body = Items<WebhookEndpoint>), StaffErrors)
)]
async fn list(State(state): State<AppState>) -> ApiResult<axum::Json<Items<WebhookEndpoint>>> {
    Ok(axum::Json(Items { items: state.webhook_endpoints().list().await?, next_cursor: None }))
}

#[utoipa::path(post, path = "/api/webhook-endpoints", tag = "webhook-endpoints",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateEndpoint,
    responses((status = 201, description = "The endpoint, with its `secret` shown this once", body = WithSecret), StaffErrors, BodyErrors)
)]
async fn create(
    State(state): State<AppState>,
    Json(b): Json<CreateEndpoint>,
) -> ApiResult<(StatusCode, axum::Json<WithSecret>)> {
    let input =
        EndpointInput { url: Some(b.url), description: b.description, event_types: b.event_types, enabled: None };
    let (endpoint, secret) = state.webhook_endpoints().create(input).await?;
    Ok((StatusCode::CREATED, axum::Json(WithSecret { endpoint, secret: secret.expose().to_owned() })))
}

#[utoipa::path(get, path = "/api/webhook-endpoints/{id}", tag = "webhook-endpoints",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The id")),
    responses((status = 200, description = "The endpoint", body = WebhookEndpoint), StaffErrors, NotFound)
)]
async fn show(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<WebhookEndpoint>> {
    Ok(axum::Json(state.webhook_endpoints().get(id).await?))
}

#[utoipa::path(patch, path = "/api/webhook-endpoints/{id}", tag = "webhook-endpoints",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The id")),
    request_body = UpdateEndpoint,
    responses((status = 200, description = "The endpoint, changed", body = WebhookEndpoint), StaffErrors, BodyErrors, NotFound)
)]
async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(b): Json<UpdateEndpoint>,
) -> ApiResult<axum::Json<WebhookEndpoint>> {
    let input =
        EndpointInput { url: b.url, description: b.description, event_types: b.event_types, enabled: b.enabled };
    Ok(axum::Json(state.webhook_endpoints().update(id, input).await?))
}

#[utoipa::path(delete, path = "/api/webhook-endpoints/{id}", tag = "webhook-endpoints",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The id")),
    responses((status = 204, description = "Deleted, with its deliveries"), StaffErrors, NotFound)
)]
async fn remove(State(state): State<AppState>, Id(id): Id) -> ApiResult<StatusCode> {
    state.webhook_endpoints().delete(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/webhook-endpoints/{id}/rotate-secret", tag = "webhook-endpoints",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The id")),
    responses((status = 200, description = "A new `secret`, shown this once; the old one also signs for 24 hours", body = WithSecret), StaffErrors, NotFound)
)]
async fn rotate(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<WithSecret>> {
    let (endpoint, secret) = state.webhook_endpoints().rotate_secret(id, Utc::now()).await?;
    Ok(axum::Json(WithSecret { endpoint, secret: secret.expose().to_owned() }))
}

#[utoipa::path(get, path = "/api/webhook-endpoints/{id}/deliveries", tag = "webhook-endpoints",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The endpoint's id"), ListDeliveries),
    responses((status = 200, description = "Deliveries, newest first, each with its attempts (status, latency, the first kilobyte of the response)", body = Page<WebhookDelivery>), StaffErrors, NotFound)
)]
async fn deliveries(
    State(state): State<AppState>,
    Id(id): Id,
    Query(q): Query<ListDeliveries>,
) -> ApiResult<axum::Json<Page<WebhookDelivery>>> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    Ok(axum::Json(state.webhook_endpoints().deliveries(id, q.status, &page).await?))
}

#[utoipa::path(post, path = "/api/webhook-deliveries/{id}/retry", tag = "webhook-endpoints",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The delivery's id")),
    responses((status = 202, description = "Queued to be sent once more now (no automatic retries after)", body = WebhookDelivery), StaffErrors, NotFound, Conflict)
)]
async fn retry(State(state): State<AppState>, Id(id): Id) -> ApiResult<(StatusCode, axum::Json<WebhookDelivery>)> {
    Ok((StatusCode::ACCEPTED, axum::Json(state.webhook_endpoints().retry(id, Utc::now()).await?)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, show, update, remove, rotate, deliveries, retry))]
pub(super) struct WebhookEndpointsApi;

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .get("/api/webhook-endpoints", Need::Admin, list)
        .post_secret("/api/webhook-endpoints", Need::Admin, create)
        .get("/api/webhook-endpoints/{id}", Need::Admin, show)
        .patch("/api/webhook-endpoints/{id}", Need::Admin, update)
        .delete("/api/webhook-endpoints/{id}", Need::Admin, remove)
        .post_secret("/api/webhook-endpoints/{id}/rotate-secret", Need::Admin, rotate)
        .get("/api/webhook-endpoints/{id}/deliveries", Need::Admin, deliveries)
        .post("/api/webhook-deliveries/{id}/retry", Need::Admin, retry)
        .merge(super::hooks::routes(state))
}
