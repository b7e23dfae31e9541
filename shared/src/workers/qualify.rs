//! Qualifying a lead: gather what is known (record, conversation, follow-ups, bookings),
//! score it with the domain rules, store the result, and tell whoever needs to know.

use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::JobError;
use crate::app::AppState;
use crate::bus::DomainEvent;
use crate::domain::qualification::{Signals, horizon_of, lead_intent, qualify};
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Analysis, Intent, Lead, Priority};
use crate::queue::{Job, SlackSubject};
use crate::store::bookings::BookingFilter;
use crate::store::qualifications::{self, StoredQualification};
use crate::store::{PageRequest, StoreError, bookings, customers, follow_ups, leads, settings};

/// Copies what a message states into the lead when the lead does not know it yet.
pub async fn learn_from_message(
    state: &AppState,
    lead_id: Uuid,
    analysis: &Analysis,
    text: &str,
) -> Result<(), JobError> {
    let mut conn = state.db.conn().await?;
    let tx = conn.transaction().await.map_err(StoreError::from)?;
    let mut lead = leads::get_for_update(&tx, lead_id).await?;
    let mut changed = false;
    if lead.budget.is_none()
        && let Some(b) = analysis.entities.budget.as_deref().and_then(|b| ShortText::parse(b).ok())
    {
        lead.budget = Some(b);
        changed = true;
    }
    if let Some(t) = analysis.entities.timeline.as_deref().and_then(|t| ShortText::parse(t).ok())
        && lead.timeline.as_ref() != Some(&t)
    {
        lead.timeline = Some(t);
        changed = true;
    }
    let asks_to_buy = matches!(analysis.intent, Intent::Pricing | Intent::Booking | Intent::SalesInquiry);
    if lead.requirements.is_none() && asks_to_buy {
        lead.requirements = LongText::parse(text).ok();
        changed = lead.requirements.is_some() || changed;
    }
    if changed {
        leads::save(&tx, &lead).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

async fn signals(state: &AppState, lead: &Lead) -> Result<Signals, JobError> {
    let conn = state.db.conn().await?;
    let customer = customers::get_by_id(&*conn, lead.customer_id).await?;
    let settings = settings::load(&*conn).await?;
    let sent_follow_ups: Vec<_> =
        follow_ups::for_lead(&*conn, lead.id).await?.into_iter().filter_map(|f| f.sent_at).collect();
    let booking_filter = BookingFilter { lead_id: Some(lead.id), ..Default::default() };
    let booked = bookings::list(&*conn, &booking_filter, &PageRequest::default())
        .await?
        .items
        .iter()
        .any(|b| b.status.is_active());
    drop(conn);
    let inbound = state.mongo.messages().inbound_for_lead(lead.id, 100).await?;
    let analyses: Vec<&Analysis> = inbound.iter().filter_map(|m| m.analysis.as_ref()).collect();
    let service_match = (!settings.services.is_empty()).then(|| {
        inbound.iter().any(|m| settings.service_mentioned(&m.content).is_some())
            || lead.requirements.as_ref().is_some_and(|r| settings.service_mentioned(r.as_str()).is_some())
    });
    Ok(Signals {
        budget_stated: lead.budget.is_some(),
        company_known: customer.company.is_some(),
        contact_name_known: customer.name.is_some(),
        service_match,
        requirements_stated: lead.requirements.is_some(),
        horizon: lead.timeline.as_ref().map(|t| horizon_of(t.as_str())),
        booking_requested: booked || analyses.iter().any(|a| a.intent == Intent::Booking),
        inbound_count: u32::try_from(inbound.len()).unwrap_or(u32::MAX),
        last_inbound_at: lead.last_inbound_at.or_else(|| inbound.last().map(|m| m.created_at)),
        replied_to_follow_up: sent_follow_ups.iter().any(|sent| inbound.iter().any(|m| m.created_at > *sent)),
        intent: lead_intent(analyses.iter().map(|a| a.intent)),
        urgency: analyses.last().map(|a| a.urgency),
    })
}

/// Scores the lead now; stores the qualification and the lead's new score and priority.
pub async fn requalify(
    state: &AppState,
    lead_id: Uuid,
    trigger: &str,
    message_id: Option<Uuid>,
) -> Result<(Lead, StoredQualification), JobError> {
    let lead = {
        let conn = state.db.conn().await?;
        leads::get_by_id(&*conn, lead_id).await?
    };
    let q = qualify(&signals(state, &lead).await?, Utc::now());
    let (before, after, stored) = {
        let mut conn = state.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let mut lead = leads::get_for_update(&tx, lead_id).await?;
        let before = (lead.quality_score, lead.priority);
        lead.quality_score = q.score;
        lead.priority = q.priority;
        let after = leads::save(&tx, &lead).await?;
        let stored = qualifications::insert(&tx, lead_id, &q, trigger, message_id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        (before, after, stored)
    };
    let data = json!({
        "score": q.score, "priority": q.priority, "previous_score": before.0, "previous_priority": before.1,
        "recommendations": q.recommendations, "trigger": trigger,
    });
    crate::events::emit(state, vec![DomainEvent::new("lead.qualified", lead_id, data)]).await;
    if after.priority == Priority::High && before.1 != Priority::High {
        queue(state, Job::NotifySlack { about: SlackSubject::Lead { lead_id } }).await;
    }
    if (after.quality_score, after.priority) != before {
        sync_salesforce(state, lead_id).await;
    }
    Ok((after, stored))
}

/// Queues a job whose failure to queue must not fail the caller.
pub(crate) async fn queue(state: &AppState, job: Job) {
    if let Err(e) = state.queue.enqueue(&job).await {
        tracing::warn!(job = job.name(), error = %e, "could not queue a follow-on job");
    }
}

/// Queues a Salesforce sync of the lead, when Salesforce is configured.
pub(crate) async fn sync_salesforce(state: &AppState, lead_id: Uuid) {
    if state.integrations.salesforce.is_some() {
        queue(state, Job::SyncSalesforce { lead_id }).await;
    }
}
