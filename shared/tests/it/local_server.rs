//! The whole local product over real HTTP, as `leadflow serve` runs it: a message posted
//! to `/api/messages/receive` is answered and the answer shows in the history. (How fast
//! is measured by `scripts/bench.sh`, not asserted here.)

use std::time::{Duration, Instant};

use leadflow::app::AppState;
use serde_json::{Value, json};

use crate::common::{TestStack, test_config};

#[tokio::test]
async fn a_received_message_is_answered_over_http() {
    let stack = TestStack::new().await;
    let mut config = test_config(&stack);
    config.api_keys.clear();
    config.auth_disabled = true;
    let (state, jobs) = AppState::local(config, stack.db.clone(), stack.mongo.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(leadflow::server::run(state, Some(jobs), listener, async {
        let _ = stopped.await;
    }));

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

    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
