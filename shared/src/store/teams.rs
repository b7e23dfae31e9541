//! Teams and their agents.

use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::StoreError;
use super::sql::{get, p, parse_req};
use crate::domain::text::ShortText;
use crate::domain::{Agent, Email, NewAgent, NewTeam, TaskType, Team};

const TEAM_COLUMNS: &str = "id, name, kind, assignment, active, created_at, updated_at";
const AGENT_COLUMNS: &str = "id, name, email, team_id, available, created_at, updated_at";

fn team_from_row(row: &Row) -> Result<Team, StoreError> {
    Ok(Team {
        id: get(row, "id")?,
        name: parse_req(row, "name", ShortText::parse)?,
        kind: parse_req(row, "kind", str::parse)?,
        assignment: parse_req(row, "assignment", str::parse)?,
        active: get(row, "active")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

fn agent_from_row(row: &Row) -> Result<Agent, StoreError> {
    Ok(Agent {
        id: get(row, "id")?,
        name: parse_req(row, "name", ShortText::parse)?,
        email: parse_req(row, "email", Email::parse)?,
        team_id: get(row, "team_id")?,
        available: get(row, "available")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

pub async fn insert_team(c: &impl GenericClient, t: &NewTeam) -> Result<Team, StoreError> {
    let sql =
        format!("INSERT INTO teams (id, name, kind, assignment) VALUES ($1, $2, $3, $4) RETURNING {TEAM_COLUMNS}");
    let rows = c
        .query_typed(&sql, &[p(&Uuid::now_v7()), p(&t.name.as_str()), p(&t.kind.as_str()), p(&t.assignment.as_str())])
        .await?;
    rows.first().map(team_from_row).ok_or(StoreError::NotFound("team"))?
}

pub async fn get_team(c: &impl GenericClient, id: Uuid) -> Result<Team, StoreError> {
    let rows = c.query_typed(&format!("SELECT {TEAM_COLUMNS} FROM teams WHERE id = $1"), &[p(&id)]).await?;
    rows.first().map(team_from_row).ok_or(StoreError::NotFound("team"))?
}

pub async fn save_team(c: &impl GenericClient, t: &Team) -> Result<Team, StoreError> {
    let sql = format!(
        "UPDATE teams SET name = $2, kind = $3, assignment = $4, active = $5, updated_at = now()
         WHERE id = $1 RETURNING {TEAM_COLUMNS}"
    );
    let (name, kind, assignment) = (t.name.as_str(), t.kind.as_str(), t.assignment.as_str());
    let rows = c.query_typed(&sql, &[p(&t.id), p(&name), p(&kind), p(&assignment), p(&t.active)]).await?;
    rows.first().map(team_from_row).ok_or(StoreError::NotFound("team"))?
}

/// All teams (a business has a handful), oldest first.
pub async fn list_teams(c: &impl GenericClient, kind: Option<TaskType>) -> Result<Vec<Team>, StoreError> {
    let sql = format!("SELECT {TEAM_COLUMNS} FROM teams WHERE ($1::text IS NULL OR kind = $1) ORDER BY created_at, id");
    let rows = c.query_typed(&sql, &[p(&kind.map(TaskType::as_str))]).await?;
    rows.iter().map(team_from_row).collect()
}

pub async fn insert_agent(c: &impl GenericClient, a: &NewAgent) -> Result<Agent, StoreError> {
    let sql = format!(
        "INSERT INTO agents (id, name, email, team_id, available) VALUES ($1, $2, $3, $4, $5) RETURNING {AGENT_COLUMNS}"
    );
    let rows = c
        .query_typed(
            &sql,
            &[p(&Uuid::now_v7()), p(&a.name.as_str()), p(&a.email.as_str()), p(&a.team_id), p(&a.available)],
        )
        .await?;
    rows.first().map(agent_from_row).ok_or(StoreError::NotFound("agent"))?
}

pub async fn get_agent(c: &impl GenericClient, id: Uuid) -> Result<Agent, StoreError> {
    let rows = c.query_typed(&format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = $1"), &[p(&id)]).await?;
    rows.first().map(agent_from_row).ok_or(StoreError::NotFound("agent"))?
}

pub async fn save_agent(c: &impl GenericClient, a: &Agent) -> Result<Agent, StoreError> {
    let sql = format!(
        "UPDATE agents SET name = $2, email = $3, team_id = $4, available = $5, updated_at = now()
         WHERE id = $1 RETURNING {AGENT_COLUMNS}"
    );
    let rows = c
        .query_typed(&sql, &[p(&a.id), p(&a.name.as_str()), p(&a.email.as_str()), p(&a.team_id), p(&a.available)])
        .await?;
    rows.first().map(agent_from_row).ok_or(StoreError::NotFound("agent"))?
}

/// Agents, oldest first, optionally of one team.
pub async fn list_agents(c: &impl GenericClient, team_id: Option<Uuid>) -> Result<Vec<Agent>, StoreError> {
    let sql =
        format!("SELECT {AGENT_COLUMNS} FROM agents WHERE ($1::uuid IS NULL OR team_id = $1) ORDER BY created_at, id");
    let rows = c.query_typed(&sql, &[p(&team_id)]).await?;
    rows.iter().map(agent_from_row).collect()
}

/// The team of `kind` that takes the next piece of work (one with an available agent
/// first, the oldest among equals), locked for the rest of the transaction so that
/// assignments to it happen one at a time, with the agent it assigned last.
pub async fn lock_for_assignment(
    c: &impl GenericClient,
    kind: TaskType,
) -> Result<Option<(Team, Option<Uuid>)>, StoreError> {
    let sql = format!(
        "SELECT {TEAM_COLUMNS}, last_assigned_agent_id FROM teams WHERE kind = $1 AND active
         ORDER BY EXISTS (SELECT 1 FROM agents a WHERE a.team_id = teams.id AND a.available) DESC, created_at, id
         LIMIT 1 FOR UPDATE"
    );
    let rows = c.query_typed(&sql, &[p(&kind.as_str())]).await?;
    rows.first().map(|r| Ok((team_from_row(r)?, get(r, "last_assigned_agent_id")?))).transpose()
}

pub async fn set_last_assigned(c: &impl GenericClient, team_id: Uuid, agent_id: Uuid) -> Result<(), StoreError> {
    c.query_typed("UPDATE teams SET last_assigned_agent_id = $2 WHERE id = $1", &[p(&team_id), p(&agent_id)]).await?;
    Ok(())
}

/// Deletes a team that no agent belongs to; `false` when agents still do.
pub async fn delete_team_if_unreferenced(c: &impl GenericClient, id: Uuid) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "DELETE FROM teams WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM agents WHERE team_id = $1) RETURNING id",
            &[p(&id)],
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Deletes an agent nothing was ever assigned to; `false` when a lead, task or booking
/// names them (deleting would silently unassign that work).
pub async fn delete_agent_if_unreferenced(c: &impl GenericClient, id: Uuid) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "DELETE FROM agents WHERE id = $1
               AND NOT EXISTS (SELECT 1 FROM leads WHERE assigned_to = $1)
               AND NOT EXISTS (SELECT 1 FROM tasks WHERE assigned_to = $1)
               AND NOT EXISTS (SELECT 1 FROM bookings WHERE host_id = $1)
             RETURNING id",
            &[p(&id)],
        )
        .await?;
    Ok(!rows.is_empty())
}
