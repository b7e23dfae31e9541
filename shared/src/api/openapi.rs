//! The OpenAPI 3.1 document of the API, generated from the handlers' `#[utoipa::path]`
//! annotations and the types they take and return, and served at `/api/openapi.json`.
//! Each route family lists its operations next to its handlers (`*Api` structs); this
//! module joins them and adds what they share: the error envelope, the error responses
//! and the security schemes.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::openapi::{InfoBuilder, OpenApi as Document};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

pub(crate) mod providers;
mod rules;

/// What every failure answers: `{"error": {"code", "message", "field"?}}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorDetail {
    /// A stable machine-readable code: `validation_error`, `invalid_json`, `not_found`,
    /// `conflict`, `unauthorized`, `forbidden`, `payload_too_large`,
    /// `unsupported_media_type`, `rate_limited`, `service_unavailable`, ...
    code: String,
    /// What went wrong, for people.
    message: String,
    /// The input at fault (a body field such as `customer.phone`, a query or path
    /// parameter, or a header), when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

/// The failures every staff route may answer.
#[derive(IntoResponses)]
#[allow(dead_code)] // a description of responses, never built
pub(crate) enum StaffErrors {
    /// A query or path parameter that cannot be read, or a body that is not JSON.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No credentials, or ones that are not valid (`WWW-Authenticate: Bearer`).
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The caller's role or scopes do not cover this route.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// The caller used up its requests for the minute (IETF `RateLimit` fields).
    #[response(status = 429, headers(
        ("Retry-After" = u64, description = "Seconds until the window resets"),
        ("RateLimit-Policy" = String, description = "The quota, e.g. `\"caller\";q=600;w=60`"),
        ("RateLimit" = String, description = "What is left, e.g. `\"caller\";r=0;t=42`"),
    ))]
    RateLimited(ErrorBody),
    /// A backing service is unavailable; retry after the `Retry-After` seconds.
    #[response(status = 503, headers(("Retry-After" = u64, description = "Seconds to wait before retrying")))]
    Unavailable(ErrorBody),
}

/// The failures of a route that reads a JSON body.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub(crate) enum BodyErrors {
    /// The body is larger than the API accepts (`MAX_BODY_BYTES`).
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// The body is not declared as `application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// A field is missing, unknown or invalid; `field` names it.
    #[response(status = 422)]
    Invalid(ErrorBody),
}

/// No record has that id.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub(crate) enum NotFound {
    #[response(status = 404)]
    NotFound(ErrorBody),
}

/// The change conflicts with the record's state or another record (a duplicate e-mail,
/// a status that cannot follow the current one, a request in progress).
#[derive(IntoResponses)]
#[allow(dead_code)]
pub(crate) enum Conflict {
    #[response(status = 409, headers(("Retry-After" = u64, description = "Seconds to wait when the record is being processed")))]
    Conflict(ErrorBody),
}

/// A webhook whose signature or secret is missing (401) or wrong, or whose provider is
/// not configured here (403). Nothing is stored.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub(crate) enum WebhookErrors {
    #[response(status = 401)]
    Unsigned(ErrorBody),
    #[response(status = 403)]
    BadSignature(ErrorBody),
    /// The body is larger than the route accepts.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// The signed post does not hold what the provider sends; `field` names the part.
    #[response(status = 422)]
    Invalid(ErrorBody),
    #[response(status = 503, headers(("Retry-After" = u64, description = "Seconds to wait before retrying")))]
    Unavailable(ErrorBody),
}

