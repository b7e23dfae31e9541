//! When the customer wants something: the last forward-looking time expression in the
//! message, as written ("next Tuesday afternoon", "by the end of Q2", "ASAP", "3pm").
//! References to past events ("since this morning", "last week", "the visit on Monday")
//! and to the slot being moved away from ("from Thursday", "instead of 9am") are skipped.

use std::sync::LazyLock;

use regex::Regex;

use super::{compile, listed};

const WEEKDAY: &str = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?";
/// Abbreviated weekdays only count after "next", "this" or "coming" ("next thurs").
const SHORT_DAY: &str = r"(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)\b\.?";
const HOLIDAY: &str = r"(?:christmas(?:\s+eve)?|new\s+year'?s\s+(?:eve|day)|thanksgiving|easter|valentine's\s+day|memorial\s+day|labou?r\s+day|independence\s+day|(?:the\s+)?(?:4th|fourth)\s+of\s+july|july\s+4th|mother's\s+day|father's\s+day|halloween|black\s+friday)";
const COUNT: &str = r"(?:a|one|two|three|four|five|six|a few|few|a couple of|a couple|couple of|\d+)";
const MONTH: &str = r"(?:january|february|march|april|june|july|august|september|october|november|december|(?-i:May))";
const SHORT_MONTH: &str = r"(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?";
const DAY: &str = r"\d{1,2}(?:st|nd|rd|th)?";
const TIME: &str = r"(?:\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)|noon|midnight|\d{1,2}:\d{2})";
const PART: &str = r"(?:morning|afternoon|evening|night)";

static CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    let suffix = format!(
        r"(?:\s+(?:(?:at|around|after|before|by|from|between)\s+(?:{TIME}|\d{{1,2}}\b|the same time|lunch(?:time)?|school|work)|{TIME}))"
    );
    let alternatives = [
        format!(
            r"(?:the\s+)?(?:end|beginning|start|middle)\s+of\s+(?:the\s+|this\s+|next\s+)?(?:[a-z]+\s+)?(?:day|week|month|year|quarter|cycle|term|season|summer|winter|spring|fall|q[1-4]|{MONTH})"
        ),
        format!(r"(?:early|mid|late)[\s-](?:next\s+)?(?:week|month|year|{MONTH})"),
        format!(
            r"(?:(?:one|an?|some)\s+(?:{PART}|day)\s+|(?:later|earlier)\s+)?(?:next|this|coming|the\s+following)\s+(?:{WEEKDAY}|{SHORT_DAY}|{MONTH}|weekend|week|month|year|quarter|summer|winter|spring|fall|autumn|{PART})(?:\s+{PART})?{suffix}?"
        ),
        format!(r"{TIME}\s+(?:today|tonight|tomorrow|tmrw)"),
        r"(?:later\s+)?(?:today|tonight)".to_string(),
        HOLIDAY.to_string(),
        format!(r"(?:any|every)\s+(?:weekday|weekend|weeknight|{WEEKDAY}|{PART}|day)s?{suffix}?"),
        format!(r"weekday\s+{PART}s|weeknights"),
        format!(r"(?:today|tonight|tomorrow|tmrw)(?:\s+{PART})?{suffix}?"),
        format!(r"{WEEKDAY},?\s+{MONTH}\s+{DAY}\b"),
        format!(r"{WEEKDAY}(?:\s+{PART})?{suffix}?"),
        format!(r"{DAY}\s+of\s+{MONTH}"),
        format!(r"{MONTH}(?:\s+{DAY}\b)?(?:,?\s+\d{{4}})?"),
        format!(r"{SHORT_MONTH}\s+{DAY}\b"),
        r"q[1-4](?:\s+\d{4})?".to_string(),
        r"asap|as soon as possible|right away|immediately|eod|end of day|end of business".to_string(),
        format!(r"(?:in|within|over)\s+(?:the\s+)?(?:next\s+)?{COUNT}\s+(?:days?|weeks?|months?)"),
        format!(r"(?:the\s+)?next\s+{COUNT}\s+(?:days|weeks|months)"),
        format!(r"(?:the\s+)?week\s+of\s+(?:the\s+)?{DAY}"),
        r"(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?:/(?:\d{4}|\d{2}))?".to_string(),
        TIME.to_string(),
    ];
    let pattern = format!(r"(?i)\b(?:(?:by|before|no later than)\s+)?(?:{})\b", alternatives.join("|"));
    compile(&pattern)
});
/// "to the 30th", "by the 5th": a bare day of the month only counts as a target.
static ORDINAL: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:to|on|do|try|how about|what about|make it)\s+(the\s+\d{1,2}(?:st|nd|rd|th)|(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri)\b)|\b((?:by|before|until)\s+the\s+\d{1,2}(?:st|nd|rd|th))\b",
    )
});
static PAST: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(started|began|happened|ago|yesterday|was|were|placed|spoke|did|had|been|came|went|stopped|broke|failed|received|got|sent|called|noticed|installed|dropped|left|took|brought|picked|ordered|paid|bought|visited|talked|emailed|texted|fixed|arrived|delivered|lost|hit|fell|crashed|skipped|missed|showed|forgot|waited|cancelled|canceled)\b",
    )
});
static FUTURE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(will|would|could|can|need|needs|want|wants|like|please|works?|available|free|hope|hoping|plan|planning|going to|should|must|by|before|until|let's|shall|are you|do you|is it possible|starting|start|looking|ideally|aiming|expecting|targeting|upcoming)\b|'ll\b|'d\b",
    )
});

