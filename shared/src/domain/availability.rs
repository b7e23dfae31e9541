//! Open booking slots: business (or host) hours in the business's IANA zone, minus
//! active bookings with their buffers, minus external busy time, within notice and
//! horizon. Pure: the caller passes `now` and everything it loaded.
//!
//! INTERFACE SKELETON: the bodies are filled in by the availability work.

use chrono::{DateTime, Duration, Utc};

use super::{BusinessHours, TimeZone};

/// A half-open span of time `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The rules a slot must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotRules {
    /// Meeting length.
    pub duration: Duration,
    /// Distance between offered start times, counted from each opening span's start.
    pub interval: Duration,
    /// Free time needed before a meeting (and kept before every existing booking).
    pub buffer_before: Duration,
    /// Free time needed after a meeting (and kept after every existing booking).
    pub buffer_after: Duration,
    /// The earliest start is `now + min_notice`.
    pub min_notice: Duration,
    /// The latest start is `now + horizon`.
    pub horizon: Duration,
}

/// One host's calendar as far as availability is concerned.
#[derive(Debug, Clone, Copy)]
pub struct Calendar<'a> {
    pub hours: &'a BusinessHours,
    pub tz: TimeZone,
    /// The host's active bookings (buffers are added around them here).
    pub bookings: &'a [Interval],
    /// Busy time from elsewhere (Google Calendar), blocked as given.
    pub busy: &'a [Interval],
}

/// Why a requested start is not bookable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotProblem {
    /// Earlier than `now + min_notice`.
    TooSoon { earliest: DateTime<Utc> },
    /// Later than `now + horizon`.
    BeyondHorizon { latest: DateTime<Utc> },
    /// The meeting does not fit inside one opening span.
    OutsideHours,
    /// It overlaps a booking or busy time.
    Busy,
    /// It does not overlap anything, but leaves less than the buffers around a booking.
    InBuffer,
}

/// Open start times in `[from, to)`, ascending, on the interval grid of each opening span.
pub fn open_slots(
    _cal: &Calendar<'_>,
    _rules: &SlotRules,
    _now: DateTime<Utc>,
    _from: DateTime<Utc>,
    _to: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    unimplemented!("availability")
}

/// Whether a meeting may start at `start` (any minute, not only the grid).
pub fn check_slot(
    _cal: &Calendar<'_>,
    _rules: &SlotRules,
    _now: DateTime<Utc>,
    _start: DateTime<Utc>,
) -> Result<(), SlotProblem> {
    unimplemented!("availability")
}
