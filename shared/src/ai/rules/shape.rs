//! The shape of a message rather than its vocabulary: whether it refers to a visit the
//! customer already has, and whether it asks for another time. Trade nouns change with
//! every business; "my <visit> is at 2 tomorrow ... could we do later in the week?" does
//! not. These cues settle the precedence between booking, reschedule and support.

use std::sync::LazyLock;

use regex::Regex;

use super::compile;
use crate::domain::Intent::{self, Booking, Reschedule, Support};

/// Things a customer books, as the customer names them once booked.
const VISIT: &str = r"(appointment|appt|booking|reservation|session|lesson|lessons|class|consult|consultation|cleaning|groom|grooming|visit|install|installation|inspection|tour|walkthrough|move|detail|treatment|service|tasting|fitting|exam|checkup|check-up|shoot|delivery|pickup)";

/// The customer already has the visit: "my appointment", "Pepper's groom is at 2",
/// "I have a consultation on Wednesday", "I'm booked for ...".
static EXISTING: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"\b(my|our|his|her|their|[a-z]+'s) ([a-z-]+ )?{VISIT}\b|\b(i|we) have (a|an|my|our) ([a-z.'-]+ ){{0,3}}{VISIT}\b|\b(i'm|i am|we're|we are|he's|she's) (booked|scheduled|down|signed up)\b|\b{VISIT} (is|was) (booked |scheduled |set )?(at|on|for) "
    ))
});

/// Words by which a customer books something new, whatever else they say about visits
/// they have ("can I book my son's lesson too?").
static NEW_BOOKING: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(book|schedule|reserve|sign (me|him|her|us|them) up|set up (a|an)|make (a|an)|another (appointment|appt|session|lesson))\b",
    )
});

/// A request for a time other than the one held: "instead", "later in the week", "the
/// following week", "from Tuesdays to Wednesdays", "anything else open".
static OTHER_TIME: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\binstead\b|\b(later|earlier) (in the|that|this|next|on|today|tomorrow)\b|\b(a |the )?(later|earlier|different|another|other) (day|date|time|slot|one|week)\b|\bthe following (day|week|weekend|[a-z]+day)\b|\bfrom (the )?[a-z0-9]+ to (the )?[a-z0-9]+\b|\b(anything|something|any time|anytime) (else )?(open|available|free)\b|\b(would|does|could) (next |the )?[a-z0-9: ]{2,25} work\b",
    )
});

/// The customer proposes a change: "could we do ...", "can I switch to ...".
static CHANGE_ASK: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"\b(could|can|may) (we|i|you) (do|make it|try|go|switch|move|change)\b|\bany (chance|way)\b")
});

/// A named time offered in place of another: "can the pest guy come friday instead?".
static TIME_INSTEAD: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(today|tomorrow|tmrw|tonight|[a-z]+day|morning|afternoon|evening|week|weekend|\d{1,2}(:\d\d)? ?(am|pm)?) instead\b",
    )
});

/// The intent after the shape of the message is weighed: a "booking" that is about a
/// visit the customer already has is a change to it when another time is asked for, and
/// a question about it otherwise, and so is a booking that offers a time "instead"; a request for another time for a visit already held
/// that the lexicon could not place is a change too.
pub(super) fn settle(intent: Intent, text: &str) -> Intent {
    let existing = || EXISTING.is_match(text) && !NEW_BOOKING.is_match(text);
    match intent {
        Booking if TIME_INSTEAD.is_match(text) => Reschedule,
        Booking if existing() => {
            if OTHER_TIME.is_match(text) {
                Reschedule
            } else {
                Support
            }
        }
        Support if existing() && OTHER_TIME.is_match(text) && CHANGE_ASK.is_match(text) => Reschedule,
        Intent::Pricing
        | Booking
        | Reschedule
        | Intent::Cancel
        | Intent::SalesInquiry
        | Support
        | Intent::Technical
        | Intent::Billing
        | Intent::Complaint
        | Intent::OptOut
        | Intent::Spam
        | Intent::Other => intent,
    }
}
