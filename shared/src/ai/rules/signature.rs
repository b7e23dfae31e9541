//! The sign-off block at the end of a message ("Thanks,\nDana Whitfield\nAcme Co.",
//! "-- Raj, CTO @ Shopwell", "Maria Chen | Director | Apex Freight"): who wrote it and for
//! which company, and where the body ends so the block is not read as intent evidence.

use std::sync::LazyLock;

use regex::Regex;

use super::{compile, listed};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Signature<'a> {
    pub name: Option<&'a str>,
    pub company: Option<&'a str>,
    /// Byte offset where the signature (sign-off included) starts.
    pub body_end: usize,
}

static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)^(thanks|thank you|thanks again|many thanks|thanks so much|thank you so much|thx|best|best regards|best wishes|regards|kind regards|warm regards|warmest regards|warmly|cheers|sincerely|yours|yours truly|yours sincerely|respectfully|all the best|take care|cordially|with thanks|gratefully|talk soon|xo|xoxo|hugs|tia|thanks a lot|thanks a bunch)\b[\s,.!:-]*(.*)$",
    )
});
static DASH: LazyLock<Regex> = LazyLock::new(|| compile(r"^(?:--|-|—|–|~)\s*(\S.*)$"));
/// A sign-off closing a one-line message: "... Can you check? Thanks, Beth" or "... -Jen".
static INLINE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?:[.!?]\s+(?i:thanks|thank you|thx|cheers|regards|best)[,!.]*\s+|\s(?:--?|—|–)\s?)([A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+)?)\.?\s*$",
    )
});
static CONTACT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)^(?:(?:tel|phone|cell|mobile|m|t|p|e|email|e-mail|w|web)\s*[:.]\s*)?(?:\+?[\d\s().-]{7,}|\S+@\S+\.\w+|(?:https?://|www\.)\S+)$",
    )
});

const TITLE_WORDS: &str = "\
    ceo cto cfo coo cmo cio vp svp evp president founder co-founder cofounder owner director manager head \
    lead engineer developer dev officer partner principal coordinator administrator admin assistant \
    specialist consultant analyst associate supervisor chair secretary treasurer attorney agent \
    representative executive recruiter designer controller bookkeeper accountant realtor broker \
    superintendent foreman buyer devops intern editor producer strategist planner";
/// Departments: a title on their own ("Accounts Payable") or with a role, but "Strand
/// Accounting" is a company.
const DEPARTMENT_WORDS: &str = "\
    payable receivable accounts accounting finance procurement purchasing operations marketing hr it \
    department dept sales support growth customer success ap ar a/p a/r of and &";
/// Capitalised words that start sentences or sign-offs rather than names.
const NOT_NAMES: &str = "\
    thanks thank team hi hello hey best regards sent the support customer sales office admin management \
    billing accounts please sincerely cheers urgent re fw fwd ps p.s. note ok okay yes no sorry dear all \
    everyone again love warmly hope looking just also and but so will can call text email phone tel cell \
    mobile my our your we i it this that monday tuesday wednesday thursday friday saturday sunday today \
    tomorrow asap llc inc";
const HONORIFICS: &str = "dr. dr mr. mr mrs. mrs ms. ms miss prof. prof mx.";

pub(super) fn parse(text: &str) -> Signature<'_> {
    let lines = lines(text);
    let none = Signature { name: None, company: None, body_end: text.len() };
    let Some(last) = lines.last() else { return none };
    let mut start = lines.len();
    for i in (1..lines.len()).rev().take(6) {
        let line = lines[i];
        if let Some(caps) = SIGN_OFF.captures(line).or_else(|| DASH.captures(line)) {
            let inline = caps.get(2).or_else(|| caps.get(1)).map_or("", |m| m.as_str().trim());
            if inline.is_empty() || head(inline).and_then(name_in).is_some() {
                let rest = lines[i + 1..].iter().copied();
                let block: Vec<&str> = std::iter::once(inline).filter(|s| !s.is_empty()).chain(rest).collect();
                return read_block(&block, offset(text, line));
            }
        }
        if !signature_like(line) {
            break;
        }
        start = i;
    }
    if let Some(j) = (start..lines.len()).find(|&j| head(lines[j]).and_then(name_in).is_some()) {
        return read_block(&lines[j..], offset(text, lines[j]));
    }
    match INLINE.captures(last) {
        Some(caps) if lines.len() == 1 || !signature_like(last) => match (caps.get(0), caps.get(1)) {
            (Some(all), Some(name)) if name_in(name.as_str()).is_some() => {
                Signature { name: name_in(name.as_str()), company: None, body_end: offset(text, last) + all.start() }
            }
            _ => none,
        },
        _ => none,
    }
}

