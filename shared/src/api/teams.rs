//! `/api/teams` and `/api/agents`: who handles tasks, and how work is shared.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{Id, Json, Query};
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::access::Need;
use crate::domain::text::ShortText;
use crate::domain::{Agent, Assignment, Email, NewAgent, NewTeam, TaskType, Team};
use crate::services::teams::{self, AgentChanges, Removal, TeamChanges};

use super::openapi::{BodyErrors, Conflict, NotFound, StaffErrors};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateTeam {
    name: ShortText,
    kind: TaskType,
    /// Default `round_robin`.
    #[serde(default = "round_robin")]
    assignment: Assignment,
}

fn round_robin() -> Assignment {
    Assignment::RoundRobin
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateTeam {
    name: Option<ShortText>,
    kind: Option<TaskType>,
    assignment: Option<Assignment>,
}

#[derive(Debug, Deserialize, ToSchema)]
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateAgent {
    name: Option<ShortText>,
    email: Option<Email>,
    team_id: Option<Uuid>,
    available: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct TeamQuery {
    #[param(inline)]
    kind: Option<TaskType>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AgentQuery {
    team_id: Option<Uuid>,
}

/// A list short enough to need no pagination (teams, agents, users, keys).
#[derive(serde::Serialize, ToSchema)]
pub(super) struct Items<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/teams",
    tag = "teams",
    security(("bearer" = []), ("api_key" = [])),
    params(TeamQuery),
    responses(
        (status = 200, description = "Every team (one page)", body = Items<Team>),
        StaffErrors,
    )
)]
async fn list_teams(State(state): State<AppState>, Query(q): Query<TeamQuery>) -> ApiResult<axum::Json<Items<Team>>> {
    Ok(axum::Json(Items { items: teams::list_teams(&state.db, q.kind).await?, next_cursor: None }))
}

#[utoipa::path(
    post,
    path = "/api/teams",
    tag = "teams",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateTeam,
    responses(
        (status = 201, description = "The team, created", body = Team),
        StaffErrors, BodyErrors, Conflict,
    )
)]
async fn create_team(
    State(state): State<AppState>,
    Json(b): Json<CreateTeam>,
) -> ApiResult<(StatusCode, axum::Json<Team>)> {
    let new = NewTeam { name: b.name, kind: b.kind, assignment: b.assignment };
    Ok((StatusCode::CREATED, axum::Json(teams::create_team(&state.db, &new).await?)))
}

#[utoipa::path(
    get,
    path = "/api/teams/{id}",
    tag = "teams",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The team's id")),
    responses(
        (status = 200, description = "The team", body = Team),
        StaffErrors, NotFound,
    )
)]
async fn show_team(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Team>> {
    Ok(axum::Json(teams::get_team(&state.db, id).await?))
}

#[utoipa::path(
    method(put, patch),
    path = "/api/teams/{id}",
    tag = "teams",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The team's id")),
    request_body = UpdateTeam,
    responses(
        (status = 200, description = "The team, changed", body = Team),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn update_team(
    State(state): State<AppState>,
    Id(id): Id,
    Json(b): Json<UpdateTeam>,
) -> ApiResult<axum::Json<Team>> {
    let changes = TeamChanges { name: b.name, kind: b.kind, assignment: b.assignment };
    Ok(axum::Json(teams::update_team(&state.db, id, changes).await?))
}

#[utoipa::path(
    get,
    path = "/api/agents",
    tag = "teams",
    security(("bearer" = []), ("api_key" = [])),
    params(AgentQuery),
    responses(
        (status = 200, description = "Every agent (one page)", body = Items<Agent>),
        StaffErrors,
    )
)]
async fn list_agents(
    State(state): State<AppState>,
    Query(q): Query<AgentQuery>,
) -> ApiResult<axum::Json<Items<Agent>>> {
    Ok(axum::Json(Items { items: teams::list_agents(&state.db, q.team_id).await?, next_cursor: None }))
}

#[utoipa::path(
    post,
    path = "/api/agents",
    tag = "teams",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateAgent,
    responses(
        (status = 201, description = "The agent, created", body = Agent),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn create_agent(
    State(state): State<AppState>,
    Json(b): Json<CreateAgent>,
) -> ApiResult<(StatusCode, axum::Json<Agent>)> {
    let new = NewAgent { name: b.name, email: b.email, team_id: b.team_id, available: b.available };
    Ok((StatusCode::CREATED, axum::Json(teams::create_agent(&state.db, &new).await?)))
}

#[utoipa::path(
    get,
    path = "/api/agents/{id}",
    tag = "teams",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The agent's id")),
    responses(
        (status = 200, description = "The agent", body = Agent),
        StaffErrors, NotFound,
    )
)]
async fn show_agent(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Agent>> {
    Ok(axum::Json(teams::get_agent(&state.db, id).await?))
}

#[utoipa::path(
    method(put, patch),
    path = "/api/agents/{id}",
    tag = "teams",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The agent's id")),
    request_body = UpdateAgent,
    responses(
        (status = 200, description = "The agent, changed", body = Agent),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
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

#[utoipa::path(
    delete,
    path = "/api/teams/{id}",
    tag = "teams",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The team's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 200, description = "Kept but deactivated: agents or tasks refer to it", body = Team),
        StaffErrors, NotFound, Conflict,
    )
)]
async fn delete_team(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::response::Response> {
    Ok(removal(teams::delete_team(&state.db, id).await?))
}

#[utoipa::path(
    delete,
    path = "/api/agents/{id}",
    tag = "teams",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The agent's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 200, description = "Kept but made unavailable: tasks or bookings refer to it", body = Agent),
        StaffErrors, NotFound, Conflict,
    )
)]
async fn delete_agent(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::response::Response> {
    Ok(removal(teams::delete_agent(&state.db, id).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_teams,
    create_team,
    show_team,
    update_team,
    delete_team,
    list_agents,
    create_agent,
    show_agent,
    update_agent,
    delete_agent
))]
pub(super) struct TeamsApi;

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
