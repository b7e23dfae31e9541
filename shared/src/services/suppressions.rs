//! What providers report about the messages Leadflow sent: the delivery status of the
//! message, and whether its address can receive at all. A hard bounce, an invalid address
//! or a landline suppresses the address (nothing is sent to it again, follow-ups
//! included); a spam report or an unsubscribe is also an opt-out, the customer's own
//! word, which scoring reads. Every step is idempotent, so a provider's redelivery of a
//! report changes nothing.

use chrono::Utc;
use serde::Serialize;
use tokio_postgres::GenericClient;

use super::ServiceResult;
use super::qualification::Qualifier;
use crate::domain::event::QualifyTrigger;
use crate::domain::suppression::{DeliveryReport, NewSuppression, SuppressedAddress};
use crate::domain::{Customer, DeliveryStatus};
use crate::store::mongo::Mongo;
use crate::store::{Db, customers, leads, opt_outs, suppressions};

/// What a post of reports changed (the webhook's answer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReportsApplied {
    /// Reports in the post.
    pub received: usize,
    /// Outbound messages whose delivery status moved.
    pub messages_updated: usize,
    /// Addresses suppressed now (not those suppressed before).
    pub suppressed: usize,
    /// Opt-outs recorded now.
    pub opted_out: usize,
}

#[derive(Clone, Copy)]
pub struct Suppressions<'a> {
    pub db: &'a Db,
    pub mongo: &'a Mongo,
    pub qualifier: Qualifier<'a>,
}

/// The customer holding the address now, if any (addresses are unique per customer).
async fn owner(c: &impl GenericClient, address: &SuppressedAddress) -> ServiceResult<Option<Customer>> {
    let found = match address {
        SuppressedAddress::Sms(phone) => customers::find_by_contact(c, None, Some(phone)).await?,
        SuppressedAddress::Email(email) => customers::find_by_contact(c, Some(email), None).await?,
    };
    Ok(found.into_iter().next())
}

impl Suppressions<'_> {
    /// Applies a provider's reports, in the order it sent them.
    pub async fn apply(&self, reports: &[DeliveryReport]) -> ServiceResult<ReportsApplied> {
        let mut applied = ReportsApplied { received: reports.len(), ..ReportsApplied::default() };
        for report in reports.iter().filter(|r| !r.changes_nothing()) {
            if let Some(status) = report.status
                && self.update_message(report, status).await?
            {
                applied.messages_updated += 1;
            }
            let Some(address) = &report.address else { continue };
            if report.suppress.is_none() && report.opt_out.is_none() {
                continue;
            }
            let conn = self.db.conn().await?;
            let customer = owner(&*conn, address).await?;
            if let Some(reason) = report.suppress {
                let new = NewSuppression {
                    address: address.clone(),
                    reason,
                    provider_event_id: report.event_id.clone(),
                    detail: report.detail.clone(),
                    customer_id: customer.as_ref().map(|c| c.id),
                    occurred_at: report.occurred_at,
                };
                if suppressions::add(&*conn, &new).await? {
                    applied.suppressed += 1;
                    tracing::info!(channel = %address.channel(), %reason, event_id = %report.event_id, "address suppressed");
                }
            }
            let Some(source) = report.opt_out else { continue };
            let customer_id = customer.as_ref().map(|c| c.id);
            if !opt_outs::add(&*conn, address.channel(), address.as_str(), customer_id, source).await? {
                continue;
            }
            applied.opted_out += 1;
            let lead = match customer_id {
                Some(id) => leads::open_for_customer(&*conn, id).await?,
                None => None,
            };
            drop(conn);
            if let Some(lead) = lead {
                // The score follows an opt-out at once, as it does a STOP.
                self.qualifier.requalify(lead.id, QualifyTrigger::Message, None, Utc::now()).await?;
            }
        }
        Ok(applied)
    }

    /// Moves the reported message's status; false when no message of those ids is stored
    /// (sent before the provider id was recorded, or not by Leadflow) or it had moved on.
    async fn update_message(&self, report: &DeliveryReport, status: DeliveryStatus) -> ServiceResult<bool> {
        let messages = self.mongo.messages();
        for id in &report.message_ids {
            if messages.report_delivery(id, status).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
