//! Weak cues: words that hint at an intent without settling it. They only decide when no
//! rule of the main lexicon gives enough evidence and the message plainly asks the
//! business something; the guess then goes out with low confidence, so a person checks it.
//! Opt-out and spam are never guessed: both end the conversation.

use crate::domain::Intent::{
    self, Billing, Booking, Cancel, Complaint, Pricing, Reschedule, SalesInquiry, Support, Technical,
};

#[rustfmt::skip]
pub(super) const CUES: &[(Intent, f32, &str)] = &[
    // pricing
    (Pricing, 1.0, r"\$\d|\b(cost|costs|costing|worth|spend|spending|cheaper|pricier|dollars|bucks|total|estimate|quote)\b"),
    (Pricing, 0.75, r"\b(what|how) (would|will|do|does) (that|it|this|one|they) (be|come to|end up)\b"),
    // booking
    (Booking, 0.75, r"\b(come in|come by|come out|stop in|stop by|drop in|pop in|get in|fit|visit|see (you|someone|a|the)|join|attend|start|try)\b"),
    (Booking, 0.75, r"\b(lessons?|class|classes|sessions?|appointments?|appt|consult|tour|workshop|spot|seat|opening|availability|available|free)\b"),
    // reschedule
    (Reschedule, 1.0, r"\b(later|earlier|different|another|other) (day|time|date|session|slot|one|class|week)\b|\b(switch|swap|shift|move|push|bump) (it|my|me|us|to)\b"),
    // cancel
    (Cancel, 1.0, r"\b(done with|drop out|dropping out|leave|leaving|quit|quitting|stop|end|ending|withdraw) (my|our|the|this)\b|\b(anymore|any more|no longer)\b"),
    // sales inquiry
    (SalesInquiry, 0.75, r"\b(do|does|can|could|will|would) (you|u|ya|y'all|yall|you guys|u guys|your [a-z]+)\b|\b(you|u|y'all|you guys) (do|offer|have|sell|carry|make|fix|handle|work on|deliver|take)\b"),
    (SalesInquiry, 0.75, r"\b(need|want|looking for|in the market for|shopping for) (a|an|some|new|the best|a new|a good)\b"),
    (SalesInquiry, 0.75, r"\bfor (my|our) (new )?(business|company|shop|store|restaurant|bakery|cafe|salon|office|practice|clinic|startup|team|event|wedding|party|home|house|kids?|son|daughter)\b"),
    (SalesInquiry, 0.5, r"\b(services?|options?|offer|offers|menu|products?|selection|inventory|models?)\b"),
    // support
    (Support, 0.75, r"\b(haven't|hasn't|didn't|never|still haven't|not yet) (got|gotten|get|received|receive|heard|seen|arrived)\b"),
    (Support, 1.0, r"\b(my|our) (account|order|booking|appointment|appt|login|password|tickets?|membership|subscription|reservation|package|item|items|stuff|results|file|profile|key|keys|car|dog|cat|pet|paperwork|forms?|confirmation|pickup|delivery|class|lesson|session)\b"),
    // technical
    (Technical, 0.5, r"\b(app|site|website|web page|page|portal|login|dashboard|screen|printer|wifi|wi-fi|internet|phones?|laptop|computer|email|system|software|device|machine|unit|lock|opener|sprinkler|thermostat|sensor|camera|lights?|breaker|outlet|heater|ac|a/c|furnace|fridge|freezer|dryer|washer|toilet|sink|pipe|engine|brakes|battery|tablet|tv|remote|charger|speaker|link|button|form|code)\b"),
    // billing
    (Billing, 1.0, r"\b(pay|paid|paying|payment|payments|card|charge|charged|charges|money|refund|receipt|invoice|bill|billed|balance|fee|fees|deposit|transaction|transactions|statement|credit|owe|tax)\b"),
    // complaint
    (Complaint, 0.75, r"\b(upset|annoyed|annoying|disappointed|crazy|ridiculous|seriously|mess|messy|sloppy|careless|nobody|no one|ignored|waited|waiting|rude|poor|bad|worse)\b|!{2,}|\?{2,}"),
];

/// Cues that only add to an intent some topic cue or rule already points to: a time, a
/// problem word or a question frame says nothing about the business by itself ("how are
/// you today?", "is it going to rain tomorrow?").
#[rustfmt::skip]
pub(super) const CONTEXT: &[(Intent, f32, &str)] = &[
    (SalesInquiry, 0.5, r"\b(is there|are there|any chance|is it possible|wondering|curious|possible to)\b"),
    (Support, 0.75, r"\b(how|where|when) (do|can|should|will|would) (i|we)\b|\b(help|question|confused|figure out|update on|status)\b"),
    (Booking, 1.0, r"\b(today|tonight|tomorrow|tmrw|this (week|weekend|morning|afternoon|evening)|next (week|weekend|month|[a-z]+day)|(mon|tues|wednes|thurs|fri|satur|sun)day|\d{1,2}(:\d\d)? ?(am|pm)|at \d{1,2}\b)"),
    (Technical, 0.75, r"\b(not|isn't|won't|wont|doesn't|can't|cannot|stopped|keeps?|only|again|trouble|issues?|problems?|weird|strange|glitch[a-z]*|off|slow|dead|acting up|messed up|weirdly)\b|n't\b"),
    (Technical, 0.5, r"\b(working|works|work|loading|load|loads|connect|connecting|sync|syncing|update|updating|install|reset|turn on|turning|running|responding|showing up|login|log in|sign in|opening|open)\b"),
];
