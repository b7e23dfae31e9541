use std::collections::BTreeMap;

use chrono::{Timelike, Weekday};

use super::*;

mod props;
mod scale;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn zone(name: &str) -> TimeZone {
    TimeZone::parse(name).unwrap()
}

fn every_day(spans: &[&str]) -> BusinessHours {
    let map: BTreeMap<String, Vec<String>> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| ((*d).to_string(), spans.iter().map(|s| (*s).to_string()).collect()))
        .collect();
    BusinessHours::from_map(&map).unwrap()
}

fn between(start: &str, end: &str) -> Interval {
    Interval { start: utc(start), end: utc(end) }
}

/// `duration` minutes on a grid of `interval` minutes; no buffers, notice or practical horizon.
fn rules(duration: i64, interval: i64) -> SlotRules {
    SlotRules {
        duration: Duration::minutes(duration),
        interval: Duration::minutes(interval),
        buffer_before: Duration::zero(),
        buffer_after: Duration::zero(),
        min_notice: Duration::zero(),
        horizon: Duration::days(3650),
    }
}

fn cal<'a>(hours: &'a BusinessHours, tz: TimeZone, bookings: &'a [Interval], busy: &'a [Interval]) -> Calendar<'a> {
    Calendar { hours, tz, bookings, busy }
}

/// Long before every slot the tests ask about.
fn long_ago() -> DateTime<Utc> {
    utc("2026-01-01T00:00:00Z")
}

/// The slots of one local calendar day.
fn day(cal: &Calendar<'_>, rules: &SlotRules, date: &str) -> Vec<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    let edge = |d: NaiveDate| cal.tz.tz().from_local_datetime(&d.and_time(NaiveTime::MIN)).earliest().unwrap();
    let (from, to) = (edge(date).with_timezone(&Utc), edge(date.succ_opt().unwrap()).with_timezone(&Utc));
    open_slots(cal, rules, long_ago(), from, to)
}

fn local_hm(t: DateTime<Utc>, tz: TimeZone) -> (u32, u32) {
    let local = t.with_timezone(&tz.tz());
    (local.hour(), local.minute())
}

/// A span's real opening and closing instants, found by stepping over skipped wall time a
/// minute at a time (the earlier instant of a repeated one).
fn real_bounds(zone: chrono_tz::Tz, date: NaiveDate, span: Span) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let edge = |minutes: u16| {
        let wall = date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minutes));
        (0..=180).find_map(|m| zone.from_local_datetime(&(wall + Duration::minutes(m))).earliest())
    };
    let (open, close) = (edge(span.open)?.with_timezone(&Utc), edge(span.close)?.with_timezone(&Utc));
    (open < close).then_some((open, close))
}

/// Same verdicts as `check_slot`, found one interval at a time.
fn naive_check(
    cal: &Calendar<'_>,
    rules: &SlotRules,
    now: DateTime<Utc>,
    start: DateTime<Utc>,
) -> Result<(), SlotProblem> {
    let (earliest, latest) = (now + rules.min_notice, now + rules.horizon);
    if start < earliest {
        return Err(SlotProblem::TooSoon { earliest });
    }
    if start > latest {
        return Err(SlotProblem::BeyondHorizon { latest });
    }
    let end = start + rules.duration;
    let date = start.with_timezone(&cal.tz.tz()).date_naive();
    let fits = [date.pred_opt().unwrap(), date, date.succ_opt().unwrap()].into_iter().any(|d| {
        cal.hours
            .spans(d.weekday())
            .iter()
            .any(|span| real_bounds(cal.tz.tz(), d, *span).is_some_and(|(open, close)| open <= start && end <= close))
    });
    if !fits {
        return Err(SlotProblem::OutsideHours);
    }
    if cal.bookings.iter().chain(cal.busy).any(|b| b.start < b.end && b.start < end && start < b.end) {
        return Err(SlotProblem::Busy);
    }
    let (before, after) = (rules.buffer_before, rules.buffer_after);
    if cal.bookings.iter().any(|b| b.start < b.end && start - before < b.end + after && b.start - before < end + after)
    {
        return Err(SlotProblem::InBuffer);
    }
    Ok(())
}

