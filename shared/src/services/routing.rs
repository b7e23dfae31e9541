//! Routing work to people: an analysed message that needs a person becomes one task
//! (idempotent on the message) for the team of its kind, due within the priority's SLA
//! counted in business hours, and assigned to one of the team's available agents.

use std::collections::HashMap;

use chrono::Utc;
use uuid::Uuid;

use super::tasks::Tasks;
use super::{ServiceError, ServiceResult, record};
use crate::domain::assignment::{pick, priority_of_urgency, sla};
use crate::domain::event::{TaskAssigned, TaskCreated};
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Analysis, Customer, Event, Lead, Message, NewTask, Priority, Task, TaskType};
use crate::queue::SlackSubject;
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
        .or_else(|| c.email.as_ref().map(std::string::ToString::to_string))
        .or_else(|| c.phone.as_ref().map(std::string::ToString::to_string))
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
    let contact = [
        customer.phone.as_ref().map(std::string::ToString::to_string),
        customer.email.as_ref().map(std::string::ToString::to_string),
    ]
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

/// Picks an agent of the team of `kind` and records the pick; `None` when no team of
/// that kind has an available agent.
pub(crate) async fn choose_agent(
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

/// The agent named by a staff request (which must exist), or the next one by the rule of
/// the team of `kind`; `NoAvailableAgent` when the rule finds nobody.
pub(crate) async fn requested_or_next(
    tx: &tokio_postgres::Transaction<'_>,
    requested: Option<Uuid>,
    kind: TaskType,
    for_leads: bool,
) -> ServiceResult<Uuid> {
    let chosen = match requested {
        Some(id) => Some(
            teams::get_agent(tx, id).await.map_err(|e| ServiceError::from(e).not_found_as("agent_id", "agent"))?.id,
        ),
        None => choose_agent(tx, kind, for_leads).await?,
    };
    chosen.ok_or(ServiceError::NoAvailableAgent)
}

impl Tasks<'_> {
    /// Creates the task (or finds the one made for the same message) and assigns it when
    /// new and unassigned. Returns the task and whether it was created now.
    pub async fn create_task(&self, new: NewTask) -> ServiceResult<(Task, bool)> {
        let (task, created) = {
            let mut conn = self.db.conn().await?;
            let tx = conn.transaction().await.map_err(StoreError::from)?;
            let (mut task, created) = tasks::insert(&tx, &new).await?;
            if created && task.assigned_to.is_none() {
                task.assigned_to = choose_agent(&tx, task.task_type, false).await?;
                task = tasks::save(&tx, &task).await?;
            }
            if created {
                let mut events = vec![Event::TaskCreated(TaskCreated {
                    task_id: task.id,
                    lead_id: task.lead_id,
                    task_type: task.task_type,
                    priority: task.priority,
                    message_id: task.message_id,
                })];
                if let Some(agent_id) = task.assigned_to {
                    events.push(Event::TaskAssigned(TaskAssigned {
                        task_id: task.id,
                        lead_id: task.lead_id,
                        agent_id,
                    }));
                } else {
                    tracing::warn!(task_id = %task.id, task_type = %task.task_type, "no available agent in a team of this kind");
                }
                record(&tx, events, Utc::now()).await?;
            }
            tx.commit().await.map_err(StoreError::from)?;
            (task, created)
        };
        if created {
            self.relay.nudge().await;
            if task.priority == Priority::High {
                self.follow_on.notify_slack(SlackSubject::Task { task_id: task.id }).await;
            }
        }
        Ok((task, created))
    }

    /// Routes one analysed inbound message as `kind` (the analysis's own when `None`);
    /// `None` when it needs no person.
    pub async fn route_message(
        &self,
        message: &Message,
        kind: Option<TaskType>,
    ) -> ServiceResult<Option<(Task, bool)>> {
        let Some(analysis) = &message.analysis else { return Ok(None) };
        let (Some(task_type), Some(lead_id)) = (kind.or_else(|| task_type_for(analysis)), message.lead_id) else {
            return Ok(None);
        };
        let (lead, customer, settings) = {
            let conn = self.db.conn().await?;
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
        self.create_task(new).await.map(Some)
    }

    /// The `RouteTask` job.
    pub async fn route_task_job(&self, message_id: Uuid) -> ServiceResult<()> {
        match self.mongo.messages().get(message_id).await? {
            Some(m) => self.route_message(&m, None).await.map(|_| ()),
            None => Ok(()),
        }
    }

    /// Routes the lead's latest analysed inbound message to a task (the same task when that
    /// message was routed before as the same kind). An existing unassigned task is
    /// assigned now, if an agent has become available.
    pub async fn route_lead(&self, lead_id: Uuid, kind: Option<TaskType>) -> ServiceResult<(Task, bool)> {
        {
            let conn = self.db.conn().await?;
            leads::get_by_id(&*conn, lead_id).await?;
        }
        let messages = self.mongo.messages().inbound_for_lead(lead_id, 20).await?;
        let Some(message) = messages.into_iter().rev().find(|m| m.analysis.is_some()) else {
            return Err(ServiceError::invalid("lead_id", "the lead has no analysed message to route"));
        };
        let Some((task, created)) = self.route_message(&message, kind).await? else {
            return Err(ServiceError::invalid(
                "lead_id",
                "the lead's latest message needs no person (spam, opt-out or small talk)",
            ));
        };
        if task.assigned_to.is_none() && task.status.is_open() {
            return match self.assign_task(task.id, None).await {
                Ok(task) => Ok((task, created)),
                Err(ServiceError::NoAvailableAgent) => Ok((task, created)),
                Err(e) => Err(e),
            };
        }
        Ok((task, created))
    }

    /// Assigns a task to `agent`, or by its team's rule when `None`.
    pub async fn assign_task(&self, task_id: Uuid, agent: Option<Uuid>) -> ServiceResult<Task> {
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let mut task = tasks::get_for_update(&tx, task_id).await?;
        let agent_id = requested_or_next(&tx, agent, task.task_type, false).await?;
        task.assigned_to = Some(agent_id);
        let task = tasks::save(&tx, &task).await?;
        let event = Event::TaskAssigned(TaskAssigned { task_id: task.id, lead_id: task.lead_id, agent_id });
        record(&tx, vec![event], Utc::now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.relay.nudge().await;
        Ok(task)
    }
}
