//! What a conversation has said so far, kept beside it so the next reply neither greets
//! again nor forgets the service under discussion. Replies read it; the pipeline
//! writes back what each reply said.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::analysis::{Entities, Intent};
use super::{BusinessHours, TimeZone};

/// After this long without a word either way, the conversation starts afresh: greeted
/// again, told again that the business is closed.
pub const LONG_SILENCE: Duration = Duration::hours(12);

/// The question the business's last reply left open, so a bare answer can be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenQuestion {
    /// "What are you looking for?"
    WhichService,
    /// "Could you tell us a bit more about the job?"
    JobDetails,
    /// "Which day and time work best?"
    PreferredTime,
    /// "Please reply with a phone number they can call you on" (an emergency's page).
    CallbackNumber,
}

/// Facts the customer stated in this conversation (the analysis's entities, kept).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeted_at: Option<DateTime<Utc>>,
    /// When the customer was last told the business is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_notice_at: Option<DateTime<Utc>>,
    /// The last message either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Listed services the conversation named, the most recent last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_question: Option<OpenQuestion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_intent: Option<Intent>,
    #[serde(default)]
    pub facts: Facts,
    /// When the on-call was last paged about this customer: one page per emergency,
    /// not one per message of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paged_at: Option<DateTime<Utc>>,
    /// The times the customer was last offered: kept with the booking offer (which a
    /// reply such as "2" picks from), read into the state, not stored twice.
    #[serde(skip)]
    pub slots_offered: Vec<DateTime<Utc>>,
}

const MAX_SERVICES: usize = 5;

impl ConversationState {
    fn silent_since(&self, now: DateTime<Utc>) -> bool {
        self.last_activity_at.is_none_or(|at| now - at >= LONG_SILENCE)
    }

    /// Whether a reply at `now` opens with a greeting: the conversation is new (nothing
    /// said yet, by any reply or the booking flow) or starts afresh after a long silence.
    pub fn should_greet(&self, now: DateTime<Utc>) -> bool {
        self.silent_since(now)
    }

    /// Whether a reply at `now`, while closed, says so: once per closed spell (again once
    /// the business has opened since the last notice, or after a long silence).
    pub fn should_say_closed(&self, now: DateTime<Utc>, hours: &BusinessHours, tz: TimeZone) -> bool {
        match self.closed_notice_at {
            None => true,
            Some(at) => self.silent_since(now) || hours.next_open(at, tz).is_some_and(|open| open <= now),
        }
    }

    /// The service under discussion: the last one named.
    pub fn current_service(&self) -> Option<&str> {
        self.services.last().map(String::as_str)
    }

    /// Whether the on-call was paged about this customer within the last hour.
    pub fn recently_paged(&self, now: DateTime<Utc>) -> bool {
        self.paged_at.is_some_and(|at| now - at < Duration::hours(1))
    }

    pub fn mention_service(&mut self, name: &str) {
        self.services.retain(|s| s != name);
        self.services.push(name.to_owned());
        if self.services.len() > MAX_SERVICES {
            self.services.remove(0);
        }
    }

    /// Keeps what the customer stated; a later statement replaces an earlier one.
    pub fn learn(&mut self, entities: &Entities) {
        let keep = |slot: &mut Option<String>, new: &Option<String>| {
            if let Some(v) = new {
                *slot = Some(v.clone());
            }
        };
        keep(&mut self.facts.budget, &entities.budget);
        keep(&mut self.facts.timeline, &entities.timeline);
        keep(&mut self.facts.company, &entities.company);
    }
}

/// What one reply said, folded into the state after it is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Said {
    pub greeted: bool,
    pub said_closed: bool,
    pub services: Vec<String>,
    pub open_question: Option<OpenQuestion>,
    /// The reply could not answer what was asked: a person must.
    pub unanswered: bool,
    /// The reply answered a question from the business profile or its FAQ.
    pub answered: bool,
}

impl ConversationState {
    pub fn after_reply(&mut self, said: &Said, intent: Intent, now: DateTime<Utc>) {
        if said.greeted {
            self.greeted_at = Some(now);
        }
        if said.said_closed {
            self.closed_notice_at = Some(now);
        }
        for s in &said.services {
            self.mention_service(s);
        }
        self.open_question = said.open_question;
        self.last_intent = Some(intent);
        self.last_activity_at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        // December 2026: the 4th is a Friday.
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap()
    }

    #[test]
    fn greets_once_and_again_after_a_long_silence() {
        let mut s = ConversationState::default();
        assert!(s.should_greet(at(4, 10)));
        s.after_reply(&Said { greeted: true, ..Said::default() }, Intent::Other, at(4, 10));
        assert!(!s.should_greet(at(4, 11)));
        assert!(s.should_greet(at(5, 10)));
    }

    #[test]
    fn says_closed_once_per_closed_spell() {
        let hours = BusinessHours::default();
        let mut s = ConversationState::default();
        // Friday 20:00 UTC is after 17:00: closed until Monday 09:00.
        s.after_reply(&Said { said_closed: true, ..Said::default() }, Intent::Other, at(4, 20));
        s.last_activity_at = Some(at(5, 8));
        assert!(!s.should_say_closed(at(5, 9), &hours, TimeZone::UTC), "Saturday is the same closed spell");
        s.last_activity_at = Some(at(7, 17));
        assert!(s.should_say_closed(at(7, 18), &hours, TimeZone::UTC), "it opened on Monday since");
    }

    #[test]
    fn the_service_under_discussion_is_the_last_named() {
        let mut s = ConversationState::default();
        s.mention_service("Drain cleaning");
        s.mention_service("Water heater replacement");
        s.mention_service("Drain cleaning");
        assert_eq!(s.current_service(), Some("Drain cleaning"));
        assert_eq!(s.services.len(), 2);
    }
}
