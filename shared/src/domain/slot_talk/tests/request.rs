use super::{date, local, time, utc, zone};
use crate::domain::slot_talk::{DayPart, TimeRequest, requested_time};

const CHICAGO: &str = "America/Chicago";

fn req(d: Option<&str>, t: Option<&str>, p: Option<DayPart>) -> TimeRequest {
    TimeRequest { date: d.map(date), time: t.map(time), part: p }
}

#[test]
fn reads_days_times_and_parts() {
    // Monday 2 December 2024, noon in Chicago.
    let now = local(CHICAGO, "2024-12-02 12:00");
    let (morning, afternoon, evening) = (Some(DayPart::Morning), Some(DayPart::Afternoon), Some(DayPart::Evening));
    let cases = [
        ("Can I book a drain cleaning tomorrow morning?", Some(req(Some("2024-12-03"), None, morning))),
        ("can you come Tuesday at 10am?", Some(req(Some("2024-12-03"), Some("10:00"), None))),
        ("is 3pm free?", Some(req(None, Some("15:00"), None))),
        ("tomorrow", Some(req(Some("2024-12-03"), None, None))),
        ("tmrw pls", Some(req(Some("2024-12-03"), None, None))),
        ("today", Some(req(Some("2024-12-02"), None, None))),
        ("tonight", Some(req(Some("2024-12-02"), None, evening))),
        ("tonight at 8", Some(req(Some("2024-12-02"), Some("20:00"), evening))),
        ("this afternoon", Some(req(Some("2024-12-02"), None, afternoon))),
        ("the day after tomorrow", Some(req(Some("2024-12-04"), None, None))),
        ("tuesday", Some(req(Some("2024-12-03"), None, None))),
        ("this friday", Some(req(Some("2024-12-06"), None, None))),
        ("on friday", Some(req(Some("2024-12-06"), None, None))),
        // Strictly after today: it is Monday, so "monday" is next week's.
        ("monday", Some(req(Some("2024-12-09"), None, None))),
        ("sunday", Some(req(Some("2024-12-08"), None, None))),
        ("next tuesday", Some(req(Some("2024-12-10"), None, None))),
        ("next monday", Some(req(Some("2024-12-09"), None, None))),
        ("next sunday", Some(req(Some("2024-12-15"), None, None))),
        ("Friday evening", Some(req(Some("2024-12-06"), None, evening))),
        ("friday night", Some(req(Some("2024-12-06"), None, evening))),
        ("Dec 3", Some(req(Some("2024-12-03"), None, None))),
        ("3 Dec", Some(req(Some("2024-12-03"), None, None))),
        ("December 3rd", Some(req(Some("2024-12-03"), None, None))),
        ("the 3rd of December", Some(req(Some("2024-12-03"), None, None))),
        ("Dec. 3, 2025", Some(req(Some("2025-12-03"), None, None))),
        ("12/3", Some(req(Some("2024-12-03"), None, None))),
        ("1/15/2025", Some(req(Some("2025-01-15"), None, None))),
        ("2027-03-14", Some(req(Some("2027-03-14"), None, None))),
        ("May 5th", Some(req(Some("2025-05-05"), None, None))),
        // Passed this year: next year's.
        ("Dec 1", Some(req(Some("2025-12-01"), None, None))),
        ("Feb 29", Some(req(Some("2028-02-29"), None, None))),
        ("on the 3rd", Some(req(Some("2024-12-03"), None, None))),
        ("the 1st works", Some(req(Some("2025-01-01"), None, None))),
        ("Tue 3 Dec", Some(req(Some("2024-12-03"), None, None))),
        ("10am", Some(req(None, Some("10:00"), None))),
        ("10 am", Some(req(None, Some("10:00"), None))),
        ("10 A.M.", Some(req(None, Some("10:00"), None))),
        ("10:30", Some(req(None, Some("10:30"), None))),
        ("2:30pm", Some(req(None, Some("14:30"), None))),
        ("2.30pm", Some(req(None, Some("14:30"), None))),
        ("14:30", Some(req(None, Some("14:30"), None))),
        ("09:15", Some(req(None, Some("09:15"), None))),
        ("12pm", Some(req(None, Some("12:00"), None))),
        ("12am", Some(req(None, Some("00:00"), None))),
        ("noon", Some(req(None, Some("12:00"), None))),
        ("3 o'clock", Some(req(None, Some("15:00"), None))),
        // Business hours: 1..=7 without am/pm is afternoon or evening, 8..=11 morning.
        ("at 3", Some(req(None, Some("15:00"), None))),
        ("at 7:30", Some(req(None, Some("19:30"), None))),
        ("at 9", Some(req(None, Some("09:00"), None))),
        ("at 12", Some(req(None, Some("12:00"), None))),
        ("at 8 in the evening", Some(req(None, Some("20:00"), evening))),
        ("at 6 in the morning", Some(req(None, Some("06:00"), morning))),
        ("morning", Some(req(None, None, morning))),
        ("any time in the afternoon", Some(req(None, None, afternoon))),
        ("evening please", Some(req(None, None, evening))),
        ("tomorrow afternoon at 3", Some(req(Some("2024-12-03"), Some("15:00"), afternoon))),
        ("Dec 3 at 2:30pm", Some(req(Some("2024-12-03"), Some("14:30"), None))),
        ("wednesday 10", Some(req(Some("2024-12-04"), Some("10:00"), None))),
        ("10 tomorrow?", Some(req(Some("2024-12-03"), Some("10:00"), None))),
        ("the 3rd at 10", Some(req(Some("2024-12-03"), Some("10:00"), None))),
        ("I need 2 bathrooms cleaned tomorrow at 9", Some(req(Some("2024-12-03"), Some("09:00"), None))),
        ("call me at 555-123-4567 about friday", Some(req(Some("2024-12-06"), None, None))),
        // A day said no to is not asked for; two different days settle nothing.
        ("can't do tuesday, how about wednesday at 10?", Some(req(Some("2024-12-04"), Some("10:00"), None))),
        ("tuesday doesn't work. Thursday?", Some(req(Some("2024-12-05"), None, None))),
        ("no rush, tomorrow is fine", Some(req(Some("2024-12-03"), None, None))),
        ("Good morning! Can I book for friday?", Some(req(Some("2024-12-06"), None, None))),
        ("good evening, is tomorrow morning open?", Some(req(Some("2024-12-03"), None, morning))),
        ("tuesday or wednesday afternoon", Some(req(None, None, afternoon))),
        ("at 10 or 11", None),
        ("Wed 3 Dec", None),
    ];
    for (text, want) in cases {
        assert_eq!(requested_time(text, zone(CHICAGO), now), want, "{text:?}");
    }
}

