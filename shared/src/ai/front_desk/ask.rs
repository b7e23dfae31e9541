//! What a message asks of the business profile: opening hours (now, today, a named
//! day, the week), the address or service area, payment methods, and whether a
//! service is offered. Read from the words alone; the analysis's intent is separate.

use std::sync::LazyLock;

use chrono::Weekday;
use regex::Regex;

use crate::domain::profile::contains_phrase;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HoursAsk {
    Now,
    Today,
    Tomorrow,
    Day(Weekday),
    Weekend,
    Week,
}

/// What the customer asked about "do you do X".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Offered {
    /// A thing named with the verb asked: ("do", "drain cleaning"), ("fix", "leaky faucets").
    Named { verb: String, thing: String },
    /// "it", "that": the service under discussion.
    Pronoun,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Asked {
    pub(super) hours: Option<HoursAsk>,
    pub(super) address: bool,
    pub(super) area: bool,
    pub(super) payment: bool,
    pub(super) offered: Option<Offered>,
}

const QUESTION_STARTS: &[&str] = &[
    "what", "whats", "what's", "when", "where", "wheres", "where's", "how", "are", "r", "is", "do", "does", "can",
    "could", "will", "would", "which", "who", "any", "u",
];

/// A question by its mark or its first word ("what are your hours on saturday").
pub(super) fn is_question(lower: &str) -> bool {
    lower.contains('?')
        || lower
            .split(['.', '!', '\n'])
            .filter_map(|s| s.split_whitespace().next())
            .any(|w| QUESTION_STARTS.contains(&w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')))
}

/// "Hours" alone asks them; "open" and "closed" only about the business ("are you open",
/// "what time do you close"), never about a door that won't open or a closed ticket.
const HOURS_WORDS: &[&str] = &["hours", "opening times", "what time do you", "what time does the", "when do you open"];
static HOURS_ASKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)\b(?:are|r|is)\s+(?:you|u|ya|y'?all|the\s+(?:shop|office|store|studio|clinic))(?:\s+guys)?\s+
          (?:still\s+|currently\s+)?(?:open|closed)\b
          |\b(?:you|u|ya)(?:\s+guys)?\s+(?:open|closed?|closing)\s*
             (?:today|tonight|tomorrow|now|late|early|on\s+\w+|\w+days?|this\s+weekend|at\s+\w+)?\s*(?:\?|$)
          |\bwhen\s+(?:do|does|are)\s+(?:you|u|ya|the\s+\w+)(?:\s+guys)?\s+(?:open|close)\b
          |\b(?:open|closed)\s+(?:today|tonight|tomorrow|now|on\s+\w+days?|\w+days|this\s+weekend|weekends)\s*\?",
    )
    .expect("the hours pattern compiles")
});
const NOW_WORDS: &[&str] = &["now", "right now", "currently", "still open", "at the moment"];
const TODAY_WORDS: &[&str] = &["today", "tonight", "this morning", "this afternoon", "this evening"];
const TOMORROW_WORDS: &[&str] = &["tomorrow", "tmrw", "tmr", "tomorow"];
const DAYS: &[(Weekday, &[&str])] = &[
    (Weekday::Mon, &["monday", "mondays", "mon"]),
    (Weekday::Tue, &["tuesday", "tuesdays", "tues", "tue"]),
    (Weekday::Wed, &["wednesday", "wednesdays", "wed"]),
    (Weekday::Thu, &["thursday", "thursdays", "thurs", "thu"]),
    (Weekday::Fri, &["friday", "fridays", "fri"]),
    (Weekday::Sat, &["saturday", "saturdays", "sat"]),
    (Weekday::Sun, &["sunday", "sundays", "sun"]),
];
const ADDRESS_WORDS: &[&str] = &[
    "address",
    "where are you",
    "where r u",
    "where are you located",
    "where are you guys",
    "where are you based",
    "where is your",
    "where's your",
    "wheres your",
    "directions to you",
    "directions to your",
    "find you",
    "your location",
    "you located",
    "your shop located",
    "your office located",
];
const AREA_WORDS: &[&str] = &[
    "service area",
    "areas do you",
    "area do you",
    "what areas",
    "which areas",
    "do you serve",
    "do you cover",
    "come out to",
    "travel to",
    "how far",
    "in my area",
    "my area",
    "near me",
    "do you come to",
    "do you work in",
];
/// Payment words that say so on their own.
const PAYMENT_WORDS: &[&str] = &[
    "pay with",
    "pay by",
    "pay in cash",
    "pay via",
    "pay using",
    "ways to pay",
    "way to pay",
    "payment method",
    "payment methods",
    "payment options",
    "credit card",
    "credit cards",
    "debit card",
    "debit cards",
    "venmo",
    "zelle",
    "paypal",
    "apple pay",
    "google pay",
    "amex",
    "american express",
    "mastercard",
];
/// Words that are payment only beside "take", "accept" or "pay" ("annual safety checks" are not).
const PAYMENT_AMBIGUOUS: &[&str] = &["cash", "checks", "cheque", "cheques", "card", "cards", "visa"];
const PAYMENT_CONTEXT: &[&str] = &["take", "accept", "accepted", "pay", "paying", "payment"];

