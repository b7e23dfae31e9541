//! An out-of-office answer to Leadflow's reply is stored for staff to read, but gets no
//! answer and is not the customer replying (the lead's last inbound time stays put).

use http::StatusCode;
use leadflow::services::conversations::Outcome;
use serde_json::Value;
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestApp;
use crate::common::providers::*;

async fn sendgrid_app() -> (TestApp, MockServer) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/mail/send"))
        .respond_with(ResponseTemplate::new(202).insert_header("X-Message-Id", "W86EgYT6SQKk0lRflfLRsA"))
        .mount(&server)
        .await;
    let uri = server.uri();
    (TestApp::with_config(move |c| with_sendgrid(c, &uri)).await, server)
}

/// A parsed-mode Inbound Parse post from Dana.
async fn email_in(app: &TestApp, message_id: &str, subject: &str, extra_headers: &str, text: &str) {
    let headers = format!(
        "Received: by mx.sendgrid.net with SMTP id 6WCVv7KAWn\nMessage-ID: {message_id}\nSubject: {subject}\n{extra_headers}"
    );
    let fields = [
        ("headers", headers.as_str()),
        ("to", "hello@austinplumbing.example"),
        ("from", "Dana Whitfield <dana@example.com>"),
        ("subject", subject),
        ("text", text),
        ("envelope", r#"{"to":["hello@austinplumbing.example"],"from":"dana@example.com"}"#),
        ("charsets", r#"{"to":"UTF-8","from":"UTF-8","subject":"UTF-8","text":"UTF-8"}"#),
    ];
    let r = app.send(sendgrid_request(&format!("?token={INBOUND_SECRET}"), &fields)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

async fn sends(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

async fn last_inbound_at(app: &TestApp) -> Option<chrono::DateTime<chrono::Utc>> {
    let conn = app.state.db.conn().await.unwrap();
    let customer = app.get("/api/crm/customers").await.body["items"][0]["id"].as_str().unwrap().parse().unwrap();
    leadflow::store::leads::open_for_customer(&*conn, customer).await.unwrap().unwrap().last_inbound_at
}

const OOF_TEXT: &str = "I am out of the office until Monday 30 November with limited access to e-mail.";

#[tokio::test]
async fn an_out_of_office_reply_is_stored_but_not_answered() {
    let (app, server) = sendgrid_app().await;
    email_in(&app, "<CAF-100@mail.example.com>", "Quote request", "", "Could you quote a bathroom remodel?").await;
    app.run_jobs().await;
    assert_eq!(sends(&server).await, 1);
    let replied_at = last_inbound_at(&app).await.expect("the customer wrote");

    // Outlook's out-of-office, as it arrives: RFC 3834 header and Exchange's suppression.
    email_in(
        &app,
        "<DM6PR-oof-1@namprd.prod.outlook.com>",
        "Automatic reply: Re: Quote request",
        "Auto-Submitted: auto-replied\nX-Auto-Response-Suppress: All\nX-MS-Exchange-Inbox-Rules-Loop: dana@example.com",
        OOF_TEXT,
    )
    .await;
    let jobs = app.take_jobs().await;
    let [leadflow::queue::Job::ProcessMessage { message_id }] = jobs.as_slice() else { panic!("{jobs:?}") };
    let deadline = chrono::Utc::now() + chrono::Duration::seconds(30);
    let outcome = app.state.conversations().process(*message_id, chrono::Utc::now(), deadline).await.unwrap();
    assert_eq!(outcome, Outcome::Skipped { reason: "auto-reply".into() });

    // Other responders: a vacation script's header, a bulk precedence, and one that says
    // so only in its subject.
    email_in(&app, "<vac-2@mail.example.com>", "Re: Quote request", "X-Autoreply: yes", OOF_TEXT).await;
    email_in(&app, "<vac-3@mail.example.com>", "Away", "Precedence: auto_reply", OOF_TEXT).await;
    email_in(&app, "<vac-4@mail.example.com>", "Out of Office: Re: Quote request", "", OOF_TEXT).await;
    app.run_jobs().await;
    assert_eq!(sends(&server).await, 1, "no answer to any auto-reply");
    assert_eq!(last_inbound_at(&app).await, Some(replied_at), "an auto-reply is not the customer replying");

    let page = app.get("/api/messages?direction=inbound").await;
    let items: &Vec<Value> = page.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 5, "{}", page.text);
    let automatic: Vec<bool> = items.iter().map(|m| m["auto_submitted"].as_bool().unwrap()).collect();
    assert_eq!(automatic, [true, true, true, true, false], "newest first");
    assert!(items.iter().all(|m| m["processed"] == true && m["analysis"].is_null() == (m["auto_submitted"] == true)));

    // The customer writing again is answered as ever.
    email_in(&app, "<CAF-101@mail.example.com>", "Re: Quote request", "", "Back now - is Tuesday possible?").await;
    app.run_jobs().await;
    assert_eq!(sends(&server).await, 2);
    assert!(last_inbound_at(&app).await > Some(replied_at));
}

const RAW_OOF: &str = "Received: by mx0047p1mdw1.sendgrid.net with SMTP id 6WCVv7KAWn\r\n\
From: \"Dana Whitfield\" <dana@example.com>\r\n\
To: hello@austinplumbing.example\r\n\
Subject: =?UTF-8?Q?R=C3=A9ponse_automatique_:_Devis?=\r\n\
Message-ID: <raw-oof-9@mail.example.fr>\r\n\
Auto-Submitted: auto-generated\r\n\
Precedence: bulk\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=\"UTF-8\"\r\n\
\r\n\
Je suis absente jusqu'au 30 novembre.\r\n";

#[tokio::test]
async fn raw_mime_mode_reads_the_same_headers() {
    let (app, server) = sendgrid_app().await;
    let fields: Vec<(&str, &[u8])> = vec![
        ("email", RAW_OOF.as_bytes()),
        ("to", b"hello@austinplumbing.example"),
        ("from", b"\"Dana Whitfield\" <dana@example.com>"),
        ("envelope", br#"{"to":["hello@austinplumbing.example"],"from":"dana@example.com"}"#),
        ("charsets", br#"{"to":"UTF-8","from":"UTF-8","subject":"UTF-8"}"#),
    ];
    let r = app.send(sendgrid_request_bytes(&format!("?token={INBOUND_SECRET}"), &fields)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let id: Uuid = r.body["message_id"].as_str().unwrap().parse().unwrap();
    app.run_jobs().await;
    assert_eq!(sends(&server).await, 0);
    let stored = app.state.mongo.messages().get(id).await.unwrap().unwrap();
    assert!(stored.auto_submitted && stored.processed);
    assert_eq!(stored.content, "Je suis absente jusqu'au 30 novembre.");
}
