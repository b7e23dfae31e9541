//! PLACEHOLDER: replaced by the Google Calendar work (same public API).
#![allow(dead_code, unused_variables, clippy::unused_async)]

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::IntegrationError;
use crate::domain::TimeZone;
use crate::domain::availability::Interval;

pub struct GoogleCalendarClient;

pub struct CalendarEvent {
    pub booking_id: Uuid,
    pub summary: String,
    pub description: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub time_zone: TimeZone,
    pub location: Option<String>,
    pub attendee_email: Option<String>,
    pub attendee_name: Option<String>,
    pub meet_request_id: Option<String>,
}

pub struct SavedEvent {
    pub id: String,
    pub meet_link: Option<String>,
    pub html_link: Option<String>,
}

impl GoogleCalendarClient {
    pub async fn free_busy(&self, calendar_id: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Interval>, IntegrationError> {
        unimplemented!()
    }
    pub async fn insert_event(&self, calendar_id: &str, event: &CalendarEvent) -> Result<SavedEvent, IntegrationError> {
        unimplemented!()
    }
    pub async fn patch_event(&self, calendar_id: &str, event_id: &str, event: &CalendarEvent) -> Result<SavedEvent, IntegrationError> {
        unimplemented!()
    }
    pub async fn delete_event(&self, calendar_id: &str, event_id: &str) -> Result<(), IntegrationError> {
        unimplemented!()
    }
}
