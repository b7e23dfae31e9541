//! PLACEHOLDER: replaced by the iCalendar work (same public API).
#![allow(dead_code, unused_variables)]
use chrono::{DateTime, Utc};

pub enum IcsMethod { Request, Cancel }
pub struct IcsInvite<'a> {
    pub uid: String,
    pub sequence: u32,
    pub method: IcsMethod,
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub description: Option<&'a str>,
    pub location: Option<&'a str>,
    pub url: Option<&'a str>,
    pub organizer_name: &'a str,
    pub organizer_email: Option<&'a str>,
    pub attendee_name: Option<&'a str>,
    pub attendee_email: Option<&'a str>,
}
pub fn invite(i: &IcsInvite<'_>) -> String { unimplemented!() }
