//! Booking in the customer's words: offering open times as a short numbered list in the
//! business's zone, reading which one the customer picked ("2", "the second one",
//! "tuesday 10", "10am works"), and reading a time they ask for ("tomorrow morning",
//! "Tuesday at 10am", "Dec 3 at 2:30pm"). Pure: `now` and the zone are passed in.
//!
//! INTERFACE SKELETON: the bodies are filled in by the conversation-booking work.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::TimeZone;

/// A part of the day a customer can name instead of a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayPart {
    /// Before 12:00.
    Morning,
    /// 12:00 to 17:00.
    Afternoon,
    /// From 17:00.
    Evening,
}

/// What a customer said about when, in the business's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRequest {
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    pub part: Option<DayPart>,
}

impl TimeRequest {
    /// The exact instant asked for, when both a date and a time were given.
    pub fn exact(&self, _tz: TimeZone) -> Option<DateTime<Utc>> {
        unimplemented!("slot talk")
    }

    /// Whether `at` (UTC) agrees with everything the request names (date, time, part).
    pub fn matches(&self, _at: DateTime<Utc>, _tz: TimeZone) -> bool {
        unimplemented!("slot talk")
    }
}

/// The offer text: "Tue 3 Dec 10:00 or 14:30, or Wed 4 Dec 9:00 — reply 1, 2 or 3".
pub fn offer_text(_slots: &[DateTime<Utc>], _tz: TimeZone) -> String {
    unimplemented!("slot talk")
}

/// One time for a confirmation: "Tuesday 3 December at 10:00 (America/Chicago)".
pub fn describe_time(_at: DateTime<Utc>, _tz: TimeZone) -> String {
    unimplemented!("slot talk")
}

/// Which of the `offered` slots (index) the reply picks, if it clearly picks one.
pub fn pick(_text: &str, _offered: &[DateTime<Utc>], _tz: TimeZone, _now: DateTime<Utc>) -> Option<usize> {
    unimplemented!("slot talk")
}

/// The day and/or time the text asks for, if it names one.
pub fn requested_time(_text: &str, _tz: TimeZone, _now: DateTime<Utc>) -> Option<TimeRequest> {
    unimplemented!("slot talk")
}
