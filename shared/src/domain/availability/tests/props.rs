//! Properties over random hours, zones, rules and bookings, with the expected slots found
//! by brute force: every minute of the window, kept when it is on the local grid of a span
//! that holds the meeting in real time and `check_slot` accepts it (which must agree with
//! the one-by-one `naive_check`).

use proptest::prelude::*;

use super::*;

/// Zones with the days their clocks change in 2027 (none in Kolkata and UTC: any day will do).
const ZONES: [(&str, [&str; 2]); 6] = [
    ("America/Chicago", ["2027-03-14", "2027-11-07"]),
    ("Europe/London", ["2027-03-28", "2027-10-31"]),
    ("Asia/Kolkata", ["2027-03-14", "2027-11-07"]),
    ("Australia/Lord_Howe", ["2027-10-03", "2027-04-04"]),
    ("UTC", ["2027-03-28", "2027-10-31"]),
    ("America/St_Johns", ["2027-03-14", "2027-11-07"]),
];

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn hm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// One to three spans, all inside the first `last` minutes of the day.
fn spans_within(last: u16) -> impl Strategy<Value = Vec<String>> {
    (1usize..=3).prop_flat_map(move |n| prop::collection::btree_set(0..=last, 2 * n)).prop_map(|cuts| {
        let cuts: Vec<u16> = cuts.into_iter().collect();
        cuts.chunks(2).map(|pair| format!("{}-{}", hm(pair[0]), hm(pair[1]))).collect()
    })
}

/// Hours for a week; `night` keeps every span in the small hours, where clocks change.
fn hours(night: bool) -> impl Strategy<Value = BusinessHours> {
    let day =
        if night { spans_within(300).boxed() } else { prop_oneof![spans_within(1440), spans_within(300)].boxed() };
    prop::collection::vec(day, 7).prop_map(|days| {
        let map: BTreeMap<String, Vec<String>> = DAYS.iter().map(|d| (*d).to_string()).zip(days).collect();
        BusinessHours::from_map(&map).unwrap()
    })
}

fn slot_rules() -> impl Strategy<Value = SlotRules> {
    (5i64..=240, 5i64..=120, 0i64..=60, 0i64..=60, 0i64..=2880, 1i64..=60).prop_map(
        |(duration, interval, before, after, notice, horizon)| SlotRules {
            duration: Duration::minutes(duration),
            interval: Duration::minutes(interval),
            buffer_before: Duration::minutes(before),
            buffer_after: Duration::minutes(after),
            min_notice: Duration::minutes(notice),
            horizon: Duration::days(horizon),
        },
    )
}

/// Intervals as (where in the window or the day either side of it, per mille; length in minutes).
fn intervals(max: usize) -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec((0i64..=1000, 5i64..=90), 0..=max)
}

#[derive(Debug)]
struct Scenario {
    hours: BusinessHours,
    tz: TimeZone,
    rules: SlotRules,
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bookings: Vec<Interval>,
    busy: Vec<Interval>,
}

/// Any of the zones, half of the windows starting up to three days before a change.
fn scenario() -> impl Strategy<Value = Scenario> {
    let start = (any::<bool>(), 0usize..2, 0i64..3 * 365 * 1440);
    (hours(false), prop::sample::select(ZONES.to_vec()), start, 0i64..=4 * 1440, intervals(60)).prop_flat_map(
        |(hours, (tz, changes), (near_change, change, minutes), length, bookings)| {
            let from = if near_change {
                utc(&format!("{}T00:00:00Z", changes[change])) + Duration::minutes(minutes % (3 * 1440) - 3 * 1440)
            } else {
                utc("2026-01-01T00:00:00Z") + Duration::minutes(minutes)
            };
            window(hours, tz, from, length, bookings)
        },
    )
}

/// A window of one or two days over a clock change, with night hours and few bookings, so
/// that skipped and repeated wall times are actually offered or refused.
fn dst_scenario() -> impl Strategy<Value = Scenario> {
    let zones: Vec<_> = ZONES.iter().filter(|(name, _)| !["UTC", "Asia/Kolkata"].contains(name)).copied().collect();
    (hours(true), prop::sample::select(zones), 0usize..2, -1440i64..=0, 1440i64..=2 * 1440, intervals(10))
        .prop_flat_map(|(hours, (tz, changes), change, before, length, bookings)| {
            let start = utc(&format!("{}T00:00:00Z", changes[change])) + Duration::minutes(before);
            window(hours, tz, start, length, bookings)
        })
}

