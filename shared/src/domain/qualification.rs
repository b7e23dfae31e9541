//! Lead qualification: a 0-100 score from fit (budget, company, service match) and intent
//! (timeline, booking request, engagement, follow-up response, kind of request), minus
//! decay for inactivity. Every point is explained by a factor; the factors always sum to
//! the score. Priority: high from 70, medium from 40, low below.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::analysis::{Intent, Urgency};
use super::macros::string_enum;
use super::{Priority, Score};

pub const HIGH_FROM: u8 = 70;
pub const MEDIUM_FROM: u8 = 40;
/// Days without an inbound message before the score starts to decay.
pub const GRACE_DAYS: i64 = 7;
/// Points lost per idle day after the grace period, and the most that can be lost.
pub const DECAY_PER_DAY: i32 = 2;
pub const MAX_DECAY: i32 = 40;

string_enum!(
    /// How soon the customer wants it.
    Horizon { Urgent => "urgent", Soon => "soon", Later => "later" }
);

string_enum!(
    /// BANT information still unknown.
    Missing { Budget => "budget", Authority => "authority", Need => "need", Timeline => "timeline" }
);

string_enum!(
    /// Next best actions, most important first.
    Recommendation {
        HandToSalesNow => "hand_to_sales_now",
        OfferBooking => "offer_booking",
        AskBudget => "ask_budget",
        AskTimeline => "ask_timeline",
        AskRequirements => "ask_requirements",
        ReEngage => "re_engage",
        Nurture => "nurture",
    }
);

/// What is known about a lead, gathered from its record and conversation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signals {
    pub budget_stated: bool,
    pub company_known: bool,
    pub contact_name_known: bool,
    /// The conversation names one of the business's listed services; `None` when the
    /// business lists no services (a match cannot be judged).
    pub service_match: Option<bool>,
    pub requirements_stated: bool,
    pub horizon: Option<Horizon>,
    pub booking_requested: bool,
    pub inbound_count: u32,
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub replied_to_follow_up: bool,
    /// The most telling intent of the conversation (see [`lead_intent`]).
    pub intent: Option<Intent>,
    pub urgency: Option<Urgency>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    pub name: &'static str,
    pub points: i32,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Qualification {
    pub score: Score,
    pub priority: Priority,
    pub breakdown: Vec<Factor>,
    pub missing: Vec<Missing>,
    pub recommendations: Vec<Recommendation>,
}

pub fn priority_for(score: Score) -> Priority {
    match score.value() {
        s if s >= HIGH_FROM => Priority::High,
        s if s >= MEDIUM_FROM => Priority::Medium,
        _ => Priority::Low,
    }
}

/// Of the intents seen in a conversation, the one that says most about buying; an
/// opt-out anywhere wins (the customer asked not to be contacted).
pub fn lead_intent(intents: impl IntoIterator<Item = Intent>) -> Option<Intent> {
    let intents: Vec<Intent> = intents.into_iter().collect();
    if intents.contains(&Intent::OptOut) {
        return Some(Intent::OptOut);
    }
    let rank = |i: &Intent| match i {
        Intent::Booking => 6,
        Intent::Pricing => 5,
        Intent::SalesInquiry => 4,
        Intent::Reschedule | Intent::Cancel | Intent::Support | Intent::Technical | Intent::Billing => 3,
        Intent::Complaint => 2,
        Intent::Other => 1,
        Intent::OptOut | Intent::Spam => 0,
    };
    intents.into_iter().max_by_key(rank)
}

/// How soon a stated timeline is ("ASAP", "next Tuesday", "in the spring").
pub fn horizon_of(timeline: &str) -> Horizon {
    let t = timeline.to_lowercase();
    let words: Vec<&str> = t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    // A phrase matches as a run of whole words ("now" is not in "know").
    let any = |phrases: &[&str]| {
        phrases.iter().any(|p| {
            let parts: Vec<&str> = p.split(' ').collect();
            words.windows(parts.len()).any(|w| w == parts.as_slice())
        })
    };
    if any(&[
        "today",
        "tonight",
        "asap",
        "as soon as",
        "urgent",
        "immediately",
        "right away",
        "emergency",
        "tomorrow",
        "this week",
        "now",
    ]) {
        Horizon::Urgent
    } else if any(&[
        "next year",
        "no rush",
        "eventually",
        "someday",
        "later this year",
        "few months",
        "quarter",
        "spring",
        "summer",
        "fall",
        "autumn",
        "winter",
        "months",
    ]) {
        Horizon::Later
    } else {
        Horizon::Soon
    }
}

fn factor(name: &'static str, points: i32, reason: impl Into<String>) -> Factor {
    Factor { name, points, reason: reason.into() }
}

