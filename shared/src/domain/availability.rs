//! Open booking slots: business (or host) hours in the business's IANA zone, minus
//! active bookings with their buffers, minus external busy time, within notice and
//! horizon. Pure: the caller passes `now` and everything it loaded.
//!
//! Slot starts sit on a grid in local wall time (`open`, `open + interval`, ...) while
//! lengths are real elapsed time, so a meeting never runs past a span's end on a day the
//! clocks change. A grid time the clocks skip is not offered; one they pass twice is
//! offered at each instant whose meeting fits in that span in real time (a 24-hour span
//! has 25 real hours on the day the clocks go back, and each of them can be booked).

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Utc};
use chrono_tz::{GapInfo, Tz};

use super::hours::Span;
use super::{BusinessHours, TimeZone};

/// A half-open span of time `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    /// Whether the two share an instant; back-to-back intervals do not.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
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
/// A non-positive interval has no grid and offers nothing.
pub fn open_slots(
    cal: &Calendar<'_>,
    rules: &SlotRules,
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let host = Host::new(cal, rules, now);
    let lo = from.max(host.earliest);
    let hi = host.latest;
    if rules.interval <= Duration::zero() || lo >= to || lo > hi {
        return Vec::new();
    }
    // A grid start lies on the local date of its span, but local dates are not monotonic
    // where the clocks go back over midnight: one spare day on each side covers that.
    let first = local_date(host.zone, lo).pred_opt().unwrap_or(NaiveDate::MIN);
    let last = local_date(host.zone, hi.min(to)).succ_opt().unwrap_or(NaiveDate::MAX);
    let mut meetings = Vec::new();
    for date in first.iter_days().take_while(|d| *d <= last) {
        for span in cal.hours.spans(date.weekday()) {
            let Some((open, close)) = span_bounds(host.zone, date, *span) else { continue };
            if close <= lo || open > hi || open >= to {
                continue;
            }
            host.grid(date, *span, rules.interval, |meeting| {
                let start = meeting.start;
                if open <= start && meeting.end <= close && lo <= start && start <= hi && start < to {
                    meetings.push(meeting);
                }
            });
        }
    }
    // Grid order is wall-clock order; where the clocks go back, the second pass of the
    // repeated hour comes earlier in wall time than in real time. No instant comes twice:
    // it has one wall time, which lies in at most one span.
    if !meetings.is_sorted_by_key(|m| m.start) {
        meetings.sort_unstable_by_key(|m| m.start);
    }
    // Sorted and merged once, so that each candidate costs amortised constant time.
    let bookings = sorted(cal.bookings);
    let mut all = bookings.clone();
    all.extend(sorted(cal.busy));
    // Two sorted runs: the stable sort merges them in linear time.
    all.sort_by_key(|i| i.start);
    let taken = coalesced(all);
    // Widening every booking by the same amount keeps them sorted.
    let buffered = coalesced(bookings.iter().map(|b| host.widened(b)));
    let (mut taken, mut buffered) = (Sweep::new(&taken), Sweep::new(&buffered));
    meetings.into_iter().filter(|m| !taken.hits(*m) && !buffered.hits(*m)).map(|m| m.start).collect()
}

/// Whether a meeting may start at `start` (any minute, not only the grid).
pub fn check_slot(
    cal: &Calendar<'_>,
    rules: &SlotRules,
    now: DateTime<Utc>,
    start: DateTime<Utc>,
) -> Result<(), SlotProblem> {
    let host = Host::new(cal, rules, now);
    if start < host.earliest {
        return Err(SlotProblem::TooSoon { earliest: host.earliest });
    }
    if start > host.latest {
        return Err(SlotProblem::BeyondHorizon { latest: host.latest });
    }
    let meeting = host.meeting(start);
    if !host.within_hours(meeting) {
        return Err(SlotProblem::OutsideHours);
    }
    // One start: a single pass costs less than sorting. Overlapping is the worse problem,
    // so it is the one reported.
    let bookings = || cal.bookings.iter().filter(|b| b.start < b.end);
    if bookings().chain(cal.busy).any(|b| b.overlaps(&meeting)) {
        Err(SlotProblem::Busy)
    } else if bookings().any(|b| host.widened(b).overlaps(&meeting)) {
        Err(SlotProblem::InBuffer)
    } else {
        Ok(())
    }
}

/// One call's view of a calendar and the rules.
struct Host<'a> {
    hours: &'a BusinessHours,
    zone: Tz,
    duration: Duration,
    earliest: DateTime<Utc>,
    latest: DateTime<Utc>,
    /// `buffer_before + buffer_after`. Two meetings' buffered spans `[s - before, e + after)`
    /// stay apart exactly when each keeps this much distance from the other, so a booking
    /// widened by it on both sides can be tested against the bare meeting.
    gap: Duration,
}

impl<'a> Host<'a> {
    fn new(cal: &Calendar<'a>, rules: &SlotRules, now: DateTime<Utc>) -> Self {
        // A negative buffer would let bookings overlap; it means no buffer.
        let gap = rules
            .buffer_before
            .max(Duration::zero())
            .checked_add(&rules.buffer_after.max(Duration::zero()))
            .unwrap_or(Duration::MAX);
        Self {
            hours: cal.hours,
            zone: cal.tz.tz(),
            duration: rules.duration,
            earliest: shift(now, rules.min_notice),
            latest: shift(now, rules.horizon),
            gap,
        }
    }

