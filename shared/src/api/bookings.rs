//! `/api/bookings`: open times, booking them, moving, confirming, closing and
//! cancelling, and the iCalendar file of a booking.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::crm::page_request;
use super::error::ApiResult;
use super::extract::{Id, Json, OptionalJson, Query};
use super::routes::Routes;
use crate::app::AppState;
use crate::domain::access::Need;
use crate::domain::booking::DurationMinutes;
use crate::domain::event::BookingActor;
use crate::domain::text::LongText;
use crate::domain::{Booking, BookingSource, BookingStatus, MeetingType, Patch};
use crate::services::Page;
use crate::services::bookings::{Availability, AvailabilityQuery, BookingChanges, BookingRequest, Cancellation};
use crate::store::bookings::BookingFilter;
use crate::store::payments::Payment;

use super::openapi::{BodyErrors, Conflict, NotFound, StaffErrors};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AvailabilityParams {
    /// Default: now.
    from: Option<DateTime<Utc>>,
    /// Default: the booking horizon.
    to: Option<DateTime<Utc>>,
    /// Minutes; default the business's meeting length.
    #[param(minimum = 5, maximum = 480)]
    duration: Option<i64>,
    host_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateBooking {
    customer_id: Uuid,
    lead_id: Option<Uuid>,
    host_id: Option<Uuid>,
    scheduled_time: DateTime<Utc>,
    #[schema(minimum = 5, maximum = 480)]
    duration_minutes: Option<i64>,
    meeting_type: Option<MeetingType>,
    notes: Option<LongText>,
    /// One of the settings' services, by name; decides whether a deposit is due
    /// (settings `booking.deposit.required_for`).
    service: Option<String>,
}

/// A booking just made, with the deposit it owes: when one is due the booking is
/// `pending_payment` and `payment.checkout_url` is where the customer pays (`null` while
/// Stripe is being asked again).
#[derive(Debug, Serialize, ToSchema)]
struct BookingMade {
    #[serde(flatten)]
    booking: Booking,
    payment: Option<Payment>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateBooking {
    scheduled_time: Option<DateTime<Utc>>,
    #[schema(minimum = 5, maximum = 480)]
    duration_minutes: Option<i64>,
    status: Option<BookingStatus>,
    #[serde(default)]
    notes: Patch<LongText>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CancelBody {
    reason: Option<LongText>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListBookings {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    #[param(inline)]
    status: Option<BookingStatus>,
    host_id: Option<Uuid>,
    customer_id: Option<Uuid>,
    lead_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn duration(field: &str, minutes: Option<i64>) -> ApiResult<Option<DurationMinutes>> {
    use crate::services::FieldContext;
    Ok(minutes.map(DurationMinutes::new).transpose().field(field)?)
}

#[utoipa::path(
    get,
    path = "/api/bookings/availability",
    tag = "bookings",
    security(("bearer" = []), ("api_key" = [])),
    params(AvailabilityParams),
    responses(
        (status = 200, description = "Open start times", body = Availability),
        (status = 422, description = "The window or duration cannot be used", body = super::openapi::ErrorBody),
        StaffErrors, NotFound,
    )
)]
async fn availability(
    State(state): State<AppState>,
    Query(q): Query<AvailabilityParams>,
) -> ApiResult<axum::Json<Availability>> {
    let query =
        AvailabilityQuery { from: q.from, to: q.to, duration: duration("duration", q.duration)?, host_id: q.host_id };
    Ok(axum::Json(state.bookings().availability(&query, Utc::now()).await?))
}

#[utoipa::path(
    post,
    path = "/api/bookings",
    tag = "bookings",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateBooking,
    responses(
        (status = 201, description = "The booking, made", body = BookingMade),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn create(
    State(state): State<AppState>,
    Json(b): Json<CreateBooking>,
) -> ApiResult<(StatusCode, axum::Json<BookingMade>)> {
    let req = BookingRequest {
        customer_id: b.customer_id,
        lead_id: b.lead_id,
        host_id: b.host_id,
        scheduled_time: b.scheduled_time,
        duration: duration("duration_minutes", b.duration_minutes)?,
        meeting_type: b.meeting_type,
        notes: b.notes,
        source: BookingSource::Api,
        chat_session: None,
        service: b.service,
        key: None,
    };
    let bookings = state.bookings();
    let booking = bookings.create_and_notify(req, Utc::now()).await?;
    let payment = bookings.payment(booking.id).await?;
    Ok((StatusCode::CREATED, axum::Json(BookingMade { booking, payment })))
}

#[utoipa::path(
    get,
    path = "/api/bookings",
    tag = "bookings",
    security(("bearer" = []), ("api_key" = [])),
    params(ListBookings),
    responses(
        (status = 200, description = "A page of bookings", body = Page<Booking>),
        StaffErrors,
    )
)]
async fn list(State(state): State<AppState>, Query(q): Query<ListBookings>) -> ApiResult<axum::Json<Page<Booking>>> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let filter = BookingFilter {
        customer_id: q.customer_id,
        lead_id: q.lead_id,
        host_id: q.host_id,
        status: q.status,
        from: q.from,
        to: q.to,
    };
    Ok(axum::Json(state.bookings().list(&filter, &page).await?))
}

#[utoipa::path(
    get,
    path = "/api/bookings/{id}",
    tag = "bookings",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "The booking", body = Booking),
        StaffErrors, NotFound,
    )
)]
async fn show(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<Booking>> {
    Ok(axum::Json(state.bookings().get(id).await?))
}

#[utoipa::path(
    method(put, patch),
    path = "/api/bookings/{id}",
    tag = "bookings",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The booking's id")),
    request_body = UpdateBooking,
    responses(
        (status = 200, description = "The booking, changed", body = Booking),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(b): Json<UpdateBooking>,
) -> ApiResult<axum::Json<Booking>> {
    let changes = BookingChanges {
        scheduled_time: b.scheduled_time,
        duration: duration("duration_minutes", b.duration_minutes)?,
        notes: b.notes,
        status: b.status,
    };
    Ok(axum::Json(state.bookings().update(id, changes, Utc::now()).await?))
}

#[utoipa::path(
    post,
    path = "/api/bookings/{id}/cancel",
    tag = "bookings",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The booking's id")),
    request_body(content = Option<CancelBody>, description = "Optional: the reason"),
    responses(
        (status = 200, description = "The booking, cancelled", body = Booking),
        StaffErrors, BodyErrors, NotFound, Conflict,
    )
)]
async fn cancel(
    State(state): State<AppState>,
    Id(id): Id,
    OptionalJson(body): OptionalJson<CancelBody>,
) -> ApiResult<axum::Json<Booking>> {
    let reason = body.and_then(|b| b.reason).map(|r| r.as_str().to_owned());
    let c = Cancellation { reason, by: BookingActor::Staff };
    Ok(axum::Json(state.bookings().cancel(id, c, true, Utc::now()).await?))
}

