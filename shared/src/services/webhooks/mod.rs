//! Outbound webhooks: the endpoints admins register, their signing secrets, the
//! deliveries log and manual retries ([`WebhookEndpoints`]); the attempts themselves
//! ([`deliver::WebhookDeliverer`]); Zapier's REST hook subscriptions ([`hooks`]).

pub mod deliver;
pub mod hooks;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::domain::webhook::{
    EventFilter, NewWebhookEndpoint, ROTATION_OVERLAP, TargetUrl, WebhookDelivery, WebhookDeliveryStatus,
    WebhookEndpoint, WebhookSource,
};
use crate::integrations::webhooks::WebhookSecret;
use crate::queue::{Job, JobQueue};
use crate::store::{Db, Page, PageRequest, webhook_deliveries, webhook_endpoints as store};

pub struct WebhookEndpoints<'a> {
    pub db: &'a Db,
    pub jobs: &'a dyn JobQueue,
    /// `ALLOW_PRIVATE_WEBHOOK_TARGETS`: plain http to loopback, for local use.
    pub allow_loopback: bool,
}

/// What an admin asks for; validated here, where the local-target rule is known.
#[derive(Debug, Default)]
pub struct EndpointInput {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

impl WebhookEndpoints<'_> {
    /// A target URL the input `field` gave.
    pub fn target(&self, raw: &str, field: &str) -> ServiceResult<TargetUrl> {
        TargetUrl::parse(raw, self.allow_loopback).map_err(|e| ServiceError::invalid(field, format!("{field} {}", e.0)))
    }

    pub(crate) fn filter(types: &[String], field: &str) -> ServiceResult<EventFilter> {
        EventFilter::parse(types).map_err(|e| ServiceError::invalid(field, format!("{field}: {}", e.0)))
    }

    fn description(raw: Option<String>) -> ServiceResult<String> {
        let d = raw.unwrap_or_default().trim().to_owned();
        if d.chars().count() > 500 {
            return Err(ServiceError::invalid("description", "description must be at most 500 characters"));
        }
        Ok(d)
    }

    /// The new endpoint and its secret, shown this once.
    pub async fn create(&self, input: EndpointInput) -> ServiceResult<(WebhookEndpoint, WebhookSecret)> {
        let url = self.target(input.url.as_deref().unwrap_or_default(), "url")?;
        let event_types = Self::filter(&input.event_types.unwrap_or_else(|| vec!["*".into()]), "event_types")?;
        let new = NewWebhookEndpoint {
            url,
            description: Self::description(input.description)?,
            event_types,
            source: WebhookSource::Admin,
            created_by: super::actor::current(),
        };
        let secret = WebhookSecret::generate();
        let conn = self.db.conn().await?;
        let endpoint = store::insert(&*conn, &new, secret.expose()).await?;
        super::actor::audit("webhook endpoint created", endpoint.id);
        Ok((endpoint, secret))
    }

    /// Every endpoint, Zapier's subscriptions included (`source` tells them apart).
    pub async fn list(&self) -> ServiceResult<Vec<WebhookEndpoint>> {
        let conn = self.db.conn().await?;
        Ok(store::list(&*conn).await?)
    }

    pub async fn get(&self, id: Uuid) -> ServiceResult<WebhookEndpoint> {
        let conn = self.db.conn().await?;
        Ok(store::get_one(&*conn, id).await?)
    }

    pub async fn update(&self, id: Uuid, input: EndpointInput) -> ServiceResult<WebhookEndpoint> {
        let url = input.url.as_deref().map(|u| self.target(u, "url")).transpose()?;
        let event_types = input.event_types.as_deref().map(|t| Self::filter(t, "event_types")).transpose()?;
        let description = input.description.map(|d| Self::description(Some(d))).transpose()?;
        let changes = store::Changes {
            url: url.as_ref().map(TargetUrl::as_str),
            description: description.as_deref(),
            event_types: event_types.map(|f| f.types().to_vec()),
            enabled: input.enabled,
        };
        let conn = self.db.conn().await?;
        let endpoint = store::update(&*conn, id, &changes).await?;
        super::actor::audit("webhook endpoint changed", id);
        Ok(endpoint)
    }

    pub async fn delete(&self, id: Uuid) -> ServiceResult<()> {
        let conn = self.db.conn().await?;
        if !store::delete(&*conn, id).await? {
            return Err(ServiceError::NotFound { what: "webhook endpoint" });
        }
        super::actor::audit("webhook endpoint deleted", id);
        Ok(())
    }

    /// A new secret, shown this once; the old one keeps signing for 24 hours beside it.
    pub async fn rotate_secret(&self, id: Uuid, now: DateTime<Utc>) -> ServiceResult<(WebhookEndpoint, WebhookSecret)> {
        let secret = WebhookSecret::generate();
        let conn = self.db.conn().await?;
        let Some(endpoint) = store::rotate_secret(&*conn, id, secret.expose(), now, now + ROTATION_OVERLAP).await?
        else {
            return Err(ServiceError::Conflict {
                field: None,
                message: "the secret was rotated less than 24 hours ago and the one before it still signs; \
                          rotate again once previous_secret_expires_at has passed"
                    .into(),
            });
        };
        super::actor::audit("webhook secret rotated", id);
        Ok((endpoint, secret))
    }

    pub async fn deliveries(
        &self,
        endpoint_id: Uuid,
        status: Option<WebhookDeliveryStatus>,
        page: &PageRequest,
    ) -> ServiceResult<Page<WebhookDelivery>> {
        self.get(endpoint_id).await?;
        let conn = self.db.conn().await?;
        Ok(webhook_deliveries::list(&*conn, endpoint_id, status, page).await?)
    }

    /// Sends a delivery once more now (a finished one without automatic retries after).
    pub async fn retry(&self, delivery_id: Uuid, now: DateTime<Utc>) -> ServiceResult<WebhookDelivery> {
        let conn = self.db.conn().await?;
        let Some(delivery) = webhook_deliveries::retry(&*conn, delivery_id, now).await? else {
            return Err(ServiceError::Conflict {
                field: None,
                message: "the delivery is being attempted right now, or its endpoint is disabled (enable it first)"
                    .into(),
            });
        };
        drop(conn);
        if let Err(e) = self.jobs.enqueue(&Job::DeliverWebhook { delivery_id }).await {
            tracing::warn!(%delivery_id, error = %e, "retry not queued; the schedule will send it");
        }
        Ok(delivery)
    }
}
