//! The rules engine's replies, written like a competent front desk: a greeting once per
//! conversation, an answer to what was asked from the business profile (hours, services,
//! prices exactly as listed, address, service area, payment, staff-written FAQ), the
//! next step, and the after-hours notice once. What the profile cannot answer is said to
//! go to a person (and the reply says so in `Said::unanswered`), never guessed.

mod answers;
mod ask;
mod faq;
mod hours_talk;
mod words;

pub(super) use answers::find_service;
pub(super) use hours_talk::next_opening;

use super::{EmergencyNotice, Reply, ReplyContext};
use crate::domain::analysis::HandoffReason;
use crate::domain::conversation_state::{OpenQuestion, Said};
use crate::domain::{Channel, Customer, Intent, Tone, Urgency};

/// The customer's first name, when their name is known and reads as one.
pub(super) fn first_name(customer: &Customer) -> Option<String> {
    let name = customer.name.as_ref()?.as_str();
    let first = name.split_whitespace().next()?;
    let letters = first.chars().all(|c| c.is_alphabetic() || c == '-' || c == '\'');
    if !letters || name.split_whitespace().count() > 4 || first.chars().count() < 2 {
        return None;
    }
    let mut chars = first.chars();
    let initial = chars.next()?;
    Some(initial.to_uppercase().chain(chars).collect())
}

/// "No thanks, I found someone else": not an answer to anything asked.
fn declines(lower: &str) -> bool {
    ["no thanks", "no thank you", "found someone", "went with", "go with someone", "not interested"]
        .iter()
        .any(|w| lower.contains(w))
}

fn thanks(lower: &str) -> bool {
    ["thank", "thx", "appreciate", "cheers"].iter().any(|w| lower.contains(w))
}

/// A reply being written: its sentences and what they said.
struct Desk<'c, 'a> {
    ctx: &'c ReplyContext<'a>,
    parts: Vec<String>,
    said: Said,
    /// Something the customer asked was answered from the profile.
    answered: bool,
    hours_told: bool,
}

impl<'c, 'a> Desk<'c, 'a> {
    fn new(ctx: &'c ReplyContext<'a>) -> Self {
        Self { ctx, parts: Vec::new(), said: Said::default(), answered: false, hours_told: false }
    }

    fn say(&mut self, text: impl Into<String>) {
        self.parts.push(text.into());
    }

