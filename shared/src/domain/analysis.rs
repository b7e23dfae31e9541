//! What the message analysis decides about an inbound message, and the rules that follow
//! from it (which team, whether a human must take over).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::macros::string_enum;
use super::{Channel, TaskType};

/// An inbound message as the analysis sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisInput {
    pub channel: Channel,
    /// E-mail subject, when there is one.
    #[serde(default)]
    pub subject: Option<String>,
    /// The message body as the customer wrote it (quoted replies already removed).
    pub text: String,
    /// Web-form fields (name, email, phone, company, budget, message, ...).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

string_enum!(Intent {
    Pricing => "pricing",
    Booking => "booking",
    Reschedule => "reschedule",
    Cancel => "cancel",
    SalesInquiry => "sales_inquiry",
    Support => "support",
    Technical => "technical",
    Billing => "billing",
    Complaint => "complaint",
    OptOut => "opt_out",
    Spam => "spam",
    Other => "other",
});

string_enum!(
    /// Who a human task goes to; `none` means no task.
    Team { Sales => "sales", Support => "support", Technical => "technical", None => "none" }
);

string_enum!(Urgency { High => "high", Medium => "medium", Low => "low" });

impl Intent {
    /// pricing, booking, sales_inquiry → sales; support, billing, complaint, reschedule,
    /// cancel → support; technical → technical; opt_out, spam, other → none.
    pub fn team(self) -> Team {
        use Intent::{
            Billing, Booking, Cancel, Complaint, OptOut, Other, Pricing, Reschedule, SalesInquiry, Spam, Support,
            Technical,
        };
        match self {
            Pricing | Booking | SalesInquiry => Team::Sales,
            Support | Billing | Complaint | Reschedule | Cancel => Team::Support,
            Technical => Team::Technical,
            OptOut | Spam | Other => Team::None,
        }
    }
}

impl Team {
    pub fn task_type(self) -> Option<TaskType> {
        match self {
            Team::Sales => Some(TaskType::Sales),
            Team::Support => Some(TaskType::Support),
            Team::Technical => Some(TaskType::Technical),
            Team::None => None,
        }
    }
}

/// Facts the message states explicitly, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entities {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub intent: Intent,
    pub team: Team,
    pub urgency: Urgency,
    pub entities: Entities,
    /// How sure the engine is of the intent, 0.0 to 1.0.
    pub confidence: f32,
    /// The customer asked for a person.
    pub wants_human: bool,
}

string_enum!(
    /// Why a person must take the conversation over (`delivery_failed`: Leadflow's reply
    /// could not be delivered after every retry; `unanswered`: the customer asked what the
    /// profile cannot answer; `emergency`: an urgent message the on-call should see).
    HandoffReason {
        Complaint => "complaint",
        LowConfidence => "low_confidence",
        Requested => "requested",
        DeliveryFailed => "delivery_failed",
        Unanswered => "unanswered",
        Emergency => "emergency",
    }
);

/// Below this intent confidence a person answers instead of the AI.
pub const MIN_CONFIDENCE: f32 = 0.5;

impl Analysis {
    /// Whether a person must answer instead of the AI, and why.
    pub fn handoff(&self) -> Option<HandoffReason> {
        if self.wants_human {
            Some(HandoffReason::Requested)
        } else if self.intent == Intent::Complaint {
            Some(HandoffReason::Complaint)
        } else if self.confidence < MIN_CONFIDENCE && !matches!(self.intent, Intent::Spam | Intent::OptOut) {
            Some(HandoffReason::LowConfidence)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis(intent: Intent, confidence: f32, wants_human: bool) -> Analysis {
        Analysis {
            intent,
            team: intent.team(),
            urgency: Urgency::Medium,
            entities: Entities::default(),
            confidence,
            wants_human,
        }
    }

    #[test]
    fn teams_follow_intents() {
        assert_eq!(Intent::Reschedule.team(), Team::Support);
        assert_eq!(Intent::Technical.team().task_type(), Some(TaskType::Technical));
        assert_eq!(Intent::Spam.team().task_type(), None);
        assert_eq!("sales_inquiry".parse::<Intent>().unwrap(), Intent::SalesInquiry);
    }

    #[test]
    fn handoff_rules() {
        assert_eq!(analysis(Intent::Complaint, 0.9, false).handoff(), Some(HandoffReason::Complaint));
        assert_eq!(analysis(Intent::Pricing, 0.3, false).handoff(), Some(HandoffReason::LowConfidence));
        assert_eq!(analysis(Intent::Pricing, 0.9, true).handoff(), Some(HandoffReason::Requested));
        assert_eq!(analysis(Intent::Pricing, 0.9, false).handoff(), None);
        assert_eq!(analysis(Intent::Spam, 0.2, false).handoff(), None);
    }
}
