use std::collections::BTreeMap;

use super::analyze;
use crate::ai::eval::{parse_jsonl, score};
use crate::domain::analysis::Team;
use crate::domain::{Analysis, AnalysisInput, Channel, Intent, Urgency};

fn message(channel: Channel, text: &str) -> AnalysisInput {
    AnalysisInput { channel, subject: None, text: text.into(), fields: BTreeMap::new() }
}

fn sms(text: &str) -> Analysis {
    analyze(&message(Channel::Sms, text))
}

fn chat(text: &str) -> Analysis {
    analyze(&message(Channel::Chat, text))
}

fn email(subject: &str, text: &str) -> Analysis {
    analyze(&AnalysisInput { subject: Some(subject.into()), ..message(Channel::Email, text) })
}

fn form(text: &str, fields: &[(&str, &str)]) -> Analysis {
    let mut fields: BTreeMap<String, String> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    fields.insert("message".into(), text.into());
    analyze(&AnalysisInput { fields, ..message(Channel::Form, text) })
}

#[test]
fn every_intent_has_its_vocabulary() {
    let cases = [
        ("what would you charge to regrout a shower?", Intent::Pricing),
        ("could I get an estimate for a new deck", Intent::Pricing),
        ("can I book a teeth cleaning for friday morning", Intent::Booking),
        ("we'd like to set up a demo for our sales team", Intent::Booking),
        ("need to reschedule my lesson, something came up", Intent::Reschedule),
        ("can we move my appointment to the afternoon?", Intent::Reschedule),
        ("please cancel my appointment on monday", Intent::Cancel),
        ("I want to terminate our service contract", Intent::Cancel),
        ("do you guys repair tankless water heaters?", Intent::SalesInquiry),
        ("interested in your payroll services for a 20 person company", Intent::SalesInquiry),
        ("where is my order? it was due yesterday", Intent::Support),
        ("how do I update the phone number on my account", Intent::Support),
        ("the app throws an error every time I save a draft", Intent::Technical),
        ("kitchen sink is leaking under the cabinet", Intent::Technical),
        ("I was double charged for last month, please refund one", Intent::Billing),
        ("can I pay by check?", Intent::Billing),
        ("very disappointed, the crew left a mess in the yard", Intent::Complaint),
        ("third time my delivery was late, this is ridiculous", Intent::Complaint),
        ("STOP", Intent::OptOut),
        ("please take me off your mailing list", Intent::OptOut),
        ("Congratulations, you've won a free cruise! Claim your prize now", Intent::Spam),
        ("We help businesses like yours rank #1 on Google", Intent::Spam),
        ("thanks so much!", Intent::Other),
        ("hi there", Intent::Other),
    ];
    for (text, intent) in cases {
        let analysis = chat(text);
        assert_eq!(analysis.intent, intent, "{text}");
        assert_eq!(analysis.team, intent.team(), "{text}");
        assert!(analysis.confidence >= 0.5, "{text}: {}", analysis.confidence);
    }
}

#[test]
fn asking_a_price_or_a_time_beats_a_general_inquiry() {
    let analysis = email("IT services", "We're interested in your managed IT services. Could you send pricing?");
    assert_eq!((analysis.intent, analysis.team), (Intent::Pricing, Team::Sales));
    assert!(analysis.confidence >= 0.5);
}

#[test]
fn unclear_text_is_other_with_low_confidence() {
    for text in ["asdf jkl", "hmm", "?", "", "the blue one"] {
        let analysis = sms(text);
        assert_eq!(analysis.intent, Intent::Other, "{text}");
        assert!(analysis.confidence < 0.5, "{text}");
        assert_eq!(analysis.team, Team::None);
    }
}

#[test]
fn urgency_boundaries() {
    let high = [
        "basement is flooding, please send someone",
        "our website is down and customers can't check out",
        "can someone come out today to look at the furnace?",
        "This is unacceptable and I want a manager to call me today",
        "need an appointment asap, my crown fell out",
    ];
    for text in high {
        assert_eq!(sms(text).urgency, Urgency::High, "{text}");
    }
    let low = [
        "do you do eyebrow threading?",
        "thanks, see you soon",
        "STOP",
        "Claim your free gift card now at bit.ly/xyz",
        "where can I download my receipts",
    ];
    for text in low {
        assert_eq!(sms(text).urgency, Urgency::Low, "{text}");
    }
    let medium = [
        "I need to cancel my appointment tomorrow",
        "the app keeps crashing when I open settings",
        "not urgent, but the furnace is making a noise. can a tech come next week?",
        "i was charged twice for my last visit",
    ];
    for text in medium {
        assert_eq!(sms(text).urgency, Urgency::Medium, "{text}");
    }
}

