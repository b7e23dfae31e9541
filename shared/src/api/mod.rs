//! HTTP API: one axum `Router` per route family. A Lambda serves one family; the local
//! server merges them all. Every family gets the same layers through [`finish`].

mod analytics;
pub mod auth;
pub mod bookings;
mod chat_token;
mod conversations;
pub mod crm;
pub mod error;
pub mod extract;
pub mod follow_ups;
mod headers;
pub mod health;
mod hooks;
mod idempotency_key;
mod intake;
mod json_body;
pub mod leads;
pub mod messages;
pub mod openapi;
mod rate_limit;
pub mod request_info;
pub mod routes;
mod settings;
mod sign_in;
pub mod tasks;
mod teams;
mod users;
pub mod web;
mod webhook_endpoints;
pub mod webhooks;
mod webhooks_delivery;
mod webhooks_stripe;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use error::ApiError;

async fn not_found() -> ApiError {
    ApiError::not_found("route")
}

async fn method_not_allowed() -> ApiError {
    let mut e = ApiError::not_found("route");
    e.status = axum::http::StatusCode::METHOD_NOT_ALLOWED;
    e.code = "method_not_allowed";
    e.message = "this route does not accept that method".into();
    e
}

/// Adds the layers every family shares: JSON 404/405, body limit, tracing, CORS, request
/// ids, and security headers (outermost, so even a preflight answered by CORS has them).
pub fn finish(router: Router, state: &AppState) -> Router {
    let router = router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %request_id)
        }));
    let router = headers::with_cors(router, &state.config.access.cors_origins)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    headers::with_security_headers(router)
}

fn families(state: &AppState) -> [routes::Routes; 8] {
    [
        health::routes(state),
        crm::routes(state),
        messages::routes(state),
        webhooks::routes(state),
        leads::routes(state),
        tasks::routes(state),
        bookings::routes(state),
        follow_ups::routes(state),
    ]
}

/// Every route family in one router (the local server).
pub fn app(state: AppState) -> Router {
    app_with_web(state, None)
}

/// Every route family, and the built dashboard and widget from `web_dir` when given.
pub fn app_with_web(state: AppState, web_dir: Option<std::path::PathBuf>) -> Router {
    // The merged router's own fallback gets the shared layers too: a 404 there needs the
    // same headers as one inside a family.
    let fallback = finish(web_dir.map_or_else(Router::new, web::router), &state);
    families(&state)
        .into_iter()
        .fold(Router::new(), |app, family| app.merge(family.finish().reset_fallback()))
        .fallback_service(fallback)
}

/// Every route with who may call it: what the role × route test and the OpenAPI check
/// enumerate.
pub fn route_table(state: &AppState) -> Vec<routes::RouteSpec> {
    families(state).iter().flat_map(|f| f.specs().to_vec()).collect()
}
