//! Matches a customer's question to the FAQ entry staff wrote for it, by how much of
//! the entry's question the message covers, each word weighted by how rare it is among
//! the entries (BM25's idea without its length terms: FAQ questions are all short).

use super::words::content_words;
use crate::domain::profile::FaqEntry;

/// The share of an entry's (weighted) words a message must cover to be its question.
const MIN_COVERAGE: f64 = 0.6;
/// And at least this many words in common: one shared word is a coincidence.
const MIN_SHARED: usize = 2;

/// The entry the message asks, if one clearly matches.
pub(super) fn find<'a>(faq: &'a [FaqEntry], message: &str) -> Option<&'a FaqEntry> {
    if faq.is_empty() {
        return None;
    }
    let asked = content_words(message);
    let entries: Vec<Vec<String>> = faq.iter().map(|e| dedup(content_words(e.question.as_str()))).collect();
    let n = entries.len() as f64;
    let idf = |w: &str| {
        let df = entries.iter().filter(|e| e.iter().any(|x| x == w)).count() as f64;
        (1.0 + (n + 1.0) / (df + 0.5)).ln()
    };
    let mut best: Option<(f64, &FaqEntry)> = None;
    for (entry, words) in faq.iter().zip(&entries) {
        if words.is_empty() {
            continue;
        }
        let total: f64 = words.iter().map(|w| idf(w)).sum();
        let shared: Vec<&String> = words.iter().filter(|w| asked.contains(w)).collect();
        let covered: f64 = shared.iter().map(|w| idf(w)).sum();
        let coverage = covered / total;
        let enough = shared.len() >= MIN_SHARED.min(words.len());
        if enough && coverage >= MIN_COVERAGE && best.is_none_or(|(b, _)| coverage > b) {
            best = Some((coverage, entry));
        }
    }
    best.map(|(_, e)| e)
}

fn dedup(mut words: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert(w.clone()));
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::{LongText, ShortText};

    fn entry(q: &str, a: &str) -> FaqEntry {
        FaqEntry { question: ShortText::literal(q), answer: LongText::literal(a) }
    }

    fn faq() -> Vec<FaqEntry> {
        vec![
            entry("Do you haul away the old water heater?", "Yes: removal of the old unit is included."),
            entry("Are you licensed and insured?", "Yes, licence M-40123, fully insured."),
            entry("Do you charge for estimates?", "Estimates are free within Austin."),
            entry("Do you offer a warranty on repairs?", "Every repair carries a one-year warranty."),
        ]
    }

    #[test]
    fn a_rephrased_question_finds_its_entry() {
        let faq = faq();
        let hit = |m: &str| find(&faq, m).map(|e| e.question.as_str().to_owned());
        assert_eq!(
            hit("Is the water heater install price including the old unit haul away?").as_deref(),
            Some("Do you haul away the old water heater?")
        );
        assert_eq!(hit("are u guys insured and licensed??").as_deref(), Some("Are you licensed and insured?"));
        assert_eq!(hit("is there a fee for an estimate").as_deref(), Some("Do you charge for estimates?"));
        assert_eq!(
            hit("what kind of warranty do your repairs come with").as_deref(),
            Some("Do you offer a warranty on repairs?")
        );
    }

    #[test]
    fn an_unrelated_question_finds_none() {
        let faq = faq();
        assert!(find(&faq, "can you come tuesday at 10am?").is_none());
        assert!(find(&faq, "my water heater is leaking").is_none());
        assert!(find(&[], "anything").is_none());
    }
}
