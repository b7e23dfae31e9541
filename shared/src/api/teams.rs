//! `/api/teams` and `/api/agents`: who handles tasks, and how work is shared.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{Id, Json, Query};
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::access::Need;
use crate::domain::text::ShortText;
use crate::domain::{Agent, Assignment, Email, NewAgent, NewTeam, TaskType, Team};
use crate::services::teams::{self, AgentChanges, Removal, TeamChanges};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateTeam {
    name: ShortText,
    kind: TaskType,
    #[serde(default = "round_robin")]
    assignment: Assignment,
}

fn round_robin() -> Assignment {
    Assignment::RoundRobin
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateTeam {
    name: Option<ShortText>,
    kind: Option<TaskType>,
    assignment: Option<Assignment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateAgent {
    name: ShortText,
    email: Email,
    team_id: Uuid,
    #[serde(default = "yes")]
    available: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateAgent {
    name: Option<ShortText>,
    email: Option<Email>,
    team_id: Option<Uuid>,
    available: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamQuery {
    kind: Option<TaskType>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentQuery {
    team_id: Option<Uuid>,
}

/// A list short enough to need no pagination (teams, agents, users, keys).
#[derive(serde::Serialize)]
pub(super) struct Items<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

async fn list_teams(State(state): State<AppState>, Query(q): Query<TeamQuery>) -> ApiResult<axum::Json<Items<Team>>> {
    Ok(axum::Json(Items { items: teams::list_teams(&state.db, q.kind).await?, next_cursor: None }))
}

async fn create_team(
    State(state): State<AppState>,
    Json(b): Json<CreateTeam>,
) -> ApiResult<(StatusCode, axum::Json<Team>)> {
    let new = NewTeam { name: b.name, kind: b.kind, assignment: b.assignment };
    Ok((StatusCode::CREATED, axum::Json(teams::create_team(&state.db, &new).await?)))
}

async fn show_team(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Team>> {
    Ok(axum::Json(teams::get_team(&state.db, id).await?))
}

async fn update_team(
    State(state): State<AppState>,
    Id(id): Id,
    Json(b): Json<UpdateTeam>,
) -> ApiResult<axum::Json<Team>> {
    let changes = TeamChanges { name: b.name, kind: b.kind, assignment: b.assignment };
    Ok(axum::Json(teams::update_team(&state.db, id, changes).await?))
}

async fn list_agents(
    State(state): State<AppState>,
    Query(q): Query<AgentQuery>,
) -> ApiResult<axum::Json<Items<Agent>>> {
    Ok(axum::Json(Items { items: teams::list_agents(&state.db, q.team_id).await?, next_cursor: None }))
}

async fn create_agent(
    State(state): State<AppState>,
    Json(b): Json<CreateAgent>,
) -> ApiResult<(StatusCode, axum::Json<Agent>)> {
    let new = NewAgent { name: b.name, email: b.email, team_id: b.team_id, available: b.available };
    Ok((StatusCode::CREATED, axum::Json(teams::create_agent(&state.db, &new).await?)))
}

async fn show_agent(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Agent>> {
    Ok(axum::Json(teams::get_agent(&state.db, id).await?))
}

async fn update_agent(
    State(state): State<AppState>,
    Id(id): Id,
    Json(b): Json<UpdateAgent>,
) -> ApiResult<axum::Json<Agent>> {
    let changes = AgentChanges { name: b.name, email: b.email, team_id: b.team_id, available: b.available };
    Ok(axum::Json(teams::update_agent(&state.db, id, changes).await?))
}

/// 204 when deleted; 200 with the record when it was kept, deactivated, because other
/// records refer to it.
fn removal<T: serde::Serialize>(r: Removal<T>) -> axum::response::Response {
    use axum::response::IntoResponse;
    match r {
        Removal::Deleted => StatusCode::NO_CONTENT.into_response(),
        Removal::Deactivated(record) => (StatusCode::OK, axum::Json(record)).into_response(),
    }
}

async fn delete_team(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::response::Response> {
    Ok(removal(teams::delete_team(&state.db, id).await?))
}

async fn delete_agent(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::response::Response> {
    Ok(removal(teams::delete_agent(&state.db, id).await?))
}

/// The team and agent routes (served with the tasks family).
pub(super) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .get("/api/teams", Need::Read, list_teams)
        .post("/api/teams", Need::Admin, create_team)
        .get("/api/teams/{id}", Need::Read, show_team)
        .put_patch("/api/teams/{id}", Need::Admin, update_team)
        .delete("/api/teams/{id}", Need::Admin, delete_team)
        .get("/api/agents", Need::Read, list_agents)
        .post("/api/agents", Need::Admin, create_agent)
        .get("/api/agents/{id}", Need::Read, show_agent)
        .put_patch("/api/agents/{id}", Need::Admin, update_agent)
        .delete("/api/agents/{id}", Need::Admin, delete_agent)
}
