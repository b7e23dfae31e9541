//! Booking by function calling with the OpenAI engine, end to end: a local server stands
//! in for OpenAI (analysis answered as a booking request, replies scripted as the model's
//! tool calls) and every request it got is checked: the tools, `tool_choice`, the
//! assistant's `tool_calls` sent back and one `tool` message per call. The times the
//! model sees are the server's own open times; a time it invents is refused.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::America::Chicago;
use http::{Method, StatusCode};
use leadflow::ai::openai::{OpenAiSettings, TOOL_ROUNDS};
use leadflow::config::Config;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::bookings::chicago;
use crate::common::providers::*;
use crate::common::{TestApp, TestResponse};

const ANALYSIS: &str = r#"{"intent":"booking","urgency":"medium","confidence":0.92,"wants_human":false,
    "entities":{"name":null,"email":null,"phone":null,"company":null,"budget":null,"timeline":"tomorrow"}}"#;

/// A chat completion as OpenAI returns it (every field of the documented object).
fn completion(message: Value, finish_reason: &str) -> Value {
    json!({
        "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "object": "chat.completion", "created": 1_795_600_800,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 412, "completion_tokens": 31, "total_tokens": 443,
                  "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                  "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
        "service_tier": "default", "system_fingerprint": "fp_560af6e559"
    })
}

fn says(content: &str) -> Value {
    completion(json!({"role": "assistant", "content": content, "refusal": null, "annotations": []}), "stop")
}

/// The model calling one function; `arguments` travel as a JSON string.
fn calls(id: &str, name: &str, arguments: &Value) -> Value {
    let call = json!({"id": id, "type": "function", "function": {"name": name, "arguments": arguments.to_string()}});
    completion(
        json!({"role": "assistant", "content": null, "tool_calls": [call], "refusal": null, "annotations": []}),
        "tool_calls",
    )
}

/// OpenAI: every analysis is a booking request; replies come from the script in order.
struct FakeOpenAi {
    script: Mutex<VecDeque<Value>>,
}

impl Respond for FakeOpenAi {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).expect("JSON request");
        if body.get("response_format").is_some() {
            return ResponseTemplate::new(200).set_body_json(says(ANALYSIS));
        }
        match self.script.lock().unwrap().pop_front() {
            Some(next) => ResponseTemplate::new(200).set_body_json(next),
            None => ResponseTemplate::new(400).set_body_json(json!({"error": {
                "message": "unexpected request: the script is used up", "type": "invalid_request_error",
                "param": null, "code": null}})),
        }
    }
}

async fn openai(script: Vec<Value>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-test-key"))
        .respond_with(FakeOpenAi { script: Mutex::new(script.into()) })
        .mount(&server)
        .await;
    server
}

pub(crate) fn with_openai(c: &mut Config, server: &MockServer) {
    c.providers.openai = Some(OpenAiSettings {
        api_key: SecretString::from("sk-test-key"),
        model: "gpt-4o-mini".into(),
        base_url: format!("{}/v1", server.uri()),
        timeout: Duration::from_secs(5),
    });
}

/// The requests that offered the tools (the reply requests), in order.
async fn reply_requests(server: &MockServer) -> Vec<Value> {
    let all = server.received_requests().await.unwrap();
    let bodies = all.iter().map(|r| serde_json::from_slice::<Value>(&r.body).unwrap());
    bodies.filter(|b| b.get("response_format").is_none()).collect()
}

fn expected_tools() -> Value {
    let time = |what: &str| json!({"type": ["string", "null"], "description": what});
    json!([
        {"type": "function", "function": {"name": "check_availability",
            "description": "Open appointment start times of the business, at most three, spread out, soonest first. \
                            Offer the customer only times this returns.",
            "parameters": {"type": "object", "properties": {
                "from": time("Earliest start, RFC 3339 with offset; null for now"),
                "to": time("Latest start (exclusive), RFC 3339 with offset; null for two weeks after from")},
                "required": ["from", "to"], "additionalProperties": false},
            "strict": true}},
        {"type": "function", "function": {"name": "book_slot",
            "description": "Books the appointment at a start time check_availability returned, once the customer has \
                            clearly chosen it. Moves the customer's booking instead when they asked to reschedule.",
            "parameters": {"type": "object", "properties": {
                "start": {"type": "string", "description": "The chosen start, exactly as check_availability returned it"}},
                "required": ["start"], "additionalProperties": false},
            "strict": true}},
        {"type": "function", "function": {"name": "cancel_booking",
            "description": "Cancels the customer's next appointment, only when they ask to cancel.",
            "parameters": {"type": "object", "properties": {}, "required": [], "additionalProperties": false},
            "strict": true}}
    ])
}

