use tokio_postgres::error::SqlState;

/// What can go wrong in a store. Constraint names come from the schema, so callers can
/// tell which field caused a conflict.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique or exclusion constraint refused the write.
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    /// A foreign key pointed at a row that does not exist.
    #[error("reference {constraint} points at nothing")]
    MissingReference { constraint: String },
    /// A CHECK or NOT NULL constraint refused the write.
    #[error("constraint {constraint} refused the value")]
    Rejected { constraint: String },
    /// A value the database cannot hold (a year like -5000, a number too large).
    #[error("value out of range: {0}")]
    OutOfRange(String),
    /// A pagination cursor that this list did not hand out.
    #[error("invalid cursor")]
    InvalidCursor,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("postgres: {0}")]
    Postgres(tokio_postgres::Error),
    #[error("mongodb: {0}")]
    Mongo(#[from] mongodb::error::Error),
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        // Without a server error the connection itself failed (refused, reset, closed,
        // timed out): an outage, never the client's fault.
        let Some(db) = e.as_db_error() else {
            return StoreError::Unavailable(e.to_string());
        };
        let constraint = db.constraint().unwrap_or(db.table().unwrap_or("unknown")).to_owned();
        let code = db.code();
        // Connection exceptions, too many connections, a server shutting down, and
        // transactions Postgres aborted to resolve contention: all pass with a retry.
        let transient = ["08", "53", "57P"].iter().any(|class| code.code().starts_with(class))
            || *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::LOCK_NOT_AVAILABLE;
        if transient {
            return StoreError::Unavailable(db.message().to_owned());
        }
        if *code == SqlState::UNIQUE_VIOLATION || *code == SqlState::EXCLUSION_VIOLATION {
            StoreError::Conflict { constraint }
        } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
            StoreError::MissingReference { constraint }
        } else if code.code().starts_with("22") {
            // Data exceptions: a date or number beyond what Postgres stores, bad text.
            StoreError::OutOfRange(db.message().to_owned())
        } else if *code == SqlState::CHECK_VIOLATION || *code == SqlState::NOT_NULL_VIOLATION {
            StoreError::Rejected { constraint: db.constraint().or(db.column()).unwrap_or("unknown").to_owned() }
        } else {
            StoreError::Postgres(e)
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => StoreError::from(e),
            other => StoreError::Unavailable(other.to_string()),
        }
    }
}

impl StoreError {
    /// The input field a constraint guards, by the schema's naming (`customers_email_key`).
    pub fn field(&self) -> Option<&str> {
        let (StoreError::Conflict { constraint }
        | StoreError::MissingReference { constraint }
        | StoreError::Rejected { constraint }) = self
        else {
            return None;
        };
        let known = [
            ("_email_", "email"),
            ("_phone_", "phone"),
            ("_business_name_", "business_name"),
            ("_service_area_", "service_area"),
            ("_address_", "address"),
            ("_name_", "name"),
            ("_customer_id_", "customer_id"),
            ("_lead_id_", "lead_id"),
            ("_team_id_", "team_id"),
            ("_host_id_", "host_id"),
            ("_assigned_to_", "assigned_to"),
            ("_message_id_", "message_id"),
            ("_agent_id_", "agent_id"),
            ("_role_", "role"),
            ("_scopes_", "scopes"),
            ("_external_id_", "external_id"),
            ("_no_overlap", "scheduled_time"),
            ("_one_open_per_customer", "customer_id"),
        ];
        let padded = format!("{constraint}_");
        known.iter().find(|(needle, _)| padded.contains(needle)).map(|(_, f)| *f)
    }
}
