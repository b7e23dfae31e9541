//! Follow-up messages from the OpenAI engine against a local server that checks each
//! request: the rules in the system prompt, the conversation as messages, the answer
//! used as written (fitted to the channel); an answer with a price nobody gave, an
//! empty one or a failing server gets the rules engine's message instead.

use std::time::Duration;

use chrono::Utc;
use leadflow::ai::{FollowUpContext, FollowUpPurpose, Responder, RulesEngine};
use leadflow::domain::text::ShortText;
use leadflow::domain::{Channel, Customer, Direction, Message, Service, Settings};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::openai::{ai, bodies, completion};

/// A plumber's lead who asked for a price, was told the listed one and went quiet.
struct Lead {
    settings: Settings,
    customer: Customer,
    history: Vec<Message>,
}

impl Lead {
    fn new(outbound: &str) -> Self {
        let now = Utc::now();
        let customer = Customer {
            id: Uuid::now_v7(),
            name: Some(ShortText::literal("Dana Whitfield")),
            email: None,
            phone: None,
            company: None,
            time_zone: None,
            business_type: None,
            location: None,
            created_at: now,
            updated_at: now,
        };
        let msg = |direction, content: &str, seconds_ago| Message {
            direction,
            ..crate::common::inbound_sms(customer.id, content, seconds_ago)
        };
        let history = vec![
            msg(Direction::Inbound, "How much to replace a water heater?", 7_200),
            msg(Direction::Outbound, outbound, 7_100),
        ];
        let settings = Settings {
            business_name: ShortText::literal("Austin Plumbing"),
            services: vec![Service {
                name: ShortText::literal("Water heater replacement"),
                description: None,
                price: Some(ShortText::literal("from $1,200 installed")),
            }],
            ..Settings::default()
        };
        Self { settings, customer, history }
    }

    fn ctx(&self, purpose: FollowUpPurpose) -> FollowUpContext<'_> {
        FollowUpContext {
            settings: &self.settings,
            customer: &self.customer,
            history: &self.history,
            channel: Channel::Sms,
            purpose,
            step: 2,
            steps: 3,
            now: Utc::now(),
        }
    }
}

const TOLD_PRICE: &str = "Hi Dana! Water heater replacement is from $1,200 installed. Would you like a visit?";

async fn answering(response: ResponseTemplate, expected_requests: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-test-key"))
        .respond_with(response)
        .expect(expected_requests)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_request_carries_the_rules_and_the_conversation_and_the_answer_is_used() {
    let answer = "Hi Dana \u{2014} just checking in from Austin Plumbing. Water heater replacement is from $1,200 \
                  installed, as mentioned. Any questions? Reply any time.";
    let server = answering(completion(answer), 1).await;
    let lead = Lead::new(TOLD_PRICE);
    let text = ai(&server, Duration::from_secs(5)).responder.follow_up(&lead.ctx(FollowUpPurpose::NoReply)).await;
    assert_eq!(
        text.unwrap(),
        "Hi Dana - just checking in from Austin Plumbing. Water heater replacement is from $1,200 installed, as \
         mentioned. Any questions? Reply any time.",
        "the model's text, a price the settings list allowed, fitted to SMS"
    );

    let body = &bodies(&server).await[0];
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(body["max_completion_tokens"], 300);
    assert!(body.get("tools").is_none() && body.get("response_format").is_none(), "plain text: {body}");
    let messages = body["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages.iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    let system = messages[0]["content"].as_str().unwrap();
    for part in [
        "Never invent prices, discounts, availability or facts",
        "never state an amount of money that does not appear in them",
        "no pressure",
        "has not answered the business's last message",
        "follow-up step 2 of 3. Earlier follow-ups went unanswered",
        "\"business_name\":\"Austin Plumbing\"",
        "from $1,200 installed",
        "This is an SMS",
        "no markdown",
    ] {
        assert!(system.contains(part), "{part:?} missing from the system prompt: {system}");
    }
    assert!(!system.contains("water heater?") && !system.contains("Dana"), "customer data stays out of instructions");
    let said: Value = serde_json::from_str(messages[1]["content"].as_str().unwrap()).unwrap();
    assert_eq!(said, json!({"customer_message": "How much to replace a water heater?"}));
    assert_eq!(messages[2]["content"], TOLD_PRICE);
    let data: Value = serde_json::from_str(messages[3]["content"].as_str().unwrap()).unwrap();
    assert_eq!(
        data,
        json!({"customer_name": "Dana Whitfield",
               "follow_up": {"purpose": "no_reply", "step": 2, "steps": 3, "channel": "sms"}})
    );
}

#[tokio::test]
async fn a_quote_from_the_conversation_may_be_repeated() {
    let server = answering(completion("Hi Dana, any questions about the $4,800 repipe quote? No rush."), 1).await;
    let lead = Lead::new("Here is your quote for the whole-house repipe: $4,800 all in.");
    let text = ai(&server, Duration::from_secs(5)).responder.follow_up(&lead.ctx(FollowUpPurpose::QuoteSent)).await;
    assert_eq!(text.unwrap(), "Hi Dana, any questions about the $4,800 repipe quote? No rush.");
    let system = bodies(&server).await[0]["messages"][0]["content"].as_str().unwrap().to_owned();
    assert!(system.contains("sent the customer a quote"), "{system}");
}

#[tokio::test]
async fn an_invented_price_or_an_empty_answer_gets_the_rules_text() {
    let lead = Lead::new(TOLD_PRICE);
    let ctx = lead.ctx(FollowUpPurpose::NoReply);
    let rules = RulesEngine.follow_up(&ctx).await.unwrap();
    assert_eq!(
        rules,
        "Hi Dana, just a gentle check-in from Austin Plumbing about water heater replacement. No rush at all, we're \
         here when you're ready."
    );
    // Unusable output is not retried: one request each.
    let discount = answering(completion("Hi Dana! Book this week and we'll do it for $999 instead."), 1).await;
    assert_eq!(ai(&discount, Duration::from_secs(5)).responder.follow_up(&ctx).await.unwrap(), rules);
    let empty = answering(completion("  "), 1).await;
    assert_eq!(ai(&empty, Duration::from_secs(5)).responder.follow_up(&ctx).await.unwrap(), rules);
}

#[tokio::test]
async fn server_errors_get_the_rules_text_after_retries() {
    let server = answering(
        ResponseTemplate::new(500).set_body_json(json!({
            "error": {"message": "The server had an error while processing your request.", "type": "server_error",
                      "param": null, "code": null}
        })),
        4,
    )
    .await;
    let lead = Lead::new(TOLD_PRICE);
    let ctx = lead.ctx(FollowUpPurpose::NoShow);
    let text = ai(&server, Duration::from_secs(5)).responder.follow_up(&ctx).await.unwrap();
    assert_eq!(text, RulesEngine.follow_up(&ctx).await.unwrap());
    assert!(
        text.starts_with("Hi Dana, Austin Plumbing here, just checking in. Whenever you'd like to rebook"),
        "{text}"
    );
}
