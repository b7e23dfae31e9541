//! Follow-up sequences: what staff define (ordered steps, a send window, weekday rule),
//! a lead's run of one, and the rules that end a run. Steps are planned one at a time,
//! so an edit to a sequence applies to the steps its runs have not reached yet.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use super::booking_settings::Bounded;
use super::macros::string_enum;
use super::send_window::SendWindow;
use super::text::{ShortText, Text};
use super::{Channel, InvalidValue, LeadStatus};

string_enum!(
    /// What enrolls a lead automatically (`manual`: only staff do).
    SequenceTrigger { NewLead => "new_lead", NoShow => "no_show", QuoteSent => "quote_sent", Manual => "manual" }
);

string_enum!(
    /// What a step's delay counts from.
    StepAnchor { Enrollment => "enrollment", PreviousStep => "previous_step" }
);

string_enum!(
    /// Why a run ended.
    RunEndReason {
        Completed => "completed",
        Replied => "replied",
        Booked => "booked",
        OptedOut => "opted_out",
        Won => "won",
        Lost => "lost",
        Staff => "staff",
        Undeliverable => "undeliverable",
        SequenceChanged => "sequence_changed",
    }
);

string_enum!(
    /// Where a follow-up message is in its life.
    FollowUpStatus {
        Pending => "pending",
        Queued => "queued",
        Sent => "sent",
        Failed => "failed",
        Skipped => "skipped",
        Cancelled => "cancelled",
    }
);

impl FollowUpStatus {
    /// Nothing more will happen to it.
    pub fn is_final(self) -> bool {
        match self {
            FollowUpStatus::Pending | FollowUpStatus::Queued => false,
            FollowUpStatus::Sent | FollowUpStatus::Failed | FollowUpStatus::Skipped | FollowUpStatus::Cancelled => true,
        }
    }
}

/// Minutes from the anchor to a step: up to a year.
pub type StepDelay = Bounded<0, 525_600>;

/// The text of a template step: `{first_name}`, `{name}`, `{company}` and
/// `{business_name}` are filled in when it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(Text<1600>);

impl Template {
    pub const PLACEHOLDERS: &'static [&'static str] = &["first_name", "name", "company", "business_name"];

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let text = Text::<1600>::parse(raw)?;
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or_else(|| InvalidValue::new("has a `{` without its `}`"))?;
            let name = &after[..close];
            if !Self::PLACEHOLDERS.contains(&name) {
                return Err(InvalidValue::new(format!(
                    "uses {{{name}}}; placeholders are {}",
                    Self::PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ")
                )));
            }
            rest = &after[close + 1..];
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The text with its placeholders filled. A name not known reads "there" ("Hi there"),
    /// a company not known "your company".
    pub fn render(&self, v: &TemplateValues<'_>) -> String {
        let first = v.name.and_then(|n| n.split_whitespace().next()).unwrap_or("there");
        self.as_str()
            .replace("{first_name}", first)
            .replace("{name}", v.name.unwrap_or("there"))
            .replace("{company}", v.company.unwrap_or("your company"))
            .replace("{business_name}", v.business_name)
    }
}

pub struct TemplateValues<'a> {
    pub name: Option<&'a str>,
    pub company: Option<&'a str>,
    pub business_name: &'a str,
}

/// The channel of a step: a fixed one, or the one the customer last wrote on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepChannel {
    Preferred,
    Fixed(Channel),
}

impl StepChannel {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        match raw.trim() {
            "preferred" => Ok(StepChannel::Preferred),
            other => match other.parse::<Channel>() {
                Ok(c @ (Channel::Sms | Channel::Email | Channel::Chat)) => Ok(StepChannel::Fixed(c)),
                Ok(Channel::Form) | Err(_) => Err(InvalidValue::new("must be one of: preferred, sms, email, chat")),
            },
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StepChannel::Preferred => "preferred",
            StepChannel::Fixed(c) => c.as_str(),
        }
    }
}