fn head(line: &str) -> Option<&str> {
    split_segments(line).into_iter().next()
}

fn lines(text: &str) -> Vec<&str> {
    let device_footer = |l: &str| l.get(..9).is_some_and(|p| p.eq_ignore_ascii_case("sent from"));
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !device_footer(l)).collect()
}

/// Byte offset of `part`, a sub-slice of `text`.
fn offset(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize).min(text.len())
}

fn read_block<'a>(block: &[&'a str], body_end: usize) -> Signature<'a> {
    let mut signature = Signature { name: None, company: None, body_end };
    for (i, line) in block.iter().enumerate() {
        if CONTACT_LINE.is_match(line) {
            continue;
        }
        let mut segments = split_segments(line).into_iter();
        if i == 0
            && let Some(head) = segments.next()
        {
            signature.name = name_in(head);
            if signature.name.is_none() && company_like(head) && !is_title(head) {
                signature.company = Some(head);
            }
        }
        for segment in segments {
            if signature.company.is_some() {
                break;
            }
            signature.company = company_in(segment);
        }
        if signature.company.is_some() {
            break;
        }
    }
    signature
}

fn split_segments(line: &str) -> Vec<&str> {
    // "Andrea (unit 12C)": a note in brackets after the name is not part of it.
    let line = match line.find(" (") {
        Some(at) if line.ends_with(')') => &line[..at],
        _ => line,
    };
    line.split(['|', ',', '•', '·']).flat_map(|s| s.split(" - ")).map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// "CTO @ Shopwell" → Shopwell; "Apex Freight" → itself; a bare title → nothing.
fn company_in(segment: &str) -> Option<&str> {
    for separator in [" @ ", "@ ", " at ", " for "] {
        if let Some(at) = segment.find(separator) {
            let (title, company) = (&segment[..at], segment[at + separator.len()..].trim());
            let titled = separator.contains('@') || is_title(title);
            return (titled && company_like(company)).then_some(company);
        }
    }
    (!is_title(segment) && company_like(segment)).then_some(segment)
}

fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-').to_lowercase())
}

fn is_title(s: &str) -> bool {
    words(s).any(|w| listed(TITLE_WORDS, &w)) || words(s).all(|w| w.is_empty() || listed(DEPARTMENT_WORDS, &w))
}

pub(super) fn company_like(s: &str) -> bool {
    let tokens: Vec<&str> = s.split_whitespace().collect();
    let capitalised = |t: &&str| t.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    let connector = |t: &&str| matches!(*t, "&" | "and" | "of" | "the" | "de" | "+" | "la" | "for");
    !tokens.is_empty()
        && tokens.len() <= 6
        && tokens.first().is_some_and(capitalised)
        && tokens.iter().all(|t| capitalised(t) || connector(t))
        && !s.contains('@')
        && !s.ends_with(['?', '!', ':'])
        && !listed(NOT_NAMES, s.to_lowercase().trim_end_matches(['.', ',']))
}

/// The person's name in `s` (honorific dropped) when `s` is shaped like one.
pub(super) fn name_in(s: &str) -> Option<&str> {
    let s = s.trim().trim_end_matches([',', '.', '!']).trim();
    let first_word = s.split_whitespace().next()?;
    let s = if listed(HONORIFICS, &first_word.to_lowercase()) { s[first_word.len()..].trim_start() } else { s };
    let tokens: Vec<&str> = s.split_whitespace().collect();
    let joins = |i: usize, t: &&str| matches!(*t, "and" | "&") && i > 0 && i + 1 < tokens.len();
    let token_ok = |t: &&str| {
        let mut chars = t.chars();
        chars.next().is_some_and(char::is_uppercase)
            && chars.all(|c| c.is_alphabetic() || matches!(c, '\'' | '’' | '-' | '.'))
            && !listed(NOT_NAMES, t.to_lowercase().trim_end_matches('.'))
    };
    let ok = tokens.iter().enumerate().all(|(i, t)| joins(i, t) || token_ok(t));
    (!tokens.is_empty() && tokens.len() <= 5 && ok).then_some(s)
}

fn signature_like(line: &str) -> bool {
    if CONTACT_LINE.is_match(line) {
        return true;
    }
    let words = line.split_whitespace().filter(|w| !matches!(*w, "|" | "-" | "@" | "&")).count();
    let limit = if line.contains('|') { 9 } else { 6 };
    let abbreviation =
        ["Co.", "Inc.", "Ltd.", "Corp.", "Jr.", "Sr.", "Bros.", "L.L.C."].iter().any(|a| line.ends_with(a));
    let starts_well = line.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    words <= limit && starts_well && (abbreviation || !line.ends_with(['.', '?', '!', ':', ';']))
}
