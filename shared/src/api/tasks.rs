//! `/api/tasks`: human work routed to teams; `/api/teams` and `/api/agents`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
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

#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateTask {
    status: Option<TaskStatus>,
    title: Option<ShortText>,
    #[serde(default)]
    description: crate::domain::Patch<LongText>,
    priority: Option<Priority>,
    #[serde(default)]
    due_date: crate::domain::Patch<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListTasks {
    #[serde(rename = "type")]
    task_type: Option<TaskType>,
    status: Option<TaskStatus>,
    assigned_to: Option<Uuid>,
    lead_id: Option<Uuid>,
    overdue: Option<bool>,
    limit: Option<i64>,
    cursor: Option<String>,
}

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

async fn show(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Task>> {
    Ok(axum::Json(state.tasks().get(id).await?))
}

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

async fn assign(
    State(state): State<AppState>,
    Id(id): Id,
    OptionalJson(body): OptionalJson<AssignBody>,
) -> ApiResult<axum::Json<Task>> {
    Ok(axum::Json(state.tasks().assign_task(id, body.and_then(|b| b.agent_id)).await?))
}

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
