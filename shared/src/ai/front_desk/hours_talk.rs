//! Opening hours as a front desk says them: "8am-6pm", "Mon-Thu 8am-6pm, Sat 9am-12pm;
//! closed Sun", "we open again tomorrow at 8am", computed in the business's time zone.

use chrono::{DateTime, Datelike, Duration, TimeZone as _, Utc, Weekday};

use crate::domain::hours::Span;
use crate::domain::{BusinessHours, TimeZone};

const WEEK: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

pub(super) fn day_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn short_day(d: Weekday) -> &'static str {
    &day_name(d)[..3]
}

/// 480 -> "8am", 570 -> "9:30am", 720 -> "12pm", 1440 -> "midnight".
pub(super) fn clock(minutes: u16) -> String {
    if minutes == 0 || minutes >= 24 * 60 {
        return "midnight".into();
    }
    let (h, m) = (minutes / 60, minutes % 60);
    let suffix = if h < 12 { "am" } else { "pm" };
    let h12 = match h % 12 {
        0 => 12,
        h => h,
    };
    if m == 0 { format!("{h12}{suffix}") } else { format!("{h12}:{m:02}{suffix}") }
}

/// "8am-12pm and 1pm-5pm" ("24 hours" for a whole day), or `None` when closed.
pub(super) fn spans(spans: &[Span]) -> Option<String> {
    let parts: Vec<String> = spans
        .iter()
        .map(|s| {
            if s.open == 0 && s.close >= 24 * 60 {
                "24 hours".to_owned()
            } else {
                format!("{}-{}", clock(s.open), clock(s.close))
            }
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" and "))
}

/// The week, consecutive days with the same hours together.
pub(super) fn week(hours: &BusinessHours) -> String {
    let mut open = Vec::new();
    let mut closed = Vec::new();
    let mut i = 0;
    while i < WEEK.len() {
        let mut j = i;
        while j + 1 < WEEK.len() && hours.spans(WEEK[j + 1]) == hours.spans(WEEK[i]) {
            j += 1;
        }
        let days = if i == j {
            short_day(WEEK[i]).to_owned()
        } else {
            format!("{}-{}", short_day(WEEK[i]), short_day(WEEK[j]))
        };
        match spans(hours.spans(WEEK[i])) {
            Some(s) => open.push(format!("{days} {s}")),
            None => closed.push(days),
        }
        i = j + 1;
    }
    match (open.is_empty(), closed.is_empty()) {
        (true, _) => "we have no set opening hours".into(),
        (false, true) => open.join(", "),
        (false, false) => format!("{}; closed {}", open.join(", "), closed.join(" and ")),
    }
}

/// When the business next opens after `now`: "today at 1pm", "tomorrow at 8am",
/// "Monday at 8am".
pub(in crate::ai) fn next_opening(hours: &BusinessHours, tz: TimeZone, now: DateTime<Utc>) -> Option<String> {
    let start = hours.next_open(now, tz)?;
    let local = start.with_timezone(&tz.tz());
    let today = now.with_timezone(&tz.tz()).date_naive();
    let date = local.date_naive();
    let minutes = u16::try_from(local.time().signed_duration_since(chrono::NaiveTime::MIN).num_minutes()).ok()?;
    let day = if date == today {
        "today".to_owned()
    } else if date == today + Duration::days(1) {
        "tomorrow".to_owned()
    } else {
        day_name(local.weekday()).to_owned()
    };
    Some(format!("{day} at {}", clock(minutes)))
}

/// When the business next opens after the local day `ahead` days from today ends:
/// asked about a closed tomorrow, the answer is the opening after it.
pub(super) fn next_opening_after_day(
    hours: &BusinessHours,
    tz: TimeZone,
    now: DateTime<Utc>,
    ahead: i64,
) -> Option<String> {
    let day_after = now.with_timezone(&tz.tz()).date_naive() + Duration::days(ahead + 1);
    let midnight = day_after.and_time(chrono::NaiveTime::MIN);
    // The first instant of that local day, even when it starts with a DST gap.
    let from = (0..3)
        .find_map(|h| tz.tz().from_local_datetime(&(midnight + Duration::hours(h))).earliest())
        .map(|t| t.with_timezone(&Utc))?;
    let start = hours.next_open(from, tz)?;
    let opening = start.with_timezone(&tz.tz());
    let minutes = u16::try_from(opening.time().signed_duration_since(chrono::NaiveTime::MIN).num_minutes()).ok()?;
    let label = match (opening.date_naive() - now.with_timezone(&tz.tz()).date_naive()).num_days() {
        1 => "tomorrow".to_owned(),
        _ => day_name(opening.weekday()).to_owned(),
    };
    Some(format!("{label} at {}", clock(minutes)))
}

/// The local closing time of the span open at `now`, if one is.
pub(super) fn open_until(hours: &BusinessHours, tz: TimeZone, now: DateTime<Utc>) -> Option<u16> {
    let local = now.with_timezone(&tz.tz());
    let m = u16::try_from(local.time().signed_duration_since(chrono::NaiveTime::MIN).num_minutes()).ok()?;
    hours.spans(local.weekday()).iter().find(|s| s.open <= m && m < s.close).map(|s| s.close)
}

pub(super) fn local_weekday(tz: TimeZone, now: DateTime<Utc>) -> Weekday {
    now.with_timezone(&tz.tz()).weekday()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone as _;

    use super::*;

    fn austin() -> BusinessHours {
        let mut m = BTreeMap::new();
        for d in ["mon", "tue", "wed", "thu"] {
            m.insert(d.to_owned(), vec!["08:00-18:00".to_owned()]);
        }
        m.insert("fri".into(), vec!["08:00-17:00".into()]);
        m.insert("sat".into(), vec!["09:00-12:00".into()]);
        BusinessHours::from_map(&m).unwrap()
    }

    #[test]
    fn the_week_reads_like_a_sign_on_the_door() {
        assert_eq!(week(&austin()), "Mon-Thu 8am-6pm, Fri 8am-5pm, Sat 9am-12pm; closed Sun");
        assert_eq!(clock(570), "9:30am");
        assert_eq!(clock(12 * 60 + 30), "12:30pm");
    }

    #[test]
    fn next_opening_is_said_relative_to_today_in_the_business_zone() {
        let tz = TimeZone::parse("America/Chicago").unwrap();
        // Saturday 2026-12-05 14:00 Chicago (20:00 UTC): closed until Monday.
        let sat = Utc.with_ymd_and_hms(2026, 12, 5, 20, 0, 0).unwrap();
        assert_eq!(next_opening(&austin(), tz, sat).as_deref(), Some("Monday at 8am"));
        // Thursday 02:00 Chicago: opens today.
        let thu = Utc.with_ymd_and_hms(2026, 12, 3, 8, 0, 0).unwrap();
        assert_eq!(next_opening(&austin(), tz, thu).as_deref(), Some("today at 8am"));
        // Thursday 19:00 Chicago: opens tomorrow.
        let eve = Utc.with_ymd_and_hms(2026, 12, 4, 1, 0, 0).unwrap();
        assert_eq!(next_opening(&austin(), tz, eve).as_deref(), Some("tomorrow at 8am"));
        assert_eq!(open_until(&austin(), tz, Utc.with_ymd_and_hms(2026, 12, 3, 16, 0, 0).unwrap()), Some(18 * 60));
    }
}
