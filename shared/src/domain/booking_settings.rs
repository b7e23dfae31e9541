//! How the business takes bookings: meeting length, slot grid, buffers, notice,
//! horizon, where meetings happen, reminders and who hosts them. Every number is a
//! bounded newtype, so settings read from JSON are valid by construction.

use chrono::Duration;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use super::availability::SlotRules;
use super::booking::{DurationMinutes, MeetingType};
use super::deposit::DepositSettings;
use super::text::ShortText;
use super::{BusinessHours, InvalidValue, Patch};

/// A whole number of `UNIT`s from `LO` to `HI`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bounded<const LO: u32, const HI: u32>(u32);

impl<const LO: u32, const HI: u32> Bounded<LO, HI> {
    pub fn new(value: i64) -> Result<Self, InvalidValue> {
        u32::try_from(value)
            .ok()
            .filter(|v| (LO..=HI).contains(v))
            .map(Bounded)
            .ok_or_else(|| InvalidValue::new(format!("must be a whole number from {LO} to {HI}")))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// The value read as minutes.
    pub fn minutes(self) -> Duration {
        Duration::minutes(i64::from(self.0))
    }
}

impl<const LO: u32, const HI: u32> Serialize for Bounded<LO, HI> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.0)
    }
}

impl<'de, const LO: u32, const HI: u32> Deserialize<'de> for Bounded<LO, HI> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = i64::deserialize(d)?;
        Bounded::new(raw).map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for DurationMinutes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = i64::deserialize(d)?;
        DurationMinutes::new(raw).map_err(serde::de::Error::custom)
    }
}

/// Distance between offered start times, minutes.
pub type SlotInterval = Bounded<5, 240>;
/// Free time kept before or after a meeting, minutes.
pub type Buffer = Bounded<0, 240>;
/// Earliest start after now, minutes (up to 30 days).
pub type MinNotice = Bounded<0, 43_200>;
/// How far ahead bookings are taken, days.
pub type HorizonDays = Bounded<1, 365>;
/// How long before a meeting a reminder goes out, minutes (up to 14 days).
pub type ReminderOffset = Bounded<5, 20_160>;

/// Where the meeting link comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MeetingLink {
    #[default]
    None,
    /// The same link for every meeting (a Zoom room, a Teams link).
    Fixed(String),
    /// A Google Meet link created with the host's calendar event.
    GoogleMeet,
}

impl MeetingLink {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let raw = raw.trim();
        if raw == "google_meet" {
            return Ok(MeetingLink::GoogleMeet);
        }
        let is_url = (raw.starts_with("https://") || raw.starts_with("http://"))
            && raw.len() <= 2000
            && raw.len() > "https://x".len()
            && !raw.chars().any(char::is_whitespace);
        if is_url {
            Ok(MeetingLink::Fixed(raw.to_owned()))
        } else {
            Err(InvalidValue::new("must be an http(s) URL, \"google_meet\" or null"))
        }
    }
}

impl Serialize for MeetingLink {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MeetingLink::None => s.serialize_none(),
            MeetingLink::Fixed(url) => s.serialize_str(url),
            MeetingLink::GoogleMeet => s.serialize_str("google_meet"),
        }
    }
}

impl<'de> Deserialize<'de> for MeetingLink {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(MeetingLink::None),
            Some(raw) => MeetingLink::parse(&raw).map_err(serde::de::Error::custom),
        }
    }
}

/// An agent who takes bookings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Host {
    pub agent_id: Uuid,
    /// The host's own hours; the business hours when absent.
    #[serde(default)]
    pub hours: Option<BusinessHours>,
    /// The host's Google Calendar (its id, usually their address) when connected.
    #[serde(default)]
    pub calendar_id: Option<ShortText>,
}