#[utoipa::path(
    get,
    path = "/api/bookings/{id}/ics",
    tag = "bookings",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "The booking as an iCalendar file (a cancelled one as METHOD:CANCEL)", content_type = "text/calendar", body = String),
        StaffErrors, NotFound,
    )
)]
async fn ics(State(state): State<AppState>, Id(id): Id) -> ApiResult<impl IntoResponse> {
    let invite = state.bookings().invite(id, Utc::now()).await?;
    let disposition = format!("attachment; filename=\"booking-{id}.ics\"");
    Ok(([(header::CONTENT_TYPE, invite.content_type), (header::CONTENT_DISPOSITION, disposition)], invite.content))
}

/// `GET /api/bookings/availability/check` is served by `availability`; this stub only
/// describes that path (a handler carries one path).
#[utoipa::path(
    get,
    path = "/api/bookings/availability/check",
    tag = "bookings",
    security(("bearer" = []), ("api_key" = [])),
    params(AvailabilityParams),
    responses(
        (status = 200, description = "Open start times (the same as `/api/bookings/availability`)", body = Availability),
        (status = 422, description = "The window or duration cannot be used", body = super::openapi::ErrorBody),
        StaffErrors, NotFound,
    )
)]
#[allow(dead_code)]
fn availability_check() {}

#[derive(utoipa::OpenApi)]
#[openapi(paths(availability, availability_check, create, list, show, update, cancel, ics))]
pub(super) struct BookingsApi;

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::new(state)
        .get("/api/bookings/availability", Need::Read, availability)
        // The seed's name for the same question.
        .get("/api/bookings/availability/check", Need::Read, availability)
        .get("/api/bookings", Need::Read, list)
        .post("/api/bookings", Need::Write, create)
        .get("/api/bookings/{id}", Need::Read, show)
        .put_patch("/api/bookings/{id}", Need::Write, update)
        .post("/api/bookings/{id}/cancel", Need::Write, cancel)
        .get("/api/bookings/{id}/ics", Need::Read, ics)
}

pub fn router(state: AppState) -> Router {
    routes(&state).finish()
}
