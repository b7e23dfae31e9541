use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone as _, Utc};

use super::*;
use crate::ai::{EmergencyNotice, ReplyContext};
use crate::domain::analysis::Entities;
use crate::domain::conversation_state::ConversationState;
use crate::domain::profile::FaqEntry;
use crate::domain::reply::{SmsEncoding, fit_for_channel, fits_sms, sms_length};
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Analysis, BusinessHours, Service, Settings, TimeZone, test_support};

fn settings() -> Settings {
    let mut hours = BTreeMap::new();
    for d in ["mon", "tue", "wed", "thu"] {
        hours.insert(d.to_owned(), vec!["08:00-18:00".to_owned()]);
    }
    hours.insert("fri".into(), vec!["08:00-17:00".into()]);
    hours.insert("sat".into(), vec!["09:00-12:00".into()]);
    Settings {
        business_name: ShortText::literal("Austin Plumbing"),
        time_zone: TimeZone::parse("America/Chicago").unwrap(),
        business_hours: BusinessHours::from_map(&hours).unwrap(),
        services: vec![
            Service {
                name: ShortText::literal("Water heater replacement"),
                description: None,
                price: Some(ShortText::literal("from $1,200 installed")),
            },
            Service {
                name: ShortText::literal("Drain cleaning"),
                description: Some(LongText::literal("Kitchen and bathroom drains")),
                price: None,
            },
        ],
        address: Some(ShortText::literal("1200 E 6th St, Austin, TX 78702")),
        payment_methods: vec![ShortText::literal("Visa"), ShortText::literal("Mastercard"), ShortText::literal("cash")],
        faq: vec![FaqEntry {
            question: ShortText::literal("Do you haul away the old water heater?"),
            answer: LongText::literal("Yes, removal and disposal of the old unit is included in every installation."),
        }],
        ..Settings::default()
    }
}

/// Chicago local time on 2026-12-`day` (the 3rd is a Thursday, the 5th a Saturday, the
/// 6th a Sunday).
fn chicago(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    chrono_tz::America::Chicago.with_ymd_and_hms(2026, 12, day, hour, minute, 0).unwrap().with_timezone(&Utc)
}

struct Turn {
    text: &'static str,
    intent: Intent,
    urgency: Urgency,
    channel: Channel,
    now: DateTime<Utc>,
    state: ConversationState,
    handoff: Option<HandoffReason>,
    emergency: Option<EmergencyNotice>,
    phone: bool,
}

fn turn(text: &'static str, intent: Intent, now: DateTime<Utc>) -> Turn {
    Turn {
        text,
        intent,
        urgency: Urgency::Medium,
        channel: Channel::Chat,
        now,
        state: ConversationState::default(),
        handoff: None,
        emergency: None,
        phone: false,
    }
}

fn customer(name: Option<&str>) -> Customer {
    test_support::customer(name, Utc::now())
}

fn answer(t: &Turn) -> Reply {
    let settings = settings();
    let mut customer = customer(Some("Sam Ortiz"));
    if t.phone {
        customer.phone = Some(crate::domain::Phone::from_e164("+15125550142").unwrap());
    }
    let inbound = test_support::inbound(customer.id, t.channel, t.text, t.now);
    let analysis = Analysis {
        intent: t.intent,
        team: t.intent.team(),
        urgency: t.urgency,
        entities: Entities::default(),
        confidence: 0.9,
        wants_human: false,
    };
    let ctx = ReplyContext {
        settings: &settings,
        customer: &customer,
        history: &[],
        inbound: &inbound,
        channel: t.channel,
        analysis: &analysis,
        handoff: t.handoff,
        open_now: settings.business_hours.is_open(t.now, settings.time_zone),
        now: t.now,
        state: &t.state,
        emergency: t.emergency.clone(),
        booking: None,
    };
    reply(&ctx).expect("a reply")
}

#[test]
fn greets_and_says_closed_once_per_conversation() {
    // Thursday 19:00: closed until Friday 08:00.
    let mut t = turn("Hi, do you do drain cleaning?", Intent::SalesInquiry, chicago(3, 19, 0));
    let first = answer(&t);
    assert!(first.text.starts_with("Hi Sam, thanks for reaching out to Austin Plumbing!"), "{}", first.text);
    assert!(first.text.contains("Yes, we do drain cleaning"), "{}", first.text);
    assert!(first.text.contains("we open again tomorrow at 8am"), "{}", first.text);
    t.state.after_reply(&first.said, t.intent, t.now);

    t.text = "How much is it?";
    t.intent = Intent::Pricing;
    t.now = chicago(3, 19, 2);
    let second = answer(&t);
    assert!(!second.text.contains("Hi Sam") && !second.text.contains("closed"), "{}", second.text);
    assert!(second.text.starts_with("Pricing for drain cleaning depends on the job"), "{}", second.text);
    assert!(second.said.unanswered, "no price listed: a person quotes");
    assert!(!second.text.contains('$'));
}

