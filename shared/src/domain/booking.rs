//! Appointments booked with a host (an agent's calendar).

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::InvalidValue;
use super::macros::string_enum;
use super::text::LongText;

string_enum!(MeetingType { Video => "video", Phone => "phone", InPerson => "in_person" });
string_enum!(BookingStatus { PendingPayment => "pending_payment", Scheduled => "scheduled", Confirmed => "confirmed", Cancelled => "cancelled", Completed => "completed", NoShow => "no_show" });
string_enum!(
    /// Where a booking was made.
    BookingSource { Api => "api", Conversation => "conversation", Calendly => "calendly" }
);

impl BookingStatus {
    /// Holds the host's time (and so takes part in the overlap check).
    pub fn is_active(self) -> bool {
        matches!(self, BookingStatus::Scheduled | BookingStatus::Confirmed)
    }

    /// Holds the host's time at `now`: an active booking always, an unpaid one
    /// (`pending_payment`) until its hold ends.
    pub fn holds_slot(self, hold_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        match self {
            BookingStatus::PendingPayment => hold_until.is_some_and(|t| t > now),
            other => other.is_active(),
        }
    }

    /// scheduled → confirmed; pending_payment → confirmed (paid, or staff's word) or
    /// cancelled (released unpaid); an active booking → completed, no_show or cancelled
    /// (staff may mark a meeting that was never confirmed as held or missed). Past states
    /// are final, and nothing goes back to pending_payment.
    pub fn can_move_to(self, to: BookingStatus) -> bool {
        match (self, to) {
            (BookingStatus::Scheduled | BookingStatus::PendingPayment, BookingStatus::Confirmed)
            | (BookingStatus::PendingPayment, BookingStatus::Cancelled) => true,
            (from, BookingStatus::Completed | BookingStatus::NoShow | BookingStatus::Cancelled) => from.is_active(),
            (_, BookingStatus::Scheduled | BookingStatus::Confirmed | BookingStatus::PendingPayment) => false,
        }
    }
}

/// Meeting length in minutes, 5 to 480.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DurationMinutes(u16);

impl DurationMinutes {
    pub const HOUR: DurationMinutes = DurationMinutes(60);

    pub fn new(minutes: i64) -> Result<Self, InvalidValue> {
        u16::try_from(minutes)
            .ok()
            .filter(|m| (5..=480).contains(m))
            .map(DurationMinutes)
            .ok_or_else(|| InvalidValue::new("must be from 5 to 480 minutes"))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }

    pub fn duration(self) -> Duration {
        Duration::minutes(i64::from(self.0))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Booking {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub lead_id: Option<Uuid>,
    pub host_id: Option<Uuid>,
    pub scheduled_time: DateTime<Utc>,
    pub duration_minutes: DurationMinutes,
    pub meeting_type: MeetingType,
    pub meeting_link: Option<String>,
    /// The address of an in-person meeting.
    pub location: Option<String>,
    pub status: BookingStatus,
    /// While `pending_payment`: the slot is held until then, and released after.
    pub hold_until: Option<DateTime<Utc>>,
    /// The service booked (a name from the settings' services), when given.
    pub service: Option<String>,
    pub notes: Option<LongText>,
    pub source: BookingSource,
    /// The provider's id of a booking made elsewhere (the Calendly invitee URI).
    pub external_id: Option<String>,
    /// The host's Google Calendar event, once created.
    pub calendar_event_id: Option<String>,
    /// iCalendar SEQUENCE: bumped on every change the customer is told about.
    pub sequence: i32,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Booking {
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.scheduled_time + self.duration_minutes.duration()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewBooking {
    pub customer_id: Uuid,
    pub lead_id: Option<Uuid>,
    pub host_id: Option<Uuid>,
    pub scheduled_time: DateTime<Utc>,
    pub duration_minutes: DurationMinutes,
    pub meeting_type: MeetingType,
    pub meeting_link: Option<String>,
    pub location: Option<String>,
    pub notes: Option<LongText>,
    pub source: BookingSource,
    pub external_id: Option<String>,
    pub service: Option<String>,
    /// Set when a deposit is due: the booking starts `pending_payment`, held until then.
    pub hold_until: Option<DateTime<Utc>>,
    /// The website chat session it was booked in, if any.
    pub chat_session: Option<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_moves() {
        use BookingStatus::{Cancelled, Completed, Confirmed, NoShow, Scheduled};
        assert!(Scheduled.can_move_to(Confirmed) && Confirmed.can_move_to(Completed) && Confirmed.can_move_to(NoShow));
        assert!(Scheduled.can_move_to(Cancelled) && Confirmed.can_move_to(Cancelled));
        assert!(
            !Confirmed.can_move_to(Scheduled) && !Cancelled.can_move_to(Confirmed) && !Completed.can_move_to(NoShow)
        );
        assert!(!Cancelled.can_move_to(Cancelled));
    }

    #[test]
    fn deposit_holds_move_and_lapse() {
        use BookingStatus::{Cancelled, Completed, Confirmed, NoShow, PendingPayment, Scheduled};
        assert!(PendingPayment.can_move_to(Confirmed) && PendingPayment.can_move_to(Cancelled));
        assert!(!PendingPayment.can_move_to(Completed) && !PendingPayment.can_move_to(NoShow));
        assert!(!Scheduled.can_move_to(PendingPayment) && !Cancelled.can_move_to(PendingPayment));
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let until = Some(now + Duration::minutes(30));
        assert!(PendingPayment.holds_slot(until, now));
        assert!(!PendingPayment.holds_slot(until, now + Duration::minutes(30)));
        assert!(!PendingPayment.holds_slot(None, now) && !PendingPayment.is_active());
        assert!(Confirmed.holds_slot(None, now) && !Cancelled.holds_slot(until, now));
    }

    #[test]
    fn durations_are_bounded() {
        assert!(DurationMinutes::new(4).is_err());
        assert!(DurationMinutes::new(481).is_err());
        assert_eq!(DurationMinutes::new(30).unwrap().duration(), Duration::minutes(30));
        assert!(BookingStatus::Confirmed.is_active() && !BookingStatus::Cancelled.is_active());
    }
}
