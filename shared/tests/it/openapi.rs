//! The OpenAPI document: served, 3.1, every operation routed, every `$ref` resolved,
//! and security declared exactly on the staff routes.

use std::collections::{BTreeMap, BTreeSet};

use http::Method;
use leadflow::api::routes::Access;
use serde_json::{Value, json};

use crate::common::TestApp;

/// Every route the router serves, with whether it is public (webhooks authenticate by
/// their provider's signature, sign-in by a password).
fn served_routes(app: &TestApp) -> BTreeMap<(String, String), bool> {
    leadflow::api::route_table(&app.state)
        .into_iter()
        .map(|r| ((r.method.to_string(), r.path.to_owned()), r.access == Access::Public))
        .collect()
}

#[tokio::test]
async fn the_document_and_the_router_hold_the_same_routes() {
    let app = TestApp::new().await;
    let routed: BTreeSet<(String, String)> = served_routes(&app).into_keys().collect();
    let documented = leadflow::api::openapi::operations();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(undocumented.is_empty(), "served but missing from /api/openapi.json: {undocumented:?}");
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(unrouted.is_empty(), "documented but not served: {unrouted:?}");
}

async fn served(app: &TestApp) -> Value {
    let resp = app.raw(Method::GET, "/api/openapi.json", &[], "").await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.headers["content-type"], "application/json");
    resp.body
}

#[tokio::test]
async fn the_served_document_is_openapi_3_1() {
    let app = TestApp::new().await;
    let doc = served(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."), "{}", doc["openapi"]);
    assert_eq!(doc["info"]["title"], "Leadflow");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["servers"], json!([{"url": "/"}]));
    assert_eq!(doc, leadflow::api::openapi::json());
    let link = &doc["paths"]["/api/leads"]["post"]["responses"]["201"]["links"]["leads_show"];
    assert_eq!(link["operationId"], "leads_show", "{link}");
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = TestApp::new().await;
    let ops = leadflow::api::openapi::operations();
    assert!(ops.len() > 50, "{} operations", ops.len());
    for (method, path) in &ops {
        let uri = path
            .replace("{type}", "manual")
            .replace("{channel}", "sms")
            .replace(['{', '}'], "")
            .replace("lead_id", "00000000-0000-4000-8000-000000000000")
            .replace("/id", "/00000000-0000-4000-8000-000000000000");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}));
        let resp = app.call(method.clone(), &uri, body).await;
        assert_ne!(resp.status, 405, "{method} {uri}: {}", resp.text);
        assert_ne!(
            resp.body,
            json!({"error": {"code": "not_found", "message": "route not found"}}),
            "{method} {uri} is documented but not routed"
        );
    }
}

fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_ref_resolves() {
    let doc = leadflow::api::openapi::json();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for r in found {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{r} is not local"));
        assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
    }
}

#[tokio::test]
async fn staff_operations_declare_security_and_public_ones_none() {
    let app = TestApp::new().await;
    let routes = served_routes(&app);
    let doc = leadflow::api::openapi::json();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["api_key"]["name"], "X-Api-Key");
    assert!(doc.get("security").is_none(), "no document-wide security: public routes take none");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = method.to_uppercase();
            let security = op.get("security").and_then(Value::as_array).cloned().unwrap_or_default();
            if routes[&(method.clone(), path.clone())] {
                assert!(security.is_empty(), "{method} {path} is public but declares {security:?}");
            } else {
                let names: Vec<&str> =
                    security.iter().filter_map(|s| s.as_object()).flat_map(|s| s.keys()).map(String::as_str).collect();
                assert_eq!(names, ["bearer", "api_key"], "{method} {path}");
            }
        }
    }
}
