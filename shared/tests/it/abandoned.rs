//! Intake runs to completion when the caller goes away: a client (or Twilio, timing out)
//! that drops the connection right after sending still gets its message answered at
//! once, not at the next sweep.

use std::time::{Duration, Instant};

use leadflow::app::AppState;
use leadflow::domain::customer::CustomerFields;
use leadflow::domain::{Country, Direction, Email, Message, NewCustomer, Phone};
use leadflow::services::PageRequest;
use leadflow::services::customers::{self, CustomerFilter};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::providers::*;
use crate::common::served::serve;

/// Writes a whole HTTP request and hangs up without reading a byte of the answer, while
/// the intake is held up inside: another transaction is creating the same customer, so
/// the intake's insert waits on the unique index. The hang-up lands mid-request (the
/// server notices it and drops the handler); then the other transaction commits and the
/// intake, if it still runs, goes on with that customer.
async fn send_and_hang_up(
    state: &AppState,
    contact: &Contact,
    addr: std::net::SocketAddr,
    head: &str,
    body: &[u8],
) -> Instant {
    let fields = match contact {
        Contact::Email(e) => CustomerFields { email: Some(Email::parse(e).unwrap()), ..Default::default() },
        Contact::Phone(p) => {
            CustomerFields { phone: Some(Phone::parse(p, Country::default()).unwrap()), ..Default::default() }
        }
    };
    let mut conn = state.db.conn().await.unwrap();
    let tx = conn.transaction().await.unwrap();
    leadflow::store::customers::insert(&tx, &NewCustomer::new(fields).unwrap()).await.unwrap();

    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("{head}Host: {addr}\r\nContent-Length: {}\r\n\r\n", body.len());
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(stream);
    let hung_up = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    tx.commit().await.unwrap();
    hung_up
}

enum Contact {
    Email(&'static str),
    Phone(&'static str),
}

/// Waits up to 2 s for an outbound message in `status` to the customer of `contact`.
async fn reply_within_two_seconds(state: &AppState, contact: Contact, status: &str, started: Instant) -> Message {
    let filter = match &contact {
        Contact::Email(e) => CustomerFilter { email: Some(Email::parse(e).unwrap()), ..Default::default() },
        Contact::Phone(p) => {
            CustomerFilter { phone: Some(Phone::parse(p, Country::default()).unwrap()), ..Default::default() }
        }
    };
    loop {
        let found = customers::list(&state.db, &filter, &PageRequest::default()).await.unwrap();
        if let Some(c) = found.items.first() {
            let history = state.mongo.messages().history(c.id, &PageRequest::default()).await.unwrap();
            let reply = history.items.into_iter().find(|m| {
                m.direction == Direction::Outbound
                    && m.delivery_status.map(leadflow::domain::DeliveryStatus::as_str) == Some(status)
            });
            if let Some(reply) = reply {
                return reply;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(2), "no {status} reply within 2 s of the hang-up");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn a_receive_whose_client_hangs_up_is_answered_without_the_sweep() {
    let served = serve(|c| {
        c.api_keys.clear();
        c.auth_disabled = true;
    })
    .await;
    let body = json!({"channel": "chat", "content": "Do you clean gutters?", "external_id": "w-1",
                      "customer": {"name": "Robin", "email": "robin@example.com"}})
    .to_string();
    let hung_up = send_and_hang_up(
        &served.state,
        &Contact::Email("robin@example.com"),
        served.addr,
        "POST /api/messages/receive HTTP/1.1\r\nContent-Type: application/json\r\n",
        body.as_bytes(),
    )
    .await;
    let reply = reply_within_two_seconds(&served.state, Contact::Email("robin@example.com"), "sent", hung_up).await;
    assert!(reply.ai_response.as_deref().unwrap_or_default().starts_with("Hi Robin"), "{reply:?}");

    // The client's retry gets the first answer: same message, nothing stored twice.
    let retry: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{}/api/messages/receive", served.addr))
        .json(&serde_json::from_str::<serde_json::Value>(&body).unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let customer = uuid::Uuid::parse_str(retry["customer_id"].as_str().unwrap()).unwrap();
    let history = served.state.mongo.messages().history(customer, &PageRequest::default()).await.unwrap();
    assert_eq!(history.items.iter().filter(|m| m.direction == Direction::Inbound).count(), 1);
    assert_eq!(
        retry["message_id"],
        json!(history.items.iter().find(|m| m.direction == Direction::Inbound).unwrap().id)
    );
    served.shut_down().await;
}

#[tokio::test]
async fn a_twilio_webhook_whose_connection_drops_is_answered_without_the_sweep() {
    let twilio = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMreply0000000000000000000000001"})))
        .mount(&twilio)
        .await;
    let uri = twilio.uri();
    let served = serve(move |c| with_twilio(c, &uri)).await;
    let params = sms_params("SM00000000000000000000000000000777", "+14155550199", "Hi, do you fix leaking taps?");
    let signature = twilio_signature(TWILIO_TOKEN, &format!("{PUBLIC_BASE}/api/webhooks/twilio/sms"), &params);
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
    let head = format!(
        "POST /api/webhooks/twilio/sms HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: {signature}\r\nUser-Agent: TwilioProxy/1.1\r\n"
    );
    let hung_up =
        send_and_hang_up(&served.state, &Contact::Phone("+14155550199"), served.addr, &head, body.as_bytes()).await;
    reply_within_two_seconds(&served.state, Contact::Phone("+14155550199"), "sent", hung_up).await;
    let sent = twilio.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1, "one reply to the customer");
    served.shut_down().await;
}
