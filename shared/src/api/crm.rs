//! `/api/crm/customers`: customer records and their conversation history.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiResult, FieldContext};
use super::extract::{Id, Json, OptionalJson, Query};
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::access::Need;
use crate::domain::customer::CustomerFields;
use crate::domain::text::ShortText;
use crate::domain::{Country, Customer, CustomerChanges, Email, Message, NewCustomer, Patch, Phone, TimeZone};
use crate::services::customers;
use crate::services::customers::CustomerFilter;
use crate::services::integrations::SyncReport;
use crate::services::{Page, PageRequest};

use super::openapi::{BodyErrors, Conflict, NotFound, StaffErrors};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateCustomer {
    name: Option<ShortText>,
    email: Option<Email>,
    /// A phone number, E.164 (`+14155552671`) or national; the schema narrows it to
    /// numbers that exist so generated examples are valid.
    #[schema(pattern = "^\\+1(?:212|415|512|646|718)[2-9][0-9]{6}$")]
    phone: Option<String>,
    company: Option<ShortText>,
    business_type: Option<ShortText>,
    location: Option<ShortText>,
    time_zone: Option<TimeZone>,
}

/// A partial update: absent keeps, `null` clears, a value sets.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateCustomer {
    #[serde(default)]
    name: Patch<ShortText>,
    #[serde(default)]
    email: Patch<Email>,
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^\\+1(?:212|415|512|646|718)[2-9][0-9]{6}$")]
    phone: Patch<String>,
    #[serde(default)]
    company: Patch<ShortText>,
    #[serde(default)]
    business_type: Patch<ShortText>,
    #[serde(default)]
    location: Patch<ShortText>,
    #[serde(default)]
    time_zone: Patch<TimeZone>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListCustomers {
    #[param(inline)]
    email: Option<Email>,
    #[param(pattern = "^\\+1(?:212|415|512|646|718)[2-9][0-9]{6}$")]
    phone: Option<String>,
    /// Matches names, e-mails, phones and companies.
    q: Option<String>,
    created_after: Option<DateTime<Utc>>,
    created_before: Option<DateTime<Utc>>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

pub(crate) fn page_request(limit: Option<i64>, cursor: Option<&str>) -> ApiResult<PageRequest> {
    PageRequest::new(limit, cursor)
        .map_err(|(field, e)| super::error::ApiError::bad_param(field, format!("{field} {}", e.0)))
}

fn phone(raw: &str, country: Country) -> ApiResult<Phone> {
    Phone::parse(raw, country).field("phone")
}

#[utoipa::path(
    post,
    path = "/api/crm/customers",
    tag = "crm",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateCustomer,
    responses(
        (status = 201, description = "The customer, created", body = Customer),
        StaffErrors, BodyErrors, Conflict,
    )
)]
async fn create(
    State(state): State<AppState>,
    Json(body): Json<CreateCustomer>,
) -> ApiResult<(StatusCode, axum::Json<Customer>)> {
    let fields = CustomerFields {
        phone: body.phone.as_deref().map(|p| phone(p, state.config.default_country)).transpose()?,
        name: body.name,
        email: body.email,
        company: body.company,
        business_type: body.business_type,
        location: body.location,
        time_zone: body.time_zone,
    };
    let new = NewCustomer::new(fields)?;
    Ok((StatusCode::CREATED, axum::Json(customers::create(&state.db, &new).await?)))
}

#[utoipa::path(
    get,
    path = "/api/crm/customers",
    tag = "crm",
    security(("bearer" = []), ("api_key" = [])),
    params(ListCustomers),
    responses(
        (status = 200, description = "A page of customers, newest first", body = Page<Customer>),
        StaffErrors,
    )
)]
async fn list(State(state): State<AppState>, Query(q): Query<ListCustomers>) -> ApiResult<axum::Json<Page<Customer>>> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let filter = CustomerFilter {
        email: q.email,
        phone: q
            .phone
            .as_deref()
            .map(|p| Phone::parse(p, state.config.default_country))
            .transpose()
            .map_err(|e| super::error::ApiError::bad_param("phone", format!("phone {}", e.0)))?,
        q: q.q,
        created_after: q.created_after,
        created_before: q.created_before,
    };
    Ok(axum::Json(customers::list(&state.db, &filter, &page).await?))
}

