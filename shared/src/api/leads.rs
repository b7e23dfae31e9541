//! `/api/leads`: the sales pipeline. Status moves only along the funnel; every change is
//! published as an event and synced to Salesforce when configured. The family also
//! serves `/api/analytics` (the pipeline's summary).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::crm::page_request;
use super::error::ApiResult;
use super::extract::{Id, Json, OptionalJson, Query};
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::access::Need;
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Lead, LeadStatus, Patch, Priority, Score, Task, TaskType};
use crate::services::Page;
use crate::services::leads::{self, LeadChanges, LeadView};
use crate::services::leads::{LeadFilter, LeadSort};
use crate::store::qualifications::StoredQualification;

use super::openapi::{BodyErrors, Conflict, NotFound, StaffErrors};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateLead {
    customer_id: Uuid,
    requirements: Option<LongText>,
    timeline: Option<ShortText>,
    budget: Option<ShortText>,
    assigned_to: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateLead {
    status: Option<LeadStatus>,
    #[serde(default)]
    requirements: Patch<LongText>,
    #[serde(default)]
    timeline: Patch<ShortText>,
    #[serde(default)]
    budget: Patch<ShortText>,
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    assigned_to: Patch<Uuid>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListLeads {
    #[param(inline)]
    status: Option<LeadStatus>,
    #[param(inline)]
    priority: Option<Priority>,
    assigned_to: Option<Uuid>,
    customer_id: Option<Uuid>,
    #[param(inline)]
    min_score: Option<Score>,
    created_after: Option<DateTime<Utc>>,
    created_before: Option<DateTime<Utc>>,
    /// `recent` (default) or `score`, highest first.
    #[param(inline)]
    sort: Option<SortKey>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum SortKey {
    Score,
    Recent,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignBody {
    /// The agent to assign; without it the lead's team picks one.
    pub(crate) agent_id: Option<Uuid>,
}

#[utoipa::path(
    post,
    path = "/api/leads",
    tag = "leads",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateLead,
    responses(
        (status = 201, description = "The lead, created", body = Lead),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn create(
    State(state): State<AppState>,
    Json(body): Json<CreateLead>,
) -> ApiResult<(StatusCode, axum::Json<Lead>)> {
    let create = leads::CreateLead {
        customer_id: body.customer_id,
        requirements: body.requirements,
        timeline: body.timeline,
        budget: body.budget,
        assigned_to: body.assigned_to,
    };
    Ok((StatusCode::CREATED, axum::Json(state.leads().create(create).await?)))
}

#[utoipa::path(
    get,
    path = "/api/leads",
    tag = "leads",
    security(("bearer" = []), ("api_key" = [])),
    params(ListLeads),
    responses(
        (status = 200, description = "A page of leads", body = Page<Lead>),
        StaffErrors,
    )
)]
async fn list(State(state): State<AppState>, Query(q): Query<ListLeads>) -> ApiResult<axum::Json<Page<Lead>>> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let filter = LeadFilter {
        status: q.status,
        priority: q.priority,
        assigned_to: q.assigned_to,
        customer_id: q.customer_id,
        min_score: q.min_score,
        created_after: q.created_after,
        created_before: q.created_before,
        sort: match q.sort {
            Some(SortKey::Score) => LeadSort::Score,
            Some(SortKey::Recent) | None => LeadSort::Recent,
        },
    };
    Ok(axum::Json(state.leads().list(&filter, &page).await?))
}

/// The lead with its customer and latest qualification.
#[utoipa::path(
    get,
    path = "/api/leads/{id}",
    tag = "leads",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The lead's id")),
    responses(
        (status = 200, description = "The lead with its customer and latest qualification", body = LeadView),
        StaffErrors, NotFound,
    )
)]
async fn show(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<LeadView>> {
    Ok(axum::Json(state.leads().show(id).await?))
}

#[utoipa::path(
    method(put, patch),
    path = "/api/leads/{id}",
    tag = "leads",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The lead's id")),
    request_body = UpdateLead,
    responses(
        (status = 200, description = "The lead, changed", body = Lead),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(body): Json<UpdateLead>,
) -> ApiResult<axum::Json<Lead>> {
    let changes = LeadChanges {
        status: body.status,
        requirements: body.requirements,
        timeline: body.timeline,
        budget: body.budget,
        assigned_to: body.assigned_to,
    };
    Ok(axum::Json(state.leads().update(id, changes).await?))
}

/// The lead and the qualification just computed.
#[derive(serde::Serialize, ToSchema)]
struct Qualified {
    lead: Lead,
    qualification: StoredQualification,
}

#[utoipa::path(
    post,
    path = "/api/leads/{id}/qualify",
    tag = "leads",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The lead's id")),
    responses(
        (status = 200, description = "The lead, scored again", body = Qualified),
        StaffErrors, NotFound, Conflict,
    )
)]
async fn qualify_now(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Qualified>> {
    let (lead, qualification) = state.leads().qualify(id).await?;
    Ok(axum::Json(Qualified { lead, qualification }))
}

#[utoipa::path(
    post,
    path = "/api/leads/{id}/assign",
    tag = "leads",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The lead's id")),
    request_body(content = Option<AssignBody>, description = "Optional; empty lets the team pick"),
    responses(
        (status = 200, description = "The lead, assigned", body = Lead),
        (status = 409, description = "No available agent, or the agent cannot take it", body = super::openapi::ErrorBody),
        StaffErrors, BodyErrors, NotFound,
    )
)]
async fn assign(
    State(state): State<AppState>,
    Id(id): Id,
    OptionalJson(body): OptionalJson<AssignBody>,
) -> ApiResult<axum::Json<Lead>> {
    let agent = body.and_then(|b| b.agent_id);
    Ok(axum::Json(state.leads().assign(id, agent).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RouteBody {
    /// Overrides the team the analysis chose.
    task_type: Option<TaskType>,
}

/// Routes the lead's latest analysed inbound message to a task: 201 when a task was
/// created, 200 with the task made before for that message.
/// Also served as `/api/tasks/{lead_id}/route`, the path it first had.
#[utoipa::path(
    post,
    path = "/api/leads/{id}/route",
    tag = "leads",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The lead's id")),
    request_body(content = Option<RouteBody>, description = "Optional; overrides the team the analysis chose"),
    responses(
        (status = 200, description = "The task made before for that message", body = Task),
        (status = 201, description = "A task, created", body = Task),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
pub(crate) async fn route(
    State(state): State<AppState>,
    axum::extract::Path(raw): axum::extract::Path<String>,
    OptionalJson(body): OptionalJson<RouteBody>,
) -> ApiResult<(StatusCode, axum::Json<Task>)> {
    let lead_id =
        Uuid::parse_str(&raw).map_err(|_| super::error::ApiError::bad_param("lead_id", "lead_id must be a UUID"))?;
    let (task, created) = state.tasks().route_lead(lead_id, body.and_then(|b| b.task_type)).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, axum::Json(task)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, show, update, qualify_now, assign, route))]
pub(super) struct LeadsApi;

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .get("/api/leads", Need::Read, list)
        // A web form or an integration's `intake` key may hand in leads.
        .post("/api/leads", Need::Intake, create)
        .get("/api/leads/{id}", Need::Read, show)
        .put_patch("/api/leads/{id}", Need::Write, update)
        .post("/api/leads/{id}/qualify", Need::Write, qualify_now)
        .post("/api/leads/{id}/route", Need::Write, route)
        .post("/api/leads/{id}/assign", Need::Write, assign)
        .merge(super::analytics::routes(state))
}

pub fn router(state: AppState) -> Router {
    routes(&state).finish()
}
