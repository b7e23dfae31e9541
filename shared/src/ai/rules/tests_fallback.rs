//! The second tier (weak cues for messages no rule covers), thanks that ask for nothing,
//! and the vocabulary families found by the fourth blind set.

use std::collections::BTreeMap;

use super::analyze;
use crate::domain::analysis::Team;
use crate::domain::{Analysis, AnalysisInput, Channel, Intent, Urgency};

fn sms(text: &str) -> Analysis {
    analyze(&AnalysisInput { channel: Channel::Sms, subject: None, text: text.into(), fields: BTreeMap::new() })
}

#[test]
fn business_questions_no_rule_covers_get_a_low_confidence_guess() {
    let cases = [
        ("I need a new website for my bakery", Intent::SalesInquiry),
        ("is Maria working this saturday? want her to do my color", Intent::Booking),
        ("can you guys help me out with my car", Intent::Support),
    ];
    for (text, intent) in cases {
        let analysis = sms(text);
        assert_eq!((analysis.intent, analysis.team), (intent, intent.team()), "{text}");
        assert!(analysis.confidence < 0.5, "{text}: {}", analysis.confidence);
    }
}

#[test]
fn small_talk_greetings_and_unclear_text_stay_other() {
    let texts = [
        "how are you today?",
        "is it going to rain tomorrow?",
        "anyone watching the game tonight?",
        "did you see the game last night?",
        "can you hear me now",
        "hmm",
        "?",
        "the blue one",
        "hi!",
        "thanks, see you tuesday!",
        "sorry wrong number",
        "is the guest wifi password still the same?",
    ];
    for text in texts {
        let analysis = sms(text);
        assert_eq!(
            (analysis.intent, analysis.team, analysis.urgency),
            (Intent::Other, Team::None, Urgency::Low),
            "{text}"
        );
    }
}

#[test]
fn thanks_that_ask_for_nothing_are_other() {
    for text in
        ["Thank you for fitting me in last minute, much appreciated", "thanks so much for squeezing us in yesterday!"]
    {
        assert_eq!(sms(text).intent, Intent::Other, "{text}");
    }
    // Thanks with a request are the request.
    assert_eq!(sms("thanks for fitting me in! can I book the same time next week?").intent, Intent::Booking);
    assert_eq!(sms("thanks for coming out, but the sink is leaking again").intent, Intent::Technical);
}

#[test]
fn spam_and_opt_outs_are_never_guessed() {
    assert_eq!(sms("Congratulations! You've won a $500 gift card, claim at bit.ly/xyz").intent, Intent::Spam);
    assert_eq!(sms("no more marketing texts thanks").intent, Intent::OptOut);
    assert_eq!(sms("quit sending me these").intent, Intent::OptOut);
    // A weak hint of stopping something is not an opt-out.
    assert_ne!(sms("how do I stop my car alarm from going off").intent, Intent::OptOut);
}

#[test]
fn vocabulary_families_of_the_fourth_blind_set() {
    let cases = [
        ("can I see all my past transactions somewhere", Intent::Billing),
        ("did my payment go through?", Intent::Billing),
        ("where's my refund?", Intent::Billing),
        ("still haven't received the zoom link for tomorrow's class", Intent::Support),
        ("my son left his hoodie in the studio", Intent::Support),
        ("I keep getting kicked out of the portal", Intent::Technical),
        ("having trouble with the card reader, it only works half the time", Intent::Technical),
        ("could my son try out a beginner guitar lesson next week?", Intent::Booking),
        ("count me out for next week's session", Intent::Cancel),
        ("can you switch me to the later class tomorrow", Intent::Reschedule),
        ("what would I be looking at for a 12x12 deck", Intent::Pricing),
        ("is that extra or included?", Intent::Pricing),
        ("nobody showed up and nobody called", Intent::Complaint),
        ("I've emailed you four times with no reply", Intent::Complaint),
        ("we'd like to hire your firm for our annual audit", Intent::SalesInquiry),
    ];
    for (text, intent) in cases {
        assert_eq!(sms(text).intent, intent, "{text}");
    }
}

#[test]
fn asking_someone_to_look_at_a_device_is_a_repair_visit() {
    let analysis = sms("can your tech take a look at our dishwasher on friday");
    assert_eq!((analysis.intent, analysis.team), (Intent::Booking, Team::Technical));
    let analysis = sms("can you take a look at my account settings");
    assert_ne!(analysis.intent, Intent::Booking);
}

#[test]
fn dead_phone_lines_are_an_outage() {
    let analysis = sms("all the phones went dead and we can't take calls");
    assert_eq!((analysis.intent, analysis.urgency), (Intent::Technical, Urgency::High));
}