/// The security every staff operation declares (either scheme will do).
pub(crate) const STAFF: &str = "bearer";

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            STAFF,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`Authorization: Bearer <token>`: a Leadflow access JWT, an `lf_live_…` API key, or a \
                         bootstrap key (`LEADFLOW_API_KEYS`, 16+ characters), or a token of the configured \
                         identity provider. Staff routes need one (a local server without keys leaves them open).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Api-Key",
                "The same API key in `X-Api-Key`, for clients that cannot set `Authorization`.",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    paths(serve),
    modifiers(&SecuritySchemes),
    components(schemas(ErrorBody, ErrorDetail)),
    tags(
        (name = "access", description = "Signing in (access and refresh tokens), staff users and managed API keys"),
        (name = "health", description = "Liveness of the API and its stores, and this document"),
        (name = "crm", description = "Customers, their conversation history and the Salesforce sync"),
        (name = "settings", description = "The business profile replies are grounded in, and the integrations' status"),
        (name = "conversations", description = "The staff inbox: conversations needs-human first, read marks per caller, handing a conversation back to the AI"),
        (name = "messages", description = "Intake from the website and integrations, the chat widget's view, staff reads and sends"),
        (name = "webhooks", description = "Provider callbacks (Twilio, SendGrid, Calendly). They carry no API key: each is authenticated by its provider's signature or secret, and answers 401 when that is missing and 403 when it is wrong or the provider is not configured"),
        (name = "leads", description = "The sales pipeline"),
        (name = "analytics", description = "Speed to lead, channels, the funnel and daily activity, from rollups refreshed by the schedule"),
        (name = "tasks", description = "Human work routed to teams"),
        (name = "teams", description = "Teams and agents, who handle tasks"),
        (name = "bookings", description = "Open times, bookings and their calendar files"),
        (name = "follow-ups", description = "Follow-up sequences, enrolments and scheduled follow-ups"),
        (name = "webhook-endpoints", description = "Outbound webhooks: endpoints events are sent to (Standard Webhooks signatures), their deliveries, and Zapier's REST hook subscriptions"),
    )
)]
struct ApiDoc;

/// The whole document.
pub fn document() -> Document {
    let mut doc = ApiDoc::openapi();
    for family in [
        super::health::HealthApi::openapi(),
        super::crm::CrmApi::openapi(),
        super::settings::SettingsApi::openapi(),
        super::messages::MessagesApi::openapi(),
        super::conversations::ConversationsApi::openapi(),
        super::webhooks::WebhooksApi::openapi(),
        super::webhooks_delivery::DeliveryApi::openapi(),
        super::webhooks_stripe::StripeWebhookApi::openapi(),
        super::leads::LeadsApi::openapi(),
        super::analytics::AnalyticsApi::openapi(),
        super::tasks::TasksApi::openapi(),
        super::teams::TeamsApi::openapi(),
        super::bookings::BookingsApi::openapi(),
        super::follow_ups::FollowUpsApi::openapi(),
        super::sign_in::SignInApi::openapi(),
        super::users::UsersApi::openapi(),
        super::webhook_endpoints::WebhookEndpointsApi::openapi(),
        super::hooks::HooksApi::openapi(),
    ] {
        doc.merge(family);
    }
    doc.info = InfoBuilder::new()
        .title("Leadflow")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "AI front desk for a small business's inbound leads. Every failure answers \
             `{\"error\": {\"code\", \"message\", \"field\"?}}`.",
        ))
        .build();
    doc.servers = Some(vec![Server::new("/")]);
    rules::apply(doc)
}

/// The document as served. utoipa 5.5 writes a link's `operationId` as `operation_id`
/// (its `Link` lacks the camelCase rename), so link keys are put right here.
pub fn json() -> serde_json::Value {
    let mut v = serde_json::to_value(document()).expect("the OpenAPI document serialises");
    let links = v["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(serde_json::Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses").and_then(serde_json::Value::as_object_mut))
        .flat_map(|responses| responses.values_mut())
        .filter_map(|r| r.get_mut("links").and_then(serde_json::Value::as_object_mut))
        .flat_map(|links| links.values_mut())
        .filter_map(serde_json::Value::as_object_mut);
    for link in links {
        for (wrong, right) in
            [("operation_id", "operationId"), ("operation_ref", "operationRef"), ("request_body", "requestBody")]
        {
            if let Some(value) = link.remove(wrong) {
                link.insert(right.to_owned(), value);
            }
        }
    }
    v
}

/// Every documented operation: (method in upper case, path as the router spells it).
pub fn operations() -> BTreeSet<(String, String)> {
    let doc = document();
    let mut ops = BTreeSet::new();
    for (path, item) in &doc.paths.paths {
        let methods = [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
            ("OPTIONS", &item.options),
            ("HEAD", &item.head),
            ("PATCH", &item.patch),
            ("TRACE", &item.trace),
        ];
        for (method, op) in methods {
            if op.is_some() {
                ops.insert((method.to_owned(), path.clone()));
            }
        }
    }
    ops
}

/// This document, as JSON.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "health",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = Object))
)]
pub(super) async fn serve() -> impl IntoResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| json().to_string()).clone();
    ([(header::CONTENT_TYPE, "application/json")], body)
}
