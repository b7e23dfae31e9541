//! A customer writes on a channel; the reply reaches the provider (wiremock) once.

use http::StatusCode;
use leadflow::domain::{DeliveryStatus, Direction};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{basic_auth, body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::providers::*;
use crate::common::{TestApp, TestResponse};

const CUSTOMER: &str = "+14155552671";

/// Answers like the Messages API: 201 with a new message SID each time.
#[derive(Default)]
struct TwilioCreated(std::sync::atomic::AtomicUsize);

impl wiremock::Respond for TwilioCreated {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        ResponseTemplate::new(201).set_body_json(json!({"sid": format!("SMreply{n:04}"), "status": "queued"}))
    }
}

fn twilio_path() -> String {
    format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")
}

async fn twilio_mock(expected_sends: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(twilio_path()))
        .and(basic_auth(TWILIO_SID, TWILIO_TOKEN))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(TwilioCreated::default())
        .expect(expected_sends)
        .mount(&server)
        .await;
    server
}

async fn twilio_app(server: &MockServer) -> TestApp {
    let uri = server.uri();
    TestApp::with_config(move |c| with_twilio(c, &uri)).await
}

/// The form fields of the requests the fake Twilio received.
async fn sent_sms(server: &MockServer) -> Vec<Vec<(String, String)>> {
    let requests = server.received_requests().await.unwrap_or_default();
    requests.iter().map(|r| form_urlencoded::parse(&r.body).into_owned().collect()).collect()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
}

