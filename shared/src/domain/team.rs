//! Teams of agents that take tasks of one kind, and how work is shared among them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::macros::string_enum;
use super::text::ShortText;
use super::{Email, TaskType};

string_enum!(Assignment { RoundRobin => "round_robin", LeastLoaded => "least_loaded" });

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: Uuid,
    pub name: ShortText,
    pub kind: TaskType,
    pub assignment: Assignment,
    /// An inactive team takes no new work (it was deleted while agents belonged to it).
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewTeam {
    pub name: ShortText,
    pub kind: TaskType,
    pub assignment: Assignment,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Agent {
    pub id: Uuid,
    pub name: ShortText,
    pub email: Email,
    pub team_id: Uuid,
    pub available: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAgent {
    pub name: ShortText,
    pub email: Email,
    pub team_id: Uuid,
    pub available: bool,
}
