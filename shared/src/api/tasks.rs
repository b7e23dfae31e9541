//! `/api/tasks`: human work routed to teams; `/api/teams` and `/api/agents`.

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
use super::leads::AssignBody;
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::access::Need;
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Priority, Task, TaskStatus, TaskType};
use crate::services::Page;
use crate::services::tasks::TaskFilter;
use crate::services::tasks::{self, TaskChanges};

use super::leads::RouteBody;
use super::openapi::{BodyErrors, Conflict, NotFound, StaffErrors};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateTask {
    lead_id: Uuid,
    title: ShortText,
    description: Option<LongText>,
    task_type: TaskType,
    priority: Option<Priority>,
    assigned_to: Option<Uuid>,
    due_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateTask {
    status: Option<TaskStatus>,
    title: Option<ShortText>,
    #[serde(default)]
    description: crate::domain::Patch<LongText>,
    priority: Option<Priority>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    due_date: crate::domain::Patch<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListTasks {
    #[serde(rename = "type")]
    #[param(inline)]
    task_type: Option<TaskType>,
    #[param(inline)]
    status: Option<TaskStatus>,
    assigned_to: Option<Uuid>,
    lead_id: Option<Uuid>,
    /// Only tasks past their due date and not done.
    overdue: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/tasks",
    tag = "tasks",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateTask,
    responses(
        (status = 201, description = "The task, created", body = Task),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn create(
    State(state): State<AppState>,
    Json(body): Json<CreateTask>,
) -> ApiResult<(StatusCode, axum::Json<Task>)> {
    let create = tasks::CreateTask {
        lead_id: body.lead_id,
        title: body.title,
        description: body.description,
        task_type: body.task_type,
        priority: body.priority,
        assigned_to: body.assigned_to,
        due_date: body.due_date,
    };
    Ok((StatusCode::CREATED, axum::Json(state.tasks().create(create).await?)))
}

#[utoipa::path(
    get,
    path = "/api/tasks",
    tag = "tasks",
    security(("bearer" = []), ("api_key" = [])),
    params(ListTasks),
    responses(
        (status = 200, description = "A page of tasks", body = Page<Task>),
        StaffErrors,
    )
)]
async fn list(State(state): State<AppState>, Query(q): Query<ListTasks>) -> ApiResult<axum::Json<Page<Task>>> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let filter = TaskFilter {
        task_type: q.task_type,
        status: q.status,
        assigned_to: q.assigned_to,
        lead_id: q.lead_id,
        overdue_at: q.overdue.filter(|o| *o).map(|_| Utc::now()),
    };
    Ok(axum::Json(state.tasks().list(&filter, &page).await?))
}

#[utoipa::path(
    get,
    path = "/api/tasks/{id}",
    tag = "tasks",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The task's id")),
    responses(
        (status = 200, description = "The task", body = Task),
        StaffErrors, NotFound,
    )
)]
async fn show(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Task>> {
    Ok(axum::Json(state.tasks().get(id).await?))
}

#[utoipa::path(
    method(put, patch),
    path = "/api/tasks/{id}",
    tag = "tasks",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The task's id")),
    request_body = UpdateTask,
    responses(
        (status = 200, description = "The task, changed", body = Task),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(body): Json<UpdateTask>,
) -> ApiResult<axum::Json<Task>> {
    let changes = TaskChanges {
        status: body.status,
        title: body.title,
        description: body.description,
        priority: body.priority,
        due_date: body.due_date,
    };
    Ok(axum::Json(state.tasks().update(id, changes).await?))
}

#[utoipa::path(
    post,
    path = "/api/tasks/{id}/assign",
    tag = "tasks",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The task's id")),
    request_body(content = Option<super::leads::AssignBody>, description = "Optional; empty lets the team pick"),
    responses(
        (status = 200, description = "The task, assigned", body = Task),
        (status = 409, description = "No available agent, or the task cannot be assigned now", body = super::openapi::ErrorBody),
        StaffErrors, BodyErrors, NotFound,
    )
)]
async fn assign(
    State(state): State<AppState>,
    Id(id): Id,
    OptionalJson(body): OptionalJson<AssignBody>,
) -> ApiResult<axum::Json<Task>> {
    Ok(axum::Json(state.tasks().assign_task(id, body.and_then(|b| b.agent_id)).await?))
}

/// `POST /api/tasks/{lead_id}/route` is served by `leads::route`; this stub only
/// describes that path (a handler carries one path).
#[utoipa::path(
    post,
    path = "/api/tasks/{lead_id}/route",
    tag = "tasks",
    security(("bearer" = []), ("api_key" = [])),
    params(("lead_id" = Uuid, Path, description = "The lead's id (the path `/api/leads/{id}/route` first had)")),
    request_body(content = Option<RouteBody>, description = "Optional; overrides the team the analysis chose"),
    responses(
        (status = 200, description = "The task made before for that message", body = Task),
        (status = 201, description = "A task, created", body = Task),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
#[allow(dead_code)]
fn route_by_lead() {}

#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, show, update, assign, route_by_lead))]
pub(super) struct TasksApi;

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .get("/api/tasks", Need::Read, list)
        .post("/api/tasks", Need::Write, create)
        .get("/api/tasks/{id}", Need::Read, show)
        .put_patch("/api/tasks/{id}", Need::Write, update)
        .post("/api/tasks/{lead_id}/route", Need::Write, super::leads::route)
        .post("/api/tasks/{id}/assign", Need::Write, assign)
        .merge(super::teams::routes(state))
}

pub fn router(state: AppState) -> Router {
    routes(&state).finish()
}
