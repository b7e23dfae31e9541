//! Tasks. `tasks_message_id_task_type_key` makes routing the same message twice as the
//! same kind yield one task.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::sql::{Sql, get, p, parse_opt, parse_req};
use super::{Page, PageRequest, Scope, StoreError};
use crate::domain::text::{LongText, ShortText};
use crate::domain::{NewTask, Task, TaskStatus, TaskType};

const COLUMNS: &str = "id, lead_id, message_id, title, description, task_type, status, priority, assigned_to, due_date, created_at, updated_at";

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub task_type: Option<TaskType>,
    pub status: Option<TaskStatus>,
    pub assigned_to: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    /// Open or in progress with a due date before this instant.
    pub overdue_at: Option<DateTime<Utc>>,
}

fn from_row(row: &Row) -> Result<Task, StoreError> {
    Ok(Task {
        id: get(row, "id")?,
        lead_id: get(row, "lead_id")?,
        message_id: get(row, "message_id")?,
        title: parse_req(row, "title", ShortText::parse)?,
        description: parse_opt(row, "description", LongText::parse)?,
        task_type: parse_req(row, "task_type", str::parse)?,
        status: parse_req(row, "status", str::parse)?,
        priority: parse_req(row, "priority", str::parse)?,
        assigned_to: get(row, "assigned_to")?,
        due_date: get(row, "due_date")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

fn one(rows: Vec<Row>) -> Result<Task, StoreError> {
    rows.first().map(from_row).ok_or(StoreError::NotFound("task"))?
}

/// Creates the task; a task already made for the same message is returned instead
/// (`created` tells which).
pub async fn insert(c: &impl GenericClient, new: &NewTask) -> Result<(Task, bool), StoreError> {
    let sql = format!(
        "INSERT INTO tasks (id, lead_id, message_id, title, description, task_type, priority, assigned_to, due_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (message_id, task_type) DO NOTHING RETURNING {COLUMNS}"
    );
    let rows = c
        .query_typed(
            &sql,
            &[
                p(&Uuid::now_v7()),
                p(&new.lead_id),
                p(&new.message_id),
                p(&new.title.as_str()),
                p(&new.description.as_ref().map(super::super::domain::text::Text::as_str)),
                p(&new.task_type.as_str()),
                p(&new.priority.as_str()),
                p(&new.assigned_to),
                p(&new.due_date),
            ],
        )
        .await?;
    if let Some(row) = rows.first() {
        return Ok((from_row(row)?, true));
    }
    let message_id = new.message_id.ok_or(StoreError::NotFound("task"))?;
    let sql = format!("SELECT {COLUMNS} FROM tasks WHERE message_id = $1 AND task_type = $2");
    let existing = c.query_typed(&sql, &[p(&message_id), p(&new.task_type.as_str())]).await?;
    Ok((one(existing)?, false))
}

pub async fn get_by_id(c: &impl GenericClient, id: Uuid) -> Result<Task, StoreError> {
    one(c.query_typed(&format!("SELECT {COLUMNS} FROM tasks WHERE id = $1"), &[p(&id)]).await?)
}

pub async fn get_for_update(c: &impl GenericClient, id: Uuid) -> Result<Task, StoreError> {
    one(c.query_typed(&format!("SELECT {COLUMNS} FROM tasks WHERE id = $1 FOR UPDATE"), &[p(&id)]).await?)
}

/// Writes every editable column of `task`.
pub async fn save(c: &impl GenericClient, t: &Task) -> Result<Task, StoreError> {
    let sql = format!(
        "UPDATE tasks SET title = $2, description = $3, status = $4, priority = $5, assigned_to = $6, due_date = $7,
                completed_at = CASE WHEN $4 IN ('done', 'cancelled') THEN coalesce(completed_at, now()) ELSE NULL END,
                updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    let rows = c
        .query_typed(
            &sql,
            &[
                p(&t.id),
                p(&t.title.as_str()),
                p(&t.description.as_ref().map(super::super::domain::text::Text::as_str)),
                p(&t.status.as_str()),
                p(&t.priority.as_str()),
                p(&t.assigned_to),
                p(&t.due_date),
            ],
        )
        .await?;
    one(rows)
}

/// Newest first.
pub async fn list(c: &impl GenericClient, f: &TaskFilter, page: &PageRequest) -> Result<Page<Task>, StoreError> {
    // `overdue_at` is "now" at each request, so only whether it is set names the list.
    let overdue = f.overdue_at.is_some();
    let scope = Scope::of("tasks", &(f.task_type, f.status, f.assigned_to, f.lead_id, overdue));
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM tasks WHERE true"));
    sql.and("task_type", "=", f.task_type.map(TaskType::as_str))
        .and("status", "=", f.status.map(TaskStatus::as_str))
        .and("assigned_to", "=", f.assigned_to)
        .and("lead_id", "=", f.lead_id);
    if let Some(at) = f.overdue_at {
        sql.push(" AND status IN ('open', 'in_progress') AND due_date < ").bind(at);
    }
    if let Some((at, id)) = page.after::<(DateTime<Utc>, Uuid)>(&scope).map_err(|_| StoreError::InvalidCursor)? {
        sql.push(" AND (created_at, id) < (").bind(at).push(", ").bind(id).push(")");
    }
    sql.push(" ORDER BY created_at DESC, id DESC LIMIT ").bind(page.fetch());
    let items = sql.query(c).await?.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_fetched(items, page, &scope, |t| (t.created_at, t.id)))
}

/// Open and in-progress tasks per agent, for least-loaded assignment.
pub async fn open_counts(c: &impl GenericClient, agents: &[Uuid]) -> Result<Vec<(Uuid, i64)>, StoreError> {
    let rows = c
        .query_typed(
            "SELECT a AS agent, count(t.id) AS open
             FROM unnest($1::uuid[]) AS a
             LEFT JOIN tasks t ON t.assigned_to = a AND t.status IN ('open', 'in_progress')
             GROUP BY a",
            &[p(&agents.to_vec())],
        )
        .await?;
    rows.iter().map(|r| Ok((get(r, "agent")?, get(r, "open")?))).collect()
}
