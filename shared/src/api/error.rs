//! The API's one error type. Every failure becomes
//! `{"error": {"code", "message", "field"?}}`; details of 5xx go to the log only.

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::domain::{FieldError, InvalidValue};
use crate::services::ServiceError;

/// How long a client is asked to wait after a 503 or a 429 it did not get a window for.
const RETRY_AFTER_SECS: u32 = 5;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// Seconds for the `Retry-After` header (503, 429).
    pub retry_after: Option<u32>,
    /// Sent as they are (rate limit fields, `WWW-Authenticate`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Logged, never returned.
    internal: Option<Box<str>>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
            headers: Vec::new(),
            internal: None,
        }
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

    pub fn too_many_requests(message: impl Into<String>, retry_after_secs: u64) -> Self {
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message);
        e.retry_after = Some(u32::try_from(retry_after_secs.max(1)).unwrap_or(u32::MAX));
        e
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
        e.internal = Some(internal.into().into_boxed_str());
        e.retry_after = Some(RETRY_AFTER_SECS);
        e
    }

    pub fn internal(internal: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side");
        e.internal = Some(internal.into().into_boxed_str());
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

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound { what } => ApiError::not_found(what),
            ServiceError::Invalid { field, message } => ApiError::validation(field, message),
            ServiceError::BadRequest { field, message } => {
                let mut err = ApiError::invalid_value(message);
                err.field = field;
                err
            }
            ServiceError::Conflict { field, message } => {
                let mut err = ApiError::conflict(message);
                err.field = field;
                err
            }
            ServiceError::InProgress { what } => {
                let mut err = ApiError::conflict(format!("{what} is being processed right now; retry shortly"));
                err.retry_after = Some(1);
                err
            }
            ServiceError::NoAvailableAgent => {
                let mut err = ApiError::conflict("the team has no available agent to assign");
                err.code = "no_available_agent";
                err
            }
            ServiceError::NotConfigured { message } => {
                let mut err = ApiError::conflict(message);
                err.code = "not_configured";
                err
            }
            ServiceError::Forbidden { message } => ApiError::forbidden(message),
            ServiceError::Unauthenticated { message } => ApiError::unauthorized(message),
            ServiceError::RateLimited { message, retry_after_secs } => {
                ApiError::too_many_requests(message, retry_after_secs)
            }
            ServiceError::Upstream { message } => ApiError::upstream(message),
            e @ ServiceError::Unavailable { .. } => ApiError::unavailable(e.to_string()),
            ServiceError::Internal(detail) => ApiError::internal(detail),
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
        let mut response = (self.status, Json(json!({ "error": body }))).into_response();
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