#[test]
fn chicago_nine_o_clock_around_both_changes() {
    let hours = every_day(&["09:00-17:00"]);
    let chicago = zone("America/Chicago");
    let c = cal(&hours, chicago, &[], &[]);
    let r = rules(60, 60);
    for (date, nine, four_pm) in [
        // CST (UTC-6), then CDT (UTC-5) from 02:00 on 2027-03-14.
        ("2027-03-13", "2027-03-13T15:00:00Z", "2027-03-13T22:00:00Z"),
        ("2027-03-14", "2027-03-14T14:00:00Z", "2027-03-14T21:00:00Z"),
        ("2027-03-15", "2027-03-15T14:00:00Z", "2027-03-15T21:00:00Z"),
        // CDT, then CST again from 02:00 on 2027-11-07.
        ("2027-11-06", "2027-11-06T14:00:00Z", "2027-11-06T21:00:00Z"),
        ("2027-11-07", "2027-11-07T15:00:00Z", "2027-11-07T22:00:00Z"),
        ("2027-11-08", "2027-11-08T15:00:00Z", "2027-11-08T22:00:00Z"),
    ] {
        let slots = day(&c, &r, date);
        assert_eq!(slots.len(), 8, "{date}");
        assert_eq!((slots[0], slots[7]), (utc(nine), utc(four_pm)), "{date}");
        for (i, s) in slots.iter().enumerate() {
            assert_eq!(local_hm(*s, chicago), (9 + i as u32, 0), "{date} {s}");
            assert_eq!(s.with_timezone(&chicago.tz()).date_naive().to_string(), date);
        }
        // The slot labelled 10:00 is ten o'clock on the local clock.
        assert_eq!(slots[1].with_timezone(&chicago.tz()).format("%Y-%m-%d %H:%M").to_string(), format!("{date} 10:00"));
    }
}

#[test]
fn a_whole_day_span_has_23_and_25_real_hours_in_chicago() {
    let hours = every_day(&["00:00-24:00"]);
    let chicago = zone("America/Chicago");
    let c = cal(&hours, chicago, &[], &[]);
    let r = rules(60, 60);

    let spring = day(&c, &r, "2027-03-14");
    assert_eq!(spring.len(), 23);
    assert_eq!((spring[0], spring[22]), (utc("2027-03-14T06:00:00Z"), utc("2027-03-15T04:00:00Z")));
    assert!(spring.windows(2).all(|w| w[1] - w[0] == Duration::hours(1)));
    let local: Vec<u32> = spring.iter().map(|s| local_hm(*s, chicago).0).collect();
    assert_eq!(local, [0, 1].into_iter().chain(3..24).collect::<Vec<_>>(), "02:00 does not exist");

    let fall = day(&c, &r, "2027-11-07");
    assert_eq!(fall.len(), 25);
    assert_eq!((fall[0], fall[24]), (utc("2027-11-07T05:00:00Z"), utc("2027-11-08T05:00:00Z")));
    assert!(fall.windows(2).all(|w| w[1] - w[0] == Duration::hours(1)), "ascending, no instant twice");
    let local: Vec<u32> = fall.iter().map(|s| local_hm(*s, chicago).0).collect();
    assert_eq!(local, [0, 1, 1].into_iter().chain(2..24).collect::<Vec<_>>(), "01:00 comes twice");
}

#[test]
fn a_span_across_spring_forward_is_as_long_as_real_time() {
    // 01:00-04:00 on 2027-03-14 in Chicago: 01:00 CST (07:00Z) to 04:00 CDT (09:00Z).
    let hours = every_day(&["01:00-04:00"]);
    let chicago = zone("America/Chicago");
    let c = cal(&hours, chicago, &[], &[]);
    assert_eq!(day(&c, &rules(60, 60), "2027-03-14"), [utc("2027-03-14T07:00:00Z"), utc("2027-03-14T08:00:00Z")]);
    assert_eq!(day(&c, &rules(120, 60), "2027-03-14"), [utc("2027-03-14T07:00:00Z")]);
    assert!(day(&c, &rules(150, 60), "2027-03-14").is_empty());
    assert_eq!(
        check_slot(&c, &rules(150, 60), long_ago(), utc("2027-03-14T07:00:00Z")),
        Err(SlotProblem::OutsideHours)
    );
    // The day before, the same span is three hours long.
    assert_eq!(day(&c, &rules(150, 60), "2027-03-13"), [utc("2027-03-13T07:00:00Z")]);
}

