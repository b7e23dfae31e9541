//! `ServiceError`: what a use-case can fail with, in terms a caller can act on. The API
//! maps it to a status once (`api/error.rs`); the job hosts map it to retry or not once
//! (`workers/mod.rs`). An outage is always `Unavailable`, never a client error.

use crate::domain::{FieldError, InvalidValue};
use crate::store::StoreError;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// Well-formed input that breaks a rule.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Input that cannot be used at all (a cursor of another list, a date beyond range).
    #[error("{message}")]
    BadRequest { field: Option<String>, message: String },
    /// The change collides with existing data (a unique or exclusion constraint).
    #[error("{message}")]
    Conflict { field: Option<String>, message: String },
    /// The same work is being done right now by another caller; retry shortly.
    #[error("{what} is in progress elsewhere")]
    InProgress { what: String },
    /// No agent of the team could take the work.
    #[error("no available agent in the team")]
    NoAvailableAgent,
    /// The feature needs configuration this deployment lacks.
    #[error("{message}")]
    NotConfigured { message: String },
    #[error("{message}")]
    Forbidden { message: String },
    /// The caller could not prove who they are (a wrong password, a spent refresh token).
    #[error("{message}")]
    Unauthenticated { message: &'static str },
    /// Too many attempts from this caller; the window ends in `retry_after_secs`.
    #[error("{message}")]
    RateLimited { message: &'static str, retry_after_secs: u64 },
    /// A third party refused the request as made; repeating it will not help.
    #[error("{message}")]
    Upstream { message: String },
    /// A dependency is down or overloaded; a later attempt may succeed.
    #[error("{what} unavailable: {source}")]
    Unavailable {
        what: &'static str,
        #[source]
        source: BoxError,
    },
    /// A defect or unreadable stored data.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ServiceError::Invalid { field: field.into(), message: message.into() }
    }

    pub fn unavailable(what: &'static str, source: impl Into<BoxError>) -> Self {
        ServiceError::Unavailable { what, source: source.into() }
    }

    /// Whether a job that failed with this error should run again later.
    pub fn is_retryable(&self) -> bool {
        match self {
            ServiceError::Unavailable { .. } | ServiceError::InProgress { .. } | ServiceError::Internal(_) => true,
            ServiceError::NotFound { .. }
            | ServiceError::Invalid { .. }
            | ServiceError::BadRequest { .. }
            | ServiceError::Conflict { .. }
            | ServiceError::NoAvailableAgent
            | ServiceError::NotConfigured { .. }
            | ServiceError::Forbidden { .. }
            | ServiceError::Unauthenticated { .. }
            | ServiceError::RateLimited { .. }
            | ServiceError::Upstream { .. } => false,
        }
    }

    /// A missing row named by the client's `field` is the client's mistake (422), not a
    /// missing resource of the route (404).
    pub fn not_found_as(self, field: &str, what: &str) -> Self {
        match self {
            ServiceError::NotFound { .. } => {
                ServiceError::invalid(field, format!("{field} does not refer to {}", article(what)))
            }
            other => other,
        }
    }
}

fn article(what: &str) -> String {
    if what.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {what}") } else { format!("a {what}") }
}

fn conflict_message(field: Option<&str>) -> String {
    match field {
        Some("scheduled_time") => "the host already has a booking at that time".into(),
        Some("customer_id") => "the customer already has an open lead".into(),
        Some(f) => format!("{f} is already in use"),
        None => "the change conflicts with existing data".into(),
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        let field = e.field().map(str::to_owned);
        match e {
            StoreError::NotFound(what) => ServiceError::NotFound { what },
            StoreError::Conflict { .. } => {
                ServiceError::Conflict { message: conflict_message(field.as_deref()), field }
            }
            StoreError::MissingReference { .. } => {
                let f = field.unwrap_or_else(|| "id".into());
                ServiceError::invalid(f.clone(), format!("{f} does not refer to an existing record"))
            }
            StoreError::Rejected { constraint } => {
                let f = field.unwrap_or(constraint);
                ServiceError::invalid(f.clone(), format!("{f} is not an allowed value"))
            }
            StoreError::OutOfRange(detail) => {
                tracing::info!(%detail, "value refused by the database");
                ServiceError::BadRequest {
                    field: None,
                    message: "a value is outside the range this service accepts (check dates and numbers)".into(),
                }
            }
            StoreError::InvalidCursor => ServiceError::BadRequest {
                field: Some("cursor".into()),
                message: "cursor was not returned by this list with these filters; repeat the request without it"
                    .into(),
            },
            e @ StoreError::Unavailable(_) => ServiceError::unavailable("database", e),
            StoreError::Mongo(e) if mongo_outage(&e) => ServiceError::unavailable("mongodb", e),
            e @ (StoreError::Corrupt(_) | StoreError::Postgres(_) | StoreError::Mongo(_)) => {
                ServiceError::Internal(e.to_string())
            }
        }
    }
}

/// Network trouble, an unreachable server or a primary stepping down.
fn mongo_outage(e: &mongodb::error::Error) -> bool {
    use mongodb::error::ErrorKind;
    matches!(*e.kind, ErrorKind::Io(_) | ErrorKind::ServerSelection { .. } | ErrorKind::ConnectionPoolCleared { .. })
        || e.contains_label(mongodb::error::RETRYABLE_WRITE_ERROR)
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> Self {
        ServiceError::Invalid { field: e.field, message: e.message }
    }
}

/// Pairs a value error with the input field it came from.
pub trait FieldContext<T> {
    fn field(self, name: &str) -> Result<T, ServiceError>;
}

impl<T> FieldContext<T> for Result<T, InvalidValue> {
    fn field(self, name: &str) -> Result<T, ServiceError> {
        self.map_err(|e| ServiceError::invalid(name, format!("{name} {}", e.0)))
    }
}

impl From<crate::idempotency::IdempotencyError> for ServiceError {
    fn from(e: crate::idempotency::IdempotencyError) -> Self {
        ServiceError::unavailable("idempotency store", e)
    }
}

impl From<crate::queue::QueueError> for ServiceError {
    fn from(e: crate::queue::QueueError) -> Self {
        match e {
            crate::queue::QueueError::Encode(e) => ServiceError::Internal(format!("job could not be encoded: {e}")),
            e @ crate::queue::QueueError::Unavailable(_) => ServiceError::unavailable("job queue", e),
        }
    }
}

impl From<crate::ai::AiError> for ServiceError {
    fn from(e: crate::ai::AiError) -> Self {
        ServiceError::unavailable("AI engine", e)
    }
}

impl From<crate::integrations::IntegrationError> for ServiceError {
    fn from(e: crate::integrations::IntegrationError) -> Self {
        use crate::integrations::IntegrationError;
        match e {
            e @ IntegrationError::Unavailable { .. } => ServiceError::unavailable("integration", e),
            e @ IntegrationError::Refused { .. } => ServiceError::Upstream { message: e.to_string() },
        }
    }
}

impl From<crate::ratelimit::RateLimitError> for ServiceError {
    fn from(e: crate::ratelimit::RateLimitError) -> Self {
        ServiceError::unavailable("rate limiter", e)
    }
}