#[test]
fn hours_are_answered_for_today_a_named_day_and_now() {
    let open = answer(&turn("are you open now?", Intent::Other, chicago(3, 10, 0)));
    assert!(open.text.contains("Yes, we're open now until 6pm."), "{}", open.text);
    assert!(open.said.answered && !open.said.said_closed);
    let late = answer(&turn("are you open now?", Intent::Other, chicago(3, 21, 30)));
    assert!(late.text.contains("We're closed right now; we open again tomorrow at 8am."), "{}", late.text);
    assert!(!late.text.contains("will get back to you then"), "one closed sentence: {}", late.text);
    let saturday = answer(&turn("what are your hours on saturday?", Intent::Other, chicago(3, 10, 0)));
    assert!(saturday.text.contains("On Saturdays we're open 9am-12pm."), "{}", saturday.text);
    let sunday = answer(&turn("r u open today", Intent::Other, chicago(6, 11, 0)));
    assert!(sunday.text.contains("We're closed today (Sunday); we open again tomorrow at 8am."), "{}", sunday.text);
    let early = answer(&turn("what are your hours today?", Intent::Other, chicago(4, 7, 0)));
    assert!(
        early.text.contains("Today (Friday) we're open 8am-5pm. We're closed right now and open again today at 8am."),
        "{}",
        early.text
    );
    let week = answer(&turn("What are your hours?", Intent::Other, chicago(4, 9, 0)));
    assert!(week.text.contains("Mon-Thu 8am-6pm, Fri 8am-5pm, Sat 9am-12pm; closed Sun"), "{}", week.text);
}

#[test]
fn services_are_a_clear_yes_or_no() {
    let yes = answer(&turn("do you replace water heaters?", Intent::SalesInquiry, chicago(3, 10, 0)));
    assert!(yes.text.contains("Yes, we do water heater replacement (from $1,200 installed)"), "{}", yes.text);
    assert_eq!(yes.said.services, ["Water heater replacement"]);
    let no = answer(&turn("Do you do roof repairs?", Intent::SalesInquiry, chicago(3, 10, 0)));
    assert!(no.text.contains("Sorry, we don't offer roof repairs."), "{}", no.text);
    assert!(no.text.contains("Water heater replacement and Drain cleaning"), "{}", no.text);
    let by_description =
        answer(&turn("can you unclog a bathroom sink drain?", Intent::SalesInquiry, chicago(3, 10, 0)));
    assert!(by_description.text.contains("Yes, we do drain cleaning"), "{}", by_description.text);
}

#[test]
fn profile_facts_and_faq() {
    let faq = answer(&turn(
        "Is the water heater install price including the old unit haul away?",
        Intent::Pricing,
        chicago(3, 10, 0),
    ));
    assert!(faq.text.contains("removal and disposal of the old unit is included"), "{}", faq.text);
    assert!(faq.text.contains("from $1,200 installed"), "{}", faq.text);
    let pay = answer(&turn("do you take credit cards?", Intent::Billing, chicago(3, 10, 0)));
    assert!(pay.text.contains("We accept Visa, Mastercard and cash."), "{}", pay.text);
    let address = answer(&turn("where are you located?", Intent::Other, chicago(3, 10, 0)));
    assert!(address.text.contains("1200 E 6th St"), "{}", address.text);
    let area = answer(&turn("Do you serve Round Rock?", Intent::SalesInquiry, chicago(3, 10, 0)));
    assert!(area.said.unanswered, "no service area in the profile: a person answers: {}", area.text);
    let odd = answer(&turn("do you have parking for my trailer?", Intent::Other, chicago(3, 10, 0)));
    assert!(odd.said.unanswered && odd.text.contains("a member of our staff will get back to you"), "{}", odd.text);
    let thanks = answer(&turn("Thanks so much, the tech was great yesterday!", Intent::Other, chicago(3, 10, 0)));
    assert!(thanks.text.contains("You're welcome!") && !thanks.said.unanswered, "{}", thanks.text);
}

