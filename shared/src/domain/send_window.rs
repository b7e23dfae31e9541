//! When a follow-up may go out: the recipient's quiet hours, an optional weekdays-only
//! rule and the sequence's send window, all evaluated in the right zone across DST.
//!
//! US law (the TCPA) forbids marketing texts before 08:00 or from 21:00 on in the
//! recipient's local time, so that rule holds whatever the window says.

use std::fmt;

use chrono::{DateTime, Datelike, Days, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use chrono::{TimeZone as _, Timelike};
use chrono_tz::{GapInfo, Tz};
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{BusinessHours, InvalidValue, TimeZone};

/// The earliest recipient-local time a message may go out.
pub const SEND_FROM: NaiveTime = hm(8, 0);
/// The recipient-local time from which nothing may go out until the next `SEND_FROM`.
pub const SEND_UNTIL: NaiveTime = hm(21, 0);

/// How far past `due` a send time is searched for. Two weeks covers any weekly pattern
/// with a week to spare; finding nothing means the rules can never be met.
const HORIZON_DAYS: u64 = 14;

const BUSINESS_HOURS: &str = "business_hours";

const fn hm(hour: u32, minute: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(hour, minute, 0) {
        Some(t) => t,
        None => panic!("invalid constant time"),
    }
}

/// A daily sending window in the recipient's local time, inside the quiet-hours limits
/// by construction so a stored window can never authorise a 2 a.m. text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalHours {
    start: NaiveTime,
    end: NaiveTime,
}

impl LocalHours {
    /// The whole lawful day (08:00-21:00): the window of a message no sequence narrows.
    pub const fn any_lawful() -> Self {
        Self { start: SEND_FROM, end: SEND_UNTIL }
    }

    /// A window from `start` (inclusive) to `end` (exclusive), both whole minutes within
    /// 08:00-21:00.
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Self, InvalidValue> {
        Self::checked(start, end).map_err(|(field, e)| InvalidValue::new(format!("{field} {e}")))
    }

    /// Parses `"HH:MM"` bounds; the error names the bound at fault (`"start"` or `"end"`)
    /// so callers can point at the exact input field.
    pub fn parse(start: &str, end: &str) -> Result<Self, (&'static str, InvalidValue)> {
        let time = |field: &'static str, raw: &str| {
            NaiveTime::parse_from_str(raw.trim(), "%H:%M")
                .map_err(|_| (field, InvalidValue::new(format!("{raw:?} must be a time like \"09:00\""))))
        };
        Self::checked(time("start", start)?, time("end", end)?)
    }

    fn checked(start: NaiveTime, end: NaiveTime) -> Result<Self, (&'static str, InvalidValue)> {
        for (field, t) in [("start", start), ("end", end)] {
            if t.second() != 0 || t.nanosecond() != 0 {
                return Err((field, InvalidValue::new("must be a whole minute")));
            }
            if !(SEND_FROM..=SEND_UNTIL).contains(&t) {
                return Err((
                    field,
                    InvalidValue::new(
                        "must be within 08:00-21:00, the quiet hours law (no texts before 08:00 or from 21:00 \
                         recipient time)",
                    ),
                ));
            }
        }
        if start >= end {
            return Err(("end", InvalidValue::new("must be later than start")));
        }
        Ok(Self { start, end })
    }

    pub fn start(self) -> NaiveTime {
        self.start
    }

    pub fn end(self) -> NaiveTime {
        self.end
    }
}

impl fmt::Display for LocalHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }
}

/// The JSON shape of `LocalHours`: `{"start": "09:00", "end": "17:00"}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHours {
    start: String,
    end: String,
}

impl RawHours {
    fn validate<E: de::Error>(self) -> Result<LocalHours, E> {
        LocalHours::parse(&self.start, &self.end).map_err(|(field, e)| E::custom(format!("{field}: {e}")))
    }
}

impl Serialize for LocalHours {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RawHours { start: self.start.format("%H:%M").to_string(), end: self.end.format("%H:%M").to_string() }
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for LocalHours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RawHours::deserialize(d)?.validate()
    }
}

/// Which hours a sequence's messages may go out in, on top of the quiet hours.
/// JSON: `"business_hours"` or `{"start": "09:00", "end": "17:00"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SendWindow {
    /// While the business is open, by its hours in the business's own zone, so a reply
    /// to the message finds someone there. The default for a new sequence.
    #[default]
    BusinessHours,
    /// These hours of the recipient's own day.
    Local(LocalHours),
}

impl Serialize for SendWindow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SendWindow::BusinessHours => s.serialize_str(BUSINESS_HOURS),
            SendWindow::Local(hours) => hours.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for SendWindow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SendWindowVisitor)
    }
}

/// Reads either shape directly so a bad value gets one specific message instead of
/// serde's untagged "did not match any variant".
struct SendWindowVisitor;

