//! Matches a customer's question to the FAQ entry staff wrote for it, by how much of
//! the entry's question the message covers, each word weighted by how rare it is among
//! the entries and the services (BM25's idea without its length terms: FAQ questions are
//! all short). A service's words ("water heater") are common talk, so a match also needs
//! a word of the entry's own ("haul away"): "I need a new water heater" is not asking
//! whether the old one is hauled away.

use std::collections::HashSet;

use super::words::content_words;
use crate::domain::profile::FaqEntry;
use crate::domain::{Settings, Text};

/// The share of an entry's (weighted) words a message must cover to be its question.
const MIN_COVERAGE: f64 = 0.6;
/// And at least this many words in common: one shared word is a coincidence.
const MIN_SHARED: usize = 2;

/// The entry the message asks, if one clearly matches.
pub(super) fn find<'a>(settings: &'a Settings, message: &str) -> Option<&'a FaqEntry> {
    let faq = &settings.faq;
    if faq.is_empty() {
        return None;
    }
    let asked = content_words(message);
    let entries: Vec<Vec<String>> = faq.iter().map(|e| dedup(content_words(e.question.as_str()))).collect();
    let services: Vec<HashSet<String>> = settings
        .services
        .iter()
        .map(|s| {
            let description = s.description.as_ref().map_or("", Text::as_str);
            content_words(&format!("{} {description}", s.name)).into_iter().collect()
        })
        .collect();
    let n = (entries.len() + services.len()) as f64;
    let idf = |w: &str| {
        let df = entries.iter().filter(|e| e.iter().any(|x| x == w)).count()
            + services.iter().filter(|s| s.contains(w)).count();
        (1.0 + (n + 1.0) / (df as f64 + 0.5)).ln()
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
        let own_word = shared.iter().any(|w| !services.iter().any(|s| s.contains(w.as_str())));
        if enough && own_word && coverage >= MIN_COVERAGE && best.is_none_or(|(b, _)| coverage > b) {
            best = Some((coverage, entry));
        }
    }
    best.map(|(_, e)| e)
}

fn dedup(mut words: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    words.retain(|w| seen.insert(w.clone()));
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Service;
    use crate::domain::text::{LongText, ShortText};

    fn entry(q: &str, a: &str) -> FaqEntry {
        FaqEntry { question: ShortText::literal(q), answer: LongText::literal(a) }
    }

    fn settings() -> Settings {
        let service = |name: &str| Service { name: ShortText::literal(name), description: None, price: None };
        Settings {
            services: vec![service("Water heater replacement"), service("Drain cleaning")],
            faq: faq(),
            ..Settings::default()
        }
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
        let settings = settings();
        let hit = |m: &str| find(&settings, m).map(|e| e.question.as_str().to_owned());
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
        let settings = settings();
        assert!(find(&settings, "can you come tuesday at 10am?").is_none());
        assert!(find(&settings, "my water heater is leaking").is_none());
        assert!(find(&settings, "I need a new water heater, mine is 15 years old").is_none(), "service words only");
        assert!(find(&Settings::default(), "anything").is_none());
    }
}
