//! The SSRF guard: every refusal names its reason, and nothing connects. Loopback
//! receivers stand in for internal services: with loopback not allowed they must get
//! no request at all.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use leadflow::domain::webhook::TargetUrl;
use leadflow::integrations::webhooks::{Answer, Lookup, Outgoing, WebhookSecret, WebhookSender};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A resolver that answers from a table, and counts what it was asked.
#[derive(Default)]
struct FakeDns {
    table: Mutex<HashMap<String, Vec<IpAddr>>>,
    asked: AtomicUsize,
}

impl FakeDns {
    fn with(entries: &[(&str, &str)]) -> Arc<Self> {
        let dns = Self::default();
        for (host, ip) in entries {
            dns.table.lock().unwrap().entry((*host).to_owned()).or_default().push(ip.parse().unwrap());
        }
        Arc::new(dns)
    }
}

impl Lookup for FakeDns {
    fn lookup(&self, host: String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let found = self.table.lock().unwrap().get(&host).cloned();
        Box::pin(async move { found.ok_or_else(|| std::io::Error::other(format!("no such host {host}"))) })
    }
}

async fn send(sender: &WebhookSender, url: &str) -> Answer {
    let url = TargetUrl::stored(url).unwrap();
    let secrets = [WebhookSecret::generate()];
    let out = Outgoing { url: &url, message_id: uuid::Uuid::now_v7(), body: "{}", secrets: &secrets, at: Utc::now() };
    sender.send(&out).await
}

/// A loopback receiver that must never be reached.
async fn untouchable() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    server
}

fn refused(answer: &Answer, says: &[&str]) {
    assert_eq!(answer.status, None, "{answer:?}");
    let error = answer.error.as_deref().unwrap_or_default();
    assert!(error.starts_with("refused: "), "{error}");
    for s in says {
        assert!(error.contains(s), "{error:?} should say {s:?}");
    }
}

#[tokio::test]
async fn the_metadata_service_is_refused_before_any_connection() {
    let dns = FakeDns::with(&[]);
    let sender = WebhookSender::new(dns.clone(), true).unwrap();
    let answer = send(&sender, "http://169.254.169.254/latest/meta-data/iam/security-credentials/").await;
    refused(&answer, &["169.254.169.254", "link-local", "metadata"]);
    assert!(answer.latency.as_millis() < 100, "no connection was tried: {:?}", answer.latency);
    assert_eq!(dns.asked.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_ipv4_mapped_loopback_address_is_refused_and_never_reached() {
    let inside = untouchable().await;
    let port = inside.address().port();
    let sender = WebhookSender::new(FakeDns::with(&[]), false).unwrap();
    let answer = send(&sender, &format!("http://[::ffff:127.0.0.1]:{port}/")).await;
    refused(&answer, &["loopback"]);
    // The plain form too, and the decimal one.
    refused(&send(&sender, &format!("http://127.0.0.1:{port}/")).await, &["loopback"]);
    refused(&send(&sender, &format!("http://2130706433:{port}/")).await, &["loopback"]);
    inside.verify().await;
}

#[tokio::test]
async fn a_name_that_resolves_to_a_private_address_is_refused_when_connecting() {
    let dns = FakeDns::with(&[("crm.internal.example", "10.0.0.1")]);
    let sender = WebhookSender::new(dns.clone(), false).unwrap();
    let answer = send(&sender, "https://crm.internal.example/hook").await;
    refused(&answer, &["crm.internal.example is 10.0.0.1", "private"]);
    assert_eq!(dns.asked.load(Ordering::SeqCst), 1, "checked at resolution, the address connected to");
    assert!(answer.latency.as_millis() < 1000, "no connection attempt timed out: {:?}", answer.latency);
}

#[tokio::test]
async fn dns_rebinding_to_loopback_reaches_nothing() {
    // A name that passed when it was saved now resolves to a live loopback service.
    let inside = untouchable().await;
    let port = inside.address().port();
    let dns = FakeDns::with(&[("rebind.example", "127.0.0.1")]);
    let sender = WebhookSender::new(dns, false).unwrap();
    refused(
        &send(&sender, &format!("http://rebind.example:{port}/hook")).await,
        &["rebind.example is 127.0.0.1", "loopback"],
    );
    inside.verify().await;
}

#[tokio::test]
async fn of_several_addresses_only_the_permitted_ones_are_tried() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(1).mount(&receiver).await;
    let port = receiver.address().port();
    // Locally loopback is allowed; the private address beside it is still never tried.
    let dns = FakeDns::with(&[("mixed.example", "10.0.0.1"), ("mixed.example", "127.0.0.1")]);
    let sender = WebhookSender::new(dns, true).unwrap();
    let answer = send(&sender, &format!("http://mixed.example:{port}/hook")).await;
    assert_eq!(answer.status, Some(204), "{answer:?}");
    receiver.verify().await;
}

#[tokio::test]
async fn a_redirect_to_loopback_is_not_followed() {
    let inside = untouchable().await;
    let receiver = MockServer::start().await;
    let to = format!("http://127.0.0.1:{}/internal", inside.address().port());
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", to.as_str()))
        .mount(&receiver)
        .await;
    // The receiver itself is on loopback, so allow it; the redirect still goes nowhere.
    let dns = FakeDns::with(&[("public.example", "127.0.0.1")]);
    let sender = WebhookSender::new(dns, true).unwrap();
    let answer = send(&sender, &format!("http://public.example:{}/hook", receiver.address().port())).await;
    assert_eq!(answer.status, Some(302));
    assert_eq!(answer.error.as_deref(), Some(format!("redirect (302) to {to} not followed").as_str()));
    inside.verify().await;
}
