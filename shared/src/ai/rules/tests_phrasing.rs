//! Phrasings found by writing fresh message sets: texted contractions, vocabulary
//! families, the urgency boundary and entity conventions.

use std::collections::BTreeMap;

use super::analyze;
use crate::domain::analysis::Team;
use crate::domain::{Analysis, AnalysisInput, Channel, Intent, Urgency};

fn message(channel: Channel, subject: Option<&str>, text: &str) -> Analysis {
    analyze(&AnalysisInput { channel, subject: subject.map(Into::into), text: text.into(), fields: BTreeMap::new() })
}

fn sms(text: &str) -> Analysis {
    message(Channel::Sms, None, text)
}

fn email(subject: &str, text: &str) -> Analysis {
    message(Channel::Email, Some(subject), text)
}

#[test]
fn texted_contractions_read_like_spelled_ones() {
    assert_eq!(sms("sorry cant make it today, can I come thursday").intent, Intent::Reschedule);
    assert_eq!(sms("wheres my dry cleaning? it was supposed to be ready yesterday").intent, Intent::Support);
    // "were" and "its" are words of their own.
    assert_eq!(super::normalise(None, "We were sure its fine, cant stay"), "we were sure its fine, can't stay");
}

#[test]
fn vocabulary_families() {
    let cases = [
        ("roughly what would a 12x16 paver patio run me", Intent::Pricing),
        ("is delivery free over a certain amount?", Intent::Pricing),
        ("Looking to get my piano tuned sometime this month", Intent::Booking),
        ("do you have a tee time for 4 at around 8 sunday", Intent::Booking),
        ("Can we move the walkthrough to next Thursday? Same time works.", Intent::Reschedule),
        ("I need a different day for my install, the 12th wont work", Intent::Reschedule),
        ("We won't be continuing with the service after this month", Intent::Cancel),
        ("can your team help with a trademark registration?", Intent::SalesInquiry),
        ("Can your app send automatic reminders to clients?", Intent::SalesInquiry),
        ("I need to change the name on my reservation", Intent::Support),
        ("i ordered the wrong size, can i swap it?", Intent::Support),
        ("the export to CSV button gives me a blank file", Intent::Technical),
        ("Text notifications aren't going out to customers since this morning", Intent::Technical),
        ("you guys overbilled me by $200", Intent::Billing),
        ("The discount code SAVE20 did not apply at checkout", Intent::Billing),
        ("nobody answered my 3 emails. if I don't hear back by tomorrow I'm disputing the charge", Intent::Complaint),
        ("The contractor you sent left the job half finished and won't return my calls.", Intent::Complaint),
        ("how do I stop getting these texts?", Intent::OptOut),
        (
            "Hello! I'd like to publish a guest post on your blog with a link back to my casino site. Your price?",
            Intent::Spam,
        ),
        ("Your invoice #INV-22019 is overdue. Download the attached file to view payment details.", Intent::Spam),
        ("Get your business listed on 500 directories for $49! Limited time only.", Intent::Spam),
        ("testing, can anyone see this?", Intent::Other),
    ];
    for (text, intent) in cases {
        assert_eq!(sms(text).intent, intent, "{text}");
    }
    // "work from home" is the customer's situation here, not a money-making offer.
    let analysis = sms("your crew cut my cable line and now I have no internet. i work from home, fix it today");
    assert_eq!((analysis.intent, analysis.urgency), (Intent::Complaint, Urgency::High));
}

#[test]
fn urgency_boundary() {
    let dropped =
        email("Cancel", "We've decided to hold off on the project, so please cancel our consultation.\n\nLeah");
    assert_eq!(dropped.urgency, Urgency::Low);
    assert_eq!(sms("need to cancel today's appointment, my kid is sick").urgency, Urgency::Medium);
    assert_eq!(sms("Our POS keeps freezing and we have a line out the door").urgency, Urgency::High);
    assert_eq!(sms("water is pouring out from under the kitchen sink").urgency, Urgency::High);
    // When it happened is not when it is wanted.
    let past = email("Front desk", "The way I was treated at the front desk today was embarrassing.\n\nMargaret Hale");
    assert_eq!((past.intent, past.urgency), (Intent::Complaint, Urgency::Medium));
}

