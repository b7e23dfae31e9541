//! The test harness: a fresh app per test over its own databases.

#![allow(dead_code)]

pub(crate) mod aws;
pub(crate) mod org;
pub(crate) mod providers;
pub(crate) mod served;
mod stack;

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use leadflow::app::AppState;
use leadflow::config::Config;
use leadflow::queue::{Job, LocalJobs};
use leadflow::workers::JobContext;
use serde_json::Value;
use tower::ServiceExt;

pub(crate) use stack::TestStack;

pub(crate) const API_KEY: &str = "test-api-key-0123456789";

/// An app over fresh databases, with the router every route family merged into and
/// the in-process job queue under the test's control.
pub(crate) struct TestApp {
    pub stack: TestStack,
    pub state: AppState,
    pub router: Router,
    pub jobs: tokio::sync::Mutex<LocalJobs>,
}

pub(crate) struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl TestResponse {
    /// The ids of a list response's items, in order.
    pub(crate) fn ids(&self) -> Vec<String> {
        let items = self.body["items"].as_array().unwrap_or_else(|| panic!("not a list: {}", self.text));
        items.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
    }

    /// The `error.field` of an error response.
    pub(crate) fn error_field(&self) -> Option<&str> {
        self.body["error"]["field"].as_str()
    }

    pub(crate) fn error_code(&self) -> Option<&str> {
        self.body["error"]["code"].as_str()
    }
}

/// The configuration a test app starts from: the stack's URLs and one API key.
pub(crate) fn test_config(stack: &TestStack) -> Config {
    let mut config = Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some(stack.database_url()),
        "MONGODB_URI" => Some(stack::mongodb_uri()),
        "MONGODB_DATABASE" => Some(stack.mongo_name.clone()),
        "LEADFLOW_API_KEYS" => Some(API_KEY.to_string()),
        _ => None,
    })
    .expect("test configuration is valid");
    config.database_pool_size = 4;
    config
}

impl TestApp {
    pub(crate) async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    pub(crate) async fn with_config(change: impl FnOnce(&mut Config)) -> Self {
        let stack = TestStack::new().await;
        let mut config = test_config(&stack);
        change(&mut config);
        let (state, jobs) = AppState::local(config, stack.db.clone(), stack.mongo.clone()).expect("state");
        let router = leadflow::api::app(state.clone());
        Self { stack, state, router, jobs: tokio::sync::Mutex::new(jobs) }
    }

    /// Runs every queued job (and the jobs they queue) to completion; returns how many ran.
    pub(crate) async fn run_jobs(&self) -> usize {
        self.run_jobs_at(chrono::Utc::now()).await
    }

    /// Runs every queued job as if the clock read `now` (opening hours, send windows).
    pub(crate) async fn run_jobs_at(&self, now: chrono::DateTime<chrono::Utc>) -> usize {
        let mut ran = 0;
        loop {
            let next = self.jobs.lock().await.try_next();
            let Some(job) = next else { return ran };
            let ctx = JobContext::at(now, chrono::Duration::seconds(30));
            leadflow::workers::run(&self.state, &job, &ctx).await.unwrap_or_else(|e| panic!("job {job:?} failed: {e}"));
            ran += 1;
        }
    }

    /// Takes the queued jobs without running them.
    pub(crate) async fn take_jobs(&self) -> Vec<Job> {
        let mut jobs = self.jobs.lock().await;
        std::iter::from_fn(|| jobs.try_next()).collect()
    }

    pub(crate) async fn send(&self, req: Request<Body>) -> TestResponse {
        let resp = self.router.clone().oneshot(req).await.expect("router is infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse { status, headers, body, text }
    }

    /// A JSON request with the test API key.
    pub(crate) async fn call(&self, method: Method, uri: &str, body: Option<Value>) -> TestResponse {
        self.call_as(API_KEY, method, uri, body).await
    }

    /// A JSON request with `credential` as the bearer token.
    pub(crate) async fn call_as(
        &self,
        credential: &str,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let mut req =
            Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {credential}"));
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(serde_json::to_vec(&v).expect("json"))
            }
            None => Body::empty(),
        };
        self.send(req.body(body).expect("request")).await
    }

    pub(crate) async fn get(&self, uri: &str) -> TestResponse {
        self.call(Method::GET, uri, None).await
    }

    pub(crate) async fn post(&self, uri: &str, body: Value) -> TestResponse {
        self.call(Method::POST, uri, Some(body)).await
    }

    pub(crate) async fn put(&self, uri: &str, body: Value) -> TestResponse {
        self.call(Method::PUT, uri, Some(body)).await
    }

    pub(crate) async fn delete(&self, uri: &str) -> TestResponse {
        self.call(Method::DELETE, uri, None).await
    }

    /// A raw request: any method, headers and body bytes, no API key added.
    pub(crate) async fn raw(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> TestResponse {
        let mut req = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(body.into()).expect("request")).await
    }
}

/// The id of a JSON object.
pub(crate) fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

/// An unprocessed inbound SMS of a customer, written `seconds_ago`.
pub(crate) fn inbound_sms(customer_id: uuid::Uuid, content: &str, seconds_ago: i64) -> leadflow::domain::Message {
    leadflow::domain::Message {
        id: uuid::Uuid::now_v7(),
        customer_id,
        lead_id: None,
        channel: leadflow::domain::Channel::Sms,
        direction: leadflow::domain::Direction::Inbound,
        content: content.into(),
        subject: None,
        ai_response: None,
        processed: false,
        provider_message_id: None,
        delivery_status: None,
        delivery_error: None,
        analysis: None,
        chat_session: None,
        in_reply_to: None,
        attachments: Vec::new(),
        auto_submitted: false,
        author: leadflow::domain::Author::CUSTOMER,
        created_at: chrono::Utc::now() - chrono::Duration::seconds(seconds_ago),
    }
}