impl<'de> Visitor<'de> for SendWindowVisitor {
    type Value = SendWindow;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#""business_hours" or {"start": "HH:MM", "end": "HH:MM"}"#)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<SendWindow, E> {
        if v.trim().eq_ignore_ascii_case(BUSINESS_HOURS) {
            Ok(SendWindow::BusinessHours)
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SendWindow, A::Error> {
        let raw = RawHours::deserialize(MapAccessDeserializer::new(map))?;
        raw.validate().map(SendWindow::Local)
    }
}

/// Everything that decides when one recipient may be messaged.
#[derive(Debug, Clone, Copy)]
pub struct SendRules<'a> {
    pub window: &'a SendWindow,
    /// Only Monday to Friday of the recipient's week.
    pub weekdays_only: bool,
    pub recipient_zone: TimeZone,
    pub business_zone: TimeZone,
    pub business_hours: &'a BusinessHours,
}

type Interval = (DateTime<Utc>, DateTime<Utc>);

/// The earliest instant at or after `due` at which every rule holds: recipient-local time
/// in 08:00-21:00, a recipient-local weekday if `weekdays_only`, and inside the window.
/// `due` itself when it already qualifies; `None` when nothing does within two weeks
/// (a business that is never open, or whose hours never meet the recipient's day).
///
/// Works on whole intervals: each recipient day's allowed span is converted to UTC once
/// and, for `BusinessHours`, intersected with the business's opening spans, so the cost
/// is a few conversions per day however fine the clock.
pub fn next_send_time(due: DateTime<Utc>, rules: &SendRules) -> Option<DateTime<Utc>> {
    let horizon = due.checked_add_days(Days::new(HORIZON_DAYS))?;
    let recipient = recipient_intervals(due, rules);
    let first = match rules.window {
        SendWindow::Local(_) => recipient.map(|(start, _)| start).next(),
        SendWindow::BusinessHours => {
            first_overlap(recipient, rules.business_hours.windows_from(due, rules.business_zone))
        }
    };
    first.filter(|t| *t <= horizon)
}

/// The recipient's allowed spans as UTC intervals, day by day from the local day of
/// `due`, clipped to start no earlier than `due`.
fn recipient_intervals<'a>(due: DateTime<Utc>, rules: &'a SendRules) -> impl Iterator<Item = Interval> + 'a {
    let zone = rules.recipient_zone.tz();
    // A local window lies inside the quiet-hours limits by construction.
    let (from, until) = match rules.window {
        SendWindow::Local(hours) => (hours.start, hours.end),
        SendWindow::BusinessHours => (SEND_FROM, SEND_UNTIL),
    };
    let first_day = due.with_timezone(&zone).date_naive();
    (0..=HORIZON_DAYS)
        .filter_map(move |offset| first_day.checked_add_days(Days::new(offset)))
        .filter(move |day| !rules.weekdays_only || !is_weekend(day.weekday()))
        .filter_map(move |day: NaiveDate| {
            let start = wall_to_utc(zone, day.and_time(from))?;
            let end = wall_to_utc(zone, day.and_time(until))?;
            Some((start.max(due), end))
        })
        .filter(|(start, end)| start < end)
}

/// The start of the first non-empty intersection of two ascending runs of disjoint
/// intervals: advance whichever interval ends first, as in a merge.
fn first_overlap(
    mut a: impl Iterator<Item = Interval>,
    mut b: impl Iterator<Item = Interval>,
) -> Option<DateTime<Utc>> {
    let (mut x, mut y) = (a.next()?, b.next()?);
    loop {
        let start = x.0.max(y.0);
        if start < x.1.min(y.1) {
            return Some(start);
        }
        if x.1 <= y.1 {
            x = a.next()?;
        } else {
            y = b.next()?;
        }
    }
}

fn is_weekend(day: Weekday) -> bool {
    matches!(day, Weekday::Sat | Weekday::Sun)
}

/// Local wall time to UTC: the earlier instant of a repeated time (clocks back), the
/// first instant after the gap for a skipped one (clocks forward), read from the zone's
/// transition table rather than probed for. `None` only past the table's ends.
pub(crate) fn wall_to_utc(zone: Tz, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
    let instant = match zone.from_local_datetime(&wall) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(a, b) => a.min(b),
        LocalResult::None => GapInfo::new(&wall, &zone)?.end?,
    };
    Some(instant.with_timezone(&Utc))
}

/// The due time of a sequence step `delay_minutes` after `anchor`.
///
/// A delay of whole days ("2 days later") adds calendar days in `zone`, keeping the wall
/// time: people who were messaged at 09:00 expect the next one at 09:00, not at 08:00 or
/// 10:00 because the clocks changed overnight, and a shifted hour can push a step into
/// quiet hours. A skipped wall time becomes the first instant after the gap and a
/// repeated one its earlier instant. Any other delay ("30 minutes", "4 hours") is elapsed
/// time, since that is what a short wait means.
pub fn step_due(anchor: DateTime<Utc>, delay_minutes: u32, zone: TimeZone) -> DateTime<Utc> {
    let elapsed =
        anchor.checked_add_signed(Duration::minutes(i64::from(delay_minutes))).unwrap_or(DateTime::<Utc>::MAX_UTC);
    if delay_minutes == 0 || !delay_minutes.is_multiple_of(24 * 60) {
        return elapsed;
    }
    let days = Days::new(u64::from(delay_minutes / (24 * 60)));
    let zone = zone.tz();
    anchor
        .with_timezone(&zone)
        .naive_local()
        .checked_add_days(days)
        .and_then(|wall| wall_to_utc(zone, wall))
        .unwrap_or(elapsed)
}

#[cfg(test)]
mod tests;
