//! Provider webhooks: Twilio SMS (signature checked), SendGrid Inbound Parse (secret in
//! the configured URL) and Calendly (signature checked); the delivery reports of Twilio
//! and SendGrid are in `webhooks_delivery`. A request that fails its check gets 401/403
//! and stores nothing.

use std::collections::HashMap;

use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::extract::{Query, RawBody};
use super::intake::{accept_detached, accepted_json};
use super::request_info::{deadline, public_url};
use super::routes::{Access, Routes};
use crate::app::AppState;
use crate::channels::{calendly, inbound_parse, sendgrid, twilio};
use crate::idempotency::payload_hash;
use crate::services::bookings::CalendlyOutcome;
use axum::http::Method;

use super::openapi::WebhookErrors;
use super::openapi::providers::{CalendlyWebhook, SendGridInbound, TwilioIncomingSms};

/// Largest Inbound Parse post accepted (e-mails with attachments are big; Lambda's own
/// payload limit is 6 MB).
const SENDGRID_MAX_BYTES: usize = 10 * 1024 * 1024;
const FIELD_MAX_BYTES: usize = 1024 * 1024;

/// Where Twilio posts the status of each SMS sent (the `StatusCallback` Leadflow sets).
pub const TWILIO_STATUS_PATH: &str = "/api/webhooks/twilio/status";

/// The parameters of a Twilio webhook whose `X-Twilio-Signature` matches, with the
/// Twilio settings that checked it.
pub(super) fn signed_twilio_params<'a>(
    state: &'a AppState,
    parts: &Parts,
    body: &[u8],
) -> ApiResult<(&'a crate::config::TwilioSettings, Vec<(String, String)>)> {
    // A missing signature is 401 whether or not Twilio is configured; a signature that
    // cannot be checked (no auth token here) is 403, like a wrong one.
    let signature = parts
        .headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized("X-Twilio-Signature is missing"))?;
    let Some(settings) = &state.config.providers.twilio else {
        return Err(ApiError::forbidden("Twilio is not configured on this deployment"));
    };
    let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let path = parts.uri.path_and_query().map_or("/", axum::http::uri::PathAndQuery::as_str);
    let url = public_url(state.config.public_base_url.as_deref(), &parts.headers, path);
    if !twilio::signature_is_valid(&settings.auth_token, &url, &params, signature) {
        tracing::warn!(%url, "rejected a Twilio webhook with a wrong signature");
        return Err(ApiError::forbidden("X-Twilio-Signature does not match"));
    }
    Ok((settings, params))
}

#[utoipa::path(
    post,
    path = "/api/webhooks/twilio/sms",
    tag = "webhooks",
    description = "Authenticated by `X-Twilio-Signature` (HMAC-SHA1 of the URL and parameters with the auth token), not an API key.",
    params(("X-Twilio-Signature" = String, Header, description = "Twilio's signature of this request")),
    request_body(content = TwilioIncomingSms, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Accepted; an empty TwiML answer (the reply is sent later)", content_type = "text/xml", body = String),
        (status = 409, description = "The same message is being accepted right now", body = super::openapi::ErrorBody, headers(("Retry-After" = u64))),
        WebhookErrors,
    )
)]
async fn twilio_sms(State(state): State<AppState>, parts: Parts, RawBody(body): RawBody) -> ApiResult<Response> {
    let (settings, params) = signed_twilio_params(&state, &parts, &body)?;
    let inbound = twilio::parse_inbound(&params, Some(&settings.account_sid), state.config.default_country)
        .map_err(|e| ApiError::validation(e.field, format!("{}: {}", e.field, e.message)))?;
    let key = inbound.provider_message_id.as_ref().map(|sid| format!("twilio:{sid}"));
    accept_detached(&state, None, key, payload_hash(&body), deadline(&parts), inbound, accepted_json).await?;
    // Twilio waits at most 15 s; the reply goes out later through the Messages API.
    Ok(([(header::CONTENT_TYPE, "text/xml")], twilio::EMPTY_TWIML).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct InboundQuery {
    /// The inbound secret, when the Parse URL carries it (else HTTP basic auth).
    token: Option<String>,
}

fn basic_password(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    text.split_once(':').map(|(_, password)| password.to_owned())
}

/// The form's fields as sent; their charsets are applied by `inbound_parse`.
async fn read_fields(mut multipart: Multipart) -> ApiResult<HashMap<String, Vec<u8>>> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::validation("body", format!("unreadable multipart body: {e}"))
    };
    let mut fields = HashMap::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() || name.is_empty() {
            continue; // attachments are not kept
        }
        let bytes = field.bytes().await.map_err(bad)?;
        // The raw-MIME `email` field holds the whole message, so it may use the body limit.
        if bytes.len() > FIELD_MAX_BYTES && name != "email" {
            return Err(ApiError::validation(name, "field is larger than 1 MiB"));
        }
        fields.insert(name, Vec::from(bytes));
    }
    Ok(fields)
}

