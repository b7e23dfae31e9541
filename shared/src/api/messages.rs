//! `/api/messages`: intake from widgets, forms and other clients (public, rate limited),
//! the chat widget's read of its conversation (chat token), and staff routes to read
//! messages and send by hand.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::Caller;
use super::crm::page_request;
use super::error::{ApiError, ApiResult};
use super::extract::{Id, Json, Query, RawBody};
use super::intake::{accept_detached, accepted_json};
use super::rate_limit::{self, Quota};
use super::request_info::{client_ip, deadline};
use super::routes::Routes;
use super::{chat_token, extract};
use crate::app::AppState;
use crate::channels::InboundMessage;
use crate::domain::access::Need;
use crate::domain::text::{LongText, ShortText, Text};
use crate::domain::{Channel, Direction, Email, Message, Phone};
use crate::idempotency::payload_hash;
use crate::services::Page;
use crate::services::actor::acting_as;
use crate::services::conversations::MessageFilter;
use crate::services::conversations::StaffMessage;
use crate::services::intake::Accepted;

use super::openapi::{BodyErrors, NotFound, StaffErrors};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Contact {
    name: Option<ShortText>,
    email: Option<Email>,
    #[schema(pattern = "^\\+1(?:212|415|512|646|718)[2-9][0-9]{6}$")]
    phone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Receive {
    channel: Channel,
    content: LongText,
    customer: Contact,
    subject: Option<ShortText>,
    /// A web form's other fields, at most 50.
    #[serde(default)]
    fields: BTreeMap<String, Text<2000>>,
    external_id: Option<ShortText>,
    /// The token a previous chat message returned: continues that chat session.
    #[schema(pattern = "^[A-Za-z0-9_-]{64}$")]
    chat_token: Option<String>,
}

/// What intake answers (202).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)] // describes the body `accepted_json` builds
pub(super) struct ReceiveAccepted {
    message_id: Uuid,
    customer_id: Uuid,
    lead_id: Uuid,
    /// Chat only: the token that continues this chat session and reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    chat_token: Option<String>,
}

const RECEIVE_WINDOW: Duration = Duration::from_mins(1);
const MAX_FIELDS: usize = 50;

#[utoipa::path(
    post,
    path = "/api/messages/receive",
    tag = "messages",
    request_body = Receive,
    description = "Public for `chat` and `form` (the website), rate limited per address; `sms` and `email` need an API key.",
    responses(
        (status = 202, description = "Stored; processing is queued (a repeat of an `external_id` answers the first result)", body = ReceiveAccepted),
        (status = 400, description = "The body is not JSON", body = super::openapi::ErrorBody),
        (status = 401, description = "`sms` or `email` without a valid API key", body = super::openapi::ErrorBody),
        (status = 403, description = "`chat_token` is not a token this service issued", body = super::openapi::ErrorBody),
        (status = 409, description = "The same message is being accepted right now", body = super::openapi::ErrorBody, headers(("Retry-After" = u64))),
        (status = 429, description = "Too many messages from this address", body = super::openapi::ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the window ends"))),
        (status = 503, description = "A backing service is unavailable", body = super::openapi::ErrorBody, headers(("Retry-After" = u64))),
        BodyErrors,
    )
)]
async fn receive(
    State(state): State<AppState>,
    parts: Parts,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, HeaderMap, axum::Json<serde_json::Value>)> {
    extract::require_json(&parts.headers)?;
    let r: Receive = extract::parse_json(&body)?;
    // Chat and forms come from the public website; SMS and e-mail through this route are
    // integrations acting for the business (they make Leadflow text or mail people).
    let caller = super::auth::caller(&state, &parts.headers).await?;
    if matches!(r.channel, Channel::Sms | Channel::Email) {
        match &caller {
            None => {
                return Err(ApiError::unauthorized(
                    "channel sms and email need an API key with the intake scope; the website sends chat or form",
                ));
            }
            Some(p) if !p.allows(Need::Intake) => {
                return Err(ApiError::forbidden("channel sms and email need the intake scope (or an agent's role)"));
            }
            Some(_) => {}
        }
    }
    if r.fields.len() > MAX_FIELDS {
        return Err(ApiError::validation("fields", format!("at most {MAX_FIELDS} form fields")));
    }
    let phone = r
        .customer
        .phone
        .as_deref()
        .map(|p| Phone::parse(p, state.config.default_country))
        .transpose()
        .map_err(|e| ApiError::validation("customer.phone", format!("customer.phone {}", e.0)))?;
    if r.customer.email.is_none() && phone.is_none() {
        return Err(ApiError::validation("customer.email", "customer needs an email or a phone"));
    }
    let channel = r.channel;
    let chat_session = match (channel, r.chat_token.as_deref()) {
        (Channel::Chat, Some(token)) => Some(chat_token::verify(&state.chat_key, token).ok_or_else(|| {
            // A forged or foreign token is a credential failure, as on the chat read.
            ApiError::forbidden("chat_token is not a token this service issued").with_field("chat_token")
        })?),
        (Channel::Chat, None) => Some(Uuid::new_v4()),
        (_, Some(_)) => return Err(ApiError::validation("chat_token", "chat_token belongs to chat messages")),
        (_, None) => None,
    };
    // External ids are the client's: scope them to the contact so two visitors never meet.
    let contact = r
        .customer
        .email
        .as_ref()
        .map(std::string::ToString::to_string)
        .or_else(|| phone.as_ref().map(std::string::ToString::to_string));
    let provider_id = r.external_id.as_ref().map(|e| format!("receive:{}:{e}", contact.clone().unwrap_or_default()));
    let inbound = InboundMessage {
        channel,
        content: r.content.into_string(),
        subject: r.subject.map(ShortText::into_string),
        name: r.customer.name.map(ShortText::into_string),
        email: r.customer.email,
        phone,
        provider_message_id: provider_id.clone(),
        chat_session,
        fields: r.fields.into_iter().map(|(k, v)| (k, v.into_string())).collect(),
        auto_submitted: false,
    };
    // Only well-formed messages count against a limit: a client fixing its request is
    // not locked out by its own mistakes. An integration counts as itself; the website's
    // visitors by address, and each chat session apart, so one noisy visitor behind a
    // shared address cannot silence the rest for long.
    let limiter = &*state.rate_limiter;
    let granted = match &caller {
        Some(p) => rate_limit::take(limiter, super::auth::caller_quota(&state), &p.actor.to_string()).await?,
        None => {
            let quota =
                Quota { name: "receive", limit: state.config.messaging.receive_per_minute, window: RECEIVE_WINDOW };
            rate_limit::take(limiter, quota, &client_ip(&parts)).await?
        }
    };
    if let (Some(session), Some(_)) = (chat_session, r.chat_token.as_deref()) {
        // A person typing into the widget sends a few messages a minute, not dozens.
        let quota = Quota {
            name: "chat-session",
            limit: state.config.messaging.chat_session_per_minute,
            window: RECEIVE_WINDOW,
        };
        rate_limit::take(limiter, quota, &session.to_string()).await?;
    }
    let chat_key = state.chat_key.clone();
    let respond = move |a: &Accepted| {
        let mut body = accepted_json(a);
        if let Some(session) = chat_session {
            body["chat_token"] = json!(chat_token::issue(&chat_key, session));
        }
        body
    };
    let actor = caller.map(|p| p.actor);
    let body =
        accept_detached(&state, actor, provider_id, payload_hash(&body), deadline(&parts), inbound, respond).await?;
    let mut headers = HeaderMap::new();
    granted.apply(&mut headers);
    Ok((StatusCode::ACCEPTED, headers, axum::Json(body)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ChatQuery {
    /// The `chat_token` intake returned.
    #[param(pattern = "^[A-Za-z0-9_-]{64}$")]
    token: String,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The widget's view of its chat session, newest first.
#[utoipa::path(
    get,
    path = "/api/messages/chat",
    tag = "messages",
    params(ChatQuery),
    responses(
        (status = 200, description = "A page of the session's messages, newest first", body = Page<Message>),
        (status = 400, description = "A parameter cannot be read", body = super::openapi::ErrorBody),
        (status = 403, description = "The token is not one this service issued", body = super::openapi::ErrorBody),
        (status = 503, description = "A backing service is unavailable", body = super::openapi::ErrorBody, headers(("Retry-After" = u64))),
    )
)]
async fn chat_history(
    State(state): State<AppState>,
    Query(q): Query<ChatQuery>,
) -> ApiResult<axum::Json<Page<Message>>> {
    let session = chat_token::verify(&state.chat_key, &q.token)
        .ok_or_else(|| ApiError::forbidden("the chat token is not valid"))?;
    let page = page_request(q.limit, q.cursor.as_deref())?;
    Ok(axum::Json(state.conversations().chat_history(session, &page).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    customer_id: Option<Uuid>,
    #[param(inline)]
    channel: Option<Channel>,
    #[param(inline)]
    direction: Option<Direction>,
    processed: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/messages",
    tag = "messages",
    security(("bearer" = []), ("api_key" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of messages, newest first", body = Page<Message>),
        StaffErrors,
    )
)]
async fn list(State(state): State<AppState>, Query(q): Query<ListQuery>) -> ApiResult<axum::Json<Page<Message>>> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let filter = MessageFilter {
        customer_id: q.customer_id,
        chat_session: None,
        channel: q.channel,
        direction: q.direction,
        processed: q.processed,
    };
    Ok(axum::Json(state.conversations().list(&filter, &page).await?))
}

#[utoipa::path(
    get,
    path = "/api/messages/{id}",
    tag = "messages",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The message's id")),
    responses(
        (status = 200, description = "The message", body = Message),
        StaffErrors, NotFound,
    )
)]
async fn show(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Message>> {
    Ok(axum::Json(state.conversations().get(id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Send {
    customer_id: Uuid,
    content: LongText,
    subject: Option<ShortText>,
}

/// An agent's message to a customer, on the channel of the path.
#[utoipa::path(
    post,
    path = "/api/messages/send/{channel}",
    tag = "messages",
    security(("bearer" = []), ("api_key" = [])),
    params(("channel" = String, Path, pattern = "^(?:sms|email|chat)$", description = "The channel to send on")),
    request_body = Send,
    responses(
        (status = 201, description = "The message, sent or stored with its delivery status", body = Message),
        (status = 409, description = "The channel is not configured, or the customer cannot be reached on it", body = super::openapi::ErrorBody),
        (status = 502, description = "The provider refused the message", body = super::openapi::ErrorBody),
        StaffErrors, BodyErrors, NotFound,
    )
)]
async fn send(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(channel): Path<String>,
    Json(body): Json<Send>,
) -> ApiResult<(StatusCode, axum::Json<Message>)> {
    let channel: Channel = channel
        .parse()
        .map_err(|e: crate::domain::InvalidValue| ApiError::bad_param("channel", format!("channel {}", e.0)))?;
    let message = StaffMessage { customer_id: body.customer_id, channel, content: body.content, subject: body.subject };
    let state2 = state.clone();
    // Like intake, a send runs to completion once started: the provider may have taken
    // the message, and the record of it must not be lost with the connection.
    let actor = caller.actor;
    let sent = tokio::spawn(acting_as(actor, async move { state2.conversations().send_by_staff(message).await }))
        .await
        .map_err(|e| ApiError::internal(format!("send task failed: {e}")))??;
    Ok((StatusCode::CREATED, axum::Json(sent)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(receive, chat_history, list, show, send))]
pub(super) struct MessagesApi;

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .get("/api/messages", Need::Read, list)
        .get("/api/messages/{id}", Need::Read, show)
        .post("/api/messages/send/{channel}", Need::Write, send)
        .public_post("/api/messages/receive", receive)
        .public_get("/api/messages/chat", chat_history)
        .merge(super::conversations::routes(state))
}

pub fn router(state: AppState) -> Router {
    routes(&state).finish()
}
