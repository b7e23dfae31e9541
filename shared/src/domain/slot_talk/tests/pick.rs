use super::{local, utc, zone};
use crate::domain::slot_talk::pick;

const CHICAGO: &str = "America/Chicago";

/// Tue 3 Dec 10:00, Tue 3 Dec 14:30, Wed 4 Dec 9:00 in Chicago, offered on Mon 2 Dec at noon.
fn three() -> Vec<chrono::DateTime<chrono::Utc>> {
    ["2024-12-03 10:00", "2024-12-03 14:30", "2024-12-04 09:00"].iter().map(|s| local(CHICAGO, s)).collect()
}

fn monday_noon() -> chrono::DateTime<chrono::Utc> {
    local(CHICAGO, "2024-12-02 12:00")
}

#[test]
fn picks_by_number_place_and_time() {
    let cases = [
        ("2", Some(1)),
        ("2.", Some(1)),
        (" 2 ", Some(1)),
        ("#2", Some(1)),
        ("option 2", Some(1)),
        ("Option #3", Some(2)),
        ("option two", Some(1)),
        ("number 2 please", Some(1)),
        ("2 please", Some(1)),
        ("2 works", Some(1)),
        ("I'll take 3", Some(2)),
        ("1!", Some(0)),
        ("the second one", Some(1)),
        ("second", Some(1)),
        ("Second please", Some(1)),
        ("2nd", Some(1)),
        ("the 2nd", Some(1)),
        ("I'll take the 2nd", Some(1)),
        ("the 3rd", Some(2)),
        ("first one works", Some(0)),
        ("The first, please", Some(0)),
        ("the last one", Some(2)),
        ("last", Some(2)),
        ("tuesday 10", Some(0)),
        ("Tue at 10", Some(0)),
        ("Tuesday @ 10", Some(0)),
        ("10am works", Some(0)),
        ("10 AM", Some(0)),
        ("10 a.m. please", Some(0)),
        ("10:00", Some(0)),
        ("14:30 please", Some(1)),
        ("2:30pm", Some(1)),
        ("2.30pm", Some(1)),
        ("2:30", Some(1)),
        ("at 2.30", Some(1)),
        ("9am", Some(2)),
        ("wednesday", Some(2)),
        ("Wed 9am", Some(2)),
        ("wednesday morning", Some(2)),
        ("tuesday afternoon", Some(1)),
        ("the afternoon one", Some(1)),
        ("tomorrow at 10", Some(0)),
        ("tomorrow 2:30pm works for me", Some(1)),
        ("the 3rd at 10", Some(0)),
        ("on the 4th", Some(2)),
        ("Dec 3 10am", Some(0)),
        ("3 Dec at 2:30pm", Some(1)),
        ("December 4th", Some(2)),
        ("12/4", Some(2)),
        ("Tuesday at 2:30pm would be great, thanks!", Some(1)),
        ("no problem, 2 works", Some(1)),
        ("option 2 on tuesday", Some(1)),
        ("Good morning, 2 please", Some(1)),
        ("Is 2 still available?", Some(1)),
        ("the later one on tuesday", None),
        ("the earliest", Some(0)),
        ("the later one", Some(2)),
        // A bare number past the last option is an hour: one slot is at 10:00, one at 9:00.
        ("10", Some(0)),
        ("9", Some(2)),
        ("10 please", Some(0)),
    ];
    for (text, want) in cases {
        assert_eq!(pick(text, &three(), super::zone(CHICAGO), monday_noon()), want, "{text:?}");
    }
}

#[test]
fn picks_nothing_when_the_reply_is_unclear_or_a_no() {
    let cases = [
        "",
        "tuesday",
        "tomorrow",
        "yes",
        "ok",
        "sounds good",
        "either works",
        "10 or 2:30",
        "2 or 3",
        "the first or the second",
        "option 2 on wednesday",
        "option 4",
        "4",
        "0",
        "11",
        "tuesday at 9",
        "thursday",
        "friday at 10",
        "next tuesday",
        "Dec 5",
        "the 5th at 10",
        "the 4th at 10",
        "I have 2 dogs",
        "we have 2 bathrooms that need work",
        "can you do it for $200",
        "$2",
        "call me at 555-123-4567",
        "3.5 hours",
        "50%",
        "no",
        "No.",
        "nope",
        "none of those",
        "neither",
        "neither works",
        "another time",
        "something else",
        "a different day",
        "no, the second one",
        "2 doesn't work",
        "can't do 10am",
        "first thing tomorrow",
        "last week was better",
        "after 2pm",
        "10-11am",
        "between 9 and 10",
        "what about the 10th",
        "what does it cost",
        "I'll let you know later",
        "good morning",
    ];
    for text in cases {
        assert_eq!(pick(text, &three(), zone(CHICAGO), monday_noon()), None, "{text:?}");
    }
    assert_eq!(pick("1", &[], zone(CHICAGO), monday_noon()), None);
}