/// Completes a scenario: rules, busy time, and `now` so that `from` lies between the
/// earliest and the latest start (per mille, sometimes outside), a few seconds off the
/// minute.
fn window(
    hours: BusinessHours,
    tz: &'static str,
    from: DateTime<Utc>,
    length: i64,
    bookings: Vec<(i64, i64)>,
) -> impl Strategy<Value = Scenario> {
    (slot_rules(), -100i64..=1100, 0i64..60, intervals(10)).prop_map(move |(rules, permille, seconds, busy)| {
        let (notice, horizon) = (rules.min_notice.num_seconds(), rules.horizon.num_seconds());
        let ahead = notice + (horizon - notice) * permille / 1000;
        let at = |list: &[(i64, i64)]| -> Vec<Interval> {
            list.iter()
                .map(|(place, len)| {
                    let start = from + Duration::minutes(place * (length + 2 * 1440) / 1000 - 1440);
                    Interval { start, end: start + Duration::minutes(*len) }
                })
                .collect()
        };
        Scenario {
            hours: hours.clone(),
            tz: zone(tz),
            rules,
            now: from - Duration::seconds(ahead + seconds),
            from,
            to: from + Duration::minutes(length),
            bookings: at(&bookings),
            busy: at(&busy),
        }
    })
}

/// The spans of `t`'s local day whose grid `open + k * interval` holds `t`'s wall time.
fn grid_spans(hours: &BusinessHours, tz: TimeZone, t: DateTime<Utc>, interval: Duration) -> Vec<Span> {
    let local = t.with_timezone(&tz.tz());
    let minute = i64::from(local.hour() * 60 + local.minute());
    let step = interval.num_minutes();
    if local.second() != 0 || local.nanosecond() != 0 {
        return Vec::new();
    }
    hours
        .spans(local.weekday())
        .iter()
        .filter(|s| {
            let (open, close) = (i64::from(s.open), i64::from(s.close));
            (open..close).contains(&minute) && (minute - open) % step == 0
        })
        .copied()
        .collect()
}

fn slots_are_exactly_the_free_grid_starts(s: &Scenario) -> Result<(), TestCaseError> {
    let c = cal(&s.hours, s.tz, &s.bookings, &s.busy);
    let r = s.rules;
    let slots = open_slots(&c, &r, s.now, s.from, s.to);

    prop_assert!(slots.windows(2).all(|w| w[0] < w[1]), "ascending and unique: {slots:?}");
    for &slot in &slots {
        prop_assert_eq!(check_slot(&c, &r, s.now, slot), Ok(()), "{}", slot);
        prop_assert!(s.from <= slot && slot < s.to, "{slot} outside the window");
        prop_assert!(slot >= s.now + r.min_notice && slot <= s.now + r.horizon, "{slot} outside notice/horizon");
        prop_assert!(!grid_spans(&s.hours, s.tz, slot, r.interval).is_empty(), "{slot} off the grid");
        let padded = Interval { start: slot - r.buffer_before, end: slot + r.duration + r.buffer_after };
        for b in &s.bookings {
            let b_padded = Interval { start: b.start - r.buffer_before, end: b.end + r.buffer_after };
            prop_assert!(!padded.overlaps(&b_padded), "{slot} too close to {b:?}");
        }
        let meeting = Interval { start: slot, end: slot + r.duration };
        prop_assert!(s.busy.iter().all(|b| !meeting.overlaps(b)), "{slot} overlaps busy time");
    }

    // Every grid start is a whole minute: the zones' offsets are whole minutes. Where the
    // clocks go back, a repeated wall time on one span's grid can fall inside another span
    // in real time; check_slot accepts it there, but it is not a start of that span's grid.
    let mut expected = Vec::new();
    let mut t = s.from;
    while t < s.to {
        let spans = grid_spans(&s.hours, s.tz, t, r.interval);
        if !spans.is_empty() {
            let verdict = check_slot(&c, &r, s.now, t);
            prop_assert_eq!(verdict, naive_check(&c, &r, s.now, t), "{}", t);
            let date = t.with_timezone(&s.tz.tz()).date_naive();
            let holds = |span: &Span| {
                real_bounds(s.tz.tz(), date, *span).is_some_and(|(open, close)| open <= t && t + r.duration <= close)
            };
            if verdict.is_ok() && spans.iter().any(holds) {
                expected.push(t);
            }
        }
        t += Duration::minutes(1);
    }
    prop_assert_eq!(slots, expected);
    Ok(())
}

proptest! {
    #[test]
    fn open_slots_are_exactly_the_free_grid_starts(s in scenario()) {
        slots_are_exactly_the_free_grid_starts(&s)?;
    }

    #[test]
    fn open_slots_over_clock_changes_are_exactly_the_free_grid_starts(s in dst_scenario()) {
        slots_are_exactly_the_free_grid_starts(&s)?;
    }

    #[test]
    fn check_slot_agrees_with_the_one_by_one_check_off_the_grid(
        s in scenario(),
        offsets in prop::collection::vec(0i64..4 * 1440 * 60, 1..40),
    ) {
        let c = cal(&s.hours, s.tz, &s.bookings, &s.busy);
        for offset in offsets {
            let t = s.from + Duration::seconds(offset);
            prop_assert_eq!(check_slot(&c, &s.rules, s.now, t), naive_check(&c, &s.rules, s.now, t), "{}", t);
        }
    }
}