#[test]
fn a_repeated_wall_time_belongs_to_the_span_that_holds_it_in_real_time() {
    // 2027-11-07 in Chicago: 01:00-01:30 is 06:00Z-06:30Z (first pass, CDT) while
    // 01:45-03:00 runs from 06:45Z (CDT) through the repeated hour to 09:00Z (CST).
    let hours = every_day(&["01:00-01:30", "01:45-03:00"]);
    let c = cal(&hours, zone("America/Chicago"), &[], &[]);
    let r = rules(15, 15);
    let expected: Vec<_> = ["06:00", "06:15", "06:45", "07:45", "08:00", "08:15", "08:30", "08:45"]
        .map(|hm| utc(&format!("2027-11-07T{hm}:00Z")))
        .to_vec();
    assert_eq!(day(&c, &r, "2027-11-07"), expected);
    // The second 01:00 and 01:15 (CST) are on the first span's grid but inside the second
    // span in real time, off its grid: not offered, yet bookable when asked for.
    assert_eq!(check_slot(&c, &r, long_ago(), utc("2027-11-07T07:00:00Z")), Ok(()));
    assert_eq!(check_slot(&c, &r, long_ago(), utc("2027-11-07T06:30:00Z")), Err(SlotProblem::OutsideHours));
}

#[test]
fn london_nine_o_clock_around_both_changes() {
    let hours = every_day(&["09:00-17:00"]);
    let london = zone("Europe/London");
    let c = cal(&hours, london, &[], &[]);
    for (date, nine) in [
        ("2027-03-27", "2027-03-27T09:00:00Z"),
        ("2027-03-28", "2027-03-28T08:00:00Z"),
        ("2027-03-29", "2027-03-29T08:00:00Z"),
        ("2027-10-30", "2027-10-30T08:00:00Z"),
        ("2027-10-31", "2027-10-31T09:00:00Z"),
        ("2027-11-01", "2027-11-01T09:00:00Z"),
    ] {
        let slots = day(&c, &rules(30, 30), date);
        assert_eq!(slots.len(), 16, "{date}");
        assert_eq!(slots[0], utc(nine), "{date}");
        assert_eq!(local_hm(slots[15], london), (16, 30), "{date}");
    }
}

#[test]
fn kolkata_is_half_an_hour_off_utc_all_year() {
    let hours = every_day(&["09:00-17:00"]);
    let c = cal(&hours, zone("Asia/Kolkata"), &[], &[]);
    for date in ["2027-01-15", "2027-07-15"] {
        let slots = day(&c, &rules(60, 60), date);
        assert_eq!(slots[0], utc(&format!("{date}T03:30:00Z")));
        assert_eq!(slots.len(), 8);
    }
}

#[test]
fn lord_howe_moves_its_clocks_by_half_an_hour() {
    let hours = every_day(&["00:00-24:00"]);
    let lord_howe = zone("Australia/Lord_Howe");
    let c = cal(&hours, lord_howe, &[], &[]);
    // 2027-10-03: 02:00 (+10:30) becomes 02:30 (+11); 2027-04-04: 02:00 (+11) becomes 01:30 (+10:30).
    let spring = day(&c, &rules(30, 30), "2027-10-03");
    assert_eq!(spring.len(), 47);
    assert!(spring.iter().all(|s| local_hm(*s, lord_howe) != (2, 0)));
    let fall = day(&c, &rules(30, 30), "2027-04-04");
    assert_eq!(fall.len(), 49);
    assert!(fall.windows(2).all(|w| w[1] - w[0] == Duration::minutes(30)));
}

/// Monday 2027-06-07 in UTC, 09:00-17:00.
fn june_day() -> BusinessHours {
    every_day(&["09:00-17:00"])
}

fn at(hm: &str) -> DateTime<Utc> {
    utc(&format!("2027-06-07T{hm}:00Z"))
}

fn buffered(before: i64, after: i64) -> SlotRules {
    SlotRules { buffer_before: Duration::minutes(before), buffer_after: Duration::minutes(after), ..rules(30, 30) }
}

