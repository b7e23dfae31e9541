//! Answers from the business profile: hours, whether a service is offered (and its
//! price as listed), address, service area, payment methods and the FAQ.

use super::ask::{self, HoursAsk, Offered};
use super::hours_talk::{self, day_name};
use super::words::content_words;
use super::{Desk, faq};
use crate::domain::conversation_state::OpenQuestion;
use crate::domain::profile::contains_phrase;
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

/// How well the words of a text name a service: the share of the service name's
/// distinctive words it uses, the share of its own words the service (name or
/// description) covers, and whether it uses a description word beyond the name.
fn fit(s: &Service, asked: &[String]) -> (f64, f64, bool) {
    let name = distinctive(s.name.as_str());
    let description = s.description.as_ref().map(|d| distinctive(d.as_str())).unwrap_or_default();
    let by_name = name.iter().filter(|w| asked.contains(w)).count();
    let known = asked.iter().filter(|w| name.contains(w) || description.contains(w)).count();
    let beyond_name = description.iter().any(|w| asked.contains(w) && !name.contains(w));
    let ratio = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    (ratio(by_name, name.len()), ratio(known, asked.len()), beyond_name)
}

fn best<'s>(settings: &'s Settings, asked: &[String], fits: impl Fn((f64, f64, bool)) -> bool) -> Option<&'s Service> {
    settings
        .services
        .iter()
        .map(|s| (fit(s, asked), s))
        .filter(|(f, _)| fits(*f))
        .max_by(|(a, _), (b, _)| (a.0 + a.1).total_cmp(&(b.0 + b.1)))
        .map(|(_, s)| s)
}

/// The listed service a message talks about: most of the service's name, or half of it
/// with a word of its description ("my kitchen drain" is drain cleaning; "a water leak"
/// is not water heater replacement).
pub(in crate::ai) fn find_service<'s>(settings: &'s Settings, text: &str) -> Option<&'s Service> {
    let asked = distinctive(text);
    best(settings, &asked, |(name, _, beyond)| name > 0.5 || (name >= 0.5 && beyond))
}

/// The listed service a phrase names ("do you do X"): most of its name, or the phrase
/// mostly in the service's words.
fn service_named<'s>(settings: &'s Settings, phrase: &str) -> Option<&'s Service> {
    let asked = distinctive(phrase);
    best(settings, &asked, |(name, phrase, _)| name > 0.5 || (phrase >= 2.0 / 3.0 && name > 0.0))
}

/// Services sharing a word with a phrase: close to it, but not clearly it.
fn services_near<'s>(settings: &'s Settings, phrase: &str) -> Vec<&'s Service> {
    let asked = distinctive(phrase);
    settings.services.iter().filter(|s| fit(s, &asked).1 > 0.0).collect()
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

/// Whether a message names no job of its own ("how much is it?").
pub(super) fn names_nothing(text: &str) -> bool {
    distinctive(text).is_empty()
}

/// Things a business may or may not offer that are not jobs: a "no" to them would be a
/// guess, so a person answers.
const NOT_JOBS: &[&str] = &[
    "financing",
    "finance",
    "discount",
    "discounts",
    "warranty",
    "warranties",
    "guarantee",
    "estimate",
    "estimates",
    "quote",
    "quotes",
    "free",
    "same-day",
    "same day",
    "emergency",
    "emergencies",
    "insurance",
    "payment plan",
    "payment plans",
    "senior",
    "military",
    "weekend",
    "weekends",
    "evening",
    "evenings",
    "pickup",
    "delivery",
    "gift card",
    "gift cards",
    "membership",
    "memberships",
];

/// "water heater replacement (from $1,200 installed)": the price only as listed.
pub(super) fn with_price(service: &Service) -> String {
    let price = service.price.as_ref().map(|p| format!(" ({p})")).unwrap_or_default();
    format!("{}{price}", service.name.as_str().to_lowercase())
}

impl Desk<'_, '_> {
    /// Confirms a listed service and offers the next step; it is now under discussion.
    pub(super) fn confirm(&mut self, service: &Service, sentence: &str) {
        self.say(format!("{sentence} Would you like us to set up a time?"));
        self.said.services.push(service.name.as_str().to_owned());
        self.answered = true;
    }

