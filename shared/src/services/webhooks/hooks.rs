//! Zapier's REST hooks: a Zap that turns on subscribes a target URL to one event type,
//! one that turns off unsubscribes (and a 410 from Zapier ends it too, see `deliver`);
//! while a user builds the Zap, Zapier asks for recent real objects of the type.
//! Deliveries are the same signed bodies every endpoint gets. A subscription belongs to
//! the key (or user) that made it: only it unsubscribes, and revoking it ends them all;
//! admins see and may delete every one among the endpoints.

use uuid::Uuid;

use super::WebhookEndpoints;
use crate::domain::access::Actor;
use crate::domain::webhook::{NewWebhookEndpoint, WebhookSource, body_value};
use crate::integrations::webhooks::WebhookSecret;
use crate::services::{ServiceError, ServiceResult, actor};
use crate::store::mongo::Mongo;
use crate::store::webhook_endpoints as store;

/// How many samples Zapier is given.
const SAMPLES: i64 = 3;
/// Subscriptions one key or user may hold (a Zap holds one per trigger).
const MAX_PER_CALLER: i64 = 50;

pub struct Hooks<'a> {
    pub endpoints: WebhookEndpoints<'a>,
    pub mongo: &'a Mongo,
}

fn caller() -> ServiceResult<Actor> {
    actor::current().ok_or(ServiceError::Unauthenticated { message: "a Zapier subscription needs an API key" })
}

impl Hooks<'_> {
    /// Subscribes `target_url` to `event`; returns the subscription id.
    pub async fn subscribe(&self, target_url: &str, event: &str) -> ServiceResult<Uuid> {
        let by = caller()?;
        let url = self.endpoints.target(target_url, "target_url")?;
        let new = NewWebhookEndpoint {
            url,
            description: format!("Zapier: {event}"),
            event_types: WebhookEndpoints::filter(&[event.to_owned()], "event")?,
            source: WebhookSource::Zapier,
            created_by: Some(by.clone()),
        };
        let conn = self.endpoints.db.conn().await?;
        if store::count_subscriptions(&*conn, &by).await? >= MAX_PER_CALLER {
            return Err(ServiceError::Conflict {
                field: None,
                message: format!("this key already holds {MAX_PER_CALLER} subscriptions; turn off unused Zaps first"),
            });
        }
        let endpoint = store::insert(&*conn, &new, WebhookSecret::generate().expose()).await?;
        actor::audit("zapier hook subscribed", endpoint.id);
        Ok(endpoint.id)
    }

    /// Ends a subscription the caller made.
    pub async fn unsubscribe(&self, id: Uuid) -> ServiceResult<()> {
        let by = caller()?;
        let conn = self.endpoints.db.conn().await?;
        store::delete_subscription(&*conn, id, &by).await?;
        actor::audit("zapier hook unsubscribed", id);
        Ok(())
    }

    /// The newest real events of `event`, shaped as a delivery's body.
    pub async fn samples(&self, event: &str) -> ServiceResult<Vec<serde_json::Value>> {
        WebhookEndpoints::filter(&[event.to_owned()], "event")?;
        let records = self.mongo.events().of_type(event, SAMPLES).await?;
        Ok(records
            .into_iter()
            .map(|r| body_value(r.id, &r.event_type, r.occurred_at, r.subject_id, None, r.data))
            .collect())
    }
}

/// Ends the subscriptions of a key that was revoked or a user who lost access.
pub(crate) async fn end_subscriptions_of(c: &impl tokio_postgres::GenericClient, by: &Actor) -> ServiceResult<()> {
    let ended = store::delete_subscriptions_of(c, by).await?;
    if ended > 0 {
        tracing::info!(%by, ended, "zapier subscriptions ended with their caller's access");
    }
    Ok(())
}
