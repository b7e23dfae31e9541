//! Third parties told about leads and tasks: Slack notifications and the Salesforce sync.
//! A third party that is down fails the job (the queue retries it); one that refuses the
//! request as made is logged and the job ends, since retrying would not change the answer.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::idempotency::{Claim, IdempotencyStore, claim, payload_hash};
use crate::integrations::salesforce::SalesforceClient;
use crate::integrations::slack::{self, SlackNotifier};
use crate::queue::{Job, JobQueue, SlackSubject};
use crate::store::{Db, PageRequest, StoreError, customers, leads, tasks, teams};

/// Where staff open a lead: a template with `{id}`, else the API's own URL.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeadLinks<'a> {
    pub template: Option<&'a str>,
    pub public_base_url: Option<&'a str>,
}

impl LeadLinks<'_> {
    fn to(&self, lead_id: Uuid) -> Option<String> {
        match (self.template, self.public_base_url) {
            (Some(template), _) => Some(template.replace("{id}", &lead_id.to_string())),
            (None, Some(base)) => Some(format!("{base}/api/leads/{lead_id}")),
            (None, None) => None,
        }
    }
}

#[derive(Clone, Copy)]
pub struct Integrations<'a> {
    pub db: &'a Db,
    pub slack: Option<&'a Arc<SlackNotifier>>,
    pub salesforce: Option<&'a Arc<SalesforceClient>>,
    pub idempotency: &'a dyn IdempotencyStore,
    pub links: LeadLinks<'a>,
}

/// A refusal ends a job (logged); anything else is the job's error.
fn job_outcome(e: ServiceError) -> ServiceResult<()> {
    match e {
        ServiceError::Upstream { message } => {
            tracing::error!(error = %message, "integration refused the request; not retried");
            Ok(())
        }
        other => Err(other),
    }
}

/// A lead or task deleted meanwhile: nothing to tell.
fn gone<T>(result: Result<T, StoreError>) -> ServiceResult<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

impl Integrations<'_> {
    /// The `NotifySlack` job: one post per lead or task, however often it is queued.
    pub async fn notify_slack(&self, about: SlackSubject, deadline: DateTime<Utc>) -> ServiceResult<()> {
        let Some(slack) = self.slack else { return Ok(()) };
        let key = match about {
            SlackSubject::Lead { lead_id } => format!("slack:lead:{lead_id}"),
            SlackSubject::Task { task_id } => format!("slack:task:{task_id}"),
        };
        let hash = payload_hash(key.as_bytes());
        let guard = match claim(self.idempotency, key.clone(), &hash, deadline).await? {
            Claim::Proceed(guard) => guard,
            Claim::Completed(_) | Claim::PayloadMismatch => return Ok(()),
            Claim::InProgress => return Err(ServiceError::InProgress { what: key }),
        };
        let result = match self.slack_message(about).await {
            Ok(Some(message)) => slack.post(&message).await.map(|()| true).map_err(ServiceError::from),
            Ok(None) => Ok(false),
            Err(e) => Err(e),
        };
        guard.settle(&result, |posted| serde_json::json!({ "posted": posted })).await;
        result.map(|_| ()).or_else(job_outcome)
    }

    /// The Slack message about a lead or task, `None` when it no longer exists.
    async fn slack_message(&self, about: SlackSubject) -> ServiceResult<Option<serde_json::Value>> {
        let conn = self.db.conn().await?;
        let (lead_id, task) = match about {
            SlackSubject::Lead { lead_id } => (lead_id, None),
            SlackSubject::Task { task_id } => match gone(tasks::get_by_id(&*conn, task_id).await)? {
                Some(task) => (task.lead_id, Some(task)),
                None => return Ok(None),
            },
        };
        let Some(lead) = gone(leads::get_by_id(&*conn, lead_id).await)? else { return Ok(None) };
        let Some(customer) = gone(customers::get_by_id(&*conn, lead.customer_id).await)? else { return Ok(None) };
        let link = self.links.to(lead.id);
        Ok(Some(match task {
            None => {
                let summary = lead.requirements.as_ref().map_or("(no message yet)", |r| r.as_str()).to_owned();
                slack::lead_message(&lead, &customer, &summary, link.as_deref())
            }
            Some(task) => {
                let assignee = match task.assigned_to {
                    Some(id) => teams::get_agent(&*conn, id).await.ok().map(|a| a.name.into_string()),
                    None => None,
                };
                slack::task_message(&task, &customer, assignee.as_deref(), link.as_deref())
            }
        }))
    }

    /// The `SyncSalesforce` job.
    pub async fn sync_salesforce_job(&self, lead_id: Uuid) -> ServiceResult<()> {
        self.sync_lead(lead_id).await.map(|_| ()).or_else(job_outcome)
    }

    /// Upserts the lead into Salesforce now; its Salesforce id, or `None` when the lead
    /// is gone. Refused without Salesforce configured.
    pub async fn sync_lead(&self, lead_id: Uuid) -> ServiceResult<Option<String>> {
        let sf = self.salesforce.ok_or_else(not_configured)?;
        let (lead, customer) = {
            let conn = self.db.conn().await?;
            let Some(lead) = gone(leads::get_by_id(&*conn, lead_id).await)? else { return Ok(None) };
            let customer = customers::get_by_id(&*conn, lead.customer_id).await?;
            (lead, customer)
        };
        let id = sf.upsert_lead(&lead, &customer).await?;
        let conn = self.db.conn().await?;
        leads::set_salesforce_id(&*conn, lead_id, &id).await?;
        Ok(Some(id))
    }

    /// Syncs one lead now (`Some`), or queues a sync of every lead; returns what it did.
    pub async fn sync_salesforce(&self, jobs: &dyn JobQueue, lead_id: Option<Uuid>) -> ServiceResult<SyncReport> {
        if self.salesforce.is_none() {
            return Err(not_configured());
        }
        if let Some(lead_id) = lead_id {
            let conn = self.db.conn().await?;
            leads::get_by_id(&*conn, lead_id)
                .await
                .map_err(|e| ServiceError::from(e).not_found_as("lead_id", "lead"))?;
            drop(conn);
            let salesforce_id = self.sync_lead(lead_id).await?;
            return Ok(SyncReport::Synced { lead_id, salesforce_id });
        }
        let mut queued = 0usize;
        let mut page = PageRequest { limit: 200, cursor: None };
        loop {
            let conn = self.db.conn().await?;
            let leads = leads::list(&*conn, &Default::default(), &page).await?;
            drop(conn);
            for lead in &leads.items {
                jobs.enqueue(&Job::SyncSalesforce { lead_id: lead.id }).await?;
                queued += 1;
            }
            match leads.next_cursor {
                Some(c) => page = PageRequest::new(Some(200), Some(&c)).map_err(|_| StoreError::InvalidCursor)?,
                None => break,
            }
        }
        Ok(SyncReport::Queued { queued })
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum SyncReport {
    Synced { lead_id: Uuid, salesforce_id: Option<String> },
    Queued { queued: usize },
}

fn not_configured() -> ServiceError {
    ServiceError::NotConfigured {
        message: "Salesforce is not configured (SALESFORCE_CLIENT_ID and its credentials)".into(),
    }
}
