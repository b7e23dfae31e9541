//! `/api/messages`: intake from widgets, forms and other clients (public, rate limited),
//! the chat widget's read of its conversation (chat token), and staff routes to read
//! messages and send by hand.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::crm::page_request;
use super::error::{ApiError, ApiResult};
use super::extract::{Id, Json, Query, RawBody};
use super::intake::{accept_once, accepted_json};
use super::request_info::{client_ip, deadline};
use super::{chat_token, extract};
use crate::app::AppState;
use crate::channels::InboundMessage;
use crate::domain::text::{LongText, ShortText, Text};
use crate::domain::{Channel, Direction, Email, Message, Phone};
use crate::idempotency::payload_hash;
use crate::store::mongo::MessageFilter;
use crate::store::{Page, conversations, customers};
use crate::workers::delivery::{Draft, deliver};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Contact {
    name: Option<ShortText>,
    email: Option<Email>,
    phone: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Receive {
    channel: Channel,
    content: LongText,
    customer: Contact,
    subject: Option<ShortText>,
    #[serde(default)]
    fields: BTreeMap<String, Text<2000>>,
    external_id: Option<ShortText>,
    /// The token a previous chat message returned: continues that chat session.
    chat_token: Option<String>,
}

const RECEIVE_WINDOW: Duration = Duration::from_secs(60);
const MAX_FIELDS: usize = 50;

async fn receive(
    State(state): State<AppState>,
    parts: Parts,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    let ip = client_ip(&parts);
    let allowed = state
        .rate_limiter
        .hit(&format!("receive:{ip}"), state.config.messaging.receive_per_minute, RECEIVE_WINDOW)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    if !allowed {
        return Err(ApiError::too_many_requests("too many messages from this address; retry in a minute"));
    }
    extract::require_json(&parts.headers)?;
    let r: Receive = extract::parse_json(&body)?;
    // Chat and forms come from the public website; SMS and e-mail through this route are
    // integrations acting for the business (they make Leadflow text or mail people).
    if matches!(r.channel, Channel::Sms | Channel::Email) && !super::auth::is_staff(&state, &parts.headers) {
        return Err(ApiError::unauthorized("channel sms and email need an API key; the website sends chat or form"));
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
        (Channel::Chat, Some(token)) => Some(
            chat_token::verify(&state.chat_key, token)
                .ok_or_else(|| ApiError::validation("chat_token", "chat_token is not a token this service issued"))?,
        ),
        (Channel::Chat, None) => Some(Uuid::new_v4()),
        (_, Some(_)) => return Err(ApiError::validation("chat_token", "chat_token belongs to chat messages")),
        (_, None) => None,
    };
    // External ids are the client's: scope them to the contact so two visitors never meet.
    let contact = r.customer.email.as_ref().map(|e| e.to_string()).or_else(|| phone.as_ref().map(|p| p.to_string()));
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
    };
    let chat_key = state.chat_key.clone();
    let body = accept_once(&state, provider_id, &payload_hash(&body), deadline(&parts), inbound, |a| {
        let mut body = accepted_json(a);
        if let Some(session) = chat_session {
            body["chat_token"] = json!(chat_token::issue(&chat_key, session));
        }
        body
    })
    .await?;
    Ok((StatusCode::ACCEPTED, axum::Json(body)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChatQuery {
    token: String,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The widget's view of its chat session, newest first.
async fn chat_history(
    State(state): State<AppState>,
    Query(q): Query<ChatQuery>,
) -> ApiResult<axum::Json<Page<Message>>> {
    let session = chat_token::verify(&state.chat_key, &q.token)
        .ok_or_else(|| ApiError::forbidden("the chat token is not valid"))?;
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let filter = MessageFilter { chat_session: Some(session), ..Default::default() };
    let mut messages = state.mongo.messages().list(&filter, &page).await?;
    for m in &mut messages.items {
        // The widget shows the conversation; how it was classified stays with the staff.
        m.analysis = None;
    }
    Ok(axum::Json(messages))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    customer_id: Option<Uuid>,
    channel: Option<Channel>,
    direction: Option<Direction>,
    processed: Option<bool>,
    limit: Option<i64>,
    cursor: Option<String>,
}

async fn list(State(state): State<AppState>, Query(q): Query<ListQuery>) -> ApiResult<axum::Json<Page<Message>>> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let filter = MessageFilter {
        customer_id: q.customer_id,
        chat_session: None,
        channel: q.channel,
        direction: q.direction,
        processed: q.processed,
    };
    Ok(axum::Json(state.mongo.messages().list(&filter, &page).await?))
}

async fn show(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Message>> {
    state.mongo.messages().get(id).await?.map(axum::Json).ok_or_else(|| ApiError::not_found("message"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Send {
    customer_id: Uuid,
    content: LongText,
    subject: Option<ShortText>,
}

/// An agent's message: sent on the channel, stored, and AI replies paused for a while.
async fn send(
    State(state): State<AppState>,
    Path(channel): Path<String>,
    Json(body): Json<Send>,
) -> ApiResult<(StatusCode, axum::Json<Message>)> {
    let channel: Channel = channel
        .parse()
        .map_err(|e: crate::domain::InvalidValue| ApiError::bad_param("channel", format!("channel {}", e.0)))?;
    if channel == Channel::Form {
        return Err(ApiError::bad_param("channel", "messages cannot be sent on the form channel"));
    }
    let conn = state.db.conn().await?;
    let customer = customers::get_by_id(&*conn, body.customer_id).await.map_err(|e| match e {
        crate::store::StoreError::NotFound(_) => {
            ApiError::validation("customer_id", "customer_id does not refer to a customer")
        }
        other => other.into(),
    })?;
    let missing = match channel {
        Channel::Sms => customer.phone.is_none().then_some("phone"),
        Channel::Email => customer.email.is_none().then_some("email"),
        _ => None,
    };
    if let Some(what) = missing {
        return Err(ApiError::validation("channel", format!("the customer has no {what} to send {channel} to")));
    }
    if crate::workers::delivery::opted_out(&*conn, channel, &customer).await.map_err(|e| ApiError::unavailable(e.0))? {
        return Err(ApiError::validation("channel", format!("the customer opted out of {channel}")));
    }
    let lead = crate::store::leads::open_for_customer(&*conn, customer.id).await?;
    drop(conn);
    let id = Uuid::now_v7();
    let draft = Draft {
        id,
        channel,
        text: body.content.into_string(),
        subject: body.subject.map(ShortText::into_string),
        ai_response: None,
        lead_id: lead.map(|l| l.id),
        in_reply_to: None,
        chat_session: None,
        ignore_opt_out: false,
    };
    let message = match deliver(&state, &customer, draft).await {
        Ok(m) => m,
        Err(e) => {
            let _ = state.mongo.messages().set_delivery(id, crate::domain::DeliveryStatus::Failed, None).await;
            return Err(ApiError::unavailable(e.0));
        }
    };
    let until = chrono::Utc::now() + state.config.messaging.ai_pause;
    let conn = state.db.conn().await?;
    conversations::pause_ai(&*conn, customer.id, until).await?;
    // An agent answering has taken the conversation over.
    if let Some(lead) = crate::store::leads::open_for_customer(&*conn, customer.id).await? {
        crate::store::leads::set_handoff(&*conn, lead.id, None).await?;
    }
    Ok((StatusCode::CREATED, axum::Json(message)))
}

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/api/messages", get(list))
        .route("/api/messages/{id}", get(show))
        .route("/api/messages/send/{channel}", post(send));
    let routes = super::staff(routes, &state);
    let public =
        Router::new().route("/api/messages/receive", post(receive)).route("/api/messages/chat", get(chat_history));
    super::finish(routes.merge(public).with_state(state.clone()), &state)
}
