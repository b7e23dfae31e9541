//! `GET /api/health`: whether Postgres and MongoDB answer (503 when one does not).

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::routes::Routes;
use crate::app::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

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

async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let (pg, mongo) = tokio::join!(check(state.db.ping()), check(state.mongo.ping()));
    let label = |r: &Result<(), String>, name: &str| match r {
        Ok(()) => "ok",
        Err(e) => {
            tracing::warn!(store = name, error = %e, "health check failed");
            "error"
        }
    };
    let healthy = pg.is_ok() && mongo.is_ok();
    let body = json!({
        "status": if healthy { "ok" } else { "degraded" },
        "postgres": label(&pg, "postgres"),
        "mongo": label(&mongo, "mongo"),
        "version": env!("CARGO_PKG_VERSION"),
    });
    let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body))
}

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state).public_get("/api/health", health)
}

pub fn router(state: AppState) -> Router {
    routes(&state).finish()
}