pub const MAX_HOSTS: usize = 50;
pub const MAX_REMINDERS: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BookingSettings {
    pub duration_minutes: DurationMinutes,
    pub slot_interval_minutes: SlotInterval,
    pub buffer_before_minutes: Buffer,
    pub buffer_after_minutes: Buffer,
    pub min_notice_minutes: MinNotice,
    pub horizon_days: HorizonDays,
    pub meeting_type: MeetingType,
    pub meeting_link: MeetingLink,
    /// The address of in-person meetings, told to the customer.
    pub location: Option<ShortText>,
    /// Minutes before the meeting, each reminder sent once.
    pub reminder_offsets_minutes: Vec<ReminderOffset>,
    /// No hosts: bookings go on the business's own calendar.
    pub hosts: Vec<Host>,
    /// A deposit some bookings pay through Stripe Checkout before they stand; none when
    /// absent.
    pub deposit: Option<DepositSettings>,
}

impl Default for BookingSettings {
    fn default() -> Self {
        Self {
            duration_minutes: DurationMinutes::HOUR,
            slot_interval_minutes: Bounded(30),
            buffer_before_minutes: Bounded(0),
            buffer_after_minutes: Bounded(0),
            min_notice_minutes: Bounded(120),
            horizon_days: Bounded(30),
            meeting_type: MeetingType::Phone,
            meeting_link: MeetingLink::None,
            location: None,
            reminder_offsets_minutes: vec![Bounded(24 * 60), Bounded(60)],
            hosts: Vec::new(),
            deposit: None,
        }
    }
}

impl BookingSettings {
    /// The rules a slot of `duration` (the default when `None`) must meet.
    pub fn rules(&self, duration: Option<DurationMinutes>) -> SlotRules {
        SlotRules {
            duration: duration.unwrap_or(self.duration_minutes).duration(),
            interval: self.slot_interval_minutes.minutes(),
            buffer_before: self.buffer_before_minutes.minutes(),
            buffer_after: self.buffer_after_minutes.minutes(),
            min_notice: self.min_notice_minutes.minutes(),
            horizon: Duration::days(i64::from(self.horizon_days.get())),
        }
    }

    pub fn host(&self, agent_id: Uuid) -> Option<&Host> {
        self.hosts.iter().find(|h| h.agent_id == agent_id)
    }

    /// Rules across fields: unique hosts and reminders, limits on their number.
    /// Returns the field at fault.
    pub fn check(&self) -> Result<(), (String, InvalidValue)> {
        if self.hosts.len() > MAX_HOSTS {
            return Err(("booking.hosts".into(), InvalidValue::new(format!("at most {MAX_HOSTS} hosts"))));
        }
        for (i, h) in self.hosts.iter().enumerate() {
            if self.hosts[..i].iter().any(|o| o.agent_id == h.agent_id) {
                return Err((format!("booking.hosts[{i}].agent_id"), InvalidValue::new("lists the same agent twice")));
            }
        }
        if self.reminder_offsets_minutes.len() > MAX_REMINDERS {
            return Err((
                "booking.reminder_offsets_minutes".into(),
                InvalidValue::new(format!("at most {MAX_REMINDERS} reminders")),
            ));
        }
        for (i, r) in self.reminder_offsets_minutes.iter().enumerate() {
            if self.reminder_offsets_minutes[..i].contains(r) {
                return Err((
                    format!("booking.reminder_offsets_minutes[{i}]"),
                    InvalidValue::new("repeats an earlier reminder"),
                ));
            }
        }
        if self.meeting_link == MeetingLink::GoogleMeet && self.meeting_type != MeetingType::Video {
            return Err(("booking.meeting_link".into(), InvalidValue::new("google_meet needs meeting_type \"video\"")));
        }
        Ok(())
    }
}

