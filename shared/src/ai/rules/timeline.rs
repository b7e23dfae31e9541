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
        r"(?:\s+(?:(?:at|around|after|before|by|from|between)\s+(?:{TIME}|\d{{1,2}}\b|the same time|lunch(?:time)?|school|work)|{TIME}|same\s+time))"
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
        r"(?:before|after|around)\s+\d{1,2}(?::\d{2})?\s+(?:today|tonight|tomorrow|tmrw)".to_string(),
        r"(?:later\s+)?(?:today|tonight)".to_string(),
        HOLIDAY.to_string(),
        format!(r"(?:any|every)\s+(?:weekday|weekend|weeknight|{WEEKDAY}|{PART}|day)s?(?:\s+{PART}s?)?{suffix}?"),
        format!(r"weekday\s+{PART}s|weeknights|weekdays{suffix}"),
        // An abbreviated day with a part of it is a when, not a word ("sat morning").
        format!(r"{SHORT_DAY}\s+{PART}"),
        r"(?:later|earlier)\s+in\s+the\s+(?:week|month|day)".to_string(),
        format!(r"(?:today|tonight|tomorrow|tmrw)(?:\s+{PART})?{suffix}?"),
        format!(r"{WEEKDAY},?\s+{MONTH}\s+{DAY}\b{suffix}?"),
        format!(r"{WEEKDAY}\s+(?:or|and|/)\s+{WEEKDAY}(?:\s+{PART})?{suffix}?"),
        format!(r"{WEEKDAY},?\s+(?:the\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th))\b{suffix}?"),
        format!(
            r"(?:the\s+)?(?:first|second|third|fourth|last|1st|2nd|3rd|4th)\s+(?:week|weekend|half)\s+(?:of|in)\s+(?:{MONTH}|may|next\s+month|the\s+month|this\s+month)"
        ),
        r"the\s+(?:spring|summer|fall|autumn|winter)\b".to_string(),
        format!(r"after\s+(?:the\s+)?(?:holidays|holiday\s+season|new\s+year|busy\s+season|{HOLIDAY})"),
        format!(r"{WEEKDAY}(?:\s+{PART})?{suffix}?"),
        format!(r"{DAY}\s+of\s+{MONTH}"),
        format!(r"{MONTH}(?:\s+{DAY}\b)?(?:,?\s+\d{{4}})?"),
        format!(r"{SHORT_MONTH}\s+{DAY}\b"),
        r"q[1-4](?:\s+\d{4})?".to_string(),
        r"asap|as soon as possible|right away|immediately|eod|end of day|end of business".to_string(),
        format!(r"(?:in|within|over)\s+(?:the\s+)?(?:next\s+)?{COUNT}\s+(?:days?|weeks?|months?)"),
        format!(r"(?:the\s+)?next\s+{COUNT}\s+(?:days|weeks|months)"),
        format!(r"(?:the\s+)?week\s+of\s+(?:the\s+)?(?:(?:{MONTH}|{SHORT_MONTH})\s+)?{DAY}"),
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
        r"(?i)\b(will|would|could|need|needs|want|wants|like|please|works?|available|free|hope|hoping|plan|planning|going to|should|must|before|until|let's|shall|are you|do you|is it possible|starting|start|looking|ideally|aiming|expecting|targeting|upcoming)\b|\bcan(\s|\z)|'ll\b|'d\b",
    )
});

/// Words by which a sentence asks for or offers a time.
static WANTS: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(works?|ideal|ideally|best|better|prefer|preferred|would|could|can|available|free|need|want|like|hoping|please|instead|if possible|okay|ok|fine)\b",
    )
});

static WEEKDAY_PLURAL: LazyLock<Regex> = LazyLock::new(|| compile(&format!(r"(?i)\A{WEEKDAY}\z")));
/// A window fixed relative to now ("next week", "the following Monday", "this month").
static ANCHORED: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(?i)\b(next|this|coming|following|week|month|year|quarter)\b"));

static SPAN: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(?i)\Athis\s+(month|year|season|summer|winter|spring|fall)\z"));
static OFFER: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(specials?|deals?|discounts?|promos?|promotions?|sales?|offers?|coupons?|taking|accepting|hiring|openings for|enrolling)\b",
    )
});

static SEASON: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)\Athe\s+(spring|summer|fall|autumn|winter)\z"));
const SEASONAL_THINGS: &str = "\
    camp camps program programs class classes session sessions schedule hours menu collection sale league \
    term semester season line catalog lineup special specials";
