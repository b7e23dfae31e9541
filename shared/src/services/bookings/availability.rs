//! Open times: each host's hours (or the business's), minus their active bookings with
//! buffers and their Google Calendar busy time, within notice and horizon; the same
//! check guards every booking, whatever the client sent.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::Serialize;
use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::super::{ServiceError, ServiceResult};
use crate::domain::availability::{Calendar, Interval, SlotProblem, SlotRules, check_slot, open_slots};
use crate::domain::booking::DurationMinutes;
use crate::domain::booking_settings::BookingSettings;
use crate::domain::{BusinessHours, Settings, TimeZone};
use crate::integrations::google_calendar::GoogleCalendarClient;
use crate::store::bookings;

/// The longest range one availability request may cover.
pub const MAX_RANGE: Duration = Duration::days(31);
/// The range when the request names none.
const DEFAULT_RANGE: Duration = Duration::days(7);

/// Whose time a booking takes: an agent listed as a host, or (with no hosts set up)
/// the business's own calendar.
#[derive(Debug, Clone)]
pub struct HostCalendar {
    pub host_id: Option<Uuid>,
    pub hours: BusinessHours,
    pub calendar_id: Option<String>,
}

impl HostCalendar {
    /// The calendars a booking may use: the one asked for, or every host.
    pub fn candidates(settings: &Settings, host_id: Option<Uuid>) -> ServiceResult<Vec<HostCalendar>> {
        let b = &settings.booking;
        let of = |h: &crate::domain::booking_settings::Host| HostCalendar {
            host_id: Some(h.agent_id),
            hours: h.hours.clone().unwrap_or_else(|| settings.business_hours.clone()),
            calendar_id: h.calendar_id.as_ref().map(|c| c.as_str().to_owned()),
        };
        match host_id {
            Some(id) => match b.host(id) {
                Some(h) => Ok(vec![of(h)]),
                None => {
                    Err(ServiceError::invalid("host_id", "is not one of the booking hosts (settings booking.hosts)"))
                }
            },
            None if b.hosts.is_empty() => {
                Ok(vec![HostCalendar { host_id: None, hours: settings.business_hours.clone(), calendar_id: None }])
            }
            None => Ok(b.hosts.iter().map(of).collect()),
        }
    }
}

/// Busy time kept outside Leadflow.
#[derive(Clone, Copy)]
pub struct ExternalBusy<'a> {
    pub google: Option<&'a GoogleCalendarClient>,
}

impl ExternalBusy<'_> {
    pub async fn of(&self, cal: &HostCalendar, from: DateTime<Utc>, to: DateTime<Utc>) -> ServiceResult<Vec<Interval>> {
        match (self.google, &cal.calendar_id) {
            (Some(google), Some(id)) => Ok(google.free_busy(id, from, to).await?),
            (Some(_) | None, None) | (None, Some(_)) => Ok(Vec::new()),
        }
    }
}

/// A start time that is open, with the hosts free then.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenSlot {
    /// RFC 3339 with the business's local offset.
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    /// Empty when bookings go on the business's own calendar.
    pub host_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Availability {
    pub time_zone: TimeZone,
    pub duration_minutes: DurationMinutes,
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    pub slots: Vec<OpenSlot>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct AvailabilityQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub duration: Option<DurationMinutes>,
    pub host_id: Option<Uuid>,
}

/// The range a query covers: `[from, to)`, defaulting to a week from now.
pub fn range_of(q: &AvailabilityQuery, now: DateTime<Utc>) -> ServiceResult<(DateTime<Utc>, DateTime<Utc>)> {
    let from = q.from.unwrap_or(now);
    let to = match q.to {
        Some(to) => to,
        None => {
            from.checked_add_signed(DEFAULT_RANGE).ok_or_else(|| ServiceError::invalid("from", "is out of range"))?
        }
    };
    if to <= from {
        return Err(ServiceError::invalid("to", "must be after from"));
    }
    if to - from > MAX_RANGE {
        return Err(ServiceError::invalid("to", format!("must be at most {} days after from", MAX_RANGE.num_days())));
    }
    Ok((from, to))
}

