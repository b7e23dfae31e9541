//! Booking in the customer's words: offering open times as a short numbered list in the
//! business's zone, reading which one the customer picked ("2", "the second one",
//! "tuesday 10", "10am works"), and reading a time they ask for ("tomorrow morning",
//! "Tuesday at 10am", "Dec 3 at 2:30pm"). Pure: `now` and the zone are passed in.
//!
//! Reading rules, where English leaves a choice:
//! - A bare weekday ("tuesday", "this tuesday", "on tuesday") is the next one strictly
//!   after today: on a Tuesday, "tuesday" is a week away, since today would be "today".
//!   "next tuesday" is the Tuesday of next week (weeks start on Monday): on Monday 2 Dec
//!   it is 10 Dec, on Saturday 7 Dec it is also 10 Dec.
//! - "12/3" is month/day (US order), "2027-03-14" is ISO. A date without a year is its
//!   next occurrence from today on; "the 3rd" is the next 3rd of a month from today on.
//! - An hour without am/pm is read for business hours: 1..=7 is afternoon or evening
//!   ("at 3" is 15:00, "7:30" is 19:30), 8..=11 is morning, 12 is noon; a named part of
//!   the day overrides this ("at 8 in the evening", "tonight at 8" are 20:00). In `pick`
//!   such an hour matches an offered slot at either reading, since the slots are what is
//!   real; when both readings are offered, the 24-hour one wins, as the offer wrote it so.
//! - A bare hour counts only after "at"/"around", next to a day ("tuesday 10",
//!   "10 tomorrow") or with "o'clock", and only when no noun follows ("at 3 locations" is
//!   not a time). Phone numbers, prices, decimals, percentages and years are never times.
//! - A time after "after", "before", "by", "until", "between", or in a range ("10-11am"),
//!   is a bound, not the time asked for, and is ignored.
//! - In `requested_time`, a day, time or part in a clause that says no ("can't do
//!   tuesday, how about wednesday?") is ignored; two different ones ("tuesday or
//!   wednesday") leave that field unset, since the message does not settle it.

mod lex;
mod read;
#[cfg(test)]
mod tests;

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Timelike, Utc,
};

use self::read::{Choice, Clock, DateRef, Reading, read};
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

impl DayPart {
    fn contains(self, t: NaiveTime) -> bool {
        match self {
            DayPart::Morning => t.hour() < 12,
            DayPart::Afternoon => (12..17).contains(&t.hour()),
            DayPart::Evening => t.hour() >= 17,
        }
    }
}

/// What a customer said about when, in the business's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRequest {
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    pub part: Option<DayPart>,
}

impl TimeRequest {
    /// The exact instant asked for, when both a date and a time were given. A local time
    /// the clocks skip (spring forward) is `None`; one they pass twice is the earlier.
    pub fn exact(&self, tz: TimeZone) -> Option<DateTime<Utc>> {
        let local = self.date?.and_time(self.time?);
        match tz.tz().from_local_datetime(&local) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
            LocalResult::None => None,
        }
    }

    /// Whether `at` (UTC) agrees with everything the request names (date, time to the
    /// minute, part) in the zone's local time.
    pub fn matches(&self, at: DateTime<Utc>, tz: TimeZone) -> bool {
        let local = at.with_timezone(&tz.tz()).naive_local();
        let t = local.time();
        self.date.is_none_or(|d| local.date() == d)
            && self.time.is_none_or(|want| (want.hour(), want.minute()) == (t.hour(), t.minute()))
            && self.part.is_none_or(|p| p.contains(t))
    }
}

/// The offer text: "Tue 3 Dec 10:00 or 14:30, or Wed 4 Dec 9:00 — reply 1, 2 or 3".
/// Slots are ascending; each local day is named once, before its first time. No slots
/// give an empty text, since there is nothing to offer.
pub fn offer_text(slots: &[DateTime<Utc>], tz: TimeZone) -> String {
    let zone = tz.tz();
    let mut days: Vec<(NaiveDate, Vec<String>)> = Vec::new();
    for slot in slots {
        let local = slot.with_timezone(&zone);
        let time = local.format("%-H:%M").to_string();
        match days.last_mut() {
            Some((date, times)) if *date == local.date_naive() => times.push(time),
            _ => days.push((local.date_naive(), vec![format!("{} {time}", local.format("%a %-d %b"))])),
        }
    }
    // With a day of several times, ", or" keeps the last day apart from that day's "or".
    let last_join = if days.iter().any(|(_, times)| times.len() > 1) { ", or " } else { " or " };
    let groups: Vec<String> = days.iter().map(|(_, times)| english_list(times, " or ")).collect();
    let reply = match slots.len() {
        0 => return String::new(),
        1 => "reply 1 to book it".to_owned(),
        n => format!("reply {}", english_list(&(1..=n).map(|i| i.to_string()).collect::<Vec<_>>(), " or ")),
    };
    format!("{} — {reply}", english_list(&groups, last_join))
}