#[test]
fn an_emergency_says_what_was_done() {
    let mut t = turn("My basement is flooding, pipe burst!! need someone NOW", Intent::Technical, chicago(4, 2, 0));
    t.urgency = Urgency::High;
    t.emergency = Some(EmergencyNotice::Paged { title: Some(ShortText::literal("plumber")) });
    let paged = answer(&t);
    assert!(paged.text.contains("Our on-call plumber has been alerted and will be in touch"), "{}", paged.text);
    assert!(!paged.text.contains("closed"), "{}", paged.text);
    t.emergency = Some(EmergencyNotice::CallUs { phone: crate::domain::Phone::from_e164("+15125550111").unwrap() });
    assert!(answer(&t).text.contains("call our emergency line at +15125550111"));
    t.emergency = Some(EmergencyNotice::Marked);
    let marked = answer(&t);
    assert!(marked.text.contains("marked this as urgent") && !marked.text.contains("alerted"), "{}", marked.text);
}

#[test]
fn channels_get_their_form() {
    let mut t = turn(
        "What are your hours? And do you do drain cleaning? Where are you? Do you take cash?",
        Intent::Other,
        chicago(3, 21, 0),
    );
    t.channel = Channel::Sms;
    // Every question answered in order; what two segments hold keeps the first answers whole.
    let full = answer(&t).text;
    assert!(full.contains("Yes, we do drain cleaning.") && full.contains("We accept Visa"), "{full}");
    let sms = fit_for_channel(&full, Channel::Sms);
    assert!(fits_sms(&sms) && sms_length(&sms).0 == SmsEncoding::Gsm7, "{sms}");
    assert!(sms.contains("Our hours are Mon-Thu 8am-6pm, Fri 8am-5pm, Sat 9am-12pm; closed Sun."), "{sms}");
    t.channel = Channel::Email;
    let email = answer(&t).text;
    assert!(email.starts_with("Hi Sam, thanks") && email.ends_with("Best wishes,\nAustin Plumbing"), "{email}");
    t.state.greeted_at = Some(t.now);
    t.state.last_activity_at = Some(t.now);
    assert!(answer(&t).text.starts_with("Hi Sam,\n\n"), "a letter keeps its salutation");
}

#[test]
fn names_only_when_they_read_as_names() {
    assert_eq!(first_name(&customer(Some("sam ortiz"))).as_deref(), Some("Sam"));
    assert_eq!(first_name(&customer(Some("info@acme"))), None);
    assert_eq!(first_name(&customer(Some("J"))), None);
    assert_eq!(first_name(&customer(None)), None);
}

#[test]
fn a_person_takes_over_unless_the_profile_answers() {
    let mut t = turn("hours sat??", Intent::Other, chicago(3, 10, 0));
    t.handoff = Some(HandoffReason::LowConfidence);
    let answered = answer(&t);
    assert!(answered.text.contains("On Saturdays") && answered.said.answered, "{}", answered.text);
    t.text = "hmm the thing from before";
    let held = answer(&t);
    assert!(held.text.contains("member of our team will get back to you personally"), "{}", held.text);
}

#[test]
fn a_bare_answer_is_read_against_the_open_question() {
    let mut t = turn("what do you offer?", Intent::SalesInquiry, chicago(3, 10, 0));
    let first = answer(&t);
    assert_eq!(first.said.open_question, Some(OpenQuestion::WhichService), "{}", first.text);
    t.state.after_reply(&first.said, t.intent, t.now);
    t.text = "water heater";
    t.intent = Intent::Other;
    t.handoff = Some(HandoffReason::LowConfidence);
    let second = answer(&t);
    assert!(
        second.text.starts_with("Great, water heater replacement (from $1,200 installed) it is."),
        "{}",
        second.text
    );
    assert!(second.said.answered && second.said.services == ["Water heater replacement"]);
}

#[test]
fn a_shared_word_is_not_a_yes_and_the_faq_beats_a_no() {
    let leak = answer(&turn("Do you fix water leaks?", Intent::SalesInquiry, chicago(3, 10, 0)));
    assert!(!leak.text.contains("Yes, we do water heater"), "{}", leak.text);
    assert!(
        leak.text.contains(
            "We offer Water heater replacement; whether that covers water leaks, a member of our team will confirm."
        ),
        "{}",
        leak.text
    );
    assert!(leak.said.unanswered, "a person confirms: {}", leak.text);
    let price = answer(&turn("how much to fix a water leak?", Intent::Pricing, chicago(3, 10, 0)));
    assert!(!price.text.contains("$1,200"), "{}", price.text);
    let haul = answer(&turn("do you do haul away of the old water heater?", Intent::SalesInquiry, chicago(3, 10, 0)));
    assert!(haul.text.contains("removal and disposal") && !haul.text.contains("don't"), "{}", haul.text);
}