#[utoipa::path(
    post,
    path = "/api/webhooks/sendgrid/inbound",
    tag = "webhooks",
    description = "Authenticated by the inbound secret (`SENDGRID_INBOUND_SECRET`) in the `token` parameter or as the basic-auth password, not an API key.",
    params(InboundQuery),
    request_body(content = SendGridInbound, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Accepted", body = super::messages::ReceiveAccepted),
        (status = 409, description = "The same message is being accepted right now", body = super::openapi::ErrorBody, headers(("Retry-After" = u64))),
        (status = 415, description = "The body is not multipart/form-data", body = super::openapi::ErrorBody),
        WebhookErrors,
    )
)]
async fn sendgrid_inbound(
    State(state): State<AppState>,
    Query(q): Query<InboundQuery>,
    parts: Parts,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    let password = basic_password(&parts.headers);
    if q.token.is_none() && password.is_none() {
        return Err(ApiError::unauthorized("the inbound secret is missing (token parameter or basic auth)"));
    }
    let Some(secret) = &state.config.providers.sendgrid_inbound_secret else {
        return Err(ApiError::forbidden("inbound e-mail is not configured (SENDGRID_INBOUND_SECRET)"));
    };
    if !sendgrid::secret_is_valid(secret, q.token.as_deref(), password.as_deref()) {
        return Err(ApiError::forbidden("the inbound secret does not match"));
    }
    let multipart = multipart.map_err(|e| ApiError::unsupported_media_type(&format!("multipart/form-data ({e})")))?;
    let invalid = |e: sendgrid::ParseError| ApiError::validation(e.field, format!("{}: {}", e.field, e.message));
    let fields = inbound_parse::decode_form(&read_fields(multipart).await?).map_err(invalid)?;
    let inbound = sendgrid::parse_inbound(&fields).map_err(invalid)?;
    let key = inbound.provider_message_id.as_ref().map(|id| format!("email:{id}"));
    let hash = payload_hash(
        format!("{:?}|{}|{}", inbound.email, inbound.subject.as_deref().unwrap_or_default(), inbound.content)
            .as_bytes(),
    );
    let body = accept_detached(&state, None, key, hash, deadline(&parts), inbound, accepted_json).await?;
    Ok((StatusCode::OK, axum::Json(body)))
}

/// Calendly webhook v2: `invitee.created` books, `invitee.canceled` cancels. Both are
/// idempotent (the invitee URI is the booking's external id), so Calendly's retries are
/// harmless.
#[utoipa::path(
    post,
    path = "/api/webhooks/calendly",
    tag = "webhooks",
    description = "Authenticated by `Calendly-Webhook-Signature` (HMAC-SHA256 with the signing key, timestamped), not an API key.",
    params(("Calendly-Webhook-Signature" = String, Header, description = "`t=<unix time>,v1=<hex HMAC>`")),
    request_body(content = CalendlyWebhook, content_type = "application/json"),
    responses(
        (status = 200, description = "What the event did", body = CalendlyOutcome),
        (status = 404, description = "The booking the event names is unknown", body = super::openapi::ErrorBody),
        (status = 409, description = "The event conflicts with the booking's state", body = super::openapi::ErrorBody),
        WebhookErrors,
    )
)]
async fn calendly_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let signature = headers
        .get("calendly-webhook-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized("Calendly-Webhook-Signature is missing"))?;
    let Some(key) = &state.config.providers.calendly_signing_key else {
        return Err(ApiError::forbidden("Calendly is not configured on this deployment"));
    };
    if let Err(e) = calendly::verify_signature(Some(signature), &body, key, chrono::Utc::now()) {
        tracing::warn!(error = %e, "rejected a Calendly webhook");
        return Err(ApiError::forbidden(format!("Calendly-Webhook-Signature: {e}")));
    }
    let event = calendly::parse(&body).map_err(|e| ApiError::validation(e.field.clone(), e.to_string()))?;
    let outcome = state.bookings().calendly(event, state.config.default_country, chrono::Utc::now()).await?;
    Ok((StatusCode::OK, axum::Json(outcome)).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(twilio_sms, sendgrid_inbound, calendly_webhook))]
pub(super) struct WebhooksApi;

/// Provider webhooks: public, each proven by its provider's signature.
pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .public_post("/api/webhooks/twilio/sms", twilio_sms)
        .public_post("/api/webhooks/calendly", calendly_webhook)
        .route(
            Method::POST,
            "/api/webhooks/sendgrid/inbound",
            Access::Public,
            post(sendgrid_inbound).layer(DefaultBodyLimit::max(SENDGRID_MAX_BYTES)),
        )
        .merge(super::webhooks_delivery::routes(state))
        .merge(super::webhooks_stripe::routes(state))
}

pub fn router(state: AppState) -> Router {
    routes(&state).finish()
}