async fn history(app: &TestApp, customer_id: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/crm/customers/{customer_id}/history")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

async fn only_customer(app: &TestApp) -> Value {
    let list = app.get("/api/crm/customers").await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", list.text);
    items[0].clone()
}

#[tokio::test]
async fn twilio_sms_in_ai_reply_out() {
    let server = twilio_mock(1).await;
    let app = twilio_app(&server).await;
    let params =
        sms_params("SM00000000000000000000000000000001", CUSTOMER, "How much do you charge to replace a water heater?");
    let r = app.send(twilio_request(&params, None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.headers["content-type"], "text/xml");
    assert!(r.text.contains("<Response></Response>"));

    let customer = only_customer(&app).await;
    assert_eq!(customer["phone"], CUSTOMER);
    let leads = app.state.db.conn().await.unwrap();
    let lead =
        leadflow::store::leads::open_for_customer(&*leads, Uuid::parse_str(customer["id"].as_str().unwrap()).unwrap())
            .await
            .unwrap()
            .expect("an open lead");
    assert_eq!(lead.source_channel, Some(leadflow::domain::Channel::Sms));

    assert_eq!(app.run_jobs().await, 3, "processing, then routing to sales and enrolling in the new-lead sequence");
    let sent = sent_sms(&server).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(field(&sent[0], "To"), CUSTOMER);
    assert_eq!(field(&sent[0], "From"), TWILIO_FROM);
    let body = field(&sent[0], "Body");
    assert!(body.to_lowercase().contains("pric") || body.contains("quote"), "a pricing answer: {body}");
    assert!(body.chars().count() <= 306 && body.is_ascii(), "SMS-sized, GSM-friendly: {body}");

    let items = history(&app, customer["id"].as_str().unwrap()).await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["direction"], "outbound");
    assert_eq!(items[0]["content"], body);
    assert_eq!(items[0]["ai_response"], body);
    assert_eq!(items[0]["delivery_status"], "sent");
    assert_eq!(items[0]["provider_message_id"], "SMreply0001");
    assert_eq!(items[1]["direction"], "inbound");
    assert_eq!(items[1]["processed"], true);
    assert_eq!(items[1]["analysis"]["intent"], "pricing");

    let lead = app.get(&format!("/api/leads/{}", lead.id)).await;
    assert_eq!(lead.body["status"], "contacted", "an answered lead is contacted");
    let events = app
        .state
        .mongo
        .events()
        .for_subject(Uuid::parse_str(lead.body["id"].as_str().unwrap()).unwrap(), 20)
        .await
        .unwrap();
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    for expected in ["lead.created", "lead.qualified", "lead.status_changed"] {
        assert!(types.contains(&expected), "{expected} in {types:?}");
    }
}

#[tokio::test]
async fn redelivered_sms_is_stored_and_answered_once() {
    let server = twilio_mock(1).await;
    let app = twilio_app(&server).await;
    let params = sms_params("SM00000000000000000000000000000002", CUSTOMER, "Can I book a cleaning for Tuesday?");
    for _ in 0..3 {
        assert_eq!(app.send(twilio_request(&params, None)).await.status, StatusCode::OK);
    }
    app.run_jobs().await;
    // The same job arriving again after completion changes nothing.
    let customer = only_customer(&app).await;
    let items = history(&app, customer["id"].as_str().unwrap()).await;
    let inbound = items.iter().find(|m| m["direction"] == "inbound").unwrap();
    let id = Uuid::parse_str(inbound["id"].as_str().unwrap()).unwrap();
    app.state.queue.enqueue(&leadflow::queue::Job::ProcessMessage { message_id: id }).await.unwrap();
    app.run_jobs().await;
    assert_eq!(history(&app, customer["id"].as_str().unwrap()).await.len(), 2, "one inbound, one reply");
    assert_eq!(sent_sms(&server).await.len(), 1);
}

#[tokio::test]
async fn concurrent_duplicates_make_one_message_and_one_reply() {
    let server = twilio_mock(1).await;
    let app = twilio_app(&server).await;
    let params = sms_params("SM00000000000000000000000000000003", CUSTOMER, "Do you install water heaters?");
    let (a, b, c) = tokio::join!(
        app.send(twilio_request(&params, None)),
        app.send(twilio_request(&params, None)),
        app.send(twilio_request(&params, None))
    );
    for r in [&a, &b, &c] {
        assert!(r.status == StatusCode::OK || r.status == StatusCode::CONFLICT, "{} {}", r.status, r.text);
    }
    // Whatever the interleaving, the jobs that got queued run concurrently too.
    let jobs = app.take_jobs().await;
    assert!(!jobs.is_empty());
    let runs = jobs.iter().map(|job| {
        let ctx = leadflow::workers::JobContext::with_budget(chrono::Duration::seconds(30));
        let state = app.state.clone();
        let job = job.clone();
        async move { leadflow::workers::run(&state, &job, &ctx).await }
    });
    for outcome in futures::future::join_all(runs).await {
        // A job that met another one mid-flight asks to be retried; retry it.
        if outcome.is_err() {
            app.state.queue.enqueue(&jobs[0]).await.unwrap();
        }
    }
    app.run_jobs().await;
    let customer = only_customer(&app).await;
    let items = history(&app, customer["id"].as_str().unwrap()).await;
    assert_eq!(items.iter().filter(|m| m["direction"] == "inbound").count(), 1);
    assert_eq!(items.iter().filter(|m| m["direction"] == "outbound").count(), 1);
    assert_eq!(sent_sms(&server).await.len(), 1);
}

#[tokio::test]
async fn stop_opts_out_confirms_once_and_silences_replies() {
    let server = twilio_mock(2).await;
    let app = twilio_app(&server).await;
    let send = |sid: &'static str, body: &'static str| {
        let params = sms_params(sid, CUSTOMER, body);
        app.send(twilio_request(&params, None))
    };
    assert_eq!(send("SM0000000000000000000000000000000a", "STOP").await.status, StatusCode::OK);
    app.run_jobs().await;
    let conn = app.state.db.conn().await.unwrap();
    assert!(leadflow::store::opt_outs::contains(&*conn, leadflow::domain::Channel::Sms, CUSTOMER).await.unwrap());
    let sent = sent_sms(&server).await;
    assert_eq!(sent.len(), 1);
    assert!(field(&sent[0], "Body").contains("unsubscribed"), "{:?}", sent[0]);

    send("SM0000000000000000000000000000000b", "stop").await;
    send("SM0000000000000000000000000000000c", "How much is a drain cleaning?").await;
    app.run_jobs().await;
    assert_eq!(sent_sms(&server).await.len(), 1, "no second confirmation and no AI reply after STOP");

    send("SM0000000000000000000000000000000d", "START").await;
    app.run_jobs().await;
    let sent = sent_sms(&server).await;
    assert_eq!(sent.len(), 2);
    assert!(field(&sent[1], "Body").contains("subscribed again"));
    assert!(!leadflow::store::opt_outs::contains(&*conn, leadflow::domain::Channel::Sms, CUSTOMER).await.unwrap());
}

async fn nothing_stored(app: &TestApp) {
    assert!(app.get("/api/crm/customers").await.body["items"].as_array().unwrap().is_empty());
    let page = app.get("/api/messages").await;
    assert!(page.body["items"].as_array().unwrap().is_empty(), "{}", page.text);
    assert!(app.take_jobs().await.is_empty());
}

#[tokio::test]
async fn forged_or_missing_twilio_signatures_store_nothing() {
    let server = twilio_mock(0).await;
    let app = twilio_app(&server).await;
    let params = sms_params("SM00000000000000000000000000000009", CUSTOMER, "hi");
    let forged = app.send(twilio_request(&params, Some("bm90IHRoZSBzaWduYXR1cmU="))).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text);
    let missing = app.send(twilio_request(&params, Some(""))).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    // Signed for another URL: the signature covers where it was sent.
    let mut tampered = params.clone();
    tampered[5] = ("Body", "transfer money");
    let sig = twilio_signature(TWILIO_TOKEN, &format!("{PUBLIC_BASE}/api/webhooks/twilio/sms"), &params);
    let r = app.send(twilio_request(&tampered, Some(&sig))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    nothing_stored(&app).await;
}

#[tokio::test]
async fn twilio_webhook_without_twilio_configured_is_refused() {
    let app = TestApp::new().await;
    let params = sms_params("SM00000000000000000000000000000010", CUSTOMER, "hi");
    assert_eq!(app.send(twilio_request(&params, None)).await.status, StatusCode::FORBIDDEN);
    nothing_stored(&app).await;
}

async fn sendgrid_mock(expected: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/mail/send"))
        .and(header("authorization", format!("Bearer {SENDGRID_KEY}").as_str()))
        .and(body_string_contains("\"In-Reply-To\":\"<CAF-1234@mail.example.com>\""))
        .respond_with(ResponseTemplate::new(202).insert_header("X-Message-Id", "sg-reply-1"))
        .expect(expected)
        .mount(&server)
        .await;
    server
}

fn email_fields(message_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("from", "\"Dana Whitfield\" <Dana@Example.com>".into()),
        ("to", "hello@austinplumbing.example".into()),
        ("subject", "Quote request - kitchen remodel".into()),
        ("text", "Hello,\n\nCould you send me a quote for a kitchen remodel? Our budget is around $25,000.\n\nThanks,\nDana Whitfield\n\nOn Mon, Nov 23, 2026 at 9:00 AM Austin Plumbing <hello@austinplumbing.example> wrote:\n> Thanks for reaching out".into()),
        ("headers", format!("Received: by mx.sendgrid.net\nMessage-ID: {message_id}\nSubject: Quote request")),
        ("envelope", "{\"to\":[\"hello@austinplumbing.example\"],\"from\":\"dana@example.com\"}".into()),
    ]
}

