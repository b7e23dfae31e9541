//! Sending webhooks: Standard Webhooks signatures, and a client that goes only to
//! public addresses, never follows a redirect and gives up after 15 seconds.

pub mod guard;
mod signature;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_TYPE, HeaderValue, LOCATION, RETRY_AFTER};
use uuid::Uuid;

pub use guard::{AddressRefused, GuardedResolver, Lookup, SystemLookup};
pub use signature::{SecretError, WebhookSecret, sign};

use crate::domain::webhook::TargetUrl;

/// The longest a receiver may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// How much of a response is kept.
pub const KEEP_BYTES: usize = 1024;

/// One signed request.
pub struct Outgoing<'a> {
    pub url: &'a TargetUrl,
    /// `webhook-id`: the event id, the same on every attempt.
    pub message_id: Uuid,
    pub body: &'a str,
    /// Current secret first; during a rotation the previous one too.
    pub secrets: &'a [WebhookSecret],
    pub at: DateTime<Utc>,
}

/// What came back.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: Option<u16>,
    pub retry_after: Option<chrono::Duration>,
    /// The first [`KEEP_BYTES`] of the body, as text.
    pub body: Option<String>,
    /// Why there was no usable answer.
    pub error: Option<String>,
    pub latency: Duration,
}

#[derive(Clone)]
pub struct WebhookSender {
    http: reqwest::Client,
    allow_loopback: bool,
}

impl WebhookSender {
    /// A client that resolves through `lookup` and keeps only permitted addresses.
    pub fn new(lookup: Arc<dyn Lookup>, allow_loopback: bool) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .dns_resolver(GuardedResolver::new(lookup, allow_loopback))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name itself, out of the guard's sight.
            .no_proxy()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("Leadflow-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, allow_loopback })
    }

    pub async fn send(&self, out: &Outgoing<'_>) -> Answer {
        let started = Instant::now();
        let refused = |e: &AddressRefused| Answer {
            status: None,
            retry_after: None,
            body: None,
            error: Some(e.to_string()),
            latency: started.elapsed(),
        };
        if let Some(ip) = literal_ip(out.url)
            && let Err(e) = guard::check(out.url.url().host_str().unwrap_or_default(), ip, self.allow_loopback)
        {
            return refused(&e);
        }
        let timestamp = out.at.timestamp();
        let message_id = out.message_id.to_string();
        let signature = sign(out.secrets, &message_id, timestamp, out.body);
        let request = self
            .http
            .post(out.url.url().clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header("webhook-id", message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(out.body.to_owned());
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                if let Some(r) = guard::refusal_in(&e) {
                    return refused(r);
                }
                return Answer {
                    status: None,
                    retry_after: None,
                    body: None,
                    error: Some(network_error(e)),
                    latency: started.elapsed(),
                };
            }
        };
        let status = response.status();
        let retry_after = response.headers().get(RETRY_AFTER).and_then(|v| retry_after(v, out.at));
        let redirect = status.is_redirection().then(|| {
            let to = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("nowhere");
            format!("redirect ({}) to {to} not followed", status.as_u16())
        });
        let mut kept = Vec::new();
        let mut error = redirect;
        while kept.len() < KEEP_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => kept.extend_from_slice(&chunk[..chunk.len().min(KEEP_BYTES - kept.len())]),
                Ok(None) => break,
                Err(e) => {
                    error.get_or_insert_with(|| network_error(e));
                    break;
                }
            }
        }
        Answer {
            status: Some(status.as_u16()),
            retry_after,
            body: (!kept.is_empty()).then(|| printable(&kept)),
            error,
            latency: started.elapsed(),
        }
    }
}

fn literal_ip(url: &TargetUrl) -> Option<IpAddr> {
    match url.url().host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

fn network_error(e: reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if e.is_connect() {
        let mut cause: &dyn std::error::Error = &e;
        while let Some(next) = cause.source() {
            cause = next;
        }
        format!("could not connect: {cause}")
    } else {
        format!("request failed: {}", e.without_url())
    }
}

/// `Retry-After` as seconds or an HTTP date, from `now`.
fn retry_after(v: &HeaderValue, now: DateTime<Utc>) -> Option<chrono::Duration> {
    let raw = v.to_str().ok()?.trim();
    if let Ok(secs) = raw.parse::<u32>() {
        return Some(chrono::Duration::seconds(i64::from(secs)));
    }
    let at = DateTime::parse_from_rfc2822(raw).ok()?.with_timezone(&Utc);
    Some((at - now).max(chrono::Duration::zero()))
}

/// Response bytes as text Postgres can hold: lossy UTF-8, no NUL, within the byte cap.
fn printable(bytes: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(bytes).replace('\0', "\u{fffd}");
    while text.len() > KEEP_BYTES {
        text.pop();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z").unwrap().with_timezone(&Utc);
        let v = |s: &'static str| HeaderValue::from_static(s);
        assert_eq!(retry_after(&v("120"), now), Some(chrono::Duration::seconds(120)));
        assert_eq!(retry_after(&v("Thu, 03 Dec 2026 10:05:00 GMT"), now), Some(chrono::Duration::minutes(5)));
        assert_eq!(retry_after(&v("Thu, 03 Dec 2026 09:00:00 GMT"), now), Some(chrono::Duration::zero()));
        assert_eq!(retry_after(&v("soon"), now), None);
    }

    #[test]
    fn kept_text_is_capped_and_storable() {
        let long = "é".repeat(600);
        let kept = printable(&long.as_bytes()[..KEEP_BYTES]);
        assert!(kept.len() <= KEEP_BYTES);
        assert_eq!(printable(b"a\0b"), "a\u{fffd}b");
        assert_eq!(printable(&[0xff, b'x']), "\u{fffd}x");
    }
}
