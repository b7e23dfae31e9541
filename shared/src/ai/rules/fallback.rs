//! The second tier of intent: when no rule of the lexicon gives enough evidence, weak cues
//! pick the most plausible business intent for a message that plainly asks the business
//! something, with low confidence so a person checks it. `other` stays for greetings,
//! thanks, small talk, unclear text and wrong numbers. Also: thanks that ask for nothing
//! are `other` even when they mention a service ("thank you for fitting me in").

use std::sync::LazyLock;

use regex::Regex;

use super::{compile, lexicon};
use crate::domain::Intent;

/// Weak evidence below this is no guess at all.
const MIN_WEAK: f32 = 1.0;
/// A guess never reaches the confidence at which the AI answers on its own.
const MAX_CONFIDENCE: f32 = 0.45;
/// How much thanks that ask for nothing count towards `other`.
pub(super) const THANKS_WEIGHT: f32 = 3.0;

/// (intent, weight, regex, context).
static CUES: LazyLock<Vec<(Intent, f32, Regex, bool)>> = LazyLock::new(|| {
    lexicon::weak_cues().map(|(intent, weight, pattern, context)| (intent, weight, compile(pattern), context)).collect()
});

/// The message asks, requests or reports a problem: it is about the business.
static ASKS: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\?|\A\W*((hi|hello|hey)\W+)?(what|what's|how|when|where|which|who|why|can|could|would|will|do|does|did|is|are|any|anyone|r u)\b|\b(can|could|would|will) (you|u|i|we|someone|somebody|my|your)\b|\b(is|are) there\b|\bany (chance|way)\b|\b(please|pls|plz|need|needs|want|wanted|would like|i'd like|we'd like|looking for|looking to|help|wondering|trying to)\b|\b(not|never|broken|trouble|issues?|problems?|stopped|keeps?|wrong|again|still)\b|n't\b",
    )
});

/// Gratitude or praise.
static THANKS: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(thank you|thanks|thank u|thank [a-z]+ for|thx|ty|gracias|much appreciated|appreciate (it|you|that|the|your|how|all)|great (job|work)|well done|you guys rock|you're the best|lifesavers?|life savers?)\b",
    )
});

/// Anything beyond the thanks: a question, a request or a problem.
static MORE_THAN_THANKS: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\?|\b(can|could|would|will) (you|u|i|we|someone|somebody|y'all)\b|\b(please|pls|plz|need|want|wanted to (ask|know|check|book|schedule|see)|would like|i'd like|we'd like|let me know|looking for|how (do|can|much|long)|when (can|will|is|do)|is there|do you|are you|but|however|unfortunately|still|again|not|never|broken|problem|issue|wrong|leak|leaking|cancel|reschedule|refund|charged|go ahead|move forward|proceed|ready to|book|schedule|sign up|send (me|us|over))\b|n't\b",
    )
});

/// "thanks again" repeats the thanks; it does not report something happening again.
static THANKS_AGAIN: LazyLock<Regex> = LazyLock::new(|| compile(r"\b(thanks|thank you|thank u|thx|ty) again\b"));

/// Thanks or praise that ask for nothing more.
pub(super) fn only_thanks(text: &str) -> bool {
    THANKS.is_match(text) && !MORE_THAN_THANKS.is_match(&THANKS_AGAIN.replace_all(text, "thanks"))
}

/// The most plausible business intent and its (low) confidence, from the main lexicon's
/// scores (all below the evidence threshold) and the weak cues; `None` when the message
/// does not ask the business anything or nothing points anywhere.
pub(super) fn guess(text: &str, strong: impl Fn(Intent) -> f32) -> Option<(Intent, f32)> {
    if !ASKS.is_match(text) {
        return None;
    }
    let mut best: Option<(Intent, f32)> = None;
    for &intent in Intent::ALL {
        if matches!(intent, Intent::OptOut | Intent::Spam | Intent::Other) {
            continue;
        }
        let (mut topic, mut context) = (strong(intent), 0.0);
        for (_, weight, regex, is_context) in CUES.iter().filter(|(i, ..)| *i == intent) {
            if regex.is_match(text) {
                *(if *is_context { &mut context } else { &mut topic }) += weight;
            }
        }
        if topic <= 0.0 {
            continue;
        }
        let total = topic + context;
        if total >= MIN_WEAK && best.is_none_or(|(_, score)| total > score) {
            best = Some((intent, total));
        }
    }
    best.map(|(intent, score)| (intent, (0.2 + 0.05 * score).min(MAX_CONFIDENCE)))
}