#[test]
fn a_patients_own_emergency_goes_to_support() {
    let analysis = sms("need an emergency appt, my son chipped his front tooth. can you see him today?");
    assert_eq!((analysis.intent, analysis.team, analysis.urgency), (Intent::Booking, Team::Support, Urgency::High));
    assert_eq!(sms("can I book a cleaning with the hygienist next month?").team, Team::Sales);
}

#[test]
fn entity_conventions() {
    let timeline = |text: &str| email("Hi", text).entities.timeline;
    let window = "Could we get a demo sometime next week? Tuesday or Wednesday afternoon would be ideal.";
    assert_eq!(timeline(window).as_deref(), Some("next week"));
    assert_eq!(timeline("Would Monday the 9th at 1pm work?").as_deref(), Some("Monday the 9th at 1pm"));
    assert_eq!(
        timeline("We need to postpone the session until after the holidays").as_deref(),
        Some("after the holidays")
    );
    assert_eq!(timeline("need to cancel today's appointment").as_deref(), Some("today"));
    assert_eq!(timeline("Third time this month the cleaner didn't show"), None);
    assert_eq!(timeline("do you have any specials this month"), None);

    let signed = email("Fob", "I lost my key fob. How can I get a new one?\n\nThanks,\nAndrea (unit 12C)");
    assert_eq!(signed.entities.name.as_deref(), Some("Andrea"));
    let firm = email("Email", "Nothing sends since last night.\n\nThanks,\nPaul Strand\nStrand Accounting");
    assert_eq!(firm.entities.company.as_deref(), Some("Strand Accounting"));
    let budget = email("Quote", "Quote for weekly mowing please. Budget is $150-200 a month.\n\nRosa");
    assert_eq!(budget.entities.budget.as_deref(), Some("$150-200 a month"));
    assert_eq!(sms("Hi its Tanya, need to reschedule my lash fill").entities.name.as_deref(), Some("Tanya"));
}

/// Reported by a plumbing business (issue 11): a price question that names an install, a
/// thank-you after the visit, a flooding emergency and an hours question.
#[test]
fn reported_plumbing_messages() {
    for price in [
        sms("Is the water heater install price including the old unit haul away?"),
        message(Channel::Chat, None, "Is the water heater install price including the old unit haul away?"),
    ] {
        assert_eq!((price.intent, price.team), (Intent::Pricing, Team::Sales));
    }
    for thanks in [
        sms("Thanks so much, the technician was great yesterday!"),
        email("Thank you", "Thanks so much, the technician was great yesterday!"),
    ] {
        assert_eq!((thanks.intent, thanks.team, thanks.urgency), (Intent::Other, Team::None, Urgency::Low));
    }
    let flood = sms("My basement is flooding, pipe burst!! need someone NOW");
    assert_eq!((flood.intent, flood.team, flood.urgency), (Intent::Booking, Team::Technical, Urgency::High));
    let hours = sms("what are your hours on saturday?");
    assert_eq!((hours.intent, hours.team, hours.urgency), (Intent::SalesInquiry, Team::Sales, Urgency::Low));
    assert_eq!(hours.entities.timeline, None);
}

#[test]
fn device_words_are_a_topic_until_something_is_wrong() {
    for text in [
        "does the furnace replacement quote include the permit?",
        "how much to set up a smart thermostat?",
        "what do you charge to install a garbage disposal",
    ] {
        assert_eq!((sms(text).intent, sms(text).team), (Intent::Pricing, Team::Sales), "{text}");
    }
    // A problem phrase makes it technical; asking for a visit makes it a repair booking.
    assert_eq!(sms("the water heater you installed is leaking").intent, Intent::Technical);
    for text in [
        "brakes are grinding, can i bring it in friday?",
        "sewer line backing up, need a plumber right away",
        "dryer makes a loud bang when it starts. can someone come look at it?",
    ] {
        assert_eq!((sms(text).intent, sms(text).team), (Intent::Booking, Team::Technical), "{text}");
    }
}

#[test]
fn hours_and_whereabouts_are_general_questions() {
    for text in ["what are ur hours this weekend", "what time do you close on fridays?", "where are you guys located?"]
    {
        let analysis = sms(text);
        assert_eq!((analysis.intent, analysis.urgency), (Intent::SalesInquiry, Urgency::Low), "{text}");
        assert_eq!(analysis.entities.timeline, None, "{text}");
    }
    assert_eq!(sms("whats the address for my appt tomorrow?").intent, Intent::Support);
}

