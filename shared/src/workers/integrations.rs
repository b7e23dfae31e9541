//! Integration jobs: Slack notifications, the Salesforce sync and event republishing.
//! A third party that is down fails the job (the queue retries it); one that refuses the
//! request as made is logged and the job ends, since retrying would not change the answer.

use uuid::Uuid;

use super::JobError;
use crate::app::AppState;
use crate::bus::DomainEvent;
use crate::idempotency::{Begin, payload_hash};
use crate::integrations::{IntegrationError, slack};
use crate::queue::SlackSubject;
use crate::store::{customers, leads, tasks, teams};

/// Where staff open a lead: `LEAD_LINK_TEMPLATE` with `{id}`, else the API's own URL.
fn lead_link(state: &AppState, lead_id: Uuid) -> Option<String> {
    match (&state.config.lead_link_template, &state.config.public_base_url) {
        (Some(template), _) => Some(template.replace("{id}", &lead_id.to_string())),
        (None, Some(base)) => Some(format!("{base}/api/leads/{lead_id}")),
        (None, None) => None,
    }
}

fn outcome(e: IntegrationError) -> Result<(), JobError> {
    match e {
        IntegrationError::Unavailable { .. } => Err(JobError(e.to_string())),
        IntegrationError::Refused { .. } => {
            tracing::error!(error = %e, "integration refused the request; not retried");
            Ok(())
        }
    }
}

pub async fn notify_slack(
    state: &AppState,
    about: SlackSubject,
    deadline: chrono::DateTime<chrono::Utc>,
) -> Result<(), JobError> {
    let Some(slack) = &state.integrations.slack else { return Ok(()) };
    let key = match about {
        SlackSubject::Lead { lead_id } => format!("slack:lead:{lead_id}"),
        SlackSubject::Task { task_id } => format!("slack:task:{task_id}"),
    };
    match state.idempotency.begin(&key, &payload_hash(key.as_bytes()), deadline).await? {
        Begin::Proceed => {}
        Begin::Completed(_) | Begin::PayloadMismatch => return Ok(()),
        Begin::InProgress => return Err(JobError(format!("{key} is being posted"))),
    }
    let message = match slack_message(state, about).await {
        Ok(Some(message)) => message,
        Ok(None) => {
            // The lead or task is gone (a deleted customer): nothing to announce.
            let _ = state.idempotency.complete(&key, &serde_json::json!({"posted": false})).await;
            return Ok(());
        }
        Err(e) => {
            let _ = state.idempotency.release(&key).await;
            return Err(e);
        }
    };
    match slack.post(&message).await {
        Ok(()) => {
            let _ = state.idempotency.complete(&key, &serde_json::json!({"posted": true})).await;
            Ok(())
        }
        Err(e) => {
            let _ = state.idempotency.release(&key).await;
            outcome(e)
        }
    }
}

/// The Slack message about a lead or task, `None` when it no longer exists.
async fn slack_message(state: &AppState, about: SlackSubject) -> Result<Option<serde_json::Value>, JobError> {
    let conn = state.db.conn().await?;
    let gone = |e: crate::store::StoreError| match e {
        crate::store::StoreError::NotFound(_) => Ok(None),
        other => Err(JobError::from(other)),
    };
    let lead_id = match about {
        SlackSubject::Lead { lead_id } => lead_id,
        SlackSubject::Task { task_id } => match tasks::get_by_id(&*conn, task_id).await {
            Ok(task) => task.lead_id,
            Err(e) => return gone(e),
        },
    };
    let lead = match leads::get_by_id(&*conn, lead_id).await {
        Ok(l) => l,
        Err(e) => return gone(e),
    };
    let customer = match customers::get_by_id(&*conn, lead.customer_id).await {
        Ok(c) => c,
        Err(e) => return gone(e),
    };
    let link = lead_link(state, lead.id);
    Ok(Some(match about {
        SlackSubject::Lead { .. } => {
            let summary = lead.requirements.as_ref().map_or("(no message yet)", |r| r.as_str()).to_owned();
            slack::lead_message(&lead, &customer, &summary, link.as_deref())
        }
        SlackSubject::Task { task_id } => {
            let task = tasks::get_by_id(&*conn, task_id).await?;
            let assignee = match task.assigned_to {
                Some(id) => teams::get_agent(&*conn, id).await.ok().map(|a| a.name.into_string()),
                None => None,
            };
            slack::task_message(&task, &customer, assignee.as_deref(), link.as_deref())
        }
    }))
}

/// The `SyncSalesforce` job.
pub async fn sync_salesforce(state: &AppState, lead_id: Uuid) -> Result<(), JobError> {
    match sync_lead(state, lead_id).await {
        Ok(_) => Ok(()),
        Err(SyncError::Integration(e)) => outcome(e),
        Err(SyncError::Job(e)) => Err(e),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Integration(#[from] IntegrationError),
    #[error(transparent)]
    Job(#[from] JobError),
}

impl From<crate::store::StoreError> for SyncError {
    fn from(e: crate::store::StoreError) -> Self {
        SyncError::Job(e.into())
    }
}

/// Upserts the lead into Salesforce now; its Salesforce id, or `None` when Salesforce is
/// not configured or the lead is gone.
pub async fn sync_lead(state: &AppState, lead_id: Uuid) -> Result<Option<String>, SyncError> {
    let Some(sf) = &state.integrations.salesforce else { return Ok(None) };
    let (lead, customer) = {
        let conn = state.db.conn().await?;
        let lead = match leads::get_by_id(&*conn, lead_id).await {
            Ok(l) => l,
            Err(crate::store::StoreError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let customer = customers::get_by_id(&*conn, lead.customer_id).await?;
        (lead, customer)
    };
    let id = sf.upsert_lead(&lead, &customer).await?;
    let conn = state.db.conn().await?;
    leads::set_salesforce_id(&*conn, lead_id, &id).await?;
    Ok(Some(id))
}

pub async fn publish_events(state: &AppState, events: &[DomainEvent]) -> Result<(), JobError> {
    state.bus.publish(events).await.map_err(|e| JobError(e.to_string()))
}
