//! Delivery reports: SendGrid's signed Event Webhook and Twilio's status callback. Each
//! checks its signature like the other webhooks (missing: 401, wrong or unconfigured:
//! 403, nothing recorded), reads the post into reports and hands them to the suppressions
//! service. The answer counts what changed; a redelivery changes nothing and is still 200,
//! so the provider stops retrying.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

use super::error::{ApiError, ApiResult};
use super::extract::RawBody;
use super::routes::{Access, Routes};
use super::webhooks::{TWILIO_STATUS_PATH, signed_twilio_params};
use crate::app::AppState;
use crate::channels::sendgrid_events::{self, EventSignatureError, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::channels::twilio_status;
use crate::services::suppressions::ReportsApplied;
use axum::http::Method;

use super::openapi::WebhookErrors;
use super::openapi::providers::{SendGridEvent, TwilioStatusCallback};

/// SendGrid posts a batch when it reaches 768 KB or every 30 s; room above that, under
/// Lambda's 6 MB payload limit.
const SENDGRID_EVENTS_MAX_BYTES: usize = 2 * 1024 * 1024;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[utoipa::path(
    post,
    path = "/api/webhooks/sendgrid/events",
    tag = "webhooks",
    description = "Authenticated by SendGrid's ECDSA signature (`SENDGRID_EVENT_PUBLIC_KEY`), not an API key.",
    params(
        ("X-Twilio-Email-Event-Webhook-Signature" = String, Header, description = "Base64 ECDSA signature of timestamp + body"),
        ("X-Twilio-Email-Event-Webhook-Timestamp" = String, Header, description = "Unix time of the signature"),
    ),
    request_body(content = Vec<SendGridEvent>, content_type = "application/json"),
    responses(
        (status = 200, description = "What the reports changed (a redelivery changes nothing)", body = ReportsApplied),
        WebhookErrors,
    )
)]
async fn sendgrid_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, axum::Json<ReportsApplied>)> {
    let (signature, timestamp) = (header(&headers, SIGNATURE_HEADER), header(&headers, TIMESTAMP_HEADER));
    if signature.is_none() || timestamp.is_none() {
        let missing = if signature.is_none() { SIGNATURE_HEADER } else { TIMESTAMP_HEADER };
        return Err(ApiError::unauthorized(format!("{missing} is missing")));
    }
    let Some(key) = &state.config.providers.sendgrid_event_key else {
        return Err(ApiError::forbidden("the SendGrid Event Webhook is not configured (SENDGRID_EVENT_PUBLIC_KEY)"));
    };
    let now = chrono::Utc::now();
    match sendgrid_events::verify_signature(key, signature, timestamp, &body, now) {
        Ok(()) => {}
        Err(e @ EventSignatureError::Missing(_)) => return Err(ApiError::unauthorized(e.to_string())),
        Err(
            e @ (EventSignatureError::Malformed(_)
            | EventSignatureError::Expired { .. }
            | EventSignatureError::Mismatch),
        ) => {
            tracing::warn!(error = %e, "rejected a SendGrid event post");
            return Err(ApiError::forbidden(format!("{SIGNATURE_HEADER}: {e}")));
        }
    }
    let reports = sendgrid_events::parse_events(&body, now).map_err(|e| ApiError::validation("body", e.to_string()))?;
    let applied = state.suppressions().apply(&reports).await?;
    Ok((StatusCode::OK, axum::Json(applied)))
}

#[utoipa::path(
    post,
    path = "/api/webhooks/twilio/status",
    tag = "webhooks",
    description = "Authenticated by `X-Twilio-Signature`, not an API key.",
    params(("X-Twilio-Signature" = String, Header, description = "Twilio's signature of this request")),
    request_body(content = TwilioStatusCallback, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "What the report changed", body = ReportsApplied),
        WebhookErrors,
    )
)]
async fn twilio_status(
    State(state): State<AppState>,
    parts: Parts,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, axum::Json<ReportsApplied>)> {
    let (settings, params) = signed_twilio_params(&state, &parts, &body)?;
    let report = twilio_status::parse_status(&params, Some(&settings.account_sid), chrono::Utc::now())
        .map_err(|e| ApiError::validation(e.field, format!("{}: {}", e.field, e.message)))?;
    let applied = state.suppressions().apply(std::slice::from_ref(&report)).await?;
    Ok((StatusCode::OK, axum::Json(applied)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(sendgrid_events, twilio_status))]
pub(super) struct DeliveryApi;

pub(super) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .route(
            Method::POST,
            "/api/webhooks/sendgrid/events",
            Access::Public,
            post(sendgrid_events).layer(DefaultBodyLimit::max(SENDGRID_EVENTS_MAX_BYTES)),
        )
        .public_post(TWILIO_STATUS_PATH, twilio_status)
}