#[test]
fn a_yes_picks_the_only_slot() {
    let one = [local(CHICAGO, "2024-12-03 14:00")];
    let cases = [
        ("yes", Some(0)),
        ("Yes please!", Some(0)),
        ("ok", Some(0)),
        ("OK sounds good", Some(0)),
        ("sounds good", Some(0)),
        ("that works", Some(0)),
        ("perfect, book it", Some(0)),
        ("1", Some(0)),
        ("2", Some(0)),
        ("2pm", Some(0)),
        ("tuesday", Some(0)),
        ("the first one", Some(0)),
        ("3", None),
        ("wednesday", None),
        ("no", None),
        ("yes but not tuesday", None),
        ("ok what about thursday", None),
        ("option 2", None),
        ("the second one", None),
    ];
    for (text, want) in cases {
        assert_eq!(pick(text, &one, zone(CHICAGO), monday_noon()), want, "{text:?}");
    }
}

#[test]
fn a_bare_number_is_an_option_before_it_is_an_hour() {
    // Ten options: "10" is the tenth, not 10:00 (the first).
    let ten: Vec<_> = (0..10).map(|h| local(CHICAGO, &format!("2024-12-03 {:02}:00", h + 10))).collect();
    assert_eq!(pick("10", &ten, zone(CHICAGO), monday_noon()), Some(9));
    assert_eq!(pick("at 10", &ten, zone(CHICAGO), monday_noon()), Some(0));
    // Three days at 10:00: the hour does not settle it.
    let tens: Vec<_> =
        ["2024-12-03 10:00", "2024-12-04 10:00", "2024-12-05 10:00"].iter().map(|s| local(CHICAGO, s)).collect();
    assert_eq!(pick("10", &tens, zone(CHICAGO), monday_noon()), None);
    assert_eq!(pick("10am", &tens, zone(CHICAGO), monday_noon()), None);
    assert_eq!(pick("thursday 10am", &tens, zone(CHICAGO), monday_noon()), Some(2));
    // "the 3rd" with two options can only be the day.
    let two = [local(CHICAGO, "2024-12-03 10:00"), local(CHICAGO, "2024-12-04 09:00")];
    assert_eq!(pick("the 3rd", &two, zone(CHICAGO), monday_noon()), Some(0));
    assert_eq!(pick("the 4th please", &two, zone(CHICAGO), monday_noon()), Some(1));
    // 7:30 and 19:30 both offered: the offer wrote "7:30" for the morning one.
    let both = [local(CHICAGO, "2024-12-03 07:30"), local(CHICAGO, "2024-12-03 19:30")];
    assert_eq!(pick("7:30", &both, zone(CHICAGO), monday_noon()), Some(0));
    assert_eq!(pick("19:30", &both, zone(CHICAGO), monday_noon()), Some(1));
    assert_eq!(pick("7:30pm", &both, zone(CHICAGO), monday_noon()), Some(1));
    assert_eq!(pick("tuesday evening", &both, zone(CHICAGO), monday_noon()), Some(1));
    // Only 19:30 offered: "7:30" can only mean it.
    assert_eq!(pick("7:30", &both[1..], zone(CHICAGO), monday_noon()), Some(0));
}

#[test]
fn reads_days_and_times_in_the_zone() {
    // Kolkata, +5:30: 04:30Z is 10:00, 09:00Z is 14:30, both on Tue 3 Dec.
    let kolkata = "Asia/Kolkata";
    let offered = [utc("2024-12-03 04:30"), utc("2024-12-03 09:00")];
    let monday = utc("2024-12-02 06:30");
    // 19:00Z on the 2nd is already 00:30 on Tuesday the 3rd in Kolkata.
    let after_midnight = utc("2024-12-02 19:00");
    let cases = [
        ("2:30pm", monday, Some(1)),
        ("10am", monday, Some(0)),
        ("tomorrow at 10", monday, Some(0)),
        ("today at 10", monday, None),
        ("today at 10", after_midnight, Some(0)),
        ("tomorrow at 10", after_midnight, None),
        ("tuesday at 2:30pm", after_midnight, Some(1)),
    ];
    for (text, now, want) in cases {
        assert_eq!(pick(text, &offered, zone(kolkata), now), want, "{text:?} at {now}");
    }
}

#[test]
fn reads_times_across_chicago_dst_changes() {
    // Sat 13 Mar 2027 10:00 CST and Mon 15 Mar 10:00 CDT; the clocks go forward between.
    let offered = [utc("2027-03-13 16:00"), utc("2027-03-15 15:00")];
    let friday = utc("2027-03-12 18:00");
    let cases = [
        ("monday at 10", Some(1)),
        ("saturday", Some(0)),
        ("sat 10am", Some(0)),
        ("next monday", Some(1)),
        ("the 15th", Some(1)),
        ("March 13", Some(0)),
        ("3/15 10:00", Some(1)),
        ("10am", None),
        ("9am", None),
    ];
    for (text, want) in cases {
        assert_eq!(pick(text, &offered, zone(CHICAGO), friday), want, "{text:?}");
    }
    // Sun 7 Nov 2027 1:30 CDT (06:30Z) and 10:00 CST (16:00Z): local clocks, not offsets.
    let fall = [utc("2027-11-07 06:30"), utc("2027-11-07 16:00")];
    let saturday = utc("2027-11-06 18:00");
    assert_eq!(pick("1:30am", &fall, zone(CHICAGO), saturday), Some(0));
    assert_eq!(pick("tomorrow at 10am", &fall, zone(CHICAGO), saturday), Some(1));
}
