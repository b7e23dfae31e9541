//! Follow-up messages of the rules engine: one short, friendly note per purpose, softer
//! on later steps, the last one saying it is the last. The topic is named only from
//! facts at hand (a listed service the customer's last message names, its subject, or
//! what it was classified as), and no amount of money is ever stated.

use super::front_desk::first_name;
use super::{FollowUpContext, FollowUpPurpose};
use crate::domain::reply::fit_for_channel;
use crate::domain::{Direction, Intent, Message, Settings, Text, Tone};

impl FollowUpContext<'_> {
    /// Whether this is the sequence's last step (a sequence of no steps has only a last).
    pub fn is_last(&self) -> bool {
        usize::try_from(self.step).map_or(true, |step| step >= self.steps)
    }

    /// The texts a follow-up may take facts from: the business's own words in its
    /// settings and every message of the conversation (the money guard's context).
    pub fn facts(&self) -> Vec<&str> {
        let s = self.settings;
        let mut facts = vec![s.business_name.as_str()];
        facts.extend(s.about.as_ref().map(Text::as_str));
        for service in &s.services {
            facts.push(service.name.as_str());
            facts.extend(service.description.as_ref().map(Text::as_str));
            facts.extend(service.price.as_ref().map(Text::as_str));
        }
        for m in self.history {
            facts.push(&m.content);
            facts.extend(m.subject.as_deref());
        }
        facts
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    First,
    Later,
    Last,
}

fn stage(ctx: &FollowUpContext<'_>) -> Stage {
    if ctx.is_last() {
        Stage::Last
    } else if ctx.step <= 1 {
        Stage::First
    } else {
        Stage::Later
    }
}

/// What the conversation was about, as far as it says.
enum Topic {
    /// A service the business lists (its own name for it).
    Service(String),
    /// The subject the customer gave their message.
    Subject(String),
    /// What the customer's message was classified as.
    Intent(&'static str),
}

impl Topic {
    fn about(&self) -> String {
        match self {
            Topic::Service(name) => format!(" about {name}"),
            Topic::Subject(subject) => format!(" about your message \"{subject}\""),
            Topic::Intent(what) => format!(" about {what}"),
        }
    }

    /// Only a service says what the quote or the appointment was for.
    fn service(&self) -> Option<&str> {
        match self {
            Topic::Service(name) => Some(name),
            Topic::Subject(_) | Topic::Intent(_) => None,
        }
    }
}

/// "Water heater replacement" reads "water heater replacement" mid-sentence; a name
/// that starts with an acronym ("HVAC tune-up") keeps its case.
fn mid_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(name.chars().skip(1)).collect()
        }
        _ => name.to_owned(),
    }
}

/// A subject short and plain enough to repeat: without reply prefixes, and without
/// digits, so that no amount or reference number is echoed back.
fn clean_subject(subject: &str) -> Option<String> {
    let mut s = subject.trim();
    while let Some(rest) = ["re:", "fwd:", "fw:"]
        .iter()
        .find_map(|p| s.get(..p.len()).filter(|head| head.eq_ignore_ascii_case(p)).map(|_| s[p.len()..].trim_start()))
    {
        s = rest;
    }
    let plain = !s.is_empty()
        && s.chars().count() <= 60
        && !s.chars().any(|c| c.is_ascii_digit() || matches!(c, '"' | '@' | '\n'))
        && !s.contains("http");
    plain.then(|| s.to_owned())
}

fn intent_topic(intent: Intent) -> Option<&'static str> {
    match intent {
        Intent::Pricing => Some("pricing"),
        Intent::Booking => Some("booking a time"),
        Intent::Reschedule | Intent::Cancel => Some("your appointment"),
        Intent::SalesInquiry => Some("what we offer"),
        Intent::Support => Some("your support request"),
        Intent::Technical => Some("the issue you reported"),
        Intent::Billing => Some("your billing question"),
        Intent::Complaint => Some("your concern"),
        Intent::OptOut | Intent::Spam | Intent::Other => None,
    }
}

