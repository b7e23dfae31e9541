//! `/api/teams` and `/api/agents`: who handles tasks, and how work is shared.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use super::extract::{Id, Json, Query};
use crate::app::AppState;
use crate::domain::text::ShortText;
use crate::domain::{Agent, Assignment, Email, NewAgent, NewTeam, TaskType, Team};
use crate::store::{StoreError, teams};

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

/// A list of a business's handful of teams or agents (no pagination needed).
#[derive(serde::Serialize)]
struct Items<T> {
    items: Vec<T>,
    next_cursor: Option<String>,
}

fn team_missing(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound(_) | StoreError::MissingReference { .. } => {
            ApiError::validation("team_id", "team_id does not refer to a team")
        }
        other => other.into(),
    }
}

async fn list_teams(State(state): State<AppState>, Query(q): Query<TeamQuery>) -> ApiResult<axum::Json<Items<Team>>> {
    let conn = state.db.conn().await?;
    Ok(axum::Json(Items { items: teams::list_teams(&*conn, q.kind).await?, next_cursor: None }))
}

async fn create_team(
    State(state): State<AppState>,
    Json(b): Json<CreateTeam>,
) -> ApiResult<(StatusCode, axum::Json<Team>)> {
    let conn = state.db.conn().await?;
    let team = teams::insert_team(&*conn, &NewTeam { name: b.name, kind: b.kind, assignment: b.assignment }).await?;
    Ok((StatusCode::CREATED, axum::Json(team)))
}

async fn show_team(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Team>> {
    let conn = state.db.conn().await?;
    Ok(axum::Json(teams::get_team(&*conn, id).await?))
}

async fn update_team(
    State(state): State<AppState>,
    Id(id): Id,
    Json(b): Json<UpdateTeam>,
) -> ApiResult<axum::Json<Team>> {
    let conn = state.db.conn().await?;
    let mut team = teams::get_team(&*conn, id).await?;
    team.name = b.name.unwrap_or(team.name);
    team.kind = b.kind.unwrap_or(team.kind);
    team.assignment = b.assignment.unwrap_or(team.assignment);
    Ok(axum::Json(teams::save_team(&*conn, &team).await?))
}

async fn list_agents(
    State(state): State<AppState>,
    Query(q): Query<AgentQuery>,
) -> ApiResult<axum::Json<Items<Agent>>> {
    let conn = state.db.conn().await?;
    Ok(axum::Json(Items { items: teams::list_agents(&*conn, q.team_id).await?, next_cursor: None }))
}

async fn create_agent(
    State(state): State<AppState>,
    Json(b): Json<CreateAgent>,
) -> ApiResult<(StatusCode, axum::Json<Agent>)> {
    let conn = state.db.conn().await?;
    teams::get_team(&*conn, b.team_id).await.map_err(team_missing)?;
    let new = NewAgent { name: b.name, email: b.email, team_id: b.team_id, available: b.available };
    Ok((StatusCode::CREATED, axum::Json(teams::insert_agent(&*conn, &new).await?)))
}

async fn show_agent(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Agent>> {
    let conn = state.db.conn().await?;
    Ok(axum::Json(teams::get_agent(&*conn, id).await?))
}

async fn update_agent(
    State(state): State<AppState>,
    Id(id): Id,
    Json(b): Json<UpdateAgent>,
) -> ApiResult<axum::Json<Agent>> {
    let conn = state.db.conn().await?;
    let mut agent = teams::get_agent(&*conn, id).await?;
    if let Some(team_id) = b.team_id {
        teams::get_team(&*conn, team_id).await.map_err(team_missing)?;
        agent.team_id = team_id;
    }
    agent.name = b.name.unwrap_or(agent.name);
    agent.email = b.email.unwrap_or(agent.email);
    agent.available = b.available.unwrap_or(agent.available);
    Ok(axum::Json(teams::save_agent(&*conn, &agent).await?))
}

/// The team and agent routes (served with the tasks family).
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/teams", get(list_teams).post(create_team))
        .route("/api/teams/{id}", get(show_team).put(update_team).patch(update_team))
        .route("/api/agents", get(list_agents).post(create_agent))
        .route("/api/agents/{id}", get(show_agent).put(update_agent).patch(update_agent))
}
