//! `/api/follow-ups`: sequences (CRUD and stats), enrolling and stopping a lead,
//! scheduling, listing and cancelling follow-ups, and a dispatch on demand.

use axum::Router;
use axum::extract::{RawPathParams, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::crm::page_request;
use super::error::{ApiError, ApiResult};
use super::extract::{Id, Json, Query};
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::access::Need;
use crate::domain::sequence::{FollowUpStatus, Sequence, SequenceSpec, SequenceTrigger, Template};
use crate::domain::text::ShortText;
use crate::domain::{Channel, FollowUp};
use crate::services::Page;
use crate::services::follow_ups::{AdHoc, DispatchReport, EnrolledBy, Enrollment, Target};
use crate::store::follow_ups::FollowUpFilter;
use crate::store::sequences::SequenceStats;

use super::openapi::{BodyErrors, Conflict, NotFound, StaffErrors};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListFollowUps {
    lead_id: Option<Uuid>,
    #[param(inline)]
    status: Option<FollowUpStatus>,
    sequence_id: Option<Uuid>,
    due_after: Option<DateTime<Utc>>,
    due_before: Option<DateTime<Utc>>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ScheduleFollowUp {
    lead_id: Uuid,
    /// Default: the channel the customer last wrote on.
    #[schema(value_type = Option<String>, pattern = "^(?:sms|email|chat)$")]
    channel: Option<Channel>,
    #[schema(value_type = Template)]
    text: String,
    subject: Option<ShortText>,
    /// Default: now. Moved into the recipient's lawful hours (08:00-21:00 their time).
    send_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
struct Stopped {
    stopped: usize,
}

#[utoipa::path(
    get,
    path = "/api/follow-ups/sequences",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "Every sequence", body = Vec<Sequence>),
        StaffErrors,
    )
)]
async fn list_sequences(State(state): State<AppState>) -> ApiResult<axum::Json<Vec<Sequence>>> {
    Ok(axum::Json(state.follow_ups().sequences().await?))
}

#[utoipa::path(
    post,
    path = "/api/follow-ups/sequences",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    request_body = SequenceSpec,
    responses(
        (status = 201, description = "The sequence, created", body = Sequence),
        StaffErrors, BodyErrors, Conflict,
    )
)]
async fn create_sequence(
    State(state): State<AppState>,
    Json(spec): Json<SequenceSpec>,
) -> ApiResult<(StatusCode, axum::Json<Sequence>)> {
    Ok((StatusCode::CREATED, axum::Json(state.follow_ups().create_sequence(&spec).await?)))
}

#[utoipa::path(
    get,
    path = "/api/follow-ups/sequences/{id}",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The sequence's id")),
    responses(
        (status = 200, description = "The sequence", body = Sequence),
        StaffErrors, NotFound,
    )
)]
async fn show_sequence(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Sequence>> {
    Ok(axum::Json(state.follow_ups().sequence(id).await?))
}

#[utoipa::path(
    put,
    path = "/api/follow-ups/sequences/{id}",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The sequence's id")),
    request_body = SequenceSpec,
    responses(
        (status = 200, description = "The sequence, replaced", body = Sequence),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn update_sequence(
    State(state): State<AppState>,
    Id(id): Id,
    Json(spec): Json<SequenceSpec>,
) -> ApiResult<axum::Json<Sequence>> {
    Ok(axum::Json(state.follow_ups().update_sequence(id, &spec).await?))
}

#[utoipa::path(
    delete,
    path = "/api/follow-ups/sequences/{id}",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The sequence's id")),
    responses(
        (status = 204, description = "Deleted"),
        StaffErrors, NotFound, Conflict,
    )
)]
async fn delete_sequence(State(state): State<AppState>, Id(id): Id) -> ApiResult<StatusCode> {
    state.follow_ups().delete_sequence(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/follow-ups/sequences/{id}/stats",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The sequence's id")),
    responses(
        (status = 200, description = "How the sequence's runs went", body = SequenceStats),
        StaffErrors, NotFound,
    )
)]
async fn stats(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<SequenceStats>> {
    Ok(axum::Json(state.follow_ups().stats(id).await?))
}

/// `{type}` is a trigger name (its active sequence) or a sequence id.
#[utoipa::path(
    post,
    path = "/api/follow-ups/{id}/sequence/{type}",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = uuid::Uuid, Path, description = "The lead's id"),
        ("type" = String, Path, pattern = "^(?:new_lead|no_show|quote_sent|manual|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", description = "A trigger name (its active sequence) or a sequence id"),
    ),
    responses(
        (status = 201, description = "The lead, enrolled", body = Enrollment),
        StaffErrors, NotFound, Conflict,
    )
)]
async fn enroll(
    State(state): State<AppState>,
    params: RawPathParams,
) -> ApiResult<(StatusCode, axum::Json<Enrollment>)> {
    let param = |name: &str| params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_owned()).unwrap_or_default();
    let lead_id =
        Uuid::parse_str(&param("id")).map_err(|_| ApiError::bad_param("lead_id", "lead_id must be a UUID"))?;
    let raw = param("type");
    let target = match (raw.parse::<SequenceTrigger>(), Uuid::parse_str(&raw)) {
        (Ok(trigger), _) => Target::Trigger(trigger),
        (Err(_), Ok(id)) => Target::Sequence(id),
        (Err(e), Err(_)) => return Err(ApiError::bad_param("type", format!("type {e}, or a sequence id"))),
    };
    // The lead is the resource in the path: an unknown one is a 404.
    let enrollment = state.follow_ups().enroll(lead_id, target, EnrolledBy::Staff).await?;
    Ok((StatusCode::CREATED, axum::Json(enrollment)))
}

