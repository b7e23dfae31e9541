use http::StatusCode;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::common::providers::*;

const FLOOD: &str = "My basement is flooding, pipe burst!! need someone NOW";
const CUSTOMER: &str = "+15125550142";
const ON_CALL: &str = "+15125550199";

struct Fakes {
    twilio: MockServer,
    slack: MockServer,
}

impl Fakes {
    async fn start() -> Self {
        let twilio = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMpage0001", "status": "queued"})))
            .mount(&twilio)
            .await;
        let slack = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/T000/B000/XXXX"))
            .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
            .mount(&slack)
            .await;
        Self { twilio, slack }
    }

    async fn app(&self) -> TestApp {
        let (twilio, slack) = (self.twilio.uri(), format!("{}/services/T000/B000/XXXX", self.slack.uri()));
        TestApp::with_config(move |c| {
            with_twilio(c, &twilio);
            c.providers.slack_webhook_url = Some(secrecy::SecretString::from(slack));
        })
        .await
    }

    /// (To, Body) of every SMS sent.
    async fn texts(&self) -> Vec<(String, String)> {
        let requests = self.twilio.received_requests().await.unwrap();
        requests
            .iter()
            .map(|r| {
                let form: Vec<(String, String)> = form_urlencoded::parse(&r.body).into_owned().collect();
                let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
                (get("To"), get("Body"))
            })
            .collect()
    }

    /// The emergency posts (the high-priority task routed for it is announced too).
    async fn slack_posts(&self) -> Vec<Value> {
        let requests = self.slack.received_requests().await.unwrap();
        let posts = requests.iter().map(|r| serde_json::from_slice::<Value>(&r.body).unwrap());
        posts.filter(|p| p["text"].as_str().is_some_and(|t| t.contains("EMERGENCY"))).collect()
    }
}