    fn soon(&self) -> &'static str {
        if self.ctx.analysis.urgency == Urgency::High { "right away" } else { "shortly" }
    }

    fn emergency(&mut self, notice: &EmergencyNotice) {
        let text = match notice {
            EmergencyNotice::Paged { title } => {
                let who = title.as_ref().map_or("team member", |t| t.as_str());
                // A promise to call needs a number to call.
                let then = if self.ctx.customer.phone.is_some() {
                    "will call you shortly."
                } else {
                    self.said.open_question = Some(OpenQuestion::CallbackNumber);
                    "will be in touch shortly. Please reply with a phone number they can call you on."
                };
                format!("I'm sorry, that sounds stressful. Our on-call {who} has been alerted and {then}")
            }
            EmergencyNotice::CallUs { phone } => format!(
                "I'm sorry, that sounds stressful. For an emergency, please call our emergency line at {} right now.",
                phone.as_str()
            ),
            EmergencyNotice::Marked => "I'm sorry, that sounds stressful. We've marked this as urgent and a member \
                                        of our team will contact you as soon as possible."
                .to_owned(),
        };
        self.say(text);
    }

    /// What the intent needs beyond the profile's answers.
    fn intent(&mut self) {
        let business = self.ctx.settings.business_name.as_str().to_owned();
        let soon = self.soon();
        match self.ctx.analysis.intent {
            Intent::Spam => {}
            Intent::Pricing => self.pricing(),
            Intent::Booking => {
                self.say("We'd be glad to set up a time. Which day and time work best for you?");
                self.said.open_question = Some(OpenQuestion::PreferredTime);
            }
            Intent::Reschedule => {
                self.say("No problem, we can move your appointment. What new day and time suit you?");
                self.said.open_question = Some(OpenQuestion::PreferredTime);
            }
            Intent::Cancel => self.say(
                "Understood, we've noted your request to cancel and a member of our team will confirm it. \
                 If you'd like to rebook later, just reply here.",
            ),
            Intent::SalesInquiry => {
                let lower = self.ctx.inbound.content.to_lowercase();
                let named = answers::find_service(self.ctx.settings, &lower);
                match named {
                    _ if self.answered => {}
                    // "I need a new water heater": the listed service it names, confirmed.
                    Some(service) => self.confirm(service, &format!("We do {}.", answers::with_price(service))),
                    // "Are you licensed?": a question the profile does not cover.
                    None if ask::is_question(&lower) && !ask::about_services(&lower) => self.unanswered(),
                    None => self.services_offer(&business),
                }
            }
            // A question the profile answered ("what's your address", "do you take cards")
            // is not a problem to apologise for, whatever the analysis made of it.
            Intent::Support | Intent::Billing if self.answered => {}
            Intent::Support => {
                self.say(format!("Sorry for the trouble. Our support team is looking into it and will reply {soon}."));
            }
            Intent::Technical => self.say(format!(
                "Sorry you're running into this. We've passed it to our technical team, who will be in touch {soon}."
            )),
            Intent::Billing => self.say("Our billing team will look into this and get back to you shortly."),
            Intent::Complaint => self.say(
                "We're sorry about your experience. A member of our team will personally follow up with you shortly.",
            ),
            Intent::OptOut => self.say("You won't receive further messages from us."),
            Intent::Other => {
                if !self.answered {
                    self.other();
                }
            }
        }
    }

    fn services_offer(&mut self, business: &str) {
        match answers::services_list(self.ctx.settings) {
            Some(list) => {
                self.say(format!("We offer {list}. What are you looking for? We'll point you to the right option."));
                self.said.open_question = Some(OpenQuestion::WhichService);
            }
            None => {
                self.say(format!("Tell us a little about what you need and someone from {business} will follow up."));
            }
        }
    }

    fn other(&mut self) {
        let lower = self.ctx.inbound.content.to_lowercase();
        if declines(&lower) {
            self.say("No problem, thanks for letting us know. If you need us in the future, just reply here.");
        } else if thanks(&lower) {
            self.say("You're welcome! Let us know if there's anything else we can do.");
        } else if ask::is_question(&lower) {
            self.unanswered();
        } else if !["ok", "okay", "k", "great", "cool", "sounds good", "perfect"]
            .contains(&lower.trim_matches(|c: char| !c.is_alphanumeric() && c != ' '))
        {
            self.say("How can we help you today?");
        } else {
            self.say("Great. Just reply here whenever you need us.");
        }
    }

    fn unanswered(&mut self) {
        self.say(
            "That's a good question for our team: a member of our staff will get back to you with an answer shortly.",
        );
        self.said.unanswered = true;
    }

    fn pricing(&mut self) {
        let text = &self.ctx.inbound.content;
        // "It" is the service under discussion only when the message names nothing else:
        // "how much to fix a leaky faucet?" is not about the water heater discussed before.
        let service = answers::find_service(self.ctx.settings, text).or_else(|| {
            let current = self.ctx.state.current_service()?;
            answers::names_nothing(text)
                .then(|| self.ctx.settings.services.iter().find(|s| s.name.as_str() == current))?
        });
        match service {
            Some(s) if self.said.services.iter().any(|n| n == s.name.as_str()) && s.price.is_some() => {
                // The "do you do X" answer already gave its price.
            }
            Some(s) => {
                self.said.services.push(s.name.as_str().to_owned());
                match &s.price {
                    Some(price) => self.say(format!(
                        "{}: {price}. The exact quote depends on the details; tell us a bit more and we'll confirm it.",
                        s.name
                    )),
                    None => {
                        self.say(format!(
                            "Pricing for {} depends on the job, so a member of our team will get back to you with a \
                             quote. Could you tell us a bit about what you need?",
                            s.name.as_str().to_lowercase()
                        ));
                        self.said.unanswered = true;
                        self.said.open_question = Some(OpenQuestion::JobDetails);
                    }
                }
            }
            None if self.answered => {}
            None => {
                self.say(
                    "Pricing depends on the details of the job. Could you tell us a little more about what you need? \
                     A member of our team will follow up with an exact quote.",
                );
                self.said.unanswered = true;
                self.said.open_question = Some(OpenQuestion::JobDetails);
            }
        }
    }

    /// The holding reply when a person takes over.
    fn hold(&mut self) {
        self.say("A member of our team will get back to you personally, shortly.");
    }

    fn greeting(&self) -> Option<String> {
        let ctx = self.ctx;
        let name = first_name(ctx.customer);
        let business = ctx.settings.business_name.as_str();
        if !ctx.state.should_greet(ctx.now) {
            // A letter still opens with a salutation; a chat or a text just answers.
            return (ctx.channel == Channel::Email).then(|| match name {
                Some(n) => format!("Hi {n},"),
                None => "Hello,".to_owned(),
            });
        }
        Some(match (ctx.settings.tone, name) {
            (Tone::Professional, Some(n)) => format!("Hello {n}, thank you for contacting {business}."),
            (Tone::Professional, None) => format!("Hello, thank you for contacting {business}."),
            (Tone::Casual, Some(n)) => format!("Hey {n}, thanks for the message!"),
            (Tone::Casual, None) => "Hey, thanks for the message!".to_owned(),
            (Tone::Friendly, Some(n)) => format!("Hi {n}, thanks for reaching out to {business}!"),
            (Tone::Friendly, None) => format!("Hi, thanks for reaching out to {business}!"),
        })
    }

    /// "We're closed right now and open again Monday at 8am", once per closed spell.
    fn closed_notice(&mut self) -> Option<String> {
        let ctx = self.ctx;
        let s = ctx.settings;
        if ctx.open_now || self.hours_told || ctx.emergency.is_some() {
            return None;
        }
        if !ctx.state.should_say_closed(ctx.now, &s.business_hours, s.time_zone) {
            return None;
        }
        self.said.said_closed = true;
        Some(match hours_talk::next_opening(&s.business_hours, s.time_zone, ctx.now) {
            Some(when) => format!("We're closed right now; we open again {when} and will get back to you then."),
            None => "We're closed right now and will get back to you as soon as we can.".to_owned(),
        })
    }

    fn sign_off(&self) -> Option<String> {
        let ctx = self.ctx;
        (ctx.channel == Channel::Email).then(|| {
            let words = match ctx.settings.tone {
                Tone::Professional => "Kind regards,",
                Tone::Casual => "Cheers,",
                Tone::Friendly => "Best wishes,",
            };
            format!("{words}\n{}", ctx.settings.business_name)
        })
    }

    fn finish(mut self) -> Reply {
        // An emergency is answered straight away, without pleasantries.
        self.said.greeted = self.ctx.state.should_greet(self.ctx.now) && self.ctx.emergency.is_none();
        let opening = if self.ctx.emergency.is_some() { None } else { self.greeting() };
        let notice = self.closed_notice();
        let body = self.parts.join(" ");
        let text = match self.ctx.channel {
            Channel::Email => {
                [opening, Some(body), notice, self.sign_off()].into_iter().flatten().collect::<Vec<_>>().join("\n\n")
            }
            Channel::Sms | Channel::Chat | Channel::Form => {
                [opening, Some(body), notice].into_iter().flatten().collect::<Vec<_>>().join(" ")
            }
        };
        self.said.answered = self.answered;
        Reply { text, said: self.said }
    }
}

