//! Business days: the days of the business's IANA zone, which are 23 or 25 hours long
//! when the clocks change, and the report ranges made of them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};

use crate::domain::send_window::wall_to_utc;
use crate::domain::{FieldError, TimeZone};

/// The longest report range, on the business calendar.
pub const MAX_RANGE_DAYS: i64 = 366;
/// The range reported when none is asked for: this many days ending now.
pub const DEFAULT_RANGE_DAYS: u64 = 7;

/// The instant a business day starts: its local midnight, or the first instant after
/// the gap where the clocks skip midnight (some zones change at 00:00).
pub fn day_start(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    wall_to_utc(zone, date.and_time(NaiveTime::MIN))
        // Only past the zone table's ends; the table's last offset holds from then on.
        .unwrap_or_else(|| date.and_time(NaiveTime::MIN).and_utc())
}

/// The business day holding `instant`.
pub fn day_of(zone: Tz, instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&zone).date_naive()
}

/// A business day's start and end (the next day's start).
pub fn day_bounds(zone: Tz, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = date.checked_add_days(Days::new(1)).unwrap_or(date);
    (day_start(zone, date), day_start(zone, next))
}

/// The business days that overlap `[from, to)`, in order.
pub fn days_between(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<NaiveDate> {
    if to <= from {
        return Vec::new();
    }
    // The last instant inside the range decides the last day: `to` itself is excluded.
    let last = day_of(zone, to - Duration::milliseconds(1));
    day_of(zone, from).iter_days().take_while(|d| *d <= last).collect()
}

/// The business week (Monday to Sunday) holding `now`: its start and end.
pub fn week_of(zone: Tz, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let today = day_of(zone, now);
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    (day_start(zone, monday), day_start(zone, monday + Days::new(7)))
}

/// The years a report may name: nothing Leadflow stores is older, and chrono's day
/// arithmetic stays far from its limits.
const MIN_YEAR: i32 = 1970;
const MAX_YEAR: i32 = 9999;

/// One end of a report range as asked: an instant, or a business date (`from`: its
/// start; `to`: inclusive, so its end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    At(DateTime<Utc>),
    Date(NaiveDate),
}

impl FromStr for Bound {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        let bound = if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Bound::Date(date)
        } else {
            DateTime::parse_from_rfc3339(raw)
                .map(|t| Bound::At(t.with_timezone(&Utc)))
                .map_err(|_| "must be an RFC 3339 time (2026-12-01T09:00:00Z) or a date (2026-12-01)".to_owned())?
        };
        // `%Y` takes any signed year; the range's day arithmetic (and Postgres) does not.
        let year = match bound {
            Bound::Date(d) => d.year(),
            Bound::At(t) => t.year(),
        };
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(format!("must fall in the years {MIN_YEAR} to {MAX_YEAR}"));
        }
        Ok(bound)
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::At(t) => write!(f, "{}", t.to_rfc3339()),
            Bound::Date(d) => write!(f, "{d}"),
        }
    }
}

impl<'de> Deserialize<'de> for Bound {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// A report range `[from, to)`, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Range {
    /// Resolves what was asked in the business zone. Unset `to` is now; unset `from` is
    /// the start of the seventh business day back (the day holding `to` counting). The length is measured on the local calendar, so a year
    /// that holds one clock change is not an hour too long.
    pub fn resolve(
        zone: TimeZone,
        from: Option<Bound>,
        to: Option<Bound>,
        now: DateTime<Utc>,
    ) -> Result<Range, FieldError> {
        let tz = zone.tz();
        let to = match to {
            None => now,
            Some(Bound::At(t)) => t,
            Some(Bound::Date(d)) => day_bounds(tz, d).1,
        };
        let from = match from {
            // Whole business days, so the first daily row is not a sliver of a day.
            None => {
                let last = day_of(tz, to - Duration::milliseconds(1));
                day_start(tz, last - Days::new(DEFAULT_RANGE_DAYS - 1))
            }
            Some(Bound::At(t)) => t,
            Some(Bound::Date(d)) => day_start(tz, d),
        };
        if from >= to {
            return Err(FieldError::new("from", "from must be before to"));
        }
        let local = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
        if local(to) - local(from) > Duration::days(MAX_RANGE_DAYS) {
            return Err(FieldError::new("to", format!("to must be at most {MAX_RANGE_DAYS} days after from")));
        }
        Ok(Range { from, to })
    }