fn any(lower: &str, words: &[&str]) -> bool {
    words.iter().any(|w| contains_phrase(lower, w))
}

/// The day an hours question is about, if it names one.
fn day_asked(lower: &str) -> Option<HoursAsk> {
    if any(lower, TOMORROW_WORDS) {
        return Some(HoursAsk::Tomorrow);
    }
    if any(lower, TODAY_WORDS) {
        return Some(HoursAsk::Today);
    }
    if any(lower, &["weekend", "weekends"]) {
        return Some(HoursAsk::Weekend);
    }
    DAYS.iter().find(|(_, names)| any(lower, names)).map(|(d, _)| HoursAsk::Day(*d))
}

static OFFERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)\b(?:do|does|can|could|will|would)\s+(?:you|ya|u|y'?all|you\s+guys|your\s+(?:team|company|shop))\s+
          (?:also\s+|still\s+|ever\s+)?
          (?P<verb>do|offer|provide|handle|fix|repair|install|replace|service|clean|unclog|sell|carry|work\s+on|
             take\s+care\s+of|deal\s+with|perform|specialize\s+in|specialise\s+in)\s+
          (?P<thing>[^?.!,;\n]{2,60})",
    )
    .expect("the offered pattern compiles")
});

const PRONOUNS: &[&str] = &["it", "that", "this", "them", "those", "one", "that one", "this one", "that too"];
const LEADING: &[&str] = &["a ", "an ", "the ", "any ", "some ", "my ", "our "];
/// A "thing" that is a time is a booking question, not an offering.
const TIME_WORDS: &[&str] = &[
    "today",
    "tomorrow",
    "tonight",
    "am",
    "pm",
    "appointment",
    "appointments",
    "time",
    "times",
    "anytime",
    "openings",
];

fn offered(lower: &str) -> Option<Offered> {
    let caps = OFFERED.captures(lower)?;
    let mut thing = caps["thing"].trim().to_owned();
    for lead in LEADING {
        if let Some(rest) = thing.strip_prefix(lead) {
            thing = rest.to_owned();
        }
    }
    if PRONOUNS.contains(&thing.as_str()) || PRONOUNS.iter().any(|p| thing.starts_with(&format!("{p} "))) {
        return Some(Offered::Pronoun);
    }
    if any(&thing, TIME_WORDS) || day_asked(&thing).is_some() {
        return None;
    }
    let verb = caps["verb"].split_whitespace().collect::<Vec<_>>().join(" ");
    Some(Offered::Named { verb, thing })
}

/// Words that ask what the business does in general ("what services do you offer").
const SERVICES_WORDS: &[&str] =
    &["service", "services", "offer", "what do you do", "kind of work", "types of", "type of", "provide", "do you do"];

