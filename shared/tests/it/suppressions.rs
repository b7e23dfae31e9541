//! Delivery reports: SendGrid's signed Event Webhook and Twilio's status callback move the
//! sent message's status, suppress addresses that cannot receive, and record opt-outs;
//! redeliveries change nothing and transient failures keep the address.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use axum::body::Body;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{Request, StatusCode};
use leadflow::channels::sendgrid_events::EventWebhookKey;
use leadflow::domain::Channel;
use leadflow::domain::suppression::SuppressionReason;
use leadflow::store::{opt_outs, suppressions};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::providers::*;
use crate::common::{TestApp, TestResponse};

const DANA: &str = "dana@example.com";
const SG_ID: &str = "LRzXl_NHStOGhQ4kofSm_A";
const PHONE: &str = "+14155552671";

struct Signer(EcdsaKeyPair);

impl Signer {
    fn new() -> Self {
        Self(EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap())
    }

    /// The verification key as SendGrid's settings page shows it.
    fn public_key(&self) -> String {
        STANDARD.encode(self.0.public_key().as_der().unwrap().as_ref())
    }

    /// A post as SendGrid makes it: the JSON array, CRLF-terminated, signed over the
    /// timestamp followed by the body.
    fn post(&self, events: &Value, timestamp: i64) -> Request<Body> {
        let body = format!("{events}\r\n");
        let message = format!("{timestamp}{body}");
        let signature = STANDARD.encode(self.0.sign(&SystemRandom::new(), message.as_bytes()).unwrap().as_ref());
        Request::post("/api/webhooks/sendgrid/events")
            .header("content-type", "application/json")
            .header("user-agent", "SendGrid Event API")
            .header("x-twilio-email-event-webhook-signature", signature)
            .header("x-twilio-email-event-webhook-timestamp", timestamp.to_string())
            .body(Body::from(body))
            .unwrap()
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An app with SendGrid (its mail send answering with `X-Message-Id: SG_ID`) and the
/// event key of `signer`; Dana has written in and been answered.
async fn answered_by_email(signer: &Signer) -> (TestApp, MockServer) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/mail/send"))
        .respond_with(ResponseTemplate::new(202).insert_header("X-Message-Id", SG_ID))
        .mount(&server)
        .await;
    let (uri, key) = (server.uri(), signer.public_key());
    let app = TestApp::with_config(move |c| {
        with_sendgrid(c, &uri);
        c.providers.sendgrid_event_key = Some(EventWebhookKey::parse(&key).unwrap());
    })
    .await;
    let fields = [
        ("from", "Dana Whitfield <dana@example.com>"),
        ("to", "hello@austinplumbing.example"),
        ("subject", "Quote request - kitchen remodel"),
        ("text", "Could you send me a quote for a kitchen remodel?"),
        ("headers", "Received: by mx.sendgrid.net\nMessage-ID: <CAF-77@mail.example.com>\nSubject: Quote request"),
    ];
    let r = app.send(sendgrid_request(&format!("?token={INBOUND_SECRET}"), &fields)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.run_jobs().await;
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    (app, server)
}

/// The sent reply, as staff see it.
async fn reply(app: &TestApp) -> Value {
    let page = app.get("/api/messages?direction=outbound").await;
    let items = page.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", page.text);
    items[0].clone()
}

/// One event of the Event Webhook reference, about the mail sent to `email` (the reply
/// when it is Dana's, mail Leadflow did not store otherwise).
fn event(kind: &str, email: &str, sg_event_id: &str, extra: Value) -> Value {
    let id = if email == DANA { SG_ID } else { "Xq3uFw2ZRJm8kqK1o5nPbg" };
    let mut e = json!({
        "email": email,
        "timestamp": now(),
        "smtp-id": format!("<{id}@ismtpd0039p1iad1.sendgrid.net>"),
        "event": kind,
        "category": "cat facts",
        "sg_event_id": sg_event_id,
        "sg_message_id": format!("{id}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0"),
    });
    e.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    e
}

async fn suppressed(app: &TestApp, channel: Channel, address: &str) -> bool {
    let conn = app.state.db.conn().await.unwrap();
    suppressions::contains(&*conn, channel, address).await.unwrap()
}

async fn opted_out(app: &TestApp, channel: Channel, address: &str) -> bool {
    let conn = app.state.db.conn().await.unwrap();
    opt_outs::contains(&*conn, channel, address).await.unwrap()
}

fn counts(r: &TestResponse) -> (u64, u64, u64, u64) {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let n = |k: &str| r.body[k].as_u64().unwrap();
    (n("received"), n("messages_updated"), n("suppressed"), n("opted_out"))
}

#[tokio::test]
async fn sendgrid_posts_are_checked_before_anything_is_recorded() {
    let signer = Signer::new();
    let (app, _server) = Box::pin(answered_by_email(&signer)).await;
    let bounce = json!([event("bounce", DANA, "6g4ZI7SA-xmRDv57GoPIPw==", json!({"type": "bounce"}))]);

    let mut unsigned = signer.post(&bounce, now());
    unsigned.headers_mut().remove("x-twilio-email-event-webhook-signature");
    assert_eq!(app.send(unsigned).await.status, StatusCode::UNAUTHORIZED);
    let mut no_time = signer.post(&bounce, now());
    no_time.headers_mut().remove("x-twilio-email-event-webhook-timestamp");
    assert_eq!(app.send(no_time).await.status, StatusCode::UNAUTHORIZED);
    let forged = Signer::new().post(&bounce, now());
    assert_eq!(app.send(forged).await.status, StatusCode::FORBIDDEN);
    let mut retimed = signer.post(&bounce, now());
    retimed.headers_mut().insert("x-twilio-email-event-webhook-timestamp", (now() + 1).to_string().parse().unwrap());
    assert_eq!(app.send(retimed).await.status, StatusCode::FORBIDDEN);
    let stale = app.send(signer.post(&bounce, now() - 600)).await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN, "{}", stale.text);
    let unconfigured = TestApp::new().await;
    assert_eq!(unconfigured.send(signer.post(&bounce, now())).await.status, StatusCode::FORBIDDEN);

    assert!(!suppressed(&app, Channel::Email, DANA).await);
    assert_eq!(reply(&app).await["delivery_status"], "sent");
    let not_events = app.send(signer.post(&json!({"event": "bounce"}), now())).await;
    assert_eq!((not_events.status, not_events.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body")));
}

#[tokio::test]
async fn a_hard_bounce_fails_the_reply_and_suppresses_the_address_once() {
    let signer = Signer::new();
    let (app, _server) = Box::pin(answered_by_email(&signer)).await;
    let post = json!([
        event("processed", DANA, "rbtnWrG1DVDGGGFHFyun0A==", json!({})),
        event(
            "bounce",
            DANA,
            "6g4ZI7SA-xmRDv57GoPIPw==",
            json!({
                "bounce_classification": "Invalid Address", "reason": "550 5.1.1 The email account that you tried to reach does not exist.",
                "status": "5.1.1", "type": "bounce", "ip": "168.1.1.1",
            })
        ),
    ]);
    assert_eq!(counts(&app.send(signer.post(&post, now())).await), (2, 1, 1, 0));
    assert_eq!(reply(&app).await["delivery_status"], "failed");
    assert!(suppressed(&app, Channel::Email, DANA).await);

    let conn = app.state.db.conn().await.unwrap();
    let customer =
        leadflow::store::customers::find_by_contact(&*conn, Some(&email(DANA)), None).await.unwrap().remove(0);
    let rows = suppressions::for_customer(&*conn, &customer).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].reason, rows[0].customer_id), (SuppressionReason::HardBounce, Some(customer.id)));
    assert_eq!(rows[0].provider_event_id, "sendgrid:6g4ZI7SA-xmRDv57GoPIPw==");
    assert!(rows[0].detail.as_deref().unwrap().contains("5.1.1"), "{:?}", rows[0].detail);