#[test]
fn urgency_depends_on_channel_for_short_price_questions() {
    assert_eq!(sms("what do you charge for a facial?").urgency, Urgency::Low);
    assert_eq!(form("What do you charge for a facial?", &[]).urgency, Urgency::Medium);
    assert_eq!(sms("how much for brakes on a 2015 camry").urgency, Urgency::Medium);
}

#[test]
fn wants_human_only_when_asked() {
    for text in ["can I talk to a real person?", "please call me back", "I want someone to call me"] {
        assert!(sms(text).wants_human, "{text}");
    }
    for text in ["is this a bot?", "nobody called me back", "who should I talk to about pricing?"] {
        assert!(!sms(text).wants_human, "{text}");
    }
}

#[test]
fn contacts_in_any_common_format() {
    for phone in ["(415) 555-0134", "415-555-0134", "415.555.0134", "+1 415 555 0134", "+44 20 7946 0958"] {
        let analysis = sms(&format!("call me at {phone} about a quote"));
        assert_eq!(analysis.entities.phone.as_deref(), Some(phone));
    }
    let analysis = sms("order #48213 placed 2016, zip 80202");
    assert_eq!(analysis.entities.phone, None);
    let analysis = chat("send it to billing@acme-tools.co.uk please");
    assert_eq!(analysis.entities.email.as_deref(), Some("billing@acme-tools.co.uk"));
}

#[test]
fn names_and_companies_from_signatures() {
    let analysis = email(
        "Quote",
        "Hello,\n\nCould you quote a new roof?\n\nKind regards,\nDr. Hana Ito\nIto Family Dental\n(503) 555-0142",
    );
    assert_eq!(analysis.entities.name.as_deref(), Some("Hana Ito"));
    assert_eq!(analysis.entities.company.as_deref(), Some("Ito Family Dental"));
    assert_eq!(analysis.entities.phone.as_deref(), Some("(503) 555-0142"));

    let analysis = email("API", "Webhooks fail since this morning.\n\n-- Ana, Lead Engineer @ Quillpay");
    assert_eq!(
        (analysis.entities.name.as_deref(), analysis.entities.company.as_deref()),
        (Some("Ana"), Some("Quillpay"))
    );

    let analysis = email("Hi", "Do you work with clinics?\n\nTom Reyes | Practice Manager | Northside Clinic");
    assert_eq!(analysis.entities.company.as_deref(), Some("Northside Clinic"));

    let analysis = email("Hi", "Do you work with clinics?\n\nTom Reyes\nAccounts Payable, Northside Clinic");
    assert_eq!(analysis.entities.company.as_deref(), Some("Northside Clinic"));

    let analysis = email("Order", "My order never arrived. Can you check?\nThanks, Beth");
    assert_eq!(analysis.entities.name.as_deref(), Some("Beth"));
}

#[test]
fn names_and_companies_from_introductions() {
    let analysis = chat("Hi, I'm Carla from Bright Path Events. Do you cater weddings?");
    assert_eq!(analysis.entities.name.as_deref(), Some("Carla"));
    assert_eq!(analysis.entities.company.as_deref(), Some("Bright Path Events"));
    let analysis = sms("hey it's Dave from apartment 3C, the heat is out");
    assert_eq!((analysis.entities.name.as_deref(), analysis.entities.company.as_deref()), (Some("Dave"), None));
    let analysis = chat("the invoice should be addressed to Fernhill Studio LLC");
    assert_eq!(analysis.entities.company.as_deref(), Some("Fernhill Studio LLC"));
}

#[test]
fn no_false_names() {
    for text in [
        "I'm interested in a quote",
        "I'm looking for a plumber",
        "This is urgent, the pipe burst",
        "It's Monday and the app is still down",
        "I am Extremely disappointed",
        "Thanks, see you then",
        "Please advise\nThe kitchen sink leaks",
    ] {
        let analysis = sms(text);
        assert_eq!(analysis.entities.name, None, "{text}");
        assert_eq!(analysis.entities.company, None, "{text}");
    }
}

#[test]
fn form_fields_are_explicit_statements() {
    let analysis = form(
        "Need a website for my salon.",
        &[("name", "Dr. Jo March"), ("email", "jo@march.co"), ("phone", "646 555 0100"), ("company", "March Salon")],
    );
    let e = &analysis.entities;
    assert_eq!(e.name.as_deref(), Some("Jo March"));
    assert_eq!((e.email.as_deref(), e.phone.as_deref()), (Some("jo@march.co"), Some("646 555 0100")));
    assert_eq!(e.company.as_deref(), Some("March Salon"));
    let analysis = form("Quote please.", &[("name", "lee wong"), ("budget", "$5k")]);
    assert_eq!(
        (analysis.entities.name.as_deref(), analysis.entities.budget.as_deref()),
        (Some("lee wong"), Some("$5k"))
    );
}