#[test]
fn buffers_keep_a_gap_on_both_sides_of_a_booking() {
    let hours = june_day();
    let booked = [between("2027-06-07T10:00:00Z", "2027-06-07T11:00:00Z")];
    let c = cal(&hours, TimeZone::UTC, &booked, &[]);
    let r = buffered(15, 15);
    assert_eq!(check_slot(&c, &r, long_ago(), at("11:00")), Err(SlotProblem::InBuffer));
    assert_eq!(check_slot(&c, &r, long_ago(), at("11:29")), Err(SlotProblem::InBuffer));
    assert_eq!(check_slot(&c, &r, long_ago(), at("11:30")), Ok(()));
    assert_eq!(check_slot(&c, &r, long_ago(), at("10:30")), Err(SlotProblem::Busy));
    assert_eq!(check_slot(&c, &r, long_ago(), at("09:30")), Err(SlotProblem::InBuffer));
    let expected: Vec<_> =
        ["09:00", "11:30", "12:00", "12:30", "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"]
            .into_iter()
            .map(at)
            .collect();
    assert_eq!(day(&c, &r, "2027-06-07"), expected);
}

#[test]
fn a_meeting_may_not_end_inside_the_next_bookings_buffer() {
    let hours = june_day();
    let booked = [between("2027-06-07T14:00:00Z", "2027-06-07T15:00:00Z")];
    let c = cal(&hours, TimeZone::UTC, &booked, &[]);
    let r = SlotRules { duration: Duration::minutes(60), ..buffered(30, 0) };
    assert_eq!(check_slot(&c, &r, long_ago(), at("12:45")), Err(SlotProblem::InBuffer));
    assert_eq!(check_slot(&c, &r, long_ago(), at("13:00")), Err(SlotProblem::InBuffer));
    assert_eq!(check_slot(&c, &r, long_ago(), at("12:30")), Ok(()));
    // After the booking only its after-buffer (none) and the meeting's before-buffer count.
    assert_eq!(check_slot(&c, &r, long_ago(), at("15:29")), Err(SlotProblem::InBuffer));
    assert_eq!(check_slot(&c, &r, long_ago(), at("15:30")), Ok(()));
}

#[test]
fn buffers_may_reach_outside_business_hours() {
    let hours = june_day();
    let c = cal(&hours, TimeZone::UTC, &[], &[]);
    let r = buffered(30, 30);
    assert_eq!(check_slot(&c, &r, long_ago(), at("09:00")), Ok(()));
    assert_eq!(check_slot(&c, &r, long_ago(), at("16:30")), Ok(()));
    let slots = day(&c, &r, "2027-06-07");
    assert_eq!((slots[0], slots[slots.len() - 1], slots.len()), (at("09:00"), at("16:30"), 16));
}

#[test]
fn external_busy_time_blocks_only_the_meeting() {
    let hours = june_day();
    let block = [between("2027-06-07T12:00:00Z", "2027-06-07T13:00:00Z")];
    let r = buffered(30, 30);
    let busy = cal(&hours, TimeZone::UTC, &[], &block);
    assert_eq!(check_slot(&busy, &r, long_ago(), at("11:30")), Ok(()));
    assert_eq!(check_slot(&busy, &r, long_ago(), at("12:30")), Err(SlotProblem::Busy));
    assert_eq!(check_slot(&busy, &r, long_ago(), at("13:00")), Ok(()));
    let booked = cal(&hours, TimeZone::UTC, &block, &[]);
    assert_eq!(check_slot(&booked, &r, long_ago(), at("11:30")), Err(SlotProblem::InBuffer));
    assert_eq!(check_slot(&booked, &r, long_ago(), at("11:45")), Err(SlotProblem::Busy));
    assert_eq!(check_slot(&booked, &r, long_ago(), at("13:00")), Err(SlotProblem::InBuffer));
}

#[test]
fn unsorted_overlapping_and_outlying_intervals() {
    let hours = june_day();
    let booked = [
        between("2027-06-07T15:00:00Z", "2027-06-07T16:00:00Z"),
        between("2027-06-06T20:00:00Z", "2027-06-07T09:30:00Z"),
        between("2027-06-07T11:00:00Z", "2027-06-07T12:00:00Z"),
        between("2027-06-07T11:30:00Z", "2027-06-07T13:00:00Z"),
        // Empty and inverted intervals cover no time.
        between("2027-06-07T14:00:00Z", "2027-06-07T14:00:00Z"),
        between("2027-06-07T14:30:00Z", "2027-06-07T14:00:00Z"),
    ];
    let busy = [between("2027-06-07T16:30:00Z", "2027-06-08T08:00:00Z")];
    let c = cal(&hours, TimeZone::UTC, &booked, &busy);
    let expected: Vec<_> = ["09:30", "10:00", "10:30", "13:00", "13:30", "14:00", "14:30", "16:00"].map(at).to_vec();
    assert_eq!(day(&c, &rules(30, 30), "2027-06-07"), expected);
}

