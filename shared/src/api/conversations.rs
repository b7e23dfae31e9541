//! `/api/conversations`: the staff inbox (served with the messages family), read marks
//! per caller, and handing a conversation back to the AI.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::crm::page_request;
use super::error::{ApiError, ApiResult};
use super::extract::{Id, Query};
use super::openapi::{NotFound, StaffErrors};
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::Channel;
use crate::domain::access::Need;
use crate::services::Page;
use crate::services::conversations::{AiResumed, ConversationSummary, InboxFilter};

/// The inbox pages less than other lists: each row costs a share of one aggregation.
const MAX_LIMIT: i64 = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only conversations whose lead is (or is not) flagged for a person.
    needs_human: Option<bool>,
    /// Only conversations whose latest message went on this channel.
    #[param(inline)]
    channel: Option<Channel>,
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/conversations",
    tag = "conversations",
    security(("bearer" = []), ("api_key" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of conversations: needs-human first, then latest activity first; `unread` counts what the caller has not read", body = Page<ConversationSummary>),
        StaffErrors,
    )
)]
async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<axum::Json<Page<ConversationSummary>>> {
    if q.limit.is_some_and(|l| l > MAX_LIMIT) {
        return Err(ApiError::bad_param("limit", format!("limit must be from 1 to {MAX_LIMIT}")));
    }
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let filter = InboxFilter { needs_human: q.needs_human, channel: q.channel };
    Ok(axum::Json(state.conversations().inbox(&filter, &page).await?))
}

#[utoipa::path(
    post,
    path = "/api/conversations/{customer_id}/read",
    tag = "conversations",
    security(("bearer" = []), ("api_key" = [])),
    params(("customer_id" = uuid::Uuid, Path, description = "The customer whose conversation was read")),
    responses(
        (status = 204, description = "The caller's read mark is now; a repeat moves it to the new now"),
        StaffErrors, NotFound,
    )
)]
async fn mark_read(State(state): State<AppState>, Id(customer_id): Id) -> ApiResult<StatusCode> {
    state.conversations().mark_read(customer_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/conversations/{customer_id}/resume-ai",
    tag = "conversations",
    security(("bearer" = []), ("api_key" = [])),
    params(("customer_id" = uuid::Uuid, Path, description = "The customer whose conversation goes back to the AI")),
    responses(
        (status = 200, description = "AI replies are on again and the open lead no longer needs a person (a repeat changes nothing)", body = AiResumed),
        StaffErrors, NotFound,
    )
)]
async fn resume_ai(State(state): State<AppState>, Id(customer_id): Id) -> ApiResult<axum::Json<AiResumed>> {
    Ok(axum::Json(state.conversations().resume_ai(customer_id).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, mark_read, resume_ai))]
pub(super) struct ConversationsApi;

/// Served with the messages family.
pub(super) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .get("/api/conversations", Need::Read, list)
        // Reading is not changing anything a customer sees: a viewer keeps their own marks.
        .post("/api/conversations/{customer_id}/read", Need::Read, mark_read)
        .post("/api/conversations/{customer_id}/resume-ai", Need::Write, resume_ai)
}