/// The reply to a message, or `None` for spam.
pub(super) fn reply(ctx: &ReplyContext<'_>) -> Option<Reply> {
    if ctx.analysis.intent == Intent::Spam {
        return None;
    }
    let mut desk = Desk::new(ctx);
    if let Some(notice) = &ctx.emergency {
        desk.emergency(notice);
        return Some(desk.finish());
    }
    // A bare answer to the question the last reply asked ("drain cleaning" after "what
    // are you looking for?") reads as unclear to the analysis but not to the desk.
    let unclear = ctx.handoff == Some(HandoffReason::LowConfidence)
        || (ctx.handoff.is_none() && ctx.analysis.intent == Intent::Other);
    let lower = ctx.inbound.content.to_lowercase();
    if unclear && !declines(&lower) && !thanks(&lower) && desk.answer_open_question() {
        return Some(desk.finish());
    }
    match ctx.handoff {
        // A complaint still gets an answer to what it asks; a person follows up.
        None | Some(HandoffReason::Complaint) => {
            desk.profile();
            desk.intent();
        }
        // Unsure what the message wants, but it asks what the profile answers: that
        // answer is safe to give, and nobody needs to step in for it.
        Some(HandoffReason::LowConfidence) => {
            desk.profile();
            if !desk.answered {
                desk.hold();
            }
        }
        Some(
            HandoffReason::Requested
            | HandoffReason::DeliveryFailed
            | HandoffReason::Unanswered
            | HandoffReason::Emergency,
        ) => desk.hold(),
    }
    Some(desk.finish())
}

#[cfg(test)]
mod tests;