/// "a", "a or b", "a, b or c", with `last` before the final item.
fn english_list(items: &[String], last: &str) -> String {
    match items.split_last() {
        None => String::new(),
        Some((only, [])) => only.clone(),
        Some((final_item, rest)) => format!("{}{last}{final_item}", rest.join(", ")),
    }
}

/// One time for a confirmation: "Tuesday 3 December at 10:00 (America/Chicago)".
pub fn describe_time(at: DateTime<Utc>, tz: TimeZone) -> String {
    format!("{} ({})", at.with_timezone(&tz.tz()).format("%A %-d %B at %-H:%M"), tz.name())
}

/// Which of the `offered` slots (index) the reply picks, if it clearly picks one.
///
/// In order: any no ("no", "neither", "none of those", "another time", "can't") picks
/// nothing. A choice by place ("option 2", "#2", "the second one", "2nd", "the last one")
/// picks that option, if whatever day or time the reply also names agrees with it. A day,
/// time or part of the day ("tuesday 10", "14:30", "wednesday", "tomorrow at 10", "the
/// 3rd at 10") picks the one offered slot that fits all of them. A bare number counts only
/// in a short reply (at most four words, the rest filler such as "please" or "works"):
/// 1..=offered.len() is that option, otherwise it is an hour and picks the one slot at
/// that hour ("10" with three options, one at 10:00). With one slot offered, a plain yes
/// ("ok", "sounds good", "that works") picks it.
pub fn pick(text: &str, offered: &[DateTime<Utc>], tz: TimeZone, now: DateTime<Utc>) -> Option<usize> {
    let said = read(text);
    if offered.is_empty() || said.declines {
        return None;
    }
    let zone = tz.tz();
    let today = now.with_timezone(&zone).date_naive();
    let local: Vec<NaiveDateTime> = offered.iter().map(|s| s.with_timezone(&zone).naive_local()).collect();
    let count = offered.len();
    let place = |c: Choice| match c {
        Choice::Nth(n) => (1..=count).contains(&(n as usize)).then(|| n as usize - 1),
        Choice::Last => Some(count - 1),
    };
    let mut choices = said.choices.iter().map(|c| place(*c)).collect::<Option<Vec<usize>>>()?;
    let mut days: Vec<DateRef> = said.dates.iter().map(|d| d.value).collect();
    for o in &said.ordinals {
        if o.as_day || (o.as_choice && o.after_the && place(Choice::Nth(o.n)).is_none()) {
            // "the 3rd" with two options offered can only be a day.
            days.push(DateRef::DayOfMonth(o.n));
        } else if o.as_choice {
            choices.extend(place(Choice::Nth(o.n)));
        }
    }
    let fits = |at: &NaiveDateTime, literal: bool| {
        days.iter().all(|d| day_fits(*d, at.date(), today))
            && said.clocks.iter().all(|c| clock_fits(c.value, at.time(), literal))
            && said.parts.iter().all(|p| p.value.contains(at.time()))
    };
    if let Some(&first) = choices.first() {
        return (choices.iter().all(|c| *c == first) && fits(&local[first], false)).then_some(first);
    }
    if !days.is_empty() || !said.clocks.is_empty() || !said.parts.is_empty() {
        return best(&local, fits);
    }
    bare_pick(&said, &local)
}

/// The one slot that fits; when an hour without am/pm fits two ("7:30" with 7:30 and
/// 19:30 offered), the one the offer itself wrote that way, in 24-hour time.
fn best(local: &[NaiveDateTime], fits: impl Fn(&NaiveDateTime, bool) -> bool) -> Option<usize> {
    let fits = &fits;
    let matching = |literal: bool| local.iter().enumerate().filter(move |(_, at)| fits(at, literal)).map(|(i, _)| i);
    match matching(false).count() {
        0 => None,
        1 => only(matching(false)),
        _ => only(matching(true)),
    }
}

/// A reply of just a number, or just a yes.
fn bare_pick(said: &Reading, local: &[NaiveDateTime]) -> Option<usize> {
    if said.stray > 0 || said.words > 4 {
        return None;
    }
    match said.bare.as_slice() {
        [n] if (1..=local.len()).contains(&(*n as usize)) => Some(*n as usize - 1),
        [n] if (1..=23).contains(n) => {
            let hour = Clock { hour: *n, minute: 0, exact: *n > 12 };
            best(local, |at, literal| clock_fits(hour, at.time(), literal))
        }
        [] if said.affirms && local.len() == 1 => Some(0),
        _ => None,
    }
}

/// The single item, or `None` for none or several.
fn only(mut items: impl Iterator<Item = usize>) -> Option<usize> {
    let first = items.next()?;
    items.next().is_none().then_some(first)
}

