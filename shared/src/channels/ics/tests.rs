use chrono::TimeZone as _;
use icalendar::{Calendar, Component, DatePerhapsTime, EventLike, EventStatus, PartStat, Role};

use super::*;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap()
}

fn booking() -> IcsInvite<'static> {
    IcsInvite {
        uid: "0195f3a2-7c1e-7b44-9a0e-3d2c1b0a9f8e@leadflow".into(),
        sequence: 0,
        method: IcsMethod::Request,
        stamp: utc(2026, 3, 4, 15, 22),
        start: utc(2026, 3, 10, 15, 0),
        end: utc(2026, 3, 10, 15, 30),
        summary: "Kitchen remodel consultation",
        description: Some("Quartz counters, about 200 sq ft.\nBudget around $25,000."),
        location: Some("https://us02web.zoom.us/j/84512345678"),
        url: Some("https://us02web.zoom.us/j/84512345678?pwd=bXlSa2V0ZzB3d2ZqZ3Zt"),
        organizer_name: "Austin Plumbing",
        organizer_email: Some("hello@austinplumbing.example"),
        attendee_name: Some("José Müller"),
        attendee_email: Some("jose.muller@example.com"),
    }
}

/// Reads the file back with the crate's parser, which unfolds and unescapes.
fn read(ics: &str) -> Calendar {
    let unfolded = icalendar::parser::unfold(ics);
    icalendar::parser::read_calendar(&unfolded).unwrap().into()
}

fn only_event(calendar: &Calendar) -> &icalendar::Event {
    assert_eq!(calendar.components.len(), 1);
    calendar.components[0].as_event().unwrap()
}

fn param<'a>(event: &'a icalendar::Event, property: &str, name: &str) -> Option<&'a str> {
    event.properties().get(property)?.params().get(name).map(icalendar::Parameter::value)
}

/// The physical lines, as octets: every one must end in CRLF.
fn raw_lines(ics: &str) -> Vec<&[u8]> {
    let bytes = ics.as_bytes();
    assert!(bytes.ends_with(b"\r\n"));
    let lines: Vec<&[u8]> = bytes[..bytes.len() - 2].split(|b| *b == b'\n').collect();
    for line in &lines[..lines.len() - 1] {
        assert!(line.ends_with(b"\r"), "a bare LF: {:?}", String::from_utf8_lossy(line));
    }
    lines.iter().map(|l| l.strip_suffix(b"\r").unwrap_or(l)).collect()
}

/// The logical lines: continuation lines joined back.
fn unfolded_lines(ics: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in raw_lines(ics) {
        let raw = std::str::from_utf8(raw).unwrap();
        match raw.strip_prefix(' ') {
            Some(more) => lines.last_mut().unwrap().push_str(more),
            None => lines.push(raw.to_owned()),
        }
    }
    lines
}

#[test]
fn a_request_carries_every_property() {
    let ics = invite(&booking());
    let calendar = read(&ics);
    assert_eq!(calendar.property_value("PRODID"), Some(PRODID));
    assert_eq!(calendar.property_value("VERSION"), Some("2.0"));
    assert_eq!(calendar.property_value("CALSCALE"), Some("GREGORIAN"));
    assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
    let event = only_event(&calendar);
    assert_eq!(event.get_uid(), Some("0195f3a2-7c1e-7b44-9a0e-3d2c1b0a9f8e@leadflow"));
    assert_eq!(event.get_sequence(), Some(0));
    assert_eq!(event.get_timestamp(), Some(utc(2026, 3, 4, 15, 22)));
    assert_eq!(event.get_start(), Some(DatePerhapsTime::from(utc(2026, 3, 10, 15, 0))));
    assert_eq!(event.get_end(), Some(DatePerhapsTime::from(utc(2026, 3, 10, 15, 30))));
    assert_eq!(event.get_summary(), Some("Kitchen remodel consultation"));
    assert_eq!(event.get_description(), Some("Quartz counters, about 200 sq ft.\nBudget around $25,000."));
    assert_eq!(event.get_location(), Some("https://us02web.zoom.us/j/84512345678"));
    assert_eq!(event.get_url(), Some("https://us02web.zoom.us/j/84512345678?pwd=bXlSa2V0ZzB3d2ZqZ3Zt"));
    assert_eq!(event.get_status(), Some(EventStatus::Confirmed));
    assert_eq!(event.property_value("ORGANIZER"), Some("mailto:hello@austinplumbing.example"));
    assert_eq!(param(event, "ORGANIZER", "CN"), Some("Austin Plumbing"));
    let attendees = event.get_attendees();
    assert_eq!(attendees.len(), 1);
    assert_eq!(attendees[0].cal_address, "mailto:jose.muller@example.com");
    assert_eq!(attendees[0].cn.as_deref(), Some("José Müller"));
    assert_eq!(attendees[0].role, Some(Role::ReqParticipant));
    assert_eq!(attendees[0].part_stat, Some(PartStat::NeedsAction));
    assert_eq!(attendees[0].rsvp, Some(true));

    // And by hand: the exact lines a mail client reads.
    let lines = unfolded_lines(&ics);
    let expected = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Leadflow//Bookings 1.0//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "DESCRIPTION:Quartz counters\\, about 200 sq ft.\\nBudget around $25\\,000.",
        "DTEND:20260310T153000Z",
        "DTSTAMP:20260304T152200Z",
        "DTSTART:20260310T150000Z",
        "LOCATION:https://us02web.zoom.us/j/84512345678",
        "ORGANIZER;CN=Austin Plumbing:mailto:hello@austinplumbing.example",
        "SEQUENCE:0",
        "STATUS:CONFIRMED",
        "SUMMARY:Kitchen remodel consultation",
        "UID:0195f3a2-7c1e-7b44-9a0e-3d2c1b0a9f8e@leadflow",
        "URL:https://us02web.zoom.us/j/84512345678?pwd=bXlSa2V0ZzB3d2ZqZ3Zt",
        "ATTENDEE;CN=José Müller;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:jose.muller@example.com",
        "END:VEVENT",
        "END:VCALENDAR",
    ];
    assert_eq!(lines, expected);
}

