//! Weekly business hours in the business's local time, and the arithmetic on them
//! (open now?, next opening, adding working time) done across DST changes.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Timelike, Utc,
    Weekday,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{InvalidValue, TimeZone};

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "mon"),
    (Weekday::Tue, "tue"),
    (Weekday::Wed, "wed"),
    (Weekday::Thu, "thu"),
    (Weekday::Fri, "fri"),
    (Weekday::Sat, "sat"),
    (Weekday::Sun, "sun"),
];

const DAY_MINUTES: u16 = 24 * 60;

/// One opening span of a day in minutes after local midnight, `open < close <= 24:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub open: u16,
    pub close: u16,
}

impl Span {
    fn contains(&self, t: NaiveTime) -> bool {
        let m = (t.hour() * 60 + t.minute()) as u16;
        self.open <= m && m < self.close
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}-{:02}:{:02}", self.open / 60, self.open % 60, self.close / 60, self.close % 60)
    }
}

/// The local wall time `minutes` after the start of `date` (1440 is the next midnight).
fn local_at(date: NaiveDate, minutes: u16) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minutes))
}

/// Opening spans per weekday, sorted and non-overlapping. JSON:
/// `{"mon": ["09:00-17:00"], "sat": ["10:00-12:00", "13:00-15:00"]}`; a missing day is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    days: [Vec<Span>; 7],
}

impl Default for BusinessHours {
    /// Monday to Friday, 09:00 to 17:00.
    fn default() -> Self {
        let span = Span { open: 9 * 60, close: 17 * 60 };
        let mut days: [Vec<Span>; 7] = Default::default();
        for d in days.iter_mut().take(5) {
            d.push(span);
        }
        Self { days }
    }
}

fn parse_span(raw: &str) -> Result<Span, InvalidValue> {
    let bad = || InvalidValue::new(format!("{raw:?} must be a span like \"09:00-17:00\""));
    let minutes = |t: &str| -> Result<u16, InvalidValue> {
        if t.trim() == "24:00" {
            return Ok(DAY_MINUTES);
        }
        let t = NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad())?;
        Ok((t.hour() * 60 + t.minute()) as u16)
    };
    let (a, b) = raw.split_once('-').ok_or_else(bad)?;
    let (open, close) = (minutes(a)?, minutes(b)?);
    if open >= close {
        return Err(InvalidValue::new(format!("{raw:?} must open before it closes")));
    }
    Ok(Span { open, close })
}

impl BusinessHours {
    /// Builds hours from `(day, ["HH:MM-HH:MM", ...])` pairs, day as `mon`..`sun`.
    pub fn from_map(map: &BTreeMap<String, Vec<String>>) -> Result<Self, InvalidValue> {
        let mut days: [Vec<Span>; 7] = Default::default();
        for (key, spans) in map {
            let idx = DAYS
                .iter()
                .position(|(_, name)| *name == key.to_ascii_lowercase())
                .ok_or_else(|| InvalidValue::new(format!("{key:?} is not a day (mon..sun)")))?;
            let mut parsed = spans.iter().map(|s| parse_span(s)).collect::<Result<Vec<_>, _>>()?;
            parsed.sort_by_key(|s| s.open);
            if parsed.windows(2).any(|w| w[0].close > w[1].open) {
                return Err(InvalidValue::new(format!("{key}: spans overlap")));
            }
            days[idx] = parsed;
        }
        Ok(Self { days })
    }

    pub fn spans(&self, day: Weekday) -> &[Span] {
        &self.days[day.num_days_from_monday() as usize]
    }

    pub fn is_always_closed(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }

    /// Whether the business is open at `at` in zone `tz`.
    pub fn is_open(&self, at: DateTime<Utc>, tz: TimeZone) -> bool {
        let local = at.with_timezone(&tz.tz()).naive_local();
        self.spans(local.weekday()).iter().any(|s| s.contains(local.time()))
    }

    /// The start of the next opening at or after `from` (itself if open), within two weeks.
    pub fn next_open(&self, from: DateTime<Utc>, tz: TimeZone) -> Option<DateTime<Utc>> {
        self.windows_from(from, tz).next().map(|(start, _)| start)
    }

    /// Adds `work` of open time to `start`, skipping closed hours: a 4-hour SLA that starts
    /// Friday 15:00 on 09:00-17:00 weekdays ends Monday 11:00. Closed all week: plain time.
    pub fn add_open_time(&self, start: DateTime<Utc>, tz: TimeZone, work: Duration) -> DateTime<Utc> {
        if self.is_always_closed() || work <= Duration::zero() {
            return start + work.max(Duration::zero());
        }
        let mut left = work;
        let mut cursor = start;
        loop {
            let Some((open, close)) = self.windows_from(cursor, tz).next() else {
                return cursor + left;
            };
            let available = close - open;
            if left <= available {
                return open + left;
            }
            left -= available;
            cursor = close;
        }
    }

