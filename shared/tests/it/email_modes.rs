//! Issue 7, item 8: inputs as real senders write them. SendGrid fields in their declared
//! charsets, SendGrid's raw-MIME mode, and phone numbers with separators anywhere.

use http::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestApp;
use crate::common::providers::*;

async fn sendgrid_app(in_reply_to: &str) -> (TestApp, MockServer) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/mail/send"))
        .and(body_string_contains(format!("\"In-Reply-To\":\"{in_reply_to}\"")))
        .respond_with(ResponseTemplate::new(202).insert_header("X-Message-Id", "sg-reply-9"))
        .expect(1)
        .mount(&server)
        .await;
    let uri = server.uri();
    (TestApp::with_config(move |c| with_sendgrid(c, &uri)).await, server)
}

async fn stored_inbound(app: &TestApp) -> (Value, Value) {
    let list = app.get("/api/crm/customers").await;
    let customer = list.body["items"][0].clone();
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "{}", list.text);
    let id = customer["id"].as_str().unwrap();
    let history = app.get(&format!("/api/crm/customers/{id}/history")).await;
    let inbound = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["direction"] == "inbound")
        .cloned()
        .expect("the inbound e-mail is in the history");
    (customer, inbound)
}

#[tokio::test]
async fn a_latin1_email_is_stored_as_written() {
    let (app, server) = sendgrid_app("<latin1-1@mail.example.fr>").await;
    let fields: Vec<(&str, &[u8])> = vec![
        ("headers", b"Received: by mx.sendgrid.net\nMessage-ID: <latin1-1@mail.example.fr>\nSubject: Devis"),
        ("dkim", b"{@example.fr : pass}"),
        ("to", b"hello@austinplumbing.example"),
        ("from", b"Ren\xe9e Dubois <renee@example.fr>"),
        ("text", b"Bonjour, pourriez-vous refaire la fa\xe7ade ? Budget 8\xa0000 \xe0 10\xa0000 dollars."),
        ("sender_ip", b"192.0.2.10"),
        ("envelope", br#"{"to":["hello@austinplumbing.example"],"from":"renee@example.fr"}"#),
        ("attachments", b"0"),
        ("subject", "Devis façade".as_bytes()),
        ("charsets", br#"{"to":"UTF-8","from":"iso-8859-1","subject":"UTF-8","text":"iso-8859-1"}"#),
        ("SPF", b"pass"),
    ];
    let r = app.send(sendgrid_request_bytes(&format!("?token={INBOUND_SECRET}"), &fields)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.run_jobs().await;
    let (customer, inbound) = stored_inbound(&app).await;
    assert_eq!(customer["name"], "Renée Dubois");
    assert_eq!(
        inbound["content"],
        "Bonjour, pourriez-vous refaire la façade ? Budget 8\u{a0}000 à 10\u{a0}000 dollars."
    );
    assert!(!inbound["content"].as_str().unwrap().contains('\u{fffd}'));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

const RAW_MIME: &str = "Received: by mx0047p1mdw1.sendgrid.net with SMTP id 6WCVv7KAWn\r\n\
From: \"Dana Whitfield\" <Dana@Example.com>\r\n\
To: hello@austinplumbing.example\r\n\
Subject: =?UTF-8?Q?Quote_request_=E2=80=93_kitchen?=\r\n\
Message-ID: <CAF-raw-77@mail.example.com>\r\n\
Date: Mon, 23 Nov 2026 09:00:00 -0600\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"000000000000ab\"\r\n\
\r\n\
--000000000000ab\r\n\
Content-Type: text/plain; charset=\"UTF-8\"\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Could you quote a kitchen remodel? Budget around $25,000 =E2=80=93 thanks!\r\n\
\r\n\
On Mon, Nov 23, 2026 at 9:00 AM Austin Plumbing <hello@austinplumbing.example> wrote:\r\n\
> Thanks for reaching out\r\n\
--000000000000ab\r\n\
Content-Type: text/html; charset=\"UTF-8\"\r\n\
\r\n\
<div>Could you quote a kitchen remodel?</div>\r\n\
--000000000000ab--\r\n";

#[tokio::test]
async fn raw_mime_mode_is_accepted_and_threads_the_reply() {
    let (app, server) = sendgrid_app("<CAF-raw-77@mail.example.com>").await;
    let fields: Vec<(&str, &[u8])> = vec![
        ("dkim", b"{@example.com : pass}"),
        ("email", RAW_MIME.as_bytes()),
        ("to", b"hello@austinplumbing.example"),
        ("from", b"\"Dana Whitfield\" <Dana@Example.com>"),
        ("sender_ip", b"192.0.2.10"),
        ("spam_report", b"Spam detection software has NOT identified this incoming email as spam."),
        ("envelope", br#"{"to":["hello@austinplumbing.example"],"from":"dana@example.com"}"#),
        ("subject", "Quote request – kitchen".as_bytes()),
        ("spam_score", b"0.011"),
        ("charsets", br#"{"to":"UTF-8","from":"UTF-8","subject":"UTF-8"}"#),
        ("SPF", b"pass"),
    ];
    let query = format!("?token={INBOUND_SECRET}");
    let r = app.send(sendgrid_request_bytes(&query, &fields)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.send(sendgrid_request_bytes(&query, &fields)).await.status, StatusCode::OK, "redelivery");
    app.run_jobs().await;
    let (customer, inbound) = stored_inbound(&app).await;
    assert_eq!(customer["email"], "dana@example.com");
    assert_eq!(customer["name"], "Dana Whitfield");
    assert_eq!(inbound["content"], "Could you quote a kitchen remodel? Budget around $25,000 – thanks!");
    assert_eq!(inbound["provider_message_id"], "email:<CAF-raw-77@mail.example.com>");
    let sent: Value = serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(sent["subject"], "Re: Quote request – kitchen");

    let broken: Vec<(&str, &[u8])> = vec![("email", b"Subject: no sender\r\n\r\nhello")];
    let r = app.send(sendgrid_request_bytes(&query, &broken)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.error_field(), Some("email"));
}

#[tokio::test]
async fn phones_with_separators_anywhere_are_accepted() {
    let app = TestApp::new().await;
    let r = app.post("/api/crm/customers", json!({"name": "Sep Person", "phone": "+1415555-0142"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["phone"], "+14155550142");
    let r = app
        .post(
            "/api/messages/receive",
            json!({"channel": "chat", "content": "hi", "customer": {"phone": "+1 (415) 555.0142"}}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    assert_eq!(app.get("/api/crm/customers").await.body["items"].as_array().unwrap().len(), 1, "same customer");
    let r = app.post("/api/crm/customers", json!({"name": "Bad", "phone": "415+555-0142"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.error_field(), Some("phone"));
}
