//! `leadflow serve` serves the built dashboard at `/` and the widget at `/widget.js`
//! beside the API: dashboard routes get `index.html`, hashed assets are cached for good,
//! and nothing outside the directory or under `/api` is ever answered with a file.

use http::{Method, StatusCode};

use crate::common::TestApp;

/// A dashboard build in a fresh directory (removed when the test ends).
struct Build(std::path::PathBuf);

impl Build {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("leadflow-web-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html><title>Leadflow</title><div id=root></div>").unwrap();
        std::fs::write(dir.join("assets/index-3f2a9c.js"), "console.log('dashboard')").unwrap();
        std::fs::write(dir.join("widget.js"), "(()=>{})()").unwrap();
        std::fs::write(dir.parent().unwrap().join("leadflow-web-secret.txt"), "outside").unwrap();
        Self(dir)
    }
}

impl Drop for Build {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn app_with(build: &Build) -> TestApp {
    let mut app = TestApp::new().await;
    app.router = leadflow::api::app_with_web(app.state.clone(), Some(build.0.clone()));
    app
}

#[tokio::test]
async fn dashboard_pages_and_widget_are_served_beside_the_api() {
    let build = Build::new();
    let app = app_with(&build).await;
    for path in ["/", "/inbox", "/leads/0190c2d4-0000-7000-8000-000000000000"] {
        let r = app.raw(Method::GET, path, &[], "").await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.headers["content-type"], "text/html; charset=utf-8", "{path}");
        assert!(r.text.contains("<div id=root>"), "{path}: {}", r.text);
        assert_eq!(r.headers["cache-control"], "no-cache", "{path}");
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(r.headers["x-frame-options"], "DENY");
    }
    let js = app.raw(Method::GET, "/assets/index-3f2a9c.js", &[], "").await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(js.headers["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(js.headers["cache-control"], "public, max-age=31536000, immutable");
    let widget = app.raw(Method::GET, "/widget.js", &[], "").await;
    assert_eq!(widget.status, StatusCode::OK);
    assert_eq!(widget.text, "(()=>{})()");
    assert_eq!(widget.headers["cache-control"], "no-cache", "the widget's name never changes");

    let health = app.raw(Method::GET, "/api/health", &[], "").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(
        health.headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'",
        "API responses keep the strict policy"
    );
}

#[tokio::test]
async fn unknown_api_routes_and_missing_files_stay_json_404s() {
    let build = Build::new();
    let app = app_with(&build).await;
    for (method, path) in [
        (Method::GET, "/api/nope"),
        (Method::POST, "/api/nope/deeper"),
        (Method::GET, "/api"),
        (Method::GET, "/assets/missing-123.js"),
        (Method::GET, "/missing.js"),
        (Method::GET, "/assets/..%2F..%2Fleadflow-web-secret.txt"),
        (Method::GET, "/..%2Fleadflow-web-secret.txt"),
        (Method::GET, "/assets/nested/x.js"),
        (Method::GET, "/.env"),
    ] {
        let r = app.raw(method.clone(), path, &[], "").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}: {}", r.text);
        assert_eq!(r.headers["content-type"], "application/json", "{method} {path}");
        assert!(r.body["error"]["code"].is_string(), "{method} {path}: {}", r.text);
        assert!(!r.text.contains("outside"), "{path}");
    }
    let post = app.raw(Method::POST, "/inbox", &[], "").await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED, "{}", post.text);
}

#[tokio::test]
async fn without_a_build_the_root_is_a_json_404() {
    let app = TestApp::new().await;
    let r = app.raw(Method::GET, "/", &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body["error"]["code"].is_string());
}
