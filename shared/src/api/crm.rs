//! `/api/crm/customers`: customer records and their conversation history.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::error::ApiError;
use super::error::{ApiResult, FieldContext};
use super::extract::{Id, Json, OptionalJson, Query};
use crate::app::AppState;
use crate::domain::customer::CustomerFields;
use crate::domain::text::ShortText;
use crate::domain::{Country, Customer, CustomerChanges, Email, Message, NewCustomer, Patch, Phone};
use crate::store::customers::{self, CustomerFilter};
use crate::store::{Page, PageRequest};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateCustomer {
    name: Option<ShortText>,
    email: Option<Email>,
    phone: Option<String>,
    company: Option<ShortText>,
    business_type: Option<ShortText>,
    location: Option<ShortText>,
}

/// A partial update: absent keeps, `null` clears, a value sets.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateCustomer {
    #[serde(default)]
    name: Patch<ShortText>,
    #[serde(default)]
    email: Patch<Email>,
    #[serde(default)]
    phone: Patch<String>,
    #[serde(default)]
    company: Patch<ShortText>,
    #[serde(default)]
    business_type: Patch<ShortText>,
    #[serde(default)]
    location: Patch<ShortText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListCustomers {
    email: Option<Email>,
    phone: Option<String>,
    q: Option<String>,
    created_after: Option<DateTime<Utc>>,
    created_before: Option<DateTime<Utc>>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

pub(crate) fn page_request(limit: Option<i64>, cursor: Option<&str>) -> ApiResult<PageRequest> {
    PageRequest::new(limit, cursor)
        .map_err(|(field, e)| super::error::ApiError::bad_param(field, format!("{field} {}", e.0)))
}

fn phone(raw: &str, country: Country) -> ApiResult<Phone> {
    Phone::parse(raw, country).field("phone")
}

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
    };
    let new = NewCustomer::new(fields)?;
    let conn = state.db.conn().await?;
    let customer = customers::insert(&*conn, &new).await?;
    Ok((StatusCode::CREATED, axum::Json(customer)))
}

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
    let conn = state.db.conn().await?;
    Ok(axum::Json(customers::list(&*conn, &filter, &page).await?))
}

async fn show(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Customer>> {
    let conn = state.db.conn().await?;
    Ok(axum::Json(customers::get_by_id(&*conn, id).await?))
}

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
    };
    let mut conn = state.db.conn().await?;
    let tx = conn.transaction().await.map_err(crate::store::StoreError::from)?;
    let current = customers::get_for_update(&tx, id).await?;
    let fields = changes.apply_to(&current)?;
    let updated = customers::update(&tx, id, &fields).await?;
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    Ok(axum::Json(updated))
}

/// Deletes the customer, their records and their conversation history.
async fn remove(State(state): State<AppState>, Id(id): Id) -> ApiResult<StatusCode> {
    let conn = state.db.conn().await?;
    customers::get_by_id(&*conn, id).await?;
    state.mongo.messages().delete_for_customer(id).await?;
    customers::delete(&*conn, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn history(
    State(state): State<AppState>,
    Id(id): Id,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::Json<Page<Message>>> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let conn = state.db.conn().await?;
    customers::get_by_id(&*conn, id).await?;
    drop(conn);
    Ok(axum::Json(state.mongo.messages().history(id, &page).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncBody {
    lead_id: Option<uuid::Uuid>,
}

/// Upserts one lead into Salesforce now, or queues a sync of every lead.
async fn sync_salesforce(
    State(state): State<AppState>,
    OptionalJson(body): OptionalJson<SyncBody>,
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    use crate::integrations::IntegrationError;
    use crate::workers::integrations::{SyncError, sync_lead};
    if state.integrations.salesforce.is_none() {
        let mut e = ApiError::conflict("Salesforce is not configured (SALESFORCE_CLIENT_ID and its credentials)");
        e.code = "not_configured";
        return Err(e);
    }
    if let Some(lead_id) = body.and_then(|b| b.lead_id) {
        let conn = state.db.conn().await?;
        crate::store::leads::get_by_id(&*conn, lead_id).await.map_err(|e| match e {
            crate::store::StoreError::NotFound(_) => {
                ApiError::validation("lead_id", "lead_id does not refer to a lead")
            }
            other => other.into(),
        })?;
        drop(conn);
        return match sync_lead(&state, lead_id).await {
            Ok(id) => Ok((StatusCode::OK, axum::Json(serde_json::json!({"lead_id": lead_id, "salesforce_id": id})))),
            Err(SyncError::Integration(e @ IntegrationError::Refused { .. })) => Err(ApiError::upstream(e.to_string())),
            Err(SyncError::Integration(e)) => Err(ApiError::unavailable(e.to_string())),
            Err(SyncError::Job(e)) => Err(ApiError::unavailable(e.0)),
        };
    }
    let mut queued = 0usize;
    let mut page = PageRequest { limit: 200, cursor: None };
    loop {
        let conn = state.db.conn().await?;
        let leads = crate::store::leads::list(&*conn, &Default::default(), &page).await?;
        drop(conn);
        for lead in &leads.items {
            state
                .queue
                .enqueue(&crate::queue::Job::SyncSalesforce { lead_id: lead.id })
                .await
                .map_err(|e| ApiError::unavailable(e.to_string()))?;
            queued += 1;
        }
        match leads.next_cursor {
            Some(c) => page = page_request(Some(200), Some(&c))?,
            None => break,
        }
    }
    Ok((StatusCode::ACCEPTED, axum::Json(serde_json::json!({"queued": queued}))))
}

/// What the `api-crm` Lambda serves: this family and the health check.
pub fn lambda_router(state: AppState) -> Router {
    Router::new().merge(router(state.clone()).reset_fallback()).merge(super::health::router(state))
}

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/api/crm/customers", get(list).post(create))
        .route("/api/crm/customers/{id}", get(show).put(update).patch(update).delete(remove))
        .route("/api/crm/customers/{id}/history", get(history))
        .route("/api/crm/sync/salesforce", axum::routing::post(sync_salesforce))
        .merge(super::settings::routes());
    let routes = super::staff(routes, &state).with_state(state.clone());
    super::finish(routes, &state)
}