fn day_fits(day: DateRef, date: NaiveDate, today: NaiveDate) -> bool {
    match day {
        DateRef::Weekday { day, next_week: false } => date.weekday() == day,
        DateRef::MonthDay { month, day, year } => {
            date.month() == month && date.day() == day && year.is_none_or(|y| date.year() == y)
        }
        DateRef::DayOfMonth(d) => date.day() == d,
        DateRef::InDays(_) | DateRef::Weekday { next_week: true, .. } => resolve(day, today) == Some(date),
    }
}

/// Whether a local time is the clock time written. One without am/pm fits either half of
/// the day, unless `literal` asks for it as a 24-hour time.
fn clock_fits(clock: Clock, t: NaiveTime, literal: bool) -> bool {
    t.minute() == clock.minute
        && if clock.exact || literal { t.hour() == clock.hour } else { t.hour() % 12 == clock.hour % 12 }
}

/// The day and/or time the text asks for, if it names one (see the module notes for how
/// weekdays, bare hours, negation and conflicting mentions are read).
pub fn requested_time(text: &str, tz: TimeZone, now: DateTime<Utc>) -> Option<TimeRequest> {
    let said = read(text);
    let today = now.with_timezone(&tz.tz()).date_naive();
    let part = single(said.parts.iter().filter(|p| !p.negated).map(|p| p.value).collect());
    let time = single(said.clocks.iter().filter(|c| !c.negated).filter_map(|c| clock_time(c.value, part)).collect());
    let request = TimeRequest { date: requested_date(&said, today), time, part };
    (request != TimeRequest::default()).then_some(request)
}

/// The one value, when all mentions agree.
fn single<T: PartialEq + Copy>(mut items: Vec<T>) -> Option<T> {
    let first = *items.first()?;
    items.retain(|i| *i != first);
    items.is_empty().then_some(first)
}

fn requested_date(said: &Reading, today: NaiveDate) -> Option<NaiveDate> {
    let mut named = Vec::new();
    let mut weekdays = Vec::new();
    for d in said.dates.iter().filter(|d| !d.negated) {
        match d.value {
            DateRef::Weekday { day, next_week: false } => weekdays.push(day),
            other => named.push(resolve(other, today)),
        }
    }
    for o in said.ordinals.iter().filter(|o| !o.negated && (o.as_day || (o.as_choice && o.after_the))) {
        named.push(resolve(DateRef::DayOfMonth(o.n), today));
    }
    if named.is_empty() {
        let day = single(weekdays)?;
        return resolve(DateRef::Weekday { day, next_week: false }, today);
    }
    // A weekday beside a date ("Tue 3 Dec") only confirms it.
    single(named).flatten().filter(|date| weekdays.iter().all(|w| date.weekday() == *w))
}

/// The local time a clock means, reading an hour without am/pm by the named part of the
/// day, or else by business hours.
fn clock_time(clock: Clock, part: Option<DayPart>) -> Option<NaiveTime> {
    let hour = if clock.exact {
        clock.hour
    } else {
        match part {
            Some(DayPart::Morning) => clock.hour % 12,
            Some(DayPart::Afternoon | DayPart::Evening) => clock.hour % 12 + 12,
            None if (1..=7).contains(&clock.hour) => clock.hour + 12,
            None => clock.hour,
        }
    };
    NaiveTime::from_hms_opt(hour, clock.minute, 0)
}

/// The date a named day means from `today` (see the module notes).
fn resolve(day: DateRef, today: NaiveDate) -> Option<NaiveDate> {
    let weekday_from_monday = today.weekday().num_days_from_monday();
    match day {
        DateRef::InDays(n) => today.checked_add_days(Days::new(n.into())),
        DateRef::Weekday { day, next_week: false } => {
            let ahead = (7 + day.num_days_from_monday() - weekday_from_monday) % 7;
            today.checked_add_days(Days::new(u64::from(if ahead == 0 { 7 } else { ahead })))
        }
        DateRef::Weekday { day, next_week: true } => {
            let monday = today.checked_sub_days(Days::new(weekday_from_monday.into()))?;
            monday.checked_add_days(Days::new(u64::from(7 + day.num_days_from_monday())))
        }
        DateRef::MonthDay { month, day, year: Some(year) } => NaiveDate::from_ymd_opt(year, month, day),
        // Eight years reach the next 29 February.
        DateRef::MonthDay { month, day, year: None } => (today.year()..=today.year() + 8)
            .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
            .find(|d| *d >= today),
        DateRef::DayOfMonth(d) => {
            let first = today.with_day(1)?;
            (0..12).filter_map(|m| first.checked_add_months(Months::new(m))?.with_day(d)).find(|date| *date >= today)
        }
    }
}
