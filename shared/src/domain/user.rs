//! Staff accounts and managed API keys, as the API shows them (never a secret).

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::Email;
use super::access::{Actor, Role, Scope};
use super::text::{ShortText, Text};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: Uuid,
    pub email: Email,
    pub name: ShortText,
    pub role: Role,
    /// The agent record this person works as (tasks assigned to them, their calendar).
    pub agent_id: Option<Uuid>,
    /// A disabled user cannot sign in or refresh; existing access tokens lapse within 15 minutes.
    pub disabled: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub email: Email,
    pub name: ShortText,
    pub role: Role,
    pub agent_id: Option<Uuid>,
}

pub type KeyName = Text<100>;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    pub id: Uuid,
    pub name: KeyName,
    /// The key's first characters (`lf_live_` and 8 more), to tell keys apart.
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub created_by: Option<Actor>,
    pub created_at: DateTime<Utc>,
    /// Within a minute: uses are recorded when a Lambda looks the key up, not on every call.
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| at > now)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewApiKey {
    pub name: KeyName,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: Option<Actor>,
}
