//! Outbound integrations: Slack notifications, the Salesforce lead sync, Google Calendar
//! Stripe (deposits) and signed webhooks.

pub mod google_calendar;
pub mod salesforce;
pub mod slack;
pub mod stripe;
pub mod webhooks;

use std::sync::Arc;

/// The integrations configured on this deployment.
#[derive(Clone)]
pub struct Integrations {
    pub slack: Option<Arc<slack::SlackNotifier>>,
    pub salesforce: Option<Arc<salesforce::SalesforceClient>>,
    pub google: Option<Arc<google_calendar::GoogleCalendarClient>>,
    /// Always there: endpoints are registered at run time.
    pub webhooks: webhooks::WebhookSender,
    /// Deposits: Checkout Sessions and refunds.
    pub stripe: Option<Arc<stripe::StripeClient>>,
}

#[derive(Debug, thiserror::Error)]
pub enum IntegrationError {
    /// Worth retrying: the service was unreachable, throttled us or failed.
    #[error("{service} unavailable: {message}")]
    Unavailable { service: &'static str, message: String },
    /// The service refused the request as made; retrying will not help.
    #[error("{service} refused the request ({status}): {message}")]
    Refused { service: &'static str, status: u16, message: String },
}

impl IntegrationError {
    pub(crate) fn from_status(service: &'static str, status: reqwest::StatusCode, body: &str) -> Self {
        let message: String = body.chars().take(300).collect();
        if status.is_server_error() || status.as_u16() == 429 {
            IntegrationError::Unavailable { service, message: format!("HTTP {status}: {message}") }
        } else {
            IntegrationError::Refused { service, status: status.as_u16(), message }
        }
    }

    pub(crate) fn network(service: &'static str, e: reqwest::Error) -> Self {
        IntegrationError::Unavailable { service, message: e.without_url().to_string() }
    }
}
