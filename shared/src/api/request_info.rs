//! Facts about the request beyond its body: the caller's address, the time budget of the
//! invocation, and the public URL it was sent to.

use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::{DateTime, Duration, Utc};
use lambda_http::request::RequestContext;

/// The client's address: API Gateway's source IP, else the first `X-Forwarded-For` hop,
/// else the socket peer.
pub fn client_ip(parts: &Parts) -> String {
    if let Some(RequestContext::ApiGatewayV2(ctx)) = parts.extensions.get::<RequestContext>()
        && let Some(ip) = &ctx.http.source_ip
    {
        return ip.clone();
    }
    if let Some(first) = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        return first.to_owned();
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".into(), |c| c.0.ip().to_string())
}

/// Until when work for this request may be considered in progress: the Lambda
/// invocation's deadline, or a minute from now elsewhere.
pub fn deadline(parts: &Parts) -> DateTime<Utc> {
    parts
        .extensions
        .get::<lambda_http::Context>()
        .and_then(|c| DateTime::from_timestamp_millis(i64::try_from(c.deadline).ok()?))
        .unwrap_or_else(|| Utc::now() + Duration::seconds(60))
}

/// The URL the caller used: `PUBLIC_BASE_URL` + path when configured (behind API Gateway
/// or a proxy the Lambda cannot see it), else rebuilt from Host and X-Forwarded-Proto.
pub fn public_url(public_base: Option<&str>, headers: &HeaderMap, path_and_query: &str) -> String {
    if let Some(base) = public_base {
        return format!("{base}{path_and_query}");
    }
    let proto = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).unwrap_or("http");
    let host = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    format!("{proto}://{host}{path_and_query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_prefers_configuration() {
        let mut h = HeaderMap::new();
        h.insert("host", "abc.execute-api.us-east-1.amazonaws.com".parse().unwrap());
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        assert_eq!(public_url(None, &h, "/api/x?a=1"), "https://abc.execute-api.us-east-1.amazonaws.com/api/x?a=1");
        assert_eq!(public_url(Some("https://leads.example.com"), &h, "/api/x"), "https://leads.example.com/api/x");
    }
}