#[test]
fn hours_around_closed_days_and_breaks() {
    // Saturday 10:00: tomorrow (Sunday) is closed; the next opening is Monday.
    let sunday = answer(&turn("are you open tomorrow?", Intent::Other, chicago(5, 10, 0)));
    assert!(sunday.text.contains("We're closed tomorrow (Sunday); we open again Monday at 8am."), "{}", sunday.text);
    // Saturday 14:00, asked about today: closed for the day.
    let done = answer(&turn("are you open today?", Intent::Other, chicago(5, 14, 0)));
    assert!(done.text.contains("Today (Saturday) we're open 9am-12pm. We've closed for the day."), "{}", done.text);
    assert!(done.said.said_closed, "the hours answer said it: no separate notice later");
    let tomorrow = answer(&turn("what time do you open tomorrow?", Intent::Other, chicago(3, 10, 0)));
    assert!(tomorrow.text.contains("Tomorrow (Friday) we're open 8am-5pm."), "{}", tomorrow.text);
}

#[test]
fn pleasantries_are_not_answers_and_a_no_thanks_is_heard() {
    let mut t = turn("how much for drain cleaning?", Intent::Pricing, chicago(3, 10, 0));
    let first = answer(&t);
    t.state.after_reply(&first.said, t.intent, t.now);
    t.text = "ok thanks";
    t.intent = Intent::Other;
    let thanks = answer(&t);
    assert!(thanks.text.starts_with("You're welcome!") && !thanks.said.unanswered, "{}", thanks.text);
    let gone = answer(&turn("no thanks, I found someone else", Intent::Other, chicago(3, 10, 0)));
    assert!(gone.text.contains("No problem, thanks for letting us know."), "{}", gone.text);
    let pay = answer(&turn("do you take credit cards?", Intent::Billing, chicago(3, 10, 0)));
    assert!(!pay.text.contains("billing team"), "{}", pay.text);
}

#[test]
fn a_page_promises_a_call_only_with_a_number() {
    let mut t = turn("My basement is flooding, pipe burst!!", Intent::Technical, chicago(4, 2, 0));
    t.urgency = Urgency::High;
    t.emergency = Some(EmergencyNotice::Paged { title: None });
    let text = answer(&t).text;
    assert!(text.contains("Our on-call team member has been alerted and will be in touch shortly."), "{text}");
    assert!(text.contains("reply with a phone number"), "{text}");
    assert!(!text.starts_with("Hi"), "no pleasantries first: {text}");
    t.phone = true;
    let text = answer(&t).text;
    assert!(text.contains("has been alerted and will call you shortly.") && !text.contains("reply with"), "{text}");
}

#[test]
fn policies_are_not_denied_and_it_is_only_what_was_discussed() {
    let financing = answer(&turn("Do you offer financing?", Intent::SalesInquiry, chicago(3, 10, 0)));
    assert!(!financing.text.contains("don't") && financing.said.unanswered, "{}", financing.text);
    let mut t = turn("do you replace water heaters?", Intent::SalesInquiry, chicago(3, 10, 0));
    let first = answer(&t);
    t.state.after_reply(&first.said, t.intent, t.now);
    t.text = "how much to fix a leaky faucet?";
    t.intent = Intent::Pricing;
    let faucet = answer(&t);
    assert!(!faucet.text.contains("$1,200"), "not the water heater's price: {}", faucet.text);
    t.text = "and how much is it?";
    assert!(answer(&t).text.contains("from $1,200 installed"), "'it' is the water heater");
    let mut quote = turn("how much for drain cleaning?", Intent::Pricing, chicago(3, 10, 0));
    let asked = answer(&quote);
    quote.state.after_reply(&asked.said, quote.intent, quote.now);
    quote.text = "no thanks, I found someone else";
    quote.intent = Intent::Other;
    quote.handoff = Some(HandoffReason::LowConfidence);
    let declined = answer(&quote);
    assert!(!declined.text.contains("quote") && !declined.said.unanswered, "{}", declined.text);
}