#[test]
fn notice_and_horizon_are_inclusive_edges() {
    let hours = june_day();
    let c = cal(&hours, TimeZone::UTC, &[], &[]);
    let now = at("08:00");
    let r = SlotRules { min_notice: Duration::minutes(90), horizon: Duration::hours(6), ..rules(30, 30) };
    assert_eq!(check_slot(&c, &r, now, at("09:30")), Ok(()));
    assert_eq!(check_slot(&c, &r, now, at("09:29")), Err(SlotProblem::TooSoon { earliest: at("09:30") }));
    assert_eq!(check_slot(&c, &r, now, at("14:00")), Ok(()));
    assert_eq!(check_slot(&c, &r, now, at("14:01")), Err(SlotProblem::BeyondHorizon { latest: at("14:00") }));
    let slots = open_slots(&c, &r, now, at("00:00"), at("23:59"));
    assert_eq!((slots[0], slots[slots.len() - 1], slots.len()), (at("09:30"), at("14:00"), 10));
    // Window problems come before hours problems.
    assert_eq!(check_slot(&c, &r, now, at("08:30")), Err(SlotProblem::TooSoon { earliest: at("09:30") }));
    assert_eq!(check_slot(&c, &r, now, at("20:00")), Err(SlotProblem::BeyondHorizon { latest: at("14:00") }));
}

#[test]
fn a_meeting_must_fit_inside_one_span() {
    let hours = every_day(&["09:00-12:00", "12:00-13:00", "14:00-17:00"]);
    let c = cal(&hours, TimeZone::UTC, &[], &[]);
    let r = rules(60, 30);
    assert_eq!(check_slot(&c, &r, long_ago(), at("16:00")), Ok(()));
    assert_eq!(check_slot(&c, &r, long_ago(), at("16:30")), Err(SlotProblem::OutsideHours));
    assert_eq!(check_slot(&c, &r, long_ago(), at("11:30")), Err(SlotProblem::OutsideHours), "spans touch, not one");
    assert_eq!(check_slot(&c, &r, long_ago(), at("08:59")), Err(SlotProblem::OutsideHours));
    // Any minute is checked, not only the grid.
    assert_eq!(check_slot(&c, &r, long_ago(), at("10:07")), Ok(()));
    let expected: Vec<_> =
        ["09:00", "09:30", "10:00", "10:30", "11:00", "12:00", "14:00", "14:30", "15:00", "15:30", "16:00"]
            .map(at)
            .to_vec();
    assert_eq!(day(&c, &r, "2027-06-07"), expected);
}

#[test]
fn the_grid_restarts_at_every_span() {
    let hours = every_day(&["09:10-10:00", "13:05-14:00"]);
    let c = cal(&hours, TimeZone::UTC, &[], &[]);
    let expected: Vec<_> = ["09:10", "09:30", "13:05", "13:25"].map(at).to_vec();
    assert_eq!(day(&c, &rules(20, 20), "2027-06-07"), expected);
}

#[test]
fn closed_days_and_a_missing_grid_offer_nothing() {
    let map: BTreeMap<String, Vec<String>> = [("tue".to_string(), vec!["09:00-17:00".to_string()])].into();
    let hours = BusinessHours::from_map(&map).unwrap();
    assert!(hours.spans(Weekday::Mon).is_empty());
    let c = cal(&hours, TimeZone::UTC, &[], &[]);
    assert!(day(&c, &rules(30, 30), "2027-06-07").is_empty());
    assert_eq!(day(&c, &rules(30, 30), "2027-06-08").len(), 16);
    assert!(day(&c, &rules(30, 0), "2027-06-08").is_empty());
    assert!(day(&c, &rules(30, -30), "2027-06-08").is_empty());
}