    /// Answers whatever the message asks of the profile: the FAQ first (staff's own
    /// words beat any rule), then each question asked; one the profile cannot answer goes
    /// to a person.
    pub(super) fn profile(&mut self) {
        let asked = ask::read(&self.ctx.inbound.content);
        let faq = faq::find(self.ctx.settings, &self.ctx.inbound.content);
        if let Some(entry) = faq {
            self.say(entry.answer.as_str().to_owned());
            self.answered = true;
        }
        let mut missed = false;
        if let Some(h) = asked.hours {
            missed |= !self.hours(h);
        }
        if let Some(o) = asked.offered.as_ref().filter(|_| faq.is_none()) {
            missed |= !self.offered(o);
        }
        if asked.address || asked.area {
            missed |= !self.whereabouts(asked.address, asked.area);
        }
        if asked.payment {
            missed |= !self.payment();
        }
        if missed {
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
                self.confirm(service, &format!("Great, {} it is.", with_price(service)));
                true
            }
            // "ok thanks" describes no job.
            Some(OpenQuestion::JobDetails) if content_words(text).len() < 3 => false,
            Some(OpenQuestion::JobDetails) => {
                // The job described: pricing it is a person's work.
                self.say("Thanks, that helps. A member of our team will get back to you with a quote shortly.");
                self.said.unanswered = true;
                true
            }
            // Times are the booking flow's, a callback number the emergency's.
            Some(OpenQuestion::PreferredTime | OpenQuestion::CallbackNumber) | None => false,
        }
    }

    /// Answers an hours question; `false` when the profile has no hours to give.
    fn hours(&mut self, asked: HoursAsk) -> bool {
        let s = self.ctx.settings;
        let (hours, tz, now) = (&s.business_hours, s.time_zone, self.ctx.now);
        if hours.is_always_closed() {
            return false;
        }
        let on = |day: chrono::Weekday| hours_talk::spans(hours.spans(day));
        let next = hours_talk::next_opening(hours, tz, now);
        let closed_now = next.as_ref().map_or_else(
            || "We're closed right now.".to_owned(),
            |when| format!("We're closed right now; we open again {when}."),
        );
        let text = match asked {
            HoursAsk::Now => match hours_talk::open_until(hours, tz, now) {
                Some(close) if close >= 24 * 60 => "Yes, we're open now.".to_owned(),
                Some(close) => format!("Yes, we're open now until {}.", hours_talk::clock(close)),
                None => closed_now,
            },
            HoursAsk::Today | HoursAsk::Tomorrow => {
                let today = hours_talk::local_weekday(tz, now);
                let tomorrow = asked == HoursAsk::Tomorrow;
                let (word, day, ahead) = if tomorrow { ("Tomorrow", today.succ(), 1) } else { ("Today", today, 0) };
                match on(day) {
                    Some(spans) => {
                        let state = match (tomorrow, self.ctx.open_now, &next) {
                            (false, false, Some(when)) if when.starts_with("today") => {
                                format!(" We're closed right now and open again {when}.")
                            }
                            (false, false, _) => " We've closed for the day.".to_owned(),
                            (true, _, _) | (false, true, _) => String::new(),
                        };
                        format!("{word} ({}) we're open {spans}.{state}", day_name(day))
                    }
                    None => {
                        // Closed that day: the opening after it, not the next one from now.
                        let after = hours_talk::next_opening_after_day(hours, tz, now, ahead)
                            .map(|w| format!("; we open again {w}"))
                            .unwrap_or_default();
                        format!("We're closed {} ({}){after}.", word.to_lowercase(), day_name(day))
                    }
                }
            }
            HoursAsk::Day(day) => match on(day) {
                Some(spans) => format!("On {}s we're open {spans}.", day_name(day)),
                None => format!("We're closed on {}s.", day_name(day)),
            },
            HoursAsk::Weekend => match (on(chrono::Weekday::Sat), on(chrono::Weekday::Sun)) {
                (None, None) => format!("We're closed at weekends; our hours are {}.", hours_talk::week(hours)),
                (Some(sat), None) => format!("We're open Saturdays {sat} and closed on Sundays."),
                (None, Some(sun)) => format!("We're open Sundays {sun} and closed on Saturdays."),
                (Some(sat), Some(sun)) => format!("We're open Saturdays {sat} and Sundays {sun}."),
            },
            HoursAsk::Week => format!("Our hours are {}.", hours_talk::week(hours)),
        };
        self.say(text);
        self.answered = true;
        self.hours_told = true;
        // An hours answer given while closed says so: no separate notice later.
        self.said.said_closed |= !self.ctx.open_now;
        true
    }

    /// Answers "do you do X": yes (with the listed price), a clear no when X shares
    /// nothing with what is offered, or, when it is close but not clearly the same, the
    /// close service and a person to confirm.
    fn offered(&mut self, asked: &Offered) -> bool {
        let settings = self.ctx.settings;
        let Offered::Named { verb, thing } = asked else { return true };
        if settings.services.is_empty() {
            return false;
        }
        if let Some(service) = service_named(settings, thing) {
            self.confirm(service, &format!("Yes, we do {}.", with_price(service)));
            return true;
        }
        let near: Vec<&str> = services_near(settings, thing).iter().map(|s| s.name.as_str()).collect();
        if let Some(near) = list(&near) {
            self.say(format!("We offer {near}; whether that covers {thing}, a member of our team will confirm."));
            return false;
        }
        // "Do you offer financing?" asks a policy, not a job: not ours to deny.
        if verb == "offer" || verb == "provide" || NOT_JOBS.iter().any(|w| contains_phrase(thing, w)) {
            return false;
        }
        // Said with the customer's verb: "we don't fix leaky faucets".
        let verb = match verb.as_str() {
            "do" | "handle" | "deal with" | "take care of" | "perform" => "offer",
            other => other,
        };
        let offer = services_list(settings).unwrap_or_default();
        self.say(format!("Sorry, we don't {verb} {thing}. What we do offer: {offer}."));
        self.answered = true;
        true
    }

    fn whereabouts(&mut self, address: bool, area: bool) -> bool {
        let s = self.ctx.settings;
        let mut told = false;
        let at = s.address.as_ref().or(s.booking.location.as_ref());
        if address && let Some(a) = at {
            self.say(format!("You'll find us at {a}."));
            told = true;
        }
        if (area || !told)
            && let Some(area) = &s.service_area
        {
            self.say(format!("We work in {}.", area.as_str().trim_end_matches('.')));
            told = true;
        }
        self.answered |= told;
        told
    }

    fn payment(&mut self) -> bool {
        let methods: Vec<&str> = self.ctx.settings.payment_methods.iter().map(Text::as_str).collect();
        let Some(list) = list(&methods) else { return false };
        self.say(format!("We accept {list}."));
        self.answered = true;
        true
    }
}
