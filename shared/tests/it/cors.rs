//! CORS for the configured origins only, and security headers on every response.

use http::{HeaderMap, Method, StatusCode};

use crate::common::{API_KEY, TestApp, TestResponse};

const APP: &str = "https://app.example.com";

async fn with_origins(origins: &[&str]) -> TestApp {
    let origins: Vec<String> = origins.iter().map(|o| (*o).to_owned()).collect();
    TestApp::with_config(|c| c.access.cors_origins = origins).await
}

async fn preflight(app: &TestApp, origin: &str, uri: &str) -> TestResponse {
    let headers = [
        ("origin", origin),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "authorization, content-type, idempotency-key"),
    ];
    app.raw(Method::OPTIONS, uri, &headers, "").await
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).map(|v| v.to_str().unwrap())
}

fn list(h: &HeaderMap, name: &str) -> Vec<String> {
    header(h, name).unwrap_or_default().split(',').map(|s| s.trim().to_ascii_lowercase()).collect()
}

fn assert_secured(r: &TestResponse) {
    let h = &r.headers;
    let expected = [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("content-security-policy", "default-src 'none'; frame-ancestors 'none'"),
        ("strict-transport-security", "max-age=63072000; includeSubDomains"),
        ("cache-control", "no-store"),
    ];
    for (name, value) in expected {
        assert_eq!(header(h, name), Some(value), "{name} on a {} response: {h:?}", r.status);
    }
}

fn assert_no_cors(h: &HeaderMap) {
    let cors: Vec<&str> = h.keys().map(http::HeaderName::as_str).filter(|k| k.starts_with("access-control-")).collect();
    assert!(cors.is_empty(), "unexpected CORS headers {cors:?}");
}

#[tokio::test]
async fn an_allowed_origin_gets_a_preflight_answer() {
    let app = with_origins(&["https://other.example.com", APP]).await;
    let r = preflight(&app, APP, "/api/leads").await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text);
    let h = &r.headers;
    assert_eq!(header(h, "access-control-allow-origin"), Some(APP));
    assert_eq!(header(h, "access-control-allow-credentials"), None, "bearer tokens, not cookies");
    assert_eq!(header(h, "access-control-max-age"), Some("600"));
    let methods = list(h, "access-control-allow-methods");
    for m in ["get", "post", "put", "patch", "delete", "options"] {
        assert!(methods.contains(&m.to_owned()), "{methods:?}");
    }
    let allowed = list(h, "access-control-allow-headers");
    for name in ["authorization", "content-type", "idempotency-key", "x-api-key", "x-request-id"] {
        assert!(allowed.contains(&name.to_owned()), "{allowed:?}");
    }
    assert!(list(h, "vary").contains(&"origin".to_owned()), "{h:?}");
    assert_secured(&r);
}

#[tokio::test]
async fn an_allowed_origin_reads_the_response_and_its_headers() {
    let app = with_origins(&[APP]).await;
    let auth = format!("Bearer {API_KEY}");
    let r = app.raw(Method::GET, "/api/leads", &[("origin", APP), ("authorization", &auth)], "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(header(&r.headers, "access-control-allow-origin"), Some(APP));
    assert!(list(&r.headers, "vary").contains(&"origin".to_owned()));
    let exposed = list(&r.headers, "access-control-expose-headers");
    for name in [
        "ratelimit",
        "ratelimit-policy",
        "retry-after",
        "x-request-id",
        "idempotent-replayed",
        "www-authenticate",
        "location",
    ] {
        assert!(exposed.contains(&name.to_owned()), "{exposed:?}");
    }
    assert_secured(&r);
}

#[tokio::test]
async fn another_origin_is_not_let_in() {
    let app = with_origins(&[APP]).await;
    for origin in ["https://evil.example.com", "https://app.example.com.evil.net", "http://app.example.com", "null"] {
        let r = preflight(&app, origin, "/api/leads").await;
        assert_eq!(header(&r.headers, "access-control-allow-origin"), None, "{origin}");
        let r = app.raw(Method::GET, "/api/health", &[("origin", origin)], "").await;
        assert_eq!(header(&r.headers, "access-control-allow-origin"), None, "{origin}");
        assert_secured(&r);
    }
}

#[tokio::test]
async fn no_configured_origins_means_no_cors_at_all() {
    let app = TestApp::new().await;
    assert!(app.state.config.access.cors_origins.is_empty());
    let r = preflight(&app, APP, "/api/leads").await;
    assert_no_cors(&r.headers);
    assert_secured(&r);
    let r = app.raw(Method::GET, "/api/health", &[("origin", APP)], "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_no_cors(&r.headers);
}

#[tokio::test]
async fn every_kind_of_response_is_secured() {
    let app = with_origins(&[APP]).await;
    let ok = app.get("/api/leads").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_secured(&ok);

    let unauthorized = app.raw(Method::GET, "/api/leads", &[("origin", APP)], "").await;
    assert_eq!(unauthorized.status, StatusCode::UNAUTHORIZED);
    assert_secured(&unauthorized);
    assert_eq!(header(&unauthorized.headers, "access-control-allow-origin"), Some(APP), "the page can read why");

    let missing = app.raw(Method::GET, "/api/no-such-route", &[("origin", APP)], "").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_secured(&missing);
    assert_eq!(header(&missing.headers, "access-control-allow-origin"), Some(APP));
    assert!(missing.headers.contains_key("x-request-id"));

    let wrong_method =
        app.raw(Method::DELETE, "/api/leads", &[("authorization", &format!("Bearer {API_KEY}"))], "").await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_secured(&wrong_method);

    let public = app.raw(Method::GET, "/api/health", &[], "").await;
    assert_eq!(public.status, StatusCode::OK);
    assert_secured(&public);
}
