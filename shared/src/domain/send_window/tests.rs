use serde_json::json;

use super::*;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn zone(name: &str) -> TimeZone {
    TimeZone::parse(name).unwrap()
}

fn hours(json: serde_json::Value) -> BusinessHours {
    serde_json::from_value(json).unwrap()
}

fn local(start: &str, end: &str) -> SendWindow {
    SendWindow::Local(LocalHours::parse(start, end).unwrap())
}

fn rules<'a>(
    window: &'a SendWindow,
    business_hours: &'a BusinessHours,
    recipient: &str,
    business: &str,
    weekdays_only: bool,
) -> SendRules<'a> {
    SendRules { window, weekdays_only, recipient_zone: zone(recipient), business_zone: zone(business), business_hours }
}

/// The rules read straight off the clocks, independent of the interval arithmetic.
fn allowed(t: DateTime<Utc>, r: &SendRules) -> bool {
    let wall = t.with_timezone(&r.recipient_zone.tz()).naive_local();
    let time = wall.time();
    let quiet_ok = SEND_FROM <= time && time < SEND_UNTIL;
    let weekday_ok = !r.weekdays_only || !matches!(wall.weekday(), Weekday::Sat | Weekday::Sun);
    let window_ok = match r.window {
        SendWindow::Local(h) => h.start() <= time && time < h.end(),
        SendWindow::BusinessHours => r.business_hours.is_open(t, r.business_zone),
    };
    quiet_ok && weekday_ok && window_ok
}

#[test]
fn local_hours_stay_inside_the_quiet_hours_limits() {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    assert!(LocalHours::new(t(8, 0), t(21, 0)).is_ok());
    let early = LocalHours::new(t(7, 59), t(12, 0)).unwrap_err();
    assert!(early.0.contains("start") && early.0.contains("quiet hours"), "{early}");
    assert!(LocalHours::new(t(9, 0), t(21, 1)).is_err());
    assert!(LocalHours::new(t(12, 0), t(12, 0)).is_err());
    assert!(LocalHours::new(t(13, 0), t(12, 0)).is_err());
    assert!(LocalHours::new(NaiveTime::from_hms_opt(9, 0, 30).unwrap(), t(12, 0)).is_err());

    assert_eq!(LocalHours::parse("25:00", "17:00").unwrap_err().0, "start");
    assert_eq!(LocalHours::parse("nine", "17:00").unwrap_err().0, "start");
    assert_eq!(LocalHours::parse("09:00", "22:00").unwrap_err().0, "end");
    assert_eq!(LocalHours::parse("17:00", "09:00").unwrap_err().0, "end");
    assert_eq!(LocalHours::parse(" 09:30 ", "21:00").unwrap().to_string(), "09:30-21:00");
}

#[test]
fn send_window_json_shapes() {
    let window: SendWindow = serde_json::from_value(json!("business_hours")).unwrap();
    assert_eq!(window, SendWindow::BusinessHours);
    assert_eq!(serde_json::to_value(window).unwrap(), json!("business_hours"));

    let window: SendWindow = serde_json::from_value(json!({"start": "09:00", "end": "17:00"})).unwrap();
    assert_eq!(window, local("09:00", "17:00"));
    assert_eq!(serde_json::to_value(window).unwrap(), json!({"start": "09:00", "end": "17:00"}));

    let err = |v: serde_json::Value| serde_json::from_value::<SendWindow>(v).unwrap_err().to_string();
    assert!(err(json!({"start": "07:00", "end": "10:00"})).contains("start: must be within 08:00-21:00"));
    assert!(err(json!({"start": "09:00", "end": "21:30"})).starts_with("end: "));
    assert!(err(json!({"start": "09:00"})).contains("end"));
    assert!(err(json!({"start": "09:00", "end": "17:00", "zone": "UTC"})).contains("zone"));
    assert!(err(json!("sometimes")).contains("business_hours"));
    assert!(err(json!(42)).contains("business_hours"));
}

#[test]
fn due_inside_the_window_is_kept() {
    let (w, h) = (local("09:00", "17:00"), BusinessHours::default());
    let r = rules(&w, &h, "America/New_York", "America/New_York", false);
    // Wednesday 10:00 EST.
    let due = utc("2026-01-14T15:00:00Z");
    assert_eq!(next_send_time(due, &r), Some(due));
}

