//! `/api/leads`: the sales pipeline. Status moves only along the funnel; every change is
//! published as an event and synced to Salesforce when configured.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::crm::page_request;
use super::error::{ApiError, ApiResult};
use super::extract::{Id, Json, OptionalJson, Query};
use crate::app::AppState;
use crate::bus::DomainEvent;
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Lead, LeadStatus, NewLead, Patch, Priority, Score};
use crate::store::leads::{LeadFilter, LeadSort};
use crate::store::{Page, StoreError, customers, leads, qualifications, teams};
use crate::workers::qualify::{requalify, sync_salesforce};
use crate::workers::routing::{AssignError, assign_lead};

impl From<AssignError> for ApiError {
    fn from(e: AssignError) -> Self {
        match e {
            AssignError::UnknownAgent => ApiError::validation("agent_id", "agent_id does not refer to an agent"),
            AssignError::NoAgent => {
                let mut err = ApiError::conflict("the team has no available agent to assign");
                err.code = "no_available_agent";
                err
            }
            AssignError::Store(s) => s.into(),
        }
    }
}

impl From<crate::workers::JobError> for ApiError {
    fn from(e: crate::workers::JobError) -> Self {
        ApiError::unavailable(e.0)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateLead {
    customer_id: Uuid,
    requirements: Option<LongText>,
    timeline: Option<ShortText>,
    budget: Option<ShortText>,
    assigned_to: Option<Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateLead {
    status: Option<LeadStatus>,
    #[serde(default)]
    requirements: Patch<LongText>,
    #[serde(default)]
    timeline: Patch<ShortText>,
    #[serde(default)]
    budget: Patch<ShortText>,
    #[serde(default)]
    assigned_to: Patch<Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListLeads {
    status: Option<LeadStatus>,
    priority: Option<Priority>,
    assigned_to: Option<Uuid>,
    customer_id: Option<Uuid>,
    min_score: Option<Score>,
    created_after: Option<DateTime<Utc>>,
    created_before: Option<DateTime<Utc>>,
    sort: Option<SortKey>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum SortKey {
    Score,
    Recent,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignBody {
    pub(crate) agent_id: Option<Uuid>,
}

pub(crate) async fn check_agent(
    conn: &impl tokio_postgres::GenericClient,
    agent: Option<Uuid>,
    field: &str,
) -> ApiResult<()> {
    if let Some(id) = agent {
        teams::get_agent(conn, id).await.map_err(|e| match e {
            StoreError::NotFound(_) => ApiError::validation(field, format!("{field} does not refer to an agent")),
            other => other.into(),
        })?;
    }
    Ok(())
}

async fn create(
    State(state): State<AppState>,
    Json(body): Json<CreateLead>,
) -> ApiResult<(StatusCode, axum::Json<Lead>)> {
    let lead = {
        let conn = state.db.conn().await?;
        customers::get_by_id(&*conn, body.customer_id).await.map_err(|e| match e {
            StoreError::NotFound(_) => ApiError::validation("customer_id", "customer_id does not refer to a customer"),
            other => other.into(),
        })?;
        check_agent(&*conn, body.assigned_to, "assigned_to").await?;
        let new = NewLead {
            requirements: body.requirements,
            timeline: body.timeline,
            budget: body.budget,
            assigned_to: body.assigned_to,
            ..NewLead::for_customer(body.customer_id, None)
        };
        leads::insert(&*conn, &new).await?
    };
    crate::events::emit(
        &state,
        vec![DomainEvent::new("lead.created", lead.id, json!({"customer_id": lead.customer_id}))],
    )
    .await;
    let (lead, _) = requalify(&state, lead.id, "created", None).await?;
    sync_salesforce(&state, lead.id).await;
    Ok((StatusCode::CREATED, axum::Json(lead)))
}

async fn list(State(state): State<AppState>, Query(q): Query<ListLeads>) -> ApiResult<axum::Json<Page<Lead>>> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let filter = LeadFilter {
        status: q.status,
        priority: q.priority,
        assigned_to: q.assigned_to,
        customer_id: q.customer_id,
        min_score: q.min_score,
        created_after: q.created_after,
        created_before: q.created_before,
        sort: match q.sort {
            Some(SortKey::Score) => LeadSort::Score,
            _ => LeadSort::Recent,
        },
    };
    let conn = state.db.conn().await?;
    Ok(axum::Json(leads::list(&*conn, &filter, &page).await?))
}

/// The lead with its customer and latest qualification.
async fn show(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Value>> {
    let conn = state.db.conn().await?;
    let lead = leads::get_by_id(&*conn, id).await?;
    let customer = customers::get_by_id(&*conn, lead.customer_id).await?;
    let qualification = qualifications::latest(&*conn, id).await?;
    let mut body = serde_json::to_value(&lead).map_err(|e| ApiError::internal(e.to_string()))?;
    body["customer"] = json!(customer);
    body["qualification"] = json!(qualification);
    Ok(axum::Json(body))
}

async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(body): Json<UpdateLead>,
) -> ApiResult<axum::Json<Lead>> {
    let (before, after) = {
        let mut conn = state.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let mut lead = leads::get_for_update(&tx, id).await?;
        let before = lead.clone();
        if let Some(next) = body.status {
            if !lead.status.can_become(next) {
                return Err(ApiError::validation("status", format!("a {} lead cannot become {next}", lead.status)));
            }
            lead.status = next;
        }
        if let Patch::Set(agent) = body.assigned_to {
            check_agent(&tx, Some(agent), "assigned_to").await?;
        }
        lead.requirements = body.requirements.apply(lead.requirements);
        lead.timeline = body.timeline.apply(lead.timeline);
        lead.budget = body.budget.apply(lead.budget);
        lead.assigned_to = body.assigned_to.apply(lead.assigned_to);
        if lead.status.is_open()
            && !before.status.is_open()
            && leads::open_for_customer(&tx, lead.customer_id).await?.is_some()
        {
            return Err(ApiError::conflict("the customer already has another open lead").with_field("status"));
        }
        let after = leads::save(&tx, &lead).await?;
        tx.commit().await.map_err(StoreError::from)?;
        (before, after)
    };
    let mut events = Vec::new();
    if before.status != after.status {
        events.push(DomainEvent::new("lead.status_changed", id, json!({"from": before.status, "to": after.status})));
    }
    if before.assigned_to != after.assigned_to {
        events.push(DomainEvent::new("lead.assigned", id, json!({"agent_id": after.assigned_to})));
    }
    crate::events::emit(&state, events).await;
    if before != after {
        sync_salesforce(&state, id).await;
    }
    Ok(axum::Json(after))
}

async fn qualify_now(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Value>> {
    {
        let conn = state.db.conn().await?;
        leads::get_by_id(&*conn, id).await?;
    }
    let (lead, qualification) = requalify(&state, id, "manual", None).await?;
    Ok(axum::Json(json!({"lead": lead, "qualification": qualification})))
}

async fn assign(
    State(state): State<AppState>,
    Id(id): Id,
    OptionalJson(body): OptionalJson<AssignBody>,
) -> ApiResult<axum::Json<Lead>> {
    let agent = body.and_then(|b| b.agent_id);
    Ok(axum::Json(assign_lead(&state, id, agent).await?))
}

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/api/leads", get(list).post(create))
        .route("/api/leads/{id}", get(show).put(update).patch(update))
        .route("/api/leads/{id}/qualify", post(qualify_now))
        .route("/api/leads/{id}/assign", post(assign));
    let routes = super::staff(routes, &state).with_state(state.clone());
    super::finish(routes, &state)
}