/// What a step says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepContent {
    Template {
        text: Template,
        subject: Option<ShortText>,
    },
    /// Written by the AI engine from the conversation when the step is sent.
    Personalised,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub delay_minutes: StepDelay,
    pub after: StepAnchor,
    pub channel: StepChannel,
    pub content: StepContent,
}

/// The JSON form of a step (API and the `steps` column).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepJson {
    delay_minutes: StepDelay,
    #[serde(default = "default_anchor")]
    after: StepAnchor,
    #[serde(default = "default_channel")]
    channel: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subject: Option<ShortText>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    personalised: bool,
}

fn default_anchor() -> StepAnchor {
    StepAnchor::PreviousStep
}

fn default_channel() -> String {
    "preferred".into()
}

impl Serialize for Step {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (template, subject, personalised) = match &self.content {
            StepContent::Template { text, subject } => (Some(text.as_str().to_owned()), subject.clone(), false),
            StepContent::Personalised => (None, None, true),
        };
        StepJson {
            delay_minutes: self.delay_minutes,
            after: self.after,
            channel: self.channel.as_str().to_owned(),
            template,
            subject,
            personalised,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let j = StepJson::deserialize(d)?;
        let channel = StepChannel::parse(&j.channel).map_err(|e| D::Error::custom(format!("channel {e}")))?;
        let content = match (j.template, j.personalised) {
            (Some(t), false) => StepContent::Template {
                text: Template::parse(&t).map_err(|e| D::Error::custom(format!("template {e}")))?,
                subject: j.subject,
            },
            (None, true) => StepContent::Personalised,
            (Some(_), true) => return Err(D::Error::custom("give either template or personalised, not both")),
            (None, false) => return Err(D::Error::custom("needs a template or \"personalised\": true")),
        };
        Ok(Step { delay_minutes: j.delay_minutes, after: j.after, channel, content })
    }
}

/// Steps of a sequence: 1 to 20.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Steps(Vec<Step>);

impl Steps {
    pub const MAX: usize = 20;

    pub fn new(steps: Vec<Step>) -> Result<Self, InvalidValue> {
        if steps.is_empty() || steps.len() > Self::MAX {
            return Err(InvalidValue::new(format!("must hold 1 to {} steps", Self::MAX)));
        }
        Ok(Self(steps))
    }

    /// Step `n`, counted from 1.
    pub fn get(&self, n: u32) -> Option<&Step> {
        self.0.get(usize::try_from(n).ok()?.checked_sub(1)?)
    }

    pub fn len(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for Steps {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let steps = Vec::<Step>::deserialize(d)?;
        Steps::new(steps).map_err(serde::de::Error::custom)
    }
}

/// What staff define.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SequenceSpec {
    pub name: ShortText,
    pub trigger: SequenceTrigger,
    pub steps: Steps,
    #[serde(default)]
    pub weekdays_only: bool,
    #[serde(default)]
    pub send_window: SendWindow,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Sequence {
    pub id: Uuid,
    #[serde(flatten)]
    pub spec: SequenceSpec,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A lead's pass through a sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SequenceRun {
    pub id: Uuid,
    pub sequence_id: Uuid,
    pub lead_id: Uuid,
    pub customer_id: Uuid,
    pub booking_id: Option<Uuid>,
    pub enrolled_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<RunEndReason>,
}

/// What is known about a lead when a follow-up is about to be planned or sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StopFacts {
    pub lead_status: Option<LeadStatus>,
    /// The customer wrote (not an auto-reply) after enrollment.
    pub replied: bool,
    /// The customer has a booking made after enrollment, or an upcoming one.
    pub booked: bool,
    /// Opted out of any channel: one "stop" stops everything (the FCC's 2025 rule).
    pub opted_out: bool,
    /// The address the follow-up goes to bounced or failed for good.
    pub undeliverable: bool,
}