#[test]
fn late_and_early_dues_wait_for_the_morning() {
    let h = BusinessHours::default();
    let whole_day = local("08:00", "21:00");
    let r = rules(&whole_day, &h, "America/New_York", "America/New_York", false);
    // Wednesday 23:00 EST -> Thursday 08:00 EST.
    assert_eq!(next_send_time(utc("2026-01-15T04:00:00Z"), &r), Some(utc("2026-01-15T13:00:00Z")));
    // Thursday 00:30 EST -> the same day's 08:00.
    assert_eq!(next_send_time(utc("2026-01-15T05:30:00Z"), &r), Some(utc("2026-01-15T13:00:00Z")));
    // 21:00 itself is already quiet.
    assert_eq!(next_send_time(utc("2026-01-15T02:00:00Z"), &r), Some(utc("2026-01-15T13:00:00Z")));

    let office = local("09:00", "17:00");
    let r = rules(&office, &h, "America/New_York", "America/New_York", false);
    assert_eq!(next_send_time(utc("2026-01-15T04:00:00Z"), &r), Some(utc("2026-01-15T14:00:00Z")));
}

#[test]
fn weekdays_only_skips_the_weekend() {
    let (w, h) = (local("09:00", "17:00"), BusinessHours::default());
    // Friday 22:00 EST.
    let due = utc("2026-01-17T03:00:00Z");
    let r = rules(&w, &h, "America/New_York", "America/New_York", true);
    assert_eq!(next_send_time(due, &r), Some(utc("2026-01-19T14:00:00Z")));
    let r = rules(&w, &h, "America/New_York", "America/New_York", false);
    assert_eq!(next_send_time(due, &r), Some(utc("2026-01-17T14:00:00Z")));
}

#[test]
fn the_window_end_is_exclusive() {
    let (w, h) = (local("10:00", "12:00"), BusinessHours::default());
    let r = rules(&w, &h, "America/New_York", "America/New_York", false);
    assert_eq!(next_send_time(utc("2026-01-14T17:00:00Z"), &r), Some(utc("2026-01-15T15:00:00Z")));
    let just_before = utc("2026-01-14T16:59:00Z");
    assert_eq!(next_send_time(just_before, &r), Some(just_before));
}

#[test]
fn business_hours_and_recipient_quiet_hours_both_hold() {
    let (w, h) = (SendWindow::BusinessHours, BusinessHours::default());
    let west = rules(&w, &h, "America/Los_Angeles", "America/New_York", false);
    // Monday 09:00 New York is 06:00 in Los Angeles: wait for 08:00 LA = 11:00 NY.
    assert_eq!(next_send_time(utc("2026-01-19T14:00:00Z"), &west), Some(utc("2026-01-19T16:00:00Z")));
    let open = utc("2026-01-19T21:30:00Z");
    assert_eq!(next_send_time(open, &west), Some(open));
    // Closing time in New York -> Tuesday 08:00 LA.
    assert_eq!(next_send_time(utc("2026-01-19T22:00:00Z"), &west), Some(utc("2026-01-20T16:00:00Z")));

    // Monday 16:30 New York is 21:30 in London: too late there, so Tuesday's opening.
    let east = rules(&w, &h, "Europe/London", "America/New_York", false);
    assert_eq!(next_send_time(utc("2026-01-19T21:30:00Z"), &east), Some(utc("2026-01-20T14:00:00Z")));
}

#[test]
fn new_york_spring_forward() {
    let ny = zone("America/New_York");
    // Saturday 02:30 EST + 1 day: Sunday 02:30 does not exist, so 03:00 EDT.
    let step = step_due(utc("2026-03-07T07:30:00Z"), 24 * 60, ny);
    assert_eq!(step, utc("2026-03-08T07:00:00Z"));
    let (w, h) = (local("08:00", "21:00"), BusinessHours::default());
    let r = rules(&w, &h, "America/New_York", "America/New_York", false);
    assert_eq!(next_send_time(step, &r), Some(utc("2026-03-08T12:00:00Z")));

    // Saturday 22:00 EST -> Sunday 09:00, which is EDT.
    let office = local("09:00", "17:00");
    let r = rules(&office, &h, "America/New_York", "America/New_York", false);
    assert_eq!(next_send_time(utc("2026-03-08T03:00:00Z"), &r), Some(utc("2026-03-08T13:00:00Z")));
}

