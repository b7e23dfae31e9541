//! README stays true to the code: every error code the API can return is listed, and the
//! Events section shows one example of each event type exactly as consumers receive it.

use chrono::{DateTime, Utc};
use leadflow::domain::access::Actor;
use leadflow::domain::{Event, EventEnvelope};
use regex::Regex;
use uuid::Uuid;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect(path)
}

#[test]
fn every_error_code_is_listed() {
    let readme = read("../README.md");
    let sources = ["src/api/error.rs", "src/api/mod.rs"].map(read).join("\n");
    let code = Regex::new(r#"(?:StatusCode::\w+,\s*|\.code = )"([a-z_]+)""#).unwrap();
    let codes: Vec<&str> = code.captures_iter(&sources).map(|c| c.get(1).unwrap().as_str()).collect();
    assert!(codes.len() >= 14, "found only {codes:?}");
    for c in codes {
        assert!(readme.contains(&format!("`{c}`")), "README's API section does not list the error code `{c}`");
    }
}

/// The Events section's example block, as the code produces it.
fn events_block() -> String {
    let lead = Uuid::parse_str("0193a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d").unwrap();
    let task = Uuid::parse_str("0193a3c5-0a1b-7c2d-8e3f-4a5b6c7d8e9f").unwrap();
    let other = Uuid::parse_str("0193a3c2-1111-7222-8333-444455556666").unwrap();
    let at: DateTime<Utc> = "2026-12-01T15:04:05.123Z".parse().unwrap();
    let lines: Vec<String> = Event::examples(lead, task, other)
        .into_iter()
        .enumerate()
        .map(|(i, event)| {
            let mut envelope = EventEnvelope::new(event, at);
            envelope.id = Uuid::parse_str(&format!("0193a3c6-0000-7000-8000-{i:012x}")).unwrap();
            // A change staff made names them; Leadflow's own changes have no actor.
            if envelope.detail_type() == "lead.assigned" {
                envelope.actor = Some(Actor::User { id: other });
            }
            let entry = serde_json::json!({"detail-type": envelope.detail_type(), "detail": envelope.detail()});
            serde_json::to_string(&entry).unwrap()
        })
        .collect();
    format!("[\n{}\n]", lines.join(",\n"))
}

#[test]
fn every_event_type_has_its_example() {
    let readme = read("../README.md");
    let expected = events_block();
    assert_eq!(expected.lines().count(), Event::TYPES + 2);
    assert!(
        readme.contains(&format!("```json\n{expected}\n```")),
        "README's Events section should show exactly this block:\n```json\n{expected}\n```"
    );
    // And each documented detail reads back as the event it shows.
    let entries: Vec<serde_json::Value> = serde_json::from_str(&expected).unwrap();
    for entry in entries {
        let detail = &entry["detail"];
        let tagged = serde_json::json!({"type": entry["detail-type"], "data": detail["data"]});
        let event: Event = serde_json::from_value(tagged).unwrap();
        assert_eq!(event.subject_id().to_string(), detail["subject_id"].as_str().unwrap());
    }
}