/// What the slot check needs of one calendar, loaded.
pub struct Loaded {
    pub bookings: Vec<Interval>,
    pub busy: Vec<Interval>,
}

impl Loaded {
    /// The host's bookings and external busy time around `[from, to)`, widened by the
    /// longest meeting and the buffers so a booking just outside still counts.
    pub async fn load(
        c: &impl GenericClient,
        external: ExternalBusy<'_>,
        cal: &HostCalendar,
        rules: &SlotRules,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        except: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> ServiceResult<Loaded> {
        let margin = Duration::minutes(480) + rules.buffer_before + rules.buffer_after + rules.duration;
        let bookings = bookings::busy(c, cal.host_id, (from - margin, to + margin), except, now).await?;
        let busy = external.of(cal, from - rules.duration, to + rules.duration).await?;
        Ok(Loaded { bookings, busy })
    }

    pub fn calendar<'a>(&'a self, cal: &'a HostCalendar, tz: TimeZone) -> Calendar<'a> {
        Calendar { hours: &cal.hours, tz, bookings: &self.bookings, busy: &self.busy }
    }
}

/// Open slots across the candidate calendars, merged by start time.
pub async fn availability(
    c: &impl GenericClient,
    external: ExternalBusy<'_>,
    settings: &Settings,
    q: &AvailabilityQuery,
    now: DateTime<Utc>,
) -> ServiceResult<Availability> {
    let (from, to) = range_of(q, now)?;
    let rules = settings.booking.rules(q.duration);
    let tz = settings.time_zone;
    let mut merged: BTreeMap<DateTime<Utc>, Vec<Uuid>> = BTreeMap::new();
    for cal in HostCalendar::candidates(settings, q.host_id)? {
        let loaded = Loaded::load(c, external, &cal, &rules, (from, to), None, now).await?;
        for start in open_slots(&loaded.calendar(&cal, tz), &rules, now, from, to) {
            merged.entry(start).or_default().extend(cal.host_id);
        }
    }
    let local = |t: DateTime<Utc>| t.with_timezone(&tz.tz()).fixed_offset();
    Ok(Availability {
        time_zone: tz,
        duration_minutes: q.duration.unwrap_or(settings.booking.duration_minutes),
        from: local(from),
        to: local(to),
        slots: merged
            .into_iter()
            .map(|(start, host_ids)| OpenSlot { start: local(start), end: local(start + rules.duration), host_ids })
            .collect(),
    })
}

/// The refusal of a requested start, in the API's terms.
pub fn refusal(problem: SlotProblem, settings: &BookingSettings, tz: TimeZone) -> ServiceError {
    let local = |t: DateTime<Utc>| t.with_timezone(&tz.tz()).to_rfc3339();
    match problem {
        SlotProblem::TooSoon { earliest } => ServiceError::invalid(
            "scheduled_time",
            format!(
                "must be at least {} minutes from now (earliest {})",
                settings.min_notice_minutes.get(),
                local(earliest)
            ),
        ),
        SlotProblem::BeyondHorizon { latest } => ServiceError::invalid(
            "scheduled_time",
            format!("must be within {} days (latest {})", settings.horizon_days.get(), local(latest)),
        ),
        SlotProblem::OutsideHours => {
            ServiceError::invalid("scheduled_time", format!("is outside the host's hours ({tz})"))
        }
        SlotProblem::Busy => ServiceError::Conflict {
            field: Some("scheduled_time".into()),
            message: "the host already has a booking or is busy at that time".into(),
        },
        SlotProblem::InBuffer => ServiceError::Conflict {
            field: Some("scheduled_time".into()),
            message: format!(
                "too close to another booking (keeps {} minutes before and {} after each meeting)",
                settings.buffer_before_minutes.get(),
                settings.buffer_after_minutes.get()
            ),
        },
    }
}

/// Checks one start on one calendar.
pub fn check(
    loaded: &Loaded,
    cal: &HostCalendar,
    settings: &Settings,
    rules: &SlotRules,
    now: DateTime<Utc>,
    start: DateTime<Utc>,
) -> Result<(), SlotProblem> {
    check_slot(&loaded.calendar(cal, settings.time_zone), rules, now, start)
}
