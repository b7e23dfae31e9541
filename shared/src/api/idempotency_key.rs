//! `Idempotency-Key` on staff POSTs: a client that retries a create (after a timeout, say)
//! with the same key gets the first response again instead of a second record. Keys are
//! scoped to the caller and the route; reusing one for a different body is refused.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::ApiError;
use super::request_info::deadline;
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::idempotency::{Claim, claim, payload_hash};

const HEADER: &str = "idempotency-key";
const MAX_RESPONSE: usize = 1024 * 1024;

pub(super) async fn replay_by_key(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(key) = req.headers().get(HEADER).map(|v| v.to_str().map(str::to_owned)) else {
        return next.run(req).await;
    };
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let key = match key {
        Ok(k) if (1..=255).contains(&k.len()) => k,
        _ => {
            return ApiError::bad_param("Idempotency-Key", "Idempotency-Key must be 1 to 255 visible characters")
                .into_response();
        }
    };
    let (parts, body) = req.into_parts();
    let limit = state.config.max_body_bytes;
    let Ok(bytes) = to_bytes(body, limit).await else { return ApiError::payload_too_large().into_response() };
    // Scoped to the caller too: one caller's key never replays another's response.
    let caller = parts.extensions.get::<Principal>().map_or_else(|| "anonymous".to_owned(), |p| p.actor.to_string());
    let scope = format!("api:{caller}:{}:{key}", parts.uri.path());
    let claimed = claim(&*state.idempotency, scope, &payload_hash(&bytes), deadline(&parts)).await;
    let guard = match claimed {
        Err(e) => return ApiError::unavailable(e.to_string()).into_response(),
        Ok(Claim::Proceed(guard)) => guard,
        Ok(Claim::Completed(saved)) => return replay(saved),
        Ok(Claim::InProgress) => {
            return ApiError::conflict("a request with this Idempotency-Key is in progress").into_response();
        }
        Ok(Claim::PayloadMismatch) => {
            return ApiError::validation("Idempotency-Key", "this Idempotency-Key was used for a different request")
                .into_response();
        }
    };
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (resp_parts, resp_body) = response.into_parts();
    let Ok(resp_bytes) = to_bytes(resp_body, MAX_RESPONSE).await else {
        guard.release().await;
        return ApiError::internal("response too large to keep for Idempotency-Key").into_response();
    };
    // Only a success is replayed; after a failure the client may retry for real.
    if resp_parts.status.is_success() {
        let body: Value = serde_json::from_slice(&resp_bytes).unwrap_or(Value::Null);
        guard.complete(&json!({"status": resp_parts.status.as_u16(), "body": body})).await;
    } else {
        guard.release().await;
    }
    Response::from_parts(resp_parts, Body::from(resp_bytes))
}

fn replay(saved: Value) -> Response {
    let status = saved["status"]
        .as_u64()
        .and_then(|s| StatusCode::from_u16(u16::try_from(s).ok()?).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = (status, axum::Json(saved["body"].clone())).into_response();
    response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}
