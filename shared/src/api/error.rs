//! The API's one error type. Every failure becomes
//! `{"error": {"code", "message", "field"?}}`; details of 5xx go to the log only.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::domain::{FieldError, InvalidValue};
use crate::store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// Logged, never returned.
    internal: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), field: None, internal: None }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// 422: well-formed input that breaks a rule.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_error", message).with_field(field)
    }

    /// 400: a query or path parameter that cannot be read.
    pub fn bad_param(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "validation_error", message).with_field(field)
    }

    /// 400: a value the database cannot store, when the field is not known.
    pub fn invalid_value(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "validation_error", message)
    }

    pub fn invalid_json(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_json", message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn payload_too_large() -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "request body is larger than this API accepts")
    }

    pub fn unsupported_media_type(expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send Content-Type: {expected}"),
        )
    }

    pub fn too_many_requests(message: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
    }

    /// 502: a third party refused the request; its reason is safe to show.
    pub fn upstream(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, "upstream_error", message)
    }

    pub fn unavailable(internal: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "a backing service is unavailable; retry shortly",
        );
        e.internal = Some(internal.into());
        e
    }

    pub fn internal(internal: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side");
        e.internal = Some(internal.into());
        e
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::validation(e.field, e.message)
    }
}

/// Pairs a value error with the field it came from.
pub trait FieldContext<T> {
    fn field(self, name: &str) -> Result<T, ApiError>;
}

impl<T> FieldContext<T> for Result<T, InvalidValue> {
    fn field(self, name: &str) -> Result<T, ApiError> {
        self.map_err(|e| ApiError::validation(name, format!("{name} {}", e.0)))
    }
}

fn conflict_message(field: Option<&str>) -> String {
    match field {
        Some("scheduled_time") => "the host already has a booking at that time".into(),
        Some("customer_id") => "the customer already has an open lead".into(),
        Some(f) => format!("{f} is already in use"),
        None => "the change conflicts with existing data".into(),
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let field = e.field().map(str::to_owned);
        match e {
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::Conflict { .. } => {
                let mut err = ApiError::conflict(conflict_message(field.as_deref()));
                err.field = field;
                err
            }
            StoreError::MissingReference { .. } => {
                let f = field.unwrap_or_else(|| "id".into());
                ApiError::validation(f.clone(), format!("{f} does not refer to an existing record"))
            }
            StoreError::Rejected { constraint } => {
                let f = field.unwrap_or_else(|| constraint.clone());
                ApiError::validation(f.clone(), format!("{f} is not an allowed value"))
            }
            StoreError::OutOfRange(detail) => {
                tracing::info!(%detail, "value refused by the database");
                ApiError::invalid_value("a value is outside the range this service accepts (check dates and numbers)")
            }
            StoreError::InvalidCursor => ApiError::bad_param("cursor", "cursor is not a cursor returned by this list"),
            StoreError::Unavailable(detail) => ApiError::unavailable(detail),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some(detail) = &self.internal {
            tracing::error!(status = self.status.as_u16(), code = self.code, error = %detail, "request failed");
        }
        let mut body = json!({ "code": self.code, "message": self.message });
        if let Some(field) = self.field {
            body["field"] = json!(field);
        }
        (self.status, Json(json!({ "error": body }))).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
