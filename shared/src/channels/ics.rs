//! Calendar invitations for bookings: one iCalendar (RFC 5545) VEVENT sent as an iTIP
//! (RFC 5546) `REQUEST` when a booking is made or moved, and a `CANCEL` when it is called
//! off. Mail clients match the two by `UID` and keep the one with the higher `SEQUENCE`.

use chrono::{DateTime, Utc};
use icalendar::{Attendee, Calendar, Component, EventLike, EventStatus, PartStat, Property, Role};

/// Who made the file, as RFC 5545 §3.7.3 asks: a globally unique product name.
pub const PRODID: &str = "-//Leadflow//Bookings 1.0//EN";

/// RFC 5545 §3.1: a content line is at most 75 octets, not counting the line break.
const LINE_OCTETS: usize = 75;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcsMethod {
    /// A new or changed booking; the attendee is asked to accept it.
    Request,
    /// The booking is off; clients remove the event with this `UID`.
    Cancel,
}

impl IcsMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            IcsMethod::Request => "REQUEST",
            IcsMethod::Cancel => "CANCEL",
        }
    }

    /// The MIME type of a part or attachment carrying the invite (RFC 6047 §2.4).
    pub fn content_type(self) -> &'static str {
        match self {
            IcsMethod::Request => "text/calendar; method=REQUEST; charset=UTF-8",
            IcsMethod::Cancel => "text/calendar; method=CANCEL; charset=UTF-8",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsInvite<'a> {
    /// Stable for the life of the booking, e.g. `{booking_id}@leadflow`.
    pub uid: String,
    /// Bumped on every change, so clients apply updates in order.
    pub sequence: u32,
    pub method: IcsMethod,
    /// When this version of the invite was made.
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub description: Option<&'a str>,
    pub location: Option<&'a str>,
    pub url: Option<&'a str>,
    pub organizer_name: &'a str,
    /// Without an address the invite has no `ORGANIZER`, and clients show it as a plain event.
    pub organizer_email: Option<&'a str>,
    pub attendee_name: Option<&'a str>,
    pub attendee_email: Option<&'a str>,
}

/// The invite as an `.ics` file: CRLF line endings, lines folded at 75 octets.
pub fn invite(i: &IcsInvite<'_>) -> String {
    let mut event = icalendar::Event::new();
    event
        .uid(&text(&i.uid))
        .sequence(i.sequence)
        .timestamp(i.stamp)
        .starts(i.start)
        .ends(i.end)
        .summary(&text(i.summary))
        .status(match i.method {
            IcsMethod::Request => EventStatus::Confirmed,
            IcsMethod::Cancel => EventStatus::Cancelled,
        });
    if let Some(description) = i.description {
        event.description(&text(description));
    }
    if let Some(location) = i.location {
        event.location(&text(location));
    }
    if let Some(url) = i.url {
        event.url(&uri(url));
    }
    if let Some(email) = i.organizer_email {
        let mut organizer = Property::new("ORGANIZER", format!("mailto:{}", uri(email)));
        organizer.add_parameter("CN", &param(i.organizer_name));
        event.append_property(organizer);
    }
    if let Some(email) = i.attendee_email {
        let mut attendee = Attendee::new(format!("mailto:{}", uri(email)))
            .role(Role::ReqParticipant)
            .partstat(PartStat::NeedsAction)
            // A cancellation expects no answer.
            .rsvp(i.method == IcsMethod::Request);
        if let Some(name) = i.attendee_name {
            attendee = attendee.cn(param(name));
        }
        event.attendee(attendee);
    }
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("PRODID", PRODID))
        .append_property(("VERSION", "2.0"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", i.method.as_str()))
        .push(event.done());
    refold(&calendar.to_string())
}

/// A TEXT value as RFC 5545 §3.3.11 allows it: line breaks as LF (which the crate
/// escapes to `\n`), no other control characters, whose raw bytes would end the line.
fn text(value: &str) -> String {
    value
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// A URI value, which is written unescaped: nothing that could break the line.
fn uri(value: &str) -> String {
    value.trim().chars().filter(|c| !c.is_control()).collect()
}

/// A parameter value (`CN`): RFC 5545 §3.1 has no escape for a DQUOTE there, so it becomes
/// an apostrophe; the crate quotes values with `:`, `;` or `,`.
fn param(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).map(|c| if c == '"' { '\'' } else { c }).collect()
}

/// Folds every line at 75 octets, never inside a UTF-8 sequence. The crate folds too but
/// lets a continuation line reach 76 octets (a space plus 75), so its folding is undone
/// first; no value holds a raw line break, so "CRLF space" only ever comes from folding.
fn refold(ics: &str) -> String {
    let unfolded = ics.replace("\r\n ", "").replace("\r\n\t", "");
    let mut out = String::with_capacity(unfolded.len() + unfolded.len() / LINE_OCTETS * 3);
    for line in unfolded.split("\r\n").filter(|l| !l.is_empty()) {
        let mut rest = line;
        let mut room = LINE_OCTETS;
        while rest.len() > room {
            let mut cut = room;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&rest[..cut]);
            out.push_str("\r\n ");
            rest = &rest[cut..];
            // The leading space of a continuation line counts toward its 75.
            room = LINE_OCTETS - 1;
        }
        out.push_str(rest);
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests;