async fn post_email(app: &TestApp, query: &str, message_id: &str) -> TestResponse {
    let fields = email_fields(message_id);
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.send(sendgrid_request(query, &refs)).await
}

#[tokio::test]
async fn sendgrid_email_in_threaded_reply_out() {
    let server = sendgrid_mock(1).await;
    let uri = server.uri();
    let app = TestApp::with_config(move |c| with_sendgrid(c, &uri)).await;
    let query = format!("?token={INBOUND_SECRET}");
    let r = post_email(&app, &query, "<CAF-1234@mail.example.com>").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(post_email(&app, &query, "<CAF-1234@mail.example.com>").await.status, StatusCode::OK, "redelivery");
    app.run_jobs().await;

    let customer = only_customer(&app).await;
    assert_eq!(customer["email"], "dana@example.com");
    assert_eq!(customer["name"], "Dana Whitfield");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let sent: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(sent["personalizations"][0]["to"][0]["email"], "dana@example.com");
    assert_eq!(sent["subject"], "Re: Quote request - kitchen remodel");
    assert_eq!(sent["from"]["email"], "hello@austinplumbing.example");
    let reply = sent["content"][0]["value"].as_str().unwrap();
    assert!(reply.starts_with("Hi Dana, thanks for reaching out to Our business!\n\n"), "a salutation: {reply}");
    assert!(reply.trim_end().ends_with("Best wishes,\nOur business"), "a sign-off: {reply}");

    let items = history(&app, customer["id"].as_str().unwrap()).await;
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[1]["content"],
        "Hello,\n\nCould you send me a quote for a kitchen remodel? Our budget is around $25,000.\n\nThanks,\nDana Whitfield"
    );
    assert_eq!(items[0]["delivery_status"], "sent");
    assert_eq!(items[0]["provider_message_id"], "sg-reply-1");
    assert_eq!(items[0]["channel"], "email");
}

