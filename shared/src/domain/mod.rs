//! Pure domain: entities, value types valid by construction, and business rules.
//! Nothing here does I/O or awaits.

mod macros;

pub mod access;
pub mod analysis;
pub mod analytics;
pub mod assignment;
pub mod availability;
pub mod booking;
pub mod booking_settings;
pub mod channel;
pub mod contact;
pub mod conversation_state;
pub mod customer;
pub mod deposit;
pub mod event;
pub mod follow_up;
pub mod hours;
pub mod keywords;
pub mod lead;
pub mod message;
pub mod patch;
pub mod phone_zone;
pub mod profile;
pub mod provider;
pub mod qualification;
pub mod reply;
mod schema;
pub mod send_window;
pub mod sequence;
pub mod settings;
pub mod slot_talk;
pub mod suppression;
pub mod task;
pub mod team;
#[cfg(test)]
pub(crate) mod test_support;
pub mod text;
pub mod time_zone;
pub mod user;
pub mod webhook;

pub use analysis::{Analysis, AnalysisInput, Entities, HandoffReason, Intent, Urgency};
pub use booking::{Booking, BookingSource, BookingStatus, MeetingType, NewBooking};
pub use contact::{Country, Email, Phone};
pub use customer::{Customer, CustomerChanges, NewCustomer};
pub use event::{Event, EventEnvelope};
pub use follow_up::{FollowUp, NewFollowUp};
pub use hours::BusinessHours;
pub use lead::{Lead, LeadStatus, NewLead, Priority, Score};
pub use message::{Author, AuthorKind, Channel, DeliveryError, DeliveryStatus, Direction, Message};
pub use patch::Patch;
pub use settings::{Service, Settings, Tone};
pub use task::{NewTask, Task, TaskStatus, TaskType};
pub use team::{Agent, Assignment, NewAgent, NewTeam, Team};
pub use text::Text;
pub use time_zone::TimeZone;

/// A value that failed validation; the message says what a valid one looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

impl InvalidValue {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// A validation failure tied to the input field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}
