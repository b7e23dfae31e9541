//! `/api/settings`: the business profile replies are grounded in (name, time zone,
//! opening hours, services with their prices as quoted, tone, a few words about it,
//! address, service area, payment methods, FAQ entries and the emergency policy); and
//! `/api/integrations`, how each provider is set up and last did.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ApiResult;
use super::extract::Json;
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::access::Need;
use crate::domain::booking_settings::BookingChanges;
use crate::domain::profile::{EmergencyPolicy, FaqEntry};
use crate::domain::text::{LongText, ShortText, Text};
use crate::domain::{BusinessHours, Patch, Service, Settings, TimeZone, Tone};
use crate::services::provider_status::{self, IntegrationStatus};
use crate::services::settings::{self, SettingsChanges};

use super::openapi::{BodyErrors, StaffErrors};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateSettings {
    business_name: Option<ShortText>,
    time_zone: Option<TimeZone>,
    business_hours: Option<BusinessHours>,
    services: Option<Vec<Service>>,
    tone: Option<Tone>,
    #[serde(default)]
    about: Patch<LongText>,
    booking: Option<BookingChanges>,
    #[serde(default)]
    address: Patch<ShortText>,
    /// At most 2000 characters, as the database stores it.
    #[serde(default)]
    service_area: Patch<Text<2000>>,
    #[schema(max_items = 20)]
    payment_methods: Option<Vec<ShortText>>,
    #[schema(max_items = 100)]
    faq: Option<Vec<FaqEntry>>,
    #[serde(default)]
    emergency: Patch<EmergencyPolicy>,
}

#[utoipa::path(
    get,
    path = "/api/settings",
    tag = "settings",
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "The business profile", body = Settings),
        StaffErrors,
    )
)]
async fn show(State(state): State<AppState>) -> ApiResult<axum::Json<Settings>> {
    Ok(axum::Json(settings::get(&state.db).await?))
}

#[utoipa::path(
    method(put, patch),
    path = "/api/settings",
    tag = "settings",
    security(("bearer" = []), ("api_key" = [])),
    request_body = UpdateSettings,
    responses(
        (status = 200, description = "The profile, changed (fields left out are kept)", body = Settings),
        StaffErrors, BodyErrors,
    )
)]
async fn update(State(state): State<AppState>, Json(b): Json<UpdateSettings>) -> ApiResult<axum::Json<Settings>> {
    let changes = SettingsChanges {
        business_name: b.business_name,
        time_zone: b.time_zone,
        business_hours: b.business_hours,
        services: b.services,
        tone: b.tone,
        about: b.about,
        booking: b.booking,
        address: b.address,
        service_area: b.service_area.map(Text::widen),
        payment_methods: b.payment_methods,
        faq: b.faq,
        emergency: b.emergency,
    };
    Ok(axum::Json(settings::update(&state.db, changes, state.integrations.stripe.is_some()).await?))
}

/// Every provider, configured or not, in a fixed order.
#[derive(Serialize, ToSchema)]
struct Integrations {
    items: Vec<IntegrationStatus>,
}

#[utoipa::path(
    get,
    path = "/api/integrations",
    tag = "settings",
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "Each provider (twilio, sendgrid, openai, slack, salesforce, google, stripe): configured here or not, its last failure and last success", body = Integrations),
        StaffErrors,
    )
)]
async fn integrations(State(state): State<AppState>) -> ApiResult<axum::Json<Integrations>> {
    let items = provider_status::all(&state.db, &state.config.providers).await?;
    Ok(axum::Json(Integrations { items }))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(show, update, integrations))]
pub(super) struct SettingsApi;

/// Served with the CRM family.
pub(super) fn routes(state: &AppState) -> Routes {
    Routes::new(state).get("/api/settings", Need::Read, show).put_patch("/api/settings", Need::Admin, update).get(
        "/api/integrations",
        Need::Read,
        integrations,
    )
}