#[tokio::test]
async fn sendgrid_sends_attachments_base64_with_the_type_it_accepts() {
    use leadflow::channels::sendgrid::SendGridSender;
    use leadflow::channels::{Attachment, Outbound, Sender};
    use leadflow::domain::Channel;

    let invite = "BEGIN:VCALENDAR\r\nPRODID:-//Leadflow//Bookings 1.0//EN\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n\
        BEGIN:VEVENT\r\nUID:b1@leadflow\r\nSUMMARY:Consultation with José\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    // Both encoded by `base64 -w0`, not by the code under test.
    let invite_base64 = "QkVHSU46VkNBTEVOREFSDQpQUk9ESUQ6LS8vTGVhZGZsb3cvL0Jvb2tpbmdzIDEuMC8vRU4NClZFUlNJT046Mi4wDQpNRVRIT0Q6UkVRVUVTVA0KQkVHSU46VkVWRU5UDQpVSUQ6YjFAbGVhZGZsb3cNClNVTU1BUlk6Q29uc3VsdGF0aW9uIHdpdGggSm9zw6kNCkVORDpWRVZFTlQNCkVORDpWQ0FMRU5EQVINCg==";
    let pdf_base64 = "JVBERi0xLjQK";
    let expected = json!({
        "personalizations": [{"to": [{"email": "jose.muller@example.com"}]}],
        "from": {"email": "hello@austinplumbing.example", "name": "Austin Plumbing"},
        "subject": "Your consultation on Tue, Mar 10",
        "content": [{"type": "text/plain", "value": "See you Tuesday at 10:00."}],
        "custom_args": {"leadflow_message_id": "0190a5f0-1111-7000-8000-000000000001"},
        "attachments": [
            {
                "content": invite_base64,
                "type": "text/calendar; method=REQUEST",
                "filename": "invite.ics",
                "disposition": "attachment"
            },
            {
                "content": pdf_base64,
                "type": "application/pdf",
                "filename": "quote.pdf",
                "disposition": "attachment"
            }
        ]
    });
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/mail/send"))
        .and(header("authorization", format!("Bearer {SENDGRID_KEY}").as_str()))
        .and(header("content-type", "application/json"))
        .and(wiremock::matchers::body_json(&expected))
        // SendGrid answers 202 Accepted with an empty body and the message id in a header.
        .respond_with(ResponseTemplate::new(202).insert_header("X-Message-Id", "W86EgYT6SQKk0lRflfLRsA"))
        .expect(1)
        .mount(&server)
        .await;
    let sender = SendGridSender::new(
        reqwest::Client::new(),
        &server.uri(),
        secrecy::SecretString::from(SENDGRID_KEY),
        "hello@austinplumbing.example",
        "Austin Plumbing",
    );
    let message = Outbound {
        id: "0190a5f0-1111-7000-8000-000000000001".parse().unwrap(),
        channel: Channel::Email,
        to: "jose.muller@example.com".into(),
        subject: Some("Your consultation on Tue, Mar 10".into()),
        body: "See you Tuesday at 10:00.".into(),
        in_reply_to: None,
        attachments: vec![
            Attachment {
                filename: "invite.ics".into(),
                content_type: "text/calendar; method=REQUEST; charset=UTF-8".into(),
                content: invite.as_bytes().to_vec(),
            },
            Attachment {
                filename: "quote.pdf".into(),
                content_type: "application/pdf".into(),
                content: b"%PDF-1.4\n".to_vec(),
            },
        ],
    };
    let receipt = sender.send(&message).await.unwrap();
    assert_eq!(receipt.provider_message_id.as_deref(), Some("W86EgYT6SQKk0lRflfLRsA"));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].url.query(), None);
    let sent: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(sent, expected);
}

