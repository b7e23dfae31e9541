//! Who may do what. Staff users have a role; API keys carry scopes (as Stripe's
//! restricted keys and HubSpot's private-app tokens do); each route needs one [`Need`].
//! Deciding is pure; who the caller is gets established in `api::auth`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::InvalidValue;

/// A staff user's role. Ordered: each role may do everything the one before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Works conversations, leads, tasks, bookings and follow-ups.
    Agent,
    /// Also changes settings, teams, users, keys, sequences and integrations.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Agent, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Agent => "agent",
            Role::Admin => "admin",
        }
    }

    pub fn allows(self, need: Need) -> bool {
        match need {
            Need::Read => true,
            Need::Write | Need::Intake => self >= Role::Agent,
            Need::Admin => self == Role::Admin,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "agent" => Ok(Role::Agent),
            "admin" => Ok(Role::Admin),
            _ => Err(InvalidValue::new("must be one of admin, agent, viewer")),
        }
    }
}

/// What an API key may do. `admin` includes `write`, which includes `read` and `intake`;
/// `intake` alone lets an SMS or e-mail integration hand in messages and leads, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Read,
    Write,
    Admin,
    Intake,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Read, Scope::Write, Scope::Admin, Scope::Intake];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
            Scope::Intake => "intake",
        }
    }

    pub fn allows(self, need: Need) -> bool {
        match self {
            Scope::Admin => true,
            Scope::Write => need != Need::Admin,
            Scope::Read => need == Need::Read,
            Scope::Intake => need == Need::Intake,
        }
    }
}

impl FromStr for Scope {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s.trim())
            .ok_or_else(|| InvalidValue::new("must be one of read, write, admin, intake"))
    }
}

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// Looking at anything.
    Read,
    /// Working leads, conversations, tasks, bookings and follow-ups.
    Write,
    /// Settings, teams, users, keys, sequences, integrations.
    Admin,
    /// Handing in a message or a lead (an integration's key, or any writer).
    Intake,
}

/// What a caller was granted: a role (a person) or scopes (a key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    Role(Role),
    Scopes(Vec<Scope>),
}

impl Grant {
    pub fn allows(&self, need: Need) -> bool {
        match self {
            Grant::Role(role) => role.allows(need),
            Grant::Scopes(scopes) => scopes.iter().any(|s| s.allows(need)),
        }
    }
}

/// Who made a change, as recorded on the events it caused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    /// A staff user signed in with a Leadflow access token.
    User { id: Uuid },
    /// A managed API key.
    ApiKey { id: Uuid },
    /// One of the `LEADFLOW_API_KEYS` set at deploy time, by its position in the list.
    BootstrapKey { index: u16 },
    /// A person signed in with the business's own identity provider (the token's `sub`).
    External { subject: String },
    /// Whoever runs a local server with authentication off (loopback only).
    LocalOperator,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User { id } => write!(f, "user:{id}"),
            Actor::ApiKey { id } => write!(f, "key:{id}"),
            Actor::BootstrapKey { index } => write!(f, "bootstrap-key:{index}"),
            Actor::External { subject } => write!(f, "external:{subject}"),
            Actor::LocalOperator => f.write_str("local-operator"),
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub actor: Actor,
    pub grant: Grant,
    /// The agent record a staff user works as, when linked.
    pub agent_id: Option<Uuid>,
}

impl Principal {
    pub fn allows(&self, need: Need) -> bool {
        self.grant.allows(need)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_nest() {
        let needs = [Need::Read, Need::Write, Need::Intake, Need::Admin];
        let allowed = |role: Role| needs.iter().filter(|n| role.allows(**n)).count();
        assert_eq!(allowed(Role::Viewer), 1);
        assert_eq!(allowed(Role::Agent), 3);
        assert_eq!(allowed(Role::Admin), 4);
        assert!(!Role::Agent.allows(Need::Admin));
        assert!(!Role::Viewer.allows(Need::Write));
    }

    #[test]
    fn scopes_grant_what_they_say() {
        assert!(Scope::Write.allows(Need::Read));
        assert!(Scope::Write.allows(Need::Intake));
        assert!(!Scope::Write.allows(Need::Admin));
        assert!(!Scope::Read.allows(Need::Write));
        assert!(!Scope::Intake.allows(Need::Read), "an intake key reads nothing back");
        assert!(Grant::Scopes(vec![Scope::Read, Scope::Intake]).allows(Need::Intake));
        assert!(!Grant::Scopes(vec![]).allows(Need::Read));
    }

    #[test]
    fn names_parse() {
        assert_eq!("Admin".parse::<Role>().unwrap(), Role::Admin);
        assert!("owner".parse::<Role>().is_err());
        assert_eq!("intake".parse::<Scope>().unwrap(), Scope::Intake);
        assert!("all".parse::<Scope>().is_err());
        let actor = serde_json::to_value(Actor::BootstrapKey { index: 0 }).unwrap();
        assert_eq!(actor, serde_json::json!({"type": "bootstrap_key", "index": 0}));
    }
}