/// Words ending in 's that are not possessives ("it's Friday" is still a when).
const CONTRACTIONS: &str = "it's that's what's there's here's";
const BEFORE_PAST: &str = "last past previous since from during effective";
const VISITING: &str = "come stop swing drop pop came";
const AFTER_NOT_WHEN: &str = "\
    ago invoice invoices bill statement payment charge subscription newsletter release update order issue \
    edition report";

pub fn extract(text: &str) -> Option<&str> {
    let mut found: Vec<(usize, &str)> = CANDIDATE
        .find_iter(text)
        .filter(|m| wanted(text, m.start(), m.end()))
        .map(|m| (m.start(), visit_time(&text[..m.start()], m.as_str())))
        .collect();
    for caps in ORDINAL.captures_iter(text) {
        if let Some(m) = caps.get(1).or_else(|| caps.get(2)).filter(|m| wanted(text, m.start(), m.end())) {
            found.push((m.start(), m.as_str()));
        }
    }
    found.into_iter().max_by_key(|(start, _)| *start).map(|(_, value)| value)
}

/// "come by one evening": after a visiting verb, "by" is part of the verb, not a deadline.
fn visit_time<'a>(before: &str, value: &'a str) -> &'a str {
    let previous = before.split_whitespace().next_back().unwrap_or("").to_lowercase();
    let by = value.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("by "));
    if by && listed(VISITING, &previous) { value[3..].trim_start() } else { value }
}

fn wanted(text: &str, start: usize, end: usize) -> bool {
    let before = &text[..start];
    let after = &text[end..];
    let previous = before.split_whitespace().next_back().unwrap_or("").to_lowercase();
    let next = after.split_whitespace().next().unwrap_or("").to_lowercase();
    let next = next.trim_matches(|c: char| !c.is_alphanumeric());
    let value = &text[start..end];
    if value == "May"
        && !matches!(previous.as_str(), "in" | "by" | "of" | "until" | "before" | "early" | "mid" | "late")
    {
        return false;
    }
    let possessive =
        (previous.ends_with("'s") || previous.ends_with("’s")) && !listed(CONTRACTIONS, &previous.replace('’', "'"));
    // "Saturdays are our busiest day": a habit, not a when.
    let habitual = value.ends_with(['s', 'S']) && matches!(next, "are" | "is" | "were");
    if possessive || habitual || after.starts_with("'s") || after.starts_with("’s") {
        return false;
    }
    if value.contains('/')
        && !matches!(previous.as_str(), "on" | "by" | "before" | "until" | "after" | "for" | "starting")
    {
        return false;
    }
    let clause_start = before.rfind(['.', '!', '?', '\n', ';']).map_or(0, |i| i + 1);
    let clause = before[clause_start..].to_lowercase();
    let mut cut = clause.len().saturating_sub(40);
    while !clause.is_char_boundary(cut) {
        cut += 1;
    }
    let lead_in = &clause[cut..];
    if listed(BEFORE_PAST, &previous)
        || listed(AFTER_NOT_WHEN, next)
        || clause.trim_end().ends_with("instead of")
        || ["hours on", "hours for", "hours", "open on", "closed on", "open", "closed"]
            .iter()
            .any(|p| clause.trim_end().ends_with(p))
        || ["from the", "from my", "from our", "from your", "during the", "after the last"]
            .iter()
            .any(|p| lead_in.contains(p))
    {
        return false;
    }
    let clause_end = after.find(['.', '!', '?', '\n', ';']).map_or(text.len(), |i| end + i);
    let sentence = &text[clause_start..clause_end];
    !PAST.is_match(sentence) || FUTURE.is_match(sentence)
}