const ORDINALS: &str = "first second third fourth fifth 2nd 3rd 4th 5th nth last";
/// Words ending in 's that are not possessives ("it's Friday" is still a when).
const CONTRACTIONS: &str = "it's that's what's there's here's";
const BEFORE_PAST: &str = "last past previous since from during effective merry happy";
const VISITING: &str = "come stop swing drop pop came";
const AFTER_NOT_WHEN: &str = "\
    ago invoice invoices bill statement payment charge subscription newsletter release update order issue \
    edition report";
/// "Weekday evenings are best": a plural that states a preference is still a when.
const PREFERRED: &str = "best better good ideal great fine easiest preferred perfect easier";
/// "is anything open the week of the 10th": an opening asked for, not the business hours.
const OPENINGS: &str = "anything something slots slot spots spot times appointments openings availability";
/// Clause endings after which a time is when the business is open or what a price covers
/// ("what time do you close on fridays", "an extra fee for sundays"), not a when.
const NOT_WANTED_AFTER: &[&str] = &[
    "hours on",
    "hours for",
    "hours",
    "open on",
    "closed on",
    "close on",
    "closing on",
    "open",
    "closed",
    "close",
    "fee for",
    "fees for",
    "charge for",
    "surcharge for",
    "extra for",
    "extra on",
    "more on",
    "more for",
    "invoice for",
    "invoices for",
    "bill for",
    "statement for",
    "receipt for",
    "payment for",
];

/// How much a time expression counts as the customer's "when".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// Only when nothing better is stated: "today's appointment", "Tuesdays and Wednesdays".
    Fallback,
    Wanted,
}

pub(super) fn extract(text: &str) -> Option<&str> {
    let mut found: Vec<(Rank, usize, &str)> = CANDIDATE
        .find_iter(text)
        .filter_map(|m| {
            rank(text, m.start(), m.end()).map(|r| (r, m.start(), visit_time(&text[..m.start()], m.as_str())))
        })
        .collect();
    for caps in ORDINAL.captures_iter(text) {
        if let Some(m) = caps.get(1).or_else(|| caps.get(2))
            && let Some(r) = rank(text, m.start(), m.end())
        {
            found.push((r, m.start(), m.as_str()));
        }
    }
    let best = found.iter().map(|(r, _, _)| *r).max()?;
    found.retain(|(r, _, _)| *r == best);
    found.sort_by_key(|(_, start, _)| *start);
    let (_, last_start, last) = *found.last()?;
    // "Could we do a demo next week? Tuesday or Wednesday afternoon would be ideal": the
    // window asked for is the when; a day or hour stated after it only narrows it down.
    // "Any opening before 5 today? Have an event tonight": a later statement that wants
    // nothing gives the reason, not the when.
    let last_sentence = sentence_of(text, last_start);
    let reason = !WANTS.is_match(&last_sentence);
    let asked = found.iter().rev().find(|(_, start, value)| {
        *start < last_start
            && in_question(text, *start)
            && (reason || (ANCHORED.is_match(value) && !ANCHORED.is_match(last)))
    });
    let refines = !in_question(text, last_start) && !last_sentence.contains("instead");
    Some(asked.filter(|_| refines).map_or(last, |(_, _, value)| value))
}

/// Whether the sentence around byte `at` ends in a question mark.
fn in_question(text: &str, at: usize) -> bool {
    text[at..].find(['.', '!', '?', '\n']).is_some_and(|i| text[at + i..].starts_with('?'))
}

fn sentence_of(text: &str, at: usize) -> String {
    let start = text[..at].rfind(['.', '!', '?', '\n']).map_or(0, |i| i + 1);
    let end = text[at..].find(['.', '!', '?', '\n']).map_or(text.len(), |i| at + i);
    text[start..end].to_lowercase()
}

/// "come by one evening": after a visiting verb, "by" is part of the verb, not a deadline.
fn visit_time<'a>(before: &str, value: &'a str) -> &'a str {
    let previous = before.split_whitespace().next_back().unwrap_or("").to_lowercase();
    let by = value.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("by "));
    if by && listed(VISITING, &previous) { value[3..].trim_start() } else { value }
}