/// A partial change of the booking settings: a field left out keeps its value.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingChanges {
    pub duration_minutes: Option<DurationMinutes>,
    pub slot_interval_minutes: Option<SlotInterval>,
    pub buffer_before_minutes: Option<Buffer>,
    pub buffer_after_minutes: Option<Buffer>,
    pub min_notice_minutes: Option<MinNotice>,
    pub horizon_days: Option<HorizonDays>,
    pub meeting_type: Option<MeetingType>,
    /// `null` clears the link, so it is read whenever present.
    #[serde(default, deserialize_with = "present")]
    pub meeting_link: Option<MeetingLink>,
    #[serde(default)]
    pub location: Patch<ShortText>,
    pub reminder_offsets_minutes: Option<Vec<ReminderOffset>>,
    pub hosts: Option<Vec<Host>>,
    #[serde(default)]
    pub deposit: Patch<DepositSettings>,
}

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl BookingChanges {
    pub fn apply(self, s: BookingSettings) -> BookingSettings {
        BookingSettings {
            duration_minutes: self.duration_minutes.unwrap_or(s.duration_minutes),
            slot_interval_minutes: self.slot_interval_minutes.unwrap_or(s.slot_interval_minutes),
            buffer_before_minutes: self.buffer_before_minutes.unwrap_or(s.buffer_before_minutes),
            buffer_after_minutes: self.buffer_after_minutes.unwrap_or(s.buffer_after_minutes),
            min_notice_minutes: self.min_notice_minutes.unwrap_or(s.min_notice_minutes),
            horizon_days: self.horizon_days.unwrap_or(s.horizon_days),
            meeting_type: self.meeting_type.unwrap_or(s.meeting_type),
            meeting_link: self.meeting_link.unwrap_or(s.meeting_link),
            location: self.location.apply(s.location),
            reminder_offsets_minutes: self.reminder_offsets_minutes.unwrap_or(s.reminder_offsets_minutes),
            hosts: self.hosts.unwrap_or(s.hosts),
            deposit: self.deposit.apply(s.deposit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_read_from_an_empty_object() {
        let s: BookingSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, BookingSettings::default());
        assert_eq!(s.reminder_offsets_minutes.iter().map(|r| r.get()).collect::<Vec<_>>(), [1440, 60]);
        assert_eq!(s.rules(None).duration, Duration::minutes(60));
        assert!(s.check().is_ok());
    }

    #[test]
    fn bounds_and_links_are_checked() {
        for bad in [
            r#"{"slot_interval_minutes": 0}"#,
            r#"{"buffer_after_minutes": -5}"#,
            r#"{"horizon_days": 366}"#,
            r#"{"duration_minutes": 481}"#,
            r#"{"meeting_link": "zoom"}"#,
            r#"{"reminder_offsets_minutes": [1]}"#,
            r#"{"colour": "red"}"#,
        ] {
            assert!(serde_json::from_str::<BookingSettings>(bad).is_err(), "{bad}");
        }
        let s: BookingSettings =
            serde_json::from_str(r#"{"meeting_link": "https://zoom.us/j/1", "meeting_type": "video"}"#).unwrap();
        assert_eq!(s.meeting_link, MeetingLink::Fixed("https://zoom.us/j/1".into()));
        assert_eq!(serde_json::to_value(&s).unwrap()["meeting_link"], "https://zoom.us/j/1");
    }

    #[test]
    fn changes_keep_what_they_leave_out() {
        let s = BookingSettings { location: Some(ShortText::literal("1 Main St")), ..Default::default() };
        let c: BookingChanges = serde_json::from_str(r#"{"buffer_after_minutes": 15, "meeting_link": null}"#).unwrap();
        let s = c.apply(s);
        assert_eq!(s.buffer_after_minutes.get(), 15);
        assert_eq!(s.location.as_ref().map(ShortText::as_str), Some("1 Main St"));
        let c: BookingChanges = serde_json::from_str(r#"{"location": null}"#).unwrap();
        assert!(c.apply(s).location.is_none());
    }

    #[test]
    fn cross_field_rules_name_the_field() {
        let id = Uuid::nil();
        let host = Host { agent_id: id, hours: None, calendar_id: None };
        let s = BookingSettings { hosts: vec![host.clone(), host], ..Default::default() };
        assert_eq!(s.check().unwrap_err().0, "booking.hosts[1].agent_id");
        let s = BookingSettings { meeting_link: MeetingLink::GoogleMeet, ..Default::default() };
        assert_eq!(s.check().unwrap_err().0, "booking.meeting_link");
        let twice = vec![ReminderOffset::new(60).unwrap(), ReminderOffset::new(60).unwrap()];
        let s = BookingSettings { reminder_offsets_minutes: twice, ..Default::default() };
        assert_eq!(s.check().unwrap_err().0, "booking.reminder_offsets_minutes[1]");
    }
}
