//! Leads: one sales opportunity with a customer, from first contact to won or lost.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use super::analysis::HandoffReason;
use super::macros::string_enum;
use super::text::{LongText, ShortText};
use super::{Channel, InvalidValue};

string_enum!(
    /// Where a lead stands. `new`, `contacted` and `qualified` are open.
    LeadStatus { New => "new", Contacted => "contacted", Qualified => "qualified", Won => "won", Lost => "lost" }
);

string_enum!(Priority { High => "high", Medium => "medium", Low => "low" });

impl LeadStatus {
    pub const OPEN: &'static [LeadStatus] = &[LeadStatus::New, LeadStatus::Contacted, LeadStatus::Qualified];

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    /// Allowed moves: new → contacted → qualified → won | lost, and a won or lost lead
    /// reopens as contacted. Staying put is always allowed.
    pub fn can_become(self, next: LeadStatus) -> bool {
        use LeadStatus::{Contacted, Lost, New, Qualified, Won};
        self == next
            || matches!((self, next), (New | Won | Lost, Contacted) | (Contacted, Qualified) | (Qualified, Won | Lost))
    }
}

impl Priority {
    fn rank(self) -> u8 {
        match self {
            Priority::High => 3,
            Priority::Medium => 2,
            Priority::Low => 1,
        }
    }

    pub fn max(self, other: Priority) -> Priority {
        if self.rank() >= other.rank() { self } else { other }
    }
}

/// A lead quality score, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Score(u8);

impl Score {
    pub const MAX: u8 = 100;

    pub fn new(value: i64) -> Result<Self, InvalidValue> {
        u8::try_from(value)
            .ok()
            .filter(|v| *v <= Self::MAX)
            .map(Score)
            .ok_or_else(|| InvalidValue::new("must be an integer from 0 to 100"))
    }

    /// Rounds and clamps any number into 0..=100.
    pub fn clamped(value: f64) -> Self {
        if value.is_nan() {
            return Score(0);
        }
        Score(value.round().clamp(0.0, f64::from(Self::MAX)) as u8)
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = i64::deserialize(d)?;
        Score::new(v).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Lead {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub status: LeadStatus,
    pub quality_score: Score,
    pub priority: Priority,
    pub requirements: Option<LongText>,
    pub timeline: Option<ShortText>,
    pub budget: Option<ShortText>,
    pub assigned_to: Option<Uuid>,
    pub source_channel: Option<Channel>,
    pub salesforce_id: Option<String>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    /// A person must answer this lead's conversation, and why.
    pub needs_human: bool,
    pub handoff_reason: Option<HandoffReason>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewLead {
    pub customer_id: Uuid,
    pub status: LeadStatus,
    pub requirements: Option<LongText>,
    pub timeline: Option<ShortText>,
    pub budget: Option<ShortText>,
    pub assigned_to: Option<Uuid>,
    pub source_channel: Option<Channel>,
}

impl NewLead {
    pub fn for_customer(customer_id: Uuid, source_channel: Option<Channel>) -> Self {
        Self {
            customer_id,
            status: LeadStatus::New,
            requirements: None,
            timeline: None,
            budget: None,
            assigned_to: None,
            source_channel,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LeadStatus::*;

    #[test]
    fn transitions_follow_the_funnel() {
        for (from, to) in [
            (New, Contacted),
            (Contacted, Qualified),
            (Qualified, Won),
            (Qualified, Lost),
            (Won, Contacted),
            (Lost, Contacted),
            (New, New),
        ] {
            assert!(from.can_become(to), "{from} -> {to}");
        }
        for (from, to) in [(New, Qualified), (New, Won), (Contacted, Won), (Won, Lost), (Lost, New), (Qualified, New)] {
            assert!(!from.can_become(to), "{from} -> {to}");
        }
    }

    #[test]
    fn scores_are_bounded() {
        assert_eq!(Score::new(100).unwrap().value(), 100);
        assert!(Score::new(101).is_err());
        assert!(Score::new(-1).is_err());
        assert_eq!(Score::clamped(140.2).value(), 100);
        assert_eq!(Score::clamped(-3.0).value(), 0);
        assert_eq!(Score::clamped(49.5).value(), 50);
        assert!(serde_json::from_str::<Score>("101").is_err());
    }

    #[test]
    fn statuses_parse_case_insensitively() {
        assert_eq!("Qualified".parse::<LeadStatus>().unwrap(), Qualified);
        let err = "maybe".parse::<LeadStatus>().unwrap_err();
        assert!(err.0.contains("new, contacted, qualified, won, lost"));
        assert!(Won.can_become(Contacted) && !Won.is_open());
        assert_eq!(Priority::Low.max(Priority::High), Priority::High);
    }
}