    /// Open windows (UTC start, UTC end) from `from` onward, clipped to begin at `from`.
    pub(crate) fn windows_from(
        &self,
        from: DateTime<Utc>,
        tz: TimeZone,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let zone = tz.tz();
        let first_day = from.with_timezone(&zone).date_naive();
        (0..15i64)
            .filter_map(move |offset| first_day.checked_add_signed(Duration::days(offset)))
            .flat_map(move |date: NaiveDate| {
                self.spans(date.weekday()).iter().map(move |span| {
                    (to_utc(zone, local_at(date, span.open)), to_utc(zone, local_at(date, span.close)))
                })
            })
            .filter(move |(_, end)| *end > from)
            .map(move |(start, end)| (start.max(from), end))
            .filter(|(start, end)| start < end)
    }
}

/// Local wall time to UTC: the earlier instant when ambiguous (clocks back), the first
/// instant after the gap when it does not exist (clocks forward).
fn to_utc(zone: chrono_tz::Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            let mut probe = local;
            for _ in 0..180 {
                probe += Duration::minutes(1);
                if let Some(t) = zone.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&local)
        }
    }
}

impl Serialize for BusinessHours {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let map: BTreeMap<&str, Vec<String>> = DAYS
            .iter()
            .filter(|(day, _)| !self.spans(*day).is_empty())
            .map(|(day, name)| (*name, self.spans(*day).iter().map(Span::to_string).collect()))
            .collect();
        map.serialize(s)
    }
}

impl<'de> Deserialize<'de> for BusinessHours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, Vec<String>>::deserialize(d)?;
        BusinessHours::from_map(&map).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn ny() -> TimeZone {
        TimeZone::parse("America/New_York").unwrap()
    }

    #[test]
    fn json_round_trip_and_validation() {
        let h: BusinessHours =
            serde_json::from_str(r#"{"mon": ["13:00-17:00", "09:00-12:00"], "sat": ["10:00-14:00"]}"#).unwrap();
        assert_eq!(h.spans(Weekday::Mon).len(), 2);
        assert_eq!(h.spans(Weekday::Mon)[0].to_string(), "09:00-12:00");
        let back = serde_json::to_value(&h).unwrap();
        assert_eq!(back["mon"][1], "13:00-17:00");
        assert!(back.get("tue").is_none());
        for bad in [
            r#"{"funday": ["09:00-17:00"]}"#,
            r#"{"mon": ["17:00-09:00"]}"#,
            r#"{"mon": ["9-5"]}"#,
            r#"{"mon": ["09:00-12:00", "11:00-13:00"]}"#,
        ] {
            assert!(serde_json::from_str::<BusinessHours>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn open_checks_use_local_time() {
        let h = BusinessHours::default();
        // 13:30 UTC on a Wednesday in January is 08:30 in New York: closed.
        assert!(!h.is_open(utc("2026-01-14T13:30:00Z"), ny()));
        assert!(h.is_open(utc("2026-01-14T14:30:00Z"), ny()));
        // Saturday is closed.
        assert!(!h.is_open(utc("2026-01-17T15:00:00Z"), ny()));
    }

    #[test]
    fn next_open_skips_the_weekend() {
        let h = BusinessHours::default();
        // Friday 18:00 New York -> Monday 09:00 New York (14:00 UTC in winter).
        let next = h.next_open(utc("2026-01-16T23:00:00Z"), ny()).unwrap();
        assert_eq!(next, utc("2026-01-19T14:00:00Z"));
    }

    #[test]
    fn open_time_carries_over_closed_hours() {
        let h = BusinessHours::default();
        // Friday 15:00 NY + 4h of open time = Monday 11:00 NY.
        let due = h.add_open_time(utc("2026-01-16T20:00:00Z"), ny(), Duration::hours(4));
        assert_eq!(due, utc("2026-01-19T16:00:00Z"));
    }

    #[test]
    fn open_time_across_spring_forward() {
        // 24/7 hours: wall-clock days, DST change on 2026-03-08 in New York.
        let all: BTreeMap<String, Vec<String>> =
            DAYS.iter().map(|(_, d)| (d.to_string(), vec!["00:00-24:00".to_string()])).collect();
        let h = BusinessHours::from_map(&all).unwrap();
        let start = utc("2026-03-07T12:00:00Z");
        let due = h.add_open_time(start, ny(), Duration::hours(30));
        // Open time is real elapsed time, even though the wall clock jumps an hour.
        assert_eq!(due - start, Duration::hours(30));
    }

    #[test]
    fn business_day_after_fall_back_keeps_local_nine() {
        let h = BusinessHours::default();
        // Saturday 2026-10-31 -> Monday 2026-11-02 09:00 EST (UTC-5) after the Nov 1 change.
        let next = h.next_open(utc("2026-10-31T12:00:00Z"), ny()).unwrap();
        assert_eq!(next, utc("2026-11-02T14:00:00Z"));
    }

    #[test]
    fn always_closed_counts_plain_time() {
        let h = BusinessHours::from_map(&BTreeMap::new()).unwrap();
        let start = utc("2026-01-16T20:00:00Z");
        assert_eq!(h.add_open_time(start, ny(), Duration::hours(2)), start + Duration::hours(2));
        assert!(h.next_open(start, ny()).is_none());
    }
}
