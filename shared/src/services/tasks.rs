//! Tasks: human work for the sales, support and technical teams.

use chrono::{DateTime, Datelike, Utc};
use uuid::Uuid;

use super::{FollowOn, Relay, ServiceError, ServiceResult, record};
use crate::domain::assignment::sla;
use crate::domain::event::TaskStatusChanged;
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Event, NewTask, Patch, Priority, Task, TaskStatus, TaskType};
use crate::store::mongo::Mongo;
pub use crate::store::tasks::TaskFilter;
use crate::store::{Db, Page, PageRequest, StoreError, leads, settings, tasks};

/// What task work needs: the records, the conversation, and where results go.
#[derive(Clone, Copy)]
pub struct Tasks<'a> {
    pub db: &'a Db,
    pub mongo: &'a Mongo,
    pub relay: &'a Relay,
    pub follow_on: FollowOn<'a>,
}

/// A task staff create by hand.
#[derive(Debug)]
pub struct CreateTask {
    pub lead_id: Uuid,
    pub title: ShortText,
    pub description: Option<LongText>,
    pub task_type: TaskType,
    /// The lead's priority when `None`.
    pub priority: Option<Priority>,
    pub assigned_to: Option<Uuid>,
    /// Within the priority's SLA, in business hours, when `None`.
    pub due_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Default)]
pub struct TaskChanges {
    pub status: Option<TaskStatus>,
    pub title: Option<ShortText>,
    pub description: Patch<LongText>,
    pub priority: Option<Priority>,
    pub due_date: Patch<DateTime<Utc>>,
}

/// Dates far outside any plausible schedule (Postgres refuses years beyond 294276, chrono
/// accepts negative ones) are refused, naming the field.
fn plausible(field: &str, at: Option<DateTime<Utc>>) -> ServiceResult<()> {
    match at {
        Some(t) if !(1970..=9999).contains(&t.year()) => {
            Err(ServiceError::invalid(field, format!("{field} must be a date between 1970 and 9999")))
        }
        _ => Ok(()),
    }
}

impl Tasks<'_> {
    pub async fn create(&self, body: CreateTask) -> ServiceResult<Task> {
        plausible("due_date", body.due_date)?;
        let (lead, settings) = {
            let conn = self.db.conn().await?;
            let lead = leads::get_by_id(&*conn, body.lead_id)
                .await
                .map_err(|e| ServiceError::from(e).not_found_as("lead_id", "lead"))?;
            super::teams::check_agent(&*conn, body.assigned_to, "assigned_to").await?;
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
        Ok(self.create_task(new).await?.0)
    }

    pub async fn list(&self, filter: &TaskFilter, page: &PageRequest) -> ServiceResult<Page<Task>> {
        let conn = self.db.conn().await?;
        Ok(tasks::list(&*conn, filter, page).await?)
    }

    pub async fn get(&self, id: Uuid) -> ServiceResult<Task> {
        let conn = self.db.conn().await?;
        Ok(tasks::get_by_id(&*conn, id).await?)
    }

    /// Changes a task; status moves only along its lifecycle.
    pub async fn update(&self, id: Uuid, changes: TaskChanges) -> ServiceResult<Task> {
        if let Patch::Set(due) = changes.due_date {
            plausible("due_date", Some(due))?;
        }
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let mut task = tasks::get_for_update(&tx, id).await?;
        let before = task.status;
        if let Some(next) = changes.status {
            if !task.status.can_become(next) {
                return Err(ServiceError::invalid("status", format!("a {} task cannot become {next}", task.status)));
            }
            task.status = next;
        }
        task.title = changes.title.unwrap_or(task.title);
        task.priority = changes.priority.unwrap_or(task.priority);
        task.description = changes.description.apply(task.description);
        task.due_date = changes.due_date.apply(task.due_date);
        let task = tasks::save(&tx, &task).await?;
        let mut events = Vec::new();
        if before != task.status {
            events.push(Event::TaskStatusChanged(TaskStatusChanged {
                task_id: task.id,
                lead_id: task.lead_id,
                from: before,
                to: task.status,
            }));
        }
        let wrote = record(&tx, events, Utc::now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        if wrote {
            self.relay.nudge().await;
        }
        Ok(task)
    }
}
