//! Outbound webhooks end to end: endpoints made through the API, events from real
//! changes, deliveries to a wiremock receiver on loopback (allowed here by
//! `ALLOW_PRIVATE_WEBHOOK_TARGETS`), signatures checked by the Standard Webhooks
//! reference library.

mod delivery;
mod failures;
mod ssrf;
mod zapier;

use std::io::Write;
use std::process::{Command, Stdio};

use http::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;

pub(super) async fn app() -> TestApp {
    TestApp::with_config(|c| c.allow_private_webhook_targets = true).await
}

/// An endpoint for `types`; its id and secret.
pub(super) async fn endpoint(app: &TestApp, url: &str, types: &[&str]) -> (String, String) {
    let r = app.post("/api/webhook-endpoints", json!({"url": url, "event_types": types})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    (r.body["id"].as_str().unwrap().to_owned(), r.body["secret"].as_str().unwrap().to_owned())
}

/// The endpoint's deliveries, newest first.
pub(super) async fn deliveries(app: &TestApp, endpoint_id: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/webhook-endpoints/{endpoint_id}/deliveries")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

pub(super) fn at(v: &Value) -> chrono::DateTime<chrono::Utc> {
    v.as_str().unwrap_or_else(|| panic!("not a time: {v}")).parse().unwrap()
}

/// Verifies a received request as a receiver using the `standardwebhooks` PyPI package
/// (the reference library, in the venv `scripts/test.sh` installs) would.
pub(super) fn reference_verify(secret: &str, req: &wiremock::Request) -> Result<Value, String> {
    let python = concat!(env!("CARGO_MANIFEST_DIR"), "/../.cache/venv/bin/python");
    assert!(
        std::path::Path::new(python).exists(),
        "{python} is missing: run scripts/test.sh once (it installs standardwebhooks)"
    );
    let headers: serde_json::Map<String, Value> = req
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), Value::String(v.to_str().unwrap().to_owned())))
        .collect();
    let input = json!({"secret": secret, "body": String::from_utf8(req.body.clone()).unwrap(), "headers": headers});
    let script = r#"
import json, sys
from standardwebhooks.webhooks import Webhook
d = json.load(sys.stdin)
try:
    print(json.dumps(Webhook(d["secret"]).verify(d["body"], d["headers"])))
except Exception as e:
    print("%s: %s" % (type(e).__name__, e))
    sys.exit(1)
"#;
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() { Ok(serde_json::from_str(&text).unwrap()) } else { Err(text) }
}
