//! `/api/hooks`: Zapier's REST hooks, called by a Zapier integration with an API key
//! (`write` scope: a subscription is a standing export, and the integration's actions
//! need `write` anyway).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{Id, Json};
use super::openapi::{BodyErrors, NotFound, StaffErrors};
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::access::Need;

#[derive(Debug, Deserialize, ToSchema)]
struct Subscribe {
    /// Zapier's `bundle.targetUrl`.
    #[schema(max_length = 2048)]
    target_url: String,
    /// One event type, e.g. `lead.created`.
    event: String,
}

#[derive(Debug, Serialize, ToSchema)]
struct Subscribed {
    id: Uuid,
}

#[utoipa::path(post, path = "/api/hooks", tag = "webhook-endpoints",
    description = "Zapier's subscribe call. Unknown fields Zapier adds are ignored.",
    security(("bearer" = []), ("api_key" = [])),
    request_body = Subscribe,
    responses((status = 201, description = "Subscribed; keep `id` to unsubscribe", body = Subscribed), StaffErrors, BodyErrors)
)]
async fn subscribe(
    State(state): State<AppState>,
    Json(b): Json<Subscribe>,
) -> ApiResult<(StatusCode, axum::Json<Subscribed>)> {
    let id = state.hooks().subscribe(&b.target_url, b.event.trim()).await?;
    Ok((StatusCode::CREATED, axum::Json(Subscribed { id })))
}

#[utoipa::path(delete, path = "/api/hooks/{id}", tag = "webhook-endpoints",
    description = "Zapier's unsubscribe call; only the key (or user) that subscribed may end it (admins delete any through `/api/webhook-endpoints`).",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The subscription's id")),
    responses((status = 204, description = "Unsubscribed"), StaffErrors, NotFound)
)]
async fn unsubscribe(State(state): State<AppState>, Id(id): Id) -> ApiResult<StatusCode> {
    state.hooks().unsubscribe(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/hooks/samples/{event}", tag = "webhook-endpoints",
    description = "Zapier's \"perform list\": the newest real events of the type, shaped as deliveries.",
    security(("bearer" = []), ("api_key" = [])),
    params(("event" = String, Path, description = "An event type, e.g. `lead.created`")),
    responses((status = 200, description = "Up to three, newest first", body = Vec<Object>), StaffErrors, BodyErrors)
)]
async fn samples(
    State(state): State<AppState>,
    Path(event): Path<String>,
) -> ApiResult<axum::Json<Vec<serde_json::Value>>> {
    Ok(axum::Json(state.hooks().samples(&event).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(subscribe, unsubscribe, samples))]
pub(super) struct HooksApi;

pub(super) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .post("/api/hooks", Need::Write, subscribe)
        .delete("/api/hooks/{id}", Need::Write, unsubscribe)
        .get("/api/hooks/samples/{event}", Need::Read, samples)
}
