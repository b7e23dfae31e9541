//! `GET /api/health`: whether Postgres and MongoDB answer (503 when one does not); and
//! `GET /api/openapi.json`, the API's description.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use super::routes::Routes;
use crate::app::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Overall {
    Ok,
    Degraded,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Check {
    Ok,
    Error,
}

#[derive(Debug, Serialize, ToSchema)]
struct Health {
    /// `degraded` (with 503) when a store does not answer.
    status: Overall,
    postgres: Check,
    mongo: Check,
    /// The version of Leadflow answering.
    version: &'static str,
}

async fn check<F, E>(probe: F) -> Result<(), String>
where
    F: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    match tokio::time::timeout(CHECK_TIMEOUT, probe).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out".into()),
    }
}

#[utoipa::path(
    get,
    path = "/api/health",
    tag = "health",
    responses(
        (status = 200, description = "Postgres and MongoDB answer", body = Health),
        (status = 503, description = "A store does not answer", body = Health),
    )
)]
async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let (pg, mongo) = tokio::join!(check(state.db.ping()), check(state.mongo.ping()));
    let label = |r: &Result<(), String>, name: &str| match r {
        Ok(()) => Check::Ok,
        Err(e) => {
            tracing::warn!(store = name, error = %e, "health check failed");
            Check::Error
        }
    };
    let healthy = pg.is_ok() && mongo.is_ok();
    let body = Health {
        status: if healthy { Overall::Ok } else { Overall::Degraded },
        postgres: label(&pg, "postgres"),
        mongo: label(&mongo, "mongo"),
        version: env!("CARGO_PKG_VERSION"),
    };
    let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(health))]
pub(super) struct HealthApi;

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state).public_get("/api/health", health).public_get("/api/openapi.json", super::openapi::serve)
}

pub fn router(state: AppState) -> Router {
    routes(&state).finish()
}
