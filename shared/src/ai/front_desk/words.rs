//! Words as the front desk compares them: lower case, stop words dropped, endings
//! stemmed and a few synonyms folded, so "Is the install price including haul away?"
//! and "Does the installation cost include removal?" share most of their words.

const STOP: &[&str] = &[
    "a",
    "about",
    "am",
    "an",
    "and",
    "any",
    "anyone",
    "are",
    "at",
    "be",
    "been",
    "but",
    "by",
    "can",
    "could",
    "do",
    "doe",
    "does",
    "did",
    "for",
    "from",
    "get",
    "got",
    "have",
    "has",
    "hello",
    "hey",
    "hi",
    "how",
    "i",
    "if",
    "im",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "me",
    "my",
    "of",
    "on",
    "or",
    "our",
    "please",
    "so",
    "some",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "to",
    "u",
    "us",
    "want",
    "was",
    "we",
    "what",
    "when",
    "where",
    "which",
    "who",
    "will",
    "with",
    "would",
    "ya",
    "yall",
    "you",
    "your",
    "youre",
    "guys",
    "thanks",
    "thank",
    "wondering",
    "know",
    "also",
    "too",
    "there",
    "here",
    "need",
    "like",
];

/// Word forms that mean the same to a customer asking a question.
const SYNONYMS: &[(&str, &str)] = &[
    ("cost", "pric"),
    ("charg", "pric"),
    ("fee", "pric"),
    ("much", "pric"),
    ("quot", "estimat"),
    ("installation", "install"),
    ("haul", "remov"),
    ("dispos", "remov"),
    ("disposal", "remov"),
    ("removal", "remov"),
    ("warranty", "guarant"),
    ("guarante", "guarant"),
    ("dog", "pet"),
    ("cat", "pet"),
    ("cellphon", "phon"),
];

/// A crude English stemmer: enough to meet plural and tense variants halfway.
pub(super) fn stem(word: &str) -> String {
    let w = word;
    let n = w.chars().count();
    let cut = |suffix: &str, min: usize| (n > min && w.ends_with(suffix)).then(|| &w[..w.len() - suffix.len()]);
    let base = cut("ies", 4)
        .map(|b| format!("{b}y"))
        .or_else(|| cut("ing", 5).map(str::to_owned))
        .or_else(|| cut("ed", 4).map(str::to_owned))
        .or_else(|| cut("es", 4).filter(|b| b.ends_with(['s', 'x', 'h'])).map(str::to_owned))
        .or_else(|| cut("s", 3).filter(|b| !b.ends_with('s')).map(str::to_owned))
        .unwrap_or_else(|| w.to_owned());
    // One silent final e: "price" and "priced" meet at "pric"; "fee" stays itself.
    let base = match base.strip_suffix('e') {
        Some(b) if b.len() >= 3 && !b.ends_with('e') => b.to_owned(),
        _ => base,
    };
    SYNONYMS.iter().find(|(from, _)| base == *from).map_or(base, |(_, to)| (*to).to_owned())
}

/// The content words of `text`, stemmed, in order.
pub(super) fn content_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace(['\'', '\u{2019}'], "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOP.contains(w))
        .map(stem)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rephrasings_meet() {
        assert_eq!(
            content_words("Is the install price including haul away?"),
            ["install", "pric", "includ", "remov", "away"]
        );
        assert_eq!(
            content_words("Does the installation cost include removal?"),
            ["install", "pric", "includ", "remov"]
        );
        assert_eq!(stem("heaters"), "heater");
        assert_eq!(stem("cleaning"), "clean");
        assert_eq!(stem("glasses"), "glass");
    }
}
