//! Entities the customer states explicitly, as written: form fields first, then the text
//! (self-introductions, the signature block, e-mail addresses, phone numbers, budgets,
//! timelines).

use std::sync::LazyLock;

use regex::Regex;

use super::signature::{self, Signature};
use super::{compile, fallback, listed, timeline};
use crate::domain::{AnalysisInput, Entities, Intent};

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"));
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b|\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}\b",
    )
});
/// Ten bare digits only count as a phone number when the text says it is one.
static BARE_PHONE: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(?i)\b(?:call|text|phone|cell|mobile|number|reach me|tel)\b[^\d\n]{0,20}(\b\d{10}\b)"));
const AMOUNT: &str = r"(?:[$£€]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|mm|million|thousand)\b)?|\b\d[\d,]*(?:\.\d+)?\s?[kK]\b|\b\d[\d,]*(?:\.\d+)?\s?(?:dollars|usd|eur|gbp|bucks)\b)(?:\s?(?:/|per|a)\s?(?:month|mo|year|yr|week|wk|hour|hr)\b)?";
/// The top of a range may leave out the currency: "$150-200 a month".
const UPPER: &str = r"(?:[$£€]\s?)?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|mm|million|thousand)\b)?(?:\s?(?:dollars|usd|eur|gbp|bucks)\b)?(?:\s?(?:/|per|a)\s?(?:month|mo|year|yr|week|wk|hour|hr)\b)?";
static BUDGET: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"(?i)\bbudget\b[^.?!\n$£€\d]{{0,30}}({AMOUNT}(?:\s?(?:-|–|to)\s?{UPPER})?)")));
/// "thinking around $12,000", "can spend up to 5k": an amount offered, not one charged.
static OFFERED: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"(?i)\b(?:spend|spending|invest|afford|thinking|looking at|range|up to|max(?:imum)?|no more than|under|around|about|roughly|approximately|approx\.?)\s+(?:(?:is|of|around|about|roughly|up to|approximately|somewhere around)\s+)*({AMOUNT}(?:\s?(?:-|–|to)\s?{UPPER})?)"
    ))
});
const NAME: &str = r"(?:(?:Dr|Mr|Mrs|Ms)\.?\s+)?[A-Z][a-zA-Z'’-]+(?:\s+[A-Z][a-zA-Z'’-]+)?";
const COMPANY: &str = r"[A-Z0-9][\w&'’.-]*(?:\s+(?:&\s+|and\s+|of\s+)?[A-Z0-9][\w&'’.-]*){0,4}";
static INTRO: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"(?i:\b(?:this is|it's|it’s|its|it is|i'm|i’m|i am|my name is|my name's|name's|here's)\s+)({NAME})(?:\s*,?\s+(?:from|at|with|of|@)\s+({COMPANY}))?"
    ))
});
static WORKPLACE: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"(?i:\b(?:i|we)\s+(?:work|am|are)\s+(?:at|for|with)\s+|\bi\s+(?:own|run|manage)\s+|\bmy (?:company|business|firm|shop|practice|restaurant|store),?\s+(?:is\s+|called\s+|named\s+)?|\bon behalf of\s+|\b(?:i|we)\s+(?:own|run|manage|have|operate)\s+(?:a|an)\s+(?:[a-z-]+\s+){{0,3}}?(?:company|business|firm|shop|practice|restaurant|store|agency|studio|salon|clinic|bakery|cafe|gym|spa)(?:,\s+|\s+called\s+|\s+named\s+)|\b(?:i'm|i’m|i am) (?:the|a|an) [a-z -]{{2,30}}? (?:at|for)\s+|\b(?:owner|founder|ceo|manager|director|president) (?:of|at)\s+)({COMPANY})"
    ))
});
static LEGAL_NAME: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b[A-Z][\w&'’-]*(?:\s+(?:&\s+)?[A-Z][\w&'’-]*){0,4}\s+(?:LLC|L\.L\.C\.|Inc\b\.?|Ltd\b\.?|LLP|PLLC|Corp\b\.?|Co\.|GmbH|PLC)",
    )
});

/// Capitalised words that follow "I'm"/"this is" without being a name.
const NOT_INTRO_NAMES: &str = "\
    interested looking not having writing reaching following trying hoping currently new a an still so very \
    really sorry available free happy ready back here calling texting emailing contacting getting going \
    planning moving selling buying running done good fine great sure confused wondering unable urgent \
    important about regarding in on at with just also the your my our from january february march april may \
    june july august september october november december now late out over glad excited concerned worried \
    disappointed frustrated extremely totally absolutely quite pretty super incredibly deeply truly \
    seriously completely definitely honestly too already finally hopefully unfortunately actually upset \
    angry unhappy curious considering";
const ABBREVIATIONS: &[&str] = &["Co.", "Inc.", "Ltd.", "Corp.", "Bros.", "L.L.C.", "P.C."];