#[test]
fn optional_parts_are_left_out() {
    let bare = IcsInvite {
        description: None,
        location: None,
        url: None,
        organizer_email: None,
        attendee_name: None,
        attendee_email: Some("dana@example.com"),
        ..booking()
    };
    let ics = invite(&bare);
    for absent in ["DESCRIPTION", "LOCATION", "URL", "ORGANIZER"] {
        assert!(!unfolded_lines(&ics).iter().any(|l| l.starts_with(absent)), "{absent} in {ics}");
    }
    assert!(
        unfolded_lines(&ics).contains(
            &"ATTENDEE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:dana@example.com".to_owned()
        )
    );
    let no_attendee = invite(&IcsInvite { attendee_email: None, ..bare });
    assert!(!no_attendee.contains("ATTENDEE"));
}

#[test]
fn text_is_escaped_and_comes_back_unchanged() {
    let summary = "Résumé review; kitchen, bath \\ laundry — 厨房";
    let description = "Line one,\r\nline two; with \"quotes\"\rline three\u{7}\tend";
    let awkward = IcsInvite {
        summary,
        description: Some(description),
        location: Some("1200 S Lamar Blvd, Austin, TX 78704"),
        organizer_name: "Austin Plumbing, Heating; \"Cooling\"",
        attendee_name: Some("Müller, José"),
        ..booking()
    };
    let ics = invite(&awkward);
    let calendar = read(&ics);
    let event = only_event(&calendar);
    assert_eq!(event.get_summary(), Some(summary));
    assert_eq!(event.get_description(), Some("Line one,\nline two; with \"quotes\"\nline three\tend"));
    assert_eq!(event.get_location(), Some("1200 S Lamar Blvd, Austin, TX 78704"));
    assert_eq!(param(event, "ORGANIZER", "CN"), Some("Austin Plumbing, Heating; 'Cooling'"));
    assert_eq!(event.get_attendees()[0].cn.as_deref(), Some("Müller, José"));
    let lines = unfolded_lines(&ics);
    let line = |name: &str| lines.iter().find(|l| l.starts_with(name)).unwrap().clone();
    assert_eq!(line("SUMMARY:"), "SUMMARY:Résumé review\\; kitchen\\, bath \\\\ laundry — 厨房");
    assert_eq!(line("DESCRIPTION:"), "DESCRIPTION:Line one\\,\\nline two\\; with \"quotes\"\\nline three\tend");
    assert_eq!(line("LOCATION:"), "LOCATION:1200 S Lamar Blvd\\, Austin\\, TX 78704");
    assert_eq!(
        line("ORGANIZER"),
        "ORGANIZER;CN=\"Austin Plumbing, Heating; 'Cooling'\":mailto:hello@austinplumbing.example"
    );
    assert!(line("ATTENDEE").starts_with("ATTENDEE;CN=\"Müller, José\";PARTSTAT="));
}

