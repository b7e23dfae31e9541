//! The OpenAI engine is as grounded as the rules engine: it gets the conversation state,
//! the profile and the FAQ, and its reply is checked before it is sent (a price not in
//! the settings, a time that is not open, or too long for the channel: the rules reply
//! goes instead).

use std::collections::VecDeque;
use std::sync::Mutex;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::*;
use crate::openai::completion;
use crate::openai_booking::with_openai;

fn analysis(intent: &str) -> String {
    json!({"intent": intent, "urgency": "low", "confidence": 0.93, "wants_human": false,
           "entities": {"name": null, "email": null, "phone": null, "company": null, "budget": null, "timeline": null}})
    .to_string()
}

/// OpenAI: analyses and replies each come from their script, in order.
struct Scripted {
    analyses: Mutex<VecDeque<String>>,
    replies: Mutex<VecDeque<String>>,
}

impl Respond for Scripted {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).expect("JSON request");
        let script = if body.get("response_format").is_some() { &self.analyses } else { &self.replies };
        match script.lock().unwrap().pop_front() {
            Some(content) => completion(&content),
            None => ResponseTemplate::new(400).set_body_json(json!({"error": {
                "message": "unexpected request: the script is used up", "type": "invalid_request_error",
                "param": null, "code": null}})),
        }
    }
}

async fn openai(analyses: &[&str], replies: &[&str]) -> MockServer {
    let server = MockServer::start().await;
    let script = Scripted {
        analyses: Mutex::new(analyses.iter().map(|i| analysis(i)).collect()),
        replies: Mutex::new(replies.iter().map(|r| (*r).to_owned()).collect()),
    };
    Mock::given(method("POST")).and(path("/v1/chat/completions")).respond_with(script).mount(&server).await;
    server
}

/// The system prompts of the reply requests, in order.
async fn reply_prompts(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap();
    let bodies = requests.iter().map(|r| serde_json::from_slice::<Value>(&r.body).unwrap());
    let replies = bodies.filter(|b| b.get("response_format").is_none());
    replies.map(|b| b["messages"][0]["content"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_model_gets_the_state_profile_and_faq_and_a_person_is_asked_when_it_cannot_answer() {
    let server = openai(
        &["sales_inquiry", "pricing"],
        &[
            "Hi Sam! Yes, we do drain cleaning for kitchen and bathroom drains.",
            "Drain cleaning is priced per job, so a team member will send you a quote shortly. [needs-person]",
        ],
    )
    .await;
    let app = TestApp::with_config(|c| with_openai(c, &server)).await;
    austin_plumbing(&app, Value::Null).await;
    let r = chat(&app, "model@example.com", "Hi, do you do drain cleaning?", None).await;
    let token = r.body["chat_token"].as_str().unwrap().to_owned();
    app.run_jobs_at(chicago(3, 10, 0)).await;
    chat(&app, "model@example.com", "How much is it?", Some(&token)).await;
    app.run_jobs_at(chicago(3, 10, 2)).await;

    let prompts = reply_prompts(&server).await;
    assert_eq!(prompts.len(), 2);
    let first = &prompts[0];
    assert!(first.contains("It is now Thursday 2026-12-03 10:00"), "{first}");
    assert!(first.contains("Open with a short greeting"), "{first}");
    assert!(first.contains("Do you haul away the old water heater?"), "the FAQ grounds it: {first}");
    assert!(first.contains("1200 E 6th St") && first.contains("Mastercard"), "{first}");
    let second = &prompts[1];
    assert!(second.contains("already been greeted"), "{second}");
    assert!(second.contains(r#"The service under discussion is "Drain cleaning""#), "{second}");

    let said = replies(&app, &token).await;
    assert_eq!(said[1], "Drain cleaning is priced per job, so a team member will send you a quote shortly.");
    let lead = lead_of(&app, &r).await;
    assert_eq!(lead["handoff_reason"], "unanswered", "{lead}");
}

#[tokio::test]
async fn a_reply_with_an_unlisted_price_an_unoffered_time_or_too_long_falls_back_to_the_rules() {
    let long = "We can help. ".repeat(100);
    let server = openai(
        &["pricing", "sales_inquiry", "sales_inquiry"],
        &["Drain cleaning is just $99 this week!", "Sure, we can come Tuesday at 10:30am.", &long],
    )
    .await;
    let app = TestApp::with_config(|c| with_openai(c, &server)).await;
    austin_plumbing(&app, Value::Null).await;
    let price = ask_at(&app, "p1@example.com", "how much for drain cleaning?", chicago(3, 10, 0)).await;
    assert!(!price.contains("$99"), "{price}");
    assert!(price.contains("Pricing for drain cleaning depends on the job"), "the rules reply: {price}");
    let time = ask_at(&app, "p2@example.com", "do you do drain cleaning?", chicago(3, 10, 0)).await;
    assert!(!time.contains("10:30"), "{time}");
    assert!(time.contains("Yes, we do drain cleaning."), "the rules reply: {time}");
    let wordy = ask_at(&app, "p3@example.com", "do you do drain cleaning?", chicago(3, 10, 0)).await;
    assert!(wordy.contains("Yes, we do drain cleaning.") && wordy.len() < 400, "{wordy}");
}
