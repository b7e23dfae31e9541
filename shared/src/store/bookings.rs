//! Bookings. `bookings_no_overlap` refuses a second active booking of a host at a time
//! that overlaps one they already have.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::sql::{Sql, get, p, parse_opt, parse_req};
use super::{Page, PageRequest, Scope, StoreError};
use crate::domain::booking::DurationMinutes;
use crate::domain::text::LongText;
use crate::domain::{Booking, BookingStatus, MeetingType, NewBooking};

const COLUMNS: &str = "id, customer_id, lead_id, host_id, scheduled_time, duration_minutes, meeting_type, meeting_link, \
     status, notes, created_at, updated_at";

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
        status: parse_req(row, "status", str::parse)?,
        notes: parse_opt(row, "notes", LongText::parse)?,
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
                               meeting_type, meeting_link, notes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
    );
    let ends_at = b.scheduled_time + b.duration_minutes.duration();
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
            ],
        )
        .await?;
    one(rows)
}

pub async fn get_by_id(c: &impl GenericClient, id: Uuid) -> Result<Booking, StoreError> {
    one(c.query_typed(&format!("SELECT {COLUMNS} FROM bookings WHERE id = $1"), &[p(&id)]).await?)
}

/// Writes every editable column of `b`; moving it onto a busy slot is a conflict.
pub async fn save(c: &impl GenericClient, b: &Booking) -> Result<Booking, StoreError> {
    let sql = format!(
        "UPDATE bookings SET host_id = $2, scheduled_time = $3, duration_minutes = $4, ends_at = $5, meeting_type = $6,
                meeting_link = $7, status = $8, notes = $9, updated_at = now()
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
