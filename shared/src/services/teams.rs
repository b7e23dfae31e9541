//! Teams and agents: who handles tasks, and how work is shared among them.

use uuid::Uuid;

use super::ServiceResult;
use crate::domain::text::ShortText;
use crate::domain::{Agent, Assignment, Email, NewAgent, NewTeam, TaskType, Team};
use crate::store::{Db, teams};

#[derive(Debug, Default)]
pub struct TeamChanges {
    pub name: Option<ShortText>,
    pub kind: Option<TaskType>,
    pub assignment: Option<Assignment>,
}

#[derive(Debug, Default)]
pub struct AgentChanges {
    pub name: Option<ShortText>,
    pub email: Option<Email>,
    pub team_id: Option<Uuid>,
    pub available: Option<bool>,
}

pub async fn list_teams(db: &Db, kind: Option<TaskType>) -> ServiceResult<Vec<Team>> {
    let conn = db.conn().await?;
    Ok(teams::list_teams(&*conn, kind).await?)
}

pub async fn create_team(db: &Db, new: &NewTeam) -> ServiceResult<Team> {
    let conn = db.conn().await?;
    Ok(teams::insert_team(&*conn, new).await?)
}

pub async fn get_team(db: &Db, id: Uuid) -> ServiceResult<Team> {
    let conn = db.conn().await?;
    Ok(teams::get_team(&*conn, id).await?)
}

pub async fn update_team(db: &Db, id: Uuid, changes: TeamChanges) -> ServiceResult<Team> {
    let conn = db.conn().await?;
    let mut team = teams::get_team(&*conn, id).await?;
    team.name = changes.name.unwrap_or(team.name);
    team.kind = changes.kind.unwrap_or(team.kind);
    team.assignment = changes.assignment.unwrap_or(team.assignment);
    Ok(teams::save_team(&*conn, &team).await?)
}

pub async fn list_agents(db: &Db, team_id: Option<Uuid>) -> ServiceResult<Vec<Agent>> {
    let conn = db.conn().await?;
    Ok(teams::list_agents(&*conn, team_id).await?)
}

pub async fn create_agent(db: &Db, new: &NewAgent) -> ServiceResult<Agent> {
    let conn = db.conn().await?;
    teams::get_team(&*conn, new.team_id)
        .await
        .map_err(|e| super::ServiceError::from(e).not_found_as("team_id", "team"))?;
    Ok(teams::insert_agent(&*conn, new).await?)
}

pub async fn get_agent(db: &Db, id: Uuid) -> ServiceResult<Agent> {
    let conn = db.conn().await?;
    Ok(teams::get_agent(&*conn, id).await?)
}

pub async fn update_agent(db: &Db, id: Uuid, changes: AgentChanges) -> ServiceResult<Agent> {
    let conn = db.conn().await?;
    let mut agent = teams::get_agent(&*conn, id).await?;
    if let Some(team_id) = changes.team_id {
        teams::get_team(&*conn, team_id)
            .await
            .map_err(|e| super::ServiceError::from(e).not_found_as("team_id", "team"))?;
        agent.team_id = team_id;
    }
    agent.name = changes.name.unwrap_or(agent.name);
    agent.email = changes.email.unwrap_or(agent.email);
    agent.available = changes.available.unwrap_or(agent.available);
    Ok(teams::save_agent(&*conn, &agent).await?)
}

/// Checks that `agent` (when given) exists; a missing one is the client's `field` error.
pub(crate) async fn check_agent(
    c: &impl tokio_postgres::GenericClient,
    agent: Option<Uuid>,
    field: &str,
) -> ServiceResult<()> {
    if let Some(id) = agent {
        teams::get_agent(c, id).await.map_err(|e| super::ServiceError::from(e).not_found_as(field, "agent"))?;
    }
    Ok(())
}

/// What deleting did: removed, or kept inactive because something refers to it.
#[derive(Debug)]
pub enum Removal<T> {
    Deleted,
    Deactivated(T),
}

/// Deletes the team, or deactivates it (no new work) while agents belong to it.
pub async fn delete_team(db: &Db, id: Uuid) -> ServiceResult<Removal<Team>> {
    let mut conn = db.conn().await?;
    let tx = conn.transaction().await.map_err(crate::store::StoreError::from)?;
    let mut team = teams::get_team(&tx, id).await?;
    let removal = if teams::delete_team_if_unreferenced(&tx, id).await? {
        Removal::Deleted
    } else {
        team.active = false;
        Removal::Deactivated(teams::save_team(&tx, &team).await?)
    };
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    Ok(removal)
}

/// Deletes the agent, or marks them unavailable while work is assigned to them.
pub async fn delete_agent(db: &Db, id: Uuid) -> ServiceResult<Removal<Agent>> {
    let mut conn = db.conn().await?;
    let tx = conn.transaction().await.map_err(crate::store::StoreError::from)?;
    let mut agent = teams::get_agent(&tx, id).await?;
    let removal = if teams::delete_agent_if_unreferenced(&tx, id).await? {
        Removal::Deleted
    } else {
        agent.available = false;
        Removal::Deactivated(teams::save_agent(&tx, &agent).await?)
    };
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    Ok(removal)
}