#[test]
fn budgets_are_amounts_offered_not_charged() {
    let budget = |text: &str| chat(text).entities.budget;
    assert_eq!(budget("quote for a patio? our budget is around $12,500").as_deref(), Some("$12,500"));
    assert_eq!(budget("ballpark for ads management? budget is 3k/month").as_deref(), Some("3k/month"));
    assert_eq!(budget("how much for a logo? we can spend up to $800").as_deref(), Some("$800"));
    assert_eq!(budget("I was charged $89 twice, please refund"), None);
    assert_eq!(budget("got a bill for $340 but the quote said $250"), None);
    assert_eq!(budget("how much for about 40 ft of fence"), None);
}

#[test]
fn timelines_as_written() {
    let timeline = |text: &str| sms(text).entities.timeline;
    assert_eq!(timeline("can I book a cut for next Tuesday afternoon?").as_deref(), Some("next Tuesday afternoon"));
    assert_eq!(timeline("we want it finished by the end of Q3").as_deref(), Some("by the end of Q3"));
    assert_eq!(timeline("any chance Thursday at 10am works?").as_deref(), Some("Thursday at 10am"));
    assert_eq!(timeline("need a plumber asap").as_deref(), Some("asap"));
    assert_eq!(timeline("catering for our gala on October 12?").as_deref(), Some("October 12"));
    assert_eq!(timeline("please move my appt from monday to wednesday").as_deref(), Some("wednesday"));
    assert_eq!(timeline("can we do 4pm instead of 11am").as_deref(), Some("4pm"));
    assert_eq!(timeline("the site went down at 3am and started failing"), None);
    assert_eq!(timeline("the March invoice is wrong"), None);
    assert_eq!(timeline("we spoke last week about it"), None);
    assert_eq!(timeline("May I ask what you charge?"), None);
    assert_eq!(timeline("what are your hours on sunday"), None);
}

#[test]
fn spam_and_opt_outs_carry_no_time_pressure() {
    let analysis = sms("URGENT: verify your account within 24 hours at secure-login.xyz to avoid suspension");
    assert_eq!((analysis.intent, analysis.urgency), (Intent::Spam, Urgency::Low));
    assert_eq!(analysis.entities.timeline, None);
    assert_eq!(sms("stop texting me today").urgency, Urgency::Low);
}

#[test]
fn odd_input_never_panics() {
    let long = "why ".repeat(5_000);
    let inputs = ["", " ", "\n\n\n", "’’’", "🙂🙂 thanks 🙂", "Ünïcödé Ñame — 東京 at 3pm", "--", "Thanks,\n", &long];
    for text in inputs {
        let analysis = email("é", text);
        assert!((0.0..=1.0).contains(&analysis.confidence));
        assert_eq!(analysis, email("é", text));
    }
}

fn meets_the_targets(name: &str, jsonl: &str, min_lines: usize) {
    let examples = parse_jsonl(jsonl).expect("fixture parses");
    assert!(examples.len() >= min_lines, "{name}");
    let pairs: Vec<_> = examples.iter().map(|e| (e, analyze(&e.input()))).collect();
    let scores = score(&pairs);
    assert!(scores.intent >= 0.90, "{name}: {scores}");
    assert!(scores.team >= 0.90, "{name}: {scores}");
    assert!(scores.urgency >= 0.80, "{name}: {scores}");
    assert!(scores.entity_f1 >= 0.85, "{name}: {scores}");
}

#[test]
fn holdout_and_blind_sets_meet_the_targets() {
    meets_the_targets("holdout", include_str!("../../../tests/fixtures/eval-holdout.jsonl"), 60);
    meets_the_targets("blind", include_str!("../../../tests/fixtures/eval-blind.jsonl"), 100);
    meets_the_targets("blind-2", include_str!("../../../tests/fixtures/eval-blind-2.jsonl"), 50);
    meets_the_targets("blind-3", include_str!("../../../tests/fixtures/eval-blind-3.jsonl"), 150);
    // First scored untouched at intent 0.883, team 0.917, urgency 0.900, entity F1 0.970;
    // its misses then named the vocabulary families and the second tier (`fallback.rs`).
    meets_the_targets("blind-4", include_str!("../../../tests/fixtures/eval-blind-4.jsonl"), 60);
    // First scored untouched at intent 0.869, team 0.891, urgency 0.898, entity F1 0.927;
    // its misses named the price-or-visit precedence over device words, the clause of a
    // time, and the hours, opt-out and spam families.
    meets_the_targets("blind-6", include_str!("../../../tests/fixtures/eval-blind-6.jsonl"), 137);
    // Written after the blind-6 round and first scored untouched at intent 0.847, team
    // 0.859, urgency 0.835, entity F1 0.954: the honest figure for unseen text then.
    meets_the_targets("blind-7", include_str!("../../../tests/fixtures/eval-blind-7.jsonl"), 85);
    // Written after the blind-7 round and first scored untouched at intent 0.815, team
    // 0.877, urgency 0.808, entity F1 0.906; its misses named the shape rules (`shape.rs`).
    meets_the_targets("blind-8", include_str!("../../../tests/fixtures/eval-blind-8.jsonl"), 130);
}