pub(super) fn extract<'a>(
    input: &'a AnalysisInput,
    body: &'a str,
    signature: &Signature<'a>,
    intent: Intent,
) -> Entities {
    let content = &body[..signature.body_end.min(body.len())];
    let intro = INTRO.captures_iter(body).find_map(|caps| {
        let name = caps.get(1).and_then(|m| intro_name(m.as_str()))?;
        Some((name, caps.get(2).map(|m| trim_company(m.as_str()))))
    });
    let name = field(input, &["name", "full_name", "fullname", "your_name", "contact_name"])
        .map(|v| signature::name_in(v).unwrap_or(v))
        .or(match (signature.name, intro.map(|(name, _)| name)) {
            (Some(signed), Some(introduced)) if introduced.len() > signed.len() && introduced.starts_with(signed) => {
                Some(introduced)
            }
            (signed, introduced) => signed.or(introduced),
        });
    let company = field(input, &["company", "company_name", "organization", "organisation", "business"])
        .or(intro.and_then(|(_, company)| company).filter(|c| signature::company_like(c) && !street_address(c)))
        .or(signature.company)
        .or_else(|| WORKPLACE.captures(body).and_then(|c| c.get(1)).map(|m| trim_company(m.as_str())))
        .filter(|c| c.chars().any(char::is_alphabetic))
        .or_else(|| LEGAL_NAME.find(body).map(|m| m.as_str()));
    // A spammer's text advertises contacts that are not the sender's own details.
    let quiet = matches!(intent, Intent::Spam | Intent::OptOut);
    let email = field(input, &["email", "e-mail", "email_address"])
        .or_else(|| EMAIL.find(body).map(|m| m.as_str()))
        .filter(|_| intent != Intent::Spam);
    let phone = field(input, &["phone", "phone_number", "telephone", "mobile", "cell"])
        .or_else(|| if intent == Intent::Spam { None } else { phone_in(body) });
    let budget = field(input, &["budget"]).or_else(|| if quiet { None } else { budget_in(content, intent) });
    // Thanks that ask for nothing are about a visit that is over ("so late Friday night").
    let timeline =
        if quiet || fallback::only_thanks(&content.to_lowercase()) { None } else { timeline::extract(content) };
    let own = |v: Option<&str>| v.map(str::to_string);
    Entities {
        name: own(name),
        email: own(email),
        phone: own(phone),
        company: own(company),
        budget: own(budget),
        timeline: own(timeline),
    }
}

fn field<'a>(input: &'a AnalysisInput, keys: &[&str]) -> Option<&'a str> {
    keys.iter().filter_map(|k| input.fields.get(*k)).map(|v| v.trim()).find(|v| !v.is_empty())
}

fn intro_name(raw: &str) -> Option<&str> {
    let first = raw.split_whitespace().next()?;
    let first_ok = |word: &str| !listed(NOT_INTRO_NAMES, &word.to_lowercase());
    if !first_ok(first) {
        return None;
    }
    let full = signature::name_in(raw)?;
    match full.split_whitespace().nth(1) {
        Some(second) if !first_ok(second) || matches!(second, "From" | "At" | "With" | "Here") => {
            signature::name_in(&full[..full.find(second).unwrap_or(full.len())])
        }
        _ => Some(full),
    }
}

/// "This is Frank at 22 Elm": a house number starts an address, not a company.
fn street_address(s: &str) -> bool {
    s.split_whitespace().next().is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
}

fn trim_company(raw: &str) -> &str {
    let mut raw = raw.trim_end_matches([',', ';', ':']);
    if let Some(stop) =
        raw.match_indices(". ").map(|(i, _)| i + 1).find(|&i| !ABBREVIATIONS.iter().any(|a| raw[..i].ends_with(a)))
    {
        raw = &raw[..stop];
    }
    if ABBREVIATIONS.iter().any(|a| raw.ends_with(a)) { raw } else { raw.trim_end_matches(['.', '\'', '’']) }
}

fn phone_in(text: &str) -> Option<&str> {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).count();
    PHONE
        .find_iter(text)
        .map(|m| m.as_str().trim())
        .find(|s| (10..=15).contains(&digits(s)) || (s.starts_with('+') && (8..=15).contains(&digits(s))))
        .or_else(|| BARE_PHONE.captures(text).and_then(|c| c.get(1)).map(|m| m.as_str()))
}

fn budget_in(text: &str, intent: Intent) -> Option<&str> {
    let stated = BUDGET.captures(text).and_then(|c| c.get(1));
    let offered = || {
        matches!(intent, Intent::Pricing | Intent::Booking | Intent::SalesInquiry)
            .then(|| OFFERED.captures(text).and_then(|c| c.get(1)))
            .flatten()
    };
    stated.or_else(offered).map(|m| m.as_str().trim())
}
