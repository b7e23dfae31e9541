//! Scoring of an analysis engine against labelled messages (the `dev.jsonl` format):
//! intent, team and urgency accuracy, and micro-averaged entity precision/recall/F1.

use std::fmt;

use serde::Deserialize;

use crate::domain::analysis::Team;
use crate::domain::{Analysis, AnalysisInput, Entities, Intent, Urgency};

/// One labelled line of an evaluation file.
#[derive(Debug, Clone, Deserialize)]
pub struct Example {
    pub id: String,
    /// channel, subject, text and fields, as the analysis sees them.
    #[serde(flatten)]
    pub message: AnalysisInput,
    pub intent: Intent,
    pub team: Team,
    pub urgency: Urgency,
    #[serde(default)]
    pub entities: Entities,
}

impl Example {
    pub fn input(&self) -> AnalysisInput {
        self.message.clone()
    }
}

/// Parses JSON Lines; blank lines are skipped, errors name the 1-based line.
pub fn parse_jsonl(text: &str) -> Result<Vec<Example>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub n: usize,
    pub intent: f64,
    pub team: f64,
    pub urgency: f64,
    pub entity_precision: f64,
    pub entity_recall: f64,
    pub entity_f1: f64,
}

/// Scores each prediction against its example's labels.
pub fn score(pairs: &[(&Example, Analysis)]) -> Scores {
    let (mut intent, mut team, mut urgency) = (0usize, 0usize, 0usize);
    let (mut predicted, mut labelled, mut matched) = (0usize, 0usize, 0usize);
    for (example, analysis) in pairs {
        intent += usize::from(example.intent == analysis.intent);
        team += usize::from(example.team == analysis.team);
        urgency += usize::from(example.urgency == analysis.urgency);
        for (kind, gold, guess) in entity_pairs(&example.entities, &analysis.entities) {
            labelled += usize::from(gold.is_some());
            predicted += usize::from(guess.is_some());
            if let (Some(gold), Some(guess)) = (gold, guess) {
                matched += usize::from(normalise(kind, gold) == normalise(kind, guess));
            }
        }
    }
    let n = pairs.len();
    let ratio = |hits: usize, total: usize| if total == 0 { 1.0 } else { hits as f64 / total as f64 };
    let (precision, recall) = (ratio(matched, predicted), ratio(matched, labelled));
    let f1 = if predicted == 0 && labelled == 0 {
        1.0
    } else if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Scores {
        n,
        intent: ratio(intent, n),
        team: ratio(team, n),
        urgency: ratio(urgency, n),
        entity_precision: precision,
        entity_recall: recall,
        entity_f1: f1,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Phone,
    Text,
}

fn entity_pairs<'a>(gold: &'a Entities, guess: &'a Entities) -> [(Kind, Option<&'a str>, Option<&'a str>); 6] {
    let pair = |g: &'a Option<String>, p: &'a Option<String>| (g.as_deref(), p.as_deref());
    let all = [
        (Kind::Text, pair(&gold.name, &guess.name)),
        (Kind::Text, pair(&gold.email, &guess.email)),
        (Kind::Phone, pair(&gold.phone, &guess.phone)),
        (Kind::Text, pair(&gold.company, &guess.company)),
        (Kind::Text, pair(&gold.budget, &guess.budget)),
        (Kind::Text, pair(&gold.timeline, &guess.timeline)),
    ];
    all.map(|(kind, (g, p))| (kind, g, p))
}

/// Case and whitespace never count; for phones only the digits do.
fn normalise(kind: Kind, value: &str) -> String {
    match kind {
        Kind::Phone => value.chars().filter(char::is_ascii_digit).collect(),
        Kind::Text => value.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect(),
    }
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "examples          {}", self.n)?;
        writeln!(f, "intent accuracy   {:.3}", self.intent)?;
        writeln!(f, "team accuracy     {:.3}", self.team)?;
        writeln!(f, "urgency accuracy  {:.3}", self.urgency)?;
        write!(
            f,
            "entities          P {:.3}  R {:.3}  F1 {:.3}",
            self.entity_precision, self.entity_recall, self.entity_f1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: &str = r#"{"id": "a", "channel": "sms", "text": "how much?", "intent": "pricing", "team": "sales", "urgency": "low", "entities": {"phone": "(312) 555-0147", "name": "Dana  Whitfield"}}

{"id": "b", "channel": "email", "subject": "Hi", "text": "thanks", "intent": "other", "team": "none", "urgency": "low", "entities": {}}
"#;

    fn analysis(intent: Intent, urgency: Urgency, entities: Entities) -> Analysis {
        Analysis { intent, team: intent.team(), urgency, entities, confidence: 0.9, wants_human: false }
    }

    #[test]
    fn parses_lines_and_names_the_bad_one() {
        let examples = parse_jsonl(LINES).expect("valid");
        assert_eq!(examples.len(), 2);
        assert_eq!(examples[1].input().subject.as_deref(), Some("Hi"));
        assert!(examples[1].message.fields.is_empty());
        let err = parse_jsonl("{\"id\": \"x\"}\n\nnot json").expect_err("invalid");
        assert!(err.starts_with("line 1:"), "{err}");
        let err = parse_jsonl(&format!("{}\n\nnot json", LINES.lines().next().unwrap_or_default())).expect_err("bad");
        assert!(err.starts_with("line 3:"), "{err}");
    }

    #[test]
    fn metrics_on_hand_made_examples() {
        let examples = parse_jsonl(LINES).expect("valid");
        let first = analysis(
            Intent::Pricing,
            Urgency::Medium,
            Entities {
                phone: Some("312.555.0147".into()),
                name: Some("dana whitfield".into()),
                email: Some("x@y.com".into()),
                ..Entities::default()
            },
        );
        let second = analysis(Intent::Support, Urgency::Low, Entities::default());
        let scores = score(&[(&examples[0], first), (&examples[1], second)]);
        assert_eq!(scores.n, 2);
        assert_eq!((scores.intent, scores.team, scores.urgency), (0.5, 0.5, 0.5));
        assert!((scores.entity_precision - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(scores.entity_recall, 1.0);
        assert!((scores.entity_f1 - 0.8).abs() < 1e-9);
        assert!(scores.to_string().contains("F1 0.800"));
    }

    #[test]
    fn f1_edge_cases() {
        let examples = parse_jsonl(LINES).expect("valid");
        let none = analysis(Intent::Other, Urgency::Low, Entities::default());
        let scores = score(&[(&examples[1], none.clone())]);
        assert_eq!((scores.entity_precision, scores.entity_recall, scores.entity_f1), (1.0, 1.0, 1.0));
        let scores = score(&[(&examples[0], none)]);
        assert_eq!((scores.entity_recall, scores.entity_f1), (0.0, 0.0));
        let wrong = analysis(Intent::Other, Urgency::Low, Entities { name: Some("Bob".into()), ..Entities::default() });
        assert_eq!(score(&[(&examples[1], wrong)]).entity_f1, 0.0);
        assert_eq!(score(&[]).n, 0);
    }
}
