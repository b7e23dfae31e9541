use chrono::Utc;
use uuid::Uuid;

use super::*;
use crate::ai::money;
use crate::domain::analysis::Entities;
use crate::domain::text::ShortText;
use crate::domain::{Analysis, Channel, Customer, Service, Urgency, test_support};

const PURPOSES: [FollowUpPurpose; 4] =
    [FollowUpPurpose::NoReply, FollowUpPurpose::NoShow, FollowUpPurpose::QuoteSent, FollowUpPurpose::Manual];

fn settings() -> Settings {
    Settings {
        business_name: ShortText::literal("Austin Plumbing"),
        services: vec![
            Service {
                name: ShortText::literal("Water heater replacement"),
                description: None,
                price: Some(ShortText::literal("from $1,200 installed")),
            },
            Service {
                name: ShortText::literal("HVAC tune-up"),
                description: None,
                price: Some(ShortText::literal("$89")),
            },
        ],
        ..Settings::default()
    }
}

fn customer(name: Option<&str>) -> Customer {
    test_support::customer(name, Utc::now())
}

fn message(direction: Direction, content: &str, subject: Option<&str>, intent: Option<Intent>) -> Message {
    Message {
        direction,
        subject: subject.map(str::to_owned),
        processed: intent.is_some(),
        analysis: intent.map(|intent| Analysis {
            intent,
            team: intent.team(),
            urgency: Urgency::Medium,
            entities: Entities::default(),
            confidence: 0.9,
            wants_human: false,
        }),
        ..test_support::inbound(Uuid::nil(), Channel::Sms, content, Utc::now())
    }
}

fn write(
    settings: &Settings,
    customer: &Customer,
    history: &[Message],
    purpose: FollowUpPurpose,
    step: u32,
    steps: usize,
) -> String {
    text(&FollowUpContext { settings, customer, history, channel: Channel::Sms, purpose, step, steps, now: Utc::now() })
}

fn water_heater_thread() -> Vec<Message> {
    vec![
        message(Direction::Inbound, "How much to replace a 50 gallon water heater? I can pay $900", None, None),
        message(Direction::Outbound, "Hi Dana! Water heater replacement is from $1,200 installed.", None, None),
    ]
}

#[test]
fn each_purpose_greets_by_first_name_and_names_the_business() {
    let (settings, dana) = (settings(), customer(Some("Dana Whitfield")));
    let history = water_heater_thread();
    let texts: Vec<String> = PURPOSES.iter().map(|&p| write(&settings, &dana, &history, p, 1, 3)).collect();
    assert_eq!(
        texts,
        [
            "Hi Dana, it's Austin Plumbing following up about water heater replacement. Do you still need a hand? \
             Just reply here whenever it suits you.",
            "Hi Dana, we missed you at your water heater replacement appointment with Austin Plumbing. No problem at \
             all - would you like to pick a new time? Just reply here.",
            "Hi Dana, Austin Plumbing here, checking that you received our quote for water heater replacement. Happy \
             to answer any questions - just reply here.",
            "Hi Dana, Austin Plumbing here, following up about water heater replacement. Is there anything we can \
             help with? Just reply here.",
        ]
    );
}

#[test]
fn without_a_name_the_greeting_is_neutral_in_the_business_tone() {
    let mut settings = settings();
    let nobody = customer(None);
    assert!(write(&settings, &nobody, &[], FollowUpPurpose::NoReply, 1, 2).starts_with("Hi there, it's Austin"));
    settings.tone = Tone::Professional;
    let text = write(&settings, &nobody, &[], FollowUpPurpose::Manual, 1, 2);
    assert_eq!(text, "Hello, Austin Plumbing here, following up. Is there anything we can help with? Just reply here.");
}