#[tokio::test]
async fn sendgrid_secret_is_checked() {
    let server = sendgrid_mock(0).await;
    let uri = server.uri();
    let app = TestApp::with_config(move |c| with_sendgrid(c, &uri)).await;
    assert_eq!(post_email(&app, "", "<a@b>").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(post_email(&app, "?token=wrong", "<a@b>").await.status, StatusCode::FORBIDDEN);
    let mut req = {
        let fields = email_fields("<a@b>");
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        sendgrid_request("", &refs)
    };
    let basic =
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, format!("leadflow:{INBOUND_SECRET}"));
    req.headers_mut().insert("authorization", format!("Basic {basic}").parse().unwrap());
    assert_eq!(app.send(req).await.status, StatusCode::OK, "basic auth in the URL works too");
    let unconfigured = TestApp::new().await;
    assert_eq!(
        post_email(&unconfigured, &format!("?token={INBOUND_SECRET}"), "<a@b>").await.status,
        StatusCode::FORBIDDEN
    );
    nothing_stored(&unconfigured).await;
}

#[tokio::test]
async fn chat_in_reply_stored_for_the_widget() {
    let app = TestApp::new().await;
    let r = app
        .raw(
            http::Method::POST,
            "/api/messages/receive",
            &[("content-type", "application/json")],
            json!({"channel": "chat", "content": "Hi! Do you do drain cleaning?", "customer": {"name": "Sam", "email": "sam@example.com"}}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let token = r.body["chat_token"].as_str().unwrap().to_string();
    assert!(Uuid::parse_str(r.body["lead_id"].as_str().unwrap()).is_ok());
    app.run_jobs().await;

    let chat = app.raw(http::Method::GET, &format!("/api/messages/chat?token={token}"), &[], "").await;
    assert_eq!(chat.status, StatusCode::OK, "{}", chat.text);
    let items = chat.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["direction"], Direction::Outbound.as_str());
    assert_eq!(items[0]["delivery_status"], DeliveryStatus::Sent.as_str());
    assert!(items[0]["content"].as_str().unwrap().starts_with("Hi Sam"), "{}", items[0]);
    assert!(items[1]["analysis"].is_null(), "the widget does not see the analysis");

    // The widget continues its session with the token.
    let next = json!({"channel": "chat", "content": "Great, thanks!", "customer": {"email": "sam@example.com"}, "chat_token": token});
    let r = app
        .raw(http::Method::POST, "/api/messages/receive", &[("content-type", "application/json")], next.to_string())
        .await;
    assert_eq!((r.status, r.body["chat_token"].as_str()), (StatusCode::ACCEPTED, Some(token.as_str())));
    app.run_jobs().await;
    let chat = app.raw(http::Method::GET, &format!("/api/messages/chat?token={token}"), &[], "").await;
    assert_eq!(chat.body["items"].as_array().unwrap().len(), 4);

    let wrong = app.raw(http::Method::GET, "/api/messages/chat?token=AAAA", &[], "").await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let forged =
        json!({"channel": "chat", "content": "hi", "customer": {"email": "sam@example.com"}, "chat_token": "AAAA"});
    let r = app
        .raw(http::Method::POST, "/api/messages/receive", &[("content-type", "application/json")], forged.to_string())
        .await;
    // A forged token is a credential failure, as on the chat read above.
    assert_eq!((r.status, r.error_field()), (StatusCode::FORBIDDEN, Some("chat_token")));
}

#[tokio::test]
async fn knowing_someone_s_email_opens_no_conversation() {
    let app = TestApp::new().await;
    let send = async |content: &str, token: Option<&str>| {
        let mut body = json!({"channel": "chat", "content": content, "customer": {"email": "victim@example.com"}});
        if let Some(t) = token {
            body["chat_token"] = json!(t);
        }
        app.raw(http::Method::POST, "/api/messages/receive", &[("content-type", "application/json")], body.to_string())
            .await
    };
    let victim = send("my account number is 1234, please call me", None).await;
    app.run_jobs().await;
    let attacker = send("hi", None).await;
    assert_eq!(victim.body["customer_id"], attacker.body["customer_id"], "the same customer record");
    app.run_jobs().await;
    let token = attacker.body["chat_token"].as_str().unwrap();
    let seen = app.raw(http::Method::GET, &format!("/api/messages/chat?token={token}"), &[], "").await;
    let texts: Vec<&str> =
        seen.body["items"].as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap()).collect();
    assert!(!texts.iter().any(|t| t.contains("1234")), "another session's messages stay hidden: {texts:?}");
    assert_eq!(texts.len(), 2);
}

