//! Free text typed in by people: trimmed, non-empty, bounded, free of control characters.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::InvalidValue;

/// Trimmed text of 1..=MAX characters without control characters (line breaks and tabs allowed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Text<const MAX: usize>(String);

/// Names, companies, titles.
pub type ShortText = Text<200>;
/// Notes, requirements, descriptions.
pub type LongText = Text<10_000>;

impl<const MAX: usize> Text<MAX> {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(InvalidValue::new("must not be empty"));
        }
        if s.chars().count() > MAX {
            return Err(InvalidValue::new(format!("must be at most {MAX} characters")));
        }
        if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            return Err(InvalidValue::new("must not contain control characters"));
        }
        Ok(Self(s.to_owned()))
    }

    /// Text built by the code (a literal, or a summary of other text): control characters
    /// become spaces, and it is trimmed and truncated to fit.
    pub fn literal(s: &str) -> Self {
        let clean: String = s.chars().map(|c| if c.is_control() && c != '\n' && c != '\t' { ' ' } else { c }).collect();
        let mut text: String = clean.trim().chars().take(MAX).collect();
        if text.is_empty() {
            text.push('-');
        }
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// The same text under a bound at least as large.
    pub fn widen<const N: usize>(self) -> Text<N> {
        const { assert!(MAX <= N, "widen only to a larger bound") };
        Text(self.0)
    }
}

impl<const MAX: usize> fmt::Display for Text<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Text<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(ShortText::parse("  Acme  ").unwrap().as_str(), "Acme");
        assert!(ShortText::parse("   ").is_err());
        assert!(Text::<3>::parse("abcd").is_err());
        assert!(Text::<3>::parse("äbc").is_ok(), "counts characters, not bytes");
    }

    #[test]
    fn literals_are_made_valid() {
        assert_eq!(ShortText::literal(" a\u{0}b ").as_str(), "a b");
        assert_eq!(Text::<3>::literal("abcdef").as_str(), "abc");
        assert!(ShortText::parse(ShortText::literal("\u{0}").as_str()).is_ok());
    }

    #[test]
    fn rejects_control_characters_but_keeps_line_breaks() {
        assert!(ShortText::parse("a\u{0}b").is_err());
        assert!(LongText::parse("line one\nline two\ttab").is_ok());
    }
}