fn rank(text: &str, start: usize, end: usize) -> Option<Rank> {
    let before = &text[..start];
    let after = &text[end..];
    let previous = before.split_whitespace().next_back().unwrap_or("").to_lowercase();
    let next = after.split_whitespace().next().unwrap_or("").to_lowercase();
    let next = next.trim_matches(|c: char| !c.is_alphanumeric());
    let value = &text[start..end];
    if value == "May"
        && !matches!(previous.as_str(), "in" | "by" | "of" | "until" | "before" | "early" | "mid" | "late")
    {
        return None;
    }
    let possessive =
        (previous.ends_with("'s") || previous.ends_with("’s")) && !listed(CONTRACTIONS, &previous.replace('’', "'"));
    // "Saturdays are our busiest day": a habit, not a when.
    let plural = value.ends_with(['s', 'S']) && WEEKDAY_PLURAL.is_match(value);
    let after_next = after.split_whitespace().nth(1).unwrap_or("").to_lowercase();
    if value.ends_with(['s', 'S']) && matches!(next, "are" | "is" | "were") && !listed(PREFERRED, &after_next) {
        return None;
    }
    // "the summer camp", "the fall menu": the season names a kind of thing.
    if value.starts_with(['t', 'T']) && SEASON.is_match(value) && listed(SEASONAL_THINGS, next) {
        return None;
    }
    // "the third time this month": how often, not when.
    let second = before.split_whitespace().nth_back(1).unwrap_or("").to_lowercase();
    if matches!(previous.as_str(), "times" | "twice") || (previous == "time" && listed(ORDINALS, &second)) {
        return None;
    }
    let rank = if possessive || plural || after.starts_with("'s") || after.starts_with("’s") {
        Rank::Fallback
    } else {
        Rank::Wanted
    };
    if value.contains('/')
        && !matches!(previous.as_str(), "on" | "by" | "before" | "until" | "after" | "for" | "starting")
    {
        return None;
    }
    let clause_start = before.rfind(['.', '!', '?', '\n', ';']).map_or(0, |i| i + 1);
    let clause = before[clause_start..].to_lowercase();
    let mut cut = clause.len().saturating_sub(40);
    while !clause.is_char_boundary(cut) {
        cut += 1;
    }
    let lead_in = &clause[cut..];
    let lead_in = lead_in.rfind(',').map_or(lead_in, |i| &lead_in[i + 1..]);
    if listed(BEFORE_PAST, &previous)
        || listed(AFTER_NOT_WHEN, next)
        || clause.trim_end().ends_with("instead of")
        || (NOT_WANTED_AFTER.iter().any(|p| clause.trim_end().ends_with(p)) && !asks_for_an_opening(&clause))
        || ["from the", "from my", "from our", "from your", "during the", "after the last"]
            .iter()
            .any(|p| lead_in.contains(p))
    {
        return None;
    }
    let clause_end = after.find(['.', '!', '?', '\n', ';']).map_or(text.len(), |i| end + i);
    let sentence = &text[clause_start..clause_end];
    // "any specials this month", "taking new clients this year": the span of an offer.
    if SPAN.is_match(value) && OFFER.is_match(sentence) {
        return None;
    }
    // "The reader stopped this morning and we can only take cash": in a sentence of past and
    // future, the clause of the time says which it is. "next Thursday" is never past.
    let past = PAST.is_match(sentence)
        && (!FUTURE.is_match(sentence) || {
            let clause = sub_clause(text, start, end);
            PAST.is_match(clause) && !FUTURE.is_match(clause)
        });
    let value = value.to_lowercase();
    let ahead = ["next ", "by ", "before ", "no later than "].iter().any(|p| value.starts_with(p));
    (!past || ahead).then_some(rank)
}

/// The clause around `start..end`: the sentence cut at commas and at "and", "but", "so".
fn sub_clause(text: &str, start: usize, end: usize) -> &str {
    const JOINS: [&str; 4] = [",", " and ", " but ", " so "];
    let from = JOINS.iter().filter_map(|j| text[..start].rfind(j).map(|i| i + j.len())).max().unwrap_or(0);
    let from = from.max(text[..start].rfind(['.', '!', '?', '\n', ';']).map_or(0, |i| i + 1));
    let to = JOINS.iter().filter_map(|j| text[end..].find(j).map(|i| end + i)).min().unwrap_or(text.len());
    let to = to.min(text[end..].find(['.', '!', '?', '\n', ';']).map_or(text.len(), |i| end + i));
    &text[from..to]
}

/// Whether the clause ends "<something> open", asking for a free slot.
fn asks_for_an_opening(clause: &str) -> bool {
    let mut words = clause.split_whitespace().rev();
    words.next() == Some("open") && words.next().is_some_and(|w| listed(OPENINGS, w))
}