pub(super) fn about_services(lower: &str) -> bool {
    any(lower, SERVICES_WORDS)
}

pub(super) fn read(text: &str) -> Asked {
    let lower = text.to_lowercase().replace('\u{2019}', "'");
    if !is_question(&lower) {
        return Asked::default();
    }
    let mut asked = Asked::default();
    let weekend_booking = contains_phrase(&lower, "weekend appointments") || contains_phrase(&lower, "weekends");
    if any(&lower, HOURS_WORDS) || HOURS_ASKED.is_match(&lower) || (weekend_booking && offered(&lower).is_none()) {
        asked.hours = Some(match day_asked(&lower) {
            Some(day) => day,
            None if any(&lower, NOW_WORDS) || contains_phrase(&lower, "are you open") => HoursAsk::Now,
            None => HoursAsk::Week,
        });
    }
    asked.address = any(&lower, ADDRESS_WORDS);
    asked.area = any(&lower, AREA_WORDS);
    asked.payment = any(&lower, PAYMENT_WORDS) || (any(&lower, PAYMENT_AMBIGUOUS) && any(&lower, PAYMENT_CONTEXT));
    // Each question on its own: "what are your hours, and do you do drain cleaning?" asks two.
    asked.offered = offered(&lower).filter(|o| match o {
        Offered::Named { thing, .. } => {
            !(any(thing, PAYMENT_WORDS)
                || any(thing, PAYMENT_AMBIGUOUS)
                || any(thing, AREA_WORDS)
                || any(thing, HOURS_WORDS))
        }
        Offered::Pronoun => true,
    });
    asked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_questions_name_their_day() {
        assert_eq!(read("what are your hours on saturday?").hours, Some(HoursAsk::Day(Weekday::Sat)));
        assert_eq!(read("Are you open now?").hours, Some(HoursAsk::Now));
        assert_eq!(read("are you guys open today").hours, Some(HoursAsk::Today));
        assert_eq!(read("What time do you close tomorrow?").hours, Some(HoursAsk::Tomorrow));
        assert_eq!(read("what are your hours").hours, Some(HoursAsk::Week));
        assert_eq!(read("Do you do weekend appointments?").hours, Some(HoursAsk::Weekend));
        assert_eq!(read("My office opened late today.").hours, None, "not a question");
        assert_eq!(read("my garage door won't open, can you fix it?").hours, None);
        assert_eq!(read("Is the ticket closed?").hours, None);
        assert_eq!(read("Can you close my account?").hours, None);
        assert_eq!(read("can you open a safe?").hours, None);
        assert_eq!(read("you guys open sunday?").hours, Some(HoursAsk::Day(Weekday::Sun)));
        assert_eq!(read("when do you close on fridays?").hours, Some(HoursAsk::Day(Weekday::Fri)));
    }

    #[test]
    fn offerings_and_the_rest() {
        let named = |verb: &str, thing: &str| Some(Offered::Named { verb: verb.into(), thing: thing.into() });
        assert_eq!(read("Hi, do you do drain cleaning?").offered, named("do", "drain cleaning"));
        assert_eq!(read("can you guys fix a leaky faucet?").offered, named("fix", "leaky faucet"));
        assert_eq!(read("do you also install it?").offered, Some(Offered::Pronoun));
        assert_eq!(read("ok can you come tuesday at 10am?").offered, None);
        assert!(read("do you take credit cards?").payment);
        assert!(read("can I pay cash?").payment);
        assert!(!read("Do you do annual furnace safety checks?").payment);
        assert!(!read("where is the shutoff valve located?").address);
        assert!(read("Where are you?").address);
        let both = read("What are your hours? And do you do drain cleaning?");
        assert!(both.hours.is_some() && both.offered == named("do", "drain cleaning"), "{both:?}");
        assert!(read("Where are you located?").address);
        assert!(read("Do you serve Round Rock?").area);
        assert_eq!(read("How much is it?"), Asked::default());
    }
}