#[test]
fn new_york_fall_back() {
    let ny = zone("America/New_York");
    // Saturday 09:00 EDT, daily steps keep 09:00 on both sides of the change.
    let anchor = utc("2026-10-31T13:00:00Z");
    assert_eq!(step_due(anchor, 24 * 60, ny), utc("2026-11-01T14:00:00Z"));
    assert_eq!(step_due(anchor, 2 * 24 * 60, ny), utc("2026-11-02T14:00:00Z"));
    // Other delays are elapsed time.
    assert_eq!(step_due(anchor, 24 * 60 - 1, ny), anchor + Duration::minutes(24 * 60 - 1));
    assert_eq!(step_due(utc("2026-11-01T05:30:00Z"), 60, ny), utc("2026-11-01T06:30:00Z"));
    assert_eq!(step_due(anchor, 0, ny), anchor);
    // Saturday 01:30 EDT + 1 day lands on the repeated 01:30: the earlier one, EDT.
    assert_eq!(step_due(utc("2026-10-31T05:30:00Z"), 24 * 60, ny), utc("2026-11-01T05:30:00Z"));

    let (w, h) = (local("09:00", "17:00"), BusinessHours::default());
    let r = rules(&w, &h, "America/New_York", "America/New_York", false);
    // Saturday 22:00 EDT -> Sunday 09:00 EST.
    assert_eq!(next_send_time(utc("2026-11-01T02:00:00Z"), &r), Some(utc("2026-11-01T14:00:00Z")));
}

#[test]
fn london_changes() {
    let london = zone("Europe/London");
    let (w, h) = (local("08:00", "21:00"), BusinessHours::default());
    let r = rules(&w, &h, "Europe/London", "Europe/London", false);
    // Sunday 00:30 GMT, the clocks go forward at 01:00 -> 08:00 BST.
    assert_eq!(next_send_time(utc("2026-03-29T00:30:00Z"), &r), Some(utc("2026-03-29T07:00:00Z")));
    // Saturday 01:30 GMT + 1 day: 01:30 is skipped, 02:00 BST follows the gap.
    assert_eq!(step_due(utc("2026-03-28T01:30:00Z"), 24 * 60, london), utc("2026-03-29T01:00:00Z"));
    // Saturday 09:00 BST + 1 day -> Sunday 09:00 GMT.
    assert_eq!(step_due(utc("2026-10-24T08:00:00Z"), 24 * 60, london), utc("2026-10-25T09:00:00Z"));
    // On the fall-back Sunday 20:30 GMT is still allowed, 21:00 is not.
    let late = utc("2026-10-25T20:30:00Z");
    assert_eq!(next_send_time(late, &r), Some(late));
    assert_eq!(next_send_time(utc("2026-10-25T21:00:00Z"), &r), Some(utc("2026-10-26T08:00:00Z")));
}

#[test]
fn lord_howe_half_hour_shift() {
    let lord_howe = zone("Australia/Lord_Howe");
    // 2025-10-05 02:00 (+10:30) jumps to 02:30 (+11): an opening at 02:00 starts after the gap.
    let h = hours(json!({"sun": ["02:00-03:00"]}));
    let w = SendWindow::BusinessHours;
    let r = rules(&w, &h, "Europe/London", "Australia/Lord_Howe", false);
    assert_eq!(next_send_time(utc("2025-10-04T12:00:00Z"), &r), Some(utc("2025-10-04T15:30:00Z")));
    // Saturday 02:15 + 1 day falls in the gap.
    assert_eq!(step_due(utc("2025-10-03T15:45:00Z"), 24 * 60, lord_howe), utc("2025-10-04T15:30:00Z"));
    // 2026-04-05 02:00 (+11) goes back to 01:30 (+10:30): 01:45 repeats, the earlier one wins.
    assert_eq!(step_due(utc("2026-04-03T14:45:00Z"), 24 * 60, lord_howe), utc("2026-04-04T14:45:00Z"));

    // A recipient there: Saturday 22:30 (+10:30) -> Sunday 09:00 (+11).
    let office = local("09:00", "17:00");
    let r = rules(&office, &h, "Australia/Lord_Howe", "Australia/Lord_Howe", false);
    assert_eq!(next_send_time(utc("2025-10-04T12:00:00Z"), &r), Some(utc("2025-10-04T22:00:00Z")));
}