/// Written after the blind-4 round and scored once, untouched: intent 0.975, team 0.983,
/// urgency 0.975, entity F1 0.930. It is never tuned on; it is held at the lower of that
/// first measurement and the targets, as a guard against regressions.
#[test]
fn untouched_blind_set_holds_its_first_measurement() {
    meets_the_targets("blind-5", include_str!("../../../tests/fixtures/eval-blind-5.jsonl"), 120);
}

#[test]
fn common_phrasings_of_each_intent() {
    let cases = [
        ("hw much for a full detail on an suv", Intent::Pricing),
        ("are estimates free?", Intent::Pricing),
        ("any idea what a new water heater would run me?", Intent::Pricing),
        ("do you have student rates", Intent::Pricing),
        ("can i get in for a massage tmrw around 2?", Intent::Booking),
        ("could we hop on a call thursday to go over the proposal", Intent::Booking),
        ("I'd like to sign my son up for swim lessons", Intent::Booking),
        ("looking to get our carpets cleaned sometime next week", Intent::Booking),
        ("something came up, could we do next week instead?", Intent::Reschedule),
        ("can my appointment be moved to monday?", Intent::Reschedule),
        ("please cancle my appt on friday", Intent::Cancel),
        ("we won't be needing the tent rental after all, please call it off", Intent::Cancel),
        ("are you taking new patients?", Intent::SalesInquiry),
        ("just wondering if you do house calls", Intent::SalesInquiry),
        ("what's included in the premium package?", Intent::SalesInquiry),
        ("did you guys get the forms I dropped off?", Intent::Support),
        ("when will my car be ready?", Intent::Support),
        ("my ac is blowing warm air", Intent::Technical),
        ("the card reader won't pair with the tablet", Intent::Technical),
        ("emails from our domain are landing in spam folders", Intent::Technical),
        ("do you take venmo or zelle?", Intent::Billing),
        ("the promo code wasn't applied to my bill", Intent::Billing),
        ("the lawn guys skipped my yard again this week", Intent::Complaint),
        ("not impressed, the grout is already cracking", Intent::Complaint),
        ("stop pls", Intent::OptOut),
        ("please don't send me any more promotions", Intent::OptOut),
        ("Your package could not be delivered. Update your address here: parcel-track.info", Intent::Spam),
        ("We help dental offices like yours get 30+ new patients per month", Intent::Spam),
        ("nvm figured it out", Intent::Other),
    ];
    for (text, intent) in cases {
        assert_eq!(sms(text).intent, intent, "{text}");
    }
}

#[test]
fn repair_visits_go_to_the_technicians() {
    let analysis = sms("Furnace is blowing cold air. Can you send a tech out this afternoon?");
    assert_eq!((analysis.intent, analysis.team, analysis.urgency), (Intent::Booking, Team::Technical, Urgency::High));
    let analysis = sms("can we set up a demo of your scheduling app next week?");
    assert_eq!((analysis.intent, analysis.team), (Intent::Booking, Team::Sales));
}

#[test]
fn more_timelines_as_written() {
    let timeline = |text: &str| sms(text).entities.timeline;
    assert_eq!(timeline("can we bump my cleaning to next thurs?").as_deref(), Some("next thurs"));
    assert_eq!(timeline("any openings on Valentine's Day?").as_deref(), Some("Valentine's Day"));
    assert_eq!(timeline("could someone come by one evening this week?").as_deref(), Some("one evening this week"));
    assert_eq!(timeline("ideally within the next two weeks").as_deref(), Some("within the next two weeks"));
    assert_eq!(timeline("please cancel my 10am tomorrow").as_deref(), Some("10am tomorrow"));
    assert_eq!(timeline("could we do the 17th instead?").as_deref(), Some("the 17th"));
    assert_eq!(timeline("cancel my plan effective immediately"), None);
    assert_eq!(timeline("Saturdays are our busiest day"), None);
}