fn fit(s: &Signals) -> Vec<Factor> {
    vec![
        if s.budget_stated {
            factor("budget", 20, "a budget was stated")
        } else {
            factor("budget", 0, "no budget stated")
        },
        if s.company_known {
            factor("company", 10, "the company is known")
        } else {
            factor("company", 0, "no company known")
        },
        match s.service_match {
            Some(true) => factor("service_match", 15, "asks for a service the business offers"),
            Some(false) => factor("service_match", 0, "no listed service mentioned"),
            None => factor("service_match", 8, "the business lists no services to match"),
        },
    ]
}

fn engagement(s: &Signals, now: DateTime<Utc>) -> Factor {
    let base = match s.inbound_count {
        0 => 0,
        1 => 3,
        2 => 6,
        _ => 8,
    };
    let recent = s.last_inbound_at.is_some_and(|t| now - t <= Duration::hours(24));
    let points = base + if recent { 2 } else { 0 };
    let when = if recent { ", the last within a day" } else { "" };
    factor("engagement", points, format!("{} inbound message(s){when}", s.inbound_count))
}

fn interest(s: &Signals, now: DateTime<Utc>) -> Vec<Factor> {
    let horizon = s.horizon.or(matches!(s.urgency, Some(Urgency::High)).then_some(Horizon::Urgent));
    vec![
        match horizon {
            Some(Horizon::Urgent) => factor("timeline", 20, "needs it now or this week"),
            Some(Horizon::Soon) => factor("timeline", 14, "wants it soon"),
            Some(Horizon::Later) => factor("timeline", 7, "a later timeline"),
            None => factor("timeline", 0, "no timeline stated"),
        },
        if s.booking_requested {
            factor("booking_request", 15, "asked to book")
        } else {
            factor("booking_request", 0, "no booking asked for")
        },
        engagement(s, now),
        if s.replied_to_follow_up {
            factor("follow_up_response", 5, "answered a follow-up")
        } else {
            factor("follow_up_response", 0, "no follow-up answered")
        },
        match s.intent {
            Some(Intent::Booking | Intent::Pricing | Intent::SalesInquiry) => factor("intent", 5, "asks about buying"),
            Some(Intent::Spam) => factor("intent", -100, "spam is not a lead"),
            Some(Intent::OptOut) => factor("intent", -100, "asked not to be contacted"),
            Some(i) => factor("intent", 0, format!("{i} request")),
            None => factor("intent", 0, "nothing analysed yet"),
        },
    ]
}

fn decay(s: &Signals, now: DateTime<Utc>) -> Option<Factor> {
    let idle_days = (now - s.last_inbound_at?).num_days();
    let lost =
        (i32::try_from(idle_days - GRACE_DAYS).unwrap_or(i32::MAX).max(0)).saturating_mul(DECAY_PER_DAY).min(MAX_DECAY);
    (lost > 0).then(|| factor("inactivity", -lost, format!("no message for {idle_days} days")))
}

pub fn qualify(s: &Signals, now: DateTime<Utc>) -> Qualification {
    let mut breakdown = fit(s);
    breakdown.extend(interest(s, now));
    breakdown.extend(decay(s, now));
    let raw: i32 = breakdown.iter().map(|f| f.points).sum();
    let score = Score::clamped(f64::from(raw));
    let clamp = i32::from(score.value()) - raw;
    if clamp != 0 {
        breakdown.push(factor("bounds", clamp, "the score stays within 0-100"));
    }
    let priority = priority_for(score);

    let mut missing = Vec::new();
    if !s.budget_stated {
        missing.push(Missing::Budget);
    }
    if !s.company_known && !s.contact_name_known {
        missing.push(Missing::Authority);
    }
    if s.service_match != Some(true) && !s.requirements_stated {
        missing.push(Missing::Need);
    }
    if s.horizon.is_none() {
        missing.push(Missing::Timeline);
    }

    let disqualified = matches!(s.intent, Some(Intent::Spam | Intent::OptOut));
    let mut recommendations = Vec::new();
    if !disqualified {
        if priority == Priority::High {
            recommendations.push(Recommendation::HandToSalesNow);
        }
        if !s.booking_requested && score.value() >= MEDIUM_FROM {
            recommendations.push(Recommendation::OfferBooking);
        }
        let asks = [
            (Missing::Budget, Recommendation::AskBudget),
            (Missing::Timeline, Recommendation::AskTimeline),
            (Missing::Need, Recommendation::AskRequirements),
        ];
        recommendations.extend(asks.iter().filter(|(m, _)| missing.contains(m)).map(|(_, r)| *r));
        if decay(s, now).is_some() {
            recommendations.push(Recommendation::ReEngage);
        }
        if priority == Priority::Low {
            recommendations.push(Recommendation::Nurture);
        }
    }
    Qualification { score, priority, breakdown, missing, recommendations }
}

#[cfg(test)]
mod tests;
