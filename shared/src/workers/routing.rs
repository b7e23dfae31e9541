//! Task routing: an analysed message that needs a person becomes one task (idempotent on
//! the message) for the team of its kind, due within the priority's SLA counted in
//! business hours, and assigned to one of the team's available agents.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::JobError;
use super::qualify::{queue, sync_salesforce};
use crate::app::AppState;
use crate::bus::DomainEvent;
use crate::domain::assignment::{pick, priority_of_urgency, sla};
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Analysis, Customer, Lead, Message, NewTask, Priority, Task, TaskType};
use crate::queue::{Job, SlackSubject};
use crate::store::{StoreError, customers, leads, settings, tasks, teams};

/// The kind of task a message needs, if any: its team's, or support when a person must
/// answer a message no team owns.
pub fn task_type_for(a: &Analysis) -> Option<TaskType> {
    a.team.task_type().or_else(|| a.handoff().map(|_| TaskType::Support))
}

fn label(c: &Customer) -> String {
    c.name
        .as_ref()
        .map(|n| n.as_str().to_owned())
        .or_else(|| c.company.as_ref().map(|n| n.as_str().to_owned()))
        .or_else(|| c.email.as_ref().map(|e| e.to_string()))
        .or_else(|| c.phone.as_ref().map(|p| p.to_string()))
        .unwrap_or_else(|| "a customer".into())
}

