//! Qualifying a lead: gather what is known (record, conversation, follow-ups, bookings),
//! score it with the domain rules, store the result with its `lead.qualified` event, and
//! tell whoever needs to know.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{FollowOn, Relay, ServiceResult, record};
use crate::domain::event::{LeadQualified, QualifyTrigger};
use crate::domain::qualification::{Signals, horizon_of, lead_intent, qualify};
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Analysis, Event, Intent, Lead, Priority};
use crate::queue::SlackSubject;
use crate::store::bookings::BookingFilter;
use crate::store::mongo::Mongo;
use crate::store::qualifications::{self, StoredQualification};
use crate::store::{Db, PageRequest, StoreError, bookings, customers, follow_ups, leads, settings};

/// What qualifying needs: the records, the conversation, and where results go.
#[derive(Clone, Copy)]
pub struct Qualifier<'a> {
    pub db: &'a Db,
    pub mongo: &'a Mongo,
    pub relay: &'a Relay,
    pub follow_on: FollowOn<'a>,
}

impl Qualifier<'_> {
    /// Copies what a message states into the lead when the lead does not know it yet.
    pub async fn learn_from_message(&self, lead_id: Uuid, analysis: &Analysis, text: &str) -> ServiceResult<()> {
        let mut conn = self.db.conn().await?;
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

    async fn signals(&self, lead: &Lead) -> ServiceResult<Signals> {
        let conn = self.db.conn().await?;
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
        let opted_out = super::delivery::opted_out_anywhere(&*conn, &customer).await?;
        drop(conn);
        // What the customer wrote: an auto-reply is neither a reply nor a signal.
        let mut inbound = self.mongo.messages().inbound_for_lead(lead.id, 100).await?;
        inbound.retain(|m| !m.auto_submitted);
        let analyses: Vec<&Analysis> = inbound.iter().filter_map(|m| m.analysis.as_ref()).collect();
        let service_match = (!settings.services.is_empty()).then(|| {
            inbound.iter().any(|m| settings.service_mentioned(&m.content).is_some())
                || lead.requirements.as_ref().is_some_and(|r| settings.service_mentioned(r.as_str()).is_some())
        });
        // An opt-out counts the same whatever the channel it was said on (an SMS STOP
        // is handled before analysis, so it leaves no analysed intent behind).
        let intents = analyses.iter().map(|a| a.intent).chain(opted_out.then_some(Intent::OptOut));
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
            intent: lead_intent(intents),
            urgency: analyses.last().map(|a| a.urgency),
        })
    }

    /// Scores the lead now; stores the qualification, the lead's new score and priority,
    /// and `lead.qualified` in one transaction.
    pub async fn requalify(
        &self,
        lead_id: Uuid,
        trigger: QualifyTrigger,
        message_id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> ServiceResult<(Lead, StoredQualification)> {
        let lead = {
            let conn = self.db.conn().await?;
            leads::get_by_id(&*conn, lead_id).await?
        };
        let q = qualify(&self.signals(&lead).await?, now);
        let (before, after, stored) = {
            let mut conn = self.db.conn().await?;
            let tx = conn.transaction().await.map_err(StoreError::from)?;
            let mut lead = leads::get_for_update(&tx, lead_id).await?;
            let before = (lead.quality_score, lead.priority);
            lead.quality_score = q.score;
            lead.priority = q.priority;
            let after = leads::save(&tx, &lead).await?;
            let stored = qualifications::insert(&tx, lead_id, &q, trigger.as_str(), message_id).await?;
            let event = Event::LeadQualified(LeadQualified {
                lead_id,
                score: q.score,
                priority: q.priority,
                previous_score: before.0,
                previous_priority: before.1,
                recommendations: q.recommendations.clone(),
                trigger,
            });
            record(&tx, vec![event], now).await?;
            tx.commit().await.map_err(StoreError::from)?;
            (before, after, stored)
        };
        self.relay.nudge().await;
        if after.priority == Priority::High && before.1 != Priority::High {
            self.follow_on.notify_slack(SlackSubject::Lead { lead_id }).await;
        }
        if (after.quality_score, after.priority) != before {
            self.follow_on.sync_salesforce(lead_id).await;
        }
        Ok((after, stored))
    }
}