    /// The time a booking keeps clear of other meetings. External busy time is never
    /// widened: it blocks only the meeting itself, as it has no buffers of its own and we
    /// do not know which of it is a meeting that would deserve one.
    fn widened(&self, booking: &Interval) -> Interval {
        Interval { start: shift(booking.start, -self.gap), end: shift(booking.end, self.gap) }
    }

    fn meeting(&self, start: DateTime<Utc>) -> Interval {
        Interval { start, end: shift(start, self.duration) }
    }

    /// Whether the meeting lies inside one opening span in real time. The span may belong
    /// to a neighbouring local date: one closing at 24:00 ends on the next date, and where
    /// the clocks go back over midnight a date's span can start during the previous date.
    fn within_hours(&self, meeting: Interval) -> bool {
        let date = local_date(self.zone, meeting.start);
        [date.pred_opt(), Some(date), date.succ_opt()].into_iter().flatten().any(|d| {
            self.hours.spans(d.weekday()).iter().any(|span| {
                span_bounds(self.zone, d, *span)
                    .is_some_and(|(open, close)| open <= meeting.start && meeting.end <= close)
            })
        })
    }

    /// Calls `each` with the meeting at every instant of the span's wall-clock grid: none
    /// for a wall time the clocks skip, both for one they pass twice.
    fn grid(&self, date: NaiveDate, span: Span, interval: Duration, mut each: impl FnMut(Interval)) {
        let close = Duration::minutes(i64::from(span.close));
        let mut offset = Duration::minutes(i64::from(span.open));
        while offset < close {
            // `offset` stays below `close`, at most 24:00, so the time never wraps.
            let (time, _) = NaiveTime::MIN.overflowing_add_signed(offset);
            let (first, second) = match self.zone.from_local_datetime(&date.and_time(time)) {
                LocalResult::Single(t) => (Some(t), None),
                LocalResult::Ambiguous(a, b) => (Some(a.min(b)), Some(a.max(b))),
                LocalResult::None => (None, None),
            };
            for start in [first, second].into_iter().flatten() {
                each(self.meeting(start.with_timezone(&Utc)));
            }
            let Some(next) = offset.checked_add(&interval) else { return };
            offset = next;
        }
    }
}

/// The non-empty intervals sorted by start; an empty or inverted one covers no time.
fn sorted(intervals: &[Interval]) -> Vec<Interval> {
    let mut out: Vec<Interval> = intervals.iter().copied().filter(|i| i.start < i.end).collect();
    out.sort_unstable_by_key(|i| i.start);
    out
}

/// Intervals sorted by start merged into disjoint ones covering the same time.
fn coalesced(intervals: impl IntoIterator<Item = Interval>) -> Vec<Interval> {
    let mut out: Vec<Interval> = Vec::new();
    for i in intervals {
        if let Some(last) = out.last_mut()
            && i.start <= last.end
        {
            last.end = last.end.max(i.end);
        } else {
            out.push(i);
        }
    }
    out
}

/// Overlap queries against sorted, disjoint intervals (so their ends ascend too). Queries
/// in ascending start order cost amortised constant time; the first may be anywhere.
struct Sweep<'b> {
    blocks: &'b [Interval],
    next: usize,
}

impl<'b> Sweep<'b> {
    fn new(blocks: &'b [Interval]) -> Self {
        Self { blocks, next: 0 }
    }

    fn hits(&mut self, meeting: Interval) -> bool {
        let rest = &self.blocks[self.next..];
        self.next += if rest.first().is_some_and(|b| b.end <= meeting.start) {
            rest.partition_point(|b| b.end <= meeting.start)
        } else {
            0
        };
        self.blocks.get(self.next).is_some_and(|b| b.overlaps(&meeting))
    }
}

/// `t + by`, held at the ends of the representable range instead of overflowing.
fn shift(t: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    t.checked_add_signed(by).unwrap_or(if by < Duration::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

fn local_date(zone: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&zone).date_naive()
}

/// The local wall time `minutes` after the start of `date` (1440 is the next midnight).
fn local_at(date: NaiveDate, minutes: u16) -> Option<NaiveDateTime> {
    date.and_time(NaiveTime::MIN).checked_add_signed(Duration::minutes(i64::from(minutes)))
}

/// A span's real opening and closing instants on `date`, as `BusinessHours` counts them:
/// the earlier instant of a repeated wall time, the end of the gap for a skipped one.
/// `None` when the clocks skip the whole span.
fn span_bounds(zone: Tz, date: NaiveDate, span: Span) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let edge = |minutes: u16| {
        let wall = local_at(date, minutes)?;
        let instant = match zone.from_local_datetime(&wall) {
            LocalResult::Single(t) => t,
            LocalResult::Ambiguous(a, b) => a.min(b),
            LocalResult::None => GapInfo::new(&wall, &zone)?.end?,
        };
        Some(instant.with_timezone(&Utc))
    };
    let (open, close) = (edge(span.open)?, edge(span.close)?);
    (open < close).then_some((open, close))
}

#[cfg(test)]
mod tests;