#[test]
fn a_line_break_in_a_uri_cannot_add_a_property() {
    let hostile = IcsInvite {
        url: Some("https://meet.example.com/x\r\nATTENDEE:mailto:eve@example.com"),
        attendee_email: Some("jose.muller@example.com\r\nORGANIZER:mailto:eve@example.com"),
        ..booking()
    };
    let ics = invite(&hostile);
    let lines = unfolded_lines(&ics);
    assert_eq!(lines.iter().filter(|l| l.starts_with("ATTENDEE")).count(), 1);
    assert_eq!(lines.iter().filter(|l| l.starts_with("ORGANIZER")).count(), 1);
    assert!(lines.contains(&"URL:https://meet.example.com/xATTENDEE:mailto:eve@example.com".to_owned()));
}

#[test]
fn long_lines_fold_at_75_octets_between_characters() {
    // Two-, three- and four-octet characters, so cuts land inside them at every offset.
    let description = "Ünïcödé façade — 厨房のリフォーム 🛠️🚿 ".repeat(12);
    let summary = "Ä".repeat(100);
    let long = IcsInvite { description: Some(&description), summary: &summary, ..booking() };
    let ics = invite(&long);
    let raw = raw_lines(&ics);
    assert!(raw.iter().filter(|l| l.starts_with(b" ")).count() > 10, "the long values were folded");
    for line in &raw {
        assert!(line.len() <= 75, "{} octets: {:?}", line.len(), String::from_utf8_lossy(line));
        assert!(std::str::from_utf8(line).is_ok(), "a character was split: {line:?}");
    }
    // The fold fills lines: a continuation is cut short only to keep a character whole.
    let folded_description: Vec<&&[u8]> =
        raw.iter().skip_while(|l| !l.starts_with(b"DESCRIPTION")).take_while(|l| !l.starts_with(b"DTEND")).collect();
    for line in &folded_description[..folded_description.len() - 1] {
        assert!(line.len() >= 72, "{} octets", line.len());
    }
    let calendar = read(&ics);
    let event = only_event(&calendar);
    assert_eq!(event.get_description(), Some(description.as_str()));
    assert_eq!(event.get_summary(), Some(summary.as_str()));
}

#[test]
fn lines_are_filled_to_exactly_75_octets() {
    let summary_lines = |summary: &str| -> Vec<usize> {
        let ics = invite(&IcsInvite { summary, ..booking() });
        let raw = raw_lines(&ics);
        let at = raw.iter().position(|l| l.starts_with(b"SUMMARY:")).unwrap();
        let continued = raw[at + 1..].iter().take_while(|l| l.starts_with(b" ")).count();
        raw[at..=at + continued].iter().map(|l| l.len()).collect()
    };
    // "SUMMARY:" is 8 octets; a continuation line holds a space and 74 more.
    assert_eq!(summary_lines(&"x".repeat(67)), [75]);
    assert_eq!(summary_lines(&"x".repeat(68)), [75, 2]);
    assert_eq!(summary_lines(&"x".repeat(67 + 74)), [75, 75]);
    // Where the crate's own folding would write a 76-octet continuation line.
    assert_eq!(summary_lines(&"x".repeat(67 + 75)), [75, 75, 2]);
}

#[test]
fn a_cancel_keeps_the_uid_and_raises_the_sequence() {
    let request = booking();
    let cancel = IcsInvite { method: IcsMethod::Cancel, sequence: 1, stamp: utc(2026, 3, 6, 18, 5), ..booking() };
    let (sent, withdrawn) = (read(&invite(&request)), read(&invite(&cancel)));
    assert_eq!(withdrawn.property_value("METHOD"), Some("CANCEL"));
    let (first, second) = (only_event(&sent), only_event(&withdrawn));
    assert_eq!(second.get_status(), Some(EventStatus::Cancelled));
    assert_eq!(second.get_uid(), first.get_uid());
    assert!(second.get_sequence() > first.get_sequence());
    assert_eq!(second.get_sequence(), Some(1));
    assert_eq!(second.get_timestamp(), Some(utc(2026, 3, 6, 18, 5)));
    assert_eq!(second.get_start(), first.get_start());
    assert_eq!(second.get_attendees()[0].rsvp, Some(false));
    assert_eq!(IcsMethod::Cancel.content_type(), "text/calendar; method=CANCEL; charset=UTF-8");
    assert_eq!(IcsMethod::Request.content_type(), "text/calendar; method=REQUEST; charset=UTF-8");
}