#[test]
fn zones_that_change_at_midnight() {
    let w = SendWindow::BusinessHours;
    // Santiago skips Sunday 00:00-01:00 on 2025-09-07: a Sunday opening starts at 01:00 -03.
    let sunday = hours(json!({"sun": ["00:00-06:00"]}));
    let r = rules(&w, &sunday, "Asia/Tokyo", "America/Santiago", false);
    assert_eq!(next_send_time(utc("2025-09-07T03:00:00Z"), &r), Some(utc("2025-09-07T04:00:00Z")));
    assert_eq!(step_due(utc("2025-09-06T04:30:00Z"), 24 * 60, zone("America/Santiago")), utc("2025-09-07T04:00:00Z"));

    // Santiago repeats Saturday 23:00-24:00 on 2026-04-04: both runs are open.
    let saturday = hours(json!({"sat": ["22:00-24:00"]}));
    let r = rules(&w, &saturday, "Asia/Tokyo", "America/Santiago", false);
    let second_run = utc("2026-04-05T03:30:00Z");
    assert_eq!(next_send_time(second_run, &r), Some(second_run));
    assert_eq!(next_send_time(utc("2026-04-05T04:00:00Z"), &r), Some(utc("2026-04-12T02:00:00Z")));

    // Havana skips Sunday 00:00-01:00 on 2026-03-08.
    assert_eq!(step_due(utc("2026-03-07T05:15:00Z"), 24 * 60, zone("America/Havana")), utc("2026-03-08T05:00:00Z"));
}

#[test]
fn never_possible_is_none() {
    let w = SendWindow::BusinessHours;
    let closed = hours(json!({}));
    let r = rules(&w, &closed, "America/New_York", "America/New_York", false);
    assert_eq!(next_send_time(utc("2026-01-14T15:00:00Z"), &r), None);

    // Open only while the recipient sleeps.
    let nights = hours(json!({
        "mon": ["00:00-06:00"], "tue": ["00:00-06:00"], "wed": ["00:00-06:00"], "thu": ["00:00-06:00"],
        "fri": ["00:00-06:00"], "sat": ["00:00-06:00"], "sun": ["00:00-06:00"]
    }));
    let r = rules(&w, &nights, "America/New_York", "America/New_York", false);
    assert_eq!(next_send_time(utc("2026-01-14T15:00:00Z"), &r), None);

    // Open only at weekends, messages only on weekdays.
    let weekend = hours(json!({"sat": ["09:00-17:00"], "sun": ["09:00-17:00"]}));
    let r = rules(&w, &weekend, "America/New_York", "America/New_York", true);
    assert_eq!(next_send_time(utc("2026-01-14T15:00:00Z"), &r), None);
}

/// Every quarter hour of a year, in zones with and without DST, half-hour shifts and
/// midnight changes: the answer obeys every rule and no quarter hour before it does.
#[test]
fn every_quarter_hour_of_a_year_gets_the_earliest_allowed_instant() {
    let step = Duration::minutes(15);
    let per_day: i32 = 96;
    let days: i32 = 365;
    let origin = utc("2026-01-01T00:00:00Z");
    let grid: Vec<DateTime<Utc>> = (0..(days + 15) * per_day).map(|i| origin + step * i).collect();

    let office = local("09:00", "17:00");
    let whole_day = local("08:00", "21:00");
    let business = SendWindow::BusinessHours;
    let weekdays = BusinessHours::default();
    let evenings = hours(json!({
        "mon": ["00:00-03:00", "20:00-24:00"], "tue": ["00:00-03:00", "20:00-24:00"],
        "wed": ["00:00-03:00", "20:00-24:00"], "thu": ["00:00-03:00", "20:00-24:00"],
        "fri": ["00:00-03:00", "20:00-24:00"], "sat": ["00:00-03:00", "20:00-24:00"],
        "sun": ["00:00-03:00", "20:00-24:00"]
    }));
    let sundays = hours(json!({"sun": ["00:00-24:00"], "wed": ["10:00-11:00"]}));
    let cases = [
        rules(&office, &weekdays, "America/New_York", "America/New_York", true),
        rules(&whole_day, &weekdays, "Europe/London", "Europe/London", false),
        rules(&business, &weekdays, "America/Los_Angeles", "America/New_York", false),
        rules(&business, &evenings, "Australia/Lord_Howe", "Europe/London", true),
        rules(&business, &sundays, "America/Santiago", "America/Havana", false),
    ];

    for r in &cases {
        // The first allowed quarter hour at or after each grid point, by reverse scan.
        let mut next_allowed = vec![None; grid.len()];
        let mut upcoming = None;
        for (i, t) in grid.iter().enumerate().rev() {
            if allowed(*t, r) {
                upcoming = Some(*t);
            }
            next_allowed[i] = upcoming;
        }
        for (i, due) in grid.iter().take((days * per_day) as usize).enumerate() {
            let expected = next_allowed[i].filter(|t| *t <= *due + Duration::days(14));
            let got = next_send_time(*due, r);
            assert_eq!(got, expected, "due {due} in {}", r.recipient_zone);
            if let Some(t) = got {
                assert!(allowed(t, r), "{t} breaks the rules for due {due}");
            }
        }
    }
}
