//! The parts of the business profile that answer customers' questions beyond services
//! and hours: staff-written FAQ entries and who is woken for an emergency.

use serde::{Deserialize, Deserializer, Serialize};

use super::macros::string_enum;
use super::text::{LongText, ShortText};
use super::{Phone, Urgency};
use crate::domain::{Analysis, Intent};

/// At most this many FAQ entries: enough for a front desk, small enough for a prompt.
pub const MAX_FAQ: usize = 100;
pub const MAX_PAYMENT_METHODS: usize = 20;

/// A question staff answered once, matched against customers' rephrasings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqEntry {
    pub question: ShortText,
    pub answer: LongText,
}

string_enum!(
    /// When the on-call is paged for an emergency: outside opening hours (someone is at
    /// the desk otherwise), always, or never (the customer is given the emergency number).
    PageWhen { AfterHours => "after_hours", Always => "always", Never => "never" }
);

fn e164<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Phone>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|raw| {
            Phone::from_e164(raw.trim())
                .map_err(|_| serde::de::Error::custom("must be a phone number in E.164 form (+15125550123)".to_owned()))
        })
        .transpose()
}

/// Who answers an emergency and what the customer is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyPolicy {
    /// Texted the customer's message and number (through Twilio).
    #[serde(default, deserialize_with = "e164")]
    #[schema(value_type = Option<String>, pattern = "^\\+1(?:212|415|512|646|718)[2-9][0-9]{6}$")]
    pub on_call_phone: Option<Phone>,
    /// Also posted to the Slack channel of `SLACK_WEBHOOK_URL`.
    #[serde(default)]
    pub slack: bool,
    /// Who is paged, as the customer is told: "our on-call {plumber} has been alerted".
    #[serde(default)]
    pub on_call_title: Option<ShortText>,
    /// The number customers may call for an emergency, told when nobody could be paged.
    #[serde(default, deserialize_with = "e164")]
    #[schema(value_type = Option<String>, pattern = "^\\+1(?:212|415|512|646|718)[2-9][0-9]{6}$")]
    pub emergency_phone: Option<Phone>,
    #[serde(default = "after_hours")]
    pub page: PageWhen,
}

fn after_hours() -> PageWhen {
    PageWhen::AfterHours
}

impl EmergencyPolicy {
    /// Whether an emergency arriving now (`open_now`) pages anyone.
    pub fn pages(&self, open_now: bool) -> bool {
        let someone = self.on_call_phone.is_some() || self.slack;
        someone
            && match self.page {
                PageWhen::AfterHours => !open_now,
                PageWhen::Always => true,
                PageWhen::Never => false,
            }
    }
}

/// Words that make an urgent message an emergency rather than an impatient one ("ASAP"
/// alone is not): water where it should not be, no heat, gas, fire, sparks, sewage, a
/// person hurt or locked out.
const EMERGENCY_WORDS: &[&str] = &[
    "emergency",
    "flood",
    "flooding",
    "flooded",
    "burst",
    "bursting",
    "leak",
    "leaking",
    "gushing",
    "spraying",
    "overflowing",
    "sewage",
    "backing up",
    "backed up",
    "gas smell",
    "smell gas",
    "smells like gas",
    "no heat",
    "no hot water",
    "no water",
    "no power",
    "sparking",
    "sparks",
    "smoke",
    "fire",
    "locked out",
    "bleeding",
    "swollen",
    "severe pain",
    "broken tooth",
    "knocked out",
    "carbon monoxide",
];

/// Whether a message is an emergency: urgent, about something happening, not a
/// complaint or a billing matter (those are urgent for a person, not for the on-call).
pub fn is_emergency(analysis: &Analysis, text: &str) -> bool {
    if analysis.urgency != Urgency::High {
        return false;
    }
    let about_service = match analysis.intent {
        Intent::Technical | Intent::Support | Intent::Booking | Intent::Other | Intent::SalesInquiry => true,
        Intent::Pricing
        | Intent::Reschedule
        | Intent::Cancel
        | Intent::Billing
        | Intent::Complaint
        | Intent::OptOut
        | Intent::Spam => false,
    };
    let lower = text.to_lowercase();
    about_service && EMERGENCY_WORDS.iter().any(|w| contains_phrase(&lower, w))
}

/// `phrase` as whole words of `text` (both lower case).
pub fn contains_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::analysis::{Entities, Team};

    fn analysis(intent: Intent, urgency: Urgency) -> Analysis {
        Analysis {
            intent,
            team: Team::Technical,
            urgency,
            entities: Entities::default(),
            confidence: 0.9,
            wants_human: false,
        }
    }

    #[test]
    fn an_emergency_is_urgent_and_about_something_happening() {
        let flood = "My basement is flooding, pipe burst!! need someone NOW";
        assert!(is_emergency(&analysis(Intent::Technical, Urgency::High), flood));
        assert!(!is_emergency(&analysis(Intent::Technical, Urgency::Medium), flood));
        assert!(!is_emergency(&analysis(Intent::Complaint, Urgency::High), "this is urgent, your invoice is wrong"));
        assert!(!is_emergency(&analysis(Intent::Booking, Urgency::High), "need a haircut today before my wedding"));
        assert!(!contains_phrase("the fireplace", "fire") && contains_phrase("fire in the kitchen", "fire"));
    }

    #[test]
    fn paging_follows_the_policy() {
        let policy: EmergencyPolicy =
            serde_json::from_value(serde_json::json!({"on_call_phone": "+15125550199"})).unwrap();
        assert!(policy.pages(false) && !policy.pages(true));
        let never = EmergencyPolicy { page: PageWhen::Never, ..policy.clone() };
        assert!(!never.pages(false));
        let nobody = EmergencyPolicy { on_call_phone: None, ..policy };
        assert!(!nobody.pages(false));
        let bad = serde_json::from_value::<EmergencyPolicy>(serde_json::json!({"on_call_phone": "512 555"}));
        assert!(bad.unwrap_err().to_string().contains("E.164"));
    }
}
