//! Answers from the business profile: hours, whether a service is offered (and its
//! price as listed), address, service area, payment methods and the FAQ.

use super::ask::{self, HoursAsk, Offered};
use super::hours_talk::{self, day_name};
use super::words::content_words;
use super::{Desk, faq};
use crate::domain::conversation_state::OpenQuestion;
use crate::domain::{Service, Settings, Text};

/// Words every trade uses: sharing only these does not make two services the same.
const GENERIC: &[&str] = &[
    "servic",
    "repair",
    "install",
    "replac",
    "replacement",
    "fix",
    "new",
    "work",
    "job",
    "unit",
    "system",
    "maintenanc",
    "check",
    "inspection",
    "pric",
];

fn distinctive(text: &str) -> Vec<String> {
    content_words(text).into_iter().filter(|w| !GENERIC.contains(&w.as_str())).collect()
}

/// The listed service a text names (by the distinctive words of its name or
/// description), the one sharing most words.
pub(in crate::ai) fn find_service<'s>(settings: &'s Settings, text: &str) -> Option<&'s Service> {
    let asked = distinctive(text);
    settings
        .services
        .iter()
        .filter_map(|s| {
            let name = distinctive(s.name.as_str());
            let description = s.description.as_ref().map(|d| distinctive(d.as_str())).unwrap_or_default();
            let by_name = name.iter().filter(|w| asked.contains(w)).count();
            let by_description = description.iter().filter(|w| asked.contains(w)).count();
            let score = by_name * 2 + by_description;
            (score > 0).then_some((score, s))
        })
        .max_by_key(|(score, _)| *score)
        .map(|(_, s)| s)
}

pub(super) fn services_list(settings: &Settings) -> Option<String> {
    let names: Vec<&str> = settings.services.iter().take(5).map(|s| s.name.as_str()).collect();
    list(&names)
}