#[test]
fn numbers_that_are_not_times_are_not_read_as_times() {
    let now = local(CHICAGO, "2024-12-02 12:00");
    let cases = [
        "",
        "hi, do you do drain cleaning?",
        "call me at 555-123-4567",
        "my number is 312 555 0199",
        "Call me at (312) 555-0199",
        "text 3125550199",
        "the quote was $200",
        "is it under $2.50 a foot?",
        "we have 2 bathrooms",
        "I have 3 kids and 2 dogs",
        "the house was built in 2019",
        "it takes about 2.5 hours",
        "we're open 24/7",
        "we are at 3 locations",
        "50% off?",
        "it's on the 2nd floor",
        "10 minutes away",
        "I may 3 times have called",
        "after 3pm",
        "before 10am",
        "between 2 and 4",
        "10-11am",
        "9:00-10:30",
        "I'm busy tomorrow",
        "not tuesday",
        "last week",
        "sat on the couch",
        "the sun is out",
        "first thing",
        "Feb 30",
    ];
    for text in cases {
        assert_eq!(requested_time(text, zone(CHICAGO), now), None, "{text:?}");
    }
}

#[test]
fn reads_relative_days_in_the_zone_across_dst() {
    let cases = [
        // 07:30Z on 14 Mar 2027 is 01:30 CST; 10:00 that day is CDT (15:00Z).
        (CHICAGO, "2027-03-14 07:30", "today at 10", "2027-03-14", "10:00", Some("2027-03-14 15:00")),
        // 2:30am does not exist that day in Chicago.
        (CHICAGO, "2027-03-14 07:30", "today at 2:30am", "2027-03-14", "02:30", None),
        // 04:30Z on the 14th is still Saturday 13th, 22:30 CST.
        (CHICAGO, "2027-03-14 04:30", "tomorrow at 9", "2027-03-14", "09:00", Some("2027-03-14 14:00")),
        (CHICAGO, "2027-03-14 04:30", "sunday 9am", "2027-03-14", "09:00", Some("2027-03-14 14:00")),
        // 1:30am twice on 7 Nov 2027: the earlier, CDT.
        (CHICAGO, "2027-11-06 12:00", "tomorrow at 1:30am", "2027-11-07", "01:30", Some("2027-11-07 06:30")),
        (CHICAGO, "2027-11-06 12:00", "Nov 7 at 3pm", "2027-11-07", "15:00", Some("2027-11-07 21:00")),
        // 19:00Z on Mon 2 Dec is Tue 3 Dec 00:30 in Kolkata: "tuesday" is next week's.
        ("Asia/Kolkata", "2024-12-02 19:00", "tomorrow at 10am", "2024-12-04", "10:00", Some("2024-12-04 04:30")),
        ("Asia/Kolkata", "2024-12-02 19:00", "tuesday at 10am", "2024-12-10", "10:00", Some("2024-12-10 04:30")),
        ("Asia/Kolkata", "2024-12-02 19:00", "today at 2:30pm", "2024-12-03", "14:30", Some("2024-12-03 09:00")),
        // London goes to BST at 1:00 GMT on 28 Mar 2027.
        ("Europe/London", "2027-03-27 12:00", "tomorrow at 1:30am", "2027-03-28", "01:30", None),
        ("Europe/London", "2027-03-27 12:00", "tomorrow at 10", "2027-03-28", "10:00", Some("2027-03-28 09:00")),
        // 23:30Z on Sunday 28th is 00:30 BST on Monday 29th.
        ("Europe/London", "2027-03-28 23:30", "today at 10", "2027-03-29", "10:00", Some("2027-03-29 09:00")),
    ];
    for (tz, now, text, want_date, want_time, want_exact) in cases {
        let got = requested_time(text, zone(tz), utc(now)).unwrap_or_else(|| panic!("{text:?} read nothing"));
        assert_eq!((got.date, got.time), (Some(date(want_date)), Some(time(want_time))), "{text:?} at {now}Z in {tz}");
        assert_eq!(got.exact(zone(tz)), want_exact.map(utc), "{text:?} at {now}Z in {tz}");
    }
}
