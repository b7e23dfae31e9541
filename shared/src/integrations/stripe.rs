//! The Stripe API, as far as deposits need it: a Checkout Session per deposit
//! (`POST /v1/checkout/sessions`) and a refund of a paid one (`POST /v1/refunds`).
//! Requests are form-encoded with Stripe's bracket notation, authenticated by the
//! secret key as a bearer token, and carry an `Idempotency-Key`, so a retried call
//! (a lost response, a job run twice) makes nothing twice.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use uuid::Uuid;

use super::IntegrationError;
use crate::config::StripeSettings;
use crate::domain::deposit::Currency;
use crate::domain::provider::Provider;
use crate::provider_log::Watch;

const SERVICE: &str = "Stripe";

pub struct StripeClient {
    http: reqwest::Client,
    api_base: String,
    secret_key: SecretString,
    watch: Watch,
}

/// What a deposit's Checkout Session is made of.
#[derive(Debug, Clone)]
pub struct CheckoutRequest<'a> {
    pub booking_id: Uuid,
    pub amount: i64,
    pub currency: &'a Currency,
    /// The line item's name, shown on the payment page.
    pub product_name: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    pub expires_at: DateTime<Utc>,
    pub customer_email: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckoutSession {
    /// `cs_...`
    pub id: String,
    /// The hosted payment page.
    pub url: String,
    /// Unix seconds.
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Refund {
    /// `re_...`
    pub id: String,
    /// `pending`, `succeeded`, `failed`, ...
    pub status: Option<String>,
}

/// The form of a deposit's Checkout Session, in Stripe's documented field names.
pub fn checkout_form(r: &CheckoutRequest<'_>) -> Vec<(&'static str, String)> {
    let booking = r.booking_id.to_string();
    let mut form = vec![
        ("mode", "payment".to_owned()),
        // Cards settle at once: a deposit must be paid, or not, while the slot is held
        // (delayed methods would complete days after the hold ended).
        ("payment_method_types[0]", "card".to_owned()),
        ("line_items[0][price_data][currency]", r.currency.as_str().to_owned()),
        ("line_items[0][price_data][unit_amount]", r.amount.to_string()),
        ("line_items[0][price_data][product_data][name]", r.product_name.to_owned()),
        ("line_items[0][quantity]", "1".to_owned()),
        ("success_url", r.success_url.to_owned()),
        ("cancel_url", r.cancel_url.to_owned()),
        ("expires_at", r.expires_at.timestamp().to_string()),
        ("metadata[booking_id]", booking.clone()),
        ("client_reference_id", booking),
    ];
    if let Some(email) = r.customer_email {
        form.push(("customer_email", email.to_owned()));
    }
    form
}

fn encode(form: &[(&str, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form {
        s.append_pair(k, v);
    }
    s.finish()
}

impl StripeClient {
    pub fn new(http: reqwest::Client, settings: &StripeSettings) -> Self {
        Self {
            http,
            api_base: settings.api_base.clone(),
            secret_key: settings.secret_key.clone(),
            watch: Watch::new(Provider::Stripe),
        }
    }

    /// Reports each call's result to `log` (the Settings page's integration status).
    #[must_use]
    pub fn with_log(mut self, log: std::sync::Arc<dyn crate::provider_log::ProviderLog>) -> Self {
        self.watch = self.watch.with_log(log);
        self
    }

    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        form: &[(&str, String)],
        idempotency_key: &str,
    ) -> Result<T, IntegrationError> {
        let posted = self.post_once(path, form, idempotency_key).await;
        self.watch.note(&posted).await;
        posted
    }

    async fn post_once<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        form: &[(&str, String)],
        idempotency_key: &str,
    ) -> Result<T, IntegrationError> {
        let resp = self
            .http
            .post(format!("{}{path}", self.api_base))
            .bearer_auth(self.secret_key.expose_secret())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Idempotency-Key", idempotency_key)
            .body(encode(form))
            .send()
            .await
            .map_err(|e| IntegrationError::network(SERVICE, e))?;
        let status = resp.status();
        let body = resp.text().await.map_err(|e| IntegrationError::network(SERVICE, e))?;
        // 409: the same idempotency key is in flight elsewhere; a retry will see its result.
        if status.as_u16() == 409 {
            return Err(IntegrationError::Unavailable {
                service: SERVICE,
                message: "idempotent request in flight".into(),
            });
        }
        if !status.is_success() {
            return Err(IntegrationError::from_status(SERVICE, status, &error_message(&body)));
        }
        serde_json::from_str(&body).map_err(|e| IntegrationError::Unavailable {
            service: SERVICE,
            message: format!("unreadable response: {e}"),
        })
    }

    /// Makes the deposit's Checkout Session under `idempotency_key` (the booking id, or
    /// `{booking}:{n}` for a replanned request).
    pub async fn create_checkout(
        &self,
        r: &CheckoutRequest<'_>,
        idempotency_key: &str,
    ) -> Result<CheckoutSession, IntegrationError> {
        self.post("/v1/checkout/sessions", &checkout_form(r), idempotency_key).await
    }

    /// Refunds the whole payment of a booking's deposit, once (`refund-{booking id}`).
    pub async fn refund(&self, payment_intent: &str, booking_id: Uuid) -> Result<Refund, IntegrationError> {
        let form = [("payment_intent", payment_intent.to_owned())];
        self.post("/v1/refunds", &form, &format!("refund-{booking_id}")).await
    }
}

/// Stripe's `{"error": {"message": ...}}`, else the body as it came.
fn error_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deposit_checkout_form_uses_stripe_names() {
        let usd = Currency::parse("usd").unwrap();
        let id = Uuid::nil();
        let r = CheckoutRequest {
            booking_id: id,
            amount: 2500,
            currency: &usd,
            product_name: "Deposit",
            success_url: "https://x.example/ok",
            cancel_url: "https://x.example/no",
            expires_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            customer_email: None,
        };
        let body = encode(&checkout_form(&r));
        assert!(
            body.starts_with(
                "mode=payment&payment_method_types%5B0%5D=card&line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=usd&"
            ),
            "{body}"
        );
        assert!(body.contains("expires_at=1800000000") && !body.contains("customer_email"));
    }
}
