//! Zapier's REST hooks: a Zap that turns on subscribes a target URL to one event type,
//! one that turns off unsubscribes (and a 410 from Zapier ends it too, see `deliver`);
//! while a user builds the Zap, Zapier asks for recent real objects of the type.
//! Deliveries are the same signed bodies every endpoint gets.

use uuid::Uuid;

use super::WebhookEndpoints;
use crate::domain::webhook::{NewWebhookEndpoint, WebhookSource, body_value};
use crate::integrations::webhooks::WebhookSecret;
use crate::services::ServiceResult;
use crate::store::mongo::Mongo;
use crate::store::webhook_endpoints as store;

/// How many samples Zapier is given.
const SAMPLES: i64 = 3;

pub struct Hooks<'a> {
    pub endpoints: WebhookEndpoints<'a>,
    pub mongo: &'a Mongo,
}

impl Hooks<'_> {
    /// Subscribes `target_url` to `event`; returns the subscription id.
    pub async fn subscribe(&self, target_url: &str, event: &str) -> ServiceResult<Uuid> {
        let url = self.endpoints.target(target_url, "target_url")?;
        let new = NewWebhookEndpoint {
            url,
            description: format!("Zapier: {event}"),
            event_types: WebhookEndpoints::filter(&[event.to_owned()], "event")?,
            source: WebhookSource::Zapier,
            created_by: crate::services::actor::current(),
        };
        let conn = self.endpoints.db.conn().await?;
        let endpoint = store::insert(&*conn, &new, WebhookSecret::generate().expose()).await?;
        crate::services::actor::audit("zapier hook subscribed", endpoint.id);
        Ok(endpoint.id)
    }

    pub async fn unsubscribe(&self, id: Uuid) -> ServiceResult<()> {
        let conn = self.endpoints.db.conn().await?;
        store::delete(&*conn, id, WebhookSource::Zapier).await?;
        crate::services::actor::audit("zapier hook unsubscribed", id);
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
