//! API keys for staff routes: `Authorization: Bearer <key>` (or `X-Api-Key: <key>`),
//! compared in constant time against `LEADFLOW_API_KEYS`.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use crate::app::AppState;

fn presented_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(v) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, token) = v.trim().split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim());
    }
    headers.get("x-api-key").and_then(|v| v.to_str().ok()).map(str::trim)
}

/// Whether `key` is one of `accepted`; every candidate is compared, in constant time.
pub fn key_matches<'a>(key: &str, accepted: impl IntoIterator<Item = &'a str>) -> bool {
    let presented = Sha256::digest(key.as_bytes());
    accepted.into_iter().fold(false, |found, k| found | bool::from(Sha256::digest(k.as_bytes()).ct_eq(&presented)))
}

/// Whether the request carries a valid staff API key (or auth is off on this server).
pub fn is_staff(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.auth_disabled
        || presented_key(headers)
            .is_some_and(|key| key_matches(key, state.config.api_keys.iter().map(secrecy::ExposeSecret::expose_secret)))
}

pub async fn require_api_key(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.config.auth_disabled {
        return next.run(req).await;
    }
    let refuse = |message: &str| {
        let mut resp = ApiError::unauthorized(message).into_response();
        resp.headers_mut().insert(WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        resp
    };
    if state.config.api_keys.is_empty() {
        return refuse("this deployment has no API keys configured (LEADFLOW_API_KEYS)");
    }
    match presented_key(req.headers()) {
        None => refuse("send an API key: Authorization: Bearer <key>"),
        Some(key) if key_matches(key, state.config.api_keys.iter().map(secrecy::ExposeSecret::expose_secret)) => {
            next.run(req).await
        }
        Some(_) => refuse("the API key is not valid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_from_either_header() {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(presented_key(&h), Some("abc"));
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(presented_key(&h), None);
        let mut h = HeaderMap::new();
        h.insert("x-api-key", "xyz".parse().unwrap());
        assert_eq!(presented_key(&h), Some("xyz"));
    }

    #[test]
    fn matching_is_exact() {
        assert!(key_matches("secret-key-123456", ["other-key-1234567", "secret-key-123456"]));
        assert!(!key_matches("secret-key-12345", ["secret-key-123456"]));
        assert!(!key_matches("", ["secret-key-123456"]));
    }
}