/// Every reply request offers exactly the three tools, `auto`, one call at a time.
fn assert_tool_request(body: &Value) {
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(body["tools"], expected_tools());
    assert_eq!(body["tool_choice"], "auto");
    assert_eq!(body["parallel_tool_calls"], false);
    let system = body["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("offer only times it returned, at most three, numbered"), "{system}");
    assert!(system.contains("Never state a time that a tool did not return"), "{system}");
}

/// The assistant's call sent back, then its result: the result's JSON.
fn tool_round(body: &Value, from: usize, id: &str, name: &str, arguments: &Value) -> Value {
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), from + 2, "{messages:?}");
    assert_eq!(
        messages[from],
        json!({"role": "assistant", "tool_calls": [{"id": id, "type": "function",
               "function": {"name": name, "arguments": arguments.to_string()}}]})
    );
    let tool = &messages[from + 1];
    assert_eq!(tool["role"], "tool");
    assert_eq!(tool["tool_call_id"], id);
    serde_json::from_str(tool["content"].as_str().unwrap()).expect("the tool result is JSON")
}

fn tomorrow() -> NaiveDate {
    Utc::now().with_timezone(&Chicago).date_naive() + chrono::Duration::days(1)
}

fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&Chicago).to_rfc3339()
}

fn starts(times: &Value) -> Vec<DateTime<Utc>> {
    let parse = |t: &Value| DateTime::parse_from_rfc3339(t["start"].as_str().unwrap()).unwrap().to_utc();
    times.as_array().unwrap().iter().map(parse).collect()
}

async fn bookings_of(app: &TestApp, customer_id: &str) -> Vec<Value> {
    app.get(&format!("/api/bookings?customer_id={customer_id}")).await.body["items"].as_array().unwrap().clone()
}

