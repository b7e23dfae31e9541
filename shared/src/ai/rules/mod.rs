//! The offline ("rules") analysis engine: deterministic hand-written rules that decide
//! intent, team and urgency of an inbound message and extract the entities it states.
//! No network, no models; every pattern is compiled once.

mod entities;
mod fallback;
mod intent;
mod lexicon;
mod shape;
mod signature;
mod timeline;
mod urgency;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fallback;
#[cfg(test)]
mod tests_phrasing;

use std::sync::LazyLock;

use regex::Regex;

use crate::domain::{Analysis, AnalysisInput};

static WANTS_HUMAN: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(talk|speak|chat) (to|with) (a |an |the |your )?(real |actual |live )?(person|human|agent|representative|rep|someone|somebody|manager|supervisor|owner|staff member)\b|\b(call|phone|ring) me\b|\bgive me a (call|ring)\b|\b(have|get|need|want) (someone|somebody|a person|a human|an agent|a manager|a rep)\b[^.?!\n]{0,20}\b(call|contact|reach|get back)|\bsomeone (to )?(call|contact|reach out to) me\b|\b(human|real person|live agent|operator),? please\b|\b(connect|transfer) me\b|\bescalate\b|\bhear from (a|the|your) (manager|owner|person|human)\b",
    )
});

/// Analyses one inbound message. Pure: the same input always gives the same analysis.
pub fn analyze(input: &AnalysisInput) -> Analysis {
    let body = body(input);
    let signature = signature::parse(body);
    let content = &body[..signature.body_end.min(body.len())];
    let text = normalise(input.subject.as_deref(), content);
    let intent::Verdict { intent, team, confidence } = intent::classify(&text);
    let entities = entities::extract(input, body, &signature, intent);
    let wants_human = WANTS_HUMAN.is_match(&text);
    let urgency = urgency::assess(intent, input.channel, &text, entities.timeline.as_deref(), wants_human);
    Analysis { intent, team, urgency, entities, confidence, wants_human }
}

/// Compiles a literal pattern. Word boundaries are made ASCII: a Unicode `\b` forces the
/// slow engines on every call, and the patterns only name English words anyway.
fn compile(pattern: &str) -> Regex {
    Regex::new(&pattern.replace(r"\b", r"(?-u:\b)")).expect("rules patterns are valid")
}

/// Whether `word` is one of the whitespace-separated words of `list`.
fn listed(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

/// The message text, or the form's message field when the text is empty.
fn body(input: &AnalysisInput) -> &str {
    if input.text.trim().is_empty() { input.fields.get("message").map_or("", String::as_str) } else { &input.text }
}

/// Contractions texted without their apostrophe ("cant make it", "whats the price").
static BARE_CONTRACTION: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(can|won|don|didn|doesn|isn|wasn|weren|aren|haven|hasn|hadn|couldn|shouldn|wouldn)t\b|\bim\b|\b(i|you|we|they)ve\b|\b(you|they)re\b|\b(what|that|there|here|where|who)s\b",
    )
});

static TEXTED_YOUR: LazyLock<Regex> = LazyLock::new(|| compile(r"\bur\b"));

/// Subject and body in lower case with typographic quotes made plain and texted
/// contractions spelled out ("ur" is read as "your", its usual sense in a question to a
/// business: "ur hours", "ur list"), for the patterns.
fn normalise(subject: Option<&str>, content: &str) -> String {
    let mut text = String::with_capacity(content.len() + subject.map_or(0, str::len) + 1);
    if let Some(subject) = subject.filter(|s| !s.trim().is_empty()) {
        text.push_str(subject);
        text.push('\n');
    }
    text.push_str(content);
    let text: String = text
        .chars()
        .map(|c| match c {
            '’' | '‘' | '`' => '\'',
            '“' | '”' => '"',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    let text = BARE_CONTRACTION.replace_all(&text, |caps: &regex::Captures| {
        let word = &caps[0];
        let split = word.len() - if word.ends_with("ve") || word.ends_with("re") { 2 } else { 1 };
        format!("{}'{}", &word[..split], &word[split..])
    });
    TEXTED_YOUR.replace_all(&text, "your").into_owned()
}