#[utoipa::path(
    get,
    path = "/api/crm/customers/{id}",
    tag = "crm",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The customer", body = Customer),
        StaffErrors, NotFound,
    )
)]
async fn show(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Customer>> {
    Ok(axum::Json(customers::get(&state.db, id).await?))
}

#[utoipa::path(
    method(put, patch),
    path = "/api/crm/customers/{id}",
    tag = "crm",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The customer's id")),
    request_body = UpdateCustomer,
    responses(
        (status = 200, description = "The customer, changed", body = Customer),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(body): Json<UpdateCustomer>,
) -> ApiResult<axum::Json<Customer>> {
    let country = state.config.default_country;
    let changes = CustomerChanges {
        phone: match body.phone {
            Patch::Set(raw) => Patch::Set(phone(&raw, country)?),
            Patch::Clear => Patch::Clear,
            Patch::Keep => Patch::Keep,
        },
        name: body.name,
        email: body.email,
        company: body.company,
        business_type: body.business_type,
        location: body.location,
        time_zone: body.time_zone,
    };
    Ok(axum::Json(customers::update(&state.db, id, changes).await?))
}

/// Deletes the customer, their records and their conversation history.
#[utoipa::path(
    delete,
    path = "/api/crm/customers/{id}",
    tag = "crm",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The customer's id")),
    responses(
        (status = 204, description = "Deleted, with their records and conversation history"),
        StaffErrors, NotFound, Conflict,
    )
)]
async fn remove(State(state): State<AppState>, Id(id): Id) -> ApiResult<StatusCode> {
    customers::delete(&state.db, &state.mongo, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/crm/customers/{id}/history",
    tag = "crm",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The customer's id"), PageQuery),
    responses(
        (status = 200, description = "A page of the customer's messages, newest first", body = Page<Message>),
        StaffErrors, NotFound,
    )
)]
async fn history(
    State(state): State<AppState>,
    Id(id): Id,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::Json<Page<Message>>> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    Ok(axum::Json(customers::history(&state.db, &state.mongo, id, &page).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SyncBody {
    /// The lead to upsert now; without it every lead is queued.
    lead_id: Option<uuid::Uuid>,
}

/// Upserts one lead into Salesforce now, or queues a sync of every lead.
#[utoipa::path(
    post,
    path = "/api/crm/sync/salesforce",
    tag = "crm",
    security(("bearer" = []), ("api_key" = [])),
    request_body(content = Option<SyncBody>, description = "Optional: an empty body queues every lead"),
    responses(
        (status = 200, description = "The lead was upserted", body = SyncReport),
        (status = 202, description = "A sync of every lead was queued", body = SyncReport),
        (status = 502, description = "Salesforce refused the upsert", body = super::openapi::ErrorBody),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn sync_salesforce(
    State(state): State<AppState>,
    OptionalJson(body): OptionalJson<SyncBody>,
) -> ApiResult<(StatusCode, axum::Json<SyncReport>)> {
    let report = state.integrations().sync_salesforce(&*state.queue, body.and_then(|b| b.lead_id)).await?;
    let status = match report {
        SyncReport::Synced { .. } => StatusCode::OK,
        SyncReport::Queued { .. } => StatusCode::ACCEPTED,
    };
    Ok((status, axum::Json(report)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, show, update, remove, history, sync_salesforce))]
pub(super) struct CrmApi;

/// What the `api-crm` Lambda serves: this family and the health check.
pub fn lambda_router(state: AppState) -> Router {
    Router::new().merge(router(state.clone()).reset_fallback()).merge(super::health::router(state))
}

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .get("/api/crm/customers", Need::Read, list)
        .post("/api/crm/customers", Need::Write, create)
        .get("/api/crm/customers/{id}", Need::Read, show)
        .put_patch("/api/crm/customers/{id}", Need::Write, update)
        // Erasing a person's data is the business's decision, not an agent's.
        .delete("/api/crm/customers/{id}", Need::Admin, remove)
        .get("/api/crm/customers/{id}/history", Need::Read, history)
        .post("/api/crm/sync/salesforce", Need::Admin, sync_salesforce)
        .merge(super::settings::routes(state))
        .merge(super::sign_in::routes(state))
        .merge(super::users::routes(state))
        .merge(super::webhook_endpoints::routes(state))
}

/// Customers, settings, sign-in, users and keys, webhook endpoints and Zapier hooks.
pub fn router(state: AppState) -> Router {
    routes(&state).finish()
}
