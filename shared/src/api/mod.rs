//! HTTP API: one axum `Router` per route family. A Lambda serves one family; the local
//! server merges them all. Every family gets the same layers through [`finish`].

pub mod auth;
pub mod bookings;
mod chat_token;
pub mod crm;
pub mod error;
pub mod extract;
pub mod follow_ups;
pub mod health;
mod idempotency_key;
mod intake;
mod json_body;
pub mod leads;
pub mod messages;
pub mod openapi;
pub mod request_info;
mod settings;
pub mod tasks;
mod teams;
pub mod webhooks;
mod webhooks_delivery;

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

/// The layers of staff routes: an API key first, then `Idempotency-Key` replays.
pub(crate) fn staff(routes: Router<AppState>, state: &AppState) -> Router<AppState> {
    routes
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), idempotency_key::replay_by_key))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_api_key))
}

/// Adds the layers every family shares: JSON 404/405, body limit, request ids, tracing.
pub fn finish(router: Router, state: &AppState) -> Router {
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %request_id)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Every route family in one router (the local server).
pub fn app(state: AppState) -> Router {
    let families = [
        health::router(state.clone()),
        crm::router(state.clone()),
        messages::router(state.clone()),
        webhooks::router(state.clone()),
        leads::router(state.clone()),
        tasks::router(state.clone()),
        bookings::router(state.clone()),
        follow_ups::router(state.clone()),
    ];
    families.into_iter().fold(Router::new(), |app, family| app.merge(family.reset_fallback())).fallback(not_found)
}