async fn sms_in(app: &TestApp, sid: &str, text: &str) {
    let params = sms_params(sid, CUSTOMER, text);
    assert_eq!(app.send(twilio_request(&params, None)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_emergency_at_two_in_the_morning_pages_the_on_call_and_says_so() {
    let fakes = Fakes::start().await;
    let app = fakes.app().await;
    austin_plumbing(&app, json!({"on_call_phone": ON_CALL, "slack": true, "on_call_title": "plumber"})).await;
    // Friday 02:00 in Austin: closed for six more hours.
    sms_in(&app, "SM000000000000000000000000000000e1", FLOOD).await;
    app.run_jobs_at(chicago(4, 2, 0)).await;

    let texts = fakes.texts().await;
    assert_eq!(texts.len(), 2, "the page and the reply: {texts:?}");
    let (to, page) = &texts[0];
    assert_eq!(to, ON_CALL);
    assert!(page.starts_with("EMERGENCY for Austin Plumbing: A customer (+15125550142) wrote by sms at "), "{page}");
    assert!(page.contains(FLOOD), "{page}");
    let (to, reply) = &texts[1];
    assert_eq!(to, CUSTOMER);
    assert!(reply.contains("Our on-call plumber has been alerted and will call you shortly."), "{reply}");
    assert!(!reply.to_lowercase().contains("closed"), "never 'we're closed' to an emergency: {reply}");
    let posts = fakes.slack_posts().await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    let post = posts[0]["text"].as_str().unwrap();
    assert!(post.contains(FLOOD) && post.contains(CUSTOMER), "{post}");

    let leads = app.get("/api/leads").await;
    let lead = &leads.body["items"][0];
    assert_eq!((&lead["needs_human"], &lead["handoff_reason"]), (&json!(true), &json!("emergency")), "{}", leads.text);

    // A second message about it within the hour does not page again, and says the same.
    sms_in(&app, "SM000000000000000000000000000000e2", "water is everywhere, please hurry!! flooding").await;
    app.run_jobs_at(chicago(4, 2, 5)).await;
    let texts = fakes.texts().await;
    assert_eq!(texts.iter().filter(|(to, _)| to == ON_CALL).count(), 1, "{texts:?}");
    assert_eq!(fakes.slack_posts().await.len(), 1);
    let (to, again) = texts.last().unwrap();
    assert_eq!(to, CUSTOMER);
    assert!(again.contains("Our on-call plumber has been alerted"), "an emergency, already paged: {again}");

    // The page of the first message, run again (a redelivered retry), reaches nobody twice.
    let inbound = app.get("/api/messages?direction=inbound").await.body["items"].as_array().unwrap().clone();
    let flood = inbound.iter().find(|m| m["content"] == FLOOD).unwrap();
    let id = uuid::Uuid::parse_str(flood["id"].as_str().unwrap()).unwrap();
    let deadline = chrono::Utc::now() + chrono::Duration::seconds(30);
    app.state.page_retry().run(id, chicago(4, 2, 10), deadline).await.unwrap();
    assert_eq!(fakes.texts().await.iter().filter(|(to, _)| to == ON_CALL).count(), 1);
    assert_eq!(fakes.slack_posts().await.len(), 1);
}

#[tokio::test]
async fn an_agent_pause_does_not_keep_the_on_call_from_being_paged() {
    let fakes = Fakes::start().await;
    let app = fakes.app().await;
    austin_plumbing(&app, json!({"on_call_phone": ON_CALL, "on_call_title": "plumber"})).await;
    sms_in(&app, "SM000000000000000000000000000000e5", "hi there").await;
    app.run_jobs_at(chicago(3, 21, 0)).await;
    let customer = app.get("/api/crm/customers").await.body["items"][0]["id"].as_str().unwrap().to_owned();
    let sent = app.post("/api/messages/send/sms", json!({"customer_id": customer, "content": "Hi, this is Jo."})).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    sms_in(&app, "SM000000000000000000000000000000e6", FLOOD).await;
    app.run_jobs_at(chicago(4, 2, 0)).await;
    let texts = fakes.texts().await;
    assert_eq!(texts.iter().filter(|(to, _)| to == ON_CALL).count(), 1, "{texts:?}");
    let last = &texts.last().unwrap().1;
    assert!(last.contains("Our on-call plumber has been alerted and will call you shortly."), "{last}");
}

#[tokio::test]
async fn a_page_that_finds_twilio_down_is_tried_again() {
    let twilio = MockServer::start().await;
    let messages = format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json");
    Mock::given(method("POST"))
        .and(path(messages.clone()))
        .and(wiremock::matchers::body_string_contains("To=%2B15125550199"))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_json(json!({"code": 20500, "message": "Internal Server Error", "status": 503})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&twilio)
        .await;
    Mock::given(method("POST"))
        .and(path(messages))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMpage0002", "status": "queued"})))
        .mount(&twilio)
        .await;
    let uri = twilio.uri();
    let app = TestApp::with_config(move |c| with_twilio(c, &uri)).await;
    austin_plumbing(&app, json!({"on_call_phone": ON_CALL, "emergency_phone": "+15125550111"})).await;
    sms_in(&app, "SM000000000000000000000000000000e7", FLOOD).await;
    app.run_jobs_at(chicago(4, 2, 0)).await;
    let requests = twilio.received_requests().await.unwrap();
    let to: Vec<String> = requests
        .iter()
        .map(|r| form_urlencoded::parse(&r.body).find(|(k, _)| k == "To").map(|(_, v)| v.into_owned()).unwrap())
        .collect();
    assert_eq!(to, [ON_CALL, CUSTOMER, ON_CALL], "the page, the reply, the page again");
    let reply = form_urlencoded::parse(&requests[1].body).find(|(k, _)| k == "Body").unwrap().1.into_owned();
    assert!(reply.contains("call our emergency line at +15125550111"), "not paged yet, so not said: {reply}");
}

#[tokio::test]
async fn nobody_paged_means_the_emergency_line_or_a_plain_urgent_mark() {
    let fakes = Fakes::start().await;
    let app = fakes.app().await;
    // Paging only after hours; it is Thursday 10:00, so nobody is paged: the line is given.
    austin_plumbing(&app, json!({"on_call_phone": ON_CALL, "emergency_phone": "+15125550111"})).await;
    sms_in(&app, "SM000000000000000000000000000000e3", FLOOD).await;
    app.run_jobs_at(chicago(3, 10, 0)).await;
    let texts = fakes.texts().await;
    assert_eq!(texts.len(), 1, "no page inside opening hours: {texts:?}");
    assert!(texts[0].1.contains("call our emergency line at +15125550111"), "{}", texts[0].1);
    assert!(!texts[0].1.contains("alerted"), "nobody was paged, so nobody is said to be: {}", texts[0].1);

    // No policy at all, at night: marked urgent, never "we're closed".
    austin_plumbing(&app, Value::Null).await;
    let reply = ask_at(&app, "flood@example.com", FLOOD, chicago(4, 2, 0)).await;
    assert!(reply.contains("We've marked this as urgent"), "{reply}");
    assert!(!reply.contains("closed"), "{reply}");
}

#[tokio::test]
async fn a_page_that_cannot_be_delivered_is_not_claimed() {
    let twilio = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})),
        )
        .mount(&twilio)
        .await;
    let uri = twilio.uri();
    let app = TestApp::with_config(move |c| with_twilio(c, &uri)).await;
    austin_plumbing(&app, json!({"on_call_phone": ON_CALL, "on_call_title": "plumber"})).await;
    let reply = ask_at(&app, "night@example.com", FLOOD, chicago(4, 2, 0)).await;
    assert!(!reply.contains("alerted"), "the page failed: {reply}");
    assert!(reply.contains("We've marked this as urgent"), "{reply}");
}

#[tokio::test]
async fn a_chat_emergency_asks_for_a_number_and_passes_it_on() {
    let fakes = Fakes::start().await;
    let app = fakes.app().await;
    austin_plumbing(&app, json!({"on_call_phone": ON_CALL, "on_call_title": "plumber"})).await;
    let r = chat(&app, "flooded@example.com", FLOOD, None).await;
    let token = r.body["chat_token"].as_str().unwrap().to_owned();
    app.run_jobs_at(chicago(4, 2, 0)).await;
    let first = replies(&app, &token).await.pop().unwrap();
    assert!(
        first.contains("has been alerted and will be in touch shortly"),
        "no number, no promise of a call: {first}"
    );
    assert!(first.contains("reply with a phone number"), "{first}");
    let page = &fakes.texts().await[0].1;
    assert!(page.contains("flooded@example.com"), "the page says how to reach them: {page}");

    chat(&app, "flooded@example.com", "my number is 512-555-0177", Some(&token)).await;
    app.run_jobs_at(chicago(4, 2, 3)).await;
    let texts = fakes.texts().await;
    let pages: Vec<&String> = texts.iter().filter(|(to, _)| to == ON_CALL).map(|(_, body)| body).collect();
    assert_eq!(pages.len(), 2, "{texts:?}");
    assert!(pages[1].contains("+15125550177"), "the number goes to the on-call: {}", pages[1]);
    let second = replies(&app, &token).await.pop().unwrap();
    assert!(second.contains("Our on-call plumber has been alerted and will call you shortly."), "{second}");
}