#[test]
fn the_clause_of_a_time_says_whether_it_is_past() {
    let timeline = |text: &str| sms(text).entities.timeline;
    assert_eq!(timeline("left my sunglasses at the salon today, can you hold them?"), None);
    assert_eq!(timeline("the reader stopped this morning and we can only take cash"), None);
    assert_eq!(
        timeline("I never got a confirmation for my appointment next Thursday").as_deref(),
        Some("next Thursday")
    );
    assert_eq!(timeline("is there an extra fee for sundays"), None);
    assert_eq!(timeline("Weekday evenings are best for me.").as_deref(), Some("Weekday evenings"));
    assert_eq!(timeline("Is anything open the week of the 10th?").as_deref(), Some("the week of the 10th"));
    let reason = "any chance u have an opening before 5 today? have an event tonight";
    assert_eq!(timeline(reason).as_deref(), Some("before 5 today"));
}

/// Found by blind-7: texted "r u"/"ur", visits already booked, cold pitches, and outages
/// that are over.
#[test]
fn second_round_of_fresh_phrasings() {
    let cases = [
        ("r u guys accepting new dogs for daycare", Intent::SalesInquiry),
        ("take this number off ur list", Intent::OptOut),
        ("the tech left his flashlight here yesterday, want me to leave it on the porch?", Intent::Support),
        ("do i need to be home for the cleaners or can they use the lockbox?", Intent::Support),
        ("how long after the spraying before the dog can go out?", Intent::Support),
        ("my laptop gets a blue screen every time I plug in the dock", Intent::Technical),
        ("Want to 10x your Instagram followers? DM me for prices", Intent::Spam),
        ("Could we do the carpet cleaning next week instead of tomorrow?", Intent::Reschedule),
    ];
    for (text, intent) in cases {
        assert_eq!(sms(text).intent, intent, "{text}");
    }
    assert_eq!(sms("ice maker stopped making ice after the power outage last week").urgency, Urgency::Medium);
    assert_eq!(sms("locked my keys in the car at the gym, can u send someone").urgency, Urgency::High);
    assert_eq!(sms("do you charge by the hour or per room for interior painting?").urgency, Urgency::Low);
    let timeline = |text: &str| email("Hi", text).entities.timeline;
    assert_eq!(timeline("We're both free any Friday afternoon.").as_deref(), Some("any Friday afternoon"));
    assert_eq!(timeline("can i get a beard trim at 4:30 today").as_deref(), Some("4:30 today"));
    assert_eq!(timeline("Just wanted to thank Ana for coming out so late Friday night."), None);
}

/// Found by blind-8: the shape of a message (a visit already held, another time asked for,
/// a thing acting by itself) rather than the trade's vocabulary.
#[test]
fn shape_of_the_message_over_vocabulary() {
    let cases = [
        (
            "hi it's Gina, Pepper's groom is at 2 tomorrow but my car is in the shop. could we do later in the week?",
            Intent::Reschedule,
        ),
        ("can the pest guy come friday instead? wont be home thurs", Intent::Reschedule),
        ("Our closing got pushed, so we need to move the truck from the 3rd to the 10th.", Intent::Reschedule),
        ("got a text saying my appointment is confirmed but it doesnt say which location", Intent::Support),
        ("what time is the crew showing up tomorrow? need to know when to leave the gate open", Intent::Support),
        (
            "big branch came down on the fence in the storm last night, can you come cut it up and haul it away",
            Intent::Booking,
        ),
        ("our gate opener is acting weird, opens by itself at night", Intent::Technical),
        ("the invoice says 4 hrs labor but the tech was here maybe 90 min", Intent::Billing),
        ("stuck on 285, gonna be like 15 late", Intent::Other),
        ("thx again for squeezing biscuit in yesterday!", Intent::Other),
    ];
    for (text, intent) in cases {
        assert_eq!(sms(text).intent, intent, "{text}");
    }
    // The evidence of the booking it replaced backs a reschedule: no empty confidence.
    let moved = sms("I never got a confirmation email for my appointment next Thursday. Can you make sure I'm booked?");
    assert!(moved.confidence.is_finite());
    assert_eq!(sms("Smell of gas near the pool heater, should I shut it off??").urgency, Urgency::High);
}