async fn chat(app: &TestApp, content: &str, token: Option<&str>) -> TestResponse {
    let mut body =
        json!({"channel": "chat", "content": content, "customer": {"name": "Maria", "email": "maria@example.com"}});
    if let Some(t) = token {
        body["chat_token"] = json!(t);
    }
    let r =
        app.raw(Method::POST, "/api/messages/receive", &[("content-type", "application/json")], body.to_string()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    app.run_jobs().await;
    r
}

async fn last_reply(app: &TestApp, token: &str) -> String {
    let r = app.raw(Method::GET, &format!("/api/messages/chat?token={token}"), &[], "").await;
    let items = r.body["items"].as_array().unwrap();
    items.iter().find(|m| m["direction"] == "outbound").unwrap()["content"].as_str().unwrap().to_string()
}

fn email(message_id: &str, text: &str) -> Vec<(&'static str, String)> {
    vec![
        ("from", "\"Jose Muller\" <jose@example.com>".into()),
        ("to", "hello@austinplumbing.example".into()),
        ("subject", "Drain cleaning".into()),
        ("text", text.into()),
        ("headers", format!("Received: by mx.sendgrid.net\nMessage-ID: {message_id}\nSubject: Drain cleaning")),
        ("envelope", "{\"to\":[\"hello@austinplumbing.example\"],\"from\":\"jose@example.com\"}".into()),
        ("charsets", "{\"to\":\"UTF-8\",\"subject\":\"UTF-8\",\"from\":\"UTF-8\",\"text\":\"UTF-8\"}".into()),
        ("SPF", "pass".into()),
    ]
}

#[tokio::test]
async fn the_model_offers_the_servers_times_and_books_the_chosen_one_with_an_invite() {
    let day = tomorrow();
    let window = json!({"from": local(chicago(day, 0, 0)), "to": local(chicago(day, 12, 0))});
    let second = chicago(day, 10, 0);
    let offer = "Happy to! Tomorrow morning I have 1) 9:00, 2) 10:00 or 3) 11:00 (America/Chicago). Which suits you?";
    let openai = openai(vec![
        calls("call_check1", "check_availability", &window),
        says(offer),
        calls("call_book1", "book_slot", &json!({"start": local(second)})),
        says("You're booked for tomorrow at 10:00 (America/Chicago). See you then!"),
    ])
    .await;
    let sendgrid = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/mail/send"))
        .respond_with(ResponseTemplate::new(202).insert_header("X-Message-Id", "sg-1"))
        .mount(&sendgrid)
        .await;
    let app = TestApp::with_config(|c| {
        with_sendgrid(c, &sendgrid.uri());
        with_openai(c, &openai);
    })
    .await;
    crate::bookings::open_daily(&app).await;
    let query = format!("?token={INBOUND_SECRET}");
    let send = |id: &'static str, text: &'static str| {
        let fields = email(id, text);
        let app = &app;
        let query = &query;
        async move {
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(app.send(sendgrid_request(query, &refs)).await.status, StatusCode::OK);
            app.run_jobs().await;
        }
    };
    send("<m1@example.com>", "Hello,\nCan I book a drain cleaning tomorrow morning?\nJose").await;

    let requests = reply_requests(&openai).await;
    assert_eq!(requests.len(), 2, "a tool call, then the reply");
    assert_tool_request(&requests[0]);
    let first_turn = requests[0]["messages"].as_array().unwrap().len();
    let result = tool_round(&requests[1], first_turn, "call_check1", "check_availability", &window);
    // The times the model got are the server's own open times of that morning, spread.
    let from = chicago(day, 0, 0).to_rfc3339().replace('+', "%2B");
    let to = chicago(day, 12, 0).to_rfc3339().replace('+', "%2B");
    let open = app.get(&format!("/api/bookings/availability?from={from}&to={to}")).await;
    let open = starts(&open.body["slots"]);
    let given = starts(&result["times"]);
    assert_eq!(given, [chicago(day, 9, 0), second, chicago(day, 11, 0)], "{result}");
    assert!(given.iter().all(|t| open.contains(t)), "{given:?} not all in {open:?}");
    assert_eq!(result["times"][1]["start"], local(second), "RFC 3339 in the business's offset");
    assert_eq!(result["times"][1]["label"], leadflow::domain::slot_talk::describe_time(second, tz()));
    assert!(result["offer"].as_str().unwrap().ends_with("reply 1, 2 or 3"), "{result}");
    let mails = sendgrid.received_requests().await.unwrap();
    let first: Value = serde_json::from_slice(&mails[0].body).unwrap();
    assert!(first["content"][0]["value"].as_str().unwrap().contains("2) 10:00"), "{first}");
    assert!(first.get("attachments").is_none(), "an offer has no invite");
    let customer_id = app.get("/api/crm/customers").await.body["items"][0]["id"].as_str().unwrap().to_string();
    assert!(bookings_of(&app, &customer_id).await.is_empty(), "offering books nothing");

    // No number to pick by: the model reads the choice and books it.
    send("<m2@example.com>", "Let's go with the middle option please").await;
    let requests = reply_requests(&openai).await;
    assert_eq!(requests.len(), 4);
    assert_tool_request(&requests[2]);
    let turn = requests[2]["messages"].as_array().unwrap().len();
    let booked = tool_round(&requests[3], turn, "call_book1", "book_slot", &json!({"start": local(second)}));
    assert_eq!(booked["booked"]["start"], local(second), "{booked}");
    assert!(booked["confirmation"].as_str().unwrap().starts_with("You're booked with Austin Plumbing"), "{booked}");

    let made = bookings_of(&app, &customer_id).await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0]["scheduled_time"], json!(second));
    assert_eq!(made[0]["source"], "conversation");
    let mails = sendgrid.received_requests().await.unwrap();
    assert_eq!(mails.len(), 2);
    let confirmation: Value = serde_json::from_slice(&mails[1].body).unwrap();
    assert!(confirmation["content"][0]["value"].as_str().unwrap().starts_with("You're booked for tomorrow at 10:00"));
    let invite = &confirmation["attachments"][0];
    assert_eq!(invite["filename"], "invite.ics");
    assert_eq!(invite["type"], "text/calendar; method=REQUEST");
    let ics = base64::engine::general_purpose::STANDARD.decode(invite["content"].as_str().unwrap()).unwrap();
    let ics = String::from_utf8(ics).unwrap();
    assert!(ics.contains(&format!("UID:{}@leadflow", made[0]["id"].as_str().unwrap())), "{ics}");
    assert!(ics.contains(&format!("DTSTART:{}", second.format("%Y%m%dT%H%M%SZ"))), "{ics}");
}

fn tz() -> leadflow::domain::TimeZone {
    leadflow::domain::TimeZone::parse("America/Chicago").unwrap()
}

