//! PLACEHOLDER: replaced by the Calendly work (same public API).
#![allow(dead_code, unused_variables)]
use chrono::{DateTime, Utc};
use secrecy::SecretString;

#[derive(Debug, thiserror::Error)]
pub enum CalendlySignatureError { #[error("bad")] Bad }
#[derive(Debug, thiserror::Error)]
#[error("bad")]
pub struct CalendlyParseError;
pub enum CalendlyEvent { InviteeCreated(Invitee), InviteeCanceled(Invitee), Other { event: String } }
pub struct Invitee {
    pub uri: String,
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub rescheduled: bool,
    pub cancel_reason: Option<String>,
    pub event: ScheduledEvent,
}
pub struct ScheduledEvent {
    pub uri: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub location: Option<String>,
    pub join_url: Option<String>,
    pub host_emails: Vec<String>,
}
pub fn verify_signature(header: Option<&str>, body: &[u8], signing_key: &SecretString, now: DateTime<Utc>) -> Result<(), CalendlySignatureError> { unimplemented!() }
pub fn parse(body: &[u8]) -> Result<CalendlyEvent, CalendlyParseError> { unimplemented!() }