#[test]
fn later_steps_are_softer_and_the_last_says_it_is_the_last() {
    let (settings, dana) = (settings(), customer(Some("Dana")));
    let history = water_heater_thread();
    for purpose in PURPOSES {
        let first = write(&settings, &dana, &history, purpose, 1, 3);
        let later = write(&settings, &dana, &history, purpose, 2, 3);
        let last = write(&settings, &dana, &history, purpose, 3, 3);
        assert!(!first.contains("last note") && !later.contains("last note"), "{first} / {later}");
        assert!(!later.contains('?'), "no question pressed on a later step: {later}");
        assert_ne!(first, later);
        assert!(last.contains("this is our last note from Austin Plumbing"), "{last}");
        assert_eq!(write(&settings, &dana, &history, purpose, 1, 1), write(&settings, &dana, &history, purpose, 9, 1));
        assert!(write(&settings, &dana, &history, purpose, 1, 1).contains("last note"), "a one-step sequence");
    }
}

#[test]
fn texts_fit_an_sms_and_never_state_an_amount() {
    let settings = Settings { business_name: ShortText::literal("Austin Plumbing & Water Heaters Co."), ..settings() };
    let dana = customer(Some("Dana"));
    let histories = [
        Vec::new(),
        water_heater_thread(),
        vec![message(Direction::Inbound, "Can you beat $700?", Some("Re: Quote #5521 for $750"), None)],
        vec![message(Direction::Inbound, "my AC is making a noise", None, Some(Intent::Technical))],
    ];
    for history in &histories {
        for purpose in PURPOSES {
            for step in 1..=3 {
                let text = write(&settings, &dana, history, purpose, step, 3);
                assert!(text.chars().count() <= 200 && text.is_ascii(), "{} chars: {text}", text.chars().count());
                assert!(money::amounts(&text).is_empty(), "{text}");
                assert!(!text.contains("5521"), "{text}");
            }
        }
    }
}

#[test]
fn the_topic_comes_from_the_last_inbound_message() {
    let (settings, dana) = (settings(), customer(Some("Dana")));
    let about = |history: &[Message]| write(&settings, &dana, history, FollowUpPurpose::NoReply, 2, 3);
    let subject = [message(Direction::Inbound, "Looking for a quote", Some("RE: Fwd: Kitchen remodel"), None)];
    assert!(about(&subject).contains("about your message \"Kitchen remodel\"."), "{}", about(&subject));
    let billing = [message(Direction::Inbound, "I was charged twice", None, Some(Intent::Billing))];
    assert!(about(&billing).contains("about your billing question."), "{}", about(&billing));
    let hvac = [
        message(Direction::Inbound, "Do you do HVAC tune-up visits?", None, Some(Intent::SalesInquiry)),
        message(Direction::Outbound, "We do! When suits you?", None, None),
    ];
    assert!(about(&hvac).contains("about HVAC tune-up."), "an acronym keeps its case: {}", about(&hvac));
    let chatter = [message(Direction::Inbound, "hello?", None, Some(Intent::Other))];
    assert_eq!(about(&chatter), about(&[]), "nothing to name");
    assert!(about(&[]).contains("check-in from Austin Plumbing. No rush"), "{}", about(&[]));
}

#[test]
fn subjects_are_repeated_only_when_plain() {
    assert_eq!(clean_subject("Re: FW: kitchen remodel ").as_deref(), Some("kitchen remodel"));
    assert_eq!(clean_subject("Quote #5521"), None);
    assert_eq!(clean_subject("Re:"), None);
    assert_eq!(clean_subject(&"long ".repeat(20)), None);
    assert_eq!(clean_subject("see https://example.com"), None);
}

#[test]
fn facts_are_the_settings_words_and_the_whole_conversation() {
    let (settings, dana) = (settings(), customer(Some("Dana")));
    let history = water_heater_thread();
    let ctx = FollowUpContext {
        settings: &settings,
        customer: &dana,
        history: &history,
        channel: Channel::Email,
        purpose: FollowUpPurpose::QuoteSent,
        step: 2,
        steps: 3,
        now: Utc::now(),
    };
    let facts = ctx.facts();
    assert!(facts.contains(&"from $1,200 installed") && facts.contains(&"$89"), "{facts:?}");
    assert!(facts.contains(&history[0].content.as_str()) && facts.contains(&history[1].content.as_str()));
    assert!(!ctx.is_last());
    assert!(FollowUpContext { steps: 0, ..ctx }.is_last());
}