impl StopFacts {
    /// Why the run must end now, if it must. Checked in this order so the reason shown
    /// is the most telling one.
    pub fn stop_reason(&self) -> Option<RunEndReason> {
        if self.opted_out {
            return Some(RunEndReason::OptedOut);
        }
        match self.lead_status {
            Some(LeadStatus::Won) => return Some(RunEndReason::Won),
            Some(LeadStatus::Lost) => return Some(RunEndReason::Lost),
            Some(LeadStatus::New | LeadStatus::Contacted | LeadStatus::Qualified) | None => {}
        }
        if self.booked {
            return Some(RunEndReason::Booked);
        }
        if self.replied {
            return Some(RunEndReason::Replied);
        }
        self.undeliverable.then_some(RunEndReason::Undeliverable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_name_their_placeholders() {
        assert!(Template::parse("Hi {first_name}, {business_name} here").is_ok());
        let e = Template::parse("Hi {firstname}").unwrap_err();
        assert!(e.to_string().contains("{firstname}"), "{e}");
        assert!(Template::parse("Hi {first_name").is_err());
        let t = Template::parse("Hi {first_name} ({name}) at {company}. {business_name}").unwrap();
        let v = TemplateValues { name: Some("Ana Lopez"), company: None, business_name: "Acme" };
        assert_eq!(t.render(&v), "Hi Ana (Ana Lopez) at your company. Acme");
        let v = TemplateValues { name: None, company: Some("Zed"), business_name: "Acme" };
        assert_eq!(t.render(&v), "Hi there (there) at Zed. Acme");
    }

    #[test]
    fn steps_read_from_json_with_clear_errors() {
        let step: Step =
            serde_json::from_str(r#"{"delay_minutes": 60, "after": "enrollment", "template": "Hi {first_name}"}"#)
                .unwrap();
        assert_eq!(step.channel, StepChannel::Preferred);
        assert_eq!(step.delay_minutes.get(), 60);
        let p: Step = serde_json::from_str(r#"{"delay_minutes": 0, "channel": "sms", "personalised": true}"#).unwrap();
        assert_eq!(
            (p.channel, p.content.clone(), p.after),
            (StepChannel::Fixed(Channel::Sms), StepContent::Personalised, StepAnchor::PreviousStep)
        );
        for bad in [
            r#"{"delay_minutes": 60}"#,
            r#"{"delay_minutes": 60, "template": "x", "personalised": true}"#,
            r#"{"delay_minutes": -1, "template": "x"}"#,
            r#"{"delay_minutes": 60, "channel": "form", "template": "x"}"#,
            r#"{"delay_minutes": 60, "template": "x", "colour": "red"}"#,
        ] {
            assert!(serde_json::from_str::<Step>(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<Steps>("[]").is_err());
        let back = serde_json::to_value(&p).unwrap();
        assert_eq!(
            back,
            serde_json::json!({"delay_minutes": 0, "after": "previous_step", "channel": "sms", "personalised": true})
        );
    }

    #[test]
    fn stop_reasons_in_order() {
        let none = StopFacts { lead_status: Some(LeadStatus::Contacted), ..Default::default() };
        assert_eq!(none.stop_reason(), None);
        let all = StopFacts {
            lead_status: Some(LeadStatus::Won),
            replied: true,
            booked: true,
            opted_out: true,
            undeliverable: true,
        };
        assert_eq!(all.stop_reason(), Some(RunEndReason::OptedOut));
        assert_eq!(StopFacts { opted_out: false, ..all }.stop_reason(), Some(RunEndReason::Won));
        let open = StopFacts { lead_status: Some(LeadStatus::New), ..all };
        assert_eq!(StopFacts { opted_out: false, ..open }.stop_reason(), Some(RunEndReason::Booked));
        assert_eq!(StopFacts { opted_out: false, booked: false, ..open }.stop_reason(), Some(RunEndReason::Replied));
        let undeliverable = StopFacts { undeliverable: true, ..none };
        assert_eq!(undeliverable.stop_reason(), Some(RunEndReason::Undeliverable));
    }
}
