//! The whole local product over real HTTP, as `leadflow serve` runs it: a message posted
//! to `/api/messages/receive` is answered and the answer shows in the history. (How fast
//! is measured by `scripts/bench.sh`, not asserted here.)

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::served::serve;

#[tokio::test]
async fn a_received_message_is_answered_over_http() {
    let served = serve(|c| {
        c.api_keys.clear();
        c.auth_disabled = true;
    })
    .await;
    let base = format!("http://{}", served.addr);

    let http = reqwest::Client::new();
    let started = Instant::now();
    let accepted: Value = http
        .post(format!("{base}/api/messages/receive"))
        .json(&json!({"channel": "chat", "content": "Hi, do you offer weekend appointments?", "customer": {"name": "Lee", "email": "lee@example.com"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let customer = accepted["customer_id"].as_str().expect("202 with ids").to_owned();
    let reply = loop {
        let history: Value = http
            .get(format!("{base}/api/crm/customers/{customer}/history"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let sent = |m: &&Value| m["direction"] == "outbound" && m["delivery_status"] == "sent";
        if let Some(out) = history["items"].as_array().unwrap().iter().find(sent) {
            break out.clone();
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no reply: {history}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(reply["delivery_status"], "sent");
    assert!(reply["ai_response"].as_str().unwrap().starts_with("Hi Lee"), "{reply}");

    served.shut_down().await;
}
