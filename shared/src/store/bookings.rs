//! Bookings. `bookings_no_overlap` refuses a second active booking of a host at a time
//! that overlaps one they already have; [`lock_host`] serialises the check of buffers
//! and hours (which the constraint cannot see) with the insert, per host.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::sql::{Sql, get, p, parse_opt, parse_req};
use super::{Page, PageRequest, Scope, StoreError};
use crate::domain::availability::Interval;
use crate::domain::booking::DurationMinutes;
use crate::domain::text::LongText;
use crate::domain::{Booking, BookingSource, BookingStatus, MeetingType, NewBooking};

const COLUMNS: &str = "id, customer_id, lead_id, host_id, scheduled_time, duration_minutes, meeting_type, meeting_link, \
     location, status, hold_until, service, notes, source, external_id, calendar_event_id, sequence, cancelled_at, \
     cancel_reason, created_at, updated_at";

#[derive(Debug, Clone, Default)]
pub struct BookingFilter {
    pub customer_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub host_id: Option<Uuid>,
    pub status: Option<BookingStatus>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

fn from_row(row: &Row) -> Result<Booking, StoreError> {
    let minutes: i16 = get(row, "duration_minutes")?;
    Ok(Booking {
        id: get(row, "id")?,
        customer_id: get(row, "customer_id")?,
        lead_id: get(row, "lead_id")?,
        host_id: get(row, "host_id")?,
        scheduled_time: get(row, "scheduled_time")?,
        duration_minutes: DurationMinutes::new(i64::from(minutes)).map_err(|e| StoreError::Corrupt(e.0))?,
        meeting_type: parse_req(row, "meeting_type", str::parse::<MeetingType>)?,
        meeting_link: get(row, "meeting_link")?,
        location: get(row, "location")?,
        status: parse_req(row, "status", str::parse)?,
        hold_until: get(row, "hold_until")?,
        service: get(row, "service")?,
        notes: parse_opt(row, "notes", LongText::parse)?,
        source: parse_req(row, "source", str::parse::<BookingSource>)?,
        external_id: get(row, "external_id")?,
        calendar_event_id: get(row, "calendar_event_id")?,
        sequence: get(row, "sequence")?,
        cancelled_at: get(row, "cancelled_at")?,
        cancel_reason: get(row, "cancel_reason")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

fn one(rows: Vec<Row>) -> Result<Booking, StoreError> {
    rows.first().map(from_row).ok_or(StoreError::NotFound("booking"))?
}

fn minutes(d: DurationMinutes) -> i16 {
    i16::try_from(d.minutes()).unwrap_or(i16::MAX)
}

pub async fn insert(c: &impl GenericClient, b: &NewBooking) -> Result<Booking, StoreError> {
    let sql = format!(
        "INSERT INTO bookings (id, customer_id, lead_id, host_id, scheduled_time, duration_minutes, ends_at,
                               meeting_type, meeting_link, notes, location, source, external_id, chat_session,
                               status, hold_until, service)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING {COLUMNS}"
    );
    let ends_at = b.scheduled_time + b.duration_minutes.duration();
    let status = if b.hold_until.is_some() { BookingStatus::PendingPayment } else { BookingStatus::Scheduled };
    let rows = c
        .query_typed(
            &sql,
            &[
                p(&Uuid::now_v7()),
                p(&b.customer_id),
                p(&b.lead_id),
                p(&b.host_id),
                p(&b.scheduled_time),
                p(&minutes(b.duration_minutes)),
                p(&ends_at),
                p(&b.meeting_type.as_str()),
                p(&b.meeting_link),
                p(&b.notes.as_ref().map(super::super::domain::text::Text::as_str)),
                p(&b.location),
                p(&b.source.as_str()),
                p(&b.external_id),
                p(&b.chat_session),
                p(&status.as_str()),
                p(&b.hold_until),
                p(&b.service),
            ],
        )
        .await?;
    one(rows)
}

pub async fn get_by_id(c: &impl GenericClient, id: Uuid) -> Result<Booking, StoreError> {
    one(c.query_typed(&format!("SELECT {COLUMNS} FROM bookings WHERE id = $1"), &[p(&id)]).await?)
}

/// The booking, locked for the transaction.
pub async fn get_for_update(c: &impl GenericClient, id: Uuid) -> Result<Booking, StoreError> {
    one(c.query_typed(&format!("SELECT {COLUMNS} FROM bookings WHERE id = $1 FOR UPDATE"), &[p(&id)]).await?)
}

pub async fn get_by_external_id(c: &impl GenericClient, external_id: &str) -> Result<Option<Booking>, StoreError> {
    let rows = c
        .query_typed(&format!("SELECT {COLUMNS} FROM bookings WHERE external_id = $1 FOR UPDATE"), &[p(&external_id)])
        .await?;
    rows.first().map(from_row).transpose()
}

/// Serialises bookings of one host (`None`: the business calendar) until the
/// transaction ends, so the availability check and the insert are one step.
pub async fn lock_host(c: &impl GenericClient, host_id: Option<Uuid>) -> Result<(), StoreError> {
    let key = host_id.unwrap_or(Uuid::nil());
    c.query_typed(
        "SELECT pg_advisory_xact_lock(hashtextextended('booking-host:' || $1::text, 0))",
        &[p(&key.to_string())],
    )
    .await?;
    Ok(())
}

/// Bookings of a host holding time at `now` (active ones, and unpaid ones whose hold
/// has not ended) overlapping `[from, to)`, as intervals.
pub async fn busy(
    c: &impl GenericClient,
    host_id: Option<Uuid>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    except: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Vec<Interval>, StoreError> {
    let rows = c
        .query_typed(
            // The host expression and `ends_at` match `bookings_host_time_idx`.
            "SELECT scheduled_time, ends_at FROM bookings
             WHERE coalesce(host_id, '00000000-0000-0000-0000-000000000000'::uuid)
                   = coalesce($1::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
               AND status IN ('pending_payment', 'scheduled', 'confirmed')
               AND (status <> 'pending_payment' OR hold_until > $5)
               AND ends_at > $2 AND scheduled_time < $3 AND id IS DISTINCT FROM $4",
            &[p(&host_id), p(&from), p(&to), p(&except), p(&now)],
        )
        .await?;
    rows.iter().map(|r| Ok(Interval { start: get(r, "scheduled_time")?, end: get(r, "ends_at")? })).collect()
}

/// The customer's next active booking (now or later); with `chat_session`, only one
/// booked in that chat.
pub async fn next_active_for_customer(
    c: &impl GenericClient,
    customer_id: Uuid,
    now: DateTime<Utc>,
    chat_session: Option<Uuid>,
) -> Result<Option<Booking>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM bookings WHERE customer_id = $1 AND status IN ('scheduled', 'confirmed') AND ends_at > $2
           AND ($3::uuid IS NULL OR chat_session = $3)
         ORDER BY scheduled_time LIMIT 1"
    );
    let rows = c.query_typed(&sql, &[p(&customer_id), p(&now), p(&chat_session)]).await?;
    rows.first().map(from_row).transpose()
}

/// Records the host's calendar event of the booking.
pub async fn set_calendar_event(
    c: &impl GenericClient,
    id: Uuid,
    event_id: Option<&str>,
    link: Option<&str>,
) -> Result<(), StoreError> {
    c.query_typed(
        "UPDATE bookings SET calendar_event_id = $2, meeting_link = coalesce($3, meeting_link) WHERE id = $1",
        &[p(&id), p(&event_id), p(&link)],
    )
    .await?;
    Ok(())
}

/// Writes every editable column of `b`; moving it onto a busy slot is a conflict.
pub async fn save(c: &impl GenericClient, b: &Booking) -> Result<Booking, StoreError> {
    let sql = format!(
        "UPDATE bookings SET host_id = $2, scheduled_time = $3, duration_minutes = $4, ends_at = $5, meeting_type = $6,
                meeting_link = $7, status = $8, notes = $9, location = $10, sequence = $11, cancelled_at = $12,
                cancel_reason = $13, hold_until = CASE WHEN $8 = 'pending_payment' THEN hold_until END,
                updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    let rows = c
        .query_typed(
            &sql,
            &[
                p(&b.id),
                p(&b.host_id),
                p(&b.scheduled_time),
                p(&minutes(b.duration_minutes)),
                p(&b.ends_at()),
                p(&b.meeting_type.as_str()),
                p(&b.meeting_link),
                p(&b.status.as_str()),
                p(&b.notes.as_ref().map(super::super::domain::text::Text::as_str)),
                p(&b.location),
                p(&b.sequence),
                p(&b.cancelled_at),
                p(&b.cancel_reason),
            ],
        )
        .await?;
    one(rows)
}

/// Soonest first.
pub async fn list(c: &impl GenericClient, f: &BookingFilter, page: &PageRequest) -> Result<Page<Booking>, StoreError> {
    let scope = Scope::of("bookings", f);
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM bookings WHERE true"));
    sql.and("customer_id", "=", f.customer_id)
        .and("lead_id", "=", f.lead_id)
        .and("host_id", "=", f.host_id)
        .and("status", "=", f.status.map(BookingStatus::as_str))
        .and("scheduled_time", ">=", f.from)
        .and("scheduled_time", "<", f.to);
    if let Some((at, id)) = page.after::<(DateTime<Utc>, Uuid)>(&scope).map_err(|_| StoreError::InvalidCursor)? {
        sql.push(" AND (scheduled_time, id) > (").bind(at).push(", ").bind(id).push(")");
    }
    sql.push(" ORDER BY scheduled_time, id LIMIT ").bind(page.fetch());
    let items = sql.query(c).await?.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_fetched(items, page, &scope, |b| (b.scheduled_time, b.id)))
}

/// Releases unpaid holds ended by `now`: cancels them (reason `reason`) and returns
/// them as they were. With `host`, only that host's holds overlapping `[from, to)` (the
/// ones in the way of a new booking, which the exclusion constraint still counts);
/// otherwise up to `limit` of any host, for the schedule.
pub async fn release_expired_holds(
    c: &impl GenericClient,
    host: Option<(Option<Uuid>, DateTime<Utc>, DateTime<Utc>)>,
    now: DateTime<Utc>,
    reason: &str,
    limit: i64,
) -> Result<Vec<Booking>, StoreError> {
    let (scoped, host_id, from, to) = match host {
        Some((h, from, to)) => (true, h, Some(from), Some(to)),
        None => (false, None, None, None),
    };
    let sql = format!(
        "WITH due AS (
             SELECT id FROM bookings
             WHERE status = 'pending_payment' AND hold_until <= $1
               AND (NOT $2 OR (coalesce(host_id, '00000000-0000-0000-0000-000000000000'::uuid)
                                 = coalesce($3::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
                               AND ends_at > $4 AND scheduled_time < $5))
             ORDER BY hold_until LIMIT $7 FOR UPDATE SKIP LOCKED
         ), old AS (
             SELECT {COLUMNS} FROM bookings WHERE id IN (SELECT id FROM due)
         ), released AS (
             UPDATE bookings SET status = 'cancelled', hold_until = NULL, cancelled_at = $1, cancel_reason = $6,
                    updated_at = now()
             WHERE id IN (SELECT id FROM due) RETURNING id
         )
         SELECT {COLUMNS} FROM old WHERE id IN (SELECT id FROM released)"
    );
    let rows =
        c.query_typed(&sql, &[p(&now), p(&scoped), p(&host_id), p(&from), p(&to), p(&reason), p(&limit)]).await?;
    rows.iter().map(from_row).collect()
}