fn list(items: &[&str]) -> Option<String> {
    match items {
        [] => None,
        [one] => Some((*one).to_owned()),
        [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
    }
}

impl Desk<'_, '_> {
    /// Answers whatever the message asks of the profile.
    pub(super) fn profile(&mut self) {
        let asked = ask::read(&self.ctx.inbound.content);
        if let Some(h) = asked.hours {
            self.hours(h);
        }
        if let Some(o) = &asked.offered {
            self.offered(o);
        }
        if asked.address || asked.area {
            self.whereabouts(asked.address, asked.area);
        }
        if asked.payment {
            self.payment();
        }
        if let Some(entry) = faq::find(self.ctx.settings, &self.ctx.inbound.content) {
            self.say(entry.answer.as_str().to_owned());
            self.answered = true;
        }
        if !self.answered && asked.anything() && !matches!(asked.offered, Some(Offered::Pronoun)) {
            self.unanswered();
        }
    }

    /// Reads the message as the answer to the question the last reply left open.
    pub(super) fn answer_open_question(&mut self) -> bool {
        let text = &self.ctx.inbound.content;
        if ask::is_question(&text.to_lowercase()) {
            return false;
        }
        match self.ctx.state.open_question {
            Some(OpenQuestion::WhichService) => {
                let Some(service) = find_service(self.ctx.settings, text) else { return false };
                let price = service.price.as_ref().map(|p| format!(" ({p})")).unwrap_or_default();
                self.say(format!(
                    "Great, {}{price} it is. Would you like us to set up a time?",
                    service.name.as_str().to_lowercase()
                ));
                self.said.services.push(service.name.as_str().to_owned());
                self.answered = true;
                true
            }
            Some(OpenQuestion::JobDetails) => {
                // The job described: pricing it is a person's work.
                self.say("Thanks, that helps. A member of our team will get back to you with a quote shortly.");
                self.said.unanswered = true;
                true
            }
            // Times are the booking flow's to read.
            Some(OpenQuestion::PreferredTime) | None => false,
        }
    }

    fn hours(&mut self, asked: HoursAsk) {
        let s = self.ctx.settings;
        let (hours, tz, now) = (&s.business_hours, s.time_zone, self.ctx.now);
        if hours.is_always_closed() {
            return;
        }
        let on = |day: chrono::Weekday| hours_talk::spans(hours.spans(day));
        let text = match asked {
            HoursAsk::Now => match hours_talk::open_until(hours, tz, now) {
                Some(close) => format!("Yes, we're open now until {}.", hours_talk::clock(close)),
                None => match hours_talk::next_opening(hours, tz, now) {
                    Some(when) => format!("We're closed right now; we open again {when}."),
                    None => "We're closed right now.".to_owned(),
                },
            },
            HoursAsk::Today | HoursAsk::Tomorrow => {
                let today = hours_talk::local_weekday(tz, now);
                let (word, day) =
                    if asked == HoursAsk::Tomorrow { ("Tomorrow", today.succ()) } else { ("Today", today) };
                let next = hours_talk::next_opening(hours, tz, now);
                match on(day) {
                    Some(spans) => {
                        let state = match (asked, self.ctx.open_now, next) {
                            (HoursAsk::Today, false, Some(when)) if when.starts_with("today") => " We're not open yet.",
                            (HoursAsk::Today, false, _) => " We've closed for the day.",
                            _ => "",
                        };
                        format!("{word} ({}) we're open {spans}.{state}", day_name(day))
                    }
                    None => {
                        let next = next.map(|w| format!("; we open again {w}")).unwrap_or_default();
                        format!("We're closed {} ({}){next}.", word.to_lowercase(), day_name(day))
                    }
                }
            }
            HoursAsk::Day(day) => match on(day) {
                Some(spans) => format!("On {}s we're open {spans}.", day_name(day)),
                None => format!("We're closed on {}s.", day_name(day)),
            },
            HoursAsk::Weekend => match (on(chrono::Weekday::Sat), on(chrono::Weekday::Sun)) {
                (None, None) => "We're closed at weekends; we're open ".to_owned() + &hours_talk::week(hours) + ".",
                (Some(sat), None) => format!("We're open Saturdays {sat} and closed on Sundays."),
                (None, Some(sun)) => format!("We're open Sundays {sun} and closed on Saturdays."),
                (Some(sat), Some(sun)) => format!("We're open Saturdays {sat} and Sundays {sun}."),
            },
            HoursAsk::Week => format!("Our hours are {}.", hours_talk::week(hours)),
        };
        self.say(text);
        self.answered = true;
        self.hours_told = true;
    }

    fn offered(&mut self, asked: &Offered) {
        let settings = self.ctx.settings;
        match asked {
            Offered::Pronoun => {}
            Offered::Named { verb, thing } => match find_service(settings, thing) {
                Some(service) => {
                    let price = service.price.as_ref().map(|p| format!(" ({p})")).unwrap_or_default();
                    self.say(format!(
                        "Yes, we do {}{price}. Would you like us to set up a time?",
                        service.name.as_str().to_lowercase()
                    ));
                    self.said.services.push(service.name.as_str().to_owned());
                    self.answered = true;
                }
                None if settings.services.is_empty() => {}
                None => {
                    let close: Vec<&str> = settings
                        .services
                        .iter()
                        .filter(|s| content_words(s.name.as_str()).iter().any(|w| content_words(thing).contains(w)))
                        .map(|s| s.name.as_str())
                        .collect();
                    let what = match list(&close) {
                        Some(close) => format!("The closest we offer is {close}."),
                        None => format!("What we do offer: {}.", services_list(settings).unwrap_or_default()),
                    };
                    // Said with the customer's verb: "we don't fix leaky faucets".
                    let verb = match verb.as_str() {
                        "do" | "provide" | "handle" | "deal with" | "take care of" | "perform" => "offer",
                        other => other,
                    };
                    self.say(format!("Sorry, we don't {verb} {thing}. {what}"));
                    self.answered = true;
                }
            },
        }
    }

    fn whereabouts(&mut self, address: bool, area: bool) {
        let s = self.ctx.settings;
        let mut told = false;
        if address && let Some(a) = &s.address {
            self.say(format!("You'll find us at {a}."));
            told = true;
        }
        if (area || !told)
            && let Some(area) = &s.service_area
        {
            self.say(format!("We work in {}.", area.as_str().trim_end_matches('.')));
            told = true;
        }
        if !told
            && address
            && let Some(location) = &s.booking.location
        {
            self.say(format!("You'll find us at {location}."));
            told = true;
        }
        self.answered |= told;
    }

    fn payment(&mut self) {
        let methods: Vec<&str> = self.ctx.settings.payment_methods.iter().map(Text::as_str).collect();
        if let Some(list) = list(&methods) {
            self.say(format!("We accept {list}."));
            self.answered = true;
        }
    }
}