    // SendGrid posts the batch again (it retries anything not answered in time).
    assert_eq!(counts(&app.send(signer.post(&post, now())).await), (2, 0, 0, 0));
    assert_eq!(suppressions::for_customer(&*conn, &customer).await.unwrap(), rows);
    assert!(!opted_out(&app, Channel::Email, DANA).await, "a bounce is not the customer's wish");
}

fn email(address: &str) -> leadflow::domain::Email {
    leadflow::domain::Email::parse(address).unwrap()
}

#[tokio::test]
async fn each_event_kind_does_what_it_means() {
    let signer = Signer::new();
    let (app, _server) = Box::pin(answered_by_email(&signer)).await;
    // Delivery first: a later open or deferral changes nothing, a block fails no address.
    let post = json!([
        event("delivered", DANA, "rWVYmVk90MjZJ9iohOBa3w==", json!({"ip": "168.1.1.1", "response": "250 OK"})),
        event("open", DANA, "b3Blbi0x", json!({"sg_machine_open": false, "useragent": "Mozilla/4.0", "ip": "255.255.255.255"})),
        event("deferred", "lee@example.com", "t7LEShmowp86DTdUW8M-GQ==", json!({"response": "400 try again later", "attempt": "5"})),
        event("bounce", "kim@example.com", "YmxvY2stMQ", json!({"bounce_classification": "Reputation", "reason": "554 5.7.1 blocked", "status": "5.7.1", "type": "blocked"})),
        event("group_unsubscribe", "lee@example.com", "Z3JvdXAtMQ", json!({"asm_group_id": 10, "url": "http://www.sendgrid.com/"})),
        {"event": "account_status_change", "sg_event_id": "MjEzNTg5OTcyOC10ZXJtaW5hdGUtMTcwNzg1MTUzMQ", "timestamp": 1_709_142_428, "type": "compliance_suspend"},
    ]);
    assert_eq!(counts(&app.send(signer.post(&post, now())).await), (6, 1, 0, 0));
    assert_eq!(reply(&app).await["delivery_status"], "delivered");
    assert!(!suppressed(&app, Channel::Email, "kim@example.com").await, "a block is not permanent");

    let before = lead_score(&app).await;
    assert!(before > 0);
    let dropped =
        |email: &str, id: &str, reason: &str| event("dropped", email, id, json!({"reason": reason, "status": "5.0.0"}));
    let post = json!([
        dropped("old@example.com", "ZHJvcC0x", "Bounced Address"),
        dropped("Typo@Exmaple.com", "ZHJvcC0y", "Invalid"),
        dropped("left@example.com", "ZHJvcC0z", "Unsubscribed Address"),
        dropped("big@example.com", "ZHJvcC00", "Recipient List over Package Quota"),
        event("spamreport", DANA, "c3BhbS0x", json!({})),
    ]);
    assert_eq!(counts(&app.send(signer.post(&post, now())).await), (5, 0, 4, 2));
    let conn = app.state.db.conn().await.unwrap();
    let mut reasons = Vec::new();
    for address in ["old@example.com", "typo@exmaple.com", "left@example.com", "big@example.com", DANA] {
        let customer = leadflow::domain::Customer { email: Some(email(address)), ..blank_customer() };
        reasons.push(suppressions::for_customer(&*conn, &customer).await.unwrap().first().map(|s| s.reason));
    }
    use SuppressionReason::{HardBounce, InvalidAddress, SpamReport, Unsubscribed};
    assert_eq!(reasons, vec![Some(HardBounce), Some(InvalidAddress), Some(Unsubscribed), None, Some(SpamReport)]);
    // A spam report and an unsubscribe are also the person's wish: opt-outs, which the
    // lead's score follows at once.
    assert!(opted_out(&app, Channel::Email, DANA).await && opted_out(&app, Channel::Email, "left@example.com").await);
    assert_eq!(lead_score(&app).await, 0, "scored {before} before the spam report");
    // Lifting a suppression is by address; the follow-up rules ask `contains`.
    assert!(suppressions::remove(&*conn, Channel::Email, "old@example.com").await.unwrap());
    assert!(!suppressions::remove(&*conn, Channel::Email, "old@example.com").await.unwrap());
    assert!(!suppressed(&app, Channel::Email, "old@example.com").await);
}

