//! `/api/analytics`: the dashboard's summary, read from the rollups the schedule keeps.
//! Served by the leads function (`api-leads`), beside the pipeline it summarises.

use axum::extract::State;
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::ApiResult;
use super::extract::Query;
use super::openapi::StaffErrors;
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::access::Need;
use crate::domain::analytics::Bound;
use crate::services::analytics::Summary;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SummaryParams {
    /// Start: an RFC 3339 time, or a date (that day's midnight in the business time zone).
    /// Default: the start of the sixth business day before `to`'s (seven days in all).
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]))?$", example = "2026-12-01")]
    from: Option<Bound>,
    /// End, after `from` and at most 366 days later: an RFC 3339 time, or a date counted
    /// whole (the range ends at the next midnight). Default: now.
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]))?$", example = "2026-12-07")]
    to: Option<Bound>,
}

/// Speed to lead, leads by channel, the funnel and a row per business day of the range
/// (whole days of the business time zone: a time inside a day counts that whole day),
/// with this week's bookings and the leads waiting for a person now. Percentiles are
/// read from log-spaced histograms: within 5% of the exact value (above 0.1 s).
#[utoipa::path(
    get,
    path = "/api/analytics/summary",
    tag = "analytics",
    security(("bearer" = []), ("api_key" = [])),
    params(SummaryParams),
    responses(
        (status = 200, description = "The summary of the range", body = Summary),
        StaffErrors,
    )
)]
async fn summary(State(state): State<AppState>, Query(q): Query<SummaryParams>) -> ApiResult<axum::Json<Summary>> {
    Ok(axum::Json(state.analytics().summary(q.from, q.to, Utc::now()).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(summary))]
pub(super) struct AnalyticsApi;

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state).get("/api/analytics/summary", Need::Read, summary)
}