#[tokio::test]
async fn an_invented_time_is_refused_with_the_nearest_open_ones_and_books_nothing() {
    let day = tomorrow();
    let three_am = chicago(day, 3, 0);
    let openai = openai(vec![
        calls("call_book3am", "book_slot", &json!({"start": local(three_am)})),
        says("Sorry, 3am isn't available. The nearest open times are 1) 9:00, 2) 10:00 or 3) 11:00 tomorrow."),
    ])
    .await;
    let app = TestApp::with_config(|c| with_openai(c, &openai)).await;
    crate::bookings::open_daily(&app).await;
    let r = chat(&app, "Can you come tomorrow at 3am?", None).await;
    let token = r.body["chat_token"].as_str().unwrap().to_string();
    let customer_id = r.body["customer_id"].as_str().unwrap().to_string();

    let requests = reply_requests(&openai).await;
    assert_eq!(requests.len(), 2);
    assert_tool_request(&requests[0]);
    let turn = requests[0]["messages"].as_array().unwrap().len();
    let refused = tool_round(&requests[1], turn, "call_book3am", "book_slot", &json!({"start": local(three_am)}));
    assert_eq!(refused["error"], "not_open", "{refused}");
    let nearest = starts(&refused["nearest"]);
    assert_eq!(nearest.len(), 3, "{refused}");
    assert!(nearest.iter().all(|t| *t > three_am && *t - three_am <= chrono::Duration::hours(8)), "{nearest:?}");
    assert!(bookings_of(&app, &customer_id).await.is_empty(), "nothing booked at 3am");
    assert!(last_reply(&app, &token).await.starts_with("Sorry, 3am isn't available."));

    // The nearest times are the customer's offer: "the second one" books it without the model.
    chat(&app, "the second one", Some(&token)).await;
    assert_eq!(reply_requests(&openai).await.len(), 2, "an exact pick needs no reply request");
    let made = bookings_of(&app, &customer_id).await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0]["scheduled_time"], json!(nearest[1]));
    let confirmation = last_reply(&app, &token).await;
    assert!(confirmation.contains(&leadflow::domain::slot_talk::describe_time(nearest[1], tz())), "{confirmation}");
}

#[tokio::test]
async fn a_model_that_keeps_calling_tools_falls_back_to_the_rules_engine() {
    let window = json!({"from": null, "to": null});
    let script = (0..=TOOL_ROUNDS).map(|i| calls(&format!("call_loop{i}"), "check_availability", &window)).collect();
    let openai = openai(script).await;
    let app = TestApp::with_config(|c| with_openai(c, &openai)).await;
    crate::bookings::open_daily(&app).await;
    let r = chat(&app, "Can I book a drain cleaning tomorrow morning?", None).await;
    let token = r.body["chat_token"].as_str().unwrap().to_string();

    let requests = reply_requests(&openai).await;
    assert_eq!(requests.len(), TOOL_ROUNDS + 1, "four rounds of tools, then a fifth answer still calling one");
    for (round, body) in requests.iter().enumerate() {
        assert_tool_request(body);
        let tool_messages = body["messages"].as_array().unwrap().iter().filter(|m| m["role"] == "tool").count();
        assert_eq!(tool_messages, round, "each round adds its result");
    }
    let reply = last_reply(&app, &token).await;
    assert!(reply.contains("We'd be glad to set up a time"), "the rules engine's reply: {reply}");
    assert!(bookings_of(&app, r.body["customer_id"].as_str().unwrap()).await.is_empty());
}

#[tokio::test]
async fn a_booking_made_by_the_model_is_confirmed_even_when_its_words_fail_the_check() {
    let day = tomorrow();
    let ten = chicago(day, 10, 0);
    let openai = openai(vec![
        calls("call_book10", "book_slot", &json!({"start": local(ten)})),
        // A price nobody listed: the words are refused, but the booking stands.
        says("Done! You're booked for 10:00 tomorrow, and it's only $49 this week."),
    ])
    .await;
    let app = TestApp::with_config(|c| with_openai(c, &openai)).await;
    crate::bookings::open_daily(&app).await;
    let r = chat(&app, "Please book me for tomorrow at 10am", None).await;
    let token = r.body["chat_token"].as_str().unwrap().to_string();
    let customer_id = r.body["customer_id"].as_str().unwrap().to_string();
    let made = bookings_of(&app, &customer_id).await;
    assert_eq!(made.len(), 1, "{made:?}");
    let reply = last_reply(&app, &token).await;
    assert!(!reply.contains("$49"), "{reply}");
    assert!(reply.starts_with("You're booked with Austin Plumbing"), "the desk's own confirmation: {reply}");
    assert!(reply.contains(&leadflow::domain::slot_talk::describe_time(ten, tz())), "{reply}");
}
