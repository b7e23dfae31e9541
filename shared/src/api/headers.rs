//! Headers for browsers: CORS for the origins the deployment lists, and security headers
//! on every response. The API serves JSON only, so nothing it returns should ever be
//! sniffed as HTML, framed, cached by a shared cache, or given a referrer.

use std::time::Duration;

use axum::Router;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{Method, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// What a browser page may send besides the CORS-safelisted headers.
const REQUEST_HEADERS: [HeaderName; 5] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    HeaderName::from_static("idempotency-key"),
    HeaderName::from_static("x-api-key"),
    HeaderName::from_static("x-request-id"),
];

/// What a browser page may read of a response besides the safelisted headers: rate
/// limits, request ids, replays, why a call was refused, where a new record is.
const EXPOSED_HEADERS: [HeaderName; 7] = [
    HeaderName::from_static("ratelimit"),
    HeaderName::from_static("ratelimit-policy"),
    header::RETRY_AFTER,
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("idempotent-replayed"),
    header::WWW_AUTHENTICATE,
    header::LOCATION,
];

const METHODS: [Method; 6] = [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE, Method::OPTIONS];

/// Browsers may cache a preflight this long.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_mins(10);

const SECURITY: [(HeaderName, &str); 5] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'"),
    (header::STRICT_TRANSPORT_SECURITY, "max-age=63072000; includeSubDomains"),
];

/// CORS for exactly `origins`, or `None` when there are none. Origins are matched
/// exactly and echoed only when listed. Credentials are not allowed: callers send
/// bearer tokens, never cookies.
pub(super) fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| {
            let value = HeaderValue::from_str(o);
            if value.is_err() {
                tracing::warn!(origin = %o, "CORS_ALLOWED_ORIGINS entry is not a valid header value; ignored");
            }
            value.ok()
        })
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods(METHODS)
            .allow_headers(REQUEST_HEADERS)
            .expose_headers(EXPOSED_HEADERS)
            .max_age(PREFLIGHT_MAX_AGE),
    )
}

/// `router` with CORS for `origins` (none at all when the list is empty).
pub(super) fn with_cors(router: Router, origins: &[String]) -> Router {
    match cors(origins) {
        Some(layer) => router.layer(layer),
        None => router,
    }
}

/// `router` with the security headers on every response it gives, fallbacks and
/// preflights included.
pub(super) fn with_security_headers(router: Router) -> Router {
    router.layer(axum::middleware::map_response(secure))
}

async fn secure<B>(mut resp: Response<B>) -> Response<B> {
    let headers = resp.headers_mut();
    for (name, value) in SECURITY {
        // The dashboard's pages bring their own policy; everything else is JSON.
        if name == header::CONTENT_SECURITY_POLICY {
            headers.entry(name).or_insert(HeaderValue::from_static(value));
        } else {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    // A handler that chose its own caching keeps it.
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_origins_means_no_cors() {
        assert!(cors(&[]).is_none());
        assert!(cors(&["https://bad\norigin".into()]).is_none());
        assert!(cors(&["https://app.example.com".into()]).is_some());
    }

    #[tokio::test]
    async fn security_headers_keep_a_handlers_cache_control() {
        let resp = secure(Response::new(())).await;
        assert_eq!(resp.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(resp.headers()[header::X_FRAME_OPTIONS], "DENY");
        let mut mine = Response::new(());
        mine.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
        mine.headers_mut().insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
        let resp = secure(mine).await;
        assert_eq!(resp.headers()[header::CACHE_CONTROL], "public, max-age=60");
        assert_eq!(resp.headers()[header::X_FRAME_OPTIONS], "DENY", "framing is never allowed");
    }
}