#[tokio::test]
async fn a_written_request_to_stop_is_honoured_like_stop() {
    let server = twilio_mock(1).await;
    let app = twilio_app(&server).await;
    let params = sms_params(
        "SM000000000000000000000000000000e1",
        CUSTOMER,
        "Please stop texting me, I'm not interested anymore.",
    );
    assert_eq!(app.send(twilio_request(&params, None)).await.status, StatusCode::OK);
    app.run_jobs().await;
    let conn = app.state.db.conn().await.unwrap();
    assert!(leadflow::store::opt_outs::contains(&*conn, leadflow::domain::Channel::Sms, CUSTOMER).await.unwrap());
    let sent = sent_sms(&server).await;
    assert_eq!(sent.len(), 1, "one confirmation, no AI reply");
    assert!(field(&sent[0], "Body").contains("unsubscribed"));
}

#[tokio::test]
async fn complaints_get_a_holding_reply_and_a_person() {
    let server = twilio_mock(2).await;
    let app = twilio_app(&server).await;
    let text = "This is ridiculous, your technician never showed up and nobody called. I want this fixed today.";
    let params = sms_params("SM000000000000000000000000000000e2", CUSTOMER, text);
    app.send(twilio_request(&params, None)).await;
    app.run_jobs().await;
    let body = field(&sent_sms(&server).await[0], "Body").to_owned();
    assert!(body.contains("sorry") && body.contains("member of our team"), "{body}");
    let leads = app.get("/api/leads").await;
    let lead = &leads.body["items"][0];
    assert_eq!((lead["needs_human"].as_bool(), lead["handoff_reason"].as_str()), (Some(true), Some("complaint")));
    let tasks = app.get("/api/tasks").await;
    assert_eq!(tasks.body["items"][0]["task_type"], "support", "{}", tasks.text);

    // An agent answering takes the conversation over.
    let r = app
        .post(
            "/api/messages/send/sms",
            json!({"customer_id": lead["customer_id"], "content": "Jo here, so sorry, calling you now."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let lead = app.get(&format!("/api/leads/{}", lead["id"].as_str().unwrap())).await;
    assert_eq!(lead.body["needs_human"], false);
}
