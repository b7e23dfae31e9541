//! `POST /api/webhooks/stripe`: Stripe's events about deposits' Checkout Sessions.
//! Public, proven by `Stripe-Signature`; a missing, wrong or stale signature gets 400
//! and changes nothing. Each Stripe event id has one effect, however often it comes.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, ApiResult};
use super::extract::RawBody;
use super::routes::Routes;
use crate::app::AppState;
use crate::channels::stripe;
use crate::services::bookings::StripeOutcome;

use super::openapi::providers::StripeWebhookEvent;

const STRIPE_WEBHOOK_PATH: &str = "/api/webhooks/stripe";

#[utoipa::path(
    post,
    path = "/api/webhooks/stripe",
    tag = "webhooks",
    description = "Authenticated by `Stripe-Signature` (HMAC-SHA256 with the endpoint's signing secret, \
                   `STRIPE_WEBHOOK_SECRET`, over `{t}.{body}`; at most 300 s old), not an API key. Follows \
                   `checkout.session.completed`, `checkout.session.async_payment_succeeded`, \
                   `checkout.session.async_payment_failed` and `checkout.session.expired`; any other type is \
                   acknowledged and ignored.",
    params(("Stripe-Signature" = String, Header, description = "`t=<unix time>,v1=<hex HMAC>[,v1=...]`")),
    request_body(content = StripeWebhookEvent, content_type = "application/json"),
    responses(
        (status = 200, description = "What the event did", body = StripeOutcome),
        (status = 400, description = "The signature is missing, wrong or too old", body = super::openapi::ErrorBody),
        (status = 403, description = "Stripe is not configured on this deployment", body = super::openapi::ErrorBody),
        (status = 422, description = "The signed body is not a Stripe event", body = super::openapi::ErrorBody),
        (status = 503, description = "Try again later (Stripe retries)", body = super::openapi::ErrorBody,
            headers(("Retry-After" = u64))),
    )
)]
async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    let Some(settings) = &state.config.providers.stripe else {
        if signature.is_none() {
            return Err(ApiError::bad_param("Stripe-Signature", "the Stripe-Signature header is missing"));
        }
        return Err(ApiError::forbidden("Stripe is not configured on this deployment"));
    };
    if let Err(e) = stripe::verify_signature(signature, &body, &settings.webhook_secret, chrono::Utc::now()) {
        tracing::warn!(error = %e, "rejected a Stripe webhook");
        return Err(ApiError::bad_param("Stripe-Signature", e.to_string()));
    }
    let event = stripe::parse(&body).map_err(|e| ApiError::validation(e.field.clone(), e.to_string()))?;
    let outcome = state.bookings().stripe_event(event, chrono::Utc::now()).await?;
    Ok((StatusCode::OK, axum::Json(outcome)).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(stripe_webhook))]
pub(super) struct StripeWebhookApi;

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state).public_post(STRIPE_WEBHOOK_PATH, stripe_webhook)
}
