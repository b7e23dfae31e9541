//! `/api/settings`: the business profile replies are grounded in (name, time zone,
//! opening hours, services with their prices as quoted, tone, a few words about it).

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;

use super::error::ApiResult;
use super::extract::Json;
use crate::app::AppState;
use crate::domain::text::{LongText, ShortText};
use crate::domain::{BusinessHours, Patch, Service, Settings, TimeZone, Tone};
use crate::store::settings;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateSettings {
    business_name: Option<ShortText>,
    time_zone: Option<TimeZone>,
    business_hours: Option<BusinessHours>,
    services: Option<Vec<Service>>,
    tone: Option<Tone>,
    #[serde(default)]
    about: Patch<LongText>,
}

async fn show(State(state): State<AppState>) -> ApiResult<axum::Json<Settings>> {
    let conn = state.db.conn().await?;
    Ok(axum::Json(settings::load(&*conn).await?))
}

async fn update(State(state): State<AppState>, Json(b): Json<UpdateSettings>) -> ApiResult<axum::Json<Settings>> {
    if let Some(services) = &b.services
        && services.len() > 100
    {
        return Err(super::error::ApiError::validation("services", "at most 100 services"));
    }
    let mut conn = state.db.conn().await?;
    let tx = conn.transaction().await.map_err(crate::store::StoreError::from)?;
    settings::lock(&tx).await?;
    let mut s = settings::load(&tx).await?;
    s.business_name = b.business_name.unwrap_or(s.business_name);
    s.time_zone = b.time_zone.unwrap_or(s.time_zone);
    s.business_hours = b.business_hours.unwrap_or(s.business_hours);
    s.services = b.services.unwrap_or(s.services);
    s.tone = b.tone.unwrap_or(s.tone);
    s.about = b.about.apply(s.about);
    let saved = settings::save(&tx, &s).await?;
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    Ok(axum::Json(saved))
}

/// Served with the CRM family.
pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/api/settings", get(show).put(update).patch(update))
}