    pub fn days(&self, zone: Tz) -> Vec<NaiveDate> {
        days_between(zone, self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    const NY: Tz = chrono_tz::America::New_York;

    #[test]
    fn bounds_outside_the_years_reports_cover_are_refused_not_computed() {
        for raw in ["-262143-01-01", "+200000-01-01", "1969-12-31", "10000-01-01", "0001-01-01T00:00:00Z"] {
            assert!(raw.parse::<Bound>().is_err(), "{raw}");
        }
        assert_eq!("1970-01-01".parse::<Bound>(), Ok(Bound::Date(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())));
        assert!("9999-12-31T23:59:59Z".parse::<Bound>().is_ok());
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn dst_days_in_new_york_are_23_and_25_hours() {
        let (start, end) = day_bounds(NY, date(2026, 3, 8));
        assert_eq!((start, end - start), (utc(2026, 3, 8, 5, 0), Duration::hours(23)));
        let (start, end) = day_bounds(NY, date(2026, 11, 1));
        assert_eq!((start, end - start), (utc(2026, 11, 1, 4, 0), Duration::hours(25)));
        let (_, end) = day_bounds(NY, date(2026, 11, 2));
        assert_eq!(end - day_start(NY, date(2026, 11, 2)), Duration::hours(24));
    }

    #[test]
    fn instants_fall_on_the_local_day() {
        // 01:30 EDT and the repeated 01:30 EST are both on November 1st.
        assert_eq!(day_of(NY, utc(2026, 11, 1, 5, 30)), date(2026, 11, 1));
        assert_eq!(day_of(NY, utc(2026, 11, 1, 6, 30)), date(2026, 11, 1));
        // 23:59 EST on the 1st is 04:59 UTC on the 2nd.
        assert_eq!(day_of(NY, utc(2026, 11, 2, 4, 59)), date(2026, 11, 1));
        assert_eq!(day_of(NY, utc(2026, 11, 2, 5, 0)), date(2026, 11, 2));
    }

    #[test]
    fn a_zone_that_skips_midnight_starts_the_day_after_the_gap() {
        // Chile moved its clocks forward at 00:00 on 2026-09-06.
        let santiago = chrono_tz::America::Santiago;
        let start = day_start(santiago, date(2026, 9, 6));
        assert_eq!(start.with_timezone(&santiago).naive_local().time(), NaiveTime::from_hms_opt(1, 0, 0).unwrap());
        assert_eq!(day_of(santiago, start), date(2026, 9, 6));
    }

    #[test]
    fn days_between_excludes_the_end_instant() {
        let days = days_between(NY, day_start(NY, date(2026, 3, 7)), day_start(NY, date(2026, 3, 9)));
        assert_eq!(days, vec![date(2026, 3, 7), date(2026, 3, 8)]);
        let days = days_between(NY, utc(2026, 3, 7, 12, 0), utc(2026, 3, 9, 12, 0));
        assert_eq!(days, vec![date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)]);
        assert!(days_between(NY, utc(2026, 3, 9, 12, 0), utc(2026, 3, 9, 12, 0)).is_empty());
    }

    #[test]
    fn the_week_runs_monday_to_sunday_in_the_zone() {
        // Sunday 2026-12-06 23:30 in New York is Monday in UTC: still the week of the 30th.
        let (start, end) = week_of(NY, utc(2026, 12, 7, 4, 30));
        assert_eq!(start, day_start(NY, date(2026, 11, 30)));
        assert_eq!(end, day_start(NY, date(2026, 12, 7)));
    }

    #[test]
    fn dates_mean_local_midnights_and_to_is_inclusive() {
        let zone = TimeZone::parse("America/New_York").unwrap();
        let now = utc(2026, 12, 3, 18, 0);
        let r = Range::resolve(zone, Some(Bound::Date(date(2026, 3, 8))), Some(Bound::Date(date(2026, 3, 8))), now)
            .unwrap();
        assert_eq!((r.from, r.to), (utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 4, 0)));
        assert_eq!(r.days(zone.tz()), vec![date(2026, 3, 8)]);
    }

    #[test]
    fn the_default_is_the_last_seven_days() {
        let now = utc(2026, 12, 3, 18, 0);
        let r = Range::resolve(TimeZone::UTC, None, None, now).unwrap();
        assert_eq!((r.from, r.to), (utc(2026, 11, 27, 0, 0), now));
        assert_eq!(r.days(chrono_tz::UTC).len(), 7);
        let to = utc(2026, 6, 1, 0, 0);
        let r = Range::resolve(TimeZone::UTC, None, Some(Bound::At(to)), now).unwrap();
        assert_eq!(r.from, utc(2026, 5, 25, 0, 0));
    }

    #[test]
    fn backwards_empty_and_long_ranges_name_the_field() {
        let now = utc(2026, 12, 3, 18, 0);
        let at = |t| Some(Bound::At(t));
        let e = Range::resolve(TimeZone::UTC, at(now), at(now), now).unwrap_err();
        assert_eq!(e.field, "from");
        let e = Range::resolve(TimeZone::UTC, at(now), None, now).unwrap_err();
        assert_eq!(e.field, "from");
        let e = Range::resolve(
            TimeZone::UTC,
            Some(Bound::Date(date(2025, 1, 1))),
            Some(Bound::Date(date(2026, 1, 2))),
            now,
        )
        .unwrap_err();
        assert_eq!(e.field, "to");
        // 2027-03-15 to 2028-03-14 inclusive: 366 local days, with one fall-back hour.
        let zone = TimeZone::parse("America/New_York").unwrap();
        let r = Range::resolve(zone, Some(Bound::Date(date(2027, 3, 15))), Some(Bound::Date(date(2028, 3, 14))), now);
        assert_eq!(r.unwrap().days(zone.tz()).len(), 366);
    }

    #[test]
    fn bounds_parse_dates_and_rfc3339_only() {
        assert_eq!("2026-12-01".parse::<Bound>(), Ok(Bound::Date(date(2026, 12, 1))));
        assert_eq!("2026-12-01T09:00:00-05:00".parse::<Bound>(), Ok(Bound::At(utc(2026, 12, 1, 14, 0))));
        for bad in ["", "yesterday", "2026-13-01", "2026-12-01 09:00", "1764590400"] {
            assert!(bad.parse::<Bound>().is_err(), "{bad}");
        }
    }
}
