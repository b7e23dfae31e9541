mod pick;
mod request;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Utc};

use super::{DayPart, TimeRequest, describe_time, offer_text};
use crate::domain::TimeZone;

pub(super) fn zone(name: &str) -> TimeZone {
    TimeZone::parse(name).unwrap()
}

/// A local wall time in `tz` ("2024-12-03 10:00"), the earlier instant when ambiguous.
pub(super) fn local(tz: &str, at: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap();
    zone(tz).tz().from_local_datetime(&naive).earliest().unwrap().with_timezone(&Utc)
}

pub(super) fn utc(at: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap().and_utc()
}

pub(super) fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub(super) fn time(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

const CHICAGO: &str = "America/Chicago";

#[test]
fn offer_text_groups_times_by_local_day() {
    let cases: [(&str, &[&str], &str); 8] = [
        (CHICAGO, &["2024-12-03 10:00"], "Tue 3 Dec 10:00 — reply 1 to book it"),
        (CHICAGO, &["2024-12-03 10:00", "2024-12-03 14:30"], "Tue 3 Dec 10:00 or 14:30 — reply 1 or 2"),
        (
            CHICAGO,
            &["2024-12-03 10:00", "2024-12-03 14:30", "2024-12-04 09:00"],
            "Tue 3 Dec 10:00 or 14:30, or Wed 4 Dec 9:00 — reply 1, 2 or 3",
        ),
        (
            CHICAGO,
            &["2024-12-03 10:00", "2024-12-04 09:00", "2024-12-05 11:00"],
            "Tue 3 Dec 10:00, Wed 4 Dec 9:00 or Thu 5 Dec 11:00 — reply 1, 2 or 3",
        ),
        (
            CHICAGO,
            &["2024-12-03 09:00", "2024-12-03 10:00", "2024-12-03 14:30"],
            "Tue 3 Dec 9:00, 10:00 or 14:30 — reply 1, 2 or 3",
        ),
        (
            CHICAGO,
            &["2024-12-03 09:00", "2024-12-03 10:00", "2024-12-04 09:00", "2024-12-04 11:05"],
            "Tue 3 Dec 9:00 or 10:00, or Wed 4 Dec 9:00 or 11:05 — reply 1, 2, 3 or 4",
        ),
        (
            CHICAGO,
            &["2024-12-03 09:00", "2024-12-04 09:00", "2024-12-04 10:00"],
            "Tue 3 Dec 9:00, or Wed 4 Dec 9:00 or 10:00 — reply 1, 2 or 3",
        ),
        (
            "Europe/London",
            &["2027-03-26 17:00", "2027-03-29 08:00"],
            "Fri 26 Mar 17:00 or Mon 29 Mar 8:00 — reply 1 or 2",
        ),
    ];
    for (tz, slots, want) in cases {
        let slots: Vec<_> = slots.iter().map(|s| local(tz, s)).collect();
        assert_eq!(offer_text(&slots, zone(tz)), want, "{slots:?}");
    }
}

#[test]
fn offer_text_converts_instants_to_the_zones_wall_clock() {
    let cases: [(&str, &[&str], &str); 4] = [
        // 10:00 CST on the Saturday is 16:00Z, 10:00 CDT on the Monday is 15:00Z.
        (CHICAGO, &["2027-03-13 16:00", "2027-03-15 15:00"], "Sat 13 Mar 10:00 or Mon 15 Mar 10:00 — reply 1 or 2"),
        // 06:00Z is 1:00 CDT before the clocks go back, 16:00Z is 10:00 CST.
        (CHICAGO, &["2027-11-07 06:00", "2027-11-07 16:00"], "Sun 7 Nov 1:00 or 10:00 — reply 1 or 2"),
        // +5:30: 18:45Z is already the next day.
        ("Asia/Kolkata", &["2024-12-03 04:30", "2024-12-03 18:45"], "Tue 3 Dec 10:00 or Wed 4 Dec 0:15 — reply 1 or 2"),
        (
            "Europe/London",
            &["2027-03-27 10:00", "2027-03-29 10:00"],
            "Sat 27 Mar 10:00 or Mon 29 Mar 11:00 — reply 1 or 2",
        ),
    ];
    for (tz, slots, want) in cases {
        let slots: Vec<_> = slots.iter().map(|s| utc(s)).collect();
        assert_eq!(offer_text(&slots, zone(tz)), want);
    }
    assert_eq!(offer_text(&[], zone(CHICAGO)), "");
}

#[test]
fn describe_time_names_the_local_day_time_and_zone() {
    let cases = [
        (CHICAGO, "2024-12-03 16:00", "Tuesday 3 December at 10:00 (America/Chicago)"),
        (CHICAGO, "2027-03-15 14:05", "Monday 15 March at 9:05 (America/Chicago)"),
        ("Asia/Kolkata", "2024-12-03 18:45", "Wednesday 4 December at 0:15 (Asia/Kolkata)"),
        ("Europe/London", "2027-07-01 16:30", "Thursday 1 July at 17:30 (Europe/London)"),
    ];
    for (tz, at, want) in cases {
        assert_eq!(describe_time(utc(at), zone(tz)), want);
    }
}

#[test]
fn exact_is_the_local_time_in_the_zone_across_dst() {
    let request = |d: &str, t: &str| TimeRequest { date: Some(date(d)), time: Some(time(t)), part: None };
    let cases = [
        (CHICAGO, request("2024-12-03", "10:00"), Some("2024-12-03 16:00")),
        // Spring forward: 2:00-3:00 does not exist on 14 March 2027.
        (CHICAGO, request("2027-03-14", "02:30"), None),
        (CHICAGO, request("2027-03-14", "01:59"), Some("2027-03-14 07:59")),
        (CHICAGO, request("2027-03-14", "03:30"), Some("2027-03-14 08:30")),
        // Fall back: 1:30 happens twice on 7 November 2027; the earlier is CDT.
        (CHICAGO, request("2027-11-07", "01:30"), Some("2027-11-07 06:30")),
        (CHICAGO, request("2027-11-07", "10:00"), Some("2027-11-07 16:00")),
        ("Asia/Kolkata", request("2024-12-03", "10:00"), Some("2024-12-03 04:30")),
        ("Europe/London", request("2027-03-28", "01:30"), None),
        ("Europe/London", request("2027-03-28", "10:00"), Some("2027-03-28 09:00")),
    ];
    for (tz, req, want) in cases {
        assert_eq!(req.exact(zone(tz)), want.map(utc), "{req:?} in {tz}");
    }
    let no_time = TimeRequest { date: Some(date("2024-12-03")), time: None, part: Some(DayPart::Morning) };
    let no_date = TimeRequest { date: None, time: Some(time("10:00")), part: None };
    assert_eq!(no_time.exact(zone(CHICAGO)), None);
    assert_eq!(no_date.exact(zone(CHICAGO)), None);
}

#[test]
fn matches_checks_each_named_field_in_local_time() {
    let req = |d: Option<&str>, t: Option<&str>, p: Option<DayPart>| TimeRequest {
        date: d.map(date),
        time: t.map(time),
        part: p,
    };
    let (morning, afternoon, evening) = (Some(DayPart::Morning), Some(DayPart::Afternoon), Some(DayPart::Evening));
    let cases = [
        (CHICAGO, req(None, None, None), "2024-12-03 16:00", true),
        (CHICAGO, req(Some("2024-12-03"), Some("10:00"), None), "2024-12-03 16:00", true),
        (CHICAGO, req(Some("2024-12-03"), Some("10:00"), None), "2024-12-03 16:01", false),
        (CHICAGO, req(Some("2024-12-04"), Some("10:00"), None), "2024-12-03 16:00", false),
        (CHICAGO, req(Some("2024-12-03"), None, morning), "2024-12-03 17:59", true),
        (CHICAGO, req(Some("2024-12-03"), None, morning), "2024-12-03 18:00", false),
        (CHICAGO, req(None, None, afternoon), "2024-12-03 18:00", true),
        (CHICAGO, req(None, None, afternoon), "2024-12-03 22:59", true),
        (CHICAGO, req(None, None, afternoon), "2024-12-03 23:00", false),
        (CHICAGO, req(None, None, evening), "2024-12-03 23:00", true),
        (CHICAGO, req(None, None, evening), "2024-12-03 22:59", false),
        (CHICAGO, req(None, Some("10:00"), evening), "2024-12-03 16:00", false),
        // 1:30 twice on the fall-back day: both instants are 1:30 local.
        (CHICAGO, req(Some("2027-11-07"), Some("01:30"), None), "2027-11-07 06:30", true),
        (CHICAGO, req(Some("2027-11-07"), Some("01:30"), None), "2027-11-07 07:30", true),
        (CHICAGO, req(Some("2027-03-14"), Some("03:00"), morning), "2027-03-14 08:00", true),
        // 18:45Z is 00:15 on the 4th in Kolkata, not the 3rd.
        ("Asia/Kolkata", req(Some("2024-12-04"), None, morning), "2024-12-03 18:45", true),
        ("Asia/Kolkata", req(Some("2024-12-03"), None, None), "2024-12-03 18:45", false),
        ("Europe/London", req(Some("2027-07-01"), Some("17:30"), evening), "2027-07-01 16:30", true),
    ];
    for (tz, request, at, want) in cases {
        assert_eq!(request.matches(utc(at), zone(tz)), want, "{request:?} at {at}Z in {tz}");
    }
}

proptest::proptest! {
    /// Any text, including digits, symbols and non-ASCII, reads without panicking, and a
    /// pick is always one of the offered slots.
    #[test]
    fn any_text_reads_safely(text in r"[0-9a-zA-Z:./#$%@,'’ \-]{0,40}|\PC{0,40}", count in 1usize..5) {
        let offered: Vec<_> = (0..count).map(|h| local(CHICAGO, &format!("2024-12-03 {:02}:30", 9 + h))).collect();
        let now = local(CHICAGO, "2024-12-02 12:00");
        if let Some(i) = super::pick(&text, &offered, zone(CHICAGO), now) {
            proptest::prop_assert!(i < count);
        }
        if let Some(r) = super::requested_time(&text, zone(CHICAGO), now) {
            proptest::prop_assert_ne!(r, TimeRequest::default());
        }
    }

    /// Every offered time is readable back from its own label: "Tue 3 Dec 10:30" picks it.
    #[test]
    fn each_offered_label_picks_its_slot(hours in proptest::collection::btree_set(0u32..48, 1..5)) {
        let tz = zone("Asia/Kolkata");
        let start = utc("2024-12-02 18:30");
        let offered: Vec<_> = hours.iter().map(|h| start + chrono::Duration::minutes(i64::from(*h) * 45)).collect();
        let text = offer_text(&offered, tz);
        let reply = if offered.len() == 1 { " — reply 1 to book it".to_owned() } else { format!(" or {}", offered.len()) };
        proptest::prop_assert!(text.ends_with(&reply), "{}", text);
        for (i, at) in offered.iter().enumerate() {
            let label = at.with_timezone(&tz.tz()).format("%a %-d %b %-H:%M").to_string();
            proptest::prop_assert_eq!(super::pick(&label, &offered, tz, start), Some(i), "{}", label);
        }
    }
}