#[utoipa::path(
    post,
    path = "/api/follow-ups/{id}/stop",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The lead's id")),
    responses(
        (status = 200, description = "How many runs were stopped", body = Stopped),
        StaffErrors, NotFound,
    )
)]
async fn stop(State(state): State<AppState>, params: RawPathParams) -> ApiResult<axum::Json<Stopped>> {
    let raw = params.iter().next().map(|(_, v)| v.to_owned()).unwrap_or_default();
    let lead_id = Uuid::parse_str(&raw).map_err(|_| ApiError::bad_param("lead_id", "lead_id must be a UUID"))?;
    Ok(axum::Json(Stopped { stopped: state.follow_ups().stop_lead(lead_id).await? }))
}

#[utoipa::path(
    post,
    path = "/api/follow-ups",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    request_body = ScheduleFollowUp,
    responses(
        (status = 201, description = "The follow-up, scheduled", body = FollowUp),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn schedule(
    State(state): State<AppState>,
    Json(body): Json<ScheduleFollowUp>,
) -> ApiResult<(StatusCode, axum::Json<FollowUp>)> {
    let text = Template::parse(&body.text).map_err(|e| ApiError::validation("text", format!("text {e}")))?;
    if body.channel == Some(Channel::Form) {
        return Err(ApiError::validation("channel", "channel must be one of: sms, email, chat"));
    }
    let a = AdHoc {
        lead_id: body.lead_id,
        channel: body.channel,
        text,
        subject: body.subject.map(|s| s.as_str().to_owned()),
        send_at: body.send_at,
    };
    Ok((StatusCode::CREATED, axum::Json(state.follow_ups().schedule(a).await?)))
}

#[utoipa::path(
    get,
    path = "/api/follow-ups",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    params(ListFollowUps),
    responses(
        (status = 200, description = "A page of follow-ups", body = Page<FollowUp>),
        StaffErrors,
    )
)]
async fn list(State(state): State<AppState>, Query(q): Query<ListFollowUps>) -> ApiResult<axum::Json<Page<FollowUp>>> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let filter = FollowUpFilter {
        lead_id: q.lead_id,
        status: q.status,
        sequence_id: q.sequence_id,
        due_after: q.due_after,
        due_before: q.due_before,
    };
    Ok(axum::Json(state.follow_ups().list(&filter, &page).await?))
}

#[utoipa::path(
    get,
    path = "/api/follow-ups/{id}",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The follow-up's id")),
    responses(
        (status = 200, description = "The follow-up", body = FollowUp),
        StaffErrors, NotFound,
    )
)]
async fn show(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<FollowUp>> {
    Ok(axum::Json(state.follow_ups().get(id).await?))
}

#[utoipa::path(
    delete,
    path = "/api/follow-ups/{id}",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The follow-up's id")),
    responses(
        (status = 200, description = "The follow-up, cancelled", body = FollowUp),
        StaffErrors, NotFound, Conflict,
    )
)]
async fn cancel(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<FollowUp>> {
    Ok(axum::Json(state.follow_ups().cancel(id).await?))
}

#[utoipa::path(
    post,
    path = "/api/follow-ups/send/pending",
    tag = "follow-ups",
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "What the dispatch queued", body = DispatchReport),
        StaffErrors,
    )
)]
async fn send_pending(State(state): State<AppState>) -> ApiResult<axum::Json<DispatchReport>> {
    Ok(axum::Json(state.follow_up_dispatcher().dispatch(Utc::now()).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    schedule,
    list_sequences,
    create_sequence,
    show_sequence,
    update_sequence,
    delete_sequence,
    stats,
    send_pending,
    show,
    cancel,
    enroll,
    stop
))]
pub(super) struct FollowUpsApi;

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .get("/api/follow-ups", Need::Read, list)
        .post("/api/follow-ups", Need::Write, schedule)
        .get("/api/follow-ups/sequences", Need::Read, list_sequences)
        .post("/api/follow-ups/sequences", Need::Admin, create_sequence)
        .get("/api/follow-ups/sequences/{id}", Need::Read, show_sequence)
        .put("/api/follow-ups/sequences/{id}", Need::Admin, update_sequence)
        .delete("/api/follow-ups/sequences/{id}", Need::Admin, delete_sequence)
        .get("/api/follow-ups/sequences/{id}/stats", Need::Read, stats)
        // Sends every due follow-up now: an operator's lever, not an agent's.
        .post("/api/follow-ups/send/pending", Need::Admin, send_pending)
        .get("/api/follow-ups/{id}", Need::Read, show)
        .delete("/api/follow-ups/{id}", Need::Write, cancel)
        // `{id}` is the lead's here: one name per position, as the router requires.
        .post("/api/follow-ups/{id}/sequence/{type}", Need::Write, enroll)
        .post("/api/follow-ups/{id}/stop", Need::Write, stop)
}

pub fn router(state: AppState) -> Router {
    routes(&state).finish()
}
