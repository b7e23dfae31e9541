//! The built dashboard (`web/dist`) and the chat widget (`/widget.js`), served by the
//! local server on the API's own origin so the dashboard needs no CORS. In AWS the same
//! files come from S3 through CloudFront; no Lambda serves them.
//!
//! Only flat file names are served (`/x.js`, `/assets/x.js`), never a path with more
//! segments, so no request can reach outside the directory. A path without an extension
//! is a dashboard route and gets `index.html`; `/api/...` never does.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};

use super::error::ApiError;

/// Scripts, styles and data only from this origin; the API is the only place it talks
/// to. React and uPlot set styles through the CSSOM, which `style-src` does not govern.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                        font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; \
                        form-action 'self'; frame-ancestors 'none'";

/// Hashed asset names change with their content, so a browser may keep them for good;
/// `index.html` and `widget.js` keep their names and are checked on every use.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The routes for `dir`; the caller adds the shared layers.
pub(super) fn router(dir: PathBuf) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/assets/{name}", get(asset))
        .route("/{*rest}", any(dashboard_route))
        .with_state(Dir(dir.into()))
}

#[derive(Clone)]
struct Dir(std::sync::Arc<Path>);

async fn index(State(dir): State<Dir>) -> Response {
    file(&dir.0.join("index.html"), REVALIDATE).await
}

async fn asset(State(dir): State<Dir>, UrlPath(name): UrlPath<String>) -> Response {
    match flat_name(&name) {
        Some(name) => file(&dir.0.join("assets").join(name), IMMUTABLE).await,
        None => ApiError::not_found("file").into_response(),
    }
}

/// Every other path: a top-level file (`/widget.js`, `/favicon.svg`), else a dashboard
/// route. Unknown API routes stay JSON 404s whatever the method, as without a dashboard.
async fn dashboard_route(State(dir): State<Dir>, method: Method, UrlPath(rest): UrlPath<String>) -> Response {
    let last = rest.rsplit('/').next().unwrap_or_default();
    if rest == "api" || rest.starts_with("api/") || rest.starts_with("assets/") {
        return ApiError::not_found("route").into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return super::method_not_allowed().await.into_response();
    }
    if !last.contains('.') {
        return file(&dir.0.join("index.html"), REVALIDATE).await;
    }
    match flat_name(&rest) {
        Some(name) => file(&dir.0.join(name), REVALIDATE).await,
        None => ApiError::not_found("file").into_response(),
    }
}

/// `name` when it is one plain file name (no separators, no leading dot).
fn flat_name(name: &str) -> Option<&str> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 200
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    plain.then_some(name)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

async fn file(path: &Path, cache: &'static str) -> Response {
    match tokio::fs::read(path).await {
        Ok(body) => {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
            (StatusCode::OK, headers, body).into_response()
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ApiError::not_found("file").into_response(),
        Err(e) => ApiError::internal(format!("cannot read {}: {e}", path.display())).into_response(),
    }
}

/// The dashboard directory `leadflow serve` uses: `WEB_DIST_DIR`, else `web/dist` under
/// the working directory when it holds a build; `None` serves the API alone.
pub fn dist_dir(configured: Option<PathBuf>) -> Option<PathBuf> {
    match configured {
        Some(dir) => Some(dir),
        None => {
            let default = PathBuf::from("web/dist");
            default.join("index.html").is_file().then_some(default)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_files() {
        assert_eq!(flat_name("index-3f2a.js"), Some("index-3f2a.js"));
        for bad in ["", ".env", "..", "a/b", "a%2Fb", "a\\b", "x y"] {
            assert_eq!(flat_name(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn types_by_extension() {
        assert_eq!(content_type(Path::new("widget.js")), "text/javascript; charset=utf-8");
        assert_eq!(content_type(Path::new("a/index.html")), "text/html; charset=utf-8");
        assert_eq!(content_type(Path::new("x.bin")), "application/octet-stream");
    }
}
