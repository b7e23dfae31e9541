//! Reply templates of the rules engine, filled from the business settings. Prices are
//! only ever quoted as the settings state them; nothing else is promised.

use super::{Reply, ReplyContext};
use crate::domain::analysis::HandoffReason;
use crate::domain::{Customer, Intent, Service, Settings, Tone, Urgency};

/// The customer's first name, when their name is known.
pub(super) fn first_name(customer: &Customer) -> Option<&str> {
    customer.name.as_ref().and_then(|n| n.as_str().split_whitespace().next())
}

fn greeting(ctx: &ReplyContext<'_>) -> String {
    let name = first_name(ctx.customer);
    match (ctx.settings.tone, name) {
        (Tone::Professional, Some(n)) => format!("Hello {n}, thank you for contacting {}.", ctx.settings.business_name),
        (Tone::Professional, None) => format!("Hello, thank you for contacting {}.", ctx.settings.business_name),
        (Tone::Casual, Some(n)) => format!("Hey {n}, thanks for the message!"),
        (Tone::Casual, None) => "Hey, thanks for the message!".to_owned(),
        (Tone::Friendly, Some(n)) => format!("Hi {n}, thanks for reaching out to {}!", ctx.settings.business_name),
        (Tone::Friendly, None) => format!("Hi, thanks for reaching out to {}!", ctx.settings.business_name),
    }
}

fn services_list(settings: &Settings) -> Option<String> {
    let names: Vec<&str> = settings.services.iter().take(5).map(|s| s.name.as_str()).collect();
    match names.as_slice() {
        [] => None,
        [one] => Some((*one).to_owned()),
        [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
    }
}

fn pricing(ctx: &ReplyContext<'_>) -> String {
    match ctx.settings.service_mentioned(&ctx.inbound.content) {
        Some(Service { name, price: Some(price), .. }) => {
            format!("{name}: {price}. The exact quote depends on the details; tell us a bit more and we'll confirm it.")
        }
        _ => "Pricing depends on the details of the job. Could you tell us a little more about what you need? \
              We'll follow up with an exact quote."
            .to_owned(),
    }
}

fn when_closed(ctx: &ReplyContext<'_>) -> &'static str {
    if ctx.open_now { "" } else { " We're closed right now and will get back to you as soon as we open." }
}

fn body(ctx: &ReplyContext<'_>) -> Option<String> {
    let business = ctx.settings.business_name.as_str();
    let soon = if ctx.analysis.urgency == Urgency::High { "right away" } else { "shortly" };
    let text = match ctx.analysis.intent {
        Intent::Spam => return None,
        Intent::Pricing => pricing(ctx),
        Intent::Booking => "We'd be glad to set up a time. Which day and time work best for you?".to_owned(),
        Intent::Reschedule => "No problem, we can move your appointment. What new day and time suit you?".to_owned(),
        Intent::Cancel => "Understood, we've noted your request to cancel and a member of our team will confirm it. \
             If you'd like to rebook later, just reply here."
            .to_owned(),
        Intent::SalesInquiry => match services_list(ctx.settings) {
            Some(list) => format!("We offer {list}. What are you looking for? We'll point you to the right option."),
            None => format!("Tell us a little about what you need and someone from {business} will follow up."),
        },
        Intent::Support => format!("Sorry for the trouble. Our support team is looking into it and will reply {soon}."),
        Intent::Technical => {
            format!(
                "Sorry you're running into this. We've passed it to our technical team, who will be in touch {soon}."
            )
        }
        Intent::Billing => "Our billing team will look into this and get back to you shortly.".to_owned(),
        Intent::Complaint => {
            "We're sorry about your experience. A member of our team will personally follow up with you \
                              shortly."
                .to_owned()
        }
        Intent::OptOut => "You won't receive further messages from us.".to_owned(),
        Intent::Other => "How can we help you today?".to_owned(),
    };
    Some(text)
}

/// The reply to a message, or `None` for spam.
pub(super) fn reply(ctx: &ReplyContext<'_>) -> Option<Reply> {
    let text = match ctx.handoff {
        // A complaint still gets an answer to what it asks; a person follows up.
        Some(HandoffReason::Complaint) | None => body(ctx)?,
        Some(HandoffReason::LowConfidence | HandoffReason::Requested | HandoffReason::DeliveryFailed) => {
            "A member of our team will get back to you personally, shortly.".to_owned()
        }
    };
    Some(Reply { text: format!("{} {text}{}", greeting(ctx), when_closed(ctx)) })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use uuid::Uuid;

    use super::*;
    use crate::domain::analysis::{Entities, Team};
    use crate::domain::text::ShortText;
    use crate::domain::{Analysis, Channel, Customer, Direction, Message};

    fn settings() -> Settings {
        Settings {
            business_name: ShortText::literal("Austin Plumbing"),
            services: vec![
                Service {
                    name: ShortText::literal("Water heater replacement"),
                    description: None,
                    price: Some(ShortText::literal("from $1,200 installed")),
                },
                Service { name: ShortText::literal("Drain cleaning"), description: None, price: None },
            ],
            ..Settings::default()
        }
    }

    fn run(text: &str, intent: Intent, handoff: Option<HandoffReason>, open_now: bool) -> Option<String> {
        let now = Utc::now();
        let customer = Customer {
            id: Uuid::now_v7(),
            name: Some(ShortText::literal("Dana Whitfield")),
            email: None,
            phone: None,
            company: None,
            business_type: None,
            location: None,
            time_zone: None,
            created_at: now,
            updated_at: now,
        };
        let inbound = Message {
            id: Uuid::now_v7(),
            customer_id: customer.id,
            lead_id: None,
            channel: Channel::Sms,
            direction: Direction::Inbound,
            content: text.into(),
            subject: None,
            ai_response: None,
            processed: false,
            provider_message_id: None,
            delivery_status: None,
            delivery_error: None,
            analysis: None,
            chat_session: None,
            in_reply_to: None,
            attachments: Vec::new(),
            auto_submitted: false,
            created_at: now,
        };
        let analysis = Analysis {
            intent,
            team: intent.team(),
            urgency: Urgency::Medium,
            entities: Entities::default(),
            confidence: 0.9,
            wants_human: false,
        };
        let settings = settings();
        let ctx = ReplyContext {
            settings: &settings,
            customer: &customer,
            history: &[],
            inbound: &inbound,
            analysis: &analysis,
            handoff,
            open_now,
            booking: None,
        };
        reply(&ctx).map(|r| r.text)
    }

    #[test]
    fn prices_come_only_from_settings() {
        let quoted = run("how much to replace a water heater?", Intent::Pricing, None, true).unwrap();
        assert!(quoted.contains("from $1,200 installed") && quoted.starts_with("Hi Dana"), "{quoted}");
        let unknown = run("how much for drain cleaning?", Intent::Pricing, None, true).unwrap();
        assert!(!unknown.contains('$'), "no invented price: {unknown}");
        assert_eq!(Team::Sales, Intent::Pricing.team());
    }

    #[test]
    fn spam_gets_no_reply_and_handoffs_hold() {
        assert!(run("cheap SEO!!!", Intent::Spam, None, true).is_none());
        let held = run("I want a person", Intent::Pricing, Some(HandoffReason::Requested), true).unwrap();
        assert!(held.contains("member of our team"), "{held}");
        let closed = run("hello", Intent::Other, None, false).unwrap();
        assert!(closed.contains("closed right now"), "{closed}");
        let services = run("what do you do?", Intent::SalesInquiry, None, true).unwrap();
        assert!(services.contains("Water heater replacement and Drain cleaning"), "{services}");
    }
}