async fn lead_score(app: &TestApp) -> i64 {
    let leads = app.get("/api/leads").await;
    leads.body["items"][0]["quality_score"].as_i64().unwrap_or_else(|| panic!("{}", leads.text))
}

fn blank_customer() -> leadflow::domain::Customer {
    leadflow::domain::Customer {
        id: uuid::Uuid::nil(),
        name: None,
        email: None,
        phone: None,
        company: None,
        time_zone: None,
        business_type: None,
        location: None,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    }
}

/// An app with Twilio (its Messages API answering `SMreply1`); the customer has texted
/// and been answered, with the status callback asked for.
async fn answered_by_sms() -> (TestApp, MockServer) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMreply1", "status": "queued"})))
        .mount(&server)
        .await;
    let uri = server.uri();
    let app = TestApp::with_config(move |c| with_twilio(c, &uri)).await;
    let params = sms_params("SM00000000000000000000000000000077", PHONE, "Do you fix leaking taps?");
    assert_eq!(app.send(twilio_request(&params, None)).await.status, StatusCode::OK);
    app.run_jobs().await;
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let form: Vec<(String, String)> = form_urlencoded::parse(&requests[0].body).into_owned().collect();
    let names: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["To", "From", "Body", "StatusCallback"]);
    assert_eq!((form[0].1.as_str(), form[1].1.as_str()), (PHONE, TWILIO_FROM));
    assert_eq!(form[3].1, format!("{PUBLIC_BASE}/api/webhooks/twilio/status"));
    (app, server)
}

