//! Leads: the sales pipeline. Status moves only along the funnel; every change is an
//! event, and is synced to Salesforce when configured.

use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

use super::qualification::Qualifier;
use super::routing::requested_or_next;
use super::{ServiceError, ServiceResult, record};
use crate::domain::event::{ChangedBy, LeadAssigned, LeadCreated, LeadStatusChanged, QualifyTrigger};
use crate::domain::sequence::RunEndReason;
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Customer, Event, Lead, LeadStatus, NewLead, Patch, TaskType};
pub use crate::store::leads::{LeadFilter, LeadSort};
use crate::store::qualifications::{self, StoredQualification};
use crate::store::sequences::RunScope;
use crate::store::{Db, Page, PageRequest, StoreError, customers, leads};

/// Lead work: qualification comes along, since a change of lead is scored.
#[derive(Clone, Copy)]
pub struct Leads<'a> {
    pub db: &'a Db,
    pub qualifier: Qualifier<'a>,
}

#[derive(Debug)]
pub struct CreateLead {
    pub customer_id: Uuid,
    pub requirements: Option<LongText>,
    pub timeline: Option<ShortText>,
    pub budget: Option<ShortText>,
    pub assigned_to: Option<Uuid>,
}

#[derive(Debug, Default)]
pub struct LeadChanges {
    pub status: Option<LeadStatus>,
    pub requirements: Patch<LongText>,
    pub timeline: Patch<ShortText>,
    pub budget: Patch<ShortText>,
    pub assigned_to: Patch<Uuid>,
}

/// A lead with its customer and latest qualification.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeadView {
    #[serde(flatten)]
    pub lead: Lead,
    pub customer: Customer,
    pub qualification: Option<StoredQualification>,
}

impl Leads<'_> {
    pub async fn create(&self, body: CreateLead) -> ServiceResult<Lead> {
        let lead = {
            let mut conn = self.db.conn().await?;
            let tx = conn.transaction().await.map_err(StoreError::from)?;
            customers::get_by_id(&tx, body.customer_id)
                .await
                .map_err(|e| ServiceError::from(e).not_found_as("customer_id", "customer"))?;
            super::teams::check_agent(&tx, body.assigned_to, "assigned_to").await?;
            let new = NewLead {
                requirements: body.requirements,
                timeline: body.timeline,
                budget: body.budget,
                assigned_to: body.assigned_to,
                ..NewLead::for_customer(body.customer_id, None)
            };
            let lead = leads::insert(&tx, &new).await?;
            let event = Event::LeadCreated(LeadCreated {
                lead_id: lead.id,
                customer_id: lead.customer_id,
                source_channel: None,
            });
            record(&tx, vec![event], Utc::now()).await?;
            tx.commit().await.map_err(StoreError::from)?;
            lead
        };
        self.qualifier.relay.nudge().await;
        let (lead, _) = self.qualifier.requalify(lead.id, QualifyTrigger::Created, None, Utc::now()).await?;
        self.qualifier.follow_on.sync_salesforce(lead.id).await;
        Ok(lead)
    }

    pub async fn list(&self, filter: &LeadFilter, page: &PageRequest) -> ServiceResult<Page<Lead>> {
        let conn = self.db.conn().await?;
        Ok(leads::list(&*conn, filter, page).await?)
    }

    pub async fn show(&self, id: Uuid) -> ServiceResult<LeadView> {
        let conn = self.db.conn().await?;
        let lead = leads::get_by_id(&*conn, id).await?;
        let customer = customers::get_by_id(&*conn, lead.customer_id).await?;
        let qualification = qualifications::latest(&*conn, id).await?;
        Ok(LeadView { lead, customer, qualification })
    }

    pub async fn update(&self, id: Uuid, changes: LeadChanges) -> ServiceResult<Lead> {
        let (before, after) = {
            let mut conn = self.db.conn().await?;
            let tx = conn.transaction().await.map_err(StoreError::from)?;
            let mut lead = leads::get_for_update(&tx, id).await?;
            let before = lead.clone();
            if let Some(next) = changes.status {
                if !lead.status.can_become(next) {
                    return Err(ServiceError::invalid(
                        "status",
                        format!("a {} lead cannot become {next}", lead.status),
                    ));
                }
                lead.status = next;
            }
            if let Patch::Set(agent) = changes.assigned_to {
                super::teams::check_agent(&tx, Some(agent), "assigned_to").await?;
            }
            lead.requirements = changes.requirements.apply(lead.requirements);
            lead.timeline = changes.timeline.apply(lead.timeline);
            lead.budget = changes.budget.apply(lead.budget);
            lead.assigned_to = changes.assigned_to.apply(lead.assigned_to);
            if lead.status.is_open()
                && !before.status.is_open()
                && leads::open_for_customer(&tx, lead.customer_id).await?.is_some()
            {
                return Err(ServiceError::Conflict {
                    field: Some("status".into()),
                    message: "the customer already has another open lead".into(),
                });
            }
            let after = leads::save(&tx, &lead).await?;
            let mut events = Vec::new();
            if before.status != after.status {
                events.push(Event::LeadStatusChanged(LeadStatusChanged {
                    lead_id: id,
                    from: before.status,
                    to: after.status,
                    by: ChangedBy::Staff,
                }));
                let closed = match after.status {
                    LeadStatus::Won => Some(RunEndReason::Won),
                    LeadStatus::Lost => Some(RunEndReason::Lost),
                    LeadStatus::New | LeadStatus::Contacted | LeadStatus::Qualified => None,
                };
                if let Some(reason) = closed {
                    events.extend(super::follow_ups::stop_in(&tx, RunScope::Lead(id), reason, Utc::now()).await?);
                }
            }
            if before.assigned_to != after.assigned_to {
                events.push(Event::LeadAssigned(LeadAssigned { lead_id: id, agent_id: after.assigned_to }));
            }
            record(&tx, events, Utc::now()).await?;
            tx.commit().await.map_err(StoreError::from)?;
            (before, after)
        };
        self.qualifier.relay.nudge().await;
        if before != after {
            self.qualifier.follow_on.sync_salesforce(id).await;
        }
        Ok(after)
    }

    /// Scores the lead now.
    pub async fn qualify(&self, id: Uuid) -> ServiceResult<(Lead, StoredQualification)> {
        {
            let conn = self.db.conn().await?;
            leads::get_by_id(&*conn, id).await?;
        }
        self.qualifier.requalify(id, QualifyTrigger::Manual, None, Utc::now()).await
    }

    /// Assigns a lead to `agent`, or to the sales team's next agent when `None`.
    pub async fn assign(&self, lead_id: Uuid, agent: Option<Uuid>) -> ServiceResult<Lead> {
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let mut lead = leads::get_for_update(&tx, lead_id).await?;
        let agent_id = requested_or_next(&tx, agent, TaskType::Sales, true).await?;
        lead.assigned_to = Some(agent_id);
        let lead = leads::save(&tx, &lead).await?;
        record(&tx, vec![Event::LeadAssigned(LeadAssigned { lead_id, agent_id: Some(agent_id) })], Utc::now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.qualifier.relay.nudge().await;
        self.qualifier.follow_on.sync_salesforce(lead.id).await;
        Ok(lead)
    }
}
