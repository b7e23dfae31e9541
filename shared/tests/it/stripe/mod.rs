//! Deposits through Stripe, end to end against the local stack with Stripe's API faked
//! by wiremock: the Checkout Session a held booking asks for (checked field by field),
//! the signed webhook (forged and stale signatures change nothing, a redelivered event
//! has one effect), holds that run out and free their slot, expired sessions, refunds
//! within the policy, and a Stripe outage that keeps the booking held.

mod holds;
mod payments;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use http::{Method, StatusCode};
use leadflow::config::StripeSettings;
use leadflow::queue::Job;
use leadflow::workers::JobContext;
use secrecy::SecretString;
use serde_json::{Value, json};
use sha2::Sha256;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::bookings::{chicago, customer, plumber, weekday_ahead};
use crate::common::{TestApp, TestResponse};

pub(crate) const SECRET_KEY: &str = "sk_test_51LeadflowDepositsTestKey";
pub(crate) const WEBHOOK_SECRET: &str = "whsec_leadflow_deposits_test_secret";

/// The Checkout Session the fake Stripe makes for a booking (it keys them by the
/// `Idempotency-Key`, the booking id, as Stripe would return the same session again).
pub(crate) fn session_id(booking_id: &str) -> String {
    format!("cs_test_a1{}", booking_id.replace('-', ""))
}

struct CheckoutResponder;

impl wiremock::Respond for CheckoutResponder {
    fn respond(&self, req: &wiremock::Request) -> ResponseTemplate {
        let key = req.headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let id = session_id(key);
        ResponseTemplate::new(200).set_body_json(json!({
            "id": id, "object": "checkout.session", "mode": "payment", "status": "open",
            "payment_status": "unpaid", "url": format!("https://checkout.stripe.com/c/pay/{id}"),
            "expires_at": Utc::now().timestamp() + 1860, "amount_total": 2500, "currency": "usd", "livemode": false
        }))
    }
}

/// An app taking deposits with Stripe at `server`, the plumber's settings, and a deposit
/// of 25.00 USD for every booking, refunded up to 24 hours before.
pub(crate) async fn deposit_app(server: &MockServer) -> TestApp {
    deposit_app_with(server, |_| {}).await
}

/// [`deposit_app`], with more configuration.
pub(crate) async fn deposit_app_with(server: &MockServer, more: impl FnOnce(&mut leadflow::config::Config)) -> TestApp {
    let base = server.uri();
    let app = TestApp::with_config(|c| {
        more(c);
        c.providers.stripe = Some(StripeSettings {
            secret_key: SecretString::from(SECRET_KEY),
            webhook_secret: SecretString::from(WEBHOOK_SECRET),
            api_base: base,
            hold_minutes: 30,
            success_url: "https://leads.example.com/booking/paid?session_id={CHECKOUT_SESSION_ID}".into(),
            cancel_url: "https://leads.example.com/booking/payment-cancelled".into(),
        });
    })
    .await;
    plumber(&app).await;
    let r = app
        .put(
            "/api/settings",
            json!({"booking": {"deposit": {"amount": 2500, "currency": "usd", "required_for": "all",
                                           "refund_hours_before": 24}}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app
}

/// Stripe answers Checkout Session requests.
pub(crate) async fn mount_checkout(server: &MockServer) {
    Mock::given(method("POST")).and(path("/v1/checkout/sessions")).respond_with(CheckoutResponder).mount(server).await;
}

pub(crate) fn checkout_url(booking_id: &str) -> String {
    format!("https://checkout.stripe.com/c/pay/{}", session_id(booking_id))
}

/// A booking of the plumber's at `at`, for a new customer.
pub(crate) async fn book_at(app: &TestApp, email: &str, at: DateTime<Utc>) -> TestResponse {
    let customer_id = customer(app, email).await;
    app.post("/api/bookings", json!({"customer_id": customer_id, "scheduled_time": at.to_rfc3339()})).await
}

pub(crate) fn slot() -> DateTime<Utc> {
    chicago(weekday_ahead(3), 10, 0)
}

/// Stripe's `Stripe-Signature`, computed here: HMAC-SHA256 of `"{t}.{body}"`.
pub(crate) fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

pub(crate) async fn post_event(app: &TestApp, header: Option<&str>, body: &[u8]) -> TestResponse {
    let mut headers = vec![("content-type", "application/json; charset=utf-8"), ("user-agent", "Stripe/1.0")];
    if let Some(h) = header {
        headers.push(("stripe-signature", h));
    }
    app.raw(Method::POST, "/api/webhooks/stripe", &headers, body.to_vec()).await
}

/// Delivers `event` signed now, as Stripe does.
pub(crate) async fn deliver(app: &TestApp, event: &Value) -> TestResponse {
    let body = serde_json::to_vec(event).unwrap();
    post_event(app, Some(&signature(WEBHOOK_SECRET, Utc::now().timestamp(), &body)), &body).await
}

/// Stripe's event of `kind` (a fixture in `events/stripe/`) about `booking_id`'s session.
pub(crate) fn event(kind: &str, booking_id: &str) -> Value {
    let path = format!("{}/../events/stripe/{kind}.json", env!("CARGO_MANIFEST_DIR"));
    let mut e: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let o = &mut e["data"]["object"];
    o["id"] = json!(session_id(booking_id));
    o["client_reference_id"] = json!(booking_id);
    o["metadata"]["booking_id"] = json!(booking_id);
    e
}

pub(crate) async fn booking(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/api/bookings/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

/// How many events of `event_type` were recorded.
pub(crate) async fn events_of(app: &TestApp, event_type: &str) -> Vec<Value> {
    let conn = app.state.db.conn().await.unwrap();
    let rows =
        conn.query("SELECT payload FROM outbox WHERE event_type = $1 ORDER BY seq", &[&event_type]).await.unwrap();
    rows.iter().map(|r| r.get::<_, Value>(0)).collect()
}

pub(crate) async fn stripe_events_stored(app: &TestApp) -> i64 {
    let conn = app.state.db.conn().await.unwrap();
    conn.query_one("SELECT count(*) FROM stripe_events", &[]).await.unwrap().get(0)
}

/// Runs the queued jobs named `name` (at `now`); drops the others. Returns how many ran.
pub(crate) async fn run_only(app: &TestApp, name: &str, now: DateTime<Utc>) -> usize {
    let jobs: Vec<Job> = app.take_jobs().await;
    let mut ran = 0;
    for job in jobs.iter().filter(|j| j.name() == name) {
        let ctx = JobContext::at(now, chrono::Duration::seconds(30));
        leadflow::workers::run(&app.state, job, &ctx).await.unwrap_or_else(|e| panic!("{job:?}: {e}"));
        ran += 1;
    }
    ran
}