fn topic(settings: &Settings, history: &[Message]) -> Option<Topic> {
    let last = history.iter().rev().find(|m| m.direction == Direction::Inbound)?;
    let said = format!("{} {}", last.subject.as_deref().unwrap_or_default(), last.content);
    if let Some(service) = settings.service_mentioned(&said) {
        return Some(Topic::Service(mid_sentence(service.name.as_str())));
    }
    if let Some(subject) = last.subject.as_deref().and_then(clean_subject) {
        return Some(Topic::Subject(subject));
    }
    last.analysis.as_ref().and_then(|a| intent_topic(a.intent)).map(Topic::Intent)
}

fn greeting(ctx: &FollowUpContext<'_>) -> String {
    let tone = ctx.settings.tone;
    match (first_name(ctx.customer), tone) {
        (Some(name), Tone::Friendly) => format!("Hi {name},"),
        (Some(name), Tone::Professional) => format!("Hello {name},"),
        (Some(name), Tone::Casual) => format!("Hey {name},"),
        (None, Tone::Friendly) => "Hi there,".to_owned(),
        (None, Tone::Professional) => "Hello,".to_owned(),
        (None, Tone::Casual) => "Hey there,".to_owned(),
    }
}

fn body(ctx: &FollowUpContext<'_>, business: &str, topic: Option<&Topic>) -> String {
    let about = topic.map(Topic::about).unwrap_or_default();
    let service = topic.and_then(Topic::service);
    let quote = service.map_or_else(|| "our quote".to_owned(), |s| format!("our quote for {s}"));
    let appointment = service.map_or_else(|| "your appointment".to_owned(), |s| format!("your {s} appointment"));
    match (ctx.purpose, stage(ctx)) {
        (FollowUpPurpose::NoReply, Stage::First) => format!(
            "it's {business} following up{about}. Do you still need a hand? Just reply here whenever it suits you."
        ),
        (FollowUpPurpose::NoReply, Stage::Later) => {
            format!("just a gentle check-in from {business}{about}. No rush at all, we're here when you're ready.")
        }
        (FollowUpPurpose::NoReply, Stage::Last) => format!(
            "this is our last note from {business}{about}. If you still need help later, just reply here and we'll \
             pick it up."
        ),
        (FollowUpPurpose::NoShow, Stage::First) => format!(
            "we missed you at {appointment} with {business}. No problem at all - would you like to pick a new time? \
             Just reply here."
        ),
        (FollowUpPurpose::NoShow, Stage::Later) => format!(
            "{business} here, just checking in. Whenever you'd like to rebook, reply here and we'll find a time that \
             suits you."
        ),
        (FollowUpPurpose::NoShow, Stage::Last) => format!(
            "this is our last note from {business} about rebooking. If you'd like a new time later on, just reply here."
        ),
        (FollowUpPurpose::QuoteSent, Stage::First) => format!(
            "{business} here, checking that you received {quote}. Happy to answer any questions - just reply here."
        ),
        (FollowUpPurpose::QuoteSent, Stage::Later) => format!(
            "just a gentle check-in from {business} about {quote}. If anything is unclear, reply whenever it suits you."
        ),
        (FollowUpPurpose::QuoteSent, Stage::Last) => format!(
            "this is our last note from {business} about {quote}. If you'd like to go ahead or have questions later, \
             just reply here."
        ),
        (FollowUpPurpose::Manual, Stage::First) => {
            format!("{business} here, following up{about}. Is there anything we can help with? Just reply here.")
        }
        (FollowUpPurpose::Manual, Stage::Later) => {
            format!("just checking in from {business}{about}. Reply whenever it suits you.")
        }
        (FollowUpPurpose::Manual, Stage::Last) => {
            format!("this is our last note from {business}{about}. We're here if you need us - just reply any time.")
        }
    }
}

/// The follow-up message, fitted to its channel.
pub(super) fn text(ctx: &FollowUpContext<'_>) -> String {
    let topic = topic(ctx.settings, ctx.history);
    let body = body(ctx, ctx.settings.business_name.as_str(), topic.as_ref());
    fit_for_channel(&format!("{} {body}", greeting(ctx)), ctx.channel)
}

#[cfg(test)]
mod tests;