/// Title and description that say what the customer asks, and who to answer.
pub fn compose(
    message: &Message,
    analysis: &Analysis,
    customer: &Customer,
    lead: &Lead,
) -> (ShortText, Option<LongText>) {
    let first_line = message.content.lines().find(|l| !l.trim().is_empty()).unwrap_or("(no text)").trim();
    let ask: String = if first_line.chars().count() > 90 {
        format!("{}...", first_line.chars().take(87).collect::<String>().trim_end())
    } else {
        first_line.to_owned()
    };
    let title = ShortText::literal(&format!("{} from {}: {ask}", analysis.intent, label(customer)));
    let contact = [customer.phone.as_ref().map(|p| p.to_string()), customer.email.as_ref().map(|e| e.to_string())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let mut description = format!(
        "{} wrote by {} ({}):\n\n{}\n\nIntent: {}. Urgency: {}. Lead score: {} ({}).",
        label(customer),
        message.channel,
        if contact.is_empty() { "no contact" } else { &contact },
        message.content.trim(),
        analysis.intent,
        analysis.urgency,
        lead.quality_score.value(),
        lead.priority,
    );
    if let Some(reason) = analysis.handoff() {
        description.push_str(&format!(" The AI handed this over to a person ({reason})."));
    }
    (title, LongText::parse(&description).ok())
}

/// Picks an agent of the team of `kind` and records the pick; `None` when the team has
/// no available agent (or there is no such team).
async fn choose_agent(
    tx: &tokio_postgres::Transaction<'_>,
    kind: TaskType,
    for_leads: bool,
) -> Result<Option<Uuid>, StoreError> {
    let Some((team, last)) = teams::lock_for_assignment(tx, kind).await? else { return Ok(None) };
    let agents = teams::list_agents(tx, Some(team.id)).await?;
    let ids: Vec<Uuid> = agents.iter().map(|a| a.id).collect();
    let open: HashMap<Uuid, i64> =
        if for_leads { leads::open_counts(tx, &ids).await? } else { tasks::open_counts(tx, &ids).await? }
            .into_iter()
            .collect();
    let Some(agent) = pick(team.assignment, &agents, last, &open) else { return Ok(None) };
    teams::set_last_assigned(tx, team.id, agent.id).await?;
    Ok(Some(agent.id))
}

/// Creates the task (or finds the one made for the same message) and assigns it when new
/// and unassigned. Returns the task and whether it was created now.
pub async fn create_task(state: &AppState, new: NewTask) -> Result<(Task, bool), JobError> {
    let (task, created) = {
        let mut conn = state.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let (mut task, created) = tasks::insert(&tx, &new).await?;
        if created && task.assigned_to.is_none() {
            task.assigned_to = choose_agent(&tx, task.task_type, false).await?;
            task = tasks::save(&tx, &task).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        (task, created)
    };
    if created {
        let mut events = vec![DomainEvent::new(
            "task.created",
            task.id,
            json!({"lead_id": task.lead_id, "task_type": task.task_type, "priority": task.priority, "message_id": task.message_id}),
        )];
        if let Some(agent) = task.assigned_to {
            events.push(DomainEvent::new(
                "task.assigned",
                task.id,
                json!({"lead_id": task.lead_id, "agent_id": agent}),
            ));
        } else {
            tracing::warn!(task_id = %task.id, task_type = %task.task_type, "no available agent in a team of this kind");
        }
        crate::events::emit(state, events).await;
        if task.priority == Priority::High {
            queue(state, Job::NotifySlack { about: SlackSubject::Task { task_id: task.id } }).await;
        }
    }
    Ok((task, created))
}

/// Routes one analysed inbound message; `None` when it needs no person.
pub async fn route_message(state: &AppState, message: &Message) -> Result<Option<(Task, bool)>, JobError> {
    let Some(analysis) = &message.analysis else { return Ok(None) };
    let (Some(task_type), Some(lead_id)) = (task_type_for(analysis), message.lead_id) else { return Ok(None) };
    let (lead, customer, settings) = {
        let conn = state.db.conn().await?;
        let lead = leads::get_by_id(&*conn, lead_id).await?;
        let customer = customers::get_by_id(&*conn, lead.customer_id).await?;
        (lead, customer, settings::load(&*conn).await?)
    };
    let priority = priority_of_urgency(analysis.urgency).max(lead.priority);
    let due = settings.business_hours.add_open_time(Utc::now(), settings.time_zone, sla(priority));
    let (title, description) = compose(message, analysis, &customer, &lead);
    let new = NewTask {
        lead_id,
        message_id: Some(message.id),
        title,
        description,
        task_type,
        priority,
        assigned_to: None,
        due_date: Some(due),
    };
    create_task(state, new).await.map(Some)
}

/// The `RouteTask` job.
pub async fn route_task_job(state: &AppState, message_id: Uuid) -> Result<(), JobError> {
    match state.mongo.messages().get(message_id).await? {
        Some(m) => route_message(state, &m).await.map(|_| ()),
        None => Ok(()),
    }
}

/// Assigns a task to `agent`, or by its team's rule when `None`.
pub async fn assign_task(state: &AppState, task_id: Uuid, agent: Option<Uuid>) -> Result<Task, AssignError> {
    let mut conn = state.db.conn().await?;
    let tx = conn.transaction().await.map_err(StoreError::from)?;
    let mut task = tasks::get_for_update(&tx, task_id).await?;
    let chosen = match agent {
        Some(id) => Some(teams::get_agent(&tx, id).await.map_err(|_| AssignError::UnknownAgent)?.id),
        None => choose_agent(&tx, task.task_type, false).await?,
    };
    let agent_id = chosen.ok_or(AssignError::NoAgent)?;
    task.assigned_to = Some(agent_id);
    let task = tasks::save(&tx, &task).await?;
    tx.commit().await.map_err(StoreError::from)?;
    crate::events::emit(
        state,
        vec![DomainEvent::new("task.assigned", task.id, json!({"lead_id": task.lead_id, "agent_id": agent_id}))],
    )
    .await;
    Ok(task)
}

/// Assigns a lead to `agent`, or to the sales team's next agent when `None`.
pub async fn assign_lead(state: &AppState, lead_id: Uuid, agent: Option<Uuid>) -> Result<Lead, AssignError> {
    let mut conn = state.db.conn().await?;
    let tx = conn.transaction().await.map_err(StoreError::from)?;
    let mut lead = leads::get_for_update(&tx, lead_id).await?;
    let chosen = match agent {
        Some(id) => Some(teams::get_agent(&tx, id).await.map_err(|_| AssignError::UnknownAgent)?.id),
        None => choose_agent(&tx, TaskType::Sales, true).await?,
    };
    let agent_id = chosen.ok_or(AssignError::NoAgent)?;
    lead.assigned_to = Some(agent_id);
    let lead = leads::save(&tx, &lead).await?;
    tx.commit().await.map_err(StoreError::from)?;
    crate::events::emit(state, vec![DomainEvent::new("lead.assigned", lead.id, json!({"agent_id": agent_id}))]).await;
    sync_salesforce(state, lead.id).await;
    Ok(lead)
}

#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    #[error("agent_id does not refer to an agent")]
    UnknownAgent,
    #[error("no available agent in the team")]
    NoAgent,
    #[error(transparent)]
    Store(#[from] StoreError),
}