/// The status callback as Twilio posts it, signed for the URL it was given.
fn status_callback(status: &str, error_code: Option<&str>, signature: Option<&str>) -> Request<Body> {
    let mut params = vec![
        ("SmsSid", "SMreply1"),
        ("SmsStatus", status),
        ("MessageStatus", status),
        ("To", PHONE),
        ("MessageSid", "SMreply1"),
        ("AccountSid", TWILIO_SID),
        ("From", TWILIO_FROM),
        ("ApiVersion", "2010-04-01"),
    ];
    if let Some(code) = error_code {
        params.push(("ErrorCode", code));
    }
    let path = "/api/webhooks/twilio/status";
    let computed = twilio_signature(TWILIO_TOKEN, &format!("{PUBLIC_BASE}{path}"), &params);
    let mut req = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .header("host", "abc123.execute-api.us-east-1.amazonaws.com")
        .header("x-forwarded-proto", "https")
        .header("user-agent", "TwilioProxy/1.1");
    if let Some(sig) = signature.map(str::to_owned).or(Some(computed)).filter(|s| !s.is_empty()) {
        req = req.header("x-twilio-signature", sig);
    }
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
    req.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn twilio_callbacks_are_signed_like_inbound_sms() {
    let (app, _server) = Box::pin(answered_by_sms()).await;
    let missing = app.send(status_callback("undelivered", Some("30003"), Some(""))).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    let forged = app.send(status_callback("undelivered", Some("30003"), Some("bm90IHRoZSBzaWduYXR1cmU="))).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let unconfigured = TestApp::new().await;
    assert_eq!(unconfigured.send(status_callback("delivered", None, None)).await.status, StatusCode::FORBIDDEN);
    assert!(!suppressed(&app, Channel::Sms, PHONE).await);
    assert_eq!(reply(&app).await["delivery_status"], "sent");
}

#[tokio::test]
async fn an_unreachable_number_is_suppressed_once_and_the_reply_failed() {
    let (app, _server) = Box::pin(answered_by_sms()).await;
    assert_eq!(counts(&app.send(status_callback("sent", None, None)).await), (1, 0, 0, 0));
    assert_eq!(counts(&app.send(status_callback("undelivered", Some("30003"), None)).await), (1, 1, 1, 0));
    assert_eq!(counts(&app.send(status_callback("undelivered", Some("30003"), None)).await), (1, 0, 0, 0));
    assert_eq!(reply(&app).await["delivery_status"], "failed");
    assert!(suppressed(&app, Channel::Sms, PHONE).await);
    let conn = app.state.db.conn().await.unwrap();
    let customer = leadflow::domain::Customer {
        phone: Some(leadflow::domain::Phone::from_e164(PHONE).unwrap()),
        ..blank_customer()
    };
    let rows = suppressions::for_customer(&*conn, &customer).await.unwrap();
    assert_eq!((rows.len(), rows[0].reason), (1, SuppressionReason::Unreachable));
    assert_eq!(rows[0].provider_event_id, "twilio:SMreply1:undelivered");
    assert!(rows[0].customer_id.is_some());
}

#[tokio::test]
async fn a_transient_failure_keeps_the_number_and_a_delivery_is_recorded() {
    let (app, _server) = Box::pin(answered_by_sms()).await;
    // 30008: unknown error; 30007: carrier filtering. Neither says the number is dead.
    assert_eq!(counts(&app.send(status_callback("undelivered", Some("30008"), None)).await), (1, 1, 0, 0));
    assert_eq!(counts(&app.send(status_callback("failed", Some("30007"), None)).await), (1, 0, 0, 0));
    assert_eq!(reply(&app).await["delivery_status"], "failed");
    assert!(!suppressed(&app, Channel::Sms, PHONE).await && !opted_out(&app, Channel::Sms, PHONE).await);

    let (app, _server) = Box::pin(answered_by_sms()).await;
    assert_eq!(counts(&app.send(status_callback("delivered", None, None)).await), (1, 1, 0, 0));
    // A late `sent` does not move a delivered message back.
    assert_eq!(counts(&app.send(status_callback("sent", None, None)).await), (1, 0, 0, 0));
    assert_eq!(reply(&app).await["delivery_status"], "delivered");
}

#[tokio::test]
async fn an_unsubscribed_number_is_an_opt_out_not_a_suppression() {
    let (app, _server) = Box::pin(answered_by_sms()).await;
    assert_eq!(counts(&app.send(status_callback("failed", Some("21610"), None)).await), (1, 1, 0, 1));
    assert!(opted_out(&app, Channel::Sms, PHONE).await);
    assert!(!suppressed(&app, Channel::Sms, PHONE).await, "START must be able to lift it");
}
