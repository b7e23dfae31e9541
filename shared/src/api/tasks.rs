//! `/api/tasks`: human work routed to teams; `/api/teams` and `/api/agents`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::crm::page_request;
use super::error::{ApiError, ApiResult};
use super::extract::{Id, Json, OptionalJson, Query};
use super::leads::{AssignBody, check_agent};
use crate::app::AppState;
use crate::bus::DomainEvent;
use crate::domain::assignment::sla;
use crate::domain::text::{LongText, ShortText};
use crate::domain::{NewTask, Priority, Task, TaskStatus, TaskType};
use crate::store::tasks::TaskFilter;
use crate::store::{Page, StoreError, leads, settings, tasks};
use crate::workers::routing::{assign_task, create_task, route_message};

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

/// Dates far outside any plausible schedule (Postgres refuses years beyond 294276, chrono
/// accepts negative ones) are refused here, naming the field.
fn plausible(field: &str, at: Option<DateTime<Utc>>) -> ApiResult<()> {
    use chrono::Datelike;
    match at {
        Some(t) if !(1970..=9999).contains(&t.year()) => {
            Err(ApiError::validation(field, format!("{field} must be a date between 1970 and 9999")))
        }
        _ => Ok(()),
    }
}

fn lead_missing(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound(_) => ApiError::validation("lead_id", "lead_id does not refer to a lead"),
        other => other.into(),
    }
}

async fn create(
    State(state): State<AppState>,
    Json(body): Json<CreateTask>,
) -> ApiResult<(StatusCode, axum::Json<Task>)> {
    plausible("due_date", body.due_date)?;
    let (lead, settings) = {
        let conn = state.db.conn().await?;
        let lead = leads::get_by_id(&*conn, body.lead_id).await.map_err(lead_missing)?;
        check_agent(&*conn, body.assigned_to, "assigned_to").await?;
        (lead, settings::load(&*conn).await?)
    };
    let priority = body.priority.unwrap_or(lead.priority);
    let due = body
        .due_date
        .unwrap_or_else(|| settings.business_hours.add_open_time(Utc::now(), settings.time_zone, sla(priority)));
    let new = NewTask {
        lead_id: lead.id,
        message_id: None,
        title: body.title,
        description: body.description,
        task_type: body.task_type,
        priority,
        assigned_to: body.assigned_to,
        due_date: Some(due),
    };
    let (task, _) = create_task(&state, new).await?;
    Ok((StatusCode::CREATED, axum::Json(task)))
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
    let conn = state.db.conn().await?;
    Ok(axum::Json(tasks::list(&*conn, &filter, &page).await?))
}

async fn show(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Task>> {
    let conn = state.db.conn().await?;
    Ok(axum::Json(tasks::get_by_id(&*conn, id).await?))
}

async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(body): Json<UpdateTask>,
) -> ApiResult<axum::Json<Task>> {
    let mut conn = state.db.conn().await?;
    let tx = conn.transaction().await.map_err(StoreError::from)?;
    if let crate::domain::Patch::Set(due) = body.due_date {
        plausible("due_date", Some(due))?;
    }
    let mut task = tasks::get_for_update(&tx, id).await?;
    let before = task.status;
    if let Some(next) = body.status {
        if !task.status.can_become(next) {
            return Err(ApiError::validation("status", format!("a {} task cannot become {next}", task.status)));
        }
        task.status = next;
    }
    if let Some(t) = body.title {
        task.title = t;
    }
    if let Some(p) = body.priority {
        task.priority = p;
    }
    task.description = body.description.apply(task.description);
    task.due_date = body.due_date.apply(task.due_date);
    let task = tasks::save(&tx, &task).await?;
    tx.commit().await.map_err(StoreError::from)?;
    if before != task.status {
        let data = serde_json::json!({"lead_id": task.lead_id, "from": before, "to": task.status});
        crate::events::emit(&state, vec![DomainEvent::new("task.status_changed", task.id, data)]).await;
    }
    Ok(axum::Json(task))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteBody {
    /// Overrides the team the analysis chose.
    task_type: Option<TaskType>,
}

/// Routes the lead's latest analysed inbound message to a task (the same task when
/// that message was routed before).
async fn route(
    State(state): State<AppState>,
    axum::extract::Path(raw): axum::extract::Path<String>,
    OptionalJson(body): OptionalJson<RouteBody>,
) -> ApiResult<(StatusCode, axum::Json<Task>)> {
    let lead_id = Uuid::parse_str(&raw).map_err(|_| ApiError::bad_param("lead_id", "lead_id must be a UUID"))?;
    {
        let conn = state.db.conn().await?;
        leads::get_by_id(&*conn, lead_id).await?;
    }
    let messages = state.mongo.messages().inbound_for_lead(lead_id, 20).await?;
    let Some(mut message) = messages.into_iter().rev().find(|m| m.analysis.is_some()) else {
        return Err(ApiError::validation("lead_id", "the lead has no analysed message to route"));
    };
    if let (Some(kind), Some(a)) = (body.and_then(|b| b.task_type), message.analysis.as_mut()) {
        a.team = match kind {
            TaskType::Sales => crate::domain::analysis::Team::Sales,
            TaskType::Support => crate::domain::analysis::Team::Support,
            TaskType::Technical => crate::domain::analysis::Team::Technical,
        };
    }
    match route_message(&state, &message).await? {
        Some((task, true)) => Ok((StatusCode::CREATED, axum::Json(task))),
        Some((task, false)) => Ok((StatusCode::OK, axum::Json(task))),
        None => Err(ApiError::validation(
            "lead_id",
            "the lead's latest message needs no person (spam, opt-out or small talk)",
        )),
    }
}

async fn assign(
    State(state): State<AppState>,
    Id(id): Id,
    OptionalJson(body): OptionalJson<AssignBody>,
) -> ApiResult<axum::Json<Task>> {
    Ok(axum::Json(assign_task(&state, id, body.and_then(|b| b.agent_id)).await?))
}

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/api/tasks", get(list).post(create))
        .route("/api/tasks/{id}", get(show).put(update).patch(update))
        .route("/api/tasks/{id}/route", post(route))
        .route("/api/tasks/{id}/assign", post(assign))
        .merge(super::teams::routes());
    let routes = super::staff(routes, &state).with_state(state.clone());
    super::finish(routes, &state)
}
