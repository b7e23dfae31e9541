//! Intent by weighted phrase evidence: every pattern that matches adds its weight to its
//! intent once; the best-scoring intent wins and the margin over the runner-up sets the
//! confidence.

use std::sync::LazyLock;

use regex::Regex;

use super::{compile, fallback, lexicon, shape};
use crate::domain::Intent::{self, Booking, Other, Pricing, SalesInquiry, Technical};
use crate::domain::analysis::Team;

/// Evidence below this is not enough to pick any intent.
const MIN_EVIDENCE: f32 = 1.5;
/// Asking a price or a time makes it pricing or booking rather than a general inquiry.
const CLEAR_ASK: f32 = 2.5;
/// A booking whose message also describes something broken (a single clear problem
/// phrase, not just device vocabulary) is a repair visit: the technicians take it.
const REPAIR_PROBLEM: f32 = 2.5;

/// What the lexicon says about a message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Verdict {
    pub intent: Intent,
    pub team: Team,
    pub confidence: f32,
}

/// A booking that is a patient's own emergency (pain, an injury, a broken tooth) is care
/// for an existing need: the support desk triages it, not sales.
static CARE_EMERGENCY: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(tooth|teeth|toothache|molar|crown|filling|gums?|jaw|stitches)\b[^\n]{0,80}\b(emergency|asap|urgent|today|tonight|right away|killing me|in pain|bleeding|swollen)\b|\b(emergency|asap|urgent)\b[^\n]{0,80}\b(tooth|teeth|toothache|molar|crown|filling|gums?|jaw|stitches|bleeding|swollen|in pain)\b|\b(killing me|in (so much |a lot of |severe )?pain|severe pain|bleeding|swollen|abscess)\b",
    )
});

/// A booking that asks someone to look at, fix or repair a device is a repair visit even
/// when it does not say what is wrong ("can you look at my car's AC tomorrow?").
static REPAIR_VISIT: LazyLock<Regex> = LazyLock::new(|| {
    compile(concat!(
        r"\b(take a look at|have a look at|look at|look over|check out|diagnose|troubleshoot|fix|repair) (my|our|the|his|her|this|a|some) ([a-z'/-]+ ){0,2}(",
        lexicon::devices!(),
        r")\b"
    ))
});

/// The customer asks for someone to come out, or to bring the thing in: a visit, however
/// much the message says about what is broken ("pipe burst, need a plumber right away").
static VISIT: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(come (out|over|by|look|take a look|check|see)|(can|could) (a|an|someone|somebody|your [a-z]+) ([a-z]+ )?(come|stop by|swing by|make it out)|bring (it|him|her|them|(my|our|the) [a-z]+) in|need (a|an) (plumber|electrician|technician|tech|mechanic|locksmith|roofer|handyman|exterminator|repairman|repair person)|need (someone|somebody|a tech|a technician) (out|here|over|to come|now|today|tonight|asap|right away|immediately))\b",
    )
});

/// "can someone come look at it?", "can I bring it in?": a request to look at, fix or take
/// in something the message names elsewhere ("the furnace bangs ...", "brakes grind ...").
static FIX_IT: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(look at|look over|check out|check on|diagnose|fix|repair|service) (it|this|that|them)\b|\bbring (it|them) in\b",
    )
});
static DEVICE: LazyLock<Regex> = LazyLock::new(|| compile(concat!(r"\b(", lexicon::devices!(), r")\b")));

/// One regex per rule: a `RegexSet` of this many patterns is an order of magnitude slower.
static RULES: LazyLock<Vec<(Intent, f32, Regex)>> = LazyLock::new(|| {
    lexicon::patterns().map(|&(intent, weight, pattern)| (intent, weight, compile(pattern))).collect()
});

fn slot(intent: Intent) -> usize {
    Intent::ALL.iter().position(|i| *i == intent).unwrap_or(0)
}

/// Intent, team and confidence for normalised (lower-case) message text.
pub(super) fn classify(text: &str) -> Verdict {
    let mut scores = [0f32; Intent::ALL.len()];
    let mut strongest = [0f32; Intent::ALL.len()];
    for (intent, weight, regex) in RULES.iter() {
        if regex.is_match(text) {
            scores[slot(*intent)] += weight;
            strongest[slot(*intent)] = strongest[slot(*intent)].max(*weight);
        }
    }
    if fallback::only_thanks(text) {
        scores[slot(Other)] += fallback::THANKS_WEIGHT;
    }
    let score = |intent: Intent| scores[slot(intent)];
    // Ties go to the earlier intent in `Intent::ALL`.
    let mut best = Other;
    for &intent in Intent::ALL {
        if score(intent) > score(best) || (score(intent) == score(best) && slot(intent) < slot(best)) {
            best = intent;
        }
    }
    if score(best) < MIN_EVIDENCE {
        // The second tier: a low-confidence guess for a message that asks the business
        // something, `other` for the rest.
        let (intent, confidence) = fallback::guess(text, score).unwrap_or((Other, 0.1 + 0.1 * score(best)));
        let intent = shape::settle(intent, text);
        return Verdict { intent, team: intent.team(), confidence };
    }
    // Per the labels, asking a price or a time settles a general inquiry; the inquiry
    // evidence then backs the decision instead of competing with it.
    if best == SalesInquiry
        && let Some(ask) = [Pricing, Booking].into_iter().find(|&ask| score(ask) >= CLEAR_ASK)
    {
        best = ask;
    }
    // Device words and "install" without a single problem phrase are the topic of a price
    // or time question, not a fault: "is the water heater install price including ...?".
    // Per the labels, a customer who asks for a visit books one, whatever is broken; the
    // problem then sends the booking to the technicians below. Either way the technical
    // evidence backs the ask.
    let mut topic = None;
    if best == Technical {
        let vocabulary_only = strongest[slot(Technical)] < REPAIR_PROBLEM;
        let ask = [Pricing, Booking].into_iter().find(|&ask| vocabulary_only && score(ask) >= CLEAR_ASK);
        if let Some(ask) = ask.or_else(|| VISIT.is_match(text).then_some(Booking)) {
            best = ask;
            topic = Some(Technical);
        }
    }
    // A repair visit stays a booking whatever visit the customer already has; any other
    // booking is weighed against the visits the message says are already held.
    // The evidence for the booking it replaces then backs the new intent.
    let mut replaced = None;
    if topic.is_none() {
        let settled = shape::settle(best, text);
        replaced = (settled != best).then_some(best);
        best = settled;
    }
    let backing = [matches!(best, Pricing | Booking).then_some(SalesInquiry), topic, replaced];
    let backs = |intent: Intent| backing.contains(&Some(intent));
    let top = score(best) + backing.iter().flatten().map(|&i| score(i)).sum::<f32>();
    let others = Intent::ALL.iter().filter(|&&i| i != best && !backs(i)).map(|&i| score(i)).fold(0f32, f32::max);
    let strength = 1.0 - (-top / 2.0).exp();
    let margin = ((top - others.min(top)) / top).clamp(0.0, 1.0);
    let repair = best == Booking
        && (strongest[slot(Technical)] >= REPAIR_PROBLEM
            || REPAIR_VISIT.is_match(text)
            || (FIX_IT.is_match(text) && DEVICE.is_match(text)));
    let care = best == Booking && !repair && CARE_EMERGENCY.is_match(text);
    let team = if repair {
        Team::Technical
    } else if care {
        Team::Support
    } else {
        best.team()
    };
    Verdict { intent: best, team, confidence: (strength * (0.55 + 0.45 * margin)).clamp(0.0, 1.0) }
}
